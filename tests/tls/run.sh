#!/bin/sh
# Mutual TLS, with real peers over real sockets (TAP output):
#   1. certificate files checked at start (sipmed -n);
#   2. openssl s_client against sipmed's sips: listener: who is let in;
#   3. a silent TCP connection closed after handshake_timeout;
#   4. calls over mutual TLS on both legs: the pool and the gateway are
#      sipps behind Kamailio (Debian's, tls module) holding their
#      certificates; a pool with the wrong certificate is refused;
#   5. 1,000 TLS connections under valgrind: nothing lost.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TLS_TEST_PORT:-26061}
pool_tls=$((port + 10)) pool_udp=$((port + 11)) pool_sipp=$((port + 12))
gw_tls=$((port + 20)) gw_udp=$((port + 21)) gw_sipp=$((port + 22))
certs="$work/certs"

"$top_srcdir/scripts/make-certs" "$certs" --test > /dev/null || { echo "Bail out! make-certs"; exit 1; }

# conf FILE [TLS SETTINGS]: sipmed's test deployment, tls group replaced
conf() {
	sed -e "s|@PORT@|$port|; s|@POOL_TLS@|$pool_tls|; s|@GW_TLS@|$gw_tls|; s|@DIR@|$certs|g" \
	    "$top_srcdir/tests/tls/sipmed.conf.in" > "$1"
	[ -n "${2:-}" ] && sed -i "s|^tls = .*|tls = { $2 };|" "$1"
	return 0
}

