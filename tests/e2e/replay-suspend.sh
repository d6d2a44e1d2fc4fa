#!/usr/bin/env bash
# agentrun replay and job control: Ctrl-Z gives the shell back its own
# screen and modes, fg brings the replay back where it was, and after q
# nothing of the replay is left on the shell's screen.
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
tm send-keys -t t C-z
tm_wait "Stopped"
tm send-keys -t t "stty -g > $T/s2; echo shell-is-back" Enter
tm_wait "shell-is-back"
assert_not_contains "playing" "$(tm_capture)" "the replay's screen is gone"
diff s1 s2 >&2 || fail "stty -g differs while stopped"
tm pipe-pane -t t -o "cat >> $T/fg.raw"
tm send-keys -t t "fg" Enter
tm_wait "playing"
sleep 0.5
assert_eq 1 "$(grep -o $'\e\\[?1049h' "$T/fg.raw" | wc -l)" "the replay's screen entered once after fg"
tm pipe-pane -t t
tm send-keys -t t q
tm_wait 'PROMPT$'
sleep 0.3
tm send-keys -t t "stty -g > $T/s3; echo done-here" Enter
tm_wait "done-here"
cmp -s s1 s3 || fail "stty -g differs after quitting"
pane=$(tm_capture)
assert_not_contains "playing" "$pane" "nothing left on the shell's screen"
assert_not_contains "? help" "$pane"

# Started with no shell to continue it (here by tmux through sh -c, an
# orphaned process group), Ctrl-Z does not freeze the replay: it plays on
# and q still ends it.
tm_start 80 20 sh -c "$AGENTRUN replay $T/long.cast; echo STATUS=\$?; sleep 100"
tm_wait "frame 1"
tm send-keys -t t C-z
tm_wait "frame 4"
tm send-keys -t t q
tm_wait "STATUS=0"

# A signal that ends it by its default action (USR1 here) restores the
# terminal first: modes and the main screen, status 128+N.
tm_start 80 20 sh -c "stty -g > $T/u1; $AGENTRUN replay $T/long.cast; echo STATUS=\$?; stty -g > $T/u2; sleep 100"
tm_wait "frame 1"
pid=$(pgrep -f "^$AGENTRUN replay $T/long.cast" | head -1)
[ -n "$pid" ] || fail "no replay process"
kill -USR1 "$pid"
tm_wait "STATUS=138"
sleep 0.2
cmp -s u1 u2 || fail "stty -g differs after SIGUSR1"
assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "the main screen after SIGUSR1"

# With no keyboard (stdin not a terminal), the replay ends at the end.
tm_start 80 20 sh -c "$AGENTRUN replay --speed 64 $T/long.cast < /dev/null; echo STATUS=\$?; sleep 100"
tm_wait "STATUS=0" 15
exit 0
