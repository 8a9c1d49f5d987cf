#!/usr/bin/env bash
# test_nics.sh pc|q35: the guest sees every NIC model QEMU 7.2 offers us, at
# the address the harness gave it (or the addr= we gave), with the right
# vendor:device and class.
# pc has no IOMMU (no groups); q35 has intel-iommu (a group per NIC) and
# virtio-net there is modern-only (1af4:1041). On pc the kernel's
# virtio-net driver (loaded with --modules) shows the mac= we set.
. "$(dirname "$0")/lib.sh"
machine=${1:?pc or q35}
rf_qemu_need

mac=52:54:00:5a:00:02
case $machine in
pc)
	nics=(--nic e1000 --nic e1000e --nic "virtio-net-pci,mac=$mac" --nic virtio-net-pci,disable-legacy=on
		--nic e1000,addr=0x1e)
	want=("0000:00:10.0 0x8086 0x100e 0x020000 driver=none group=none net=none mac=none"
		"0000:00:11.0 0x8086 0x10d3 0x020000 driver=none group=none net=none mac=none"
		"0000:00:12.0 0x1af4 0x1000 0x020000 driver=virtio-pci group=none net=eth0 mac=$mac"
		"0000:00:13.0 0x1af4 0x1041 0x020000 driver=virtio-pci group=none net=eth1 mac="
		"0000:00:1e.0 0x8086 0x100e 0x020000 driver=none group=none net=none mac=none")
	mods=(--modules virtio_net)
	;;
q35)
	nics=(--nic e1000 --nic e1000e --nic virtio-net-pci)
	want=("0000:00:10.0 0x8086 0x100e 0x020000 driver=none group="
		"0000:00:11.0 0x8086 0x10d3 0x020000 driver=none group="
		"0000:00:12.0 0x1af4 0x1041 0x020000 driver=none group=")
	mods=()
	;;
*) rf_fail "machine $machine: pc or q35" ;;
esac

rf_qemu_run "$machine" -M "$machine" "${nics[@]}" "${mods[@]}" \
	--add "$RF_QEMU_GUEST_DIR/nics.sh" -- sh /root/nics.sh
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
[ "$(wc -l <"$QOUT/stdout")" = ${#want[@]} ] || rf_fail "expected ${#want[@]} NICs"
groups=()
for i in "${!want[@]}"; do
	line=$(sed -n "$((i + 1))p" "$QOUT/stdout")
	case $line in "${want[i]}"*) ;; *) rf_fail "NIC $i: '$line', expected '${want[i]}...'" ;; esac
	if [ "$machine" = q35 ]; then
		g=$(echo "$line" | sed -n 's/.* group=\([0-9][0-9]*\) .*/\1/p')
		[ -n "$g" ] || rf_fail "NIC $i has no IOMMU group on q35: $line"
		groups+=("$g")
	fi
done
if [ "$machine" = q35 ]; then
	[ "$(printf '%s\n' "${groups[@]}" | sort -u | wc -l)" = ${#groups[@]} ] ||
		rf_fail "the NICs share IOMMU groups: ${groups[*]}"
fi
echo "ok: $machine"
