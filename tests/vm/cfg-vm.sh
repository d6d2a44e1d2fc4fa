#!/usr/bin/env bash
# vm.cloud_init that is a directory or a FIFO: doctor said nothing (it
# only asked access(R_OK)) and a launch fed it to multipass as stdin (a
# FIFO hung it past any signal). 'vm delete' of a VM that is not there
# asked for --yes first. doctor marks a mount whose folder is gone.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
CFG=$XDG_CONFIG_HOME/agentrun/config.json

mkdir -p "$T/ci.d"
mkfifo "$T/ci.fifo"
for ci in "$T/ci.d:Is a directory" "$T/ci.fifo:not a regular file"; do
	f=${ci%%:*} why=${ci#*:}
	write_config "\"vm\": {\"cloud_init\": \"$f\"}"
	ar doctor
	assert_eq 1 "$RC" "doctor, cloud_init $f: $OUT"
	assert_contains "FAIL  vm.cloud_init: $f: $why" "$OUT"
done
write_config "\"vm\": {\"cloud_init\": \"$T/ci.d\"}"
ar vm start
assert_eq 1 "$RC" "vm start, cloud_init a directory"
assert_eq "agentrun: $CFG: vm.cloud_init: $T/ci.d: Is a directory" "$ERR"
assert_eq none "$(vm_state)" "launched with a directory for cloud-init"
reset_calls
write_config "\"vm\": {\"cloud_init\": \"$T/ci.fifo\"}"
OUT=$(timeout -s KILL 20 "$AGENTRUN" vm start 2>"$T/stderr" </dev/null)
RC=$?
exec 3<>"$T/ci.fifo"; exec 3>&-	# frees a reader that hangs
[ $RC != 137 ] || fail "vm start hangs on a FIFO for cloud-init"
assert_eq "agentrun: $CFG: vm.cloud_init: $T/ci.fifo: not a regular file" "$(cat "$T/stderr")"
grep -q '^multipass launch' "$CALLS" && fail "launched with a FIFO for cloud-init: $(cat "$CALLS")"
# A file works.
printf '#cloud-config\n{}\n' >"$T/ci.yaml"
write_config "\"vm\": {\"cloud_init\": \"$T/ci.yaml\"}"
ar doctor
assert_not_contains "vm.cloud_init" "$OUT" "doctor, cloud_init a file"
write_config

# delete: a VM that is not there is no question, with or without --yes.
for opt in "" --yes; do
	# shellcheck disable=SC2086
	ar --vm nothere vm delete $opt
	assert_eq 1 "$RC" "vm delete $opt, no VM"
	assert_eq "agentrun: VM nothere does not exist ('multipass list' shows the ones there are)" "$ERR" "vm delete $opt"
done
# One that is there still wants --yes without a terminal.
ar vm start
assert_eq 0 "$RC" "vm start: $ERR"
ar vm delete
assert_eq 2 "$RC" "vm delete, no terminal"
assert_contains "confirm with 'agentrun vm delete --yes'" "$ERR"
[ "$(vm_state)" != none ] || fail "deleted without --yes"

# doctor: a mount whose folder is gone says so (and stays ok: the next
# session removes it).
mkdir -p "$T/gone"
"$ROOT/tests/multipass" mount "$T/gone" agentrun:/gone >/dev/null 2>&1 ||
    fail "emulator mount"
rmdir "$T/gone"
ar doctor
assert_eq 0 "$RC" "doctor, stale mount: $OUT"
assert_contains "ok    mount $T/gone => /gone (the folder is gone; the next session removes the mount)" "$OUT"
exit 0
