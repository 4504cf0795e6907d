# tests/sipp.sh: the call-flow harness the SIP and trace tests share,
# sourced after lib.sh by a script that has set port, pool_port and
# gw_port: sipmed on tests/sip/b2bua.conf (start_sipmed, stop_sipmed),
# the scenarios of tests/sip/scenarios with their templates filled in
# (scenario), sipp peers (callee in the background, caller waited for,
# flow_ok to judge both), and whole flows: inbound, outbound and refused
# calls; sipmedctl on the test's control socket (ctl, wait_call_up).
sipmed_pid=""
ctl() { "$top_builddir/sipmedctl/sipmedctl" -s "$work/sipmed.sock" "$@"; }
# wait_call_up: until sipmed has a call up (at most 2 s)
wait_call_up() {
	i=0
	until ctl calls | grep -q ": up" || [ $i -gt 40 ]; do sleep 0.05; i=$((i + 1)); done
}

# start_sipmed TRANSPORT [GW_FLAGS]: sipmed on the test deployment
start_sipmed() {
	tp=""
	[ "$1" = tcp ] && tp=";transport=tcp"
	sed -e "s/@PORT@/$port/; s/@POOL_PORT@/${POOL_PORT:-$pool_port}$tp/; s/@GW_PORT@/$gw_port$tp/" \
	    -e "s/@POOL_HOST@/${POOL_HOST:-127.0.0.2}/; s/@GW_FLAGS@/${2:-options_interval = 0;}/" \
	    -e "s/@POOL_FLAGS@/${POOL_FLAGS:-options_interval = 0;}/" \
	    "$top_srcdir/tests/sip/b2bua.conf" > "$work/sipmed.conf"
	# CONF_EXTRA: more settings for this run (a trace group, say)
	printf '%s\n' "${CONF_EXTRA:-}" >> "$work/sipmed.conf"
	# SIPMED_TEST_WRAPPER runs sipmed under a tool, e.g. valgrind
	${SIPMED_TEST_WRAPPER:-} "$sipmed" -c "$work/sipmed.conf" -v >> "$work/sipmed.log" 2>&1 &
	sipmed_pid=$!
	starts=$((${starts:-0} + 1))
	i=0
	until [ "$(grep -c "control socket" "$work/sipmed.log" 2>/dev/null)" -ge "$starts" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "# sipmed did not start"; cat "$work/sipmed.log"; return 1; }
		sleep 0.05
	done
}

# stop_sipmed: SIGTERM, and the last line must count no active call
stop_sipmed() {
	kill -TERM "$sipmed_pid" 2>/dev/null
	wait "$sipmed_pid" 2>/dev/null
	sipmed_pid=""
}

sipp_t() { [ "$1" = tcp ] && echo t1 || echo u1; }

# scenario NAME: a scenario file, templates filled in. For a caller,
# RURI replaces the INVITE's Request-URI and HDRS ("Name: value|...")
# adds headers to the INVITE; RETRANS (ms) replaces the first
# retransmission interval of 500.
scenario() {
	f=${1%%:*} status=${1#*:} out="$work/${1%%.xml*}.xml" notify="/@NOTIFY@/d"
	case "$1" in
	*.in:*)
		out="$work/${f%.xml.in}-$status.xml"
		[ "$status" = 202 ] && notify="/@NOTIFY@/r $scen/callee_notify.part" ;;
	esac
	printf '%s\n' "${HDRS:-}" | tr '|' '\n' > "$work/hdrs"
	sed -e "s/@STATUS@/$status/g" -e "s/@MAXFWD@/${MAXFWD:-70}/" -e "$notify" \
	    -e "s/@SUPPORTED@/${SUPPORTED:-100rel, timer}/" \
	    -e "s/retrans=\"500\"/retrans=\"${RETRANS:-500}\"/" \
	    -e "${RURI:+s|INVITE sip:\\[service\\]@[^ ]* |INVITE $RURI |}" \
	    -e "${HDRS:+/CSeq: 1 INVITE/r $work/hdrs}" \
	    "$scen/$f" | sed -e "/@NOTIFY@/d" > "$out"
	echo "$out"
}

# callee NAME SCENARIO IP PORT TRANSPORT [sipp args]: in the background
flow=0
callee() {
	flow=$((flow + 1))
	peer=f$flow-$1 s=$(scenario "$2") ip=$3 p=$4 t=$(sipp_t "$5")
	shift 5
	timeout -k 5 60 sipp -sf "$s" -i "$ip" -p "$p" -t "$t" -m 1 -nostdin -timeout 30s \
	    -timeout_error -trace_msg -message_file "$work/$peer.msg" -trace_err \
	    -error_file "$work/$peer.err" "$@" > "$work/$peer.out" 2>&1 &
	callee_pid=$!
	[ "$t" = t1 ] && wait_port "$ip" "$p" tcp || wait_port "$ip" "$p" udp
}

# caller NAME SCENARIO IP PORT TRANSPORT NUMBER CALLER [sipp args]: waits
caller() {
	peer=f$flow-$1 s=$(scenario "$2") ip=$3 p=$4 t=$(sipp_t "$5") num=$6 from=$7
	shift 7
	case "$from" in *@*) ;; *) from="$from@$ip" ;; esac
	timeout -k 5 60 sipp -sf "$s" -i "$ip" -p "$p" -t "$t" -m 1 -nostdin -timeout 30s \
	    -timeout_error -s "$num" -key caller "$from" -d 100 \
	    -trace_msg -message_file "$work/$peer.msg" -trace_err -error_file "$work/$peer.err" \
	    "$@" 127.0.0.1:"$port" > "$work/$peer.out" 2>&1
}

body() { awk 'b { print } /^$/ && !b { b = 1 }'; }

# flow_ok NAME: both sipps passed
flow_ok() {
	wait "$callee_pid"
	crc=$?
	if [ "$rc" -eq 0 ] && [ "$crc" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1 (caller exit $rc, callee exit $crc)" "$work/f$flow-caller.err" \
		    "$work/f$flow-callee.err" "$work/sipmed.log"
	fi
}

# inbound CALLEE CALLER NAME [caller's sipp args]: the gateway calls 1234
# (or NUM), which reaches alice on the pool, from 5035550100 (or FROM);
# both scenarios must complete
inbound() {
	cs=$1 rs=$2 name=$3
	shift 3
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
	flow=$((flow + 1))
	caller caller caller_fails.xml.in:$st "$ip" "$p" udp "$num" "$from"
	rc=$?
	rsp=$(received "$work/f$flow-caller.msg" "SIP/2.0 $st")
	[ $rc -eq 0 ] && ok "$name" || not_ok "$name" "$work/f$flow-caller.err" "$work/sipmed.log"
}
