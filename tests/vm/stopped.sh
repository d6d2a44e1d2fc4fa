#!/usr/bin/env bash
# A stopped VM is started explicitly (its spinner never reaches the
# session), then its mounts are checked again.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
ar_in "$P" run -- true
"$ROOT/tests/multipass" stop agentrun >/dev/null
assert_eq Stopped "$(vm_state)"
reset_calls
ar_in "$P" run -- echo hello
assert_eq 0 "$RC" "$ERR"
assert_eq hello "$(printf %s "$OUT" | tr -d '\r')" "no spinner in the output"
assert_contains "starting VM agentrun" "$ERR"
mapfile -t c <"$CALLS"
assert_eq "multipass info agentrun --no-runtime-information --format json" "${c[0]}"
assert_eq "multipass start agentrun" "${c[1]}"
assert_eq "multipass info agentrun --no-runtime-information --format json" "${c[2]}"
assert_match "multipass exec agentrun -d $P -- *" "${c[3]}"
assert_eq 4 "${#c[@]}" "calls"

# A deleted VM: say how to recover or purge.
"$ROOT/tests/multipass" delete agentrun
ar_in "$P" run -- true
assert_eq 125 "$RC"
assert_contains "VM agentrun is deleted but not purged: run 'multipass recover agentrun'" "$ERR"
exit 0
