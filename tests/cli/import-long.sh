#!/usr/bin/env bash
# agentrun import and export never write a line longer than a reader
# takes (64 MiB): an event that grows when escaped again (a raw DEL, valid
# in JSON, is 6 bytes as \u007f) is written as several events of the same
# time, cut between characters. A v1 file on one line is read up to its
# own limit (256 MiB), not the line limit, from a file or standard input.
# Inputs are made here, never kept.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
need python3
need zstd

# The longest line of a plain or zstd file.
longest() {
	zstd -dcf "$1" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'
}

# v2: 12 MiB of raw DELs, 72 MiB once escaped.
python3 -c '
import sys
sys.stdout.write("{\"version\": 2, \"width\": 80, \"height\": 24}\n"
    "[0.1, \"o\", \"" + "\x7f" * (12 * 1024 * 1024) + "end\u00e9\"]\n"
    "[0.2, \"o\", \"after\"]\n")' > del.cast
ar import del.cast
assert_eq 0 "$RC" "import of a long DEL event: $ERR"
id=$OUT
m=$(longest "$STORE/$id.cast.zst")
[ "$m" -le 1048576 ] || fail "the import has a line of $m bytes"
"$AGENTRUN" cat "$id" > imp.out 2>"$T/err"
assert_eq 0 "$?" "cat of the import: $(cat "$T/err")"
want=$(( 12 * 1024 * 1024 + 10 ))
assert_eq "$want" "$(wc -c < imp.out)" "bytes of the import"
assert_eq "endéafter" "$(tail -c 10 imp.out)" "its end"
head -c 4 imp.out | od -An -c | grep -q '177 177 177 177' ||
	fail "the DELs are not kept"
rm -f imp.out
ar text "$id"
assert_eq 0 "$RC" "text of the import: $ERR"
# All parts of the event keep its time: the one after it is 0.1 s later.
ar export -o e3.cast "$id"
assert_eq 0 "$RC" "export: $ERR"
n=$(wc -l < e3.cast)
[ "$n" -gt 4 ] || fail "the long event was not cut: $n lines"
assert_eq '[0.100, "o", "after"]' "$(tail -n 1 e3.cast)" "the event after it"
grep -q '^\[0.000, "o", "' e3.cast || fail "later parts not at interval 0"
# export of the file itself, in both versions, reads back whole.
for f in cast cast-v2; do
	ar export --format "$f" -o "x.$f" ./del.cast
	assert_eq 0 "$RC" "export --format $f: $ERR"
	m=$(longest "x.$f")
	[ "$m" -le 1048576 ] || fail "export $f has a line of $m bytes"
	n=$("$AGENTRUN" cat "./x.$f" 2>"$T/err" | wc -c)
	assert_eq "$want" "$n" "bytes of export $f: $(cat "$T/err")"
done
assert_match '[[]0.1, "o", "*' "$(sed -n 3p x.cast-v2)" "v2 parts keep the time"
rm -f del.cast e3.cast x.cast x.cast-v2

# v1 on several lines: one frame of 11 MiB of DELs (66 MiB escaped).
python3 -c '
import sys
sys.stdout.write("{\n  \"version\": 1, \"width\": 20, \"height\": 3,\n"
    "  \"stdout\": [[0.1, \"" + "\x7f" * (11 * 1024 * 1024) + "\"],\n"
    "    [0.2, \"end\"]]\n}\n")' > v1del.json
ar import v1del.json
assert_eq 0 "$RC" "import of a long v1 frame: $ERR"
id=$OUT
n=$("$AGENTRUN" cat "$id" 2>"$T/err" | wc -c)
assert_eq $(( 11 * 1024 * 1024 + 3 )) "$n" "cat of the v1 import: $(cat "$T/err")"
rm -f v1del.json

# v1 on one line, longer than a line may be (65 MiB).
python3 -c '
import sys
sys.stdout.write("{\"version\": 1, \"width\": 20, \"height\": 3, \"stdout\": "
    "[[0.1, \"" + "x" * (65 * 1024 * 1024) + "\"], [0.2, \"end\"]]}\n")' > v1long.cast
ar import v1long.cast
assert_eq 0 "$RC" "import of a one-line v1 file over 64 MiB: $ERR"
id=$OUT
"$AGENTRUN" cat "$id" > imp.out 2>"$T/err"
assert_eq $(( 65 * 1024 * 1024 + 3 )) "$(wc -c < imp.out)" "$(cat "$T/err")"
assert_eq "xxend" "$(tail -c 5 imp.out)"
rm -f imp.out
# Standard input cannot be read again: it is read ahead instead, and a
# one-line v1 file over the line limit comes in whole all the same.
OUT=$("$AGENTRUN" import - < v1long.cast 2>"$T/err"); RC=$?
assert_eq 0 "$RC" "import - of a one-line v1 file over 64 MiB: $(cat "$T/err")"
assert_eq "xxend" "$("$AGENTRUN" cat "$OUT" | tail -c 5)" "its end"
rm -f v1long.cast
exit 0
