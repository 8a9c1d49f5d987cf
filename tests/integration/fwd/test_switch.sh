#!/usr/bin/env bash
# Two ringfwd ports behind a learning switch, with default options: flowgen
# traffic must cross both ways. The switch is a Linux bridge in a network
# namespace of ours, between two tap interfaces that dpdk-testpmd (in that
# namespace) io-forwards to and from two net_vhost ports, to which ringfwd's
# two net_virtio_user ports connect:
#
#   ringfwd port 0 -- vhost0 ~ testpmd ~ tap0 --+
#                                               bridge
#   ringfwd port 1 -- vhost1 ~ testpmd ~ tap1 --+
#
# A bridge learns each source address on the port it came in on, and drops a
# frame addressed to a station on that same port. Ports whose MAC equals their
# default --eth-peer (02:00:00:00:00:0N, once the default of both) talk to
# themselves and nothing crosses: the second run sets those addresses by hand
# and checks that the bridge indeed drops everything, so that the first run's
# pass means the default addresses are right.
. "$(dirname "$0")/lib.sh"
rf_need_cmd ip
[ -c /dev/net/tun ] || rf_skip "needs /dev/net/tun for testpmd's net_tap"
ls /usr/lib/*/dpdk/pmds-*/librte_net_tap.so* >/dev/null 2>&1 || rf_skip "needs DPDK's net_tap (librte-net-tap23)"

ns=rfsw$$
ip netns add "$ns" || rf_fail "cannot create namespace $ns"
trap 'rf_cleanup; ip netns del "$ns" 2>/dev/null' EXIT
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

s0=$RF_TMP/vhost0.sock s1=$RF_TMP/vhost1.sock
# Port order 0 vhost0, 1 tap0, 2 vhost1, 3 tap1: the paired topology forwards 0<->1, 2<->3.
ip netns exec "$ns" dpdk-testpmd --lcores "0@0,1@0" --main-lcore 0 --no-huge -m 512 --no-pci \
	--file-prefix="rfpeer-sw-$$" --vdev "net_vhost0,iface=$s0" --vdev "net_tap0,iface=rfswtap0" \
	--vdev "net_vhost1,iface=$s1" --vdev "net_tap1,iface=rfswtap1" -- \
	--forward-mode=io --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 \
	</dev/null >"$RF_TMP/peer.log" 2>&1 &
rf_track $!
rf_wait_socket "$s0" 30
rf_wait_socket "$s1" 30
for _ in $(seq 1 100); do
	ip -n "$ns" link show rfswtap1 >/dev/null 2>&1 && break
	sleep 0.1
done
ip -n "$ns" link add rfswbr type bridge stp_state 0 forward_delay 0 || rf_fail "cannot create the bridge"
for t in rfswtap0 rfswtap1; do
	ip -n "$ns" link set "$t" master rfswbr || rf_fail "cannot put $t on the bridge"
	ip -n "$ns" link set "$t" up
done
ip -n "$ns" link set rfswbr up

run() { # name [mac0 mac1]
	local name=$1 m0=${2:+,mac=$2} m1=${3:+,mac=$3}
	fwd_start "$name" --vdev "net_virtio_user0,path=$s0$m0" --vdev "net_virtio_user1,path=$s1$m1" \
		-- --forward-mode=flowgen
	fwd_wait_links "$name" 2
	sleep 4
	fwd_stop "$name" || rf_fail "$name: ringfwd exit $?"
}

# 1. Defaults: each port draws its own address; the frames go to the peers'.
run defaults
for p in 0 1; do
	mac=$(fwd_json defaults "d['ports'][$p]['mac']")
	case "$mac" in 02:00:00:00:00:*) rf_fail "port $p has the default peer's form of address $mac" ;; esac
	grep -q "MAC $mac (random: no mac= given)" "$RF_TMP/defaults.log" ||
		rf_fail "port $p: the start-up line does not say its MAC $mac is random"
	rx=$(fwd_json defaults "d['ports'][$p]['rx_packets']")
	tx=$(fwd_json defaults "d['ports'][1 - $p]['tx_packets']")
	[ "$rx" -ge 1000 ] || rf_fail "defaults: port $p received $rx frames across the bridge (the other sent $tx)"
	echo "ok: defaults: port $p (MAC $mac) received $rx of the $tx frames port $((1 - p)) sent"
done

# 2. The old default addresses: each port sends to itself, and the bridge drops it all.
run self 02:00:00:00:00:00 02:00:00:00:00:01
for p in 0 1; do
	rx=$(fwd_json self "d['ports'][$p]['rx_packets']")
	tx=$(fwd_json self "d['ports'][$p]['tx_packets']")
	[ "$tx" -ge 1000 ] || rf_fail "self: port $p sent only $tx frames"
	fwd_expect_eq "self: frames port $p received through a bridge that drops frames to their sender" "$rx" 0
done
echo "PASS"
