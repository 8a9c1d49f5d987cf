#!/usr/bin/env bash
# A capture that cannot be read: missing, not a capture at all, a directory.
# For net_pcap's rx_pcap= in ringfwd and in ringfwd-replay, and for
# ringfwd-replay's --pcap (checked before the EAL starts).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"

pcap=$RF_TMP/one.pcap
st_pcap "$pcap"
missing=$RF_TMP/missing.pcap
garbage=$RF_TMP/garbage.pcap
printf 'this is not a capture file, only some text\n' >"$garbage"
not_pcap="not a pcap or pcapng file: magic 0x73696874 .*expected a1b2c3d4 or a1b23c4d \(pcap\) or 0a0d0d0a \(pcapng\)"

st_refused ringfwd_missing "^ringfwd: net_pcap0: rx_pcap=$missing: cannot open: No such file or directory" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,rx_pcap=$missing"
st_refused ringfwd_garbage "^ringfwd: net_pcap0: rx_pcap=$garbage: $not_pcap" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,rx_pcap=$garbage"
st_refused replay_missing "^ringfwd-replay: $missing: cannot open: No such file or directory" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" -- --pcap "$missing"
st_refused replay_garbage "^ringfwd-replay: $garbage: $not_pcap" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" -- --pcap "$garbage"
st_refused replay_rx_missing "^ringfwd-replay: net_pcap0: rx_pcap=$missing: cannot open: No such file or directory" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,rx_pcap=$missing,tx_pcap=$RF_TMP/out.pcap" \
	-- --pcap "$pcap"
[ ! -e "$RF_TMP/out.pcap" ] || st_fail "a port was left set up (its tx_pcap exists)"
st_done
