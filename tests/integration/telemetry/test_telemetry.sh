#!/usr/bin/env bash
# test_telemetry.sh: ringfwd's telemetry socket, read by DPDK's own client.
#
# The peer (testpmd, txonly) sends into ringfwd (rxonly). dpdk-telemetry.py
# -f PREFIX reads /ethdev/list, /ethdev/stats,0 and /eal/lcore/usage twice:
# the packet counters grow in between. Then the peer stops sending, and the
# counters the socket reports are exactly those of the final --stats-json.
# A raw client (tel_client.py) sends the edge cases while ringfwd forwards,
# and forwarding goes on. A second ringfwd with the same prefix gets the next
# socket name, and both answer.
# The same run writes --stats-prom: the file passes `promtool check metrics`
# while forwarding, and its final counters are those of --stats-json.
# shellcheck source=tests/integration/fwd/lib.sh
. "$(dirname "$0")/../fwd/lib.sh"
tel=$here/../telemetry/tel_client.py
rf_need_cmd dpdk-telemetry.py
promtool=$("$here/../telemetry/promtool.sh") || rf_skip "no promtool (Debian's prometheus package)"
prom=$RF_TMP/rf.prom

sock=$RF_TMP/vhost0.sock
prefix=rffwd-rf-$$ # what fwd_start gives ringfwd "rf"
rundir=/var/run/dpdk/$prefix
tsock=$rundir/dpdk_telemetry.v2

# Feed commands to DPDK's client (it reads them from stdin) and print its JSON lines.
dpdk_tel() {
	local prefix=$1
	shift
	printf '%s\n' "$@" | dpdk-telemetry.py -f "$prefix"
}
# dpdk_tel_val PREFIX CMD EXPR: EXPR (Python, r is the reply's data) from one read.
dpdk_tel_val() {
	dpdk_tel "$1" "$2" | python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.startswith("{")]
assert len(lines) == 1, lines
r = list(json.loads(lines[0]).values())[0]
print(eval(sys.argv[1]))' "$3"
}

rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" -- \
	-i --forward-mode=txonly --txpkts=64 --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30
fwd_start rf --vdev "net_virtio_user0,path=$sock" -- --forward-mode=rxonly --stats-prom="$prom"
fwd_wait_links rf 1
fwd_peer_ready peer
rf_wait_socket "$tsock" 10
fwd_peer_cmd_wait peer "forwarding packets/burst" start
fwd_wait_count rf 0 rx-packets 1000 30

echo "---- dpdk-telemetry.py -f $prefix ----"
dpdk_tel "$prefix" /ethdev/list /ethdev/stats,0 /eal/lcore/usage | tee "$RF_TMP/tel1.out"
[ "$(grep -c '^{' "$RF_TMP/tel1.out")" = 3 ] || rf_fail "expected 3 replies"
fwd_expect_eq "/ethdev/list" "$(dpdk_tel_val "$prefix" /ethdev/list 'r')" "[0]"
fwd_expect_eq "/ethdev/stats,0 queue arrays" \
	"$(dpdk_tel_val "$prefix" /ethdev/stats,0 'len(r["q_ipackets"]) == 16 and r["q_ipackets"][0] <= r["ipackets"]')" True
usage=$(dpdk_tel_val "$prefix" /eal/lcore/usage \
	'"%d %d %d" % (r["lcore_ids"][0], r["busy_cycles"][0], r["total_cycles"][0])')
read -r ulcore ubusy utotal <<<"$usage"
fwd_expect_eq "/eal/lcore/usage lcore" "$ulcore" 1
if [ "$ubusy" -le 0 ] || [ "$ubusy" -gt "$utotal" ]; then
	rf_fail "usage: busy $ubusy of total $utotal"
fi

rx1=$(dpdk_tel_val "$prefix" /ethdev/stats,0 'r["ipackets"]')
fwd_wait_count rf 0 rx-packets $((rx1 + 1000)) 30
rx2=$(dpdk_tel_val "$prefix" /ethdev/stats,0 'r["ipackets"]')
echo "ipackets: $rx1, then $rx2"
[ "$rx2" -gt "$rx1" ] || rf_fail "ipackets did not grow between two reads: $rx1, $rx2"

echo "---- --stats-prom while forwarding ----"
"$promtool" check metrics <"$prom" || rf_fail "promtool check metrics rejects $prom"
grep -E '^ringfwd_port_rx_packets_total\{port="0",name="net_virtio_user0"\} [1-9]' "$prom" ||
	rf_fail "no port 0 rx packets in $prom"

