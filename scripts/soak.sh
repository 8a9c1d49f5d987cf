#!/usr/bin/env bash
# Soak: the demo topology at full rate for MINUTES (default 10), watching for
# drift. As root on Debian 12:
#
#   scripts/soak.sh [MINUTES]
#
# DPDK's testpmd is the peer (net_vhost, flowgen, CPU 0, as in demo.sh);
# ringfwd forwards in io mode on CPU 1, run as its shell (-i) so that it can
# be asked while it forwards. Every RF_SOAK_INTERVAL seconds (default 5) the
# script samples ringfwd's VmRSS (/proc), its mempool ("show mempool": mbufs
# in use) and its throughput ("show port stats 0": packets per second since
# the previous sample). At the end it stops ringfwd ("quit": every mbuf must
# come back) and reports start/end/max of each series and their drift:
#
#   RSS drift      end minus the first sample after warm-up (the first minute,
#                  or the first quarter of a shorter run), in kB;
#   mempool drift  median in-use of the last quarter minus that of the first
#                  quarter after warm-up, in mbufs;
#   throughput     min/median/max Mpps, and the last quarter's median against
#                  the first quarter's, in percent.
#
# Exit status 0 when RSS grew by at most RF_SOAK_RSS_KB (512) kB after the
# warm-up, mempool in-use by at most RF_SOAK_MBUFS (64) mbufs, ringfwd
# exited 0 with mbufs_leaked 0 and packets flowed; 1 otherwise. Throughput
# is reported, not judged (on a shared 2-core machine it follows the load).
#
# The busy-polling part holds /tmp/ringfwd-cores.lock (flock), as the
# benchmarks do. RF_SOAK_BUILD (default build/) is the build directory;
# RF_SOAK_NO_HUGE=1 uses plain memory; RF_SOAK_OUT names the samples file
# (default /tmp/ringfwd-soak-<date>.tsv), which is kept.
set -u
# shellcheck source=scripts/lib/setup.sh
. "$(dirname "$0")/lib/setup.sh"
cd "$RF_ROOT" || exit 1

minutes=${1:-10}
case $minutes in
'' | *[!0-9]*) rf_log "MINUTES must be a whole number, not '$minutes'"; exit 2 ;;
esac
[ "$minutes" -ge 1 ] || { rf_log "MINUTES must be at least 1"; exit 2; }
interval=${RF_SOAK_INTERVAL:-5}
build=${RF_SOAK_BUILD:-$RF_ROOT/build}
samples=${RF_SOAK_OUT:-/tmp/ringfwd-soak-$(date -u +%Y%m%d-%H%M%S).tsv}
rss_limit=${RF_SOAK_RSS_KB:-512}
mbuf_limit=${RF_SOAK_MBUFS:-64}

[ "$(id -u)" = 0 ] || { rf_log "run as root (hugepages, the peer)"; exit 1; }
rf_install_deps || exit 1
if [ -n "${RF_SOAK_NO_HUGE:-}" ]; then mem=memfd; else mem=$(rf_hugepages 1024); fi
if [ "$mem" = huge ]; then mem_args=(-m 256); else mem_args=(--no-huge -m 256); fi
ringfwd=$(rf_build_ringfwd "$build") || exit 1

