#!/usr/bin/env bash
# Chaos: ringfwd forwards (macswap, back out of the port it came in on)
# against dpdk-testpmd as the vhost-user back-end, generating flows (flowgen)
# and counting what comes back, and the back-end dies by SIGKILL again and
# again at random moments:
#
#   traffic      while packets flow;
#   negotiation  a fresh back-end, at its K-th vhost-user request (K random
#                over a whole negotiation), once or twice in a row;
#   portcycle    (-i shell) during ringfwd's own "port stop all" / "port
#                start all": the K-th request of the cycle (GET_VRING_BASE,
#                then the set-up), or just after it;
#   stopped      (-i shell) while ringfwd's port is stopped; the next
#                back-end connects before "port start all".
#
# For each of ringfwd server mode (server=1; testpmd connects, client=1) and
# client mode (testpmd listens), with queues=1 and queues=2: one ringfwd
# forwarding at once (rounds of traffic and negotiation kills; at the end
# SIGINT: exit 0) and one ringfwd -i (a portcycle and a stopped round, then
# any kind; at the end "quit": exit 0, as the shell ignores SIGINT). After
# each restart traffic must resume: the new back-end counts packets from
# ringfwd (its "show port stats", polled), and ringfwd's own counters grow.
# Every run: mbufs_leaked 0 in --stats-json; VmRSS, open fds and threads
# sampled after each round may not grow after the first one.
#
# Time to resume is measured, printed per round and summarised (median,
# max), never asserted against a deadline: this machine is shared, and the
# figure is for the report. Traffic that does not resume within
# CHAOS_HANG_S (20) seconds is a failure.
#
# Random choices (kinds, K, delays) come from $RANDOM seeded with CHAOS_SEED
# (printed; set it to replay them; the timing around them is the machine's). CHAOS_CONFIGS ("server:1 client:1 server:2 client:2"),
# CHAOS_FWD_ROUNDS (4) and CHAOS_SHELL_ROUNDS (3) size the run;
# CHAOS_NO_HUGE=1 gives ringfwd plain memory even when hugepages are free.
# shellcheck source=tests/integration/chaos/lib.sh
. "$(dirname "$0")/lib.sh"

CHAOS_SEED=${CHAOS_SEED:-$(((RANDOM << 15) | RANDOM))}
RANDOM=$CHAOS_SEED
echo "chaos: seed $CHAOS_SEED (replay with CHAOS_SEED=$CHAOS_SEED)"
configs=${CHAOS_CONFIGS:-"server:1 client:1 server:2 client:2"}
fwd_rounds=${CHAOS_FWD_ROUNDS:-4}
shell_rounds=${CHAOS_SHELL_ROUNDS:-3}
hang=${CHAOS_HANG_S:-20}
# Growth of VmRSS allowed after the first round (kB): a few pages of malloc
# arena and stdio; a leak per reconnect would pass it within the rounds.
rss_slack=${CHAOS_RSS_SLACK_KB:-256}

# R: a random integer in [0, $1) (in this shell, so the sequence follows the seed).
rnd() { R=$((RANDOM % $1)); }
# S: a random delay in [0, $1) ms, as seconds for sleep.
rnd_sleep() {
	rnd "$1"
	S=$(printf '0.%03d' "$R")
	[ "$1" -gt 1000 ] && S=$(awk -v r="$R" 'BEGIN { printf "%.3f", r / 1000 }')
}

resume_ready=() # seconds from the back-end's socket to its first packet from ringfwd
resume_server=() resume_client=() # the same by ringfwd's mode
resume_launch=() # the same from the back-end's launch (includes testpmd's start-up)
resume_start=() # "stopped" rounds: from "port start all" to the back-end's first packet
kills_traffic=0 kills_negotiation=0 kills_portcycle=0 rounds_total=0

# ---- ringfwd, either form ---------------------------------------------------

