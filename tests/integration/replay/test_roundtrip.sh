#!/usr/bin/env bash
# What goes out is what was in the capture: byte for byte, in order, read
# back by tcpdump (not our loader). First through a net_pcap port writing a
# capture (no peer), then through virtio into testpmd, which io-forwards its
# vhost port to a net_pcap capture of its own (root and dpdk-testpmd, else
# that half is skipped).
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd tcpdump

python3 "$MKPCAP" "$RF_TMP/gen.pcap" 3000 60,64,65,128,511,1024,1514,1518 1000 ||
	rf_fail "mkpcap.py failed"

same() { # in out what
	rp_frames "$1" >"$RF_TMP/in.hex"
	rp_frames "$2" >"$RF_TMP/out.hex"
	[ -s "$RF_TMP/in.hex" ] || rf_fail "$3: tcpdump read nothing from $1"
	cmp -s "$RF_TMP/in.hex" "$RF_TMP/out.hex" ||
		rf_fail "$3: $(wc -l <"$RF_TMP/out.hex") frames out differ from the $(wc -l <"$RF_TMP/in.hex") in"
	echo "$3: $(wc -l <"$RF_TMP/in.hex") frames byte-exact, in order"
}

# 1. net_pcap: every good capture of the corpus (chained mbufs for the jumbo
# frames, pcapng, both byte orders) and the generated one, twice over (--loop 2).
for f in "$DATA"/good*.pcap "$DATA"/good.pcapng "$RF_TMP/gen.pcap"; do
	name=pcap_$(basename "$f" | tr . _)
	rp_run "$name" --vdev "net_pcap0,tx_pcap=$RF_TMP/$name.pcap" -- --pcap "$f" --topspeed --loop 2 ||
		rf_fail "$name: exit $?"
	cat <(rp_frames "$f") <(rp_frames "$f") >"$RF_TMP/twice.hex"
	rp_frames "$RF_TMP/$name.pcap" >"$RF_TMP/out.hex"
	cmp -s "$RF_TMP/twice.hex" "$RF_TMP/out.hex" || rf_fail "$name: frames differ"
	[ "$(rp_json "$name" 'd["leaked_mbufs"]')" = 0 ] || rf_fail "$name: mbufs leaked"
	echo "$name: $(wc -l <"$RF_TMP/out.hex") frames byte-exact, in order (2 loops)"
done

# 2. virtio into the peer.
[ "$(id -u)" = 0 ] || rf_skip "the virtio half needs root"
rf_need_cmd dpdk-testpmd
sock=$RF_TMP/vhost.sock
rp_peer_start peer "$sock" --vdev "net_pcap0,tx_pcap=$RF_TMP/peer.pcap" -- \
	--forward-mode=io --no-flush-rx --auto-start --stats-period 1 --nb-cores=1 \
	--total-num-mbufs=16384
rp_run virtio --vdev "net_virtio_user0,path=$sock" -- --pcap "$RF_TMP/gen.pcap" --topspeed ||
	rf_fail "virtio: exit $?"
[ "$(rp_json virtio 'd["sent"]')" = 3000 ] || rf_fail "virtio: not all sent"
[ "$(rp_json virtio 'd["leaked_mbufs"]')" = 0 ] || rf_fail "virtio: mbufs leaked"
sleep 1
rf_peer_stop peer # closes its capture
same "$RF_TMP/gen.pcap" "$RF_TMP/peer.pcap" "virtio -> testpmd"
echo "PASS"
