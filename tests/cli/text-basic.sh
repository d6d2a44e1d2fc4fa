#!/usr/bin/env bash
# agentrun text: the screen at the end or at --at T of a recorded session,
# as plain UTF-8 lines (trailing spaces trimmed, wide characters once,
# colours and queries gone); options before or after the ID; errors.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

"$AGENTRUN" -q --backend local run -- sh -c \
	'printf "\033[31mred\033[0m   \n"; sleep 0.4; printf "wide 中文 \033[6n\n"; sleep 0.4; printf "\033[2J\033[Hcleared"' \
	>/dev/null || fail "run"
ar text latest
assert_eq 0 "$RC" "text status"
assert_eq "cleared" "$OUT" "the last screen"
ar text latest --at 0.2
assert_eq "red" "$OUT" "at 0.2 s, trailing spaces trimmed"
ar text --at 0:00.6 latest
assert_eq "red
wide 中文" "$OUT" "at 0.6 s, M:SS.s form"
ar text latest --at 999
assert_eq "cleared" "$OUT" "past the end"
id=$(ls "$STORE" | sed -n 's/\.cast\.zst$//p' | head -n 1)
ar text "${id%????}"
assert_eq "cleared" "$OUT" "unique prefix"
ar text "$STORE/$id.cast.zst"
assert_eq "cleared" "$OUT" "a path"

ar text --at soon latest
assert_eq 2 "$RC" "bad --at"
assert_contains "--at needs a time" "$ERR"
# The time forms, and what only strtod would take: hex, exponents, signs,
# spaces, 99 seconds after a ':' or a larger unit, units out of order, a
# fraction before the last field or a bare number after one.
for t in 90 1.5 .5 2m 1m30s 90s 90m 1m59.5s 1h2m3.5s 1:30 0:00.6 1:02:03.5; do
	ar text --at "$t" latest
	assert_eq 0 "$RC" "--at $t: $ERR"
done
for t in 0x10 1e3 -1 +1 " 1" "1 " 1:99 1:60 1.5:30 1:2:3:4 1m70s 1h60m 1.5m30s 2m1 30s1m 1m1m     100ms inf nan 1: :30 . m; do
	ar text --at "$t" latest
	assert_eq 2 "$RC" "--at '$t'"
	assert_contains "--at needs a time" "$ERR" "--at '$t'"
done
ar text
assert_eq 2 "$RC" "no id"
ar text nosuchid
assert_eq 1 "$RC" "unknown id"
assert_contains "no such session" "$ERR"
ar text --help
assert_eq 0 "$RC"
assert_contains "usage: agentrun text" "$OUT"

# A recording larger than any terminal, hand written: rows past 24.
{
	echo '{"version": 2, "width": 120, "height": 40}'
	for i in $(seq 1 40); do printf '[0.%02d, "o", "row %d\\r\\n"]\n' "$i" "$i"; done
} > big.cast
ar text big.cast
assert_eq 39 "$(printf "%s\n" "$OUT" | wc -l)" "40 rows, the last one empty"
assert_eq "row 2" "$(printf '%s\n' "$OUT" | head -n 1)" "scrolled by one"
exit 0
