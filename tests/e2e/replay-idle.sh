#!/usr/bin/env bash
# agentrun replay in tmux with an idle limit, and at the edges of time:
# the seek keys step through what is played, so a step back out of a
# shortened pause lands before it and every screen is what 'text --at'
# gives for the time shown; a step forward at the end of a recording as
# long as time can be stays at the end; a gap too long for the clock at a
# low speed neither spins nor overflows (SANITIZE=1 checks the conversion);
# with standard input not a terminal, a fatal signal still takes the
# terminal out of the alternate screen.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

status() { tm_capture | tail -n 1; }
now() { status | awk '{print $1}'; }
screen() {	# the pane above the status line, as text prints it
	tm_capture | sed '$d' | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
secs() {	# [H:]M:SS.s -> seconds
	echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }'
}
key() { tm send-keys -t t "$@"; sleep 0.3; }
# The screen is what text gives for the time the status shows.
consistent() {	# what
	local t want
	t=$(secs "$(now)")
	want=$("$AGENTRUN" text ./idle.cast --at "$t")
	assert_eq "$want" "$(screen)" "$1 (at $t)"
}

# Pauses of 59.5 s and 29 s play as 2 s (the header's idle limit).
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "idle_time_limit": 2}' \
	'[0.5, "o", "A"]' '[60, "o", "B"]' '[61, "o", "C"]' '[90, "o", "D"]' >idle.cast
tm_start 80 24 sh -c "'$AGENTRUN' replay ./idle.cast; echo STATUS=\$?; sleep 60"
tm_wait "playing"
tm_wait "AB" 10
key Space
tm_wait "paused"
consistent "paused after the pause"
# Back 5 s of playing from just after the cut pause: before it (was: the
# recorded time 5 s back is inside the pause, whose end played at once).
key Left
assert_eq "0:00.0" "$(now)" "back out of a shortened pause"
consistent "after Left"
key Right
consistent "after Right"
for k in 1 3 5 7 9; do
	key "$k"
	consistent "after $k"
done
key 5
assert_eq "1:00.2" "$(now)" "5 is half of what plays (5.5 s), not of 90 s"
key q
tm_wait "STATUS=0"

# An end near what the clock can hold: ] then Right stays at the end (was:
# the step overflowed and went back to the start).
{
	echo '{"version": 3, "term": {"cols": 40, "rows": 5}}'
	for c in a b c d e f g h i; do
		printf '[1000000000000.0, "o", "%s"]\n' "$c"
	done
	echo '[223372036854.7, "m", "near the end"]'
	echo '[0.0, "o", "Z"]'
} >huge.cast
tm_start 80 24 sh -c "'$AGENTRUN' replay ./huge.cast; echo STATUS=\$?; sleep 60"
tm_wait "playing"
key Space
tm_wait "paused"
key ]
tm_wait "near the end"
key Right
tm_wait " end "
assert_contains "abcdefghiZ" "$(screen)" "Right at the end stays there"
key Right
assert_contains " end " "$(status)" "and again"
key q
tm_wait "STATUS=0"

# A gap of 31,700 years at 1/16 speed: the wait is cut to the clock's
# tick, not converted out of range (a 0 timeout made it spin).
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.1, "o", "start"]' \
	'[999999999999, "o", "far"]' >gap.cast
tm_start 80 24 sh -c "'$AGENTRUN' replay --speed 0.0625 ./gap.cast; echo STATUS=\$?; sleep 60"
tm_wait "start"
sleep 1
pid=$(pgrep -f "^$AGENTRUN replay --speed 0.0625 ./gap.cast" | head -n 1)
[ -n "$pid" ] || fail "replay ended: $(tm_capture)"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
c0=$(ticks "$pid"); sleep 2; c1=$(ticks "$pid")
# 2 s of a spinning loop is ~200 ticks; an idle one, a few.
[ $((c1 - c0)) -lt 50 ] || fail "replay spins while it waits: $((c1 - c0)) ticks in 2 s"
key q
tm_wait "STATUS=0"

# No keys (stdin is not a terminal), killed by a signal whose default
# action ends it: the alternate screen is left all the same.
tm_start 80 24 sh -c "'$AGENTRUN' replay ./gap.cast </dev/null; echo STATUS=\$?; sleep 60"
tm_wait "start"
assert_eq 1 "$(tm display -p -t t '#{alternate_on}')" "replay draws on the alternate screen"
pid=$(pgrep -f "^$AGENTRUN replay ./gap.cast" | head -n 1)
[ -n "$pid" ] || fail "no replay"
kill -USR1 "$pid"
tm_wait "STATUS=138"
assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "the alternate screen was left"
exit 0
