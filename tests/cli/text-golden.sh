#!/usr/bin/env bash
# Golden renders: recordings of real programs (vi, less, a colourful
# progress bar, the alternate screen, wide characters, resizes) made by
# tests/data/golden/make-golden.py, where NAME@T.txt is what tmux showed at
# offset T. 'agentrun text --at T' must give exactly that.
. "$(dirname "$0")/../lib/common.sh"
G=$ROOT/tests/data/golden
n=0
for want in "$G"/*@*.txt; do
	base=${want##*/}
	name=${base%%@*}
	at=${base#*@}
	at=${at%.txt}
	got=$("$AGENTRUN" text --at "$at" "$G/$name.cast"; echo x)
	exp=$(cat "$want"; echo x)
	if [ "$got" != "$exp" ]; then
		diff <(printf '%s' "$exp") <(printf '%s' "$got") >&2
		fail "$base: text --at $at differs"
	fi
	n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "only $n golden files"
for name in vi less progress alt wide resize; do
	[ -f "$G/$name.cast" ] || fail "no golden recording of $name"
done
# The end of a session: the screen after the program left.
assert_eq "" "$("$AGENTRUN" text "$G/less.cast")" "less leaves an empty screen"
assert_eq "back on the main screen" "$("$AGENTRUN" text "$G/alt.cast" | tail -n 1)" "alt end"
exit 0
