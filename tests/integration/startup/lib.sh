#!/usr/bin/env bash
# Shared by the start-up failure tests (tests/integration/startup): a command
# that must be refused at start-up, and what the refusal must look like.
#
#   . "$(dirname "$0")/lib.sh"        # sources ../lib/peer.sh; RF_TMP; $EAL
#   st_refused NAME REGEX CMD...      # CMD must be refused (below)
#   st_done                           # exit 1 if any case failed, else 0
#
# A refusal is: exit status 2; exactly one line on stderr, matching REGEX
# (extended), which names the thing and says what to do; no sanitizer report
# (that would add lines); afterwards as many free hugepages as before, and no
# process of ours left (every command carries $EAL, whose file prefix is
# unique to this run).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"

RINGFWD=${RINGFWD:-}
REPLAY=${REPLAY:-}
[ -x "$RINGFWD" ] || rf_skip "RINGFWD (the ringfwd binary) not given"
[ -x "$REPLAY" ] || rf_skip "REPLAY (the ringfwd-replay binary) not given"
rf_need_cmd python3
rf_tmpdir
chmod 755 "$RF_TMP"

ST_TAG="rfst$$"
# Small memory: the failures come before it matters, and hugepages stay free
# for whatever else runs on the machine.
EAL=(-m 64 --file-prefix "$ST_TAG")
st_fails=0

st_fail() {
	echo "FAIL: $*" >&2
	st_fails=$((st_fails + 1))
}

st_huge_free() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }

# Other processes on the machine may hold hugepages for a moment too: wait
# until at least as many are free as before, a few seconds at most.
st_huge_back() {
	local before=$1
	for _ in $(seq 1 50); do
		[ "$(st_huge_free)" -ge "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

st_refused() {
	local name=$1 re=$2
	shift 2
	local out="$RF_TMP/$name.out" errf="$RF_TMP/$name.err" before rc lines
	before=$(st_huge_free)
	timeout -k 5 60 "$@" </dev/null >"$out" 2>"$errf"
	rc=$?
	lines=$(grep -c '' "$errf")
	if [ "$rc" != 2 ]; then
		st_fail "$name: exit $rc, expected 2; stderr: $(cat "$errf")"
	elif [ "$lines" != 1 ]; then
		st_fail "$name: $lines lines on stderr, expected 1: $(cat "$errf")"
	elif ! grep -qE -- "$re" "$errf"; then
		st_fail "$name: stderr does not match /$re/: $(cat "$errf")"
	else
		echo "ok $name: $(cat "$errf")"
	fi
	if grep -qE "Sanitizer|runtime error:" "$errf"; then
		st_fail "$name: sanitizer report"
	fi
	if [ -n "$before" ] && ! st_huge_back "$before"; then
		st_fail "$name: HugePages_Free $(st_huge_free), was $before"
	fi
	if pgrep -f -- "$ST_TAG" >/dev/null; then
		st_fail "$name: a process of ours is still running: $(pgrep -af -- "$ST_TAG")"
	fi
}

st_done() {
	if [ "$st_fails" -ne 0 ]; then
		echo "$st_fails failure(s)" >&2
		exit 1
	fi
	echo "PASS"
	exit 0
}

# st_pcap FILE: a valid capture of one 64-byte Ethernet frame.
st_pcap() {
	python3 - "$1" <<'PY'
import struct, sys
frame = bytes.fromhex("ffffffffffff0200000000010800") + bytes(50)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
PY
}
