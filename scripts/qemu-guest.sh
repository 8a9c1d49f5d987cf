#!/usr/bin/env bash
# Run one command in a QEMU guest (TCG, -cpu max) with the NICs and back-ends
# you choose, and bring back its exit status, its output and the files it
# wrote. Debian's cloud kernel, busybox and ringfwd's programs (built with
# -Dcpu_instruction_set=generic) make up the guest; the image is cached.
#
# Usage: scripts/qemu-guest.sh [OPTION...] [--] COMMAND [ARG...]
#
#   COMMAND runs in the guest as it would through exec (arguments kept as
#   they are), in /root, with stdin from /dev/null, as root, after the
#   modules asked for are loaded. Its stdout and stderr come back on ours.
#   Whatever it writes under /out comes back (see -o).
#
# Guest:
#   -M, --machine pc|q35   pc (default): no IOMMU. q35: an intel-iommu
#                          (aw-bits=48) before the NICs, guest intel_iommu=on;
#                          virtio-net-pci gets disable-legacy=on and
#                          iommu_platform=on unless PROPS set them.
#   -m, --mem MB           guest memory (default 256 + 2 per hugepage)
#       --smp N            vCPUs (default 1)
#       --hugepages N      N 2 MB hugepages reserved at boot, hugetlbfs on
#                          /dev/hugepages (default 0)
#       --modules LIST     modules to load first, comma-separated:
#                          virtio_net (with its PCI transport virtio_pci),
#                          uio_pci_generic, vfio-pci, vfio_iommu_type1, or
#                          'uio' (uio_pci_generic) and 'vfio'
#                          (vfio_iommu_type1,vfio-pci). All of them are in the
#                          guest for modprobe anyway; nothing loads a driver
#                          by itself, so NICs start with none bound.
#       --append ARGS      more kernel command line (e.g. iommu=pt)
#       --add SRC[:DEST]   copy a host file or directory into the guest (DEST
#                          defaults to /root/NAME); an ELF program brings the
#                          shared libraries it links
# NICs (NIC k is at PCI address 0000:00:1k.0, k = 0..9, unless PROPS set
# addr=SLOT[.FN]; the guest sees RF_NIC0, RF_NIC1... and RF_NICS, the list):
#       --nic MODEL[,PROPS]  e1000, e1000e, virtio-net-pci... with QEMU
#                          device properties (mac=..., mq=on...)
#       --netdev SPEC      the back-end of the last --nic (default: none):
#                            dgram,...   socket,...   stream,...   tap,...
#                                        as QEMU's -netdev, without id
#                            vhost-user,path=SOCK[,OPTS]  a chardev on SOCK
#                                        (QEMU is the client) and guest memory
#                                        from memory-backend-memfd,share=on
#       --dump FILE        -object filter-dump of the last --nic's back-end
#                          into FILE (pcap; not with vhost-user)
#       --netns NS         run QEMU inside network namespace NS (for tap)
#       --cpus LIST        pin QEMU to these host CPUs (taskset -c LIST)
#       --qemu-arg ARG     one more QEMU argument, as is (repeatable)
# Harness:
#   -b, --build-dir DIR    the ringfwd build for the guest (default
#                          build-qemu; set up with cpu_instruction_set=generic
#                          if missing, and brought up to date)
#       --no-build         use the build directory as it is
#       --cache DIR        image cache (default $RF_QEMU_CACHE, else
#                          /var/cache/ringfwd-qemu if writable, else
#                          BUILD/qemu-cache)
#   -o, --out DIR          keep the results in DIR (created; default: a
#                          temporary directory, removed): status, stdout,
#                          stderr, files/ (the guest's /out), console.log,
#                          qemu.log, times
#   -t, --timeout S        kill QEMU after S seconds (default 120)
#   -v, --verbose          QEMU's command line and the guest console on
#                          stderr, live; timings at the end
#       --image            only build (or find) the image; print its directory
#   -h, --help
#
# Exit status: the command's. When the harness itself fails: 2 for a bad
# option (one line, nothing started), 124 if the guest did not finish in
# time, 125 for anything else (QEMU failed, no result came back). The file
# OUT/status exists only when the command ran to its end.
#
# The times file (seconds): boot_to_result (QEMU started to QEMU gone, on
# the host), guest_boot (guest uptime when the command started), command.
set -u
RF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$RF_ROOT/scripts/lib/qemu-image.sh"

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() {
	echo "qemu-guest: $*" >&2
	exit 2
}
need_arg() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }

