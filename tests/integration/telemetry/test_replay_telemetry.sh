#!/usr/bin/env bash
# test_replay_telemetry.sh: ringfwd-replay serves the telemetry socket while
# it replays. dpdk-telemetry.py reads /ringfwd/replay twice during a paced
# replay into testpmd: it is sending, the sent count grows, progress is
# between 0 and 1 and the rate error is a number; /ethdev/list, /mempool/list
# and /mempool/info answer. At the end the socket is gone and the JSON's
# count is the whole run.
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/../replay/lib.sh"
rf_need_root
rf_need_cmd dpdk-testpmd
rf_need_cmd dpdk-telemetry.py

prefix=rfrp-tel-$$
tsock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
sock=$RF_TMP/vhost.sock
count=40000 # 4 s at 10 kpps

# tel_val CMD EXPR: EXPR (Python, r is the reply's data) from dpdk-telemetry.py's answer to CMD.
tel_val() {
	echo "$1" | dpdk-telemetry.py -f "$prefix" | python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.startswith("{")]
assert len(lines) == 1, lines
r = list(json.loads(lines[0]).values())[0]
print(eval(sys.argv[1]))' "$2"
}

python3 "$MKPCAP" "$RF_TMP/in.pcap" 64 64 1000 || rf_fail "mkpcap.py failed"
rp_peer_start peer "$sock" -- --forward-mode=rxonly --no-flush-rx --auto-start \
	--stats-period 1 --nb-cores=1 --total-num-mbufs=16384
# shellcheck disable=SC2046
"$REPLAY" -l 0,1 --main-lcore 0 $(rp_mem_args) --file-prefix "$prefix" --log-level err \
	--vdev "net_virtio_user0,path=$sock" -- --json "$RF_TMP/rp.json" --pcap "$RF_TMP/in.pcap" \
	--pps 10000 --loop 0 --limit "$count" >"$RF_TMP/rp.log" 2>&1 &
pid=$!
rf_track "$pid"
rf_wait_socket "$tsock" 20
for _ in $(seq 1 100); do
	[ "$(tel_val /ringfwd/replay 'r["sent"] > 0')" = True ] && break
	sleep 0.1
done
a=$(tel_val /ringfwd/replay 'r["sent"]')
sleep 0.5
b=$(tel_val /ringfwd/replay '"%s %s %s %s %s" % (r["state"], r["sent"], r["total"],
	0 < r["progress"] < 1, isinstance(r["rate_error"], float))')
echo "sent $a, then: $b"
read -r state sent total inrange errnum <<<"$b"
[ "$state" = sending ] || rf_fail "state is $state while sending"
[ "$sent" -gt "$a" ] || rf_fail "sent did not grow: $a, then $sent"
[ "$total" = "$count" ] || rf_fail "total is $total, expected $count"
[ "$inrange" = True ] || rf_fail "progress not between 0 and 1"
[ "$errnum" = True ] || rf_fail "rate_error is not a number"
[ "$(tel_val /ethdev/list 'r')" = "[0]" ] || rf_fail "/ethdev/list"
[ "$(tel_val /mempool/list 'r')" = "['replay_pool']" ] || rf_fail "/mempool/list"
[ "$(tel_val /mempool/info,replay_pool 'r["size"] > 0')" = True ] || rf_fail "/mempool/info"
wait "$pid" || rf_fail "ringfwd-replay exited with $?"
rf_peer_stop peer
[ "$(rp_json rp 'd["sent"]')" = "$count" ] || rf_fail "the JSON says $(rp_json rp 'd["sent"]') sent"
[ ! -e "$tsock" ] || rf_fail "ringfwd-replay left $tsock behind"
echo "PASS"
