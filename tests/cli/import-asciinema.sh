#!/usr/bin/env bash
# A recording made by Debian's 'asciinema rec' (2.2, asciicast v2) imports,
# and 'agentrun text' of it shows what 'asciinema cat' into a terminal
# showed (tmux capture-pane).
. "$(dirname "$0")/../lib/common.sh"
need asciinema
need tmux
cd "$T" || exit 1

cat > prog.sh <<'PROG'
printf '\033[1;32mgreen title\033[0m and 中文 wide\n'
printf 'a progress bar: [          ]'
for i in 1 2 3 4 5 6 7 8 9 10; do
	printf '\r\033[2Ka progress bar: [%.*s%*s] \033[38;5;208m%d0%%\033[0m' "$i" '##########' $((10 - i)) '' "$i"
	sleep 0.02
done
printf '\n\033[7minverse\033[0m \033[4munder\033[0m\n'
printf 'to be erased\r\033[Kreplaced line\n'
printf '\033[3;40Hplaced at row 3\033[6;1H'
printf 'box ┌─┐ └─┘ end\n'
sleep 0.3
PROG

tm_start 60 15 asciinema rec -q -c "sh $T/prog.sh" "$T/rec.cast"
tm_dead >/dev/null	# (tmux 3.3 does not always give the status)
tm kill-server
[ -s rec.cast ] || fail "no recording"
grep -q 'box' rec.cast || fail "the recording is incomplete"
assert_contains '"version": 2' "$(head -n 1 rec.cast)"

ar import rec.cast
assert_eq 0 "$RC" "import: $ERR"
id=$OUT
ar text "$id"
assert_eq 0 "$RC"
mine=$OUT

tm_start 60 15 sh -c "asciinema cat $T/rec.cast; sleep 60"
tm_wait "box"
sleep 0.3
theirs=$(tm_capture | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
if [ "$mine" != "$theirs" ]; then
	diff <(printf '%s\n' "$theirs") <(printf '%s\n' "$mine") >&2
	fail "agentrun text differs from asciinema cat in tmux"
fi
assert_contains "placed at row 3" "$mine"
assert_contains "a progress bar: [##########] 100%" "$mine"

# Made where the terminal has no size (CI, script, docker exec): asciinema
# writes width and height 0 and plays the file; so does agentrun, at 80x24.
if command -v script >/dev/null 2>&1; then
	script -qc "asciinema rec -q --overwrite -c 'echo hello; sleep 0.2; printf done' $T/nosize.cast" /dev/null </dev/null >/dev/null
	assert_contains '"width": 0, "height": 0' "$(head -n 1 nosize.cast)" "asciinema's header"
	ar text ./nosize.cast
	assert_eq 0 "$RC" "text of a 0x0 file: $ERR"
	assert_contains done "$OUT"
	ar import nosize.cast
	assert_eq 0 "$RC" "import of a 0x0 file: $ERR"
	ar show --json "$OUT"
	assert_eq "80 24" "$(printf '%s' "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin); print(d["cols"], d["rows"])')" "the import's size"
	ar cat latest
	assert_contains hello "$OUT" "cat of the import"
fi
exit 0
