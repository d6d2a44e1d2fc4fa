#!/usr/bin/env bash
# agentrun replay in tmux: pause, step, seek back and forward (an arrow
# key cut in two by the reads too), jumps, markers, speed, help, quit.
# After every seek the screen is exactly what
# 'agentrun text --at' gives for that time; the terminal's modes (stty -g)
# are the same before and after; the recorded queries never reach it.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

# 30 seconds, one screen a second (80x20: no cropping in 80x24), two
# markers, queries that a real terminal would answer.
{
	echo '{"version": 2, "width": 80, "height": 20}'
	for k in $(seq 0 29); do
		printf '[%d.0, "o", "\\u001b[H\\u001b[2Jscreen %d\\r\\n\\u001b[1;3%dmcolour line %d\\u001b[0m\\r\\nwide 中文 %d\\u001b[6n\\u001b[c\\u001b]11;?\\u0007"]\n' \
			"$k" "$k" $((k % 8)) "$k" "$k"
		printf '[%d.5, "o", "\\u001b[10;5Hhalf past %d"]\n' "$k" "$k"
		[ "$k" = 10 ] && echo '[10.7, "m", "ten"]'
		[ "$k" = 20 ] && echo '[20.7, "m", "twenty ✓ café 中文\u001b[2J"]'
	done
	echo '[30.0, "o", "\u001b[H\u001b[2Jscreen 30\u001b[20;1Hthe end"]'
} > rec.cast
ar import rec.cast
id=$OUT

cat > wrap.sh <<WRAP
stty -g > "$T/before"
"$AGENTRUN" replay "$id"
echo "STATUS=\$?" > "$T/status"
stty -g > "$T/after"
stty -icanon min 0 time 5
dd bs=1 count=200 2>/dev/null | od -c | sed -n 1p > "$T/leftover"
echo WRAPDONE
sleep 60
WRAP

status() { tm_capture | tail -n 1; }
now() { status | awk '{print $1}'; }
screen() {	# the pane above the status line, as text prints it
	tm_capture | sed '$d' | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
secs() {	# M:SS.s -> seconds
	echo "$1" | awk -F: '{printf "%.1f", $1 * 60 + $2}'
}
expect_at() {	# time: the screen shows that moment, the status says so
	local want
	want=$("$AGENTRUN" text "$id" --at "$1")
	for _ in $(seq 50); do
		[ "$(secs "$(now)")" = "$1" ] && [ "$(screen)" = "$want" ] && return 0
		sleep 0.1
	done
	echo "--- want ($1):"; echo "$want"; echo "--- pane:"; tm_capture
	fail "screen at $1"
}
key() { tm send-keys -t t "$@"; sleep 0.2; }

tm_start 80 24 bash wrap.sh
tm pipe-pane -t t -o "cat >> $T/pane.raw"
tm_wait "screen 0"
tm_wait "playing"
key Space
tm_wait "paused"
t1=$(now)
sleep 1.2
assert_eq "$t1" "$(now)" "paused: the clock stands"

key 0
expect_at 0.0
key Right
expect_at 5.0
key Right
expect_at 10.0
key Left
expect_at 5.0			# back
key .
expect_at 5.5			# one step: the next event
key .
expect_at 6.0
key 5
expect_at 15.0
# An arrow key cut in two by the reads (a slow link): still an arrow, not
# the [ of "previous marker" and a stray letter.
tm send-keys -t t Escape; sleep 0.05; tm send-keys -t t -l '[C'
expect_at 20.0
tm send-keys -t t Escape '['; sleep 0.05; tm send-keys -t t -l 'D'
expect_at 15.0
key 9
expect_at 27.0
key Left Left Left Left
expect_at 7.0			# four back
key ]
expect_at 10.7			# next marker
tm_wait "marker ten"
key ]
expect_at 20.7
# A label keeps its UTF-8; a control character in it shows as '?'.
tm_wait "marker twenty ✓ café 中文?[2J"
key [
expect_at 10.7			# previous marker
key +
tm_wait " 2x "
key - -
tm_wait " 0.5x "
key +
tm_wait " 1x "
key ?
tm_wait "any key closes"
key x
sleep 0.3
assert_not_contains "any key closes" "$(tm_capture)" "help closed"
expect_at 10.7			# the key only closed the help
# A message leaves the status line after its two seconds, paused too.
key ]
tm_wait "marker"
sleep 2.5
assert_not_contains "marker" "$(tm_capture | tail -1)" "the message went away while paused"
key [
expect_at 10.7

# Playing again: time moves; at speed 4 it reaches the end and stays.
key Space
tm_wait "playing"
sleep 1.2
[ "$(secs "$(now)")" != 10.7 ] || fail "the clock does not move when playing"
# Playing on from a marker, [ soon after goes to the one before it (the
# clock has moved past the marker it jumped to); later, to that one.
key ]
tm_wait "marker twenty"
sleep 0.3
key [
tm_wait "marker ten"
t=$(secs "$(now)")
case $t in 10.*|11.*) ;; *) fail "[ while playing went to $t" ;; esac
sleep 2.2
key [
tm_wait "marker ten"
t=$(secs "$(now)")
case $t in 10.*) ;; *) fail "[ after a while went to $t" ;; esac
key + +
tm_wait " 4x "
tm_wait "the end" 15
tm_wait " end " 5
assert_contains "the end" "$(screen)"
assert_eq "$("$AGENTRUN" text "$id")" "$(screen)" "the last screen"

# Ctrl-C quits with the help open too (other keys only close it).
key ?
tm_wait "any key closes"
key C-c
tm_wait WRAPDONE
assert_eq STATUS=0 "$(cat status)"
cmp -s before after || fail "stty -g differs after replay"
# Nothing reached the shell: no answers to the recorded queries.
assert_eq "0000000" "$(cat leftover)" "leftover input (od of nothing)"
# And the queries themselves never went to the terminal.
raw=$(cat pane.raw)
assert_contains "screen 3" "$raw" "the pane output was captured"
case $raw in
*$'\e[6n'* | *$'\e[c'* | *$'\e]11;?'*) fail "a recorded query reached the terminal" ;;
esac
assert_contains $'\e[?1049l' "$raw" "left the alternate screen"
exit 0
