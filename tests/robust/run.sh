#!/bin/sh
# Robustness: malformed and hostile SIP over UDP, TCP and TLS, each
# followed by an ordinary call (malformed.py); forged requests inside a
# call's dialog, Contacts and keep-alives (dialog.py); faults: a flood from an
# unknown address, a peer over its request rate, too many connections
# from one address, a TLS handshake trickled a byte at a time, a trunk
# that accepts a connection and never answers, the pool restarting with
# a call up (faults.py and sipp). sipmed runs on tests/robust/sipmed.conf.in;
# the pool is a sipp answering every call. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-28160}
tls_port=$((port + 1))
pool_port=$((port + 10))
gw_port=$((port + 20))
. "$top_srcdir/tests/sipp.sh"
certs="$work/certs"
robust="$top_srcdir/tests/robust"
"$top_srcdir/scripts/make-certs" "$certs" --test > /dev/null || { echo "Bail out! make-certs"; exit 1; }
# py SCRIPT ARGS: a harness; its PASS and FAIL lines become TAP lines
py() {
	script=$1
	shift
	python3 "$robust/$script" "$port" "$tls_port" "$certs" "$@" > "$work/py.out" 2>&1
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) ok "${line#PASS }" ;;
		FAIL\ *) echo "${line#FAIL }" > "$work/why"; not_ok "${line#FAIL }" "$work/why" ;;
		*) echo "# $line" ;;
		esac
	done < "$work/py.out"
}
pool() {
	timeout -k 5 300 sipp -sf "$(scenario callee.xml)" -i 127.0.0.2 -p $pool_port -m 1000 \
	    -nostdin -trace_err -error_file "$work/pool.err" > "$work/pool.out" 2>&1 &
	pool_pid=$!
	pids="$pids $pool_pid"
	wait_port 127.0.0.2 $pool_port udp
}
alive() { check "sipmed is still running ($1)" kill -0 "$sipmed_pid"; }

sed -e "s|@PORT@|$port|; s|@TLS@|$tls_port|; s|@POOL@|$pool_port|; s|@GW@|$gw_port|g" \
    -e "s|@DIR@|$certs|g" "$robust/sipmed.conf.in" > "$work/sipmed.conf"
"$sipmed" -c "$work/sipmed.conf" -v > "$work/sipmed.log" 2>&1 &
sipmed_pid=$!
pids="$pids $sipmed_pid"
i=0
until grep -q "control socket" "$work/sipmed.log" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q "control socket" "$work/sipmed.log" || { echo "Bail out! sipmed did not start"; cat "$work/sipmed.log"; exit 1; }
pool

# 0. the UDP socket's buffers: 4 MB asked for, so that a burst waits for
# sipmed rather than being lost; root gets them, another user at most
# net.core.rmem_max (which the kernel doubles)
rb=$(ss -uamn "sport = :$port" | sed -n 's/.*skmem:(r[0-9]*,rb\([0-9]*\),.*/\1/p' | head -n 1)
if [ "$(id -u)" -eq 0 ]; then
	check "the UDP socket has its 4 MB receive buffer (rb ${rb:-none})" test "${rb:-0}" -ge 4194304
else
	check "the UDP socket has the largest receive buffer allowed (rb ${rb:-none})" \
	    test "${rb:-0}" -ge "$(cat /proc/sys/net/core/rmem_max)"
fi

# answered requests let their transactions go: nta keeps a server
# transaction the application does not destroy for as long as sipmed runs
# (20 OPTIONS over TCP, where nothing is kept for retransmissions)
python3 -c "
import sys; sys.path.insert(0, '$robust')
from sip_client import Target, exchange, request
t = Target($port, $tls_port, '$certs')
print(sum(exchange(t, 'tcp', request()).startswith('SIP/2.0 200') for _ in range(20)))
" > "$work/options.out" 2>&1
i=0
until ctl status | grep -q "^transactions: 0 server" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "20 OPTIONS answered over TCP leave no server transaction behind ($(ctl status | grep '^transactions'))" \
    sh -c "grep -qx 20 '$work/options.out' && $top_builddir/sipmedctl/sipmedctl -s '$work/sipmed.sock' status | grep -q '^transactions: 0 server'"

# 1. malformed and hostile messages
py malformed.py
alive "after the malformed messages"

# 2. faults
py faults.py flood
out=$(ctl stats)
check "stats count the flood's dropped requests" has "$out" "^  dropped (over unknown_peer_rate)  *[0-9]"
py faults.py rate
check "stats count the requests refused over the rate" has "$(ctl stats)" "^  gwlimited  *[0-9]"
py faults.py connections
check "stats count the refused connections" has "$(ctl stats)" "^  over max_connections_per_address  *2$"
check "and the log names the address" grep -q "a connection from 127.0.0.7 refused: it has 4 open" "$work/sipmed.log"
py faults.py trickle
alive "after the faults"

# 3. who may send inside a call's dialog; Contacts; keep-alives
py dialog.py "$work/sipmed.log"
alive "after the forged in-dialog requests"

# a trunk that accepts a TCP connection and never answers: the call
# fails over to the next trunk when the fast-failover timer fires
python3 "$robust/faults.py" "$port" "$tls_port" "$certs" listen 127.0.0.6 $gw_port > "$work/silent.out" 2>&1 &
pids="$pids $!"
i=0
until grep -q listening "$work/silent.out" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
new_flow
callee callee callee.xml 127.0.0.3 $gw_port udp
caller caller caller.xml 127.0.0.2 $((pool_port + 1)) udp 5550001234 alice@contoso.com
rc=$?
flow_ok "a trunk that accepts the connection and goes silent: the call goes out through the next"
check "the log says the silent trunk was given up" grep -q "trunk silent failed (408): failing over" "$work/sipmed.log"

# the pool restarts with a call up: the caller's BYE is still answered,
# and calls after the restart go through
kill "$pool_pid" 2>/dev/null
wait "$pool_pid" 2>/dev/null
new_flow
callee callee callee.xml 127.0.0.2 $pool_port udp
caller caller caller_bye_any.xml 127.0.0.3 $((gw_port + 1)) udp 1234 5035550100 -d 1500 &
caller_pid=$!
wait_call_up
kill "$callee_pid" 2>/dev/null
wait "$callee_pid" 2>/dev/null
wait "$caller_pid"
check "the pool goes away with a call up: the caller's BYE is still answered" test $? -eq 0
check "at once, with 200: the caller does not wait 32 s for the dead pool's 408" \
    sh -c "tr -d '\r' < '$work/f$flow-caller.msg' | grep -A 10 '^SIP/2.0 200' | grep -q '^CSeq: 2 BYE'"
pool
py faults.py call
alive "at the end"
kill "$sipmed_pid" "$pool_pid" 2>/dev/null
wait "$sipmed_pid" 2>/dev/null
echo "1..$n"
