#!/bin/sh
# B2BUA call flows with real sipp peers over real sockets on loopback:
# sipmed on 127.0.0.1, the pool (a sipp) on 127.0.0.2, the gateway (a
# sipp) on 127.0.0.3, each flow over UDP and TCP. Every test checks that
# both sipps completed their scenario and asserts on what each received,
# read from their message traces. TAP output.
# SIPMED_TEST_KEEP=1 keeps the traces; SIPMED_TEST_TRANSPORTS picks transports
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-25060}
pool_port=$((port + 10))
gw_port=$((port + 20))
. "$top_srcdir/tests/sipp.sh"

for tr in ${SIPMED_TEST_TRANSPORTS:-udp tcp}; do
	start_sipmed $tr || exit 1
	[ $tr = tcp ] && pool_uri_tp=";transport=tcp" || pool_uri_tp=""

	# inbound: gateway -> pool, 180, 183 with SDP, 200 with a multipart body
	inbound callee.xml caller.xml "inbound call: 180, 183 with SDP, 200, ACK, BYE from the caller"
	inv=$(received "$work/f$flow-callee.msg" "INVITE ")
	check "$tr: the pool got the user's URI as Request-URI" has "$inv" "^INVITE sip:alice@contoso.com SIP/2.0"
	check "$tr: the pool saw the caller normalized to E.164" has "$inv" "^From: <sip:+15035550100@contoso.com;user=phone>"
	check "$tr: Max-Forwards decremented" has "$inv" "^Max-Forwards: 69"
	check "$tr: Subject and Allow crossed" has "$inv" "^Subject: sipmed test call"
	check "$tr: X-Secret did not cross" lacks "$inv" "X-Secret"
	check "$tr: Supported crossed, 100rel included" has "$inv" "^Supported: 100rel, timer$"
	check "$tr: nothing of the caller's Via, Contact or Call-ID leaked" \
	    lacks "$inv" "127.0.0.3:$((gw_port + 1))"
	a=$(sent "$work/f$flow-caller.msg" "INVITE " | body)
	b=$(printf '%s\n' "$inv" | body)
	check "$tr: the offer reached the pool byte for byte" [ "$a" = "$b" ]
	a=$(sent "$work/f$flow-callee.msg" "SIP/2.0 200" | body)
	b=$(received "$work/f$flow-caller.msg" "SIP/2.0 200" | body)
	check "$tr: the multipart answer reached the caller byte for byte" [ -n "$a" -a "$a" = "$b" ]
	a=$(sent "$work/f$flow-callee.msg" "SIP/2.0 183" | body)
	b=$(received "$work/f$flow-caller.msg" "SIP/2.0 183" | body)
	check "$tr: the early-media SDP of the 183 reached the caller" [ -n "$a" -a "$a" = "$b" ]
	ans=$(received "$work/f$flow-caller.msg" "SIP/2.0 200")
	check "$tr: the answer's own headers did not cross" lacks "$ans" "X-Callee-Secret"
	# each leg's Contact names its transport: in-dialog requests come back over it
	[ $tr = tcp ] && ct=";transport=tcp" || ct=""
	check "$tr: the caller got sipmed's Contact for its leg, <sip:127.0.0.1:$port$ct>" \
	    has "$ans" "^Contact: <sip:127.0.0.1:$port$ct>"
	check "$tr: the pool got sipmed's Contact for its leg, <sip:127.0.0.1:$port$ct>" \
	    has "$inv" "^Contact: <sip:127.0.0.1:$port$ct>"
	check "$tr: the caller got multipart Content-Type with its boundary" \
	    has "$ans" "^Content-Type: multipart/mixed;boundary=sipmed-boundary"

	# outbound: pool -> gateway, strip plus by the trunk's default rule
	outbound callee.xml caller.xml "outbound call from a user to the PSTN"
	inv=$(received "$work/f$flow-callee.msg" "INVITE ")
	check "$tr: the gateway got the called number without +" \
	    has "$inv" "^INVITE sip:15035550199@127.0.0.3:$gw_port;user=phone SIP/2.0"
	check "$tr: the gateway saw the CEO's call from the secretary's number" \
	    has "$inv" "^From: <sip:9992349000@contoso.com;user=phone>"

	# late offer: the answer is in the ACK, and a resent ACK carries it again
	inbound callee_late.xml caller_late.xml "late offer: the answer in the ACK reaches the callee, also when the 200 is resent"

	# the caller hangs up before its ACK: the callee's 200 still gets one
	inbound callee.xml caller_bye_before_ack.xml "a BYE before the caller's ACK: the callee's 200 is ACKed, then the BYE"

	# capabilities: only what sipmed carries crosses
	SUPPORTED="100rel, timer, replaces, outbound, gruu" \
	    inbound callee.xml caller.xml "a caller offering replaces, outbound and gruu"
	inv=$(received "$work/f$flow-callee.msg" "INVITE ")
	check "$tr: Supported crossed with 100rel and timer only" has "$inv" "^Supported: 100rel, timer$"
	check "$tr: Allow crossed without methods sipmed does not take" \
	    has "$inv" "^Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE$"

	# BYE from the callee
	inbound callee_hangs_up.xml caller_hung_up.xml "the callee hangs up: BYE relayed to the caller"

	# CANCEL before the answer
	inbound callee_cancel.xml caller_cancel.xml "CANCEL while ringing: 487 to the caller, CANCEL on the B leg"

	# the callee's 200 crosses sipmed's CANCEL: ACKed and released with BYE
	inbound callee_cancel_crosses.xml caller_cancel.xml "a 200 crossing the CANCEL: 487 to the caller, the 200 ACKed and released"
	check "$tr: the released answer's BYE says why" \
	    has "$(received "$work/f$flow-callee.msg" "BYE ")" '^Reason: SIP;cause=487'

	# a callee that vanishes mid-call (TCP: its connection and port close)
	if [ $tr = tcp ]; then
		inbound callee_vanishes.xml caller_peer_lost.xml "the callee vanishes: the caller's re-INVITE fails and the caller gets a BYE"
		check "$tr: that BYE says the other party is unreachable" \
		    has "$(received "$work/f$flow-caller.msg" "BYE ")" '^Reason: SIP;cause=503;text="The other party is unreachable"'
	fi

	# errors from the B side are answered to the A side
	for st in 302 404 486 503 603; do
		inbound callee_rejects.xml.in:$st caller_fails.xml.in:$st "$st from the callee reaches the caller"
	done
	rsp=$(received "$work/f$flow-caller.msg" "SIP/2.0 603")
	check "$tr: the Reason (Q.850 cause) crossed with the failure" has "$rsp" "^Reason: Q.850;cause=17"

	# in-dialog: re-INVITE (hold), INFO, UPDATE and OPTIONS from the callee
	inbound callee_dialog.xml caller_dialog.xml "re-INVITE, INFO, UPDATE and OPTIONS relayed inside the dialog"
	check "$tr: the hold offer (sendonly) reached the callee" \
	    grep -q "a=sendonly" "$work/f$flow-callee.msg"
	check "$tr: the callee's UPDATE reached the caller with its SDP" \
	    has "$(received "$work/f$flow-caller.msg" "UPDATE ")" "a=sendrecv"
	check "$tr: the DTMF INFO body crossed" has "$(received "$work/f$flow-callee.msg" "INFO ")" "Signal=5"
	check "$tr: the callee's new Contact in its re-INVITE answer became the target" \
	    has "$(received "$work/f$flow-callee.msg" "INFO ")" "^INFO sip:moved@"
	check "$tr: the Contact of the callee's own UPDATE refreshed it again" \
	    has "$(received "$work/f$flow-callee.msg" "BYE ")" "^BYE sip:callee@"
	check "$tr: the caller's new Contact in its UPDATE answer became the target" \
	    has "$(received "$work/f$flow-caller.msg" "OPTIONS ")" "^OPTIONS sip:caller-moved@"

	# the same in-dialog flows and 100rel the other way: pool -> gateway
	outbound callee_dialog.xml caller_dialog.xml "outbound: re-INVITE, INFO, UPDATE and OPTIONS relayed inside the dialog"
	outbound callee_reliable.xml caller_100rel.xml "outbound: reliable 18x from two forks, PRACKed end to end"

	# 100rel end to end: reliable 18x from two forks, each PRACKed by the caller
	inbound callee_reliable.xml caller_100rel.xml "reliable 183 and 180 from two forks, PRACKed end to end"
	check "$tr: Require: 100rel crossed to the callee" \
	    has "$(received "$work/f$flow-callee.msg" "INVITE ")" "^Require: 100rel"
	pr=$(received "$work/f$flow-callee.msg" "PRACK ")
	check "$tr: the first PRACK went to the first fork with its own RSeq" \
	    has "$pr" "^RAck: 4711 [0-9]* INVITE"
	check "$tr: the caller's PRACK body reached the callee" has "$pr" "^prack body 100rel$"
	check "$tr: the caller saw sipmed's RSeq, not the callee's" \
	    lacks "$(received "$work/f$flow-caller.msg" "SIP/2.0 183")" "^RSeq: 4711"
	check "$tr: the BYE went to the fork that answered" \
	    has "$(received "$work/f$flow-callee.msg" "BYE ")" "^To: .*;tag=fork2-"

	# a caller without 100rel: sipmed PRACKs the callee itself
	SUPPORTED=timer inbound callee_reliable.xml caller.xml "a caller without 100rel: sipmed PRACKs the callee itself"
	r183=$(received "$work/f$flow-caller.msg" "SIP/2.0 183")
	check "$tr: the caller got the 183 without Require: 100rel" lacks "$r183" "^Require: 100rel"
	check "$tr: and without RSeq" lacks "$r183" "^RSeq:"
	check "$tr: the callee's PRACK from sipmed has no body" \
	    has "$(received "$work/f$flow-callee.msg" "PRACK ")" "^Content-Length: 0"

	# forked early dialogs: the one that answers gets the ACK and the BYE
	inbound callee_forks.xml caller.xml "two early dialogs from a forking callee, then one answer"
	check "$tr: the ACK went to the fork that answered" \
	    has "$(received "$work/f$flow-callee.msg" "ACK ")" "^To: .*;tag=fork2-"
	check "$tr: so did the BYE" has "$(received "$work/f$flow-callee.msg" "BYE ")" "^To: .*;tag=fork2-"

	# two forks answer: the second gets ACK and BYE from sipmed
	inbound callee_two_answers.xml caller.xml "a second fork that answers is ACKed and released with BYE" -d 500
	check "$tr: that BYE went to the second fork" \
	    has "$(received "$work/f$flow-callee.msg" "BYE ")" "^To: .*;tag=fork2-"

	# REFER from the pool to a gateway that supports it, NOTIFY back
	inbound callee_refers.xml.in:202 caller_referred.xml "REFER relayed to the gateway, 202 and NOTIFY relayed back"
	check "$tr: Refer-To crossed" has "$(received "$work/f$flow-caller.msg" "REFER ")" \
	    "^Refer-To: <sip:bob@contoso.com>"
	check "$tr: the NOTIFY's sipfrag crossed" \
	    has "$(received "$work/f$flow-callee.msg" "NOTIFY ")" "^SIP/2.0 200 OK"

	# re-INVITE glare: 491 relayed
	inbound callee_glare.xml caller_glare.xml "491 to a re-INVITE is relayed"

	# a BYE that crosses a re-INVITE
	inbound callee_bye_crosses.xml caller_bye_crosses.xml "a BYE crossing a re-INVITE: the re-INVITE ends 487, then the BYE"

	# no final answer: the INVITE timer (4 s in the test configuration)
	inbound callee_silent.xml caller_fails.xml.in:408 "a callee that never answers: 408 to the caller, CANCEL to it"

	stop_sipmed
	check "$tr: no call object is left behind" grep -q "stopping: 0 calls active" "$work/sipmed.log"
