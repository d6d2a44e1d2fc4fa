#!/usr/bin/env bash
# Multipass <= 1.16 re-runs a command that exits 4, forever with a real
# client (the emulator stops after 3 re-runs): an install command that
# exits 4 runs once and is reported as a failed install, at the first
# launch and by 'vm provision'. So is the read-only bind in the guest
# (mount(8) exits 4 for an internal error).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
RERUNS=$MULTIPASS_EMU_DIR/reruns.log
COUNT=$MULTIPASS_EMU_DIR/vms/agentrun/home/count
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"four": {"command": "four", "install": "echo install-ran >> ~/count; exit 4"}}}
JSON

# The first launch provisions.
ar_in "$P" four
assert_eq 125 "$RC" "first run: $ERR"
assert_contains "installing four in VM agentrun failed (status 4); fix the problem above, then run 'agentrun vm provision four'" "$ERR"
assert_eq 1 "$(wc -l <"$COUNT" | tr -d ' ')" "install runs at launch"
[ ! -e "$RERUNS" ] || fail "re-runs happened: $(cat "$RERUNS")"

# vm provision.
rm -f "$COUNT"
ar_in "$P" vm provision four
assert_eq 1 "$RC" "vm provision: $ERR"
assert_contains "installing four in VM agentrun failed (status 4)" "$ERR"
assert_eq 1 "$(wc -l <"$COUNT" | tr -d ' ')" "install runs by vm provision"
[ ! -e "$RERUNS" ] || fail "re-runs happened: $(cat "$RERUNS")"

# Other statuses are reported as they are, and success is success.
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"five": {"install": "echo five-said; exit 5"}, "ok": {"install": "echo ok-said; echo ok-err >&2"}}}
JSON
ar_in "$P" vm provision five
assert_eq 1 "$RC" "exit 5"
assert_contains "installing five in VM agentrun failed (status 5)" "$ERR"
# What the install says goes to stderr, "the problem above": stdout is
# the session's (claude -p ... | jq).
assert_eq "" "$OUT" "stdout of a failed install"
assert_contains "five-said" "$ERR"
ar_in "$P" vm provision ok
assert_eq 0 "$RC" "install ok: $ERR"
assert_eq "" "$OUT" "stdout of an install"
assert_contains "ok-said" "$ERR"
assert_contains "ok-err" "$ERR"

# The read-only bind's mount exits 4.
MULTIPASS_EMU_FAIL_BIND=4 ar_in "$P" run --read-only -- true
assert_eq 125 "$RC" "bind exits 4: $ERR"
[ ! -e "$RERUNS" ] || fail "re-runs happened: $(cat "$RERUNS")"
ar_in "$P" run --read-only -- true
assert_eq 0 "$RC" "read-only run: $ERR"
exit 0
