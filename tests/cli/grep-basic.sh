#!/usr/bin/env bash
# agentrun grep: the output of sessions as text without escape sequences;
# text split across output chunks and across colour changes is found; each
# hit prints the id, the time offset at which the text was complete, and
# the line, and 'text --at OFFSET' shows it; -i; this project by default,
# every project with --all; exit 1 when nothing matches.
. "$(dirname "$0")/../lib/common.sh"
mkdir -p "$T/p1/.git" "$T/p2/.git" "$T/p1/sub"
cd "$T/p1/sub" || exit 1

cat > split.cast <<'CAST'
{"version": 2, "width": 60, "height": 10}
[0.5, "o", "first line\r\nthe quick br"]
[1.25, "o", "own fox jum"]
[2.0, "o", "ps over\r\n"]
[2.5, "o", "foo\u001b[1;31mbar\u001b[0m\u001b[38;2;1;2;3mbaz\u001b[m qux\r\n"]
[3.0, "o", "\u001b[5;1Hleft\u001b[6;1Hright\r\n"]
[3.5, "o", "\r\u001b[2Kprogress 10%\r\u001b[2Kprogress 20%\r\u001b[2Kprogress 20%\r\n"]
[4.0, "o", "\u001b]0;window title with needle\u0007no needle in the title\r\n"]
[4.5, "o", "Mixed CASE Words\r\n"]
[5.0, "o", "tab\tseparated\r\n"]
CAST
ar import split.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT

ar grep "quick brown fox jumps"
assert_eq 0 "$RC" "split across chunks"
assert_eq "$id  2.000  the quick brown fox jumps over" "$OUT"

ar grep foobarbaz
assert_eq "$id  2.500  foobarbaz qux" "$OUT" "across colour changes"

ar grep leftright
assert_eq 1 "$RC" "cursor moves separate text"
assert_eq "" "$OUT"

ar grep "progress 20%"
assert_eq "$id  3.500  progress 20%" "$OUT" "a redraw is shown once"

# A line printed again is another hit, each time; one redrawn in place
# (the cursor went back to it) is not.
cat > again.cast <<'CAST'
{"version": 2, "width": 40, "height": 10}
[1.0, "o", "error: one\r\n"]
[2.0, "o", "ok\r\n"]
[3.0, "o", "error: one\r\n"]
[4.0, "o", "error: one\r"]
[4.5, "o", "\n\u001b[1A\u001b[2Kerror: one\r\n"]
CAST
ar import again.cast
again=$OUT
ar grep error
assert_eq "$again  1.000  error: one
$again  3.000  error: one
$again  4.000  error: one" "$(printf '%s\n' "$OUT" | grep "^$again")" "repeats and a redraw"
# Repeats between which the cursor went back, but not up to the hit:
# CRLF line ends (cat of a DOS file), zsh's PROMPT_SP, kitty keyboard
# mode set and reset (CSI > 1 u, CSI < u) are not redraws. Ink-style
# redraws (erase and climb back over the lines) are.
cat > more.cast <<'CAST'
{"version": 2, "width": 40, "height": 10}
[1.0, "o", "fail: two\r\r\nok\r\r\n"]
[2.0, "o", "fail: two\r\r\n"]
[3.0, "o", "%                                       \r \r$ make\r\n"]
[4.0, "o", "fail: two\r\n\u001b[>1u$ \u001b[<u\r\n"]
[5.0, "o", "fail: two\r\n"]
[6.0, "o", "frame\r\nfail: two\r\nend\r\n"]
[6.5, "o", "\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2Kframe\r\nfail: two\r\nend\r\n"]
CAST
ar import more.cast
more=$OUT
ar grep "fail: two"
assert_eq "$more  1.000  fail: two
$more  2.000  fail: two
$more  4.000  fail: two
$more  5.000  fail: two
$more  6.000  fail: two" "$(printf '%s\n' "$OUT" | grep "^$more")" "repeats after CRLF, a prompt, kitty keys; an Ink redraw"

ar grep "needle"
assert_eq "$id  4.000  no needle in the title" "$OUT" "titles are not output"

