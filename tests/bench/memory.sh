#!/bin/sh
# tests/bench/memory.sh SIPMED SIPMEDCTL WORKDIR N@RATE...: sipmed's memory
# with N calls up at once, set up at RATE calls/s, for scripts/bench. The
# calls (tests/bench/uac.xml, the gateway on 127.0.0.3, to sipp's UAS as the
# pool on 127.0.0.2) are set up over UDP and held. Read from `sipmedctl
# status` twice: when all N are up, and 40 s later, after 64*T1 (32 s) has
# ended the set-up's transactions and only the calls remain.
#
# Why the rate matters: while a call is set up, nta keeps its transactions
# (the INVITE sent, slimmed, and the INVITE answered, about 5 KB) for up to
# 64*T1 = 32 s, so resident memory is what the calls hold plus RATE * 32 s
# of set-ups, and glibc keeps those pages for the calls that follow.
# 10,000 calls held for an average of 100 s come at 100 calls/s; 500/s is
# a burst.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sipmed=$1 ctl=$2 work=$3
shift 3
. "$top/tests/bench/lib.sh"
# calls_up: the calls sipp's caller has up, and its failed calls
calls_up() { sipp_stats "$work/mem-stat.csv" CurrentCall "FailedCall(C)"; }
memory() { "$ctl" -c "$work/mem.conf" status | sed -n 's/^memory: //p'; }
base=""
printf '%-8s %-8s %-14s %-10s %-10s %s\n' calls "set up" when "RSS (KB)" "heap (KB)" "RSS per call"
for arg in "$@"; do
	n=${arg%@*} rate=${arg#*@}
	hold=$((n / rate * 1000 + 120000))
	b2bua_conf -e "s/invite_timeout = 32;/invite_timeout = 32; max_calls = $((n + 1000));/" \
	    > "$work/mem.conf"
	"$sipmed" -c "$work/mem.conf" > "$work/mem.log" 2>&1 &
	pid=$!
	sleep 0.5
	set -- $(memory)
	base=$1
	sipp -sf "$top/tests/bench/uas.xml" -i 127.0.0.2 -p "$pool_port" -nostdin -m "$n" -timeout $((hold / 1000 + 60))s \
	    > /dev/null 2>&1 &
	uas=$!
	sleep 0.3
	rm -f "$work/mem-stat.csv"
	sipp -sf "$top/tests/bench/uac.xml" -i 127.0.0.3 -p $((gw_port + 1)) -s 1234 -r "$rate" -m "$n" \
	    -d "$hold" -nostdin -timeout $((hold / 1000 + 60))s -trace_stat -stf "$work/mem-stat.csv" \
	    -fd 1 "127.0.0.1:$port" > /dev/null 2>&1 &
	uac=$!
	i=0
	while set -- $(calls_up) && [ "${1:-0}" -lt "$n" ] && [ "${2:-0}" -eq 0 ] && [ $i -lt $((n / rate * 4 + 60)) ]; do
		sleep 1
		i=$((i + 1))
	done
	if [ "${1:-0}" -lt "$n" ]; then
		echo "memory.sh: only ${1:-0} of $n calls came up (${2:-0} failed)"
	else
		for when in "all up" "40 s later"; do
			[ "$when" = "all up" ] || sleep 40
			set -- $(memory)
			awk -v n="$n" -v w="$when" -v r="$1" -v h="$4" -v b="$base" -v s="$rate/s" 'BEGIN {
			    printf "%-8d %-8s %-14s %-10d %-10d %.1f KB\n", n, s, w, r, h, (r - b) / n }'
		done
	fi
	kill $uac $uas 2> /dev/null
	kill -9 $pid 2> /dev/null
	wait 2> /dev/null
done
echo "(RSS per call: resident memory above sipmed's own at start ($base KB), divided by the calls)"
