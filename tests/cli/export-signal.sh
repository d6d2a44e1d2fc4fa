#!/usr/bin/env bash
# agentrun export -o FILE stopped by a signal (Ctrl-C, kill) while it
# writes: the temporary file beside FILE goes too, FILE is left as it was,
# and agentrun still dies of the signal (the shell's status 128+N). The
# export is caught mid-way: stopped once its temporary file exists (a
# named one, or one with no name: O_TMPFILE), sent the signal, then
# continued.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

writing() {	# pid file: the export of pid writes file's temporary
	ls "$2".tmp.* >/dev/null 2>&1 ||
		ls -l "/proc/$1/fd" 2>/dev/null | grep -qF -- "-> $T/#"
}

# A session whose final screen takes a while to render.
python3 -c '
import json
print(json.dumps({"version": 2, "width": 80, "height": 24}))
for i in range(20000):
    print(json.dumps([i * 0.01, "o", "line of text \u001b[1mbold\u001b[0m\r\n" * 50]))
' > big.cast || skip "needs python3"

for f in text cast; do
	echo precious > "out.$f"
	"$AGENTRUN" export -f "$f" big.cast -o "out.$f" 2>"err.$f" &
	pid=$!
	for _ in $(seq 500); do
		writing "$pid" "out.$f" && break
		sleep 0.01
	done
	kill -STOP "$pid"
	if ! writing "$pid" "out.$f"; then
		kill -CONT "$pid"
		wait "$pid"
		skip "the export of -f $f ended before it could be stopped"
	fi
	kill -TERM "$pid"
	kill -CONT "$pid"
	wait "$pid"
	rc=$?
	assert_eq 143 "$rc" "-f $f: the status of a TERM"
	ls out."$f".tmp.* >/dev/null 2>&1 && fail "-f $f: the temporary file was left: $(ls out."$f".tmp.*)"
	assert_eq precious "$(cat "out.$f")" "-f $f: FILE is left as it was"
	assert_eq "" "$(cat "err.$f")" "-f $f: nothing said"
done

# An ignored signal stays ignored (nohup, a background job's INT).
( trap '' TERM; exec "$AGENTRUN" export -f text big.cast -o ign.txt ) &
pid=$!
for _ in $(seq 500); do
	writing "$pid" ign.txt && break
	sleep 0.01
done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
assert_eq 0 "$?" "an ignored TERM"
"$AGENTRUN" text big.cast > want.txt
cmp -s want.txt ign.txt || fail "the export with TERM ignored is not the screen"
exit 0
