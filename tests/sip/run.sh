#!/bin/sh
# B2BUA call flows with real peers over real sockets on loopback: sipmed
# on 127.0.0.1 (tests/sip/b2bua.conf), the pool (a sipp) on 127.0.0.2,
# the gateways (sipps) on 127.0.0.3 and 127.0.0.4. TAP output.
#
# Each directory in tests/sip/cases is one case. Its file "case" opens
# with what the case shows and sets, for this driver:
#   transports     the transports it runs over (default: udp)
#   gw_flags       settings for the gateway trunks (default:
#                  options_interval = 0;)
#   pool_flags, pool_host, pool_sip_port   the same for the pool
#   listen         sipmed's listen URI (default: sip:127.0.0.1:PORT)
#   conf_extra     more settings for sipmed (a cdr group, say)
#   setup()        what must run before sipmed starts (optional); it may
#                  set CONF_SED (tests/sipp.sh) for this case
#   run()          the flows and their checks
#   teardown()     what must stop after sipmed, however run() ended
#                  (optional)
# Scenario files a case names are looked up in its own directory first,
# then in tests/sip/scenarios (those several cases share). Each case runs
# once per transport in its own work directory ($cwork) with its own
# sipmed, which must end with no call left.
#
# SIPMED_TEST_KEEP=1 keeps the traces; SIPMED_TEST_CASES="NAME..." and
# SIPMED_TEST_TRANSPORTS="udp|tcp..." pick what runs.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-25060}
pool_port=$((port + 10))
gw_port=$((port + 20))
. "$top_srcdir/tests/sipp.sh"

picked() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

for case_src in "$top_srcdir"/tests/sip/cases/*; do
	case_name=${case_src##*/}
	[ -z "${SIPMED_TEST_CASES:-}" ] || picked "$SIPMED_TEST_CASES" "$case_name" || continue
	transports=udp gw_flags="options_interval = 0;" pool_flags="" pool_host="" pool_sip_port=""
	listen="" conf_extra="" CONF_SED=""
	setup() { :; }
	teardown() { :; }
	. "$case_src/case"
	for tr in $transports; do
		picked "${SIPMED_TEST_TRANSPORTS:-udp tcp}" "$tr" || continue
		cwork=$work/$case_name-$tr
		mkdir -p "$cwork"
		flow=0
		setup
		if ! POOL_FLAGS=$pool_flags POOL_HOST=$pool_host POOL_PORT=$pool_sip_port \
		    LISTEN=$listen CONF_EXTRA=$conf_extra start_sipmed "$tr" "$gw_flags"; then
			not_ok "$tr: $case_name: sipmed starts"
			continue
		fi
		run
		stop_sipmed
		teardown
		check "$tr: $case_name: sipmed stopped with no call left" \
		    grep -q "stopping: 0 calls active" "$cwork/sipmed.log"
	done
done
echo "1..$n"
