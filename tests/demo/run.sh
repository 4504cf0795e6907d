#!/bin/sh
# scripts/demo as a newcomer runs it: its exit status, and the three
# results it must print (the CEO reached, the CEO's call out rewritten,
# Lync's 404 with ms-diagnostics). TAP output.
. "$top_srcdir/tests/lib.sh"
DEMO_BUILD=no DEMO_PORT=${SIPMED_DEMO_TEST_PORT:-31160} "$top_srcdir/scripts/demo" > "$work/demo.out" 2>&1
rc=$?
check "scripts/demo: exit 0, all three calls as described" [ $rc -eq 0 ]
check "1. the inbound call to 1234 reached the CEO" \
    grep -q "^   result: the pool got INVITE sip:ceo@contoso.com" "$work/demo.out"
check "2. the CEO's call out: plus stripped, the secretary's number" \
    grep -q "^   result: the gateway got INVITE sip:15035550199 (plus stripped) from 9992349000" "$work/demo.out"
check "3. 12: Lync's 404 with ms-diagnostics 14010" \
    grep -q '^   result: the gateway got 404 .*ms-diagnostics: 14010;reason="Unable to find an exact match in the rules set"' "$work/demo.out"
check "each call is shown as a ladder with its decisions" \
    sh -c "grep -c '^  sipmed -> leg B' '$work/demo.out' | grep -q '^[2-9]' &&
    grep -q '^  decision: trunk \"portland-gw\": calling number rule \"CEO as secretary\"' '$work/demo.out'"
[ $rc -eq 0 ] || sed 's/^/# /' "$work/demo.out"

# the README's walkthrough: a demo that stays up, and calls placed into it
export DEMO_BUILD=no DEMO_DIR="$work/stay" DEMO_PORT=${SIPMED_DEMO_TEST_PORT2:-31260}
"$top_srcdir/scripts/demo" --stay > "$work/stay.out" 2>&1 &
stay=$!
pids="$pids $stay"
wait_log "$work/stay.out" "sipmed stays up"
check "scripts/demo --stay: the calls, then sipmed stays up" grep -q "sipmed stays up" "$work/stay.out"
"$top_srcdir/scripts/demo" call 5035550123 > "$work/call.out" 2>&1
check "scripts/demo call 5035550123: the gateway got 404" \
    grep -qx "the gateway got: 404 Not Found" "$work/call.out"
"$top_srcdir/scripts/demo" call 1234 > "$work/call2.out" 2>&1
check "scripts/demo call 1234: the CEO answers" grep -qx "the gateway got: 200 OK" "$work/call2.out"
"$top_builddir/sipmedctl/sipmedctl" -s "$work/stay/sipmed.sock" stats > "$work/stats.out" 2>&1
check "sipmedctl on its socket counts those calls too" grep -q "^calls ended      5$" "$work/stats.out"
kill -TERM "$stay"
wait "$stay"
check "stopped (SIGTERM; Ctrl-C in a terminal), the demo stops its sipmed" \
    sh -c "! '$top_builddir/sipmedctl/sipmedctl' -s '$work/stay/sipmed.sock' status > /dev/null 2>&1"
echo "1..$n"
