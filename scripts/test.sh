#!/usr/bin/env bash
# Runs every ringfwd test on a fresh Debian 12 machine (as root): installs
# what is missing, reserves hugepages if it can, builds three ways and runs:
#
#   build/       release, -Werror: unit, cli and integration suites
#                (integration one at a time: each test owns a core)
#   build-qemu/  release, -Werror, cpu_instruction_set=generic: qemu suite
#                (QEMU guests, one at a time; scripts/qemu-guest.sh)
#   build-asan/  ASan + UBSan: unit suite
#   build-tsan/  TSan (clang): ring and mempool stress suite
#   build-fuzz/  libFuzzer (clang): each fuzz target replays its seed corpus,
#                then fuzzes for RF_FUZZ_SECONDS (60)
#
# The last line is "N passed, N failed[, N skipped]". Exit 0 only if none failed.
set -u
. "$(dirname "$0")/lib/setup.sh"
cd "$RF_ROOT"

passed=0 failed=0 skipped=0

# Add the counts from a meson test run's summary to the totals.
count() {
	local log=$1 ok fail skip to xpass
	ok=$(awk '/^Ok:/ {print $2}' "$log")
	fail=$(awk '/^Fail:/ {print $2}' "$log")
	skip=$(awk '/^Skipped:/ {print $2}' "$log")
	to=$(awk '/^Timeout:/ {print $2}' "$log")
	xpass=$(awk '/^Unexpected Pass:/ {print $3}' "$log")
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${fail:-0} + ${to:-0} + ${xpass:-0}))
	skipped=$((skipped + ${skip:-0}))
}

# run_suite NAME BUILDDIR MESON-TEST-ARGS...
run_suite() {
	local name=$1 dir=$2
	shift 2
	local log="$dir/test-$name.log"
	rf_log "suite $name ($dir)"
	meson test -C "$dir" --print-errorlogs "$@" >"$log" 2>&1
	local rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" | sed 's/^/  /'
	if ! grep -q '^Ok:' "$log"; then
		if grep -q 'No tests defined\|No suitable tests defined' "$log"; then
			rf_log "suite $name: no tests"
			return 0
		fi
		rf_log "suite $name did not run (exit $rc):"
		tail -n 20 "$log" >&2
		failed=$((failed + 1))
		return 0
	fi
	count "$log"
	if [ "$rc" -ne 0 ]; then
		sed -n '/^Summary of Failures/,$p' "$log" >&2
		# The failing tests' own output, for the CI log.
		grep -B2 -A40 -E '^(FAIL|TIMEOUT) ' "$log" | head -n 200 >&2 || true
	fi
}

build_or_fail() {
	local dir=$1
	shift
	rf_log "building $dir"
	if ! rf_build "$dir" "$@"; then
		rf_log "build failed: $dir"
		ninja -C "$dir" 2>&1 | tail -n 40 >&2
		failed=$((failed + 1))
		return 1
	fi
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit $?
}

if ! rf_install_deps; then
	failed=$((failed + 1))
	finish
fi
mem=$(rf_hugepages 1024)
rf_log "memory: $mem"

if build_or_fail build -Dwerror=true -Dbuildtype=release; then
	run_suite unit build --suite unit --num-processes 2
	run_suite cli build --suite cli --num-processes 2
	# Busy-polling tests own a core each: one at a time, and never alongside
	# another job on this machine that holds the same lock (benchmarks).
	exec 9>/tmp/ringfwd-cores.lock
	flock 9
	run_suite integration build --suite integration --num-processes 1
	flock -u 9
fi
# Guests under QEMU (TCG) run binaries for a portable CPU: their own build.
if build_or_fail build-qemu -Dwerror=true -Dbuildtype=release -Dcpu_instruction_set=generic; then
	if rf_qemu_prepare build-qemu; then
		exec 9>/tmp/ringfwd-cores.lock
		flock 9
		qemu_start=$SECONDS
		run_suite qemu build-qemu --suite qemu --num-processes 1
		flock -u 9
		rf_log "suite qemu took $((SECONDS - qemu_start)) s; boot to result per guest run:"
		grep -h '^qemu-time ' build-qemu/meson-logs/testlog.txt | sed 's/^qemu-time /  /' >&2
	else
		rf_log "no QEMU guest image"
		failed=$((failed + 1))
	fi
fi
if build_or_fail build-asan -Dwerror=true -Dbuildtype=debug -Db_sanitize=address,undefined \
	-Db_lundef=false; then
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		run_suite unit-asan build-asan --suite unit --num-processes 2
fi
# clang: gcc rejects atomic_thread_fence under -fsanitize=thread (-Wtsan),
# and the virtio ring needs a full fence between publishing and reading flags.
if CC=clang build_or_fail build-tsan -Dwerror=true -Dbuildtype=debugoptimized -Db_sanitize=thread \
	-Db_lundef=false; then
	TSAN_OPTIONS=halt_on_error=1 run_suite stress-tsan build-tsan --suite stress --num-processes 1
fi
# Fuzz targets: each one's seed corpus replayed, then each fuzzed for a
# bounded time; every replay and every run is one test that passes if it
# found nothing (scripts/fuzz.sh prints one line per target).
rf_log "fuzzing: corpus replay, then ${RF_FUZZ_SECONDS:-60}s per target"
while read -r line; do
	echo "  $line"
	case $line in
	"fuzz "*": ok"* | "replay "*": ok"*) passed=$((passed + 1)) ;;
	"fuzz "* | "replay "*) failed=$((failed + 1)) ;;
	esac
done < <(
	bash scripts/fuzz.sh --replay 2>&1
	bash scripts/fuzz.sh "${RF_FUZZ_SECONDS:-60}" 2>&1
)
finish
