#!/usr/bin/env bash
# Kill -9 of ringfwd on kernel interfaces: nothing of it stays behind (no
# packet socket, the interface's promiscuity back to what it was), and the
# next start on the same interfaces forwards at once: ping through it again.
# Usage: test_kill9.sh DRIVER (af_packet).
set -u
drv=${1:?driver}
# shellcheck source=tests/integration/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd ping

# shellcheck disable=SC2119 # no extra ip link options
kn_topology
if_state() { ip -n "$KN_M" -d link show dev "$1"; }
packet_sockets() { kn_ns "$KN_M" awk 'NR > 1' /proc/net/packet | wc -l; }
before0=$(if_state "$KN_IF_M0")
before1=$(if_state "$KN_IF_M1")
v0=$(kn_vdev "$drv" 0 "$KN_IF_M0")
v1=$(kn_vdev "$drv" 1 "$KN_IF_M1")

kn_fwd_start first "$v0" "$v1" --forward-mode=io
kn_fwd_wait first
kn_ns "$KN_A" taskset -c 0 ping -c 2 -i 0.2 -W 2 "$KN_IP_B" >"$RF_TMP/ping1.log" 2>&1 ||
	rf_fail "ping through the first ringfwd got no replies"
# While it runs the interfaces are promiscuous (a membership, not a flag).
ip -n "$KN_M" -d link show dev "$KN_IF_M0" | grep -q 'promiscuity [1-9]' ||
	rf_fail "port 0's interface is not promiscuous while ringfwd runs"
pid=$(kn_pid first)
kill -KILL "$pid"
wait "$pid" 2>/dev/null

[ "$(packet_sockets)" = 0 ] || rf_fail "a packet socket outlived ringfwd"
[ "$(if_state "$KN_IF_M0")" = "$before0" ] || rf_fail "$KN_IF_M0 changed: $(if_state "$KN_IF_M0")"
[ "$(if_state "$KN_IF_M1")" = "$before1" ] || rf_fail "$KN_IF_M1 changed: $(if_state "$KN_IF_M1")"

kn_fwd_start second "$v0" "$v1" --forward-mode=io
kn_fwd_wait second
kn_ns "$KN_A" taskset -c 0 ping -c 3 -i 0.2 -W 2 "$KN_IP_B" >"$RF_TMP/ping2.log" 2>&1 ||
	rf_fail "ping through ringfwd started after kill -9 got no replies"
kn_fwd_stop second || rf_fail "the second ringfwd exited with status $?"
[ "$(packet_sockets)" = 0 ] || rf_fail "a packet socket outlived the second ringfwd"
echo "PASS: $drv kill -9: nothing left on the interfaces, the next start forwards"
