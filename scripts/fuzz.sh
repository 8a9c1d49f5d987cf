#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and runs each
# for SECONDS (default 60) from its seed corpus, with a scratch copy of the
# corpus so the repository's seeds stay as they are.
#
#   scripts/fuzz.sh [SECONDS]
#
# Prints one line per target, "fuzz <name>: ok, N runs" or "fuzz <name>: FAILED",
# and exits non-zero if any target found a crash, leak or sanitizer report.
set -u
. "$(dirname "$0")/lib/setup.sh"
cd "$RF_ROOT"
secs=${1:-60}

rf_install_deps || exit 1
if ! CC=clang rf_build build-fuzz -Dfuzz=true -Dwerror=true -Dbuildtype=debugoptimized; then
	ninja -C build-fuzz 2>&1 | tail -n 30 >&2
	echo "fuzz: build failed"
	exit 1
fi

# Where each target's seeds live.
seeds_for() {
	case $1 in
	fuzz_pcap_load) echo tests/data/pcap ;;
	fuzz_shell_cmd) echo tests/fuzz/shell_seeds ;;
	*) echo "tests/fuzz/${1#fuzz_}_seeds" ;;
	esac
}

rc=0
for bin in build-fuzz/tests/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	work=$(mktemp -d /tmp/rf-fuzz.XXXXXX)
	seeds=$(seeds_for "$name")
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
	log=build-fuzz/$name.log
	# -max_total_time bounds it; -timeout catches a hang on one input.
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$work" >"$log" 2>&1; then
		runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
		echo "fuzz $name: ok, ${runs:-?} runs, ${cov:-cov: ?} in ${secs}s"
	else
		echo "fuzz $name: FAILED (see $log)"
		grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$log" | head -n 20 >&2
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
