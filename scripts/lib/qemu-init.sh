#!/bin/sh
# /init of the guest image that scripts/qemu-guest.sh boots (busybox sh, PID 1).
#
# It mounts the kernel file systems, loads the modules asked for, runs the
# one command in /run/rf/cmd with /root as its directory, and sends back, on
# the second serial port (ttyS1), a base64 gzipped tar of /run/rf/result: the
# command's status, stdout, stderr, timings, and everything it wrote under
# /out. Then it powers the machine off. The console (ttyS0) carries the
# kernel log and a copy of the command's output.
#
# /run/rf/config (from the per-run archive) sets RF_MODULES, RF_NICS,
# RF_HUGEPAGES and exports what the command sees (RF_NIC0...).

PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts /dev/hugepages /sys/kernel/debug
mount -t tmpfs tmpfs /dev/shm
mount -t devpts devpts /dev/pts
mount -t hugetlbfs hugetlbfs /dev/hugepages
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up 2>/dev/null
hostname rfguest

res=/run/rf/result
mkdir -p "$res" /out /root /tmp /var/run
[ -f /run/rf/config ] && . /run/rf/config

# Send the result and power off. The status file is written last by the
# command's wrapper: without it the host reports that no result came back.
finish() {
	cut -d' ' -f1 /proc/uptime >"$res/uptime_end"
	cp -a /out "$res/files" 2>/dev/null
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	{
		echo RF-RESULT-BEGIN
		tar -cz -C "$res" . | base64
		echo RF-RESULT-END
	} >/dev/ttyS1
	poweroff -f
}

fail() {
	echo "rfguest: $*" | tee -a "$res/stderr" >/dev/console
	echo 125 >"$res/status"
	finish
}

for m in $(echo "${RF_MODULES:-}" | tr ',' ' '); do
	modprobe "$m" 2>>"$res/stderr" || fail "modprobe $m failed"
done
if [ "${RF_HUGEPAGES:-0}" -gt 0 ]; then
	got=$(cat /proc/sys/vm/nr_hugepages)
	[ "$got" -ge "$RF_HUGEPAGES" ] ||
		fail "only $got of $RF_HUGEPAGES hugepages: give the guest more memory (--mem)"
fi

cut -d' ' -f1 /proc/uptime >"$res/uptime_start"
# The output goes to the result files and, live, to the console.
mkfifo /run/rf/o /run/rf/e
tee "$res/stdout" </run/rf/o >/dev/console &
t1=$!
tee "$res/stderr" </run/rf/e >/dev/console &
t2=$!
(cd /root && exec sh /run/rf/cmd) </dev/null >/run/rf/o 2>/run/rf/e
status=$?
wait $t1 $t2
echo "$status" >"$res/status"
finish
