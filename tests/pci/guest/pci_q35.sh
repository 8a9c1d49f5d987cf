#!/bin/sh
# In a q35 guest with intel-iommu: RF_NIC0 an e1000 with mac=$1, RF_NIC1 an
# e1000e (its port I/O BAR), vfio modules. vfio-pci through ringfwd-devbind, BAR0 through VFIO, the
# container's mappings, reset at exit, a busy group and a process that may
# not open the group. Prints ok/FAIL lines; exits 1 if any check failed.
. /root/lib.sh
mac=$1
e1000=$RF_NIC0
EAL="-l 0 --no-huge -m 32 --file-prefix pci-q35"

echo "--- ringfwd-devbind -b vfio-pci"
"$DEVBIND" -b vfio-pci "$e1000" && ok "devbind: e1000 to vfio-pci" || bad "devbind -b vfio-pci"
group=$(basename "$(readlink "/sys/bus/pci/devices/$e1000/iommu_group")")
"$DEVBIND" --status | tee /tmp/status
grep -q "^$e1000 *8086:100e *vfio-pci *vfio-pci (IOMMU group $group, IOVA = VA)" /tmp/status &&
	ok "devbind status: vfio-pci, group $group" || bad "devbind status"

echo "--- scan: chosen without -a, iova-mode va"
"$PCI_TOOL" $EAL --log-level info -- scan >/tmp/scan 2>&1
cat /tmp/scan
grep -q "^$e1000 8086:100e class=020000 driver=vfio-pci group=$group .*access=vfio-pci selected" /tmp/scan &&
	! grep -q "iova-mode pa" /tmp/scan && ok "scan: vfio device chosen, va" || bad "scan"
refused vfio_pa "^EAL: error: --iova-mode pa: PCI device $e1000 is bound to vfio-pci, which maps memory at IOVA = VA, so it needs --iova-mode va" \
	"$PCI_TOOL" -l 0 -m 32 --iova-mode pa -- scan

echo "--- vfio-pci method"
"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x5400 0x5404 0x8 >/tmp/vfio.out 2>/tmp/vfio.err
cat /tmp/vfio.out /tmp/vfio.err
[ "$(mac_of /tmp/vfio.out)" = "$mac av=1" ] && grep -q "(vfio-pci)" /tmp/vfio.out &&
	ok "vfio: RAL0/RAH0 = $mac" || bad "vfio: MAC $(mac_of /tmp/vfio.out), expected $mac"
grep -q "can write anywhere" /tmp/vfio.err && bad "vfio: warned about no IOMMU" || ok "vfio: no warning"
master_off "$e1000" && ok "vfio: bus mastering off after close" || bad "vfio: bus mastering on"

echo "--- port I/O: the e1000e's BAR2 through the VFIO region"
"$DEVBIND" -b vfio-pci "$RF_NIC1" >/dev/null || bad "devbind -b vfio-pci $RF_NIC1"
io_vs_mmio "vfio port I/O" $EAL -a "$RF_NIC1"
"$DEVBIND" -b none "$RF_NIC1" >/dev/null || bad "devbind -b none $RF_NIC1"

echo "--- the container maps every segment, exactly, and unmaps them at close"
# 48 MB more than the first 16 MB segment: the heap adds a segment while the
# device is open, and the memory event maps it too.
"$PCI_TOOL" -l 0 -m 16 --file-prefix pci-q35 --log-level info -a "$e1000" -- vfio-maps 48 \
	>/tmp/maps.out 2>/tmp/maps.err
rc=$?
cat /tmp/maps.out
grep "vfio:" /tmp/maps.err
[ $rc = 0 ] && grep -q "^vfio: 2 segments, .* 2 mapped exactly" /tmp/maps.out &&
	grep -q "released" /tmp/maps.out &&
	grep -q "vfio: 2 of 2 memory segments unmapped" /tmp/maps.err &&
	ok "vfio maps: $(head -n 1 /tmp/maps.out)" || bad "vfio maps: exit $rc"

echo "--- reset at exit"
e1000_run_and_kill TERM $EAL -a "$e1000"
cat /tmp/run.log
"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x100 0x400 >/tmp/after.out 2>/dev/null
rctl=$(reg 0 0x100 /tmp/after.out)
tctl=$(reg 0 0x400 /tmp/after.out)
if grep -q "^exit 0" /tmp/run.log && [ -n "$rctl" ] && [ $((0x$rctl & 2)) = 0 ] &&
	[ $((0x$tctl & 2)) = 0 ] && master_off "$e1000"; then
	ok "after SIGTERM: RCTL=0x$rctl TCTL=0x$tctl command=0x$(cmd_reg "$e1000")"
else
	bad "after SIGTERM: RCTL=0x$rctl TCTL=0x$tctl command=0x$(cmd_reg "$e1000")"
fi

echo "--- a group another process holds"
"$PCI_TOOL" $EAL --file-prefix pci-q35-holder -a "$e1000" -- e1000-run >/tmp/holder.log 2>&1 &
holder=$!
i=0
while ! grep -q '^running' /tmp/holder.log && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
refused group_busy "^pci_tool: $e1000: IOMMU group $group \(/dev/vfio/$group\) is in use by another process$" \
	"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x8
kill -TERM $holder
wait $holder

echo "--- a process that may not open the group"
refused not_root "^pci_tool: $e1000: cannot open /dev/vfio/$group: Permission denied \(run as root\)$" \
	env PCI_TOOL_UID=65534 "$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x8
echo "--- a group that is not viable"
# Behind the PCIe-to-PCI bridge, an e1000 and a virtio-net share one IOMMU
# group; the virtio-net is on the kernel's virtio-pci, so VFIO refuses the
# group to user space.
shared=""
for d in /sys/bus/pci/devices/*; do
	b=$(basename "$d")
	case $b in 0000:00:*) continue ;; esac
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] && shared=$b
done
if [ -n "$shared" ]; then
	sgroup=$(basename "$(readlink "/sys/bus/pci/devices/$shared/iommu_group")")
	ls "/sys/kernel/iommu_groups/$sgroup/devices" | tr '\n' ' '
	echo
	"$DEVBIND" -b vfio-pci "$shared" >/dev/null || bad "devbind -b vfio-pci $shared"
	refused group_not_viable "^pci_tool: $shared: IOMMU group $sgroup is not viable: another device in it is bound to a kernel driver" \
		"$PCI_TOOL" $EAL -a "$shared" -- read 0 0x8
	master_off "$shared" || bad "bus mastering on after the refusal"
	"$DEVBIND" -b none "$shared" >/dev/null
else
	bad "no e1000 behind the bridge"
fi
master_off "$e1000" && ok "refusals left bus mastering off" || bad "bus mastering on after refusals"
"$DEVBIND" -b none "$e1000" && ok "devbind: unbound" || bad "devbind -b none"
[ "$fails" = 0 ]
