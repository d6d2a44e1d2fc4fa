#!/usr/bin/env bash
# agentrun vm status|start|stop|delete|mounts|provision and doctor.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)

# --help on stdout, exit 0; usage errors exit 2.
for sub in "" status start stop delete mounts provision; do
	ar vm $sub --help
	assert_eq 0 "$RC" "vm $sub --help"
	assert_contains "usage: agentrun vm" "$OUT"
done
ar doctor --help
assert_eq 0 "$RC"
assert_contains "usage: agentrun doctor" "$OUT"
ar vm
assert_eq 2 "$RC" "vm alone"
assert_contains "Try 'agentrun vm --help'." "$ERR"
ar vm frob
assert_eq 2 "$RC" "vm frob"
ar vm status extra
assert_eq 2 "$RC" "vm status extra"
ar doctor extra
assert_eq 2 "$RC" "doctor extra"
ar --vm primary vm status
assert_eq 2 "$RC" "--vm primary (a bad command line, as for run)"
assert_contains "\"primary\" is refused" "$ERR"
# The name as given.
ar --vm Primary vm status
assert_eq 2 "$RC" "--vm Primary"
assert_contains "agentrun: the VM name \"Primary\" is refused" "$ERR"
ar_in "$P" --vm primary run -- true
assert_eq 2 "$RC" "--vm primary for run"

# Nothing yet.
ar vm status
assert_eq 0 "$RC"
assert_contains "state:    not created" "$OUT"
ar doctor
assert_eq 0 "$RC" "doctor with no VM: $OUT"
assert_contains "ok    vm agentrun: not created yet" "$OUT"
ar vm provision
assert_eq 1 "$RC" "provision without a VM"
assert_contains "VM agentrun does not exist: 'agentrun vm start' creates it" "$ERR"
# start installs the default agent only: another needs provision after.
cp "$XDG_CONFIG_HOME/agentrun/config.json" "$T/config.saved"
printf '{"agents": {"aider": {"command": ["aider"], "install": "true"}}}\n' \
    > "$XDG_CONFIG_HOME/agentrun/config.json"
ar vm provision aider
assert_eq 1 "$RC" "provision aider without a VM"
assert_eq "agentrun: VM agentrun does not exist: 'agentrun vm start' creates it, then 'agentrun vm provision aider' installs aider" "$ERR"
ar vm provision nosuch
assert_eq 2 "$RC" "provision nosuch"
assert_eq "agentrun: no agent profile 'nosuch' in the config; the agents are: claude, aider" "$ERR"
mv "$T/config.saved" "$XDG_CONFIG_HOME/agentrun/config.json"
ar vm mounts
assert_eq 1 "$RC"

# start creates and provisions.
ar vm start
assert_eq 0 "$RC" "vm start: $ERR"
assert_contains "creating VM agentrun" "$ERR"
assert_contains "installing claude in VM agentrun" "$ERR"
[ -x "$MULTIPASS_EMU_DIR/vms/agentrun/home/.local/bin/claude" ] || fail "not provisioned"
ar vm status
assert_contains "state:    Running" "$OUT"
assert_contains "mounts:   none" "$OUT"

ar_in "$P" run -- true
ar vm mounts
assert_eq 0 "$RC"
assert_eq "$P => $P" "$OUT"
ar vm status
assert_contains "mount:    $P => $P" "$OUT"
ar doctor
assert_eq 0 "$RC" "doctor: $OUT"
for w in "ok    config: $XDG_CONFIG_HOME/agentrun/config.json" "ok    store: " \
	"ok    multipass 1.16.3: " "ok    daemon: multipassd 1.16.3" \
	"ok    vm agentrun: Running" "ok    mount $P => $P"; do
	assert_contains "$w" "$OUT" doctor
done

# doctor judges the VM's mounts as a session would: the home folder is
# found when $HOME is a symbolic link to it or ends in '/', and a mount of
# agentrun's own folders is wrong too.
multipass mount "$HOME" agentrun:/home/ubuntu/h >/dev/null 2>&1 || fail "mount home"
multipass mount "$XDG_STATE_HOME" agentrun:/mnt/state >/dev/null 2>&1 || fail "mount state"
ln -s "$HOME" "$T/homelink"
for h in "$T/homelink" "$HOME/"; do
	OUT=$(HOME=$h "$AGENTRUN" doctor 2>&1); RC=$?
	assert_eq 1 "$RC" "doctor, HOME=$h: $OUT"
	assert_contains "FAIL  mount $HOME => /home/ubuntu/h" "$OUT" "HOME=$h"
	assert_contains "FAIL  mount $XDG_STATE_HOME => /mnt/state" "$OUT" "HOME=$h"
