#!/usr/bin/env bash
# tests/shell/bash-completion.sh: the bash completion, loaded from the
# binary ('agentrun completion bash'), gives the right candidates for a
# table of command lines: commands, every option of every command (checked
# against each command's --help), option values, session ids from a
# temporary store, VM names, agents from the config, files for import.
# Aliases and the --wrap function complete like what they stand for, and
# multipass is never called.
. "$(dirname "$0")/../lib/common.sh"

ln -s "$AGENTRUN" "$T/bin/agentrun"
mkdir -p "$STORE" "$XDG_STATE_HOME/agentrun" "$XDG_CONFIG_HOME/agentrun"
for f in 20240101-000000-aaaa.cast.zst 20240101-000000-aaaa.json \
    20240315-120000-bbbb.cast.zst 20250101-090000-cccc.json \
    notes.txt 2024-bad.cast.zst 20240101-000000-AAAA.json; do
	: >"$STORE/$f"
done
: >"$XDG_STATE_HOME/agentrun/dev.lock"
: >"$XDG_STATE_HOME/agentrun/bad_name.lock"
: >"$XDG_STATE_HOME/agentrun/agentrun.lock"
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'EOF'
{ "agents": { "aider": { "command": "aider", "description": "Aider" } } }
EOF
mkdir -p "$T/casts/sub" && cd "$T/casts" || fail "cd"
: >a.cast && : >b.cast.zst && : >sub/k=v.txt

"$AGENTRUN" completion bash | cmp -s - "$ROOT/completions/agentrun.bash" ||
	fail "the embedded completion differs from completions/agentrun.bash"
# shellcheck disable=SC1090
source <("$AGENTRUN" completion bash)
[ "$(complete -p agentrun)" = "complete -F _agentrun agentrun" ] ||
	fail "not registered: $(complete -p agentrun 2>&1)"

