#!/usr/bin/env bash
# The vhost-user socket path: not there (client mode), a file that is not a
# socket (server mode: the file is the user's and must be left as it was;
# client mode: "not a socket"), a directory that does not exist, a socket
# another process listens on. And the socket a server-mode port created is
# removed when a later step of start-up fails.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"

vu=net_virtio_user0
pcap=$RF_TMP/one.pcap
st_pcap "$pcap"

sock=$RF_TMP/none.sock
st_refused client_missing \
	"^ringfwd: $vu: cannot connect to $sock: No such file or directory.*start the vhost-user back-end first, or use server=1" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$sock"
st_refused replay_client_missing "^ringfwd-replay: $vu: cannot connect to $sock: No such file or directory.*start the vhost-user back-end first" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$sock" -- --pcap "$pcap"

plain=$RF_TMP/plain
echo "the user's own file" >"$plain"
ino=$(stat -c %i "$plain")
st_refused client_not_socket \
	"^ringfwd: $vu: cannot connect to $plain: .*it is a regular file, not a socket; give the back-end's socket path" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$plain"
st_refused server_not_socket \
	"^ringfwd: $vu: cannot listen on $plain: it is a regular file, not a socket, and is left alone; remove it or choose another path$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$plain,server=1"
st_refused replay_server_not_socket \
	"^ringfwd-replay: $vu: cannot listen on $plain: it is a regular file, not a socket, and is left alone; remove it or choose another path$" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$plain,server=1" -- --pcap "$pcap"
[ -f "$plain" ] && [ "$(stat -c %i "$plain")" = "$ino" ] &&
	[ "$(cat "$plain")" = "the user's own file" ] || st_fail "server=1 touched the user's file"

mkdir "$RF_TMP/adir"
st_refused server_directory \
	"^ringfwd: $vu: cannot listen on $RF_TMP/adir: it is a directory, not a socket, and is left alone; remove it or choose another path$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$RF_TMP/adir,server=1"
[ -d "$RF_TMP/adir" ] || st_fail "server=1 removed a directory"

st_refused server_no_dir \
	"^ringfwd: $vu: cannot create the socket $RF_TMP/nodir/s.sock: No such file or directory: its directory does not exist; create it or choose another path$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$RF_TMP/nodir/s.sock,server=1"
[ ! -e "$RF_TMP/nodir" ] || st_fail "server_no_dir: something was created"

# A socket another process listens on: not ours to take or remove.
busy=$RF_TMP/busy.sock
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").close()
time.sleep(120)' "$busy" "$RF_TMP/busy.ready" &
rf_track $!
for _ in $(seq 1 100); do [ -e "$RF_TMP/busy.ready" ] && break; sleep 0.1; done
st_refused server_busy \
	"^ringfwd: $vu: cannot listen on $busy: another process is listening there; stop it or choose another path$" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$busy,server=1"
[ -S "$busy" ] || st_fail "server_busy: the other process's socket was removed"

# Our own socket, created by the first port, goes when the second port fails.
ours=$RF_TMP/ours.sock
st_refused server_then_fail \
	"^ringfwd: net_pcap1: rx_pcap=$RF_TMP/missing.pcap: cannot open: No such file or directory" \
	"$RINGFWD" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$ours,server=1" \
	--vdev "net_pcap1,rx_pcap=$RF_TMP/missing.pcap"
[ ! -e "$ours" ] || st_fail "server_then_fail: $ours was left behind"
st_refused replay_server_then_fail \
	"^ringfwd-replay: net_pcap1: rx_pcap=$RF_TMP/missing.pcap: cannot open: No such file or directory" \
	"$REPLAY" "${EAL[@]}" -l 0,1 --vdev "$vu,path=$ours,server=1" \
	--vdev "net_pcap1,rx_pcap=$RF_TMP/missing.pcap" -- --pcap "$pcap"
[ ! -e "$ours" ] || st_fail "replay_server_then_fail: $ours was left behind"
st_done
