#!/bin/sh
# In the guest: everything the harness must bring back from a command that
# succeeds. $1 and $2 come with spaces and quotes in them.
set -e
echo "args [$1] [$2] $#"
echo "to stderr" >&2
echo "cwd $(pwd)"
echo "in $(sha256sum /root/in/blob | cut -d' ' -f1)"
echo "hugepages $(cat /proc/sys/vm/nr_hugepages) $(grep -c ' /dev/hugepages hugetlbfs' /proc/mounts)"
ringfwd --help >/dev/null
ringfwd-replay --help >/dev/null
echo "programs run"
seq 1 10000 >/out/seq.txt
mkdir -p /out/dir
head -c 300000 /dev/urandom >/out/dir/blob
echo "out $(sha256sum /out/dir/blob | cut -d' ' -f1)"
