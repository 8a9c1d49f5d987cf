#!/usr/bin/env bash
# Two XDP sockets on a two-queue veth, one per lcore. The sender's kernel
# picks the veth queue per CPU (XPS): flows sent from CPU 0 use queue 0,
# those from CPU 1 queue 1. Four UDP flows of 101, 202, 404 and 808 frames;
# ringfwd (rxonly, --rxq=2, two forwarding lcores) must count exactly
# 101 + 404 on queue 0's lcore and 202 + 808 on queue 1's: both lcores carry
# traffic, and no flow is split between them.
# shellcheck source=tests/integration/af_xdp/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd python3
rf_need_cmd taskset

xdp_ns H
xdp_ns M
h="xdp${XDP_ID}h" r="xdp${XDP_ID}r"
xdp_veth "$XDP_NS_H" "$h" "$XDP_NS_M" "$r" numtxqueues 2 numrxqueues 2
ip -n "$XDP_NS_H" addr add 10.202.0.1/24 dev "$h"
ip -n "$XDP_NS_H" neigh add 10.202.0.2 lladdr 02:00:00:00:02:02 dev "$h"
ip netns exec "$XDP_NS_H" sh -c "echo 1 >/sys/class/net/$h/queues/tx-0/xps_cpus &&
	echo 2 >/sys/class/net/$h/queues/tx-1/xps_cpus" || rf_skip "cannot set XPS on $h"

xdp_ringfwd_start mq "$XDP_NS_M" -l 0@0,1@1,2@1 --main-lcore 0 \
	--vdev "net_af_xdp0,iface=$r,queue_count=2" -- --forward-mode=rxonly --rxq=2 --txq=2 --nb-cores=2
if ! grep -q 'lcore 1: RX port 0 queue 0' "$RF_TMP/mq.log" ||
	! grep -q 'lcore 2: RX port 0 queue 1' "$RF_TMP/mq.log"; then
	rf_fail "ringfwd did not put the two queues on two lcores"
fi

send() { # CPU SPORT COUNT
	ip netns exec "$XDP_NS_H" taskset -c "$1" python3 -c 'import socket,sys,time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.202.0.1", int(sys.argv[1])))
for i in range(int(sys.argv[2])):
    s.sendto(i.to_bytes(4, "big") * 8, ("10.202.0.2", 9000))
    if i % 50 == 49:
        time.sleep(0.01)' "$2" "$3" || rf_fail "the sender failed"
}
send 0 40001 101
send 1 40002 202
send 0 40003 404
send 1 40004 808
sleep 0.5

xdp_ringfwd_stop mq || rf_fail "ringfwd exited with status $?"
grep -q 'none leaked' "$RF_TMP/mq.log" || rf_fail "ringfwd leaked mbufs"
q0=$(xdp_json mq '[s["rx_packets"] for s in d["streams"] if s["rx_queue"] == 0][0]')
q1=$(xdp_json mq '[s["rx_packets"] for s in d["streams"] if s["rx_queue"] == 1][0]')
echo "queue 0 (lcore 1): $q0 frames, queue 1 (lcore 2): $q1 frames"
if [ "$q0" != 505 ] || [ "$q1" != 1010 ]; then
	rf_fail "expected 505 frames on queue 0 and 1010 on queue 1 (flows whole, by CPU), got $q0 and $q1"
fi
xdp_iface_clean "$XDP_NS_M" "$r"
echo "PASS: two AF_XDP sockets, two lcores, every flow on one"