done

# requests sipmed answers itself (UDP)
start_sipmed udp || exit 1
flow=$((flow + 1))
caller caller options.xml.in:200 127.0.0.3 $((gw_port + 1)) udp x x
rc=$?
callee_pid=$(sh -c 'echo $$')	# nothing to wait for
if [ $rc -eq 0 ] && has "$(received "$work/f$flow-caller.msg" "SIP/2.0 200")" "^Allow: .*INVITE"; then
	ok "OPTIONS outside a dialog: 200 with Allow, from sipmed itself"
else
	not_ok "OPTIONS outside a dialog" "$work/f$flow-caller.err"
fi
check "the OPTIONS answer lists Supported" has "$(received "$work/f$flow-caller.msg" "SIP/2.0 200")" "^Supported: "

MAXFWD=0 refused 483 "Max-Forwards 0: 483" 1234 5035550100
refused 403 "an INVITE from an unknown address: 403" 1234 5035550100 127.0.0.9
check "the refusal is logged with the address" grep -q "from 127.0.0.9, which is no configured peer" "$work/sipmed.log"
refused 404 "a number no rule matches: 404" 12 5035550100
check "the 404 is Lync's, with ms-diagnostics 14010 naming the gateway's dial plan" has "$rsp" \
    "^ms-diagnostics: 14010;reason=\"Unable to find an exact match in the rules set\";CalledNumber=\"12\";ProfileName=\"Global\""