# rf_start TAG FLAVOUR MODE Q: ringfwd -l 0,1 (forwarding lcore on CPU 1),
# macswap, Q queue pairs, the virtio port in MODE (server: it listens).
rf_start() {
	local tag=$1 flavour=$2 mode=$3 q=$4 dev
	dev="net_virtio_user0,path=$SOCK,queues=$q"
	[ "$mode" = server ] && dev="$dev,server=1"
	RF_LOG=$RF_TMP/$tag.log
	RF_JSON=$RF_TMP/$tag.json
	local mem
	mem=$(fwd_mem_args)
	[ -n "${CHAOS_NO_HUGE:-}" ] && mem="--no-huge -m 256"
	if [ "$flavour" = fwd ]; then
		# shellcheck disable=SC2086
		"$RINGFWD" -l 0,1 --main-lcore 0 $mem --file-prefix "rfchaos-$tag-$$" \
			--vdev "$dev" -- --forward-mode=macswap --rxq="$q" --txq="$q" \
			--stats-period=1 --stats-json="$RF_JSON" >"$RF_LOG" 2>&1 &
		RF_PID=$!
		rf_track "$RF_PID"
	else
		rm -f "$RF_TMP/$tag.in"
		mkfifo "$RF_TMP/$tag.in"
		# shellcheck disable=SC2086
		"$RINGFWD" -l 0,1 --main-lcore 0 $mem --file-prefix "rfchaos-$tag-$$" \
			--vdev "$dev" -- -i --forward-mode=macswap --rxq="$q" --txq="$q" \
			--stats-json="$RF_JSON" <"$RF_TMP/$tag.in" >"$RF_LOG" 2>&1 &
		RF_PID=$!
		rf_track "$RF_PID"
		exec {RF_IN}>"$RF_TMP/$tag.in"
	fi
	for _ in $(seq 1 200); do
		[ -e "$RF_LOG" ] && return 0
		sleep 0.05
	done
	ps -o pid,stat,wchan:32,args -p "$RF_PID" >&2
	ls -l "$RF_TMP" >&2
	rf_fail "ringfwd ($tag) has no log $RF_LOG 10 s after its start"
}

rf_alive() { kill -0 "$RF_PID" 2>/dev/null || rf_fail "ringfwd ($TAG) died (round $ROUND)"; }

# Shell: send LINE, wait until one more line matches RE than before.
sh_cmd() {
	local before
	before=$(grep -cE "$2" "$RF_LOG")
	echo "$1" >&"$RF_IN"
	for _ in $(seq 1 $((hang * 20))); do
		[ "$(grep -cE "$2" "$RF_LOG")" -gt "$before" ] && return 0
		rf_alive
		sleep 0.05
	done
	rf_fail "ringfwd -i ($TAG): no /$2/ ${hang} s after '$1' (round $ROUND): hung"
}

# RX: RX-packets of ringfwd's port 0 as ringfwd counts it, from the
# shell's "show port stats 0" or the last periodic line. (Not in a $(...):
# a hang found by sh_cmd must end the test, not a subshell.)
rf_rx() {
	if [ "$FLAVOUR" = shell ]; then
		sh_cmd "show port stats 0" '^  Tx-pps:'
		RX=$(ch_stat_block "$RF_LOG" RX-packets)
	else
		RX=$(awk '$1 ~ /^[0-9.]+s$/ && $2 == "0" { v = $8 } END { print v + 0 }' "$RF_LOG")
	fi
}
rf_lines() { awk '$1 ~ /^[0-9.]+s$/ && $2 == "0" { n++ } END { print n + 0 }' "$RF_LOG"; }

# ringfwd's RX count before the new back-end: for the periodic lines, the
# first line printed after the kill holds every packet of the dead back-end.
# (If it comes after the restart it holds some new ones too: the check
# below only gets stricter.)
rf_baseline() {
	if [ "$FLAVOUR" = shell ]; then
		rf_rx
		BASE=$RX
		return
	fi
	local want=$(($(rf_lines) + 1))
	for _ in $(seq 1 $((hang * 20))); do
		[ "$(rf_lines)" -ge "$want" ] && break
		rf_alive
		sleep 0.05
	done
	BASE=$(awk -v w="$want" '$1 ~ /^[0-9.]+s$/ && $2 == "0" { if (++n == w) { print $8; exit } }' "$RF_LOG")
	[ -n "$BASE" ] || rf_fail "ringfwd ($TAG) printed no statistics line for ${hang} s"
}

# ringfwd's own counter must pass the baseline: it receives again.
rf_confirm() {
	local rx=0
	ch_deadline "$hang"
	until ch_late; do
		rf_rx
		rx=$RX
		[ "$rx" -gt "$BASE" ] && return 0
		rf_alive
		sleep 0.1
	done
	rf_fail "ringfwd ($TAG) RX-packets stayed at $rx (<= $BASE) ${hang} s after the back-end came back (round $ROUND)"
}

# ---- the back-end -----------------------------------------------------------