machine=pc mem="" smp=1 hugepages=0 modules="" append="" build="" no_build=0 cache=""
out="" timeout=120 verbose=0 image_only=0 netns="" cpus=""
adds=() qemu_extra=()
nic_models=() nic_netdevs=() nic_dumps=()

while [ $# -gt 0 ]; do
	case $1 in
	-M | --machine) need_arg "$@"; machine=$2; shift ;;
	-m | --mem) need_arg "$@"; mem=$2; shift ;;
	--smp) need_arg "$@"; smp=$2; shift ;;
	--hugepages) need_arg "$@"; hugepages=$2; shift ;;
	--modules) need_arg "$@"; modules=$2; shift ;;
	--append) need_arg "$@"; append="$append $2"; shift ;;
	--add) need_arg "$@"; adds+=("$2"); shift ;;
	--nic) need_arg "$@"; nic_models+=("$2"); nic_netdevs+=(""); nic_dumps+=(""); shift ;;
	--netdev | --dump)
		need_arg "$@"
		[ ${#nic_models[@]} -gt 0 ] || die "$1 applies to the last --nic: give a --nic first"
		k=$((${#nic_models[@]} - 1))
		if [ "$1" = --netdev ]; then nic_netdevs[k]=$2; else nic_dumps[k]=$2; fi
		shift
		;;
	--netns) need_arg "$@"; netns=$2; shift ;;
	--cpus) need_arg "$@"; cpus=$2; shift ;;
	--qemu-arg) need_arg "$@"; qemu_extra+=("$2"); shift ;;
	-b | --build-dir) need_arg "$@"; build=$2; shift ;;
	--no-build) no_build=1 ;;
	--cache) need_arg "$@"; cache=$2; shift ;;
	-o | --out) need_arg "$@"; out=$2; shift ;;
	-t | --timeout) need_arg "$@"; timeout=$2; shift ;;
	-v | --verbose) verbose=1 ;;
	--image) image_only=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
	shift
done

# Checks, before anything is started.
is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }
case $machine in pc | q35) ;; *) die "--machine $machine: pc or q35" ;; esac
is_uint "$smp" && [ "$smp" -ge 1 ] || die "--smp $smp: a number of vCPUs, 1 or more"
is_uint "$hugepages" || die "--hugepages $hugepages: a number of 2 MB pages"
is_uint "$timeout" && [ "$timeout" -ge 1 ] || die "--timeout $timeout: seconds, 1 or more"
if [ -z "$mem" ]; then
	mem=$((256 + 2 * hugepages))
else
	is_uint "$mem" && [ "$mem" -ge 64 ] || die "--mem $mem: megabytes, 64 or more"
	[ "$mem" -ge $((64 + 2 * hugepages)) ] ||
		die "--mem $mem is too small for $hugepages hugepages: at least $((64 + 2 * hugepages))"
fi
[ ${#nic_models[@]} -le 10 ] || die "at most 10 NICs"
[ $image_only = 1 ] || [ $# -gt 0 ] || die "no command to run in the guest (see --help)"
mods=()
for m in $(echo "$modules" | tr ',' ' '); do
	case $m in
	uio) mods+=(uio_pci_generic) ;;
	vfio) mods+=(vfio_iommu_type1 vfio-pci) ;;
	virtio_net) mods+=(virtio_pci virtio_net) ;;
	*[!A-Za-z0-9_-]*) die "--modules: bad module name '$m'" ;;
	*) mods+=("$m") ;;
	esac
