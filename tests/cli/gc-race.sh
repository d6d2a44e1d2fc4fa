#!/usr/bin/env bash
# gc never takes a session that is recording, even at its first and last
# instants: the transcript is locked before it appears under its name, and
# the lock goes only after the sidecar says finished. strace widens those
# instants (a delay injected into the system call that ends each).
. "$(dirname "$0")/../lib/common.sh"
need strace
cd "$T" || exit 1
# LeakSanitizer cannot run under ptrace (SANITIZE=1): the rest of ASan can.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
strace -f -o /dev/null -e trace=getpid -e inject=getpid:delay_enter=1 true \
	2>/dev/null || skip "strace cannot inject delays here"

# The start: taking the transcript's lock (its first flock) is delayed
# 2 s, and so is link(2), which gives the file its name.
strace -f -o /dev/null -e trace=flock,link \
	-e inject=flock:delay_enter=2000000:when=1 \
	-e inject=link:delay_enter=2000000 \
	"$AGENTRUN" -q --backend local run -- sh -c 'sleep 1; echo start-output' \
	</dev/null >"$T/a.out" 2>&1 &
pid=$!
sleep 1
ar gc --keep 0
assert_eq 0 "$RC" "gc at the start: $ERR"
sleep 2
ar gc --keep 0
assert_eq 0 "$RC" "gc at the start: $ERR"
assert_not_contains "removed" "$OUT$ERR" "gc removed the starting session"
wait "$pid" || fail "session: $(cat "$T/a.out")"
ar cat latest
assert_eq 0 "$RC" "the session is whole: $ERR"
assert_contains "start-output" "$OUT"

# The end: the final sidecar is renamed into place (its second rename),
# delayed 2 s; gc meanwhile sees a transcript still locked.
rm -rf "$STORE"
strace -f -o /dev/null -e trace=rename -e inject=rename:delay_enter=2000000:when=2 \
	"$AGENTRUN" -q --backend local run -- sh -c 'sleep 0.5; echo end-output' \
	</dev/null >"$T/b.out" 2>&1 &
pid=$!
sleep 1.5
ar gc --keep 0
assert_eq 0 "$RC" "gc at the end: $ERR"
assert_not_contains "removed" "$OUT$ERR" "gc removed the finishing session"
wait "$pid" || fail "session: $(cat "$T/b.out")"
ar cat latest
assert_eq 0 "$RC" "the session is whole: $ERR"
assert_contains "end-output" "$OUT"
exit 0
