#!/usr/bin/env bash
# -netdev dgram to a host program: the guest's kernel (virtio-net) resolves
# and pings the host program (dgram_peer), so ARP and ICMP frames go both
# ways through QEMU's AF_UNIX datagram back-end. filter-dump captures them.
. "$(dirname "$0")/lib.sh"
rf_qemu_need
[ -x "${DGRAM_PEER:-}" ] || rf_fail "DGRAM_PEER not set (run under meson)"

guest_mac=52:54:00:d6:00:02 host_mac=52:54:00:d6:00:01
"$DGRAM_PEER" "$RF_TMP/peer.sock" "$RF_TMP/qemu.sock" "$host_mac" 10.211.0.1 120 \
	>"$RF_TMP/peer.log" 2>&1 &
rf_track $!
for _ in $(seq 1 50); do [ -S "$RF_TMP/peer.sock" ] && break; sleep 0.1; done
[ -S "$RF_TMP/peer.sock" ] || rf_fail "dgram_peer did not bind: $(cat "$RF_TMP/peer.log")"

rf_qemu_run dgram --nic "virtio-net-pci,mac=$guest_mac" \
	--netdev "dgram,local.type=unix,local.path=$RF_TMP/qemu.sock,remote.type=unix,remote.path=$RF_TMP/peer.sock" \
	--dump "$RF_TMP/dump.pcap" --modules virtio_net --add "$RF_QEMU_GUEST_DIR/ping.sh" \
	-- sh /root/ping.sh 10.211.0.2/24 10.211.0.1 3
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
echo "--- peer:"
cat "$RF_TMP/peer.log"
grep -q '3 packets transmitted, 3 packets received' "$QOUT/stdout" || rf_fail "the guest's pings were not answered"
grep -q "^neigh 10.211.0.1 lladdr $host_mac" "$QOUT/stdout" || rf_fail "the guest did not learn the host program's MAC"
grep -q "^rx arp-request from $guest_mac for 10.211.0.1" "$RF_TMP/peer.log" || rf_fail "no ARP request from the guest"
[ "$(grep -c "^tx echo-reply to $guest_mac" "$RF_TMP/peer.log")" -ge 3 ] || rf_fail "fewer than 3 echo replies sent"

# The capture has both directions.
fields=$(tshark -r "$RF_TMP/dump.pcap" -T fields -e eth.src -e _ws.col.Protocol -e icmp.type 2>/dev/null)
echo "--- capture:"
echo "$fields"
echo "$fields" | grep -q "^$host_mac	ARP" || rf_fail "no ARP reply in the capture"
[ "$(echo "$fields" | grep -c "^$guest_mac	ICMP	8")" -ge 3 ] || rf_fail "fewer than 3 echo requests captured"
[ "$(echo "$fields" | grep -c "^$host_mac	ICMP	0")" -ge 3 ] || rf_fail "fewer than 3 echo replies captured"
echo ok
