#!/usr/bin/env bash
# agentrun replay's help (?) in a short terminal: it is cut above the
# status line, which stays in view (was: its last line covered the status
# line).
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1
{
	echo '{"version": 2, "width": 40, "height": 5}'
	for k in $(seq 0 60); do printf '[%d.0, "o", "\\r\\nframe %d"]\n' "$k" "$k"; done
} > long.cast
tm_start 60 10 sh -c "'$AGENTRUN' replay ./long.cast; echo STATUS=\$?; sleep 60"
tm_wait "playing"
tm send-keys -t t Space
tm_wait "paused"
tm send-keys -t t '?'
tm_wait "agentrun replay: keys"
sleep 0.3
last=$(tm_capture | tail -n 1)
assert_contains "paused" "$last" "the status line under the help"
assert_contains "? help" "$last" "the status line under the help"
assert_eq 10 "$(tm_capture | wc -l)" "rows"
tm send-keys -t t x
sleep 0.3
assert_not_contains "agentrun replay: keys" "$(tm_capture)" "the help closed"
tm send-keys -t t q
tm_wait "STATUS=0"
exit 0
