#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and runs each
# one (tests/fuzz/fuzz_<name>.c), at the lowest CPU priority so that it never
# takes a core from a busy-polling test:
#
#   scripts/fuzz.sh [SECONDS]   fuzz each target for SECONDS (default 60),
#                               starting from a scratch copy of its seed
#                               corpus, so the repository's seeds stay as they are
#   scripts/fuzz.sh --replay    run each target once over every input of its
#                               seed corpus (a regression test: fast, no fuzzing)
#
# RF_FUZZ_BUILD=DIR builds and runs from DIR instead of build-fuzz.
# Prints one line per target, "fuzz <name>: ok, N runs, cov: C, ft: F in Ss",
# "replay <name>: ok, N inputs", or "<fuzz|replay> <name>: FAILED (see LOG)",
# and exits non-zero if any target found a crash, leak, sanitizer report or a
# broken property (or if the build failed: "fuzz build: FAILED").
set -u
. "$(dirname "$0")/lib/setup.sh"
cd "$RF_ROOT"

mode=fuzz
secs=60
case ${1:-} in
--replay) mode=replay ;;
'') ;;
*[!0-9]* | 0)
	echo "usage: $0 [SECONDS | --replay]" >&2
	exit 2
	;;
*) secs=$1 ;;
esac
build=${RF_FUZZ_BUILD:-build-fuzz}

rf_install_deps || exit 1
if ! CC=clang rf_build "$build" -Dfuzz=true -Dwerror=true -Dbuildtype=debugoptimized; then
	ninja -C "$build" 2>&1 | tail -n 30 >&2
	echo "fuzz build: FAILED"
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

# -timeout catches a hang on one input; -rss_limit_mb a runaway allocation.
common=(-timeout=10 -rss_limit_mb=2048)

rc=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds=$(seeds_for "$name")
	log=$build/$name.$mode.log
	if [ "$mode" = replay ]; then
		inputs=()
		[ -d "$seeds" ] && for f in "$seeds"/*; do [ -f "$f" ] && inputs+=("$f"); done
		if [ ${#inputs[@]} -eq 0 ]; then
			echo "replay $name: FAILED (no seed corpus in $seeds)"
			rc=1
			continue
		fi
		# Files, not a directory: each input runs exactly once, in order.
		if nice -n 19 "$bin" "${common[@]}" "${inputs[@]}" >"$log" 2>&1; then
			n=$(grep -c '^Executed ' "$log")
			echo "replay $name: ok, $n inputs"
		else
			echo "replay $name: FAILED (see $log)"
			grep -E 'ERROR|SUMMARY|check failed|Running:' "$log" | tail -n 20 >&2
			rc=1
		fi
		continue
	fi
	work=$(mktemp -d /tmp/rf-fuzz.XXXXXX)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
	dict=()
	[ -f "tests/fuzz/${name#fuzz_}.dict" ] && dict=(-dict="tests/fuzz/${name#fuzz_}.dict")
	if nice -n 19 "$bin" "${common[@]}" "${dict[@]}" -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$build/$name-" "$work" >"$log" 2>&1; then
		runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
		cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
		echo "fuzz $name: ok, ${runs:-?} runs, ${cov:-cov: ?} in ${secs}s"
	else
		echo "fuzz $name: FAILED (see $log)"
		grep -E 'ERROR|SUMMARY|check failed|crash-|leak-|timeout-' "$log" | head -n 20 >&2
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
