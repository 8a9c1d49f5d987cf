#!/usr/bin/env bash
# test_completion.sh SCRIPT: the generated bash completion, in a scripted bash
# session: COMP_LINE/COMP_POINT and COMP_WORDS set as bash sets them (split at
# spaces and at '=', as COMP_WORDBREAKS says), the completion function called,
# COMPREPLY compared. Options of both binaries, forward modes, and devargs:
# driver names, then keys, also after a key=value.
set -u
script=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck disable=SC1090
. "$script" || fail "cannot source $script"

# check FUNC "WANT" WORD...: the words bash would make; the cursor at the end.
check() {
	local fn=$1 want=$2
	shift 2
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	# The line: words joined by spaces, but none around a '=' that bash split out.
	local w glue=""
	COMP_LINE=""
	for w in "$@"; do
		if [ "$w" = "=" ]; then
			COMP_LINE+="="
			glue=""
		else
			COMP_LINE+="$glue$w"
			glue=" "
		fi
	done
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn"
	local got="${COMPREPLY[*]}"
	[ "$got" = "$want" ] || fail "'$COMP_LINE': got '$got', expected '$want'"
	echo "ok: '$COMP_LINE' -> '$got'"
}

check _ringfwd "--stats-json --stats-period --stats-prom" ringfwd -- --stats-
check _ringfwd "--no-huge --no-pci --no-telemetry" ringfwd --no-
check _ringfwd "--version" ringfwd --vers
check _ringfwd "net_pcap0," ringfwd --vdev net_p
check _ringfwd "net_virtio_user0,queues= net_virtio_user0,queue_size=" ringfwd --vdev net_virtio_user0,q
check _ringfwd "a.pcap,tx_pcap= a.pcap,tx_iface=" ringfwd --vdev net_pcap0,rx_pcap = a.pcap,tx_
check _ringfwd "mac macswap" ringfwd -- --forward-mode = ma
check _ringfwd "5tswap" ringfwd -- --forward-mode 5t
check _ringfwd_replay "--pcap --pps" ringfwd-replay -- --p
check _ringfwd_replay "--topspeed --tx-port" ringfwd-replay -- --t
echo "PASS"