# number handling: which user each inbound number reaches (UDP)
tr=udp

# a caller that never ACKs the answer: after 64*T1 (32 s) both legs get a BYE
# (the callee resends its 200 from 2 s on, so that it outlasts sipmed's 32 s)
RETRANS=2000 callee callee callee.xml 127.0.0.2 $pool_port udp -timeout 50s
caller caller caller_no_ack.xml 127.0.0.3 $((gw_port + 1)) udp 1234 5035550100 -timeout 50s
rc=$?
flow_ok "a caller that never ACKs: its BYE after 32 s, the callee ACKed and released"
check "the caller's BYE says why" has "$(received "$work/f$flow-caller.msg" "BYE ")" \
    '^Reason: SIP;cause=408;text="No ACK for the answer"'
check "the callee got an ACK, then a BYE saying why" \
    has "$(received "$work/f$flow-callee.msg" "BYE ")" '^Reason: SIP;cause=408'
pool_got() { received "$work/f$flow-callee.msg" "INVITE "; }
NUM=5033125678 inbound callee.xml caller.xml "inbound 10 digits, 5033125678"
check "udp: it reached bob" has "$(pool_got)" "^INVITE sip:bob@contoso.com SIP/2.0"
NUM=15033121234 inbound callee.xml caller.xml "inbound 11 digits, 15033121234"
check "udp: it reached alice" has "$(pool_got)" "^INVITE sip:alice@contoso.com SIP/2.0"
RURI="tel:+15033125678" inbound callee.xml caller.xml "inbound tel:+15033125678, already E.164"
check "udp: it reached bob" has "$(pool_got)" "^INVITE sip:bob@contoso.com SIP/2.0"
RURI="sip:5678;phone-context=Global@127.0.0.1:$port;user=phone" \
    inbound callee.xml caller.xml "inbound 5678 with phone-context and user=phone"
