#!/usr/bin/env bash
# test_gen.sh MODE TXPKTS: a generator mode (txonly, flowgen) on a real port.
#
# What ringfwd generates goes through the peer's vhost port into a pcap. A
# generator never stops, so the capture is bounded by freezing ringfwd: once
# its TX ring is full (the peer is not forwarding yet, so ringfwd counts
# drops), SIGSTOP it, let the peer forward what sits in the ring (at most
# --txd frames), stop the peer's forwarding, then SIGCONT and SIGINT ringfwd.
# pkt.py checks every captured frame against the options: size, MACs, IPs,
# ports, checksums, and for flowgen the spread of destination addresses.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: test_gen.sh MODE TXPKTS}
txpkts=${2:-64}
txd=64
flows=1
[ "$mode" = flowgen ] && flows=8
len=$(($(echo "$txpkts" | tr ',' '+')))
sock=$RF_TMP/vhost0.sock
out=$RF_TMP/out.pcap
peer_mac=02:aa:bb:cc:dd:ee

rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" --vdev "net_pcap0,tx_pcap=$out" -- \
	-i --forward-mode=io --no-flush-rx --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30
fwd_start rf --vdev "net_virtio_user0,path=$sock" -- --forward-mode="$mode" --txd=$txd \
	--txpkts="$txpkts" --tx-ip=192.0.2.1,198.51.100.10 --tx-udp=1111,2222 \
	--eth-peer=0,$peer_mac --flowgen-flows=$flows
fwd_wait_links rf 1
fwd_peer_ready peer
# The peer is not forwarding: the ring fills and the rest is dropped.
fwd_wait_count rf 0 dropped 1 30
pid=$(fwd_pid rf)
kill -STOP "$pid"
fwd_peer_cmd_wait peer "forwarding packets/burst" start
sleep 2
# The peer must have stopped before ringfwd runs again, or the capture grows.
fwd_peer_cmd_wait peer "Accumulated forward statistics" stop
kill -CONT "$pid"
fwd_stop rf
rc=$?
fwd_peer_quit peer
fwd_show rf
[ "$rc" = 0 ] || rf_fail "ringfwd exited with $rc"

port_mac=$(fwd_json rf 'd["ports"][0]["mac"]')
echo "---- $mode --txpkts=$txpkts: $len-byte frames, $flows flow(s) ----"
python3 "$here/pkt.py" check-gen "$out" --len "$len" --src-mac "$port_mac" --dst-mac "$peer_mac" \
	--src-ip 192.0.2.1 --dst-ip 198.51.100.10 --udp 1111,2222 --flows "$flows" --max "$txd" ||
	rf_fail "$mode: the captured frames are not what the options ask for"

tx=$(fwd_json rf 'd["ports"][0]["tx_packets"]')
[ "$tx" -gt 0 ] || rf_fail "tx_packets is $tx"
fwd_expect_eq "bytes per packet" "$(fwd_json rf 'd["ports"][0]["tx_bytes"] // d["ports"][0]["tx_packets"]')" "$len"
[ "$(fwd_json rf 'd["ports"][0]["dropped"]')" -gt 0 ] || rf_fail "no drops counted while the peer did not forward"
[ "$mode" = txonly ] && fwd_expect_eq "rx_packets" "$(fwd_json rf 'd["ports"][0]["rx_packets"]')" 0
fwd_expect_eq "mbufs_leaked" "$(fwd_json rf 'd["mbufs_leaked"]')" 0
echo "PASS"
