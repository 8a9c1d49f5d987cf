#!/bin/sh
# In the guest: one line per NIC the harness gave us (RF_NICS), from sysfs:
#   BDF VENDOR DEVICE CLASS driver=NAME|none group=N|none net=IF|none mac=MAC|none
for bdf in $RF_NICS; do
	d=/sys/bus/pci/devices/$bdf
	[ -d "$d" ] || { echo "$bdf missing"; continue; }
	drv=none grp=none net=none mac=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	[ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
	for n in "$d"/net/* "$d"/virtio*/net/*; do
		[ -e "$n" ] || continue
		net=$(basename "$n")
		mac=$(cat "$n/address")
	done
	echo "$bdf $(cat "$d/vendor") $(cat "$d/device") $(cat "$d/class") driver=$drv group=$grp net=$net mac=$mac"
done
