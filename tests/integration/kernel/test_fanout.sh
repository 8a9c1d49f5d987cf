#!/usr/bin/env bash
# Two queue pairs on one interface (qpairs=2): the kernel's PACKET_FANOUT in
# hash mode spreads the flows over the two RX queues, one forwarding lcore
# each. Both lcores must carry traffic and every flow must stay on one lcore,
# in order.
#
#   A: a0 [tcpreplay: many UDP flows] -- m0 [ringfwd: DRIVER qpairs=2] :M
#
# The veth has two TX and two RX queues (numtxqueues 2 numrxqueues 2).
# ringfwd io-forwards port 0 (m0) to port 1, a net_pcap port with one capture
# per TX queue: lcore q reads RX queue q and writes capture q, so the capture
# a frame is in names the lcore that forwarded it. rss/flows.py checks them:
# every flow in exactly one capture, its sequence numbers increasing, no
# capture empty. Usage: test_fanout.sh DRIVER (af_packet).
set -u
drv=${1:?driver}
# shellcheck source=tests/integration/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd tcpreplay
flows=$here/../rss/flows.py

nflows=64 npkts=16
python3 "$flows" gen "$RF_TMP" --flows "$nflows" --pkts "$npkts" --queues 1 ||
	rf_fail "flows.py gen failed"
sent=$((nflows * npkts))

kn_ns_add "$KN_A"
kn_ns_add "$KN_M"
kn_veth "$KN_A" "$KN_IF_A" "$KN_M" "$KN_IF_M0" numtxqueues 2 numrxqueues 2

# Two forwarding lcores sharing CPU 1 (L@CPU), the main one on CPU 0.
KN_LCORES=0@0,1@1,2@1 kn_fwd_start fan "$(kn_vdev "$drv" 0 "$KN_IF_M0" qpairs=2)" \
	"net_pcap1,tx_pcap=$RF_TMP/o0.pcap,tx_pcap=$RF_TMP/o1.pcap" \
	--forward-mode=io --rxq=2 --txq=2 --nb-cores=2
kn_fwd_wait fan

# 20 kpps: both lcores share one CPU; a ring of 512 frames covers 25 ms of it.
kn_ns "$KN_A" taskset -c 0 tcpreplay -q -i "$KN_IF_A" --pps 20000 "$RF_TMP/q0.pcap" \
	>"$RF_TMP/tcpreplay.log" 2>&1 || rf_fail "tcpreplay failed"
# Until ringfwd has received them all (or stops receiving).
prev=-1
for _ in $(seq 1 50); do
	got=$(awk '$2 == "0" { v = $8 } END { print v + 0 }' "$RF_TMP/fan.log")
	[ "$got" -ge "$sent" ] && break
	[ "$got" = "$prev" ] && [ "$got" -gt 0 ] && break
	prev=$got
	sleep 0.3
done
kn_fwd_stop fan || rf_fail "ringfwd exited with status $?"

python3 - "$RF_TMP/fan.json" <<'PY' || rf_fail "per-queue and per-lcore counters"
import json, sys
d = json.load(open(sys.argv[1]))
q = d["ports"][0].get("rx_queue_packets", [])
fwd = [l for l in d["lcores"] if l["role"] != "main"]
print("port 0 RX queues:", q[:2], "lcores:", [(l["id"], l["rx_packets"]) for l in fwd])
assert len(q) >= 2 and q[0] > 0 and q[1] > 0, "both RX queues must receive"
assert sum(1 for l in fwd if l["rx_packets"] > 0) >= 2, "both lcores must carry traffic"
PY
python3 "$flows" check --in "$RF_TMP/q0.pcap" --out "$RF_TMP/o0.pcap,$RF_TMP/o1.pcap" ||
	rf_fail "a flow crossed lcores, or came out of order"
echo "PASS: $drv fanout: $nflows flows over 2 queues, each flow on one lcore"
