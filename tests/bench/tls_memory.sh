#!/bin/sh
# tests/bench/tls_memory.sh SIPMED [N]: sipmed's resident memory before and
# after each of three rounds of N (default 3000) mutual-TLS connections,
# each a handshake, one OPTIONS answered 200, and a close. A leak grows
# every round; allocator high-water marks do not. Not a pass/fail test: the figures go
# in BENCHMARKS.md. Run from the top of the checkout after scripts/build.
set -eu
sipmed=${1:?usage: tests/bench/tls_memory.sh SIPMED [N]}
count=${2:-3000}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sipmed-tlsmem.XXXXXX")
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
"$top/scripts/make-certs" "$work/certs" > /dev/null
sed -e "s|@PORT@|26161|; s|@POOL_TLS@|26171|; s|@GW_TLS@|26181|; s|@DIR@|$work/certs|g" \
    "$top/tests/tls/sipmed.conf.in" > "$work/sipmed.conf"
"$sipmed" -c "$work/sipmed.conf" > "$work/log" 2>&1 &
pid=$!
sleep 1
rss() { awk '/^VmRSS/ { print $2 }' /proc/$pid/status; }
echo "start: RSS $(rss) kB"
for round in 1 2 3; do
	ok=$(python3 "$top/tests/tls/connections.py" 127.0.0.1 26161 "$work/certs" "$count")
	echo "after round $round ($count connections, $ok answered 200): RSS $(rss) kB"
done