done
multipass umount agentrun:/home/ubuntu/h >/dev/null 2>&1
multipass umount agentrun:/mnt/state >/dev/null 2>&1
ar doctor
assert_eq 0 "$RC" "doctor after the umounts: $OUT"

# stop, start, stop again is a no-op. stop says so on stderr, as delete
# does (not with -q), and stdout stays clean.
ar vm stop
assert_eq 0 "$RC" "stop: $ERR"
assert_eq Stopped "$(vm_state)"
assert_eq "agentrun: stopped VM agentrun" "$ERR" "stop's message"
assert_eq "" "$OUT" "stop's stdout"
ar vm stop
assert_eq 0 "$RC" "stop again"
ar -q vm stop
assert_eq 0 "$RC" "stop -q"
assert_eq "" "$ERR$OUT" "stop -q says nothing"
ar vm start
assert_eq 0 "$RC"
assert_eq Running "$(vm_state)"
assert_contains "starting VM agentrun" "$ERR"

# provision reruns the install command.
rm "$MULTIPASS_EMU_DIR/vms/agentrun/home/.local/bin/claude"
ar vm provision
assert_eq 0 "$RC" "provision: $ERR"
[ -x "$MULTIPASS_EMU_DIR/vms/agentrun/home/.local/bin/claude" ] || fail "not provisioned again"
ar vm provision nosuch
assert_eq 2 "$RC" "provision nosuch"
# '--' ends the options, as for the other commands.
ar vm provision -- claude
assert_eq 0 "$RC" "provision -- claude: $ERR"
ar vm provision -- claude extra
assert_eq 2 "$RC" "provision -- claude extra"
assert_contains "unexpected argument: extra" "$ERR"
# A failing install says what to do.
write_config '"vm": {"cpus": 2}'
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"claude": {"install": "echo no network >&2; exit 7"}}}
JSON
ar vm provision
assert_eq 1 "$RC"
assert_contains "no network" "$ERR"
assert_contains "installing claude in VM agentrun failed (status 7); fix the problem above, then run 'agentrun vm provision claude'" "$ERR"
write_config

