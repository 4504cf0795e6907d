#!/bin/sh
# Live operation, with real sipp peers on the B2BUA tests' deployment
# (tests/sip/b2bua.conf): the message and decision trace (a text file, a
# pcap file read back by tshark and sngrep, HEPv3 received on a UDP port
# and decoded by tshark), trace filters switched at run time, sipmedctl's
# live commands over the control socket and who may use it, hot reload
# while calls run (and a refused one), and the SIGTERM drain. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-27060}
pool_port=$((port + 10))
gw_port=$((port + 20))
hep_port=$((port + 39))
. "$top_srcdir/tests/sipp.sh"
tr=udp
# msgs FLOW...: SIP messages both sipps of each flow sent and received
msgs() {
	for f in "$@"; do cat "$work/f$f-caller.msg" "$work/f$f-callee.msg"; done |
	    grep -c -E "message (sent|received)"
}
pcap_count() { tshark -r "$work/trace.pcap" -Y sip 2>/dev/null | wc -l; }
call_id() { received "$work/f$1-caller.msg" "SIP/2.0 200" | sed -n 's/^Call-ID: *//p' | head -n 1; }
# held_call SCENARIO [sipp args]: the CEO calls out through gw, and the
# call is up; the caller runs in the background ($caller_pid)
held_call() {
	new_flow
	callee callee callee.xml 127.0.0.3 $gw_port $tr
	sc=$1
	shift
	caller caller "$sc" 127.0.0.2 $((pool_port + 1)) $tr 5035550199 alice@contoso.com "$@" &
	caller_pid=$!
	wait_call_up
}
hep() {
	tshark -X lua_script:"$top_srcdir/tests/trace/hep3.lua" -r "$work/hep.pcap" "$@" 2>/dev/null
}

python3 "$top_srcdir/tests/trace/hep_receiver.py" $hep_port "$work/hep.pcap" > "$work/hep.out" 2>&1 &
pids="$pids $!"
i=0
until grep -q listening "$work/hep.out" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q listening "$work/hep.out" || { echo "# the HEP receiver did not start"; cat "$work/hep.out"; exit 1; }
CONF_EXTRA="trace = { messages = true; decisions = true; text_file = \"trace.txt\";
  pcap_file = \"trace.pcap\"; hep_address = \"udp:127.0.0.1:$hep_port\"; hep_capture_id = 2042; };"
start_sipmed udp || exit 1

# 1. tracing from the configuration: an inbound call, and the CEO's call out
inbound callee.xml caller.xml "traced: an inbound call to alice completes"
in_flow=$flow
outbound callee.xml caller.xml "traced: the CEO's call out through gw completes"
out_flow=$flow
total=$(msgs $in_flow $out_flow)
# the pcap is written as messages cross: wait until the last is in it
i=0
until [ "$(pcap_count)" -ge "$total" ] || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "pcap: tshark reads every message that crossed sipmed as SIP ($total)" \
    test "$(pcap_count)" -eq "$total"
fields=$(tshark -r "$work/trace.pcap" -Y 'sip.Method == "INVITE"' -T fields -e ip.dst \
    -e sip.r-uri.user -e sip.from.user 2>/dev/null)
check "pcap: the INVITE to the gateway carries the translated numbers (strip plus, CEO as secretary)" \
    has "$fields" "^127.0.0.3	15035550199	9992349000$"
check "pcap: the INVITE to the pool carries the normalized calling number" \
    has "$fields" "^127.0.0.2	alice	+15035550100$"
check "pcap: both legs of both calls (4 Call-IDs)" test "$(tshark -r "$work/trace.pcap" \
    -T fields -e sip.Call-ID 2>/dev/null | sort -u | wc -l)" -eq 4
timeout 10 sngrep -N -q -I "$work/trace.pcap" -O "$work/sngrep.pcap" > /dev/null 2>&1
check "pcap: sngrep opens it and finds every message" test "$(tshark -r "$work/sngrep.pcap" \
    -Y sip 2>/dev/null | wc -l)" -eq "$total"