done
for a in "${adds[@]}"; do
	[ -e "${a%%:*}" ] || die "--add ${a%%:*}: no such file or directory"
	case $a in *:*) case ${a#*:} in /*) ;; *) die "--add $a: DEST must be an absolute path" ;; esac ;; esac
done
for k in "${!nic_models[@]}"; do
	spec=${nic_netdevs[k]}
	case $spec in
	"" | dgram,* | socket,* | stream,* | tap,* | hubport,*) ;;
	vhost-user,*)
		case ,$spec, in *,path=?*) ;; *) die "--netdev $spec: vhost-user needs path=SOCK" ;; esac
		[ -z "${nic_dumps[k]}" ] ||
			die "--dump ${nic_dumps[k]}: QEMU cannot capture a vhost-user back-end (capture on its peer)"
		;;
	*) die "--netdev $spec: dgram,... socket,... stream,... tap,... or vhost-user,path=..." ;;
	esac
	[ -z "${nic_dumps[k]}" ] || [ -n "$spec" ] ||
		die "--dump ${nic_dumps[k]}: NIC $k has no --netdev to capture on"
done
# Where each NIC sits: 0000:00:1k.0, or the slot[.function] of its addr=.
nic_bdfs=()
for k in "${!nic_models[@]}"; do
	addr=$(echo ",${nic_models[k]}," | sed -n 's/.*,addr=\([^,]*\),.*/\1/p')
	if [ -z "$addr" ]; then
		nic_bdfs+=("0000:00:1$k.0")
		continue
	fi
	slot=${addr%%.*} fn=0
	case $addr in *.*) fn=${addr#*.} ;; esac
	slot=${slot#0x}
	case $slot$fn in *[!0-9a-fA-F]* | "") die "--nic ${nic_models[k]}: addr=$addr is not slot[.function]" ;; esac
	nic_bdfs+=("$(printf '0000:00:%02x.%x' "$((16#$slot))" "$((16#$fn))")")
done
[ -z "$netns" ] || [ -e "/run/netns/$netns" ] || die "--netns $netns: no such network namespace (ip netns add $netns)"
[ -z "$cpus" ] || taskset -c "$cpus" true 2>/dev/null || die "--cpus $cpus: not CPUs this process may use"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

if [ -z "$build" ]; then build=$RF_ROOT/build-qemu; fi
if [ $no_build = 0 ]; then
	if [ ! -f "$build/build.ninja" ]; then
		rf_qemu_log "setting up $build (cpu_instruction_set=generic)"
		meson setup "$build" "$RF_ROOT" -Dcpu_instruction_set=generic -Dbuildtype=release \
			>/dev/null || die "meson setup $build failed"
	fi
	ninja -C "$build" >/dev/null || die "the build in $build failed (ninja -C $build)"
fi
[ -d "$build" ] || die "--build-dir $build: no such directory"
isa=$(meson introspect --buildoptions "$build" 2>/dev/null |
	python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "cpu_instruction_set"))' 2>/dev/null)
[ "$isa" != native ] ||
	die "$build is built with cpu_instruction_set=native, which QEMU's CPU may lack: meson configure $build -Dcpu_instruction_set=generic"

if [ -z "$cache" ]; then
	cache=${RF_QEMU_CACHE:-}
	if [ -z "$cache" ]; then
		if mkdir -p /var/cache/ringfwd-qemu 2>/dev/null && [ -w /var/cache/ringfwd-qemu ]; then
			cache=/var/cache/ringfwd-qemu
		else
			cache=$build/qemu-cache
		fi
	fi
fi
image=$(rf_qemu_image "$build" "$cache") || exit 125
if [ $image_only = 1 ]; then
	echo "$image"
	exit 0
fi

# From here on, everything we start or create goes at exit.
qemu_pid="" tmp="" keep_out=1
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null
		for _ in $(seq 1 20); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	[ $keep_out = 0 ] && rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-guest.XXXXXX") || exit 125
if [ -z "$out" ]; then
	out=$tmp/out
	keep_out=0
fi
mkdir -p "$out" || exit 125
rm -rf "$out"/{status,stdout,stderr,files,console.log,qemu.log,times,result.raw}

# The per-run archive, appended to the image's: the command, its settings
# and the files added.
run=$tmp/run
mkdir -p "$run/run/rf" "$run/root"
{
	printf 'exec'
	for a in "$@"; do printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done
	echo
} >"$run/run/rf/cmd"
nics="${nic_bdfs[*]}"
{
	echo "RF_MODULES='$(
		IFS=,
		echo "${mods[*]}"
	)'"
	echo "RF_HUGEPAGES=$hugepages"
	echo "RF_NICS='$nics'"
	echo "export RF_NICS"
	k=0
	for n in $nics; do
		echo "RF_NIC$k=$n; export RF_NIC$k"
		k=$((k + 1))
	done
} >"$run/run/rf/config"
add_libs=()
for a in "${adds[@]}"; do
	src=${a%%:*}
	dest=/root/${src##*/}
	case $a in *:*) dest=${a#*:} ;; esac
	mkdir -p "$run/${dest%/*}"
	cp -a "$src" "$run/$dest" || exit 125
	while IFS= read -r f; do
		[ -f "$f" ] && head -c 4 "$f" | grep -q 'ELF' && add_libs+=("$f")
	done < <(find "$src" -type f)
done
if [ ${#add_libs[@]} -gt 0 ]; then
	while IFS= read -r lib; do
		mkdir -p "$run/${lib%/*}"
		cp -L "$lib" "$run/$lib"
	done < <(rf_qemu_libs "${add_libs[@]}")
fi
(cd "$run" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/run.cpio" || exit 125
cat "$image/initrd.cpio" "$tmp/run.cpio" >"$tmp/initrd" || exit 125

# QEMU's command line. The uncompressed kernel boots faster, if there is one.
kernel=$image/vmlinuz
[ -f "$image/vmlinux" ] && kernel=$image/vmlinux
args=(-nodefaults -no-user-config -accel tcg -cpu max -smp "$smp" -display none -no-reboot
	-kernel "$kernel" -initrd "$tmp/initrd"
	-chardev "file,id=rfcon,path=$out/console.log" -serial chardev:rfcon
	-chardev "file,id=rfres,path=$out/result.raw" -serial chardev:rfres)
cmdline="console=ttyS0 rdinit=/init panic=-1 quiet mitigations=off"
[ "$hugepages" -gt 0 ] && cmdline="$cmdline hugepagesz=2M hugepages=$hugepages"
vhost=0
for spec in "${nic_netdevs[@]}"; do case $spec in vhost-user*) vhost=1 ;; esac; done
if [ $vhost = 1 ]; then
	args+=(-m "$mem" -object "memory-backend-memfd,id=rfmem,size=${mem}M,share=on"
		-machine "$machine,memory-backend=rfmem")
else
	args+=(-m "$mem" -machine "$machine")
fi
if [ "$machine" = q35 ]; then
	args+=(-device intel-iommu,aw-bits=48)
	cmdline="$cmdline intel_iommu=on"
fi
for k in "${!nic_models[@]}"; do
	dev=${nic_models[k]} spec=${nic_netdevs[k]} dump=${nic_dumps[k]}
	case ,$dev, in *,addr=*) ;; *) dev="$dev,addr=0x1$k" ;; esac
	if [ "$machine" = q35 ] && [ "${dev%%,*}" = virtio-net-pci ]; then
		case ,$dev, in *,disable-legacy=*) ;; *) dev="$dev,disable-legacy=on" ;; esac
		case ,$dev, in *,iommu_platform=*) ;; *) dev="$dev,iommu_platform=on" ;; esac
	fi
	case $spec in
	"") ;;
	vhost-user,*)
		opts=${spec#vhost-user} path="" rest=""
		IFS=, read -r -a parts <<<"${opts#,}"
		for p in "${parts[@]}"; do
			case $p in path=*) path=${p#path=} ;; *) rest="$rest,$p" ;; esac
		done
		args+=(-chardev "socket,id=rfchr$k,path=$path" -netdev "vhost-user,id=rfnet$k,chardev=rfchr$k$rest")
		dev="$dev,netdev=rfnet$k"
		;;
	*)
		args+=(-netdev "$spec,id=rfnet$k")
		dev="$dev,netdev=rfnet$k"
		;;
	esac
	args+=(-device "$dev")
	[ -n "$dump" ] && args+=(-object "filter-dump,id=rfdump$k,netdev=rfnet$k,file=$dump")
