#!/usr/bin/env bash
# Helpers for the chaos test: a dpdk-testpmd peer whose output goes through
# peer_reader.py, which timestamps every line and can SIGKILL the peer at the
# K-th vhost-user request it reads (a kill at a chosen point of a negotiation).
#
#   . "$(dirname "$0")/lib.sh"     # sources ../fwd/lib.sh: root, testpmd, RF_TMP, rf_fail
#   ch_peer_start NAME SOCK QUEUES client|server   # sets CH_PEER (NAME), logs in $RF_TMP/NAME.log
#   ch_peer_arm NAME K             # SIGKILL NAME at the K-th vhost-user message from now
#   ch_peer_kill NAME / ch_peer_reap NAME SECS
#   ch_peer_rx NAME                # RX-packets of the peer's vhost port ("show port stats 0")

CH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/fwd/lib.sh
. "$CH_HERE/../fwd/lib.sh"

# A write to a dead peer's stdin must fail, not kill the test.
trap '' PIPE
# Besides peer.sh's clean-up: the run directories of the peers we started.
ch_cleanup() {
	rf_cleanup
	rm -rf /var/run/dpdk/rfchaos-*-"$$"
}
trap ch_cleanup EXIT

# Failures keep every log, with the seed, for a post-mortem.
rf_fail() {
	echo "FAIL: $*" >&2
	echo "FAIL: seed $CHAOS_SEED (rerun with CHAOS_SEED=$CHAOS_SEED)" >&2
	local f
	for f in "${RF_LOG:-}" "$RF_TMP/${PEER:-none}.log"; do
		[ -f "$f" ] || continue
		echo "---- last lines of $(basename "$f") ----" >&2
		tail -n 40 "$f" >&2
	done
	local keep=/tmp/rf-chaos-fail-$CHAOS_SEED-$$
	if [ -d "$RF_TMP" ]; then
		mkdir -p "$keep"
		cp "$RF_TMP"/*.log "$RF_TMP"/*.json "$keep"/ 2>/dev/null
		echo "FAIL: logs kept in $keep" >&2
	else
		echo "FAIL: $RF_TMP is gone" >&2
	fi
	exit 1
}

# Forget a PID we reaped, so the exit trap never signals a recycled one.
ch_untrack() {
	local p keep=()
	for p in "${RF_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	RF_PIDS=("${keep[@]}")
}

# ch_peer_start NAME SOCK QUEUES ROLE: testpmd on CPU 0 (both its lcores),
# net_vhost as vhost-user client (ROLE client, ringfwd listens) or server,
# flowgen started at once, interactive so that "show port stats" can be
# asked; its stdin is a fifo we hold open.
ch_peer_start() {
	local name=$1 sock=$2 q=$3 role=$4 extra=""
	local log=$RF_TMP/$name.log fifo=$RF_TMP/$name.stdin
	[ "$role" = client ] && extra=",client=1"
	rm -f "$fifo" "$RF_TMP/$name.arm"
	mkfifo "$fifo"
	: >"$log"
	dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-huge -m 128 --no-pci \
		--file-prefix="rfchaos-$name-$$" --log-level=lib.vhost.config:debug \
		--vdev "net_vhost0,iface=$sock,queues=$q$extra" -- -i --auto-start \
		--forward-mode=flowgen --nb-cores=1 --total-num-mbufs=8192 --rxq="$q" --txq="$q" \
		<"$fifo" > >(python3 -u "$CH_HERE/peer_reader.py" "$log" "$RF_TMP/$name.arm" \
			"$RF_TMP/$name.pid") 2>&1 &
	local pid=$!
	echo "$pid" >"$RF_TMP/$name.pid"
	# Out of the job table: bash reaps it without a "Killed" line for each kill.
	disown "$pid"
	rf_track "$pid"
	eval "CH_PID_$name=$pid"
	local fd
	exec {fd}>"$fifo"
	eval "CH_FD_$name=$fd"
	echo "$EPOCHREALTIME" >"$RF_TMP/$name.launched"
}

ch_peer_pid() { local v="CH_PID_$1"; echo "${!v}"; }
ch_peer_alive() { kill -0 "$(ch_peer_pid "$1")" 2>/dev/null; }

ch_peer_arm() { echo "$2" >"$RF_TMP/$1.arm"; }

# Send a line to the peer's shell; fails quietly when it is dead.
ch_peer_cmd() {
	local v="CH_FD_$1"
	{ echo "$2" >&"${!v}"; } 2>/dev/null
}

# Wait (at most SECS) for the peer to be gone, reap it, close its stdin.
ch_peer_reap() {
	local name=$1 secs=${2:-20} pid v
	pid=$(ch_peer_pid "$name")
	for _ in $(seq 1 $((secs * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && return 1
	wait "$pid" 2>/dev/null
	ch_untrack "$pid"
	v="CH_FD_$name"
	local fd=${!v:-}
	[ -n "$fd" ] && exec {fd}>&-
	eval "CH_FD_$name="
	rm -f "$RF_TMP/$name.stdin" "$RF_TMP/$name.arm"
	rm -rf "/var/run/dpdk/rfchaos-$name-$$"
	return 0
}

ch_peer_kill() {
	kill -KILL "$(ch_peer_pid "$1")" 2>/dev/null
	ch_peer_reap "$1" 20 || rf_fail "peer $1 survived SIGKILL for 20 s"
}

# The value of KEY in the last "NIC statistics for port 0" block of LOG.
ch_stat_block() {
	awk -v k="$2:" '
		/NIC statistics for port 0 / { blk = 1; next }
		blk { for (i = 1; i < NF; i++) if ($i == k) { v = $(i + 1); blk = 0 } }
		END { print v + 0 }
	' "$1"
}

# Ask the peer for its port statistics; print RX-packets (what ringfwd sent
# it), or nothing if it did not answer within 3 s.
ch_peer_rx() {
	local name=$1 log=$RF_TMP/$1.log before
	before=$(grep -c 'NIC statistics for port 0 ' "$log")
	ch_peer_cmd "$name" "show port stats 0" || return 0
	for _ in $(seq 1 300); do
		if [ "$(grep -c 'NIC statistics for port 0 ' "$log")" -gt "$before" ] &&
			[ "$(awk '/NIC statistics for port 0 /{b=1; n=0; next} b{n++} END{print n+0}' "$log")" -ge 1 ]; then
			ch_stat_block "$log" RX-packets
			return 0
		fi
		ch_peer_alive "$name" || return 0
		sleep 0.01
	done
}

# When the peer's vhost port was ready to talk: its socket (either role) created.
ch_peer_ready_ts() {
	awk '/socket created/ { print $1; exit }' "$RF_TMP/$1.log"
}

# The number of vhost-user requests the peer has read so far.
ch_peer_msgs() { grep -c 'read message' "$RF_TMP/$1.log"; }

# VmRSS of PID in kB, and its open file descriptors and threads.
ch_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
ch_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
ch_threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

# A deadline SECS from now, in whole seconds of the epoch; ch_late: it passed.
ch_deadline() { CH_DEADLINE=$((${EPOCHREALTIME%.*} + $1)); }
ch_late() { [ "${EPOCHREALTIME%.*}" -ge "$CH_DEADLINE" ]; }

# Median and max of the numbers given (seconds, 3 decimals).
ch_median_max() {
	printf '%s\n' "$@" | sort -g | awk '
		NF { v[++n] = $1 }
		END {
			if (n == 0) { print "n/a n/a"; exit }
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			printf "%.3f %.3f\n", m, v[n]
		}'
}
