#!/usr/bin/env bash
# A hangup or interrupt that agentrun's starter ignores (nohup, a shell's
# background job) is ignored by agentrun and its command, as without it:
# 'nohup agentrun run -- job &' survives the logout. agentrun took them
# anyway, passed them on, and three seconds later ended the command with
# SIGTERM (143). One that is not ignored still ends the command.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# started: wait until the command has written its first line, so the
# signal comes while it runs (not before agentrun set up its signals).
started() {
	local i
	for i in $(seq 200); do
		grep -q started "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "the command did not start: $(cat "$1")"
}

for sig in HUP INT QUIT TERM; do
	rm -f "$T/out"
	(trap '' "$sig"; exec "$AGENTRUN" -q --backend local run -- sh -c \
	    'echo started; sleep 2; echo survived') </dev/null >"$T/out" 2>&1 &
	pid=$!
	started "$T/out"
	kill -"$sig" "$pid"
	wait "$pid"
	assert_eq 0 "$?" "$sig ignored by agentrun's starter: status"
	assert_contains survived "$(cat "$T/out")" "$sig ignored: the command's output"
	zstd -dcq "$(latest_cast)" | tail -n 1 | grep -qF '"x", "0"]' ||
		fail "$sig ignored: exit event: $(zstd -dcq "$(latest_cast)" | tail -n 1)"
done

# nohup itself, as a user would: the output goes on into its file.
(exec nohup "$AGENTRUN" -q --backend local run -- sh -c \
    'echo started; sleep 2; echo survived' </dev/null >"$T/out" 2>&1) &
pid=$!
started "$T/out"
kill -HUP "$pid"
wait "$pid"
assert_eq 0 "$?" "nohup agentrun: status after a hangup"
assert_contains survived "$(cat "$T/out")" "nohup agentrun: the output after a hangup"

# Not ignored: still passed on, the command dies of it.
rm -f "$T/out"
"$AGENTRUN" -q --backend local run -- sh -c 'echo started; sleep 10' \
    </dev/null >"$T/out" 2>&1 &
pid=$!
started "$T/out"
kill -HUP "$pid"
wait "$pid"
assert_eq 129 "$?" "a hangup not ignored"
exit 0
