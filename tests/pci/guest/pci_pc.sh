#!/bin/sh
# In a pc guest (no IOMMU): RF_NIC0 an e1000 with mac=$1 and no driver,
# RF_NIC1 a transitional virtio-net on the kernel's virtio-pci, RF_NIC2 an
# e1000e with no driver (its port I/O BAR); uio modules
# and hugepages. lib/pci's scan, the sysfs and uio_pci_generic methods,
# ringfwd-devbind, PA mode and reset at exit. Prints ok/FAIL lines and the
# scan; exits 1 if any check failed.
. /root/lib.sh
mac=$1
e1000=$RF_NIC0
virtio=$RF_NIC1
EAL="-l 0 -m 32 --file-prefix pci-pc"

echo "--- scan"
"$PCI_TOOL" -l 0 --no-huge -m 16 -- scan | tee /tmp/scan
grep -q "^$e1000 8086:100e class=020000 driver=- group=-1 .*access=none bar0=mem:0x[0-9a-f]*/0x20000 bar1=io:0x[0-9a-f]*/0x40$" /tmp/scan &&
	ok "scan: e1000" || bad "scan: e1000 line"
grep -q "^$virtio 1af4:1000 class=020000 driver=virtio-pci group=-1 .*access=kernel bar0=io:0x[0-9a-f]*/0x[0-9a-f]* bar1=mem:0x[0-9a-f]*/0x1000 bar4=mem:0x[0-9a-f]*/0x4000$" /tmp/scan &&
	ok "scan: virtio-net" || bad "scan: virtio-net line"

echo "--- refusals"
refused no_such_device "^PCI: error: -a 0000:00:1f.7: no such PCI device" \
	"$PCI_TOOL" $EAL -a 0000:00:1f.7 -- scan
refused malformed "^EAL: error: -a/--allow '00:10': expected a PCI address" \
	"$PCI_TOOL" $EAL -a 00:10 -- scan
refused kernel_driver "^PCI: error: -a $virtio: the device is bound to the kernel driver virtio-pci; bind it to vfio-pci first" \
	"$PCI_TOOL" $EAL -a "$virtio" -- scan
refused no_driver "^PCI: error: -a $e1000: the device has no driver" \
	"$PCI_TOOL" $EAL -a "$e1000" -- scan
refused ringfwd_kernel_driver "^PCI: error: -a $virtio: the device is bound to the kernel driver virtio-pci" \
	"$RINGFWD" -l 0@0,1@0 -m 32 --file-prefix pci-rf -a "$virtio" -- --forward-mode=io
# (virtio-pci, the kernel's driver, keeps the virtio device's bus mastering on.)
master_off "$e1000" && ok "refusals left the e1000's bus mastering off" ||
	bad "bus mastering on after the refusals: $(cmd_reg "$e1000")"

echo "--- sysfs method (no driver)"
"$PCI_TOOL" $EAL -a "$e1000,pci_access=sysfs" -- read 0 0x5400 0x5404 0x8 >/tmp/sysfs.out 2>/tmp/sysfs.err
cat /tmp/sysfs.out /tmp/sysfs.err
[ "$(mac_of /tmp/sysfs.out)" = "$mac av=1" ] && ok "sysfs: RAL0/RAH0 = $mac" ||
	bad "sysfs: MAC $(mac_of /tmp/sysfs.out), expected $mac"
grep -q "can write anywhere" /tmp/sysfs.err && ok "sysfs: warned" || bad "sysfs: no warning"
master_off "$e1000" && ok "sysfs: bus mastering off after close" || bad "sysfs: bus mastering on"

echo "--- port I/O: the e1000e's BAR2 through pread/pwrite on resource2"
io_vs_mmio "sysfs port I/O" $EAL -a "$RF_NIC2,pci_access=sysfs"

echo "--- ringfwd-devbind"
"$DEVBIND" --status | tee /tmp/status
grep -q "^$e1000 *8086:100e *- *none" /tmp/status && ok "devbind status: e1000" || bad "devbind status: e1000"
grep -q "^$virtio *1af4:1000 *virtio-pci *kernel *eth0" /tmp/status && ok "devbind status: virtio" ||
	bad "devbind status: virtio"
ip addr add 192.0.2.1/24 dev eth0
ip link set eth0 up
refused devbind_in_use "^ringfwd-devbind: $virtio is eth0, which the kernel is using \(address 192.0.2.1/24, route 192.0.2.0/24\)" \
	"$DEVBIND" -b uio_pci_generic "$virtio"
