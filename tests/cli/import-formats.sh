#!/usr/bin/env bash
# agentrun import: asciicast v1, v2 and v3, plain or zstd, become a copy in
# the store (v3, zstd) with a sidecar; header fields are kept; the copy
# plays, renders and lists like a recorded session.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

cat > v1.json <<'CAST'
{"version": 1, "width": 30, "height": 4, "duration": 1.5, "command": "/bin/v1",
 "title": "version one", "env": {"TERM": "xterm", "SHELL": "/bin/sh"},
 "stdout": [[0.5, "one \u001b[31mred\u001b[0m\r\n"], [1.0, "two"]]}
CAST
cat > v2.cast <<'CAST'
{"version": 2, "width": 40, "height": 5, "timestamp": 1700000000, "idle_time_limit": 2.5, "command": "/bin/v2", "title": "version two", "env": {"TERM": "screen-256color", "SHELL": "/bin/zsh"}, "theme": {"fg": "#ffffff", "bg": "#000000", "palette": "#000000:#111111:#222222:#333333:#444444:#555555:#666666:#777777"}}
[0.25, "o", "v2 text 中文\r\n"]
[0.5, "i", "q"]
[1.0, "m", "a marker"]
[1.5, "r", "30x4"]
[2.0, "o", "after resize"]
CAST
cat > v3.cast <<'CAST'
{"version": 3, "term": {"cols": 50, "rows": 6, "type": "xterm-kitty"}, "timestamp": 1710000000, "title": "version three", "tags": ["demo", "test"], "env": {"SHELL": "/bin/fish"}}
# a comment line
[0.1, "o", "v3 line\r\n"]
[0.2, "o", "second"]
[0.3, "x", "5"]
CAST
zstd -q -o v2.cast.zst v2.cast || fail "zstd"
cp v3.cast v3zst && zstd -q -f -o v3.zst v3.cast

ar import v1.json
assert_eq 0 "$RC" "import v1: $ERR"
id1=$OUT
case $id1 in [0-9]*-[0-9]*-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;; *) fail "not an id: $id1" ;; esac
[ -f "$STORE/$id1.cast.zst" ] || fail "no transcript in the store"
[ -f "$STORE/$id1.json" ] || fail "no sidecar"
assert_eq 600 "$(stat -c %a "$STORE/$id1.cast.zst")" "mode"
zstd -t -q "$STORE/$id1.cast.zst" || fail "not a zstd file"
assert_eq "one red
two" "$("$AGENTRUN" text "$id1")" "v1 text"
h=$("$AGENTRUN" export "$id1" | head -n 1)
assert_contains '"cols": 30' "$h"
assert_contains '"title": "version one"' "$h"
assert_contains '"command": "/bin/v1"' "$h"
assert_contains '"type": "xterm"' "$h"
sidecar=$(cat "$STORE/$id1.json")
assert_contains '"state":	"imported"' "$sidecar"
assert_contains '"backend":	"import"' "$sidecar"
assert_contains '"title":	"version one"' "$sidecar"
assert_contains '"bytes":	' "$sidecar"

for f in v2.cast v2.cast.zst; do
	ar import "$f"
	assert_eq 0 "$RC" "import $f: $ERR"
	id2=$OUT
	assert_eq "v2 text 中文
after resize" "$("$AGENTRUN" text "$id2")" "$f text"
	h=$("$AGENTRUN" export "$id2" | head -n 1)
	assert_contains '"timestamp": 1700000000' "$h"
	assert_contains '"idle_time_limit": 2.5' "$h"
	assert_contains '"type": "screen-256color"' "$h"
	assert_contains '"SHELL": "/bin/zsh"' "$h"
	assert_contains '"palette": "#000000:#111111' "$h"
	ev=$("$AGENTRUN" export "$id2")
	assert_contains '"i", "q"' "$ev" "input events kept"
	assert_contains '"m", "a marker"' "$ev" "markers kept"
	assert_contains '"r", "30x4"' "$ev" "resizes kept"
	assert_contains '"start_iso":	"2023-11-14T22:13:20Z"' "$(cat "$STORE/$id2.json")" "start from the timestamp"
done

for f in v3.cast v3.zst; do
	ar import "$f"
	assert_eq 0 "$RC" "import $f: $ERR"
	id3=$OUT
	assert_eq "v3 line
second" "$("$AGENTRUN" text "$id3")"
	h=$("$AGENTRUN" export "$id3" | head -n 1)
	assert_contains '"tags": ["demo", "test"]' "$h"
	assert_contains '"type": "xterm-kitty"' "$h"
	assert_contains '"exit_status":	5' "$(cat "$STORE/$id3.json")"
done

ar ls
assert_contains "imported" "$OUT" "listed in this project"
assert_contains "version three" "$(cat "$STORE"/*.json)"

