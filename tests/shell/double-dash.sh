#!/usr/bin/env bash
# tests/shell/double-dash.sh: 'agentrun -- COMMAND' (getopt ends the
# global options at --, and the next word is the command, even one that
# starts with -). bash: no global options are offered after 'agentrun --'
# (before, all of them were). zsh: the command after 'agentrun --' is
# completed and so are its arguments (before, both were files).
. "$(dirname "$0")/../lib/common.sh"

ln -s "$AGENTRUN" "$T/bin/agentrun"
mkdir -p "$STORE" && : >"$STORE/20250101-090000-cccc.cast.zst"
mkdir -p "$T/w" && : >"$T/w/afile" && cd "$T/w" || fail "cd"

# shellcheck disable=SC1090
source <("$AGENTRUN" completion bash)
comp() {	# LINE: the cursor at the end; the words split at blanks
	# shellcheck disable=SC2206
	COMP_WORDS=($1)
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$1 COMP_POINT=${#1}
	COMPREPLY=()
	_agentrun
	GOT="${COMPREPLY[*]}"
}
comp "agentrun -- -"
assert_eq "" "$GOT" "bash: agentrun -- -"
comp "agentrun -q -- --v"
assert_eq "" "$GOT" "bash: agentrun -q -- --v"
comp "agentrun -- sh"
assert_eq "shell show" "$GOT" "bash: agentrun -- sh"
comp "agentrun -- replay "
assert_eq "latest 20250101-090000-cccc" "$GOT" "bash: agentrun -- replay"
comp "agentrun -- show --j"
assert_eq "--json" "$GOT" "bash: agentrun -- show --j"
comp "agentrun -- show -- "
assert_eq "latest 20250101-090000-cccc" "$GOT" "bash: agentrun -- show --"
comp "agentrun -- claude -- --"
assert_eq "" "$GOT" "bash: agentrun -- claude -- --"
comp "agentrun -- "
assert_contains " replay " " $GOT " "bash: agentrun --"

need zsh
need tmux
tm_start 120 30 zsh -f
tm send-keys -t t "PROMPT='%% '; cd $T/w; eval \"\$(agentrun init zsh)\"; echo ev''al-done" Enter
tm_wait "eval-done"
tm send-keys -t t C-l "agentrun -- repl" Tab
tm_wait "% agentrun -- replay"
tm send-keys -t t C-u C-l "agentrun -- replay 2025" Tab
tm_wait "% agentrun -- replay 20250101-090000-cccc"
tm send-keys -t t C-u C-l "agentrun -q -- show 2025" Tab
tm_wait "% agentrun -q -- show 20250101-090000-cccc"
tm send-keys -t t C-u C-l "agentrun -- show --j" Tab
tm_wait "% agentrun -- show --json"
assert_not_contains "afile" "$(tm_capture)" "zsh: files offered"
exit 0
