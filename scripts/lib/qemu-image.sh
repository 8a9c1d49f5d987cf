#!/usr/bin/env bash
# The guest image of scripts/qemu-guest.sh, from Debian packages only:
#
#   vmlinuz      Debian's cloud kernel (the package linux-image-cloud-amd64
#                depends on), downloaded with apt-get into CACHE/debs
#   initrd.cpio  busybox-static, the kernel's virtio-net, uio and vfio modules
#                (with a modules.dep for busybox modprobe), ringfwd's
#                programs from a build directory and the shared libraries
#                they link, and scripts/lib/qemu-init.sh as /init
#
# Images live in CACHE/images/HASH, where HASH is the sha256 of the content
# of every input (the kernel package, each file and where it goes, this
# script and the init): an image is built again only when an input changed.
#
#   . scripts/lib/qemu-image.sh
#   dir=$(rf_qemu_image BUILD CACHE) || exit   # dir/vmlinuz, dir/initrd.cpio
#                                              # (and dir/vmlinux: rf_qemu_vmlinux)

RF_QEMU_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The kernel modules in the image, with everything they depend on.
RF_QEMU_MODULES=(virtio_pci virtio_net uio_pci_generic vfio_iommu_type1 vfio-pci)

rf_qemu_log() { printf 'qemu-guest: %s\n' "$*" >&2; }

