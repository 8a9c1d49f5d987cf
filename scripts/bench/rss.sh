#!/usr/bin/env bash
# Toeplitz RSS hash, IPv4+UDP: ringfwd's table-driven rf_rss against DPDK's
# rte_softrss and rte_softrss_be (tests/perf/rss_perf.c, dpdk_rss_perf.c).
#
# Builds both in a release build dir, then runs them alternately, A B A B A B,
# pinned to one core and holding the cores lock for the whole sequence. Each
# run prints, per implementation, the median over 201 short trials of TSC cycles per
# hash; this prints every run, the median of the runs and the ratio to
# rf_rss. Both programs hash the same tuples with the same key: the script
# fails if their XOR-of-hashes differ, since then they measured different work.
#
# Environment: RSS_RUNS (3), RSS_CORE (1), RSS_BUILD (build-bench).
set -eu
. "$(dirname "$0")/../lib/setup.sh"

runs=${RSS_RUNS:-3}
core=${RSS_CORE:-1}
dir=${RSS_BUILD:-$RF_ROOT/build-bench}
lock=/tmp/ringfwd-cores.lock
out=$(mktemp -d /tmp/rss-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

if [ ! -f "$dir/build.ninja" ]; then
	rf_log "configuring $dir"
	meson setup "$dir" "$RF_ROOT" -Dbuildtype=release -Ddpdk_bench=auto >/dev/null
fi
have_dpdk=1
if ! ninja -C "$dir" tests/perf/dpdk_rss_perf >/dev/null 2>&1; then
	rf_log "no tests/perf/dpdk_rss_perf (libdpdk-dev missing?): rf_rss only"
	have_dpdk=0
fi
ninja -C "$dir" tests/perf/rss_perf >/dev/null

ours=$dir/tests/perf/rss_perf
dpdk=$dir/tests/perf/dpdk_rss_perf

rf_log "waiting for $lock"
exec 9>"$lock"
flock 9
rf_log "running on core $core: $runs x (rf_rss, DPDK)"
for i in $(seq 1 "$runs"); do
	taskset -c "$core" "$ours" >"$out/run$i"
	if [ "$have_dpdk" = 1 ]; then
		taskset -c "$core" "$dpdk" >>"$out/run$i"
	fi
done
flock -u 9

# Same tuples, same key: every implementation of the plain hash must agree.
sums=$(cat "$out"/run* | awk '$1 != "rf_rss_hash_ipv4_l4_sym" {print $3}' | sort -u)
if [ "$(echo "$sums" | wc -l)" -ne 1 ]; then
	rf_log "hash XORs differ between implementations or runs:"
	cat "$out"/run* >&2
	exit 1
fi

echo "Toeplitz RSS, IPv4+UDP 4-tuple, default 40-byte key, 1024 random tuples"
echo "TSC cycles per hash on core $core; each run is the median of 201 trials; XOR of hashes $sums"
cat "$out"/run* | awk -v runs="$runs" '
	{
		if (!($1 in n)) order[++names] = $1
		v[$1, ++n[$1]] = $2
	}
	function median(name,    k, j, t, a) {
		for (k = 1; k <= n[name]; k++) a[k] = v[name, k]
		for (k = 2; k <= n[name]; k++)
			for (j = k; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n[name] % 2 ? a[(n[name] + 1) / 2] : (a[n[name] / 2] + a[n[name] / 2 + 1]) / 2
	}
	END {
		base = median("rf_rss_hash_ipv4_l4")
		printf "%-26s", "implementation"
		for (k = 1; k <= runs; k++) printf " %8s", "run" k
		printf " %8s %10s\n", "median", "vs rf_rss"
		for (i = 1; i <= names; i++) {
			name = order[i]
			printf "%-26s", name
			for (k = 1; k <= n[name]; k++) printf " %8.2f", v[name, k]
			m = median(name)
			printf " %8.2f %9.2fx\n", m, m / base
		}
	}'
