#!/usr/bin/env bash
# --rx-port: testpmd sends every frame back out of the vhost port it came in
# by (io, --port-topology=loop); the tool matches them to what it sent: all
# received, none lost, duplicated or unmatched, and a latency histogram.
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"
rf_need_root
rf_need_cmd dpdk-testpmd

n=5000
python3 "$MKPCAP" "$RF_TMP/in.pcap" $n 64,512,1518 1000 || rf_fail "mkpcap.py failed"
sock=$RF_TMP/vhost.sock
rp_peer_start peer "$sock" -- --forward-mode=io --port-topology=loop --auto-start \
	--stats-period 1 --nb-cores=1 --total-num-mbufs=16384
rp_run rx --vdev "net_virtio_user0,path=$sock" -- --pcap "$RF_TMP/in.pcap" --pps 50000 \
	--loop 2 --rx-port 0 --rx-wait 2000 || rf_fail "exit $?"
grep -q '^Latency (ns): p50' "$RF_TMP/rx.log" || rf_fail "no latency line"
python3 - "$RF_TMP/rx.json" $((2 * n)) <<'PY' || rf_fail "report wrong"
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2]); rx = d["rx"]; lat = d["latency_ns"]
assert d["sent"] == n, d["sent"]
assert rx["received"] == n and rx["lost"] == 0, rx
assert rx["duplicated"] == 0 and rx["unmatched"] == 0, rx
assert lat["samples"] == n and 0 < lat["p50"] <= lat["p99"] <= lat["max"], lat
print("received %d, reordered %d, latency p50 %d p90 %d p99 %d max %d ns"
      % (rx["received"], rx["reordered"], lat["p50"], lat["p90"], lat["p99"], lat["max"]))
PY
echo "PASS"
