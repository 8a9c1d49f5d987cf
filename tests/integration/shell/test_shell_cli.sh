#!/usr/bin/env bash
# ringfwd -i without a peer: a net_pcap port (replaying a small capture), so
# neither root, hugepages nor testpmd are needed. Commands come from
# --cmdline-file, from a pipe and from a redirected file; every wrong input
# must print one line saying what was wrong and what is expected, and the
# shell must go on to the next command and exit 0 at quit or end of input.
set -u
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || { echo "SKIP: RINGFWD (the ringfwd binary) not given" >&2; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
pcap=$here/../../data/pcap/good_64.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
eal=(-l 0,1 --main-lcore 0 --no-huge -m 64 --file-prefix "rfshell-$$" --vdev "net_pcap0,rx_pcap=$pcap")

# Can ringfwd come up here at all (memory)? If not, this is not the shell's fault.
echo quit | "$RINGFWD" "${eal[@]}" -- -i >"$tmp/probe.log" 2>&1 ||
	{ cat "$tmp/probe.log"; echo "SKIP: ringfwd does not start here" >&2; exit 77; }

# input line -> the one line it must answer (a fixed string)
declare -A want=(
	["frobnicate"]="unknown command 'frobnicate'; type 'help' for the list of commands"
	["show port"]="show port: incomplete command; expected one of: info, stats, xstats, <port>"
	["show port bogus 0"]="show port: unknown word 'bogus'; expected one of: info, stats, xstats, <port>"
	["set burst"]="set burst: missing argument <n: 1..64>; usage: set burst <n: 1..64>"
	["set burst 8 9"]="set burst: unexpected argument '9'; usage: set burst <n: 1..64>"
	["set burst 0"]="set burst: bad n '0'; expected a number 1..64"
	["set burst 65"]="set burst: bad n '65'; expected a number 1..64"
	["set burst x1"]="set burst: bad n 'x1'; expected a number 1..64"
	["set nbcore 99999"]="set nbcore: bad n '99999'; expected a number 1..128"
	["show port stats 7"]="show port stats: port 7 out of range; expected all|<port>, ports are: 0"
	["port stop 3"]="port stop: port 3 out of range; expected all|<port>, ports are: 0"
	["show port info x"]="show port info: 'x' is not a port id; expected all|<port>"
	["set fwd nosuchmode"]="set fwd: unknown mode 'nosuchmode'; expected one of: io mac macswap 5tswap rxonly txonly flowgen icmpecho csum"
	["set eth-peer 0 01:02"]="set eth-peer: '01:02' is not a MAC address; expected <mac: xx:xx:xx:xx:xx:xx>"
	["set txpkts 64,,64"]="set txpkts: bad list '64,,64'; expected <len[,len...]: each 1..2048>, at most 8 values"
	["set txpkts 20"]="set txpkts: 20 bytes in all is fewer than the 42 of the Ethernet, IPv4 and UDP headers; expected a larger total"
	["set promisc all maybe"]="set promisc: 'maybe' is neither on nor off; expected on|off"
	["port config all rxd 512"]="port config all rxd: port 0 is started; 'port stop all' first"
	["port config all"]="port config all: incomplete command; expected one of: rxq, txq, rxd, txd, rss, rss-steering, rss-hash-key"
	["port config all rss"]="port config all rss: missing argument ip|udp|tcp|all|none; usage: port config all rss ip|udp|tcp|all|none"
	["port config all rss bogus"]="port config all rss: unknown word 'bogus'; expected ip|udp|tcp|all|none"
	["port config all rss-steering fast"]="port config all rss-steering: unknown word 'fast'; expected auto|device|software"
	["port config all rss-steering software"]="--rss-steering=software: needs 2 or more forwarding lcores (--nb-cores=2 or more): the first receives and hashes, the others forward"
	["port config 0 rss ip"]="port config 0 rss: unknown word 'ip'; expected one of: reta"
	["port config 0 rss reta"]="port config all|<port> rss reta: missing argument (idx,queue)[,(idx,queue)...]; usage: port config all|<port> rss reta (idx,queue)[,(idx,queue)...]"
	["port config 0 rss reta (0,1"]="port config all|<port> rss reta: '(0,1' is not a list of (index,queue) like (0,1),(1,0)"
	["port config 0 rss reta (512,0)"]="port config all|<port> rss reta: index 512 in '(512,0)' is beyond the largest RETA (512 entries)"
	["port config 0 rss reta (0,1)"]="port config rss reta: queue 1 in (0,1) is beyond the 1 RX queue of device steering (0..0)"
	["port config all rss reta (128,0)"]="port config rss reta: index 128 in (128,0) is beyond port 0's RETA of 128 entries (0..127)"
	["port config 3 rss reta (0,0)"]="port config all|<port> rss reta: port 3 out of range; expected all|<port>, ports are: 0"
	["port config 0 rss-hash-key 6d5a"]="port config all|<port> rss-hash-key: '6d5a' is 2 bytes; a Toeplitz key is 40 bytes (80 hex digits)"
	["port config 0 rss-hash-key 6d5"]="port config all|<port> rss-hash-key: '6d5' has an odd number of hex digits (3)"
	["port config 0 rss-hash-key 6g"]="port config all|<port> rss-hash-key: '6g': 'g' is not a hex digit"
	["show port 0 rss"]="show port 0 rss: incomplete command; expected one of: reta"
	["show port 5 rss reta"]="show port <port> rss reta: port 5 out of range; expected <port>, ports are: 0"
	["show port all rss reta"]="show port: unknown word 'all'; expected one of: info, stats, xstats, <port>"
	["show port 0 rss-hash kye"]="show port <port> rss-hash: unknown word 'kye'; expected key"
	["show port 0 rss-hash key more"]="show port <port> rss-hash: unexpected argument 'more'; usage: show port <port> rss-hash [key]"
	["stop"]="stop: forwarding is not running"
)
script=$tmp/errors.txt
: >"$script"
for cmd in "${!want[@]}"; do
	echo "$cmd" >>"$script"
done
echo "show config rxtx" >>"$script" # the shell is still there after all of them

check_errors() {
	local how=$1 log=$2 rc=$3
	[ "$rc" = 0 ] || fail "$how: exit $rc, expected 0"
	for cmd in "${!want[@]}"; do
		# The answer follows the echoed command line, as one line.
		got=$(grep -A1 -Fx "ringfwd> $cmd" "$log" | sed -n 2p)
		[ "$got" = "${want[$cmd]}" ] || fail "$how: '$cmd' answered '$got', expected '${want[$cmd]}'"
	done
	grep -q "^io packet forwarding, burst=32" "$log" || fail "$how: the shell stopped before the last command"
	grep -q "none leaked" "$log" || fail "$how: no clean shutdown"
}

# 1. Through a pipe, ended by end of input.
"$RINGFWD" "${eal[@]}" -- -i <"$script" >"$tmp/stdin.log" 2>&1
check_errors "stdin" "$tmp/stdin.log" $?
# 2. Through a pipe, -i before the "--", ended by quit (nothing after it runs).
{ cat "$script"; echo quit; echo "show config fwd"; } | "$RINGFWD" "${eal[@]}" -i -- >"$tmp/pipe.log" 2>&1
check_errors "pipe" "$tmp/pipe.log" $?
grep -q "^io packet forwarding - ports" "$tmp/pipe.log" && fail "pipe: a command after quit ran"
# 3. Through --cmdline-file, then an empty stdin.
"$RINGFWD" "${eal[@]}" -- -i --cmdline-file "$script" </dev/null >"$tmp/file.log" 2>&1
check_errors "cmdline-file" "$tmp/file.log" $?
grep -q "^Read CLI commands from $script" "$tmp/file.log" || fail "cmdline-file: not announced"

# Settings that need ports stopped work once they are, and show up in the config.
cat >"$tmp/ok.txt" <<'EOF'
port stop all
port config all rxd 512
port config all txd 256
port start all
set fwd macswap
set burst 16
set txpkts 64,100
set nbcore 1
show config rxtx
show config fwd
show port info 0
show mempool
help set burst
EOF
"$RINGFWD" "${eal[@]}" -- -i <"$tmp/ok.txt" >"$tmp/ok.log" 2>&1 || fail "settings: exit $?"
for l in "Port 0: stopped" "Port 0: started" "Set macswap packet forwarding mode" \
	"Number of packets per burst set to 16" \
	"  RX queues=1 - RX desc=512; TX queues=1 - TX desc=256 (0 = the driver's largest)" \
	"  txpkts=64,100; stats-period=0 s" \
	"macswap packet forwarding - ports=1 - cores=1 - streams=1 - burst=16" \
	"RX queues: 1 (max 1), 512 descriptors (1..32768)" \
	"  set burst <n: 1..64>                         packets per burst"; do
	grep -qFx -- "$l" "$tmp/ok.log" || fail "settings: no line '$l'"
done
grep -qE "^mempool mbuf_pool_socket_0: socket 0, size [0-9]+, available [0-9]+, in use [0-9]+, cache size 250$" \
	"$tmp/ok.log" || fail "show mempool: no pool line"
# No mac= on the port: a random locally administered unicast address, said so.
grep -qE "^MAC address: [0-9a-f][26ae](:[0-9a-f]{2}){5} \(random: no mac= given\)$" "$tmp/ok.log" ||
	fail "show port info: no random-MAC line"

# RSS settings: shown back as set, the RETA entry by entry; software steering
# with 2 workers (lcores 2 and 3 share CPU 1 with lcore 1); refused while
# forwarding, in testpmd's words. The pool is sized for the rings up front.
key=$(printf '%02x:' $(seq 0 39) | sed 's/:$//')
cat >"$tmp/rss.txt" <<EOF
port config all rss udp
port config 0 rss-hash-key $key
show port 0 rss-hash key
port config all rss none
show port 0 rss-hash
set nbcore 3
port config all rss-steering software
port config 0 rss reta (0,1),(5,1),(1,0)
show port 0 rss reta
show config fwd
start
port config all rss all
port config all rss-steering device
port config 0 rss reta (0,0)
stop
show fwd stats all
show port stats 0
EOF
rsseal=(-l 0,1@1,2@1,3@1 --main-lcore 0 --no-huge -m 128 --file-prefix "rfshell-$$"
	--vdev "net_pcap0,rx_pcap=$pcap,tx_pcap=$tmp/o0.pcap,tx_pcap=$tmp/o1.pcap")
"$RINGFWD" "${rsseal[@]}" -- -i --rxd=256 --txd=256 --total-num-mbufs=8192 <"$tmp/rss.txt" \
	>"$tmp/rss.log" 2>&1 || fail "rss: exit $?"
for l in "RSS hash functions set to udp (applies at the next start)" \
	"RSS hash key set (applies at the next start)" \
	"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627" \
	"RSS hash functions set to none (applies at the next start)" \
	"  none" \
	"RSS RETA: 3 entries set (applies at the next start)" \
	"RSS RETA of port 0 (128 entries, 2 queues):" \
	"  0: 1  1: 0  2: 0  3: 1  4: 0  5: 1  6: 0  7: 1" \
	"  120: 0  121: 1  122: 0  123: 1  124: 0  125: 1  126: 0  127: 1" \
	"io packet forwarding - ports=1 - cores=3 - streams=2 - burst=32" \
	"Logical Core 2 (stream 0): RX P=0/ring of worker 0 -> TX P=0/Q=0" \
	"Logical Core 3 (stream 0): RX P=0/ring of worker 1 -> TX P=0/Q=1" \
	"ringfwd:   lcore 1: RX lcore: polls 1 RX queue on 1 port, hands each packet to worker RETA[hash & 127]"; do
	grep -qFx -- "$l" "$tmp/rss.log" || fail "rss: no line '$l'"
done
grep -qE "^RSS steering: software \(--rss-steering=software\); hash none, RETA 128 entries over 2 workers$" \
	"$tmp/rss.log" || fail "rss: show config fwd does not show software steering"
n=$(grep -cFx "Please stop forwarding first" "$tmp/rss.log")
[ "$n" = 3 ] || fail "rss: $n 'Please stop forwarding first' while forwarding, expected 3"
for role in "rx       " "worker 0 " "worker 1 "; do
	grep -qE "^  lcore [0-9]+ +$role +RX-packets: [0-9]+ +TX-packets: [0-9]+ +dropped: [0-9]+$" \
		"$tmp/rss.log" || fail "rss: show fwd stats all has no '$role' lcore line"
done
grep -qE "^  Stats reg  1 RX-packets: [0-9]+ +RX-bytes: [0-9]+ +TX-packets: [0-9]+" "$tmp/rss.log" ||
	fail "rss: show port stats has no per-queue line for TX queue 1"
grep -q "none leaked" "$tmp/rss.log" || fail "rss: no clean shutdown"

# Options: --cmdline-file without -i, and a missing file.
out=$("$RINGFWD" "${eal[@]}" -- --cmdline-file "$script" 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "--cmdline-file without -i: exit $rc, expected 2"
grep -qx "ringfwd: --cmdline-file: runs shell commands, so it needs -i as well" <<<"$out" ||
	fail "--cmdline-file without -i: said '$out'"
out=$("$RINGFWD" "${eal[@]}" -- -i --cmdline-file "$tmp/none.txt" </dev/null 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "missing --cmdline-file: exit $rc, expected 1"
grep -q "ringfwd: --cmdline-file $tmp/none.txt: No such file or directory" <<<"$out" ||
	fail "missing --cmdline-file: said '$out'"

if [ "$fails" -ne 0 ]; then
	for f in "$tmp"/*.log; do
		echo "---- $(basename "$f") ----"
		cat "$f"
	done
	echo "$fails failure(s)"
	exit 1
fi
echo "PASS"
