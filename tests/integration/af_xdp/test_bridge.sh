#!/usr/bin/env bash
# ringfwd as a bridge over AF_XDP: ns1 -- veth -- ringfwd (io, two net_af_xdp
# ports) -- veth -- ns2. The kernels of ns1 and ns2 are the peers: ARP
# resolves through ringfwd, ping gets its replies, and an iperf3 TCP transfer
# completes with every byte sent received. Afterwards the interfaces carry no
# XDP program and are not promiscuous.
# shellcheck source=tests/integration/af_xdp/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd ping
rf_need_cmd iperf3
rf_need_cmd python3

xdp_ns 1
xdp_ns 2
xdp_ns M
h1="xdp${XDP_ID}h1" r1="xdp${XDP_ID}r1" h2="xdp${XDP_ID}h2" r2="xdp${XDP_ID}r2"
xdp_veth "$XDP_NS_1" "$h1" "$XDP_NS_M" "$r1"
xdp_veth "$XDP_NS_2" "$h2" "$XDP_NS_M" "$r2"
ip -n "$XDP_NS_1" addr add 10.201.0.1/24 dev "$h1"
ip -n "$XDP_NS_2" addr add 10.201.0.2/24 dev "$h2"
# A veth hands TCP segments on with their checksum left to "hardware"; in
# AF_XDP copy mode nobody fills it in. Let the senders' kernels do it.
ip netns exec "$XDP_NS_1" ethtool -K "$h1" tx off >/dev/null
ip netns exec "$XDP_NS_2" ethtool -K "$h2" tx off >/dev/null

xdp_ringfwd_start br "$XDP_NS_M" -l 0,1 --main-lcore 0 \
	--vdev "net_af_xdp0,iface=$r1" --vdev "net_af_xdp1,iface=$r2" -- --forward-mode=io
grep -q 'copy mode' "$RF_TMP/br.log" || rf_fail "ringfwd did not say its mode (copy mode on a veth)"

# ARP through the bridge: ns1 learns ns2's own MAC.
ip netns exec "$XDP_NS_1" ping -c 5 -i 0.2 -W 2 10.201.0.2 >"$RF_TMP/ping.log" 2>&1 ||
	rf_fail "ping through ringfwd failed"
grep -q ' 0% packet loss' "$RF_TMP/ping.log" || rf_fail "ping lost packets: $(tail -2 "$RF_TMP/ping.log")"
mac2=$(ip -n "$XDP_NS_2" link show "$h2" | awk '/link\/ether/ {print $2}')
learned=$(ip -n "$XDP_NS_1" neigh show 10.201.0.2 dev "$h1" | awk '{for (i=1;i<NF;i++) if ($i=="lladdr") print $(i+1)}')
[ "$learned" = "$mac2" ] || rf_fail "ARP: ns1 has '$learned' for 10.201.0.2, ns2's MAC is $mac2"

# iperf3: the server in ns2 on CPU 0 (ringfwd's lcore is on CPU 1), one test then exit.
ip netns exec "$XDP_NS_2" taskset -c 0 iperf3 -s -1 -B 10.201.0.2 >"$RF_TMP/iperf_s.log" 2>&1 &
rf_track $!
for _ in $(seq 1 50); do
	ip netns exec "$XDP_NS_2" ss -Hltn 'sport = :5201' | grep -q . && break
	sleep 0.1
done
ip netns exec "$XDP_NS_1" taskset -c 0 iperf3 -c 10.201.0.2 -n 64M -J >"$RF_TMP/iperf.json" 2>"$RF_TMP/iperf_c.log" ||
	rf_fail "iperf3 through ringfwd failed: $(head -c 300 "$RF_TMP/iperf.json")"
read -r sent received < <(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["end"]
print(d["sum_sent"]["bytes"], d["sum_received"]["bytes"])' "$RF_TMP/iperf.json")
echo "iperf3: $sent bytes sent, $received received"
[ "$received" -gt 1000000 ] || rf_fail "iperf3 moved only $received bytes"
# iperf3's server stops counting when the client says the test is over, with
# what the sockets still buffer in flight: it may report less than sent, but
# never less than sent minus the largest send and receive buffers. The exact
# count comes from the transfer below.
wmem=$(ip netns exec "$XDP_NS_1" sysctl -n net.ipv4.tcp_wmem | awk '{print $3}')
rmem=$(ip netns exec "$XDP_NS_2" sysctl -n net.ipv4.tcp_rmem | awk '{print $3}')
if [ "$received" -gt "$sent" ] || [ $((received + wmem + rmem)) -lt "$sent" ]; then
	rf_fail "iperf3: $sent bytes sent but $received received (buffers: $wmem + $rmem)"
fi

# Exactly N bytes over one TCP connection, counted by the receiver up to EOF.
ip netns exec "$XDP_NS_2" taskset -c 0 python3 -c 'import socket
l = socket.create_server(("10.201.0.2", 5202))
c, _ = l.accept()
n = 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    n += len(b)
print(n)' >"$RF_TMP/tcp_rx.txt" 2>&1 &
tcp_pid=$!
rf_track $tcp_pid
for _ in $(seq 1 50); do
	ip netns exec "$XDP_NS_2" ss -Hltn 'sport = :5202' | grep -q . && break
	sleep 0.1
done
ip netns exec "$XDP_NS_1" taskset -c 0 python3 -c 'import socket
s = socket.create_connection(("10.201.0.2", 5202), timeout=30)
s.sendall(bytes(range(256)) * (32 << 12))
s.shutdown(socket.SHUT_WR)
s.recv(1)' || rf_fail "the TCP transfer through ringfwd failed"
wait $tcp_pid
tcp_rx=$(cat "$RF_TMP/tcp_rx.txt")
[ "$tcp_rx" = $((32 << 20)) ] || rf_fail "TCP: $((32 << 20)) bytes sent, $tcp_rx received"
echo "TCP: $tcp_rx bytes sent and received"

xdp_ringfwd_stop br || rf_fail "ringfwd exited with status $?"
grep -q 'none leaked' "$RF_TMP/br.log" || rf_fail "ringfwd leaked mbufs"
fwd=$(xdp_json br 'sum(p["rx_packets"] for p in d["ports"])' 2>/dev/null || echo 0)
[ "${fwd:-0}" -gt 1000 ] || rf_fail "ringfwd's own count is $fwd packets"
xdp_iface_clean "$XDP_NS_M" "$r1"
xdp_iface_clean "$XDP_NS_M" "$r2"
echo "PASS: bridge over AF_XDP: ping, ARP, iperf3 ($received bytes), $fwd packets forwarded"
