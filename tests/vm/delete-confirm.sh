#!/usr/bin/env bash
# agentrun vm delete on a terminal (tmux) asks first: anything but y/yes
# keeps the VM (exit 1), y deletes it (exit 0); --yes does not ask.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
need tmux

ar vm start
assert_eq 0 "$RC" "vm start: $ERR"
cat > "$T/wrap.sh" <<WRAP
"$AGENTRUN" vm delete
echo "STATUS=\$?" > "$T/status"
echo WRAPDONE
sleep 30
WRAP
for answer in n "" yes; do
	rm -f "$T/status"
	tm_start 100 20 bash "$T/wrap.sh"
	tm_wait "Delete VM agentrun and everything in it"
	[ "$(vm_state)" != none ] || fail "deleted before the answer"
	tm send-keys -t t "$answer" Enter
	tm_wait WRAPDONE 15
	case $answer in
	yes)	assert_eq STATUS=0 "$(cat "$T/status")" "answer yes"
		assert_eq none "$(vm_state)" "after yes" ;;
	*)	assert_eq STATUS=1 "$(cat "$T/status")" "answer [$answer]"
		tm_wait "VM agentrun not deleted"
		[ "$(vm_state)" != none ] || fail "deleted after [$answer]" ;;
	esac
	tm kill-server
done

# Ctrl-D at the question: the refusal starts a line of its own.
ar vm start
assert_eq 0 "$RC" "vm start for Ctrl-D: $ERR"
rm -f "$T/status"
tm_start 100 20 bash "$T/wrap.sh"
tm_wait "Delete VM agentrun and everything in it"
tm send-keys -t t C-d
tm_wait WRAPDONE 15
assert_eq STATUS=1 "$(cat "$T/status")" "Ctrl-D"
tm_capture | grep -q "^agentrun: VM agentrun not deleted" ||
    fail "the refusal shares the question's line: $(tm_capture)"
tm kill-server

# --yes on a terminal: no question.
ar vm start
assert_eq 0 "$RC" "vm start again: $ERR"
sed -i 's/vm delete$/vm delete --yes/' "$T/wrap.sh"
rm -f "$T/status"
tm_start 100 20 bash "$T/wrap.sh"
tm_wait WRAPDONE 15
assert_eq STATUS=0 "$(cat "$T/status")" "--yes"
assert_not_contains "Delete VM" "$(tm_capture)" "--yes asked"
assert_eq none "$(vm_state)" "after --yes"
exit 0
