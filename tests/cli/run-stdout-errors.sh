#!/usr/bin/env bash
# A session whose output cannot be written (stdout on a full disk, or
# closed) is an error, as for every command that prints: one line on
# stderr and status 1 (it was a silent success, exit 0, with the output
# lost). The transcript still holds the output and the command's own
# status (here one that ignores the hangup agentrun sends it then, as a
# terminal that was closed would). A reader that goes away (a pipe into
# head) stays silent.
. "$(dirname "$0")/../lib/common.sh"
[ -c /dev/full ] || skip "needs /dev/full"
need zstd
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1

cmd='trap "" HUP; echo HELLO; sleep 0.2; exit 3'
for backend in local multipass; do
	for how in full closed; do
		if [ "$how" = full ]; then
			"$AGENTRUN" -q --backend "$backend" run -- sh -c "$cmd" \
			    >/dev/full 2>"$T/err" </dev/null
		else
			"$AGENTRUN" -q --backend "$backend" run -- sh -c "$cmd" \
			    >&- 2>"$T/err" </dev/null
		fi
		rc=$?
		err=$(cat "$T/err")
		assert_eq 1 "$rc" "$backend, stdout $how: status (stderr: $err)"
		assert_match "agentrun: stdout: *" "$err" "$backend, stdout $how"
		[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] ||
			fail "$backend, stdout $how: one line expected: $err"
		zstd -dcq "$(latest_cast)" > "$T/t.cast"
		grep -qF HELLO "$T/t.cast" || fail "$backend, stdout $how: output not recorded"
		# multipass exec itself dies of the hangup (the guest's
		# command is not its child): only its status is known.
		[ "$backend" = local ] || continue
		tail -n 1 "$T/t.cast" | grep -qF '"x", "3"]' ||
			fail "$backend, stdout $how: exit event: $(tail -n 1 "$T/t.cast")"
	done
done

# A reader that stops early: no message.
"$AGENTRUN" -q --backend local run -- sh -c 'echo a; sleep 0.3; seq 100000' \
    2>"$T/err" </dev/null | head -c 1 >/dev/null
assert_eq "" "$(cat "$T/err")" "into head"
# Somewhere to write: no message, the command's status.
"$AGENTRUN" -q --backend local run -- sh -c 'echo HELLO; exit 3' \
    >/dev/null 2>"$T/err" </dev/null
assert_eq 3 "$?" "to /dev/null: status"
assert_eq "" "$(cat "$T/err")" "to /dev/null"
exit 0
