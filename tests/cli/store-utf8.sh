#!/usr/bin/env bash
# Sidecar strings that are not UTF-8 (a project path, a command line, an
# old or hand-made sidecar's title): the sidecar written is valid JSON
# (UTF-8), the project still lists its sessions byte for byte, and ls
# (table and --json) and show print UTF-8 with no raw C1 byte.
. "$(dirname "$0")/../lib/common.sh"
need python3
cd "$T" || exit 1

utf8_json() {	# file: valid UTF-8 JSON
	python3 -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$1"
}
utf8() {	# stdin: valid UTF-8, no C1 byte 0x9b
	python3 -c 'import sys; t = sys.stdin.buffer.read(); t.decode("utf-8"); sys.exit(b"\x9b" in t)'
}

proj=$(printf 'p\377q')
mkdir "$proj"
(cd "$proj" && "$AGENTRUN" -q --backend local run -- printf "$(printf 'x\377y')" >/dev/null 2>&1) ||
	fail "run in a project whose path is not UTF-8"
json=$(ls "$STORE"/*.json)
utf8_json "$json" || fail "the sidecar is not valid UTF-8 JSON: $(od -c "$json" | head -20)"

# The project still matches exactly: ls there lists it, elsewhere not.
mkdir other
out=$(cd "$proj" && "$AGENTRUN" ls) || fail "ls in the project"
assert_eq 2 "$(printf '%s\n' "$out" | wc -l)" "ls in the project: [$out]"
out=$(cd other && "$AGENTRUN" ls) || fail "ls elsewhere"
assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "ls elsewhere: [$out]"
proj2=$(printf 'p\376q')	# the same once each odd byte is U+FFFD
mkdir "$proj2"
out=$(cd "$proj2" && "$AGENTRUN" ls) || fail "ls in a look-alike project"
assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "ls in a look-alike project: [$out]"

# A sidecar written raw (by an older agentrun, or by hand).
id=20250101-100000-aaaa
printf '{"version": 2, "width": 20, "height": 3}\n[0.1, "o", "hi"]\n' |
	zstd -q -o "$STORE/$id.cast.zst"
printf '{"id": "%s", "state": "finished", "pid": 0, "project": "/a\377b", "command": "c\2330m\377d", "title": "t\233", "start": 1735725600, "end": 1735725601, "cols": 20, "rows": 3}\n' \
	"$id" > "$STORE/$id.json"

"$AGENTRUN" ls --all > ls.out 2>ls.err || fail "ls --all: $(cat ls.err)"
utf8 < ls.out || fail "ls --all is not UTF-8: $(od -c ls.out | tail -8)"
assert_contains "/a?b: c?0m?d" "$(cat ls.out)" "ls --all"
"$AGENTRUN" ls --all --json > ls.json 2>ls.err || fail "ls --json: $(cat ls.err)"
utf8_json ls.json || fail "ls --json is not valid UTF-8 JSON"
"$AGENTRUN" show "$id" > show.out 2>ls.err || fail "show: $(cat ls.err)"
utf8 < show.out || fail "show is not UTF-8: $(od -c show.out | tail -8)"
"$AGENTRUN" show --json "$id" > show.json 2>ls.err || fail "show --json"
utf8_json show.json || fail "show --json is not valid UTF-8 JSON"
exit 0