[ "$(basename "$(readlink /sys/bus/pci/devices/$virtio/driver)")" = virtio-pci ] &&
	ok "devbind: the device in use stayed on virtio-pci" || bad "devbind: in-use device moved"
"$DEVBIND" -b uio_pci_generic "$e1000" && ok "devbind: e1000 to uio_pci_generic" ||
	bad "devbind: bind to uio_pci_generic failed"
[ "$(basename "$(readlink /sys/bus/pci/devices/$e1000/driver)")" = uio_pci_generic ] ||
	bad "devbind: e1000 not on uio_pci_generic"

echo "--- uio_pci_generic method"
"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x5400 0x5404 0x8 >/tmp/uio.out 2>/tmp/uio.err
cat /tmp/uio.out /tmp/uio.err
[ "$(mac_of /tmp/uio.out)" = "$mac av=1" ] && grep -q "(uio_pci_generic)" /tmp/uio.out &&
	ok "uio: RAL0/RAH0 = $mac" || bad "uio: MAC $(mac_of /tmp/uio.out), expected $mac"
grep -q "can write anywhere" /tmp/uio.err && ok "uio: warned" || bad "uio: no warning"
# With no -a, the device bound to uio is chosen, and it makes the mode pa.
"$PCI_TOOL" $EAL --log-level info -- scan >/tmp/scan2 2>&1
grep -q "^$e1000 .*access=uio_pci_generic selected" /tmp/scan2 && grep -q "iova-mode pa" /tmp/scan2 &&
	ok "no -a: the uio device is chosen, iova-mode pa" || bad "no -a: $(cat /tmp/scan2)"
refused uio_no_huge "needs hugepages: drop --no-huge" "$PCI_TOOL" -l 0 --no-huge -m 16 -- scan
refused ringfwd_no_driver "no ringfwd driver handles PCI device 8086:100e" \
	"$RINGFWD" -l 0@0,1@0 -m 32 --file-prefix pci-rf -a "$e1000" -- --forward-mode=io

echo "--- PA mode: mbuf IOVAs"
out=$("$PCI_TOOL" $EAL -a "$e1000" -- mbuf-iova 4096 2>/dev/null)
rc=$?
[ $rc = 0 ] && case $out in *"iova-mode pa"*) true ;; *) false ;; esac &&
	ok "pa pool: $out" || bad "pa pool: exit $rc: $out"

echo "--- reset at exit"
for sig in TERM INT; do
	e1000_run_and_kill $sig $EAL -a "$e1000"
	cat /tmp/run.log
	"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x100 0x400 >/tmp/after.out 2>/dev/null
	rctl=$(reg 0 0x100 /tmp/after.out)
	tctl=$(reg 0 0x400 /tmp/after.out)
	if grep -q "^exit 0" /tmp/run.log && [ -n "$rctl" ] && [ $((0x$rctl & 2)) = 0 ] &&
		[ $((0x$tctl & 2)) = 0 ] && master_off "$e1000"; then
		ok "after SIG$sig: RCTL=0x$rctl TCTL=0x$tctl command=0x$(cmd_reg "$e1000")"
	else
		bad "after SIG$sig: RCTL=0x$rctl TCTL=0x$tctl command=0x$(cmd_reg "$e1000")"
	fi
done

# The control: SIGKILL runs no handler, so the enable bits stay as they were.
# This is what the checks above would see if the exit path did nothing.
"$PCI_TOOL" $EAL -a "$e1000" -- e1000-run >/tmp/run.log 2>&1 &
pid=$!
i=0
while ! grep -q '^running' /tmp/run.log && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -KILL $pid
wait $pid
"$PCI_TOOL" $EAL -a "$e1000" -- read 0 0x100 >/tmp/after.out 2>/dev/null
rctl=$(reg 0 0x100 /tmp/after.out)
[ -n "$rctl" ] && [ $((0x$rctl & 2)) = 2 ] && ok "control: after SIGKILL RCTL=0x$rctl still enabled" ||
	bad "control: after SIGKILL RCTL=0x$rctl"

echo "--- unbind"
"$DEVBIND" -b none "$e1000" && [ ! -e "/sys/bus/pci/devices/$e1000/driver" ] &&
	ok "devbind: e1000 unbound" || bad "devbind -b none"
[ "$fails" = 0 ]
