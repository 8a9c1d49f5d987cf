#!/usr/bin/env bash
# ringfwd -i on a pseudo-terminal (tmux): the prompt, tab completion of a
# command word and of a mode name, history (Up recalls the last command, and
# ~/.ringfwd_history keeps it across runs), and Ctrl-C at the prompt while
# forwarding runs, which must not kill the session. A net_pcap port: no
# root, no peer. Forwarding busy-polls a core for a moment: one at a time.
set -u
RINGFWD=${RINGFWD:-}
[ -x "$RINGFWD" ] || { echo "SKIP: RINGFWD (the ringfwd binary) not given" >&2; exit 77; }
command -v tmux >/dev/null 2>&1 || { echo "SKIP: needs tmux" >&2; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
pcap=$here/../../data/pcap/good_64.pcap
tmp=$(mktemp -d)
sess=rfshell$$
sock=$tmp/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
screen() { tmux -S "$sock" capture-pane -t "$sess" -p -S -200; }
# Wait (SECS, default 10 s, at most) until the screen has a line matching RE.
wait_screen() {
	for _ in $(seq 1 $((${2:-10} * 10))); do
		screen | grep -qE "$1" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tmux -S "$sock" send-keys -t "$sess" "$@"; }

run() {
	tmux -S "$sock" new-session -d -s "$sess" -x 160 -y 60 \
		"HOME=$tmp/home $RINGFWD -l 0,1 --main-lcore 0 --no-huge -m 64 \
		--file-prefix rfshtty-$$ --vdev net_pcap0,rx_pcap=$pcap -- -i; \
		echo EXIT=\$?; sleep 600"
}

run
wait_screen '^ringfwd> ?$' 60 || { screen; fail "no 'ringfwd> ' prompt"; exit 1; }
# Completion: "sh" + Tab -> "show", then "set fwd macs" + Tab -> "macswap".
keys 'sh' Tab
wait_screen '^ringfwd> show ?$' || fail "Tab did not complete 'sh' to 'show '"
keys C-u 'set fwd macs' Tab
wait_screen '^ringfwd> set fwd macswap ?$' || fail "Tab did not complete the mode name macswap"
keys Enter
wait_screen '^Set macswap packet forwarding mode$' || fail "set fwd macswap did not run"
keys 'show config fwd' Enter
wait_screen '^macswap packet forwarding - ports=1' || fail "show config fwd"
# History: Up Up is "set fwd macswap" again; run it a second time.
keys Up Up
wait_screen '^ringfwd> set fwd macswap$' || fail "Up Up did not recall 'set fwd macswap'"
keys Enter
[ "$(screen | grep -c '^Set macswap packet forwarding mode$')" = 2 ] || wait_screen 'x^' ||
	fail "the recalled command did not run"
# Ctrl-C while forwarding: the session and forwarding go on.
keys 'start' Enter
wait_screen 'lcore 1: RX port 0 queue 0 -> TX port 0 queue 0' || fail "start"
keys C-c
sleep 0.5
keys 'show fwd stats all' Enter
wait_screen 'Accumulated forward statistics' || fail "the shell did not survive Ctrl-C"
keys 'stop' Enter
wait_screen '^Done\.$' || fail "stop after Ctrl-C: forwarding was not running any more"
keys 'quit' Enter
wait_screen '^EXIT=0$' || fail "quit did not exit 0"
screen | grep -q 'none leaked' || fail "no clean shutdown after quit"
# libedit writes spaces as \040.
grep -qxE 'set( |\\040)fwd( |\\040)macswap' "$tmp/home/.ringfwd_history" || fail "~/.ringfwd_history lacks 'set fwd macswap'"
cp "$tmp/home/.ringfwd_history" "$tmp/hist1"
tmux -S "$sock" kill-server 2>/dev/null
sleep 0.2

# A second run recalls the first run's last command from the history file.
run
wait_screen '^ringfwd> ?$' 600 || fail "second run: no prompt"
keys Up
wait_screen '^ringfwd> quit$' || fail "second run: Up did not recall 'quit' from the history file"
keys Enter
wait_screen '^EXIT=0$' || fail "second run: quit did not exit 0"

if [ "$fails" -ne 0 ]; then
	screen
	echo "$fails failure(s)"
	exit 1
fi
echo "PASS"
