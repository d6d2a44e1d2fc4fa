#!/usr/bin/env bash
# Output that cannot be written is an error, never a silent success: every
# command that prints, run with stdout on /dev/full or closed, exits 1 with
# one line on stderr; a reader that goes away early (a pipe into head) is
# no error and says nothing.
. "$(dirname "$0")/../lib/common.sh"
[ -c /dev/full ] || skip "needs /dev/full"
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1

{
	echo '{"version": 2, "width": 80, "height": 24}'
	for i in $(seq 1 3000); do
		printf '[%d.0, "o", "needle line %05d of a long session\\r\\n"]\n' "$i" "$i"
	done
} > long.cast
ar import long.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT

# Each command prints with stdio or with write(2); both are covered.
# grep's matches here are over 64 KB, so it also writes in the middle.
for c in "ls" "ls --json" "show $id" "cat $id" "text $id" "export $id" \
    "export -f cast-v2 $id" "grep needle" "version" "--version" "--help" \
    "help ls" "ls --help" "init bash" "init zsh --aliases" \
    "completion bash" "__complete sessions"; do
	# shellcheck disable=SC2086
	"$AGENTRUN" $c > /dev/full 2> "$T/err" < /dev/null
	rc=$?
	err=$(cat "$T/err")
	assert_eq 1 "$rc" "'$c' to /dev/full: status (stderr: $err)"
	assert_match "agentrun: stdout: *" "$err" "'$c' to /dev/full"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] ||
		fail "'$c' to /dev/full: one line expected: $err"
	# shellcheck disable=SC2086
	"$AGENTRUN" $c >&- 2> "$T/err" < /dev/null
	assert_eq 1 "$?" "'$c' with stdout closed (stderr: $(cat "$T/err"))"
done

# A session run with stdout closed: the transcript does not take fd 1 (the
# program's output went into the middle of its zstd stream).
"$AGENTRUN" -q --backend local run -- echo HELLO >&- 2>/dev/null </dev/null
ar cat latest
assert_eq 0 "$RC" "cat of a session run with stdout closed: $ERR"
assert_contains HELLO "$OUT"

# The same commands with somewhere to write succeed.
ar ls
assert_eq 0 "$RC" "ls: $ERR"
ar grep needle
assert_eq 0 "$RC" "grep: $ERR"
assert_eq 3000 "$(printf '%s\n' "$OUT" | wc -l)" "grep lines"

# A reader that stops early: no message, whatever the status.
for c in "grep needle" "cat $id" "ls --json"; do
	# shellcheck disable=SC2086
	"$AGENTRUN" $c 2> "$T/err" < /dev/null | head -c 10 > /dev/null
	assert_eq "" "$(cat "$T/err")" "'$c' into head"
done
exit 0
