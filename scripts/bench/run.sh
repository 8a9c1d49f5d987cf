#!/usr/bin/env bash
# ringfwd against DPDK testpmd with DPDK's own net_virtio_user, side by side:
# each in turn is the device under test (DUT) on CPU 1, against the same peer,
# dpdk-testpmd with net_vhost on CPU 0 (a fresh peer for every run).
#
#   rx:  peer txonly  -> DUT rxonly
#   tx:  DUT txonly   -> peer rxonly
#   fwd: peer flowgen -> DUT io --port-topology=loop -> peer
#
# for frames of 64, 512 and 1518 bytes (--txpkts on the generating side),
# alternating ringfwd, DPDK, ringfwd, DPDK (3 pairs). Each run: start the
# peer, start the DUT, wait for its first stats line, warm up, then count
# over a fixed window from both sides' cumulative counters:
#   - the peer's (testpmd --stats-period 1: its port's TX-packets in rx,
#     RX-packets in tx and fwd) is the headline number, the same instrument
#     for both DUTs;
#   - the DUT's own (ringfwd's periodic rx-packets/tx-packets columns; DPDK
#     testpmd's RX-packets/TX-packets);
#   every output line is timestamped as it is written, and a rate is the
#   counter's difference between the first print in the window and the last
#   over the time between them (testpmd prints every 1 to 2 s, so that is 3
#   to 5 s of the 5 s window);
#   - busy cycles per packet over the whole run, warm-up included (ringfwd's
#     --stats-json; DPDK testpmd's --record-core-cycles), and for ringfwd the
#     idle-poll share (RX polls that returned
#     nothing, from --record-burst-stats; in tx, the share of TX bursts the
#     ring refused whole);
#   - the peer's busy cycles per packet (its --record-core-cycles): what the
#     DUT's rings cost the other side.
# Both DUTs record burst statistics (ringfwd and testpmd
# --record-burst-stats), so both pay for the same bookkeeping per poll.
# Each row (scenario, size) holds /tmp/ringfwd-cores.lock for its own runs
# only, so that a full run does not keep the machine's other users waiting,
# and gets a verdict: "settled" when the ringfwd and DPDK ranges (min..max of
# the pairs) do not overlap and nothing else was runnable during the windows
# (median other runnable tasks below 0.5, from /proc/loadavg), else "noisy"
# with the reason.
# Gbit/s counts the frame's bytes only (Ethernet header to payload end; no
# CRC, no 20 B preamble and inter-frame gap).
#
# Prints a table (median of the pairs, min..max, ratio ringfwd/DPDK, verdict)
# and writes bench-results/<date-time>/results.json, results.md, mpps.png and
# mpps.svg.
#
# Usage: scripts/bench/run.sh [--quick]
#   --quick: every row (rx, tx, fwd at 64, 512 and 1518 B), 2 pairs, 1 s
#   warm-up, 4 s windows (testpmd prints every 1 to 2 s: a rate needs two
#   prints in the window): a change checked in minutes, each row's lock held
#   for under a minute.
# Environment: BENCH_PAIRS, BENCH_SIZES, BENCH_SCENARIOS, BENCH_WARMUP (2 s),
# BENCH_SECONDS (5 s), BENCH_BUILD (build-bench), BENCH_NO_HUGE=1 (plain
# memory for both DUTs), BENCH_KEEP=1 (keep the logs in /tmp),
# BENCH_BEFORE=PATH (another ringfwd binary, e.g. built from the commit before
# a change: it runs as a third system, "before", in every pair, so one run
# gives the before and after rows), BENCH_NOISY_OTHERS (0.5: the verdict's
# limit on other runnable tasks).
set -u
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RF_ROOT" || exit 1

quick=0
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		rf_log "unknown argument '$a' (--quick, --help)"
		exit 2
		;;
	esac
