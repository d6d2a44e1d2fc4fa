# completions/agentrun.bash: bash completion for agentrun.
#
# Installed as share/bash-completion/completions/agentrun, and built into
# the binary: 'agentrun completion bash' prints this file and 'agentrun
# init bash' prints it before shell/agentrun.bash. The options here follow
# the usage texts in src/main.c. Sessions, VMs, agents and commands come
# from 'agentrun __complete KIND', which reads agentrun's own files only
# (never multipass) and prints one value a line, maybe a tab and a
# description after it.

# __agentrun_values KIND: the values of KIND into the array __agentrun_v.
# (read -a rather than mapfile: bash 3.2 has no mapfile.)
__agentrun_values() {
	local bin=agentrun
	case ${COMP_WORDS[0]-} in
	*/*) bin=${COMP_WORDS[0]/#\~/$HOME} ;;
	esac
	# read -d '' ends with status 1 at the end of its input: || : so
	# that a shell with set -e does not exit on Tab.
	IFS=$'\n' read -r -d '' -a __agentrun_v < <(command "$bin" \
	    __complete "$1" 2>/dev/null </dev/null) || :
	__agentrun_v=(${__agentrun_v[@]+"${__agentrun_v[@]%%$'\t'*}"})
}

# __agentrun_add WORD...: add the words that start with $cur.
__agentrun_add() {
	local w
	[[ -z $cur ]] && { COMPREPLY+=("$@"); return; }
	for w; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

__agentrun_add_values() {	# KIND
	local -a __agentrun_v
	__agentrun_values "$1"
	__agentrun_add ${__agentrun_v[@]+"${__agentrun_v[@]}"}
}

# __agentrun_compgen ARG...: add what compgen ARG... gives for $cur.
__agentrun_compgen() {
	local -a more
	IFS=$'\n' read -r -d '' -a more < <(compgen "$@" -- "$cur") || :
	COMPREPLY+=(${more[@]+"${more[@]}"})
}

__agentrun_files() {	# -d: directories only
	compopt -o filenames 2>/dev/null
	__agentrun_compgen "${1:--f}"
}

# Sessions: the store's ids (newest first), but none already on the line
# (rm takes several); a word that looks like a path is a transcript file.
__agentrun_sessions() {
	local -a __agentrun_v
	local v w
	if [[ $cur == */* || $cur == .* || $cur == \~* ]]; then
		compopt -o filenames 2>/dev/null
		__agentrun_compgen -d
		__agentrun_compgen -f -X '!*.cast'
		__agentrun_compgen -f -X '!*.cast.zst'
		return
	fi
	compopt -o nosort 2>/dev/null
	__agentrun_values sessions
	for v in ${__agentrun_v[@]+"${__agentrun_v[@]}"}; do
		for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
			[[ $w == "$v" ]] && continue 2
		done
		[[ -z $cur || $v == "$cur"* ]] && COMPREPLY+=("$v")
	done
}

# The values of an option's argument.
__agentrun_optarg() {	# COMMAND OPTION
	case $1:$2 in
	:-C) __agentrun_files -d ;;
	:--vm) __agentrun_add_values vms ;;
	:--backend) __agentrun_add multipass local ;;
	export:-f|export:--format) __agentrun_add cast cast-v2 raw text ;;
	export:-o|export:--output) __agentrun_files ;;
	init:--wrap) __agentrun_add_values agents ;;
	esac	# --title TEXT, -n N, --speed X...: nothing to offer
}

# The options of a command (opts), those that take an argument (argopts),
# whether the first word that is not an option ends them (agent: even one
# that starts with -), and whether options may follow other words
# (permute; else getopt stops at the first other word).
__agentrun_options() {	# COMMAND
	argopts='' agent=0 permute=0
	case $1 in
	'')	opts='-C --vm --backend -q --quiet -v --verbose -h --help --version'
		argopts='-C --vm --backend' ;;
	ls)	opts='-a --all --json -n -h --help'; argopts='-n' permute=1 ;;
	show)	opts='--json -h --help' permute=1 ;;
	replay)	opts='--speed --idle-limit --at -h --help'
		argopts='--speed --idle-limit --at' permute=1 ;;
	text)	opts='--at -h --help'; argopts='--at' permute=1 ;;
	export)	opts='-f --format -o --output -h --help'
		argopts='-f --format -o --output' permute=1 ;;
	grep)	opts='-i --ignore-case -a --all -h --help' permute=1 ;;
	gc)	opts='--keep --older-than -n --dry-run -h --help'
		argopts='--keep --older-than' permute=1 ;;
	init)	opts='--aliases --wrap -h --help'; argopts='--wrap' permute=1 ;;
	vm)	opts='-h --help' permute=1 ;;	# and per action, below
	cat|import|rm)
		opts='-h --help' permute=1 ;;
	doctor|completion)
		opts='-h --help' ;;
	version|help)
		opts= ;;
	shell|run)
		opts='--read-only --no-record --record-input --title -h --help'
		argopts='--title' ;;
	*)	# claude and the config's agents: other words are the agent's
		opts='--read-only --no-record --record-input --title -h --help'
		argopts='--title' agent=1 ;;
	esac
}

