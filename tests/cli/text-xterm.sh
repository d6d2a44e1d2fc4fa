#!/usr/bin/env bash
# Sequences libtsm 4.0.2 gets wrong, rendered by 'agentrun text' as xterm
# and tmux show them: SCOSC/SCORC (CSI s, CSI u), DECSTBM and DECOM homing
# the cursor, CUU/CUD leaving the pending wrap, HPA, ?1049h on the
# alternate screen, ?1047l on the main one, a wide character at the
# last column, REP, CNL/CPL, and line feeds on the last row below the
# margins. Each screen is written here (from tmux 3.3a); with tmux
# installed, it is also compared with a live tmux pane. Then the same
# states through the snapshot cache: text --at T from the cache gives what
# a straight read gives.
. "$(dirname "$0")/../lib/common.sh"
need python3
cd "$T" || exit 1

# cast NAME COLS ROWS: a recording of the bytes in NAME.raw, one event.
cast() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
name, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(name + ".raw", "rb").read().decode("utf-8")
with open(name + ".cast", "w") as f:
    f.write(json.dumps({"version": 2, "width": cols, "height": rows}) + "\n")
    f.write(json.dumps([0.1, "o", data]) + "\n")
PY
}
# The screen tmux shows after the bytes of NAME.raw, trimmed like text.
tmux_screen() {	# name cols rows
	rm -f "$1.done"
	tm_start "$2" "$3" sh -c "stty raw -echo -opost; cat $T/$1.raw; touch $T/$1.done; exec sleep 60"
	for _ in $(seq 100); do [ -e "$1.done" ] && break; sleep 0.05; done
	sleep 0.2
	tm capture-pane -p -t t | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	tm kill-server 2>/dev/null
}
have_tmux=0
command -v tmux >/dev/null 2>&1 && have_tmux=1
n=0
# check COLS ROWS PRINTF-FORMAT EXPECTED [notmux]
check() {
	n=$((n + 1))
	printf "$3" > "c$n.raw"
	cast "c$n" "$1" "$2"
	ar text "c$n.cast"
	assert_eq 0 "$RC" "case $n: $ERR"
	assert_eq "$4" "$OUT" "case $n ($3)"
	if [ "$have_tmux" = 1 ] && [ "${5:-}" != notmux ]; then
		assert_eq "$(tmux_screen "c$n" "$1" "$2")" "$OUT" "case $n ($3) against tmux"
	fi
}
E='\033'
# 1. CSI s / CSI u are DECSC / DECRC; not the kitty keyboard forms.
check 10 4 "ab$E[s$E[3;5Hcd$E[uX" "abX

    cd"
check 10 4 "ab$E[s$E[3;5Hcd$E[>1u$E[<u$E[=1u$E[?uX" "ab

    cdX"
check 10 4 "ab${E}7$E[3;5Hcd$E[uX" "abX

    cd"
# 2. DECSTBM (taken: bottom clamped, below the top) and DECOM home the
# cursor, in origin mode to the top margin.
check 10 4 "abc\r\ndef\r\nghi$E[rX" "Xbc
def
ghi"
check 10 4 "abc\r\ndef$E[2;5r$E[?6hX" "abc
Xef"
check 10 6 "$E[3;5r$E[?6h$E[1;1HA$E[?6lB" "B

A"
check 10 6 "abc\r\ndef$E[5;3rX" "abc
defX"
check 10 6 "abc\r\ndef$E[2;4r$E[4;2rX$E[4;1H\nY" "Xbc


Y"
check 10 6 "abc\r\ndef$E[2;99rX$E[5;1H\n\n\n\nY" "Xbc




Y"
# (tmux 3.3a homes to the top of the screen here; xterm to the margin.)
check 10 6 "abc\r\ndef$E[?6h$E[3;5rX" "abc
def
X" notmux
# 3. CUU and CUD leave the pending wrap.
check 10 4 "0123\r\n\r\n\r\nabcdefghij$E[AX" "0123

         X
abcdefghij"
check 10 4 "abcdefghij$E[BX" "abcdefghij
         X"
# VPA did already, as xterm (tmux 3.3a keeps the pending wrap there).
check 10 4 "abcdefghij$E[2dX" "abcdefghij
         X" notmux
# 4. HPA is CHA, and neither moves the row in origin mode.
check 10 4 "abc$E[7\`X$E[\`Y" "Ybc   X"
check 10 8 "$E[3;6r$E[?6h$E[2;1HX$E[5\`Y$E[9GZ" "


X   Y   Z"
# 5. ?1049h on the alternate screen, ?1047l on the main one: nothing.
check 20 6 "$E[?1049h$E[5;13Hxyz12$E[?1049h" "



            xyz12"
