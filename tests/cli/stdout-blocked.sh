#!/usr/bin/env bash
# A standard output whose reader has stopped reading (a pipe into a
# program that waits, a terminal whose emulator or ssh link is stuck):
# TERM and HUP still end agentrun, within a second or so of giving up the
# output, with the command ended and the recording whole. An INT to a
# command that goes on does not give the output up. (agentrun sat in the
# blocked write and heard no signal until the reader took the data: a
# `timeout 2 agentrun run -- yes | sleep 8` ended after 8 s.)
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p"
cd "$T/p" || exit 1

# wait_gone PID SECONDS: 0 if the process has ended within that time.
wait_gone() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# 1. A pipe whose reader never reads. The TERM goes to the command, whose
# end is recorded; agentrun does not wait for the reader.
mkfifo "$T/fifo"
sleep 60 < "$T/fifo" &
reader=$!
"$AGENTRUN" -q --backend local run -- yes </dev/null >"$T/fifo" 2>"$T/err" &
pid=$!
sleep 1.5
kill -0 "$pid" 2>/dev/null || fail "pipe: agentrun ended by itself: $(cat "$T/err")"
kill -TERM "$pid"
wait_gone "$pid" 10 || { kill -9 "$pid" "$reader"; fail "pipe: agentrun still waits for the reader 10 s after a TERM"; }
wait "$pid"
assert_eq 143 "$?" "pipe: status (the command ended by the TERM)"
kill "$reader" 2>/dev/null
ar show latest
assert_contains finished "$OUT" "pipe: state"
assert_match "*exit status:*143*" "$OUT" "pipe: exit status"
ar cat latest
assert_eq 0 "$RC" "pipe: cat: $ERR"
assert_contains "y" "${OUT:0:10}" "pipe: the output is recorded"

# 2. A terminal nobody reads (its master held, never read): TERM, then HUP.
# stuck.py runs agentrun there, prints its pid, waits for it and prints
# its status.
cat > "$T/stuck.py" <<'EOF'
import os, pty, sys
m, s = pty.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(s, 1)
    os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644), 2)
    os.execvp(sys.argv[2], sys.argv[2:])
print(pid, flush=True)
_, st = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(st), flush=True)
EOF
for sig in TERM HUP; do
	python3 "$T/stuck.py" "$T/err" "$AGENTRUN" -q --backend local run -- yes \
	    > "$T/pid" &
	holder=$!
	sleep 1.5
	pid=$(head -n 1 "$T/pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null ||
		fail "tty $sig: agentrun did not start: $(cat "$T/err")"
	kill -"$sig" "$pid"
	wait_gone "$holder" 10 || { kill -9 "$pid" "$holder"; fail "tty $sig: agentrun still blocked 10 s after the signal"; }
	wait "$holder"
	assert_eq $((128 + $(kill -l "$sig"))) "$(sed -n 2p "$T/pid")" \
	    "tty $sig: status"
	ar show latest
	assert_contains finished "$OUT" "tty $sig: state"
	assert_match "*exit status:*$((128 + $(kill -l "$sig")))*" "$OUT" \
	    "tty $sig: exit status"
done

# 3. An INT to a command that ignores it, with a reader that is slow: the
# output is still all written (a pager is not given up on).
n=2000000
"$AGENTRUN" -q --backend local run -- sh -c \
    "trap '' INT; head -c $n /dev/zero | tr '\\0' x; echo; echo END" \
    </dev/null 2>"$T/err" | { sleep 3; cat > "$T/out"; } &
sleep 1
pkill -INT -f "^$AGENTRUN -q --backend local run -- sh -c trap" ||
	fail "INT: no agentrun to signal"
wait
assert_contains END "$(tail -c 10 "$T/out")" "INT: the output's end reached stdout"
[ "$(wc -c < "$T/out")" -gt "$n" ] || fail "INT: stdout got $(wc -c < "$T/out") bytes"
exit 0
