#!/usr/bin/env bash
# The malformed corpus (tests/data/pcap, made by make_bad_pcaps.py): a file
# the loader refuses gives its message and exit 2, before any port is set up;
# one with bad records sends what it could read and says how many it skipped.
# Never a crash (exit > 2) or a hang (timeout).
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_cmd tcpdump

# file: expected exit, then a piece of the message or of the load line
declare -A want=(
	[bad_magic.pcap]="2|not a pcap or pcapng file"
	[empty.pcap]="2|empty capture"
	[header_only.pcap]="2|no packets"
	[linktype_sll.pcap]="2|LINUX_SLL"
	[truncated_global.pcap]="2|truncated file header"
	[caplen_over_origlen.pcap]="0|skipped 1: caplen over original length"
	[caplen_over_snaplen.pcap]="0|skipped 1"
	[caplen_huge.pcap]="0|skipped 1"
	[truncated_record_hdr.pcap]="0|skipped 1: truncated record"
	[truncated_record_data.pcap]="0|skipped 1: truncated record"
	[truncated.pcapng]="0|skipped 1"
)
n=0
for f in "${!want[@]}"; do
	[ -f "$DATA/$f" ] || rf_fail "$DATA/$f is missing"
	rc_want=${want[$f]%%|*}
	msg=${want[$f]#*|}
	name=bad_${f//./_}
	out=$RF_TMP/$name.pcap
	rp_run "$name" --vdev "net_pcap0,tx_pcap=$out" -- --pcap "$DATA/$f" --topspeed
	rc=$?
	[ "$rc" = "$rc_want" ] || rf_fail "$f: exit $rc, expected $rc_want"
	grep -qF "$msg" "$RF_TMP/$name.log" || rf_fail "$f: no '$msg' in the output"
	if [ "$rc" = 0 ]; then
		loaded=$(sed -n 's/.*: loaded \([0-9]*\) packets.*/\1/p' "$RF_TMP/$name.log")
		[ "$(rp_json "$name" 'd["sent"]')" = "$loaded" ] || rf_fail "$f: sent != loaded"
		[ "$(rp_frames "$out" | wc -l)" = "$loaded" ] || rf_fail "$f: capture != loaded"
		[ "$(rp_json "$name" 'd["leaked_mbufs"]')" = 0 ] || rf_fail "$f: mbufs leaked"
	else
		[ ! -e "$out" ] || rf_fail "$f: a port was set up for a refused capture"
	fi
	echo "$f: exit $rc, '$msg'"
	n=$((n + 1))
done
# Not a file at all.
rp_run missing -- --pcap "$RF_TMP/does-not-exist.pcap"
[ $? = 2 ] || rf_fail "a missing file must exit 2"
grep -q "does-not-exist.pcap" "$RF_TMP/missing.log" || rf_fail "missing file: not named"
echo "PASS ($n corpus files)"
