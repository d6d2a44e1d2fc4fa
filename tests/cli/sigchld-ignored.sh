#!/usr/bin/env bash
# Started with SIGCHLD ignored (a disposition that exec passes on, so the
# kernel reaps the children itself): a session still ends with its
# command, with its status. It waited for ever (TERM did not end it).
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1
timeout -s KILL 20 python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' "$AGENTRUN" -q --backend local run -- \
    sh -c 'echo hi; exit 3' > "$T/out" 2> "$T/err" < /dev/null
rc=$?
assert_eq 3 "$rc" "status with SIGCHLD ignored (137: it hung): $(cat "$T/err")"
assert_contains hi "$(cat "$T/out")"
ar show latest
assert_contains "finished" "$OUT" "state"
exit 0
