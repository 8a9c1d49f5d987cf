#!/usr/bin/env bash
# test_man.sh BINARY PAGE...: each generated man page passes `groff -man -ww
# -z` with no warning at all, and names every long option its binary's
# --help names (the page is made from --help; this catches a page left stale
# or cut short).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null 2>&1 || { echo "SKIP: needs groff" >&2; exit 77; }
while [ $# -ge 2 ]; do
	bin=$1 page=$2
	shift 2
	[ -s "$page" ] || fail "$page is missing or empty"
	warn=$(groff -man -ww -z "$page" 2>&1) || fail "groff failed on $page: $warn"
	[ -z "$warn" ] || fail "groff warns on $page: $warn"
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\,//g; s/\\\/\\//g' "$page")
	n=0
	for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -qF -- "$opt" <<<"$text" || fail "$page does not name $opt"
		n=$((n + 1))
	done
	[ "$n" -gt 10 ] || fail "only $n options found in $(basename "$bin") --help"
	echo "ok: $(basename "$page"): no groff warning, all $n options"
done
echo "PASS"
