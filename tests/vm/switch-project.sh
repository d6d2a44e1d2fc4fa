#!/usr/bin/env bash
# Moving to another project unmounts the first: the VM never has more
# than the project mounted. Foreign mounts are removed too.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

A=$(mkproj a) B=$(mkproj b) C=$(mkproj c)
ar_in "$A" run -- true
[ "$RC" = 0 ] || fail "a: $RC: $ERR"
assert_eq "$A => $A" "$(vm_mounts)"

ar_in "$B" run -- pwd
[ "$RC" = 0 ] || fail "b: $RC: $ERR"
assert_eq "$B" "$(printf %s "$OUT" | tr -d '\r')" "runs in b"
assert_eq "$B => $B" "$(vm_mounts)" "only b is mounted"
assert_contains "unmounting $A from VM agentrun" "$ERR"
grep -qx "multipass umount agentrun:$A" "$CALLS" || fail "no umount of a"

# Mounts someone added by hand go as well, whatever their target.
mkdir -p "$T/extra"
"$ROOT/tests/multipass" mount "$T/extra" agentrun >/dev/null || fail "manual mount"
"$ROOT/tests/multipass" mount "$T/extra" agentrun:/srv/x >/dev/null || fail "manual mount 2"
# A relative target: Multipass 1.16 lists it as typed ("rel/dir"), 1.17
# under the home (/home/ubuntu/rel/dir).
"$ROOT/tests/multipass" mount "$T/extra" agentrun:rel//dir/ >/dev/null || fail "manual mount 3"
assert_eq 4 "$(vm_mounts | wc -l | tr -d ' ')"
assert_contains "$T/extra => rel/dir" "$(vm_mounts)" "a relative target as 1.16 lists it"
ar_in "$C" run -- true
[ "$RC" = 0 ] || fail "c: $RC: $ERR"
assert_eq "$C => $C" "$(vm_mounts)" "only c is mounted"
grep -qx "multipass umount agentrun:rel/dir" "$CALLS" || fail "no umount of the relative target"
# The same with 1.17's shape.
"$ROOT/tests/multipass" mount "$T/extra" agentrun:rel2 >/dev/null || fail "manual mount 4"
MULTIPASS_EMU_VERSION=1.17.0 "$ROOT/tests/multipass" mount "$T/extra" agentrun:rel3 >/dev/null ||
	fail "manual mount 5"
assert_contains "$T/extra => /home/ubuntu/rel3" "$(vm_mounts)" "a relative target as 1.17 lists it"
ar_in "$C" run -- true
[ "$RC" = 0 ] || fail "c again: $RC: $ERR"
assert_eq "$C => $C" "$(vm_mounts)" "only c is mounted, again"

# Back and forth, read-only and not: never more than one mount.
for p in "$A" "$B" "$A"; do
	for ro in "" --read-only; do
		ar_in "$p" run $ro -- true
		[ "$RC" = 0 ] || fail "$p $ro: $RC: $ERR"
		assert_eq 1 "$(vm_mounts | wc -l | tr -d ' ')" "mounts after $p $ro"
		assert_contains "$p => " "$(vm_mounts)"
	done
done
exit 0
