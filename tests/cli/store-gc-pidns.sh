#!/usr/bin/env bash
# gc and a recorder whose pid means nothing here (another PID namespace,
# as a container sharing the store, or a pid reused since): the lock on
# the transcript decides, not the pid. A sidecar being written
# (ID.json.tmp.PID) beside a locked transcript stays, and so does the
# session; the same beside a transcript nobody locks goes.
. "$(dirname "$0")/../lib/common.sh"
need zstd
cd "$T" || exit 1
mkdir -p "$STORE"
chmod 700 "$STORE"

( exit 0 ) &
dead=$!
wait "$dead"
kill -0 "$dead" 2>/dev/null && skip "pid $dead reused already"

mk() {	# id state pid
	printf '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "hi"]\n' |
		zstd -q -o "$STORE/$1.cast.zst"
	printf '{"id": "%s", "state": "%s", "pid": %d, "project": "%s", "start": 1735725600, "cols": 20, "rows": 3}\n' \
		"$1" "$2" "$3" "$T" > "$STORE/$1.json"
	printf '{"id": "%s", "state": "finished"' "$1" > "$STORE/$1.json.tmp.$dead"
}
live=20250101-100000-aaaa	# recording, in another namespace
gone=20250102-100000-bbbb	# its recorder crashed
mk "$live" running "$dead"
mk "$gone" running "$dead"
hold_lock "$STORE/$live.cast.zst"

ar ls --all
assert_eq 0 "$RC" "ls: $ERR"
assert_match "*$live*running*" "$(printf '%s\n' "$OUT" | grep "$live")" "ls, locked"
assert_match "*$gone*interrupted*" "$(printf '%s\n' "$OUT" | grep "$gone")" "ls, not locked"

ar gc --keep 0 --dry-run
assert_eq 0 "$RC" "gc --dry-run: $ERR"
assert_not_contains "$live" "$OUT" "gc --dry-run"
assert_contains "would remove $gone.json.tmp.$dead" "$OUT" "gc --dry-run"

ar gc --keep 0
assert_eq 0 "$RC" "gc: $ERR"
assert_not_contains "$live" "$OUT" "gc"
[ -f "$STORE/$live.json.tmp.$dead" ] ||
	fail "gc removed the sidecar a live recorder is writing"
[ -f "$STORE/$live.cast.zst" ] && [ -f "$STORE/$live.json" ] ||
	fail "gc removed a session still recording"
[ ! -e "$STORE/$gone.json.tmp.$dead" ] || fail "gc kept a crash's sidecar"
[ ! -e "$STORE/$gone.cast.zst" ] || fail "gc kept an interrupted session"

ar rm "$live"
assert_eq 1 "$RC" "rm of a session still recording"
assert_contains "still recording" "$ERR"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
exit 0
