#!/bin/sh
# tests/bench/dialplan_bench.sh BENCH_RULES WORKDIR: Kamailio's dialplan
# module on the plans and subjects of bench_rules (written by its -d), for
# scripts/bench. For each plan, Kamailio (Debian's 5.6, db_text) loads the
# rules as dialplan id 1; a generated route runs dp_translate on K of the
# plan's subjects, one after another, and logs $TV(Sn) before and after. A
# second route does the same with the dp_translate calls taken out; its
# time (the script's own cost) is subtracted. Each is run 3 times; the
# fastest counts. An OPTIONS request from a small Python client starts
# each run.
set -u
bench_rules=$1 work=$2/dialplan
port=30090
mkdir -p "$work/db"
"$bench_rules" -d "$work" || exit 1
cp /usr/share/kamailio/dbtext/kamailio/version "$work/db/version"

# send: one OPTIONS with header X-Run: $1, waits for the answer
send() {
	python3 - "$port" "$1" <<'PY'
import socket, sys, uuid
port, run = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(900)
cid = uuid.uuid4().hex
msg = ("OPTIONS sip:bench@127.0.0.1:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
       "From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:bench@127.0.0.1>\r\n"
       "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nX-Run: %s\r\n"
       "Content-Length: 0\r\n\r\n") % (port, s.getsockname()[1], cid, cid, run)
s.sendto(msg.encode(), ("127.0.0.1", port))
s.recv(65535)
PY
}

printf '%-8s %-7s %-10s %-14s %s\n' rules lookups "total (s)" "per lookup" "lookups/s"
for f in "$work"/dialplan-*; do
	n=${f##*dialplan-}
	k=1000
	case $n in 10000 | g10000) k=200 ;; 100000) k=20 ;; esac
	cp "$f" "$work/db/dialplan"
	{
		cat <<CFG
#!KAMAILIO
debug=0
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:$port
loadpath "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "db_text.so"
loadmodule "dialplan.so"
modparam("dialplan", "db_url", "text://$work/db")
request_route {
	xlog("L_ALERT", "run \$hdr(X-Run) start \$TV(Sn)\n");
	if (\$hdr(X-Run) =~ "^lookup") {
		route(LOOKUP);
	} else {
		route(BASE);
	}
	xlog("L_ALERT", "run \$hdr(X-Run) end \$TV(Sn)\n");
	sl_send_reply("200", "OK");
}
CFG
		for r in LOOKUP BASE; do
			echo "route[$r] {"
			head -n "$k" "$work/subjects-$n" | while read -r s; do
				echo "	\$var(s) = \"$s\";"
				if [ $r = LOOKUP ]; then
					echo "	dp_translate(\"1\", \"\$var(s)/\$var(o)\");"
				else
					echo "	\$var(o) = \$var(s);"
				fi
			done
			echo "}"
		done
	} > "$work/kamailio.cfg"
	mkdir -p "$work/run"
	kamailio -f "$work/kamailio.cfg" -DD -E -m 2048 -M 64 -Y "$work/run" -w "$work" \
	    > "$work/kamailio-$n.log" 2>&1 &
	kpid=$!
	i=0
	# the workers are forked once every module has loaded its data
	until [ "$(pgrep -c -P "$kpid")" -ge 3 ] || [ $i -gt 3000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	for run in 1 2 3; do
		send "lookup$run"
		send "base$run"
	done
	kill "$kpid"
	wait "$kpid" 2> /dev/null
	awk -v n="$n" -v k="$k" '
	    / run [a-z]+[0-9] (start|end) / {
		for (i = 1; i <= NF; i++) if ($i == "run") { r = $(i + 1); w = $(i + 2); t = $(i + 3) }
		if (w == "start") s[r] = t; else d[r] = t - s[r]
	    }
	    END {
		bl = bb = 1e9
		for (r in d) { if (r ~ /^lookup/ && d[r] < bl) bl = d[r]; if (r ~ /^base/ && d[r] < bb) bb = d[r] }
		if (bl == 1e9) { printf "%-8s Kamailio gave no timing (see its log)\n", n; exit }
		t = bl - bb
		printf "%-8s %-7d %-10.4f %-14s %.0f\n", n, k, t, sprintf("%.3f us", t / k * 1e6), k / t
	    }' "$work/kamailio-$n.log"
done