done
sizes=${BENCH_SIZES:-64 512 1518}
scenarios=${BENCH_SCENARIOS:-rx tx fwd}
if [ "$quick" = 1 ]; then
	pairs=${BENCH_PAIRS:-2}
	warmup=${BENCH_WARMUP:-1}
	window=${BENCH_SECONDS:-4}
else
	pairs=${BENCH_PAIRS:-3}
	warmup=${BENCH_WARMUP:-2}
	window=${BENCH_SECONDS:-5}
fi
build=${BENCH_BUILD:-$RF_ROOT/build-bench}
before=${BENCH_BEFORE:-}
systems="ringfwd dpdk"
if [ -n "$before" ]; then
	[ -x "$before" ] || { rf_log "BENCH_BEFORE=$before: not an executable"; exit 2; }
	systems="ringfwd before dpdk"
fi

[ "$(id -u)" = 0 ] || { rf_log "needs root (hugepages, packages)"; exit 1; }

# 1. What we need, and ringfwd built for speed in its own directory.
rf_install_deps gnuplot-nox || exit 1
command -v dpdk-testpmd >/dev/null || { rf_log "no dpdk-testpmd after installing dpdk-dev"; exit 1; }
command -v gnuplot >/dev/null || { rf_log "no gnuplot after installing gnuplot-nox"; exit 1; }
rf_log "building ringfwd (release) in $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$RF_ROOT" -Dbuildtype=release -Db_ndebug=true >/dev/null || exit 1
fi
ninja -C "$build" app/fwd/ringfwd >/dev/null || {
	ninja -C "$build" app/fwd/ringfwd 2>&1 | tail -n 30 >&2
	rf_log "build failed"
	exit 1
}
ringfwd=$build/app/fwd/ringfwd

bench_init rfbench
res_dir=$RF_ROOT/bench-results/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$res_dir" || exit 1

# 2. Memory. DPDK needs a hugetlbfs mount for its hugepages (ringfwd does not:
# it uses a hugetlb memfd); mount a private one if there is none, and remove
# whatever files a killed DPDK process leaves in it, since they pin pages.
hugedir=""
mounted_huge=0
dut_prefix="rfbench-dut-$$"
huge_cleanup() {
	[ -n "$hugedir" ] && rm -f "$hugedir/$dut_prefix"* 2>/dev/null
	if [ "$mounted_huge" = 1 ]; then
		umount "$hugedir" 2>/dev/null && rmdir "$hugedir" 2>/dev/null
	fi
	return 0
}
bench_cleanup_hooks+=(huge_cleanup)

mem=memfd
if [ -z "${BENCH_NO_HUGE:-}" ]; then
	mem=$(rf_hugepages 1024)
fi
if [ "$mem" = huge ]; then
	hugedir=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
	if [ -z "$hugedir" ]; then
		hugedir=/tmp/rfbench-hugetlbfs-$$
		mkdir -p "$hugedir" && mount -t hugetlbfs -o pagesize=2M nodev "$hugedir" && mounted_huge=1
		[ "$mounted_huge" = 1 ] || { rf_log "cannot mount hugetlbfs: plain memory"; mem=memfd; hugedir=""; }
	fi
fi
if [ "$mem" = huge ]; then
	mem_desc="2 MB hugepages (ringfwd: hugetlb memfd; DPDK: hugetlbfs $hugedir, --single-file-segments --iova-mode=va)"
	rf_mem=(-m 256)
	dp_mem=(-m 512 --single-file-segments --iova-mode=va --huge-dir "$hugedir")
else
	mem_desc="no hugepages: --no-huge for both (ringfwd: plain memfd, 4 KB pages)"
	rf_mem=(--no-huge -m 256)
	dp_mem=(--no-huge -m 512)
fi
rf_log "memory: $mem_desc"

