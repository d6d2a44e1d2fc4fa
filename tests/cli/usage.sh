#!/usr/bin/env bash
# The command line: --help on every command, help CMD, version, unknown
# commands and options (one line, "Try ...", exit 2).
. "$(dirname "$0")/../lib/common.sh"

ar --help
assert_eq 0 "$RC" "--help status"
assert_contains "Commands:" "$OUT"
main_help=$OUT
for c in claude shell run ls show cat replay text export import grep rm gc \
    vm doctor init completion version help; do
	[ "$c" = help ] || [ "$c" = version ] || assert_contains "  $c " "$main_help" "main help"
	ar "$c" --help
	assert_eq 0 "$RC" "$c --help status"
	assert_match "usage: agentrun $c*" "$OUT" "$c --help"
	assert_eq "" "$ERR" "$c --help stderr"
	ar help "$c"
	assert_eq 0 "$RC" "help $c"
	assert_match "usage: agentrun $c*" "$OUT" "help $c"
done

ar version
assert_eq 0 "$RC"
assert_match "agentrun [0-9]*.[0-9]*" "$OUT"
ar --version
assert_match "agentrun [0-9]*" "$OUT"

ar frobnicate
assert_eq 2 "$RC" "unknown command status"
assert_eq "" "$OUT" "unknown command stdout"
assert_eq "agentrun: 'frobnicate' is not an agentrun command
Try 'agentrun --help'." "$ERR"

ar --frob ls
assert_eq 2 "$RC" "unknown global option"
assert_contains "Try 'agentrun --help'." "$ERR"

ar ls --frob
assert_eq 2 "$RC" "unknown ls option"
assert_contains "Try 'agentrun ls --help'." "$ERR"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 2 ] || fail "two lines expected: $ERR"

# A cut-short long option that could be several says so and names them
# (it said "unknown option"); one that fits one option still works.
ar --ver ls
assert_eq 2 "$RC" "--ver status"
assert_eq "agentrun: ambiguous option: --ver (could be --version, --verbose)
Try 'agentrun --help'." "$ERR" "--ver"
ar --v=x ls
assert_contains "ambiguous option: --v (could be --version, --verbose, --vm)" "$ERR" "--v=x"
ar --verb --backend local ls
assert_eq 0 "$RC" "--verb is --verbose"
ar ls --js
assert_eq 0 "$RC" "ls --js is --json"

# A bad short option is named alone, also inside a group.
ar grep -rf x
assert_eq 2 "$RC" "grep -rf"
assert_contains "unknown option: -r" "$ERR"
ar ls -axy
assert_contains "unknown option: -x" "$ERR" "ls -axy"
ar grep -iz x
assert_contains "unknown option: -z" "$ERR" "grep -iz"
ar grep --all -qz x
assert_contains "unknown option: -q" "$ERR" "after a long option"
ar export -f
assert_contains "option -f needs a value" "$ERR"

ar run --frob x
assert_eq 2 "$RC" "unknown run option"
assert_contains "Try 'agentrun run --help'." "$ERR"

ar run
assert_eq 2 "$RC" "run without a command"

ar completion bash extra
assert_eq 2 "$RC" "completion with two words"
assert_contains "unexpected argument: extra" "$ERR"

# vm: the action first, then its options.
ar vm -y delete
assert_eq 2 "$RC" "vm -y delete"
assert_contains "the action comes first" "$ERR"

# Global options with an empty value.
for o in "--vm=" "--backend="; do
	ar "$o" ls
	assert_eq 2 "$RC" "$o"
	assert_contains "needs a value, not an empty one" "$ERR" "$o"
done
ar -C "" ls
assert_eq 2 "$RC" "-C ''"
assert_contains "option -C needs a value" "$ERR"

ar --backend bogus ls
assert_eq 2 "$RC" "bad backend"
assert_contains "unknown backend" "$ERR"

ar
assert_eq 2 "$RC" "no command"

ar help nosuch
assert_eq 2 "$RC" "help on unknown"
# --help anywhere after help is help's own, as after any other command.
ar help ls --help
assert_eq 0 "$RC" "help ls --help: $ERR"
assert_match "usage: agentrun help*" "$OUT" "help ls --help"

# The global options parse as every command's: '--' with nothing after it,
# groups, abbreviations, --version with more words, --help CMD.
ar --
assert_eq 2 "$RC" "-- alone"
assert_contains "no command given" "$ERR"
ar -q --
assert_eq 2 "$RC" "-q -- alone"
ar -- ls
assert_eq 0 "$RC" "-- ls: $ERR"
ar -qv --verb --vers
assert_eq 0 "$RC" "grouped and abbreviated globals: $ERR"
assert_match "agentrun [0-9]*" "$OUT"
ar --version extra
assert_eq 2 "$RC" "--version extra"
assert_contains "unexpected argument: extra" "$ERR"
ar --help ls
assert_eq 0 "$RC" "--help ls"
assert_match "usage: agentrun ls*" "$OUT"
# An agent of the config too, as 'help AGENT' and 'AGENT --help'.
mkdir -p "$XDG_CONFIG_HOME/agentrun"
printf '{"agents": {"myag": {"command": "echo"}}}\n' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar --help myag
assert_eq 0 "$RC" "--help myag"
assert_match "usage: agentrun myag *" "$OUT"
rm "$XDG_CONFIG_HOME/agentrun/config.json"
# A -C that names no folder: exit 2 for every command, named as -C's.
for c in ls "show latest" "vm status" "gc -n --keep 5" doctor "run true"; do
	# shellcheck disable=SC2086
	ar -C "$T/no/such" $c
	assert_eq 2 "$RC" "-C nowhere $c"
	assert_eq "agentrun: -C $T/no/such: No such file or directory" "$ERR" "-C nowhere $c"
