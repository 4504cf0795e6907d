# tests/sipp.sh: the call-flow harness the SIP and trace tests share,
# sourced after lib.sh by a script that has set port, pool_port and
# gw_port: sipmed on tests/sip/b2bua.conf (start_sipmed, stop_sipmed),
# the scenarios with their templates filled in (scenario: the case's
# own directory $case_src first, then tests/sip/scenarios), sipp peers
# (callee in the background, caller waited for, flow_ok to judge both,
# msg to find a peer's trace), and whole flows: inbound, outbound and
# refused calls; sipmedctl on the test's control socket (ctl,
# wait_call_up). Everything a run writes goes in $cwork.
sipmed_pid=""
ctl() { "$top_builddir/sipmedctl/sipmedctl" -s "$cwork/sipmed.sock" "$@"; }
# wait_call_up: until sipmed has a call up (at most 2 s)
wait_call_up() {
	i=0
	until ctl calls | grep -q ": up" || [ $i -gt 40 ]; do sleep 0.05; i=$((i + 1)); done
}

# start_sipmed TRANSPORT [GW_FLAGS]: sipmed on the test deployment
start_sipmed() {
	tp=""
	[ "$1" = tcp ] && tp=";transport=tcp"
	# LISTEN: the listen URI instead of sip:127.0.0.1:PORT
	sed -e "s|\"sip:127.0.0.1:@PORT@\"|\"${LISTEN:-sip:127.0.0.1:@PORT@}\"|" \
	    -e "s/@PORT@/$port/; s/@POOL_PORT@/${POOL_PORT:-$pool_port}$tp/; s/@GW_PORT@/$gw_port$tp/" \
	    -e "s/@POOL_HOST@/${POOL_HOST:-127.0.0.2}/; s/@GW_FLAGS@/${2:-options_interval = 0;}/" \
	    -e "s/@POOL_FLAGS@/${POOL_FLAGS:-options_interval = 0;}/" \
	    "$top_srcdir/tests/sip/b2bua.conf" > "$cwork/sipmed.base"
	# CONF_SED: one more sed expression on the file; CONF_EXTRA: more
	# settings for this run (a trace group, say). A CONF_SED that changes
	# nothing is the test's mistake (b2bua.conf changed under it): say so.
	sed -e "${CONF_SED:-}" "$cwork/sipmed.base" > "$cwork/sipmed.conf"
	if [ -n "${CONF_SED:-}" ] && cmp -s "$cwork/sipmed.base" "$cwork/sipmed.conf"; then
		echo "# CONF_SED changes nothing in tests/sip/b2bua.conf: $CONF_SED"
		return 1
	fi
	printf '%s\n' "${CONF_EXTRA:-}" >> "$cwork/sipmed.conf"
	starts=$(grep -c "control socket" "$cwork/sipmed.log" 2>/dev/null)
	# SIPMED_TEST_WRAPPER runs sipmed under a tool, e.g. valgrind
	${SIPMED_TEST_WRAPPER:-} "$sipmed" -c "$cwork/sipmed.conf" -v >> "$cwork/sipmed.log" 2>&1 &
	sipmed_pid=$!
	wait_log "$cwork/sipmed.log" "control socket" "${starts:-0}"
	if [ "$(grep -c "control socket" "$cwork/sipmed.log")" -le "${starts:-0}" ]; then
		echo "# sipmed did not start"
		sed 's/^/#   /' "$cwork/sipmed.log"
		return 1
	fi
}

# stop_sipmed: SIGTERM, and sipmed's exit awaited (nothing when none runs)
stop_sipmed() {
	[ -n "$sipmed_pid" ] || return 0
	kill -TERM "$sipmed_pid" 2>/dev/null
	wait "$sipmed_pid" 2>/dev/null
	sipmed_pid=""
}

sipp_t() { [ "$1" = tcp ] && echo t1 || echo u1; }

# scenario NAME: a scenario file, templates filled in. For a caller,
# RURI replaces the INVITE's Request-URI and HDRS ("Name: value|...")
# adds headers to the INVITE; RETRANS (ms) replaces the first
# retransmission interval of 500; SDP_PORT the port of every m= line;
# SDP_PCMA=1 makes a PCMU (0) SDP a PCMA (8) one.
scenario() {
	f=${1%%:*} status=${1#*:} out="$cwork/${1%%.xml*}.xml" notify="/@NOTIFY@/d"
	case "$1" in
	*.in:*)
		out="$cwork/${f%.xml.in}-$status.xml"
		[ "$status" = 202 ] && notify="/@NOTIFY@/r $scen/callee_notify.part" ;;
	esac
	src=$scen/$f
	[ -n "${case_src:-}" ] && [ -f "$case_src/$f" ] && src=$case_src/$f
	printf '%s\n' "${HDRS:-}" | tr '|' '\n' > "$cwork/hdrs"
	sed -e "s/@STATUS@/$status/g" -e "s/@MAXFWD@/${MAXFWD:-70}/" -e "$notify" \
	    -e "s/@SUPPORTED@/${SUPPORTED:-100rel, timer}/" \
	    -e "s/retrans=\"500\"/retrans=\"${RETRANS:-500}\"/" \
	    -e "${RURI:+s|INVITE sip:\\[service\\]@[^ ]* |INVITE $RURI |}" \
	    -e "${SDP_PORT:+s/^\\( *m=audio \\)[0-9]*/\\1$SDP_PORT/}" \
	    -e "${SDP_PCMA:+s|^\\( *m=audio [0-9]* RTP/AVP\\) 0\$|\\1 8|; s|rtpmap:0 PCMU/|rtpmap:8 PCMA/|}" \
	    -e "${HDRS:+/CSeq: 1 INVITE/r $cwork/hdrs}" \
	    "$src" | sed -e "/@NOTIFY@/d" > "$out"
	echo "$out"
}

