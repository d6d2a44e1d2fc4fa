#!/usr/bin/env bash
# zstd-interop: transcripts written by zio+cast decode with the real zstd
# CLI to valid asciicast lines, whole and cut anywhere (at most one torn
# last line); and files the zstd CLI makes (single, concatenated, cut)
# read back through cast_reader.
. "$(dirname "$0")/../lib/common.sh"
need zstd
need python3
CW=$TESTBIN/castwrite
[ -x "$CW" ] || fail "no $CW: run make tests first"

"$CW" "$T/a.cast.zst" 400 || fail "castwrite"
zstd -q -t "$T/a.cast.zst" || fail "zstd -t rejects a closed transcript"
zstd -q -dc "$T/a.cast.zst" >"$T/a.cast" || fail "zstd -dc"

# Whole file: a v3 header, 401 events, every line JSON; then every cut.
python3 - "$T/a.cast.zst" "$T/a.cast" <<'EOF' || fail "python checks"
import json, random, subprocess, sys
zpath, full_path = sys.argv[1], sys.argv[2]
full = open(full_path, 'rb').read()
z = open(zpath, 'rb').read()

def check_lines(data, torn_ok):
    lines = data.split(b'\n')
    last = lines.pop()          # after the final '\n': empty unless torn
    if last and not torn_ok:
        sys.exit('unterminated last line in a closed file')
    for i, raw in enumerate(lines):
        v = json.loads(raw.decode('utf-8'))     # strict UTF-8 and JSON
        if i == 0:
            assert v['version'] == 3 and v['term']['cols'] == 80, v
        else:
            assert isinstance(v, list) and len(v) == 3, v
            assert isinstance(v[0], (int, float)) and v[0] >= 0, v
            assert isinstance(v[1], str) and isinstance(v[2], str), v
    return len(lines)

n = check_lines(full, False)
assert n == 402, n
assert b'\\u001b[1;32m' in full and '\U0001F600'.encode() in full
assert '\ufffd'.encode() in full

random.seed(7)
cuts = list(range(0, 300)) + random.sample(range(300, len(z)), 150)
cuts.append(len(z) - 1)
prev = 0
for cut in cuts:
    p = subprocess.run(['zstd', '-q', '-dc'], input=z[:cut],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout
    if not full.startswith(out):
        sys.exit('cut at %d: not a prefix of the whole' % cut)
    check_lines(out, True)
print('checked %d cuts of %d bytes' % (len(cuts), len(z)))
EOF

# A transcript left open (flushed, frame not ended), as after a crash.
"$CW" "$T/open.cast.zst" 95 open || fail "castwrite open"
zstd -q -dc "$T/open.cast.zst" >"$T/open.cast" 2>/dev/null
assert_eq 97 "$(wc -l <"$T/open.cast" | tr -d ' ')" "lines of an open transcript"
out=$("$CW" -r "$T/open.cast.zst")
assert_contains "events 96" "$out"
assert_contains "damage: cut short after 96 events" "$out"

# Our reader on what the zstd CLI writes: one frame, and concatenated.
out=$("$CW" -r "$T/a.cast.zst")
assert_eq "version 3
events 401" "$out" "reader on our own file"
zstd -q -19 "$T/a.cast" -o "$T/b.cast.zst" || fail "zstd compress"
out=$("$CW" -r "$T/b.cast.zst")
assert_eq "version 3
events 401" "$out" "reader on a zstd CLI file"
head -n 100 "$T/a.cast" | zstd -q -c >"$T/c.cast.zst"
tail -n +101 "$T/a.cast" | zstd -q -c >>"$T/c.cast.zst"
out=$("$CW" -r "$T/c.cast.zst")
assert_eq "version 3
events 401" "$out" "reader on concatenated frames"
# Cut a CLI-made file of many blocks: a prefix, and it says it was cut.
python3 -c '
import json, random
random.seed(3)
print(json.dumps({"version": 3, "term": {"cols": 80, "rows": 24}}))
for i in range(20000):
    print(json.dumps([0.001, "o", "%064x" % random.getrandbits(256)]))
' | zstd -q -c >"$T/d.cast.zst"
size=$(wc -c <"$T/d.cast.zst")
head -c $((size * 2 / 3)) "$T/d.cast.zst" >"$T/e.cast.zst"
out=$("$CW" -r "$T/e.cast.zst")
assert_contains "damage: cut short after" "$out"
n=$(printf '%s\n' "$out" | sed -n 's/^events //p')
[ "$n" -gt 1000 ] && [ "$n" -lt 20000 ] || fail "events of a cut file: $n"
echo ok
