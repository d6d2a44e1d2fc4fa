#!/usr/bin/env bash
# agentrun run inside a real terminal (tmux): keys, a resize seen by the
# program and recorded, the exit status, and the terminal modes restored
# (stty -g identical before and after) for a normal exit, SIGTERM,
# SIGHUP, a crashing child, the alternate screen left on (in every form,
# cut across reads), and stop/continue.
. "$(dirname "$0")/../lib/common.sh"
need tmux
need zstd
cd "$T" || exit 1

cat > "$T/wrap.sh" <<WRAP
stty -g > "$T/before"
"\$@"
echo "STATUS=\$?" > "$T/status"
stty -g > "$T/after"
echo WRAPDONE
sleep 1	# let the test read the pane's modes while it is alive
WRAP

finish() {	# expected status
	tm_wait WRAPDONE 15
	assert_eq "STATUS=$1" "$(cat "$T/status")" "exit status"
	cmp -s "$T/before" "$T/after" || fail "stty differs: $(cat "$T/before") / $(cat "$T/after")"
	tm kill-server
	rm -f "$T/status" "$T/before" "$T/after"
}

# 1. Keys and a resize.
tm_start 100 30 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- bash -c \
    'trap "echo SIZE \$(stty size)" WINCH; echo READY; while :; do read -t 0.2 -r l && { echo "GOT:$l"; exit 3; }; done'
tm_wait READY
tm resize-window -t t -x 90 -y 20
tm_wait "SIZE 20 90"
tm send-keys -t t "hello world" Enter
tm_wait "GOT:hello world"
finish 3
zstd -dc "$(latest_cast)" | grep -q '"r", "90x20"' || fail "resize not recorded"

# 2. SIGTERM to agentrun: passed to the child, terminal restored.
tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
    "echo \$PPID > $T/ppid; echo READY; exec sleep 100"
tm_wait READY
kill -TERM "$(cat "$T/ppid")"
finish 143

# 3. SIGHUP (the terminal went away).
tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
    "echo \$PPID > $T/ppid; echo READY; exec sleep 100"
tm_wait READY
kill -HUP "$(cat "$T/ppid")"
finish 129

# 4. A crashing child that left the alternate screen on and the cursor off.
tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
    'printf "\033[?1049h\033[?25lREADY"; sleep 0.5; kill -SEGV $$'
tm_wait WRAPDONE 15
assert_eq "0 1" "$(tm display -p -t t '#{alternate_on} #{cursor_flag}')" "modes reset"
finish 139

# 4b. The alternate screen left on by a normal exit is left too, however it
# was entered: a sequence cut between two reads, the old 47 and 1047 forms,
# and a set of several modes at once.
for on in '\033[?10|49h' '\033[?47h' '\033[?1|047h' '\033[?25;1049h' '\033|[?1049h'; do
	tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
	    'printf "${1%%|*}"; sleep 0.3; printf "${1#*|}READY"; sleep 0.3' sh "$on"
	tm_wait WRAPDONE 15
	assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "alternate screen after $on"
	finish 0
done

# 4c. Modes a program leaves on that make a shell look broken: keypad and
# cursor-key modes, insert mode, autowrap off.
tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
    'printf "\033=\033[?1h\033[4h\033[?7lREADY"; sleep 0.3'
tm_wait WRAPDONE 15
assert_eq "0 0 0 1" "$(tm display -p -t t '#{keypad_flag} #{keypad_cursor_flag} #{insert_flag} #{wrap_flag}')" \
	"keypad, cursor keys, insert, wrap"
finish 0

# 4c'. A scroll region and the line-drawing character set left on (a
# progress bar cut short, cat of a binary file): the region is whole
# again, text after is plain, and the cursor stays where it was. Origin
# mode stays as it was (turning it off moves the cursor home), harmless
# with the region whole.
tm_start 80 24 bash -c '"$0" -q --backend local run -- sh -c \
    "printf \"top\\n\\033[5;10r\\033[?6h\\033(0READY\\n\"; sleep 0.3"; echo "after lqqk"; echo WRAPDONE; sleep 1' "$AGENTRUN"