check "udp: it reached bob" has "$(pool_got)" "^INVITE sip:bob@contoso.com SIP/2.0"
RURI="sip:+15033127000;ext=7002@127.0.0.1:$port;user=phone" \
    inbound callee.xml caller.xml "inbound +15033127000;ext=7002"
check "udp: the extension picked sales2" has "$(pool_got)" "^INVITE sip:sales2@contoso.com SIP/2.0"
NUM=7000 inbound callee.xml caller.xml "inbound 7000, a base number two LineURIs share"
check "udp: ambiguous, so the unassigned range sent it to reception" \
    has "$(pool_got)" "^INVITE sip:reception@contoso.com SIP/2.0"
refused 404 "an unassigned number no range holds: 404" 1999 5035550100
refused 410 "a number in the former-staff range: the range's 410" 8123 5035550100
check "with the range's reason phrase" has "$rsp" "^SIP/2.0 410 Number Changed"

# identities: the gateway's PAI, privacy, both ways
HDRS="P-Asserted-Identity: <sip:5035550111@127.0.0.3;user=phone>" \
    inbound callee.xml caller.xml "inbound with a P-Asserted-Identity from a trusted gateway"
inv=$(pool_got)
check "udp: the PAI number, normalized, is the caller the pool sees" \
    has "$inv" "^From: <sip:+15035550111@contoso.com;user=phone>"
