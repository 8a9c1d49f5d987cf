#!/usr/bin/env bash
# ringfwd on a kernel interface against DPDK's driver for the same socket
# type, on one veth pair between two namespaces this script makes:
#
#   kernel.sh [driver...]      (default: af_packet)
#
#   DUT: d0 -------- p0 :PEER
#
# The device under test (ringfwd, or dpdk-testpmd with DPDK's driver) owns d0
# on CPU 1. Its peer end p0 is where frames are counted, by the kernel's own
# interface counters (/sys/class/net/p0/statistics), not by either tool:
#
#   rx-only  the generator (dpdk-testpmd txonly through DPDK's net_af_packet on
#            p0, CPU 0) sends; the row is what the DUT received, by its own
#            counter: the kernel counts a frame at d0 before it reaches (or
#            misses) the DUT's socket, so no interface counter measures the DUT
#   tx-only  the DUT sends; p0's rx_packets
#   io       the generator sends, the DUT sends every frame back (loop); p0's rx_packets
#   replay   ringfwd-replay --topspeed --loop 0 over our driver against
#            tcpreplay --topspeed --preload-pcap --loop 0 on d0; p0's rx_packets
#
# 64 B and 1518 B frames (MTU 1600 on both ends). Each cell runs A B A B
# (ours, DPDK's, ours, DPDK's) and shows the mean; the ratio is ours / theirs.
# A driver is one call: bench_driver NAME OUR_VDEV DPDK_VDEV, with IFACE in the
# vdev strings standing for the DUT's interface. Holds the cores lock for the
# whole run (about two and a half minutes with the defaults).
#
# Environment: BENCH_WARMUP (1 s), BENCH_SECONDS (2 s), BENCH_RUNS (2: A B per
# run), BENCH_SIZES ("64 1518"), BENCH_BUILD (build-bench).
set -u
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"

warmup=${BENCH_WARMUP:-1}
window=${BENCH_SECONDS:-2}
runs=${BENCH_RUNS:-2}
sizes=${BENCH_SIZES:-64 1518}
dir=${BENCH_BUILD:-$RF_ROOT/build-bench}
drivers=${*:-af_packet}
bench_init kernel-bench

[ "$(id -u)" = 0 ] || { rf_log "needs root (namespaces, AF_PACKET)"; exit 1; }
for c in dpdk-testpmd tcpreplay ip; do
	command -v "$c" >/dev/null || { rf_log "needs $c (scripts/lib/setup.sh installs it)"; exit 1; }
done
if [ ! -f "$dir/build.ninja" ]; then
	rf_log "configuring $dir"
	meson setup "$dir" "$RF_ROOT" -Dbuildtype=release >/dev/null || exit 1
fi
ninja -C "$dir" app/fwd/ringfwd app/replay/ringfwd-replay >/dev/null || exit 1
ringfwd=$dir/app/fwd/ringfwd
replay=$dir/app/replay/ringfwd-replay
mkpcap=$RF_ROOT/tests/integration/replay/mkpcap.py

# Namespaces and veth named after this script's PID; removed on exit.
id=kb$$
ns_dut=${id}d ns_peer=${id}p if_dut=${id}d0 if_peer=${id}p0
net_cleanup() {
	ip netns del "$ns_dut" 2>/dev/null
	ip netns del "$ns_peer" 2>/dev/null
}
bench_cleanup_hooks+=(net_cleanup)
net_setup() {
	local ns
	for ns in "$ns_dut" "$ns_peer"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "$if_dut" netns "$ns_dut" mtu 1600 type veth peer name "$if_peer" \
		netns "$ns_peer" mtu 1600 || return 1
	ip -n "$ns_dut" link set "$if_dut" up && ip -n "$ns_peer" link set "$if_peer" up
}

peer_count() { ip netns exec "$ns_peer" cat "/sys/class/net/$if_peer/statistics/rx_packets"; }

# The generator on p0: DPDK's txonly through net_af_packet, both lcores on CPU 0.
gen_start() { # SIZE
	start gen ip netns exec "$ns_peer" dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-huge \
		-m 512 --no-pci --file-prefix "rfbench-gen-$$" --vdev "net_af_packet0,iface=$if_peer" \
		-- --forward-mode=txonly --txpkts="$1" --auto-start --stats-period 1 --nb-cores=1 \
		--total-num-mbufs=16384
	wait_for "$out/gen.log" "Tx-pps" 20
}

# ringfwd on d0: one port, looped to itself; main lcore on CPU 0 (it sleeps).
ours_start() { # VDEV MODE SIZE
	start_ts dut ip netns exec "$ns_dut" "$ringfwd" -l 0@0,1@1 --main-lcore 0 \
		--no-huge -m 256 --file-prefix "rfbench-kern-$$" --log-level err --vdev "$1" -- \
		--forward-mode="$2" --txpkts="$3" --port-topology=loop --stats-period 1
	wait_for "$out/dut.log" "rx-pps" 20
}

dpdk_start() { # VDEV MODE SIZE
	start_ts dut ip netns exec "$ns_dut" dpdk-testpmd --lcores 0@0,1@1 --main-lcore 0 \
		--no-huge -m 512 --no-pci --file-prefix "rfbench-kdpdk-$$" --vdev "$1" -- \
		--forward-mode="$2" --txpkts="$3" --port-topology=loop --auto-start \
		--stats-period 1 --nb-cores=1 --total-num-mbufs=16384
	wait_for "$out/dut.log" "Rx-pps" 20
}

