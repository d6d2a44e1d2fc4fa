#!/usr/bin/env bash
# tests/run.sh [SUITE...]: run the test suites and end each with
# "N passed, N failed". Suites: unit, cli, vm, e2e, shell, fuzz.
# A script test is tests/SUITE/NAME.sh: exit 0 passes, 77 skips, any
# other status fails (its output is shown). Unit tests are the cmocka
# programs built from tests/unit/.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
export BUILD
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit cli vm e2e shell fuzz)
total_pass=0 total_fail=0 total_skip=0
failed_names=()

run_one() {	# name, command...
	local name=$1 out rc
	shift
	out=$(timeout 300 "$@" 2>&1 </dev/null)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "  ok    $name"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "  skip  $name: $(printf '%s\n' "$out" | tail -n 1)"
	else
		fail=$((fail + 1)); failed_names+=("$name")
		echo "  FAIL  $name (status $rc)"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/        | /'
	fi
}

for suite in "${suites[@]}"; do
	pass=0 fail=0 skip=0
	echo "== $suite"
	case $suite in
	unit)
		for t in "$BUILD"/tests/test-*; do
			[ -x "$t" ] || continue
			run_one "unit/${t##*/}" "$t"
		done ;;
	fuzz)
		for t in tests/fuzz/*.sh; do
			[ -f "$t" ] || continue
			run_one "fuzz/$(basename "$t" .sh)" bash "$t"
		done ;;
	*)
		for t in tests/"$suite"/*.sh; do
			[ -f "$t" ] || continue
			run_one "$suite/$(basename "$t" .sh)" bash "$t"
		done ;;
	esac
	if [ $skip -gt 0 ]; then
		echo "$suite: $pass passed, $fail failed, $skip skipped"
	else
		echo "$suite: $pass passed, $fail failed"
	fi
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done
[ ${#failed_names[@]} -eq 0 ] || printf 'failed: %s\n' "${failed_names[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail -eq 0 ]
