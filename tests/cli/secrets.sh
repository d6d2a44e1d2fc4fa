#!/usr/bin/env bash
# Values of the environment variables an agent profile forwards never reach
# any file of the store, however the output is chunked, and --record-input
# does not leak them either. (The agent reads its line first, so the
# terminal's echo of it never lands inside the output checked below.)
. "$(dirname "$0")/../lib/common.sh"
need zstd
cd "$T" || exit 1
mkdir -p "$XDG_CONFIG_HOME/agentrun"
cat > "$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"leaky": {
	"command": ["bash", "-c", "read -r line; s=$MY_TOKEN; printf 'whole:%s\\n' \"$s\"; for ((i = 1; i < ${#s}; i += 3)); do printf 'split:%s' \"${s:0:i}\"; sleep 0.02; printf '%s\\n' \"${s:i}\"; done; for ((i = 0; i < ${#s}; i++)); do printf '%s' \"${s:i:1}\"; sleep 0.005; done; echo; echo \"typed:$line\""],
	"env": ["MY_TOKEN"]}}}
JSON
export MY_TOKEN=tok-4f9a1c7e2b8d0a55e3
out=$(printf '%s\n' "$MY_TOKEN" | "$AGENTRUN" -q --backend local leaky --record-input)
assert_contains "whole:$MY_TOKEN" "$out" "the terminal sees the real value"
assert_contains "typed:$MY_TOKEN" "$out"
cast=$(latest_cast)
zstd -dc "$cast" > "$T/plain.cast"
grep -q "redacted:MY_TOKEN" "$T/plain.cast" || fail "no redaction marker"
for f in "$STORE"/* "$T/plain.cast"; do
	grep -qa "4f9a1c7e2b8d0a55e3" "$f" && fail "secret found in $f"
done
"$AGENTRUN" cat latest | grep -qa "4f9a1c7e2b8d0a55e3" && fail "secret in cat output"
"$AGENTRUN" cat latest | grep -q "whole:\[redacted:MY_TOKEN\]" || fail "redaction not in place"

# A value with a line break is shown with \r\n by the terminal: redacted
# in that form too. A value in the command line is redacted in the header,
# the sidecar, ls and show, as in the output.
cat > "$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"multi": {"command": ["bash", "-c", "printf 'key:%s\\n' \"$MY_KEY\"; echo \"arg:$1\"", "x"],
	"env": ["MY_KEY"]}}}
JSON
export MY_KEY=$'first-7c1e0b\nsecond-9d2f4a'
"$AGENTRUN" -q --backend local multi "$MY_KEY" </dev/null >/dev/null 2>&1
cast=$(latest_cast)
id=$(basename "$cast" .cast.zst)
zstd -dc "$cast" > "$T/multi.cast"
for f in "$T/multi.cast" "$STORE/$id.json"; do
	grep -qa "7c1e0b\|9d2f4a" "$f" && fail "a line of a multi-line secret in $f: $(cat "$f")"
done
# (the output, not one event: a read may end between "key:" and the value)
"$AGENTRUN" cat "$id" | grep -q 'key:\[redacted:MY_KEY\]' || fail "no redaction of the multi-line value: $(cat "$T/multi.cast")"
ar ls --all
case "$OUT" in *7c1e0b*) fail "secret in ls" ;; esac
ar show "$id"
case "$OUT" in *7c1e0b*|*9d2f4a*) fail "secret in show: $OUT" ;; esac
assert_contains "[redacted:MY_KEY]" "$OUT" "the command line says where"

# A forwarded value too short to be a secret (a flag such as "1") is not
# redacted: it would replace that character all through the transcript.
cat > "$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"flag": {"command": ["sh", "-c", "echo count 1 2 11 flag=$MY_FLAG"], "env": ["MY_FLAG"]}}}
JSON
MY_FLAG=1 "$AGENTRUN" -q --backend local flag </dev/null >/dev/null 2>&1
ar cat latest
assert_contains "count 1 2 11 flag=1" "$OUT" "a one-character value is left alone"

# A value that holds another is redacted whole, whatever the order of the
# names (the shorter one replaced first left the rest of the longer one);
# --title is redacted as the command line is.
cat > "$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"nested": {"command": ["sh", "-c", "echo \"out:$OTHER\""], "env": ["SHORT", "OTHER"]}}}
JSON
SHORT=sec-5a5a OTHER=sec-5a5a-plus-77e1 "$AGENTRUN" -q --backend local \
	nested --title "title sec-5a5a-plus-77e1" </dev/null >/dev/null 2>&1
ar cat latest
assert_contains "out:[redacted:OTHER]" "$OUT" "the longer value redacted whole"
cast=$(latest_cast)
id=$(basename "$cast" .cast.zst)
zstd -dc "$cast" > "$T/nested.cast"
for f in "$T/nested.cast" "$STORE/$id.json"; do
	grep -qa "plus-77e1\|5a5a" "$f" && fail "part of a secret in $f: $(cat "$f")"
done
ar show "$id"
assert_contains "title [redacted:OTHER]" "$OUT" "the title is redacted"
exit 0
