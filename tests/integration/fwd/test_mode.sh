#!/usr/bin/env bash
# test_mode.sh MODE: one forwarding mode on real traffic.
#
# The peer (testpmd) replays crafted frames from a pcap into its vhost port;
# ringfwd's virtio port receives them, MODE processes them, and what ringfwd
# sends back is captured by the peer into a pcap. pkt.py (Python, not our C
# code) says what MODE must produce from the input, and the capture must be
# exactly that, frame by frame. icmpecho and csum are also decoded by tshark,
# which must find no bad checksum.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: test_mode.sh MODE}
case $mode in
icmpecho) kind=icmp ;;
csum) kind=badcsum ;;
*) kind=mixed ;;
esac
in=$RF_TMP/in.pcap
out=$RF_TMP/out.pcap
exp=$RF_TMP/expected.pcap
sock=$RF_TMP/vhost0.sock
peer_mac=02:aa:bb:cc:dd:ee

python3 "$here/pkt.py" gen "$kind" "$in" || rf_fail "cannot build the input frames"
n=$(python3 "$here/pkt.py" count "$in")

fwd_pcap_peer peer "$sock" "$in" "$out"
fwd_start rf --vdev "net_virtio_user0,path=$sock" -- --forward-mode="$mode" \
	--eth-peer=0,$peer_mac --record-burst-stats
fwd_wait_links rf 1
fwd_peer_ready peer
rf_peer_cmd peer start
fwd_wait_count rf 0 rx-packets "$n" 30
# What the mode sends back reaches the peer's pcap port (port 0 there).
want=$(python3 "$here/pkt.py" expect-count "$mode" "$in")
fwd_peer_wait_stat peer 0 TX-packets "$want" 20
fwd_peer_quit peer
fwd_stop rf
rc=$?
fwd_show rf
[ "$rc" = 0 ] || rf_fail "ringfwd exited with $rc"

port_mac=$(fwd_json rf 'd["ports"][0]["mac"]')
python3 "$here/pkt.py" expect "$mode" "$in" "$exp" --port-mac "$port_mac" --peer-mac "$peer_mac"
echo "---- $mode: $n frames in, $want expected back ----"
python3 "$here/pkt.py" compare "$exp" "$out" || rf_fail "$mode: the capture is not what $mode must send"

fwd_expect_eq "rx_packets" "$(fwd_json rf 'd["ports"][0]["rx_packets"]')" "$n"
fwd_expect_eq "tx_packets" "$(fwd_json rf 'd["ports"][0]["tx_packets"]')" "$want"
# rxonly consumes what it receives (testpmd counts no drop for it); the others
# send all they do not drop.
dropped=$((n - want))
[ "$mode" = rxonly ] && dropped=0
fwd_expect_eq "dropped" "$(fwd_json rf 'd["ports"][0]["dropped"]')" "$dropped"
fwd_expect_eq "mbufs_leaked" "$(fwd_json rf 'd["mbufs_leaked"]')" 0
fwd_expect_eq "mode" "$(fwd_json rf 'd["mode"]')" "$mode"
grep -q "RX-bursts : " "$RF_TMP/rf.log" || rf_fail "no RX-bursts line with --record-burst-stats"

# An independent decoder: tshark validates every checksum it knows.
tshark_count() {
	tshark -r "$out" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-o tcp.check_checksum:TRUE -Y "$1" 2>/dev/null | wc -l
}
case $mode in
icmpecho)
	rf_need_cmd tshark
	fwd_expect_eq "frames tshark flags with a bad checksum" \
		"$(tshark_count 'ip.checksum.status == "Bad" || icmp.checksum.status == "Bad"')" 0
	fwd_expect_eq "ICMP echo replies" "$(tshark_count 'icmp.type == 0 && icmp.code == 0')" 7
	# 5 unicast requests to 10.0.0.2, and the one to 224.0.0.1 from 10.0.0.1,
	# whose reply comes from the requester's neighbour 10.0.0.2 (as testpmd).
	fwd_expect_eq "ICMP echo replies from 10.0.0.2 to 10.0.0.1" \
		"$(tshark_count 'icmp.type == 0 && ip.src == 10.0.0.2 && ip.dst == 10.0.0.1')" 6
	fwd_expect_eq "ICMP echo reply from 10.0.0.2 to 10.0.0.5" \
		"$(tshark_count 'icmp.type == 0 && ip.src == 10.0.0.2 && ip.dst == 10.0.0.5')" 1
	fwd_expect_eq "ARP replies from our MAC" \
		"$(tshark_count "arp.opcode == 2 && arp.src.hw_mac == $port_mac && eth.src == $port_mac")" 2
	fwd_expect_eq "ARP reply for 10.0.0.2 to 10.0.0.1" \
		"$(tshark_count 'arp.opcode == 2 && arp.src.proto_ipv4 == 10.0.0.2 && arp.dst.proto_ipv4 == 10.0.0.1')" 1
	;;
csum)
	rf_need_cmd tshark
	fwd_expect_eq "frames tshark flags with a bad checksum" \
		"$(tshark_count 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad"')" 0
	fwd_expect_eq "bad IP checksums counted" "$(fwd_json rf 'd["total"]["bad_ip_csum"]')" 4
	fwd_expect_eq "bad L4 checksums counted" "$(fwd_json rf 'd["total"]["bad_l4_csum"]')" 6
	;;
esac
echo "PASS"
