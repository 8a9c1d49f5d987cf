#!/usr/bin/env bash
# promtool.sh: print the path of a promtool binary. The one on PATH if any;
# otherwise Debian's `prometheus` package is downloaded (apt-get download,
# not installed: no service is set up) and unpacked with dpkg -x into a cache
# directory, $RF_PROMTOOL_CACHE (default /var/cache/ringfwd-tests/promtool),
# reused by later runs. Exit 1 (nothing printed) when neither works.
set -u
if command -v promtool >/dev/null 2>&1; then
	command -v promtool
	exit 0
fi
cache=${RF_PROMTOOL_CACHE:-/var/cache/ringfwd-tests/promtool}
bin=$cache/root/usr/bin/promtool
if [ ! -x "$bin" ]; then
	mkdir -p "$cache" || exit 1
	(
		cd "$cache" || exit 1
		rm -f prometheus_*.deb
		apt-get download prometheus >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; } ||
			exit 1
		rm -rf root.new && dpkg -x prometheus_*.deb root.new && rm -rf root && mv root.new root &&
			rm -f prometheus_*.deb
	) || exit 1
fi
[ -x "$bin" ] || exit 1
echo "$bin"
