#!/usr/bin/env bash
# Shared by the qemu suite: run scripts/qemu-guest.sh on this build, keep each
# run's results, and print each run's boot-to-result time.
#
#   . "$(dirname "$0")/lib.sh"
#   rf_qemu_need                      # skip (77) without QEMU, root or a guest image
#   rf_qemu_run NAME [HARNESS-OPTIONS...] -- COMMAND...
#       runs the guest with -o $RF_TMP/NAME; sets QRC (the harness's exit
#       status) and QOUT (the results directory: status, stdout, stderr,
#       files/, console.log, qemu.log, times), prints
#       "qemu-time TEST NAME boot_to_result S guest_boot S command S"
#   rf_qemu_expect_rc RC              # fail, with the guest's output, unless QRC is RC
#
# The guest scripts of the tests are in tests/qemu/guest/ ($RF_QEMU_GUEST_DIR).
# Environment (set by meson): RF_QEMU_HARNESS (scripts/qemu-guest.sh) and
# RF_QEMU_BUILD (the build directory, cpu_instruction_set=generic).
# Under scripts/test.sh the cores lock is already held: don't take it here.

set -u
RF_QEMU_TEST=$(basename "$0" .sh)
RF_QEMU_GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/guest
RF_TMP=""
RF_PIDS=()

rf_skip() { echo "SKIP: $*" >&2; exit 77; }
rf_fail() { echo "FAIL: $*" >&2; exit 1; }

rf_cleanup() {
	local pid
	for pid in "${RF_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	RF_PIDS=()
	if [ -n "${RF_CLEANUP_EXTRA:-}" ]; then eval "$RF_CLEANUP_EXTRA"; fi
	if [ -n "$RF_TMP" ] && [ -d "$RF_TMP" ] && [ -z "${RF_KEEP_TMP:-}" ]; then
		rm -rf "$RF_TMP"
	fi
}
trap rf_cleanup EXIT
trap 'exit 130' INT TERM

# Track a PID we started so the exit trap stops it.
rf_track() { RF_PIDS+=("$1"); }

rf_qemu_need() {
	[ -n "${RF_QEMU_HARNESS:-}" ] && [ -n "${RF_QEMU_BUILD:-}" ] ||
		rf_fail "run under meson (RF_QEMU_HARNESS and RF_QEMU_BUILD unset)"
	[ "$(id -u)" = 0 ] || rf_skip "needs root"
	command -v qemu-system-x86_64 >/dev/null || rf_skip "needs qemu-system-x86_64 (qemu-system-x86)"
	local isa
	isa=$(meson introspect --buildoptions "$RF_QEMU_BUILD" |
		python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "cpu_instruction_set"))')
	[ "$isa" != native ] ||
		rf_skip "this build is for the native CPU; the qemu suite runs in a build with -Dcpu_instruction_set=generic"
	RF_TMP=$(mktemp -d /tmp/qemu-test.XXXXXX)
	RF_QEMU_IMAGE=$("$RF_QEMU_HARNESS" -b "$RF_QEMU_BUILD" --no-build --image) ||
		rf_skip "no guest image (see the harness's message above)"
}

rf_qemu_run() {
	local name=$1
	shift
	QOUT=$RF_TMP/$name
	"$RF_QEMU_HARNESS" -b "$RF_QEMU_BUILD" --no-build -o "$QOUT" "$@" \
		>"$RF_TMP/$name.stdout" 2>"$RF_TMP/$name.stderr"
	QRC=$?
	echo "qemu-time $RF_QEMU_TEST $name $(tr '\n' ' ' <"$QOUT/times" 2>/dev/null)"
}

rf_qemu_expect_rc() {
	[ "$QRC" = "$1" ] && return 0
	echo "--- harness stderr:" >&2
	cat "$RF_TMP/$(basename "$QOUT").stderr" >&2
	echo "--- console (last lines):" >&2
	tail -n 30 "$QOUT/console.log" >&2 2>/dev/null
	rf_fail "guest run $(basename "$QOUT"): exit $QRC, expected $1"
}
