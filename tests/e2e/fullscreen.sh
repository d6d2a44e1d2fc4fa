#!/usr/bin/env bash
# Full-screen programs (less, vi) through agentrun run in tmux: they draw,
# take keys, and the terminal is restored; the transcript has what they
# showed.
. "$(dirname "$0")/../lib/common.sh"
need tmux
cd "$T" || exit 1
seq -f "row %g of the file" 1 200 > "$T/file.txt"

cat > "$T/wrap.sh" <<WRAP
stty -g > "$T/before"
"\$@"
echo "STATUS=\$?" > "$T/status"
stty -g > "$T/after"
echo WRAPDONE
WRAP

if command -v less >/dev/null; then
	tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- less "$T/file.txt"
	tm_wait "row 1 of the file"
	tm send-keys -t t " "
	tm_wait "row 40 of the file"
	tm send-keys -t t q
	tm_wait WRAPDONE
	assert_eq STATUS=0 "$(cat "$T/status")"
	cmp -s "$T/before" "$T/after" || fail "stty differs after less"
	"$AGENTRUN" cat latest | grep -q "row 40 of the file" || fail "transcript lacks less's page"
	tm kill-server
fi

if command -v vi >/dev/null; then
	tm_start 80 24 bash "$T/wrap.sh" "$AGENTRUN" -q --backend local run -- vi -u NONE -N "$T/new.txt"
	sleep 0.5
	tm send-keys -t t i "written in vi" Escape
	tm send-keys -t t ":wq" Enter
	tm_wait WRAPDONE
	assert_eq STATUS=0 "$(cat "$T/status")"
	cmp -s "$T/before" "$T/after" || fail "stty differs after vi"
	assert_eq "written in vi" "$(cat "$T/new.txt")" "vi wrote the file"
fi
exit 0
