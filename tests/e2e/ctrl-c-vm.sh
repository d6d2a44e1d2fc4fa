#!/usr/bin/env bash
# Ctrl-C in a session in the VM: the terminal sends it to the whole
# foreground group in the guest, the shell agentrun runs the command with
# included. That shell must outlive it and report 128+2 (multipass has no
# status for a process that a signal killed, and exits 255), with the
# status-4 guard of 1.16 and with 1.17's direct form.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
need tmux
P=$(mkproj p)
ar_in "$P" run -- true
assert_eq 0 "$RC" "first run: $ERR"

cat >"$T/wrap.sh" <<WRAP
cd "$P" || exit 1
"\$@"
echo "STATUS=\$?" >"$T/status"
echo WRAPDONE
WRAP

for v in 1.16.3 1.17.0; do
	export MULTIPASS_EMU_VERSION=$v XDG_STATE_HOME=$T/state-$v
	rm -f "$T/status"
	tm_start 80 24 env MULTIPASS_EMU_VERSION=$v XDG_STATE_HOME="$XDG_STATE_HOME" \
		bash "$T/wrap.sh" "$AGENTRUN" -q run -- sh -c 'echo READY; sleep 30'
	tm_wait READY 30
	tm send-keys -t t C-c
	tm_wait WRAPDONE 20
	assert_eq "STATUS=130" "$(cat "$T/status")" "Ctrl-C with multipass $v"
	tm kill-server
	ar_in "$P" show latest
	assert_contains "exit status:       130" "$OUT" "recorded status ($v)"
done
exit 0