# rf_qemu_kernel_deb CACHE: print the path of the cloud kernel's .deb,
# downloading it into CACHE/debs when it is not there yet. Without a
# network, the newest .deb already in the cache does.
rf_qemu_kernel_deb() {
	local debs=$1/debs pkg deb note
	mkdir -p "$debs" || return 1
	# apt-cache takes a second; ask again only after an apt-get update.
	note=$debs/.package
	if [ -s "$note" ] && [ "$note" -nt /var/lib/apt/lists ]; then
		pkg=$(cat "$note")
	else
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
		[ -n "$pkg" ] && echo "$pkg" >"$note"
	fi
	if [ -n "$pkg" ]; then
		deb=$(ls -t "$debs/${pkg}"_*.deb 2>/dev/null | head -n 1)
		if [ -z "$deb" ]; then
			# Into a directory of our own first: another run must never
			# see a half-written package.
			rf_qemu_log "downloading $pkg into $debs"
			local dl
			dl=$(mktemp -d "$debs/.dl.XXXXXX") || return 1
			(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) &&
				mv "$dl"/*.deb "$debs/"
			rm -rf "$dl"
			deb=$(ls -t "$debs/${pkg}"_*.deb 2>/dev/null | head -n 1)
		fi
	fi
	[ -z "$deb" ] && deb=$(ls -t "$debs"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		rf_qemu_log "no guest kernel: apt-get download ${pkg:-of the cloud kernel} failed (network? apt-get update?)"
		return 1
	fi
	echo "$deb"
}

# rf_qemu_programs BUILD: the ringfwd programs the image carries.
rf_qemu_programs() {
	find "$1/app" -mindepth 2 -maxdepth 2 -type f -executable -name 'ringfwd*' 2>/dev/null | sort
}

# rf_qemu_libs FILE...: the shared libraries (and the loader) they load.
rf_qemu_libs() {
	local f
	for f in "$@"; do
		ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
	done | sort -u
}

# rf_qemu_module_closure MODDIR NAME...: the modules.dep lines of NAMEs and
# of everything they need, each module once.
rf_qemu_module_closure() {
	local dep=$1/modules.dep
	shift
	awk -v want="$*" '
		function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); return p }
		{ key = $1; sub(/:$/, "", key); line[base(key)] = $0; deps[base(key)] = "" 
		  for (i = 2; i <= NF; i++) deps[base(key)] = deps[base(key)] " " base($i) }
		END {
			n = split(want, stack, " ")
			while (n > 0) {
				m = stack[n--]
				if (m in seen) continue
				if (!(m in line)) { print "missing " m > "/dev/stderr"; exit 1 }
				seen[m] = 1; print line[m]
				k = split(deps[m], d, " ")
				for (i = 1; i <= k; i++) stack[++n] = d[i]
			}
		}' "$dep"
}

# rf_qemu_image BUILD CACHE: print the image directory for this build,
# building it first if no image of the same inputs is cached.
rf_qemu_image() {
	local build=$1 cache=$2 deb busybox progs libs manifest hash dir tmp
	deb=$(rf_qemu_kernel_deb "$cache") || return 1
	busybox=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$')
	if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
		rf_qemu_log "busybox-static is not installed (apt-get install busybox-static)"
		return 1
	fi
	mapfile -t progs < <(rf_qemu_programs "$build")
	if [ ${#progs[@]} -eq 0 ]; then
		rf_qemu_log "no ringfwd programs in $build/app: build it first"
		return 1
	fi
	mapfile -t libs < <(rf_qemu_libs "${progs[@]}")

	# What goes where, and the content of each input.
	manifest=$(
		echo "modules ${RF_QEMU_MODULES[*]}"
		sha256sum "$deb" "$RF_QEMU_LIB/qemu-image.sh" "$RF_QEMU_LIB/qemu-init.sh" | awk '{ print $1 }'
		echo "$(sha256sum <"$busybox" | cut -c1-64) /bin/busybox"
		for f in "${progs[@]}"; do
			echo "$(sha256sum <"$f" | cut -c1-64) /usr/local/bin/${f##*/}"
		done
		for f in "${libs[@]}"; do
			echo "$(sha256sum <"$f" | cut -c1-64) $f"
		done
	)
	hash=$(echo "$manifest" | sha256sum | cut -c1-16)
	dir=$cache/images/$hash
	if [ -f "$dir/initrd.cpio" ] && [ -f "$dir/vmlinuz" ]; then
		touch "$dir"
		echo "$dir"
		return 0
	fi

	rf_qemu_log "building the guest image $hash (${deb##*/})"
	mkdir -p "$cache/images" || return 1
	tmp=$(mktemp -d "$cache/images/.new.XXXXXX") && chmod 755 "$tmp" || return 1
	if ! rf_qemu_assemble "$tmp" "$deb" "$busybox" "${progs[@]}" -- "${libs[@]}"; then
		rm -rf "$tmp"
		return 1
	fi
	echo "$manifest" >"$tmp/manifest"
	# Another run may have built the same image meanwhile: either is right.
	if ! mv -T "$tmp" "$dir" 2>/dev/null; then
		rm -rf "$tmp"
	fi
	# Keep the four newest images.
	ls -dt "$cache"/images/*/ 2>/dev/null | tail -n +5 | xargs -r rm -rf
	echo "$dir"
}

# rf_qemu_vmlinux BZIMAGE OUT: the uncompressed kernel inside BZIMAGE, as an
# ELF that QEMU boots directly (PVH entry, Debian's CONFIG_PVH=y): under TCG
# this saves the guest half a second of decompressing itself. Debian's cloud
# kernel is LZ4-compressed (legacy frame, magic 02 21 4c 18). Without lz4,
# or with another compression, OUT is not written and the bzImage boots.
rf_qemu_vmlinux() {
	local off
	command -v lz4 >/dev/null || return 0
	off=$(grep -abo -m1 $'\x02\x21\x4c\x18' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 0
	# lz4 stops with an error at the bzImage's trailer after the frame.
	tail -c +$((off + 1)) "$1" | lz4 -dc >"$2.tmp" 2>/dev/null
	if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		mv "$2.tmp" "$2"
	else
		rm -f "$2.tmp"
	fi
}

# rf_qemu_assemble OUT DEB BUSYBOX PROGRAM... -- LIB...: write OUT/vmlinuz
# and OUT/initrd.cpio.
rf_qemu_assemble() {
	local out=$1 deb=$2 busybox=$3 root=$1/root kx=$1/kernel kver moddir f a
	shift 3
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,run,tmp,root,out,etc} "$kx"
	dpkg-deb -x "$deb" "$kx" || return 1
	kver=$(ls "$kx/lib/modules" | head -n 1)
	moddir=$kx/lib/modules/$kver
	cp "$kx/boot/vmlinuz-$kver" "$out/vmlinuz" || return 1
	rf_qemu_vmlinux "$out/vmlinuz" "$out/vmlinux"
	# The package's post-install script would make modules.dep.
	/sbin/depmod -b "$kx" "$kver" || return 1

	mkdir -p "$root/lib/modules/$kver"
	rf_qemu_module_closure "$moddir" "${RF_QEMU_MODULES[@]}" >"$root/lib/modules/$kver/modules.dep" ||
		return 1
	for f in $(sed 's/:.*//' "$root/lib/modules/$kver/modules.dep"); do
		mkdir -p "$root/lib/modules/$kver/${f%/*}"
		cp "$moddir/$f" "$root/lib/modules/$kver/$f" || return 1
	done
	rm -rf "$kx"

	cp "$busybox" "$root/bin/busybox"
	for a in $("$busybox" --list-full); do
		[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
	done
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		cp "$1" "$root/usr/local/bin/" || return 1
		shift
	done
	shift
	for f in "$@"; do
		mkdir -p "$root/${f%/*}"
		cp -L "$f" "$root/$f" || return 1
	done
	cp "$RF_QEMU_LIB/qemu-init.sh" "$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initrd.cpio" || return 1
	rm -rf "$root"
}
