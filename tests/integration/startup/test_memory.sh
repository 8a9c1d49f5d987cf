#!/usr/bin/env bash
# No hugepages and no memfd: the EAL has no source of memory at all
# (lib/eal/memseg.c tries a hugetlb memfd, then hugetlbfs, then a plain
# memfd). NO_MEMFD runs the binary with memfd_create failing (a seccomp
# filter), and --huge-dir names a directory that is not hugetlbfs, so a
# machine with a hugetlbfs mount is refused the same way. Each binary must
# say so in one line, with what to do, and exit 2.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/startup/lib.sh
. "$here/lib.sh"
NO_MEMFD=${NO_MEMFD:-}
[ -x "$NO_MEMFD" ] || rf_skip "NO_MEMFD (the seccomp wrapper) not given"
"$NO_MEMFD" true || rf_skip "seccomp filters are not available here"

pcap=$RF_TMP/one.pcap
st_pcap "$pcap"
nohuge_re="cannot get 64 MB of memory \(2 MB hugepage memfd: memfd_create: Function not implemented; hugetlbfs: $RF_TMP is not a hugetlbfs mount; 4 KB pages: memfd_create: Function not implemented\); memfd_create is refused here, so only a hugetlbfs mount can back memory: mount one .*--huge-dir.* and reserve 2 MB pages in .*nr_hugepages$"

st_refused ringfwd_no_memory "^EAL: error: $nohuge_re" \
	"$NO_MEMFD" "$RINGFWD" "${EAL[@]}" --huge-dir "$RF_TMP" -l 0,1 \
	--vdev "net_pcap0,rx_pcap=$pcap"
st_refused ringfwd_no_memory_no_huge \
	"^EAL: error: cannot get 64 MB of memory with --no-huge \(4 KB pages: memfd_create: Function not implemented\); memfd_create is refused here, so only hugepages can back memory: drop --no-huge, mount hugetlbfs .* and reserve 2 MB pages in .*nr_hugepages$" \
	"$NO_MEMFD" "$RINGFWD" "${EAL[@]}" --no-huge -l 0,1 --vdev "net_pcap0,rx_pcap=$pcap"
st_refused replay_no_memory "^EAL: error: $nohuge_re" \
	"$NO_MEMFD" "$REPLAY" "${EAL[@]}" --huge-dir "$RF_TMP" -l 0,1 \
	--vdev "net_pcap0,tx_pcap=$RF_TMP/out.pcap" -- --pcap "$pcap"
[ ! -e "$RF_TMP/out.pcap" ] || st_fail "replay_no_memory: a port was set up"
st_done
