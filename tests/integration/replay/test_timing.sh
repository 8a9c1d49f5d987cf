#!/usr/bin/env bash
# The capture's own timing (--multiplier 1, then 10) on a capture with known,
# uneven gaps (1 us, 50 us, 200 us), through a net_pcap port: the report has
# the gap error histogram (p50 <= p99 <= max, one sample per gap) and a rate
# error, and they parse. No assertion on how small they are (a loaded machine
# decides that), but the schedule itself must be the capture's: the requested
# rate is what the timestamps imply.
# shellcheck source=tests/integration/replay/lib.sh
. "$(dirname "$0")/lib.sh"

n=3000
python3 "$MKPCAP" "$RF_TMP/in.pcap" $n 64,1518 1000,50000,200000 || rf_fail "mkpcap.py failed"
# Mean gap (1 + 50 + 200) / 3 us: the capture's rate is 1 / 83.67 us.
for mult in 1 10; do
	name=timing_$mult
	rp_run "$name" --vdev "net_pcap0,tx_pcap=$RF_TMP/$name.pcap" -- --pcap "$RF_TMP/in.pcap" \
		--multiplier $mult || rf_fail "x$mult: exit $?"
	grep -q '^Gap error (ns): p50 [0-9]*, p90 [0-9]*, p99 [0-9]*, max [0-9]*' "$RF_TMP/$name.log" ||
		rf_fail "x$mult: no gap error line"
	python3 - "$RF_TMP/$name.json" $n $mult <<'PY' || rf_fail "x$mult: report inconsistent"
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2]); mult = float(sys.argv[3])
g = d["gap_error_ns"]
assert d["sent"] == n, d["sent"]
assert g["samples"] == n - 1, g
assert g["p50"] <= g["p90"] <= g["p99"] <= g["max"], g
want = (n - 1) / ((n - 1) // 3 * 251e-6 + [0, 1e-6, 51e-6][(n - 1) % 3]) * mult
assert abs(d["requested_pps"] / want - 1) < 1e-3, (d["requested_pps"], want)
assert isinstance(d["rate_error_pct"], float)
print("x%g: requested %.1f pps, achieved %.1f, error %+.3f%%, gap error p50 %d p99 %d max %d ns"
      % (mult, d["requested_pps"], d["span_pps"], d["rate_error_pct"], g["p50"], g["p99"], g["max"]))
PY
done
echo "PASS"
