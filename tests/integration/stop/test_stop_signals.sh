#!/usr/bin/env bash
# Stop signals that come in twos and threes: `timeout -s INT` signals ringfwd
# and then its process group (two SIGINTs), and people press Ctrl-C twice.
# Once ringfwd has begun to stop, any further SIGINT/SIGTERM must only be
# noted ("already stopping"): every run below must end with exit 0, the final
# table, every mbuf back, and the --stats-json file.
#
#   forwarding   against dpdk-testpmd (flowgen): timeout -s INT, then kill
#                -INT twice and three times in a row;
#   slow stop    a back-end (hostile_backend.py slow) that takes 2 s to answer
#                each GET_VRING_BASE: SIGINT, then, once ringfwd is inside
#                its stop (the back-end saw GET_VRING_BASE), SIGINT, SIGINT,
#                SIGTERM: each must be noted, none may cut the report short;
#   broken ring  a back-end (hostile_backend.py broken) that writes a used
#                entry naming no descriptor and never answers GET_VRING_BASE:
#                the queue is marked broken, and the stop must not ask that
#                back-end anything (it would wait out the reply timeout);
#   start-up     ringfwd listening (server=1) for a back-end that never comes:
#                SIGINT and SIGTERM must end the wait for the link at once and
#                leave nothing behind (no socket file, no hugepage file).
. "$(dirname "$0")/../fwd/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# The final report, whole, and exit 0.
check_report() {
	local name=$1 rc=$2
	fwd_expect_eq "$name: exit status" "$rc" 0
	grep -q "^  total" "$RF_TMP/$name.log" || rf_fail "$name: no final table"
	grep -q "^  mbufs: all [0-9]* back in 1 pool, none leaked" "$RF_TMP/$name.log" ||
		rf_fail "$name: the final table does not say every mbuf is back"
	[ -s "$RF_TMP/$name.json" ] || rf_fail "$name: no --stats-json file"
	fwd_expect_eq "$name: mbufs_leaked in the JSON" "$(fwd_json "$name" 'd["mbufs_leaked"]')" 0
}

wait_exit() {
	local pid=$1
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; rf_fail "pid $pid still running 30 s after the signals"; }
	wait "$pid"
}

# --- forwarding, against testpmd ---
sock=$RF_TMP/vhost0.sock
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" -- --forward-mode=flowgen \
	--auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30

# timeout -s INT: one SIGINT to ringfwd, one to the process group it shares with timeout.
name=timeout_int
# shellcheck disable=SC2046
timeout --preserve-status -s INT 4 "$RINGFWD" -l 0,1 --main-lcore 0 $(fwd_mem_args) \
	--file-prefix "rffwd-$name-$$" --vdev "net_virtio_user0,path=$sock" -- --forward-mode=io \
	--stats-period=1 --stats-json="$RF_TMP/$name.json" >"$RF_TMP/$name.log" 2>&1
rc=$?
check_report "$name" "$rc"
[ "$(fwd_json "$name" 'd["ports"][0]["rx_packets"]')" -gt 0 ] || rf_fail "$name: forwarded nothing"

for n in 2 3; do
	name=kill_int_x$n
	fwd_start "$name" --vdev "net_virtio_user0,path=$sock" -- --forward-mode=io
	fwd_wait_links "$name" 1
	fwd_wait_count "$name" 0 rx-packets 1000 30
	pid=$(fwd_pid "$name")
	for _ in $(seq 1 "$n"); do kill -INT "$pid" 2>/dev/null; done
	wait_exit "$pid"
	check_report "$name" $?
done
rf_peer_stop peer

# --- a slow stop: the back-end takes its time over GET_VRING_BASE ---
hsock=$RF_TMP/slow.sock
python3 "$here/hostile_backend.py" slow "$hsock" >"$RF_TMP/backend_slow.log" 2>&1 &
rf_track $!
rf_wait_socket "$hsock" 10
name=slow_stop
fwd_start "$name" --vdev "net_virtio_user0,path=$hsock" -- --forward-mode=io
fwd_wait_links "$name" 1
pid=$(fwd_pid "$name")
kill -INT "$pid"
rf_wait_log "$RF_TMP/backend_slow.log" "request GET_VRING_BASE" 20
kill -INT "$pid"
kill -INT "$pid"
kill -TERM "$pid"
wait_exit "$pid"
check_report "$name" $?
notes=$(grep -c "already stopping" "$RF_TMP/$name.log")
[ "$notes" -ge 1 ] || rf_fail "$name: the signals during the stop were not noted"
grep -q "^ringfwd: SIGTERM again: already stopping" "$RF_TMP/$name.log" ||
	rf_fail "$name: the SIGTERM during the stop was not noted"
