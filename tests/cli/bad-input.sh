#!/usr/bin/env bash
# Bad input: each a clear one-line error, a documented exit code, and
# nothing changed or lost. Session ids, transcripts, config, paths, and
# arguments that a shell would interpret.
. "$(dirname "$0")/../lib/common.sh"
need zstd
cd "$T" || exit 1
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] || fail "not one line: [$1]"; }

# --- session ids
ar cat nosuchid
assert_eq 1 "$RC" "unknown id"; one_line "$ERR"
assert_contains "no such session" "$ERR"
for i in 1 2; do "$AGENTRUN" -q --backend local run -- true; done
prefix=$(ls "$STORE" | head -n 1 | cut -c1-9)
ar show "$prefix"
assert_eq 1 "$RC" "ambiguous prefix"; one_line "$ERR"
assert_contains "ambiguous" "$ERR"
assert_contains "$(ls "$STORE" | head -n 1 | cut -c1-20)" "$ERR" "candidates listed"
echo "hello" > "$T/notacast.txt"
ar cat "$T/notacast.txt"
assert_eq 1 "$RC" "a file that is not a recording"; one_line "$ERR"
ar cat "$T/missing.cast"
assert_eq 1 "$RC" "a missing file"; one_line "$ERR"

# --- transcripts: truncated, garbage, zstd of bad JSON, a huge line
printf '{"version": 3, "term": {"cols": 80, "rows": 24}}\n[0.1, "o", "good line\\r\\n"]\n[0.1, "o", "cut' > "$T/trunc.cast"
ar cat "$T/trunc.cast"
assert_eq 0 "$RC" "truncated plain file"
assert_contains "good line" "$OUT"
head -c 3000 /dev/urandom > "$T/garbage.cast"
ar cat "$T/garbage.cast"
assert_eq 1 "$RC" "garbage"; one_line "$ERR"
printf '{"version": 3, "term": {"cols": 80, "rows": 24}}\n[0.1, "o", "before\\r\\n"]\n{not json]\n[0.1, "o", "after"]\n' | zstd -q > "$T/badjson.cast.zst"
ar cat "$T/badjson.cast.zst"
assert_eq 1 "$RC" "zstd of invalid JSON"; one_line "$ERR"
assert_contains "before" "$OUT" "output up to the damage"
assert_not_contains "after" "$OUT"
python3 -c '
import json
print(json.dumps({"version": 3, "term": {"cols": 80, "rows": 24}}))
print(json.dumps([0.1, "o", "x" * (20 * 1024 * 1024)]))
print(json.dumps([0.1, "o", "end"]))' | zstd -q > "$T/huge.cast.zst"
"$AGENTRUN" cat "$T/huge.cast.zst" > "$T/huge.out" 2>"$T/err"
assert_eq 0 "$?" "huge line"
assert_eq $((20 * 1024 * 1024 + 3)) "$(wc -c < "$T/huge.out")" "huge line bytes"

# --- config
mkdir -p "$XDG_CONFIG_HOME/agentrun"
cfg=$XDG_CONFIG_HOME/agentrun/config.json
printf '{\n  "vm": {\n    "cpus": 2,,\n  }\n}\n' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "invalid JSON"; one_line "$ERR"
assert_contains "line 3" "$ERR"
printf '{"vm": {"colour": "red"}}' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "unknown key"; assert_contains "vm.colour" "$ERR"
# A mistyped command with a config gone bad is said to be one, with why
# agents cannot be told (it was only the config's error).
ar lss
assert_eq 2 "$RC" "a typo with a bad config"; one_line "$ERR"
assert_contains "'lss' is not an agentrun command, nor an agent the config can tell" "$ERR"
assert_contains "vm.colour: unknown key" "$ERR"
printf '{"vm": {"cpus": "four"}}' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "wrong type"; assert_contains "vm.cpus" "$ERR"
printf '{"vm": {"memory": "lots"}}' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "bad size"; assert_contains 'vm.memory: expected a size like "4G"' "$ERR"
printf '{"vm": {"memory": "0G"}}' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "a size of nothing"; assert_contains "vm.memory" "$ERR"
printf '{"vm": {"cpus": 1e300}}' > "$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "out of range"; assert_contains "vm.cpus" "$ERR"
n=$(ls "$STORE" | wc -l)

# --- arguments reach the command byte for byte; no shell interprets them
printf '{"agents": {"echoargs": {"command": ["%s"]}}}' "$TESTBIN/printargs" > "$cfg"
assert_eq "$n" "$(ls "$STORE" | wc -l)" "config errors recorded nothing"
args=('$(touch '"$T"'/PLANTED)' '`touch '"$T"'/PLANTED2`' 'a; rm -rf /' '*' $'two\nlines' "it's \"quoted\"" '--leading-dash' '' ' spaced ')
"$AGENTRUN" -q --backend local echoargs "${args[@]}" > "$T/args.out" </dev/null
assert_eq 0 "$?" "echoargs status"
expect=$(for a in "${args[@]}"; do printf '<%s>\n' "$a"; done)
assert_eq "$expect" "$(tr -d '\r' < "$T/args.out")" "arguments byte for byte"
[ -e "$T/PLANTED" ] || [ -e "$T/PLANTED2" ] && fail "a shell interpreted an argument"

