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
# (read -a rather than mapfile: bash 3.2 has no mapfile.) The program is
# the one on the line if typed as a path (~/my\ bin/agentrun too).
__agentrun_values() {
	local bin=agentrun REPLY
	__agentrun_dequote "${words[0]-}"
	[[ ${words[0]-} == \~/* ]] && REPLY=$HOME/${REPLY#\~/}
	[[ $REPLY == */* ]] && bin=$REPLY
	# read -d '' ends with status 1 at the end of its input: || : so
	# that a shell with set -e does not exit on Tab.
	IFS=$'\n' read -r -d '' -a __agentrun_v < <(command "$bin" \
	    __complete "$1" 2>/dev/null </dev/null) || :
	__agentrun_v=(${__agentrun_v[@]+"${__agentrun_v[@]%%$'\t'*}"})
}

# __agentrun_dequote WORD: WORD without its quotes and backslashes, as
# the program gets it (an open quote counts as closed), into REPLY.
# Nothing is expanded.
__agentrun_dequote() {
	local w=$1 q='' c
	REPLY=
	while [[ -n $w ]]; do
		c=${w:0:1} w=${w:1}
		if [[ $q == \' ]]; then
			[[ $c == \' ]] && q= || REPLY+=$c
		elif [[ $c == \\ && -n $w && ( -z $q || $w == [\"\\\$\`]* ) ]]; then
			REPLY+=${w:0:1} w=${w:1}
		elif [[ $c == [\'\"] && -z $q ]]; then
			q=$c
		elif [[ $c == \" ]]; then
			q=
		else
			REPLY+=$c
		fi
	done
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
		for w in "${words[@]:1:cword-1}"; do
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

# __agentrun_argopt WORD: the option of WORD that takes the next word as
# its value, into ao: --title, or the last of a group of short options
# (-qC DIR, as getopt reads it; -qCDIR holds its value). Fails if none.
__agentrun_argopt() {
	local w=${1#-} c
	ao=
	if [[ $1 == --* ]]; then
		[[ " $argopts " == *" $1 "* ]] && ao=$1
	else
		while [[ -n $w ]]; do
			c=-${w:0:1} w=${w:1}
			if [[ " $argopts " == *" $c "* ]]; then
				[[ -z $w ]] && ao=$c
				break
			fi
		done
	fi
	[[ -n $ao ]]
}

__agentrun_isop() {	# WORD: a redirection operator (>, >>, <, <<<, >|)?
	[[ $1 == [\<\>]* && $1 != *[!\<\>\|]* ]]
}

# __agentrun_lead: COMP_LINE up to the cursor (COMP_POINT counts
# characters) into REPLY; without a COMP_POINT within it, all of it.
__agentrun_lead() {
	REPLY=${COMP_LINE-}
	[[ -n ${COMP_POINT-} && $COMP_POINT != *[!0-9]* ]] &&
	    ((COMP_POINT < ${#REPLY})) &&
	    REPLY=${REPLY:0:COMP_POINT}
	return 0
}

# __agentrun_words: the words up to the cursor as agentrun gets them,
# from COMP_WORDS and COMP_LINE, into words (the current one last, at
# cword). bash splits a word at '=' and ':' (COMP_WORDBREAKS): the pieces
# typed together are joined again, and piece is the last one, which is
# all that bash replaces. A redirection (> FILE, 2>FILE, <FILE) is not
# agentrun's: it is left out, and redir=1 if the current word is its
# target. Only what is before the cursor counts: in 'agentrun | show'
# (the cursor in the blank) the current word is empty, not show.
# (After 2>&1, >&2 or &>FILE bash does not call _agentrun at all: it
# takes the '&' for the end of the command, and completes what follows
# as the command '1', '2' or '>FILE' with what COMP_LINE holds of it
# only. Files, its default, are offered; nothing here can mend that.)
__agentrun_words() {
	local line w sp REPLY
	local -a toks=()
	local -i i n=0 ok=1
	__agentrun_lead
	line=$REPLY
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]-}
		sp=${line%%[![:space:]]*}
		line=${line#"$sp"}
		if ((ok && i == COMP_CWORD)) && [[ $w == "$line"* ]]; then
			w=$line line=
		elif [[ -n $line && $line == "$w"* ]]; then
			line=${line#"$w"}
		else	# not on the line as typed: the line is of no more use
			sp=' ' line='' ok=0
		fi
		piece=$w
		[[ $w == *[!=:\<\>\|]* ]] || piece=
		if ((n > 0)) && [[ -z $sp && -n $w ]]; then
			if __agentrun_isop "$w"; then
				# 2>FILE: the number goes with the operator.
				[[ -n ${toks[n - 1]} && ${toks[n - 1]} != *[!0-9]* ]] &&
				    n=$((n - 1))
			elif ! __agentrun_isop "${toks[n - 1]}"; then
				toks[n - 1]+=$w
				continue
			fi
		fi
		toks[n]=$w
		n+=1
	done
	words=() redir=0
	for ((i = 0; i < n; i++)); do
		if __agentrun_isop "${toks[i]}"; then
			((i + 2 >= n)) && { redir=1; words+=("${toks[i + 1]-}"); break; }
			i+=1
		else
			words+=("${toks[i]}")
		fi
	done
	cword=${#words[@]}-1
}

# The entry point: errexit (set -e in the user's shell) is off while it
# runs, as a test that fails is how the functions below say "no".
_agentrun() {
	local __agentrun_e=${-//[^e]/} cur='' piece='' pre
	set +e
	__agentrun_complete
	# bash puts a candidate in place of the last piece of the word only
	# (after its last '=' or ':'): what comes before that goes.
	pre=${cur%"$piece"}
	if [[ -n $pre && $cur == *"$piece" ]] && ((${#COMPREPLY[@]})); then
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	[[ -z $__agentrun_e ]] || set -e
	return 0
}

__agentrun_complete() {
	local opt='' ao cmd='' opts argopts w pos1='' REPLY IFS=$' \t\n'
	local -a words
	local -i i=1 npos=0 optend=0 gend=0 agent=0 permute=0 cword redir
	COMPREPLY=()
	__agentrun_words
	__agentrun_dequote "$piece"
	piece=$REPLY
	__agentrun_dequote "${words[cword]}"
	cur=$REPLY
	if ((redir)); then
		__agentrun_files
		return 0
	fi

	# Walk the words before the cursor: global options (up to --), the
	# command, its options (up to --, or the first other word as getopt
	# does) and its other words, counted in npos. opt is the option
	# whose value the current word is, if any.
	__agentrun_options ''
	while ((i < cword)); do
		w=${words[i]}
		if ((optend)); then
			npos+=1
		elif [[ $w == -- ]] && ((!gend || ${#cmd})); then
			[[ -n $cmd ]] && optend=1 || gend=1
		elif ((!gend || ${#cmd})) && [[ $w == -?* ]] &&
		    { ((!agent)) || [[ " $opts " == *" ${w%%=*} "* ]]; }; then
			if __agentrun_argopt "$w"; then
				((i + 1 == cword)) && opt=$ao
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
	# After 'agentrun --' the command comes, even one that starts with -.
	((gend && !${#cmd})) && optend=1
	# --opt=value
	if ((!optend)) && [[ -z $opt && $cur == --?*=* &&
	    " $argopts " == *" ${cur%%=*} "* ]]; then
		opt=${cur%%=*} cur=${cur#*=}
	fi

	if [[ -n $opt ]]; then
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
	local COMP_LINE=${COMP_LINE+$a${COMP_LINE#"${COMP_WORDS[0]}"}}
	local COMP_POINT=${COMP_POINT-}
	[[ -n $COMP_POINT && $COMP_POINT != *[!0-9]* ]] &&
	    COMP_POINT=$((COMP_POINT + ${#a} - ${#COMP_WORDS[0]}))
	local -a COMP_WORDS=("${exp[@]}" "${COMP_WORDS[@]:1}")
	local COMP_CWORD=$((COMP_CWORD + ${#exp[@]} - 1))
	_agentrun
}

# _agentrun_wrapped: completion for a function NAME that runs agentrun
# NAME (agentrun init --wrap NAME).
_agentrun_wrapped() {
	local COMP_LINE="agentrun ${COMP_LINE-}"
	local COMP_POINT=${COMP_POINT-}
	[[ -n $COMP_POINT && $COMP_POINT != *[!0-9]* ]] &&
	    COMP_POINT=$((COMP_POINT + 9))
	local -a COMP_WORDS=(agentrun "${COMP_WORDS[@]}")
	local COMP_CWORD=$((COMP_CWORD + 1))
	_agentrun
}

complete -F _agentrun agentrun
