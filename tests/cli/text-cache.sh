#!/usr/bin/env bash
# text --at on a long session seeks through replay's snapshot cache (built
# and saved by the first use) and gives exactly the screen a straight pass
# gives.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
"$AGENTRUN" -q --backend local run -- sh -c \
    'for i in 1 2 3 4 5; do seq -f "line %g of part '"'"'$i'"'"'" 1 120000; sleep 0.3; done' \
    >/dev/null </dev/null || fail "recording"
id=$(basename "$(latest_cast)" .cast.zst)
mkdir "$T/copy" && cp "$STORE/$id.cast.zst" "$T/copy/"	# no sidecar: read straight
for at in 0.5 0.9 1.2 "" ; do
	opt=${at:+--at $at}
	a=$("$AGENTRUN" text $opt "$id") || fail "text $opt (first)"
	b=$("$AGENTRUN" text $opt "$id") || fail "text $opt (cached)"
	c=$("$AGENTRUN" text $opt "$T/copy/$id.cast.zst") || fail "text $opt (straight)"
	[ -n "$a" ] || fail "empty screen at [$at]"
	assert_eq "$c" "$a" "first text $opt"
	assert_eq "$c" "$b" "cached text $opt"
done
[ -s "$XDG_STATE_HOME/agentrun/snapshots/$id.snap" ] || fail "no snapshot cache written"
# A copy elsewhere, even with its sidecar, is read straight: the cache
# belongs to the store's file, and a copy (another mtime) would replace it.
snap=$XDG_STATE_HOME/agentrun/snapshots/$id.snap
before=$(cksum <"$snap")
cp "$STORE/$id.json" "$T/copy/"
touch -d '2001-01-01' "$T/copy/$id.cast.zst"
c=$("$AGENTRUN" text --at 0.9 "$T/copy/$id.cast.zst") || fail "text of the copy"
assert_eq "$before" "$(cksum <"$snap")" "the store session's cache is untouched"
assert_eq "$("$AGENTRUN" text --at 0.9 "$id")" "$c" "the copy's screen"
ar rm "$id"
[ -e "$XDG_STATE_HOME/agentrun/snapshots/$id.snap" ] && fail "rm left the cache"
exit 0
