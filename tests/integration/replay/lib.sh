#!/usr/bin/env bash
# Shared by the ringfwd-replay tests: the tool's worker (the sender) on CPU 1,
# its main lcore (which sleeps) and the dpdk-testpmd peer on CPU 0.
#
#   . "$(dirname "$0")/lib.sh"            # sources ../lib/peer.sh; needs REPLAY
#   rp_run NAME [EAL args] -- [app args]  # runs to the end; log $RF_TMP/NAME.log,
#                                         # JSON $RF_TMP/NAME.json; returns its exit status
#   rp_json NAME EXPR                     # a value from the JSON, EXPR in Python: d["sent"]
#   rp_frames FILE                        # the frames of a capture as hex lines, read by tcpdump
#   rp_peer_start NAME SOCK [testpmd app args]  # testpmd: vhost port 0 on SOCK

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"

REPLAY=${REPLAY:-}
[ -x "$REPLAY" ] || rf_skip "REPLAY (the ringfwd-replay binary) not given"
rf_need_cmd python3
rf_tmpdir
# shellcheck disable=SC2034 # used by the scripts that source this file
MKPCAP="$here/mkpcap.py"
# shellcheck disable=SC2034
DATA=$(cd "$here/../../data/pcap" && pwd)

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

# Hugepages when enough are free; the plain memfd of --no-huge works as well.
rp_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 192 ]; then
		echo "-m 256"
	else
		echo "--no-huge -m 256"
	fi
}

rp_run() {
	local name=$1
	shift
	local eal=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		eal+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	RP_SEQ=$((${RP_SEQ:-0} + 1))
	# shellcheck disable=SC2046
	timeout 120 "$REPLAY" -l 0,1 --main-lcore 0 $(rp_mem_args) --file-prefix "rfrp-$$-$RP_SEQ" \
		--log-level err "${eal[@]}" -- --json "$RF_TMP/$name.json" "$@" \
		>"$RF_TMP/$name.log" 2>&1
}

rp_json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$RF_TMP/$1.json" "$2"
}

# The frames of a capture, one hex line each, as tcpdump reads them (an
# independent reader: not our loader). Timestamps are left out.
rp_frames() {
	tcpdump -nn -r "$1" -xx 2>/dev/null | awk '
		/^[^ \t]/ { if (f != "") print f; f = ""; next }
		{ for (i = 2; i <= NF; i++) f = f $i }
		END { if (f != "") print f }'
}

rp_peer_start() {
	local name=$1 sock=$2
	shift 2
	rf_peer_start "$name" 0 --vdev "net_vhost0,iface=$sock,queues=1" "$@"
	rf_wait_socket "$sock" 20
}

# The capture timestamps' rate: (frames - 1) / (last - first), read by tcpdump.
rp_capture_pps() {
	tcpdump -nn -r "$1" --time-stamp-precision=nano -tt 2>/dev/null | awk '
		NR == 1 { first = $1 } { last = $1; n++ }
		END { if (n > 1 && last > first) printf "%.3f\n", (n - 1) / (last - first); else print 0 }'
}
