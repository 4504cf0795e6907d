#!/bin/sh
# sipmedctl's offline commands against the sample deployment: exact
# output lines and exit status of each, --json, test-cases, and the
# errors an administrator can make on the command line. TAP output.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
ctl="$top_builddir/sipmedctl/sipmedctl"
conf="$top_srcdir/etc/sipmed.conf"
cases="$top_srcdir/tests/cli"
n=0

# check NAME WANT_RC WANT_OUTPUT COMMAND...: stdout and exit status
check() {
	name=$1 want_rc=$2 want=$3
	shift 3
	got=$("$@" 2>/dev/null)
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want_rc" ] && [ "$got" = "$want" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $rc, want $want_rc)"
		printf '%s\n' "$got" | sed 's/^/#   got:  /'
		printf '%s\n' "$want" | sed 's/^/#   want: /'
	fi
}

# check_err NAME WANT_RC WANT_STDERR_SUBSTRING COMMAND...
check_err() {
	name=$1 want_rc=$2 want=$3
	shift 3
	got=$("$@" 2>&1 >/dev/null)
	rc=$?
	n=$((n + 1))
	case "$got" in
	*"$want"*) [ "$rc" -eq "$want_rc" ] && { echo "ok $n - $name"; return; } ;;
	esac
	echo "not ok $n - $name (exit $rc, want $want_rc)"
	printf '%s\n' "$got" | sed 's/^/#   stderr: /'
}

c() { "$ctl" -c "$conf" "$@"; }
nl='
'

check "test-dialplan: 4 digits" 0 "+15033121234${nl}4digit" c test-dialplan PortlandGateway 1234
check "test-dialplan: 10 digits dialed by a user" 0 "+15035550199${nl}NA-National" \
	c test-dialplan PortlandUsers 5035550199
check "test-dialplan: no rule matches: nothing, exit 1" 1 "" c test-dialplan PortlandGateway 12
check "test-dialplan --json" 0 \
	'{"dial_plan":"PortlandGateway","number":"1234","matched":true,"translated":"+15033121234","rule":"4digit"}' \
	c --json test-dialplan PortlandGateway 1234
check "test-dialplan --json, no match" 1 \
	'{"dial_plan":"PortlandGateway","number":"12","matched":false,"translated":null,"rule":null}' \
	c --json test-dialplan PortlandGateway 12

check "test-trunk: strip plus, CEO as secretary" 0 "15035550199${nl}9992349000" \
	c test-trunk portland-gw +15035550199 +15033121234
check "test-trunk: a colleague shows their own number" 0 "15035550199${nl}15033129999" \
	c test-trunk portland-gw +15035550199 +15033129999
check "test-trunk: called only" 0 "15035550199" c test-trunk portland-gw +15035550199
check "test-trunk --json" 0 \
	'{"trunk":"portland-gw","called":"15035550199","called_rule":"StripPlus","calling":"9992349000","calling_rule":"CEO as secretary"}' \
	c --json test-trunk portland-gw +15035550199 +15033121234

check "test-inbound: 4 digits reach the CEO" 0 "+15033121234${nl}sip:ceo@contoso.com" \
	c test-inbound portland-gw 1234
check "test-inbound: 11 digits, calling normalized" 0 \
	"+15033121234${nl}sip:ceo@contoso.com${nl}+15035550100" \
	c test-inbound portland-gw 15033121234 5035550100
check "test-inbound: no rule: Lync's 404, exit 1" 1 \
	"12${nl}404 No matching rule has been found in the dial plan for the called number." \
	c test-inbound portland-gw 12
check "test-inbound --json carries ms-diagnostics" 1 \
	'{"trunk":"portland-gw","dial_plan":"PortlandGateway","rule":null,"called":"12","calling":null,"outcome":"reject","target":null,"unassigned_range":null,"status":404,"reason":"No matching rule has been found in the dial plan for the called number.","ms_diagnostics":"14010;reason=\"Unable to find an exact match in the rules set\";CalledNumber=\"12\";ProfileName=\"PortlandGateway\""}' \
	c --json test-inbound portland-gw 12

check "test-outbound: CEO, every trunk a call would try, each with what it is sent" 0 \
	"+15035550199${nl}Portland Local${nl}portland-gw${nl}15035550199${nl}9992349000${nl}National${nl}seattle-gw${nl}15035550199${nl}+15033121234" \
	c test-outbound sip:ceo@contoso.com 5035550199
check "test-outbound --json: what each attempt sends: numbers, Request-URI, From, PAI" 0 \
	'{"caller":"sip:ceo@contoso.com","placed_for":null,"because":null,"emergency":null,"dialed":"5035550199","dial_plan":"PortlandUsers","rule":"NA-National","normalized":"+15035550199","outcome":"pstn","target":null,"trunks":[{"usage":"Local","route":"Portland Local","trunk":"portland-gw","called":"15035550199","calling":"9992349000","request_uri":"sip:15035550199@127.0.0.1:5261;user=phone","from":"<sip:9992349000@contoso.com;user=phone>","pai":null,"diversion":null},{"usage":"LongDistance","route":"National","trunk":"seattle-gw","called":"15035550199","calling":"+15033121234","request_uri":"sip:15035550199@127.0.0.1:5361;user=phone","from":"<sip:+15033121234@contoso.com;user=phone>","pai":null,"diversion":null}],"route":"Portland Local","trunk":"portland-gw","called":"15035550199","calling":"9992349000","status":0,"reason":null,"ms_diagnostics":null}' \
	c --json test-outbound sip:ceo@contoso.com 5035550199
