#!/usr/bin/env bash
# -netdev vhost-user to DPDK's net_vhost in dpdk-testpmd on the host (the
# server; QEMU connects), guest memory shared from a memfd. testpmd's
# icmpecho mode answers the guest kernel's ARP requests and pings, so frames
# go both ways with QEMU out of the data path. testpmd on CPU 0, QEMU on 1.
. "$(dirname "$0")/lib.sh"
rf_qemu_need
command -v dpdk-testpmd >/dev/null || rf_skip "needs dpdk-testpmd (dpdk)"
[ "$(nproc)" -ge 2 ] || rf_skip "needs 2 CPUs"

prefix=qemu-vhost-$$
RF_CLEANUP_EXTRA="rm -rf /var/run/dpdk/$prefix"
mkfifo "$RF_TMP/testpmd.in"
dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-pci --no-huge -m 512 --file-prefix="$prefix" \
	--vdev "net_vhost0,iface=$RF_TMP/vhost.sock,queues=1" -- --forward-mode=icmpecho \
	--auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 \
	<"$RF_TMP/testpmd.in" >"$RF_TMP/testpmd.log" 2>&1 &
peer=$!
rf_track "$peer"
exec 8>"$RF_TMP/testpmd.in"
for _ in $(seq 1 100); do [ -S "$RF_TMP/vhost.sock" ] && break; sleep 0.1; done
[ -S "$RF_TMP/vhost.sock" ] || rf_fail "testpmd did not create its socket: $(tail -n 20 "$RF_TMP/testpmd.log")"

# vectors=0: QEMU 7.2 under TCG segfaults in vhost_net_start (setting MSI-X
# vector notifiers) when the guest's kernel driver enables MSI-X on a
# vhost-user virtio-net; with INTx it works.
rf_qemu_run vhost --cpus 1 --nic virtio-net-pci,mac=52:54:00:76:00:02,vectors=0 \
	--netdev "vhost-user,path=$RF_TMP/vhost.sock" --modules virtio_net \
	--add "$RF_QEMU_GUEST_DIR/ping.sh" -- sh /root/ping.sh 10.213.0.2/24 10.213.0.1 3
kill -INT "$peer"
for _ in $(seq 1 100); do kill -0 "$peer" 2>/dev/null || break; sleep 0.1; done
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
grep -q '3 packets transmitted, 3 packets received' "$QOUT/stdout" || rf_fail "testpmd did not answer the guest's pings"
acc() {
	awk -v k="$1:" '/Accumulated forward statistics for all ports/ { a = 1; next }
		a { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$RF_TMP/testpmd.log"
}
rx=$(acc RX-packets) tx=$(acc TX-packets)
echo "testpmd: RX-packets $rx TX-packets $tx"
[ "${rx:-0}" -ge 4 ] && [ "${tx:-0}" -ge 4 ] || rf_fail "testpmd forwarded too little: rx $rx tx $tx"
echo ok
