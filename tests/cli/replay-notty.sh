#!/usr/bin/env bash
# agentrun replay needs a terminal on stdout: otherwise it says to use cat
# or text, writes nothing, and exits 1. Bad options are usage errors.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' \
	'[0.1, "o", "\u001b[6nhello"]' > s.cast
ar replay s.cast
assert_eq 1 "$RC" "stdout not a terminal"
assert_eq "" "$OUT" "nothing written"
assert_contains "agentrun cat s.cast" "$ERR"
assert_contains "agentrun text s.cast" "$ERR"
# An id that does not exist is said first, not advice to cat it.
ar replay nosuchid
assert_eq 1 "$RC" "unknown id"
assert_contains "no such session" "$ERR"
assert_not_contains "agentrun cat" "$ERR"
ar replay --speed 0 s.cast
assert_eq 2 "$RC" "--speed 0"
ar replay s.cast --speed fast
assert_eq 2 "$RC" "--speed fast"
for v in 0x10 1e1 " 2" +2; do
	ar replay --speed "$v" s.cast
	assert_eq 2 "$RC" "--speed '$v'"
	assert_contains "--speed needs a number" "$ERR" "--speed '$v'"
done
ar replay --at -1 s.cast
assert_eq 2 "$RC" "--at -1"
ar replay --idle-limit x s.cast
assert_eq 2 "$RC" "--idle-limit x"
ar replay
assert_eq 2 "$RC" "no id"
ar replay a b
assert_eq 2 "$RC" "two ids"
ar replay --help
assert_eq 0 "$RC"
assert_contains "usage: agentrun replay" "$OUT"
exit 0
