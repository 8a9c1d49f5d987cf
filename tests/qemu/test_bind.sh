#!/usr/bin/env bash
# test_bind.sh q35|pc: the user-space access drivers bind QEMU's NICs through
# driver_override, as a binding tool does. q35 (intel-iommu, guest
# intel_iommu=on): each NIC has an IOMMU group of its own and vfio-pci binds
# it (/dev/vfio/GROUP). pc (no IOMMU): uio_pci_generic binds it (/dev/uioN).
# Both unbind again.
. "$(dirname "$0")/lib.sh"
machine=${1:?q35 or pc}
rf_qemu_need

case $machine in
q35) drv=vfio-pci mods=vfio ;;
pc) drv=uio_pci_generic mods=uio ;;
*) rf_fail "machine $machine: q35 or pc" ;;
esac
rf_qemu_run "$machine" -M "$machine" --nic e1000 --nic e1000e --modules "$mods" \
	--add "$RF_QEMU_GUEST_DIR/bind.sh" -- sh /root/bind.sh "$drv"
rf_qemu_expect_rc 0
cat "$QOUT/stdout"
for bdf in 0000:00:10.0 0000:00:11.0; do
	line=$(grep "^$bdf " "$QOUT/stdout") || rf_fail "no line for $bdf"
	case $machine in
	q35) pat="$bdf bound=vfio-pci group=[0-9]* members=1 dev=/dev/vfio/[0-9]* unbound=none" ;;
	pc) pat="$bdf bound=uio_pci_generic group=none members=0 dev=/dev/uio[0-9]* unbound=none" ;;
	esac
	# shellcheck disable=SC2053
	[[ $line == $pat ]] || rf_fail "'$line' is not '$pat'"
done
if [ "$machine" = q35 ]; then
	grep -qx 'DMAR: IOMMU enabled' "$QOUT/stdout" || rf_fail "the guest kernel did not enable the IOMMU"
fi
echo ok
