#!/usr/bin/env bash
# A near miss says what was meant, as git does: a command (or an agent of
# the config) one or two typos away, a long option of the command, a run
# option. A word near nothing gets the plain message. Still one line and
# the "Try" hint on stderr, nothing on stdout, exit 2.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

two_lines() {	# what: ERR is one message and the hint, stdout empty, exit 2
	assert_eq 2 "$RC" "$1: status"
	assert_eq "" "$OUT" "$1: stdout"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 2 ] || fail "$1: two lines expected: $ERR"
}

for c in "lss:ls" "sl:ls" "clade:claude" "replya:replay" "shel:shell" \
    "dcotor:doctor" "grpe:grep" "exprot:export"; do
	ar "${c%%:*}"
	two_lines "${c%%:*}"
	assert_eq "agentrun: '${c%%:*}' is not an agentrun command; did you mean '${c#*:}'?
Try 'agentrun --help'." "$ERR" "${c%%:*}"
done
# Two as near: both named.
ar rn
two_lines rn
assert_contains "did you mean 'run' or 'rm'?" "$ERR" "rn"
# Far from everything, and hidden commands are never offered.
for w in frobnicate xyz __compl _index; do
	ar "$w"
	two_lines "$w"
	assert_not_contains "did you mean" "$ERR" "$w"
done
# help CMD the same.
ar help lss
two_lines "help lss"
assert_eq "agentrun: no such command: 'lss'; did you mean 'ls'?
Try 'agentrun help --help'." "$ERR" "help lss"
# An agent of the config is a candidate too.
mkdir -p "$XDG_CONFIG_HOME/agentrun"
printf '{"agents": {"mycoder": {"command": "echo"}}}\n' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar mycodr
two_lines mycodr
assert_contains "did you mean 'mycoder'?" "$ERR" "agent"
ar help mycodre
assert_contains "did you mean 'mycoder'?" "$ERR" "help agent"
rm "$XDG_CONFIG_HOME/agentrun/config.json"

# Long options: the command's own, the global ones, the run options.
for c in "ls --jsno:ls:--json" "gc --kep 3:gc:--keep" \
    "grep --ignor-case x:grep:--ignore-case" "--bakend local ls::--backend" \
    "run --no-recrod -- true:run:--no-record" \
    "shell --readonly:shell:--read-only" "run --titel x -- true:run:--title"; do
	args=${c%%:*} rest=${c#*:}
	cmd=${rest%%:*} want=${rest#*:}
	# shellcheck disable=SC2086
	ar $args
	two_lines "$args"
	assert_contains "did you mean $want?" "$(printf '%s\n' "$ERR" | head -1)" "$args"
	assert_contains "Try 'agentrun ${cmd:+$cmd }--help'." "$ERR" "$args"
done
ar ls --zzzzzz
two_lines "ls --zzzzzz"
assert_eq "agentrun: unknown option: --zzzzzz" "$(printf '%s\n' "$ERR" | head -1)"
# A global option after the command still says where it goes.
ar ls --vm=x
assert_contains "global options go before the command" "$ERR" "ls --vm=x"

# A long option that takes no value, given one, says so (it said
# "unknown option: --all=1", as if --all were not an option).
for c in "ls --all=1:ls:--all" "--version=1::--version" "--verb=1 ls::--verbose" \
    "grep --ignore-case=yes x:grep:--ignore-case"; do
	args=${c%%:*} rest=${c#*:}
	cmd=${rest%%:*} want=${rest#*:}
	# shellcheck disable=SC2086
	ar $args
	two_lines "$args"
	assert_eq "agentrun: option $want takes no value
Try 'agentrun ${cmd:+$cmd }--help'." "$ERR" "$args"
done
exit 0
