#!/usr/bin/env bash
# agentrun export: asciicast v3 (default), v2 read by Debian's asciinema
# 2.2 ('asciinema cat' gives the same bytes as 'agentrun cat' for a UTF-8
# session), raw (= cat) and text (= text); -o FILE; bad formats.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

"$AGENTRUN" -q --backend local run --title "the title" -- sh -c \
	'printf "héllo \033[1;34mwörld\033[0m 中文\n"; sleep 0.3; printf "tab\there\r\n\033[2Kprogress 50%%\rprogress 100%%\n"; printf "\033[6n"; exit 3' \
	>/dev/null
id=$(basename "$(latest_cast)" .cast.zst)

# v3, the default: header fields kept, events with v3 intervals.
ar export "$id"
assert_eq 0 "$RC" "export status"
head=$(printf '%s\n' "$OUT" | head -n 1)
assert_contains '"version": 3' "$head"
assert_contains '"title": "the title"' "$head"
assert_contains '"cols": 80' "$head"
assert_contains '"x", "3"' "$OUT" "the exit event"
printf '%s\n' "$OUT" > v3.cast
assert_eq "$("$AGENTRUN" cat "$id" | od -c)" "$("$AGENTRUN" cat v3.cast | od -c)" "v3 round trip"

# v2, for asciinema 2.2.
ar export --format cast-v2 "$id" -o v2.cast
assert_eq 0 "$RC"
assert_eq "" "$OUT" "-o writes nothing on stdout"
assert_contains '"version": 2' "$(head -n 1 v2.cast)"
assert_contains '"width": 80' "$(head -n 1 v2.cast)"
ls "$T"/v2.cast.tmp* >/dev/null 2>&1 && fail "temporary file left"
"$AGENTRUN" cat "$id" > cat.bin
if command -v asciinema >/dev/null && command -v script >/dev/null; then
	# asciinema cat opens /dev/tty: give it one, but keep its stdout.
	script -qec "asciinema cat v2.cast > ascii.bin" /dev/null >/dev/null 2>&1 ||
		fail "asciinema cat failed"
	cmp cat.bin ascii.bin || fail "asciinema cat differs from agentrun cat"
else
	echo "no asciinema: the interop check is skipped"
fi
# The exit event is kept, as asciinema's v2 writer does (v2 players skip
# it): a round trip through v2 keeps the status and the end.
assert_contains '"x", "3"]' "$(tail -n 1 v2.cast)" "v2's last event"
ar import v2.cast
assert_eq 0 "$RC" "import of the v2 export: $ERR"
ar show "$OUT"
assert_match "*exit status:*3*" "$OUT" "the v2 round trip's status"

# raw is cat; text is the screen.
ar export -f raw "$id"
assert_eq "$(cat cat.bin)" "$OUT" "raw"
ar export "$id" -f text
assert_eq "$("$AGENTRUN" text "$id")" "$OUT" "text"
assert_contains "progress 100%" "$OUT"

# Errors.
ar export -f mp4 "$id"
assert_eq 2 "$RC" "unknown format"
assert_contains "unknown format" "$ERR"
ar export
assert_eq 2 "$RC" "no id"
ar export "$id" -o /nonexistent/dir/x.cast
assert_eq 1 "$RC" "unwritable output"
assert_contains "/nonexistent/dir/x.cast" "$ERR"
ar export nosuch
assert_eq 1 "$RC" "unknown id"

# -o into something that is not a regular file writes into it, as the
# shell's '>' does, instead of renaming a new file over it: a FIFO stays a
# FIFO (its reader gets the text), a symbolic link stays a link (its
# target gets the text, and is made if missing). /dev/null is one too, not
# tried here: the old code replaced it, as root, with a file.
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.out" &
reader=$!
ar export -f text -o "$T/fifo" "$id"
[ -p "$T/fifo" ] || { kill "$reader"; fail "the FIFO was replaced"; }
assert_eq 0 "$RC" "into a FIFO: $ERR"
wait "$reader"
assert_eq "$("$AGENTRUN" text "$id")" "$(cat "$T/fifo.out")" "through the FIFO"
ln -s "$T/target.txt" "$T/link.txt"
ar export -f text -o "$T/link.txt" "$id"
assert_eq 0 "$RC" "into a link: $ERR"
[ -L "$T/link.txt" ] || fail "the symbolic link was replaced"
assert_contains "progress 100%" "$(cat "$T/target.txt")" "the link's target"
ar export -o "" "$id"
assert_eq 2 "$RC" "-o ''"
assert_contains "needs a file name" "$ERR"
ar export -o "$T" "$id"
assert_eq 1 "$RC" "into a folder"
assert_contains "Is a directory" "$ERR"

