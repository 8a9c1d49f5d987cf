#!/usr/bin/env bash
# More queues than the port offers, against the real peer: testpmd's net_vhost
# with queues=1, ringfwd's port with queues=1 and --rxq=2/--txq=2. Refused
# after the probe, in one line naming the counts and what to change, exit 2,
# with the port closed and nothing left.
#
# queues=2 on our side against net_vhost queues=1 is not refused: DPDK 22.11's
# vhost library answers GET_QUEUE_NUM with its build limit (128), not with
# net_vhost's queues=, so no driver can tell (the second queue pair is simply
# never polled). test_queues.sh covers a back-end that says 1.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"
rf_need_root
rf_need_cmd dpdk-testpmd

# The peer polls a core. Like every integration test this one takes no lock
# itself: scripts/test.sh holds /tmp/ringfwd-cores.lock around the suite, and
# a second flock here would wait for it forever.

vu=net_virtio_user0
sock=$RF_TMP/vhost0.sock
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" -- \
	--forward-mode=rxonly --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30

st_refused ringfwd_rxq \
	"^ringfwd: --rxq: 2 RX queues asked, but port 0 \($vu\) has 1; give the device more \(net_virtio_user: queues=N\) or lower --rxq$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1@1 --vdev "$vu,path=$sock,queues=1" -- --rxq=2 --txq=2
st_refused ringfwd_txq \
	"^ringfwd: --txq: 2 TX queues asked, but port 0 \($vu\) has 1; give the device more \(net_virtio_user: queues=N\) or lower --txq$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1@1 --vdev "$vu,path=$sock,queues=1" -- --txq=2
# A refused driver goes away cleanly: the peer lives on, and its socket too.
kill -0 "$(rf_peer_pid peer)" 2>/dev/null || st_fail "the peer died"
[ -S "$sock" ] || st_fail "the peer's socket is gone"
st_done
