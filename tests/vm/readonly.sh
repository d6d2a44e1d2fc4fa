#!/usr/bin/env bash
# --read-only: the project is mounted at a root-only staging folder and
# bound read-only over its own path inside the VM; agentrun says plainly
# that root in the VM can undo it.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
echo original >"$P/file"
ar_in "$P" run --read-only -- sh -c 'cat file; (echo changed >file) 2>/dev/null ||
	echo refused-1; (echo new >new) 2>/dev/null || echo refused-2; (echo x >"$PWD/abs") 2>/dev/null || echo refused-3'
assert_eq 0 "$RC" "read-only run: $ERR"
assert_contains original "$OUT"
# Writes fail inside (the emulator binds the folder read-only for real).
for n in 1 2 3; do assert_contains "refused-$n" "$OUT" "write $n"; done
assert_contains "read-only: the project is read-only inside the VM; root in the VM can undo it, so this guards against accidents, not against a hostile agent" "$ERR"
assert_eq original "$(cat "$P/file")" "host file unchanged"
[ ! -e "$P/new" ] || fail "a new file reached the host"
[ ! -e "$P/abs" ] || fail "a new file reached the host by its full path"
assert_eq "$P => /var/lib/agentrun/ro$P" "$(vm_mounts)" "staging mount"
# vm mounts and vm status show it at the project's path, as read-only.
ar vm mounts
assert_eq "$P => $P (read-only; the writable mount is at /var/lib/agentrun/ro$P, which only root can reach)" "$OUT" "vm mounts"
ar vm status
assert_contains "mount:    $P => $P (read-only;" "$OUT" "vm status"
grep -q "^multipass exec agentrun -n -- sudo sh -c .*mount --bind -o ro.* sh /var/lib/agentrun/ro$P $P\$" "$CALLS" ||
	fail "no read-only bind: $(cat "$CALLS")"

# The sidecar says ro.
side=$(ls -1t "$STORE"/*.json 2>/dev/null | head -n 1)
[ -z "$side" ] || python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s.get("mount_mode") == "ro", s
assert s["mounts"][0]["mode"] == "ro", s' "$side" || fail "sidecar mode"

# Warm read-only: info, the bind (a no-op when present), exec; the view
# is live (an edit on the host shows).
echo edited >"$P/file"
reset_calls
ar_in "$P" run --read-only -- cat file
assert_eq 0 "$RC"
assert_contains edited "$OUT" "live view"
assert_eq 3 "$(ncalls)" "warm read-only calls"

# Back to read-write: the view and the staging mount go.
ar_in "$P" run -- sh -c 'echo changed >file'
assert_eq 0 "$RC" "read-write: $ERR"
assert_eq changed "$(cat "$P/file")" "read-write writes"
assert_eq "$P => $P" "$(vm_mounts)"
grep -q "sudo sh -c '(umount -l \"\$1\"); .*' sh $P" "$CALLS" || fail "bind not removed: $(cat "$CALLS")"

# A mount whose target has ':' cannot be named: every mount goes at once,
# the read-only view's bind first, as when they go one by one (it was
# left in place).
ar_in "$P" run --read-only -- true
assert_eq 0 "$RC" "read-only again: $ERR"
mkdir -p "$T/x"
"$ROOT/tests/multipass" mount "$T/x" "agentrun:/srv/a:b" >/dev/null
reset_calls
ar_in "$P" run -- true
assert_eq 0 "$RC" "read-write after a ':' mount: $ERR"
assert_eq "$P => $P" "$(vm_mounts)" "only the project"
unbind=$(grep -n "sudo sh -c '(umount -l \"\$1\"); .*' sh $P ''\$" "$CALLS" | cut -d: -f1)
all=$(grep -n "^multipass umount agentrun\$" "$CALLS" | cut -d: -f1)
[ -n "$unbind" ] && [ -n "$all" ] && [ "$unbind" -lt "$all" ] ||
	fail "the bind did not go before every mount: $(cat "$CALLS")"
exit 0
