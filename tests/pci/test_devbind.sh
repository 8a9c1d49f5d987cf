#!/usr/bin/env bash
# ringfwd-devbind on a /sys tree this test builds (RINGFWD_DEVBIND_SYSFS): the
# status table, and every refusal (one line, exit 2, nothing written). The
# binding itself needs a kernel: the guest test does it for real; here the
# writes it makes (unbind, driver_override, drivers_probe) are read back.
set -u
DEVBIND=${DEVBIND:-}
[ -x "$DEVBIND" ] || { echo "SKIP: DEVBIND not given" >&2; exit 77; }
command -v ip >/dev/null || { echo "SKIP: needs ip" >&2; exit 77; }
tmp=$(mktemp -d /tmp/pci-devbind-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sys=$tmp/sys
export RINGFWD_DEVBIND_SYSFS=$sys
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

mkdir -p "$sys/bus/pci/devices" "$sys/bus/pci/drivers"
: >"$sys/bus/pci/drivers_probe"
for drv in e1000 virtio-pci uio_pci_generic; do
	mkdir -p "$sys/bus/pci/drivers/$drv"
	: >"$sys/bus/pci/drivers/$drv/unbind"
done
# dev BDF VENDOR DEVICE CLASS DRIVER GROUP
dev() {
	local d=$sys/bus/pci/devices/$1
	mkdir -p "$d"
	echo "$2" >"$d/vendor"
	echo "$3" >"$d/device"
	echo "$4" >"$d/class"
	: >"$d/driver_override"
	[ "$5" = - ] || ln -s "$sys/bus/pci/drivers/$5" "$d/driver"
	[ "$6" = - ] || ln -s "$sys/kernel/iommu_groups/$6" "$d/iommu_group"
}
dev 0000:00:03.0 0x8086 0x100e 0x020000 e1000 -
dev 0000:00:04.0 0x1af4 0x1000 0x020000 virtio-pci -
dev 0000:00:05.0 0x8086 0x10d3 0x020000 - 5
dev 0000:00:06.0 0x8086 0x2922 0x010601 - -
# The virtio device's interface is "lo": it has 127.0.0.1, so the kernel is using it.
mkdir -p "$sys/bus/pci/devices/0000:00:04.0/virtio0/net/lo"

out=$("$DEVBIND" --status)
echo "$out"
grep -qE '^0000:00:03.0 +8086:100e +e1000 +kernel +-$' <<<"$out" || fail "status: e1000 row"
grep -qE '^0000:00:04.0 +1af4:1000 +virtio-pci +kernel +lo \(in use: address 127.0.0.1/8' <<<"$out" ||
	fail "status: virtio row"
grep -qE '^0000:00:05.0 +8086:10d3 +- +none \(only with -a 0000:00:05.0,pci_access=sysfs\)' <<<"$out" ||
	fail "status: driverless row"
grep -q '0000:00:06.0' <<<"$out" && fail "status lists a storage controller"
[ "$(grep -c '^0000' <<<"$out")" = 3 ] && ok "status: three network devices"

snapshot() { find "$sys" -type f -exec cat {} + | md5sum; }
refused() {
	local name=$1 re=$2 before rc lines
	shift 2
	before=$(snapshot)
	"$DEVBIND" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	lines=$(grep -c '' "$tmp/err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -qE -- "$re" "$tmp/err"; then
		ok "$name: $(cat "$tmp/err")"
	else
		fail "$name: rc $rc, $lines lines: $(cat "$tmp/err")"
	fi
	[ "$(snapshot)" = "$before" ] || fail "$name: something was written"
}
refused in_use "^ringfwd-devbind: 0000:00:04.0 is lo, which the kernel is using \(address 127.0.0.1/8.*\); take it down first .* or pass --force$" \
	-b vfio-pci 00:04.0
refused bad_driver "^ringfwd-devbind: -b 'igb_uio': expected vfio-pci, uio_pci_generic or none$" \
	-b igb_uio 00:03.0
refused malformed "^ringfwd-devbind: '00:03' is not a PCI address" -b vfio-pci 00:03
refused device_32 "is not a PCI address" -b vfio-pci 00:20.0
refused no_device "^ringfwd-devbind: 0000:00:09.0: no such PCI device" -b vfio-pci 0000:00:09.0
refused no_group "^ringfwd-devbind: 0000:00:03.0 has no IOMMU group, and vfio-pci needs one" \
	-b vfio-pci 00:03.0
refused no_module "^ringfwd-devbind: 0000:00:05.0: the vfio-pci driver is not loaded" \
	-b vfio-pci 00:05.0
refused no_device_named "name at least one device" -b none
refused no_mode "expected --status or -b" --force

# The writes of a bind: unbind from e1000, override, probe. No kernel acts on
# them here, so the last check (the driver link) refuses, in one line.
refused_writes=$("$DEVBIND" -b uio_pci_generic 00:03.0 2>&1)
rc=$?
[ $rc = 2 ] && [[ "$refused_writes" == *"the kernel did not bind it to uio_pci_generic (now: e1000"* ]] ||
	fail "bind without a kernel: rc $rc '$refused_writes'"
[ "$(cat "$sys/bus/pci/drivers/e1000/unbind")" = 0000:00:03.0 ] || fail "no unbind write"
[ "$(cat "$sys/bus/pci/devices/0000:00:03.0/driver_override")" = uio_pci_generic ] ||
	fail "no driver_override write"
[ "$(cat "$sys/bus/pci/drivers_probe")" = 0000:00:03.0 ] || fail "no drivers_probe write"
ok "bind writes: unbind, driver_override, drivers_probe"
# --force takes a device the kernel is using.
out=$("$DEVBIND" --force -b none 00:04.0 2>&1) && [ "$(cat "$sys/bus/pci/drivers/virtio-pci/unbind")" = 0000:00:04.0 ] &&
	ok "--force: $out" || fail "--force -b none: '$out'"
[ "$fails" = 0 ]
