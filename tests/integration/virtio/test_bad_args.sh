#!/usr/bin/env bash
# Devargs and connection errors: each must fail at probe with a message that
# names the offending key, value or path. No peer needed.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/peer.sh
. "$here/../lib/peer.sh"
VDEV_TEST=${VDEV_TEST:-}
[ -x "$VDEV_TEST" ] || rf_skip "VDEV_TEST (the vdev_test binary) not given"
rf_tmpdir

# expect_fail DEVARGS REGEX [EAL args]: probe must fail, and the message must match.
expect_fail() {
	local out
	if out=$("$VDEV_TEST" -l 0 --no-huge -m 64 --file-prefix "rfvt-bad-$$" "${@:3}" \
		--vdev "$1" -- rx --seconds 1 2>&1); then
		rf_fail "'$1' was accepted"
	fi
	grep -qE -- "$2" <<<"$out" || rf_fail "'$1': message does not match '$2':
$out"
	echo "ok: $1 -> $(grep -E -- "$2" <<<"$out" | head -n 1)"
}

sock=$RF_TMP/none.sock
expect_fail "net_virtio_user0" "'path' is required"
expect_fail "net_virtio_user0,path=$sock,bogus=1" "unknown key 'bogus'"
expect_fail "net_virtio_user0,path=$sock,queues=0" "queues=0"
expect_fail "net_virtio_user0,path=$sock,queues=17" "queues=17"
expect_fail "net_virtio_user0,path=$sock,queue_size=300" "queue_size=300: must be a power of two"
expect_fail "net_virtio_user0,path=$sock,server=maybe" "server=maybe"
expect_fail "net_virtio_user0,path=$sock,mrg_rxbuf=2" "mrg_rxbuf=2"
expect_fail "net_virtio_user0,path=$sock,mac=01:00:5e:00:00:01" "multicast"
expect_fail "net_virtio_user0,path=$sock,mac=zz" "mac=zz"
expect_fail "net_virtio_user0,path=$sock" "cannot connect to $sock: No such file or directory"
# Physical addresses need root (pagemap); the driver refuses them either way.
if [ "$(id -u)" = 0 ]; then
	expect_fail "net_virtio_user0,path=$sock" "use --iova-mode va" --iova-mode pa
fi
# A file that is not a socket is neither connected to nor replaced.
touch "$RF_TMP/plain"
expect_fail "net_virtio_user0,path=$RF_TMP/plain" "cannot connect to $RF_TMP/plain: Connection refused"
expect_fail "net_virtio_user0,path=$RF_TMP/plain,server=1" "cannot listen on $RF_TMP/plain"
[ -f "$RF_TMP/plain" ] || rf_fail "server=1 removed a file that is not a socket"
echo "PASS"
