#!/usr/bin/env bash
# The hints of multipass failures name the VM in use: with --vm NAME they
# say 'agentrun --vm NAME ...', as following a plain 'agentrun ...' would
# act on the configured VM. (The "did not finish in time" hint names no
# VM, and needs a 30 s info timeout to reach; unit/test-multipass checks
# its text.)
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)

# Launch timed out in multipass (status 2), for run and for vm start.
MULTIPASS_EMU_FAIL_LAUNCH=ssh-timeout ar_in "$P" --vm t-x run -- echo ok
assert_eq 125 "$RC" "run, ssh-timeout"
assert_contains "launching VM t-x timed out; it may still be coming up: check with 'agentrun --vm t-x vm status'" "$ERR"
"$ROOT/tests/multipass" delete --purge t-x
MULTIPASS_EMU_FAIL_LAUNCH=ssh-timeout ar --vm t-x vm start
assert_eq 1 "$RC" "vm start, ssh-timeout"
assert_contains "check with 'agentrun --vm t-x vm status'" "$ERR"
"$ROOT/tests/multipass" delete --purge t-x

# A launch agentrun had to kill.
write_config '"vm": {"launch_timeout": 1}'
MULTIPASS_EMU_HANG=launch ar_in "$P" --vm t-y run -- true
assert_eq 125 "$RC" "hung launch"
assert_contains "launching VM t-y timed out; it may still be coming up: check with 'agentrun --vm t-y vm status'" "$ERR"

# The configured VM keeps the plain command line.
write_config '"vm": {"name": "t-x"}'
MULTIPASS_EMU_FAIL_LAUNCH=ssh-timeout ar_in "$P" run -- true
assert_eq 125 "$RC" "configured VM"
assert_contains "check with 'agentrun vm status'" "$ERR"
exit 0
