#!/usr/bin/env bash
# tests/shell/init-zsh.sh: eval "$(agentrun init zsh)" in fresh zsh shells
# (zsh -f, no compinit yet, and after compinit) registers the completion;
# short aliases only with --aliases; a claude function only with --wrap
# claude, running 'agentrun claude ARGS' while 'command claude' reaches
# the real one. Then an interactive zsh in tmux completes through an
# alias and through the wrapper.
. "$(dirname "$0")/../lib/common.sh"
need zsh

ln -s "$AGENTRUN" "$T/bin/agentrun"
ALIASES=(arc ars arx arl arr arg arv)

# fresh [compinit] ARGS... -- SCRIPT: a new zsh -f that evals init ARGS
# (after compinit if asked) and then runs SCRIPT; its output in OUT.
fresh() {
	local args=() pre=:
	[ "$1" = compinit ] && { pre='autoload -Uz compinit; compinit -D'; shift; }
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	OUT=$(cd "$T" && zsh -f -c "$pre"'
		eval "$(agentrun init zsh "$@")" || exit 9
		'"$1"'
		:' zsh "${args[@]}" 2>&1) ||
		fail "zsh (init zsh ${args[*]}): $OUT"
}

for pre in "" compinit; do
	# shellcheck disable=SC2086
	fresh $pre -- 'print -r -- "comp=$_comps[agentrun]"
		for a in arc ars arx arl arr arg arv; do
			alias $a || print "no $a"; done
		whence -w claude'
	assert_eq "comp=_agentrun
no arc
no ars
no arx
no arl
no arr
no arg
no arv
claude: none" "$OUT" "plain init ($pre)"
done

# Whatever the user's options: ksh_arrays changes $+name[key]; under
# sh_glob a pattern (a|b) does not parse (before, the eval failed with a
# parse error and defined nothing).
for opt in ksh_arrays sh_glob; do
	for pre in "" compinit; do
		OUT=$(cd "$T" && zsh -f -c "${pre:+autoload -Uz compinit; compinit -D;} setopt $opt"'
			eval "$(agentrun init zsh --wrap claude)" || exit 9
			print -r -- "comp=${_comps[agentrun]}"
			whence -w claude' 2>&1)
		assert_eq "comp=_agentrun
claude: function" "$OUT" "init with $opt ($pre)"
	done
done

fresh --aliases -- 'print -r -- "comp=$_comps[agentrun]"; alias;
	whence -w claude; print -r -- "arr=$_comps[arr]"'
assert_contains "comp=_agentrun" "$OUT"
for a in "${ALIASES[@]}"; do
	assert_contains "$a='agentrun " "$OUT" "--aliases"
done
assert_contains "arc='agentrun claude'" "$OUT"
assert_contains "claude: none" "$OUT" "--aliases without --wrap"
assert_contains "arr=__agentrun_alias" "$OUT" "alias completion"

fresh compinit --wrap claude -- 'print -r -- "comp=$_comps[claude]"
	whence -w claude; alias | grep -c agentrun'
assert_eq "comp=__agentrun_wrapped
claude: function
0" "$OUT" "--wrap claude"

# A builtin is not wrapped (the wrapper would call itself for ever).
mkdir -p "$XDG_CONFIG_HOME/agentrun"
echo '{ "agents": { "command": {} } }' >"$XDG_CONFIG_HOME/agentrun/config.json"
fresh --wrap command -- 'whence -w command; command true && print ok'
assert_contains "command: builtin
ok" "$OUT" "--wrap of a builtin"
assert_contains "cannot wrap command: it is a shell builtin" "$OUT"
rm "$XDG_CONFIG_HOME/agentrun/config.json"

# The wrapper runs 'agentrun claude ARGS', quoting intact; the real
# claude stays reachable with 'command'. Fakes stand in for both.
mkdir -p "$T/fake"
printf '#!/bin/sh\nprintf "[%%s]" agentrun "$@"; echo\n' >"$T/fake/agentrun"
printf '#!/bin/sh\necho "real claude $*"\n' >"$T/fake/claude"
chmod +x "$T/fake/agentrun" "$T/fake/claude"
OUT=$(cd "$T" && zsh -f -c '
	eval "$("$1" init zsh --wrap claude)"
	path=($2 $path)
	claude --resume "two words"
	command claude x' zsh "$AGENTRUN" "$T/fake" 2>&1)
assert_eq "[agentrun][claude][--resume][two words]
real claude x" "$OUT" "the claude wrapper"

ar init zsh --aliases --wrap claude
assert_eq 0 "$RC" "status"
assert_eq "$(cat "$ROOT/shell/agentrun.zsh" "$ROOT/completions/_agentrun")
__agentrun_setup_aliases
__agentrun_setup_wrap claude" "$OUT" "init zsh output"
ar completion zsh
assert_eq "$(cat "$ROOT/completions/_agentrun")" "$OUT" "completion zsh"

# Interactive: a fresh zsh -f (with sh_glob), eval init (it runs
# compinit), then Tab.
need tmux
mkdir -p "$STORE" && : >"$STORE/20250101-090000-cccc.cast.zst"
tm_start 100 30 zsh -f
tm send-keys -t t "PROMPT='%% '; cd $T; setopt sh_glob; eval \"\$(agentrun init zsh --aliases --wrap claude)\"; echo ev''al-done" Enter
tm_wait "eval-done"
tm send-keys -t t "arr 2025" Tab
tm_wait "% arr 20250101-090000-cccc"
tm send-keys -t t C-u C-l
sleep 0.2
tm send-keys -t t "claude --no" Tab
tm_wait "% claude --no-record"
tm send-keys -t t C-u C-l
sleep 0.2
tm send-keys -t t "setopt complete_aliases" Enter "arv st" Tab
tm_wait "status"
tm_wait "start"
exit 0
