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
exit 0
