#!/usr/bin/env bash
# A recording that cannot be written never ends the session: the command
# runs to its end with its own status, one warning comes after, and what
# was written stays readable.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# Disk full, simulated with RLIMIT_FSIZE (128 KiB), after a flush (the
# recorder flushes once a second): what was written stays, whole zstd
# blocks after the flush too (the sidecar finds room without a cut).
out=$( (ulimit -f 128; exec "$AGENTRUN" -q --backend local run -- sh -c \
    'echo BEFORE-THE-LIMIT; sleep 1.5; head -c 3000000 /dev/urandom |
    od -An -tx1; echo END-OF-OUTPUT; exit 5') 2>"$T/err" </dev/null)
rc=$?
assert_eq 5 "$rc" "status of the command"
assert_contains "END-OF-OUTPUT" "$out" "the terminal got everything"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "one warning expected: $(cat "$T/err")"
assert_contains "recording stopped early" "$(cat "$T/err")"
ar show --json latest
assert_contains "recording stopped early" "$OUT" "sidecar says so"
assert_contains '"exit_status":	5' "$OUT" "sidecar"
"$AGENTRUN" cat latest > "$T/cat" 2>"$T/cerr"
assert_eq "BEFORE-THE-LIMIT" "$(head -n 1 "$T/cat" | tr -d '\r')" "what was kept"
[ "$(wc -c < "$T/cat")" -gt 100000 ] || fail "the blocks after the flush were lost: $(wc -c < "$T/cat") bytes"
# The limit hit before the first flush: the warning does not say that
# output was kept.
out=$( (ulimit -f 128; exec "$AGENTRUN" -q --backend local run -- sh -c \
    'head -c 3000000 /dev/urandom | od -An -tx1; exit 5') 2>&1 >/dev/null \
    </dev/null)
assert_match "agentrun: warning: recording stopped at the start (write: File too large); $STORE/*.cast.zst holds at most its first output" \
    "$out"
ar show latest
assert_contains "exit status:       5" "$OUT"
# The sidecar cannot be written at the end either, and the transcript is
# not cut for it (that frees room only on a full disk) (1 KiB: room for the
# header, compressed, and for the sidecar at the start, ~870 bytes with
# the long command line twice, not for the one at the end, which has the
# error too): the warning says so.
long=$(printf '%0*d' $(( (870 - 416 - (${#T} - 26)) / 2 )) 0)
out=$( (ulimit -f 1; exec "$AGENTRUN" -q --backend local run -- sh -c \
    'head -c 300000 /dev/urandom | od -An -tx1; exit 5' "$long") 2>&1 \
    >/dev/null </dev/null)
assert_match "agentrun: warning: recording stopped at the start (write: File too large); $STORE/*.cast.zst holds at most its first output; and the sidecar could not be written either ($STORE/*.json.tmp.*: File too large), so the session shows as interrupted" \
    "$out"

# The store removed under a running session.
ar -q --backend local run -- sh -c "rm -rf '$STORE'; echo still here"
assert_eq 0 "$RC" "status when the store vanished"
assert_contains "still here" "$OUT"
assert_match "agentrun: warning: the recording was deleted while the session ran ($STORE/*.cast.zst): nothing of it is kept" "$ERR"
[ -e "$STORE" ] && fail "a sidecar written for a deleted recording: $(ls "$STORE")"
# The transcript alone deleted: no sidecar that calls it finished.
ar -q --backend local run -- sh -c "rm -f '$STORE'/*.cast.zst; echo still here"
assert_eq 0 "$RC" "status when the transcript vanished"
assert_contains "nothing of it is kept" "$ERR"
# Nor the sidecar of the start: nothing is listed (it showed as an
# interrupted session whose show failed).
[ -z "$(ls "$STORE")" ] || fail "left in the store: $(ls "$STORE")"
# A store that cannot be made: the session runs unrecorded, and says so
# even with -q (losing the record is what -q must not hide).
echo "not a folder" > "$T/file"
OUT=$(XDG_DATA_HOME=$T/file "$AGENTRUN" -q --backend local run -- echo ran 2>"$T/err" </dev/null)
assert_eq 0 "$?" "status without a store"
assert_contains "ran" "$OUT"
assert_match "agentrun: warning: not recording: *" "$(cat "$T/err")"
assert_contains "(the command runs unrecorded; mend that, or run with --no-record)" "$(cat "$T/err")"
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
