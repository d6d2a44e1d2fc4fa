#!/usr/bin/env bash
# multipass dies in the middle of a call (killed, or gone between two
# calls): a clear one-line message, exit 125, no session left half-made.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
P=$(mkproj proj)

# A client that is killed while it answers. (rm first: $T/bin/multipass is
# a link to the emulator, which must not be written through.)
rm -f "$T/bin/multipass"
cat > "$T/bin/multipass" <<'SH'
#!/bin/sh
kill -9 $$
SH
chmod +x "$T/bin/multipass"
ar_in "$P" claude
assert_eq 125 "$RC" "killed client"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "one line expected: $ERR"
assert_contains "multipass" "$ERR"
[ -z "$(ls "$STORE" 2>/dev/null)" ] || fail "a session was left: $(ls "$STORE")"

# A client that vanishes between info and exec: the VM exists (a cold run
# with the real emulator first), then the binary is gone when the proxy
# execs it: the shell's "command not found" and 127, recorded.
rm -f "$T/bin/multipass"
ln -s "$ROOT/tests/multipass" "$T/bin/multipass"
ar_in "$P" claude --version
assert_eq 0 "$RC" "cold run: $ERR"
cat > "$T/bin/multipass.next" <<SH
#!/bin/sh
rm -f "$T/bin/multipass"
exec "$ROOT/tests/multipass" "\$@"
SH
chmod +x "$T/bin/multipass.next"
rm -f "$T/bin/multipass"
mv "$T/bin/multipass.next" "$T/bin/multipass"
ar_in "$P" claude --version
assert_eq 127 "$RC" "client gone before exec"
assert_contains "multipass: command not found" "$OUT"
ar show --json latest
assert_contains '"exit_status":	127' "$OUT" "recorded with its status"
exit 0
