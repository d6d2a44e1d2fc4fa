#!/usr/bin/env bash
# agentrun replay stopped by Ctrl-Z and then killed from the shell
# ('kill %1' sends TERM, then CONT): it ends there, with status 143, and
# the shell's screen and modes are left alone (was: continued in the
# background it went back on the screen, the terminal stopped it again
# for that, and the TERM never acted).
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1
{
	echo '{"version": 2, "width": 40, "height": 5}'
	for k in $(seq 0 60); do printf '[%d.0, "o", "\\r\\nframe %d"]\n' "$k" "$k"; done
} > long.cast
tm_start 80 20 env PS1='PROMPT$ ' HISTFILE=/dev/null bash --norc --noprofile -i
tm_wait 'PROMPT$'
tm send-keys -t t "stty -g > $T/s1; echo saved-modes" Enter
tm_wait "saved-modes"
tm send-keys -t t "$AGENTRUN replay $T/long.cast" Enter
tm_wait "frame 1"
pid=$(pgrep -f "^$AGENTRUN replay $T/long.cast" | head -n 1)
[ -n "$pid" ] || fail "no replay process"
tm send-keys -t t C-z
tm_wait "Stopped"
tm pipe-pane -t t -o "cat >> $T/kill.raw"
tm send-keys -t t 'kill %1' Enter
# Its end, seen in /proc: gone, or a zombie with its exit status (field
# 52, as waitpid gives it) until the shell reaps it.
state=T code=
for _ in $(seq 250); do
	if ! stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
		state=gone
		break
	fi
	state=$(echo "$stat" | awk '{print $3}')
	if [ "$state" = Z ]; then
		code=$(echo "$stat" | awk '{print $52}')
		break
	fi
	sleep 0.02
done
if [ "$state" != gone ] && [ "$state" != Z ]; then
	tm_capture >&2
	kill -KILL "$pid"
	fail "the stopped replay outlived kill %1 (state $state)"
fi
[ -z "$code" ] || assert_eq $((143 << 8)) "$code" "exit status 143 (wait status)"
tm pipe-pane -t t
tm send-keys -t t "stty -g > $T/s2; echo done-here" Enter
tm_wait "done-here"
cmp -s s1 s2 || fail "stty -g differs after kill %1"
assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "the main screen"
# Nothing of the replay went to the shell's screen after the kill.
raw=$(cat kill.raw)
assert_not_contains $'\e[?1049' "$raw" "alternate screen switches after kill %1"
assert_not_contains "playing" "$(tm_capture)" "the replay's screen"
exit 0
