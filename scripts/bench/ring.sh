#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Ring and mempool cost, ringfwd against DPDK, in TSC cycles per element.
#
# Builds tests/perf/ring_perf and tests/perf/dpdk_ring_perf (release, in
# build-bench/ under the repo unless BUILD_DIR names an existing build), then
# runs them pinned to one core, alternating A B A B A B so drift in the
# machine hits both alike, and prints the median of the three runs per case:
#
#   case | ringfwd cyc/elem | DPDK cyc/elem | ratio ringfwd/DPDK
#
# A ratio below 1 means ringfwd is cheaper. Each binary already reports the
# best of several trials; the median over runs absorbs a disturbed run.
#
# Environment: BUILD_DIR (build directory), BENCH_CORE (default 1),
# RUNS (default 3). Busy cores are shared through flock on
# /tmp/ringfwd-cores.lock, like every other busy-polling run.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:-$REPO/build-bench}
CORE=${BENCH_CORE:-1}
RUNS=${RUNS:-3}
LOCK=/tmp/ringfwd-cores.lock

TMP=$(mktemp -d /tmp/ringfwd-ringbench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$REPO" --buildtype=release -Ddpdk_bench=auto >"$TMP/setup.log" 2>&1 ||
		{ cat "$TMP/setup.log" >&2; exit 1; }
fi
TARGETS=tests/perf/ring_perf
if grep -q 'tests/perf/dpdk_ring_perf:' "$BUILD/build.ninja"; then
	TARGETS="$TARGETS tests/perf/dpdk_ring_perf"
else
	echo "ring.sh: libdpdk not found at configure time: ringfwd column only" >&2
fi
# shellcheck disable=SC2086 # TARGETS is a list
ninja -C "$BUILD" $TARGETS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }

RF="$BUILD/tests/perf/ring_perf"
DP="$BUILD/tests/perf/dpdk_ring_perf"
[ -x "$DP" ] || DP=

# The whole A/B sequence holds the core lock, so both see the same machine.
export RF DP CORE RUNS TMP
# shellcheck disable=SC2016 # expanded by the inner shell, from the environment
flock "$LOCK" sh -c '
	i=1
	while [ "$i" -le "$RUNS" ]; do
		taskset -c "$CORE" "$RF" >"$TMP/rf.$i.out"
		if [ -n "$DP" ]; then
			taskset -c "$CORE" "$DP" >"$TMP/dpdk.$i.out" 2>"$TMP/dpdk.$i.err"
		fi
		i=$((i + 1))
	done'

# Median per case over the runs: "case value" lines in, "case median" out.
median() {
	sort -k1,1 -k2,2g "$@" | awk '
		$1 != name { flush(); name = $1; n = 0 }
		{ v[n++] = $2 }
		function flush() { if (n) print name, v[int((n - 1) / 2)] }
		END { flush() }'
}

median "$TMP"/rf.*.out >"$TMP/rf.med"
if [ -n "$DP" ]; then
	median "$TMP"/dpdk.*.out >"$TMP/dpdk.med"
else
	: >"$TMP/dpdk.med"
fi

echo "ring/mempool, cycles per element, median of $RUNS runs, core $CORE"
printf '| %-24s | %16s | %13s | %18s |\n' case "ringfwd cyc/elem" "DPDK cyc/elem" "ratio ringfwd/DPDK"
printf '|%s|%s|%s|%s|\n' -------------------------- ------------------ --------------- --------------------
# One row per case, in the order the benchmark prints them.
awk 'FILENAME == ARGV[1] { d[$1] = $2; next }
	FILENAME == ARGV[2] { r[$1] = $2; next }
	{
		if (!($1 in r))
			next
		if ($1 in d)
			printf "| %-24s | %16.2f | %13.2f | %18.2f |\n", $1, r[$1], d[$1], r[$1] / d[$1]
		else
			printf "| %-24s | %16.2f | %13s | %18s |\n", $1, r[$1], "n/a", "n/a"
	}' "$TMP/dpdk.med" "$TMP/rf.med" "$TMP/rf.1.out"
