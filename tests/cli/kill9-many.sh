#!/usr/bin/env bash
# kill -9 of agentrun at 20 random moments of a large recording: every
# transcript decodes with the real zstd to a valid prefix, ls shows each
# as interrupted, and cat and text still read it.
. "$(dirname "$0")/../lib/common.sh"
need zstd
need python3
cd "$T" || exit 1
RANDOM=4242

for i in $(seq 20); do
	"$AGENTRUN" -q --backend local run -- sh -c \
	    'i=0; while :; do printf "row %d \033[3%dmcolour\033[0m é ✓\n" $i $((i % 8)); i=$((i+1)); done' \
	    >/dev/null 2>&1 </dev/null &
	pid=$!
	for _ in $(seq 100); do	# until its transcript exists
		[ "$(ls "$STORE"/*.cast.zst 2>/dev/null | wc -l)" -ge "$i" ] && break
		sleep 0.02
	done
	# 0 to 1.5 s more: before the first flush, between flushes, after several.
	sleep "$(printf '0.%03d' $((RANDOM % 1000)))"
	[ $((RANDOM % 2)) -eq 0 ] && sleep 0.5
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
done
sleep 0.3

n=0
for cast in "$STORE"/*.cast.zst; do
	n=$((n + 1))
	zstd -dc "$cast" 2>/dev/null | python3 -c '
import json, sys
data = sys.stdin.buffer.read()
if not data:
    sys.exit(0)                 # killed before anything reached the disk
lines = data.split(b"\n")
lines.pop()                      # empty, or the one torn last line
h = json.loads(lines[0])
assert h["version"] == 3
for l in lines[1:]:
    e = json.loads(l)
    assert len(e) == 3
' || fail "$cast does not decode to a valid prefix"
	id=$(basename "$cast" .cast.zst)
	"$AGENTRUN" cat "$id" >/dev/null 2>"$T/err" || fail "cat $id: $(cat "$T/err")"
	if "$AGENTRUN" text --help >/dev/null 2>&1; then
		"$AGENTRUN" text "$id" >/dev/null 2>"$T/err" || fail "text $id: $(cat "$T/err")"
	fi
done
assert_eq 20 "$n" "transcripts"
ar ls -n 100
assert_eq 20 "$(printf '%s\n' "$OUT" | grep -c interrupted)" "interrupted sessions"
exit 0
