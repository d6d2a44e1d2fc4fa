#!/usr/bin/env bash
# agentrun export -o FILE killed outright (SIGKILL, the OOM killer, a
# crash) while it writes: nothing is left beside FILE (it is written as a
# file with no name, O_TMPFILE, named only when complete), FILE is left as
# it was. Where the file system has no O_TMPFILE a named temporary is
# used, that a SIGKILL may leave: the test is skipped there.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
mkdir out
python3 -c '
import json
print(json.dumps({"version": 2, "width": 80, "height": 24}))
for i in range(20000):
    print(json.dumps([i * 0.01, "o", "line of text \u001b[1mbold\u001b[0m\r\n" * 50]))
' > big.cast || skip "needs python3"
python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600)
' out 2>/dev/null || skip "no O_TMPFILE here"

writing() {	# pid: the export of pid writes into out/
	ls out/*.tmp.* >/dev/null 2>&1 ||
		ls -l "/proc/$1/fd" 2>/dev/null | grep -qF -- "-> $T/out/"
}

for f in text cast; do
	echo precious > "out/file.$f"
	"$AGENTRUN" export -f "$f" big.cast -o "out/file.$f" 2>/dev/null &
	pid=$!
	for _ in $(seq 500); do
		writing "$pid" && break
		sleep 0.01
	done
	kill -STOP "$pid"
	if ! writing "$pid"; then
		kill -CONT "$pid"
		wait "$pid"
		skip "the export of -f $f ended before it could be killed"
	fi
	kill -KILL "$pid"
	wait "$pid"
	assert_eq 137 "$?" "-f $f: the status of a KILL"
	assert_eq "" "$(ls -A out | grep -vx 'file\.text\|file\.cast')" \
		"-f $f: a file left beside FILE"
	assert_eq precious "$(cat "out/file.$f")" "-f $f: FILE is left as it was"
done

# A complete export is still named FILE, keeps FILE's permissions, and
# leaves nothing else.
chmod 640 out/file.cast
ar export big.cast -o out/file.cast
assert_eq 0 "$RC" "export: $ERR"
"$AGENTRUN" export big.cast > want.cast
cmp -s want.cast out/file.cast || fail "the export is not the recording"
assert_eq 640 "$(stat -c %a out/file.cast)" "FILE's permissions"
ar export big.cast -o out/new.cast.zst
assert_eq 0 "$RC" "export to a new file: $ERR"
assert_eq "$(printf '%s\n' file.cast file.text new.cast.zst)" "$(ls -A out)" "the folder"
exit 0
