#!/usr/bin/env bash
# The emulator against the reference samples: JSON and table layouts of
# both versions, error texts and exit codes, spinner bytes, the state
# machine, exec and the call log.
. "$(dirname "$0")/../lib/common.sh"
D=$ROOT/tests/data/multipass
MP=$ROOT/tests/multipass

# Seed the instances the samples describe (their mount sources do not
# exist here, so they cannot be made with mount).
seed() {
	mkdir -p "$MULTIPASS_EMU_DIR"
	cat >"$MULTIPASS_EMU_DIR/state.json" <<'JSON'
{"instances": {
 "agentrun-demo": {"state": "Running", "cpus": 2, "ipv4": "10.154.77.23",
  "mounts": {"/home/ubuntu/project": {"gid_mappings": ["1000:default"],
   "source_path": "/home/alice/src/project", "uid_mappings": ["1000:default"]}},
  "binds": {}},
 "primary": {"state": "Stopped", "mounts": {}, "binds": {}},
 "scratch-vm": {"state": "Suspended", "list_release": "Ubuntu 22.04 LTS",
  "mounts": {}, "binds": {}},
 "agentrun-old": {"state": "Deleted",
  "mounts": {"/home/ubuntu/project": {"gid_mappings": ["1000:default"],
   "source_path": "/home/alice/src/project", "uid_mappings": ["1000:default"]}},
  "binds": {}}
}}
JSON
}
same() {	# sample-file command...: stdout must equal the file, bytes
	local f=$1
	shift
	"$@" >"$T/same.out" || fail "$*: status $?"
	cmp -s "$T/same.out" "$D/$f" || {
		diff "$T/same.out" "$D/$f" >&2
		fail "$* differs from $f"
	}
}
expect() {	# status stderr-text command...
	local st=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>&1 >/dev/null)
	rc=$?
	assert_eq "$st" "$rc" "status of $*"
	assert_eq "$want" "$got" "stderr of $*"
}

seed
same info-running.json "$MP" info agentrun-demo --format json
same info-running.table.txt "$MP" info agentrun-demo
same info-deleted.json "$MP" info agentrun-old --format json
same list.json "$MP" list --format json
same list.table.txt "$MP" list
same version.txt "$MP" version
same version.json "$MP" version --format json
same version-daemon-unreachable.txt env MULTIPASS_EMU_DAEMON_DOWN=1 "$MP" version
same version-daemon-unreachable.json env MULTIPASS_EMU_DAEMON_DOWN=1 "$MP" version --format json
"$MP" stop agentrun-demo >/dev/null
same info-stopped.json "$MP" info agentrun-demo --format json
same info-stopped.table.txt "$MP" info agentrun-demo
"$MP" start agentrun-demo >/dev/null

export MULTIPASS_EMU_VERSION=1.17.0-dev
same info-running.v1.17-dev.json "$MP" info agentrun-demo --format json
same list.v1.17-dev.json "$MP" list --format json
same info-deleted.v1.17-dev.json "$MP" info agentrun-old --format json
"$MP" stop agentrun-demo >/dev/null
same info-stopped.v1.17-dev.json "$MP" info agentrun-demo --format json
unset MULTIPASS_EMU_VERSION
rm -rf "$MULTIPASS_EMU_DIR"
same info-empty.json "$MP" info --format json
same list-empty.json "$MP" list --format json
[ "$("$MP" list)" = "No instances found." ] || fail "empty list table"

# --no-runtime-information leaves the runtime fields empty.
seed
out=$("$MP" info agentrun-demo --no-runtime-information --format json)
assert_contains '"cpu_count": ""' "$out"
assert_contains '"state": "Running"' "$out"
assert_contains '"source_path": "/home/alice/src/project"' "$out"

