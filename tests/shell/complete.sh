#!/usr/bin/env bash
# tests/shell/complete.sh: 'agentrun __complete KIND', the listing the
# completion scripts read: its exact output for each kind, its usage
# errors, a broken config, and speed with 10,000 sessions in the store
# (directory names only: no sidecar is read), never calling multipass.
. "$(dirname "$0")/../lib/common.sh"
TAB=$'\t'

# Empty store (not even created yet): just latest.
ar __complete sessions
assert_eq 0 "$RC" "status, no store"
assert_eq "latest${TAB}the newest session (of this project, else of all)" \
	"$OUT" "sessions, no store"

mkdir -p "$STORE" "$XDG_STATE_HOME/agentrun/live"
for f in 20240101-000000-aaaa.cast.zst 20240101-000000-aaaa.json \
    20250101-090000-cccc.json 20240315-120000-bbbb.cast.zst \
    notes.txt 20240101-000000-aaaa.json.tmp 20240101-000000-ABCD.cast.zst \
    .20240101-000000-dddd.json; do
	: >"$STORE/$f"
done
ar __complete sessions
assert_eq "latest${TAB}the newest session (of this project, else of all)
20250101-090000-cccc
20240315-120000-bbbb
20240101-000000-aaaa" "$OUT" "sessions"

# VMs: the config's first, then those with a lock in the state dir.
for f in zeta.lock alpha.lock agentrun.lock primary.lock bad_name.lock \
    -x.lock multipass-version; do
	: >"$XDG_STATE_HOME/agentrun/$f"
done
ar __complete vms
assert_eq 0 "$RC" "status of vms"
assert_eq "agentrun${TAB}the default VM (config vm.name)
alpha${TAB}used before
zeta${TAB}used before" "$OUT" "vms"
mkdir -p "$XDG_CONFIG_HOME/agentrun"
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'EOF'
{ "vm": { "name": "zeta" },
  "agents": { "aider": { "command": ["aider", "--no-git"] },
              "codex": { "description": "OpenAI Codex" } } }
EOF
ar __complete vms
assert_eq "zeta${TAB}the default VM (config vm.name)
agentrun${TAB}used before
alpha${TAB}used before" "$OUT" "vms with vm.name"

ar __complete agents
assert_eq "claude${TAB}Claude Code
aider${TAB}an agent from the config
codex${TAB}OpenAI Codex" "$OUT" "agents"

ar __complete commands
assert_eq 0 "$RC" "status of commands"
assert_eq "claude${TAB}run Claude Code in the project's VM" \
	"$(head -n 1 <<<"$OUT")" "first command"
assert_not_contains "__complete" "$OUT" "commands"
assert_contains "replay${TAB}play a session back in the terminal" "$OUT"
assert_contains "vm${TAB}look after the VM" "$OUT"
assert_eq "aider${TAB}an agent from the config
codex${TAB}OpenAI Codex" "$(tail -n 2 <<<"$OUT")" "agents among commands"
# The commands are exactly those of 'agentrun help'.
assert_eq "$("$AGENTRUN" help | sed -nE '/^Commands:/,/^$/s/^  ([a-z_-]+) .*/\1/p')" \
	"$(cut -f 1 <<<"$OUT")" "commands vs agentrun help"

# A broken config: the built-in values still come, with a message.
echo '{ "vm": { "nmae": "x" } }' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar __complete agents
assert_eq 1 "$RC" "status, broken config"
assert_eq "claude${TAB}Claude Code" "$OUT" "agents, broken config"
assert_contains "vm.nmae" "$ERR" "message, broken config"
ar __complete vms
assert_eq "agentrun${TAB}the default VM (config vm.name)
alpha${TAB}used before
zeta${TAB}used before" "$OUT" "vms, broken config"
rm "$XDG_CONFIG_HOME/agentrun/config.json"

# Usage.
for args in "" "bogus" "sessions vms"; do
	# shellcheck disable=SC2086
	ar __complete $args
	assert_eq 2 "$RC" "status of __complete $args"
	assert_eq "" "$OUT" "stdout of __complete $args"
	assert_contains "Try 'agentrun __complete --help'." "$ERR"
done
ar __complete --help
assert_eq 0 "$RC" "__complete --help"
assert_contains "usage: agentrun __complete sessions|vms|agents|commands" "$OUT"
ar help
assert_not_contains "__complete" "$OUT" "agentrun help"

# 10,000 sessions, with sidecars that are not JSON: only names are read.
rm -f "$STORE"/*
(cd "$STORE" && for ((i = 0; i < 10000; i++)); do
	printf -v id '2024%04d-%06d-%04x' $((101 + i % 1100)) "$i" "$i"
	: >"$id.cast.zst"
	echo garbage >"$id.json"
done) || fail "making 10,000 sessions"
start=$(date +%s%N)
ar __complete sessions
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 0 "$RC" "status, 10,000 sessions"
assert_eq 10001 "$(wc -l <<<"$OUT")" "lines, 10,000 sessions"
[ "$(sed -n 2p <<<"$OUT")" \> "$(sed -n 3p <<<"$OUT")" ] || fail "not newest first"
limit=500
[ "${SANITIZE-}" = 1 ] && limit=2000
[ $ms -lt $limit ] || fail "__complete sessions took $ms ms (limit $limit)"

# The bash completion on top of it stays quick too.
ln -s "$AGENTRUN" "$T/bin/agentrun"
# shellcheck disable=SC1090
source <("$AGENTRUN" completion bash)
COMP_WORDS=(agentrun replay "") COMP_CWORD=2 COMPREPLY=()
start=$(date +%s%N)
_agentrun
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 10001 "${#COMPREPLY[@]}" "bash candidates, 10,000 sessions"
[ $ms -lt $((limit * 4)) ] || fail "bash completion took $ms ms"

[ ! -s "$MULTIPASS_EMU_DIR/calls.log" ] ||
	fail "__complete called multipass: $(cat "$MULTIPASS_EMU_DIR/calls.log")"
exit 0
