#!/usr/bin/env bash
# Top-speed replay of a preloaded capture, three ways, each measured for a
# fixed window after a warm-up:
#
#   ringfwd-replay --topspeed --loop 0 through net_virtio_user into the peer
#     (testpmd net_vhost rxonly on core 0), the sender on core 1;
#   dpdk-testpmd: net_pcap,rx_pcap=FILE,infinite_rx=1 -> net_virtio_user, io
#     forwarding on core 1, into the same peer;
#   tcpreplay --topspeed --preload-pcap on a veth pair in a namespace this
#     script makes (kernel path: not the same road, shown for scale).
#
# Rate: for the first two, the peer's Rx-pps over the window (the same counter
# for both); for tcpreplay, the receiving veth's rx_packets over the window.
# Captures: tests/data/pcap/good_64.pcap and good_mixed.pcap are tiny (a few
# frames, looped), so two larger ones are generated: 4096 distinct 64 B frames
# and 4096 frames of mixed sizes (64, 594, 1518: the IMIX-like 7:4:1 is not
# attempted). Holds the cores lock throughout; prints the load average, since
# the machine is shared and only the ratios travel.
#
# Environment: BENCH_WARMUP (2 s), BENCH_SECONDS (5 s), BENCH_BUILD (build-bench),
# BENCH_RUNS (1: runs per cell, taken A B C A B C so that a disturbance hits
# every tool alike; the table shows the median), BENCH_CAPS ("64 mixed"),
# BENCH_TOOLS ("ours testpmd tcpreplay"; a tool left out shows nan).
set -u
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"

warmup=${BENCH_WARMUP:-2}
window=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-1}
caps=${BENCH_CAPS:-64 mixed}
tools=${BENCH_TOOLS:-ours testpmd tcpreplay}
dir=${BENCH_BUILD:-$RF_ROOT/build-bench}
bench_init replay-bench

command -v dpdk-testpmd >/dev/null || { rf_log "needs dpdk-testpmd (package dpdk-dev)"; exit 1; }
[ "$(id -u)" = 0 ] || { rf_log "needs root"; exit 1; }
if ! command -v tcpreplay >/dev/null; then
	rf_log "installing tcpreplay"
	apt-get install -y tcpreplay >/dev/null 2>&1 || rf_log "no tcpreplay: its column stays empty"
fi
if [ ! -f "$dir/build.ninja" ]; then
	rf_log "configuring $dir"
	meson setup "$dir" "$RF_ROOT" -Dbuildtype=release >/dev/null || exit 1
fi
ninja -C "$dir" app/replay/ringfwd-replay >/dev/null || exit 1
replay=$dir/app/replay/ringfwd-replay
mkpcap=$RF_ROOT/tests/integration/replay/mkpcap.py
python3 "$mkpcap" "$out/64.pcap" 4096 64 1000 || exit 1
python3 "$mkpcap" "$out/mixed.pcap" 4096 64,64,64,64,64,64,64,594,594,594,594,1518 1000 || exit 1

ns=rfreplay$$
veth_cleanup() { ip netns del "$ns" 2>/dev/null; ip link del "rfrp$$a" 2>/dev/null; }
bench_cleanup_hooks+=(veth_cleanup)

# Each run_* sets $res (Mpps, or nan) rather than printing it: called in a
# $(...) subshell, the processes it starts would escape the EXIT trap.
# Mean peer Rx-pps over the window, in Mpps, with the DUT already started.
peer_window() {
	sleep "$warmup"
	local from
	from=$(lines "$out/peer.log")
	sleep "$window"
	res=$(pps_mean "$out/peer.log" Rx-pps "$from" "$(lines "$out/peer.log")")
}

run_ours() { # PCAP
	peer_start rxonly || { stop peer; return 1; }
	start dut taskset -c 0,1 "$replay" -l 0,1 --main-lcore 0 --no-huge -m 512 \
		--file-prefix "rfbench-rp-$$" --log-level err \
		--vdev "net_virtio_user0,path=$out/vhost.sock" -- --pcap "$1" --topspeed --loop 0 \
		--desc 256
	wait_for "$out/dut.log" "loaded" 30 || { stop dut; stop peer; return 1; }
	peer_window
	stop dut
	stop peer
}

run_testpmd() { # PCAP
	peer_start rxonly || { stop peer; return 1; }
	start dut dpdk-testpmd --lcores 0@0,1@1 --main-lcore 0 --no-huge -m 512 --no-pci \
		--file-prefix="rfbench-tp-$$" --vdev "net_pcap0,rx_pcap=$1,infinite_rx=1" \
		--vdev "net_virtio_user0,path=$out/vhost.sock" -- --forward-mode=io \
		--auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384
	wait_for "$out/dut.log" "Rx-pps" 30 || { stop dut; stop peer; return 1; }
	peer_window
	stop dut
	stop peer
}

run_tcpreplay() { # PCAP
	res=nan
	command -v tcpreplay >/dev/null || return 0
	veth_cleanup
	if ! { ip netns add "$ns" && ip link add "rfrp$$a" type veth peer name "rfrp$$b" &&
		ip link set "rfrp$$b" netns "$ns" && ip link set "rfrp$$a" up &&
		ip -n "$ns" link set "rfrp$$b" up; }; then
		return 0
	fi
	start dut taskset -c 1 tcpreplay --topspeed --preload-pcap --loop 0 -q -i "rfrp$$a" "$1"
	sleep "$warmup"
	local f=/sys/class/net/rfrp$$b/statistics/rx_packets a b t0 t1
	a=$(ip netns exec "$ns" cat "$f")
	t0=$(now)
	sleep "$window"
	b=$(ip netns exec "$ns" cat "$f")
	t1=$(now)
	stop dut
	veth_cleanup
	res=$(awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f", (b - a) / (t1 - t0) / 1e6 }')
}

bench_lock
rf_log "warm-up ${warmup}s, window ${window}s"
load=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A mpps all
for cap in $caps; do
	for run in $(seq 1 "$runs"); do
		for tool in $tools; do
			res=nan
			"run_$tool" "$out/$cap.pcap" || res=nan
			rf_log "$cap run $run $tool: $res Mpps"
			all[$cap-$tool]="${all[$cap-$tool]:-} $res"
		done
	done
	for tool in ours testpmd tcpreplay; do
		mpps[$cap-$tool]=$(echo "${all[$cap-$tool]:-nan}" | median)
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "Top-speed replay, Mpps (load average before: $load, after: $load_end)"
printf '%-8s %16s %16s %16s %12s %12s\n' capture ringfwd-replay "testpmd pcap" tcpreplay \
	"ours/testpmd" "ours/tcpreplay"
for cap in $caps; do
	o=${mpps[$cap-ours]} t=${mpps[$cap-testpmd]} k=${mpps[$cap-tcpreplay]}
	printf '%-8s %16s %16s %16s %12s %12s\n' "$cap" "$o" "$t" "$k" "$(ratio "$o" "$t")" \
		"$(ratio "$o" "$k")"
done