tm_wait WRAPDONE 15
assert_eq "0 23" "$(tm display -p -t t '#{scroll_region_upper} #{scroll_region_lower}')" "scroll region"
pane=$(tm capture-pane -p -t t)
assert_contains "after lqqk" "$pane" "line drawing left on"
assert_eq "top" "$(printf '%s\n' "$pane" | head -n 1)" "the cursor went home: $pane"
tm kill-server

# 4d. agentrun itself crashes while the program is on the alternate screen:
# the crash handler leaves it too.
tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- sh -c \
    "echo \$PPID > $T/ppid; printf '\033[?1049hREADY'; exec sleep 100"
tm_wait READY
sleep 0.2
kill -SEGV "$(cat "$T/ppid")"
tm_wait WRAPDONE 15
assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "alternate screen after a crash"
finish 139

# 5. Stop and continue: the terminal is restored while stopped, raw again
# after. Started from an interactive shell, as a job: a process group with
# a shell to continue it (the kernel does not stop an orphaned one).
tm_job() {	# command words (no quoting needed)
	tm_start 80 24 env PS1='PROMPT$ ' HISTFILE=/dev/null bash --norc --noprofile -i
	tm_wait 'PROMPT$'
	tm send-keys -t t "bash $T/wrap.sh $*" Enter
}
cat > "$T/t5.sh" <<T5
echo \$PPID > $T/ppid; echo READY; read x; echo GOT:\$x
T5
tm_job "$AGENTRUN" -q --backend local run -- sh "$T/t5.sh"
tm_wait READY
tty=$(tm display -p -t t '#{pane_tty}')
raw=$(stty -g -F "$tty")
cmp -s <(echo "$raw") "$T/before" && fail "terminal not raw while running"
kill -TSTP "$(cat "$T/ppid")"
sleep 0.5
assert_eq "$(cat "$T/before")" "$(stty -g -F "$tty")" "restored while stopped"
kill -CONT "$(cat "$T/ppid")"
sleep 0.5
assert_eq "$raw" "$(stty -g -F "$tty")" "raw again after continue"
tm send-keys -t t "abc" Enter
tm_wait GOT:abc
finish 0

# 5b. The same on the alternate screen: left while stopped (the shell's
# prompt is on the normal screen), entered again after, and the program is
# told to draw itself again (SIGWINCH, though the size is the same).
cat > "$T/t5b.sh" <<'T5B'
echo $PPID > "$1/ppid"; trap 'echo WINCH' WINCH; printf '\033[?1049hREADY\n'; while :; do read -t 0.2 -r x && break; done; echo GOT:$x > "$1/got"
T5B
tm_job "$AGENTRUN" -q --backend local run -- bash "$T/t5b.sh" "$T"
tm_wait READY
tm pipe-pane -t t -o "cat >> $T/pane5b.raw"
sleep 0.2
kill -TSTP "$(cat "$T/ppid")"
sleep 0.5
assert_eq 0 "$(tm display -p -t t '#{alternate_on}')" "normal screen while stopped"
kill -CONT "$(cat "$T/ppid")"
tm_wait WINCH
sleep 0.5
assert_eq 1 "$(tm display -p -t t '#{alternate_on}')" "alternate screen after continue"
assert_eq 1 "$(grep -o $'\e\\[?1049h' "$T/pane5b.raw" | wc -l)" "the alternate screen entered once after continue"
tm send-keys -t t "xyz" Enter
finish 0
assert_eq GOT:xyz "$(cat "$T/got")" "keys after continue"

# 6. SIGTSTP with no shell to continue agentrun (started by tmux through
# sh -c, an orphaned process group): it does not freeze; the session goes
# on and ends with the program's status.
tm_start 80 20 sh -c "$AGENTRUN -q --backend local run -- sh -c 'sleep 2; echo done-run'; echo STATUS=\$?; sleep 100"
for _ in $(seq 40); do pid=$(pgrep -f "^$AGENTRUN -q --backend local run -- sh -c" | head -1); [ -n "$pid" ] && break; sleep 0.05; done
[ -n "$pid" ] || fail "no agentrun process"
kill -TSTP "$pid"
tm_wait "STATUS=0"
assert_contains "done-run" "$(tm_capture)"
exit 0
