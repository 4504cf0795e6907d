#!/bin/sh
# Calls through sipmed between two instances of a real, independent SIP
# user agent, baresip (Debian's baresip-core), over mutual TLS: the pool
# (alice and bob, who answer by themselves) and a gateway. calls.py
# drives them over baresip's ctrl_tcp socket and reads sipmed's text
# trace; sipmed listens on sips: only, then with a plain listener listed
# first. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_UA_TEST_PORT:-30660}
pool_port=$((port + 1)) gw_port=$((port + 21))
certs="$work/certs"
"$top_srcdir/scripts/make-certs" "$certs" --test > /dev/null || { echo "Bail out! make-certs"; exit 1; }

# baresip NAME IP SIP_PORT CTRL_PORT CERT ACCOUNTS: a configuration directory
baresip_conf() {
	mkdir -p "$work/$1"
	cat "$certs/$5.crt" "$certs/$5.key" > "$work/$1/cert.pem"
	cat > "$work/$1/config" <<CONF
poll_method epoll
net_interface $2
sip_listen $2:$3
sip_certificate $work/$1/cert.pem
sip_cafile $certs/ca.crt
sip_trans_def tls
sip_verify_server yes
audio_player aubridge,sink
audio_source ausine,440
audio_alert aubridge,sink
ausrc_srate 48000
auplay_srate 48000
ausrc_channels 2
auplay_channels 2
rtp_stats yes
module_path /usr/lib/baresip/modules
module g711.so
module ausine.so
module aubridge.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:$4
CONF
	printf '%s\n' "$6" | tr '|' '\n' > "$work/$1/accounts"
}
outbound="outbound=\"sip:127.0.0.1:$port;transport=tls\""
baresip_conf pool 127.0.0.2 $pool_port $((port + 30)) pool \
    "<sip:alice@contoso.com;transport=tls>;regint=0;answermode=auto;$outbound|<sip:bob@contoso.com;transport=tls>;regint=0;answermode=auto;$outbound"
baresip_conf gw 127.0.0.3 $((gw_port - 1)) $((port + 31)) gw1 \
    "<sip:15035550199@127.0.0.3;transport=tls>;regint=0;answermode=auto"

# run LISTEN MODE: sipmed on LISTEN, calls.py MODE, its lines as TAP
run() {
	sed -e "s|@LISTEN@|$1|; s|@POOL@|$((pool_port + 1))|; s|@GW@|$gw_port|" \
	    -e "s|@DIR@|$certs|g; s|@WORK@|$work|" "$top_srcdir/tests/ua/sipmed.conf.in" > "$work/sipmed.conf"
	rm -f "$work/trace.txt"
	"$sipmed" -c "$work/sipmed.conf" -v > "$work/sipmed.log" 2>&1 &
	sipmed_pid=$!
	i=0
	until grep -q "control socket" "$work/sipmed.log" || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
	python3 "$top_srcdir/tests/ua/calls.py" "$work" "$port" "$2" > "$work/calls.out" 2>&1
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) ok "${line#PASS }" ;;
		FAIL\ *) echo "${line#FAIL }" > "$work/why"; not_ok "${line#FAIL }" "$work/why" "$work/sipmed.log" ;;
		*) echo "# $line" ;;
		esac
	done < "$work/calls.out"
	kill "$sipmed_pid"
	wait "$sipmed_pid"
	check "sipmed stopped with no call left ($2)" grep -q "stopping: 0 calls active" "$work/sipmed.log"
}

run "\"sips:127.0.0.1:$port\"" all
run "\"sip:127.0.0.1:$((port + 2))\", \"sips:127.0.0.1:$port\"" inbound
check "with a plain listener first, no message to a peer named it" \
    sh -c "! grep -q 'Contact: <sip:127.0.0.1:$((port + 2))' '$work/trace.txt'"
echo "1..$n"
