#!/usr/bin/env bash
# A session with enough output for a snapshot cache gets one built in the
# background when it ends (agentrun __index: detached, its own session, no
# terminal, lowest priority), so the first `text --at` or replay seeks at
# once; what the cache gives is exactly what a straight pass gives. Short
# sessions, failed recordings and `--no-record` start no indexer, and a
# session removed while it is indexed leaves no cache behind.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
SNAPS=$XDG_STATE_HOME/agentrun/snapshots

wait_snap() {	# id: the indexer's cache appears (a generous bound)
	local i
	for i in $(seq 300); do
		[ -s "$SNAPS/$1.snap" ] && [ -z "$(indexers)" ] && return 0
		sleep 0.1
	done
	return 1
}

"$AGENTRUN" -q --backend local run -- sh -c \
    'for i in 1 2 3; do seq -f "row %g of part '"'"'$i'"'"'" 1 150000; sleep 0.3; done' \
    >/dev/null </dev/null || fail "recording"
id=$(basename "$(latest_cast)" .cast.zst)
wait_snap "$id" || fail "no snapshot cache after the session: $(ls -la "$SNAPS" 2>&1)"
mkdir copy && cp "$STORE/$id.cast.zst" copy/	# no sidecar: read straight
for at in 0.2 0.6 1.0 ""; do
	opt=${at:+--at $at}
	a=$("$AGENTRUN" text $opt "$id") || fail "text $opt (cached)"
	b=$("$AGENTRUN" text $opt "copy/$id.cast.zst") || fail "text $opt (straight)"
	[ -n "$a" ] || fail "empty screen at [$at]"
	assert_eq "$b" "$a" "text $opt from the indexer's cache"
done

# The indexer is a program of its own: run by hand it builds the same cache.
cp "$SNAPS/$id.snap" first.snap && rm "$SNAPS/$id.snap"
"$AGENTRUN" __index "$id" || fail "__index by hand"
cmp -s first.snap "$SNAPS/$id.snap" || fail "__index by hand built another cache"
"$AGENTRUN" __index no-such-session 2>err && fail "__index of a missing session succeeded"
"$AGENTRUN" __index 2>err; [ $? = 2 ] || fail "__index without an ID is not a usage error"

# Short sessions, --no-record, and failed recordings: no indexer, no cache.
"$AGENTRUN" -q --backend local run -- seq 1 1000 >/dev/null </dev/null
short=$(basename "$(latest_cast)" .cast.zst)
"$AGENTRUN" -q --backend local run --no-record -- seq 1 600000 >/dev/null </dev/null
(ulimit -f 1000; "$AGENTRUN" -q --backend local run -- sh -c \
    'head -c 3000000 /dev/urandom | od -An -tx1' >/dev/null </dev/null 2>err)
grep -q "recording stopped" err || fail "the recording did not fail: $(cat err)"
failed=$(basename "$(latest_cast)" .cast.zst)
sleep 1
[ -z "$(indexers)" ] || fail "an indexer runs after short or unrecorded sessions"
n=$(ls "$SNAPS" | wc -l)
[ "$n" = 1 ] || fail "caches for short or unrecorded sessions: $(ls "$SNAPS")"
[ -e "$SNAPS/$short.snap" ] && fail "a cache for a short session"
[ -e "$SNAPS/$failed.snap" ] && fail "a cache for a failed recording"

# rm while the indexer works: whichever ends last, no cache is left.
for i in 1 2 3; do
	"$AGENTRUN" -q --backend local run -- seq 1 700000 >/dev/null </dev/null ||
		fail "recording $i"
	big=$(basename "$(latest_cast)" .cast.zst)
	"$AGENTRUN" -q rm "$big" || fail "rm $big"
	for _ in $(seq 100); do [ -z "$(indexers)" ] && break; sleep 0.1; done
	[ -e "$SNAPS/$big.snap" ] && fail "rm during indexing left $big.snap"
done
exit 0
