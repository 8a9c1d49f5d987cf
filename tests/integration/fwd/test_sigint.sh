#!/usr/bin/env bash
# Stopping mid-traffic: the peer (flowgen) floods ringfwd (io, back to the
# peer). SIGINT, then SIGTERM on a second run: ringfwd must stop its lcores,
# drain its ports, print the final table, find every mbuf back in its pool,
# and exit 0; packets must have gone both ways (the peer counts what came
# back). A third run is stopped right after start-up, before any period.
. "$(dirname "$0")/lib.sh"

sock=$RF_TMP/vhost0.sock
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" -- --forward-mode=flowgen \
	--auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30

check_stop() {
	local name=$1 sig=$2 rc
	local pid
	pid=$(fwd_pid "$name")
	kill -"$sig" "$pid"
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fwd_show "$name"; rf_fail "$name: still running 30 s after SIG$sig"; }
	wait "$pid"
	rc=$?
	fwd_show "$name"
	fwd_expect_eq "$name: exit status after SIG$sig" "$rc" 0
	grep -q "^ringfwd: SIG$sig, stopping" "$RF_TMP/$name.log" || rf_fail "$name: no 'SIG$sig, stopping' line"
	grep -q "^  mbufs: all [0-9]* back in 1 pool, none leaked" "$RF_TMP/$name.log" ||
		rf_fail "$name: the final table does not say every mbuf is back"
	grep -q "^  total" "$RF_TMP/$name.log" || rf_fail "$name: no final table"
	fwd_expect_eq "$name: mbufs_leaked" "$(fwd_json "$name" 'd["mbufs_leaked"]')" 0
}

for sig in INT TERM; do
	name=run_$sig
	fwd_start "$name" --vdev "net_virtio_user0,path=$sock" -- --forward-mode=io
	fwd_wait_links "$name" 1
	fwd_wait_count "$name" 0 tx-packets 100000 30
	check_stop "$name" "$sig"
	rx=$(fwd_json "$name" 'd["ports"][0]["rx_packets"]')
	tx=$(fwd_json "$name" 'd["ports"][0]["tx_packets"]')
	[ "$rx" -ge 100000 ] && [ "$tx" -ge 100000 ] || rf_fail "$name: rx $rx tx $tx, expected 100000 or more"
	echo "ok: $name: received $rx, sent $tx"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["duration_s"] > 0 and d["busy_cycles_per_packet"] > 0, d' \
		"$RF_TMP/$name.json" || rf_fail "$name: duration or cycles per packet missing"
done

# Stopped as soon as it is up: a signal pending since start-up must stop it as cleanly.
fwd_start early --vdev "net_virtio_user0,path=$sock" -- --forward-mode=io
fwd_wait_links early 1
check_stop early INT

rf_peer_stop peer
back=$(rf_peer_stat peer RX-packets)
[ -n "$back" ] && [ "$back" -gt 0 ] || rf_fail "the peer received nothing back (RX-packets '$back')"
echo "ok: the peer received $back packets back from ringfwd"
echo "PASS"
