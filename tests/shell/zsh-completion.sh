#!/usr/bin/env bash
# tests/shell/zsh-completion.sh: a real interactive 'zsh -f' in tmux, with
# compinit and completions/ on $fpath (the file autoloaded, as installed):
# Tab after 'agentrun re' completes replay, 'agentrun replay <Tab>' lists
# the store's ids, commands and formats come with their descriptions,
# options are offered per command, and multipass is never called.
. "$(dirname "$0")/../lib/common.sh"
need zsh
need tmux

ln -s "$AGENTRUN" "$T/bin/agentrun"
mkdir -p "$STORE" "$XDG_STATE_HOME/agentrun"
for f in 20240101-000000-aaaa.cast.zst 20240101-000000-aaaa.json \
    20240315-120000-bbbb.cast.zst 20250101-090000-cccc.json; do
	: >"$STORE/$f"
done
: >"$XDG_STATE_HOME/agentrun/devbox.lock"
mkdir -p "$T/fpath" && cp "$ROOT/completions/_agentrun" "$T/fpath/"

tm_start 120 40 zsh -f
# (no argument of send-keys may end in ';': tmux reads that as its own)
tm send-keys -t t "PROMPT='%% '; fpath=($T/fpath \$fpath); autoload -Uz compinit; compinit -D -u; echo co''mpinit-done" Enter
tm_wait compinit-done

# type WORDS: a fresh line and screen, then WORDS and Tab.
type_tab() {
	tm send-keys -t t C-u C-l
	sleep 0.2
	tm send-keys -t t "$1" Tab
}

type_tab "agentrun re"
tm_wait "% agentrun replay"

type_tab "agentrun replay "
for id in latest 20250101-090000-cccc 20240315-120000-bbbb \
    20240101-000000-aaaa; do
	tm_wait "$id"
done
tm_wait "-- the newest session"

type_tab "agentrun "
tm_wait "replay      -- play a session back in the terminal"
tm_wait "claude      -- run Claude Code in the project's VM"
assert_not_contains "__complete" "$(tm_capture)" "command list"
assert_not_contains "__index" "$(tm_capture)" "command list"

type_tab "agentrun export -f "
tm_wait "cast-v2  -- asciicast v2"

type_tab "agentrun replay --"
tm_wait "--idle-limit"
tm_wait "--speed"

# Options after the session id, as getopt takes them.
type_tab "agentrun replay latest --i"
tm_wait "% agentrun replay latest --idle-limit"
type_tab "agentrun show latest --j"
tm_wait "% agentrun show latest --json"

type_tab "agentrun --vm "
tm_wait "devbox"
tm_wait "agentrun"

type_tab "agentrun claude --no"
tm_wait "% agentrun claude --no-record"

# After a word of the agent's own (here claude's --resume), or after --,
# agentrun's run options are not offered; before it they still are.
for line in "agentrun claude --resume --" "agentrun claude -- --"; do
	type_tab "$line"
	sleep 1
	assert_not_contains "--read-only" "$(tm_capture)" "after '$line'"
	assert_not_contains "--record-input" "$(tm_capture)" "after '$line'"
done
type_tab "agentrun claude --title x --re"
tm_wait "--record-input"

type_tab "agentrun vm st"
tm_wait "start"
tm_wait "status"

# The vm options follow their action: delete has --yes and --force, status
# and the place before the action only --help.
type_tab "agentrun vm delete --"
tm_wait "--yes"
tm_wait "--force"
type_tab "agentrun vm status --"
tm_wait "% agentrun vm status --help"
type_tab "agentrun vm --"
tm_wait "% agentrun vm --help"

# rm does not offer an id already on the line again; a word that looks
# like a path is a transcript file.
type_tab "agentrun rm 20240101-000000-aaaa 2024"
tm_wait "% agentrun rm 20240101-000000-aaaa 20240315-120000-bbbb"
mkdir -p "$T/casts/sub" && : >"$T/casts/one.cast" && : >"$T/casts/notes.txt"
type_tab "agentrun replay $T/casts/o"
tm_wait "% agentrun replay $T/casts/one.cast"

# Grouped short options: -qC DIR is -q -C DIR, ls -an N is -a -n N
# (before, DIR was completed as the command's word: files, no ids; and
# after -an, options were offered for N).
type_tab "agentrun -qC /tmp replay 2025"
tm_wait "% agentrun -qC /tmp replay 20250101-090000-cccc"
type_tab "agentrun ls -an "
sleep 1
assert_not_contains "--json" "$(tm_capture)" "after ls -an"
type_tab "agentrun ls -an 5 --j"
tm_wait "% agentrun ls -an 5 --json"

# Run by a path (./agentrun, ~/my\ bin/agentrun), the program on the line
# gives the values, not the agentrun on PATH (here a fake that knows
# none). Before, inside a command the one on PATH was asked (words had
# moved on), and the path kept its backslash.
mkdir -p "$T/fake" "$T/run" "$HOME/my bin"
printf '#!/bin/sh\necho fake-from-path\n' >"$T/fake/agentrun"
chmod +x "$T/fake/agentrun"
ln -s "$AGENTRUN" "$T/run/agentrun"
ln -s "$AGENTRUN" "$HOME/my bin/agentrun"
tm send-keys -t t C-u "path=($T/fake \$path); cd $T/run" Enter
type_tab "./agentrun replay 2025"
tm_wait "% ./agentrun replay 20250101-090000-cccc"
type_tab "./agentrun init zsh --wrap c"
tm_wait "% ./agentrun init zsh --wrap claude"
type_tab "./agentrun vm provision c"
tm_wait "% ./agentrun vm provision claude"
type_tab "./agentrun --vm d"
tm_wait "% ./agentrun --vm devbox"
# shellcheck disable=SC2088
type_tab "~/my\\ bin/agentrun replay 2025"
tm_wait "% ~/my\\ bin/agentrun replay 20250101-090000-cccc"

[ ! -s "$MULTIPASS_EMU_DIR/calls.log" ] ||
	fail "completion called multipass: $(cat "$MULTIPASS_EMU_DIR/calls.log")"
exit 0