ar import /nonexistent.cast
assert_eq 1 "$RC" "missing file"
ar import
assert_eq 2 "$RC" "no file"
ar import a b
assert_eq 2 "$RC" "two files"
printf 'just text\n' > plain.txt
ar import plain.txt
assert_eq 1 "$RC" "not a recording"
# Damaged before its first event: nothing to import, not an empty
# session.
printf '%s\n' '{"version": 2, "width": 80, "height": 24}' '[-5, "o", "x"]' > early.cast
ar import early.cast
assert_eq 1 "$RC" "damage before any event"
assert_contains "nothing to import before the damage: line 2" "$ERR"
n=$(ls "$STORE" | grep -c 'cast.zst$')
assert_eq 5 "$n" "failed imports leave nothing"
ls "$STORE" | grep -q tmp && fail "temporary files left"

# Keystrokes in a file ("i" events) are said, for a file and its import.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1700000000}' \
	'[0.1, "i", "secret\r"]' '[0.2, "o", "ok"]' '[0.3, "x", "3"]' > keys.cast
ar show keys.cast
assert_contains "input recorded:    yes" "$OUT" "show FILE with input"
assert_contains "exit status:       3" "$OUT" "show FILE reads its exit event"
ar import keys.cast
ar show "$OUT"
assert_contains "input recorded:    yes" "$OUT" "an import with input"
# A v1 file behind a UTF-8 BOM, as v2 and v3 are read.
printf '\357\273\277{"version": 1, "width": 20, "height": 3, "stdout": [[0.1, "bom"]]}\n' > bom1.cast
ar cat bom1.cast
assert_eq 0 "$RC" "v1 with a BOM: $ERR"
assert_eq bom "$OUT"
# A start past year 9999 is unknown, not an overflow.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 99999999999999}' '[0.1, "o", "t"]' > far.cast
ar show far.cast
assert_eq 0 "$RC"
case "$OUT" in *248073*|*-2903*) fail "a timestamp overflowed: $OUT" ;; esac
ar import far.cast
ar ls
case "$OUT" in *248073*|*-2903*) fail "a timestamp overflowed in ls: $OUT" ;; esac
# An end past year 9999 (a long v2 clock) is held at the end of that year,
# as the sidecar can keep it: ls and show agree, with a duration.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1700000000}' '[999999999999, "o", "t"]' > long.cast
ar import long.cast
lid=$OUT
ar show "$lid"
assert_contains "9999-12-31" "$OUT" "show: the end held at year 9999"
assert_not_contains "223848" "$OUT"
ar ls --json
assert_contains "\"$lid\"" "$OUT"
printf '%s\n' "$OUT" | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["id"] == sys.argv[1]:
        assert "duration" in s, s
        break
else:
    sys.exit("not listed")' "$lid" || fail "ls --json: no duration for $lid"
# A file without a timestamp has no start, in --json too (not 1970).
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.1, "o", "t"]' > nots.cast
ar show --json nots.cast
assert_eq 0 "$RC"
case "$OUT" in *1970*|*'"start"'*) fail "an unknown start shown as a time: $OUT" ;; esac

