#!/usr/bin/env bash
# agentrun ls and grep in a folder that is gone (no project to list)
# fail, and say what still works: --all.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.5, "o", "hello"]' > f.cast
"$AGENTRUN" import f.cast >/dev/null 2>&1 || fail "import"
mkdir gone
for c in "ls" "grep hello"; do
	RC=0; (cd gone && rmdir "$T/gone" && "$AGENTRUN" $c >/dev/null 2>"$T/err") || RC=$?
	assert_eq 1 "$RC" "$c in a folder that is gone"
	assert_contains "current directory" "$(cat "$T/err")" "$c"
	assert_contains "--all" "$(cat "$T/err")" "$c"
	mkdir gone
	RC=0; (cd gone && rmdir "$T/gone" && "$AGENTRUN" $c --all >/dev/null 2>"$T/err") || RC=$?
	assert_eq 0 "$RC" "$c --all in a folder that is gone: $(cat "$T/err")"
	mkdir gone
done
exit 0
