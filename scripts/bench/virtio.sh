#!/usr/bin/env bash
# virtio over vhost-user, 64-byte frames: ringfwd's net_virtio_user
# (tests/integration/virtio/vdev_test) against DPDK's own net_virtio_user
# (dpdk-testpmd), both on core 1, against the same peer: testpmd with
# net_vhost on core 0.
#
#   rx-only: peer txonly  -> driver receives (ours: vdev_test rx; DPDK: rxonly)
#   tx-only: driver sends -> peer rxonly     (ours: vdev_test txflood; DPDK: txonly)
#
# Runs A B A B (ours, DPDK, ours, DPDK; BENCH_RUNS pairs), each with a fresh
# peer, and counts over a fixed window after a warm-up: the driver's own
# count (vdev_test prints it; for DPDK testpmd's Rx-pps/Tx-pps lines) and the
# peer's (its Tx-pps or Rx-pps lines over the same window). Prints every run,
# the median per driver and the ratio ours/DPDK. Holds the cores lock throughout.
#
# Environment: BENCH_RUNS (3), BENCH_WARMUP (2 s), BENCH_SECONDS (5 s),
# BENCH_BUILD (build-bench).
set -u
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-3}
warmup=${BENCH_WARMUP:-2}
window=${BENCH_SECONDS:-5}
dir=${BENCH_BUILD:-$RF_ROOT/build-bench}
bench_init virtio-bench

command -v dpdk-testpmd >/dev/null || { rf_log "needs dpdk-testpmd (package dpdk-dev)"; exit 1; }
[ "$(id -u)" = 0 ] || { rf_log "needs root"; exit 1; }
if [ ! -f "$dir/build.ninja" ]; then
	rf_log "configuring $dir"
	meson setup "$dir" "$RF_ROOT" -Dbuildtype=release >/dev/null || exit 1
fi
ninja -C "$dir" tests/integration/vdev_test >/dev/null || exit 1
vdev_test=$dir/tests/integration/vdev_test

# One run: DRIVER (ours|dpdk), SCENARIO (rx|tx). Prints "driver_mpps peer_mpps".
run_one() {
	local drv=$1 sc=$2 peer_mode dut_mode peer_key dut_key from to a b
	if [ "$sc" = rx ]; then
		peer_mode=txonly dut_mode=rxonly peer_key=Tx-pps dut_key=Rx-pps
	else
		peer_mode=rxonly dut_mode=txonly peer_key=Rx-pps dut_key=Tx-pps
	fi
	peer_start "$peer_mode" --txpkts=64 || return 1
	if [ "$drv" = ours ]; then
		local cmd=rx
		[ "$sc" = tx ] && cmd=txflood
		start dut "$vdev_test" -l 1 --no-huge -m 256 --file-prefix "rfbench-dut-$$" \
			--vdev "net_virtio_user0,path=$out/vhost.sock" -- \
			"$cmd" --warmup "$warmup" --seconds "$window" --len 64
		wait_for "$out/dut.log" "^LINK UP" 30 || return 1
	else
		start dut dpdk-testpmd --lcores 0@0,1@1 --main-lcore 0 --no-huge -m 512 --no-pci \
			--file-prefix="rfbench-dut-$$" --vdev "net_virtio_user0,path=$out/vhost.sock" -- \
			--forward-mode="$dut_mode" --txpkts=64 --auto-start --stats-period 1 \
			--nb-cores=1 --total-num-mbufs=16384
		wait_for "$out/dut.log" "Rx-pps" 30 || return 1
	fi
	sleep "$warmup"
	from=$(lines "$out/peer.log")
	local dfrom
	dfrom=$(lines "$out/dut.log")
	sleep "$window"
	to=$(lines "$out/peer.log")
	b=$(pps_mean "$out/peer.log" "$peer_key" "$from" "$to")
	if [ "$drv" = ours ]; then
		local v=pid_dut
		wait "${!v}" 2>/dev/null
		a=$(sed -n 's/^[rt]x_mpps=//p' "$out/dut.log")
	else
		a=$(pps_mean "$out/dut.log" "$dut_key" "$dfrom" "$(lines "$out/dut.log")")
	fi
	stop dut
	stop peer
	echo "${a:-nan} $b"
}

bench_lock
rf_log "64 B frames, warm-up ${warmup}s, window ${window}s, $runs x (ours, DPDK) per scenario"

declare -A vals
printf '%-8s %-5s %-4s %12s %12s\n' scenario drv run "driver Mpps" "peer Mpps"
for sc in rx tx; do
	for r in $(seq 1 "$runs"); do
		for drv in ours dpdk; do
			res=$(run_one "$drv" "$sc") || { rf_log "$sc/$drv run $r failed"; res="nan nan"; }
			read -r a b <<<"$res"
			printf '%-8s %-5s %-4s %12s %12s\n' "$sc-only" "$drv" "$r" "$a" "$b"
			[ "$b" != nan ] && vals[$sc-$drv]+="$b "
		done
	done
done

echo
echo "Median over runs, measured at the peer (the same counter for both drivers):"
printf '%-8s %10s %10s %8s\n' scenario ours DPDK ratio
for sc in rx tx; do
	o=$(median <<<"${vals[$sc-ours]:-}")
	d=$(median <<<"${vals[$sc-dpdk]:-}")
	ratio=$(ratio "$o" "$d")
	printf '%-8s %10s %10s %8s\n' "$sc-only" "$o" "$d" "$ratio"
done
