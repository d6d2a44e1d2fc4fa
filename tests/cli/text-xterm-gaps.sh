#!/usr/bin/env bash
# Gaps against xterm that render.c now closes, through 'agentrun text':
# a wrap on the last row below the margins (libtsm scrolled them), C1
# controls encoded in UTF-8 (xterm neither executes nor prints them), and
# a wide character whose right half was overwritten, after a narrowing
# cut the overwriting cell off (it showed again).
. "$(dirname "$0")/../lib/common.sh"
need python3
cd "$T" || exit 1

# cast NAME COLS ROWS EVENT...: an event is printf bytes, or "r CxR".
cast() {
	python3 - "$@" <<'PY'
import json, subprocess, sys
name, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(name + ".cast", "w") as f:
    f.write(json.dumps({"version": 2, "width": cols, "height": rows}) + "\n")
    for i, a in enumerate(sys.argv[4:]):
        if a.startswith("r "):
            f.write(json.dumps([0.1 * (i + 1), "r", a[2:]]) + "\n")
        else:
            data = subprocess.run(["printf", a], capture_output=True).stdout
            f.write(json.dumps([0.1 * (i + 1), "o", data.decode()]) + "\n")
PY
}
n=0
check() {	# expected cols rows event...
	local want=$1
	shift
	n=$((n + 1))
	cast "c$n" "$@"
	ar text "c$n.cast"
	assert_eq 0 "$RC" "case $n: $ERR"
	assert_eq "$want" "$OUT" "case $n (${*:3})"
}
E='\033'
FIVE='1\r\n2\r\n3\r\n4\r\n5'
# 1. A wrap on the last row below the margins: CR, nothing scrolls.
check "1
2
3
4
fghde" 5 5 "$FIVE$E[1;3r$E[5;1Habcdefgh"
check "1
2
3
4
中cd" 5 5 "$FIVE$E[1;3r$E[5;1Habcd中"
check "1
2
3
4
aaaaa" 5 5 "$FIVE$E[1;3r$E[5;1Ha$E[8b"
check "1
2
3
abcde
klmij" 5 5 "$FIVE$E[1;3r$E[4;1Habcdefghijklm"
# Text cut across events, as recorded.
check "1
2
3
4
fghde" 5 5 "$FIVE$E[1;3r$E[5;1Habc" "de" "fgh"
# 2. C1 controls in UTF-8: nothing.
check "abcdef" 10 3 'abc\xc2\x85def'
check "abc31mX" 10 3 'abc\xc2\x9b31mX'
check "Y" 10 3 "$E]0;t\xc2\x9cX\007Y"
check "1
2
3
4
XYZ" 10 5 "$FIVE$E[1;3r$E[5;1HX\xc2\x84Y\xc2\x85Z"
# 3. A wide character erased by half stays erased after a narrowing.
check "中" 10 3 "中文$E[4Gx" "r 3x3"
check "中" 10 3 "中文$E[4Gx" "r 3x3" "r 10x3"
exit 0
