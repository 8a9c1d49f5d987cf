#!/usr/bin/env bash
# Shared by the ringfwd integration tests: ringfwd on CPU 1 (its main lcore,
# which only sleeps, on CPU 0) next to dpdk-testpmd as the peer on CPU 0.
#
#   . "$(dirname "$0")/lib.sh"          # sources ../lib/peer.sh, checks root, testpmd, ringfwd
#   fwd_start NAME [EAL args] -- [app args]   # adds -l, memory, file prefix; log in $RF_TMP/NAME.log
#   fwd_wait_links NAME N               # N ports up
#   fwd_stop NAME                       # SIGINT; returns ringfwd's exit status
#   fwd_json NAME EXPR                  # a value from $RF_TMP/NAME.json, EXPR in Python: d["ports"][0]["rx_packets"]
#   fwd_wait_count NAME COLUMN N        # until the periodic stats line of port "all"/0 reaches N
#   fwd_peer_ready NAME                 # the peer's vhost ports have a driver

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/peer.sh"

# A failure shows the end of every log (ringfwd's and the peer's), so that a
# CI run says why without being repeated.
rf_fail() {
	echo "FAIL: $*" >&2
	local f
	for f in "$RF_TMP"/*.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $(basename "$f") ----" >&2
		tail -n 40 "$f" >&2
	done
	exit 1
}

RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || rf_skip "RINGFWD (the ringfwd binary) not given"
rf_need_root
rf_need_cmd dpdk-testpmd
rf_need_cmd python3
rf_tmpdir

# testpmd's stdout is a file here, so stdio buffers it in blocks: an
# interactive peer's answers would show up only at exit. Line-buffer it
# (stdbuf), through a wrapper found first on PATH by rf_peer_start.
if command -v stdbuf >/dev/null 2>&1; then
	mkdir -p "$RF_TMP/bin"
	printf '#!/bin/sh\nexec stdbuf -oL %s "$@"\n' "$(command -v dpdk-testpmd)" \
		>"$RF_TMP/bin/dpdk-testpmd"
	chmod +x "$RF_TMP/bin/dpdk-testpmd"
	PATH=$RF_TMP/bin:$PATH
fi

# Hugepages when enough are free; the plain memfd of --no-huge works as well.
fwd_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 192 ]; then
		echo "-m 256"
	else
		echo "--no-huge -m 256"
	fi
}

# fwd_start NAME [EAL args...] -- [app args...]: --stats-json and a 1 s stats
# period are added (the tests follow the periodic lines).
fwd_start() {
	local name=$1
	shift
	local eal=() app=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		eal+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	app=("$@")
	# shellcheck disable=SC2046
	"$RINGFWD" -l "${FWD_LCORES:-0,1}" --main-lcore 0 $(fwd_mem_args) --file-prefix "rffwd-$name-$$" \
		"${eal[@]}" -- --stats-period=1 --stats-json="$RF_TMP/$name.json" "${app[@]}" \
		>"$RF_TMP/$name.log" 2>&1 &
	local pid=$!
	rf_track "$pid"
	eval "FWD_PID_$name=$pid"
}

fwd_pid() { local v="FWD_PID_$1"; echo "${!v}"; }

fwd_show() {
	echo "---- ringfwd $1 ----"
	cat "$RF_TMP/$1.log"
}

fwd_wait_links() {
	local name=$1 n=$2
	for _ in $(seq 1 300); do
		# The log may not exist yet: count 0 then, not an empty string.
		[ "$(grep -c ': link up' "$RF_TMP/$name.log" 2>/dev/null || true)" -ge "$n" ] 2>/dev/null &&
			return 0
		kill -0 "$(fwd_pid "$name")" 2>/dev/null || break
		sleep 0.1
	done
	fwd_show "$name"
	rf_fail "ringfwd $name: $n ports not up within 30 s"
}

# SIGINT and wait (30 s at most); the exit status is ringfwd's.
fwd_stop() {
	local name=$1 pid
	pid=$(fwd_pid "$name")
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "ringfwd $name did not exit 30 s after SIGINT: killing it" >&2
		kill -KILL "$pid"
	fi
	wait "$pid"
}

fwd_json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$RF_TMP/$1.json" "$2"
}

# The last periodic value of COLUMN (rx-packets, tx-packets, dropped) on the
# line for PORT ("all" for the total line).
fwd_period_val() {
	local name=$1 port=$2 col=$3
	awk -v p="$port" -v c="$col" '
		$2 == "port" { for (i = 1; i <= NF; i++) if ($i == c) idx = i; next }
		idx && $2 == p { v = $idx }
		END { print v + 0 }
	' "$RF_TMP/$name.log"
}

# Wait until the periodic COLUMN of PORT reaches N (or give up after SECS).
fwd_wait_count() {
	local name=$1 port=$2 col=$3 want=$4 secs=${5:-30} v=0
	for _ in $(seq 1 $((secs * 10))); do
		v=$(fwd_period_val "$name" "$port" "$col")
		[ "$v" -ge "$want" ] && return 0
		sleep 0.1
	done
	fwd_show "$name"
	rf_fail "ringfwd $name: port $port $col is $v, expected $want within ${secs}s"
}

# The peer logs this (lib.vhost.config, INFO) when a driver has set up a device.
fwd_peer_ready() {
	local name=$1 n=${2:-1}
	for _ in $(seq 1 200); do
		[ "$(grep -c 'virtio is now ready for processing' "$RF_TMP/$name.log")" -ge "$n" ] &&
			return 0
		sleep 0.1
	done
	cat "$RF_TMP/$name.log"
	rf_fail "peer $name: $n vhost devices not ready within 20 s"
}

# The testpmd peer as a traffic source and capture: port 0 replays IN.pcap
# into port 1 (the vhost port ringfwd connects to); what ringfwd sends back
# on port 1 goes to port 0's OUT.pcap. Interactive, so that nothing is sent
# before "start" (the vhost side drops what the driver has no buffers for).
# fwd_pcap_peer NAME SOCK IN.pcap OUT.pcap
fwd_pcap_peer() {
	local name=$1 sock=$2 in=$3 out=$4
	rf_peer_start "$name" 0 --vdev "net_pcap0,rx_pcap=$in,tx_pcap=$out" \
		--vdev "net_vhost0,iface=$sock,queues=${FWD_PEER_QUEUES:-1}" -- \
		-i --forward-mode=io --no-flush-rx --nb-cores=1 --total-num-mbufs=16384 \
		--rxq="${FWD_PEER_QUEUES:-1}" --txq="${FWD_PEER_QUEUES:-1}"
	rf_wait_socket "$sock" 30
}

# Send a command to an interactive peer and wait for a line it prints in answer
# (counted, so an earlier answer does not count). fwd_peer_cmd_wait NAME RE CMD...
fwd_peer_cmd_wait() {
	local name=$1 re=$2 before
	shift 2
	before=$(grep -cE "$re" "$RF_TMP/$name.log")
	rf_peer_cmd "$name" "$@"
	for _ in $(seq 1 200); do
		[ "$(grep -cE "$re" "$RF_TMP/$name.log")" -gt "$before" ] && return 0
		sleep 0.1
	done
	rf_fail "peer $name did not answer '$*' with /$re/ within 20 s"
}

# Stop the peer's forwarding and quit it: the pcap port closes and flushes.
fwd_peer_quit() {
	local name=$1 pid
	pid=$(rf_peer_pid "$name")
	rf_peer_cmd "$name" stop
	rf_peer_cmd "$name" quit
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rf_peer_stop "$name"
}

# The last value of KEY in an interactive peer's "show port stats PORT" answer.
fwd_peer_port_stat() {
	local name=$1 port=$2 key=$3
	fwd_peer_cmd_wait "$name" "NIC statistics for port $port " show port stats "$port"
	# The block's lines follow the title; give them a moment to be written.
	sleep 0.1
	rf_peer_port_stat "$name" "$port" "$key"
}

# Wait until the peer's PORT counter KEY reaches N.
fwd_peer_wait_stat() {
	local name=$1 port=$2 key=$3 want=$4 secs=${5:-20} v=0
	for _ in $(seq 1 $((secs * 4))); do
		v=$(fwd_peer_port_stat "$name" "$port" "$key")
		[ "$v" -ge "$want" ] && return 0
		sleep 0.25
	done
	rf_fail "peer $name port $port $key is $v, expected $want within ${secs}s"
}

fwd_expect_eq() {
	local what=$1 got=$2 want=$3
	[ "$got" = "$want" ] || rf_fail "$what is $got, expected $want"
	echo "ok: $what = $got"
}
