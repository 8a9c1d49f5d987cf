#!/usr/bin/env bash
# The harness brings back what a command did in the guest: its arguments as
# given, its exit status (0 and a failure), stdout and stderr apart, files
# added from the host and files written under /out, byte for byte; hugepages
# reserved at boot; ringfwd's programs (cpu_instruction_set=generic) run
# under QEMU's CPU.
. "$(dirname "$0")/lib.sh"
rf_qemu_need

mkdir -p "$RF_TMP/in"
head -c 200000 /dev/urandom >"$RF_TMP/in/blob"
rf_qemu_run ok --hugepages 8 --add "$RF_TMP/in:/root/in" --add "$RF_QEMU_GUEST_DIR/exec_ok.sh" \
	-- sh /root/exec_ok.sh "two words" "it's \"quoted\""
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
[ "$(cat "$QOUT/status")" = 0 ] || rf_fail "status file: $(cat "$QOUT/status")"
grep -qx "args \[two words\] \[it's \"quoted\"\] 2" "$QOUT/stdout" || rf_fail "arguments changed on the way"
grep -qx "cwd /root" "$QOUT/stdout" || rf_fail "not run in /root"
[ "$(cat "$QOUT/stderr")" = "to stderr" ] || rf_fail "stderr: '$(cat "$QOUT/stderr")'"
# What the harness prints is what came back.
cmp -s "$RF_TMP/ok.stdout" "$QOUT/stdout" || rf_fail "the harness's stdout differs from the guest's"
grep -q "^to stderr$" "$RF_TMP/ok.stderr" || rf_fail "the harness did not print the guest's stderr"
grep -qx "in $(sha256sum <"$RF_TMP/in/blob" | cut -c1-64)" "$QOUT/stdout" ||
	rf_fail "the file added from the host differs in the guest"
grep -qx "hugepages 8 1" "$QOUT/stdout" || rf_fail "no 8 hugepages on a hugetlbfs mount"
grep -qx "programs run" "$QOUT/stdout" || rf_fail "ringfwd or ringfwd-replay failed in the guest"
seq 1 10000 | cmp -s - "$QOUT/files/seq.txt" || rf_fail "files/seq.txt differs"
grep -qx "out $(sha256sum <"$QOUT/files/dir/blob" | cut -c1-64)" "$QOUT/stdout" ||
	rf_fail "files/dir/blob differs from what the guest wrote"

rf_qemu_run fail -- sh -c 'echo partial; echo "went wrong" >&2; exit 7'
rf_qemu_expect_rc 7
[ "$(cat "$QOUT/status")" = 7 ] || rf_fail "status file: $(cat "$QOUT/status")"
[ "$(cat "$QOUT/stdout")" = partial ] || rf_fail "stdout of the failing command: '$(cat "$QOUT/stdout")'"
[ "$(cat "$QOUT/stderr")" = "went wrong" ] || rf_fail "stderr of the failing command: '$(cat "$QOUT/stderr")'"
echo "ok"
