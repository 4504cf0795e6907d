#!/bin/sh
# tests/bench/reload.sh SIPMED SIPMEDCTL WORKDIR N: for scripts/bench, the
# time to load and swap an N-rule configuration under calls. sipmed runs
# the B2BUA deployment of tests/sip/b2bua.conf with its gateway's dial plan
# grown to N rules (its own three first, then tests/bench/gen_plan.sh's).
# Calls (tests/bench/uac.xml, each held 2 s) go through at 200/s for 20 s;
# meanwhile the configuration is reloaded 4 times, alternating between two
# N-rule files that differ in one translation, each reload timed from
# `sipmedctl reload` to its answer. Every call, those in progress at a
# reload and those set up during one, must succeed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sipmed=$1 ctl=$2 work=$3/reload n=$4
. "$top/tests/bench/lib.sh"
rate=200 secs=20
mkdir -p "$work"
b2bua_conf > "$work/base.conf"
# the generated rules, as entries of a rules list
"$top/tests/bench/gen_plan.sh" "$n" | sed -n '/^{ name = "/p' > "$work/rules"
for v in a b; do
	awk -v rules="$work/rules" -v v="$v" '
	    !/"11digit"/ { print; next }
	    {
		print $0 ","
		while ((getline line < rules) > 0) {
		    if (v == "b")
			sub(/"\+15033120000"/, "\"+15033120001\"", line)
		    print line
		}
	    }' "$work/base.conf" > "$work/$v.conf"
done
cp "$work/a.conf" "$work/sipmed.conf"
start=$(date +%s.%N)
"$sipmed" -c "$work/sipmed.conf" > "$work/sipmed.log" 2>&1 &
pid=$!
i=0
until grep -q "listening on" "$work/sipmed.log" || [ $i -gt 600 ]; do sleep 0.05; i=$((i + 1)); done
echo "start with $n rules: $(echo "$(date +%s.%N) $start" | awk '{ printf "%.2f", $1 - $2 }') s to listening"
sipp -sf "$top/tests/bench/uas.xml" -i 127.0.0.2 -p "$pool_port" -nostdin -m $((rate * secs)) -timeout 90s > /dev/null 2>&1 &
uas=$!
sleep 0.3
sipp -sf "$top/tests/bench/uac.xml" -i 127.0.0.3 -p $((gw_port + 1)) -s 1234 -r $rate -m $((rate * secs)) \
    -d 2000 -nostdin -timeout 90s -trace_stat -stf "$work/stat.csv" -fd 1 "127.0.0.1:$port" \
    > /dev/null 2>&1 &
uac=$!
for v in b a b a; do
	sleep 3
	cp "$work/$v.conf" "$work/sipmed.conf"
	t0=$(date +%s.%N)
	out=$("$ctl" -c "$work/sipmed.conf" reload 2>&1)
	rc=$?
	echo "reload to $v.conf ($n rules): $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.3f", $1 - $2 }') s, sipmedctl exit $rc: $(echo "$out" | tr "\n" " ")"
done
wait $uac
kill $uas 2> /dev/null
set -- $(sipp_stats "$work/stat.csv" "SuccessfulCall(C)" "FailedCall(C)")
echo "calls: $1 succeeded, $2 failed (of $((rate * secs)))"
kill "$pid"
wait "$pid" 2> /dev/null