check "udp: and sipmed asserts it in its own PAI" \
    has "$inv" "^P-Asserted-Identity: <sip:+15035550111@contoso.com;user=phone>"
FROM=anonymous@anonymous.invalid HDRS="P-Asserted-Identity: <sip:5035550111@127.0.0.3>|Privacy: id" \
    inbound callee.xml caller.xml "inbound from a caller who withholds the number"
inv=$(pool_got)
check "udp: the pool sees an anonymous From" \
    has "$inv" '^From: "Anonymous" <sip:anonymous@anonymous.invalid>'
check "udp: the number only in PAI" has "$inv" "^P-Asserted-Identity: <sip:+15035550111@contoso.com;user=phone>"
check "udp: and Privacy: id crossed" has "$inv" "^Privacy: id"
FROM=bob@contoso.com outbound callee.xml caller.xml "outbound: a colleague calls 10 digits"
inv=$(received "$work/f$flow-callee.msg" "INVITE ")
check "udp: the gateway got the called number without +" \
    has "$inv" "^INVITE sip:15035550199@127.0.0.3:$gw_port;user=phone SIP/2.0"
check "udp: the colleague's call shows the colleague's own number" \
    has "$inv" "^From: <sip:15033125678@contoso.com;user=phone>"
check "udp: PAI to a forward_pai trunk carries the translated number" \
    has "$inv" "^P-Asserted-Identity: <sip:15033125678@contoso.com;user=phone>"
HDRS="Privacy: id" outbound callee.xml caller.xml "outbound: the CEO withholds the number"
inv=$(received "$work/f$flow-callee.msg" "INVITE ")
check "udp: the gateway sees an anonymous From" \
    has "$inv" '^From: "Anonymous" <sip:anonymous@anonymous.invalid>'
check "udp: the number, translated, only in PAI, with Privacy: id" \
    has "$inv" "^P-Asserted-Identity: <sip:9992349000@contoso.com;user=phone>"
check "udp: Privacy: id crossed" has "$inv" "^Privacy: id"
flow=$((flow + 1))
callee callee callee.xml 127.0.0.2 $pool_port udp
caller caller caller.xml 127.0.0.2 $((pool_port + 1)) udp 5678 alice@contoso.com
rc=$?
flow_ok "outbound: alice dials bob's 5678"
check "udp: the call stayed internal: back to the pool, to bob" \
    has "$(pool_got)" "^INVITE sip:bob@contoso.com SIP/2.0"
refused 403 "outbound from a caller who is no configured user: 403" 5035550199 \
    mallory@contoso.com 127.0.0.2 $((pool_port + 1))

