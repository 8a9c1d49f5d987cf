#!/usr/bin/env bash
# Set-up shared by demo.sh, test.sh and the benchmarks: install the Debian
# packages ringfwd needs, reserve hugepages when we can, build.

RF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Build and test dependencies. dpdk-testpmd is in dpdk-dev; its vhost, virtio,
# pcap and ring-mempool drivers are separate librte-* packages.
RF_PACKAGES=(meson ninja-build pkg-config gcc clang libc6-dev libnuma-dev libcmocka-dev
	libpcap-dev libedit-dev libxxhash-dev libdpdk-dev dpdk dpdk-dev librte-net-vhost23
	librte-net-virtio23 librte-net-pcap23 librte-net-tap23 librte-mempool-ring23 python3 tshark tcpdump
	util-linux iproute2 help2man bash-completion)
# Kernel interfaces (tests/integration/kernel, scripts/bench/kernel.sh): the
# kernel's own tools as peers, and DPDK's AF_PACKET driver as the yardstick.
RF_PACKAGES+=(iputils-ping iperf3 ethtool tcpreplay librte-net-af-packet23)
# QEMU guests (scripts/qemu-guest.sh, the qemu suite): QEMU, and what the
# guest image is made of and with (lz4: the kernel, uncompressed, boots
# faster). The guest's kernel package is downloaded, not installed:
# rf_qemu_prepare.
RF_PACKAGES+=(qemu-system-x86 busybox-static cpio kmod lz4)
# net_af_xdp: libxdp/libbpf to build it, DPDK's net_af_xdp as its yardstick,
# the kernel tools as peers (libxdp1 also ships the XDP program the tests attach as "foreign").
RF_PACKAGES+=(libxdp-dev libbpf-dev librte-net-af-xdp23)

rf_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

rf_install_deps() {
	local missing=() p
	for p in "${RF_PACKAGES[@]}" "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		rf_log "missing packages: ${missing[*]}; run as root or install them"
		return 1
	fi
	rf_log "installing: ${missing[*]}"
	# tshark asks whether non-root users may capture; answer for it.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		debconf-set-selections 2>/dev/null || true
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${missing[@]}" >/dev/null
}

# Reserve 2 MB hugepages when possible. Prints "huge" or "memfd" (the fallback).
rf_hugepages() {
	local want=${1:-1024} f=/proc/sys/vm/nr_hugepages have
	have=$(cat "$f" 2>/dev/null || echo 0)
	if [ "$have" -lt "$want" ] && [ -w "$f" ]; then
		echo "$want" >"$f" 2>/dev/null || true
		have=$(cat "$f" 2>/dev/null || echo 0)
	fi
	if [ "$have" -gt 0 ]; then echo huge; else echo memfd; fi
}

# rf_build DIR [meson options...]: configure once (or reconfigure), then build.
rf_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$RF_ROOT" "$@" >/dev/null
	fi && ninja -C "$dir" >/dev/null
}

# rf_build_ringfwd DIR: rf_build DIR (the tail of the build log on failure)
# and print the path of the ringfwd binary. Returns 1, with a message on
# stderr, if there is none.
rf_build_ringfwd() {
	rf_log "building in $1"
	if ! rf_build "$1"; then
		ninja -C "$1" 2>&1 | tail -n 30 >&2
		rf_log "build failed"
		return 1
	fi
	[ -x "$1/app/fwd/ringfwd" ] || { rf_log "no $1/app/fwd/ringfwd after the build"; return 1; }
	echo "$1/app/fwd/ringfwd"
}

# rf_stop_pids PID...: SIGINT each of these processes (ours, by PID), give it
# 10 s to exit (testpmd prints its totals), then SIGKILL. Empty arguments and
# gone processes are skipped.
rf_stop_pids() {
	local pid
	for pid in "$@"; do
		if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then continue; fi
		kill -INT "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

# rf_start_flowgen_peer SOCK LOG PREFIX PERIOD: the demo's peer, dpdk-testpmd
# with a net_vhost port at SOCK on CPU 0 sending flowgen traffic, stats every
# PERIOD s into LOG (--stats-period also keeps a non-interactive testpmd
# running until SIGINT). Sets peer_pid; returns 1, with the log's tail, if
# the socket does not appear within 20 s.
rf_start_flowgen_peer() {
	dpdk-testpmd --lcores 0@0,1@0 --main-lcore 0 --no-pci --no-huge -m 512 --file-prefix "$3" \
		--vdev "net_vhost0,iface=$1,queues=1" -- --forward-mode=flowgen --auto-start \
		--stats-period "$4" --nb-cores=1 --total-num-mbufs=16384 </dev/null >"$2" 2>&1 &
	peer_pid=$!
	for _ in $(seq 1 200); do
		[ -S "$1" ] && return 0
		kill -0 "$peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$1" ] && return 0
	tail -n 30 "$2" >&2
	rf_log "the peer did not create $1"
	return 1
}

# rf_qemu_prepare BUILD: download Debian's cloud kernel package into the
# QEMU image cache (apt-get download: nothing is installed on this machine)
# and build the guest image from BUILD, so that the qemu suite's first test
# doesn't. BUILD must be built with -Dcpu_instruction_set=generic.
rf_qemu_prepare() {
	rf_log "guest image for $1"
	"$RF_ROOT/scripts/qemu-guest.sh" -b "$1" --no-build --image >/dev/null
}
