#!/usr/bin/env bash
# Two queues per port: the peer (flowgen, 2 TX queues) spreads flows over
# both of ringfwd's RX queues; each queue is a stream, and every stream must
# receive and send. Then the checks that need a real port: --rxq beyond the
# device's queues, --config naming a port that does not exist.
#
# Two forwarding lcores, each with its own TX queue: with 3 or more CPUs they
# get a CPU each; on a 2-CPU machine both are pinned to CPU 1 with the EAL's
# "L@CPU" form (the peer owns CPU 0, where ringfwd's main lcore sleeps). That
# is a functional test of the plan and the queues, not a performance one.
. "$(dirname "$0")/lib.sh"

sock=$RF_TMP/vhost0.sock
vdev="net_virtio_user0,path=$sock,queues=2"

rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=2" -- --forward-mode=flowgen \
	--rxq=2 --txq=2 --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30

# run NAME LCORES APP-ARGS...: forward until 200000 packets went through.
run() {
	local name=$1 lcores=$2
	shift 2
	FWD_LCORES=$lcores fwd_start "$name" --vdev "$vdev" -- "$@"
	fwd_wait_links "$name" 1
	fwd_wait_count "$name" 0 tx-packets 200000 30
	fwd_stop "$name"
	local rc=$?
	fwd_show "$name"
	[ "$rc" = 0 ] || rf_fail "$name: ringfwd exited with $rc"
	fwd_expect_eq "$name: streams" "$(fwd_json "$name" 'len(d["streams"])')" 2
	for s in 0 1; do
		local rx tx
		rx=$(fwd_json "$name" "d['streams'][$s]['rx_packets']")
		tx=$(fwd_json "$name" "d['streams'][$s]['tx_packets']")
		[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] ||
			rf_fail "$name: stream $s (RX queue $s) received $rx and sent $tx"
		echo "ok: $name: stream $s received $rx, sent $tx"
		fwd_expect_eq "$name: stream $s RX queue" "$(fwd_json "$name" "d['streams'][$s]['rx_queue']")" "$s"
	done
	fwd_expect_eq "$name: mbufs_leaked" "$(fwd_json "$name" 'd["mbufs_leaked"]')" 0
}

# One forwarding lcore polls both queues and sends on TX queue 0.
run one 0,1 --rxq=2 --txq=2
fwd_expect_eq "one: TX queue of stream 1" "$(fwd_json one "d['streams'][1]['tx_queue']")" 0

# The same mapping, spelt out as l3fwd does.
run config 0,1 --rxq=2 --txq=2 --config="(0,0,1),(0,1,1)"
fwd_expect_eq "config: lcore of stream 1" "$(fwd_json config "d['streams'][1]['lcore']")" 1

if [ "$(nproc)" -ge 3 ]; then
	two_lcores=0,1,2
else
	two_lcores=0@0,1@1,2@1
fi
# Two forwarding lcores: one stream each, TX queues 0 and 1.
run two "$two_lcores" --rxq=2 --txq=2 --nb-cores=2
fwd_expect_eq "two: lcore of stream 0" "$(fwd_json two "d['streams'][0]['lcore']")" 1
fwd_expect_eq "two: lcore of stream 1" "$(fwd_json two "d['streams'][1]['lcore']")" 2
fwd_expect_eq "two: TX queue of stream 1" "$(fwd_json two "d['streams'][1]['tx_queue']")" 1
FWD_LCORES=$two_lcores fwd_start txq1 --vdev "$vdev" -- --rxq=2 --txq=1 --nb-cores=2
wait "$(fwd_pid txq1)"
fwd_expect_eq "--txq=1 with 2 sending lcores: exit status" "$?" 2
grep -q -- "--txq: port 0 (net_virtio_user0) is sent to by 2 forwarding lcores" "$RF_TMP/txq1.log" ||
	{ fwd_show txq1; rf_fail "--txq=1 with 2 lcores: no message naming --txq"; }

# Usage errors that need the probed port: exit 2, one line naming the option.
bad() {
	local name=$1 re=$2
	shift 2
	fwd_start "$name" "$@"
	wait "$(fwd_pid "$name")"
	local rc=$?
	if [ "$rc" != 2 ] || ! grep -qE -- "$re" "$RF_TMP/$name.log"; then
		fwd_show "$name"
		rf_fail "$name: exit $rc, expected 2 and a line matching /$re/"
	fi
	echo "ok: $name: exit 2, $(grep -E -- "$re" "$RF_TMP/$name.log")"
}
bad rxq4 "^ringfwd: --rxq: 4 RX queues asked, but port 0 \(net_virtio_user0\) has 2" \
	--vdev "$vdev" -- --rxq=4 --txq=2
bad config_port "^ringfwd: --config: port 3 in \(3,0,1\) does not exist" \
	--vdev "$vdev" -- --config="(0,0,1),(3,0,1)"
bad no_port "^ringfwd: no ports: add one with --vdev" --
bad bad_vdev "bogus|unknown" --vdev "net_virtio_user0,path=$sock,bogus=1" --

rf_peer_stop peer
echo "PASS"
