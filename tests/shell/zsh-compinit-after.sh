#!/usr/bin/env bash
# tests/shell/zsh-compinit-after.sh: a .zshrc that runs compinit after
# eval "$(agentrun init zsh)" (its own, a framework's, a plugin
# manager's) keeps the completion of agentrun, of the aliases and of the
# --wrap function. Before, compinit loaded its dump file, which set the
# registrations afresh, and Tab after agentrun offered files.
. "$(dirname "$0")/../lib/common.sh"
need zsh

ln -s "$AGENTRUN" "$T/bin/agentrun"
mkdir -p "$STORE" && : >"$STORE/20250101-090000-cccc.cast.zst"

# Not interactive: the precmd functions run as before the first prompt.
# Init with compinit not yet loaded (it runs compinit -i, which writes
# the dump) and after one that has run; then the user's compinit.
for pre in "" "autoload -Uz compinit; compinit"; do
	for later in "compinit" "compinit -C" "compinit -i"; do
		OUT=$(cd "$T" && zsh -f -c "$pre"'
			eval "$(agentrun init zsh --aliases --wrap claude)" || exit 9
			autoload -Uz compinit; '"$later"'
			for f in $precmd_functions; do $f; done
			print -r -- "${_comps[agentrun]-none} ${_comps[arr]-none}" \
			    "${_comps[claude]-none} ${#precmd_functions}"' 2>&1)
		assert_eq "_agentrun __agentrun_alias __agentrun_wrapped 0" \
			"$OUT" "registrations after [$pre] init [$later]"
	done
done

# Init twice, then compinit: one hook, all registrations back.
OUT=$(cd "$T" && zsh -f -c '
	eval "$(agentrun init zsh --aliases)"
	eval "$(agentrun init zsh --wrap claude)"
	print -r -- "hooks ${#precmd_functions}"
	autoload -Uz compinit; compinit
	for f in $precmd_functions; do $f; done
	print -r -- "${_comps[agentrun]-none} ${_comps[arr]-none}" \
	    "${_comps[claude]-none}"' 2>&1)
assert_eq "hooks 1
_agentrun __agentrun_alias __agentrun_wrapped" "$OUT" "init twice"

# The user's options (ksh_arrays, nounset) do not break the hook.
OUT=$(cd "$T" && zsh -f -c '
	setopt ksh_arrays nounset
	eval "$(agentrun init zsh --aliases --wrap claude)"
	autoload -Uz compinit; compinit
	for f in "${precmd_functions[@]}"; do $f; done
	print -r -- "${_comps[agentrun]-none} ${_comps[arr]-none}" \
	    "${_comps[claude]-none}"' 2>&1)
assert_eq "_agentrun __agentrun_alias __agentrun_wrapped" "$OUT" \
	"ksh_arrays nounset"

# Interactive, with a real .zshrc (no global rc files: -d).
need tmux
cat >"$HOME/.zshrc" <<'EOF'
PROMPT='%% '
eval "$(agentrun init zsh --aliases --wrap claude)"
autoload -Uz compinit && compinit
EOF
tm_start 100 30 zsh -d
tm send-keys -t t "cd $T; echo rc''-done" Enter
tm_wait "rc-done"
tm send-keys -t t C-l "agentrun repl" Tab
tm_wait "% agentrun replay"
tm send-keys -t t C-u C-l "arr 2025" Tab
tm_wait "% arr 20250101-090000-cccc"
tm send-keys -t t C-u C-l "claude --no" Tab
tm_wait "% claude --no-record"
exit 0