# 3. One run. SYSTEM (ringfwd|dpdk) SCENARIO SIZE. Prints
# "peer_mpps dut_mpps busy_cycles_per_packet idle_poll_share other_runnable".
# Peer and DUT run at nice $bench_nice (both systems alike), so that builds
# elsewhere on the machine take less from them.
bench_nice=${BENCH_NICE:--10}
start_nice() {
	local name=$1
	shift
	start_ts "$name" nice -n "$bench_nice" "$@"
}
PEER_START=start_nice

# Runnable tasks beyond our two pollers (and the reader itself), sampled every 0.5 s for SECONDS:
# how much else wanted the 2 cores during the window.
contention() { # SECONDS
	local n=$(($1 * 2)) s=0 _
	for _ in $(seq 1 "$n"); do
		s=$((s + $(cut -d' ' -f4 /proc/loadavg | cut -d/ -f1) - 3)) # our 2 pollers and this cut
		sleep 0.5
	done
	awk -v s="$s" -v n="$n" 'BEGIN { printf "%.1f", s / n }'
}

run_one() {
	local sys=$1 sc=$2 size=$3 peer_mode dut_mode peer_key dut_key bin=$ringfwd
	local peer_args=() dut_args=() t0 t1 a b cpp=nan idle=nan busy pcpp
	case $sc in
	rx)
		peer_mode=txonly dut_mode=rxonly peer_key=TX-packets: dut_key=RX-packets:
		peer_args=(--txpkts="$size")
		;;
	tx)
		peer_mode=rxonly dut_mode=txonly peer_key=RX-packets: dut_key=TX-packets:
		dut_args=(--txpkts="$size")
		;;
	fwd)
		peer_mode=flowgen dut_mode=io peer_key=RX-packets: dut_key=RX-packets:
		peer_args=(--txpkts="$size") dut_args=(--port-topology=loop)
		;;
	esac
	rm -f "$out/rf.json"
	peer_start "$peer_mode" "${peer_args[@]}" --record-core-cycles || return 1
	[ "$sys" = before ] && bin=$before
	if [ "$sys" != dpdk ]; then
		start_nice dut "$bin" -l 0,1 --main-lcore 0 "${rf_mem[@]}" --file-prefix "$dut_prefix" \
			--vdev "net_virtio_user0,path=$out/vhost.sock" -- \
			--forward-mode="$dut_mode" "${dut_args[@]}" --nb-cores=1 --stats-period=1 \
			--stats-json="$out/rf.json" --record-burst-stats
		wait_for "$out/dut.log" "^[0-9.]+ +1\.[0-9]s +0 " 30 || { stop dut; stop peer; return 1; }
		dut_key=9
		[ "$sc" = tx ] && dut_key=10
	else
		start_nice dut dpdk-testpmd -l 0,1 --main-lcore 0 "${dp_mem[@]}" --no-pci \
			--file-prefix="$dut_prefix" --vdev "net_virtio_user0,path=$out/vhost.sock" -- \
			--forward-mode="$dut_mode" "${dut_args[@]}" --auto-start --stats-period 1 \
			--nb-cores=1 --total-num-mbufs=16384 --record-core-cycles --record-burst-stats
		wait_for "$out/dut.log" "Rx-pps" 30 || { stop dut; stop peer; return 1; }
	fi
	sleep "$warmup"
	t0=$(now)
	busy=$(contention "$window")
	t1=$(now)
	stop dut
	stop peer
	sleep 0.2 # the timestamping filters write their last lines
	b=$(counter_rate "$out/peer.log" "$peer_key" "$t0" "$t1")
	a=$(counter_rate "$out/dut.log" "$dut_key" "$t0" "$t1")
	if [ "$sys" != dpdk ] && [ -s "$out/rf.json" ]; then
		read -r cpp idle < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["streams"][0]