# round robin: route "tollfree" has gw and gw2; two calls, one on each
callee gw callee.xml 127.0.0.3 $gw_port udp
gw_pid=$callee_pid
callee callee callee.xml 127.0.0.4 $gw_port udp
caller caller caller.xml 127.0.0.2 $((pool_port + 1)) udp 8005550100 alice@contoso.com -m 2
rc=$?
wait "$gw_pid" || rc=1
flow_ok "two calls to a route with two trunks: each trunk takes one"
check "the first trunk got its call" has "$(received "$work/f$((flow - 1))-gw.msg" "INVITE ")" "^INVITE sip:18005550100@127.0.0.3"
check "the second trunk got the other" has "$(received "$work/f$flow-callee.msg" "INVITE ")" "^INVITE sip:18005550100@127.0.0.4"
stop_sipmed

# pool health: the pool answers its OPTIONS pings 503 and is marked down
POOL_FLAGS="options_interval = 1; options_misses = 1;" start_sipmed udp || exit 1
callee pool options_503.xml 127.0.0.2 $pool_port udp -m 2
pool_pid=$callee_pid
i=0
until grep -q "pool is down" "$work/sipmed.log" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a pool whose OPTIONS ping fails is marked down" grep -q "pool is down" "$work/sipmed.log"
refused 503 "an inbound call while the pool is down: 503 at once" 1234 5035550100
check "with Retry-After, so the gateway tries elsewhere" has "$rsp" "^Retry-After: 30"
flow=$((flow + 1))
caller caller options.xml.in:503 127.0.0.3 $((gw_port + 1)) udp x x
rc=$?
[ $rc -eq 0 ] && ok "the gateway's OPTIONS get 503 while the pool is down" ||
	not_ok "gateway OPTIONS: 503" "$work/f$flow-caller.err"
wait "$pool_pid"
check "the pool never saw an INVITE" lacks "$(cat "$work/f$((flow - 2))-pool.msg")" "^INVITE "

# REFER toward a trunk with refer_support = false: 603 from sipmed
stop_sipmed
start_sipmed udp "refer_support = false; options_interval = 0;" || exit 1
callee callee callee_refers.xml.in:603 127.0.0.2 $pool_port udp
caller caller caller.xml 127.0.0.3 $((gw_port + 1)) udp 1234 5035550100 -d 1000
rc=$?
flow_ok "REFER toward a trunk without REFER support: 603, the call goes on"
check "the gateway never saw the REFER" [ -z "$(received "$work/f$flow-caller.msg" "REFER ")" ]
stop_sipmed

# failover: gw (route "all") first, then gw2 (route "backup") on 127.0.0.4
# fail_over CALLEE_GW NAME: gw plays CALLEE_GW, gw2 answers, the call completes
fail_over() {
	callee gw "$1" 127.0.0.3 $gw_port udp
	gw_pid=$callee_pid
	callee callee callee.xml 127.0.0.4 $gw_port udp
	caller caller caller.xml 127.0.0.2 $((pool_port + 1)) udp 5035550199 alice@contoso.com
	rc=$?
	wait "$gw_pid" || rc=1
	flow_ok "$2"
	check "the second trunk got the call" \
	    has "$(received "$work/f$flow-callee.msg" "INVITE ")" "^INVITE sip:15035550199@127.0.0.4:"
}
start_sipmed udp "options_interval = 0; failover_timeout = 1; response_code_rules = ( { received = 486; q850_cause = 17; translated = 503; } );" || exit 1
fail_over callee_rejects.xml.in:503 "503 from the first trunk: the call completes on the second"
fail_over callee_rejects.xml.in:486 "486 with Q.850 cause 17, translated to 503 by the trunk's rule: failover"
fail_over callee_mute.xml "a first trunk that never rings: CANCEL after its failover timer, the second answers"
flow=$((flow + 1))
callee gw callee_rejects.xml.in:404 127.0.0.3 $gw_port udp
caller caller caller_fails.xml.in:404 127.0.0.2 $((pool_port + 1)) udp 5035550199 alice@contoso.com
rc=$?
flow_ok "404 from the first trunk is final: no failover, 404 to the caller"
stop_sipmed

