#!/usr/bin/env bash
# agentrun run with the local backend: exit statuses pass through, output is
# recorded, the warning is one line on stderr, stdin EOF reaches the child.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

ar --backend local run -- sh -c 'echo hello; exit 7'
assert_eq 7 "$RC" "exit 7"
assert_eq "hello" "$(printf '%s' "$OUT" | tr -d '\r')" "output"
assert_eq "agentrun: warning: the local backend runs the command on this machine, with no isolation" "$ERR" "warning"

ar -q --backend local run -- sh -c 'kill -9 $$'
assert_eq 137 "$RC" "SIGKILL gives 137"
assert_eq "" "$ERR" "-q silences the warning"

ar -q --backend local run -- /nonexistent/cmd
assert_eq 127 "$RC" "not found gives 127"
assert_contains "/nonexistent/cmd: command not found" "$OUT"

touch "$T/noexec"
ar -q --backend local run -- "$T/noexec"
assert_eq 126 "$RC" "not executable gives 126"

# stdin from a pipe: data and EOF reach the child.
out=$(printf 'one\ntwo\n' | "$AGENTRUN" -q --backend local run -- sh -c 'cat; echo done')
rc=$?
assert_eq 0 "$rc" "pipe status"
assert_contains "done" "$out"
assert_contains "two" "$out"

# EOF after a last line without a newline still ends the child's input.
out=$( (printf 'no newline'; sleep 0.3) | timeout 10 "$AGENTRUN" -q --backend local run --no-record -- sh -c 'cat >/dev/null; echo END')
assert_eq 0 "$?" "EOF after a partial line"
# An interactive shell: the EOF reaches readline too, whether it came
# before the shell turned canonical mode off (nothing to read) or after
# the input before it was read (it waited for ever: the EOF became a NUL).
printf 'echo piped-$((6 * 7))\n' | timeout 20 "$AGENTRUN" -q --backend local \
	run -- bash --norc --noprofile -i > "$T/sh.out" 2>&1
assert_eq 0 "$?" "bash -i with piped input ends"
grep -q "piped-42" "$T/sh.out" || fail "the piped command did not run: $(cat "$T/sh.out")"
timeout 20 "$AGENTRUN" -q --backend local run -- bash --norc --noprofile -i \
	</dev/null >/dev/null 2>&1
assert_eq 0 "$?" "bash -i with stdin at its end ends"
# An EOF that a canonical reader took is not sent again: a program that
# turns raw mode on after it (here after cat) gets no stray ^D.
printf 'x\n' | timeout 20 "$AGENTRUN" -q --backend local run -- sh -c \
	'cat >/dev/null; sleep 0.5; python3 -c "import tty, os, select; tty.setraw(0); r = select.select([0], [], [], 1.0)[0]; print(\"RAWGOT\", os.read(0, 10) if r else \"nothing\")"' \
	> "$T/raw.out" 2>&1
assert_contains "RAWGOT nothing" "$(tr -d '\r' < "$T/raw.out")" "no stray EOF key"
assert_contains "END" "$out"

