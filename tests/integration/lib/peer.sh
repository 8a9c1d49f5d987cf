#!/usr/bin/env bash
# Shared by the integration tests: start DPDK's testpmd as our real peer,
# pinned to its own core, and always kill it (by PID) when the test exits.
#
#   . "$(dirname "$0")/lib/peer.sh"
#   rf_need_root; rf_need_cmd dpdk-testpmd
#   rf_tmpdir                                  # sets RF_TMP, removed at exit
#   rf_peer_start NAME CORE -- <testpmd EAL+app args after the common ones>
#   rf_wait_socket /path/to.sock 10
#   rf_peer_stop NAME                          # SIGINT, wait; its stdout is in $RF_TMP/NAME.log
#   rf_peer_stat NAME RX-packets               # from testpmd's final stats
#
# Exit code 77 means "skipped: resource missing" (meson's convention).

set -u
RF_PIDS=()
RF_TMP=""

rf_skip() { echo "SKIP: $*" >&2; exit 77; }
rf_fail() { echo "FAIL: $*" >&2; exit 1; }
rf_need_root() { [ "$(id -u)" = 0 ] || rf_skip "needs root"; }
rf_need_cmd() { command -v "$1" >/dev/null 2>&1 || rf_skip "needs $1"; }

rf_cleanup() {
	local pid
	for pid in "${RF_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -INT "$pid" 2>/dev/null
			for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	RF_PIDS=()
	# DPDK's runtime directories of the peers this test started (their
	# --file-prefix ends with our PID); testpmd leaves them behind.
	rm -rf /var/run/dpdk/rf*-"$$"
	if [ -n "$RF_TMP" ] && [ -d "$RF_TMP" ] && [ -z "${RF_KEEP_TMP:-}" ]; then
		rm -rf "$RF_TMP"
	fi
}
trap rf_cleanup EXIT
trap 'exit 130' INT TERM

rf_tmpdir() {
	RF_TMP=$(mktemp -d /tmp/rf-it.XXXXXX)
}

# Track a PID we started so the exit trap kills it.
rf_track() { RF_PIDS+=("$1"); }

# rf_peer_start NAME CORE [testpmd args...]: the common EAL options are added
# here (pinning, --no-huge, own file prefix); pass --vdev ... -- app args.
# The peer's main lcore shares the core with its forwarding lcore: it only
# prints, every --stats-period.
rf_peer_start() {
	local name=$1 core=$2
	shift 2
	local log="$RF_TMP/$name.log"
	# stdin from a fifo we hold open, so "-i" sessions can be fed and
	# non-interactive ones don't see EOF.
	local fifo="$RF_TMP/$name.stdin"
	mkfifo "$fifo"
	dpdk-testpmd --lcores "0@$core,1@$core" --main-lcore 0 --no-huge -m 512 --no-pci --file-prefix="rfpeer-$name-$$" \
		--log-level=pmd.net.vhost:info "$@" <"$fifo" >"$log" 2>&1 &
	local pid=$!
	rf_track "$pid"
	eval "RF_PEER_PID_$name=$pid"
	exec {fd}>"$fifo"
	eval "RF_PEER_FD_$name=$fd"
}

# Send a line to a peer started with -i.
rf_peer_cmd() {
	local name=$1
	shift
	local fdvar="RF_PEER_FD_$name"
	echo "$*" >&"${!fdvar}"
}

rf_peer_pid() { local v="RF_PEER_PID_$1"; echo "${!v}"; }

# Stop with SIGINT (testpmd prints its final stats) and wait for it.
rf_peer_stop() {
	local pid
	pid=$(rf_peer_pid "$1")
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Kill -9, as a crash would.
rf_peer_kill9() {
	local pid
	pid=$(rf_peer_pid "$1")
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Sum of a counter over the "Accumulated forward statistics for all ports"
# block of testpmd's final output, e.g. RX-packets, TX-packets, RX-dropped.
rf_peer_stat() {
	local name=$1 key=$2
	awk -v k="$key:" '
		/Accumulated forward statistics for all ports/ { acc = 1; next }
		acc { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }
	' "$RF_TMP/$name.log"
}

# The last value of KEY (e.g. RX-packets) in the "NIC statistics for port
# PORT" blocks the peer NAME has printed (periodically, or for "show port stats").
rf_peer_port_stat() {
	local name=$1 port=$2 key=$3
	awk -v p="port $port " -v k="$key:" '
		/NIC statistics for port/ { inblk = index($0, p) > 0; next }
		/^ *#####/ { inblk = 0 }
		inblk { for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) }
		END { print v + 0 }
	' "$RF_TMP/$name.log"
}

# Wait until a unix socket exists (the server side created it).
rf_wait_socket() {
	local path=$1 secs=${2:-10}
	for _ in $(seq 1 $((secs * 10))); do
		[ -S "$path" ] && return 0
		sleep 0.1
	done
	rf_fail "socket $path did not appear within ${secs}s"
}

# Wait until a line matching a regex appears in a log file.
rf_wait_log() {
	local file=$1 re=$2 secs=${3:-10}
	for _ in $(seq 1 $((secs * 10))); do
		grep -qE "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	rf_fail "'$re' did not appear in $file within ${secs}s"
}
