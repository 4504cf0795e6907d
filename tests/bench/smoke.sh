#!/bin/sh
# The rule benchmark builds and runs, and every indexed answer it samples
# equals the linear scan's (bench_rules exits 1 otherwise). No timing is
# asserted: figures belong in BENCHMARKS.md. TAP output.
set -u
: "${top_builddir:?}"
echo "1..2"
out=$("$top_builddir/tests/bench/bench_rules" -s 10,1000 -l 2000 -g 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "ok 1 - bench_rules: indexed answers equal the linear scan" ||
	echo "not ok 1 - bench_rules exited $rc"
lines=$(echo "$out" | grep -c 'lookups/s')
[ "$lines" -eq 4 ] && echo "ok 2 - bench_rules reports every plan size" ||
	echo "not ok 2 - bench_rules printed $lines result lines, want 4"