PEER_N=0
# A new back-end; in ringfwd client mode it listens, on a socket file that a
# killed one left behind (testpmd does not replace it).
peer_new() {
	PEER_N=$((PEER_N + 1))
	PEER=p$PEER_N
	[ "$MODE" = client ] && rm -f "$SOCK"
	ch_peer_start "$PEER" "$SOCK" "$Q" "$PEER_ROLE"
	[ -n "${1:-}" ] && ch_peer_arm "$PEER" "$1"
	if [ "$MODE" = client ]; then
		for _ in $(seq 1 $((hang * 20))); do
			[ -S "$SOCK" ] && grep -q 'socket created' "$RF_TMP/$PEER.log" && break
			ch_peer_alive "$PEER" || break
			sleep 0.05
		done
	fi
}

# Wait until the current back-end receives from ringfwd; record how long
# that took from its socket's creation (or from the time given).
peer_measure() {
	local rx="" t_end t_ready=${1:-} t_launch
	ch_deadline "$hang"
	until ch_late; do
		rx=$(ch_peer_rx "$PEER")
		[ -n "$rx" ] && [ "$rx" -gt 0 ] && break
		ch_peer_alive "$PEER" || rf_fail "back-end $PEER died by itself (round $ROUND)"
		rf_alive
		sleep 0.05
	done
	t_end=$EPOCHREALTIME
	if [ -z "$rx" ] || [ "$rx" -eq 0 ]; then
		rf_fail "traffic did not resume ${hang} s after back-end $PEER started ($TAG, round $ROUND)"
	fi
	[ -n "$t_ready" ] || t_ready=$(ch_peer_ready_ts "$PEER")
	read -r t_launch <"$RF_TMP/$PEER.launched"
	T_READY=$(awk -v a="$t_end" -v b="$t_ready" 'BEGIN { printf "%.3f", a - b }')
	T_LAUNCH=$(awk -v a="$t_end" -v b="$t_launch" 'BEGIN { printf "%.3f", a - b }')
}

# A fresh back-end killed at its K-th vhost-user request: the negotiation dies half-way.
negotiation_kill() {
	local m=$1 what
	rnd "$m"
	local k=$((R + 1))
	peer_new "$k"
	if ! ch_peer_reap "$PEER" 10; then
		# It negotiated in fewer requests than the first one did: kill it now.
		what="none: K=$k not reached in $(ch_peer_msgs "$PEER") requests, killed 10 s later"
		ch_peer_kill "$PEER"
	else
		what=$(sed -n 's/.*CHAOS: SIGKILL after: .*read message \(VHOST_USER_[A-Z_]*\).*/\1/p' \
			"$RF_TMP/$PEER.log")
		what="request $k/$m ($what)"
	fi
	NOTE="$NOTE; negotiation kill at $what"
	kills_negotiation=$((kills_negotiation + 1))
}

# Restart the back-end (after a random pause) and wait for traffic both ways.
restart_and_check() {
	rnd_sleep 500
	sleep "$S"
	peer_new
	peer_measure
	rf_confirm
	resume_ready+=("$T_READY")
	if [ "$MODE" = server ]; then resume_server+=("$T_READY"); else resume_client+=("$T_READY"); fi
	resume_launch+=("$T_LAUNCH")
}

# ---- one ringfwd process: start, rounds, stop ------------------------------

