#!/bin/sh
# In the guest: bind.sh DRIVER. Bind every NIC of RF_NICS to DRIVER
# (vfio-pci or uio_pci_generic) through driver_override, print what the
# kernel made of it, then unbind it again:
#   BDF bound=DRIVER group=N members=M dev=/dev/... unbound=none
drv=$1
for bdf in $RF_NICS; do
	d=/sys/bus/pci/devices/$bdf
	grp=none members=0 dev=none
	if [ -e "$d/iommu_group" ]; then
		grp=$(basename "$(readlink "$d/iommu_group")")
		members=$(ls "$d/iommu_group/devices" | wc -l)
	fi
	echo "$drv" >"$d/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	bound=none
	[ -e "$d/driver" ] && bound=$(basename "$(readlink "$d/driver")")
	case $drv in
	vfio-pci) [ -c "/dev/vfio/$grp" ] && dev=/dev/vfio/$grp ;;
	uio_pci_generic)
		for u in "$d"/uio/uio*; do [ -c "/dev/${u##*/}" ] && dev=/dev/${u##*/}; done ;;
	esac
	[ "$bound" != none ] && echo "$bdf" >"/sys/bus/pci/drivers/$bound/unbind"
	echo "" >"$d/driver_override"
	unbound=none
	[ -e "$d/driver" ] && unbound=$(basename "$(readlink "$d/driver")")
	echo "$bdf bound=$bound group=$grp members=$members dev=$dev unbound=$unbound"
done
dmesg | grep -o 'DMAR: IOMMU enabled' | head -n 1 || true
