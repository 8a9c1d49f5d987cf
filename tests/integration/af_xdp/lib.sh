#!/usr/bin/env bash
# Shared by the net_af_xdp tests: network namespaces and veth pairs that the
# test makes and removes, the kernel's own tools (ping, iperf3, tcpdump) as
# the peers, ringfwd in a namespace of its own.
#
#   . "$(dirname "$0")/lib.sh"        # needs RINGFWD (and REPLAY for replay tests)
#   xdp_ns NAME                       # a namespace, IPv6 off; name in $XDP_NS_<NAME>
#   xdp_veth NS_A IF_A NS_B IF_B [ip link options]  # a veth pair, both ends up
#   xdp_ringfwd_start NAME [EAL args] -- [app args]  # ringfwd in namespace M; waits until it forwards
#   xdp_ringfwd_stop NAME             # SIGINT, wait; returns its exit status
#   xdp_iface_clean NS IF             # fails the test if IF has an XDP program or is promiscuous
#
# Names start with "xdp" and carry the test's PID. The exit trap kills what
# the test started (by PID) and deletes its namespaces (and so their veths).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"

rf_need_root
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || rf_skip "RINGFWD (the ringfwd binary) not given"
rf_need_cmd ip
rf_need_cmd ethtool
rf_tmpdir

XDP_ID=$(($$ % 100000))
XDP_NAMESPACES=()

xdp_cleanup() {
	rf_cleanup
	local ns
	for ns in "${XDP_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	XDP_NAMESPACES=()
}
trap xdp_cleanup EXIT

rf_fail() {
	echo "FAIL: $*" >&2
	local f
	for f in "$RF_TMP"/*.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $(basename "$f") ----" >&2
		tail -n 25 "$f" >&2
	done
	exit 1
}

# A ringfwd without the driver (libxdp-dev or libbpf-dev missing at build) is a missing resource.
"$RINGFWD" -l 0 --no-huge -m 16 --vdev 'net_af_xdp0,iface=' -- --help 2>&1 |
	grep -q 'unknown driver' && rf_skip "ringfwd was built without net_af_xdp (libxdp-dev, libbpf-dev)"

xdp_ns() {
	local ns="xdp$XDP_ID$1"
	ip netns add "$ns" || rf_fail "cannot create namespace $ns"
	XDP_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
	# No router solicitations or DAD: the only frames are the test's.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	eval "XDP_NS_$1=$ns"
}

xdp_veth() {
	local na=$1 ia=$2 nb=$3 ib=$4
	shift 4
	ip link add "$ia" netns "$na" "$@" type veth peer name "$ib" netns "$nb" "$@" ||
		rf_fail "cannot create veth $ia/$ib"
	ip -n "$na" link set "$ia" up
	ip -n "$nb" link set "$ib" up
}

# Hugepages when enough are free; the plain memfd of --no-huge works as well.
xdp_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 160 ]; then echo "-m 256"; else echo "--no-huge -m 256"; fi
}

# xdp_ringfwd_start NAME NS [EAL args] -- [app args]: in the background, log $RF_TMP/NAME.log,
# stats JSON $RF_TMP/NAME.json. Returns once the lcores are forwarding (or fails the test).
xdp_ringfwd_start() {
	local name=$1 ns=$2
	shift 2
	local eal=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		eal+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	local log="$RF_TMP/$name.log"
	# shellcheck disable=SC2046
	ip netns exec "$ns" "$RINGFWD" $(xdp_mem_args) --file-prefix "xdp-$name-$$" "${eal[@]}" \
		-- --stats-json "$RF_TMP/$name.json" "$@" </dev/null >"$log" 2>&1 &
	local pid=$!
	rf_track "$pid"
	eval "XDP_PID_$name=$pid"
	for _ in $(seq 1 200); do
		grep -q 'lcore [0-9]*: RX port' "$log" 2>/dev/null && { sleep 0.3; return 0; }
		kill -0 "$pid" 2>/dev/null || rf_fail "ringfwd $name exited at start"
		sleep 0.1
	done
	rf_fail "ringfwd $name did not start forwarding in 20 s"
}

xdp_ringfwd_stop() {
	local pidvar="XDP_PID_$1" rc
	local pid=${!pidvar}
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	return $rc
}

# A value from ringfwd's --stats-json, EXPR in Python over d.
xdp_json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$RF_TMP/$1.json" "$2"
}

xdp_iface_clean() {
	local ns=$1 ifc=$2 show
	show=$(ip -n "$ns" -d link show dev "$ifc") || rf_fail "$ifc is gone from $ns"
	if grep -q 'prog/xdp' <<<"$show"; then rf_fail "$ifc still has an XDP program: $show"; fi
	if ! grep -q 'promiscuity 0' <<<"$show"; then rf_fail "$ifc left promiscuous: $show"; fi
	if [ -n "$(ip netns exec "$ns" ss -H --xdp -a 2>/dev/null)" ]; then
		rf_fail "an AF_XDP socket is left in $ns"
	fi
}
