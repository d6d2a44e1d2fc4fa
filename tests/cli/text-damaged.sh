#!/usr/bin/env bash
# Truncated or corrupt transcripts (zstd cut mid-frame, garbage, wrong
# JSON, wrong types, not a recording at all) render up to the damage and
# say once what happened, in text, export, grep, import and replay's
# loader; never a crash, never a hang.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# A real recording (flushed every second while it runs), then the same
# file cut in the middle of its last zstd frame.
"$AGENTRUN" -q --backend local run -- sh -c \
	'for j in 1 2 3; do i=0; while [ $i -lt 100 ]; do echo "line $j.$i of the output"; i=$((i+1)); done; sleep 1.3; done; echo tail' \
	>/dev/null || fail "run"
full=$(latest_cast)
size=$(stat -c %s "$full")
head -c $((size - 40)) "$full" > cut.cast.zst
t() { timeout 20 "$AGENTRUN" "$@"; }

OUT=$(t text cut.cast.zst 2>"$T/err"); RC=$?; ERR=$(cat "$T/err")
assert_eq 0 "$RC" "a cut file is normal after a crash"
assert_contains "line " "$OUT" "rendered up to the cut"
assert_contains "cut short" "$ERR"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "said once"

# A plain file, or a complete zstd frame, whose last line has no end (a
# writer killed mid-line): read up to it, with a warning, not silently.
printf '%s\n' '{"version": 3, "term": {"cols": 40, "rows": 10}}' \
	'[0.5, "o", "a\r\n"]' '[1.0, "o", "b\r\n"]' > torn.cast
printf '[1.5, "o", "tor' >> torn.cast
zstd -qc torn.cast > torn.cast.zst
for f in torn.cast torn.cast.zst; do
	for c in cat import; do
		OUT=$(t $c $f 2>"$T/err"); RC=$?
		assert_eq 0 "$RC" "$c $f"
		assert_contains "cut short after 2 events (the last line is incomplete)" "$(cat "$T/err")" "$c $f"
	done
done
# A reader's error names the file once (it was 'F: line 3: F: ...').
head -n 3 torn.cast | zstd -qc > junk.cast.zst
printf 'junk' >> junk.cast.zst
OUT=$(t cat junk.cast.zst 2>"$T/err")
assert_contains "not zstd data after the end of a frame" "$(cat "$T/err")"
assert_eq 1 "$(grep -o 'junk.cast.zst' "$T/err" | wc -l)" "the name once: $(cat "$T/err")"
assert_eq "a
b" "$(t cat torn.cast 2>/dev/null | tr -d '\r')" "torn: the whole lines"

OUT=$(t export cut.cast.zst -f raw 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "export of a cut file"
assert_contains "line 1.1 of the output" "$OUT"
assert_contains "cut short" "$(cat "$T/err")"

# The same cut in the store, where the sidecar says the recorder
# finished (so the file was complete): that is damage. text shows what is
# left and exits 1; export -o does not replace the file it would write.
id=$(basename "$full" .cast.zst)
"$AGENTRUN" export -o keep.cast "$id" || fail "export"
cp keep.cast keep.orig
cp "$full" full.cast.zst
cp cut.cast.zst "$full"
OUT=$(t text "$id" 2>"$T/err"); RC=$?
assert_eq 1 "$RC" "text of a finished session cut short"
assert_contains "line " "$OUT"
assert_contains "$id: cut short" "$(cat "$T/err")"
t export -o keep.cast "$id" 2>"$T/err"; RC=$?
assert_eq 1 "$RC" "export -o of a finished session cut short"
cmp -s keep.cast keep.orig || fail "export -o replaced a good file with a damaged recording"
# But a recorder that could not write it all (disk full) said so in the
# sidecar: its end is cut short by that, a warning.
side="${full%.cast.zst}.json"
cp "$side" side.orig
python3 - "$side" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["record_error"] = "write: No space left on device"
json.dump(d, open(sys.argv[1], "w"))
PY
OUT=$(t text "$id" 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "text of a recording cut short by a write error: $(cat "$T/err")"
assert_contains "cut short" "$(cat "$T/err")"
cp side.orig "$side"
cp full.cast.zst "$full"

# Every byte count: no crash, no hang (a sample of cut points).
for n in 0 1 4 13 40 100 $((size / 3)) $((size - 1)); do
	head -c "$n" "$full" > c.cast.zst
	t text c.cast.zst >/dev/null 2>&1
	rc=$?
	[ $rc -le 1 ] || fail "text of $n bytes: status $rc"
done

# Plain files with damage in the middle.
cat > garbage.cast <<'CAST'
{"version": 2, "width": 20, "height": 3}
[0.1, "o", "before the damage\r\n"]
%%% not json at all
[0.3, "o", "after the damage"]
CAST
OUT=$(t text garbage.cast 2>"$T/err"); RC=$?; ERR=$(cat "$T/err")
assert_eq 1 "$RC" "garbage is an error after what could be read"
assert_eq "before the damage" "$OUT"
assert_contains "line 3" "$ERR"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "said once"
assert_not_contains "warning" "$ERR" "an error is not called a warning"

printf '%s\n' '{"version": 3, "term": {"cols": 20, "rows": 3}}' \
	'[0.1, "o", "ok so far"]' '[0.2, 5, "x"]' '[0.3, "o", "never"]' > types.cast
OUT=$(t text types.cast 2>"$T/err"); RC=$?
assert_eq 1 "$RC" "wrong types"
assert_eq "ok so far" "$OUT"
assert_contains "line 3" "$(cat "$T/err")" "says where"

printf '%s\n' '{"version": 2, "width": 20, "height": 3}' \
	'[0.1, "o", "ok"]' '[0.2, "o", "cut in the middle of a li' > torn.cast
OUT=$(t text torn.cast 2>"$T/err"); RC=$?
assert_eq "ok" "$OUT" "a torn last line is dropped"

printf 'hello, I am not a recording\n' > not.cast
OUT=$(t text not.cast 2>"$T/err"); RC=$?
assert_eq 1 "$RC" "not a recording"
[ -n "$(cat "$T/err")" ] || fail "no message for a non-recording"
: > empty.cast
t text empty.cast >/dev/null 2>&1
assert_eq 1 "$?" "empty file"
head -c 3000 /dev/urandom > random.cast
t text random.cast >/dev/null 2>&1
[ $? -le 1 ] || fail "random bytes"

# Import keeps what can be read and says so.
OUT=$(t import garbage.cast 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "import of a damaged file"
assert_contains "imported up to the damage" "$(cat "$T/err")"
assert_eq "before the damage" "$(t text "$OUT")"
OUT=$(t grep "before the" 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "grep"
assert_contains "before the damage" "$OUT"

# A store file damaged after the session (junk after its last frame): grep
# still searches every session, names the damaged one, and exits 1 as text
# and export do, though something matched.
printf JUNK >> "$full"
bad=$(basename "$full" .cast.zst)
OUT=$(t grep -a "the" 2>"$T/err"); RC=$?; ERR=$(cat "$T/err")
assert_eq 1 "$RC" "grep with a damaged session"
assert_contains "before the damage" "$OUT" "the other sessions are searched"
assert_contains "line 3.99 of the output" "$OUT" "the damaged one up to the damage"
assert_contains "$bad" "$ERR"
assert_contains "not zstd data" "$ERR"
exit 0
