# tests/lib/common.sh: sourced by every script test. Gives each test a
# private HOME and XDG dirs, the emulator first on PATH, the agentrun
# binary in $AGENTRUN, and small assertion and tmux helpers.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
AGENTRUN=$ROOT/$BUILD/agentrun
TESTBIN=$ROOT/$BUILD/tests
[ -x "$AGENTRUN" ] || { echo "no $AGENTRUN: run make first"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/agentrun-test.XXXXXX")
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share \
	XDG_STATE_HOME=$T/home/.local/state
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME"
export MULTIPASS_EMU_DIR=$T/mp
mkdir -p "$T/bin" && ln -s "$ROOT/tests/multipass" "$T/bin/multipass"
export PATH=$T/bin:$PATH
export LC_ALL=C.UTF-8 TERM=${TERM:-xterm-256color}
[ "$TERM" = dumb ] && export TERM=xterm-256color
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
STORE=$XDG_DATA_HOME/agentrun/sessions
TMUX_SOCK=$T/tmux.sock
indexers() {	# pids of this test's background `agentrun __index` runs
	local p
	for p in $(pgrep -f '^agentrun __index ' 2>/dev/null); do
		tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null |
			grep -qxF "XDG_STATE_HOME=$XDG_STATE_HOME" && echo "$p"
	done
}
cleanup() {
	local s p
	for s in "$T"/tmux*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	for p in $(indexers); do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
assert_eq() {	# expected actual [what]
	[ "$1" = "$2" ] || fail "${3:-value}: expected [$1], got [$2]"
}
assert_match() {	# glob actual [what]
	# shellcheck disable=SC2053
	[[ $2 == $1 ]] || fail "${3:-value}: [$2] does not match [$1]"
}
assert_contains() {	# needle haystack [what]
	case $2 in *"$1"*) ;; *) fail "${3:-output} lacks [$1]: [$2]" ;; esac
}
assert_not_contains() {
	case $2 in *"$1"*) fail "${3:-output} has [$1]: [$2]" ;; esac
}
# Run agentrun capturing stdout, stderr, status into OUT, ERR, RC.
ar() {
	OUT=$("$AGENTRUN" "$@" 2>"$T/stderr" </dev/null)
	RC=$?
	ERR=$(cat "$T/stderr")
}
# hold_lock FILE: a process in the background holds an exclusive flock
# on FILE (as a recorder does) until killed; its pid is in HOLDER.
hold_lock() {
	( exec 9<"$1"; flock -x 9; exec sleep 300 ) &
	HOLDER=$!
	for _ in $(seq 100); do
		flock -n -s "$1" true || return 0
		sleep 0.02
	done
	fail "no lock on $1"
}
latest_cast() { ls -1t "$STORE"/*.cast.zst 2>/dev/null | head -n 1; }	# newest by mtime

# tmux: a private server; one window of the given size.
tm() { tmux -S "$TMUX_SOCK" "$@"; }
TMUX_N=0
tm_start() {	# cols rows command...: a new server each time (a killed one may linger)
	local c=$1 r=$2
	shift 2
	need tmux
	TMUX_N=$((TMUX_N + 1))
	TMUX_SOCK=$T/tmux$TMUX_N.sock
	tm -f /dev/null new-session -d -s t -x "$c" -y "$r" \
		env HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
		XDG_DATA_HOME="$XDG_DATA_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" \
		PATH="$PATH" MULTIPASS_EMU_DIR="$MULTIPASS_EMU_DIR" \
		ASAN_OPTIONS="$ASAN_OPTIONS" LC_ALL=C.UTF-8 TERM=xterm-256color "$@"
	tm set-option -t t remain-on-exit on >/dev/null
}
tm_capture() { tm capture-pane -p -S -500 -t t; }	# with history
tm_wait() {	# text [seconds]: wait until the pane shows text
	local i n=$(( ${2:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		tm_capture | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	echo "--- pane:" >&2; tm_capture >&2
	fail "timed out waiting for [$1]"
}
tm_dead() {	# [seconds]: wait for the pane's program to exit; prints its
		# status (128+N for signal N; tmux 3.3 sometimes gives none)
	local i st sig n=$(( ${1:-20} * 20 ))
	for ((i = 0; i < n; i++)); do
		if [ "$(tm display -p -t t '#{pane_dead}')" = 1 ]; then
			st=$(tm display -p -t t '#{pane_dead_status}')
			sig=$(tm display -p -t t '#{pane_dead_signal}')
			[ -z "$st" ] && [ -n "$sig" ] && st=$((128 + sig))
			echo "$st"
			return 0
		fi
		sleep 0.05
	done
	fail "pane did not exit"
}
