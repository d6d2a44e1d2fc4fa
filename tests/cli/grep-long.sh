#!/usr/bin/env bash
# agentrun grep on very long lines: the part of a long line kept for the
# next search starts at a character, so a hit shows no piece of one (a
# lone 0x9b is a CSI to a terminal not in UTF-8 mode); a line of any
# text (U+0080-U+00BF, tabs) is searched in parts and one of events that
# write no text holds no memory per event. A pattern that holds a
# control character, which the text searched never does, is refused.
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1

# 40001 x U+039B (CE 9B) in 32 KiB events, then the pattern: its first
# 3 bytes before it were kept, and they began in a character.
python3 -c 'import json
print(json.dumps({"version": 2, "width": 80, "height": 5}))
print(json.dumps([0.1, "o", "\u039b" * 40001]))
print(json.dumps([0.2, "o", "Qx!end\r\n"]))' > lambda.cast
ar import lambda.cast
assert_eq 0 "$RC" "import: $ERR"
lid=$OUT
"$AGENTRUN" grep 'Qx!e' > "$T/hit"
assert_eq 0 "$?" "the hit"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode()' "$T/hit" ||
	fail "a hit is not UTF-8: $(od -c "$T/hit" | head -3)"
assert_match "$lid  0.200  ...*ΛQx!end" "$(cat "$T/hit")" "the hit"
ar rm "$lid"

# A line of U+00B7 (C2 B7, bytes the stripper looks at) is searched in
# parts as a line of x is: a hit at its start and one at its end.
python3 -c 'import json
print(json.dumps({"version": 2, "width": 80, "height": 5}))
for c in ("x", "\u00b7"):
    print(json.dumps([0.1, "o", "needle" + c * 40000]))
    print(json.dumps([0.2, "o", c * 40000 + "needle\r\n"]))' > parts.cast
ar import parts.cast
pid=$OUT
ar grep needle
assert_eq 4 "$(printf '%s\n' "$OUT" | grep -c "^$pid  ")" "hits of two long lines: $OUT"

# Memory: a line of 100 MB of U+00B7, and one of 3 million events that
# write no text (each a project of its own), are searched in a few MB
# (not with ASan, which maps much more).
mkdir -p "$T/long/.git" "$T/events/.git"
if [ "${SANITIZE:-}" != 1 ]; then
	cd "$T/long" || exit 1
	python3 -c 'import json
print(json.dumps({"version": 2, "width": 80, "height": 5}))
s = "\u00b7" * 16000
for i in range(3200):
    print(json.dumps([i / 1000, "o", s], ensure_ascii=False))
print(json.dumps([9, "o", "needle\r\n"]))' | "$AGENTRUN" import - >/dev/null ||
		fail "import of the long line"
	OUT=$(ulimit -v 60000; "$AGENTRUN" grep needle 2>&1)
	assert_match "* 9.000  ...*needle" "$OUT" "a 100 MB line in 60 MB"
	cd "$T/events" || exit 1
	python3 -c 'import sys
w = sys.stdout.write
w("{\"version\": 2, \"width\": 80, \"height\": 5}\n")
w("".join("[%d.%03d, \"o\", \"\\u001b[m\"]\n" % (i // 1000, i % 1000)
    for i in range(3 * 10**6)))
w("[3009, \"o\", \"needle\\r\\n\"]\n")' | "$AGENTRUN" import - >/dev/null ||
		fail "import of the many events"
	OUT=$(ulimit -v 60000; "$AGENTRUN" grep needle 2>&1)
	assert_match "* 3009.000  needle" "$OUT" "3 million events in 60 MB"
	cd "$T/p" || exit 1
fi

# Lines are cut at controls, which the text searched holds none of but
# tabs: a pattern with one would never match, and says so.
for pat in $'needle\n' $'a\rb' $'\033[m' $'a\177'; do
	ar grep "$pat"
	assert_eq 2 "$RC" "pattern [$pat]"
	assert_contains "control character" "$ERR"
done
ar grep $'\tneedle'
assert_eq 1 "$RC" "a tab is text"
exit 0