check 20 6 "abc$E[?1049h$E[2;3Hxy$E[?1049h$E[?1049lZ\r\ndef$E[?1047lX" "abcZ
defX"
# 6. A wide character at the last column wraps; the cell stays.
check 9 4 "中文中文中文" "中文中文
中文"
check 5 4 "12345\rabcd中x" "abcd5
中x"
check 5 4 "abcd😀x" "abcd
😀x"
# 7. REP repeats the last graphic character, right after it only. (tmux
# 3.3a stops at the end of the line and repeats only ASCII; xterm not.)
check 10 4 "ab$E[3bc" "abbbbc"
check 10 4 "ab$E[bc$E[0b" "abbcc"
check 10 4 "a$E[31m$E[2bX\rb\r$E[2bY" "YX"
check 10 4 "ab$E[2b$E[2bX" "abbbX"
check 10 4 "a$E[20b" "aaaaaaaaaa
aaaaaaaaaa
a" notmux
check 10 4 "中$E[3bX" "中中中中X" notmux
# 8. CNL and CPL: down or up, to the first column, within the margins.
check 10 4 "abc\r\ndef$E[EX$E[2EY" "abc
def
X
Y"
check 10 4 "abc\r\ndef\r\nghi$E[2FX" "Xbc
def
ghi"
check 10 4 "$E[2;3r$E[2;5Habc$E[5EX$E[5FY" "
Y   abc
X"
check 10 4 "abcdefghij$E[FX" "Xbcdefghij"
# 9. Line feeds on the last row below the margins, and RI on the first
# row above them, scroll nothing.
check 10 5 "1\r\n2\r\n3\r\n4\r\n5$E[1;3r$E[5;1HX\nY${E}DZ\013W\014V${E}EU" "1
2
3
4
UYZWV"
check 10 5 "1\r\n2\r\n3\r\n4\r\n5$E[3;5r$E[1;1HX${E}MY" "XY
2
3
4
5"
check 10 5 "1\r\n2\r\n3\r\n4\r\n5$E[1;3r$E[5;1H$E[\n3CX" "1
2
3
4
5  X"
# (tmux 3.3a has no LNM; xterm goes to the first column.)
check 10 5 "1\r\n2\r\n3\r\n4\r\n5$E[1;3r$E[20h$E[5;3HX\nY" "1
2
3
4
Y X" notmux
[ "$have_tmux" = 1 ] || echo "(no tmux: expected screens only)"

# The same states in a snapshot: a long recording, so that the first
# text --at builds the cache and the second reads it.
mkdir copy
snapcase() {	# name cols rows setup probe
	python3 - "$@" <<'PY'
import json, sys
name, cols, rows, setup, probe = sys.argv[1:6]
dec = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
filler = ("filler line of text 0123456789 " * 3 + "\r\n") * 12000
tail = ("tail " * 20 + "\r\n") * 32000	# over 4 MB in all: cached
evs = [(0.5, "o", filler + "\x1b[0m\x1b[2J\x1b[H" + dec(setup)), (1.0, "o", dec(probe)),
       (2.0, "o", tail)]
with open(name + ".cast", "w") as f:
    f.write(json.dumps({"version": 2, "width": int(cols), "height": int(rows)}) + "\n")
    for e in evs:
        f.write(json.dumps(list(e)) + "\n")
PY
	ar import "$1.cast"
	assert_eq 0 "$RC" "import $1: $ERR"
	local id=$OUT a b c
	cp "$1.cast" copy/
	a=$("$AGENTRUN" text --at 1.0 "$id") || fail "$1: text (first)"
	b=$("$AGENTRUN" text --at 1.0 "$id") || fail "$1: text (cached)"
	c=$("$AGENTRUN" text --at 1.0 "copy/$1.cast") || fail "$1: text (straight)"
	[ -s "$XDG_STATE_HOME/agentrun/snapshots/$id.snap" ] || fail "$1: no snapshot cache"
	assert_eq "$c" "$a" "$1: first text"
	assert_eq "$c" "$b" "$1: cached text"
	[ -n "${6:-}" ] && assert_eq "$6" "$c" "$1: the screen"
	return 0
}
snapcase scosc 10 4 '\x1b[31mab\x1b[s\x1b[0m\x1b[3;5Hcd' '\x1b[uX' "abX

    cd"
snapcase scosc-esc8 10 4 'ab\x1b[s\x1b[3;5Hcd' '\x1b8X'
snapcase stbm 10 6 'abc\r\ndef\x1b[2;99r\x1b[4;2r' '\x1b[6;1H\n\nY\x1b[1;1HZ' "Zbc




Y"
snapcase decom 10 6 '\x1b[3;5r\x1b[?6h' '\x1b[1;1HA\x1b[?6lB'
snapcase alt 20 6 'abc\x1b[?1049h\x1b[2;3Hxy\x1b[?1049h' 'z\x1b[?1049lZ' "abcZ"
snapcase pending 10 4 '0123\r\n\r\n\r\nabcdefghij' '\x1b[AX'
snapcase wide 9 4 '中文中文' '中文x'
snapcase rep 10 4 '\x1b[31mab' '\x1b[3bc' "abbbbc"
snapcase stuck 10 5 '1\r\n2\r\n3\r\n4\r\n5\x1b[1;3r\x1b[5;1H' 'X\nY\nZ' "1
2
3
4
XYZ"
exit 0
