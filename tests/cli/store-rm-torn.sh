#!/usr/bin/env bash
# rm of a session whose sidecar is torn (cut mid-write: a full disk
# writes it in place) removes the sidecar too, whether the session is
# named by its id or by the path of its transcript; the session is then
# gone from ls.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.5, "o", "hello"]' > f.cast
for how in id path; do
	ar import f.cast
	assert_eq 0 "$RC" "import: $ERR"
	id=$OUT
	head -c 40 "$STORE/$id.json" > torn && cat torn > "$STORE/$id.json"
	ar ls --all
	assert_contains "$id" "$OUT" "ls, torn sidecar ($how)"
	if [ "$how" = id ]; then ar rm "$id"; else ar rm "$STORE/$id.cast.zst"; fi
	assert_eq 0 "$RC" "rm by $how: $ERR"
	[ ! -e "$STORE/$id.cast.zst" ] || fail "rm by $how kept the transcript"
	[ ! -e "$STORE/$id.json" ] || fail "rm by $how kept the torn sidecar"
	ar ls --all
	assert_not_contains "$id" "$OUT" "ls after rm by $how"
done
exit 0
