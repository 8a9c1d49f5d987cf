#!/usr/bin/env bash
# lib/pci through sysfs, on a /sys/bus/pci/devices tree this test builds
# (RF_PCI_SYSFS_DIR), with iova-mode pa in real hugepages. The device is an
# e1000-shaped directory with no driver: resource0 and config are plain
# files, so what lib/pci maps and writes is read back from them.
#   - -a BDF,pci_access=sysfs opens it, warns that it can write anywhere, and
#     BAR0 reads the STATUS value the file holds; the port I/O BAR goes
#     through pread/pwrite;
#   - e1000-run sets RCTL.EN/TCTL.EN and bus mastering; after SIGTERM (and
#     after SIGINT) the exit path has cleared both enable bits, set CTRL.RST
#     and switched bus mastering off;
#   - every mbuf of a pool has the IOVA pagemap gives, none crosses a page;
#   - refusals: one line, exit 2, the device left untouched.
# Needs root (pagemap) and free 2 MB hugepages, else skips (77).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../integration/lib/peer.sh"
PCI_TOOL=${PCI_TOOL:-}
[ -x "$PCI_TOOL" ] || rf_skip "PCI_TOOL not given"
rf_need_root
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
[ "${free:-0}" -ge 40 ] || rf_skip "needs 40 free 2 MB hugepages"
rf_tmpdir

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

sys=$RF_TMP/devices
bdf=0000:00:05.0
dev=$sys/$bdf
mkdir -p "$dev"
printf '0x8086\n' >"$dev/vendor"
printf '0x100e\n' >"$dev/device"
printf '0x020000\n' >"$dev/class"
printf -- '-1\n' >"$dev/numa_node"
{
	printf '0x00000000febc0000 0x00000000febdffff 0x0000000000040200\n'
	printf '0x000000000000c000 0x000000000000c03f 0x0000000000040101\n'
	for _ in 2 3 4 5 6; do
		printf '0x0000000000000000 0x0000000000000000 0x0000000000000000\n'
	done
} >"$dev/resource"
truncate -s 128K "$dev/resource0"
truncate -s 64 "$dev/resource1"
truncate -s 256 "$dev/config"
# STATUS (0x8) = 0x80080783, little-endian, as QEMU's e1000 reports with link up.
printf '\x83\x07\x08\x80' | dd of="$dev/resource0" bs=1 seek=8 conv=notrunc status=none

u32() { od -An -tx4 -j "$2" -N 4 "$1" | tr -d ' '; }
cmd_reg() { od -An -tx2 -j 4 -N 2 "$dev/config" | tr -d ' '; }

export RF_PCI_SYSFS_DIR=$sys
EAL=(-l 0 -m 32 --file-prefix "pci-sysfs-$$" --log-level warning)

# 1. Read STATUS through the mapped BAR0.
out=$("$PCI_TOOL" "${EAL[@]}" -a "$bdf,pci_access=sysfs" -- read 0 0x8 2>"$RF_TMP/read.err")
rc=$?
if [ $rc = 0 ] && [[ "$out" == *"= 0x80080783 (sysfs)"* ]]; then
	ok "BAR0 STATUS: $out"
else
	fail "read STATUS: rc $rc, '$out' $(cat "$RF_TMP/read.err")"
fi
grep -q "can write anywhere" "$RF_TMP/read.err" && ok "warned: $(cat "$RF_TMP/read.err")" ||
	fail "no warning that the device can write anywhere: $(cat "$RF_TMP/read.err")"
# Closed: bus mastering off (0x4), memory decoding left on (0x2).
[ $((0x$(cmd_reg) & 0x4)) = 0 ] && ok "bus mastering off after close (command 0x$(cmd_reg))" ||
	fail "bus mastering still on after close: command 0x$(cmd_reg)"

# 2. The port I/O BAR: pread on resource1.
printf '\x78\x56\x34\x12' | dd of="$dev/resource1" bs=1 seek=4 conv=notrunc status=none
out=$("$PCI_TOOL" "${EAL[@]}" -a "$bdf,pci_access=sysfs" -- read 1 0x4 2>/dev/null)
[[ "$out" == *"bar1+0x4 = 0x12345678"* ]] && ok "port I/O BAR1: $out" || fail "BAR1: '$out'"

# 2b. Through ethdev: the claimed device becomes a port named by its address; closing
# the port closes the device.
out=$("$PCI_TOOL" "${EAL[@]}" -a "$bdf,pci_access=sysfs" -- ports 2>/dev/null)
rc=$?
if [ $rc = 0 ] && [ "$out" = "port 0: $bdf (driver net_pci_tool)" ] && [ $((0x$(cmd_reg) & 4)) = 0 ]; then
	ok "ethdev: $out"
