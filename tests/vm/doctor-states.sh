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
	for s in Deleted Suspending Unavailable Unknown; do
		vm_set_state "$s" $vm
		ar_in "$P" "${opt[@]}" run -- true
		assert_eq 125 "$RC" "run, $vm $s"
		why=${ERR#"agentrun: VM $vm is "}
		[ "$why" != "$ERR" ] || fail "run, $vm $s: [$ERR]"
		ar "${opt[@]}" doctor
		assert_eq 1 "$RC" "doctor, $vm $s: $OUT"
		assert_contains "FAIL  vm $vm: $why" "$OUT" "doctor, $vm $s"
		# vm status gives the same advice, and sends nowhere else.
		ar "${opt[@]}" vm status
		assert_eq 0 "$RC" "vm status, $vm $s"
		assert_contains "state:    $s
advice:   ${why#"$s: "}" "$OUT" "vm status, $vm $s"
		assert_not_contains "vm status" "$why" "run, $vm $s"
		# vm start and vm provision: the same words (they passed on
		# multipass's own, "...unknown state. Try to stop it first.").
		for sub in start "provision claude"; do
			# shellcheck disable=SC2086
			ar "${opt[@]}" vm $sub
			assert_eq 1 "$RC" "vm $sub, $vm $s"
			assert_eq "agentrun: VM $vm is $why" "$ERR" "vm $sub, $vm $s"
		done
		case $s in
		Suspending) assert_contains "wait a moment and try again" "$why" ;;
		Unavailable) assert_contains "availability zone is unavailable; make the zone available again in multipass" "$why"
			assert_not_contains "stop --force" "$why" ;;
		Unknown) assert_contains "power it off with 'agentrun ${opt[*]}${opt:+ }vm stop --force', then try again" "$why" ;;
		esac
	done
	# What it says works.
	ar "${opt[@]}" vm stop --force
	assert_eq 0 "$RC" "vm stop --force, $vm Unknown: $ERR"
	ar_in "$P" "${opt[@]}" run -- true
	assert_eq 0 "$RC" "run after vm stop --force, $vm: $ERR"
done
# With the local backend there is no VM to judge: doctor says so, makes
# no multipass call and is content (it FAILed for want of multipass).
vm_set_state Unknown
for how in flag config; do
	opt=()
	if [ $how = flag ]; then
		opt=(--backend local)
		write_config
	else
		write_config '"backend": "local"'
	fi
	reset_calls
	ar "${opt[@]}" doctor
	assert_eq 0 "$RC" "doctor, local backend by $how: $OUT"
	assert_contains "ok    backend: local (commands run on this machine" "$OUT" "doctor, local by $how"
	assert_eq 0 "$(ncalls)" "multipass calls of doctor, local backend by $how"
done
# Nor a VM name: the local backend does not use one (--vm primary made
# doctor FAIL where run went ahead).
ar --vm primary --backend local doctor
assert_eq 0 "$RC" "doctor, local backend with --vm primary: $OUT"
# A config with an error names no VM: doctor does not check the default
# one (it reported on a VM 'agentrun' the user does not use).
write_config '"vm": {"name": "work", "memory": "4T"}'
ar doctor
assert_eq 1 "$RC" "doctor, bad config: $OUT"
assert_contains "FAIL  config: " "$OUT"
assert_contains "FAIL  vm: not checked until the config is fixed" "$OUT"
assert_not_contains "vm agentrun" "$OUT" "doctor, bad config"
write_config
exit 0
