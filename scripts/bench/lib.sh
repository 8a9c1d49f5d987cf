# shellcheck shell=bash
# Shared by the benchmarks in scripts/bench (sourced, not run): background
# processes by name, the dpdk-testpmd net_vhost peer, the cores lock, and the
# arithmetic on testpmd's and ringfwd's periodic lines.
#
# The caller sets nothing beforehand; bench_init makes $out (a scratch
# directory) and the EXIT trap that stops every process started with start().

# shellcheck source=scripts/lib/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/setup.sh"

RF_BENCH_LOCK=/tmp/ringfwd-cores.lock
pids=()
out=""
bench_cleanup_hooks=()

bench_cleanup() {
	local p h
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	for h in "${bench_cleanup_hooks[@]}"; do "$h"; done
	# DPDK's runtime directories of the testpmd runs above (prefix ends with our PID).
	rm -rf /var/run/dpdk/rfbench-*-"$$"
	[ -n "$out" ] && [ -z "${BENCH_KEEP:-}" ] && rm -rf "$out"
}

# bench_init NAME: scratch directory /tmp/NAME.XXXXXX in $out, cleanup on exit.
bench_init() {
	out=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# bench_lock: hold the cores lock until the script exits (fd 9 stays open).
bench_lock() {
	rf_log "waiting for $RF_BENCH_LOCK"
	exec 9>"$RF_BENCH_LOCK"
	flock 9
}

# bench_unlock: let the others have the cores (bench_lock takes them again).
bench_unlock() {
	flock -u 9
}

# start NAME CMD...: in the background, output to $out/NAME.log, PID in $pid_NAME.
start() {
	local name=$1
	shift
	"$@" </dev/null >"$out/$name.log" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
}

# start_ts NAME CMD...: as start, each output line prefixed with the wall-clock
# time it was written ("1700000000.123 ..."), line-buffered: testpmd prints its
# statistics every 1 to 2 s (its sleep and its period race), so a window is
# measured between printed cumulative counters at known times (counter_rate).
start_ts() {
	local name=$1
	shift
	stdbuf -oL "$@" </dev/null > >(exec python3 -u -c '
import sys, time
for l in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time(), l))
' >"$out/$name.log") 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
}

now() { date +%s.%N | cut -c1-14; }

# counter_rate LOG KEY T0 T1: Mpps from a cumulative counter in a start_ts log,
# between the first print at or after T0 and the last at or before T1.
# KEY "RX-packets:" or "TX-packets:" reads testpmd's port statistics (the
# field after it); a number N reads column N of ringfwd's periodic lines for
# port 0 (the timestamp is column 1, so 9 is rx-packets and 10 tx-packets).
counter_rate() {
	awk -v k="$2" -v t0="$3" -v t1="$4" '
		{
			v = ""
			if (k ~ /^[0-9]+$/) {
				if ($2 ~ /^[0-9.]+s$/ && $3 == "0") v = $k
			} else {
				for (i = 2; i < NF; i++) if ($i == k) { v = $(i + 1); break }
			}
			if (v == "" || $1 + 0 < t0 || $1 + 0 > t1) next
			if (!n++) { a = $1; va = v } else { b = $1; vb = v }
		}
		END { if (n > 1 && b > a) printf "%.3f", (vb - va) / (b - a) / 1e6; else print "nan" }' "$1"
}

# stop NAME: SIGINT (both testpmd and ringfwd print their totals and exit), then
# SIGKILL after 5 s.
stop() {
	local v="pid_$1" _
	[ -n "${!v:-}" ] || return 0
	kill -INT "${!v}" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "${!v}" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	eval "pid_$1="
}

wait_for() { # FILE REGEX SECONDS
	local _
	for _ in $(seq 1 $(($3 * 10))); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	rf_log "'$2' did not appear in $1"
	return 1
}

# peer_start MODE [testpmd option...]: the net_vhost server, both its lcores on
# core 0 (the main one only prints), plain memory: only the driver side shares
# its memory, so the peer needs no hugepages. PEER_START=start_ts
# timestamps its lines.
peer_start() {
	local mode=$1 _
	shift
	rm -f "$out/vhost.sock"
	"${PEER_START:-start}" peer dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-huge -m 512 --no-pci \
		--file-prefix="rfbench-peer-$$" --vdev "net_vhost0,iface=$out/vhost.sock,queues=1" -- \
		--forward-mode="$mode" --auto-start --stats-period 1 --nb-cores=1 \
		--total-num-mbufs=16384 "$@"
	for _ in $(seq 1 100); do [ -S "$out/vhost.sock" ] && return 0; sleep 0.1; done
	rf_log "peer did not create its socket"
	return 1
}

# Mean, in Mpps, of the "KEY: N" values testpmd printed between two line
# numbers. testpmd computes each from its cumulative counters over the TSC
# time since the previous print, so the mean over whole 1 s periods is the
# counter difference over the window.
pps_mean() { # LOG KEY FROM TO
	sed -n "$3,$4p" "$1" | awk -v k="$2:" '
		{ for (i = 1; i < NF; i++) if ($i == k) { s += $(i + 1); n++ } }
		END { if (n) printf "%.3f", s / n / 1e6; else print "nan" }'
}

lines() { wc -l <"$1"; }

# ringfwd's periodic lines ("12.0s 0 rx-pps rx-Mbit/s tx-pps tx-Mbit/s drop-pps
# rx-packets tx-packets dropped"): the cumulative COLUMN (8 rx, 9 tx) of port 0
# at the first and last line between two line numbers, over the time between
# them, in Mpps.
rf_pps_window() { # LOG COLUMN FROM TO
	sed -n "$3,$4p" "$1" | awk -v c="$2" '
		$1 ~ /^[0-9.]+s$/ && $2 == "0" {
			t = substr($1, 1, length($1) - 1) + 0
			if (!n++) { t0 = t; v0 = $c } else { t1 = t; v1 = $c }
		}
		END { if (n > 1 && t1 > t0) printf "%.3f", (v1 - v0) / (t1 - t0) / 1e6; else print "nan" }'
}

# Median of the numbers on stdin (whitespace separated; "nan" ignored): one run
# disturbed by something else on the machine does not move it.
median() {
	tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g |
		awk '{ v[n++] = $1 } END { if (!n) print "nan"; else if (n % 2) printf "%.3f", v[(n - 1) / 2];
		       else printf "%.3f", (v[n / 2 - 1] + v[n / 2]) / 2 }'
}

minmax() { # prints "min max"
	tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g |
		awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.3f %.3f", lo, hi; else print "nan nan" }'
}

ratio() { # A B
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "nan" && b + 0 > 0) printf "%.2f", a / b; else print "nan" }'
}
