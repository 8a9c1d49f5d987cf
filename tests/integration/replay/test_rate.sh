#!/usr/bin/env bash
# Pacing over a fixed packet count at 10 kpps, 100 kpps and 1 Mpps, through
# virtio into testpmd. A functional check of the schedule, not of the
# machine's speed: the achieved rate is (packets - 1) / (last - first send),
# and must be within 1% of the requested one.
# - 10k and 100k: measured twice, by the tool's TSC (its JSON) and by the
#   timestamps of the peer's own capture (testpmd's net_pcap, read by tcpdump);
# - 1 Mpps: the peer writing a capture would not keep up on a shared core, so
#   it only counts (rxonly) and the rate is the tool's TSC report.
# Every packet must reach the peer in every case.
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_root
rf_need_cmd dpdk-testpmd
rf_need_cmd tcpdump

within1() { python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if b > 0 and abs(a / b - 1) < 0.01 else 1)' "$1" "$2"; }

for pps in 10000 100000 1000000; do
	count=$((pps < 100000 ? 20000 : pps))
	python3 "$MKPCAP" "$RF_TMP/in.pcap" 4096 64 1000 || rf_fail "mkpcap.py failed"
	sock=$RF_TMP/vhost-$pps.sock
	if [ "$pps" -lt 1000000 ]; then
		rp_peer_start "peer_$pps" "$sock" --vdev "net_pcap0,tx_pcap=$RF_TMP/peer-$pps.pcap" -- \
			--forward-mode=io --no-flush-rx --auto-start --stats-period 1 --nb-cores=1 \
			--total-num-mbufs=16384
	else
		rp_peer_start "peer_$pps" "$sock" -- --forward-mode=rxonly --no-flush-rx --auto-start \
			--stats-period 1 --nb-cores=1 --total-num-mbufs=16384
	fi
	rp_run "rate_$pps" --vdev "net_virtio_user0,path=$sock" -- --pcap "$RF_TMP/in.pcap" \
		--pps "$pps" --loop 0 --limit "$count" || rf_fail "$pps pps: exit $?"
	sleep 1.5
	rf_peer_stop "peer_$pps"
	sent=$(rp_json "rate_$pps" 'd["sent"]')
	tool=$(rp_json "rate_$pps" 'd["span_pps"]')
	got=$(rf_peer_stat "peer_$pps" RX-packets)
	[ "$sent" = "$count" ] || rf_fail "$pps pps: sent $sent of $count"
	[ "$got" = "$count" ] || rf_fail "$pps pps: the peer received $got of $count"
	within1 "$tool" "$pps" || rf_fail "$pps pps: the tool measured $tool pps"
	line="$pps pps: $count packets, tool $tool pps"
	if [ "$pps" -lt 1000000 ]; then
		peer=$(rp_capture_pps "$RF_TMP/peer-$pps.pcap")
		within1 "$peer" "$pps" || rf_fail "$pps pps: the peer's capture says $peer pps"
		line="$line, peer capture $peer pps"
	fi
	echo "$line (gap error $(rp_json "rate_$pps" 'd["gap_error_ns"]'))"
done
echo "PASS"
