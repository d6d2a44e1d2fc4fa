#!/usr/bin/env bash
# The config file as a user gets it wrong: a FIFO in its place (every
# command hung reading it), a raw NUL byte (cJSON ended the string there:
# "echo ok<NUL>; rm -rf x" became "echo ok" without a word), and JSON's
# missing comments and trailing commas (a bare "invalid JSON at ...").
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
CFG=$XDG_CONFIG_HOME/agentrun/config.json

# A FIFO: an error at once, not a wait for a writer.
rm -f "$CFG"
mkfifo "$CFG"
for cmd in "vm status" doctor; do
	# shellcheck disable=SC2086
	OUT=$(timeout 10 "$AGENTRUN" $cmd 2>"$T/stderr" </dev/null)
	RC=$?
	ERR=$(cat "$T/stderr")
	[ $RC != 124 ] || fail "$cmd hangs on a FIFO config"
	assert_contains "$CFG: not a regular file" "$OUT$ERR" "$cmd, FIFO"
done
rm -f "$CFG"

# A directory still says so.
mkdir "$CFG"
ar vm status
assert_eq 2 "$RC" "vm status, config a directory"
assert_eq "agentrun: $CFG: Is a directory" "$ERR"
rmdir "$CFG"

# A raw NUL byte: refused, not cut short.
printf '{"vm": {"name": "abc\0def"}}' >"$CFG"
ar vm status
assert_eq 2 "$RC" "vm status, NUL in vm.name: $OUT"
assert_eq "agentrun: $CFG: a NUL byte at line 1, column 21: a config is JSON text, not a binary file" "$ERR"
printf '{"agents": {"foo": {"install": "echo ok\0; rm -rf x"}}}' >"$CFG"
ar doctor
assert_eq 1 "$RC" "doctor, NUL in install: $OUT"
assert_contains "FAIL  config: $CFG: a NUL byte at line 1, column 40" "$OUT"

# Comments and trailing commas: say which.
printf '{\n  // the VM\n  "vm": {"cpus": 4}\n}\n' >"$CFG"
ar doctor
assert_contains "FAIL  config: $CFG: invalid JSON at line 2, column 3: JSON has no comments (a \"//\" member at the top level can hold one)" "$OUT"
printf '{\n  "vm": {\n    "cpus": 4,\n  }\n}\n' >"$CFG"
ar vm status
assert_eq "agentrun: $CFG: invalid JSON at line 3, column 14: a comma before '}': JSON allows none after the last member" "$ERR"
# What the hint says works.
printf '{\n  "//": "the VM",\n  "vm": {"cpus": 4}\n}\n' >"$CFG"
ar vm status
assert_eq 0 "$RC" "a // member: $ERR"
exit 0
