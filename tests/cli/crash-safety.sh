#!/usr/bin/env bash
# kill -9 of agentrun while it records a large output: the real zstd
# decodes the file to a prefix of valid asciicast lines (at most one torn
# last line), and cat and ls still work on it (ls: interrupted).
. "$(dirname "$0")/../lib/common.sh"
need zstd
need python3
cd "$T" || exit 1

"$AGENTRUN" -q --backend local run -- sh -c \
    'i=0; while :; do echo "line $i: ééé ✓ 中文 $(printf "\033[3%dm" $((i % 8)))x"; i=$((i+1)); done' \
    >/dev/null 2>"$T/err" </dev/null &
pid=$!
sleep 2.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.3

cast=$(latest_cast)
[ -n "$cast" ] || fail "no transcript"
zstd -dc "$cast" > "$T/t.cast" 2>"$T/zerr"	# cut frame: zstd complains, still decodes
python3 - "$T/t.cast" <<'PY' || fail "not a valid prefix"
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
torn = lines.pop()            # after the last newline: empty or one torn line
h = json.loads(lines[0])
assert h["version"] == 3, h
n = 0
for l in lines[1:]:
    e = json.loads(l.decode("utf-8"))
    assert len(e) == 3 and e[1] in "ori", e
    n += 1
assert n > 10, "only %d events survived" % n
if torn:
    try:
        json.loads(torn.decode("utf-8", "replace"))
    except ValueError:
        pass                  # one torn last line is allowed
print("events", n, "torn", len(torn))
PY

id=$(basename "$cast" .cast.zst)
ar ls
assert_eq 0 "$RC" "ls status"
assert_contains "$id" "$OUT"
assert_contains "interrupted" "$OUT"
"$AGENTRUN" cat "$id" > "$T/out" 2>"$T/cerr"
rc=$?
assert_eq 0 "$rc" "cat of a cut transcript"
# show gives what the transcript holds: its sidecar never got an end.
ar show "$id"
assert_eq 0 "$RC" "show: $ERR"
assert_contains "interrupted" "$OUT"
assert_eq "output bytes:      $(wc -c < "$T/out" | tr -d ' ')" \
	"$(printf '%s\n' "$OUT" | grep '^output bytes:')" "bytes from the transcript"
printf '%s\n' "$OUT" | grep -q '^duration: *[0-9]' || fail "no duration: $OUT"
grep -q "line 10: ééé" "$T/out" || fail "cat lost early output"
# Its state says it ended in a crash: the cut tail is no news, and grep,
# which reads every session each time, would repeat it.
assert_eq "" "$(cat "$T/cerr")" "cat warns about an interrupted session's cut tail"
ar grep "line 10"
assert_eq 0 "$RC" "grep in a cut transcript"
assert_eq "" "$ERR" "grep warns about an interrupted session's cut tail"
# export -o writes it as export to stdout does: a crash's cut tail is no
# damage that would leave FILE as it was.
ar export -f raw -o "$T/x.raw" "$id"
assert_eq 0 "$RC" "export -o of an interrupted session: $ERR"
cmp -s "$T/out" "$T/x.raw" || fail "export -o differs from cat"
# Killed after the exit event was written, before the sidecar's end (here
# the sidecar of the start put back): show takes the exit status from the
# transcript, as for a transcript without a sidecar.
"$AGENTRUN" -q --backend local run -- sh -c 'echo done; exit 6' >/dev/null 2>&1 </dev/null
id=$(basename "$(latest_cast)" .cast.zst)
sh -c 'exit 0' & dead=$!; wait "$dead"
python3 - "$STORE/$id.json" "$dead" <<'PY' || fail "sidecar edit"
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("end", "end_iso", "exit_status", "duration", "git"):
    s.pop(k, None)
s["state"] = "running"
s["pid"] = int(sys.argv[2])
json.dump(s, open(sys.argv[1], "w"))
PY
ar show "$id"
assert_contains "state:             interrupted" "$OUT"
assert_contains "exit status:       6" "$OUT" "show of an interrupted session"
ar show --json "$id"
assert_contains '"exit_status":	6' "$OUT"

# A command that closes its terminal and runs on: what it wrote before is
# still flushed within a second or so, so a kill -9 of agentrun then keeps
# it (it waited unflushed for the command to end).
rm -f "$STORE"/*
"$AGENTRUN" -q --backend local run -- sh -c \
    'echo important-output-line; exec </dev/null >/dev/null 2>&1; exec sleep 30' \
    >/dev/null 2>"$T/err" </dev/null &
pid=$!
found=
for _ in $(seq 50); do
	cast=$(latest_cast)
	if [ -n "$cast" ] && zstd -dcq "$cast" 2>/dev/null | grep -q '"o", "important-output-line'; then
		found=1
		break
	fi
	sleep 0.1
done
child=$(pgrep -P "$pid" | head -n 1)
kill -9 "$pid"
wait "$pid" 2>/dev/null
[ -z "$child" ] || kill "$child" 2>/dev/null
[ -n "$found" ] || fail "the output before the terminal closed was never flushed"
exit 0
