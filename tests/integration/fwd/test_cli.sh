#!/usr/bin/env bash
# ringfwd's command line without a peer, root or hugepages: --help documents
# every option with its default, and every bad option or value is one line
# on stderr naming it, with exit status 2, before anything is set up.
set -u
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || { echo "SKIP: RINGFWD (the ringfwd binary) not given" >&2; exit 77; }
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# As an unprivileged user when we can, to show --help needs no root.
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	# A build directory nobody may enter: then as we are.
	"${as_user[@]}" "$RINGFWD" --help >/dev/null 2>&1 || as_user=()
fi

for where in "--help" "-h" "-- --help" "-l 0,1 -- --nb-cores=1 -h"; do
	# shellcheck disable=SC2086
	out=$("${as_user[@]}" "$RINGFWD" $where 2>&1)
	rc=$?
	[ "$rc" = 0 ] || fail "ringfwd $where: exit $rc, expected 0"
	for opt in --lcores --main-lcore " -m " --no-huge --huge-dir --file-prefix --vdev \
		--forward-mode --nb-cores --rxq --txq --rxd --txd --burst --port-topology \
		--stats-period --eth-peer --txpkts --tx-ip --tx-udp --total-num-mbufs --mbcache \
		--auto-start --config --stats-json --tx-retry --record-burst-stats --interactive \
		--rss-ip --rss-udp --rss-tcp --disable-rss --rss-key --rss-reta-size --rss-reta \
		--rss-symmetric --rss-steering; do
		grep -q -- "$opt" <<<"$out" || fail "ringfwd $where: --help does not mention $opt"
	done
	# Every app option line states its default (the EAL's say it in their text).
	n=$(grep -cE '^  (-[a-z], )?    --|^  -[a-z], --' <<<"$out")
	d=$(sed -n '/^Options (after --)/,/^Forwarding modes/p' <<<"$out" | grep -c 'default:')
	[ "$d" -ge 22 ] || fail "ringfwd $where: only $d defaults shown in $n option lines"
	for m in io mac macswap 5tswap rxonly txonly flowgen icmpecho csum; do
		grep -qE "^  $m " <<<"$out" || fail "ringfwd $where: mode $m not listed"
	done
done
echo "ok: --help (also without root: ${as_user[*]:-as is})"

# case ARGS... -- REGEX: exit 2, exactly one line on stderr, matching REGEX.
check() {
	local re=${*: -1}
	local args=("${@:1:$#-2}")
	local err rc lines
	err=$("${as_user[@]}" "$RINGFWD" "${args[@]}" 2>&1 >/dev/null)
	rc=$?
	lines=$(grep -c . <<<"$err")
	if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qE -- "$re" <<<"$err"; then
		fail "ringfwd ${args[*]}: exit $rc, $lines line(s): '$err'; expected 2 and one line matching /$re/"
	else
		echo "ok: ${args[*]} -> $err"
	fi
}