# comp FUNCTION LINE: run the completion function on LINE as bash would
# split it (at blanks, and around '=', ':' and redirection operators such
# as '>' and '2>', COMP_WORDBREAKS; quotes are not understood), the
# cursor at the end, with the caller's IFS.
comp() {
	local fn=$1 line=$2 ifs=$IFS
	IFS=$' \t\n'
	# shellcheck disable=SC2207
	COMP_WORDS=($(sed -E 's/[=:]+|[<>|]+/ & /g' <<<"$line"))
	IFS=$ifs
	[[ $line == *" " || -z $line ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	"$fn"
}
# check LINE EXPECTED...: the candidates, in any order.
check() {
	local line=$1 got want
	shift
	comp _agentrun "$line"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ $# -gt 0 ] || want=$(printf '\n' | tr '\n' ' ')
	assert_eq "$want" "$got" "completion of [$line]"
}

COMMANDS=(claude shell run ls show cat replay text export import grep rm
	gc vm doctor init completion version help aider)
IDS=(latest 20250101-090000-cccc 20240315-120000-bbbb 20240101-000000-aaaa)
RUNOPTS=(--read-only --no-record --record-input --title -h --help)

check "agentrun " "${COMMANDS[@]}"
check "agentrun re" replay
check "agentrun e" export
check "agentrun a" aider
check "agentrun -" -C --vm --backend -q --quiet -v --verbose -h --help \
	--version
check "agentrun --v" --vm --verbose --version
check "agentrun --vm " agentrun dev
check "agentrun --vm d" dev
check "agentrun --vm=" agentrun dev
check "agentrun --vm=a" agentrun
check "agentrun --backend " multipass local
check "agentrun --backend=l" local
check "agentrun -C " sub
check "agentrun --vm dev re" replay
check "agentrun --vm=dev -q -C /tmp re" replay
check "agentrun -- re" replay

# Sessions: newest first, after latest; only well-formed ids.
comp _agentrun "agentrun replay "
assert_eq "${IDS[*]}" "${COMPREPLY[*]}" "sessions, in order"
check "agentrun replay 2025" 20250101-090000-cccc
check "agentrun replay l" latest
check "agentrun replay --speed 2 " "${IDS[@]}"
check "agentrun replay --speed=2 --at 1:30 2024" 20240315-120000-bbbb \
	20240101-000000-aaaa
check "agentrun replay --speed "
check "agentrun replay --idle-limit "
check "agentrun replay latest "
# A value with ':' in it (bash splits the word there) is one value.
check "agentrun replay --at 1:30 2024" 20240315-120000-bbbb 20240101-000000-aaaa
check "agentrun text --at=1:30 l" latest
check "agentrun -C /tmp/a:b show l" latest
check "agentrun replay --at 1:3"
# A value with '=' in it is one value too (bash splits it there as well:
# before, what came after such a value was not completed).
check "agentrun run --title x=y --no" --no-record
check "agentrun claude --title=a=b --no" --no-record
check "agentrun export -o out=1.txt la" latest
check "agentrun -C /tmp/k=v show la" latest
check "agentrun export -o sub/k=" v.txt
check "agentrun import sub/k" sub/k=v.txt
# Redirections and their targets are no words of agentrun's; a target is
# a file (before, '>' and its file were counted as the session and the
# like, and nothing was offered).
check "agentrun cat latest > a" a.cast
check "agentrun cat latest >" a.cast b.cast.zst sub
check "agentrun cat latest 2>>" a.cast b.cast.zst sub
check "agentrun show 2>/dev/null la" latest
check "agentrun >/tmp/out show la" latest
check "agentrun show --json >x.json la" latest
check "agentrun replay <in 2024" 20240315-120000-bbbb 20240101-000000-aaaa
check "agentrun export -f 2>/dev/null " cast cast-v2 raw text
# Grouped short options: -qC DIR is -q -C DIR, ls -an N is -a -n N
# (before, DIR was taken for the command and N for an option).
check "agentrun -qC /tmp show " "${IDS[@]}"
check "agentrun -qC " sub
check "agentrun -qC/tmp show l" latest
check "agentrun ls -an "
check "agentrun ls -an 5 --j" --json
# A quoted word is matched without its quote (before: nothing).
check "agentrun replay 'la" latest
check "agentrun replay \"2025" 20250101-090000-cccc
check "agentrun export -f 'ca" cast cast-v2
# Options after the session id, as getopt takes them.
check "agentrun replay latest --a" --at
check "agentrun replay latest --at "
check "agentrun text latest --" --at --help
check "agentrun show latest --" --json --help
check "agentrun export latest -f " cast cast-v2 raw text
check "agentrun grep foo -" -i --ignore-case -a --all -h --help
check "agentrun ls -n 5 --a" --all
check "agentrun replay -- " "${IDS[@]}"
check "agentrun show " "${IDS[@]}"
check "agentrun show --json " "${IDS[@]}"
check "agentrun cat " "${IDS[@]}"
check "agentrun text --at 5 " "${IDS[@]}"
check "agentrun export " "${IDS[@]}"
check "agentrun rm " "${IDS[@]}"
check "agentrun rm latest 2024" 20240315-120000-bbbb 20240101-000000-aaaa
# An id already on the line is not offered again (rm offered it).
check "agentrun rm latest 20240315-120000-bbbb " 20250101-090000-cccc 20240101-000000-aaaa
check "agentrun rm 20240101-000000-aaaa 2024" 20240315-120000-bbbb
# A word that looks like a path is a transcript file (or a folder).
check "agentrun replay ./" ./a.cast ./b.cast.zst ./sub
check "agentrun text ./b" ./b.cast.zst
check "agentrun rm latest $T/casts/a" "$T/casts/a.cast"

check "agentrun export -f " cast cast-v2 raw text
check "agentrun export --format " cast cast-v2 raw text
check "agentrun export --format=c" cast cast-v2
check "agentrun export -o " a.cast b.cast.zst sub
check "agentrun export -f raw -o a" a.cast
check "agentrun export -f raw " "${IDS[@]}"
check "agentrun import " a.cast b.cast.zst sub
check "agentrun import b" b.cast.zst
check "agentrun import a.cast "

check "agentrun ls " -a --all --json -n -h --help
check "agentrun ls -n "
check "agentrun ls -n 5 --j" --json
check "agentrun gc -n " --keep --older-than -n --dry-run -h --help
check "agentrun gc --keep "
check "agentrun grep "
check "agentrun grep -i foo "
check "agentrun vm " status start stop delete mounts provision
check "agentrun vm s" status start stop
check "agentrun vm status "
# The vm options follow the action they belong to (vm ACTION [OPTIONS]).
check "agentrun vm -" -h --help
check "agentrun vm status -" -h --help
check "agentrun vm stop -" --force -h --help
check "agentrun vm delete -" -y --yes --force -h --help
check "agentrun vm delete --y" --yes
check "agentrun vm delete -y --f" --force
check "agentrun vm delete -y "
check "agentrun vm provision " claude aider
check "agentrun vm provision a" aider
check "agentrun vm provision aider "
check "agentrun init " bash zsh
check "agentrun init zsh --" --aliases --wrap --help
check "agentrun init zsh --wrap " claude aider
check "agentrun init zsh --wrap=c" claude
check "agentrun init bash --aliases "
check "agentrun completion " bash zsh
check "agentrun completion zsh "
check "agentrun help " "${COMMANDS[@]}"
check "agentrun help re" replay
check "agentrun help replay "
check "agentrun version "
check "agentrun doctor -" -h --help

# Run options only before the first word that is the agent's.
check "agentrun claude -" "${RUNOPTS[@]}"
check "agentrun claude --r" --read-only --record-input
check "agentrun claude --title "
check "agentrun claude --title x --no" --no-record
check "agentrun claude --resume --"
check "agentrun claude -- --"
check "agentrun aider --no" --no-record
check "agentrun shell -" "${RUNOPTS[@]}"
check "agentrun shell "
check "agentrun run --read-only --" --read-only --no-record --record-input \
	--title --help
comp _agentrun "agentrun run -- bas"
assert_contains " bash " " ${COMPREPLY[*]} " "run -- bas"
comp _agentrun "agentrun run --no-record -- bash --"
assert_eq "" "${COMPREPLY[*]}" "run: the command's own options"

# Every option in every command's --help is offered, and nothing else.
opts_of_help() {	# the options a usage text lists
	"$AGENTRUN" "$@" --help | sed -nE \
		's/^ +(-[A-Za-z]|--[a-z-]+)(, (--[a-z-]+))?( .*)?$/\1 \3/p' |
		tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' '
}
for c in claude shell run ls show cat replay text export import grep rm gc \
    vm doctor init completion; do
	want=$(opts_of_help "$c")
	w=$c
	[ "$c" = vm ] && w="vm delete"	# the action with every option
	comp _agentrun "agentrun $w -"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	assert_eq "$want" "$got" "options of $c (its --help vs completion)"
done
want=$("$AGENTRUN" --help | sed -nE \
	's/^ +(-[A-Za-z]|--[a-z-]+)(, (--[a-z-]+))?( .*)?$/\1 \3/p' |
	tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
comp _agentrun "agentrun -"
got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
assert_eq "$want" "$got" "global options (agentrun --help vs completion)"
# Every command in 'agentrun help' is completed.
want=$("$AGENTRUN" help | sed -nE '/^Commands:/,/^$/s/^  ([a-z_-]+) .*/\1/p' |
	sort | tr '\n' ' ')
comp _agentrun "agentrun "
got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
assert_eq "$want" "$got" "commands (agentrun help vs completion)"

# Aliases (init --aliases) and the --wrap function.
# shellcheck disable=SC1090
source <("$AGENTRUN" init bash --aliases --wrap claude)
comp _agentrun_alias "arr "
assert_eq "${IDS[*]}" "${COMPREPLY[*]}" "alias arr"
comp _agentrun_alias "arc --r"
assert_eq "--read-only --record-input" "${COMPREPLY[*]}" "alias arc"
comp _agentrun_alias "arv st"
assert_eq "status start stop" "${COMPREPLY[*]}" "alias arv"
comp _agentrun_wrapped "claude --no"
assert_eq "--no-record" "${COMPREPLY[*]}" "wrapped claude"
comp _agentrun_wrapped "claude --resume "
assert_eq "" "${COMPREPLY[*]}" "wrapped claude, agent's words"

# The user's IFS does not change the candidates.
IFS=: check "agentrun ls -" -a --all --json -n -h --help
comp_ifs() { local IFS=:; comp "$@"; }
comp_ifs _agentrun_alias "arr l"
assert_eq "latest" "${COMPREPLY[*]}" "alias arr with IFS=:"

# A path to the binary is used as typed.
PATH=/usr/bin:/bin comp _agentrun "$T/bin/agentrun replay 2025"
assert_eq "20250101-090000-cccc" "${COMPREPLY[*]}" "binary given as a path"
# ... without its quoting (before, the backslash was kept: no values).
mkdir -p "$HOME/my bin" && ln -s "$AGENTRUN" "$HOME/my bin/agentrun"
# shellcheck disable=SC2088
for w0 in '~/my\ bin/agentrun' "'$HOME/my bin/agentrun'"; do
	COMP_WORDS=("$w0" replay 2025) COMP_CWORD=2 COMP_LINE="$w0 replay 2025"
	PATH=/usr/bin:/bin _agentrun
	assert_eq "20250101-090000-cccc" "${COMPREPLY[*]}" "binary as $w0"
done

# A shell with set -e survives Tab (read -d '' ends with status 1).
OUT=$(PATH=$T/bin:$PATH bash --norc --noprofile -c 'eval "$(agentrun init bash)"
	set -e; COMP_WORDS=(agentrun sho); COMP_CWORD=1; _agentrun
	COMP_WORDS=(agentrun import ""); COMP_CWORD=2; _agentrun
	echo "survived ${#COMPREPLY[@]}"' 2>&1)
case $OUT in "survived "[1-9]*) ;; *) fail "Tab under set -e: [$OUT]" ;; esac

[ ! -s "$MULTIPASS_EMU_DIR/calls.log" ] ||
	fail "completion called multipass: $(cat "$MULTIPASS_EMU_DIR/calls.log")"
exit 0
