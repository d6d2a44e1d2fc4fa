#!/usr/bin/env bash
# agentrun rm and gc: nothing is deleted unless every id names exactly one
# session of the store; a session still recording is never deleted; gc
# keeps the newest N and/or deletes what is older than DAYS.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
mkdir -p "$STORE"
chmod 700 "$STORE"

# Sessions with chosen ids and times (a sidecar and a transcript each).
mk() {	# id age-days [state [pid]]
	local id=$1 start=$(( $(date +%s) - $2 * 86400 )) st=${3:-finished} pid=${4:-0}
	printf '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "session %s"]\n' "$id" |
		zstd -q -o "$STORE/$id.cast.zst"
	printf '{"id": "%s", "state": "%s", "pid": %d, "project": "%s", "start": %d, "end": %d, "cols": 20, "rows": 3}\n' \
		"$id" "$st" "$pid" "$T" "$start" "$((start + 1))" > "$STORE/$id.json"
}
count() { ls "$STORE" | grep -c 'cast.zst$'; }
mk 20250101-100000-aaaa 40
mk 20250102-100000-aaab 30
mk 20250103-100000-bbbb 20
mk 20250104-100000-cccc 10
mk 20250105-100000-dddd 1
# A live recorder: its pid in the sidecar, its lock on the transcript.
mk 20250106-100000-eeee 0 running 1
hold_lock "$STORE/20250106-100000-eeee.cast.zst"
live=$HOLDER
sed -i "s/\"pid\": 1,/\"pid\": $live,/" "$STORE/20250106-100000-eeee.json"
grep -q "\"pid\": $live," "$STORE/20250106-100000-eeee.json" || fail "no pid"
assert_eq 6 "$(count)"

ar rm 2025010
assert_eq 1 "$RC" "ambiguous prefix"
assert_contains "ambiguous" "$ERR"
assert_contains "nothing removed" "$ERR"
ar rm 20250103 nosuch
assert_eq 1 "$RC" "one unknown id: nothing goes"
assert_eq 6 "$(count)"
ar rm 20250106
assert_eq 1 "$RC" "still recording"
assert_contains "still recording" "$ERR"
printf '{"version": 2, "width": 20, "height": 3}\n' > outside.cast
ar rm "$T/outside.cast"
assert_eq 1 "$RC" "a file outside the store"
[ -f outside.cast ] || fail "a file outside the store was deleted"
ar rm
assert_eq 2 "$RC" "no id"
ar rm --
assert_eq 2 "$RC" "no id after --"
# An option after an id is one, as getopt takes it (rm -f habit): a usage
# error that names it, and nothing goes; after -- it is a name.
ar rm 20250103-100000-bbbb -f
assert_eq 2 "$RC" "an option after an id"
assert_contains "unknown option: -f" "$ERR"
assert_eq 6 "$(count)"
ar rm 20250103-100000-bbbb -- -f
assert_eq 1 "$RC" "-f after --"
assert_contains "-f: " "$ERR"
assert_eq 6 "$(count)"
# latest falls back to the store's newest for reading, never for rm: in
# a project with no sessions it names none.
mkdir -p "$T/other"
RC=0; OUT=$(cd "$T/other" && "$AGENTRUN" rm latest 2>"$T/err") || RC=$?
assert_eq 1 "$RC" "rm latest in a project with no sessions"
assert_contains "latest: no session of $T/other to remove" "$(cat "$T/err")"
assert_eq 6 "$(count)" "rm latest elsewhere"
# Nor with no project at all (the folder is gone, or -C names none),
# with the newest session of the store one that could be removed.
mk 20250109-100000-abcd 0
mkdir -p "$T/gone"
RC=0; (cd "$T/gone" && rmdir "$T/gone" && "$AGENTRUN" rm latest 2>"$T/err") || RC=$?
assert_eq 1 "$RC" "rm latest in a folder that is gone"
assert_eq 7 "$(count)" "rm latest in a folder that is gone"
ar -C "$T/no/such" rm latest
assert_eq 2 "$RC" "rm latest with -C nowhere"
assert_eq 7 "$(count)" "rm latest with -C nowhere"
ar rm 20250109-100000-abcd
assert_eq 6 "$(count)"

ar rm 20250103 20250101-100000-aaaa 20250103-100000-bbbb
assert_eq 0 "$RC" "rm: $ERR"
assert_eq 4 "$(count)"
[ -e "$STORE/20250103-100000-bbbb.json" ] && fail "sidecar left"
[ -e "$STORE/20250101-100000-aaaa.cast.zst" ] && fail "transcript left"

ar gc
assert_eq 2 "$RC" "gc needs a rule"
ar gc --keep many
assert_eq 2 "$RC"
for d in 0x10 " 5" +5 1e1 inf; do
	ar gc --older-than "$d" --dry-run
	assert_eq 2 "$RC" "--older-than '$d' is no number of days"
	assert_contains "needs a number of days" "$ERR"
