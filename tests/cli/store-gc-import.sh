#!/usr/bin/env bash
# agentrun gc --older-than ages an imported session from when it came into
# the store (its id, as ls orders it), not from its file's own timestamp:
# importing an old recording and then gc --older-than 30 keeps it. An old
# import still goes.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1500000000}' \
	'[0.5, "o", "from 2017"]' > old.cast
ar import old.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT
ar gc --older-than 30 --dry-run
assert_eq 0 "$RC" "gc -n: $ERR"
assert_not_contains "$id" "$OUT" "gc -n of a fresh import"
ar gc --older-than 30
assert_not_contains "$id" "$OUT" "gc of a fresh import"
[ -f "$STORE/$id.cast.zst" ] || fail "a fresh import was deleted"

# An import of 40 days ago (by its id) goes.
old=20200101-100000-0aaa
mv "$STORE/$id.cast.zst" "$STORE/$old.cast.zst"
sed "s/$id/$old/" "$STORE/$id.json" > "$STORE/$old.json"
rm "$STORE/$id.json"
ar gc --older-than 30
assert_eq 0 "$RC" "gc: $ERR"
assert_contains "removed $old" "$OUT"
[ -f "$STORE/$old.cast.zst" ] && fail "an old import was kept"
exit 0
