#!/usr/bin/env bash
# agentrun claude inside tmux against the emulated VM, with the fake
# claude provisioned into it: the first run creates the VM; keys, resize
# and the exit status pass through; the terminal is restored; the
# transcript replays what was on screen, with the forwarded key redacted.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
need tmux
P=$(mkproj shop)

cat >"$T/wrap.sh" <<WRAP
cd "$P" || exit 1
stty -g >"$T/before"
"\$@"
echo "STATUS=\$?" >"$T/status"
stty -g >"$T/after"
echo WRAPDONE
WRAP

session() {	# expected-status cols rows
	tm_start "$2" "$3" env ANTHROPIC_API_KEY=sk-e2e-secret-123 \
		bash "$T/wrap.sh" "$AGENTRUN" claude --interactive "two words"
	# Keys typed at once wait for the forwarded key to go in first.
	tm send-keys -t t "early bird" Enter
	tm_wait "ready>" 60
	tm_wait "got: early bird"
	# No process shows the key on its command line (ps); tmux's server
	# does, having started the session with it.
	local f
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' 2>/dev/null <"$f"; echo
	done | grep -v '^tmux ' | grep 'sk-e2e-secret-12[3]' &&
		fail "the forwarded key on a command line"
	tm_wait "size ${2}x${3}"
	tm_wait "argx: $(hex "two words")"
	tm_wait "key=sk-e2e-secret-123"
	tm send-keys -t t "hello vm" Enter
	tm_wait "got: hello vm"
	tm resize-window -t t -x 120 -y 40
	tm_wait "resized 120x40"
	tm send-keys -t t "quit $1" Enter
	tm_wait WRAPDONE 20
	assert_eq "STATUS=$1" "$(cat "$T/status")" "exit status"
	cmp -s "$T/before" "$T/after" || fail "stty differs after the session"
	tm kill-server
}

session 7 100 30
assert_eq "$P => $P" "$(vm_mounts)" "mounted"
[ -x "$MULTIPASS_EMU_DIR/vms/agentrun/home/.local/bin/claude" ] || fail "not provisioned"

out=$(cd "$P" && "$AGENTRUN" cat latest)
for w in "got: early bird" "got: hello vm" "resized 120x40" "size 100x30" "[redacted:ANTHROPIC_API_KEY]"; do
	assert_contains "$w" "$out" transcript
done
assert_not_contains "sk-e2e-secret-123" "$out" transcript

# Warm: two multipass calls, same behaviour.
reset_calls
session 0 90 25
assert_eq 2 "$(ncalls)" "warm calls"
out=$(cd "$P" && "$AGENTRUN" show latest 2>/dev/null)
assert_match "*vm:*agentrun*" "$out" "show: vm"
assert_match "*multipass:*1.16.3*" "$out" "show: multipass version"
assert_match "*mount:*$P -> $P rw*" "$out" "show: mount"

# A guest slow to ask for the forwarded key (its login profile sleeps):
# keys typed meanwhile wait for it, then arrive; Ctrl-C does not wait.
prof=$MULTIPASS_EMU_DIR/vms/agentrun/home/.bash_profile
printf 'sleep 2\n. ~/.profile\n' >"$prof"
tm_start 80 24 env ANTHROPIC_API_KEY=sk-e2e-secret-123 \
	bash "$T/wrap.sh" "$AGENTRUN" claude --interactive
sleep 1
tm send-keys -t t "slow keys" Enter
tm_wait "key=sk-e2e-secret-123" 30
tm_wait "got: slow keys"
tm send-keys -t t "quit 0" Enter
tm_wait WRAPDONE 20
assert_eq "STATUS=0" "$(cat "$T/status")" "slow guest: status"
tm kill-server
printf 'sleep 30\n' >"$prof"
tm_start 80 24 env ANTHROPIC_API_KEY=sk-e2e-secret-123 \
	bash "$T/wrap.sh" "$AGENTRUN" claude --interactive
sleep 3
tm send-keys -t t C-c
tm_wait WRAPDONE 10
# 130, or 255 from a 1.16 multipass whose remote command a signal ended
case $(cat "$T/status") in
STATUS=130|STATUS=255) ;;
*) fail "Ctrl-C before the guest asked: $(cat "$T/status")" ;;
esac
cmp -s "$T/before" "$T/after" || fail "stty differs after Ctrl-C"
tm kill-server
rm -f "$prof"
# Failures before the session: one line, status 125, terminal as it was,
# nothing left running in the store.
failing() {	# what expected-text env...
	local what=$1 want=$2
	shift 2
	tm_start 80 24 env "$@" bash "$T/wrap.sh" "$AGENTRUN" claude
	tm_wait WRAPDONE 20
	assert_eq "STATUS=125" "$(cat "$T/status")" "$what: status"
	tm_capture | grep -qF -- "$want" || fail "$what: pane lacks [$want]: $(tm_capture)"
	cmp -s "$T/before" "$T/after" || fail "$what: stty differs"
	tm kill-server
}
failing "daemon down" "the multipass daemon is not running" MULTIPASS_EMU_DAEMON_DOWN=1
failing "no multipass" "multipass is not installed" PATH=/usr/bin:/bin
"$ROOT/tests/multipass" delete --purge agentrun
failing "launch failure" "launching VM agentrun timed out" \
	MULTIPASS_EMU_FAIL_LAUNCH=timeout
grep -l '"state": *"running"' "$STORE"/*.json 2>/dev/null && fail "a session was left running"

exit 0
