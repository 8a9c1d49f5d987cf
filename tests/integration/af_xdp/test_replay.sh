#!/usr/bin/env bash
# ringfwd-replay over AF_XDP into a veth: tcpdump on the other end captures
# exactly the frames of the capture, byte for byte and in order.
# shellcheck source=tests/integration/af_xdp/lib.sh
. "$(dirname "$0")/lib.sh"
REPLAY=${REPLAY:-}
[ -x "$REPLAY" ] || rf_skip "REPLAY (the ringfwd-replay binary) not given"
rf_need_cmd tcpdump
rf_need_cmd python3
MKPCAP="$here/../replay/mkpcap.py"

xdp_ns H
xdp_ns M
h="xdp${XDP_ID}h" r="xdp${XDP_ID}r"
xdp_veth "$XDP_NS_H" "$h" "$XDP_NS_M" "$r"

# 300 distinct UDP frames of 64, 594 and 1514 bytes (the veth's MTU).
python3 "$MKPCAP" "$RF_TMP/in.pcap" 300 64,594,1514 10000 || rf_fail "mkpcap.py failed"

# tcpdump in H on CPU 0, incoming frames only, until it has them all.
ip netns exec "$XDP_NS_H" taskset -c 0 tcpdump -i "$h" -Q in -U -n -s 0 -c 300 \
	-w "$RF_TMP/out.pcap" >"$RF_TMP/tcpdump.log" 2>&1 &
tcpdump_pid=$!
rf_track $tcpdump_pid
for _ in $(seq 1 50); do grep -q 'listening on' "$RF_TMP/tcpdump.log" && break; sleep 0.1; done

# shellcheck disable=SC2046
ip netns exec "$XDP_NS_M" timeout 60 "$REPLAY" -l 0,1 --main-lcore 0 $(xdp_mem_args) \
	--file-prefix "xdp-replay-$$" --vdev "net_af_xdp0,iface=$r" -- \
	--pcap "$RF_TMP/in.pcap" --pps 20000 >"$RF_TMP/replay.log" 2>&1 ||
	rf_fail "ringfwd-replay over AF_XDP failed"
for _ in $(seq 1 50); do kill -0 $tcpdump_pid 2>/dev/null || break; sleep 0.1; done
kill -INT $tcpdump_pid 2>/dev/null
wait $tcpdump_pid 2>/dev/null

frames() { tcpdump -r "$1" -xx -n 2>/dev/null | awk '/^[^\t ]/ {if (f) print f; f=""; next} {for (i=2;i<=NF;i++) f=f $i} END {if (f) print f}'; }
frames "$RF_TMP/in.pcap" >"$RF_TMP/in.hex"
frames "$RF_TMP/out.pcap" >"$RF_TMP/out.hex"
n_in=$(wc -l <"$RF_TMP/in.hex") n_out=$(wc -l <"$RF_TMP/out.hex")
[ "$n_in" = 300 ] || rf_fail "reading the input capture gave $n_in frames"
cmp -s "$RF_TMP/in.hex" "$RF_TMP/out.hex" ||
	rf_fail "the veth's far end saw $n_out frames that differ from the $n_in sent (first difference: line $(cmp "$RF_TMP/in.hex" "$RF_TMP/out.hex" | awk '{print $NF}'))"
xdp_iface_clean "$XDP_NS_M" "$r"
echo "PASS: ringfwd-replay over AF_XDP: $n_out frames byte-exact and in order"
