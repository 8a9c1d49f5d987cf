#!/usr/bin/env bash
# test_qemu_pci.sh pc|q35: lib/pci against QEMU's devices, in the guest
# (tests/pci/guest/pci_MACHINE.sh does the checks and prints ok/FAIL lines).
#   pc:  no IOMMU. The scan (IDs, BARs, drivers), every -a refusal, the sysfs
#        and uio_pci_generic methods reading the e1000's MAC from RAL0/RAH0
#        against QEMU's mac=, ringfwd-devbind (status, a device in use
#        refused, bind, unbind), PA mode mbuf IOVAs, reset at exit after
#        SIGTERM and SIGINT, an e1000e's port I/O BAR through resource2.
#   q35: intel-iommu. vfio-pci: the MAC through VFIO, the container mapping
#        every memory segment exactly and unmapping it at close, reset at
#        exit after SIGTERM, a group another process holds, a process that
#        may not open the group, a group that is not viable, the e1000e's
#        port I/O BAR through VFIO.
. "$(dirname "$0")/../qemu/lib.sh"
machine=${1:?pc or q35}
rf_qemu_need
here=$(cd "$(dirname "$0")" && pwd)
tool=$RF_QEMU_BUILD/tests/pci/pci_tool
[ -x "$tool" ] || rf_fail "$tool is not built"
mac=52:54:00:12:34:56
files=(--add "$tool" --add "$here/../../app/devbind/ringfwd-devbind" --add "$here/guest/lib.sh"
	--add "$here/guest/pci_$machine.sh")
case $machine in
pc)
	rf_qemu_run pc -M pc --nic "e1000,mac=$mac" --nic virtio-net-pci --nic e1000e \
		--modules virtio_net,uio --hugepages 48 "${files[@]}" -- sh /root/pci_pc.sh "$mac"
	;;
q35)
	# 140 hugepages: a 16 MB heap, then the 256 MB segment it grows by.
	# Behind a PCIe-to-PCI bridge, an e1000 and a virtio-net (on virtio-pci)
	# share an IOMMU group: the group that is not viable.
	bridge=(--qemu-arg -device --qemu-arg pcie-pci-bridge,id=rfbr,bus=pcie.0,addr=0x8
		--qemu-arg -device --qemu-arg e1000,bus=rfbr,addr=0x1
		--qemu-arg -device --qemu-arg virtio-net-pci,bus=rfbr,addr=0x2)
	rf_qemu_run q35 -M q35 --nic "e1000,mac=$mac" --nic e1000e --modules vfio,virtio_net \
		--hugepages 140 "${bridge[@]}" "${files[@]}" -- sh /root/pci_q35.sh "$mac"
	;;
*) rf_fail "machine $machine: pc or q35" ;;
esac
cat "$QOUT/stdout"
grep '^FAIL' "$QOUT/stdout" >&2
rf_qemu_expect_rc 0
echo "ok: $machine, $(grep -c '^ok' "$QOUT/stdout") checks"
