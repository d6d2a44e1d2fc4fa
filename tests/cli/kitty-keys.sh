#!/usr/bin/env bash
# Kitty keyboard modes that the program pushed on the main screen and did
# not pop (Claude Code pushes there; killed, it pops nothing) are popped
# on the way out, by their number: the shell after it gets plain keys
# again (Ctrl-C, not "9;5u"). What the program popped itself is not popped
# again.
. "$(dirname "$0")/../lib/common.sh"
need script
cd "$T" || exit 1

# on_tty LOG CMD: agentrun runs CMD on a terminal (script's), its output
# in LOG. Without echo: script turns its stdin's end into an EOF character
# typed at agentrun, which reaches CMD's terminal as a NUL when it comes
# before agentrun's raw mode (an EOF held there), and that terminal
# (agentrun's modes, script's ECHO and ECHOCTL) echoed it as "^@". Landing
# between the two halves of the cut push (seen once under load), it ended
# the sequence, for a terminal and for agentrun alike: no push, no pop.
on_tty() {
	script -q -E never \
		-c "$(printf '%q ' "$AGENTRUN" -q --backend local run -- sh -c "$2")" \
		"$1" </dev/null >/dev/null 2>&1
}
pops() { grep -o $'\e\\[<[0-9]*u' "$1" | tr '\n' ' '; }

on_tty two.log 'printf "\033[>1u\033[>5u"; kill -9 $$'
assert_eq $'\e[<2u ' "$(pops two.log)" "two pushes, killed: both popped"
on_tty popped.log 'printf "\033[>1u\033[>5u\033[<u"; exit 0'
assert_eq $'\e[<u \e[<1u ' "$(pops popped.log)" "two pushed, one popped: the other"
on_tty none.log 'printf "\033[>1u\033[<1u"; exit 0'
assert_eq $'\e[<1u ' "$(pops none.log)" "all popped by the program: nothing more"
# Killed on the alternate screen: its own stack ends with it (kitty keeps
# one per screen), so what is popped after leaving it is only what was
# pushed on the main screen, not one of the shell's modes besides.
on_tty alt.log 'printf "\033[>1u\033[?1049h\033[>4u"; kill -9 $$'
after=$(sed 's/\x1b\[?1049l/\n@LEFT@/g' alt.log | sed -n '/@LEFT@/,$p' | tail -n +1)
printf '%s' "${after##*@LEFT@}" > alt-after.log
assert_eq $'\e[<1u ' "$(pops alt-after.log)" "pops after leaving the alternate screen"
assert_contains $'\e[?1049l' "$(cat alt.log)" "left the alternate screen"
# Split across reads: the push is still counted.
on_tty split.log 'printf "\033[>"; sleep 0.2; printf "1u"; kill -9 $$'
assert_eq $'\e[<1u ' "$(pops split.log)" "a push cut by a read"
exit 0
