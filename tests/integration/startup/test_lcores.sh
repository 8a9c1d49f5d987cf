#!/usr/bin/env bash
# An lcore on a CPU that does not exist (or that this process may not use):
# -l N, and N@CPU, for both binaries. One line naming the lcore, the CPU and
# the usable CPUs, exit 2, before anything is set up.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"

# The first CPU numbers this process may not run on (7 and 9 on a 2-CPU machine
# would do; this works on any machine below the 128-lcore build limit).
read -r bad bad2 < <(python3 -c '
import os
a = os.sched_getaffinity(0)
free = [i for i in range(128) if i not in a]
print(*(free[:2] if len(free) >= 2 else ["", ""]))')
[ -n "$bad" ] && [ -n "$bad2" ] || rf_skip "this process may use every CPU below 128"
usable=$(python3 -c '
import os
a = sorted(os.sched_getaffinity(0)); out = []; i = 0
while i < len(a):
    j = i
    while j + 1 < len(a) and a[j + 1] == a[j] + 1: j += 1
    out.append(str(a[i]) if i == j else "%d-%d" % (a[i], a[j])); i = j + 1
print(",".join(out))')
first=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
pcap=$RF_TMP/one.pcap
st_pcap "$pcap"

no_cpu="lcore $bad would run on CPU $bad, which does not exist or is outside this process's CPU affinity \(usable CPUs: $usable\); list lcores from $usable, or pin it to one with $bad@CPU$"
pinned="lcore $first is pinned to CPU $bad2, which does not exist or is outside this process's CPU affinity \(usable CPUs: $usable\); pin it to one of those with $first@CPU$"

st_refused ringfwd_lcore_alone "^EAL: error: -l/--lcores: $no_cpu" \
	"$RINGFWD" "${EAL[@]}" -l "$bad" --vdev "net_pcap0,rx_pcap=$pcap"
st_refused ringfwd_lcore "^EAL: error: -l/--lcores: $no_cpu" \
	"$RINGFWD" "${EAL[@]}" -l "$first,$bad" --vdev "net_pcap0,rx_pcap=$pcap"
st_refused ringfwd_lcore_pinned "^EAL: error: -l/--lcores: $pinned" \
	"$RINGFWD" "${EAL[@]}" -l "$first@$bad2,$bad@$first" --vdev "net_pcap0,rx_pcap=$pcap"
st_refused replay_lcore "^EAL: error: -l/--lcores: $no_cpu" \
	"$REPLAY" "${EAL[@]}" -l "$first,$bad" --vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" \
	-- --pcap "$pcap"
st_refused replay_lcore_pinned "^EAL: error: -l/--lcores: $pinned" \
	"$REPLAY" "${EAL[@]}" -l "$first@$bad2,$bad@$first" \
	--vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" -- --pcap "$pcap"
[ ! -e "$RF_TMP/out.pcap" ] || st_fail "replay_lcore: a port was set up"
st_done
