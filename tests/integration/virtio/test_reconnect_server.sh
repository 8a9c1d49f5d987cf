#!/usr/bin/env bash
# The peer dies (kill -9) mid-traffic and a new one takes its place; we are the
# vhost-user server (server=1), the peer connects as a client (client=1).
# Our process must keep running, see the link go down and up again, carry
# traffic both ways after the restart, and give every mbuf back at the end.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"

sock=$RF_TMP/vhost.sock
peer_args=(--vdev "net_vhost0,iface=$sock,client=1,queues=1" --
	--forward-mode=flowgen --txpkts=64 "${PEER_APP_ARGS[@]}")

vt_start vt --vdev "net_virtio_user0,path=$sock,server=1" -- watch --tx --seconds 200
rf_wait_socket "$sock" 20
rf_peer_start peer1 0 "${peer_args[@]}"
rf_wait_log "$RF_TMP/vt.log" "^LINK UP 1" 30
sleep 1
rf_peer_kill9 peer1
rf_wait_log "$RF_TMP/vt.log" "^LINK DOWN 1" 30
kill -0 "$(vt_pid vt)" || rf_fail "vdev_test died with the peer"

rf_peer_start peer2 0 "${peer_args[@]}"
rf_wait_log "$RF_TMP/vt.log" "^LINK UP 2" 30
sleep 1
kill -0 "$(vt_pid vt)" || rf_fail "vdev_test died after the reconnect"
rf_peer_stop peer2
vt_stop vt
rc=$?
vt_show vt
[ "$rc" = 0 ] || rf_fail "vdev_test exited with $rc"

after=$(vt_val vt rx_since_last_up)
echo "received after the restart: $after"
[ "${after:-0}" -gt 0 ] || rf_fail "no traffic after the peer came back"
peer_rx=$(rf_peer_stat peer2 RX-packets)
echo "the new peer received from us: $peer_rx"
[ "${peer_rx:-0}" -gt 0 ] || rf_fail "the new peer received nothing from us"
vt_expect vt xstat.reconnects 1
vt_expect vt xstat.link_down_events 2 # the kill, and the peer2 shutdown
vt_expect vt xstat.rx_q0_broken 0
vt_expect vt xstat.tx_q0_broken 0
vt_expect vt mempool_in_use 0
[ ! -e "$sock" ] || rf_fail "closing the port left its server socket $sock behind"
echo "PASS"
