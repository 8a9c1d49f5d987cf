#!/usr/bin/env bash
# test_topology.sh paired|chained: several ringfwd ports, io mode, where each
# port's frames must leave.
#
# ringfwd has one net_virtio_user port per net_vhost port of the peer. Each
# peer vhost port is paired (testpmd's paired topology) with a net_pcap port
# that replays its own input (tagged by source MAC) and captures what comes
# back. paired (2 ports): ringfwd 0 -> 1 and 1 -> 0, so the capture of pair 1
# must be the input of pair 0 and the other way round. chained (3 ports):
# ringfwd i -> i+1 mod 3, so capture i+1 must be input i.
. "$(dirname "$0")/lib.sh"

topo=${1:?usage: test_topology.sh paired|chained}
case $topo in
paired) nports=2 ;;
chained) nports=3 ;;
*) rf_fail "unknown topology $topo" ;;
esac

peer_vdevs=()
rf_vdevs=()
for i in $(seq 0 $((nports - 1))); do
	python3 "$here/pkt.py" gen mixed "$RF_TMP/in$i.pcap" $((0x40 + i))
	peer_vdevs+=(--vdev "net_pcap$i,rx_pcap=$RF_TMP/in$i.pcap,tx_pcap=$RF_TMP/out$i.pcap")
	peer_vdevs+=(--vdev "net_vhost$i,iface=$RF_TMP/vhost$i.sock,queues=1")
	rf_vdevs+=(--vdev "net_virtio_user$i,path=$RF_TMP/vhost$i.sock")
done
n=$(python3 "$here/pkt.py" count "$RF_TMP/in0.pcap")

rf_peer_start peer 0 "${peer_vdevs[@]}" -- -i --forward-mode=io --no-flush-rx --nb-cores=1 \
	--total-num-mbufs=16384
for i in $(seq 0 $((nports - 1))); do
	rf_wait_socket "$RF_TMP/vhost$i.sock" 30
done
fwd_start rf "${rf_vdevs[@]}" -- --port-topology="$topo"
fwd_wait_links rf $nports
fwd_peer_ready peer $nports
rf_peer_cmd peer start
fwd_wait_count rf all tx-packets $((n * nports)) 30
# Peer port 2i is pcap i: its TX is what ringfwd sent to vhost i.
for i in $(seq 0 $((nports - 1))); do
	fwd_peer_wait_stat peer $((2 * i)) TX-packets "$n" 20
done
fwd_peer_quit peer
fwd_stop rf
rc=$?
fwd_show rf
[ "$rc" = 0 ] || rf_fail "ringfwd exited with $rc"

for i in $(seq 0 $((nports - 1))); do
	if [ "$topo" = paired ]; then
		to=$((i ^ 1))
	else
		to=$(((i + 1) % nports))
	fi
	echo "---- port $i -> port $to: capture $to must be input $i ----"
	python3 "$here/pkt.py" compare "$RF_TMP/in$i.pcap" "$RF_TMP/out$to.pcap" ||
		rf_fail "$topo: what port $i received did not leave on port $to"
	fwd_expect_eq "port $i rx_packets" "$(fwd_json rf "d['ports'][$i]['rx_packets']")" "$n"
	fwd_expect_eq "port $to tx_packets" "$(fwd_json rf "d['ports'][$to]['tx_packets']")" "$n"
	fwd_expect_eq "stream $i: rx port $i -> tx port" \
		"$(fwd_json rf "d['streams'][$i]['tx_port']")" "$to"
done
fwd_expect_eq "topology" "$(fwd_json rf 'd["topology"]')" "$topo"
fwd_expect_eq "mbufs_leaked" "$(fwd_json rf 'd["mbufs_leaked"]')" 0
echo "PASS"
