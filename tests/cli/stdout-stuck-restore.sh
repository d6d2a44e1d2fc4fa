#!/usr/bin/env bash
# A terminal (stdin and stdout, as usual) whose reader has stopped taking
# output (an ssh link or an emulator stuck): a TERM still ends agentrun,
# raw mode or the alternate screen notwithstanding. (The output was given
# up after a second, but term_restore then wrote the reset string to the
# same terminal with a blocking write, and agentrun sat there for ever.)
. "$(dirname "$0")/../lib/common.sh"
need python3
mkdir -p "$T/p"
cd "$T/p" || exit 1

# stuck.py ERR IN CMD...: CMD runs on a terminal whose master is held and
# never read, stdin that terminal (IN=tty) or /dev/null; prints its pid,
# waits for it and prints its status.
cat > "$T/stuck.py" <<'PY'
import os, pty, sys
m, s = pty.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    os.dup2(s if sys.argv[2] == "tty" else os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(s, 1)
    os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644), 2)
    os.execvp(sys.argv[3], sys.argv[3:])
print(pid, flush=True)
_, st = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(st), flush=True)
PY

# case WHAT IN CMD: agentrun runs CMD (which never stops writing) there;
# a TERM must end it.
case_() {
	python3 "$T/stuck.py" "$T/err" "$2" "$AGENTRUN" -q --backend local \
	    run -- sh -c "$3" > "$T/pid" &
	holder=$!
	sleep 1.5
	pid=$(head -n 1 "$T/pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null ||
		fail "$1: agentrun did not start: $(cat "$T/err")"
	kill -TERM "$pid"
	for _ in $(seq 100); do
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$holder" 2>/dev/null; then
		kill -9 "$pid" "$holder"
		fail "$1: agentrun still blocked 10 s after a TERM"
	fi
	wait "$holder"
	assert_eq 143 "$(sed -n 2p "$T/pid")" "$1: status"
	ar show latest
	assert_contains finished "$OUT" "$1: state"
}
case_ "raw mode" tty 'exec yes'
case_ "alternate screen" null 'printf "\033[?1049h"; exec yes'
case_ "kitty keys" null 'printf "\033[>1u"; exec yes'
exit 0
