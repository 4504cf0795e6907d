#!/bin/sh
# The rule benchmark builds and runs, and every indexed answer it samples
# equals the linear scan's (bench_rules exits 1 otherwise). No timing is
# asserted: figures belong in BENCHMARKS.md. TAP output.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
echo "1..4"
out=$("$top_builddir/tests/bench/bench_rules" -s 10,1000 -l 2000 -g 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "ok 1 - bench_rules: indexed answers equal the linear scan" ||
	echo "not ok 1 - bench_rules exited $rc"
lines=$(echo "$out" | grep -c 'lookups/s')
[ "$lines" -eq 4 ] && echo "ok 2 - bench_rules reports every plan size" ||
	echo "not ok 2 - bench_rules printed $lines result lines, want 4"

# A generated 20,000-rule plan loads, and a lookup through sipmedctl works
# (a regression here once made loading quadratic in the number of rules).
conf=$(mktemp)
"$top_srcdir/tests/bench/gen_plan.sh" 20000 > "$conf"
out=$("$top_builddir/src/sipmed" -c "$conf" -n 2>&1)
[ "$out" = "configuration OK" ] && echo "ok 3 - a generated 20,000-rule plan loads" ||
	echo "not ok 3 - the 20,000-rule plan: $out"
out=$("$top_builddir/sipmedctl/sipmedctl" -c "$conf" test-dialplan Global +15030000000 | tr '\n' ' ')
[ "$out" = "+15033120000 e0 " ] && echo "ok 4 - its first rule answers through sipmedctl" ||
	echo "not ok 4 - test-dialplan on the big plan gave: $out"
rm -f "$conf"
