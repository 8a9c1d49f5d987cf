#!/usr/bin/env bash
# meson install into a scratch root, then build and run ext_app.c with only
# `pkg-config --static ringfwd`: the installed libraries are usable as-is.
# Also checks the rest of the layout a Debian user expects: the programs in
# bin, their man pages in share/man/man1, their bash completion where
# bash-completion looks, the headers under include/ringfwd.
set -eu
build=$1 src=$(dirname "$0")
tmp=$(mktemp -d /tmp/rf-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; exit 1; }
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root=$tmp/root$prefix
for f in bin/ringfwd bin/ringfwd-replay bin/ringfwd-devbind share/man/man1/ringfwd.1 \
	share/man/man1/ringfwd-replay.1 include/ringfwd/rf_ethdev.h; do
	[ -s "$root/$f" ] || { echo "FAIL: $prefix/$f not installed"; exit 1; }
done
# Completion goes where bash-completion's pkg-config says (an absolute path
# outside the prefix when the package is installed), else under the prefix.
comp=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null)
[ -n "$comp" ] || comp=$prefix/share/bash-completion/completions
for f in ringfwd ringfwd-replay; do
	[ -s "$tmp/root$comp/$f" ] || { echo "FAIL: $comp/$f not installed"; exit 1; }
done
[ -x "$root/bin/ringfwd" ] || { echo "FAIL: $prefix/bin/ringfwd not executable"; exit 1; }
pc=$(find "$tmp/root" -name ringfwd.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: no ringfwd.pc installed"; exit 1; }
flags=$(PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH=$(dirname "$pc") \
	pkg-config --cflags --libs --static ringfwd)
cc -std=c11 -D_GNU_SOURCE -Wall -Werror "$src/ext_app.c" -o "$tmp/ext_app" $flags
"$tmp/ext_app"
