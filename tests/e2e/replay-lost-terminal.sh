#!/usr/bin/env bash
# agentrun replay on a terminal that can no longer be written (its other
# end closed, with no hangup signal: not its controlling terminal) ends
# with status 1 and says why, as the man page's EXIT STATUS has it for
# output that could not be written (was: status 0, in silence).
. "$(dirname "$0")/../lib/common.sh"
need python3
cd "$T" || exit 1
{
	echo '{"version": 2, "width": 40, "height": 5}'
	for k in $(seq 0 600); do printf '[%d.0, "o", "\\r\\nframe %d"]\n' "$k" "$k"; done
} > long.cast
out=$(python3 - "$AGENTRUN" "$T/long.cast" <<'PY'
import fcntl, os, pty, struct, subprocess, sys, termios, time
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
p = subprocess.Popen([sys.argv[1], "replay", sys.argv[2]], stdin=subprocess.DEVNULL,
    stdout=s, stderr=subprocess.PIPE, start_new_session=True)
os.close(s)
seen = b""
deadline = time.time() + 30
while b"frame 1" not in seen and time.time() < deadline:
    seen += os.read(m, 65536)
os.close(m)
try:
    err = p.communicate(timeout=30)[1]
except subprocess.TimeoutExpired:
    p.kill()
    err = b"(still running)"
print(p.returncode, err.decode(errors="replace").strip())
PY
)
assert_match "1 *stdout: *" "$out" "status and message"
exit 0
