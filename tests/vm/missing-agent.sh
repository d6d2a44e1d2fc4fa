#!/usr/bin/env bash
# Claude Code missing in the VM: a message that says agentrun vm provision;
# the login shell is what puts ~/.local/bin on PATH.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
ar_in "$P" run -- true	# a VM with no agent
ar_in "$P" claude hi
assert_eq 127 "$RC" "missing claude"
assert_contains "agentrun: claude is not installed in the VM; install it with 'agentrun vm provision'" "$OUT"

ar vm provision
assert_eq 0 "$RC" "provision: $ERR"
ar_in "$P" claude hi
assert_eq 0 "$RC" "after provision: $OUT"
assert_contains "FAKE-CLAUDE" "$OUT"

# exec alone is not a login shell: without agentrun's wrapper claude is
# not on PATH (this is why the wrapper exists).
"$ROOT/tests/multipass" exec agentrun -- claude </dev/null >/dev/null 2>&1
assert_eq 127 "$?" "plain exec finds claude"
"$ROOT/tests/multipass" exec agentrun -- bash -lc 'claude --exit 0' </dev/null >/dev/null 2>&1
assert_eq 0 "$?" "login shell finds claude"

# An agent whose command is missing says the same.
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"aider": {"command": "aider --yes", "install": "true"}}}
JSON
ar_in "$P" aider
assert_eq 127 "$RC"
assert_contains "agentrun: aider is not installed in the VM; install it with 'agentrun vm provision'" "$OUT"
exit 0
