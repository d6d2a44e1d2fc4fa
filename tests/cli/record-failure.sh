#!/usr/bin/env bash
# A recording that cannot be written never ends the session: the command
# runs to its end with its own status, one warning comes after, and what
# was written stays readable.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# Disk full, simulated with RLIMIT_FSIZE (128 KiB).
out=$( (ulimit -f 128; exec "$AGENTRUN" -q --backend local run -- sh -c \
    'head -c 3000000 /dev/urandom | od -An -tx1; echo END-OF-OUTPUT; exit 5') \
    2>"$T/err" </dev/null)
rc=$?
assert_eq 5 "$rc" "status of the command"
assert_contains "END-OF-OUTPUT" "$out" "the terminal got everything"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "one warning expected: $(cat "$T/err")"
assert_contains "recording stopped early" "$(cat "$T/err")"
ar show --json latest
assert_contains "recording stopped early" "$OUT" "sidecar says so"
"$AGENTRUN" cat latest > "$T/cat" 2>"$T/cerr"
[ -s "$T/cat" ] || fail "nothing readable in the cut transcript"
head -c 20 "$T/cat" | grep -q '[0-9a-f]' || fail "unexpected content"

# The store removed under a running session.
ar -q --backend local run -- sh -c "rm -rf '$STORE'; echo still here"
assert_eq 0 "$RC" "status when the store vanished"
assert_contains "still here" "$OUT"
assert_contains "sidecar could not be written" "$ERR"
# A store that cannot be made: the session runs unrecorded, and says so
# even with -q (losing the record is what -q must not hide).
echo "not a folder" > "$T/file"
OUT=$(XDG_DATA_HOME=$T/file "$AGENTRUN" -q --backend local run -- echo ran 2>"$T/err" </dev/null)
assert_eq 0 "$?" "status without a store"
assert_contains "ran" "$OUT"
assert_match "agentrun: warning: not recording: *" "$(cat "$T/err")"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "one warning expected: $(cat "$T/err")"
# Not even the header can be written (no room at all): the file goes, and
# the warning does not say it was kept.
before=$(ls -A "$STORE" 2>/dev/null | sort)
# (stderr into the pipe too: the limit applies to a file it would go to)
OUT=$( (ulimit -f 0; exec "$AGENTRUN" -q --backend local run -- echo ran) 2>&1 </dev/null)
assert_eq 0 "$?" "status with no room"
assert_contains "ran" "$OUT"
assert_match "agentrun: warning: not recording: $STORE/*.cast.zst: File too large*" "$OUT"
assert_not_contains "kept in" "$OUT"
assert_eq "$before" "$(ls -A "$STORE" 2>/dev/null | sort)" "nothing left in the store"
exit 0
