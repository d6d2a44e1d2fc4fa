#!/usr/bin/env bash
# Multipass <= 1.16 re-runs a command that exits 4 (the emulator does it
# up to 3 times, logging each re-run): agentrun's guard means no re-run
# and status 4 all the same. Other statuses pass through.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
RERUNS=$MULTIPASS_EMU_DIR/reruns.log

# The bug is there in the emulator.
ar_in "$P" run -- true
"$ROOT/tests/multipass" exec agentrun -- sh -c 'exit 4' </dev/null
assert_eq 4 "$?" "emulator status"
assert_eq 3 "$(wc -l <"$RERUNS" | tr -d ' ')" "emulator re-runs"
rm -f "$RERUNS"

for s in 0 1 3 4 5 42 244 255; do
	ar_in "$P" run -- sh -c "echo once; exit $s"
	[ $s = 244 ] && [ "$RC" = 4 ] && continue	# the sentinel's one collision
	assert_eq "$s" "$RC" "status of exit $s"
	assert_eq once "$(printf %s "$OUT" | tr -d '\r')" "ran once for $s"
done
[ ! -e "$RERUNS" ] || fail "re-runs happened: $(cat "$RERUNS")"

# claude itself exiting 4.
ar_in "$P" vm provision >/dev/null
write_config
ar_in "$P" vm provision
ar_in "$P" claude --exit 4
assert_eq 4 "$RC" "claude --exit 4"
[ ! -e "$RERUNS" ] || fail "re-runs happened: $(cat "$RERUNS")"

# A signal: 128+N from the login shell.
ar_in "$P" run -- sh -c 'kill -TERM $$'
assert_eq 143 "$RC" "killed by TERM"

# 1.17: no loop, and the guard is off (cached version is per binary, so
# start from a fresh state folder).
export MULTIPASS_EMU_VERSION=1.17.0 XDG_STATE_HOME=$T/state117
ar_in "$P" run -- sh -c 'exit 4'
assert_eq 4 "$RC" "1.17 exit 4"
tail -n 1 "$CALLS" | grep -q 244 && fail "1.17 needs no guard: $(tail -n 1 "$CALLS")"
exit 0