# --- paths: spaces, quotes, newlines, a colon, non-UTF-8, 4000 characters, loops
for d in "with space" "it's" $'new\nline' "co:lon" $'bad\xff\xfe'; do
	mkdir -p "$T/p/$d"
	ar -q -C "$T/p/$d" --backend local run -- pwd
	assert_eq 0 "$RC" "run in [$d]"
	assert_eq "$T/p/$d" "$(printf '%s' "$OUT" | tr -d '\r')" "pwd in [$d]"
done
long=$T/l
while [ ${#long} -lt 4000 ]; do long=$long/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done
mkdir -p "$long" 2>/dev/null
ar -q -C "$long" --backend local run -- true
[ "$RC" -eq 0 ] || { [ "$RC" -eq 2 ] && one_line "$ERR"; } || fail "4000-char path: $RC $ERR"
ln -s loop1 "$T/loop2"; ln -s loop2 "$T/loop1"
ar -q -C "$T/loop1" --backend local run -- true
assert_eq 2 "$RC" "symlink loop"; one_line "$ERR"
assert_contains "loop1" "$ERR"
# --- a file's header fields never reach the terminal raw: an imported
# title or command with escape sequences and newlines is shown with '?'
# for each control character (C0, DEL, C1) by ls and show.
mkdir -p "$T/evil/.git"
printf '%s\n' '{"version": 2, "width": 80, "height": 24, "title": "t\u001b]0;OWNED\u0007\u001b[2J\u009b", "command": "ls\u001b[31m\nFAKE-ROW\u007f\u009bm\u00b7"}' \
	'[0.1, "o", "x"]' > "$T/evil.cast"
ar -C "$T/evil" import "$T/evil.cast"
assert_eq 0 "$RC" "import: $ERR"
for c in "ls" "ls --all" "show latest"; do
	# shellcheck disable=SC2086
	ar -C "$T/evil" $c
	assert_eq 0 "$RC" "$c"
	case $OUT in *$'\e'*|*$'\x7f'*|*$'\xc2\x9b'*) fail "$c printed a control character: $OUT" ;; esac
	assert_contains 'ls?[31m?FAKE-ROW??m·' "$OUT" "$c"
done
assert_contains 't?]0;OWNED??[2J?' "$OUT" "show's title"
ar -C "$T/evil" ls
assert_eq 2 "$(printf '%s\n' "$OUT" | wc -l)" "one row for the session"
ar -C "$T/evil" ls --json
assert_contains '"ls\u001b[31m\nFAKE-ROW' "$OUT" "--json keeps the string"
# A command line that is not UTF-8: the sidecar keeps it, --json shows
# valid UTF-8 (U+FFFD), so a strict parser reads it.
mkdir -p "$T/bin8"
"$AGENTRUN" -C "$T/bin8" -q --backend local run -- printf 'x%s\n' $'bad\xffbyte' >/dev/null 2>&1 || fail "run"
for c in "ls --json" "show --json latest"; do
	# shellcheck disable=SC2086
	ar -C "$T/bin8" $c
	printf '%s' "$OUT" | python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' ||
		fail "$c is not valid UTF-8 JSON: $OUT"
	assert_contains "bad�byte" "$OUT" "$c"
done
# --- show of a file given by path: what its header and events say; a
# file that is not a recording is an error, as for cat and text.
printf '%s\n' '{"version": 2, "width": 100, "height": 30, "timestamp": 1700000000, "command": "vim"}' \
	'[0.5, "o", "hello"]' '[2.5, "o", "world"]' > "$T/plain.cast"
ar show "$T/plain.cast"
assert_eq 0 "$RC" "show a path: $ERR"
assert_contains "terminal:          100x30" "$OUT"
assert_contains "command:           vim" "$OUT"
assert_contains "output bytes:      10" "$OUT"
assert_contains "duration:          3s" "$OUT"
echo "root:x:0:0:root:/root:/bin/bash" > "$T/passwd.cast"
ar show "$T/passwd.cast"
assert_eq 1 "$RC" "show of a file that is not a recording"
assert_contains "the header is not JSON" "$ERR"; one_line "$ERR"

# A broken config reached through an agent's name is a config error (2)
# wherever it is met, and help says so rather than "no such command".
printf '{"agents": {"foo": {"command": ["true"]}}, "bad": 1}' > "$cfg"
ar foo
assert_eq 2 "$RC" "an agent of a broken config"
assert_contains "bad" "$ERR"
ar help foo
assert_eq 2 "$RC" "help on an agent of a broken config"
case "$ERR" in *"no such command"*) fail "help hid the config error: $ERR" ;; esac
ar help
assert_eq 0 "$RC" "help with a broken config"
assert_contains "not listed" "$ERR" "help says why the agents are missing"
rm -f "$cfg"

