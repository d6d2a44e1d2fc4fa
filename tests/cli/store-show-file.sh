#!/usr/bin/env bash
# agentrun show of a file given by path (not a session of the store) says
# so: its state is "file", not "imported" (it was never imported). A
# transcript of the store given by path without its sidecar reads as it
# does by id (interrupted); a session that was imported still says so.
# A store file's name given where no such file is (as pasted from a
# listing of the store) gets the id to say instead.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1700000000}' \
	'[0.5, "o", "hello"]' > f.cast
ar show ./f.cast
assert_eq 0 "$RC" "show ./f.cast: $ERR"
assert_contains "state:             file (not in the store)" "$OUT"
assert_not_contains "imported" "$OUT"
ar show --json f.cast
assert_eq 0 "$RC" "show --json f.cast: $ERR"
assert_eq file "$(printf '%s' "$OUT" | jq -r .state)" "state of a file"

ar import f.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT
ar show "$id"
assert_contains "state:             imported" "$OUT" "an import by id"
# The store's transcript by path, with its sidecar: as by id.
ar show "$STORE/$id.cast.zst"
assert_contains "state:             imported" "$OUT" "an import by path"
# A copy elsewhere, without a sidecar: a file.
cp "$STORE/$id.cast.zst" "$T/"
ar show "$T/$id.cast.zst"
assert_contains "state:             file (not in the store)" "$OUT" "a copy"
# The store's transcript without its sidecar: interrupted, as by id.
rm "$STORE/$id.json"
ar show "$id"
assert_contains "state:             interrupted" "$OUT" "no sidecar, by id"
ar show "$STORE/$id.cast.zst"
assert_contains "state:             interrupted" "$OUT" "no sidecar, by path"

rm "$T/$id.cast.zst"
ar show "$id.cast.zst"
assert_eq 1 "$RC" "a store file's name, here"
assert_contains "$id.cast.zst: no such file; for the session, say $id" "$ERR"
ar rm "$id.json"
assert_eq 1 "$RC" "rm of a store file's name, here"
assert_contains "for the session, say $id" "$ERR"
[ -f "$STORE/$id.cast.zst" ] || fail "rm of a name removed the session"
ar show 20250101-000000-000x.json
assert_contains "No such file" "$ERR" "not an id"
exit 0