h = s["tx_bursts"] if sys.argv[2] == "tx" else s["rx_bursts"]
n = sum(h.values())
print("%.1f %.4f" % (d["busy_cycles_per_packet"], h.get("0", 0) / n if n else float("nan")))
' "$out/rf.json" "$sc")
	fi
	# testpmd --record-core-cycles: "CPU cycles/packet=N (busy cycles=..."
	# in the totals it prints on exit, also whole run, warm-up included.
	[ "$sys" = dpdk ] && cpp=$(testpmd_cpp "$out/dut.log")
	pcpp=$(testpmd_cpp "$out/peer.log")
	if [ -n "${BENCH_KEEP:-}" ]; then
		cp "$out/dut.log" "$out/$sc-$size-$sys-$(date +%s).dut.log"
		cp "$out/peer.log" "$out/$sc-$size-$sys-$(date +%s).peer.log"
	fi
	echo "${b:-nan} ${a:-nan} ${cpp:-nan} ${idle:-nan} ${busy:-nan} ${pcpp:-nan}"
}

testpmd_cpp() { # LOG
	local c
	c=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$1" | tail -n 1)
	awk -v c="${c:-nan}" 'BEGIN { if (c == "nan") print c; else printf "%.1f", c }'
}

# 4. The machine.
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
mhz=$(awk -F': ' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
kernel=$(uname -r)
dpdk_ver=$(dpkg-query -W -f '${Version}' dpdk-dev 2>/dev/null)
rf_ver=$(git -C "$RF_ROOT" describe --always --dirty 2>/dev/null || echo unknown)

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
rf_log "$scenarios x sizes $sizes x $pairs pairs ($systems), warm-up ${warmup}s, window ${window}s"
rf_log "load average at start: $load_start"

runs=$res_dir/runs.tsv
printf 'scenario\tsize\tsystem\tpair\tpeer_mpps\tdut_mpps\tbusy_cycles_per_packet\tidle_poll_share\tother_runnable\tpeer_cycles_per_packet\n' >"$runs"
printf '%-4s %5s %-8s %4s %10s %10s %8s %6s %6s %9s\n' scen size system pair "peer Mpps" "DUT Mpps" cyc/pkt idle others "peer cyc"
for sc in $scenarios; do
	for size in $sizes; do
		bench_lock # one row at a time: the others get the cores in between
		for p in $(seq 1 "$pairs"); do
			for sys in $systems; do
				r=$(run_one "$sys" "$sc" "$size") || { rf_log "$sc $size $sys pair $p failed"; r="nan nan nan nan nan nan"; }
				read -r b a cpp idle busy pcpp <<<"$r"
				printf '%-4s %5s %-8s %4s %10s %10s %8s %6s %6s %9s\n' "$sc" "$size" "$sys" "$p" "$b" "$a" "$cpp" "$idle" "$busy" "$pcpp"
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sc" "$size" "$sys" "$p" "$b" "$a" "$cpp" "$idle" "$busy" "$pcpp" >>"$runs"
			done
		done
		bench_unlock
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)

# 5. Summary: results.json, results.md, plot.dat, then the plot.
noisy_others=${BENCH_NOISY_OTHERS:-0.5}
python3 - "$runs" "$res_dir" "$systems" <<EOF
import json, math, statistics, sys
runs_path, out, systems = sys.argv[1], sys.argv[2], sys.argv[3].split()
meta = {
    "date_utc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "ringfwd_version": "$rf_ver",
    "before": "$before",
    "machine": {"cpu": "$cpu", "cpu_mhz": "$mhz", "cores": $cores, "kernel": "$kernel",
                "dpdk": "$dpdk_ver", "memory": "$mem", "memory_detail": "$mem_desc"},
    "load_average_start": "$load_start", "load_average_end": "$load_end",
    "duration_s": $((t_end - t_start)),
    "warmup_s": $warmup, "window_s": $window, "pairs": $pairs, "quick": bool($quick),
    "gbps": "frame bytes x 8 (Ethernet header to payload end; no CRC, no preamble/IFG)",
    "nice": $bench_nice,
    "other_runnable": "mean runnable tasks besides the peer's and DUT's pollers during a window",
    "headline": "Mpps counted by the peer (testpmd net_vhost): Tx in rx, Rx in tx and fwd",
    "verdict": "settled: ringfwd and DPDK ranges disjoint and median other runnable < %.1f; else noisy" % $noisy_others,
}
NOISY_OTHERS = $noisy_others
rows = [l.rstrip("\n").split("\t") for l in open(runs_path)][1:]
def num(v):
    try:
        f = float(v)
        return None if math.isnan(f) else f
    except ValueError:
        return None
