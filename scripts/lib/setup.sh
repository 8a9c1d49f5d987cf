#!/usr/bin/env bash
# Set-up shared by demo.sh, test.sh and the benchmarks: install the Debian
# packages ringfwd needs, reserve hugepages when we can, build.

RF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Build and test dependencies. dpdk-testpmd is in dpdk-dev; its vhost, virtio,
# pcap and ring-mempool drivers are separate librte-* packages.
RF_PACKAGES=(meson ninja-build pkg-config gcc clang libc6-dev libnuma-dev libcmocka-dev
	libpcap-dev libedit-dev libdpdk-dev dpdk dpdk-dev librte-net-vhost23
	librte-net-virtio23 librte-net-pcap23 librte-mempool-ring23 python3 tshark tcpdump
	util-linux iproute2)

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
