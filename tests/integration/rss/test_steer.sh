#!/usr/bin/env bash
# RSS steering against the DPDK vhost peer, with many flows: every flow's
# packets are handled by one lcore, in order, and every lcore carries traffic.
#
#   test_steer.sh device      --rss-steering=device: 2 RX queues, 2 forwarding lcores
#   test_steer.sh software    --rss-steering=software: 1 RX lcore and 3 workers; the
#                             capture of each flow is the one Toeplitz + RETA give
#   test_steer.sh software_key  the same with --rss-key (not the default) and --rss-reta-size=64
#   test_steer.sh symmetric   software with --rss-symmetric, both directions of
#                             every flow sent: both come out in one capture
#
# The peer (dpdk-testpmd, CPU 0) replays one capture per queue from a
# multi-queue net_pcap port into net_vhost (queues=N), io forwarding, so that
# pcap queue i -> vhost queue i -> ringfwd's virtio RX queue i: a flow never
# crosses queues, as with a device doing RSS. ringfwd (forwarding lcores all
# on CPU 1, "L@CPU"; more threads than cores is fine for a functional test)
# io-forwards port 0 (virtio) to port 1, a net_pcap port with one tx_pcap per
# TX queue: the lcore (device) or worker (software) that sent a frame is the
# capture it is in. flows.py checks the captures: each flow in exactly one,
# its sequence numbers strictly increasing (loss is allowed and reported;
# duplicates and reordering are not), none empty.
#
# Both processes busy-poll: run it under `flock /tmp/ringfwd-cores.lock`
# (around meson test, as the other peer tests; not taken here, where a
# caller holding it would deadlock).
#
# The peer sends as fast as it reads, and ringfwd's lcores share CPU 1: the
# virtio rings (RSS_QSIZE, 4096) hold everything the peer sends, and in the
# software modes about 1024 frames in all keep each worker's steering ring
# (511 packets) from filling while the RX lcore drains the virtio rings in one
# time slice (a full ring drops, counted: allowed, but it thins what is
# checked). RSS_FLOWS and RSS_PKTS (packets per flow and direction) change
# the traffic: device 256 x 16, software 256 x 4, symmetric 128 x 4 x 2.
mode=${1:-}
rss_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$rss_dir/../fwd/lib.sh"
flows=$rss_dir/flows.py

case $mode in
device)
	nq=2 lcores=0@0,1@1,2@1 nflows=256 npkts=16
	app=(--rss-steering=device --rxq=2 --txq=2 --nb-cores=2)
	gen=() check=(--same-queue)
	;;
software)
	# 3 workers send on TX queues 0..2 of every port: the virtio port needs 3.
	nq=3 lcores=0@0,1@1,2@1,3@1,4@1 nflows=256 npkts=4
	app=(--rss-steering=software --rxq=3 --txq=3 --nb-cores=4)
	gen=() check=(--reta-workers 3 --reta-size 128)
	;;
software_key)
	# A key of our own and a 64-entry RETA: the checker must follow both.
	key=3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928170f1e2d3c4b5a69788796a5b4
	nq=3 lcores=0@0,1@1,2@1,3@1,4@1 nflows=256 npkts=4
	app=(--rss-steering=software --rss-key="$key" --rss-reta-size=64 --rxq=3 --txq=3 --nb-cores=4)
	gen=() check=(--reta-workers 3 --reta-size 64 --key "$key")
	;;
symmetric)
	nq=3 lcores=0@0,1@1,2@1,3@1,4@1 nflows=128 npkts=4
	app=(--rss-steering=software --rss-symmetric --rxq=3 --txq=3 --nb-cores=4)
	gen=(--symmetric) check=(--symmetric)
	;;
*)
	echo "usage: $0 device|software|software_key|symmetric" >&2
	exit 2
	;;
esac

python3 "$flows" selftest || rf_fail "flows.py: its Toeplitz hash fails the Microsoft test vectors"
python3 "$flows" gen "$RF_TMP" --flows "${RSS_FLOWS:-$nflows}" --pkts "${RSS_PKTS:-$npkts}" \
	--queues "$nq" "${gen[@]}" || rf_fail "flows.py gen failed"
rx_pcaps='' tx_pcaps='' ins='' outs=''
for ((q = 0; q < nq; q++)); do
	rx_pcaps+=",rx_pcap=$RF_TMP/q$q.pcap"
	tx_pcaps+=",tx_pcap=$RF_TMP/o$q.pcap"
	ins+="${ins:+,}$RF_TMP/q$q.pcap"
	outs+="${outs:+,}$RF_TMP/o$q.pcap"
done
sent=0
for ((q = 0; q < nq; q++)); do
	sent=$((sent + $(python3 "$rss_dir/../fwd/pkt.py" count "$RF_TMP/q$q.pcap")))
done

sock=$RF_TMP/vhost0.sock
# No TX sink on the pcap port: DPDK's net_pcap gives it one dropping TX queue per RX queue.
rf_peer_start peer 0 --vdev "net_pcap0${rx_pcaps}" --vdev "net_vhost0,iface=$sock,queues=$nq" -- \
	-i --forward-mode=io --no-flush-rx --nb-cores=1 --rxq="$nq" --txq="$nq" \
	--total-num-mbufs=16384
