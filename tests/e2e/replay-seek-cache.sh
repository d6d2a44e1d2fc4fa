#!/usr/bin/env bash
# A long session: replay indexes it while it plays (snapshots), seeks land
# on the right screen at once, and on quitting the snapshots go to a cache
# file, so the next replay starts anywhere without indexing; rm removes
# the cache with the session.
. "$(dirname "$0")/../lib/common.sh"
need tmux
need python3
cd "$T" || exit 1
python3 - <<'PY' > long.cast
import json
print(json.dumps({"version": 2, "width": 80, "height": 20}))
t = 0.0
for i in range(6000):
    t += 0.01
    rows = "".join("\u001b[%d;1H\u001b[3%dmrow %d of frame %d %s\u001b[0m\u001b[K"
                   % (r, r % 8, r, i, "x" * 60) for r in range(1, 20))
    print(json.dumps([round(t, 3), "o", "\u001b[H" + rows + "\u001b[20;1Hframe %d" % i]))
PY
ar import long.cast
id=$OUT
cache=$XDG_STATE_HOME/agentrun/snapshots/$id.snap

cat > wrap.sh <<WRAP
"$AGENTRUN" replay "\$@"
echo "STATUS=\$?" > "$T/status"
echo WRAPDONE
sleep 60
WRAP
tm_start 80 24 bash wrap.sh "$id"
tm_wait "frame"
tm send-keys -t t Space
tm_wait "paused"
sleep 3			# the indexer works while nothing else happens
tm send-keys -t t 9
want=$("$AGENTRUN" text "$id" --at 54)
for _ in $(seq 30); do
	[ "$(tm_capture | sed '$d' | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')" = "$want" ] && break
	sleep 0.1
done
assert_contains "0:54.0" "$(tm_capture | tail -n 1)"
assert_contains "frame 5399" "$(tm_capture)"
tm send-keys -t t q
tm_wait WRAPDONE
tm kill-server
[ -s "$cache" ] || fail "no snapshot cache after a full index"

# Again, straight to the end: served by the cache.
tm_start 80 24 bash wrap.sh "$id" --at 59.9
tm_wait "frame 59"		# 5989 or later: it plays on
tm send-keys -t t q
tm_wait WRAPDONE
tm kill-server

ar rm "$id"
assert_eq 0 "$RC"
[ -e "$cache" ] && fail "rm left the cache"

# Keys 0-9 on a session of absurd length (v3 intervals add up to ~8e18
# us): 5 lands in the middle, no overflow to the start.
{
	echo '{"version": 3, "term": {"cols": 40, "rows": 5}}'
	for c in a b c d e f g h; do echo "[999999999999.0, \"o\", \"$c\"]"; done
} > huge.cast
tm_start 80 24 bash wrap.sh "$T/huge.cast"
tm_wait "2222222222:13:12"		# the total: 8 x 999999999999 s
tm send-keys -t t 5
tm_wait "1111111111:06:36 / "
tm send-keys -t t q
tm_wait WRAPDONE
tm kill-server
exit 0