# Error texts and exit codes (errors.txt).
SOCK=/var/snap/multipass/common/multipass_socket
DOWN="list failed: cannot connect to the multipass socket
Please ensure multipassd is running and '$SOCK' is accessible"
MULTIPASS_EMU_DAEMON_DOWN=1 expect 2 "$DOWN" "$MP" list
MULTIPASS_EMU_DAEMON_DOWN=1 expect 2 "${DOWN//list/exec}
${DOWN//list/exec}" "$MP" exec agentrun-demo -- true
MULTIPASS_EMU_UNAUTH=1 expect 2 "list failed: The user is not authenticated with the Multipass service.

Please authenticate before proceeding (e.g. via 'multipass authenticate'). Note that you first need an authenticated user to set and provide you with a trusted passphrase (e.g. via 'multipass set local.passphrase')." "$MP" list
MULTIPASS_EMU_DENIED=1 expect 2 "list failed: multipass socket access denied
Please check that you have read/write permissions to '$SOCK'" "$MP" list
# version fails on no daemon answer: the client line alone, exit 0.
for sw in DENIED UNAUTH; do
	same version-daemon-unreachable.json env MULTIPASS_EMU_$sw=1 "$MP" version --format json
done
expect 2 'info failed: The following errors occurred:
instance "nope" does not exist' "$MP" info nope --format json
expect 2 'exec failed: The following errors occurred:
instance "nope" does not exist
exec failed: The following errors occurred:
instance "nope" does not exist' "$MP" exec nope -- true
expect 2 'exec failed: The following errors occurred:
instance "nope" does not exist' "$MP" exec -n nope -- true
expect 2 'exec failed: The following errors occurred:
instance "agentrun-old" is deleted' "$MP" exec agentrun-old -- true
expect 2 "start failed: instance(s) missing
Instance 'agentrun-old' is deleted. Use 'recover' to recover it or 'purge' to permanently delete it." "$MP" start agentrun-old
expect 2 "start failed: instance(s) missing
Instance 'nope' does not exist." "$MP" start nope
expect 2 "mount failed: The following errors occurred:
instance 'nope' does not exist" "$MP" mount "$T" nope:/x
expect 2 'launch failed: instance "agentrun-old" already exists' "$MP" launch --name agentrun-old
expect 2 'launch failed: Unable to find an image matching "nosuch" in remote "".' "$MP" launch --name agentrun-old nosuch
expect 2 'launch failed: Invalid arguments supplied
Invalid instance name supplied: 1vm' "$MP" launch --name 1vm
expect 1 "Error: invalid CPU count '0', need a positive integer value." "$MP" launch --cpus 0
# Sizes: an integer with K/M/G (B, iB), a decimal only before K/M/G; the
# minimums are 1.16's 128M and 512M, 1.17's 512M and 1G.
for v in 1e3G 4.G "4G " infG 1.5 -1G; do
	got=$("$MP" launch --name sz --memory "$v" 2>&1 >/dev/null)
	assert_eq 1 "$?" "status of launch --memory '$v'"
	assert_contains "Caught an unhandled exception: $v is not a valid memory size" "$got" "launch --memory '$v'"
done
expect 2 'launch failed: Invalid arguments supplied
Invalid memory size value supplied: 100M.' "$MP" launch --name sz --memory 100M
MULTIPASS_EMU_VERSION=1.17.0 expect 2 'launch failed: Invalid arguments supplied
Invalid memory size value supplied: 256M.' "$MP" launch --name sz --memory 256M
MULTIPASS_EMU_VERSION=1.17.0 expect 2 'launch failed: Invalid arguments supplied
Invalid disk size value supplied: 768M.' "$MP" launch --name sz --disk 768M
expect 1 "Wrong number of arguments" "$MP" exec agentrun-demo
expect 1 "Unknown options: l, a.

Options to the inner command should come after \"--\", like this:
multipass exec <instance> -- <command> <arguments>" "$MP" exec agentrun-demo ls -la
expect 1 "Options --working-directory and --no-map-working-directory clash" "$MP" exec -d /srv -n agentrun-demo -- pwd
expect 1 "Options --working-directory and --no-map-working-directory clash" "$MP" exec -d /srv -n agentrun-demo
expect 1 "Source path \"/nope\" does not exist" "$MP" mount /nope agentrun-demo
expect 1 "Source path \"/etc/hostname\" is not a directory" "$MP" mount /etc/hostname agentrun-demo
expect 2 "mount failed: The following errors occurred:
unable to mount to \"/home/ubuntu\"" "$MP" mount "$T" agentrun-demo:/home/ubuntu
expect 2 "mount failed: The following errors occurred:
\"/home/ubuntu/project\" is already mounted in 'agentrun-demo'" "$MP" mount "$T" agentrun-demo:/home/ubuntu/project
expect 2 "umount failed: The following errors occurred:
path \"/home/ubuntu/nothing-here\" is not mounted in 'agentrun-demo'" "$MP" umount agentrun-demo:/home/ubuntu/nothing-here
expect 1 "This command takes no arguments" "$MP" list foo
expect 1 "Too many arguments given" "$MP" shell a b
expect 1 "Name argument or --all is required" "$MP" delete
out=$("$MP" frobnicate 2>/dev/null)
assert_eq 1 "$?" "unknown command status"
assert_eq "Error: Unknown command or alias 'frobnicate' (try \"multipass help\" or \"multipass aliases\")" "$out"
MULTIPASS_EMU_SNAP=1 expect 1 "Source path \"$T\" does not exist" "$MP" mount "$T" agentrun-demo

# Spinner bytes: start, and exec auto-starting a stopped instance.
"$MP" stop agentrun-demo >/dev/null
out=$("$MP" exec agentrun-demo -- echo hi | od -An -c | tr -s ' ' | tr -d '\n')
want=$(printf '\033[2K\033[0A\033[0EStarting agentrun-demo  \b/\b-\b\\\b|\b \033[2K\033[0A\033[0Ehi\n' | od -An -c | tr -s ' ' | tr -d '\n')
assert_eq "$want" "$out" "exec auto-start bytes"
assert_eq Running "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["instances"]["agentrun-demo"]["state"])' "$MULTIPASS_EMU_DIR/state.json")"
# Mount prints two clear-line triples once sshfs is there.
mkdir -p "$T/src"
"$MP" mount "$T/src" agentrun-demo:/srv/src >/dev/null
out=$("$MP" mount "$T/src" agentrun-demo:/srv/src2 | od -An -c | tr -s ' ' | tr -d '\n')
want=$(printf '\033[2K\033[0A\033[0E\033[2K\033[0A\033[0E' | od -An -c | tr -s ' ' | tr -d '\n')
assert_eq "$want" "$out" "mount bytes"

# State machine.
"$MP" launch --name sm >/dev/null || fail launch
"$MP" stop sm >/dev/null && "$MP" stop sm >/dev/null || fail "stop twice"
"$MP" start sm >/dev/null && "$MP" start sm >/dev/null || fail "start twice"
"$MP" delete sm && "$MP" delete sm || fail "delete twice"
"$MP" info sm --format json | grep -q '"state": "Deleted"' || fail "deleted state"
"$MP" recover sm && "$MP" info sm --format json | grep -q '"state": "Stopped"' || fail "recover"
"$MP" delete --purge sm && ! "$MP" info sm >/dev/null 2>&1 || fail "purge"
"$MP" launch --name sm2 >/dev/null && "$MP" delete sm2 && "$MP" purge || fail "purge all"
"$MP" info sm2 >/dev/null 2>&1 && fail "sm2 still there"
out=$("$MP" launch --name sm3 | tr -d '\033\b' | tail -n 1)
assert_match "*Launched: sm3" "$out"
out=$(MULTIPASS_EMU_VERSION=1.17.0 "$MP" launch --name sm4 | tail -n 1)
assert_match "*Launched: sm4 in zone1" "$out"

# exec: status through, argv preserved, working folder mapped, guest HOME.
mkdir -p "$T/proj/sub"
"$MP" mount "$T/proj" sm3:"$T/proj" >/dev/null
"$MP" exec sm3 -- sh -c 'exit 33' </dev/null
assert_eq 33 "$?" "exec status"
out=$("$MP" exec sm3 -d "$T/proj/sub" -- sh -c 'pwd; printf "[%s]" "$@"; echo " $HOME $USER"' sh "a b" '$(x)' -n </dev/null)
assert_eq "$T/proj/sub
[a b][\$(x)][-n] $MULTIPASS_EMU_DIR/vms/sm3/home ubuntu" "$out"
out=$(cd "$T/proj/sub" && "$MP" exec sm3 -- pwd </dev/null)
assert_eq "$T/proj/sub" "$out" "mapped working folder"
out=$("$MP" exec sm3 -- pwd </dev/null)
assert_eq "$MULTIPASS_EMU_DIR/vms/sm3/home" "$out" "unmapped: home"
out=$("$MP" exec sm3 -d /nowhere -- pwd </dev/null 2>&1)
assert_eq 1 "$?" "cd failure status"
assert_contains "cd: /nowhere: No such file or directory" "$out"
NOT_FORWARDED=x "$MP" exec sm3 -- sh -c '[ -z "$NOT_FORWARDED" ]' </dev/null || fail "host environment leaked"
"$MP" exec sm3 -- sh -c 'exit 4' </dev/null
assert_eq 4 "$?" "exec 4"
assert_eq 3 "$(wc -l <"$MULTIPASS_EMU_DIR/reruns.log" | tr -d ' ')" "1.16 re-runs"
rm "$MULTIPASS_EMU_DIR/reruns.log"
MULTIPASS_EMU_VERSION=1.17.0 "$MP" exec sm3 -- sh -c 'exit 4' </dev/null
assert_eq 4 "$?" "1.17 exec 4"
[ ! -e "$MULTIPASS_EMU_DIR/reruns.log" ] || fail "1.17 re-ran"
# umount NAME removes all.
"$MP" umount sm3 && "$MP" info sm3 --format json | grep -q '"mounts": {' || fail "umount all"

# Launch failure switches.
MULTIPASS_EMU_FAIL_LAUNCH=timeout expect 2 "launch failed: The following errors occurred:
timed out waiting for initialization to complete" "$MP" launch --name lt
"$MP" info lt --format json | grep -q '"state": "Running"' || fail "timed-out launch left no instance"
MULTIPASS_EMU_FAIL_LAUNCH=error expect 2 'launch failed: Remote "" is unknown or unreachable.' "$MP" launch --name le
"$MP" info le >/dev/null 2>&1 && fail "failed launch left an instance"

# Slow calls.
start=$(date +%s%N)
MULTIPASS_EMU_DELAY=0.3 "$MP" version >/dev/null
[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 300 ] || fail "delay"

# A bind made in the guest from a mount outlives the mount's umount (it
# holds its file system), as binds do.
"$MP" launch --name bd >/dev/null || fail "launch bd"
mkdir -p "$T/bsrc"
"$MP" mount "$T/bsrc" bd:/srv/s >/dev/null || fail "mount bd"
"$MP" exec bd -- sudo mount --bind -o ro /srv/s /srv/view </dev/null || fail "bind"
"$MP" umount bd:/srv/s || fail "umount bd"
"$MP" exec bd -- mountpoint -q /srv/view </dev/null || fail "umount dropped a guest bind"
"$MP" umount bd || fail "umount bd, all"
"$MP" exec bd -- mountpoint -q /srv/view </dev/null || fail "umount of all dropped a guest bind"
"$MP" stop bd >/dev/null && "$MP" start bd >/dev/null || fail "restart bd"
"$MP" exec bd -- mountpoint -q /srv/view </dev/null && fail "a bind outlived a reboot"

# Every call is logged, shell-quoted.
: >"$MULTIPASS_EMU_DIR/calls.log"
"$MP" exec sm3 -- printf '%s' "it's" >/dev/null </dev/null
assert_eq "multipass exec sm3 -- printf %s 'it'\"'\"'s'" "$(cat "$MULTIPASS_EMU_DIR/calls.log")"
exit 0
