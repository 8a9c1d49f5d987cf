#!/usr/bin/env bash
# More queues than the back-end offers: queues=2 against a vhost-user
# back-end whose GET_QUEUE_NUM says 1 (one_queue_backend.py; DPDK 22.11's
# testpmd cannot be that back-end, see test_queues_peer.sh). Refused at
# probe, in one line naming both counts, exit 2.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"

vu=net_virtio_user0
pcap=$RF_TMP/one.pcap
st_pcap "$pcap"

# backend NAME: start one, wait until it listens; its socket is $RF_TMP/NAME.sock.
backend() {
	python3 "$here/one_queue_backend.py" "$RF_TMP/$1.sock" "$RF_TMP/$1.ready" &
	rf_track $!
	for _ in $(seq 1 100); do [ -e "$RF_TMP/$1.ready" ] && return 0; sleep 0.1; done
	rf_fail "the one-queue back-end did not start"
}

backend b1
st_refused ringfwd_queues \
	"^ringfwd: $vu: queues=2 but the back-end at $RF_TMP/b1.sock offers 1 queue pair" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$RF_TMP/b1.sock,queues=2" -- --rxq=2 --txq=2
backend b2
st_refused replay_queues \
	"^ringfwd-replay: $vu: queues=2 but the back-end at $RF_TMP/b2.sock offers 1 queue pair" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$RF_TMP/b2.sock,queues=2" -- --pcap "$pcap"
st_done
