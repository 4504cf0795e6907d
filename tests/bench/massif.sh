#!/bin/sh
# tests/bench/massif.sh SIPMED WORKDIR RATE HOLD_MS SECS: where sipmed's heap
# goes under load. sipmed runs under valgrind's massif on the B2BUA tests'
# deployment; sipp's UAC (tests/bench/uac.xml, the gateway on 127.0.0.3)
# calls it at RATE calls/s, each held HOLD_MS, toward sipp's UAS as the
# pool; after SECS seconds a detailed snapshot is written to
# WORKDIR/massif.snapshot, and its total heap is printed. Read the
# snapshot with ms_print. For BENCHMARKS.md ("Memory with calls up"):
#
#   tests/bench/massif.sh build/src/sipmed WORK 100 2000 50
#
# is the soak's pattern at a rate valgrind keeps up with (about 3,200
# calls' kept transactions and 200 calls up); a HOLD_MS longer than SECS
# shows what calls hold once up, SECS after the last set-up plus 40 s.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sipmed=$1 work=$2 rate=$3 hold=$4 secs=$5
. "$top/tests/bench/lib.sh"
. "$top/tests/wait.sh"
mkdir -p "$work"
b2bua_conf > "$work/massif.conf"
rm -f "$work/massif.snapshot"
valgrind --tool=massif --vgdb=yes --massif-out-file="$work/massif.out" \
    "$sipmed" -c "$work/massif.conf" > "$work/massif.log" 2>&1 &
pid=$!
# valgrind takes seconds to start sipmed, more than wait_port's 5 s: up to
# a minute of them
listening() { ss -Hln --udp "sport = :$port" 2> /dev/null | grep -q " 127.0.0.1:$port "; }
i=0
until listening || [ $i -ge 12 ]; do
	wait_port 127.0.0.1 "$port" udp
	i=$((i + 1))
done
listening || { echo "massif.sh: sipmed did not start ($work/massif.log)"; kill $pid; exit 1; }
sipp -sf "$top/tests/bench/uas.xml" -i 127.0.0.2 -p "$pool_port" -nostdin \
    -timeout $((secs + hold / 1000 + 60))s > /dev/null 2>&1 &
uas=$!
wait_port 127.0.0.2 "$pool_port" udp
sipp -sf "$top/tests/bench/uac.xml" -i 127.0.0.3 -p $((gw_port + 1)) -s 1234 -r "$rate" \
    -d "$hold" -nostdin -timeout $((secs + hold / 1000 + 60))s -trace_stat \
    -stf "$work/massif-stat.csv" -fd 1 "127.0.0.1:$port" > /dev/null 2>&1 &
uac=$!
sleep "$secs"	# the load runs for SECS: a duration, not a wait for an event
vgdb --pid=$pid detailed_snapshot "$work/massif.snapshot" > /dev/null 2>&1
set -- $(sipp_stats "$work/massif-stat.csv" CurrentCall "FailedCall(C)")
kill $uac $uas 2> /dev/null
kill $pid 2> /dev/null
wait 2> /dev/null
sed -n 's/^mem_heap_B=//p' "$work/massif.snapshot" | awk -v up="$1" -v failed="$2" \
    '{ printf "heap: %d bytes, %d calls up, %d failed (snapshot: massif.snapshot)\n", $1, up, failed }'