def stat(vals):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
def med(s):
    return s["median"] if s else None
order = []
for r in rows:
    k = (r[0], int(r[1]))
    if k not in order:
        order.append(k)
summary = []
for sc, size in order:
    e = {"scenario": sc, "size": size}
    for sys_ in systems:
        sel = [r for r in rows if r[0] == sc and int(r[1]) == size and r[2] == sys_]
        e[sys_] = {"peer_mpps": stat([num(r[4]) for r in sel]),
                   "dut_mpps": stat([num(r[5]) for r in sel]),
                   "runs": [{"pair": int(r[3]), "peer_mpps": num(r[4]), "dut_mpps": num(r[5]),
                             "busy_cycles_per_packet": num(r[6]), "idle_poll_share": num(r[7]),
                             "other_runnable": num(r[8]), "peer_cycles_per_packet": num(r[9])}
                            for r in sel]}
        m = e[sys_]["peer_mpps"]
        e[sys_]["gbps_median"] = m["median"] * size * 8 / 1000 if m else None
        for k in ("busy_cycles_per_packet", "peer_cycles_per_packet", "other_runnable"):
            e[sys_][k] = stat([x[k] for x in e[sys_]["runs"]])
        if sys_ != "dpdk":
            e[sys_]["idle_poll_share"] = stat([x["idle_poll_share"] for x in e[sys_]["runs"]])
    d = e["dpdk"]["peer_mpps"]
    for sys_ in systems:
        if sys_ == "dpdk":
            continue
        a = e[sys_]["peer_mpps"]
        key = "ratio" if sys_ == "ringfwd" else "ratio_" + sys_
        e[key] = a["median"] / d["median"] if a and d and d["median"] > 0 else None
    # The verdict compares ringfwd with DPDK (before is for the commit message).
    a = e["ringfwd"]["peer_mpps"]
    why = []
    if a is None or d is None or a["n"] < 2 or d["n"] < 2:
        why.append("fewer than 2 runs each")
    elif a["min"] <= d["max"] and d["min"] <= a["max"]:
        why.append("ranges overlap")
    oth = [x for s_ in systems for x in [med(e[s_]["other_runnable"])] if x is not None]
    if oth and max(oth) >= NOISY_OTHERS:
        why.append("others ran (%.1f)" % max(oth))
    e["verdict"] = "settled" if not why else "noisy: " + ", ".join(why)
    summary.append(e)
json.dump({"meta": meta, "results": summary}, open(out + "/results.json", "w"), indent=2)

def f(x, p=2):
    return "-" if x is None else "%.*f" % (p, x)
def mm(s, p=2):
    return "-" if s is None else "%s (%s..%s)" % (f(s["median"], p), f(s["min"], p), f(s["max"], p))
names = {"ringfwd": "ringfwd", "before": "before", "dpdk": "DPDK"}
hdr = ["scenario", "frame B"] + ["%s Mpps" % names[s_] for s_ in systems] + ["ratio"]
if "before" in systems:
    hdr.append("before ratio")
