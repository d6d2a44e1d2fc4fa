#!/usr/bin/env bash
# zstd-interop: transcripts written by zio+cast decode with the real zstd
# CLI to valid asciicast lines, whole and cut anywhere (at most one torn
# last line); and files the zstd CLI makes (single, concatenated, cut)
# read back through cast_reader; a recorded session with stored (raw)
# blocks decodes with the CLI.
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
# A session of bulk output that hardly compresses (6 MB of base64): after
# the first 4 MB the recorder stores raw blocks in a frame of its own. The
# zstd CLI takes the file, whole and cut inside that frame (a prefix), and
# the output comes back byte for byte.
python3 -c '
import base64, random
random.seed(5)
raw = random.getrandbits(8 * 4500000).to_bytes(4500000, "little")
s = base64.b64encode(raw).decode()
print("\n".join(s[i:i + 80] for i in range(0, len(s), 80)))
' >"$T/b64.txt"
mkdir -p "$T/bulk" && cd "$T/bulk" || fail "mkdir"
ar -q --backend local run -- cat "$T/b64.txt"
cd "$T" || fail "cd"
assert_eq 0 "$RC" "bulk session"
bulk=$(latest_cast)
zstd -q -t "$bulk" || fail "zstd -t rejects a transcript with stored blocks"
assert_contains "Zstandard Frames: 2" "$(zstd -lv "$bulk" 2>&1)" "a compressed frame, then a stored one"
python3 - "$bulk" "$T/b64.txt" <<'EOF2' || fail "stored blocks"
import json, subprocess, sys
z = open(sys.argv[1], 'rb').read()
want = open(sys.argv[2], 'rb').read().replace(b'\n', b'\r\n')
def output(data):
    p = subprocess.run(['zstd', '-q', '-dc'], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout
full = output(z)
lines = full.split(b'\n')
assert lines.pop() == b''
got = b''.join(json.loads(l)[2].encode() for l in lines[1:]
               if json.loads(l)[1] == 'o')
assert got == want, (len(got), len(want))
# the stored frame: the last zstd magic (base64 has no byte >= 0x80)
start = z.rfind(bytes([0x28, 0xb5, 0x2f, 0xfd]))
assert start > 0 and len(z) - start > 1024 * 1024, start
assert z[start + 4:start + 7] == bytes([0, 0x38, 0]), z[start:start + 8]  # raw
for cut in list(range(start, start + 16)) + [start + 100000, len(z) - 5,
                                               len(z) - 1]:
    if not full.startswith(output(z[:cut])):
        sys.exit('cut at %d: not a prefix' % cut)
EOF2
echo ok