# --- a sidecar edited by hand: numbers out of range are not believed
# (no overflowing conversion, no nonsense shown).
mkdir -p "$STORE"
printf '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "x"]\n' |
	zstd -q -o "$STORE/20250101-100000-9999.cast.zst"
printf '{"id": "20250101-100000-9999", "state": "finished", "pid": 1e30, "exit_status": 1e20, "cols": 1e12, "rows": -3, "bytes": -1, "start": 1e300, "end": -1e300, "project": "%s"}\n' "$T" \
	> "$STORE/20250101-100000-9999.json"
ar show 20250101-100000-9999
assert_eq 0 "$RC" "show of odd numbers: $ERR"
assert_contains "started:           -" "$OUT"
ar show --json 20250101-100000-9999
assert_not_contains "exit_status" "$OUT"
assert_contains '"pid":	0,' "$OUT"
assert_not_contains "18446744073709551615" "$OUT"
assert_not_contains "-2147483648" "$OUT"
rm -f "$STORE"/20250101-100000-9999.*

# --- a -C that names no folder is said, not ignored: latest would be the
# store's newest session
for c in "show latest" "text latest" "export latest" "replay latest"; do
	# shellcheck disable=SC2086
	ar -C "$T/no/such" $c
	assert_eq 2 "$RC" "-C nowhere $c"
	assert_contains "-C $T/no/such: No such file or directory" "$ERR" "$c"
done

# --- rm ID --help is help, wherever it stands (nothing removed)
ar rm nosuch --help
assert_eq 0 "$RC" "rm ID --help"
assert_contains "usage: agentrun rm" "$OUT"

# --- a file where the store should be: refused, its mode untouched
mv "$STORE" "$T/store.away"
printf 'mine\n' > "$STORE"
chmod 644 "$STORE"
ar --backend local run -- true
assert_eq "644" "$(stat -c %a "$STORE")" "the file's mode was changed"
assert_contains "Not a directory" "$ERR"
rm -f "$STORE"
mv "$T/store.away" "$STORE"

# A FIFO named like a sidecar is no sidecar: nothing waits for a writer
# to it (ls, gc and grep used to hang for ever).
mkfifo "$STORE/20250101-120000-0a3f.json"
for c in "ls --all" "gc --keep 100 --dry-run" "grep --all zzz" "show 20250101-120000-0a3f"; do
	# shellcheck disable=SC2086
	RC=0; timeout 10 "$AGENTRUN" $c >/dev/null 2>&1 </dev/null || RC=$?
	[ "$RC" != 124 ] || fail "$c waited on a FIFO sidecar"
done
ar ls --all
assert_contains "20250101-120000-0a3f" "$OUT" "listed as a session with no readable sidecar"
rm "$STORE/20250101-120000-0a3f.json"

# A session whose recording was deleted by hand, its sidecar left (one
# that was still running when it stopped): show says what the sidecar
# holds, with a warning, as ls lists it.
printf '%s\n' '{"id": "20250102-120000-0b4f", "project": "/p", "command": "crashed thing",' \
	'"backend": "local", "start": 1735819200, "cols": 80, "rows": 24,' \
	'"state": "running", "pid": 999999999}' >"$STORE/20250102-120000-0b4f.json"
ar show 20250102-120000-0b4f
assert_eq 0 "$RC" "show without a recording: $ERR"
assert_contains "command:           crashed thing" "$OUT"
assert_contains "state:             interrupted" "$OUT"
assert_contains "No such file or directory; what its sidecar says follows" "$ERR"
one_line "$ERR"
rm "$STORE/20250102-120000-0b4f.json"

# A relative HOME is no home: the config, store and state are not taken
# from the current folder (the project, which the agent can write).
mkdir -p "$T/rel/relhome/.config/agentrun"
printf '{"backend": "local", "agents": {"planted": {}}}\n' \
	>"$T/rel/relhome/.config/agentrun/config.json"
OUT=$(cd "$T/rel" && env -u XDG_CONFIG_HOME -u XDG_DATA_HOME HOME=relhome \
	"$AGENTRUN" help 2>&1)
assert_not_contains planted "$OUT" "help with a relative HOME"
ERR=$(cd "$T/rel" && env -u XDG_DATA_HOME HOME=relhome "$AGENTRUN" ls 2>&1)
assert_eq "agentrun: neither XDG_DATA_HOME nor HOME is set (as an absolute path)" "$ERR" "ls with a relative HOME"
[ ! -e "$T/rel/relhome/.local" ] || fail "a store was made under the relative HOME"
exit 0