else
	fail "ethdev ports: rc $rc '$out' command 0x$(cmd_reg)"
fi

# 3. Reset at exit after SIGTERM, then SIGINT, mid-run.
for sig in TERM INT; do
	printf '\0\0\0\0' | dd of="$dev/resource0" bs=1 seek=0 conv=notrunc status=none
	log=$RF_TMP/run-$sig.log
	"$PCI_TOOL" "${EAL[@]}" -a "$bdf,pci_access=sysfs" -- e1000-run >"$log" 2>&1 &
	pid=$!
	RF_PIDS+=("$pid")
	for _ in $(seq 1 100); do grep -q '^running' "$log" && break; sleep 0.1; done
	rctl=$(u32 "$dev/resource0" 256)
	tctl=$(u32 "$dev/resource0" 1024)
	cmd=$(cmd_reg)
	if [ $((0x$rctl & 2)) = 2 ] && [ $((0x$tctl & 2)) = 2 ] && [ $((0x$cmd & 4)) = 4 ]; then
		ok "running: RCTL 0x$rctl TCTL 0x$tctl command 0x$cmd"
	else
		fail "SIG$sig: not running as expected: RCTL 0x$rctl TCTL 0x$tctl command 0x$cmd: $(cat "$log")"
	fi
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	rctl=$(u32 "$dev/resource0" 256)
	tctl=$(u32 "$dev/resource0" 1024)
	ctrl=$(u32 "$dev/resource0" 0)
	cmd=$(cmd_reg)
	if [ $rc = 0 ] && [ $((0x$rctl & 2)) = 0 ] && [ $((0x$tctl & 2)) = 0 ] &&
		[ $((0x$ctrl & 0x4000000)) != 0 ] && [ $((0x$cmd & 4)) = 0 ]; then
		ok "after SIG$sig: RCTL 0x$rctl TCTL 0x$tctl CTRL 0x$ctrl command 0x$cmd"
	else
		fail "after SIG$sig: rc $rc RCTL 0x$rctl TCTL 0x$tctl CTRL 0x$ctrl command 0x$cmd: $(cat "$log")"
	fi
done

# 4. iova-mode pa (chosen by the device): every mbuf's IOVA from pagemap, none across a page.
out=$("$PCI_TOOL" "${EAL[@]}" -a "$bdf,pci_access=sysfs" -- mbuf-iova 8192 2>/dev/null)
rc=$?
[ $rc = 0 ] && [[ "$out" == *"iova-mode pa"* ]] && ok "pool: $out" || fail "pool: rc $rc '$out'"

# 5. Refusals: one line, exit 2, device untouched (bus mastering stays off).
refused() {
	local name=$1 re=$2 rc lines
	shift 2
	"$@" >/dev/null 2>"$RF_TMP/$name.err"
	rc=$?
	lines=$(grep -c '' "$RF_TMP/$name.err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -qE -- "$re" "$RF_TMP/$name.err"; then
		ok "$name: $(cat "$RF_TMP/$name.err")"
	else
		fail "$name: rc $rc, $lines lines: $(cat "$RF_TMP/$name.err")"
	fi
	[ $((0x$(cmd_reg) & 4)) = 0 ] || fail "$name: bus mastering left on"
}
refused no_such_device "^PCI: error: -a 0000:00:09.0: no such PCI device" \
	"$PCI_TOOL" "${EAL[@]}" -a 0000:00:09.0 -- scan
refused malformed "^EAL: error: -a/--allow '00:05': expected a PCI address" \
	"$PCI_TOOL" "${EAL[@]}" -a 00:05 -- scan
refused no_driver "^PCI: error: -a 0000:00:05.0: the device has no driver; bind it to vfio-pci" \
	"$PCI_TOOL" "${EAL[@]}" -a "$bdf" -- scan
refused pa_no_huge "needs hugepages: drop --no-huge" \
	"$PCI_TOOL" "${EAL[@]}" --no-huge -a "$bdf,pci_access=sysfs" -- scan
ln -s ../../../bus/pci/drivers/e1000 "$dev/driver"
refused kernel_driver "^PCI: error: -a 0000:00:05.0: the device is bound to the kernel driver e1000" \
	"$PCI_TOOL" "${EAL[@]}" -a "$bdf" -- scan
rm "$dev/driver"

[ "$fails" = 0 ] || exit 1
