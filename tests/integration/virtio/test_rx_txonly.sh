#!/usr/bin/env bash
# Peer txonly -> our RX, with exact accounting: every frame testpmd's vhost
# port accepted (its TX-packets) must reach us, no more and no fewer, and
# each must be the 64-byte IPv4/UDP frame txonly builds.
#
# We listen (server=1) and testpmd connects (client=1): it can only send once
# our rings are set up. Frames it could not hand over are its TX-dropped,
# not TX-packets, so they are outside the count.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"

sock=$RF_TMP/vhost.sock
vt_start vt --vdev "net_virtio_user0,path=$sock,server=1" -- \
	rx --until-down --check-txonly 64 --seconds 120
rf_wait_socket "$sock" 20
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,client=1,queues=1" -- \
	--forward-mode=txonly --txpkts=64 "${PEER_APP_ARGS[@]}"
rf_wait_log "$RF_TMP/vt.log" "^LINK UP 1" 30
# Let traffic run until we have received a good amount, then stop the peer.
for _ in $(seq 1 100); do
	[ "$(peer_port_stat peer 0 TX-packets)" -ge 1000000 ] && break
	sleep 0.1
done
rf_peer_stop peer
vt_wait vt 60
rc=$?
vt_show vt

sent=$(rf_peer_stat peer TX-packets)
got=$(vt_val vt rx_packets)
echo "peer TX-packets=$sent, we received $got"
[ "$rc" = 0 ] || rf_fail "vdev_test exited with $rc"
[ "${sent:-0}" -gt 0 ] || rf_fail "peer sent nothing (TX-packets='$sent')"
[ "$got" = "$sent" ] || rf_fail "received $got frames, peer handed over $sent"
vt_expect vt bad_content 0
vt_expect vt xstat.rx_q0_errors 0
vt_expect vt xstat.rx_q0_broken 0
vt_expect vt mempool_in_use 0
[ ! -e "$sock" ] || rf_fail "closing the port left its server socket $sock behind"
echo "PASS"