# doctor finds what is wrong, one line each, and exits 1.
MULTIPASS_EMU_DAEMON_DOWN=1 ar doctor
assert_eq 1 "$RC" "doctor, daemon down"
assert_contains "FAIL  daemon: the multipass daemon is not running: start it with" "$OUT"
OUT=$(PATH=/usr/bin:/bin "$AGENTRUN" doctor 2>/dev/null)
RC=$?
assert_eq 1 "$RC" "doctor, no multipass"
assert_contains "FAIL  multipass: not installed: install it with" "$OUT"
echo '{"vm": {"memory": 4}}' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar doctor
assert_eq 1 "$RC" "doctor, bad config"
assert_contains "FAIL  config: $XDG_CONFIG_HOME/agentrun/config.json: vm.memory: expected a size like \"4G\"" "$OUT"
# A cloud-init file that is not there: doctor says so before a launch
# would.
write_config '"vm": {"cloud_init": "~/no-such-ci.yaml"}'
ar doctor
assert_eq 1 "$RC" "doctor, missing cloud-init file"
assert_contains "FAIL  vm.cloud_init: $HOME/no-such-ci.yaml: No such file or directory" "$OUT"
# A launch that finds it missing: the session cannot start (125), and the
# message names the key and the config file.
ar_in "$P" --vm ci-x run -- true
assert_eq 125 "$RC" "run, missing cloud-init file"
assert_contains "agentrun: $XDG_CONFIG_HOME/agentrun/config.json: vm.cloud_init: $HOME/no-such-ci.yaml: No such file or directory" "$ERR"
assert_eq none "$(vm_state ci-x)" "no launch without the cloud-init file"
# A relative one would be read from the current folder (the project,
# which the agent can write): a config error.
echo 'packages: [evil]' >"$P/ci.yaml"
write_config '"vm": {"cloud_init": "ci.yaml"}'
reset_calls
ar_in "$P" --vm ci-x run -- true
assert_eq 2 "$RC" "run, relative cloud-init file"
assert_contains "agentrun: $XDG_CONFIG_HOME/agentrun/config.json: vm.cloud_init: \"ci.yaml\" is a relative path, which would be read from the current folder (often the project, which the agent can write): use an absolute path or one starting with ~/" "$ERR"
assert_eq 0 "$(ncalls)" "no multipass call with a relative cloud-init file"
ar_in "$P" doctor
assert_eq 1 "$RC" "doctor, relative cloud-init file"
assert_contains "FAIL  config: $XDG_CONFIG_HOME/agentrun/config.json: vm.cloud_init: \"ci.yaml\" is a relative path" "$OUT"
rm "$P/ci.yaml"
# The file goes on multipass's stdin: a snap multipass cannot read hidden
# folders such as ~/.config, where it usually is (it failed "Could not
# load cloud-init configuration").
printf 'packages: [tree]\n' >"$XDG_CONFIG_HOME/agentrun/ci.yaml"
write_config "\"vm\": {\"cloud_init\": \"$XDG_CONFIG_HOME/agentrun/ci.yaml\"}"
MULTIPASS_EMU_SNAP=1 ar --vm ci-s vm start
assert_eq 0 "$RC" "snap, cloud-init in a hidden folder: $ERR"
grep -q '^multipass launch --name ci-s .*--cloud-init - ' "$CALLS" || fail "launch: $(grep launch "$CALLS")"
assert_eq "packages: [tree]" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["instances"]["ci-s"]["cloud_init"], end="")' "$MULTIPASS_EMU_DIR/state.json")" "cloud-init text"
"$ROOT/tests/multipass" delete --purge ci-s
echo '{"vm": {"memory": 4}}' >"$XDG_CONFIG_HOME/agentrun/config.json"
# A bad config: 2 for vm as for run (doctor reports it, and fails, with 1).
ar vm status
assert_eq 2 "$RC" "vm status, bad config"
ar_in "$P" run -- true
assert_eq 2 "$RC" "run, bad config"
write_config
# A dangerous mount someone added by hand.
"$ROOT/tests/multipass" mount "$HOME" agentrun:/srv/home >/dev/null
ar doctor
assert_eq 1 "$RC" "doctor, home mounted"
assert_contains "FAIL  mount $HOME => /srv/home: refusing to mount your home folder $HOME; the next session removes it, or remove it now with 'multipass umount agentrun:/srv/home'" "$OUT"
assert_not_contains "project folder" "$OUT"
assert_not_contains "-C DIR" "$OUT"
# Other refusals keep their reason, and the same end.
"$ROOT/tests/multipass" umount agentrun >/dev/null
mkdir -p "$HOME/.ssh"
"$ROOT/tests/multipass" mount "$HOME/.ssh" agentrun:/srv/ssh >/dev/null
ar doctor
assert_contains "FAIL  mount $HOME/.ssh => /srv/ssh: refusing to mount $HOME/.ssh: hidden folders of your home hold settings and credentials; the next session removes it, or remove it now with 'multipass umount agentrun:/srv/ssh'" "$OUT"
# A target with a space: the command to paste quotes it (it said
# 'multipass umount agentrun:/srv/my ssh', which umounts /srv/my).
"$ROOT/tests/multipass" umount agentrun >/dev/null
"$ROOT/tests/multipass" mount "$HOME/.ssh" "agentrun:/srv/my ssh" >/dev/null
ar doctor
assert_contains "the next session removes it, or remove it now with \"multipass umount 'agentrun:/srv/my ssh'\"" "$OUT"
# And the next session does.
ar_in "$P" run -- true
assert_eq 0 "$RC" "run after a refused mount: $ERR"
assert_eq "$P => $P" "$(vm_mounts)" "mounts after the next session"

# delete asks first; without a terminal it wants --yes, and then purges.
ar vm delete
assert_eq 2 "$RC" "delete without --yes, no terminal"
assert_contains "confirm with 'agentrun vm delete --yes'" "$ERR"
[ "$(vm_state)" != none ] || fail "deleted without --yes"
ar vm delete --yes
assert_eq 0 "$RC" "delete: $ERR"
assert_eq none "$(vm_state)"
ar vm status
assert_contains "not created ('agentrun claude' or 'agentrun vm start' creates it)" "$OUT"
# Another VM than the configured one: the hints name it (following them
# acted on the configured VM).
ar --vm nosuch vm status
assert_contains "('agentrun --vm nosuch claude' or 'agentrun --vm nosuch vm start' creates it)" "$OUT"
ar --vm nosuch vm provision
assert_eq 1 "$RC" "provision of a VM that does not exist"
assert_contains "'agentrun --vm nosuch vm start' creates it" "$ERR"
ar --vm nosuch doctor
assert_contains "('agentrun --vm nosuch claude' creates it" "$OUT"
"$ROOT/tests/multipass" launch --name other >/dev/null 2>&1 || fail "launch other"
ar --vm other vm delete
assert_eq 2 "$RC" "delete of another VM without --yes"
assert_contains "'agentrun --vm other vm delete --yes'" "$ERR"
# Acting on a VM that does not exist says so, and where to see the ones
# there are (stop and delete passed multipass's words through).
for c in "vm mounts" "vm stop" "vm delete --yes"; do
	ar --vm nosuch $c
	assert_eq 1 "$RC" "$c of a VM that does not exist"
	assert_eq "agentrun: VM nosuch does not exist ('multipass list' shows the ones there are)" "$ERR" "$c"
done
exit 0
