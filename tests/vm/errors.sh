#!/usr/bin/env bash
# Failures become one actionable line and exit 125 (the session could not
# be started), with no session left half-written in the store.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
no_sessions() {	# nothing was recorded
	local n
	n=$(find "$STORE" -type f 2>/dev/null | wc -l | tr -d ' ')
	assert_eq 0 "$n" "files in the store after: $1"
}
one_line() { assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" "lines of [$ERR]"; }

# multipass missing from PATH.
OUT=$(cd "$P" && PATH=/usr/bin:/bin "$AGENTRUN" claude 2>"$T/stderr" </dev/null)
RC=$? ERR=$(cat "$T/stderr")
assert_eq 125 "$RC" "multipass missing"
assert_match "agentrun: multipass is not installed: install it with 'sudo snap install multipass'*" "$ERR"
one_line
no_sessions "multipass missing"

# Daemon down.
export MULTIPASS_EMU_DAEMON_DOWN=1
ar_in "$P" claude
assert_eq 125 "$RC" "daemon down"
assert_match "agentrun: the multipass daemon is not running: start it with *" "$ERR"
one_line
no_sessions "daemon down"
unset MULTIPASS_EMU_DAEMON_DOWN

# Not authenticated.
MULTIPASS_EMU_UNAUTH=1 ar_in "$P" shell
assert_eq 125 "$RC" "unauthenticated"
assert_match "agentrun: *run 'multipass authenticate'*" "$ERR"
one_line

# Launch failures.
MULTIPASS_EMU_FAIL_LAUNCH=error ar_in "$P" claude
assert_eq 125 "$RC" "launch error"
assert_contains "multipass cannot reach its image server yet" "$ERR"
assert_eq none "$(vm_state)" "no VM after a failed launch"
no_sessions "launch error"

# A size the daemon would refuse is a config error that names the key,
# found before any multipass call; doctor FAILs it.
CONFIG=$XDG_CONFIG_HOME/agentrun/config.json
for kv in memory:100M memory:4 disk:1M disk:100M; do
	k=${kv%%:*} v=${kv#*:}
	write_config "\"vm\": {\"$k\": \"$v\"}"
	reset_calls
	ar_in "$P" claude
	assert_eq 2 "$RC" "$k $v"
	min=512M; [ $k = memory ] && min=128M
	assert_eq "agentrun: $CONFIG: vm.$k: \"$v\" is too small: Multipass needs at least $min" "$ERR"
	assert_eq 0 "$(ncalls)" "multipass calls with $k $v"
	ar doctor
	assert_eq 1 "$RC" "doctor, $k $v"
	assert_contains "FAIL  config: $CONFIG: vm.$k: \"$v\" is too small" "$OUT"
done
assert_eq none "$(vm_state)" "no VM after a refused size"
write_config

MULTIPASS_EMU_FAIL_LAUNCH=timeout ar_in "$P" claude
assert_eq 125 "$RC" "launch timeout"
# The install that follows a launch did not happen: the advice says how.
assert_contains "agentrun: launching VM agentrun timed out; it may still be coming up: check with 'agentrun vm status'; once it is up, install claude with 'agentrun vm provision claude'" "$ERR"
no_sessions "launch timeout"
# The VM came up anyway; vm status says so.
ar vm status
assert_contains "state:    Running" "$OUT"
"$ROOT/tests/multipass" delete --purge agentrun
# Nothing to install for a command, nor for an agent with no install
# command; another VM is named.
MULTIPASS_EMU_FAIL_LAUNCH=ssh-timeout ar_in "$P" run -- true
assert_eq 125 "$RC" "launch timeout, run"
assert_contains "check with 'agentrun vm status'" "$ERR"
assert_not_contains "provision" "$ERR"
"$ROOT/tests/multipass" delete --purge agentrun
echo '{"agents": {"bare": {"install": null}}}' >"$XDG_CONFIG_HOME/agentrun/config.json"
MULTIPASS_EMU_FAIL_LAUNCH=timeout ar_in "$P" bare
assert_eq 125 "$RC" "launch timeout, bare: $ERR"
assert_not_contains "provision" "$ERR"
"$ROOT/tests/multipass" delete --purge agentrun
MULTIPASS_EMU_FAIL_LAUNCH=timeout ar_in "$P" --vm t-x claude
assert_contains "once it is up, install claude with 'agentrun --vm t-x vm provision claude'" "$ERR"
"$ROOT/tests/multipass" delete --purge t-x
# vm start provisions after a launch too.
MULTIPASS_EMU_FAIL_LAUNCH=timeout ar vm start
assert_eq 1 "$RC" "vm start, launch timeout"
assert_contains "once it is up, install claude with 'agentrun vm provision claude'" "$ERR"
"$ROOT/tests/multipass" delete --purge agentrun
write_config

MULTIPASS_EMU_FAIL_LAUNCH=client-timeout ar_in "$P" claude
assert_eq 125 "$RC" "client timeout"
assert_contains "agentrun vm status" "$ERR"
"$ROOT/tests/multipass" delete --purge agentrun

# A multipass that hangs is killed at the launch timeout.
write_config '"vm": {"launch_timeout": 1}'
start=$(date +%s)
MULTIPASS_EMU_HANG=launch ar_in "$P" claude
end=$(date +%s)
assert_eq 125 "$RC" "hung launch"
assert_contains "launching VM agentrun timed out; it may still be coming up" "$ERR"
[ $((end - start)) -lt 120 ] || fail "hung launch took $((end - start))s"
write_config

# sshfs cannot be installed for the first mount.
MULTIPASS_EMU_FAIL_MOUNT=sshfs ar_in "$P" run -- true
assert_eq 125 "$RC" "sshfs"
assert_contains "installing sshfs in the VM for its first mount" "$ERR"
assert_contains "multipass could not install sshfs in VM agentrun (the first mount needs the VM to reach the internet)" "$ERR"

# A snap multipass cannot see outside non-hidden /home: explained, not
# passed through as "does not exist".
MULTIPASS_EMU_SNAP=1 ar_in "$P" run -- true
assert_eq 125 "$RC" "snap"
assert_contains "agentrun: multipass cannot see $P: a snap install of multipass can only mount folders under /home" "$ERR"
assert_not_contains "does not exist" "$ERR"
assert_eq "" "$(vm_mounts)" "nothing mounted"

# A launch that fails over a value of the config names the key (it
# passed multipass's words on, which do not say where the value came from).
write_config '"vm": {"image": "nosuch"}'
ar_in "$P" --vm img-x run -- true
assert_eq 125 "$RC" "unknown image"
assert_contains "agentrun: $XDG_CONFIG_HOME/agentrun/config.json: vm.image: multipass has no image \"nosuch\" ('multipass find' lists the ones there are)" "$ERR"
write_config '"vm": {"memory": "256M", "disk": "2G"}'
MULTIPASS_EMU_VERSION=1.17.0 ar_in "$P" --vm mem-x run -- true
assert_eq 125 "$RC" "memory below 1.17's minimum"
assert_contains "agentrun: $XDG_CONFIG_HOME/agentrun/config.json: vm.memory: multipass refuses \"256M\" (multipass launch failed: Invalid arguments supplied" "$ERR"
write_config '"vm": {"disk": "768M"}'
MULTIPASS_EMU_VERSION=1.17.0 ar_in "$P" --vm disk-x run -- true
assert_contains "vm.disk: multipass refuses \"768M\"" "$ERR" "disk below 1.17's minimum"
write_config

# multipass exec failing itself (the VM went to Unknown between info and
# exec): its status 2 is not taken for the command's; one line, 125.
cat >"$T/bin/multipass.wrap" <<WRAP
#!/usr/bin/env bash
if [ "\$1" = exec ] && [ "\$3" = -d ]; then
	python3 - "$MULTIPASS_EMU_DIR/state.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
st["instances"]["agentrun"]["state"] = "Unknown"
json.dump(st, open(sys.argv[1], "w"))
PY
fi
exec "$ROOT/tests/multipass" "\$@"
WRAP
chmod +x "$T/bin/multipass.wrap"
ln -sf multipass.wrap "$T/bin/multipass"
ar_in "$P" run -- echo never
assert_eq 125 "$RC" "exec failed"
assert_contains "agentrun: multipass could not run the command in VM agentrun: exec failed: Cannot retrieve credentials in unknown state" "$ERR"
side=$(ls -1t "$STORE"/*.json | head -n 1)
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["exit_status"] == 125, s' "$side" || fail "sidecar exit: $(cat "$side")"
ln -sf "$ROOT/tests/multipass" "$T/bin/multipass"
vm_set_state Running
# A command of its own that exits 2 keeps its status.
ar_in "$P" run -- sh -c 'echo "not exec failed: x"; exit 2'
assert_eq 2 "$RC" "a command's own 2"

# After all that, a normal run works.
ar_in "$P" run -- echo fine
assert_eq 0 "$RC" "normal run: $ERR"
exit 0
