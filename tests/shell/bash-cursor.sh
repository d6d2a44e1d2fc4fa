#!/usr/bin/env bash
# tests/shell/bash-cursor.sh: bash completion with the cursor inside the
# line completes what is before the cursor. In 'agentrun replay | latest'
# (the cursor in the blank) bash gives COMP_WORDS[COMP_CWORD]=latest but
# the word to complete is empty; before, latest was offered and Tab
# inserted it a second time ('agentrun show show'). The words below are
# those real bash gives (COMP_POINT counts characters). Then a real
# interactive bash in tmux.
. "$(dirname "$0")/../lib/common.sh"

ln -s "$AGENTRUN" "$T/bin/agentrun"
mkdir -p "$STORE"
for f in 20240101-000000-aaaa.cast.zst 20250101-090000-cccc.cast.zst; do
	: >"$STORE/$f"
done
IDS="latest 20250101-090000-cccc 20240101-000000-aaaa"
# shellcheck disable=SC1090
source <("$AGENTRUN" init bash --aliases --wrap claude)

# at FUNCTION POINT LINE WORD...: complete with the cursor at POINT.
at() {
	local fn=$1
	COMP_POINT=$2 COMP_LINE=$3
	shift 3
	COMP_WORDS=("$@")
	COMPREPLY=()
	"$fn"
	GOT="${COMPREPLY[*]}"
}
# find COMP_CWORD: the word the cursor is in or before, as bash counts.
at_word() {	# CWORD FUNCTION POINT LINE WORD...
	COMP_CWORD=$1
	shift
	at "$@"
}

at_word 2 _agentrun 16 "agentrun replay  latest" agentrun replay latest
assert_eq "$IDS" "$GOT" "cursor in the blank before the id"
at_word 1 _agentrun 9 "agentrun  show" agentrun show
assert_contains " replay " " $GOT " "cursor in the blank before the command"
assert_not_contains "show show" "$GOT"
at_word 1 _agentrun 11 "agentrun shw" agentrun shw
assert_eq "shell show" "$GOT" "cursor inside a word"
at_word 2 _agentrun 19 "agentrun replay --sxx" agentrun replay --sxx
assert_eq "--speed" "$GOT" "cursor inside an option"
# bash splits at '=': the pieces before the cursor only.
at_word 3 _agentrun 16 "agentrun --vm=agxx show" agentrun --vm = agxx show
assert_eq "agentrun" "$GOT" "cursor inside --vm=VALUE"
# Characters, not bytes, before the cursor.
at_word 3 _agentrun 14 "agentrun -C é  show" agentrun -C é show
assert_contains " replay " " $GOT " "a multibyte character before the cursor"
# At the end of the line, or no COMP_POINT at all: the whole word.
at_word 1 _agentrun 11 "agentrun sh" agentrun sh
assert_eq "shell show" "$GOT" "cursor at the end"
unset COMP_POINT
COMP_CWORD=1 COMP_LINE="agentrun sh" COMP_WORDS=(agentrun sh)
_agentrun
assert_eq "shell show" "${COMPREPLY[*]}" "no COMP_POINT"

# An alias and the --wrap function move the cursor with the line.
at_word 1 _agentrun_alias 4 "arr  latest" arr latest
assert_eq "$IDS" "$GOT" "alias, cursor in the blank"
at_word 1 _agentrun_alias 5 "arr lxx" arr lxx
assert_eq "latest" "$GOT" "alias, cursor inside the word"
at_word 1 _agentrun_wrapped 10 "claude --nx" claude --nx
assert_eq "--no-record" "$GOT" "wrapper, cursor inside the word"

# Real bash, real readline.
need tmux
tm_start 120 30 bash --norc --noprofile
tm send-keys -t t "PS1='$ '; cd $T; eval \"\$(agentrun init bash)\"; echo ev''al-done" Enter
tm_wait "eval-done"
tm send-keys -t t C-l "agentrun shw" Left Tab Tab
tm_wait "shell"
tm_wait "show"
tm send-keys -t t C-e C-u C-l "agentrun  latest" C-a
tm send-keys -t t M-f Right "rep" Tab
tm_wait "$ agentrun replay latest"
assert_not_contains "replaylatest" "$(tm_capture)" "the line"
exit 0
