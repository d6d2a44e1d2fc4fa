#!/usr/bin/env bash
# agentrun replay with an idle limit, started with --at inside the part of
# a pause the limit cuts: it shows that time and its screen (what 'text
# --at' gives), then plays the rest of the pause, capped (was: it started
# at the pause's end, status and screen, as if --at had named that); a
# pause and resume there go on from the time shown. An idle limit under a
# microsecond is the least limit there is, not none (was: 0.0000001 was
# rounded to 0 and every pause played in full).
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

status() { tm_capture | tail -n 1; }
now() { status | awk '{print $1}'; }
screen() { tm_capture | sed '$d' | sed -e 's/ *$//' | sed -e '/^$/d'; }
wait_status() {	# text: until the status line has it
	for _ in $(seq 200); do
		case $(status) in *"$1"*) return 0 ;; esac
		sleep 0.05
	done
	fail "status lacks [$1]: $(status)"
}

# A pause of 59.5 s that plays as 2 s (the header's idle limit).
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "idle_time_limit": 2}' \
	'[0.5, "o", "A"]' '[60, "o", "B"]' '[61, "o", "C"]' >idle.cast

# At 1/16 speed the 2 s left of the pause take 32 s: time to look.
tm_start 80 24 sh -c "'$AGENTRUN' replay --speed 0.0625 --at 30 ./idle.cast; echo STATUS=\$?; sleep 60"
tm_wait "playing"
sleep 0.5
assert_match "0:30.*" "$(now)" "the time --at names"
assert_eq "$("$AGENTRUN" text ./idle.cast --at 30)" "$(screen)" "the screen of --at 30"
tm send-keys -t t Space
wait_status paused
assert_match "0:30.*" "$(now)" "paused where it started"
tm send-keys -t t Space
wait_status playing
sleep 0.5
assert_match "0:30.*" "$(now)" "resumed where it was paused"
assert_eq "A" "$(screen)" "still the pause"
# Faster: the rest of the pause is at most the limit, then B and C.
tm send-keys -t t + + + + + +
wait_status " end "
assert_eq "ABC" "$(screen)" "played on to the end"
tm send-keys -t t q
tm_wait "STATUS=0"

# A pause of 1000 s under a limit of 0.1 us plays at once.
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' \
	'[0.1, "o", "start"]' '[1000, "o", "END"]' >long.cast
tm_start 80 24 sh -c "'$AGENTRUN' replay --idle-limit 0.0000001 ./long.cast; echo STATUS=\$?; sleep 60"
tm_wait "END" 20
wait_status " end "
tm send-keys -t t q
tm_wait "STATUS=0"
# A header's limit under a microsecond too.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "idle_time_limit": 1e-9}' \
	'[0.1, "o", "start"]' '[1000, "o", "END"]' >hlong.cast
tm_start 80 24 sh -c "'$AGENTRUN' replay ./hlong.cast; echo STATUS=\$?; sleep 60"
tm_wait "END" 20
tm send-keys -t t q
tm_wait "STATUS=0"
# 0 in any spelling is still no limit.
for z in 0 0.0 0:00 0s; do
	tm_start 80 24 sh -c "'$AGENTRUN' replay --idle-limit $z ./idle.cast; echo STATUS=\$?; sleep 60"
	tm_wait "playing"
	tm_wait "A"
	sleep 2.5
	assert_eq "A" "$(screen)" "--idle-limit $z: the pause in full"
	tm send-keys -t t q
	tm_wait "STATUS=0"
done
exit 0