echo "---- edge cases, raw SOCK_SEQPACKET client ----"
python3 "$tel" "$tsock" edge || rf_fail "telemetry edge cases"
rx3=$(dpdk_tel_val "$prefix" /ethdev/stats,0 'r["ipackets"]')
fwd_wait_count rf 0 rx-packets $((rx3 + 1000)) 30 # forwarding went on

echo "---- a second ringfwd with the same prefix: -i, not forwarding ----"
mkfifo "$RF_TMP/second.in"
exec {second_in}<>"$RF_TMP/second.in"
"$RINGFWD" -l 2@0,3@0 --main-lcore 2 --no-huge -m 64 --file-prefix "$prefix" \
	--vdev "net_pcap0,rx_pcap=$here/../../data/pcap/good_64.pcap,tx_pcap=$RF_TMP/second.pcap" -- \
	-i <"$RF_TMP/second.in" >"$RF_TMP/second.log" 2>&1 &
second=$!
rf_track "$second"
rf_wait_socket "$tsock:1" 10
fwd_expect_eq "second instance pid" "$(python3 "$tel" "$tsock:1" query /info |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["/info"]["pid"])')" "$second"
fwd_expect_eq "second instance, dpdk-telemetry.py -i 1" \
	"$(printf '/ringfwd/info\n' | dpdk-telemetry.py -f "$prefix" -i 1)" \
	'{"/ringfwd/info": {"mode": "io", "state": "stopped", "steering": "device", "ports": 1, "streams": 1, "lcores": 1, "seconds": 0}}'
fwd_expect_eq "first instance pid" "$(python3 "$tel" "$tsock" query /info |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["/info"]["pid"])')" "$(fwd_pid rf)"
echo quit >&"$second_in"
wait "$second" || rf_fail "the second ringfwd (-i) exited with $?"
[ ! -e "$tsock:1" ] || rf_fail "the second instance left $tsock:1 behind"

echo "---- the peer stops: the socket's counters are the final ones ----"
fwd_peer_cmd_wait peer "Accumulated forward statistics" stop
sleep 1.5 # one stats period: what was in flight has been received
a=$(dpdk_tel_val "$prefix" /ethdev/stats,0 'r["ipackets"], r["ibytes"]')
s=$(dpdk_tel_val "$prefix" /ringfwd/streams 'r[0]["rx_packets"]')
b=$(dpdk_tel_val "$prefix" /ethdev/stats,0 'r["ipackets"], r["ibytes"]')
fwd_expect_eq "two reads with no traffic" "$b" "$a"
fwd_stop rf
rc=$?
fwd_peer_quit peer
[ "$rc" = 0 ] || rf_fail "ringfwd exited with $rc"
fwd_expect_eq "telemetry vs --stats-json" "$a" \
	"$(fwd_json rf '(d["ports"][0]["rx_packets"], d["ports"][0]["rx_bytes"])')"
fwd_expect_eq "/ringfwd/streams vs --stats-json" "$s" "$(fwd_json rf 'd["ports"][0]["rx_packets"]')"
[ ! -e "$tsock" ] || rf_fail "ringfwd left $tsock behind"
"$promtool" check metrics <"$prom" || rf_fail "promtool check metrics rejects the final $prom"
for f in "$prom".tmp.*; do
	[ ! -e "$f" ] || rf_fail "a temporary prom file is left: $f"
done
prom_val() { awk -v m="$1" '$1 == m { print $2 }' "$prom"; }
fwd_expect_eq "prom rx_packets vs --stats-json" \
	"$(prom_val 'ringfwd_port_rx_packets_total{port="0",name="net_virtio_user0"}')" \
	"$(fwd_json rf 'd["ports"][0]["rx_packets"]')"
fwd_expect_eq "prom rx_bytes vs --stats-json" \
	"$(prom_val 'ringfwd_port_rx_bytes_total{port="0",name="net_virtio_user0"}')" \
	"$(fwd_json rf 'd["ports"][0]["rx_bytes"]')"
fwd_expect_eq "prom lcore 1 rx_packets vs --stats-json" \
	"$(prom_val 'ringfwd_lcore_rx_packets_total{lcore="1",role="fwd"}')" \
	"$(fwd_json rf 'd["lcores"][0]["rx_packets"]')"
echo "PASS"
