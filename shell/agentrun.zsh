# shell/agentrun.zsh: what 'agentrun init zsh' prints before
# completions/_agentrun, for eval "$(agentrun init zsh)". It makes sure
# the completion system is loaded and defines functions; init appends a
# call for each feature asked for:
#   __agentrun_setup_aliases       (init zsh --aliases)
#   __agentrun_setup_wrap AGENT    (init zsh --wrap AGENT)

# The completion registers itself with compdef, which compinit defines.
# Best put this after compinit in .zshrc; if it has not run, run it here.
if ! (( ${+functions[compdef]} )); then
	autoload -Uz compinit && compinit -i
fi

# A compinit that runs later in .zshrc (the user's own after this eval,
# a framework's or a plugin manager's) loads its dump file, which sets
# the registrations afresh: those made here are gone. So each is made
# again, if it is missing, once, before the first prompt.
(( ${+__agentrun_comps} )) || typeset -gHa __agentrun_comps=(agentrun _agentrun)
__agentrun_compdef() {	# FUNCTION NAME...: compdef, and remember it
	emulate -L zsh
	local n
	for n in "${@[2,-1]}"; do
		__agentrun_comps+=("$n" "$1")
	done
	compdef "$@"
}
__agentrun_recompdef() {
	emulate -L zsh
	local -i i
	add-zsh-hook -d precmd __agentrun_recompdef
	(( ${+functions[compdef]} )) || return 0
	for ((i = 1; i < $#__agentrun_comps; i += 2)); do
		[[ ${_comps[$__agentrun_comps[i]]-} == $__agentrun_comps[i+1] ]] ||
		    compdef $__agentrun_comps[i+1] $__agentrun_comps[i]
	done
	return 0
}
autoload -Uz add-zsh-hook && add-zsh-hook precmd __agentrun_recompdef

# Short aliases. zsh completes an alias as what it stands for; with
# complete_aliases set it looks the alias up instead, and finds this.
__agentrun_setup_aliases() {
	alias arc='agentrun claude'
	alias ars='agentrun shell'
	alias arx='agentrun run'
	alias arl='agentrun ls'
	alias arr='agentrun replay'
	alias arg='agentrun grep'
	alias arv='agentrun vm'
	__agentrun_compdef __agentrun_alias arc ars arx arl arr arg arv
}

__agentrun_alias() {
	local -a exp
	exp=(${(z)aliases[$words[1]]})
	(( $#exp )) || return 1
	words=($exp "${(@)words[2,-1]}")
	(( CURRENT += $#exp - 1 ))
	_agentrun
}

# A function AGENT that runs 'agentrun AGENT'; the real program stays
# reachable as 'command AGENT'. init has checked that AGENT is an agent
# profile, so it is a plain name.
__agentrun_setup_wrap() {
	[[ $1 == [a-z]* && $1 != *[^a-z0-9_-]* ]] || return 0
	# A builtin or reserved word, or agentrun itself, would call itself.
	# (No (a|b) pattern: it does not parse under sh_glob.)
	local kind=$(whence -w -- $1)
	if [[ $1 == agentrun || $kind == *': builtin' || $kind == *': reserved' ]]; then
		print -u2 "agentrun: cannot wrap $1: it is a shell builtin or agentrun itself"
		return 0
	fi
	functions[$1]="command agentrun $1 \"\$@\""
	__agentrun_compdef __agentrun_wrapped $1
}

__agentrun_wrapped() {
	words=(agentrun "${(@)words}")
	(( CURRENT++ ))
	_agentrun
}
