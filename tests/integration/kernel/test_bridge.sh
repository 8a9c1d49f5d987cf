#!/usr/bin/env bash
# ringfwd as a bridge between two namespaces, on kernel interfaces:
#
#   A: a0 (10.77.0.1) -- m0 [ringfwd io, two ports of DRIVER] m1 -- b0 (10.77.0.2) :B
#
# The kernel's own tools are the peers: ARP must resolve through ringfwd (A
# learns B's real MAC), ping gets its replies, and an iperf3 TCP transfer
# from A to B completes, the receiver reporting what the sender sent (all but
# what was in flight at the end). The namespaces' interfaces segment and
# checksum TCP themselves (kn_no_offloads), as a NIC puts it on the wire.
# Usage: test_bridge.sh DRIVER (af_packet).
set -u
drv=${1:?driver}
# shellcheck source=tests/integration/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd ping
rf_need_cmd iperf3

# shellcheck disable=SC2119 # no extra ip link options
kn_topology

kn_fwd_start br "$(kn_vdev "$drv" 0 "$KN_IF_M0")" "$(kn_vdev "$drv" 1 "$KN_IF_M1")" \
	--forward-mode=io
kn_fwd_wait br

# ARP through the bridge: A's neighbour entry for B holds B's own MAC.
kn_ns "$KN_A" taskset -c 0 ping -c 3 -i 0.2 -W 2 "$KN_IP_B" >"$RF_TMP/ping.log" 2>&1 ||
	rf_fail "ping from A to B through ringfwd got no replies"
grep -q ' 0% packet loss' "$RF_TMP/ping.log" || rf_fail "ping lost packets: $(tail -n 2 "$RF_TMP/ping.log")"
mac_b=$(kn_ns "$KN_B" cat "/sys/class/net/$KN_IF_B/address")
neigh=$(ip -n "$KN_A" neigh show "$KN_IP_B" dev "$KN_IF_A")
echo "$neigh" | grep -qi "lladdr $mac_b" || rf_fail "ARP: A sees '$neigh', B's MAC is $mac_b"

# iperf3: server in B, a short TCP transfer from A; both pinned to CPU 0.
ip netns exec "$KN_B" taskset -c 0 iperf3 -s -1 -B "$KN_IP_B" -p 5201 >"$RF_TMP/iperf3-server.log" 2>&1 &
rf_track $!
for _ in $(seq 1 50); do
	kn_ns "$KN_B" ss -ltn 2>/dev/null | grep -q ':5201 ' && break
	sleep 0.1
done
kn_ns "$KN_A" taskset -c 0 timeout 30 iperf3 -c "$KN_IP_B" -p 5201 -t 3 -J >"$RF_TMP/iperf3.json" 2>"$RF_TMP/iperf3-client.log" ||
	rf_fail "iperf3 transfer through ringfwd failed: $(head -c 300 "$RF_TMP/iperf3.json")"
read -r sent received < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["end"]
print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"])' "$RF_TMP/iperf3.json") ||
	rf_fail "iperf3's report has no totals"
[ "$sent" -gt 1000000 ] || rf_fail "iperf3 sent only $sent bytes"
# The sender counts what it wrote into its socket; what was still in flight
# when the test ended is not in the receiver's count: a small gap only.
[ "$((received * 100))" -ge "$((sent * 98))" ] ||
	rf_fail "iperf3: $sent bytes sent, only $received received"

kn_fwd_stop br || rf_fail "ringfwd exited with status $?"
rx0=$(kn_json br 'd["ports"][0]["rx_packets"]')
rx1=$(kn_json br 'd["ports"][1]["rx_packets"]')
if [ "$rx0" -eq 0 ] || [ "$rx1" -eq 0 ]; then
	rf_fail "ringfwd's ports received $rx0 and $rx1 packets"
fi
echo "PASS: $drv bridge: ARP, ping, iperf3 $received of $sent bytes received; ringfwd received $rx0 + $rx1 packets"