# Mpps from p0's rx_packets over the window.
peer_window() {
	sleep "$warmup"
	local a b t0 t1
	a=$(peer_count)
	t0=$(now)
	sleep "$window"
	b=$(peer_count)
	t1=$(now)
	res=$(awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f", (b - a) / (t1 - t0) / 1e6 }')
}

# Mpps from the DUT's own RX counter over the window (rx-only).
dut_window() { # KEY: "RX-packets:" (testpmd) or 9 (ringfwd's rx-packets column)
	sleep "$warmup"
	local t0 t1
	t0=$(now)
	sleep "$window"
	t1=$(now)
	# testpmd prints every 1 to 2 s (its sleep and its period race): wait for
	# two more prints, and take the rate between the prints the window holds.
	sleep 2.2
	res=$(counter_rate "$out/dut.log" "$1" "$t0" "$(awk -v t="$t1" 'BEGIN { printf "%.3f", t + 2.2 }')")
}

# A DUT that did not start: its last lines say why.
cell_failed() {
	tail -n 5 "$out/dut.log" >&2
	stop dut
}

# run_cell WHO MODE SIZE VDEV: one measurement into $res (Mpps, or nan), with
# the generator already running for rx-only and io.
run_cell() {
	local who=$1 mode=$2 size=$3 vdev=$4 key
	res=nan
	if [ "$who" = ours ]; then
		ours_start "$vdev" "$mode" "$size" || { cell_failed; return 1; }
		key=9
	else
		dpdk_start "$vdev" "$mode" "$size" || { cell_failed; return 1; }
		key=RX-packets:
	fi
	if [ "$mode" = rxonly ]; then dut_window "$key"; else peer_window; fi
	stop dut
}

run_replay() { # WHO SIZE VDEV
	local who=$1 size=$2 vdev=$3
	res=nan
	if [ "$who" = ours ]; then
		start dut ip netns exec "$ns_dut" "$replay" -l 0@0,1@1 --main-lcore 0 --no-huge -m 256 \
			--file-prefix "rfbench-krp-$$" --log-level err --vdev "$vdev" -- \
			--pcap "$out/$size.pcap" --topspeed --loop 0
	else
		start dut ip netns exec "$ns_dut" taskset -c 1 tcpreplay --topspeed --preload-pcap \
			--loop 0 -q -i "$if_dut" "$out/$size.pcap"
	fi
	peer_window
	stop dut
}

declare -A cell
rows=()

# bench_driver NAME OUR_VDEV DPDK_VDEV: every mode and size, A B A B.
bench_driver() {
	local name=$1 ours=${2//IFACE/$if_dut} theirs=${3//IFACE/$if_dut} mode size run who
	for mode in rxonly txonly io; do
		for size in $sizes; do
			rows+=("$name $mode $size")
			# One generator for the cell's runs: both DUTs get the same one.
			if [ "$mode" != txonly ] && ! gen_start "$size"; then
				tail -n 5 "$out/gen.log" >&2
				stop gen
				continue
			fi
			for run in $(seq 1 "$runs"); do
				for who in ours dpdk; do
					local v=$ours
					[ "$who" = dpdk ] && v=$theirs
					run_cell "$who" "$mode" "$size" "$v" || res=nan
					rf_log "$name $mode ${size}B run $run $who: $res Mpps"
					cell[$name-$mode-$size-$who]="${cell[$name-$mode-$size-$who]:-} $res"
				done
			done
			stop gen
		done
	done
}

# bench_replay NAME OUR_VDEV: ringfwd-replay over our driver against tcpreplay.
bench_replay() {
	local name=$1 ours=${2//IFACE/$if_dut} size run who
	for size in $sizes; do
		rows+=("$name replay $size")
		for run in $(seq 1 "$runs"); do
			for who in ours dpdk; do
				if [ "$who" = ours ]; then run_replay ours "$size" "$ours"; else run_replay tcpreplay "$size" ""; fi
				rf_log "$name replay ${size}B run $run $([ "$who" = ours ] && echo ringfwd-replay || echo tcpreplay): $res Mpps"
				cell[$name-replay-$size-$who]="${cell[$name-replay-$size-$who]:-} $res"
			done
		done
	done
}

mean() {
	tr ' ' '\n' | grep -E '^[0-9.]+$' |
		awk '{ s += $1; n++ } END { if (n) printf "%.3f", s / n; else print "nan" }'
}

for size in $sizes; do
	python3 "$mkpcap" "$out/$size.pcap" 4096 "$size" 1000 || exit 1
done
net_setup || { rf_log "cannot make the namespaces and veth"; exit 1; }
bench_lock
load=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
for drv in $drivers; do
	case $drv in
	af_packet)
		bench_driver af_packet "net_af_packet0,iface=IFACE" "net_af_packet0,iface=IFACE"
		bench_replay af_packet "net_af_packet0,iface=IFACE"
		;;
	*) rf_log "unknown driver $drv" ;;
	esac
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "Kernel interfaces: one veth pair, Mpps (mean of $runs A B runs; ${window}s windows;"
echo "load average before: $load, after: $load_end; $(($(date +%s) - t_start)) s)"
printf '%-10s %-7s %6s %12s %12s %8s\n' driver mode size ringfwd "DPDK/tcprpl" ratio
for r in "${rows[@]}"; do
	read -r name mode size <<<"$r"
	o=$(echo "${cell[$name-$mode-$size-ours]:-}" | mean)
	t=$(echo "${cell[$name-$mode-$size-dpdk]:-}" | mean)
	printf '%-10s %-7s %6s %12s %12s %8s\n' "$name" "$mode" "$size" "$o" "$t" "$(ratio "$o" "$t")"
done
echo "rx-only: each DUT's own RX counter; tx-only, io, replay: the peer end's rx_packets."
echo "replay: ringfwd-replay over the driver against tcpreplay --topspeed --preload-pcap."
