#!/usr/bin/env bash
# vm stop on a VM that multipass only powers off (Suspended, Starting):
# plain stop fails with one line that names agentrun's option (and --vm),
# not multipass's; vm stop --force then powers it off (multipass stop
# --force), and stops a running VM in an orderly way.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

one_line() { assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" "lines of [$ERR]"; }

ar vm start
assert_eq 0 "$RC" "vm start: $ERR"
for s in Suspended Starting; do
	vm_set_state "$s"
	ar vm stop
	assert_eq 1 "$RC" "stop, $s"
	one_line
	assert_contains "VM agentrun is ${s,,}, which a plain stop cannot shut down: use 'agentrun vm stop --force' to power it off" "$ERR"
	assert_not_contains "Use --force" "$ERR"
	assert_eq "$s" "$(vm_state)" "still $s"
	reset_calls
	ar vm stop --force
	assert_eq 0 "$RC" "stop --force, $s: $ERR"
	assert_eq "agentrun: powered off VM agentrun" "$ERR" "stop --force, $s"
	assert_eq Stopped "$(vm_state)" "after stop --force, $s"
	assert_eq "multipass stop agentrun
multipass stop --force agentrun" "$(cat "$CALLS")" "an orderly stop first"
done

# Another VM than the configured one: the hint names it.
ar --vm t-x vm start
assert_eq 0 "$RC" "vm start t-x: $ERR"
vm_set_state Suspended t-x
ar --vm t-x vm stop
assert_eq 1 "$RC" "stop t-x"
assert_contains "use 'agentrun --vm t-x vm stop --force'" "$ERR"
ar --vm t-x vm stop --force
assert_eq 0 "$RC" "stop --force t-x: $ERR"
assert_eq Stopped "$(vm_state t-x)"

# A running VM: plain stop is still the orderly one.
ar vm start
reset_calls
ar vm stop
assert_eq 0 "$RC" "stop, Running: $ERR"
assert_eq "multipass stop agentrun" "$(tail -n 1 "$CALLS")"
assert_eq Stopped "$(vm_state)"
# And with --force too: force passes a session, it does not pull the plug.
ar vm start
reset_calls
ar vm stop --force
assert_eq 0 "$RC" "stop --force, Running: $ERR"
assert_eq "multipass stop agentrun" "$(cat "$CALLS")"
exit 0
