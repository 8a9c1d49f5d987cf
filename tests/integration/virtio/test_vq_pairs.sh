#!/usr/bin/env bash
# Fewer queue pairs on the same connection (virtio 1.x §5.1.6.5.5): our port
# (queues=2) runs numbered frames over 2 pairs, then is stopped, configured
# with 1 pair and started again. The driver sends VQ_PAIRS_SET 1 on its
# control queue; virtio-user plays the device side of it and disables vrings
# 2 and 3 with VHOST_USER_SET_VRING_ENABLE 0. The peer's vhost log must show
# exactly that, after the reconfigure and not before, and the frames of the
# second run must all come back on queue 0.
# shellcheck source=tests/integration/virtio/lib.sh
. "$(dirname "$0")/lib.sh"

count=4000
sock=$RF_TMP/vhost.sock
# lib.vhost.config at info: DPDK's vhost logs every ring enable change there.
rf_peer_start peer 0 --log-level=lib.vhost.config:info \
	--vdev "net_vhost0,iface=$sock,queues=2" -- \
	--forward-mode=io --port-topology=loop --rxq=2 --txq=2 "${PEER_APP_ARGS[@]}"
rf_wait_socket "$sock" 20
vt_start vt --log-level info --vdev "net_virtio_user0,path=$sock,queues=2" -- \
	loop --queues 2 --count $count --sizes 64,512 --seconds 60 --then-queues 1
vt_wait vt 150
rc=$?
rf_peer_stop peer
vt_show vt
[ "$rc" = 0 ] || rf_fail "vdev_test exited with $rc"
vt_expect vt loop_mismatches 0
vt_expect vt reconfigured_queues 1
# Both runs: count frames each, all back; the second one on queue 0 only.
vt_expect vt rx_packets $((count * 2))
vt_expect vt rx_q0 $count
vt_expect vt mempool_in_use 0

features=$(sed -n 's/.*back-end offers features \(0x[0-9a-f]*\).*/\1/p' "$RF_TMP/vt.log" | head -n 1)
negotiated=$(vt_val vt dev_features)
echo "testpmd net_vhost offered features $features; negotiated $negotiated"
[ -n "$features" ] || rf_fail "no 'back-end offers features' line in $RF_TMP/vt.log"
# CTRL_VQ (bit 17) and MQ (bit 22) negotiated; RSS (60) and HASH_REPORT (57) not.
for bit in 17 22; do
	(((negotiated >> bit) & 1)) || rf_fail "feature bit $bit not negotiated ($negotiated)"
done
for bit in 57 60; do
	(((negotiated >> bit) & 1)) && rf_fail "feature bit $bit negotiated ($negotiated)"
done
vt_expect vt rss_offloads 0x0
grep -q "VQ_PAIRS_SET 1" "$RF_TMP/vt.log" || rf_fail "driver did not log VQ_PAIRS_SET 1"

# The peer's side, in its log order. DPDK 22.11 prints "set queue enable: E to qp idx: V"
# (V is the vring index). Vrings 2 and 3 go off once, after the first stop
# (GET_VRING_BASE) and the second start's enables of vrings 0 and 1.
plog=$RF_TMP/peer.log
mapfile -t ev < <(grep -oE 'VHOST_USER_GET_VRING_BASE|set queue enable: [01] to qp idx: [0-9]+' "$plog")
printf '  peer: %s\n' "${ev[@]}"
first_stop=-1
for i in "${!ev[@]}"; do
	if [ "${ev[$i]}" = VHOST_USER_GET_VRING_BASE ]; then
		first_stop=$i
		break
	fi
done
[ "$first_stop" -ge 0 ] || rf_fail "peer never saw GET_VRING_BASE"
for v in 2 3; do
	off="set queue enable: 0 to qp idx: $v"
	n=$(printf '%s\n' "${ev[@]}" | grep -cx "$off")
	[ "$n" = 1 ] || rf_fail "peer saw '$off' $n times, expected once"
	for i in "${!ev[@]}"; do
		[ "${ev[$i]}" = "$off" ] && [ "$i" -lt "$first_stop" ] &&
			rf_fail "vring $v disabled before the reconfigure"
	done
done
# Nothing else was disabled, and vrings 2 and 3 were on during the first run.
n=$(printf '%s\n' "${ev[@]}" | grep -c 'set queue enable: 0' || true)
[ "$n" = 2 ] || rf_fail "peer saw $n disables, expected 2 (vrings 2 and 3)"
for v in 2 3; do
	printf '%s\n' "${ev[@]:0:$first_stop}" | grep -qx "set queue enable: 1 to qp idx: $v" ||
		rf_fail "vring $v was not enabled in the first run"
done
echo "PASS"