# The recording: one session, listed, cat gives the output.
ar -q --backend local run --title "my title" -- printf 'x\033[1my\n'
assert_eq 0 "$RC"
n=$(ls "$STORE"/*.cast.zst | wc -l)
[ "$n" -ge 4 ] || fail "expected sessions in the store, got $n"
ar ls --all
assert_eq 0 "$RC"
assert_contains "printf" "$OUT"
assert_contains "finished" "$OUT"
"$AGENTRUN" cat latest > "$T/cat.out" || fail "cat status"
printf 'x\033[1my\r\n' > "$T/cat.want"
cmp "$T/cat.want" "$T/cat.out" || fail "cat bytes: $(od -c "$T/cat.out")"
ar show latest
assert_contains "my title" "$OUT"
assert_contains "exit status:" "$OUT"
ar show --json latest
assert_eq "finished local my title" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["backend"], d["title"])')" "show --json"

# Permissions: directory 0700, files 0600, even with a permissive umask.
(umask 000; "$AGENTRUN" -q --backend local run -- true) || fail "run under umask 000"
assert_eq 700 "$(stat -c %a "$STORE")" "store mode"
for f in "$STORE"/*; do
	assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
done

# --no-record records nothing.
before=$(ls "$STORE" | wc -l)
ar -q --backend local run --no-record -- echo quiet
assert_eq 0 "$RC"
assert_eq "$before" "$(ls "$STORE" | wc -l)" "--no-record"

# The transcript is valid asciicast v3 as the real zstd decodes it.
need zstd
zstd -dc "$(latest_cast)" > "$T/t.cast" || fail "zstd -dc"
python3 - "$T/t.cast" <<'PY' || fail "not asciicast v3"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 3 and h["term"]["cols"] > 0, h
evs = [json.loads(l) for l in lines[1:]]
assert evs[-1][1] == "x" and evs[-1][2] == "0", evs[-1]
for e in evs:
    assert len(e) == 3 and isinstance(e[0], (int, float)) and e[0] >= 0
PY
# The project is the nearest folder with .git, also one whose path is a
# text prefix of $HOME ($T/hom beside $T/home): only $HOME and what is
# above it stop the climb.
mkdir -p "$T/hom/src" && git -C "$T/hom" init -q
cd "$T/hom/src" || exit 1
"$AGENTRUN" -q --backend local run -- true </dev/null >/dev/null 2>&1
ar show latest
cd "$T" || exit 1
assert_contains "project:           $T/hom" "$OUT" "the project of a folder beside HOME"
case "$OUT" in *"$T/hom/src"*) fail "a subfolder taken for the project: $OUT" ;; esac
# Options may follow the session id, as for the other commands (show
# said "show takes one session ID").
ar show latest --json
assert_eq 0 "$RC" "show ID --json: $ERR"
assert_contains '"id":' "$OUT"
# The command runs in the project folder, as in the VM, whether started
# in a folder of the project or with -C (they differed).
cd "$T/hom/src" || exit 1
ar -q --backend local run -- pwd
assert_eq "$T/hom" "$(printf '%s' "$OUT" | tr -d '\r')" "runs in the project folder"
cd "$T" || exit 1
ar -q -C "$T/hom/src" --backend local run -- pwd
assert_eq "$T/hom" "$(printf '%s' "$OUT" | tr -d '\r')" "-C: runs in the project folder"
# --read-only is the VM's mount: the local backend cannot keep it, so it
# is refused before anything runs (it ran, and wrote, silently).
cd "$T/hom" || exit 1
for c in "run --read-only -- touch written" "shell --read-only" "claude --read-only"; do
	# shellcheck disable=SC2086
	ar --backend local $c </dev/null
	assert_eq 2 "$RC" "local $c"
	assert_contains "--read-only needs the multipass backend" "$ERR" "local $c"
done
[ -e written ] && fail "a --read-only local run wrote the project"
cd "$T" || exit 1
# SIGXFSZ, which agentrun ignores for itself (EFBIG instead), is at its
# default in what it starts: a command over its file size limit dies of
# it (128 + 25) as without agentrun, and git (started by proc.c) has it
# at its default too.
(ulimit -f 10; exec sh -c 'head -c 20000 /dev/zero > "$1"' sh "$T/big1")
assert_eq 153 "$?" "SIGXFSZ without agentrun"
OUT=$( (ulimit -f 10; exec "$AGENTRUN" -q --backend local run -- sh -c \
    'head -c 20000 /dev/zero > "$1"' sh "$T/big2") 2>&1 </dev/null)
assert_eq 153 "$?" "SIGXFSZ under agentrun: $OUT"
printf '#!/bin/sh\ngrep SigIgn /proc/$$/status > "%s"\nexit 1\n' "$T/git-sigign" > "$T/bin/git"
chmod +x "$T/bin/git"
ar -q --backend local run -- true
mask=$(awk '{ print $2 }' "$T/git-sigign")
[ -n "$mask" ] || fail "the git shim did not run"
[ $(( 0x$mask & (1 << 24) )) = 0 ] || fail "git starts with SIGXFSZ ignored ($mask)"
rm -f "$T/bin/git"
# Sessions made in the same second: ls and 'latest' go by the start time,
# and the ids themselves sort the same way (their last four digits were
# random, so a listing of the store by name put them in any order).
same=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	ar -q --backend local run -- echo "first-$i"
	ar -q --backend local run -- echo "second-$i"
	ids=$("$AGENTRUN" ls -a 2>/dev/null | awk 'NR > 1 && NR <= 3 { print $1 }')
	a=${ids%%$'\n'*}
	b=${ids##*$'\n'}
	[ "${a:0:15}" = "${b:0:15}" ] || continue
	same=$((same + 1))
	[[ "$a" > "$b" ]] || fail "ids of one second out of order: $b made before $a"
	ar text latest
	assert_contains "second-$i" "$OUT" "latest of two sessions in one second"
	ar text "$b"
	assert_contains "first-$i" "$OUT" "the older of two sessions in one second"
	[ "$same" -ge 3 ] && break
done
[ "$same" -gt 0 ] || fail "no two sessions in one second in 20 tries"

# An interrupt agentrun gets as a signal (its stdin is no terminal, so
# Ctrl-C is not a key it passes on) reaches the command's foreground group,
# as a terminal's would: the shell's child too, so the shell ends with
# 130 at once, not with 143 when the TERM that follows it comes.
if command -v python3 >/dev/null; then
	rc=$(python3 - "$AGENTRUN" <<'PY'
import signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "-q", "--backend", "local", "run", "--",
                      "bash", "-c", "sleep 30; echo after"],
                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
time.sleep(1)
p.send_signal(signal.SIGINT)
print(p.wait())
PY
)
	assert_eq 130 "$rc" "SIGINT to agentrun, a shell running a child"
fi

# The session ends when the command does: the git status run after it
# (slow on a big repository; here a git that sleeps 2 s once the command
# has run) is not in the exit event's time nor in the duration.
if command -v git >/dev/null && command -v python3 >/dev/null; then
	mkdir -p "$T/slowgit" "$T/gp"
	git -C "$T/gp" init -q
	realgit=$(command -v git)
	printf '#!/bin/sh
[ -e "%s" ] && sleep 2
exec "%s" "$@"
' "$T/gp/ran" "$realgit" >"$T/slowgit/git"
	chmod +x "$T/slowgit/git"
	(cd "$T/gp" && PATH=$T/slowgit:$PATH "$AGENTRUN" -q --backend local run -- touch ran) </dev/null >/dev/null 2>&1 ||
		fail "the session with a slow git"
	python3 - "$(latest_cast)" "$STORE" <<'PY' || fail "the git run after the session counted as the session's"
import json, os, subprocess, sys
cast, store = sys.argv[1], sys.argv[2]
side = json.load(open(cast[:-len(".cast.zst")] + ".json"))
assert side["duration"] < 1.5, side["duration"]
lines = subprocess.run(["zstd", "-dcq", cast], capture_output=True).stdout.decode().splitlines()
x = [json.loads(l) for l in lines[1:] if json.loads(l)[1] == "x"]
assert x and x[0][0] < 1.5, x
PY
fi
# TERM set but empty is no terminal type: the header has none (not "").
TERM= ar -q --backend local run -- true
assert_eq 0 "$RC" "TERM empty"
hdr=$(zstd -dcq "$(latest_cast)" | head -n 1)
assert_not_contains '"type"' "$hdr" "header with TERM empty"
TERM=xterm-mine ar -q --backend local run -- true
assert_contains '"type": "xterm-mine"' "$(zstd -dcq "$(latest_cast)" | head -n 1)" "header with TERM"
exit 0