# 1. certificate files: each mistake stops sipmed -n with a clear message
# refuses NAME "TLS SETTINGS" MESSAGE
refuses() {
	conf "$work/bad.conf" "$2"
	out=$("$sipmed" -c "$work/bad.conf" -n 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && has "$out" "$3"; then ok "$1"; else
		echo "$out" > "$work/bad.out"
		not_ok "$1 (exit $rc)" "$work/bad.out"
	fi
}
good="certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/sipmed.key\"; ca = \"$certs/ca.crt\";"
refuses "a missing certificate file is refused" \
    "certificate = \"$certs/nope.crt\"; private_key = \"$certs/sipmed.key\"; ca = \"$certs/ca.crt\";" \
    "tls: certificate $certs/nope.crt: No such file or directory"
refuses "a certificate file with no certificate is refused" \
    "certificate = \"$certs/sipmed.key\"; private_key = \"$certs/sipmed.key\"; ca = \"$certs/ca.crt\";" \
    "no PEM certificate in it"
refuses "a key that does not match the certificate is refused" \
    "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/mismatch.key\"; ca = \"$certs/ca.crt\";" \
    "private_key $certs/mismatch.key does not match certificate $certs/sipmed.crt"
refuses "an expired own certificate is refused" \
    "certificate = \"$certs/expired.crt\"; private_key = \"$certs/expired.key\"; ca = \"$certs/ca.crt\";" \
    "has expired (not after Jan  1 00:00:00 2021 GMT)"
refuses "an own certificate not valid yet is refused" \
    "certificate = \"$certs/future.crt\"; private_key = \"$certs/future.key\"; ca = \"$certs/ca.crt\";" \
    "is not valid yet (not before Jan  1 00:00:00 2099 GMT)"
refuses "a CA file with no certificate in it is refused" \
    "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/sipmed.key\"; ca = \"$certs/empty-ca.crt\";" \
    "tls: ca $certs/empty-ca.crt: no PEM certificate in it"
refuses "an unreadable key file is refused" \
    "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/none.key\"; ca = \"$certs/ca.crt\";" \
    "tls: private_key $certs/none.key: No such file or directory"
refuses "an encrypted key without passphrase is refused" \
    "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/encrypted.key\"; ca = \"$certs/ca.crt\";" \
    "an encrypted key needs \"passphrase\""
refuses "a wrong passphrase is refused" \
    "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/encrypted.key\"; ca = \"$certs/ca.crt\"; passphrase = \"wrong\";" \
    "or the passphrase is wrong"
conf "$work/pass.conf" "certificate = \"$certs/sipmed.crt\"; private_key = \"$certs/encrypted.key\"; ca = \"$certs/ca.crt\"; passphrase = \"test-only\";"
check "an encrypted key with its passphrase is accepted" \
    sh -c "\"$sipmed\" -c \"$work/pass.conf\" -n > /dev/null"

# 2. who is let in: sipmed with a 2 s handshake timeout
conf "$work/sipmed.conf" "$good handshake_timeout = 2;"
"$sipmed" -c "$work/sipmed.conf" -v > "$work/sipmed.log" 2>&1 &
sipmed_pid=$!
i=0
until grep -q "listening on" "$work/sipmed.log" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "sipmed listens on sips:" grep -q "listening on sips:127.0.0.1:$port" "$work/sipmed.log"

# options CERT [s_client args]: an OPTIONS over TLS with CERT (- for
# none); prints what came back (the status line, or the TLS alert)
options() {
	c=$1
	shift
	a="-cert $certs/$c.crt -key $certs/$c.key"
	[ "$c" = - ] && a=""
	printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-%s\r\nFrom: <sip:probe@127.0.0.1>;tag=%s\r\nTo: <sip:127.0.0.1>\r\nCall-ID: probe-%s-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	    "$port" "$c$n" "$n" "$c" "$n" > "$work/options.txt"
	# shellcheck disable=SC2086
	(cat "$work/options.txt"; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile "$certs/ca.crt" -verify_return_error -quiet $a "$@" 2>&1 |
	    grep -a -m 1 -o "SIP/2.0 [0-9]* [A-Za-z ]*\|alert [a-z ]*\|no protocols available"
}
expect() {
	got=$(options "$2" $3)
	if has "$got" "$4"; then ok "$1"; else
		echo "got: $got" > "$work/got"
		not_ok "$1" "$work/got"
	fi
}
expect "a gateway's good certificate: 200 to OPTIONS" gw1 "" "SIP/2.0 200 OK"
expect "no client certificate: refused in the handshake" - "" "alert certificate required"
expect "a certificate from another CA: refused" other "" "alert unknown ca"
expect "an expired certificate: refused" expired "" "alert certificate expired"
expect "a certificate not made for TLS clients (code signing only): refused" wrong-purpose "" \
    "alert unsupported certificate"
check "the log says why: no client certificate" \
    grep -q "tls: handshake with tls/127.0.0.1:[0-9]*/sips:127.0.0.1:$port failed: peer did not return a certificate" "$work/sipmed.log"
check "the log says why: another CA" \
    grep -q "tls: handshake with tls/127.0.0.1:[0-9]*/sips:127.0.0.1:$port failed: unable to get local issuer certificate" "$work/sipmed.log"
check "the log says why: expired" \
    grep -q "tls: handshake with tls/127.0.0.1:[0-9]*/sips:127.0.0.1:$port failed: certificate has expired" "$work/sipmed.log"
expect "a certificate for a name no peer has: 403" unknown "" "SIP/2.0 403 Forbidden"
check "the refusal is logged with the names the certificate presented" \
    grep -q "from 127.0.0.1 (TLS certificate for mallory.example.net), which is no configured peer" \
    "$work/sipmed.log"
expect "the pool's name only in the CN, no subjectAltName: the pool, 200" cn-only "" "SIP/2.0 200 OK"
expect "the pool's name in the CN but another in the SAN: the CN does not count, 403" \
    san-cn "" "SIP/2.0 403 Forbidden"
expect "TLS 1.1: refused" gw1 "-tls1_1" "alert protocol version\|no protocols available"
expect "TLS 1.2 works" gw1 "-tls1_2" "SIP/2.0 200 OK"
expect "TLS 1.3 works" gw1 "-tls1_3" "SIP/2.0 200 OK"
expect "TLS 1.2 with a static-RSA CBC cipher: refused" gw1 "-tls1_2 -cipher AES128-SHA" \
    "alert handshake failure"

# 3. a TCP connection that never starts its handshake is closed
start=$(date +%s.%N)
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && cat <&3" > /dev/null 2>&1
took=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
check "a silent TCP connection to 5061 is closed after handshake_timeout (2 s; took $took s)" \
    awk -v t="$took" 'BEGIN { exit !(t >= 1.5 && t < 5) }'

# a reload whose certificate file is missing keeps the running one
sed -i "s|$certs/sipmed.crt|$certs/nope.crt|" "$work/sipmed.conf"
kill -HUP "$sipmed_pid"
wait_log "$work/sipmed.log" "reload of $work/sipmed.conf refused"
check "a reload with a missing certificate file is refused" \
    grep -q "reload of $work/sipmed.conf refused" "$work/sipmed.log"
expect "and sipmed goes on serving TLS" gw1 "" "SIP/2.0 200 OK"
kill "$sipmed_pid"
wait "$sipmed_pid"

# min_version = "1.3": TLS 1.2 is refused too
conf "$work/sipmed.conf" "$good min_version = \"1.3\";"
"$sipmed" -c "$work/sipmed.conf" -v > "$work/sipmed13.log" 2>&1 &
sipmed_pid=$!
i=0
until grep -q "listening on" "$work/sipmed13.log" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect "min_version 1.3: TLS 1.2 refused" gw1 "-tls1_2" "alert protocol version"
expect "min_version 1.3: TLS 1.3 works" gw1 "-tls1_3" "SIP/2.0 200 OK"
kill "$sipmed_pid"
wait "$sipmed_pid"

# 4. calls over mutual TLS: Kamailio fronts for the pool and the gateway
# kamailio NAME IP UDP TLS SIPP_PORT CERT: a TLS front for the sipp at IP
kamailio_front() {
	sed -e "s|@NAME@|$1|g; s|@IP@|$2|; s|@UDP@|$3|; s|@TLS@|$4|; s|@SIPP@|$2:$5|" \
	    -e "s|@SIPMED@|127.0.0.1:$port|; s|@DIR@|$work|" \
	    "$top_srcdir/tests/tls/kamailio.cfg.in" > "$work/$1.cfg"
	sed -e "s|@NAME@|$1|g; s|@CERT@|$6|g; s|@DIR@|$certs|g" \
	    "$top_srcdir/tests/tls/kamailio-tls.cfg.in" > "$work/$1-tls.cfg"
	mkdir -p "$work/$1-run"
	kamailio -f "$work/$1.cfg" -DD -E -m 32 -M 8 -P "$work/$1.pid" -Y "$work/$1-run" \
	    -w "$work" > "$work/$1.log" 2>&1 &
	echo $! > "$work/$1.kpid"
}
kamailio_front pool 127.0.0.2 $pool_udp $pool_tls $pool_sipp pool
kamailio_front gw 127.0.0.3 $gw_udp $gw_tls $gw_sipp gw1
conf "$work/sipmed.conf" "$good"
# and the trace: it must show what crossed the TLS connections, decrypted
echo 'trace = { messages = true; decisions = true; text_file = "trace.txt"; pcap_file = "trace.pcap"; };' \
    >> "$work/sipmed.conf"
"$sipmed" -c "$work/sipmed.conf" -v > "$work/sipmed.log" 2>&1 &
sipmed_pid=$!
wait_log "$work/sipmed.log" "listening on"
# Kamailio's last start-up line is its TLS client set-up
wait_log "$work/pool.log" "Server MUST present valid certificate"
wait_log "$work/gw.log" "Server MUST present valid certificate"
wait_port 127.0.0.2 $pool_udp udp
wait_port 127.0.0.3 $gw_udp udp

scenario() {
	sed -e "s/@MAXFWD@/70/; s/@SUPPORTED@/100rel, timer/; s/@STATUS@/${2:-}/g; /@NOTIFY@/d" \
	    "$scen/$1" > "$work/$1.xml"
	echo "$work/$1.xml"
}
# call NAME CALLEE_IP CALLEE_PORT CALLER_IP FRONT_PORT NUMBER FROM [CALLER_SCENARIO STATUS]
flow=0
call() {
	flow=$((flow + 1))
	f="$work/f$flow"
	timeout -k 5 60 sipp -sf "$(scenario callee.xml)" -i "$2" -p "$3" -t u1 -m 1 -nostdin \
	    -timeout 20s -timeout_error -trace_msg -message_file "$f-callee.msg" \
	    -trace_err -error_file "$f-callee.err" > /dev/null 2>&1 &
	cpid=$!
	wait_port "$2" "$3" udp
	timeout -k 5 60 sipp -sf "$(scenario "${8:-caller.xml}" "${9:-}")" -i "$4" -p $(($5 + 5)) -t u1 \
	    -m 1 -nostdin -timeout 20s -timeout_error -s "$6" -key caller "$7" -d 100 \
	    -trace_msg -message_file "$f-caller.msg" -trace_err -error_file "$f-caller.err" \
	    "$4:$5" > /dev/null 2>&1
	rc=$?
	if [ -z "${8:-}" ]; then
		wait $cpid || rc=1
	else
		kill $cpid 2>/dev/null
	fi
	[ $rc -eq 0 ] && ok "$1" || not_ok "$1" "$f-caller.err" "$f-callee.err" "$work/sipmed.log"
}
call "inbound over mutual TLS on both legs: gateway -> sipmed -> pool" \
    127.0.0.2 $pool_sipp 127.0.0.3 $gw_udp 1234 5035550100@127.0.0.3
check "the pool's sipp got the call for alice, caller normalized" \
    has "$(received "$work/f$flow-callee.msg" "INVITE ")" "^From: <sip:+15035550100@contoso.com;user=phone>"
check "the caller's ACK and BYE reached the pool's sipp" \
    has "$(received "$work/f$flow-callee.msg" "BYE ")" "^BYE sip:callee@127.0.0.2"
check "the gateway was identified by its certificate" \
    grep -q "INVITE from trunk gw: 127.0.0.1 (TLS certificate for gw1.portland.contoso.com)" \
    "$work/sipmed.log"
check "the pool's Kamailio got the INVITE from sipmed over TLS" \
    grep -q "pool: INVITE from sipmed over TLS" "$work/pool.log"
call "outbound over mutual TLS on both legs: pool -> sipmed -> gateway" \
    127.0.0.3 $gw_sipp 127.0.0.2 $pool_udp 5035550199 alice@contoso.com
inv=$(received "$work/f$flow-callee.msg" "INVITE ")
check "the gateway's sipp got the called number without +" has "$inv" "^INVITE sip:15035550199@"
check "and the CEO's call from the secretary's number" \
    has "$inv" "^From: <sip:9992349000@contoso.com;user=phone>"
check "the pool was identified by its certificate" \
    grep -q "INVITE from the pool: 127.0.0.1 (TLS certificate for pool.contoso.com)" \
    "$work/sipmed.log"
check "the gateway's Kamailio got the INVITE from sipmed over TLS" \
    grep -q "gw: INVITE from sipmed over TLS" "$work/gw.log"
check "trace: messages that crossed TLS are traced decrypted, transport named" \
    grep -q "leg B: sent over tls from 127.0.0.1:[0-9]* to 127.0.0.3:$gw_tls" "$work/trace.txt"
fields=$(tshark -r "$work/trace.pcap" -Y 'sip.Method == "INVITE"' -T fields -e ip.dst \
    -e udp.dstport -e sip.r-uri.user -e sip.from.user 2>/dev/null)
check "trace: the pcap has the INVITE sent to the gateway over TLS, numbers translated" \
    has "$fields" "^127.0.0.3	$gw_tls	15035550199	9992349000$"
check "trace: and the INVITE received from the gateway over TLS" \
    has "$fields" "^127.0.0.1	$port	1234	5035550100$"

# a pool whose certificate names another peer: sipmed reaches the pool by
# its identity (sips:pool.contoso.com;maddr=...), so the handshake fails
# before anything is sent
kill "$(cat "$work/pool.kpid")"
wait "$(cat "$work/pool.kpid")" 2>/dev/null
kamailio_front pool 127.0.0.2 $pool_udp $pool_tls $pool_sipp gw2
wait_log "$work/pool.log" "Server MUST present valid certificate"
wait_port 127.0.0.2 $pool_tls tcp
# (sipmed answers 503; Kamailio, a proxy, forwards it as 500: RFC 3261 16.7)
call "a pool presenting another peer's certificate: the call fails" \
    127.0.0.2 $pool_sipp 127.0.0.3 $gw_udp 1234 5035550100@127.0.0.3 caller_fails.xml.in 500
check "the TLS handshake to the pool was refused: the certificate does not name pool.contoso.com" \
    grep -q "Peer Subject Mismatch (pool.contoso.com)" "$work/sipmed.log"
check "and sipmed logged that the pool could not be reached" \
    grep -q "could not reach sips:pool.contoso.com:$pool_tls;maddr=127.0.0.2" "$work/sipmed.log"
check "the pool's sipp never saw the INVITE" \
    sh -c "! grep -q '^INVITE' '$work/f$flow-callee.msg' 2>/dev/null"
kill "$sipmed_pid" "$(cat "$work/pool.kpid")" "$(cat "$work/gw.kpid")" 2>/dev/null
wait "$sipmed_pid"

# 5. 1,000 TLS connections (handshake, OPTIONS, close) under valgrind
if command -v valgrind > /dev/null; then
	valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	    "$sipmed" -c "$work/sipmed.conf" > "$work/valgrind.log" 2>&1 &
	vg=$!
	wait_log "$work/valgrind.log" "listening on"
	got=$(python3 "$top_srcdir/tests/tls/connections.py" 127.0.0.1 "$port" "$certs" 1000)
	check "1,000 mutual-TLS connections under valgrind, each answered 200 (got ${got:-0})" \
	    [ "${got:-0}" -eq 1000 ]
	kill -TERM $vg
	wait $vg
	vrc=$?
	check "valgrind: no error and nothing definitely lost" \
	    sh -c "[ $vrc -eq 0 ] && grep -q 'definitely lost: 0 bytes' '$work/valgrind.log'"
else
	not_ok "valgrind is missing (Debian package valgrind)"
fi
echo "1..$n"
