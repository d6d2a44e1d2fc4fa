#!/usr/bin/env bash
# tests/shell/init-bash.sh: eval "$(agentrun init bash)" in fresh bash
# shells registers the completion; short aliases only with --aliases; a
# claude function only with --wrap claude, which runs 'agentrun claude
# ARGS' while 'command claude' still reaches the real one. Also init's
# usage errors, and an interactive bash in tmux completing after eval.
. "$(dirname "$0")/../lib/common.sh"

ln -s "$AGENTRUN" "$T/bin/agentrun"
ALIASES=(arc ars arx arl arr arg arv)

# fresh ARGS... -- SCRIPT: a new bash, no rc files, that evals init ARGS
# and then runs SCRIPT; its output in OUT.
fresh() {
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	OUT=$(bash --norc --noprofile -c 'set -u
		eval "$(agentrun init bash "$@")" || exit 9
		'"$1" init-test "${args[@]}" 2>&1) ||
		fail "bash (init bash ${args[*]}): $OUT"
}

fresh -- 'complete -p agentrun
	for a in arc ars arx arl arr arg arv; do alias "$a" 2>/dev/null; done
	type -t claude || echo "no claude"'
assert_eq "complete -F _agentrun agentrun
no claude" "$OUT" "plain init"

fresh --aliases -- 'complete -p agentrun; alias; type -t claude ||
	echo "no claude"'
assert_contains "complete -F _agentrun agentrun" "$OUT"
for a in "${ALIASES[@]}"; do
	assert_contains "alias $a='agentrun " "$OUT" "--aliases"
done
assert_contains "alias arc='agentrun claude'" "$OUT"
assert_contains "alias arr='agentrun replay'" "$OUT"
assert_contains "no claude" "$OUT" "--aliases without --wrap"
fresh --aliases -- 'complete -p arc arr'
assert_eq "complete -F _agentrun_alias arc
complete -F _agentrun_alias arr" "$OUT" "alias completion"

fresh --wrap claude -- 'complete -p agentrun claude; type -t claude;
	alias | grep -c agentrun || :'
assert_eq "complete -F _agentrun agentrun
complete -F _agentrun_wrapped claude
function
0" "$OUT" "--wrap claude"


# The wrapper runs 'agentrun claude ARGS', quoting intact, and the real
# claude stays reachable with 'command'. Fakes stand in for both.
mkdir -p "$T/fake"
printf '#!/bin/sh\nprintf "[%%s]" agentrun "$@"; echo\n' >"$T/fake/agentrun"
printf '#!/bin/sh\necho "real claude $*"\n' >"$T/fake/claude"
chmod +x "$T/fake/agentrun" "$T/fake/claude"
OUT=$(bash --norc --noprofile -c '
	eval "$("$1" init bash --wrap claude)"
	PATH=$2:$PATH
	claude --resume "two words"
	command claude x' init-test "$AGENTRUN" "$T/fake" 2>&1)
assert_eq "[agentrun][claude][--resume][two words]
real claude x" "$OUT" "the claude wrapper"

# Both, and the output is exactly completion + shell file + calls.
ar init bash --aliases --wrap claude
assert_eq 0 "$RC" "status"
assert_eq "$(cat "$ROOT/completions/agentrun.bash" "$ROOT/shell/agentrun.bash")
__agentrun_setup_aliases
__agentrun_setup_wrap claude" "$OUT" "init bash output"
ar init bash
assert_eq "$(cat "$ROOT/completions/agentrun.bash" "$ROOT/shell/agentrun.bash")" \
	"$OUT" "plain init bash output"

# Usage errors exit 2 and say where to look.
for args in "" "fish" "bash zsh" "bash --bogus" "bash --wrap"; do
	# shellcheck disable=SC2086
	ar init $args
	assert_eq 2 "$RC" "status of init $args"
	assert_eq "" "$OUT" "stdout of init $args"
	assert_contains "Try 'agentrun init --help'." "$ERR" "init $args"
done
# An agent that is not one gets no wrapper, with a warning; the rest is
# printed (an rc file's eval keeps its completion and aliases).
for a in nosuchagent ../x; do
	ar init bash --aliases --wrap claude --wrap "$a"
	assert_eq 0 "$RC" "init --wrap $a"
	assert_contains "no agent profile '$a'" "$ERR"
	assert_contains "__agentrun_setup_aliases
__agentrun_setup_wrap claude" "$OUT" "init --wrap $a"
	assert_not_contains "__agentrun_setup_wrap $a" "$OUT"
done
ar completion
assert_eq 2 "$RC" "completion without a shell"
ar completion fish
assert_eq 2 "$RC" "completion fish"
ar init --help
assert_eq 0 "$RC" "init --help"
assert_contains "usage: agentrun init bash|zsh" "$OUT"
ar init bash --aliases --help
assert_eq 0 "$RC" "init bash --aliases --help"
assert_contains "usage: agentrun init" "$OUT"
# Agents from the config can be wrapped too.
mkdir -p "$XDG_CONFIG_HOME/agentrun"
echo '{ "agents": { "aider": {} } }' >"$XDG_CONFIG_HOME/agentrun/config.json"
fresh --wrap=aider -- 'type -t aider; complete -p aider'
assert_eq "function
complete -F _agentrun_wrapped aider" "$OUT" "--wrap=aider"

# In POSIX mode a function's name cannot hold '-': that agent is not
# wrapped, said on stderr, and the rest of the eval still runs.
echo '{ "agents": { "my-agent_2": {} } }' >"$XDG_CONFIG_HOME/agentrun/config.json"
OUT=$(PATH=$T/bin:$PATH bash --posix -c 'eval "$(agentrun init bash --wrap claude --wrap my-agent_2)"; echo "rc=$?"; type -t claude' 2>"$T/err")
assert_eq "rc=0
function" "$OUT" "POSIX mode: --wrap with a '-' in the name"
assert_contains "cannot wrap my-agent_2 in POSIX mode" "$(cat "$T/err")"
# ... under set -e too.
OUT=$(PATH=$T/bin:$PATH bash --posix -c 'set -e; eval "$(agentrun init bash --wrap my-agent_2 --wrap claude)"; echo survived; type -t claude' 2>/dev/null)
assert_eq "survived
function" "$OUT" "POSIX mode and set -e"
# A builtin is not wrapped (the wrapper would call itself for ever).
echo '{ "agents": { "command": {} } }' >"$XDG_CONFIG_HOME/agentrun/config.json"
OUT=$(PATH=$T/bin:$PATH timeout 10 bash -c 'eval "$(agentrun init bash --wrap command)"; type -t command; command true && echo ok' 2>"$T/err")
assert_eq "builtin
ok" "$OUT" "--wrap of a builtin"
assert_contains "cannot wrap command: it is a shell builtin" "$(cat "$T/err")"

# A broken config: init needs it only to check --wrap, and it costs only
# the wrappers of the config's agents (a warning says so), not the
# completion, the aliases and the built-in claude's wrapper that a .bashrc
# evaluates.
echo '{ broken' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar init bash --aliases --wrap claude --wrap aider
assert_eq 0 "$RC" "--wrap with a broken config"
assert_contains "invalid JSON" "$ERR"
assert_contains "get no wrapper until it is fixed" "$ERR"
assert_contains "complete -F _agentrun agentrun" "$OUT" "the completion"
assert_contains "__agentrun_setup_aliases
__agentrun_setup_wrap claude" "$OUT" "aliases and claude's wrapper"
assert_not_contains "__agentrun_setup_wrap aider" "$OUT"
ar init bash --aliases
assert_eq 0 "$RC" "--aliases with a broken config"
rm "$XDG_CONFIG_HOME/agentrun/config.json"

# An interactive bash: eval, then Tab on an alias and on the command.
need tmux
mkdir -p "$STORE" && : >"$STORE/20250101-090000-cccc.cast.zst"
tm_start 100 30 bash --norc --noprofile -i
tm send-keys -t t "PS1='$ '; eval \"\$(agentrun init bash --aliases)\"; echo ev''al-done" Enter
tm_wait "eval-done"
tm send-keys -t t "agentrun re" Tab
tm_wait "$ agentrun replay"
tm send-keys -t t C-u "arr 2025" Tab
tm_wait "$ arr 20250101-090000-cccc"

# How bash itself splits a line (at '=', ':', '>', quotes) and gives the
# command word. Before, nothing was offered in each of these: the '>' and
# its file, or the pieces of x=y, were counted as words of agentrun's, a
# quoted word never matched, the backslash of the path was kept, and DIR
# of -qC DIR was taken for the command.
mkdir -p "$T/w" "$HOME/my bin" && : >"$T/w/plain.cast" && : >"$T/w/k=v.txt"
ln -s "$AGENTRUN" "$HOME/my bin/agentrun"
tm send-keys -t t C-u "cd $T/w" Enter
tab() {	# LINE SHOWN: Tab after LINE on a fresh line and screen shows SHOWN
	tm send-keys -t t C-u C-l
	sleep 0.2
	tm send-keys -t t "$1" Tab
	tm_wait "$ $2"
}
tab "agentrun cat latest > pl" "agentrun cat latest > plain.cast"
tab "agentrun show 2>/dev/null la" "agentrun show 2>/dev/null latest"
tab "agentrun >/tmp/out show la" "agentrun >/tmp/out show latest"
tab "agentrun run --title x=y --no" "agentrun run --title x=y --no-record"
tab "agentrun export -o out=1.txt la" "agentrun export -o out=1.txt latest"
tab "agentrun export -o k=" "agentrun export -o k=v.txt"
tab "agentrun replay 'la" "agentrun replay 'latest'"
tab "agentrun -qC /tmp show la" "agentrun -qC /tmp show latest"
# The program typed as a path is run, not one on PATH (here none).
tm send-keys -t t C-u "PATH=/usr/bin:/bin" Enter
# shellcheck disable=SC2088
tab "~/my\\ bin/agentrun replay 2025" "~/my\\ bin/agentrun replay 20250101-090000-cccc"
exit 0