done
[ -n "$append" ] && cmdline="$cmdline$append"
args+=(-append "$cmdline" "${qemu_extra[@]}")

launch=(qemu-system-x86_64)
[ -n "$cpus" ] && launch=(taskset -c "$cpus" "${launch[@]}")
[ -n "$netns" ] && launch=(ip netns exec "$netns" "${launch[@]}")
[ $verbose = 1 ] && rf_qemu_log "${launch[*]} ${args[*]}"
t0=$(date +%s.%N)
"${launch[@]}" "${args[@]}" </dev/null >"$out/qemu.log" 2>&1 &
qemu_pid=$!
tail_pid=""
if [ $verbose = 1 ]; then
	tail -F -n +1 "$out/console.log" 2>/dev/null >&2 &
	tail_pid=$!
fi
timed_out=0
deadline=$(($(date +%s) + timeout))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		timed_out=1
		break
	fi
	sleep 0.05
done
if [ $timed_out = 0 ]; then
	wait "$qemu_pid"
	qemu_rc=$?
	qemu_pid=""
fi
t1=$(date +%s.%N)
[ -n "$tail_pid" ] && { kill "$tail_pid" 2>/dev/null; wait "$tail_pid" 2>/dev/null; }

# The result: a base64 gzipped tar between two marker lines on the second serial port.
mkdir -p "$out/files"
if [ -s "$out/result.raw" ]; then
	sed -n '/^RF-RESULT-BEGIN/,/^RF-RESULT-END/{/^RF-RESULT-/d;p}' "$out/result.raw" |
		base64 -d 2>/dev/null | tar -xz -C "$out" 2>/dev/null
