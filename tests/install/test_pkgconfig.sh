#!/usr/bin/env bash
# meson install into a scratch root, then build and run ext_app.c with only
# `pkg-config --static ringfwd`: the installed libraries are usable as-is.
set -eu
build=$1 src=$(dirname "$0")
tmp=$(mktemp -d /tmp/rf-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; exit 1; }
pc=$(find "$tmp/root" -name ringfwd.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: no ringfwd.pc installed"; exit 1; }
flags=$(PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH=$(dirname "$pc") \
	pkg-config --cflags --libs --static ringfwd)
cc -std=c11 -D_GNU_SOURCE -Wall -Werror "$src/ext_app.c" -o "$tmp/ext_app" $flags
"$tmp/ext_app"
