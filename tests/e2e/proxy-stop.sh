#!/usr/bin/env bash
# Stop and continue (agentrun in a job of an interactive shell, which can
# continue it): the kitty keyboard modes the program pushed on the main
# screen are popped while agentrun is stopped and pushed again, with the
# same flags, after it continues (they were not: the program's keys came back plain, and the
# pop on the way out took the shell's own modes); the window size changed
# meanwhile reaches the program.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1

cat > "$T/wrap.sh" <<WRAP
stty -g > "$T/before"
"\$@"
echo "STATUS=\$?" > "$T/status"
stty -g > "$T/after"
echo WRAPDONE
WRAP

tm_job() {	# command words (no quoting needed)
	tm_start 80 24 env PS1='PROMPT$ ' HISTFILE=/dev/null bash --norc --noprofile -i
	tm_wait 'PROMPT$'
	tm send-keys -t t "bash $T/wrap.sh $*" Enter
}
finish() {	# expected status
	tm_wait WRAPDONE 15
	assert_eq "STATUS=$1" "$(cat "$T/status")" "exit status"
	cmp -s "$T/before" "$T/after" || fail "stty differs: $(cat "$T/before") / $(cat "$T/after")"
	tm kill-server
	rm -f "$T/status" "$T/before" "$T/after"
}
stopped() {	# pid: wait until it is stopped
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" = T ] && return 0
		sleep 0.05
	done
	fail "$1 not stopped"
}
raw_wait() {	# count pattern file: wait until file holds pattern count times
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(grep -o -- "$2" "$3" 2>/dev/null | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "no $1 of $(printf '%q' "$2") in $3: $(cat -v "$3")"
}

# Kitty keyboard modes and a resize while stopped.
cat > "$T/t2.sh" <<'T2'
echo $PPID > "$1/ppid"
trap 'echo "WINCH $(stty size)"' WINCH
printf '\033[>1u\033[>5uREADY\n'
while :; do read -t 0.2 -r x && break; done
echo "GOT:$x"
T2
tm_job "$AGENTRUN" -q --backend local run -- bash "$T/t2.sh" "$T"
tm_wait READY
tm pipe-pane -t t -o "cat >> $T/pane.raw"
sleep 0.2
pid=$(cat "$T/ppid")
kill -TSTP "$pid"
stopped "$pid"
raw_wait 1 $'\e\\[<2u' "$T/pane.raw"
tm resize-window -t t -x 90 -y 20
kill -CONT "$pid"
tm_wait "WINCH 20 90" 15
raw_wait 1 $'\e\\[>1u\e\\[>5u' "$T/pane.raw"
raw=$(cat "$T/pane.raw")
after=${raw#*$'\e[<2u'}
assert_contains $'\e[>1u\e[>5u' "$after" "pushed again after continue"
tm send-keys -t t "xyz" Enter
tm_wait GOT:xyz 15
finish 0
# On the way out they are popped once more: pushed again, they were there.
raw_wait 2 $'\e\\[<2u' "$T/pane.raw"

# The same on the alternate screen: the modes of the main screen are
# pushed again there, before the alternate screen is entered again; and
# the other modes the reset on stopping put back (cursor hidden, mouse,
# bracketed paste) are set again (they were not: a paste came to the
# program unbracketed, a line at a time).
rm -f "$T/pane.raw"
cat > "$T/t3.sh" <<'T3'
echo $PPID > "$1/ppid"
trap 'echo "WINCH $(stty size)"' WINCH
printf '\033[>3u\033[?1049h\033[?25l\033[?1000;1006h\033[?2004hREADY\n'
while :; do read -t 0.2 -r x && break; done
echo "GOT:$x" > "$1/got"
T3
tm_job "$AGENTRUN" -q --backend local run -- bash "$T/t3.sh" "$T"
tm_wait READY
tm pipe-pane -t t -o "cat >> $T/pane.raw"
sleep 0.2
pid=$(cat "$T/ppid")
kill -TSTP "$pid"
stopped "$pid"
raw_wait 1 $'\e\\[?1049l' "$T/pane.raw"
kill -CONT "$pid"
tm_wait "WINCH 24 80" 15
raw_wait 1 $'\e\\[>3u\e\\[?1049h\e\\[?25l\e\\[?1000h\e\\[?1006h\e\\[?2004h' "$T/pane.raw"
assert_eq "1 0 1 1" "$(tm display -p -t t '#{alternate_on} #{cursor_flag} #{mouse_standard_flag} #{mouse_sgr_flag}')" \
	"alternate screen, cursor, mouse after continue"
tm send-keys -t t "xyz" Enter
finish 0
assert_eq GOT:xyz "$(cat "$T/got")" "keys after continue"
exit 0
