#!/usr/bin/env bash
# agentrun replay: the letters L and H are no seek keys (the arrows were
# read into them, so a capital L typed seeked 5 seconds forward and H 5
# back); the arrows still seek. Escape alone is a key, so it closes the
# help (it was kept waiting for the rest of an arrow, then dropped).
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

status() { tm_capture | tail -n 1; }
now() { status | awk '{print $1}'; }
tenths() { echo "$1" | awk -F: '{ printf "%d", ($1 * 60 + $2) * 10 + 0.5 }'; }
{
	echo '{"version": 2, "width": 40, "height": 5}'
	for k in $(seq 0 60); do printf '[%d.0, "o", "\\r\\nframe %d"]\n' "$k" "$k"; done
} > long.cast
tm_start 80 20 sh -c "'$AGENTRUN' replay ./long.cast; echo STATUS=\$?; sleep 60"
tm_wait "frame 1"
tm send-keys -t t Space
tm_wait "paused"
t0=$(now)
# The help shows once the keys before it are read.
tm send-keys -t t L H L '?'
tm_wait "this help"
assert_eq "$t0" "$(now)" "L and H do not seek"
tm send-keys -t t x
sleep 0.3
tm send-keys -t t Right
for _ in $(seq 100); do [ "$(now)" != "$t0" ] && break; sleep 0.05; done
assert_eq $(($(tenths "$t0") + 50)) "$(tenths "$(now)")" "Right seeks 5 s on from $t0"
tm send-keys -t t '?'
tm_wait "this help"
tm send-keys -t t Escape
for _ in $(seq 200); do
	tm_capture | grep -qF "this help" || break
	sleep 0.05
done
assert_not_contains "this help" "$(tm_capture)" "the help after Escape"
tm send-keys -t t q
tm_wait "STATUS=0"
exit 0
