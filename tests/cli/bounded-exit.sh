#!/usr/bin/env bash
# agentrun ends in bounded time when the child ignores SIGHUP and SIGTERM
# (it escalates to SIGKILL) and when a grandchild keeps the pty open after
# the child has exited.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# 1. A child that ignores HUP and TERM.
"$AGENTRUN" -q --backend local run -- sh -c \
    "trap '' HUP TERM INT; echo \$\$ > $T/child; echo READY; while :; do sleep 0.1; done" \
    >"$T/out" 2>&1 </dev/null &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/out" 2>/dev/null && break; sleep 0.1; done
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 137 "$rc" "killed after escalation"
[ "$elapsed" -lt 10000 ] || fail "took ${elapsed} ms"
kill -0 "$(cat "$T/child")" 2>/dev/null && fail "child left behind"

# 2. SIGHUP to agentrun with the same stubborn child: HUP, then TERM, then KILL.
"$AGENTRUN" -q --backend local run -- sh -c \
    "trap '' HUP TERM; echo \$\$ > $T/child2; echo READY; while :; do sleep 0.1; done" \
    >"$T/out2" 2>&1 </dev/null &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/out2" 2>/dev/null && break; sleep 0.1; done
kill -HUP "$pid"
wait "$pid"
assert_eq 137 "$?" "HUP escalates to KILL"
kill -0 "$(cat "$T/child2")" 2>/dev/null && fail "child left behind after HUP"

# 3. A grandchild holds the pty open after the child exits.
start=$(date +%s%N)
ar -q --backend local run -- sh -c 'sleep 30 & echo parent-done; exit 4'
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 4 "$RC" "status of the child, not the grandchild"
assert_contains "parent-done" "$OUT"
[ "$elapsed" -lt 5000 ] || fail "grandchild kept agentrun for ${elapsed} ms"

# 4. Nobody reads stdout any more (a pipe whose reader left): the child
# gets SIGHUP, as when a terminal closes.
start=$(date +%s%N)
timeout 20 "$AGENTRUN" -q --backend local run -- yes 2>/dev/null </dev/null | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 129 "$rc" "a closed pipe ends the session with SIGHUP"
[ "$elapsed" -lt 10000 ] || fail "took ${elapsed} ms"
exit 0
