#!/usr/bin/env bash
# agentrun grep finds a fixed string wherever it sits: its scanners go
# eight bytes at a time, and short patterns are found by their first
# byte, so matches are tried at every offset against those eight-byte
# steps, next to UTF-8 (two, three and four bytes, and 0xc2 ones that
# the stripper looks at), controls, at the start and the end of a line,
# for patterns of 1 to 24 bytes (longer than 16 go to memmem), with and
# without -i. Every line that holds the pattern is a hit, and no other.
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p/.git"
cd "$T/p" || exit 1

# Lines of pieces; each its own event, one time each; patterns taken
# from the lines themselves (and one that is nowhere). Each pattern's
# expected hits, as times, on one line: pattern|hits|hits with -i.
python3 - "$T/offsets.cast" "$T/want" <<'PY'
import json, random, sys
rnd = random.Random(7)
pieces = ["a", "b", "Ab", "xyz", " ", "\t", "\u2500", "\u00e9", "\u00b7",
          "\U0001F600", "\u4e2d", "Q", "qq", "0123456789", "\x7f"]
lines = []
for i in range(400):
    s = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
    lines.append(s)
pats = set()
for i in range(1500):
    b = lines[rnd.randrange(len(lines))].encode()
    n = 1 + i % 24
    if len(pats) >= 200:
        break
    if len(b) < n:
        continue
    at = rnd.randrange(len(b) - n + 1)
    p = b[at:at + n]
    try:
        p.decode()
    except UnicodeDecodeError:
        continue
    if b"\x7f" in p or b"\t" in p or p.strip() != p:
        continue
    pats.add(p.decode())
pats.add("zz-nowhere-zz")
with open(sys.argv[1], "w") as f:
    print(json.dumps({"version": 2, "width": 200, "height": 50}), file=f)
    for i, s in enumerate(lines):
        print(json.dumps([1 + i, "o", s + "\r\n"]), file=f)
def shown(s):   # what grep keeps of a line: DEL is dropped
    return s.replace("\x7f", "")
with open(sys.argv[2], "w") as f:
    for p in sorted(pats):
        want = ["%d.000" % (1 + i) for i, s in enumerate(lines) if p in shown(s)]
        wanti = ["%d.000" % (1 + i) for i, s in enumerate(lines)
                 if p.lower() in shown(s).lower()]
        print("|".join([p, " ".join(want), " ".join(wanti)]), file=f)
PY
ar import "$T/offsets.cast"
assert_eq 0 "$RC" "import: $ERR"

n=0
while IFS='|' read -r pat want wanti; do
	ar grep -- "$pat"
	got=$(printf '%s\n' "$OUT" | awk 'NF {print $2}' | tr '\n' ' ' | sed 's/ $//')
	assert_eq "$want" "$got" "hits of [$pat]"
	[ -n "$want" ] && assert_eq 0 "$RC" "status for [$pat]"
	[ -z "$want" ] && assert_eq 1 "$RC" "status for [$pat]"
	ar grep -i -- "$pat"
	got=$(printf '%s\n' "$OUT" | awk 'NF {print $2}' | tr '\n' ' ' | sed 's/ $//')
	assert_eq "$wanti" "$got" "hits of [$pat] with -i"
	n=$((n + 1))
done < "$T/want"
[ "$n" -gt 100 ] || fail "only $n patterns tried"
