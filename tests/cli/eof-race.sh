#!/usr/bin/env bash
# Piped input into an interactive shell, many times over, with the CPUs
# busy: the EOF must reach readline every time. One look at the terminal
# could fall between readline taking the line's end and its turning
# canonical mode on to run the command; the EOF, landing in canonical mode,
# became a NUL and the shell waited for ever (about 1 run in 100 under load
# failed so; CI saw it).
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1

hogs=()
for _ in 1 2; do
	timeout 120 sh -c 'while :; do :; done' &
	hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null; cleanup' EXIT

runs=${EOF_RACE_RUNS:-120}
hung=0
for i in $(seq 1 "$runs"); do
	printf 'echo piped-$((6 * 7))\n' | timeout 10 "$AGENTRUN" -q \
		--backend local run --no-record -- bash --norc --noprofile -i \
		> "$T/out" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		hung=$((hung + 1))
		echo "run $i: status $rc: $(tr -d '\r' < "$T/out" | tail -c 200)"
	fi
done
assert_eq 0 "$hung" "runs of $runs that did not end with the input"
exit 0
