#!/usr/bin/env bash
# test_idle.sh: the socket's place and life, with ringfwd -i not forwarding
# (no lcore polls, so no core is taken): at $RUNTIME_DIRECTORY/dpdk/<prefix>/
# when that is set, answering /ringfwd/info; gone, with its directory, after
# quit; not there at all with --no-telemetry. A client asking without pause
# gets a whole reply to every request while the shell stops, starts,
# detaches and attaches ports under it.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "${RINGFWD:-}" ] || { echo "SKIP: RINGFWD not given" >&2; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/rf-telem-idle.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export RUNTIME_DIRECTORY=$tmp/run
prefix=rftel-idle-$$
tsock=$RUNTIME_DIRECTORY/dpdk/$prefix/dpdk_telemetry.v2

# start_idle [EAL args]: ringfwd -i on a capture port, its shell fed from a fifo.
start_idle() {
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	"$RINGFWD" -l 0,1 --no-huge -m 64 --file-prefix "$prefix" "$@" \
		--vdev "net_pcap0,rx_pcap=$here/../../data/pcap/good_64.pcap,tx_pcap=$tmp/out.pcap" \
		-- -i <"$tmp/in" >"$tmp/log" 2>&1 &
	pid=$!
	exec {in}>"$tmp/in"
}
quit_idle() {
	echo quit >&"$in"
	exec {in}>&-
	wait "$pid" || fail "ringfwd -i exited with $? ($(tail -n 3 "$tmp/log"))"
	pid=
}

start_idle
for _ in $(seq 1 100); do [ -S "$tsock" ] && break; sleep 0.1; done
[ -S "$tsock" ] || fail "no socket at $tsock ($(tail -n 3 "$tmp/log"))"
got=$(python3 "$here/tel_client.py" "$tsock" query /ringfwd/info /ethdev/list)
want='{"/ringfwd/info": {"mode": "io", "state": "stopped", "steering": "device", "ports": 1, "streams": 1, "lcores": 1, "seconds": 0}}
{"/ethdev/list": [0]}'
[ "$got" = "$want" ] || fail "replies: $got"

python3 "$here/tel_client.py" "$tsock" hammer 3 /ethdev/list /ethdev/stats,0 /ethdev/info,0 \
	/ethdev/xstats,0 /ringfwd/streams /ringfwd/info /ringfwd/rss /mempool/info,mbuf_pool_socket_0 \
	>"$tmp/hammer.out" 2>&1 &
hammer=$!
for cmd in "port stop all" "port start all" "port detach 0" \
	"port attach net_pcap1,rx_pcap=$here/../../data/pcap/good_64.pcap,tx_pcap=$tmp/out1.pcap" \
	"port stop all" "port start all"; do
	echo "$cmd" >&"$in"
	sleep 0.3
done
wait "$hammer" || fail "while the ports changed: $(cat "$tmp/hammer.out")"
echo "ok: $(cat "$tmp/hammer.out") replies, all whole, while ports stopped, started, detached, attached"
got=$(python3 "$here/tel_client.py" "$tsock" query /ethdev/list)
ids=$(python3 -c 'import json, sys; print(" ".join(map(str, json.loads(sys.argv[1])["/ethdev/list"])))' "$got")
[ "$(wc -w <<<"$ids")" = 1 ] || fail "/ethdev/list after detach and attach: $got"
got=$(python3 "$here/tel_client.py" "$tsock" query "/ethdev/info,$ids")
grep -q '"name": "net_pcap1"' <<<"$got" || fail "/ethdev/info,$ids: $got"
quit_idle
[ ! -e "$RUNTIME_DIRECTORY/dpdk/$prefix" ] || fail "$RUNTIME_DIRECTORY/dpdk/$prefix left behind"
echo "ok: socket at \$RUNTIME_DIRECTORY/dpdk/<prefix>, removed at exit"

start_idle --no-telemetry
# The shell is up once it has planned: the telemetry would have been started before.
for _ in $(seq 1 100); do [ -s "$tmp/log" ] && break; sleep 0.1; done
echo "show config fwd" >&"$in"
sleep 0.5
[ ! -e "$RUNTIME_DIRECTORY/dpdk/$prefix" ] || fail "--no-telemetry made $RUNTIME_DIRECTORY/dpdk/$prefix"
quit_idle
echo "ok: --no-telemetry"
echo "PASS"