check "test-outbound: internal number" 0 "+15033125678${nl}internal${nl}sip:bob@contoso.com" \
	c test-outbound sip:ceo@contoso.com 5678
check "test-outbound: unknown caller: 403, exit 1" 1 "5035550199${nl}403 Forbidden" \
	c test-outbound sip:mallory@contoso.com 5035550199

check "test-cases: the sample cases all pass" 0 "$(sed -n 's/^ *{ name = "\([^"]*\)".*/PASS \1/p' \
	"$cases/sample.cases")${nl}13 passed, 0 failed" c test-cases "$cases/sample.cases"
check "test-cases: Lync's priorities and external access prefix" 0 \
	"$(sed -n 's/^ *{ name = "\([^"]*\)".*/PASS \1/p' "$cases/lync_fields.cases")${nl}16 passed, 0 failed" \
	"$ctl" -c "$cases/lync_fields.conf" test-cases "$cases/lync_fields.cases"
check "test-inbound: inter-trunk routing shows each trunk it would try, as test-outbound" 0 \
	"+18885551234${nl}Toll free${nl}gw2${nl}18885551234${nl}5035550100${nl}+15035550100" \
	"$ctl" -c "$cases/lync_fields.conf" test-inbound gw1 8885551234 5035550100
check "test-outbound for a user: the caller shown, the user's number in a Diversion to the trunk that takes one" 0 \
	'<sip:2065550100@contoso.com;user=phone> <sip:5033121001@contoso.com;user=phone>;reason=unconditional;counter=1' \
	sh -c "\"$ctl\" -c \"$cases/lync_fields.conf\" --json test-outbound sip:+12065550100@contoso.com +18885551234 sip:ann@contoso.com |
	    sed 's/.*\"from\":\"\\([^\"]*\\)\",\"pai\":null,\"diversion\":\"\\([^\"]*\\)\".*/\\1 \\2/'"
check_err "test-outbound for a user: a reason sipmed does not know" 2 "the reason is forwarding" \
	"$ctl" -c "$cases/lync_fields.conf" test-outbound sip:+12065550100@contoso.com 1 sip:ann@contoso.com vacation
check "test-cases: failures are reported, exit 1" 1 \
	"FAIL wrong expectation${nl}  expect: expected \"+15033129999\", got \"+15033121234\"${nl}FAIL wrong route and trunk${nl}  expect_route: expected \"National\", got \"Portland Local\"${nl}  expect_trunk: expected \"seattle-gw\", got \"portland-gw\"${nl}PASS right${nl}1 passed, 2 failed" \
	c test-cases "$cases/failing.cases"
check_err "test-cases: a typo in a case is reported with its line" 2 \
	"malformed.cases:2: case \"typo\": unknown setting \"expcet\"" c test-cases "$cases/malformed.cases"
check_err "test-cases: a bad kind is reported" 2 \
	"malformed.cases:3: case \"bad kind\": kind must be dialplan, trunk, inbound or outbound" \
	c test-cases "$cases/malformed.cases"
check_err "test-cases: an unknown dial plan is reported" 2 \
	"malformed.cases:4: case \"no plan\": no dial plan is named \"Nope\"" \
	c test-cases "$cases/malformed.cases"

check_err "an unknown dial plan: exit 2" 2 'no dial plan is named "Nowhere"' \
	c test-dialplan Nowhere 1234
# offline agrees with live: a number no call could carry is refused
check_err "test-dialplan: a trailing newline is refused as a call's 400 is" 2 \
	'a call with it gets 400 Invalid Called Number' c test-dialplan PortlandGateway "1234$nl"
check_err "test-dialplan: a Unicode digit is no digit" 2 \
	'is not a number sipmed takes' c test-dialplan PortlandGateway "$(printf '123\331\241')"
check "test-inbound: the same number live gets 400" 1 \
	"$(printf '123\331\241')${nl}400 Invalid Called Number" \
	c test-inbound portland-gw "$(printf '123\331\241')"
check_err "an unknown trunk: exit 2" 2 'no trunk is named "gw9"' c test-inbound gw9 1234
check_err "missing arguments: usage, exit 2" 2 "usage: sipmedctl test-trunk TRUNK CALLED [CALLING]" \
	c test-trunk portland-gw
check_err "an unknown command: exit 2" 2 'unknown command "frobnicate"' c frobnicate
check_err "a broken configuration: its errors, exit 2" 2 \
	'syntax.conf:3: syntax error' "$ctl" -c "$top_srcdir/tests/config/syntax.conf" test-dialplan Global 1
check_err "--trace shows each decision" 0 \
	'trace: called number: dial plan "PortlandGateway" rule "4digit": 1234 -> +15033121234' \
	c --trace test-inbound portland-gw 1234
got=$("$ctl" help)
n=$((n + 1))
case "$got" in
*test-dialplan*test-trunk*test-inbound*test-outbound*test-cases*) echo "ok $n - help lists the commands" ;;
*) echo "not ok $n - help lists the commands" ;;
esac
echo "1..$n"
