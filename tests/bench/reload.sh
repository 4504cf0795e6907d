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
port=30060 pool_port=30070 gw_port=30080
rate=200 secs=20
mkdir -p "$work"
sed -e "s/@PORT@/$port/; s/@POOL_PORT@/$pool_port/; s/@GW_PORT@/$gw_port/; s/@GW_FLAGS@//" \
    -e 's/invite_timeout = 4;/invite_timeout = 32;/' \
    -e "s|@POOL_HOST@|127.0.0.2|; s|@POOL_FLAGS@|options_interval = 0;|" \
    -e "s|socket = \"sipmed.sock\"|socket = \"$work/sipmed.sock\"|" \
    "$top/tests/sip/b2bua.conf" > "$work/base.conf"
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
awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { s = $col["SuccessfulCall(C)"]; f = $col["FailedCall(C)"] }
    END { printf "calls: %d succeeded, %d failed (of %d)\n", s, f, t }' t=$((rate * secs)) "$work/stat.csv"
kill "$pid"
wait "$pid" 2> /dev/null
