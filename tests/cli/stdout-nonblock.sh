#!/usr/bin/env bash
# A standard output left non-blocking (O_NONBLOCK on a terminal or pipe it
# shares with other programs) that is slow to drain: every write waits for
# room, as on a blocking one. EAGAIN once hung up the session (status 129,
# the output cut at 64 KB) and failed cat with "Resource temporarily
# unavailable".
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1
# Run a command with stdout set non-blocking.
nonblock() {
	python3 -c 'import os, sys
os.set_blocking(1, False)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
n=1000000

nonblock "$AGENTRUN" -q --backend local run -- sh -c \
    "head -c $n /dev/zero | tr '\\0' x; echo; echo END" </dev/null \
    2> "$T/err" | { sleep 1; cat > "$T/out"; }
rc=${PIPESTATUS[0]}
assert_eq 0 "$rc" "session status with a slow non-blocking stdout: $(cat "$T/err")"
assert_eq "" "$(cat "$T/err")" "nothing said"
assert_contains END "$(tail -c 10 "$T/out")" "the output's end reached stdout"
ar cat latest
assert_eq 0 "$RC" "cat: $ERR"
assert_contains END "$OUT" "the transcript is whole"

# cat writes with write(2) too.
id=$(ls "$STORE" | grep -m 1 '\.cast\.zst$' | cut -c1-20)
nonblock "$AGENTRUN" cat "$id" 2> "$T/err" | { sleep 1; wc -c > "$T/n"; }
rc=${PIPESTATUS[0]}
assert_eq 0 "$rc" "cat into a slow non-blocking stdout: $(cat "$T/err")"
[ "$(cat "$T/n")" -gt "$n" ] || fail "cat wrote $(cat "$T/n") bytes"
exit 0
