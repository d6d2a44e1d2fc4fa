#!/usr/bin/env bash
# A disk that fills up while a session records (a 64 KiB tmpfs, so root
# and a mount namespace of its own): the sidecar at the end is written
# with the exit status and the recording error, in place of the one of
# the start if a new file finds no room, or else after the transcript is
# cut back to its last whole flush (which frees the torn tail's room). It
# once failed for want of room and the session looked interrupted.
if [ -z "${DISK_FULL_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "needs root (a tmpfs mount)"; exit 77; }
	command -v unshare >/dev/null || { echo "needs unshare"; exit 77; }
	DISK_FULL_NS=1 unshare -m bash "$0"
	exit $?
fi
. "$(dirname "$0")/../lib/common.sh"
need zstd
cd "$T" || exit 1
mkdir "$T/full"
mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null || skip "cannot mount a tmpfs"
trap 'umount "$T/full" 2>/dev/null; cleanup' EXIT
export XDG_DATA_HOME=$T/full/data
STORE=$XDG_DATA_HOME/agentrun/sessions

# Fills the disk after a few flushes.
OUT=$("$AGENTRUN" -q --backend local run -- bash -c 'for i in $(seq 1 40); do
    echo "chunk $i"; head -c 3000 /dev/urandom | base64 -w0; echo; sleep 0.05
    done; exit 7' 2>"$T/err" </dev/null)
assert_eq 7 "$?" "status of the command"
assert_contains "chunk 40" "$OUT" "the terminal got everything"
assert_match "agentrun: warning: recording stopped early (write: No space left on device); what was written before is kept in $STORE/*.cast.zst" \
    "$(cat "$T/err")"
ar ls
assert_match "*  7  finished  *" "$OUT" "ls"
ar show latest
assert_contains "exit status:       7" "$OUT"
assert_contains "recording error:   recording stopped early (write: No space left on device)" "$OUT"
ar cat latest
assert_contains "chunk 1" "$OUT" "what was written before"
rm -f "$STORE"/*

# Full in the first second: the warning does not say that output was
# kept.
OUT=$("$AGENTRUN" -q --backend local run -- bash -c \
    'head -c 200000 /dev/urandom | base64; exit 3' 2>"$T/err" </dev/null)
assert_eq 3 "$?" "status of the command"
assert_match "agentrun: warning: recording stopped at the start (write: No space left on device); $STORE/*.cast.zst holds at most its first output" \
    "$(cat "$T/err")"
ar ls
assert_match "*  3  finished  *" "$OUT" "ls"
rm -f "$STORE"/*

# Full to the last block, by another file: cutting the transcript frees
# nothing, and the sidecar at the end overwrites the one of the start in
# place (a new one has no room).
OUT=$("$AGENTRUN" -q --backend local run -- sh -c 'echo before; sleep 1.5
    cat /dev/zero > "$1" 2>/dev/null; head -c 20000 /dev/urandom | base64
    sleep 1.2; exit 4' sh \
    "$T/full/filler" 2>"$T/err" </dev/null)
assert_eq 4 "$?" "status of the command"
assert_match "agentrun: warning: recording stopped early (write: No space left on device); what was written before is kept in $STORE/*.cast.zst" \
    "$(cat "$T/err")"
ar ls
assert_match "*  4  finished  *" "$OUT" "ls"
ar show --json latest
assert_contains '"record_error":	"recording stopped early' "$OUT"
rm -f "$STORE"/* "$T/full/filler"

# The same with a sidecar of the start that ends near the end of its
# last block (a long command line): the one of the end does not fit in
# place, and is not written there part way (that left broken JSON where
# a good sidecar had been).
pad=$(printf '%03700d' 0)
"$AGENTRUN" -q --backend local run -- sh -c 'echo before; sleep 1.5
    cat /dev/zero > "$1" 2>/dev/null; head -c 20000 /dev/urandom | base64
    sleep 1.2; exit 4' sh "$T/full/filler" "$pad" >/dev/null 2>"$T/err" </dev/null
assert_eq 4 "$?" "status of the command"
for j in "$STORE"/*.json; do
	python3 -m json.tool "$j" >/dev/null || fail "a sidecar spoilt: $(tail -c 200 "$j")"
done
ar ls
assert_match "*  sh -c*" "$OUT" "listed in its project"
exit 0
