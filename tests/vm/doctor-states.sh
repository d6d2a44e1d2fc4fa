#!/usr/bin/env bash
# doctor judges the VM's state as a session takes it: a state run works
# from is ok, one run refuses is FAIL with the very advice run gives.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
ar_in "$P" run -- true
assert_eq 0 "$RC" "first run: $ERR"

for s in Starting Restarting "Delayed Shutdown" Stopped Suspended; do
	vm_set_state "$s"
	ar doctor
	assert_eq 0 "$RC" "doctor, $s: $OUT"
	assert_contains "ok    vm agentrun: $s (a session " "$OUT" "doctor, $s"
	ar_in "$P" run -- echo fine
	assert_eq 0 "$RC" "run, $s: $ERR"
	assert_eq Running "$(vm_state)" "after run, $s"
done

# Refused states: the same advice from both, naming --vm when in use.
for vm in agentrun t-x; do
	opt=()
	[ $vm = agentrun ] || opt=(--vm $vm)
	[ $vm = agentrun ] || { ar_in "$P" "${opt[@]}" run -- true; assert_eq 0 "$RC" "$ERR"; }
	for s in Deleted Suspending Unknown; do
		vm_set_state "$s" $vm
		ar_in "$P" "${opt[@]}" run -- true
		assert_eq 125 "$RC" "run, $vm $s"
		why=${ERR#"agentrun: VM $vm is "}
		[ "$why" != "$ERR" ] || fail "run, $vm $s: [$ERR]"
		ar "${opt[@]}" doctor
		assert_eq 1 "$RC" "doctor, $vm $s: $OUT"
		assert_contains "FAIL  vm $vm: $why" "$OUT" "doctor, $vm $s"
	done
	assert_contains "'agentrun ${opt[*]}${opt:+ }vm status'" "$OUT" "names the VM"
	vm_set_state Running $vm
done
exit 0