fi
rm -f "$out/result.raw"
[ -f "$out/stdout" ] && cat "$out/stdout"
[ -f "$out/stderr" ] && cat "$out/stderr" >&2
if [ -f "$out/uptime_start" ] && [ -f "$out/uptime_end" ]; then
	awk -v t0="$t0" -v t1="$t1" -v s="$(cat "$out/uptime_start")" -v e="$(cat "$out/uptime_end")" \
		'BEGIN { printf "boot_to_result %.2f\nguest_boot %.2f\ncommand %.2f\n", t1 - t0, s, e - s }' \
		>"$out/times"
	rm -f "$out/uptime_start" "$out/uptime_end"
else
	awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "boot_to_result %.2f\n", t1 - t0 }' >"$out/times"
fi
[ $verbose = 1 ] && sed 's/^/qemu-guest: /' "$out/times" >&2

if [ $timed_out = 1 ]; then
	rf_qemu_log "the guest did not finish within ${timeout}s; the console's last lines:"
	tail -n 15 "$out/console.log" >&2
	exit 124
fi
if [ ! -f "$out/status" ]; then
	rf_qemu_log "no result came back (QEMU exit $qemu_rc); QEMU said:"
	tail -n 10 "$out/qemu.log" >&2
	if [ "$qemu_rc" = 139 ] && [ $vhost = 1 ]; then
		rf_qemu_log "QEMU 7.2 (TCG) crashes when a guest driver enables MSI-X on a vhost-user NIC: add vectors=0 to its --nic"
	fi
	rf_qemu_log "the console's last lines:"
	tail -n 15 "$out/console.log" >&2
	exit 125
fi
exit "$(cat "$out/status")"