# Never into the store (it would replace a recording), however named,
# nor onto the recording being exported.
cast=$(latest_cast)
sum=$(cksum < "$cast")
ar export -f raw -o "$cast" "$id"
assert_eq 1 "$RC" "onto the transcript"
assert_contains "agentrun's store holds the recordings" "$ERR"
ar export -o "$STORE/../sessions/other.cast" "$id"
assert_eq 1 "$RC" "into the store"
[ -e "$STORE/other.cast" ] && fail "a file was written into the store"
assert_eq "$sum" "$(cksum < "$cast")" "the transcript is untouched"
ln -s v2.cast v2-link.cast
ar export -o v2-link.cast v2.cast
assert_eq 1 "$RC" "onto the input through a link"
assert_contains "it is the recording being exported" "$ERR"
ar cat v2.cast
assert_eq "$(cat cat.bin)" "$OUT" "the input is untouched"
# Nor into the store through a symbolic link: to another recording, its
# sidecar, or a file that does not exist yet (a dangling link).
other=$(ar import v2.cast; echo "$OUT")
before=$(sha1sum "$STORE/$other.cast.zst" "$STORE/$other.json")
ln -s "$STORE/$other.cast.zst" to-cast
ln -s "$STORE/$other.json" to-json
ln -s "$STORE/new.cast.zst" to-new
for l in to-cast to-json to-new; do
	ar export -f raw -o "$l" "$id"
	assert_eq 1 "$RC" "export -o $l (a link into the store)"
	assert_contains "store holds the recordings" "$ERR"
done
assert_eq "$before" "$(sha1sum "$STORE/$other.cast.zst" "$STORE/$other.json")" "the store's files are untouched"
[ -e "$STORE/new.cast.zst" ] && fail "a file was made in the store"

# A file replaced keeps its permissions (a transcript may hold secrets);
# from a damaged recording, FILE is not replaced at all.
echo private > priv.cast
chmod 600 priv.cast
ar export "$id" -o priv.cast
assert_eq 0 "$RC" "export over a private file: $ERR"
assert_eq 600 "$(stat -c %a priv.cast)" "the replaced file keeps its mode"
{ printf '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "before"]\n'
  printf '[0.2, "o", "no end\n[0.3, "o", "after"]\n'; } > damaged.cast
echo precious > keep.cast
ar export damaged.cast -o keep.cast
assert_eq 1 "$RC" "export of a damaged file"
assert_eq precious "$(cat keep.cast)" "FILE is left as it was"
assert_contains "keep.cast: not written, the recording is damaged; without -o, what comes before the damage is written to standard output" "$ERR"
ls keep.cast.tmp.* >/dev/null 2>&1 && fail "a temporary file was left"
# A new FILE is not made (it was said to be "left as it was"), and the
# part the message speaks of is had without -o.
ar export damaged.cast -o fresh.cast
assert_eq 1 "$RC" "export of a damaged file to a new one"
[ -e fresh.cast ] && fail "a damaged export made FILE"
assert_not_contains "left as it was" "$ERR" "the message for a new FILE"
ar export damaged.cast
assert_eq 1 "$RC" "export of a damaged file to stdout"
assert_contains '"before"' "$OUT" "what comes before the damage"
# A name near NAME_MAX (no room for ".tmp.PID" after it) is exported too,
# through a shorter temporary name that is not left behind either way.
long=$(printf 'n%.0s' $(seq 250)).cast
ar export "$id" -o "$long"
assert_eq 0 "$RC" "export to a 255-byte name: $ERR"
ar export "$id"
assert_eq "$OUT" "$(cat "$long")" "the file is the export"
ar export damaged.cast -o "$long"
assert_eq 1 "$RC" "a damaged export to a 255-byte name"
ls -A | grep -q agentrun-export && fail "a short temporary file was left"
rm "$long"

# -o NAME.zst is compressed with zstd (any format), as the name says: the
# zstd CLI gives back what export writes to stdout, and import takes it.
ar export "$id"
plain=$OUT
ar export "$id" -o z.cast.zst
assert_eq 0 "$RC" "export -o z.cast.zst"
assert_eq "$plain" "$(zstd -dcq z.cast.zst)" "zstd -d of the .zst export"
ar export -f raw "$id" -o z.raw.zst
assert_eq 0 "$RC" "export -f raw -o z.raw.zst"
ar cat "$id"
assert_eq "$OUT" "$(zstd -dcq z.raw.zst)" "raw .zst export"
ar import z.cast.zst
assert_eq 0 "$RC" "import of the .zst export"
# Nothing to write is still a zstd file (an empty frame), not 0 bytes.
printf '%s\n' '{"version": 3, "term": {"cols": 20, "rows": 3}}' > quiet.cast
for f in raw text; do
	ar export -f $f quiet.cast -o "quiet.$f.zst"
	assert_eq 0 "$RC" "export -f $f of no output to .zst"
	zstd -tq "quiet.$f.zst" || fail "zstd -t of an empty -f $f .zst export"
	assert_eq 0 "$(zstd -dcq "quiet.$f.zst" | wc -c)" "empty $f .zst export"
done

# Header fields are kept: term.version too.
printf '%s\n' '{"version": 3, "term": {"cols": 20, "rows": 3, "type": "xterm-kitty", "version": "kitty 0.3"}}' '[0.1, "o", "v"]' > tv.cast
ar export tv.cast
assert_contains '"version": "kitty 0.3"' "$(printf '%s\n' "$OUT" | head -1)" "term.version kept"
exit 0
