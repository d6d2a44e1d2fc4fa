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
exit 0
