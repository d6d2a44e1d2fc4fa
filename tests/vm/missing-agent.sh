#!/usr/bin/env bash
# Claude Code missing in the VM: a message that says agentrun vm provision
# and names the agent; the login shell is what puts ~/.local/bin on PATH.
# Another agent's message names that agent, and 'vm provision AGENT'
# installs it; another VM is named with --vm.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
ar_in "$P" run -- true	# a VM with no agent
ar_in "$P" claude hi
assert_eq 127 "$RC" "missing claude"
assert_contains "agentrun: claude is not installed in the VM; install it with 'agentrun vm provision claude'" "$OUT"

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

# An agent whose command is missing names that agent (its profile, here
# not the command's name), and provisioning it by name installs it.
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"helper": {"command": "aider --yes",
  "install": "mkdir -p ~/.local/bin && printf '#!/bin/sh\\necho FAKE-AIDER \"$@\"\\n' >~/.local/bin/aider && chmod +x ~/.local/bin/aider"}}}
JSON
ar_in "$P" helper
assert_eq 127 "$RC"
assert_contains "agentrun: aider is not installed in the VM; install it with 'agentrun vm provision helper'" "$OUT"
ar vm provision helper
assert_eq 0 "$RC" "provision helper: $ERR"
ar_in "$P" helper hi
assert_eq 0 "$RC" "after provision helper: $OUT $ERR"
assert_contains "FAKE-AIDER --yes hi" "$OUT"
ar vm provision nosuch
assert_eq 2 "$RC" "provision of an unknown agent (a usage error)"
assert_contains "no agent profile 'nosuch' in the config" "$ERR"

# On another VM than the configured one, the advice names it (it would
# install into the wrong VM otherwise); so does a failed install's.
ar_in "$P" --vm other run -- true
ar_in "$P" --vm other helper
assert_eq 127 "$RC" "missing on another VM"
assert_contains "install it with 'agentrun --vm other vm provision helper'" "$OUT"
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"failer": {"command": "nothere", "install": "exit 3"},
  "piped": {"command": "nothere", "install": "set -o pipefail; false | bash"},
  "yes": {"command": "nothere", "install": "yes | head -n 1 >/dev/null"},
  "noinst": {"command": "nothere"}}}
JSON
ar --vm other vm provision failer
assert_eq 1 "$RC" "failed install"
assert_contains "then run 'agentrun --vm other vm provision failer'" "$ERR"
# A download that fails in 'curl ... | bash' (the built-in install) fails
# the install: bash given nothing succeeds.
ar --vm other vm provision piped
assert_eq 1 "$RC" "failed download piped into bash"
assert_contains "installing piped in VM other failed (status 1)" "$ERR"
# A config's own install keeps the shell's usual pipelines: 'yes | head'
# (yes dies of SIGPIPE) is a success, as in any shell.
ar --vm other vm provision yes
assert_eq 0 "$RC" "yes | head in an install command: $ERR"
# A profile with no install command gets no advice to run one.
ar_in "$P" noinst
assert_eq 127 "$RC" "missing, no install command"
assert_contains "agentrun: nothere is not installed in the VM; its agent profile has no install command" "$OUT"
assert_not_contains "vm provision" "$OUT"
exit 0
