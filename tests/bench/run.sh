#!/usr/bin/env bash
# tests/bench/run.sh: `make bench`. Installs the missing baselines (Debian
# packages, when root), builds the C helpers into $BUILD/bench, generates
# the workloads in a temporary folder (removed at the end) and runs
# tests/bench/bench.py, which prints one table and writes it to
# tests/bench/results.md (quoted by the README). Never part of `make check`.
#
#   BENCH_QUICK=1        small workloads, one run each: a smoke run
#   BENCH_RUNS=N         runs of each recorder on each workload (default 11)
#   BENCH_SEED=N         seed of the shuffled order of each round (default 1)
#   BENCH_SECTIONS="a b lat tools ls warm rss"   a subset
#   BENCH_OUT=FILE       write the table there instead
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
AGENTRUN=$ROOT/$BUILD/agentrun
BIN=$ROOT/$BUILD/bench
CC=${CC:-cc}
[ -x "$AGENTRUN" ] || { echo "bench: no $AGENTRUN: run make first" >&2; exit 1; }

# Baselines and tools: command -> Debian package.
missing=()
for pair in script:util-linux ttyrec:ttyrec termrec:termrec \
	asciinema:asciinema zstd:zstd python3:python3; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing ${missing[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends "${missing[@]}" \
			>/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  apt-get install -y -qq --no-install-recommends \
				"${missing[@]}" >/dev/null 2>&1; } ||
			echo "bench: could not install ${missing[*]}" >&2
	else
		echo "bench: not installed: ${missing[*]} (their columns stay empty)" >&2
	fi
fi
for c in python3 zstd; do
	command -v $c >/dev/null 2>&1 || { echo "bench: needs $c" >&2; exit 1; }
done

# The C helpers.
mkdir -p "$BIN"
CFL=(-std=c11 -O2 -Wall -Wextra -Werror)
build() {	# name extra-flags...
	local n=$1
	shift
	if [ ! -x "$BIN/$n" ] || [ "$ROOT/tests/bench/${n%.so}.c" -nt "$BIN/$n" ]; then
		"$CC" "${CFL[@]}" "$@" || { echo "bench: cannot build $n" >&2; exit 1; }
	fi
}
build ptydrive -o "$BIN/ptydrive" "$ROOT/tests/bench/ptydrive.c"
build bareloop -o "$BIN/bareloop" "$ROOT/tests/bench/bareloop.c" -lutil
build wlgen -o "$BIN/wlgen" "$ROOT/tests/bench/wlgen.c"
build mpshim -o "$BIN/mpshim" "$ROOT/tests/bench/mpshim.c"
build rusage.so -shared -fPIC -o "$BIN/rusage.so" "$ROOT/tests/bench/rusage.c"

W=$(mktemp -d "${TMPDIR:-/tmp}/agentrun-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
BENCH_ROOT=$ROOT BENCH_BIN=$BIN BENCH_WORK=$W AGENTRUN=$AGENTRUN \
	python3 "$ROOT/tests/bench/bench.py"