cid=$(call_id $out_flow)
txt=$(cat "$work/trace.txt")
check "text: the A leg's messages are named by the call" has "$txt" "call $cid leg A: received over udp from 127.0.0.2:"
check "text: so are the B leg's, under the A leg's Call-ID" has "$txt" "call $cid leg B: sent over udp from 127.0.0.1:$port to 127.0.0.3:$gw_port"
check "decision: the dial plan rule with input and output" \
    has "$txt" "call $cid: decision: dialed number: dial plan \"Global\" rule \"10digit\": 5035550199 -> +15035550199"
check "decision: the route and trunk chosen" has "$txt" "call $cid: decision: routing: route \"all\", trunk \"gw\""
check "decision: the trunk's calling-number rule" \
    has "$txt" "call $cid: decision: trunk \"gw\": calling number rule \"CEO as secretary\": +15033121234 -> 9992349000"
check "decision: the outcome" has "$txt" "call $cid: decision: outcome: answered (200)"
check "decision: the end" has "$txt" "call $cid: decision: call ended: caller hung up"
icid=$(call_id $in_flow)
check "decision: an inbound call's reverse number lookup" \
    has "$txt" "call $icid: decision: reverse number lookup: +15033121234 is sip:alice@contoso.com"

check "HEP: tshark decodes every message as HEPv3 with SIP inside ($total)" \
    test "$(hep -Y 'hep3.proto_type == 1 && sip' | wc -l)" -eq "$total"
check "HEP: no malformed packet" test "$(hep -Y hep3.bad | wc -l)" -eq 0
hfields=$(hep -Y 'hep3.proto_type == 1' -T fields -e hep3.capture_id -e hep3.correlation_id \
    -e hep3.src_ip -e hep3.dst_port -e sip.r-uri.user -e sip.from.user)
check "HEP: the B leg's INVITE, correlated to the A leg, capture id 2042" \
    has "$hfields" "^2042	$cid	127.0.0.1	$gw_port	15035550199	9992349000$"
check "HEP: decision steps as logs (type 100), correlated" \
    has "$(hep -Y 'hep3.proto_type == 100' -T fields -e hep3.correlation_id -e hep3.payload)" \
    "^$cid	trunk \"gw\": calling number rule \"CEO as secretary\""

# 2. sipmedctl's live commands
out=$(ctl status)
check "status: running, with the configuration and the trace" sh -c \
    "printf '%s\n' \"\$1\" | grep -q '^state: running' && printf '%s\n' \"\$1\" | grep -q '^trace: messages and decisions, all calls'" \
    - "$out"
check "status: resident memory and the heap in use" has "$out" \
    "^memory: [0-9][0-9]* KB resident, [0-9][0-9]* KB of heap in use$"
refused 410 "a call to a former staff number: 410" 5033128123 5035550100
out=$(ctl stats)
check "stats: answered and failed calls" sh -c "printf '%s\n' \"\$1\" | grep -q '^  answered  *2$' &&
    printf '%s\n' \"\$1\" | grep -q '^  failed  *1$'" - "$out"
check "stats: failures by trunk and by status" sh -c "printf '%s\n' \"\$1\" | grep -q '^  gw  *1$' &&
    printf '%s\n' \"\$1\" | grep -q '^  410  *1$'" - "$out"
check "stats: rule hits" has "$out" "trunk \"gw\" calling rule \"CEO as secretary\"  *1$"
ctl trunks > "$work/out"
check "trunks: the pool and every trunk" sh -c "grep -q '^pool ' '$work/out' && grep -q '^trunk gw2 ' '$work/out'"
held_call caller.xml -d 1500
out=$(ctl calls)
check "calls: an active call with both legs" sh -c "printf '%s\n' \"\$1\" | grep -q '^  A leg: from the pool, called 5035550199, calling sip:alice@contoso.com' &&
    printf '%s\n' \"\$1\" | grep -q '^  B leg: to trunk \"gw\", sip:15035550199@127.0.0.3'" - "$out"
