#!/usr/bin/env bash
# ringfwd on real traffic, on a fresh Debian 12 machine, as root:
#
#   1. installs what is missing, reserves hugepages if it can, builds;
#   2. starts DPDK's testpmd as the peer: a vhost-user device (net_vhost) on
#      CPU 0, generating many flows (flowgen) and counting what comes back;
#   3. runs ringfwd in io mode on CPU 1 for RF_DEMO_SECONDS (default 10), its
#      virtio driver attached to that device, with a stats line per second;
#   4. stops both and prints the final tables.
#
# RF_DEMO_NO_HUGE=1 leaves the hugepage reservation alone (plain memory).
#
# Exit 0 only if packets really went both ways: ringfwd received and sent
# (its JSON), every mbuf came back to its pool, and the peer counted packets
# out and back in.
set -u
. "$(dirname "$0")/lib/setup.sh"
cd "$RF_ROOT" || exit 1

seconds=${RF_DEMO_SECONDS:-10}
build=${RF_DEMO_BUILD:-$RF_ROOT/build}

rf_install_deps || exit 1
if [ -n "${RF_DEMO_NO_HUGE:-}" ]; then
	mem=memfd
else
	mem=$(rf_hugepages 1024)
fi
if [ "$mem" = huge ]; then
	mem_args=(-m 256)
else
	rf_log "no hugepages: ringfwd uses plain memory (--no-huge)"
	mem_args=(--no-huge -m 256)
fi
ringfwd=$(rf_build_ringfwd "$build") || exit 1

tmp=$(mktemp -d /tmp/ringfwd-demo.XXXXXX)
sock=$tmp/vhost0.sock
peer_pid=""
rf_pid=""
cleanup() {
	# Our own processes only, by PID.
	rf_stop_pids "$rf_pid" "$peer_pid"
	rm -rf "$tmp" "/var/run/dpdk/rfdemo-peer-$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rf_log "peer: dpdk-testpmd, net_vhost at $sock, flowgen, on CPU 0"
rf_start_flowgen_peer "$sock" "$tmp/peer.log" "rfdemo-peer-$$" 1 || exit 1

rf_log "ringfwd: io mode, forwarding lcore on CPU 1 (main lcore on CPU 0, asleep), ${seconds} s"
echo "+ ringfwd -l 0,1 --main-lcore 0 ${mem_args[*]} --vdev net_virtio_user0,path=$sock -- --forward-mode=io --stats-period=1"
"$ringfwd" -l 0,1 --main-lcore 0 "${mem_args[@]}" --file-prefix "rfdemo-$$" \
	--vdev "net_virtio_user0,path=$sock" -- \
	--forward-mode=io --stats-period=1 --stats-json="$tmp/ringfwd.json" &
rf_pid=$!
sleep "$seconds"
kill -INT "$rf_pid" 2>/dev/null
wait "$rf_pid"
rf_rc=$?
rf_pid=""

rf_stop_pids "$peer_pid"
wait "$peer_pid" 2>/dev/null
peer_pid=""

echo
echo "---------- the peer (dpdk-testpmd, flowgen) ----------"
sed -n '/Accumulated forward statistics for all ports/,/+++++++*$/p' "$tmp/peer.log" | sed -n '1,4p'

# The verdict: numbers from ringfwd's JSON and the peer's final totals.
peer_stat() {
	awk -v k="$1:" '
		/Accumulated forward statistics for all ports/ { acc = 1; next }
		acc { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }
	' "$tmp/peer.log"
}
json() {
	python3 -c 'import json, sys; print(eval(sys.argv[2], {"d": json.load(open(sys.argv[1]))}))' \
		"$tmp/ringfwd.json" "$1" 2>/dev/null
}
rx=$(json 'd["total"]["rx_packets"]')
tx=$(json 'd["total"]["tx_packets"]')
leaked=$(json 'd["mbufs_leaked"]')
cpp=$(json 'round(d["busy_cycles_per_packet"], 1)')
peer_tx=$(peer_stat TX-packets)
peer_rx=$(peer_stat RX-packets)

echo
echo "---------- verdict ----------"
echo "ringfwd: exit $rf_rc, received ${rx:-?}, sent ${tx:-?}, ${cpp:-?} busy cycles per packet, mbufs leaked ${leaked:-?}"
echo "peer:    sent ${peer_tx:-?}, received back ${peer_rx:-?}"
ok=1
[ "$rf_rc" = 0 ] || ok=0
[ "${rx:-0}" -gt 0 ] && [ "${tx:-0}" -gt 0 ] || ok=0
[ "${leaked:-1}" = 0 ] || ok=0
[ "${peer_tx:-0}" -gt 0 ] && [ "${peer_rx:-0}" -gt 0 ] || ok=0
if [ "$ok" = 1 ]; then
	echo "OK: packets went peer -> ringfwd -> peer"
	exit 0
fi
echo "FAILED: traffic did not go both ways (peer log: kept in ${tmp}.log)"
cp "$tmp/peer.log" "${tmp}.log" 2>/dev/null
exit 1
