#!/usr/bin/env bash
# Shared by the kernel-interface tests (AF_PACKET, AF_XDP): network
# namespaces and veth pairs made by the test and removed by its exit trap,
# ringfwd and ringfwd-replay started inside a namespace and killed by PID.
#
#   . "$(dirname "$0")/lib.sh"            # sources ../lib/peer.sh; root, ip, ringfwd
#   kn_topology                           # ns $KN_A, $KN_M (ringfwd), $KN_B; veths below
#   kn_vdev DRIVER N IFACE [k=v,...]      # the --vdev string: af_packet -> net_af_packetN,iface=IFACE
#   kn_fwd_start NAME "VDEV0" "VDEV1" [app args]   # ringfwd in $KN_M, lcores 0 (main) and 1
#   kn_fwd_stop NAME                      # SIGINT; returns ringfwd's exit status
#   kn_ns NS CMD...                       # a command inside a namespace (in the
#                                         # background, call ip netns exec itself: $! is then
#                                         # the command, which the exit trap can kill)
#
# The topology, with the interface names in variables:
#
#   $KN_A: $KN_IF_A (10.77.0.1/24) -- $KN_IF_M0 :$KN_M: $KN_IF_M1 -- $KN_IF_B (10.77.0.2/24) :$KN_B
#
# Every name starts with "kn" and this shell's PID, so that parallel runs and
# other tests do not meet. A new driver is one more case in kn_vdev.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"

rf_need_root
rf_need_cmd ip
rf_need_cmd python3
rf_need_cmd ethtool
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || rf_skip "RINGFWD (the ringfwd binary) not given"
ip netns list >/dev/null 2>&1 || rf_skip "no network namespaces (ip netns)"
rf_tmpdir

# Interface names are at most 15 characters: "kn" + PID (up to 7) + 3.
KN_ID="kn$$"
KN_A="${KN_ID}a" KN_M="${KN_ID}m" KN_B="${KN_ID}b"
KN_IF_A="${KN_ID}a0" KN_IF_M0="${KN_ID}m0" KN_IF_M1="${KN_ID}m1" KN_IF_B="${KN_ID}b0"
KN_IP_A=10.77.0.1 KN_IP_B=10.77.0.2
KN_NS=()

# The namespaces go last, after peer.sh's cleanup has killed our processes:
# deleting a namespace deletes the veths in it, and with them their peers.
kn_cleanup() {
	rf_cleanup
	local ns
	for ns in "${KN_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	KN_NS=()
}
trap kn_cleanup EXIT

# A failure shows the end of every log, so that a CI run says why.
rf_fail() {
	echo "FAIL: $*" >&2
	local f
	for f in "$RF_TMP"/*.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $(basename "$f") ----" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

kn_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# kn_ns_add NS: a namespace with its loopback up and no IPv6 (no router
# solicitations or MLD reports crossing the bridge and the captures).
kn_ns_add() {
	ip netns add "$1" || rf_fail "cannot create namespace $1"
	KN_NS+=("$1")
	ip -n "$1" link set lo up
	kn_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# kn_veth NS1 IF1 NS2 IF2 [ip link options, e.g. numtxqueues 2 numrxqueues 2]: both ends up.
kn_veth() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4
	shift 4
	ip link add "$if1" netns "$ns1" "$@" type veth peer name "$if2" netns "$ns2" "$@" ||
		rf_fail "cannot create veth $if1/$if2"
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

# kn_no_offloads NS IFACE: the interface segments and checksums what it sends
# itself. A socket that copies frames off an interface (AF_PACKET, AF_XDP in
# copy mode) sees what the kernel passes it: with TSO/GSO a TCP super-frame of
# up to 64 KB, with checksum offload a checksum not yet filled in.
kn_no_offloads() {
	kn_ns "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1 ||
		rf_fail "ethtool -K $2: cannot turn the offloads off"
}

# kn_topology [ip link options for both veths]: the three namespaces and two veth pairs above.
kn_topology() {
	kn_ns_add "$KN_A"
	kn_ns_add "$KN_M"
	kn_ns_add "$KN_B"
	kn_veth "$KN_A" "$KN_IF_A" "$KN_M" "$KN_IF_M0" "$@"
	kn_veth "$KN_M" "$KN_IF_M1" "$KN_B" "$KN_IF_B" "$@"
	ip -n "$KN_A" addr add "$KN_IP_A/24" dev "$KN_IF_A"
	ip -n "$KN_B" addr add "$KN_IP_B/24" dev "$KN_IF_B"
	kn_no_offloads "$KN_A" "$KN_IF_A"
	kn_no_offloads "$KN_B" "$KN_IF_B"
}

# kn_vdev DRIVER N IFACE [extra devargs]: our --vdev string for a driver.
kn_vdev() {
	local drv=$1 n=$2 ifc=$3 extra=${4:-}
	case $drv in
	af_packet) echo "net_af_packet$n,iface=$ifc${extra:+,$extra}" ;;
	*) rf_fail "kn_vdev: unknown driver $drv" ;;
	esac
}

kn_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 192 ]; then echo "-m 256"; else echo "--no-huge -m 256"; fi
}

# kn_fwd_start NAME VDEV0 VDEV1 [app args...]: ringfwd in $KN_M, main lcore on
# CPU 0 (it sleeps), forwarding lcore(s) from KN_LCORES (default 0,1: one on
# CPU 1). Log in $RF_TMP/NAME.log, --stats-json in $RF_TMP/NAME.json.
kn_fwd_start() {
	local name=$1 v0=$2 v1=$3
	shift 3
	# shellcheck disable=SC2046
	ip netns exec "$KN_M" "$RINGFWD" -l "${KN_LCORES:-0,1}" --main-lcore 0 $(kn_mem_args) \
		--file-prefix "rfkn-$name-$$" --vdev "$v0" --vdev "$v1" -- --stats-period=1 \
		--stats-json="$RF_TMP/$name.json" "$@" >"$RF_TMP/$name.log" 2>&1 &
	local pid=$!
	rf_track "$pid"
	eval "KN_PID_$name=$pid"
}

kn_pid() { local v="KN_PID_$1"; echo "${!v}"; }

# kn_fwd_wait NAME: until ringfwd prints the header of its periodic lines (forwarding).
kn_fwd_wait() {
	local name=$1
	for _ in $(seq 1 200); do
		grep -q 'rx-pps' "$RF_TMP/$name.log" 2>/dev/null && return 0
		kill -0 "$(kn_pid "$name")" 2>/dev/null || break
		sleep 0.1
	done
	rf_fail "ringfwd $name did not start forwarding"
}

# SIGINT and wait (20 s at most); the exit status is ringfwd's.
kn_fwd_stop() {
	local name=$1 pid
	pid=$(kn_pid "$name")
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	wait "$pid"
}

kn_json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$RF_TMP/$1.json" "$2"
}

# The kernel's counter of an interface, read inside its namespace.
kn_if_stat() { # NS IFACE rx_packets|tx_packets|...
	kn_ns "$1" cat "/sys/class/net/$2/statistics/$3"
}
