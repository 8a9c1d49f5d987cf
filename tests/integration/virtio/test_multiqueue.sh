#!/usr/bin/env bash
# queues=2: two queue pairs against testpmd with two queues (io loop), one
# forwarding core serving both. Numbered frames go out on each queue and must
# come back on the same queue, byte-exact; per-queue counters move on both.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"

count=20000
sock=$RF_TMP/vhost.sock
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=2" -- \
	--forward-mode=io --port-topology=loop --rxq=2 --txq=2 "${PEER_APP_ARGS[@]}"
rf_wait_socket "$sock" 20
vt_start vt --vdev "net_virtio_user0,path=$sock,queues=2" -- \
	loop --queues 2 --count $count --sizes 64,512,1518 --seconds 120
vt_wait vt 150
rc=$?
rf_peer_stop peer
vt_show vt
[ "$rc" = 0 ] || rf_fail "vdev_test exited with $rc"
vt_expect vt loop_mismatches 0
vt_expect vt rx_packets $count
for q in 0 1; do
	for k in xstat.rx_q${q}_packets xstat.tx_q${q}_packets; do
		v=$(vt_val vt "$k")
		[ "${v:-0}" -eq $((count / 2)) ] || rf_fail "$k=$v, expected $((count / 2))"
	done
done
vt_expect vt mempool_in_use 0
# The peer saw traffic on both of its queues too.
[ "$(rf_peer_stat peer RX-packets)" = "$count" ] ||
	rf_fail "peer RX-packets=$(rf_peer_stat peer RX-packets), expected $count"
echo "PASS"
