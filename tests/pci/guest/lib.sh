# In the guest (busybox sh), sourced by the PCI guest scripts: checks that
# print "ok ..." or "FAIL ...", and the helpers they share.
#   PCI_TOOL, DEVBIND, RINGFWD: the programs, under /root.
PCI_TOOL=/root/pci_tool
DEVBIND=/root/ringfwd-devbind
RINGFWD=$(command -v ringfwd || echo /root/ringfwd)
fails=0
ok() { echo "ok $*"; }
bad() {
	echo "FAIL $*"
	fails=$((fails + 1))
}
# The PCI command register of a device, from sysfs config (hex, no 0x).
cmd_reg() { od -An -tx2 -j 4 -N 2 "/sys/bus/pci/devices/$1/config" | tr -d ' \n'; }
master_off() { [ $((0x$(cmd_reg "$1") & 4)) = 0 ]; }
# refused NAME REGEX CMD...: exit 2, one line on stderr, matching REGEX.
refused() {
	name=$1 re=$2
	shift 2
	"$@" >/tmp/refused.out 2>/tmp/refused.err
	rc=$?
	lines=$(grep -c '' /tmp/refused.err)
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -qE -- "$re" /tmp/refused.err; then
		ok "$name: $(cat /tmp/refused.err)"
	else
		bad "$name: exit $rc, $lines lines: $(cat /tmp/refused.err)"
	fi
}
# The register values a read printed: "BDF barB+0xOFF = 0xVALUE (method)".
reg() { sed -n "s/.*bar$1+$2 = 0x\([0-9a-f]*\).*/\1/p" "$3"; }
# RAL0/RAH0 (8254x SDM §13.4.62) as QEMU fills them from mac=: "52:54:00:12:34:56".
mac_of() {
	l=$(reg 0 0x5400 "$1")
	h=$(reg 0 0x5404 "$1")
	[ -n "$l" ] && [ -n "$h" ] || return 1
	printf '%02x:%02x:%02x:%02x:%02x:%02x av=%d\n' $((0x$l & 255)) $((0x$l >> 8 & 255)) \
		$((0x$l >> 16 & 255)) $((0x$l >> 24 & 255)) $((0x$h & 255)) $((0x$h >> 8 & 255)) \
		$((0x$h >> 31 & 1))
}
# e1000_run_and_kill SIG EAL-ARGS...: e1000-run in the background, check the
# enable bits it set, send SIG, and check that the exit path cleared them
# (RCTL.EN and TCTL.EN are bit 1) and switched bus mastering off.
e1000_run_and_kill() {
	sig=$1
	shift
	"$PCI_TOOL" "$@" -- e1000-run >/tmp/run.log 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^running' /tmp/run.log && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	running=$(grep '^running' /tmp/run.log)
	case $running in
	*RCTL=0x*[2367abef]" "TCTL=0x*[2367abef]) ok "e1000-run: $running" ;;
	*) bad "e1000-run did not start: $(cat /tmp/run.log)" ;;
	esac
	kill -"$sig" "$pid"
	wait "$pid"
	echo "exit $?" >>/tmp/run.log
}
# io_vs_mmio NAME EAL-ARGS...: an e1000e's STATUS (0x8) through the port I/O
# BAR2 (IOADDR/IODATA) must equal STATUS through the mapped BAR0.
io_vs_mmio() {
	name=$1
	shift
	"$PCI_TOOL" "$@" -- ioreg 2 0x8 >/tmp/io.out 2>/tmp/io.err
	"$PCI_TOOL" "$@" -- read 0 0x8 >/tmp/mmio.out 2>/dev/null
	io=$(sed -n 's/.* io bar2 reg 0x8 = 0x\([0-9a-f]*\).*/\1/p' /tmp/io.out)
	mmio=$(reg 0 0x8 /tmp/mmio.out)
	if [ -n "$io" ] && [ "$io" = "$mmio" ] && [ "$io" != 00000000 ]; then
		ok "$name: STATUS through port I/O = 0x$io = through MMIO"
	else
		bad "$name: port I/O '0x$io', MMIO '0x$mmio': $(cat /tmp/io.err)"
	fi
}
