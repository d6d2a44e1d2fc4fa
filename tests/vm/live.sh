#!/usr/bin/env bash
# A live session of another project on the same VM makes a new session
# refuse, naming that project and suggesting --vm; the same project may
# share the VM; a dead session's entry is ignored.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

A=$(mkproj a) B=$(mkproj b)
LIVE=$XDG_STATE_HOME/agentrun/live

# A real session of a, kept alive by a command that waits for a file.
(cd "$A" && exec "$AGENTRUN" run -- sh -c 'while [ ! -e "$0" ]; do sleep 0.05; done' "$A/.done" \
	</dev/null >"$T/a.out" 2>"$T/a.err") &
apid=$!
for i in $(seq 200); do
	ls "$LIVE"/agentrun.*.json >/dev/null 2>&1 && break
	sleep 0.05
done
ls "$LIVE"/agentrun.*.json >/dev/null 2>&1 || fail "no live entry: $(cat "$T/a.err")"

ar_in "$B" run -- true
assert_eq 125 "$RC" "other project refused"
assert_match "agentrun: VM agentrun is in use by a session in $A (pid *); wait for it to end, or use another VM with --vm NAME" "$ERR"
assert_eq "$A => $A" "$(vm_mounts)" "a's mount untouched"

# The same project shares the VM.
ar_in "$A" run -- echo shared
assert_eq 0 "$RC" "same project: $ERR"

# Another VM is fine.
ar_in "$B" --vm second run -- echo other-vm
assert_eq 0 "$RC" "--vm second: $ERR"
assert_eq "$A => $A" "$(vm_mounts)" "a still mounted on agentrun"
assert_eq "$B => $B" "$(vm_mounts second)" "b on second"

# vm status lists the session; stop refuses without --force.
ar vm status
assert_contains "session:  pid" "$OUT"
assert_contains "in $A (read-write)" "$OUT"
ar vm stop
assert_eq 1 "$RC" "stop while live"
assert_contains "not stopping VM agentrun while a session uses it" "$ERR"

touch "$A/.done"
wait $apid
assert_eq 0 "$?" "session a"
ls "$LIVE"/agentrun.*.json >/dev/null 2>&1 && fail "live entry left behind"

# Now b may take the VM.
ar_in "$B" run -- true
assert_eq 0 "$RC" "b after a ended: $ERR"
assert_eq "$B => $B" "$(vm_mounts)"

# A stale entry (dead pid) is ignored and removed.
sleep 0 & dead=$!
wait $dead
printf '{"pid":%d,"vm":"agentrun","project":"%s","mode":"rw"}' "$dead" "$A" \
	>"$LIVE/agentrun.$dead.json"
ar_in "$B" run -- true
assert_eq 0 "$RC" "stale entry: $ERR"
[ ! -e "$LIVE/agentrun.$dead.json" ] || fail "stale entry kept"

# So is one whose pid is out of any range (a hand-edited or damaged
# entry): no undefined conversion (SANITIZE=1 checks), no lock, gone.
printf '{"pid":1e300,"vm":"agentrun","project":"%s","mode":"rw"}' "$A" \
	>"$LIVE/agentrun.1.json"
ar_in "$B" run -- true
assert_eq 0 "$RC" "entry with a pid out of range: $ERR"
[ ! -e "$LIVE/agentrun.1.json" ] || fail "entry with a pid out of range kept"

# So is the entry of a session that crashed once its pid is another
# process's (pids are reused, and after a reboot): its agentrun no longer
# holds the entry's lock.
sleep 60 & other=$!
printf '{"pid":%d,"vm":"agentrun","project":"%s","mode":"rw"}' "$other" "$A" \
	>"$LIVE/agentrun.$other.json"
ar_in "$B" run -- true
assert_eq 0 "$RC" "entry of a reused pid: $ERR"
[ ! -e "$LIVE/agentrun.$other.json" ] || fail "entry of a reused pid kept"
kill "$other"

# An entry a crash left before renaming it into place (NAME.PID.json.tmp)
# goes once its maker is gone; one whose maker lives stays.
sleep 0 & dead=$!
wait $dead
sleep 60 & other=$!
: >"$LIVE/agentrun.$dead.json.tmp"
: >"$LIVE/agentrun.$other.json.tmp"
ar_in "$B" run -- true
assert_eq 0 "$RC" "with leftovers: $ERR"
[ ! -e "$LIVE/agentrun.$dead.json.tmp" ] || fail "a crash's leftover kept"
[ -e "$LIVE/agentrun.$other.json.tmp" ] || fail "a live maker's entry removed"
kill "$other"
# One held by a lock stays, its maker gone or not: someone has it now.
: >"$LIVE/agentrun.$dead.json.tmp"
hold_lock "$LIVE/agentrun.$dead.json.tmp"
holder=$HOLDER
ar_in "$B" run -- true
[ -e "$LIVE/agentrun.$dead.json.tmp" ] || fail "a held leftover removed"
kill "$holder"; wait "$holder" 2>/dev/null
exit 0
