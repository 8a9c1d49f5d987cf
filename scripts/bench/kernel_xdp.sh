#!/usr/bin/env bash
# net_af_xdp against DPDK's net_af_xdp, and ringfwd-replay over AF_XDP against
# tcpreplay, on one veth pair between two namespaces made here:
#
#   ns G: veth g (the kernel's side: source or counter)  <->  ns D: veth d (the driver under test)
#
# Rows, at 64 B and 1518 B frames (the veth's MTU is raised to 1504 for them):
#   tx-only  the driver sends; Mpps = g's rx_packets over the window
#   io       DPDK testpmd net_af_packet txonly on g is the source; the driver
#            loops each frame back out of d; Mpps = g's rx_packets
#   rx-only  the same source; Mpps = what the driver itself received (the
#            veth counts frames it redirected even when the socket had no
#            room, so its counter is not the driver's)
#   replay   ringfwd-replay --topspeed over AF_XDP vs tcpreplay --topspeed
#            --preload-pcap, both on d; Mpps = g's rx_packets
# Both drivers in copy mode (a veth has no zero-copy), no busy polling
# (busy_budget=0 for both), forwarding lcore on CPU 1, source and main lcores
# on CPU 0. Runs A B A B; prints both rounds and the ratio of the means.
#
#   scripts/bench/kernel_xdp.sh [BUILD_DIR]    (root; WINDOW=seconds per row, default 2)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
[ "$(id -u)" = 0 ] || { rf_log "needs root"; exit 1; }
build=${1:-$RF_ROOT/build}
RINGFWD=$build/app/fwd/ringfwd
REPLAY=$build/app/replay/ringfwd-replay
window=${WINDOW:-2}
for c in "$RINGFWD" "$REPLAY"; do [ -x "$c" ] || { rf_log "no $c: build first"; exit 1; }; done
command -v dpdk-testpmd >/dev/null || { rf_log "needs dpdk-testpmd (dpdk)"; exit 1; }

bench_init xdpbench
G="xdpbG$$" D="xdpbD$$" g="xdpbg$$" d="xdpbd$$"
del_ns() { ip netns del "$G" 2>/dev/null; ip netns del "$D" 2>/dev/null; }
bench_cleanup_hooks+=(del_ns)
ip netns add "$G" && ip netns add "$D" || exit 1
ip link add "$g" netns "$G" mtu 1504 type veth peer name "$d" netns "$D" mtu 1504 || exit 1
for ns in "$G" "$D"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n "$G" link set "$g" up
ip -n "$D" link set "$d" up
# g takes every frame in (not only those for its MAC) so that its counter counts all.
ip -n "$G" link set "$g" promisc on

mem() { if [ "$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)" -ge 160 ]; then echo "-m 256"; else echo "--no-huge -m 256"; fi; }
g_rx() { ip netns exec "$G" cat "/sys/class/net/$g/statistics/rx_packets"; }

# window_rate: Mpps of g's rx_packets over $window seconds.
window_rate() {
	local a b t0 t1
	a=$(g_rx); t0=$(now)
	sleep "$window"
	b=$(g_rx); t1=$(now)
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f", (b - a) / (t1 - t0) / 1e6 }'
}

pps_mean() { # LOG KEY T0 T1 -> Mpps
	awk -v k="$2" -v t0="$3" -v t1="$4" '
		{
			v = ""
			if (k ~ /^[0-9]+$/) { if ($2 ~ /^[0-9.]+s$/ && $3 == "0") v = $k }
			else for (i = 2; i < NF; i++) if ($i == k) { v = $(i + 1); break }
			if (v == "" || $1 + 0 < t0 || $1 + 0 > t1) next
			s += v; n++
		}
		END { if (n > 0) printf "%.3f", s / n / 1e6; else print "nan" }' "$1"
}

source_start() { # SIZE: testpmd net_af_packet txonly on g, both lcores on CPU 0
	start src ip netns exec "$G" dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-pci --no-huge -m 512 \
		--file-prefix "rfbench-src-$$" --vdev "net_af_packet0,iface=$g" -- --forward-mode=txonly \
		--txpkts="$1" --nb-cores=1 --total-num-mbufs=16384 --stats-period 1
	wait_for "$out/src.log" 'Port statistics|Rx-pps' 20
}