hdr += ["ringfwd Gbit/s", "DPDK Gbit/s"]
hdr += ["%s DUT Mpps" % names[s_] for s_ in systems]
hdr += ["%s cyc/pkt" % names[s_] for s_ in systems]
hdr += ["peer cyc/pkt vs %s" % names[s_] for s_ in systems]
hdr += ["ringfwd idle polls", "others", "verdict"]
tab = []
for e in summary:
    t = [e["scenario"], str(e["size"])] + [mm(e[s_]["peer_mpps"]) for s_ in systems] + [f(e["ratio"])]
    if "before" in systems:
        t.append(f(e["ratio_before"]))
    t += [f(e["ringfwd"]["gbps_median"]), f(e["dpdk"]["gbps_median"])]
    t += [f(med(e[s_]["dut_mpps"])) for s_ in systems]
    t += [f(med(e[s_]["busy_cycles_per_packet"]), 0) for s_ in systems]
    t += [f(med(e[s_]["peer_cycles_per_packet"]), 0) for s_ in systems]
    idle = e["ringfwd"]["idle_poll_share"]
    t.append("-" if idle is None else "%.0f%%" % (100 * idle["median"]))
    t.append("/".join(f(med(e[s_]["other_runnable"]), 1) for s_ in systems))
    t.append(e["verdict"])
    tab.append(t)
md = []
md.append("# ringfwd vs DPDK net_virtio_user, " + meta["date_utc"])
md.append("")
mc = meta["machine"]
md.append("- machine: %s (%s MHz), %d cores, kernel %s, DPDK %s" % (mc["cpu"], mc["cpu_mhz"], mc["cores"], mc["kernel"], mc["dpdk"]))
md.append("- memory: " + mc["memory_detail"])
md.append("- ringfwd %s; %d pairs (%s alternating), warm-up %d s, window %d s, %d s in all"
          % (meta["ringfwd_version"], meta["pairs"], ", ".join(names[s_] for s_ in systems), meta["warmup_s"], meta["window_s"], meta["duration_s"]))
if meta["before"]:
    md.append("- before: " + meta["before"])
md.append("- load average (1, 5, 15 min): %s at start, %s at end" % (meta["load_average_start"], meta["load_average_end"]))
md.append("- Mpps: median (min..max) of the pairs, counted by the peer; ratio = ringfwd/DPDK medians")
md.append("- Gbit/s: " + meta["gbps"])
md.append("- others: median runnable tasks besides our two pollers during the windows, per system (other work on the 2 cores)")
md.append("- cyc/pkt: busy TSC cycles per packet over the whole run (ringfwd: --stats-json; DPDK: testpmd --record-core-cycles); peer cyc/pkt: the peer's own (--record-core-cycles) against each DUT; idle polls: RX polls that returned nothing (tx: TX bursts refused whole)")
md.append("- verdict: " + meta["verdict"])
md.append("")
md.append("| " + " | ".join(hdr) + " |")
md.append("|" + "|".join("---" for _ in hdr) + "|")
for t in tab:
    md.append("| " + " | ".join(t) + " |")
open(out + "/results.md", "w").write("\n".join(md) + "\n")

w = [max(len(h), *(len(t[i]) for t in tab)) for i, h in enumerate(hdr)]
print()
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
for t in tab:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(t)))

with open(out + "/plot.dat", "w") as p:
    p.write("# label rf_median rf_min rf_max dpdk_median dpdk_min dpdk_max\n")
    for e in summary:
        r, d = e["ringfwd"]["peer_mpps"], e["dpdk"]["peer_mpps"]
        z = {"median": 0, "min": 0, "max": 0}
        r, d = r or z, d or z
        p.write('"%s %d B" %f %f %f %f %f %f\n' % (e["scenario"], e["size"], r["median"], r["min"], r["max"],
                                                 d["median"], d["min"], d["max"]))
EOF
sub="$cpu, $cores cores, $mem, load $load_start -> $load_end"
(cd "$res_dir" && gnuplot -e "dat='plot.dat'; base='mpps'; subtitle='$sub'" "$RF_ROOT/scripts/bench/plot.gp") ||
	rf_log "gnuplot failed"
echo
rf_log "results in $res_dir (results.json, results.md, mpps.png, mpps.svg)"
