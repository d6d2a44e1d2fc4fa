#!/usr/bin/env bash
# agentrun replay's layout: a recording larger than the terminal is cropped
# with a note; a smaller one is drawn at the top left; resize events are
# applied at their time; the user's own resize redraws; a damaged file
# plays to the damage and says so; Ctrl-C and SIGTERM restore the
# terminal like q.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

cat > wrap.sh <<WRAP
stty -g > "$T/before"
"\$@"
echo "STATUS=\$?" > "$T/status"
stty -g > "$T/after"
echo WRAPDONE
sleep 60
WRAP
finish() {	# keys...: quit, then the terminal must be as it was
	tm send-keys -t t "$@"
	tm_wait WRAPDONE
	assert_eq STATUS=0 "$(cat status)"
	cmp -s before after || fail "stty -g differs"
	tm kill-server
}

# Larger than the terminal: cropped, with a note.
{
	echo '{"version": 2, "width": 120, "height": 40}'
	printf '[0.1, "o", "top left%110s|right edge\\r\\n"]\n' ""
	echo '[0.2, "o", "\u001b[40;1Hbottom row"]'
	echo '[60.0, "o", "x"]'
} > big.cast
tm_start 80 24 bash wrap.sh "$AGENTRUN" replay big.cast
tm_wait "top left"
tm_wait "cropped: 120x40 on 80x23"
assert_not_contains "right edge" "$(tm_capture)"
# The rows shown follow the cursor: once it is on the bottom row, the
# bottom rows are shown and the top ones are out of view.
tm_wait "bottom row"
assert_eq "bottom row" "$(tm capture-pane -p -t t | sed -n 23p)" "the cursor's row, last"
assert_not_contains "top left" "$(tm capture-pane -p -t t)"
finish q

# At the recording's own size the status line takes a row: the one with
# the cursor (a prompt) stays in view.
{
	echo '{"version": 2, "width": 60, "height": 10}'
	printf '[0.1, "o", "%s"]\n' "$(for i in $(seq 1 12); do printf 'line %d\\r\\n' "$i"; done)PROMPT-ROW"
	echo '[60.0, "o", "x"]'
} > same.cast
tm_start 60 10 bash wrap.sh "$AGENTRUN" replay same.cast
tm_wait "PROMPT-ROW"
assert_eq "PROMPT-ROW" "$(tm capture-pane -p -t t | sed -n 9p)" "the prompt row above the status line"
finish q

# Smaller: at the top left, the rest blank; then a recorded resize.
{
	echo '{"version": 2, "width": 30, "height": 5}'
	echo '[0.1, "o", "small one\r\nsecond"]'
	echo '[1.5, "r", "100x30"]'
	echo '[1.6, "o", "\u001b[30;1Hnow at row 30"]'
	echo '[60.0, "o", "x"]'
} > small.cast
tm_start 80 24 bash wrap.sh "$AGENTRUN" replay small.cast
tm_wait "small one"
assert_eq "small one" "$(tm_capture | head -n 1 | sed 's/ *$//')"
assert_eq "second" "$(tm_capture | sed -n 2p | sed 's/ *$//')"
assert_not_contains "cropped" "$(tm_capture)"
tm_wait "cropped: 100x30 on 80x23" 5	# the resize, at 1.5 s
assert_not_contains "now at row 30" "$(tm_capture)"
# The user makes the terminal bigger: all of it shows, no note.
tm resize-window -t t -x 110 -y 40
tm_wait "now at row 30"
sleep 0.3
assert_not_contains "cropped" "$(tm_capture)"
finish C-c			# Ctrl-C quits too

# A damaged file plays to the damage, then says so; SIGTERM restores.
{
	echo '{"version": 2, "width": 40, "height": 5}'
	echo '[0.1, "o", "before the damage"]'
	echo '{{{ garbage'
	echo '[0.3, "o", "never shown"]'
} > bad.cast
tm_start 80 24 bash wrap.sh "$AGENTRUN" replay "$T/bad.cast"
tm_wait "before the damage"
tm_wait "damaged file"
tm_wait " end "
assert_not_contains "never shown" "$(tm_capture)"
pid=$(pgrep -n -f "replay $T/bad.cast") || fail "no replay process"
kill -TERM "$pid"
tm_wait WRAPDONE
assert_eq STATUS=143 "$(cat status)" "killed by SIGTERM: 128+15"
cmp -s before after || fail "stty -g differs after SIGTERM"
tm kill-server

# Quit with q at the end of a damaged file: the damage is an error.
tm_start 80 24 bash wrap.sh "$AGENTRUN" replay "$T/bad.cast"
tm_wait "damaged file"
tm send-keys -t t q
tm_wait WRAPDONE
assert_eq STATUS=1 "$(cat status)" "damage other than a cut is an error"
tm kill-server

# A session still being recorded plays what is written so far, and says
# so rather than calling the file damaged.
tm_start 80 24 "$AGENTRUN" -q --backend local run -- sh -c 'echo LIVE-OUTPUT; sleep 30'
tm_wait LIVE-OUTPUT
sleep 1.2	# flushed at least once a second
sock=$TMUX_SOCK
tm_start 140 30 bash wrap.sh "$AGENTRUN" replay latest
tm_wait LIVE-OUTPUT
tm_wait "still recording: played what is written so far"
assert_not_contains "damaged" "$(tm_capture)"
tm send-keys -t t q
tm_wait WRAPDONE
assert_eq STATUS=0 "$(cat status)" "a live session is no error"
tm kill-server

# The same session after its recorder was killed (interrupted): its cut
# end is said as such, not as damage.
pid=$(pgrep -n -f "run -- sh -c echo LIVE-OUTPUT") || fail "no recorder"
kill -KILL "$pid"
sleep 0.3
tm_start 140 30 bash wrap.sh "$AGENTRUN" replay latest
tm_wait LIVE-OUTPUT
tm_wait "interrupted: played what was written"
assert_not_contains "damaged" "$(tm_capture)"
tm send-keys -t t q
tm_wait WRAPDONE
assert_eq STATUS=0 "$(cat status)" "an interrupted session is no error"
tm kill-server
tmux -S "$sock" kill-server
exit 0