ar grep "mixed case"
assert_eq 1 "$RC" "case matters"
ar grep -i "mixed case"
assert_eq "$id  4.500  Mixed CASE Words" "$OUT" "-i"
ar grep --ignore-case "WORDS"
assert_eq 0 "$RC" "--ignore-case"

ar grep "tab	separated"
assert_eq 0 "$RC" "tabs kept"

# The offset opens that moment.
ar grep "quick brown"
off=$(printf '%s\n' "$OUT" | awk '{print $2}')
assert_eq 1.250 "$off" "the time the match was complete"
assert_contains "the quick brown" "$("$AGENTRUN" text "$id" --at "$off")"
assert_not_contains "the quick brown" "$("$AGENTRUN" text "$id" --at 1.249)"

# A real recording, chunks split by time.
"$AGENTRUN" -q --backend local run -- sh -c \
	'printf "alpha be"; sleep 0.3; printf "\033[32mta gam\033[0m"; sleep 0.3; printf "ma\n"' >/dev/null
ar grep "alpha beta gamma"
assert_eq 0 "$RC" "live recording"
rid=$(printf '%s\n' "$OUT" | awk '{print $1}')
off=$(printf '%s\n' "$OUT" | awk '{print $2}')
assert_contains "alpha beta gamma" "$("$AGENTRUN" text "$rid" --at "$off")"

# Scope: this project (p1, found from p1/sub), or --all.
cd "$T/p2" || exit 1
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' \
	'[0.1, "o", "the quick brown fox of p2"]' > p2.cast
ar import p2.cast
p2id=$OUT
ar grep "quick brown"
assert_eq "$p2id  0.100  the quick brown fox of p2" "$OUT" "p2 only"
ar grep --all "quick brown"
assert_eq 2 "$(printf '%s\n' "$OUT" | grep -c .)" "--all"
ar grep -a "quick brown"
assert_contains "$id" "$OUT" "-a"

# A very long line, searched in parts: a match across the parts is found
# and shown with some context only.
python3 -c '
import json
print(json.dumps({"version": 2, "width": 80, "height": 5}))
print(json.dumps([0.1, "o", "x" * 70000]))
print(json.dumps([0.2, "o", "needle-across" + "y" * 500 + "\r\n"]))
' > long.cast
ar import long.cast
ar grep "xxxneedle-across"
assert_eq 0 "$RC" "a match across the parts of a long line"
assert_match "* 0.200  ...xxx*needle-acrossyyy*..." "$OUT"
[ ${#OUT} -lt 300 ] || fail "a long line is shown in full (${#OUT} bytes)"

# A session still recording: searched as far as it goes, no warning.
cd "$T/p1" || exit 1
"$AGENTRUN" -q --backend local run -- sh -c 'echo live needle here; sleep 4' >/dev/null &
live=$!
for _ in $(seq 50); do
	"$AGENTRUN" grep "live needle" >/dev/null 2>&1 && break
	sleep 0.1
done
ar grep "live needle"
assert_eq 0 "$RC" "found in a live session"
assert_eq "" "$ERR" "no warning for a session still recording"
wait "$live"
cd "$T/p2" || exit 1

ar grep nothing-like-this
assert_eq 1 "$RC" "no match"
ar grep ""
assert_eq 2 "$RC" "empty pattern"
ar grep
assert_eq 2 "$RC" "no pattern"
ar grep --help
assert_contains "fixed string" "$OUT" "help says PATTERN is a fixed string"

# A line ends where the cursor goes elsewhere: a cursor restore (ESC 8,
# CSI u) and a switch of screens (1049) as a cursor move does.
printf '%s\n' '{"version": 2, "width": 40, "height": 12}' \
	'[0.1, "o", "start\r\n\u001b7"]' '[0.2, "o", "\u001b[10;1Hfar away"]' \
	'[0.3, "o", "\u001b8restored\r\n"]' '[0.4, "o", "\u001b[s\u001b[5;1Hsaved\u001b[uback\r\n"]' \
	'[0.5, "o", "\u001b[?1049h\u001b[Hinalt"]' '[0.6, "o", "\u001b[?1049lmain\r\n"]' > moves.cast
ar import moves.cast
mid=$OUT
ar grep -a away
assert_contains "far away" "$OUT"
case "$OUT" in *awayrestored*) fail "a line ran on past a cursor restore: $OUT" ;; esac
ar grep -a saved
case "$OUT" in *savedback*) fail "a line ran on past CSI u: $OUT" ;; esac
ar grep -a inalt
case "$OUT" in *inaltmain*) fail "a line ran on across screens: $OUT" ;; esac
ar rm "$mid"