# health: gw answers its OPTIONS pings 503, is marked down, and calls go to gw2
start_sipmed udp "options_interval = 1; options_misses = 1;" || exit 1
callee gw options_503.xml 127.0.0.3 $gw_port udp -m 2
gw_pid=$callee_pid
i=0
until grep -q "trunk gw is down" "$work/sipmed.log" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a trunk whose OPTIONS ping fails is marked down" grep -q "trunk gw is down" "$work/sipmed.log"
callee callee callee.xml 127.0.0.4 $gw_port udp
caller caller caller.xml 127.0.0.2 $((pool_port + 1)) udp 5035550199 alice@contoso.com
rc=$?
flow_ok "a call while the first trunk is down goes straight to the second"
wait "$gw_pid"
check "the trunk that was down never saw the INVITE" \
    lacks "$(cat "$work/f$((flow - 1))-gw.msg")" "^INVITE "
stop_sipmed

# health over time: pings repeat every options_interval for the life of
# the peer; 404 is an answer (alive), 503 and silence are misses
python3 "$top_srcdir/tests/sip/pinged.py" 127.0.0.3 $gw_port 200 503 404 - 200 > "$work/pinged.out" 2>&1 &
pinged_pid=$!
i=0
until grep -q listening "$work/pinged.out" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
# this sipmed's lines only: the log goes on from the runs before
since=$(($(wc -l < "$work/sipmed.log") + 1))
start_sipmed udp "options_interval = 1; options_misses = 1;" || exit 1
health() { tail -n +$since "$work/sipmed.log" | grep -o "trunk gw is .*"; }
i=0
until health | grep -q "trunk gw is up again: OPTIONS answered 200" || [ $i -gt 300 ]; do
	sleep 0.05; i=$((i + 1))
done
wait "$pinged_pid"
check "five pings in a row reached the trunk, one per interval" grep -q "^ping 5: 200" "$work/pinged.out"
health | head -n 5 > "$work/health.out"
cat > "$work/health.want" <<EOF
trunk gw is up: OPTIONS answered 200
trunk gw is down: 1 OPTIONS ping failed (last: answered 503)
trunk gw is up again: OPTIONS answered 404
trunk gw is down: 1 OPTIONS ping failed (last: no answer)
trunk gw is up again: OPTIONS answered 200
EOF
check "the trunk went up, down, up (404 is an answer), down (no answer), up again" \
    cmp -s "$work/health.out" "$work/health.want"
stop_sipmed

# an INVITE that loops back to sipmed: the pool is sipmed itself
POOL_HOST=127.0.0.1 POOL_PORT=$port start_sipmed udp || exit 1
flow=$((flow + 1))
caller caller caller_fails.xml.in:482 127.0.0.3 $((gw_port + 1)) udp 1234 5035550100
rc=$?
[ $rc -eq 0 ] && ok "a request that loops back to sipmed: 482" ||
	not_ok "loop: 482" "$work/f$flow-caller.err" "$work/sipmed.log"
stop_sipmed
start_sipmed udp || exit 1

# 1,000 sequential calls leave no call object behind; with one refused
# call they make 1,001 handled, in SIGTERM's line as in sipmedctl stats
refused 404 "a refused call before the 1,000" 12 5035550100
callee callee callee.xml 127.0.0.2 $pool_port udp -m 1000
caller caller caller.xml 127.0.0.3 $((gw_port + 1)) udp 1234 5035550100 -m 1000 -l 1 -r 1000 -d 0
rc=$?
flow_ok "1,000 sequential calls all complete"
stop_sipmed
check "after 1,000 calls sipmed holds no call object, and counts the refused one too" \
    grep -q "stopping: 0 calls active, 1001 calls in total" "$work/sipmed.log"

echo "1..$n"
