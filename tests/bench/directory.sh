#!/bin/sh
# tests/bench/directory.sh SIPMED WORKDIR N: for scripts/bench, users from
# a directory of N users (a real slapd, tests/ldap/lib.sh) under calls.
# sipmed runs the B2BUA deployment of tests/sip/b2bua.conf with a
# directory group, its full load every 10 s and a delta every second.
# Printed: the time to start (the first full load is waited for), each
# full load's time as sipmed logs it, sipmed's resident memory without
# the directory, with it, and after three more full loads; then the
# calls: 200/s for 40 s (tests/bench/uac.xml, each held 2 s) to one of
# the directory's users, while four more full loads and the deltas
# between are swapped in. Every call must succeed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
top_srcdir=$top
sipmed=$1 work=$2/directory n=$3
. "$top/tests/bench/lib.sh"
rate=200 secs=40
mkdir -p "$work"
. "$top/tests/wait.sh"
. "$top/tests/ldap/lib.sh"
ldap_port=$((port + 50))
slapd_setup "$work/slapd" "$ldap_port"
{ tree; people "$n"; } > "$work/people.ldif"
t0=$(date +%s.%N)
slapadd -q -f "$work/slapd/slapd.conf" -l "$work/people.ldif" > /dev/null 2>&1 || { echo "slapadd failed"; exit 1; }
echo "slapd: $n users added in $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }') s (slapadd)"
slapd_start
printf 'reader-secret\n' > "$work/ldap.pw"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
b2bua_conf > "$work/plain.conf"
"$sipmed" -c "$work/plain.conf" > "$work/plain.log" 2>&1 &
pid=$!
wait_log "$work/plain.log" "control socket"
plain=$(rss $pid)
kill $pid
wait $pid 2> /dev/null
{
	cat "$work/plain.conf"
	printf 'directory = { uri = "ldap://127.0.0.1:%s"; bind_dn = "%s";\n' "$ldap_port" "$service"
	printf '  password_file = "%s/ldap.pw"; base = "ou=people,%s";\n' "$work" "$base"
	printf '  changed_attribute = "modifyTimestamp"; poll_interval = 1; full_interval = 10; };\n'
} > "$work/sipmed.conf"
t0=$(date +%s.%N)
"$sipmed" -c "$work/sipmed.conf" > "$work/sipmed.log" 2>&1 &
pid=$!
wait_log "$work/sipmed.log" "control socket"
echo "start with $n directory users: $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.2f", $1 - $2 }') s to listening"
echo "resident memory: $plain KB without the directory, $(rss $pid) KB with $n users"
# three more full loads, no call: what swapping costs in memory
i=0
until [ "$(grep -c "full load" "$work/sipmed.log")" -ge 4 ] || [ $i -gt 120 ]; do sleep 0.5; i=$((i + 1)); done
echo "resident memory after 4 full loads (and the deltas between), no call: $(rss $pid) KB"
sipp -sf "$top/tests/bench/uas.xml" -i 127.0.0.2 -p "$pool_port" -nostdin -m $((rate * secs)) -timeout 90s > /dev/null 2>&1 &
uas=$!
wait_port 127.0.0.2 "$pool_port" udp
sipp -sf "$top/tests/bench/uac.xml" -i 127.0.0.3 -p $((gw_port + 1)) -s 2060000042 -r $rate -m $((rate * secs)) \
    -d 2000 -nostdin -timeout 90s -trace_stat -stf "$work/stat.csv" -fd 1 "127.0.0.1:$port" \
    > /dev/null 2>&1
kill $uas 2> /dev/null
echo "resident memory after the calls, their transactions still kept: $(rss $pid) KB"
grep -o "full load: .*" "$work/sipmed.log" | sed 's/^/  /'
echo "  and $(grep -c "delta load" "$work/sipmed.log") deltas logged (unchanged ones are debug lines)"
set -- $(sipp_stats "$work/stat.csv" "SuccessfulCall(C)" "FailedCall(C)")
echo "calls to a directory user: $1 succeeded, $2 failed (of $((rate * secs)))"
kill "$pid"
wait "$pid" 2> /dev/null
slapd_stop