# C1 controls encoded in UTF-8 (U+0080-U+009F) are neither acted on nor
# shown, as in xterm and 'agentrun text': an OSC or DCS (U+009D, U+0090)
# hides nothing, and U+009C ends nothing. Text rewritten after backspaces
# is found at the time it was written, not at the time of what it
# replaced.
printf '%s\n' '{"version": 2, "width": 40, "height": 5}' \
	'[0.1, "o", "a\u009cb \u0099c \u009ad\r\n"]' '[0.2, "o", "pinecone one\r\n"]' \
	'[0.3, "o", "\u009dtitle\u009cafter osc \u0090dcs\u009cafter dcs\r\n"]' \
	'[1.0, "o", "working..."]' '[5.0, "o", "\b\b\b\b\b\b\b\b\b\bdone: ok!!\r\n"]' \
	'[6.0, "o", "keep "]' '[7.0, "o", "this\b\b\b\bthat\r\n"]' > c1.cast
ar import c1.cast
cid=$OUT
ar grep -a "ab c d"
assert_eq "$cid  0.100  ab c d" "$OUT" "U+009C, U+0099, U+009A: nothing"
ar grep -a pinecone
assert_eq "$cid  0.200  pinecone one" "$OUT" "the next line"
ar grep -a "titleafter osc dcsafter dcs"
assert_eq "$cid  0.300  titleafter osc dcsafter dcs" "$OUT" "U+009D, U+0090 hide nothing"
ar text "$cid"
assert_contains "titleafter osc dcsafter dcs" "$OUT" "text agrees"
ar grep -a "done: ok"
assert_eq "$cid  5.000  done: ok!!" "$OUT" "rewritten text: its own time"
ar text --at 5 "$cid"
assert_contains "done: ok!!" "$OUT" "text --at the offset shows it"
ar grep -a "keep that"
assert_eq "$cid  7.000  keep that" "$OUT" "half rewritten"
ar grep -a "keep "
assert_eq "$cid  6.000  keep that" "$OUT" "the untouched part keeps its own time"
ar rm "$cid"

# A pattern longer than the part a long line is searched in (64 KiB), on
# a line that comes in several events: found (the line was emptied).
python3 -c 'import json
print(json.dumps({"version": 2, "width": 80, "height": 24}))
print(json.dumps([0.1, "o", "B" * 70000]))
print(json.dumps([0.2, "o", "B" * 70000 + "\r\n"]))' > long.cast
ar import long.cast
lid=$OUT
ar grep -a "$(python3 -c 'print("B" * 100000)')"
assert_eq 0 "$RC" "a 100000-byte pattern in a 140000-byte line: $ERR"
assert_eq "$lid  0.200" "$(printf "%s" "$OUT" | cut -c1-27)" "the hit"
ar rm "$lid"

# The cursor moved back along its row (CSI D) writes over what was there,
# as a move to a column (CSI G) does: no line of both, never on screen.
printf '%s\n' '{"version": 2, "width": 40, "height": 5}' \
	'[0.1, "o", "abc\u001b[3Dxyz\r\n"]' '[0.2, "o", "left\u001b[Gright\r\n"]' > back.cast
ar import back.cast
bid=$OUT
ar grep -a cxy
assert_eq 1 "$RC" "text written over after CSI D is not added: $OUT"
ar grep -a abc
assert_eq "$bid  0.100  abc" "$OUT" "before CSI D"
ar grep -a xyz
assert_eq "$bid  0.100  xyz" "$OUT" "after CSI D"
ar grep -a tri
assert_eq 1 "$RC" "CSI G: $OUT"
ar rm "$bid"
exit 0
