#!/usr/bin/env bash
# What asciicast files hold in their JSON is read as asciinema (Python's
# json) reads it: a \u0000 in a v1 frame keeps the rest of the frame, a
# lone surrogate escape (in the header or a v1 frame) is U+FFFD, a first
# line that is no JSON is said to be a bad header, and a v1 file named
# .json (as asciinema 1.x names them) is read by its path.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

# v1: a NUL inside a frame (the rest of it was lost).
printf '%s\n' '{"version": 1, "width": 20, "height": 3, "stdout": [[0.1, "a\u0000b"], [0.3, "end"]]}' > nul1.cast
"$AGENTRUN" cat nul1.cast > nul1.out 2>"$T/err"
assert_eq 0 "$?" "cat of a v1 file with a NUL: $(cat "$T/err")"
printf 'a\0bend' > nul1.want
cmp -s nul1.want nul1.out || fail "a v1 frame with a NUL: $(od -c nul1.out)"
ar import nul1.cast
assert_eq 0 "$RC" "import: $ERR"
"$AGENTRUN" cat "$OUT" > nul1.imp
cmp -s nul1.want nul1.imp || fail "v1 import: $(od -c nul1.imp)"
# v1: lone surrogates in a frame (the file was refused).
printf '%s\n' '{"version": 1, "width": 20, "height": 3, "stdout": [[0.1, "a\u0000b"], [0.2, "lone \ud800 x\udc00"], [0.3, "end"]]}' > lone1.cast
"$AGENTRUN" cat lone1.cast > lone1.out 2>"$T/err"
assert_eq 0 "$?" "cat of a v1 file with lone surrogates: $(cat "$T/err")"
printf 'a\0blone \357\277\275 x\357\277\275end' > lone1.want
cmp -s lone1.want lone1.out || fail "v1 lone surrogates: $(od -c lone1.out)"
# The same on several lines, as asciinema 1.x wrote them.
printf '%s\n' '{' '  "version": 1,' '  "width": 20,' '  "height": 3,' \
	'  "stdout": [' '    [0.1, "a\u0000b"],' '    [0.2, "lone \ud800 x\udc00"],' \
	'    [0.3, "end"]' '  ]' '}' > nul1m.cast
"$AGENTRUN" cat nul1m.cast > nul1m.out 2>"$T/err"
cmp -s lone1.want nul1m.out || fail "v1 on lines: $(cat "$T/err") $(od -c nul1m.out)"
# A bad frame still ends the file there, as a bad line does in v2.
printf '%s\n' '{"version": 1, "width": 20, "height": 3, "stdout": [[0.1, "ok"], [-1, "x"], [0.3, "no"]]}' > bad1.cast
ar cat bad1.cast
assert_eq ok "$OUT"
assert_contains "frame 2: bad delay" "$ERR"

# A lone surrogate in the header: read, as U+FFFD (was "not an asciicast
# file").
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "title": "lone \ud800"}' \
	'[0.1, "o", "hi"]' > lone2.cast
ar show lone2.cast
assert_eq 0 "$RC" "show of a header with a lone surrogate: $ERR"
assert_contains "lone �" "$OUT"
ar import lone2.cast
assert_eq 0 "$RC" "import: $ERR"
assert_contains '"title": "lone �"' "$("$AGENTRUN" export "$OUT" | head -n 1)"
printf '%s\n' '{"version": 3, "term": {"cols": 20, "rows": 3}, "title": "\udfff and \ud83d\ude00"}' \
	'[0.1, "o", "hi"]' > lone3.cast
ar export lone3.cast
assert_eq 0 "$RC" "v3 header with a lone low surrogate: $ERR"
assert_contains '"title": "� and 😀"' "$OUT"
# A header string is cut at a NUL (cJSON's strings end there); the file
# is still read.
printf '%s\n' '{"version": 2, "width": 20, "height": 3, "title": "a\u0000b"}' \
	'[0.1, "o", "hi"]' > nulh.cast
ar cat nulh.cast
assert_eq 0 "$RC" "a NUL in the title: $ERR"
assert_eq hi "$OUT"

# A first line that is no JSON is a bad header, not "not an asciicast
# file".
printf '%s\n' '{"version": 2, "width": 20, "height": 3,}' '[0.1, "o", "hi"]' > comma.cast
ar cat comma.cast
assert_eq 1 "$RC" "a header with a trailing comma"
assert_contains "comma.cast: the header is not JSON" "$ERR"
printf '%s\n' '{"version": 2, "width": 20, "height": 3' '[0.1, "o", "hi"]' > open.cast
ar import open.cast
assert_eq 1 "$RC" "a header without its brace"
assert_contains "open.cast: the header is not JSON" "$ERR"
# A file that is no JSON at all (text, a shell history, a binary) is said
# to be no asciicast recording, with what is read; it was only "the
# header is not JSON".
printf 'hello world\nsecond line\n' > notes.txt
ar import notes.txt
assert_eq 1 "$RC" "import of a text file"
assert_eq "agentrun: notes.txt: not an asciicast recording (the header is not JSON); agentrun reads asciicast v1, v2 and v3 files, plain or zstd-compressed" "$ERR"
assert_eq "" "$OUT" "nothing on stdout"
printf '\211PNG\r\n\032\n' > pic.png
ar import pic.png
assert_eq 1 "$RC" "import of a binary file"
assert_contains "pic.png: not an asciicast recording" "$ERR"
# A v1 file spread over lines that is no JSON is still no asciicast.
printf '%s\n' '{' '  "version": 1,' '  "stdout": [[0.1, "x"]],' > bad1m.cast
ar cat bad1m.cast
assert_eq 1 "$RC"
assert_contains "not an asciicast file" "$ERR"

# A v1 file named .json is read by its name or path; a sidecar is still
# refused, with the session's id.
printf '%s\n' '{' '  "version": 1, "width": 20, "height": 3,' \
	'  "stdout": [[0.1, "from json"]]' '}' > v1real.json
ar text v1real.json
assert_eq 0 "$RC" "text v1real.json: $ERR"
assert_eq "from json" "$OUT"
ar text ./v1real.json
assert_eq 0 "$RC" "text ./v1real.json: $ERR"
assert_eq "from json" "$OUT"
ar import v1real.json
assert_eq 0 "$RC"
id=$OUT
cp "$STORE/$id.json" side.json
ar text side.json
assert_eq 1 "$RC" "a sidecar given as a recording"
assert_contains "a session's sidecar, not its recording: name the session by its id ($id)" "$ERR"
ar text "$STORE/$id.json"
assert_eq 1 "$RC"
assert_contains "sidecar" "$ERR"
ar import side.json
assert_eq 1 "$RC" "import of a sidecar"
assert_eq "agentrun: side.json: a session's sidecar, not a recording: import the .cast.zst beside it" "$ERR"
ar text nosuch.json
assert_eq 1 "$RC"
assert_contains "nosuch.json: No such file or directory" "$ERR"
exit 0
