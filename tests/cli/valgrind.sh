#!/usr/bin/env bash
# valgrind memcheck: no leaks and no invalid accesses while recording,
# reading (cat, text, export, grep, replay), and in the multipass flow against the
# emulator. Skipped under the sanitizers (they do the same job there).
. "$(dirname "$0")/../lib/common.sh"
[ "${SANITIZE:-}" = 1 ] && skip "ASan build: memcheck does not apply"
need valgrind
. "$ROOT/tests/data/multipass/vm-setup.sh"
vg() {	# what: runs agentrun under memcheck; fails on any error or leak
	local what=$1
	shift
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --log-file="$T/vg.log" "$AGENTRUN" "$@" >"$T/vg.out" 2>&1 </dev/null
	local rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 99 ] &&
	    fail "$what: status $rc: $(head -n 5 "$T/vg.out")"
	[ "$rc" -ne 99 ] ||
	    fail "memcheck, $what: $(grep -v 'ioctl\|README_MISSING\|spurious' "$T/vg.log" | head -n 40)"
}
cd "$T" || exit 1
vg "record" -q --backend local run -- sh -c 'seq 2000; printf "\033[31mé中\033[0m\n"'
vg "ls" ls --all
vg "show" show latest
vg "cat" cat latest
vg "text" text latest
vg "export v2" export --format cast-v2 latest
vg "grep" grep 1999
# replay needs a terminal: run it in tmux, let it play, quit with q.
if command -v tmux >/dev/null; then
	id=$(basename "$(latest_cast)" .cast.zst)
	# tmux's pane_dead_status is not reliable: the status goes to a file.
	tm_start 80 24 sh -c 'valgrind -q --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --log-file="$1/vg-replay.log" "$2" replay --speed 64 "$3"
	    echo $? > "$1/replay.status"' sh "$T" "$AGENTRUN" "$id"
	tm_wait "1999" 60
	tm send-keys -t t q
	for _ in $(seq 600); do [ -s "$T/replay.status" ] && break; sleep 0.1; done
	st=$(cat "$T/replay.status" 2>/dev/null)
	[ "$st" != 99 ] || fail "memcheck, replay: $(head -n 40 "$T/vg-replay.log")"
	assert_eq 0 "$st" "replay status under memcheck"
fi
p=$(mkproj proj)
cd "$p" || exit 1
"$AGENTRUN" -q claude --version >/dev/null 2>&1 </dev/null	# cold start, not under memcheck
vg "warm multipass run" -q claude --print hello
vg "vm status" vm status
exit 0