done
ar gc --older-than 5 --dry-run
assert_eq 0 "$RC"
assert_eq "would remove 20250104-100000-cccc
would remove 20250102-100000-aaab" "$OUT" "dry run"
assert_eq 4 "$(count)" "dry run deletes nothing"
ar gc --keep 1 --older-than 15
assert_eq "removed 20250102-100000-aaab" "$OUT" "keep 1 and older than 15 days"
ar gc --keep 1
assert_eq "removed 20250104-100000-cccc" "$OUT" "keep 1, never the live one"
assert_eq 2 "$(count)"
ar gc --keep 0
assert_eq "removed 20250105-100000-dddd" "$OUT"
assert_eq 1 "$(count)" "the live session stays"
kill "$live" 2>/dev/null
wait "$live" 2>/dev/null
ar gc -n --keep 0
assert_contains "would remove 20250106-100000-eeee" "$OUT" "interrupted once its recorder is gone"

# A pid is not enough: after a reboot, the sidecar of a session cut short
# may name a pid that now belongs to another process (here this shell).
# Nobody locks its transcript, so it is interrupted, and can be removed.
mk 20250107-100000-ffff 0 running $$
ar ls --all
assert_contains "interrupted" "$(printf '%s\n' "$OUT" | grep 20250107-100000-ffff)" "a live pid without the lock"
ar rm 20250107-100000-ffff
assert_eq 0 "$RC" "rm of a session whose pid was reused: $ERR"
# Nor is it with no transcript at all (deleted by hand): a recorder makes
# its transcript before the sidecar.
mk 20250107-100000-fffe 0 running $$
rm "$STORE/20250107-100000-fffe.cast.zst"
ar ls --all
assert_contains "interrupted" "$(printf '%s\n' "$OUT" | grep 20250107-100000-fffe)" "a live pid without a transcript"
ar gc -n --keep 0
assert_contains "would remove 20250107-100000-fffe" "$OUT" "gc of a sidecar alone"
ar rm 20250107-100000-fffe
assert_eq 0 "$RC" "rm of a sidecar alone with a reused pid: $ERR"
[ -e "$STORE/20250107-100000-fffe.json" ] && fail "rm left the sidecar"

