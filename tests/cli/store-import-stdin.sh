#!/usr/bin/env bash
# agentrun import - (and a FIFO, as <(...) gives) of an asciicast v1 file
# on one line longer than the 64 MiB a line may be: read whole, as the
# same file given by name is (standard input cannot be read again, so its
# start is read ahead), plain or zstd. Blank lines before a header, and a
# header and events from standard input, are read as from a file.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
need python3
need zstd

python3 -c '
import json
frames = [[0.001, "x" * 1000 + "\r\n"] for _ in range(70000)]
json.dump({"version": 1, "width": 80, "height": 24, "command": "big",
    "stdout": frames}, open("big.json", "w"))'
[ "$(wc -c < big.json)" -gt $((64 * 1024 * 1024)) ] || fail "big.json is small"
want=$("$AGENTRUN" cat big.json | cksum)
ar import big.json
assert_eq 0 "$RC" "import by name: $ERR"

RC=0; id=$(cat big.json | "$AGENTRUN" import - 2>"$T/err") || RC=$?
assert_eq 0 "$RC" "import - from a pipe: $(cat "$T/err")"
assert_eq "$want" "$("$AGENTRUN" cat "$id" | cksum)" "the pipe's import"
RC=0; id=$("$AGENTRUN" import - < big.json 2>"$T/err") || RC=$?
assert_eq 0 "$RC" "import - from a file: $(cat "$T/err")"
assert_eq "$want" "$("$AGENTRUN" cat "$id" | cksum)" "stdin file's import"
RC=0; id=$(zstd -q -c big.json | "$AGENTRUN" import - 2>"$T/err") || RC=$?
assert_eq 0 "$RC" "import - of zstd: $(cat "$T/err")"
assert_eq "$want" "$("$AGENTRUN" cat "$id" | cksum)" "zstd pipe's import"
mkfifo fifo
cat big.json > fifo &
RC=0; id=$("$AGENTRUN" import fifo 2>"$T/err") || RC=$?
wait
assert_eq 0 "$RC" "import of a FIFO: $(cat "$T/err")"
assert_eq "$want" "$("$AGENTRUN" cat "$id" | cksum)" "the FIFO's import"
rm -f big.json

# Small ones through the read-ahead: blank lines first, v2 with and
# without a last newline, v1 over several lines.
imp() { RC=0; id=$(printf "$1" | "$AGENTRUN" import - 2>"$T/err") || RC=$?; }
imp '\n \n{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "a"]\n[0.2, "o", "b"]'
assert_eq 0 "$RC" "v2 after blank lines: $(cat "$T/err")"
assert_eq ab "$("$AGENTRUN" cat "$id")"
imp '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "a"]\n'
assert_eq 0 "$RC" "v2: $(cat "$T/err")"
assert_eq a "$("$AGENTRUN" cat "$id")"
imp '\n{"version": 1, "width": 20,\n "height": 3, "stdout": [[0.1, "x"], [0.2, "y"]]}\n'
assert_eq 0 "$RC" "v1 on lines: $(cat "$T/err")"
assert_eq xy "$("$AGENTRUN" cat "$id")"
imp '{"version": 1, "width": 20, "height": 3, "stdout": [[0.1, "x"]]}'
assert_eq 0 "$RC" "v1 without a newline: $(cat "$T/err")"
assert_eq x "$("$AGENTRUN" cat "$id")"
imp '{"version": 2, "width"'
assert_eq 1 "$RC" "a header cut short"
assert_contains "cut short inside the header" "$(cat "$T/err")"
imp ''
assert_eq 1 "$RC" "nothing"
assert_contains "standard input: empty" "$(cat "$T/err")"
exit 0
