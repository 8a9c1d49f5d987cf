#!/usr/bin/env bash
# test_version.sh: --version on both binaries prints "<prog> <version>" (the
# project's, from meson.build, given as VERSION) and exits 0, before or after
# "--", with nothing else on the line; --help names --version.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
for bin in "$RINGFWD" "$REPLAY"; do
	prog=$(basename "$bin")
	for args in "--version" "-- --version" "-l 0 --version"; do
		# shellcheck disable=SC2086
		out=$("$bin" $args 2>&1) || fail "$prog $args exited with $?"
		[ "$out" = "$prog $VERSION" ] || fail "$prog $args printed '$out', expected '$prog $VERSION'"
	done
	"$bin" --help | grep -q -- "--version" || fail "$prog --help does not name --version"
	"$bin" --help | grep -q -- "--no-telemetry" || fail "$prog --help does not name --no-telemetry"
	echo "ok: $prog --version"
done
echo "PASS"