# The entry point: errexit (set -e in the user's shell) is off while it
# runs, as a test that fails is how the functions below say "no".
_agentrun() {
	local __agentrun_e=${-//[^e]/}
	set +e
	__agentrun_complete
	[[ -z $__agentrun_e ]] || set -e
	return 0
}

__agentrun_complete() {
	local cur prev opt cmd='' opts argopts w pos1='' IFS=$' \t\n'
	local -i i=1 npos=0 optend=0 agent=0 permute=0
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]-}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits a word at ':' (--at 1:30, -C /a:b): nothing to offer
	# inside such a value.
	[[ $cur == : || $prev == : ]] && return 0

	# The option whose argument is being completed, if any; bash splits
	# --opt=value at the '='.
	opt=
	if [[ $cur == = && $prev == --* ]]; then
		opt=$prev cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $prev == -* ]]; then
		opt=$prev
	fi

	# Walk the words before the cursor: global options, the command,
	# its options (up to --, or the first other word as getopt does)
	# and its other words, counted in npos.
	__agentrun_options ''
	while ((i < COMP_CWORD)); do
		w=${COMP_WORDS[i]}
		if [[ $w == : ]]; then
			# The rest of the word before, split at ':'.
			((i + 1 < COMP_CWORD)) && i+=1
			i+=1
			continue
		fi
		if ((optend)); then
			npos+=1
		elif [[ $w == -- ]]; then
			[[ -n $cmd ]] && optend=1
		elif [[ $w == -?* ]] &&
		    { ((!agent)) || [[ " $opts " == *" $w "* ]]; }; then
			if [[ " $argopts " == *" $w "* ]]; then
				[[ ${COMP_WORDS[i + 1]-} == = ]] && i+=1
				i+=1
			fi
		elif [[ -z $cmd ]]; then
			cmd=$w
			__agentrun_options "$cmd"
		elif ((permute)); then
			((npos)) || pos1=$w
			npos+=1
		else
			optend=1 npos=1
		fi
		i+=1
	done

	if ((!optend)) && [[ -n $opt && " $argopts " == *" $opt "* ]]; then
		__agentrun_optarg "$cmd" "$opt"
		return 0
	fi
	if ((!optend)) && [[ $cur == -* ]]; then
		# vm: the options follow the action they belong to.
		case $cmd:$pos1 in
		vm:delete) opts='-y --yes --force -h --help' ;;
		vm:stop) opts='--force -h --help' ;;
		esac
		# shellcheck disable=SC2086
		__agentrun_add $opts
		return 0
	fi
	if [[ -z $cmd ]]; then
		__agentrun_add_values commands
		return 0
	fi

	case $cmd in
	show|cat|replay|text|export)
		((npos == 0)) && __agentrun_sessions ;;
	rm)	__agentrun_sessions ;;
	import)	((npos == 0)) && __agentrun_files ;;
	vm)	if ((npos == 0)); then
			__agentrun_add status start stop delete mounts provision
		elif ((npos == 1)) && [[ $pos1 == provision ]]; then
			__agentrun_add_values agents
		fi ;;
	init|completion)
		((npos == 0)) && __agentrun_add bash zsh ;;
	help)	((npos == 0)) && __agentrun_add_values commands ;;
	ls|gc)	# shellcheck disable=SC2086
		__agentrun_add $opts ;;
	grep|doctor|version|shell) ;;
	run)	# CMD runs in the VM; complete it as a command here.
		if ((npos == 0)); then
			__agentrun_compgen -c
		else
			compopt -o default 2>/dev/null
		fi ;;
	*)	# claude and the config's agents: the words are the agent's.
		compopt -o default 2>/dev/null ;;
	esac
	return 0
}

# _agentrun_alias: completion for an alias of agentrun (arc='agentrun
# claude'): the words of the alias take the place of its name.
_agentrun_alias() {
	local -a exp
	local a=${BASH_ALIASES[${COMP_WORDS[0]}]-} IFS=$' \t\n'
	read -r -a exp <<<"$a"
	((${#exp[@]} > 0)) || return 0
	local -a COMP_WORDS=("${exp[@]}" "${COMP_WORDS[@]:1}")
	local COMP_CWORD=$((COMP_CWORD + ${#exp[@]} - 1))
	_agentrun
}

# _agentrun_wrapped: completion for a function NAME that runs agentrun
# NAME (agentrun init --wrap NAME).
_agentrun_wrapped() {
	local -a COMP_WORDS=(agentrun "${COMP_WORDS[@]}")
	local COMP_CWORD=$((COMP_CWORD + 1))
	_agentrun
}

complete -F _agentrun agentrun