check -- --forward-mode=foo -- "^ringfwd: --forward-mode: unknown mode 'foo' \(known: io mac macswap 5tswap rxonly txonly flowgen icmpecho csum\)$"
check -- --forward-mode -- "^ringfwd: --forward-mode: needs a value"
check -l 0,1 --main-lcore 0 -- --nb-cores=2 -- "^ringfwd: --nb-cores: 2 forwarding lcores asked, but -l 0,1 with main lcore 0 leaves 1$"
check -- --nb-cores=0 -- "^ringfwd: --nb-cores: 0 is out of range"
check -- --nb-cores=two -- "^ringfwd: --nb-cores: 'two' is not a whole number"
check -l 0 -- -- "^ringfwd: -l: lcores 0 leave no forwarding lcore"
check -- --rxq=0 -- "^ringfwd: --rxq: 0 is out of range"
check -- --txq=99 -- "^ringfwd: --txq: 99 is out of range"
check -- --rxd=0 -- "^ringfwd: --rxd: 0 is out of range"
check -- --txd=x -- "^ringfwd: --txd: 'x' is not a whole number"
check -- --burst=65 -- "^ringfwd: --burst: 65 is out of range 1..64$"
check -- --port-topology=ring -- "^ringfwd: --port-topology: unknown topology 'ring'"
check -- --stats-period=-1 -- "^ringfwd: --stats-period: '-1' is not a whole number"
check -- --eth-peer=0 -- "^ringfwd: --eth-peer: '0' is not PORT,MAC"
check -- --eth-peer=0,02:00:00:00:00 -- "^ringfwd: --eth-peer: '02:00:00:00:00' in '0,02:00:00:00:00' is not a MAC address"
check -- --eth-peer=999,02:00:00:00:00:01 -- "^ringfwd: --eth-peer: port 999 in '999,02:00:00:00:00:01' is above"
check -- --txpkts=30 -- "^ringfwd: --txpkts: '30' makes 30-byte packets, fewer than the 42"
check -- --txpkts=64,0 -- "^ringfwd: --txpkts: segment length 0 in '64,0' is not in 1..2048"
check -- --txpkts=64,,64 -- "^ringfwd: --txpkts: '64,,64' is not a list of segment lengths"
check -- --tx-ip=10.0.0.1 -- "^ringfwd: --tx-ip: '10.0.0.1' is not SRC,DST"
check -- --tx-ip=10.0.0.1,10.0.0.256 -- "^ringfwd: --tx-ip: '10.0.0.1,10.0.0.256' is not SRC,DST"
check -- --tx-udp=70000 -- "^ringfwd: --tx-udp: '70000' is not SRC\[,DST\] UDP ports"
check -- --tx-udp=1,2,3 -- "^ringfwd: --tx-udp: '1,2,3' is not SRC\[,DST\] UDP ports"
check -- --total-num-mbufs=0 -- "^ringfwd: --total-num-mbufs: 0 is out of range"
check -- --mbcache=513 -- "^ringfwd: --mbcache: 513 is out of range 0..512"
check -- --config="(0,1,1)" -- "^ringfwd: --config: \(0,1,1\) names RX queue 1, but --rxq=1 gives queues 0..0$"
check -- --config="(0,0,0)" -- "^ringfwd: --config: lcore 0 in \(0,0,0\) is the main lcore"
check -- --config="(0,0,7)" -- "^ringfwd: --config: lcore 7 in \(0,0,7\) is not in the lcore list \(-l 0,1\)"
check -- --config="(0,0)" -- "^ringfwd: --config: '\(0,0\)' is not a list of \(port,queue,lcore\)"
check -- --config="(0,0,1),(0,0,1)" -- "^ringfwd: --config: RX queue 0 of port 0 is listed twice"
check -- --config="(0,0,1)" --nb-cores=1 -- "^ringfwd: --config: cannot be combined with --nb-cores"
check -- --stats-json= -- "^ringfwd: --stats-json: needs a file name"
check -- --tx-retry=0 -- "^ringfwd: --tx-retry: 0 is out of range"
check -- --record-burst-stats=1 -- "^ringfwd: --record-burst-stats: takes no value"
check -- --bogus -- "^ringfwd: unknown option '--bogus' \(see --help\)$"
# RSS (README "RSS and queue steering").
key=$(printf '%02x' $(seq 0 39))
ckey=$(printf '%02x:' $(seq 0 39) | sed 's/:$//')
check -- --rss-key=abc -- "^ringfwd: --rss-key: 'abc' has an odd number of hex digits \(3\)$"
check -- --rss-key=6d5a -- "^ringfwd: --rss-key: '6d5a' is 2 bytes; a Toeplitz key is 40 bytes \(80 hex digits\)$"
check -- --rss-key="${key}00" -- "^ringfwd: --rss-key: '${key}00' is 41 bytes; a Toeplitz key is 40 bytes"
check -- --rss-key=6d5x -- "^ringfwd: --rss-key: '6d5x': 'x' is not a hex digit$"
check -- --rss-key=6d::5a -- "^ringfwd: --rss-key: '6d::5a': a colon goes only between two-digit bytes$"
check -- --rss-key=6:d5a -- "^ringfwd: --rss-key: '6:d5a': a colon goes only between two-digit bytes$"
check -- --rss-key -- "^ringfwd: --rss-key: needs a value: HEX$"
# A good key, with or without colons, is taken: the next option is the one refused.
check -- --rss-key="$key" --bogus -- "^ringfwd: unknown option '--bogus'"
check -- --rss-key="$ckey" --bogus -- "^ringfwd: unknown option '--bogus'"
check -- --rss-reta-size=100 -- "^ringfwd: --rss-reta-size: 100 is not a power of two \(1, 2, 4, ... 512\)$"
check -- --rss-reta-size=1024 -- "^ringfwd: --rss-reta-size: 1024 is out of range 1..512$"
check -- --rss-reta-size=0 -- "^ringfwd: --rss-reta-size: 0 is out of range 1..512$"
check -- --rss-reta-size=64 --rss-reta="(64,0)" -- "^ringfwd: --rss-reta: index 64 in \(64,0\) is beyond the RETA of 64 entries \(--rss-reta-size\)$"
check -- --rss-reta="(512,0)" -- "^ringfwd: --rss-reta: index 512 in '\(512,0\)' is beyond the largest RETA \(512 entries\)$"
check -- --rss-reta="(0,1" -- "^ringfwd: --rss-reta: '\(0,1' is not a list of \(index,queue\) like \(0,1\),\(1,0\)$"
check -- --rss-reta="(0,1)(1,0)" -- "^ringfwd: --rss-reta: '\(0,1\)\(1,0\)' is not a list of \(index,queue\)"
check -- --rss-steering=device --rss-reta="(0,1)" -- "^ringfwd: --rss-reta: queue 1 in \(0,1\) is beyond the 1 RX queue \(--rxq\): 0..0$"
check -l 0,1,2@1,3@1 -- --nb-cores=3 --rss-steering=software --rss-reta="(3,2)" -- "^ringfwd: --rss-reta: worker 2 in \(3,2\) is beyond the 2 workers \(--nb-cores=3 less the RX lcore\): 0..1$"
check -- --rxq=2 --rss-reta="(0, 1), (1,2)" -- "^ringfwd: --rss-reta: queue 2 in \(1,2\) is beyond both the 2 RX queues \(--rxq\) and the 0 workers of software steering$"
check -- --rss-steering=magic -- "^ringfwd: --rss-steering: unknown steering 'magic' \(known: auto device software\)$"
check -- --rss-steering=software -- "^ringfwd: --rss-steering=software: needs 2 or more forwarding lcores \(--nb-cores=2 or more\): the first receives and hashes, the others forward$"
check -- --rss-steering=software --config="(0,0,1)" -- "^ringfwd: --rss-steering=software: cannot be combined with --config"
check -- --disable-rss --rss-udp -- "^ringfwd: --disable-rss: cannot be combined with --rss-ip, --rss-udp or --rss-tcp$"
check -- --rss-symmetric=1 -- "^ringfwd: --rss-symmetric: takes no value, got '1'$"
check -- --rss-ip=yes -- "^ringfwd: --rss-ip: takes no value, got 'yes'$"
check -- stray -- "^ringfwd: unexpected argument 'stray'"
# With the shell built, -i is taken (tests/integration/shell tests it); without, refused.
if "$RINGFWD" --help 2>/dev/null | grep -q "run the interactive shell"; then
	check -- --cmdline-file=cmds.txt -- "^ringfwd: --cmdline-file: runs shell commands, so it needs -i as well$"
else
	check -- -i -- "^ringfwd: -i/--interactive: the interactive shell is not built yet"
	check -- --interactive -- "^ringfwd: -i/--interactive: the interactive shell is not built yet"
fi
# EAL options: the EAL names them (rf_eal_parse_args), same status.
check --bogus -- "unknown option '--bogus'"
check -l 0-x -- "-l/--lcores '0-x'"
check -l 0,1 --main-lcore 5 -- "--main-lcore 5 is not in the lcore list"
check -m 0 -- "-m '0'"
check --vdev -- "--vdev needs a value"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "PASS"