dut_start() { # TOOL MODE SIZE
	local tool=$1 mode=$2 size=$3
	if [ "$tool" = ringfwd ]; then
		# shellcheck disable=SC2046
		start_ts dut ip netns exec "$D" "$RINGFWD" -l 0,1 --main-lcore 0 $(mem) --file-prefix "xdpb-$$" \
			--vdev "net_af_xdp0,iface=$d" -- --forward-mode="$mode" --txpkts="$size" \
			--port-topology=loop --stats-period 1
		wait_for "$out/dut.log" 'lcore 1: RX' 30
	else
		start_ts dut ip netns exec "$D" dpdk-testpmd -l 0,1 --main-lcore 0 --no-pci --no-huge -m 1024 \
			--file-prefix "rfbench-dut-$$" --vdev "net_af_xdp0,iface=$d,busy_budget=0" -- \
			--forward-mode="$mode" --txpkts="$size" --port-topology=loop --nb-cores=1 \
			--total-num-mbufs=16384 --stats-period 1
		wait_for "$out/dut.log" 'Port statistics' 30
	fi
}

row() { # TOOL MODE SIZE -> Mpps
	local tool=$1 mode=$2 size=$3 r t0 t1
	[ "$mode" != txonly ] && source_start "$size"
	dut_start "$tool" "$mode" "$size" || { stop dut; stop src; echo nan; return; }
	sleep 1
	if [ "$mode" = rxonly ]; then
		t0=$(now); sleep "$window"; t1=$(now); sleep 1.2
		# The drivers' own periodic rates (ringfwd: rx-pps, column 4 after the
		# timestamp; testpmd: Rx-pps:), averaged over the window.
		if [ "$tool" = ringfwd ]; then r=$(pps_mean "$out/dut.log" 4 "$t0" "$t1")
		else r=$(pps_mean "$out/dut.log" Rx-pps: "$t0" "$t1"); fi
	else
		r=$(window_rate)
	fi
	stop dut
	stop src
	echo "$r"
}

replay_row() { # TOOL SIZE -> Mpps
	local tool=$1 size=$2
	python3 "$RF_ROOT/tests/integration/replay/mkpcap.py" "$out/r$size.pcap" 10000 "$size" 1000 >/dev/null
	if [ "$tool" = ringfwd ]; then
		# shellcheck disable=SC2046
		start rp ip netns exec "$D" "$REPLAY" -l 0,1 --main-lcore 0 $(mem) --file-prefix "xdpb-rp-$$" \
			--vdev "net_af_xdp0,iface=$d" -- --pcap "$out/r$size.pcap" --topspeed --loop 0 \
			--duration $((window + 3))
	else
		start rp ip netns exec "$D" taskset -c 1 tcpreplay --topspeed --preload-pcap --loop 0 \
			--duration $((window + 3)) -i "$d" "$out/r$size.pcap"
	fi
	sleep 1.5
	window_rate
	stop rp
}

declare -A res
# One round under the cores lock at a time (each about 90 s), so others get the cores between.
for round in 1 2; do
	bench_lock
	for size in 64 1518; do
		for mode in ${MODES:-txonly io rxonly}; do
			for tool in ringfwd testpmd; do
				res[$mode,$size,$tool,$round]=$(row "$tool" "$mode" "$size")
				rf_log "round $round $mode $size B $tool: ${res[$mode,$size,$tool,$round]} Mpps"
			done
		done
		for tool in ${REPLAY_TOOLS:-ringfwd tcpreplay}; do
			res[replay,$size,$tool,$round]=$(replay_row "$tool" "$size")
			rf_log "round $round replay $size B $tool: ${res[replay,$size,$tool,$round]} Mpps"
		done
	done
	flock -u 9
done

printf '\n| row | size | ringfwd (A1, A2) Mpps | yardstick (B1, B2) Mpps | ratio |\n|---|---|---|---|---|\n'
for size in 64 1518; do
	for mode in txonly io rxonly replay; do
		b=testpmd
		[ "$mode" = replay ] && b=tcpreplay
		a1=${res[$mode,$size,ringfwd,1]} a2=${res[$mode,$size,ringfwd,2]}
		b1=${res[$mode,$size,$b,1]} b2=${res[$mode,$size,$b,2]}
		ratio=$(awk -v a1="$a1" -v a2="$a2" -v b1="$b1" -v b2="$b2" \
			'BEGIN { if (b1 + b2 > 0) printf "%.2f", (a1 + a2) / (b1 + b2); else print "nan" }')
		label="$mode vs DPDK net_af_xdp"
		[ "$mode" = replay ] && label="ringfwd-replay vs tcpreplay"
		printf '| %s | %s B | %s, %s | %s, %s | %s |\n' "$label" "$size" "$a1" "$a2" "$b1" "$b2" "$ratio"
	done
done
