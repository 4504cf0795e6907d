#!/bin/sh
# Metrics for Prometheus: sipmed on the B2BUA tests' deployment with a
# metrics group, a few calls through it (two answered, one refused 404,
# one busy), then a real Prometheus server (Debian's, started here on a
# loopback port with its own storage) scrapes sipmed every second and
# answers PromQL queries through its HTTP API with the expected values.
# Also: the exposition itself, 404 and 405 for other requests, and a
# listen address sipmed cannot use. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-32060}
pool_port=$((port + 10))
gw_port=$((port + 20))
metrics_port=$((port + 40))
prom_port=$((port + 41))
. "$top_srcdir/tests/sipp.sh"

tr=udp
CONF_EXTRA="metrics = { listen = \"127.0.0.1:$metrics_port\"; };" start_sipmed udp || exit 1
check "sipmed says where it serves metrics" \
    grep -q "metrics: serving http://127.0.0.1:$metrics_port/metrics" "$work/sipmed.log"
inbound callee.xml caller.xml "an inbound call, answered"
outbound callee.xml caller.xml "an outbound call, answered"
inbound callee_rejects.xml.in:486 caller_fails.xml.in:486 "an inbound call, busy"
refused 404 "an inbound call to a number no rule matches: 404" 12 5035550100

# get PATH: status and body of a request to sipmed's metrics listener
get() {
	python3 - "http://127.0.0.1:$metrics_port$1" "${2:-GET}" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        print(r.status, r.headers.get("Content-Type"))
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.headers.get("Content-Type"))
PY
}
get /metrics > "$work/metrics.txt"
check "GET /metrics: 200, the text exposition format 0.0.4" \
    grep -q "^200 text/plain; version=0.0.4" "$work/metrics.txt"
check "calls by direction and outcome" \
    sh -c "grep -q '^sipmed_calls_total{direction=\"inbound\",outcome=\"answered\"} 1$' '$work/metrics.txt' &&
    grep -q '^sipmed_calls_total{direction=\"outbound\",outcome=\"answered\"} 1$' '$work/metrics.txt' &&
    grep -q '^sipmed_calls_total{direction=\"inbound\",outcome=\"failed\"} 2$' '$work/metrics.txt'"
check "failed calls by status, with HELP and TYPE" \
    sh -c "grep -q '^# TYPE sipmed_calls_failed_by_status_total counter$' '$work/metrics.txt' &&
    grep -q '^sipmed_calls_failed_by_status_total{status=\"404\"} 1$' '$work/metrics.txt'"
check "rule hits, a label with quotes escaped" \
    grep -q '^sipmed_rule_hits_total{rule="dial plan \\"Global\\" rule \\"4digit\\""} 2$' "$work/metrics.txt"
check "each attempt's answer by peer: the pool's 200 and 486, gw's 200" \
    sh -c "grep -q '^sipmed_peer_answers_total{peer=\"pool\",status=\"200\"} 1$' '$work/metrics.txt' &&
    grep -q '^sipmed_peer_answers_total{peer=\"pool\",status=\"486\"} 1$' '$work/metrics.txt' &&
    grep -q '^sipmed_peer_answers_total{peer=\"gw\",status=\"200\"} 1$' '$work/metrics.txt'"
check "the peers' health: -1 (no pings)" grep -q '^sipmed_peer_up{peer="trunk gw"} -1$' "$work/metrics.txt"
check "active calls, memory and the loop's lag" \
    sh -c "grep -q '^sipmed_calls_active 0$' '$work/metrics.txt' &&
    grep -q '^sipmed_resident_memory_bytes [1-9][0-9]*$' '$work/metrics.txt' &&
    grep -q '^sipmed_event_loop_lag_seconds [0-9.]*$' '$work/metrics.txt'"
check "another path: 404" has "$(get /other)" "^404"
check "POST: 405" has "$(get /metrics POST)" "^405"

# a real Prometheus scrapes it
mkdir -p "$work/prom"
cat > "$work/prom/prometheus.yml" <<PROM
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: sipmed
    static_configs: [ { targets: [ "127.0.0.1:$metrics_port" ] } ]
PROM
prometheus --config.file="$work/prom/prometheus.yml" --storage.tsdb.path="$work/prom/data" \
    --web.listen-address="127.0.0.1:$prom_port" > "$work/prom/prometheus.log" 2>&1 &
pids="$pids $!"
wait_port 127.0.0.1 "$prom_port" tcp
# query PROMQL: the value of its first result ("" when none yet)
query() {
	python3 - "http://127.0.0.1:$prom_port/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
try:
    url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
    with urllib.request.urlopen(url, timeout=5) as r:
        res = json.load(r)["data"]["result"]
    print(res[0]["value"][1] if res else "")
except Exception:
    print("")
PY
}
# until the first scrape is in (Prometheus says up=1), at most 15 s
i=0
until [ "$(query 'up{job="sipmed"}')" = 1 ] || [ $i -gt 150 ]; do sleep 0.1; i=$((i + 1)); done
check "Prometheus scraped sipmed: up is 1" [ "$(query 'up{job="sipmed"}')" = 1 ]
check "PromQL: sum(sipmed_calls_total{outcome=\"answered\"}) is 2" \
    [ "$(query 'sum(sipmed_calls_total{outcome="answered"})')" = 2 ]
check "PromQL: inbound calls that failed, 2" \
    [ "$(query 'sipmed_calls_total{direction="inbound",outcome="failed"}')" = 2 ]
check "PromQL: calls that failed with 486, 1" \
    [ "$(query 'sipmed_calls_failed_by_status_total{status="486"}')" = 1 ]
check "PromQL: no call active" [ "$(query 'sipmed_calls_active')" = 0 ]
# the Grafana dashboard: every query is valid PromQL, on metrics sipmed has
python3 - "$top_srcdir/etc/grafana/sipmed.json" "http://127.0.0.1:$prom_port/api/v1/query" \
    "$work/metrics.txt" > "$work/dashboard.out" 2>&1 <<'PY'
import json, re, sys, urllib.parse, urllib.request
dash = json.load(open(sys.argv[1]))
have = set(re.findall(r"^# TYPE (\S+)", open(sys.argv[3]).read(), re.M))
bad = []
for p in dash["panels"]:
    for t in p["targets"]:
        q = t["expr"].replace("$__rate_interval", "1m")
        url = sys.argv[2] + "?" + urllib.parse.urlencode({"query": q})
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                ok = json.load(r)["status"] == "success"
        except Exception as e:
            ok = False
        names = set(re.findall(r"sipmed_[a-z_]+", q))
        if not ok or not names <= have:
            bad.append("%s: %s" % (p["title"], q))
print("\n".join(bad) if bad else "all queries valid")
PY
check "every query of etc/grafana/sipmed.json is valid PromQL on sipmed's metrics" \
    grep -q "^all queries valid$" "$work/dashboard.out"
stop_sipmed

# a listen address sipmed cannot use: it does not start, and says why
CONF_EXTRA="metrics = { listen = \"127.0.0.1:$prom_port\"; };" start_sipmed udp 2> /dev/null
wait "$sipmed_pid" 2>/dev/null
sipmed_pid=""
check "metrics on a port in use: sipmed does not start, and says so" \
    grep -q "metrics: cannot listen on 127.0.0.1:$prom_port" "$work/sipmed.log"
echo "1..$n"
