# shell/agentrun.bash: what 'agentrun init bash' prints after
# completions/agentrun.bash, for eval "$(agentrun init bash)". It only
# defines functions; init appends a call for each feature asked for:
#   __agentrun_setup_aliases       (init bash --aliases)
#   __agentrun_setup_wrap AGENT    (init bash --wrap AGENT)

# Short aliases, each completed like what it stands for.
__agentrun_setup_aliases() {
	alias arc='agentrun claude'
	alias ars='agentrun shell'
	alias arx='agentrun run'
	alias arl='agentrun ls'
	alias arr='agentrun replay'
	alias arg='agentrun grep'
	alias arv='agentrun vm'
	complete -F _agentrun_alias arc ars arx arl arr arg arv
}

# A function AGENT that runs 'agentrun AGENT'; the real program stays
# reachable as 'command AGENT'. init has checked that AGENT is an agent
# profile, so it is a plain name ([a-z][a-z0-9_-]*). What cannot be
# wrapped is said and skipped with status 0, so that an rc file's eval
# goes on (under set -e too).
__agentrun_setup_wrap() {
	case $1 in
	[a-z]*) ;;
	*) return 0 ;;
	esac
	case $1 in
	*[!a-z0-9_-]*) return 0 ;;
	esac
	# A builtin or keyword (command, cd, ...) or agentrun itself would
	# call itself through the wrapper.
	case $1:$(type -t -- "$1") in
	agentrun:*|*:builtin|*:keyword)
		echo "agentrun: cannot wrap $1: it is a shell builtin or agentrun itself" >&2
		return 0 ;;
	esac
	# POSIX mode takes no '-' in a function's name (and its error would
	# end a non-interactive shell): say so and wrap nothing.
	case $1 in
	*-*)	if shopt -oq posix; then
			echo "agentrun: cannot wrap $1 in POSIX mode (a '-' in a function name)" >&2
			return 0
		fi ;;
	esac
	eval "function $1 { command agentrun $1 \"\$@\"; }"
	complete -F _agentrun_wrapped "$1"
}