# A real recording is never deleted, whatever its sidecar says: the
# recorder locks the transcript while it writes. Here the sidecar is gone
# (as when it could not be read), so its state looks "interrupted".
rm -f "$STORE"/*
"$AGENTRUN" -q --backend local run -- sh -c 'echo important; sleep 3; echo end' </dev/null >/dev/null 2>&1 &
rec=$!
for _ in $(seq 50); do ls "$STORE"/*.json >/dev/null 2>&1 && break; sleep 0.05; done
cast=$(ls "$STORE"/*.cast.zst)
id=$(basename "$cast" .cast.zst)
rm -f "$STORE/$id.json"
ar ls --all
assert_contains "running" "$OUT" "a recording without its sidecar"
sleep 1.2	# flushed at least once a second
ar show "$id"
assert_contains "state:             running" "$OUT"
assert_contains "output bytes:      11" "$OUT" "show counts what a recording has written so far"
ar rm "$id"
assert_eq 1 "$RC" "rm of a recording whose sidecar is gone"
assert_contains "$id: still recording" "$ERR"
ar gc --keep 0
[ -e "$cast" ] || fail "gc deleted a recording in progress"
wait "$rec"
"$AGENTRUN" cat "$id" > "$T/rec.out" 2>/dev/null
grep -q end "$T/rec.out" || fail "the recording lost its end"

# A command line too long for a sidecar to be read back keeps its start
# and counts the rest: the session stays listed in its project, running.
x=$(head -c 100000 /dev/zero | tr '\0' a)
"$AGENTRUN" -q --backend local run -- sh -c 'sleep 2' "$x" "$x" "$x" "$x" "$x" "$x" </dev/null >/dev/null 2>&1 &
rec=$!
sleep 1
ar ls
assert_contains "running" "$OUT" "a long command line"
assert_contains "[5 more arguments]" "$OUT"
wait "$rec"

# A sidecar's path is not a session: rm would have removed the sidecar
# alone and orphaned the transcript.
ar rm "$STORE/$id.json"
assert_eq 1 "$RC" "rm of a sidecar's path"
assert_contains "a session's sidecar, not its recording" "$ERR"
[ -e "$STORE/$id.json" ] || fail "the sidecar was removed"
# What a crash leaves in the store: a transcript under the hidden name its
# recorder made it with (".PID.cast.zst.new"), never linked into place.
# gc removes it once no lock holds it and its maker is gone; one whose
# maker lives, or that is locked, stays. A folder named like a sidecar is
# not a session: gc neither lists nor trips on it.
sh -c 'exit 0' & dead=$!; wait "$dead"
sleep 300 & alive=$!
: > "$STORE/.$dead.cast.zst.new"
: > "$STORE/.$alive.cast.zst.new"
: > "$STORE/20250101-100000-aaaa.json.tmp.$alive"
mkdir "$STORE/20250108-100000-abab.json"
ar gc --keep 100 --dry-run
assert_eq 0 "$RC" "gc with leftovers: $ERR"
assert_eq "would remove .$dead.cast.zst.new (left by a crash)" "$OUT" "dry run"
[ -e "$STORE/.$dead.cast.zst.new" ] || fail "dry run removed a leftover"
hold_lock "$STORE/.$dead.cast.zst.new"
holder=$HOLDER
ar gc --keep 100
assert_eq "" "$(printf '%s\n' "$OUT" | grep 'left by a crash')" "a locked leftover stays"
kill "$holder"; wait "$holder" 2>/dev/null
ar gc --keep 100
assert_eq 0 "$RC" "gc: $ERR"
assert_eq "removed .$dead.cast.zst.new (left by a crash)" "$OUT"
[ -e "$STORE/20250101-100000-aaaa.json.tmp.$alive" ] || fail "a live writer's sidecar went"
[ -e "$STORE/.$alive.cast.zst.new" ] || fail "a live recorder's transcript was removed"
kill "$alive"; wait "$alive" 2>/dev/null
# A pid beyond what pid_t holds is no process (2^32 + 1 must not be taken
# for pid 1, which lives).
: > "$STORE/.4294967297.cast.zst.new"
ar gc --keep 100
assert_eq "$(printf '%s\n' "removed .$alive.cast.zst.new (left by a crash)" \
    "removed .4294967297.cast.zst.new (left by a crash)" \
    "removed 20250101-100000-aaaa.json.tmp.$alive (left by a crash)" | sort)" \
    "$(printf '%s\n' "$OUT" | sort)"
[ -e "$STORE/.$dead.cast.zst.new" ] && fail "the leftover stayed"
[ -d "$STORE/20250108-100000-abab.json" ] || fail "the folder went"
ar ls --all
assert_eq "" "$(printf '%s\n' "$OUT" | grep abab)" "a folder listed as a session"
# Replay snapshots of sessions deleted by hand go with gc; those of a
# session with its transcript or its sidecar left (as one that records)
# stay.
SNAPS=$XDG_STATE_HOME/agentrun/snapshots
mkdir -p "$SNAPS"
find "$STORE" -maxdepth 1 -type f -name "20*" -delete
mk 20250109-100000-1111 0
mk 20250109-100000-2222 0
rm "$STORE/20250109-100000-2222.json"
mk 20250109-100000-3333 0
rm "$STORE/20250109-100000-3333.cast.zst"
for id in 20250109-100000-1111 20250109-100000-2222 20250109-100000-3333 \
    20250109-100000-4444; do
	echo snap > "$SNAPS/$id.snap"
done
echo other > "$SNAPS/notes.txt"
# A cache half written by a replay that crashed goes too; one being
# written (its maker alive) stays.
dead=$(sh -c 'echo $$')
echo half > "$SNAPS/20250109-100000-1111.snap.tmp.$dead"
echo half > "$SNAPS/20250109-100000-2222.snap.tmp.$$"
ar gc --keep 100 --dry-run
assert_eq "would remove 20250109-100000-1111.snap.tmp.$dead (left by a crash)
would remove 20250109-100000-4444.snap (snapshots of a deleted session)" "$(printf '%s\n' "$OUT" | sort)" "dry run"
[ -e "$SNAPS/20250109-100000-4444.snap" ] || fail "dry run removed a snapshot"
[ -e "$SNAPS/20250109-100000-1111.snap.tmp.$dead" ] || fail "dry run removed a leftover"
ar gc --keep 100
assert_eq 0 "$RC" "gc: $ERR"
assert_eq "removed 20250109-100000-1111.snap.tmp.$dead (left by a crash)
removed 20250109-100000-4444.snap (snapshots of a deleted session)" "$(printf '%s\n' "$OUT" | sort)"
[ -e "$SNAPS/20250109-100000-2222.snap.tmp.$$" ] || fail "gc removed a cache being written"
rm "$SNAPS/20250109-100000-2222.snap.tmp.$$"
# Nothing left: a dry run says so as gc does (it printed nothing).
for c in "--dry-run" ""; do
	# shellcheck disable=SC2086
	ar gc --keep 100 $c
	assert_eq 0 "$RC" "gc $c with nothing to do"
	assert_eq "" "$OUT" "gc $c with nothing to do"
	assert_contains "nothing to remove" "$ERR" "gc $c with nothing to do"
done
assert_eq "20250109-100000-1111.snap
20250109-100000-2222.snap
20250109-100000-3333.snap
notes.txt" "$(ls "$SNAPS")" "what stays"
exit 0