run_process() {
	FLAVOUR=$1 MODE=$2 Q=$3
	TAG=$FLAVOUR-$MODE-q$Q
	SOCK=$RF_TMP/$TAG.sock
	PEER_ROLE=server
	[ "$MODE" = server ] && PEER_ROLE=client
	ROUND=0
	local rounds=$fwd_rounds
	[ "$FLAVOUR" = shell ] && rounds=$shell_rounds
	echo "== $TAG: ringfwd $( [ "$FLAVOUR" = shell ] && echo "-i " )server=$( [ "$MODE" = server ] && echo 1 || echo 0 ) queues=$Q, $rounds rounds"

	if [ "$MODE" = client ]; then
		peer_new
		[ -S "$SOCK" ] || rf_fail "back-end $PEER did not create $SOCK"
	fi
	rf_start "$TAG" "$FLAVOUR" "$MODE" "$Q"
	if [ "$MODE" = server ]; then
		rf_wait_socket "$SOCK" "$hang"
		peer_new
	fi
	if [ "$FLAVOUR" = shell ]; then
		sh_cmd "start" '^ringfwd: macswap forwarding'
	fi
	BASE=0
	peer_measure
	rf_confirm
	# A whole negotiation, as this back-end saw it: negotiation kills pick K in it.
	local m
	m=$(ch_peer_msgs "$PEER")
	[ "$m" -gt 0 ] || rf_fail "back-end $PEER logged no vhost-user request"
	echo "   first connection: $m vhost-user requests; traffic after ${T_READY} s"

	local rss0="" fds0="" thr0="" rss fds thr kinds=() kind
	if [ "$FLAVOUR" = fwd ]; then
		rnd 2
		if [ "$R" = 0 ]; then kinds=(negotiation traffic); else kinds=(traffic negotiation); fi
		while [ ${#kinds[@]} -lt "$rounds" ]; do
			rnd 2
			if [ "$R" = 0 ]; then kinds+=(negotiation); else kinds+=(traffic); fi
		done
	else
		kinds=(portcycle stopped)
		while [ ${#kinds[@]} -lt "$rounds" ]; do
			rnd 4
			case $R in
			0) kinds+=(negotiation) ;;
			1) kinds+=(traffic) ;;
			2) kinds+=(stopped) ;;
			*) kinds+=(portcycle) ;;
			esac
		done
	fi

	for kind in "${kinds[@]::$rounds}"; do
		ROUND=$((ROUND + 1))
		NOTE=""
		# Traffic flows: let it, for a random while.
		rnd_sleep 1200
		sleep "$S"
		case $kind in
		traffic | negotiation)
			ch_peer_kill "$PEER"
			kills_traffic=$((kills_traffic + 1))
			NOTE="killed ${S} s into traffic"
			;;
		portcycle)
			# The K-th request of the cycle kills it (GET_VRING_BASE per vring
			# to stop, the set-up to start); past the cycle's last, a kill right after.
			local mpc=$((14 * Q + 7)) m0 k
			rnd "$mpc"
			k=$((R + 1))
			m0=$(ch_peer_msgs "$PEER")
			ch_peer_arm "$PEER" "$k"
			sh_cmd "stop" '^Done\.$'
			sh_cmd "port stop all" '^(Port 0: stopped|port stop: )'
			sh_cmd "port start all" '^(Port 0: started|port start: )'
			sh_cmd "start" '^ringfwd: macswap forwarding'
			if ch_peer_reap "$PEER" 1; then
				NOTE="port stop/start: killed at request $k/$mpc of the cycle ($(sed -n 's/.*CHAOS: SIGKILL after: .*read message \(VHOST_USER_[A-Z_]*\).*/\1/p' "$RF_TMP/$PEER.log"))"
			else
				rm -f "$RF_TMP/$PEER.arm"
				rnd_sleep 300
				sleep "$S"
				NOTE="port stop/start: K=$k past the cycle's $(($(ch_peer_msgs "$PEER") - m0)) requests; killed ${S} s after it"
				ch_peer_kill "$PEER"
			fi
			kills_portcycle=$((kills_portcycle + 1))
			;;
		stopped)
			# Killed while ringfwd's port is stopped; the next back-end
			# comes while it is still stopped, and "port start" finds it.
			sh_cmd "stop" '^Done\.$'
			sh_cmd "port stop all" '^(Port 0: stopped|port stop: )'
			rnd_sleep 300
			sleep "$S"
			ch_peer_kill "$PEER"
			kills_portcycle=$((kills_portcycle + 1))
			rf_baseline
			peer_new
			local t_hs
			# Until it has read the handshake (SET_OWNER to GET_QUEUE_NUM), or 5 s.
			for _ in $(seq 1 100); do
				[ "$(ch_peer_msgs "$PEER")" -ge 5 ] && break
				sleep 0.05
			done
			rnd_sleep 500
			sleep "$S"
			NOTE="port stopped: killed; next back-end connected ($(ch_peer_msgs "$PEER") requests); port start ${S} s later"
			t_hs=$EPOCHREALTIME
			sh_cmd "port start all" '^(Port 0: started|port start: )'
			sh_cmd "start" '^ringfwd: macswap forwarding'
			peer_measure "$t_hs"
			rf_confirm
			resume_start+=("$T_READY")
			;;
		esac
		rf_alive
		[ "$kind" = stopped ] || rf_baseline
		if [ "$kind" = negotiation ]; then
			rnd 2
			local n=$((R + 1))
			for _ in $(seq 1 "$n"); do
				rnd_sleep 300
				sleep "$S"
				negotiation_kill "$m"
				rf_alive
			done
		fi
		[ "$kind" = stopped ] || restart_and_check
		rounds_total=$((rounds_total + 1))
		rss=$(ch_rss "$RF_PID")
		fds=$(ch_fds "$RF_PID")
		thr=$(ch_threads "$RF_PID")
		local since="the socket"
		[ "$kind" = stopped ] && since="port start"
		printf '   round %d %-11s resume %6s s after %s (%6s s after launch); VmRSS %s kB, fds %s, threads %s; %s\n' \
			"$ROUND" "$kind" "$T_READY" "$since" "$T_LAUNCH" "$rss" "$fds" "$thr" "$NOTE"
		if [ -z "$rss0" ]; then
			rss0=$rss fds0=$fds thr0=$thr
		else
			[ "$rss" -le $((rss0 + rss_slack)) ] ||
				rf_fail "$TAG: VmRSS grew from $rss0 kB (round 1) to $rss kB (round $ROUND)"
			[ "$fds" -le "$fds0" ] || rf_fail "$TAG: open fds grew from $fds0 (round 1) to $fds (round $ROUND)"
			[ "$thr" -le "$thr0" ] || rf_fail "$TAG: threads grew from $thr0 (round 1) to $thr (round $ROUND)"
		fi
	done

	# The end, with traffic flowing: SIGINT (or the shell's quit) must give exit 0 and every mbuf back.
	local rc
	if [ "$FLAVOUR" = fwd ]; then
		kill -INT "$RF_PID"
	else
		echo "quit" >&"$RF_IN"
	fi
	for _ in $(seq 1 $((hang * 20))); do
		kill -0 "$RF_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$RF_PID" 2>/dev/null && rf_fail "ringfwd ($TAG) still running ${hang} s after $( [ "$FLAVOUR" = fwd ] && echo SIGINT || echo quit)"
	wait "$RF_PID"
	rc=$?
	ch_untrack "$RF_PID"
	[ "$FLAVOUR" = shell ] && exec {RF_IN}>&-
	[ "$rc" = 0 ] || rf_fail "ringfwd ($TAG) exited with $rc"
	local leaked rx
	leaked=$(fwd_json_file "$RF_JSON" 'd["mbufs_leaked"]')
	rx=$(fwd_json_file "$RF_JSON" 'd["total"]["rx_packets"]')
	[ "$leaked" = 0 ] || rf_fail "ringfwd ($TAG): mbufs_leaked $leaked"
	# The driver counts ring violations (bad ids, used index jumps, bad
	# lengths) as RX/TX errors: a back-end that died and one that took over
	# from the ring's state must cause none.
	local rxe txe
	rxe=$(fwd_json_file "$RF_JSON" 'd["ports"][0].get("rx_errors", 0)')
	txe=$(fwd_json_file "$RF_JSON" 'd["ports"][0].get("tx_errors", 0)')
	if [ "$rxe" != 0 ] || [ "$txe" != 0 ]; then
		rf_fail "ringfwd ($TAG): device rx_errors $rxe, tx_errors $txe after the reconnects"
	fi
	ch_peer_kill "$PEER"
	echo "   end: $( [ "$FLAVOUR" = fwd ] && echo SIGINT || echo quit ) -> exit 0, mbufs_leaked 0, rx_packets $rx, device rx/tx errors 0; VmRSS after round 1 ${rss0} kB, last ${rss} kB"
}

