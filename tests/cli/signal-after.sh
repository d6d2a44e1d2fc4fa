#!/usr/bin/env bash
# A hangup or TERM that comes after the command has ended, while agentrun
# still looks at git and writes the end of the recording, waits for that
# to be done, then ends agentrun: the transcript keeps the command's last
# output and its exit event, and the sidecar says finished. (It killed
# agentrun at once: the last second of output was lost, and the session
# showed as interrupted.)
. "$(dirname "$0")/../lib/common.sh"
need git
mkdir -p "$T/p" "$T/bin"
cd "$T/p" || exit 1
git init -q . || skip "git init failed"
# A git that is slow once the command has run (the marker).
realgit=$(command -v git)
cat > "$T/bin/git" <<EOS
#!/bin/sh
[ -e "$T/marker" ] && { touch "$T/slow"; sleep 3; }
exec "$realgit" "\$@"
EOS
chmod +x "$T/bin/git"

for sig in HUP TERM; do
	rm -f "$T/marker" "$T/slow"
	PATH=$T/bin:$PATH "$AGENTRUN" -q --backend local run -- sh -c \
	    "echo FIRST; sleep 1.5; printf 'LAST-$sig\\n'; touch '$T/marker'" \
	    >/dev/null 2>"$T/err" </dev/null &
	pid=$!
	i=0
	while [ ! -e "$T/slow" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$T/slow" ] || fail "$sig: git was not run after the command"
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	assert_eq $((128 + $(kill -l "$sig"))) "$rc" "$sig: ends agentrun after"
	ar cat latest
	assert_eq 0 "$RC" "$sig: cat: $ERR"
	assert_contains "LAST-$sig" "$OUT" "$sig: the last output is recorded"
	ar show latest
	assert_contains "finished" "$OUT" "$sig: state"
	assert_match "*exit status:*0*" "$OUT" "$sig: exit status"
done

# The same while agentrun still drains output after the command ended (a
# background job it left writes on for two seconds): the signal was taken
# when the signal mask came back (the sidecar was never written) or, on
# the portable signal path, lost with the pipe (agentrun exited 0). The
# job ignores the hangup the kernel sends when the shell ends.
for sig in HUP TERM; do
	rm -f "$T/ended"
	"$AGENTRUN" -q --backend local run -- sh -c \
	    "(trap '' HUP; i=0; while [ \$i -lt 100 ]; do echo tick; sleep 0.02; i=\$((i + 1)); done) &
	     echo FIRST-$sig; touch '$T/ended'" \
	    >/dev/null 2>"$T/err" </dev/null &
	pid=$!
	i=0
	while [ ! -e "$T/ended" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$T/ended" ] || fail "$sig: the command did not run"
	sleep 0.3
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	assert_eq $((128 + $(kill -l "$sig"))) "$rc" "$sig in the drain: ends agentrun after"
	ar cat latest
	assert_contains "FIRST-$sig" "$OUT" "$sig in the drain: output recorded"
	ar show latest
	assert_contains "finished" "$OUT" "$sig in the drain: state"
	assert_match "*exit status:*0*" "$OUT" "$sig in the drain: exit status"
done

# A window resize during the drain is not its end: on the portable signal
# path the resize interrupted the wait for output, and the drain stopped
# there, losing what the background job wrote after it.
rm -f "$T/ended"
"$AGENTRUN" -q --backend local run -- sh -c \
    "(trap '' HUP; i=0; while [ \$i -lt 50 ]; do echo tick; sleep 0.02; i=\$((i + 1)); done; echo TICK-END) &
     echo FIRST-WINCH; touch '$T/ended'" \
    >/dev/null 2>"$T/err" </dev/null &
pid=$!
i=0
while [ ! -e "$T/ended" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -e "$T/ended" ] || fail "WINCH: the command did not run"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
	kill -WINCH "$pid" 2>/dev/null
	sleep 0.05
	i=$((i + 1))
done
wait "$pid"
assert_eq 0 "$?" "WINCH in the drain: exit status"
ar cat latest
assert_contains "FIRST-WINCH" "$OUT" "WINCH in the drain: output before"
assert_contains "TICK-END" "$OUT" "WINCH in the drain: output after the resizes"
exit 0