echo "ok: $name: $notes signals during the stop noted, report whole"

# --- a broken ring: the stop must not wait on that back-end ---
bsock=$RF_TMP/broken.sock
python3 "$here/hostile_backend.py" broken "$bsock" >"$RF_TMP/backend_broken.log" 2>&1 &
rf_track $!
rf_wait_socket "$bsock" 10
name=broken_ring
fwd_start "$name" --vdev "net_virtio_user0,path=$bsock" -- --forward-mode=io
rf_wait_log "$RF_TMP/$name.log" "device broke the ring: used id out of range" 30
pid=$(fwd_pid "$name")
kill -INT "$pid"
kill -INT "$pid" 2>/dev/null
wait_exit "$pid"
check_report "$name" $?
fwd_expect_eq "$name: RX errors counted" "$(fwd_json "$name" 'd["ports"][0]["rx_errors"]')" 1
if grep -q "request GET_VRING_BASE" "$RF_TMP/backend_broken.log"; then
	rf_fail "$name: the stop asked the back-end that broke the ring for GET_VRING_BASE"
fi
grep -q "it broke a ring; stopping without asking" "$RF_TMP/$name.log" ||
	rf_fail "$name: no line saying why the stop did not ask the back-end"
echo "ok: $name: stopped without asking the back-end that broke the ring"

# --- start-up: waiting for a back-end that never comes ---
for sig in INT TERM; do
	name=startup_$sig
	lsock=$RF_TMP/listen_$sig.sock
	fwd_start "$name" --vdev "net_virtio_user0,path=$lsock,server=1" -- --forward-mode=io
	rf_wait_socket "$lsock" 20
	pid=$(fwd_pid "$name")
	kill -"$sig" "$pid"
	kill -"$sig" "$pid" 2>/dev/null
	wait_exit "$pid"
	check_report "$name" $?
	grep -q "^ringfwd: SIG$sig, stopping" "$RF_TMP/$name.log" || rf_fail "$name: no 'SIG$sig, stopping'"
	# The wait for the link (5 s) was cut short: no "link down after" verdict.
	if grep -q "link down after" "$RF_TMP/$name.log"; then
		rf_fail "$name: start-up waited out the link timeout after the signal"
	fi
	[ -e "$lsock" ] && rf_fail "$name: the socket $lsock was left behind"
	left=$(find /dev/hugepages /dev/shm -maxdepth 1 -name "*rffwd-$name-$$*" 2>/dev/null)
	[ -z "$left" ] || rf_fail "$name: left behind: $left"
	echo "ok: $name: stopped during start-up, nothing left behind"
done
# --- ringfwd-replay: the same discipline (no peer: a net_pcap port writes a file) ---
if [ -x "${REPLAY:-}" ]; then
	for n in 2 3; do
		name=replay_x$n
		# shellcheck disable=SC2046
		"$REPLAY" -l 0,1 --main-lcore 0 $(fwd_mem_args) --file-prefix "rfrep-$name-$$" \
			--vdev "net_pcap0,tx_pcap=$RF_TMP/$name.pcap" -- \
			--pcap "$here/../../data/pcap/good_64.pcap" --pps 1000 --loop 0 \
			--json "$RF_TMP/$name.json" >"$RF_TMP/$name.log" 2>&1 &
		pid=$!
		rf_track "$pid"
		rf_wait_log "$RF_TMP/$name.log" "^File " 20
		sleep 1
		for _ in $(seq 1 "$n"); do kill -INT "$pid" 2>/dev/null; done
		wait_exit "$pid"
		fwd_expect_eq "$name: exit status" "$?" 0
		grep -q "^Actual: [1-9][0-9]* packets" "$RF_TMP/$name.log" || rf_fail "$name: no report of what was sent"
		grep -q "^Mbufs leaked: 0" "$RF_TMP/$name.log" || rf_fail "$name: no leak line, or a leak"
		grep -q '"stopped": true' "$RF_TMP/$name.json" || rf_fail "$name: the JSON does not say it was stopped"
	done
fi
echo "PASS"
