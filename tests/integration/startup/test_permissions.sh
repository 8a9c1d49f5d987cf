#!/usr/bin/env bash
# Permission denied, as an unprivileged user (root would pass every check):
# a server socket in a directory the user cannot write to, a client socket
# in a directory it cannot search, a capture it cannot read (net_pcap in
# ringfwd and in ringfwd-replay, and ringfwd-replay's --pcap). The EAL still
# comes up as that user (its memory is a memfd, hugepages or not).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"
rf_need_root
rf_need_cmd setpriv
user=nobody
uid=$(id -u "$user" 2>/dev/null) || rf_skip "no user '$user'"
as_user=(setpriv --reuid="$uid" --regid="$(id -g "$user")" --clear-groups)
"${as_user[@]}" test -x "$RINGFWD" && "${as_user[@]}" test -x "$REPLAY" ||
	rf_skip "$user cannot run the binaries where they are built"

vu=net_virtio_user0
pcap=$RF_TMP/one.pcap
st_pcap "$pcap"
chmod 644 "$pcap"
# Root's own directory: the user may neither create nor reach anything in it.
closed=$RF_TMP/closed
mkdir -m 700 "$closed"
secret=$RF_TMP/secret.pcap
st_pcap "$secret"
chmod 600 "$secret"

st_refused server_denied \
	"^ringfwd: $vu: cannot create the socket $closed/s.sock: Permission denied: uid $uid needs write access to its directory; choose another directory or user$" \
	"${as_user[@]}" "$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$closed/s.sock,server=1"
[ ! -e "$closed/s.sock" ] || st_fail "server_denied: a socket was created"

# A back-end (root's) listening in the closed directory.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").close()
time.sleep(120)' "$closed/c.sock" "$RF_TMP/c.ready" &
rf_track $!
for _ in $(seq 1 100); do [ -e "$RF_TMP/c.ready" ] && break; sleep 0.1; done
st_refused client_denied \
	"^ringfwd: $vu: cannot connect to $closed/c.sock: Permission denied: uid $uid needs write access to the socket and search access to its directories; run as a user who has them" \
	"${as_user[@]}" "$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$closed/c.sock"
st_refused replay_client_denied \
	"^ringfwd-replay: $vu: cannot connect to $closed/c.sock: Permission denied: uid $uid needs write access" \
	"${as_user[@]}" "$REPLAY" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$closed/c.sock" -- --pcap "$pcap"
[ -S "$closed/c.sock" ] || st_fail "the back-end's socket was removed"

st_refused ringfwd_pcap_denied "^ringfwd: net_pcap0: rx_pcap=$secret: cannot open: Permission denied" \
	"${as_user[@]}" "$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,rx_pcap=$secret"
st_refused replay_pcap_denied "^ringfwd-replay: $secret: cannot open: Permission denied" \
	"${as_user[@]}" "$REPLAY" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" \
	-- --pcap "$secret"
st_refused replay_rx_pcap_denied "^ringfwd-replay: net_pcap0: rx_pcap=$secret: cannot open: Permission denied" \
	"${as_user[@]}" "$REPLAY" "${EAL[@]}" -l 0,1 --vdev "net_pcap0,rx_pcap=$secret" \
	-- --pcap "$pcap"
st_done