# new_flow: the peers started next make one flow; each writes its traces
# as f$flow-NAME.* (msg finds them)
flow=0
new_flow() { flow=$((flow + 1)); }

# callee NAME SCENARIO IP PORT TRANSPORT [sipp args]: in the background
callee() {
	peer=f$flow-$1 s=$(scenario "$2") ip=$3 p=$4 t=$(sipp_t "$5")
	shift 5
	timeout -k 5 60 sipp -sf "$s" -i "$ip" -p "$p" -t "$t" -m 1 -nostdin -timeout 30s \
	    -timeout_error -trace_msg -message_file "$cwork/$peer.msg" -trace_err \
	    -error_file "$cwork/$peer.err" "$@" > "$cwork/$peer.out" 2>&1 &
	callee_pid=$!
	[ "$t" = t1 ] && wait_port "$ip" "$p" tcp || wait_port "$ip" "$p" udp
}

# caller NAME SCENARIO IP PORT TRANSPORT NUMBER CALLER [sipp args]: waits;
# to sipmed's PORT, or TO_PORT
caller() {
	peer=f$flow-$1 s=$(scenario "$2") ip=$3 p=$4 t=$(sipp_t "$5") num=$6 from=$7
	shift 7
	case "$from" in *@*) ;; *) from="$from@$ip" ;; esac
	timeout -k 5 60 sipp -sf "$s" -i "$ip" -p "$p" -t "$t" -m 1 -nostdin -timeout 30s \
	    -timeout_error -s "$num" -key caller "$from" -d 100 \
	    -trace_msg -message_file "$cwork/$peer.msg" -trace_err -error_file "$cwork/$peer.err" \
	    "$@" 127.0.0.1:"${TO_PORT:-$port}" > "$cwork/$peer.out" 2>&1
}

# msg PEER: the message trace of PEER (callee, caller, gw...) in the
# latest flow that had one
msg() {
	mi=$flow
	while [ "$mi" -gt 0 ] && [ ! -f "$cwork/f$mi-$1.msg" ]; do mi=$((mi - 1)); done
	echo "$cwork/f$mi-$1.msg"
}

body() { awk 'b { print } /^$/ && !b { b = 1 }'; }

# flow_ok NAME: both sipps passed
flow_ok() {
	wait "$callee_pid"
	crc=$?
	if [ "$rc" -eq 0 ] && [ "$crc" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1 (caller exit $rc, callee exit $crc)" "$cwork/f$flow-caller.err" \
		    "$cwork/f$flow-callee.err" "$cwork/sipmed.log"
	fi
}

# inbound CALLEE CALLER NAME [caller's sipp args]: the gateway calls 1234
# (or NUM), which reaches alice on the pool, from 5035550100 (or FROM);
# both scenarios must complete
inbound() {
	cs=$1 rs=$2 name=$3
	shift 3
	new_flow
	callee callee "$cs" 127.0.0.2 $pool_port $tr
	caller caller "$rs" 127.0.0.3 $((gw_port + 1)) $tr ${NUM:-1234} ${FROM:-5035550100} "$@"
	rc=$?
	flow_ok "$tr: $name"
}

# outbound CALLEE CALLER NAME [caller's sipp args]: alice on the pool
# (or FROM) calls 503 555 0199 (or NUM), which goes out through the gateway
outbound() {
	cs=$1 rs=$2 name=$3
	shift 3
	new_flow
	callee callee "$cs" 127.0.0.3 $gw_port $tr
	caller caller "$rs" 127.0.0.2 $((pool_port + 1)) $tr ${NUM:-5035550199} \
	    ${FROM:-alice@contoso.com} "$@"
	rc=$?
	flow_ok "$tr: $name"
}

# refused STATUS NAME NUMBER FROM [IP PORT]: sipmed answers a call from
# the gateway (or IP:PORT) itself with STATUS; the answer is in $rsp
refused() {
	st=$1 name=$2 num=$3 from=$4 ip=${5:-127.0.0.3} p=${6:-$((gw_port + 1))}
	new_flow
	caller caller caller_fails.xml.in:$st "$ip" "$p" udp "$num" "$from"
	rc=$?
	rsp=$(received "$cwork/f$flow-caller.msg" "SIP/2.0 $st")
	[ $rc -eq 0 ] && ok "$name" || not_ok "$name" "$cwork/f$flow-caller.err" "$cwork/sipmed.log"
}
