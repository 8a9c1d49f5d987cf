#!/usr/bin/env bash
# The harness itself: a bad option is refused in one line with exit 2 and
# nothing started; a guest that does not finish in time is killed (exit
# 124); a harness stopped by SIGTERM takes its QEMU with it; nothing is left
# in its temporary directory; the image cache is keyed by the inputs'
# content (same inputs: same image, not rebuilt; one byte changed: a new one).
. "$(dirname "$0")/lib.sh"
rf_qemu_need
H=("$RF_QEMU_HARNESS" -b "$RF_QEMU_BUILD" --no-build)
export TMPDIR=$RF_TMP/tmp
mkdir -p "$TMPDIR"
marker=qemu-test-$$

# A QEMU of ours, found by the -name we gave it (read only; we never kill by name).
our_qemu() { pgrep -f -- "-name $marker-$1" >/dev/null; }

refuse() {
	local out rc
	out=$("${H[@]}" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] || rf_fail "'$*': exit $rc, expected 2 ($out)"
	[ "$(echo "$out" | wc -l)" = 1 ] || rf_fail "'$*': more than one line: $out"
	case $out in "qemu-guest: "*) ;; *) rf_fail "'$*': '$out'" ;; esac
	echo "refused: $* -> $out"
}
refuse --machine virt -- true
refuse --nic e1000 --netdev vde,sock=/x -- true
refuse --netdev dgram,local.type=unix,local.path=/x -- true
refuse --nic virtio-net-pci --netdev vhost-user,path=$RF_TMP/s --dump $RF_TMP/d.pcap -- true
refuse --nic virtio-net-pci --netdev vhost-user,queues=2 -- true
refuse --nic e1000 --dump $RF_TMP/d.pcap -- true
refuse --nic e1000,addr=slot3 -- true
refuse --hugepages lots -- true
refuse --hugepages 100 --mem 128 -- true
refuse --smp 0 -- true
refuse --add /nonexistent -- true
refuse --netns qemu-no-such-ns-$$ -- true
refuse --bogus -- true
refuse --timeout
refuse
[ -z "$(ls -A "$TMPDIR")" ] || rf_fail "refusals left files: $(ls "$TMPDIR")"

# A guest that never finishes: killed at the deadline.
start=$(date +%s)
rf_qemu_run timeout --timeout 3 --qemu-arg -name --qemu-arg "$marker-a" -- sleep 600
rf_qemu_expect_rc 124
[ $(($(date +%s) - start)) -lt 20 ] || rf_fail "the timeout took $(($(date +%s) - start)) s"
grep -q 'did not finish within 3s' "$RF_TMP/timeout.stderr" || rf_fail "no timeout message"
[ ! -f "$QOUT/status" ] || rf_fail "a status file after a timeout"
our_qemu a && rf_fail "QEMU still runs after the timeout"

# The harness stopped from outside while the guest boots.
"${H[@]}" --qemu-arg -name --qemu-arg "$marker-b" -- sleep 600 >/dev/null 2>&1 &
hpid=$!
rf_track "$hpid"
for _ in $(seq 1 100); do our_qemu b && break; sleep 0.1; done
our_qemu b || rf_fail "QEMU did not start"
kill -TERM "$hpid"
wait "$hpid"
rc=$?
[ "$rc" = 130 ] || rf_fail "the harness exited $rc after SIGTERM, expected 130"
our_qemu b && rf_fail "QEMU survived the harness's SIGTERM"
[ -z "$(ls -A "$TMPDIR")" ] || rf_fail "the harness left files: $(ls "$TMPDIR")"

# The cache: a scratch build directory with a copy of the programs, and a
# scratch cache holding (a link to) the same kernel package.
fake=$RF_TMP/build
cache=$RF_TMP/cache
mkdir -p "$fake/app/fwd" "$fake/app/replay" "$cache/debs"
cp "$RF_QEMU_BUILD/app/fwd/ringfwd" "$fake/app/fwd/"
cp "$RF_QEMU_BUILD/app/replay/ringfwd-replay" "$fake/app/replay/"
deb=$(ls -t /var/cache/ringfwd-qemu/debs/*.deb "$RF_QEMU_BUILD"/qemu-cache/debs/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || rf_fail "no kernel package in the cache"
ln "$deb" "$cache/debs/" 2>/dev/null || cp "$deb" "$cache/debs/"
img() { "$RF_QEMU_HARNESS" -b "$fake" --no-build --cache "$cache" --image 2>"$RF_TMP/img.err"; }
a=$(img) || rf_fail "image: $(cat "$RF_TMP/img.err")"
grep -q 'building the guest image' "$RF_TMP/img.err" || rf_fail "the first image was not built"
a2=$(img) || rf_fail "image: $(cat "$RF_TMP/img.err")"
[ "$a" = "$a2" ] || rf_fail "same inputs, two images: $a $a2"
[ ! -s "$RF_TMP/img.err" ] || rf_fail "same inputs, built again: $(cat "$RF_TMP/img.err")"
printf '\0' >>"$fake/app/fwd/ringfwd"
b=$(img) || rf_fail "image: $(cat "$RF_TMP/img.err")"
[ "$a" != "$b" ] || rf_fail "a changed ringfwd did not change the image"
grep -q 'building the guest image' "$RF_TMP/img.err" || rf_fail "the changed image was not built"
diff <(sort "$a/manifest") <(sort "$b/manifest") | grep '^[<>]' | grep -v ' /usr/local/bin/ringfwd$' &&
	rf_fail "more than ringfwd changed in the manifest"
cpio -i --quiet --to-stdout usr/local/bin/ringfwd <"$b/initrd.cpio" | cmp -s - "$fake/app/fwd/ringfwd" ||
	rf_fail "the new image does not carry the changed ringfwd"
echo "ok"
