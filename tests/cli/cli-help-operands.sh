#!/usr/bin/env bash
# help and version parse their words as every other command does: '--'
# ends the options and is not itself a word (help -- ls said "help takes
# one command", version -- "unknown option: --"), and --help anywhere
# before it is the command's own help (version x --help was an error).
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

ok() {	# what glob: exit 0, stdout matches, nothing on stderr
	assert_eq 0 "$RC" "$1: status ($ERR)"
	assert_eq "" "$ERR" "$1: stderr"
	assert_match "$2" "$OUT" "$1"
}
ar help -- ls
ok "help -- ls" "usage: agentrun ls *"
ar help ls --
ok "help ls --" "usage: agentrun ls *"
ar help --
ok "help --" "usage: agentrun *Commands:*"
ar help -- --help
assert_eq 2 "$RC" "help -- --help: a command name, not an option"
assert_contains "no such command: '--help'" "$ERR"
ar version --
ok "version --" "agentrun [0-9]*"
ar version -- -x
assert_eq 2 "$RC" "version -- -x"
assert_eq "agentrun: unexpected argument: -x
Try 'agentrun version --help'." "$ERR" "version -- -x"
for c in "version x" "help ls x" "help -x"; do
	# shellcheck disable=SC2086
	ar $c --help
	ok "$c --help" "usage: agentrun ${c%% *}*"
	# shellcheck disable=SC2086
	ar $c -h
	ok "$c -h" "usage: agentrun ${c%% *}*"
done
# Still errors without --help.
ar version x
assert_eq 2 "$RC" "version x"
assert_contains "unexpected argument: x" "$ERR"
ar help -x
assert_eq 2 "$RC" "help -x"
assert_contains "unknown option: -x" "$ERR"
ar help ls -- x
assert_eq 2 "$RC" "help ls -- x"
assert_contains "help takes one command" "$ERR"
exit 0
