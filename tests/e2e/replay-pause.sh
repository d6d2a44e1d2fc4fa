#!/usr/bin/env bash
# agentrun replay paused while it plays fast: the screen is the one of the
# time the status line shows (what 'agentrun text --at' gives), and one
# step shows the next event, not two (was: the events due since the last
# advance were left out, so at 64x the paused screen was often a frame
# behind its clock and the step after it jumped two frames).
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

# A frame every 0.1 s for 2000 s (31 s at 64x): a frame's number is its
# time in tenths, which the status line shows exactly.
awk 'BEGIN {
	print "{\"version\": 2, \"width\": 40, \"height\": 5}"
	for (k = 0; k <= 20000; k++)
		printf "[%d.%d, \"o\", \"\\u001b[H\\u001b[2Jframe %d\"]\n", k / 10, k % 10, k
}' > dense.cast

tenths() {	# M:SS.s -> tenths of a second
	echo "$1" | awk -F: '{ printf "%d", ($1 * 60 + $2) * 10 + 0.5 }'
}
shown() {	# [not]: "TENTHS FRAME" once the status says paused (at
		# another time than not)
	local cap
	for _ in $(seq 40); do
		cap=$(tm_capture)
		case $(echo "$cap" | tail -n 1) in
		*paused*)
			[ "$(tenths "$(echo "$cap" | tail -n 1 | awk '{print $1}')")" = "${1:-}" ] &&
			    { sleep 0.05; continue; }
			echo "$(tenths "$(echo "$cap" | tail -n 1 | awk '{print $1}')")" \
			    "$(echo "$cap" | head -n 1 | awk '{print $2}')"
			return 0 ;;
		esac
		sleep 0.05
	done
	fail "not paused: $(tm_capture)"
}

tm_start 80 24 sh -c "'$AGENTRUN' replay --speed 64 ./dense.cast; echo STATUS=\$?; sleep 60"
tm_wait "frame"
for n in $(seq 15); do
	tm send-keys -t t Space
	sleep 0.2
	read -r t f <<<"$(shown)"
	assert_eq "$t" "$f" "pause $n: the frame of the time shown"
	tm send-keys -t t .
	sleep 0.2
	read -r t2 f2 <<<"$(shown "$t")"
	assert_eq "$((t + 1)) $((f + 1))" "$t2 $f2" "pause $n: one step, one frame"
	tm send-keys -t t Space
	sleep 0.15
done
tm send-keys -t t q
tm_wait "STATUS=0"
exit 0
