#!/usr/bin/env bash
# kill -9 of ringfwd on AF_XDP ports: its XDP program goes with it (a BPF
# link dies with its fd), so the next ringfwd on the same interfaces starts
# and forwards (the second time with the program given as xdp_prog=FILE).
# shellcheck source=tests/integration/af_xdp/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd ping

xdp_ns 1
xdp_ns 2
xdp_ns M
h1="xdp${XDP_ID}h1" r1="xdp${XDP_ID}r1" h2="xdp${XDP_ID}h2" r2="xdp${XDP_ID}r2"
xdp_veth "$XDP_NS_1" "$h1" "$XDP_NS_M" "$r1"
xdp_veth "$XDP_NS_2" "$h2" "$XDP_NS_M" "$r2"
ip -n "$XDP_NS_1" addr add 10.203.0.1/24 dev "$h1"
ip -n "$XDP_NS_2" addr add 10.203.0.2/24 dev "$h2"
devs=(--vdev "net_af_xdp0,iface=$r1" --vdev "net_af_xdp1,iface=$r2")

ping_ok() {
	ip netns exec "$XDP_NS_1" ping -c 3 -i 0.2 -W 2 10.203.0.2 >"$RF_TMP/ping$1.log" 2>&1 ||
		rf_fail "$1: ping through ringfwd failed"
}

xdp_ringfwd_start first "$XDP_NS_M" -l 0,1 --main-lcore 0 "${devs[@]}" -- --forward-mode=io
ping_ok first
ip -n "$XDP_NS_M" link show dev "$r1" | grep -q 'prog/xdp' || rf_fail "no XDP program while running"
# shellcheck disable=SC2154 # set by xdp_ringfwd_start
kill -KILL "$XDP_PID_first"
wait "$XDP_PID_first" 2>/dev/null
xdp_iface_clean "$XDP_NS_M" "$r1"
xdp_iface_clean "$XDP_NS_M" "$r2"

# The second run names its program (xdp_prog=, the same object libxdp loads by default).
prog=/usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o
[ -f "$prog" ] || prog=$(find /usr/lib /usr/share -name xsk_def_xdp_prog.o 2>/dev/null | head -1)
devs=(--vdev "net_af_xdp0,iface=$r1,xdp_prog=$prog" --vdev "net_af_xdp1,iface=$r2,xdp_prog=$prog")
xdp_ringfwd_start second "$XDP_NS_M" -l 0,1 --main-lcore 0 "${devs[@]}" -- --forward-mode=io
ping_ok second
xdp_ringfwd_stop second || rf_fail "the second ringfwd exited with status $?"
xdp_iface_clean "$XDP_NS_M" "$r1"
echo "PASS: after kill -9 the next ringfwd starts on the same interfaces and forwards"