tmp=$(mktemp -d /tmp/ringfwd-soak.XXXXXX)
sock=$tmp/vhost0.sock
peer_pid=""
rf_pid=""
cleanup() {
	# Our own processes only, by PID.
	rf_stop_pids "$rf_pid" "$peer_pid"
	rm -rf "$tmp" "/var/run/dpdk/rfsoak-peer-$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rf_log "waiting for /tmp/ringfwd-cores.lock"
exec 9>/tmp/ringfwd-cores.lock
flock 9

rf_log "peer: dpdk-testpmd, net_vhost at $sock, flowgen, on CPU 0"
rf_start_flowgen_peer "$sock" "$tmp/peer.log" "rfsoak-peer-$$" 10 || exit 1

rf_log "ringfwd -i: io mode, forwarding lcore on CPU 1, $minutes min, a sample every $interval s"
log=$tmp/ringfwd.log
mkfifo "$tmp/ringfwd.in"
"$ringfwd" -l 0,1 --main-lcore 0 "${mem_args[@]}" --file-prefix "rfsoak-$$" \
	--vdev "net_virtio_user0,path=$sock" -- -i --forward-mode=io \
	--stats-json="$tmp/ringfwd.json" <"$tmp/ringfwd.in" >"$log" 2>&1 &
rf_pid=$!
exec {in}>"$tmp/ringfwd.in"

# ask CMD RE: send a shell command, wait until one more line matches RE.
ask() {
	local before
	before=$(grep -cE "$2" "$log")
	echo "$1" >&"$in"
	for _ in $(seq 1 300); do
		[ "$(grep -cE "$2" "$log")" -gt "$before" ] && return 0
		kill -0 "$rf_pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$log" >&2
	rf_log "ringfwd did not answer '$1'"
	exit 1
}
last() { grep -E "$1" "$log" | tail -n 1; }

ask "start" '^ringfwd: io forwarding'
ask "show port stats 0" '^  Tx-pps:' # the first: sets the origin of the rates
printf 'seconds\trss_kb\tmbufs_in_use\tmbufs_available\trx_pps\ttx_pps\n' >"$samples"
printf '%8s %9s %13s %11s %11s\n' seconds "rss kB" "mbufs in use" "rx Mpps" "tx Mpps"
t0=$EPOCHREALTIME
end=$(( ${EPOCHREALTIME%.*} + minutes * 60 ))
while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
	sleep "$interval"
	kill -0 "$rf_pid" 2>/dev/null || { tail -n 20 "$log" >&2; rf_log "ringfwd died"; exit 1; }
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$rf_pid/status")
	ask "show port stats 0" '^  Tx-pps:'
	rx=$(last '^  Rx-pps:' | awk '{ print $2 }')
	tx=$(last '^  Tx-pps:' | awk '{ print $2 }')
	ask "show mempool" '^mempool '
	pool=$(last '^mempool ')
	used=$(echo "$pool" | sed -n 's/.* in use \([0-9]*\),.*/\1/p')
	avail=$(echo "$pool" | sed -n 's/.* available \([0-9]*\),.*/\1/p')
	t=$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rss" "$used" "$avail" "$rx" "$tx" >>"$samples"
	awk -v t="$t" -v r="$rss" -v u="$used" -v x="$rx" -v y="$tx" \
		'BEGIN { printf "%8s %9s %13s %11.3f %11.3f\n", t, r, u, x / 1e6, y / 1e6 }'
done

echo "quit" >&"$in"
for _ in $(seq 1 300); do kill -0 "$rf_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$rf_pid" 2>/dev/null && { rf_log "ringfwd still running 30 s after quit"; exit 1; }
wait "$rf_pid"
rf_rc=$?
rf_pid=""
exec {in}>&-
rf_stop_pids "$peer_pid"
wait "$peer_pid" 2>/dev/null
peer_pid=""
flock -u 9

leaked=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["mbufs_leaked"])' \
	"$tmp/ringfwd.json" 2>/dev/null)
echo
echo "---------- soak: $minutes min, $(($(wc -l <"$samples") - 1)) samples every $interval s ($samples) ----------"
python3 - "$samples" "$rss_limit" "$mbuf_limit" "$rf_rc" "${leaked:-?}" <<'EOF'
import statistics as st
import sys

path, rss_limit, mbuf_limit, rc, leaked = sys.argv[1:6]
rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
t = [float(r[0]) for r in rows]
rss = [int(r[1]) for r in rows]
used = [int(r[2]) for r in rows]
rx = [float(r[4]) / 1e6 for r in rows]
tx = [float(r[5]) / 1e6 for r in rows]
n = len(rows)
if n < 4:
    print("too few samples for a verdict")
    sys.exit(1)
# Warm-up: the first minute, or the first quarter of a shorter run.
warm = next(i for i, s in enumerate(t) if s >= 60) if t[-1] >= 240 else n // 4
q = max(1, (n - warm) // 4)
first, lastq = slice(warm, warm + q), slice(n - q, n)
rss_drift = rss[-1] - rss[warm]
mbuf_drift = st.median(used[lastq]) - st.median(used[first])
rx_first, rx_last = st.median(rx[first]), st.median(rx[lastq])
tp_drift = (rx_last / rx_first - 1) * 100 if rx_first > 0 else float("nan")
print(f"RSS (kB):         start {rss[0]}, after warm-up {rss[warm]}, end {rss[-1]}, "
      f"max {max(rss)}; drift after warm-up {rss_drift:+d}")
print(f"mempool in use:   start {used[0]}, end {used[-1]}, min {min(used)}, "
      f"median {st.median(used):.0f}, max {max(used)}; drift (last quarter - first) "
      f"{mbuf_drift:+.0f}")
print(f"throughput (Mpps): rx min {min(rx):.3f}, median {st.median(rx):.3f}, max {max(rx):.3f}; "
      f"tx median {st.median(tx):.3f}; last quarter vs first {tp_drift:+.1f}%")
print(f"ringfwd:          exit {rc}, mbufs_leaked {leaked}")
bad = []
if rss_drift > int(rss_limit):
    bad.append(f"RSS grew {rss_drift} kB after warm-up (limit {rss_limit})")
if mbuf_drift > int(mbuf_limit):
    bad.append(f"mempool in-use grew {mbuf_drift:.0f} mbufs (limit {mbuf_limit})")
if rc != "0":
    bad.append(f"ringfwd exited {rc}")
if leaked != "0":
    bad.append(f"mbufs_leaked {leaked}")
if max(rx) <= 0:
    bad.append("no traffic")
print("DRIFT: " + "; ".join(bad) if bad else "OK: no drift")
sys.exit(1 if bad else 0)
EOF
