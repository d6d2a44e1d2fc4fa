#!/usr/bin/env bash
# Every fuzz target over its checked-in corpus, as a plain test (under
# ASan+UBSan with make check SANITIZE=1).
. "$(dirname "$0")/../lib/common.sh"
rc=0
for src in "$ROOT"/tests/fuzz/fuzz-*.c; do
	name=$(basename "$src" .c)
	bin=$TESTBIN/$name
	[ -x "$bin" ] || fail "$bin not built"
	corpus=$ROOT/tests/fuzz/corpus/${name#fuzz-}
	set -- "$corpus"/*
	[ -e "$1" ] || fail "empty corpus for $name"
	if ! out=$("$bin" "$@" 2>&1); then
		echo "$name: $out" | tail -n 30
		rc=1
	fi
done
exit $rc