wait $caller_pid
rc=$?
flow_ok "the call listed ends normally"
ctl frobnicate > /dev/null 2>&1
check "an unknown command is a usage error (2)" test $? -eq 2
"$top_builddir/sipmedctl/sipmedctl" -s "$work/nowhere.sock" status > /dev/null 2> "$work/err"
check "no sipmed at the socket: exit 3, said so" sh -c "test $? -eq 3 && grep -q 'cannot reach sipmed' '$work/err'"
out=$("$top_builddir/sipmedctl/sipmedctl" help)
check "help lists the live commands" sh -c "for c in status stats calls trunks reload trace; do
    printf '%s\n' \"\$1\" | grep -q \"^  \$c \" || exit 1; done" - "$out"
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null; then
	chmod 755 "$work"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	as_nobody "$top_builddir/sipmedctl/sipmedctl" -s "$work/sipmed.sock" status > /dev/null 2> "$work/err"
	check "the socket (mode 0600) keeps other users out" sh -c "test $? -eq 3 && grep -q 'Permission denied' '$work/err'"
	chmod 666 "$work/sipmed.sock"
	as_nobody "$top_builddir/sipmedctl/sipmedctl" -s "$work/sipmed.sock" status > /dev/null 2> "$work/err"
	rc=$?
	check "through an open socket file, sipmed checks the caller itself and refuses" \
	    sh -c "test $rc -eq 2 && grep -q 'permission denied' '$work/err' && grep -q 'control: uid 65534' '$work/sipmed.log'"
	chmod 600 "$work/sipmed.sock"
	chmod 700 "$work"
else
	ok "# SKIP not root: cannot act as another user"
	ok "# SKIP not root: cannot act as another user"
fi

# 3. filters at run time
ctl trace stop > "$work/out"
check "trace stop" grep -q "^trace: off" "$work/out"
before=$(pcap_count)
inbound callee.xml caller.xml "an untraced call completes"
check "trace stop: nothing more is written" test "$(pcap_count)" -eq "$before"
ctl trace start 'number=+150331256*' > "$work/out"
check "trace start with a number prefix" grep -q "number=+150331256\*" "$work/out"
NUM=5678 inbound callee.xml caller.xml "a call to bob (+15033125678) completes"
bob=$flow
inbound callee.xml caller.xml "a call to alice completes"
alice=$flow
txt=$(cat "$work/trace.txt")
check "number filter: bob's call is traced, by its normalized number" has "$txt" "call $(call_id $bob) leg B: received"
check "number filter: alice's call is not" lacks "$txt" "$(call_id $alice)"
check "number filter: the pcap grew by bob's call's messages only" \
    test "$(pcap_count)" -eq $((before + $(msgs $bob)))
ctl trace start call-id=trace-me@127.0.0.3 trunk=nosuch > /dev/null
inbound callee.xml caller.xml "a call with a chosen Call-ID completes" -cid_str trace-me@%s
check "call-id filter: that call is traced" grep -q "call trace-me@127.0.0.3 leg A: received" "$work/trace.txt"
ctl trace start trunk=gw > /dev/null
before=$(pcap_count)
outbound callee.xml caller.xml "a call out through gw completes"
check "trunk filter: calls through gw are traced" test "$(pcap_count)" -eq $((before + $(msgs $flow)))
ctl trace start pcap="$work/live.pcap" text="$work/live.txt" number=5678 > "$work/out"
check "outputs chosen at run time" grep -q "^trace outputs: text $work/live.txt pcap $work/live.pcap$" "$work/out"
NUM=5678 inbound callee.xml caller.xml "a call traced to them completes"
check "the run-time pcap has that call's messages" \
    test "$(tshark -r "$work/live.pcap" -Y sip 2>/dev/null | wc -l)" -eq "$(msgs $flow)"
