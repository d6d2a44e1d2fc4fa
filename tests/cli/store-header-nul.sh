#!/usr/bin/env bash
# A \u0000 in a string of an asciicast header (a title, a command, an env
# value or key) does not cut it: what follows is kept (the NUL reads as
# U+FFFD, as a lone surrogate does), through show, import and export; and
# a key "version\u0000" is not "version" (Python's json, asciinema's,
# keeps them apart).
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

printf '%s\n' '{"version": 2, "width": 20, "height": 3, "title": "ab\u0000cd", "command": "x\u0000yz", "env": {"SHELL": "/bin/\u0000sh", "K\u0000EY": "v"}}' \
	'[0.1, "o", "he\u0000llo"]' > n.cast
ar show n.cast
assert_eq 0 "$RC" "show: $ERR"
assert_contains "title:             ab�cd" "$OUT"
assert_contains "command:           x�yz" "$OUT"
ar import n.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT
for f in cast cast-v2; do
	ar export -f "$f" "$id"
	assert_eq 0 "$RC" "export $f: $ERR"
	head=$(printf '%s\n' "$OUT" | head -n 1)
	assert_contains '"title": "ab�cd"' "$head" "$f title"
	assert_contains '"command": "x�yz"' "$head" "$f command"
	assert_contains '"SHELL": "/bin/�sh"' "$head" "$f env"
	assert_contains '"K�EY": "v"' "$head" "$f env key"
	assert_contains 'he\u0000llo' "$OUT" "$f event data keeps its NUL"
done

printf '%s\n' '{"version\u0000": 2, "width": 20, "height": 3}' '[0.1, "o", "x"]' > k.cast
ar show k.cast
assert_eq 1 "$RC" "a key version<NUL> is no version"
assert_contains "no version" "$ERR"
exit 0