fwd_json_file() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

start=$EPOCHREALTIME
for c in $configs; do
	mode=${c%%:*} q=${c##*:}
	run_process fwd "$mode" "$q"
	run_process shell "$mode" "$q"
done

read -r med max < <(ch_median_max "${resume_ready[@]}")
read -r lmed lmax < <(ch_median_max "${resume_launch[@]}")
read -r smed smax < <(ch_median_max "${resume_start[@]}")
read -r svmed svmax < <(ch_median_max "${resume_server[@]}")
read -r clmed clmax < <(ch_median_max "${resume_client[@]}")
echo "chaos: seed $CHAOS_SEED, $rounds_total rounds, kills: $kills_traffic during traffic, $kills_negotiation during negotiation, $kills_portcycle around port stop/start"
echo "chaos: time to resume after the back-end's socket: median $med s, max $max s (from its launch: median $lmed s, max $lmax s); ${#resume_ready[@]} restarts"
echo "chaos:   ringfwd server=1 (the back-end connects at once): median $svmed s, max $svmax s; server=0 (ringfwd retries every reconnect_ms, 1000 by default): median $clmed s, max $clmax s"
echo "chaos: time to traffic after 'port start all' with a back-end that came while the port was stopped: median $smed s, max $smax s (${#resume_start[@]} rounds)"
echo "chaos: took $(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.0f", a - b }') s"
[ "$rounds_total" -ge 20 ] || [ -n "${CHAOS_CONFIGS:-}${CHAOS_FWD_ROUNDS:-}${CHAOS_SHELL_ROUNDS:-}" ] ||
	rf_fail "only $rounds_total rounds"
echo "PASS"
