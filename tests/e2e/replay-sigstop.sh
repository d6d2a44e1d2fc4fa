#!/usr/bin/env bash
# agentrun replay stopped by SIGSTOP (which it cannot see) and continued:
# it plays on from where it was, as after a pause, instead of jumping
# ahead by the time it was stopped.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

secs() {	# M:SS.s -> tenths
	echo "$1" | awk -F: '{ printf "%d", ($1 * 60 + $2) * 10 + 0.5 }'
}
now() { tm_capture | tail -n 1 | awk '{print $1}'; }

{
	echo '{"version": 2, "width": 40, "height": 5}'
	for k in $(seq 0 600); do printf '[%d.0, "o", "\\r\\nframe %d"]\n' "$k" "$k"; done
} > long.cast
tm_start 80 20 sh -c "'$AGENTRUN' replay --speed 4 ./long.cast; echo STATUS=\$?; sleep 60"
tm_wait "frame 2"
pid=$(pgrep -f "^$AGENTRUN replay --speed 4 ./long.cast" | head -n 1)
[ -n "$pid" ] || fail "no replay process"
kill -STOP "$pid"
for _ in $(seq 100); do
	[ "$(awk '{print $3}' "/proc/$pid/stat")" = T ] && break
	sleep 0.05
done
sleep 0.3
before=$(secs "$(now)")
# Stopped for 5 s (20 s of the recording at 4x), with a space typed
# meanwhile: it pauses as soon as it goes on, at where it was.
sleep 4
tm send-keys -t t Space
sleep 1
kill -CONT "$pid"
for _ in $(seq 200); do
	case $(tm_capture | tail -n 1) in *paused*) break ;; esac
	sleep 0.05
done
assert_contains "paused" "$(tm_capture | tail -n 1)" "the status line"
after=$(secs "$(now)")
[ "$after" -ge "$before" ] || fail "went back: $before -> $after (tenths)"
[ $((after - before)) -lt 50 ] ||
	fail "jumped ahead by the stopped time: $before -> $after (tenths)"
tm send-keys -t t q
tm_wait "STATUS=0"
exit 0