done
: >"$T/afile"
ar -C "$T/afile" ls
assert_eq 2 "$RC" "-C a file"
assert_contains "-C $T/afile: not a directory" "$ERR"
# --help and --version do not hide a bad -C or --backend (as git's).
for o in --help --version; do
	ar -C "$T/no/such" "$o"
	assert_eq 2 "$RC" "-C nowhere $o"
	assert_eq "" "$OUT" "-C nowhere $o: stdout"
	assert_eq "agentrun: -C $T/no/such: No such file or directory" "$ERR" "-C nowhere $o"
	ar --backend bogus "$o"
	assert_eq 2 "$RC" "--backend bogus $o"
	assert_contains "unknown backend 'bogus'" "$ERR" "--backend bogus $o"
done
# A global option after the command says where it goes; a short option
# missing its value in a group is named alone.
ar ls -C /tmp
assert_eq 2 "$RC" "ls -C"
assert_contains "global options go before the command: agentrun -C ... ls" "$ERR"
ar ls --vm=x
assert_contains "agentrun --vm ... ls" "$ERR" "ls --vm=x"
# The same for the commands that parse their own options.
for c in "vm status --vm x:--vm ... vm" "shell --vm x:--vm ... shell" \
	"run -q -- true:-q ... run" "doctor -q:-q ... doctor" \
	"init bash -v:-v ... init" "rm -C x latest:-C ... rm"; do
	# shellcheck disable=SC2086
	ar ${c%%:*}
	assert_eq 2 "$RC" "${c%%:*}"
	assert_contains "global options go before the command: agentrun ${c#*:})" "$ERR" "${c%%:*}"
done
ar ls -an
assert_eq 2 "$RC" "ls -an"
assert_contains "option -n needs a value" "$ERR"

# cat and import parse options as the other commands do: '--' ends them,
# and an unknown option is named.
cd "$T" || exit 1
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.1, "o", "dash"]' > ./-dash.cast
ar cat -- -dash.cast
assert_eq 0 "$RC" "cat -- FILE: $ERR"
assert_eq dash "$OUT"
ar import -- -dash.cast
assert_eq 0 "$RC" "import -- FILE: $ERR"
for c in cat import doctor version help completion "completion bash" \
    ls show replay text export grep rm gc init "vm status"; do
	# shellcheck disable=SC2086
	ar $c --bogus
	assert_eq 2 "$RC" "$c --bogus"
	assert_eq "agentrun: unknown option: --bogus" "$(printf '%s\n' "$ERR" | head -1)" "$c --bogus"
done
# Only the options that --help and the man page list: no hidden -j.
for c in "ls -j" "show -j latest"; do
	# shellcheck disable=SC2086
	ar $c
	assert_eq 2 "$RC" "$c"
done
for c in cat import; do
	ar $c --bogus x
	assert_eq 2 "$RC" "$c --bogus"
	assert_contains "unknown option: --bogus" "$ERR"
done
# The statuses run passes on for what it ran (the man page's 126, 127 and
# 128+n; run-local checks them) are named in run --help and the README.
ar run --help
readme=$(tr '\n' ' ' <"$ROOT/README.md")
for s in 126 127 128+N; do
	assert_contains "$s " "$OUT" "run --help, status $s"
	assert_contains "$s " "$readme" "README, status $s"
done
# --help after a command's other words is its help too, as the man page
# says every command takes it (completion said "unknown option: --help").
for c in "cat x" "import x" "rm x" "grep x" "text x" "export x" "show x" \
    "replay x" "vm status" "init bash" "completion bash"; do
	# shellcheck disable=SC2086
	ar $c --help
	assert_eq 0 "$RC" "$c --help: $ERR"
	assert_match "usage: agentrun ${c%% *}*" "$OUT" "$c --help"
done

# A title must say something: an empty one is a mistake (as -C ''), and
# nothing is run.
for t in "--title=" "--title ''"; do
	eval "set -- $t"
	ar --backend local run "$@" -- touch "$T/ran"
	assert_eq 2 "$RC" "run $t"
	assert_eq "agentrun: option --title needs a value, not an empty one
Try 'agentrun run --help'." "$ERR" "run $t"
	[ ! -e "$T/ran" ] || fail "run $t ran the command"
done
ar --backend local run --title
assert_eq 2 "$RC" "run --title at the end"
assert_eq "agentrun: option --title needs a value
Try 'agentrun run --help'." "$ERR" "run --title at the end"
exit 0