rf_wait_socket "$sock" 30

FWD_LCORES=$lcores fwd_start rf --vdev "net_virtio_user0,path=$sock,queues=$nq,queue_size=${RSS_QSIZE:-4096}" \
	--vdev "net_pcap1${tx_pcaps}" -- --forward-mode=io "${app[@]}"
fwd_wait_links rf 2
fwd_peer_ready peer
# The vhost side drops what a queue has no buffers for: wait until the peer
# has every RX virtqueue of ringfwd's (vring 0, 2, ...) enabled.
for _ in $(seq 1 200); do
	n=0
	for ((q = 0; q < nq; q++)); do
		grep -q "vring$((2 * q)) is enabled" "$RF_TMP/peer.log" && n=$((n + 1))
	done
	[ "$n" = "$nq" ] && break
	sleep 0.1
done
[ "$n" = "$nq" ] || rf_fail "the peer enabled $n of ringfwd's $nq RX virtqueues within 20 s"

rf_peer_cmd peer start
# Until the peer's pcap port has read everything (or stops reading).
prev=-1 got=0
for _ in $(seq 1 60); do
	got=$(fwd_peer_port_stat peer 0 RX-packets)
	[ "$got" -ge "$sent" ] && break
	[ "$got" = "$prev" ] && [ "$got" -gt 0 ] && break
	prev=$got
	sleep 0.5
done
delivered=$(fwd_peer_port_stat peer 1 TX-packets)
echo "peer: read $got of $sent frames, put $delivered into ringfwd's RX rings"
[ "$got" = "$sent" ] || rf_fail "the peer read $got of the $sent frames of its captures"
[ "$delivered" -gt 0 ] || rf_fail "the peer delivered nothing to ringfwd"
# ringfwd has received what the peer delivered once its periodic line says so.
fwd_wait_count rf 0 rx-packets "$delivered" 30
fwd_stop rf
rc=$?
fwd_peer_quit peer
fwd_show rf
[ "$rc" = 0 ] || rf_fail "ringfwd exited with $rc"

received=$(fwd_json rf 'd["ports"][0]["rx_packets"]')
written=$(fwd_json rf 'd["ports"][1]["tx_packets"]')
echo "figures: sent $sent, peer delivered $delivered (lost at the vhost side: $((sent - delivered))), ringfwd received $received, wrote $written"
fwd_expect_eq "ringfwd's port 0 RX packets" "$received" "$delivered"
fwd_expect_eq "mbufs_leaked" "$(fwd_json rf 'd["mbufs_leaked"]')" 0

# Every lcore that forwards (device) or works (software) carried traffic, and
# the software RX lcore received everything and handed it on.
python3 - "$RF_TMP/rf.json" "$mode" <<'EOF' || rf_fail "per-lcore counters in --stats-json"
import json, sys
d = json.load(open(sys.argv[1]))
mode = sys.argv[2]
lcores = d.get("lcores", [])
ok = True
for lc in lcores:
    print(f"lcore {lc.get('id')}: role {lc.get('role')}, rx {lc.get('rx_packets')}, "
          f"tx {lc.get('tx_packets')}, dropped {lc.get('dropped')}")
want = {"fwd": 2} if mode == "device" else {"rx": 1, "worker": 3}
for role, n in want.items():
    got = [lc for lc in lcores if lc.get("role") == role]
    if len(got) != n:
        print(f"FAIL: {len(got)} lcores with role {role!r}, expected {n}")
        ok = False
    for lc in got:
        if not lc.get("rx_packets", 0) > 0:
            print(f"FAIL: lcore {lc.get('id')} ({role}) has rx_packets {lc.get('rx_packets')}")
            ok = False
if mode != "device":
    rx = [lc for lc in lcores if lc.get("role") == "rx"]
    workers = [lc for lc in lcores if lc.get("role") == "worker"]
    if rx and workers:
        handed = rx[0].get("tx_packets", 0)
        dequeued = sum(w.get("rx_packets", 0) for w in workers)
        print(f"RX lcore: received {rx[0].get('rx_packets')}, handed {handed} to the workers, "
              f"dropped {rx[0].get('dropped')} (ring full); workers dequeued {dequeued}")
        if rx[0].get("rx_packets") != d["ports"][0]["rx_packets"]:
            print("FAIL: the RX lcore's rx_packets is not port 0's")
            ok = False
        if rx[0].get("rx_packets") != handed + rx[0].get("dropped", 0):
            print("FAIL: the RX lcore's rx_packets is not handed + dropped")
            ok = False
        if handed != dequeued:
            print(f"FAIL: the RX lcore handed {handed} packets, the workers dequeued {dequeued}")
            ok = False
sys.exit(0 if ok else 1)
EOF

python3 "$flows" check --in "$ins" --out "$outs" "${check[@]}" ||
	rf_fail "the captures ringfwd wrote break flow affinity or order"
echo "PASS"
