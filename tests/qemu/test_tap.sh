#!/usr/bin/env bash
# -netdev tap in a network namespace this test creates: the guest (virtio-net)
# and the namespace's kernel ping each other through QEMU's tap back-end.
. "$(dirname "$0")/lib.sh"
rf_qemu_need
command -v ip >/dev/null || rf_skip "needs ip (iproute2)"

ns=qemu-tap-$$ tap=qemu-t$$ guest_mac=52:54:00:7a:00:02
RF_CLEANUP_EXTRA="ip netns del $ns 2>/dev/null"
ip netns add "$ns" || rf_fail "ip netns add $ns"
ip -n "$ns" tuntap add dev "$tap" mode tap || rf_fail "ip tuntap add $tap"
ip -n "$ns" addr add 10.212.0.1/24 dev "$tap"
ip -n "$ns" link set "$tap" up

rf_qemu_run tap --netns "$ns" --nic "virtio-net-pci,mac=$guest_mac" \
	--netdev "tap,ifname=$tap,script=no,downscript=no" --modules virtio_net \
	--add "$RF_QEMU_GUEST_DIR/ping.sh" -- sh /root/ping.sh 10.212.0.2/24 10.212.0.1 3
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
host_mac=$(ip -n "$ns" -o link show "$tap" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
grep -q '3 packets transmitted, 3 packets received' "$QOUT/stdout" || rf_fail "the namespace did not answer the guest's pings"
grep -q "^neigh 10.212.0.1 lladdr $host_mac" "$QOUT/stdout" || rf_fail "the guest did not learn the tap's MAC $host_mac"
# The namespace's side of the tap counted them (its neighbour entries went
# with the carrier when QEMU closed the tap).
stat() { ip netns exec "$ns" cat "/sys/class/net/$tap/statistics/$1"; }
echo "tap in $ns: rx_packets $(stat rx_packets) tx_packets $(stat tx_packets)"
[ "$(stat rx_packets)" -ge 4 ] && [ "$(stat tx_packets)" -ge 4 ] ||
	rf_fail "the tap in $ns saw too few frames"
echo ok