# An import is written under a hidden name and takes its id only when it
# is complete (link: never over a session of the same id): while it
# reads, the store shows no half-made session; one cut off leaves only
# the hidden file, which gc removes. A project that cannot be found is
# refused, not imported into no project.
mkfifo slow.cast
"$AGENTRUN" import slow.cast >imp.out 2>imp.err &
imp=$!
exec 7>slow.cast
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.1, "o", "slow"]' >&7
sleep 0.5
n=$(ls -A "$STORE" | grep -c '^\.[0-9]*\.cast\.zst\.new$')
assert_eq 1 "$n" "the import's hidden file: $(ls -A "$STORE")"
ls "$STORE" | grep -v '\.json$' | grep -q '\.tmp' && fail "a named temporary file in the store: $(ls -A "$STORE")"
exec 7>&-
wait "$imp" || fail "import: $(cat imp.err)"
[ -e "$STORE/$(cat imp.out).cast.zst" ] || fail "no session"
assert_eq 0 "$(ls -A "$STORE" | grep -c '\.new$')" "the hidden file stayed"
"$AGENTRUN" import slow.cast >imp.out 2>imp.err &
imp=$!
exec 7>slow.cast
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' >&7
sleep 0.5
kill -TERM "$imp"; wait "$imp"
exec 7>&-
assert_eq 1 "$(ls -A "$STORE" | grep -c '\.new$')" "an interrupted import"
ar gc --keep 1000
assert_contains "(left by a crash)" "$OUT"
assert_eq 0 "$(ls -A "$STORE" | grep -c '\.new$')" "gc of an interrupted import"
mkdir -p "$T/gone"
RC=0; OUT=$(cd "$T/gone" && rmdir "$T/gone" && "$AGENTRUN" import "$T/v2.cast" 2>"$T/err") || RC=$?
assert_eq 0 "$RC" "import in a folder that is gone: $(cat "$T/err")"
assert_contains "imported into no project" "$(cat "$T/err")"
ar -C "$T/nosuch" import v2.cast
assert_eq 2 "$RC" "import with a bad -C"
assert_contains "$T/nosuch: No such file or directory" "$ERR"
# A terminal of no columns or rows (asciinema 2 writes it where its
# terminal had no size) reads as 80x24.
printf '%s\n' '{"version": 2, "width": 0, "height": 0}' '[0.1, "o", "t"]' > zero.cast
ar import zero.cast
assert_eq 0 "$RC" "import of a 0x0 file: $ERR"
assert_contains '"cols": 80, "rows": 24' "$("$AGENTRUN" export "$OUT" | head -n 1)"
# "-" is standard input.
OUT=$("$AGENTRUN" import - < v2.cast 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "import -: $(cat "$T/err")"
"$AGENTRUN" export -o - "$OUT" > dash.out || fail "export -o -"
[ -e ./- ] && fail "export -o - wrote a file named -"
assert_contains "v2 text" "$(cat dash.out)" "export -o - to stdout"
# Standard input is named so in messages ('-: empty' before), an empty
# name is refused as a bad command line, and help '' quotes the word.
RC=0; "$AGENTRUN" import - </dev/null 2>"$T/err" || RC=$?
assert_eq 1 "$RC" "import - of nothing"
assert_eq "agentrun: standard input: empty" "$(cat "$T/err")"
ar import ""
assert_eq 2 "$RC" "import ''"
assert_contains "import needs a file name, not an empty one" "$ERR"
# An id that cannot be printed (a full disk, a closed stdout) is an import
# that failed: status 1 and nothing left in the store for a second try to
# copy again.
before=$(ls "$STORE" | wc -l)
if [ -w /dev/full ]; then
	RC=0; "$AGENTRUN" import v2.cast >/dev/full 2>"$T/err" || RC=$?
	assert_eq 1 "$RC" "import >/dev/full"
	assert_contains "stdout: No space left on device" "$(cat "$T/err")"
	assert_eq "$before" "$(ls "$STORE" | wc -l)" "files in the store after import >/dev/full"
fi
RC=0; "$AGENTRUN" import v2.cast >&- 2>"$T/err" || RC=$?
assert_eq 1 "$RC" "import with stdout closed"
assert_eq "$before" "$(ls "$STORE" | wc -l)" "files in the store after import >&-"
ar help ""
assert_eq 2 "$RC" "help ''"
assert_contains "no such command: ''" "$ERR"
# A file compressed by something other than zstd says so and how to read
# it; a file name that is not taken for one (no '/', no .cast or .zst)
# says how to make it one.
printf '%s\n' '{"version": 2, "width": 20, "height": 3}' '[0.1, "o", "x"]' >plain.cast
for z in gzip xz bzip2; do
	command -v "$z" >/dev/null || continue
	"$z" -c plain.cast >"plain.$z"
	ar import "./plain.$z"
	assert_eq 1 "$RC" "import of $z data"
	assert_eq "agentrun: ./plain.$z: $z-compressed; decompress it first ($z -d)" "$ERR"
	RC=0; "$AGENTRUN" import - <"plain.$z" 2>"$T/err" || RC=$?
	assert_eq 1 "$RC" "import - of $z data"
	assert_contains "$z-compressed" "$(cat "$T/err")" "import - of $z data"
done
cp plain.cast plain.txt
ar cat plain.txt
assert_eq 1 "$RC" "cat of a file name taken for an id"
assert_eq "agentrun: plain.txt: no such session; for the file of that name, say ./plain.txt" "$ERR"
# Imports within one second order by when they came into the store, not
# by their files' (old) timestamps: 'latest' is the last one imported, and
# rm latest removes that one.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1704067200}' '[0.1, "o", "x"]' >new.cast
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "timestamp": 1672531200}' '[0.1, "o", "x"]' >old.cast
for try in 1 2 3 4 5; do
	a=$("$AGENTRUN" import new.cast) b=$("$AGENTRUN" import old.cast)
	[ "${a:0:15}" = "${b:0:15}" ] && break	# the same second, else again
	"$AGENTRUN" rm "$a" "$b"
done
[ "${a:0:15}" = "${b:0:15}" ] || fail "no two imports in one second in 5 tries"
ar ls --all
assert_eq "$b" "$(printf '%s\n' "$OUT" | awk 'NR == 2 { print $1 }')" "ls: the last import first"
ar show latest
assert_contains "id:                $b" "$OUT" "latest"
ar rm latest
assert_eq 0 "$RC" "rm latest: $ERR"
ar show "$a"
assert_eq 0 "$RC" "the earlier import stays: $ERR"
ar rm "$a"
mkdir adir
ar cat adir
assert_eq "agentrun: adir: no such session (see 'agentrun ls --all')" "$ERR" "a folder is no file to hint at"
ar cat ./plain.txt
assert_eq 0 "$RC" "cat ./plain.txt: $ERR"
assert_eq x "$OUT"
exit 0
