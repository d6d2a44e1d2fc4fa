#!/usr/bin/env bash
# First run launches, provisions, mounts and execs; the second run takes
# the warm path: exactly two multipass calls (info, exec).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj shop)
mkdir -p "$P/sub/dir"
ar_in "$P/sub/dir" claude --version
[ "$RC" = 0 ] || fail "first run: status $RC: $ERR"
assert_contains "FAKE-CLAUDE cwd=$P" "$OUT" "runs in the project root"
assert_contains "argx: $(hex --version)" "$OUT"
assert_contains "creating VM agentrun" "$ERR"
assert_contains "installing claude in VM agentrun" "$ERR"
assert_contains "mounting $P into VM agentrun" "$ERR"
assert_contains "installing sshfs in the VM for its first mount" "$ERR"

# The calls, in order.
mapfile -t c <"$CALLS"
assert_eq "multipass info agentrun --no-runtime-information --format json" "${c[0]}" "call 1"
assert_match "multipass launch --name agentrun --cpus 2 --memory 4G --disk 20G --timeout 900 24.04" "${c[1]}" "call 2"
assert_match "multipass exec agentrun -n -- bash -lc *mkdir -p ~/.local/bin*" "${c[2]}" "call 3: provision"
assert_eq "multipass info agentrun --no-runtime-information --format json" "${c[3]}" "call 4"
assert_eq "multipass mount $P agentrun:$P" "${c[4]}" "call 5"
assert_eq "multipass version --format json" "${c[5]}" "call 6"
assert_match "multipass exec agentrun -d $P -- bash -lc * agentrun 'agentrun vm provision claude' claude --version" "${c[6]}" "call 7"
assert_eq 7 "${#c[@]}" "number of calls"
assert_eq "$P => $P" "$(vm_mounts)" "mounts"
assert_eq Running "$(vm_state)"

# The config's sizes reach launch.
# Warm path.
reset_calls
ar_in "$P" claude hello
[ "$RC" = 0 ] || fail "warm run: status $RC: $ERR"
assert_contains "argx: $(hex hello)" "$OUT"
assert_eq 2 "$(ncalls)" "warm path calls"
mapfile -t c <"$CALLS"
assert_eq "multipass info agentrun --no-runtime-information --format json" "${c[0]}"
assert_match "multipass exec agentrun -d $P -- *" "${c[1]}"
assert_eq "" "$ERR" "warm path is quiet"

# The sidecar has the VM's provenance.
side=$(ls -1t "$STORE"/*.json 2>/dev/null | head -n 1)
if [ -n "$side" ]; then
	python3 - "$side" "$P" <<'PY' || fail "sidecar provenance"
import json, sys
s = json.load(open(sys.argv[1]))
assert s.get("vm") == "agentrun", s
assert s.get("multipass_version") == "1.16.3", s
mounts = s.get("mounts")
assert mounts and mounts[0]["source"] == sys.argv[2], s
assert mounts[0]["target"] == sys.argv[2], s
PY
fi

# Config values reach launch: a second VM by --vm with other sizes.
write_config '"vm": {"cpus": 3, "memory": "2G", "disk": "8G", "image": "22.04"}'
reset_calls
ar_in "$P" --vm other run -- true
[ "$RC" = 0 ] || fail "--vm other: status $RC: $ERR"
grep -q '^multipass launch --name other --cpus 3 --memory 2G --disk 8G --timeout 900 22.04$' "$CALLS" ||
	fail "launch arguments: $(cat "$CALLS")"
# run does not provision an agent.
grep -q 'bash .*-lc .*mkdir' "$CALLS" && fail "run provisioned an agent"

# -v shows every multipass call, the exec too, which holds no forwarded
# value (the guest reads them from its terminal).
write_config
ANTHROPIC_API_KEY=sk-first-run-secret ar_in "$P" -v claude --version
assert_eq 0 "$RC" "claude -v: $ERR"
assert_contains "run: multipass info" "$ERR"
assert_contains "run: multipass exec agentrun -d $P -- bash -lc" "$ERR"
assert_not_contains "sk-first-run-secret" "$ERR" "-v output"
exit 0
