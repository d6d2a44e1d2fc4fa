# tests/data/multipass/vm-setup.sh: sourced by tests/vm/*.sh after
# tests/lib/common.sh. A config whose claude install command drops the fake
# claude into the emulated VM, projects, and readers of the emulator's
# state and call log (which never call the emulator, so never log).
FAKE_CLAUDE=$ROOT/tests/data/multipass/fake-claude
CALLS=$MULTIPASS_EMU_DIR/calls.log
mkdir -p "$XDG_CONFIG_HOME/agentrun"
write_config() {	# [extra JSON members for the top level]
	cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<JSON
{"agents": {"claude": {"install": "mkdir -p ~/.local/bin && cp '$FAKE_CLAUDE' ~/.local/bin/claude"}}${1:+, $1}}
JSON
}
write_config
mkproj() {	# name: a git project under $T
	mkdir -p "$T/$1"
	git -C "$T/$1" init -q 2>/dev/null || mkdir -p "$T/$1/.git"
	echo "$T/$1"
}
ncalls() { [ -f "$CALLS" ] && wc -l <"$CALLS" | tr -d ' ' || echo 0; }
reset_calls() { : >"$CALLS"; }
# The VM's mounts as "SOURCE => TARGET" lines, sorted.
vm_mounts() {
	python3 - "$MULTIPASS_EMU_DIR/state.json" "${1:-agentrun}" <<'PY'
import json, sys
try:
    st = json.load(open(sys.argv[1]))
except FileNotFoundError:
    sys.exit(0)
inst = st["instances"].get(sys.argv[2])
if inst:
    for t, m in sorted(inst["mounts"].items()):
        print("%s => %s" % (m["source_path"], t))
PY
}
vm_state() {
	python3 - "$MULTIPASS_EMU_DIR/state.json" "${1:-agentrun}" <<'PY'
import json, sys
try:
    st = json.load(open(sys.argv[1]))
    print(st["instances"][sys.argv[2]]["state"])
except (FileNotFoundError, KeyError):
    print("none")
PY
}
vm_set_state() {	# state [name]: as if multipass had brought the VM there
	python3 - "$MULTIPASS_EMU_DIR/state.json" "${2:-agentrun}" "$1" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
st["instances"][sys.argv[2]]["state"] = sys.argv[3]
json.dump(st, open(sys.argv[1], "w"))
PY
}
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
# Run agentrun in directory $1 (rest: arguments); OUT, ERR, RC as ar().
ar_in() {
	local d=$1
	shift
	OUT=$(cd "$d" && "$AGENTRUN" "$@" 2>"$T/stderr" </dev/null)
	RC=$?
	ERR=$(cat "$T/stderr")
}