check "the run-time text trace names the call" grep -q "call $(call_id $flow) leg A: received" "$work/live.txt"
ctl trace stop > /dev/null
ctl trace start > "$work/out"
check "trace stop: the configuration's outputs again" grep -q "^trace outputs: text $work/trace.txt pcap" "$work/out"
ctl trace start pcap=relative.pcap > "$work/out" 2>&1
check "a run-time file must be an absolute path (2)" sh -c "test $? -eq 2 && grep -q 'absolute path' '$work/out'"
ctl trace start text=/nonexistent/dir/x.txt > "$work/out" 2>&1
check "a run-time file that cannot be opened: said, exit 1" sh -c "test $? -eq 1 && grep -q 'cannot open text_file /nonexistent/dir/x.txt' '$work/out'"
ctl trace stop > /dev/null
ctl trace start trunk=gw > /dev/null
ctl trace start colour=red > "$work/out" 2>&1
check "an unknown filter is refused (2) and named" sh -c "test $? -eq 2 && grep -q 'unknown filter \"colour=red\"' '$work/out'"

# 4. reload while calls run: 60 calls at 20 a second, 1 s each; the CEO's
# presented number changes halfway
new_flow
callee load callee.xml 127.0.0.3 $gw_port $tr -m 60
load_callee=$callee_pid
s=$(scenario caller.xml)
timeout -k 5 60 sipp -sf "$s" -i 127.0.0.2 -p $((pool_port + 1)) -t u1 -m 60 -r 20 -nostdin \
    -timeout 30s -timeout_error -s 5035550199 -key caller alice@contoso.com -d 1000 \
    -trace_err -error_file "$work/load.err" 127.0.0.1:$port > "$work/load.out" 2>&1 &
