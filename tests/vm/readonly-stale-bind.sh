#!/usr/bin/env bash
# A read-only view whose staging mount was removed outside agentrun (by
# hand, as doctor suggests for a mount it flags): the guest's bind over the
# project outlives it, dead (its sshfs is gone). The next read-only session
# mounts the staging folder again and must bind it again, not keep the
# dead bind because the project path is still a mount point.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
echo original >"$P/file"
ar_in "$P" run --read-only -- cat file
assert_eq 0 "$RC" "first read-only run: $ERR"
assert_contains original "$OUT"

"$ROOT/tests/multipass" umount agentrun >/dev/null || fail "manual umount"
ar_in "$P" run --read-only -- cat file
assert_eq 0 "$RC" "read-only after a manual umount: $ERR"
assert_contains original "$OUT" "the project is readable"
assert_eq "$P => /var/lib/agentrun/ro$P" "$(vm_mounts)" "staging mount"
ar_in "$P" run --read-only -- sh -c '(echo x >new) 2>/dev/null || echo refused'
assert_eq 0 "$RC" "read-only again: $ERR"
assert_contains refused "$OUT" "still read-only"
[ ! -e "$P/new" ] || fail "a new file reached the host"

# The same after a read-write session came between (its mount stacked
# over the dead bind, then went).
ar_in "$P" run -- true
assert_eq 0 "$RC" "read-write: $ERR"
ar_in "$P" run --read-only -- true
"$ROOT/tests/multipass" umount "agentrun:/var/lib/agentrun/ro$P" >/dev/null || fail "manual umount 2"
ar_in "$P" run --read-only -- cat file
assert_eq 0 "$RC" "read-only after a manual umount of the staging mount: $ERR"
assert_contains original "$OUT"
exit 0
