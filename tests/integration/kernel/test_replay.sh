#!/usr/bin/env bash
# ringfwd-replay into a real interface: a capture sent over DRIVER into a
# veth comes out of its peer byte for byte and in order, as tcpdump (the
# kernel's own capture, not our code) records it there. pkt.py compares the
# two with its own pcap reader, and tshark counts the frames.
#
#   M: m0 [ringfwd-replay, DRIVER] -- a0 [tcpdump] :A
#
# Usage: test_replay.sh DRIVER (af_packet).
set -u
drv=${1:?driver}
# shellcheck source=tests/integration/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd tcpdump
rf_need_cmd tshark
REPLAY=${REPLAY:-}
[ -x "$REPLAY" ] || rf_skip "REPLAY (the ringfwd-replay binary) not given"
pkt=$here/../fwd/pkt.py
mkpcap=$here/../replay/mkpcap.py

# Every size from a runt-sized 60 B to a full 1514 B frame (MTU 1500).
n=2000
python3 "$mkpcap" "$RF_TMP/in.pcap" "$n" 60,64,65,128,511,1024,1514 1000 || rf_fail "mkpcap.py failed"

kn_ns_add "$KN_M"
kn_ns_add "$KN_A"
kn_veth "$KN_M" "$KN_IF_M0" "$KN_A" "$KN_IF_A"

# -U: each frame written as it arrives; a 64 MB buffer holds the whole run.
# ip netns exec directly (not through a function): $! is then tcpdump itself.
ip netns exec "$KN_A" taskset -c 0 tcpdump -i "$KN_IF_A" -nn -U -B 65536 -s 0 \
	-w "$RF_TMP/out.pcap" 2>"$RF_TMP/tcpdump.log" &
rf_track $!
tcpdump_pid=$!
for _ in $(seq 1 100); do
	grep -q 'listening on' "$RF_TMP/tcpdump.log" 2>/dev/null && break
	sleep 0.1
done
grep -q 'listening on' "$RF_TMP/tcpdump.log" || rf_fail "tcpdump did not start"

# 50 kpps: the receiving veth queues what arrives on the CPU's backlog
# (net.core.netdev_max_backlog frames), which top speed could overrun.
# shellcheck disable=SC2046
kn_ns "$KN_M" timeout 60 "$REPLAY" -l 0,1 --main-lcore 0 $(kn_mem_args) --file-prefix "rfkn-rp-$$" \
	--vdev "$(kn_vdev "$drv" 0 "$KN_IF_M0")" -- --pcap "$RF_TMP/in.pcap" --pps 50000 \
	--json "$RF_TMP/replay.json" >"$RF_TMP/replay.log" 2>&1 ||
	rf_fail "ringfwd-replay exited with status $?"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$RF_TMP/replay.json")
[ "$sent" = "$n" ] || rf_fail "ringfwd-replay sent $sent of $n frames"
leaked=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["leaked_mbufs"])' "$RF_TMP/replay.json")
[ "$leaked" = 0 ] || rf_fail "ringfwd-replay: $leaked mbufs did not come back to the pool"

# Until tcpdump has written them all (-U: one write per frame), or stops
# writing more, then stop it.
prev=-1
for _ in $(seq 1 50); do
	got=$(python3 "$pkt" count "$RF_TMP/out.pcap" 2>/dev/null || echo 0)
	[ "$got" -ge "$n" ] && break
	[ "$got" = "$prev" ] && [ "$got" -gt 0 ] && break
	prev=$got
	sleep 0.3
done
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null

count=$(tshark -r "$RF_TMP/out.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
[ "$count" = "$n" ] || rf_fail "tshark counts $count frames in the capture, $n were sent"
python3 "$pkt" compare "$RF_TMP/in.pcap" "$RF_TMP/out.pcap" ||
	rf_fail "the captured frames differ from the capture replayed"
echo "PASS: $drv replay: $n frames (60..1514 B) byte-exact and in order at the far end of the veth"
