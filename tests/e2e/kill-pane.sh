#!/usr/bin/env bash
# The terminal closes under a running session (tmux kill-pane): the child
# gets SIGHUP, the transcript ends cleanly, no process is left behind.
. "$(dirname "$0")/../lib/common.sh"
need tmux
need zstd
cd "$T" || exit 1

tm_start 80 24 "$AGENTRUN" -q --backend local run -- sh -c \
    "echo \$\$ > $T/child; echo \$PPID > $T/agentrun; trap 'echo got-hup > $T/hup; exit 1' HUP; echo READY; while :; do sleep 0.1; done"
tm_wait READY
tm kill-pane -t t
for _ in $(seq 100); do
	kill -0 "$(cat "$T/agentrun")" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$(cat "$T/agentrun")" 2>/dev/null && fail "agentrun still running"
kill -0 "$(cat "$T/child")" 2>/dev/null && fail "child still running"
assert_eq got-hup "$(cat "$T/hup" 2>/dev/null)" "child got SIGHUP"
cast=$(latest_cast)
zstd -t "$cast" >/dev/null 2>&1 || fail "transcript not ended cleanly"
zstd -dc "$cast" | tail -n 1 | grep -q '"x", "1"' || fail "no exit event: $(zstd -dc "$cast" | tail -n 2)"
ar show --json latest
assert_contains finished "$OUT"
exit 0
