#!/usr/bin/env bash
# Bad input on kernel interfaces: an interface that does not exist, one that
# is down, and no permission (running as nobody). Each must exit 2 with one
# line on stderr that names the interface and what to do, and leave the
# interface exactly as it was (flags, promiscuity, everything `ip -d link`
# shows) with no packet socket left on it.
# Usage: test_bad_input.sh DRIVER (af_packet).
set -u
drv=${1:?driver}
# shellcheck source=tests/integration/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd setpriv

kn_ns_add "$KN_M"
kn_ns_add "$KN_A"
kn_veth "$KN_M" "$KN_IF_M0" "$KN_A" "$KN_IF_A"
kn_veth "$KN_M" "$KN_IF_M1" "$KN_A" "${KN_ID}a1"

# What must not change: the interface as ip shows it, statistics aside.
if_state() { ip -n "$KN_M" -d link show dev "$1"; }
# Packet sockets open in the namespace (/proc/net/packet, header line aside).
packet_sockets() { kn_ns "$KN_M" awk 'NR > 1' /proc/net/packet | wc -l; }

# expect_refusal NAME REGEX IFACE [prefix command...]: ringfwd with port 0 on
# IFACE (port 1 on the good m1) exits 2, one stderr line matching REGEX.
expect_refusal() {
	local name=$1 re=$2 ifc=$3
	shift 3
	local before after rc lines
	before=$(if_state "$KN_IF_M0")
	# shellcheck disable=SC2046
	kn_ns "$KN_M" timeout 30 "$@" "$RINGFWD" -l 0,1 --main-lcore 0 --no-huge -m 64 \
		--file-prefix "rfkn-bad-$name-$$" --vdev "$(kn_vdev "$drv" 0 "$ifc")" \
		--vdev "$(kn_vdev "$drv" 1 "$KN_IF_M1")" -- --forward-mode=io \
		>"$RF_TMP/$name.out" 2>"$RF_TMP/$name.err"
	rc=$?
	after=$(if_state "$KN_IF_M0")
	lines=$(wc -l <"$RF_TMP/$name.err")
	echo "$name: exit $rc: $(cat "$RF_TMP/$name.err")"
	[ "$rc" = 2 ] || rf_fail "$name: exit $rc, not 2"
	[ "$lines" = 1 ] || rf_fail "$name: $lines lines on stderr, not one"
	grep -qE "$re" "$RF_TMP/$name.err" || rf_fail "$name: the message does not match '$re'"
	[ "$before" = "$after" ] || rf_fail "$name: the interface changed: '$before' -> '$after'"
	[ "$(packet_sockets)" = 0 ] || rf_fail "$name: a packet socket is left in the namespace"
}

expect_refusal missing "iface=${KN_ID}zz: no such interface" "${KN_ID}zz"

ip -n "$KN_M" link set "$KN_IF_M0" down
expect_refusal down "iface=$KN_IF_M0 is down.*ip link set $KN_IF_M0 up" "$KN_IF_M0"
ip -n "$KN_M" link set "$KN_IF_M0" up

user=nobody
uid=$(id -u "$user" 2>/dev/null) || rf_skip "no user '$user'"
setpriv --reuid="$uid" --regid="$(id -g "$user")" --clear-groups test -x "$RINGFWD" ||
	rf_skip "$user cannot run the binary where it is built"
expect_refusal nobody "iface=$KN_IF_M0: .*CAP_NET_RAW" "$KN_IF_M0" \
	setpriv --reuid="$uid" --regid="$(id -g "$user")" --clear-groups

echo "PASS: $drv bad input: missing, down and unprivileged refused with exit 2, nothing changed"
