#!/usr/bin/env bash
# The per-VM lock: sessions started together on a new VM launch it once
# and mount once; a project switch waits for the lock, never interleaves.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
export MULTIPASS_EMU_DELAY=0.2
pids=()
for i in 1 2 3; do
	(cd "$P" && exec "$AGENTRUN" run -- echo "run $i" </dev/null >"$T/out.$i" 2>"$T/err.$i") &
	pids+=($!)
done
for i in 1 2 3; do
	wait "${pids[$((i - 1))]}" || fail "run $i: $(cat "$T/err.$i")"
	assert_contains "run $i" "$(cat "$T/out.$i")"
done
assert_eq 1 "$(grep -c '^multipass launch ' "$CALLS")" "launches"
assert_eq 1 "$(grep -c '^multipass mount ' "$CALLS")" "mounts"
assert_eq "$P => $P" "$(vm_mounts)"
cat "$T"/err.* | grep -q "waiting for another agentrun to finish with VM agentrun" ||
	fail "no one waited for the lock"
exit 0
