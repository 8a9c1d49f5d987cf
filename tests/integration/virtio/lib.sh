#!/usr/bin/env bash
# Shared by the virtio integration tests: run vdev_test (our driver, on CPU 1)
# next to dpdk-testpmd with net_vhost (the device, on CPU 0).
#
#   . "$(dirname "$0")/lib.sh"       # sources ../lib/peer.sh, checks root and testpmd
#   vt_start NAME [vdev_test args]   # EAL args are added here; output in $RF_TMP/NAME.log
#   vt_wait NAME [secs]              # wait for it to exit; returns its exit status
#   vt_stop NAME                     # SIGINT, then vt_wait
#   vt_val NAME KEY                  # the value of a KEY=VALUE line it printed
#   peer_port_stat NAME PORT KEY     # latest periodic testpmd counter, e.g. RX-packets

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"

rf_need_root
rf_need_cmd dpdk-testpmd
VDEV_TEST=${VDEV_TEST:-}
[ -x "$VDEV_TEST" ] || rf_skip "VDEV_TEST (the vdev_test binary) not given"
rf_tmpdir

# Hugepages if there are enough free (the plain memfd of --no-huge works as well).
vt_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 192 ]; then
		echo "-m 256"
	else
		echo "--no-huge -m 256"
	fi
}

vt_start() {
	local name=$1
	shift
	# shellcheck disable=SC2046
	"$VDEV_TEST" -l 1 $(vt_mem_args) --file-prefix "rfvt-$name-$$" "$@" >"$RF_TMP/$name.log" 2>&1 &
	local pid=$!
	rf_track "$pid"
	eval "VT_PID_$name=$pid"
}

vt_pid() { local v="VT_PID_$1"; echo "${!v}"; }

vt_wait() {
	local name=$1 secs=${2:-60} pid
	pid=$(vt_pid "$name")
	for _ in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "vdev_test $name still running after ${secs}s: killing it" >&2
		kill -KILL "$pid"
	fi
	wait "$pid"
}

vt_stop() {
	kill -INT "$(vt_pid "$1")" 2>/dev/null
	vt_wait "$1" 30
}

vt_val() {
	sed -n "s/^$2=//p" "$RF_TMP/$1.log" | tail -n 1
}

# The last value of KEY in testpmd's periodic "NIC statistics for port PORT" block.
peer_port_stat() { rf_peer_port_stat "$@"; }

# Wait until a testpmd port counter reaches a value (the peer has everything).
peer_wait_stat() {
	local name=$1 port=$2 key=$3 want=$4 secs=${5:-30} v=0
	for _ in $(seq 1 $((secs * 10))); do
		v=$(peer_port_stat "$name" "$port" "$key")
		[ "$v" -ge "$want" ] && return 0
		sleep 0.1
	done
	rf_fail "peer $name port $port $key is $v, expected $want within ${secs}s"
}

# Fail unless vdev_test NAME printed KEY=WANT.
vt_expect() {
	local got
	got=$(vt_val "$1" "$2")
	[ "$got" = "$3" ] || rf_fail "$1: $2=$got, expected $3 (log: $RF_TMP/$1.log)"
}

vt_show() {
	echo "---- $1 ----"
	grep -v '^xstat\.' "$RF_TMP/$1.log" | tail -n 40
}

# The testpmd arguments every test passes (peer.sh adds the EAL ones).
# shellcheck disable=SC2034 # used by the scripts that source this file
PEER_APP_ARGS=(--auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384)
