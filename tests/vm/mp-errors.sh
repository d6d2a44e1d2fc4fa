#!/usr/bin/env bash
# multipass failures that vm commands and doctor met with the wrong advice
# or with multipass's own words: each is one line that says what to do.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
one_line() { assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" "lines of [$ERR]"; }

ar vm start
assert_eq 0 "$RC" "vm start: $ERR"

# 'multipass version' prints the client line alone whenever the daemon
# does not answer it; doctor said "not running, start it" for a user
# without access to the socket or not authenticated.
MULTIPASS_EMU_DENIED=1 ar doctor
assert_eq 1 "$RC" "doctor, access denied: $OUT"
assert_contains "FAIL  daemon: not allowed to talk to the multipass daemon: your user needs read and write access to its socket" "$OUT" "doctor, access denied"
assert_not_contains "not running" "$OUT" "doctor, access denied"
MULTIPASS_EMU_UNAUTH=1 ar doctor
assert_eq 1 "$RC" "doctor, not authenticated: $OUT"
assert_contains "FAIL  daemon: multipass does not know this user: run 'multipass authenticate'" "$OUT" "doctor, not authenticated"
MULTIPASS_EMU_DAEMON_DOWN=1 ar doctor
assert_eq 1 "$RC" "doctor, daemon down: $OUT"
assert_contains "FAIL  daemon: the multipass daemon is not running: start it with" "$OUT" "doctor, daemon down"
MULTIPASS_EMU_DENIED=1 ar vm status
assert_eq 1 "$RC" "vm status, access denied"
assert_match "agentrun: not allowed to talk to the multipass daemon: *" "$ERR"
one_line

# A folder named multipass earlier on PATH is passed over, as the shell
# does ("cannot run .../multipass: Permission denied").
mkdir -p "$T/early/multipass"
PATH=$T/early:$PATH ar vm status
assert_eq 0 "$RC" "vm status, a folder named multipass first: $ERR"
assert_contains "state:    Running" "$OUT"
PATH=$T/early:$PATH ar doctor
assert_eq 0 "$RC" "doctor, a folder named multipass first: $OUT"
assert_contains "ok    multipass 1.16.3: $T/bin/multipass" "$OUT"

# A state multipass refuses that agentrun did not look at first (vm stop)
# or that came between its look and its call: the advice a session gives.
multipass delete agentrun
ar vm stop
assert_eq 1 "$RC" "vm stop, Deleted"
assert_eq "agentrun: VM agentrun is deleted but not purged: run 'multipass recover agentrun' to keep it, or 'multipass delete --purge agentrun' to start afresh" "$ERR"
multipass recover agentrun
assert_eq Stopped "$(vm_state)"
for s in Unknown Suspending; do
	cat >"$T/bin/multipass.wrap" <<WRAP
#!/usr/bin/env bash
if [ "\$1" = start ]; then
	python3 - "$MULTIPASS_EMU_DIR/state.json" "$s" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
st["instances"]["agentrun"]["state"] = sys.argv[2]
json.dump(st, open(sys.argv[1], "w"))
PY
fi
exec "$ROOT/tests/multipass" "\$@"
WRAP
	chmod +x "$T/bin/multipass.wrap"
	ln -sf multipass.wrap "$T/bin/multipass"
	ar vm start
	assert_eq 1 "$RC" "vm start, $s on the way"
	assert_eq "agentrun: starting VM agentrun" "${ERR%%$'\n'*}" "vm start, $s on the way"
	ERR=${ERR#*$'\n'}
	case $s in
	Unknown) assert_eq "agentrun: VM agentrun is in an unknown state (multipass cannot tell what it is doing): power it off with 'agentrun vm stop --force', then try again" "$ERR" ;;
	Suspending) assert_eq "agentrun: VM agentrun is suspending: that ends by itself; wait a moment and try again" "$ERR" ;;
	esac
	ln -sf "$ROOT/tests/multipass" "$T/bin/multipass"
	vm_set_state Stopped
done

# Warnings streamed on stderr before the failure are not the failure.
cat >"$T/bin/multipass.wrap" <<WRAP
#!/usr/bin/env bash
if [ "\$1" = start ]; then
	printf '%s\n' "Removing mount \"/home/ubuntu/p\" from 'agentrun': sshfs died" \
	    "start failed: The following errors occurred:" \
	    "agentrun: timed out waiting for response" >&2
	exit 2
fi
exec "$ROOT/tests/multipass" "\$@"
WRAP
chmod +x "$T/bin/multipass.wrap"
ln -sf multipass.wrap "$T/bin/multipass"
ar vm start
assert_eq 1 "$RC" "vm start, failed after a warning"
assert_eq "agentrun: multipass start failed: agentrun: timed out waiting for response" "${ERR#*$'\n'}"
ln -sf "$ROOT/tests/multipass" "$T/bin/multipass"

# A multipass killed by a signal says so, not "failed with status 137".
rm -f "$T/bin/multipass"
printf '#!/bin/sh\nkill -9 $$\n' >"$T/bin/multipass"
chmod +x "$T/bin/multipass"
for sub in status stop; do
	ar vm $sub
	assert_eq 1 "$RC" "vm $sub, killed"
	assert_match "agentrun: multipass * was killed by signal 9 (Killed) before it finished: try again" "$ERR"
	one_line
done
ar doctor
assert_eq 1 "$RC" "doctor, killed"
assert_contains "FAIL  multipass: multipass version was killed by signal 9 (Killed)" "$OUT"
exit 0