load_caller=$!
# halfway: 20 of the 60 calls have begun
i=0
until [ "$(ctl status | sed -n 's/.*, \([0-9]*\) since start$/\1/p')" -ge 20 ] 2>/dev/null ||
    [ $i -gt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
sed -i 's/translation = "9992349000"/translation = "9992349111"/' "$work/sipmed.conf"
ctl reload > "$work/out" 2>&1
check "reload: accepted while calls are up" sh -c "test $? -eq 0 && grep -q '^configuration ' '$work/out'"
wait $load_caller
rc=$?
wait $load_callee
crc=$?
check "reload: zero failed calls (60 calls, both sipps)" test "$rc" -eq 0 -a "$crc" -eq 0
# the calling number of each INVITE, in the order the gateway got them
froms=$(tr -d '\r' < "$work/f$flow-load.msg" | awk '/^INVITE / { i = 1 } i && /^From:/ { print; i = 0 }' |
    sed 's/^From: <sip:\([0-9]*\)@.*/\1/')
check "reload: calls before it show the old number" has "$froms" "^9992349000$"
check "reload: calls after it show the new one" has "$froms" "^9992349111$"
check "reload: no call after the first new one uses the old rules" \
    sh -c "printf '%s\n' \"\$1\" | sed -n '/9992349111/,\$p' | grep -qv 9992349111 && exit 1 || exit 0" - "$froms"
echo 'bogus_group = 1;' >> "$work/sipmed.conf"
line=$(wc -l < "$work/sipmed.conf")
ctl reload > "$work/out" 2> "$work/err"
rc=$?
check "a bad configuration: reload refused (1)" test $rc -eq 1
check "with its FILE:LINE: error" grep -q "^$work/sipmed.conf:$line: unknown top-level setting \"bogus_group\"" "$work/err"
check "and word that the running one stays" grep -q "refused: the running configuration stays" "$work/err"
outbound callee.xml caller.xml "after a refused reload, calls go on"
check "on the configuration loaded before" grep -q '^From: <sip:9992349111@' "$work/f$flow-callee.msg"
sed -i '$d' "$work/sipmed.conf"
kill -HUP "$sipmed_pid"
i=0
until [ "$(grep -c '^sipmed: configuration ' "$work/sipmed.log")" -ge 3 ] || [ $i -gt 40 ]; do sleep 0.05; i=$((i + 1)); done
check "SIGHUP reloads too" test "$(grep -c '^sipmed: configuration ' "$work/sipmed.log")" -ge 3
# a reload asked for while another runs (50,000 more rules: some 300 ms)
"$top_srcdir/tests/bench/gen_plan.sh" 50000 | sed -n '/^{ name = "/p' > "$work/rules"
cp "$work/sipmed.conf" "$work/small.conf"
awk -v rules="$work/rules" '!/"11digit"/ { print; next }
    { print $0 ","; while ((getline l < rules) > 0) print l }' "$work/small.conf" > "$work/sipmed.conf"
reloads=$(grep -c "control: reload by" "$work/sipmed.log")
ctl reload > "$work/out1" 2>&1 &
first=$!
wait_log "$work/sipmed.log" "control: reload by" "$reloads"
ctl reload > "$work/out2" 2>&1
rc=$?
wait $first
rc1=$?
check "a reload while another runs: refused (1)" sh -c "test $rc -eq 1 && grep -q 'in progress' '$work/out2'"
check "and the one running completes (50,003 rules)" sh -c \
    "test $rc1 -eq 0 && grep -q '(50003 rules)' '$work/out1'"
check "its answer says how long loading took" grep -q "^loaded in [0-9]* ms$" "$work/out1"
cp "$work/small.conf" "$work/sipmed.conf"
ctl reload > /dev/null 2>&1

# 5. SIGTERM: calls in progress finish, new ones are refused, then sipmed exits
held_call caller.xml -d 1500
stops=$(grep -c "stopping: no new calls" "$work/sipmed.log")
kill -TERM "$sipmed_pid"
wait_log "$work/sipmed.log" "stopping: no new calls" "$stops"
keep=$flow
refused 503 "draining: a new call gets 503" 1234 5035550100
new_flow
caller caller options.xml.in:503 127.0.0.3 $((gw_port + 1)) udp x x
check "draining: the gateway's OPTIONS get 503 (route elsewhere)" test $? -eq 0
wait $caller_pid
rc=$?
flow=$keep
flow_ok "draining: the call in progress ends normally"
i=0
while kill -0 "$sipmed_pid" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
check "and sipmed then exits with no call left" sh -c "! kill -0 $sipmed_pid 2>/dev/null &&
    grep -q 'stopping: 0 calls active' '$work/sipmed.log'"
wait "$sipmed_pid" 2>/dev/null

start_sipmed udp || exit 1
held_call caller_hung_up.xml
kill -TERM "$sipmed_pid"
wait $caller_pid
rc=$?
flow_ok "drain_timeout (3 s): a call still up is ended with BYE on both legs"
check "the caller is told why" has "$(received "$work/f$flow-caller.msg" "BYE ")" \
    '^Reason: SIP;cause=503;text="sipmed is stopping"'
check "and the log says the limit was reached" grep -q "drain_timeout reached: ending 1 call" "$work/sipmed.log"
wait "$sipmed_pid" 2>/dev/null

# A caller that is gone: sipmed's BYE to it comes back as an ICMP port
# unreachable, pending on the socket when the callee's BYE is sent right
# after it. That BYE must still go out (sofia-sip: sipmed-udp-io.patch).
start_sipmed udp || exit 1
held_call caller_vanishes.xml
wait $caller_pid
rc=$?
kill -TERM "$sipmed_pid"
flow_ok "drain_timeout with the caller gone: the callee still gets its BYE"
wait "$sipmed_pid" 2>/dev/null

start_sipmed udp || exit 1
held_call caller_hung_up.xml
stops=$(grep -c "stopping: no new calls" "$work/sipmed.log")
kill -TERM "$sipmed_pid"
wait_log "$work/sipmed.log" "stopping: no new calls" "$stops"	# the first signal is taken
kill -TERM "$sipmed_pid"
wait $caller_pid
rc=$?
flow_ok "a second SIGTERM ends the calls at once"
check "and the log says so" grep -q "stopping at once: a second signal" "$work/sipmed.log"
wait "$sipmed_pid" 2>/dev/null
check "the control socket file is removed at exit" test ! -e "$work/sipmed.sock"
echo "1..$n"
