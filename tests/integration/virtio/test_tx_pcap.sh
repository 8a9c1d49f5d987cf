#!/usr/bin/env bash
# Our TX -> peer. testpmd io-forwards its vhost port to a net_pcap port that
# writes a capture; the captured frames must be byte for byte what we sent, in
# order: sizes 64..1518, first as one mbuf per frame, then as mbuf chains.
# check_frames.py rebuilds the expected frames and reads the pcap itself.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd python3

count=3000
sizes=60,64,65,127,128,255,256,511,512,1023,1024,1499,1500,1514,1518

for mode in single multiseg; do
	sock=$RF_TMP/vhost-$mode.sock
	pcap=$RF_TMP/out-$mode.pcap
	flag=()
	[ "$mode" = multiseg ] && flag=(--multiseg)

	rf_peer_start "peer_$mode" 0 --vdev "net_vhost0,iface=$sock,queues=1" \
		--vdev "net_pcap0,tx_pcap=$pcap" -- \
		--forward-mode=io --no-flush-rx "${PEER_APP_ARGS[@]}"
	rf_wait_socket "$sock" 20
	vt_start "vt_$mode" --vdev "net_virtio_user0,path=$sock" -- \
		tx --count $count --sizes $sizes "${flag[@]}" --seconds 120
	rf_wait_log "$RF_TMP/vt_$mode.log" "^TX DONE $count" 60
	# The peer has them all once its vhost port counted them in.
	peer_wait_stat "peer_$mode" 0 RX-packets $count 30
	rf_peer_stop "peer_$mode" # closes the pcap: everything is on disk
	vt_stop "vt_$mode"
	rc=$?
	vt_show "vt_$mode"
	[ "$rc" = 0 ] || rf_fail "$mode: vdev_test exited with $rc"
	vt_expect "vt_$mode" tx_packets $count
	vt_expect "vt_$mode" mempool_in_use 0
	vt_expect "vt_$mode" xstat.tx_q0_broken 0

	mac=$(sed -n 's/^mac=//p' "$RF_TMP/vt_$mode.log")
	python3 "$here/check_frames.py" "$pcap" "$count" "$sizes" "$mac" ||
		rf_fail "$mode: the capture differs from what we sent"
	echo "$mode: $count frames captured byte-exact"
done
echo "PASS"
