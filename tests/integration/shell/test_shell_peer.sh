#!/usr/bin/env bash
# ringfwd -i against the testpmd peer (flowgen, flooding ringfwd's one
# virtio-user port over vhost-user). The shell is fed from a fifo, one
# command at a time after the answer to the previous one, so the session is
# a script with no timed assertions: --cmdline-file sets the mode and burst;
# then start, show port stats twice (the counters must grow between the two
# while traffic flows), stop (testpmd's accumulated statistics), port stop /
# port config all rxd 128 (512: refused) / port start, set fwd and set burst, start again,
# quit (forwarding stops, main's shutdown finds every mbuf back, exit 0).
. "$(dirname "$0")/../fwd/lib.sh"

sock=$RF_TMP/vhost0.sock
rf_peer_start peer 0 --vdev "net_vhost0,iface=$sock,queues=1" -- --forward-mode=flowgen \
	--auto-start --nb-cores=1 --total-num-mbufs=16384
rf_wait_socket "$sock" 30

log=$RF_TMP/shell.log
cat >"$RF_TMP/init.txt" <<'EOF'
set fwd macswap
set burst 16
show config fwd
EOF
mkfifo "$RF_TMP/shell.in"
# shellcheck disable=SC2046
"$RINGFWD" -l 0,1 --main-lcore 0 $(fwd_mem_args) --file-prefix "rfshell-$$" \
	--vdev "net_virtio_user0,path=$sock" -- -i --cmdline-file "$RF_TMP/init.txt" \
	<"$RF_TMP/shell.in" >"$log" 2>&1 &
pid=$!
rf_track "$pid"
FWD_PID_shell=$pid
exec {in}>"$RF_TMP/shell.in"

# cmd LINE RE: send LINE, wait until one more line matches RE than before.
cmd() {
	local before
	before=$(grep -cE "$2" "$log")
	echo "$1" >&"$in"
	for _ in $(seq 1 300); do
		[ "$(grep -cE "$2" "$log")" -gt "$before" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rf_fail "ringfwd -i: no /$2/ after '$1'"
}
# The last RX-packets of a "show port stats 0" block.
rx_shown() { awk '/NIC statistics for port 0/ {b = 1} b && $1 == "RX-packets:" {v = $2} END {print v + 0}' "$log"; }

rf_wait_log "$log" '^macswap packet forwarding - ports=1 - cores=1 - streams=1 - burst=16$' 60 ||
	rf_fail "--cmdline-file did not set the mode and burst"
fwd_wait_links shell 1
cmd "start" 'lcore 1: RX port 0 queue 0 -> TX port 0 queue 0'
# Counters grow while forwarding: wait for traffic, then for more.
first=0
for _ in $(seq 1 100); do
	cmd "show port stats 0" '^  Tx-pps:'
	first=$(rx_shown)
	[ "$first" -gt 0 ] && break
	sleep 0.2
done
[ "$first" -gt 0 ] || rf_fail "show port stats: RX-packets stayed 0 while the peer floods"
second=$first
for _ in $(seq 1 100); do
	cmd "show port stats 0" '^  Tx-pps:'
	second=$(rx_shown)
	[ "$second" -gt "$first" ] && break
	sleep 0.1
done
[ "$second" -gt "$first" ] || rf_fail "show port stats: RX-packets did not grow ($first, $second)"
echo "ok: show port stats while forwarding: RX-packets $first, then $second"
cmd "show fwd stats all" 'Accumulated forward statistics'
cmd "set burst 8" "forwarding is running; 'stop' it first"
cmd "stop" '^Done\.$'
fwd_rx=$(awk '/Forward statistics for port 0/ {b = 1} b && $1 == "RX-packets:" {v = $2} END {print v + 0}' "$log")
[ "$fwd_rx" -gt 0 ] || rf_fail "stop: forward statistics show no RX"
echo "ok: stop: port 0 forwarded $fwd_rx packets"
cmd "port config all rxd 512" "port 0 is started; 'port stop all' first"
cmd "port stop all" '^Port 0: stopped$'
# net_virtio_user takes 64..256: 512 is refused (one line, the old value stays), 128 taken.
cmd "port config all rxd 512" 'takes 64\.\.256 RX descriptors, not 512'
echo "port config all rxd 128" >&"$in" # silent when it works: show config rxtx tells
cmd "show config rxtx" '^  RX queues=1 - RX desc=128'
cmd "port start all" '^Port 0: started$'
cmd "show port info 0" '^RX queues: 1 \(max [0-9]+\), 128 descriptors'
cmd "set fwd io" '^Set io packet forwarding mode$'
cmd "set burst 32" '^Number of packets per burst set to 32$'
cmd "start" '^ringfwd: io forwarding, .* burst 32,'
before=$(rx_shown)
for _ in $(seq 1 100); do
	cmd "show port stats 0" '^  Tx-pps:'
	[ "$(rx_shown)" -gt "$before" ] && break
	sleep 0.1
done
[ "$(rx_shown)" -gt "$before" ] || rf_fail "after port restart with 128 RX descriptors: no traffic"
echo "ok: traffic flows again after port stop / config rxd 128 / start"
echo "quit" >&"$in"
for _ in $(seq 1 300); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && rf_fail "quit: ringfwd still running after 30 s"
wait "$pid"
rc=$?
exec {in}>&-
fwd_expect_eq "exit status after quit" "$rc" 0
grep -q '^Telling cores to stop' "$log" || rf_fail "quit did not stop forwarding first"
grep -q "^  mbufs: all [0-9]* back in 1 pool, none leaked" "$log" || rf_fail "quit: mbufs not all back"
rf_peer_stop peer
echo "---- session ----"
cat "$log"
echo "PASS"
