#!/usr/bin/env bash
# Frames longer than 65535 bytes (BIG TCP, IPv6 jumbograms, large TIPC
# messages) are carried whole or dropped with a count, never cut short:
#
# 1. ringfwd-replay and ringfwd (io) into net_pcap tx_pcap: a generated
#    capture with frames of 100, 65536, 80000 and 262144 bytes comes out byte
#    for byte, read back by tcpdump (not our loader).
# 2. Through a port whose maximum frame is smaller (net_pcap tx_iface on the
#    loopback of a network namespace this test makes: at most 65535 bytes),
#    the three long frames are not sent, and the replay report, its JSON and
#    ringfwd's final table and JSON say so (3 oversize); the short one goes.
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd tcpdump
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || rf_skip "RINGFWD (the ringfwd binary) not given"

big=$RF_TMP/big.pcap
python3 "$MKPCAP" "$big" 4 100,65536,80000,262144 1000 || rf_fail "mkpcap.py failed"
[ "$(tcpdump -nn -q -r "$big" 2>/dev/null | grep -c '^[0-9]')" = 4 ] || rf_fail "tcpdump does not read 4 frames from the generated capture"

same() { # out.pcap what
	python3 "$here/same_frames.py" "$big" "$1" >/dev/null || rf_fail "$2: the frames written differ from the 4 sent"
	# And tcpdump (not ours, not our loader) sees the 262144-byte frame whole.
	tcpdump -nn -q -r "$1" 2>/dev/null | grep -c "length 262144: *$" | grep -qx 1 ||
		rf_fail "$2: tcpdump finds no 262144-byte record"
	echo "ok: $2: 100, 65536, 80000, 262144 bytes written whole, in order"
}

# 1a. ringfwd-replay -> tx_pcap
rp_run replay_pcap --vdev "net_pcap0,tx_pcap=$RF_TMP/replay_out.pcap" -- --pcap "$big" --topspeed ||
	rf_fail "replay_pcap: exit $?"
same "$RF_TMP/replay_out.pcap" replay_pcap
[ "$(rp_json replay_pcap 'd["sent"]')" = 4 ] || rf_fail "replay_pcap: sent is not 4"
[ "$(rp_json replay_pcap 'd["oversize"]["packets"]')" = 0 ] || rf_fail "replay_pcap: oversize counted"

# ringfwd: forward from rx_pcap until the file is done, then SIGINT. With
# NS set, inside that namespace (ip netns exec execs ringfwd itself, so $! is
# ringfwd's PID; a shell function in the background would be a subshell).
fwd_run() { # name devargs
	local name=$1 pid pre=()
	[ -n "${NS:-}" ] && pre=(ip netns exec "$NS")
	# shellcheck disable=SC2046
	"${pre[@]}" "$RINGFWD" -l 0,1 --main-lcore 0 $(rp_mem_args) --file-prefix "rfbig-$name-$$" \
		--vdev "$2" -- --forward-mode=io --stats-json="$RF_TMP/$name.json" \
		>"$RF_TMP/$name.log" 2>&1 &
	pid=$!
	rf_track "$pid"
	rf_wait_log "$RF_TMP/$name.log" "RX port 0 queue 0" 30
	sleep 2
	kill -INT "$pid"
	for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; rf_fail "$name: still running 30 s after SIGINT"; }
	wait "$pid" || rf_fail "$name: ringfwd exit $?"
}
fwd_json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$RF_TMP/$1.json" "$2"
}

# 1b. ringfwd io: rx_pcap -> tx_pcap
fwd_run fwd_pcap "net_pcap0,rx_pcap=$big,tx_pcap=$RF_TMP/fwd_out.pcap"
same "$RF_TMP/fwd_out.pcap" fwd_pcap
[ "$(fwd_json fwd_pcap 'd["ports"][0]["tx_oversize"]')" = 0 ] || rf_fail "fwd_pcap: oversize counted"

# 2. A port with a smaller maximum: the loopback of a namespace of ours.
[ "$(id -u)" = 0 ] || rf_skip "the namespace half needs root"
rf_need_cmd ip
ns=rfbig$$
ip netns add "$ns" || rf_fail "cannot create namespace $ns"
trap 'ip netns del "$ns" 2>/dev/null; rf_cleanup' EXIT
ip -n "$ns" link set lo up
inns() { ip netns exec "$ns" "$@"; }

# shellcheck disable=SC2046
inns timeout 120 "$REPLAY" -l 0,1 --main-lcore 0 $(rp_mem_args) --file-prefix "rfbig-lo-$$" \
	--log-level err --vdev "net_pcap0,tx_iface=lo" -- --json "$RF_TMP/replay_lo.json" \
	--pcap "$big" --topspeed >"$RF_TMP/replay_lo.log" 2>&1 || rf_fail "replay_lo: exit $?"
grep -q "^Oversize: 3 packets (407680 bytes) not sent: longer than port 0 can carry (at most 65535 bytes" \
	"$RF_TMP/replay_lo.log" || rf_fail "replay_lo: the report does not say 3 frames were too long"
[ "$(rp_json replay_lo 'd["oversize"]["packets"]')" = 3 ] || rf_fail "replay_lo: JSON oversize is not 3"
[ "$(rp_json replay_lo 'd["oversize"]["max_tx_pktlen"]')" = 65535 ] || rf_fail "replay_lo: JSON max_tx_pktlen"
[ "$(rp_json replay_lo 'd["sent"]')" = 1 ] || rf_fail "replay_lo: sent is not 1"
[ "$(rp_json replay_lo 'd["capture"]["packets"]')" = 4 ] || rf_fail "replay_lo: capture is not 4 packets"
echo "ok: replay_lo: 3 oversize frames reported and not sent, 1 sent"

NS=$ns fwd_run fwd_lo "net_pcap0,rx_pcap=$big,tx_iface=lo"
grep -q "TX-oversize: 3$" "$RF_TMP/fwd_lo.log" || rf_fail "fwd_lo: the final table does not show TX-oversize: 3"
[ "$(fwd_json fwd_lo 'd["ports"][0]["tx_oversize"]')" = 3 ] || rf_fail "fwd_lo: JSON tx_oversize is not 3"
[ "$(fwd_json fwd_lo 'd["ports"][0]["tx_errors"]')" = 0 ] || rf_fail "fwd_lo: oversize counted as errors"
echo "ok: fwd_lo: 3 oversize frames in the final table and the JSON"
echo "PASS"
