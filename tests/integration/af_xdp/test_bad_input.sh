#!/usr/bin/env bash
# net_af_xdp refuses what it cannot use with one clear line and exit status
# 2, and leaves the interface as it was: no XDP program of ours, not
# promiscuous, no AF_XDP socket. A program someone else attached stays.
# shellcheck source=tests/integration/af_xdp/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd setpriv

xdp_ns M
xdp_ns P
a="xdp${XDP_ID}a" b="xdp${XDP_ID}b" c="xdp${XDP_ID}c"
xdp_veth "$XDP_NS_M" "$a" "$XDP_NS_P" "${a}p"
ip link add "$b" netns "$XDP_NS_M" type veth peer name "${b}p" netns "$XDP_NS_P" # left down
xdp_veth "$XDP_NS_M" "$c" "$XDP_NS_P" "${c}p"

# expect NAME WANT IFACE [runuser -u nobody --] -- DEVARGS: one line on stderr matching WANT, exit 2.
expect() {
	local name=$1 want=$2 ifc=$3
	shift 3
	local pre=()
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	ip netns exec "$XDP_NS_M" "${pre[@]}" "$RINGFWD" -l 0,1 --main-lcore 0 --no-huge -m 64 \
		--log-level err --file-prefix "xdp-bad-$name-$$" --vdev "$1" -- --forward-mode=io \
		>"$RF_TMP/$name.out" 2>"$RF_TMP/$name.err" </dev/null
	local rc=$?
	[ "$rc" = 2 ] || rf_fail "$name: exit status $rc, expected 2 ($(cat "$RF_TMP/$name.err"))"
	[ "$(wc -l <"$RF_TMP/$name.err")" = 1 ] ||
		rf_fail "$name: expected one line on stderr, got: $(cat "$RF_TMP/$name.err")"
	grep -q -- "$want" "$RF_TMP/$name.err" ||
		rf_fail "$name: '$(cat "$RF_TMP/$name.err")' does not say '$want'"
	echo "$name: $(cat "$RF_TMP/$name.err")"
	[ -n "$ifc" ] && xdp_iface_clean "$XDP_NS_M" "$ifc"
	return 0
}

expect no_such_iface 'no such interface' "" -- "net_af_xdp0,iface=xdp${XDP_ID}none"
expect iface_down "is down" "$b" -- "net_af_xdp0,iface=$b"
expect queue_beyond "has 1 queue" "$a" -- "net_af_xdp0,iface=$a,start_queue=1"
expect queue_count "has 1 queue" "$a" -- "net_af_xdp0,iface=$a,queue_count=2"
expect as_nobody "no permission" "$a" setpriv --reuid=65534 --regid=65534 --clear-groups -- "net_af_xdp0,iface=$a"
expect bad_prog "xdp_prog=" "$a" -- "net_af_xdp0,iface=$a,xdp_prog=$RF_TMP/none.o"

# Someone else's XDP program: refused, and still there afterwards, the same one.
obj=/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o
[ -f "$obj" ] || obj=$(find /usr/lib -name 'xdpfilt_alw_all.o' 2>/dev/null | head -1)
[ -n "$obj" ] || rf_skip "no XDP object to attach as the foreign program (libxdp1's xdpfilt_alw_all.o)"
ip -n "$XDP_NS_M" link set dev "$c" xdpgeneric obj "$obj" sec xdp ||
	rf_fail "cannot attach a foreign XDP program to $c"
before=$(ip -n "$XDP_NS_M" link show dev "$c" | grep -o 'prog/xdp id [0-9]*')
ip netns exec "$XDP_NS_M" "$RINGFWD" -l 0,1 --main-lcore 0 --no-huge -m 64 --log-level err \
	--file-prefix "xdp-bad-foreign-$$" --vdev "net_af_xdp0,iface=$c" -- --forward-mode=io \
	>"$RF_TMP/foreign.out" 2>"$RF_TMP/foreign.err" </dev/null
rc=$?
[ "$rc" = 2 ] || rf_fail "foreign program: exit status $rc, expected 2"
if [ "$(wc -l <"$RF_TMP/foreign.err")" != 1 ] || ! grep -q 'already has an XDP program' "$RF_TMP/foreign.err"; then
	rf_fail "foreign program: '$(cat "$RF_TMP/foreign.err")'"
fi
echo "foreign_prog: $(cat "$RF_TMP/foreign.err")"
after=$(ip -n "$XDP_NS_M" link show dev "$c" | grep -o 'prog/xdp id [0-9]*')
if [ -z "$before" ] || [ "$before" != "$after" ]; then
	rf_fail "the foreign program changed: '$before' -> '$after'"
fi
[ -z "$(ip netns exec "$XDP_NS_M" ss -H --xdp -a)" ] || rf_fail "an AF_XDP socket is left"
ip -n "$XDP_NS_M" link set dev "$c" xdpgeneric off
echo "PASS: bad input refused in one line each, interfaces left as they were"
