#!/bin/sh
# The rule benchmark builds and runs, and every indexed answer it samples
# equals the linear scan's (bench_rules exits 1 otherwise). No timing is
# asserted: figures belong in BENCHMARKS.md. TAP output.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
echo "1..7"
out=$("$top_builddir/tests/bench/bench_rules" -s 10,1000 -l 2000 -g 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "ok 1 - bench_rules: indexed answers equal the linear scan" ||
	echo "not ok 1 - bench_rules exited $rc"
lines=$(echo "$out" | grep -c 'lookups/s')
[ "$lines" -eq 4 ] && echo "ok 2 - bench_rules reports every plan size" ||
	echo "not ok 2 - bench_rules printed $lines result lines, want 4"

# A generated 20,000-rule plan loads, and a lookup through sipmedctl works
# (a regression here once made loading quadratic in the number of rules).
conf=$(mktemp)
"$top_srcdir/tests/bench/gen_plan.sh" 20000 > "$conf"
out=$("$top_builddir/src/sipmed" -c "$conf" -n 2>&1)
[ "$out" = "configuration OK" ] && echo "ok 3 - a generated 20,000-rule plan loads" ||
	echo "not ok 3 - the 20,000-rule plan: $out"
out=$("$top_builddir/sipmedctl/sipmedctl" -c "$conf" test-dialplan Global +15030000000 | tr '\n' ' ')
[ "$out" = "+15033120000 e0 " ] && echo "ok 4 - its first rule answers through sipmedctl" ||
	echo "not ok 4 - test-dialplan on the big plan gave: $out"
rm -f "$conf"

# sipload, scripts/bench's load generator over TLS: 50 calls through
# sipmed over mutual TLS on both legs, then handshakes with a certificate
# from a CA sipmed does not trust (refused) and with the gateway's (taken).
. "$top_srcdir/tests/wait.sh"
. "$top_srcdir/tests/bench/lib.sh"
work=$(mktemp -d)
sipload="$top_builddir/tests/bench/sipload"
"$top_srcdir/scripts/make-certs" "$work/certs" --test > /dev/null
for f in gw:gw1 pool:pool; do
	mkdir -p "$work/${f%%:*}"
	cat "$work/certs/${f#*:}.crt" "$work/certs/${f#*:}.key" > "$work/${f%%:*}/agent.pem"
	cp "$work/certs/ca.crt" "$work/${f%%:*}/cafile.pem"
done
sed -e "s/@PORT@/$port/; s/@POOL_TLS@/$((pool_port + 1))/; s/@GW_TLS@/$((gw_port + 1))/" \
    -e "s|@DIR@|$work/certs|g" "$top_srcdir/tests/tls/sipmed.conf.in" > "$work/sipmed.conf"
(cd "$work" && exec "$top_builddir/src/sipmed" -c sipmed.conf > sipmed.log 2>&1) &
spid=$!
wait_log "$work/sipmed.log" "listening on"
"$sipload" uas -l "sips:127.0.0.2:$((pool_port + 1))" -c "$work/pool" -m 50 > /dev/null 2>&1 &
uas=$!
wait_port 127.0.0.2 $((pool_port + 1)) tcp
out=$("$sipload" uac -l "sips:127.0.0.3:$((gw_port + 1))" -c "$work/gw" -r 50 -m 50 -t 10 \
    "sips:127.0.0.1:$port" 2>&1)
[ "$out" = "calls 50 successful 50 failed 0" ] &&
	echo "ok 5 - sipload: 50 calls through sipmed over mutual TLS" ||
	echo "not ok 5 - sipload over TLS: $out"
kill $uas 2> /dev/null
wait $uas 2> /dev/null
storm() {
	"$sipload" storm -r 20 -d 1 -C "$work/certs/$1.crt" -K "$work/certs/$1.key" \
	    -A "$work/certs/ca.crt" "127.0.0.1:$port" 2>&1
}
out=$(storm other)
echo "$out" | awk '$1 == "handshakes" && $2 > 0 && $4 == $2 && $6 == 0 { ok = 1 } END { exit !ok }' &&
	echo "ok 6 - sipload storm: handshakes with an untrusted certificate are refused ($out)" ||
	echo "not ok 6 - sipload storm with an untrusted certificate: $out"
out=$(storm gw1)
echo "$out" | awk '$1 == "handshakes" && $2 > 0 && $6 == $2 && $4 == 0 { ok = 1 } END { exit !ok }' &&
	echo "ok 7 - sipload storm: handshakes with the gateway's certificate are taken ($out)" ||
	echo "not ok 7 - sipload storm with the gateway's certificate: $out"
kill $spid 2> /dev/null
wait $spid 2> /dev/null
rm -rf "$work"
