#!/usr/bin/env bash
# Peer io loop: testpmd sends every frame back out of the port it came in by
# (--port-topology=loop). Each numbered frame must come back byte-exact and in
# order, for sizes 60..1518, as single mbufs and as mbuf chains. Three rounds
# on one connection, with a port stop and start between them: the back-end
# hands the rings back (GET_VRING_BASE), every mbuf returns to the pool, and
# the next start sets everything up again.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"

count=20000
cycles=3
sizes=60,64,65,128,255,256,511,512,1024,1500,1514,1518

for mode in single multiseg; do
	sock=$RF_TMP/vhost-$mode.sock
	flag=()
	[ "$mode" = multiseg ] && flag=(--multiseg)
	rf_peer_start "peer_$mode" 0 --vdev "net_vhost0,iface=$sock,queues=1" -- \
		--forward-mode=io --port-topology=loop "${PEER_APP_ARGS[@]}"
	rf_wait_socket "$sock" 20
	vt_start "vt_$mode" --vdev "net_virtio_user0,path=$sock" -- \
		loop --count $count --sizes $sizes "${flag[@]}" --seconds 60 --cycles $cycles
	vt_wait "vt_$mode" 200
	rc=$?
	rf_peer_stop "peer_$mode"
	vt_show "vt_$mode"
	[ "$rc" = 0 ] || rf_fail "$mode: vdev_test exited with $rc"
	vt_expect "vt_$mode" loop_mismatches 0
	vt_expect "vt_$mode" rx_packets $((count * cycles))
	vt_expect "vt_$mode" tx_packets $((count * cycles))
	[ "$(grep -c '^stopped_in_use=0$' "$RF_TMP/vt_$mode.log")" = $((cycles - 1)) ] ||
		rf_fail "$mode: mbufs still out after a stop"
	vt_expect "vt_$mode" mempool_in_use 0
	echo "$mode: $cycles x $count frames came back byte-exact"
done
echo "PASS"
