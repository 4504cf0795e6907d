#!/bin/sh
# Configuration error tests: "sipmed -c FILE -n" on each tests/config/*.conf
# must print exactly the lines written in that file after "#> " (in order)
# and exit 1 when they hold an error, 0 when the last is "configuration OK".
# TAP output, one test per file plus the sample configuration.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
sipmed="$top_builddir/src/sipmed"
cd "$top_srcdir/tests/config" || exit 1

files=$(ls *.conf)
n=0
total=$(( $(echo "$files" | wc -l) + 2 ))
echo "1..$total"
for f in $files; do
	n=$((n + 1))
	want=$(sed -n 's/^#> //p' "$f")
	got=$("$sipmed" -c "$f" -n 2>&1)
	rc=$?
	case "$want" in
	*"configuration OK") want_rc=0 ;;
	*) want_rc=1 ;;
	esac
	if [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
		echo "ok $n - $f: exact messages, exit $rc"
	else
		echo "not ok $n - $f: exit $rc (want $want_rc)"
		echo "$want" > /tmp/sipmed-want.$$; echo "$got" > /tmp/sipmed-got.$$
		diff /tmp/sipmed-want.$$ /tmp/sipmed-got.$$ | sed 's/^/# /'
		rm -f /tmp/sipmed-want.$$ /tmp/sipmed-got.$$
	fi
done

# the sample refers to certs/ next to it: a copy with throwaway ones
sample=$(mktemp -d "${TMPDIR:-/tmp}/sipmed-sample.XXXXXX")
cp "$top_srcdir/etc/sipmed.conf" "$sample/"
"$top_srcdir/scripts/make-certs" "$sample/certs" > /dev/null
n=$((n + 1))
got=$("$sipmed" -c "$sample/sipmed.conf" -n 2>&1)
rm -rf "$sample"
if [ $? -eq 0 ] && [ "$got" = "configuration OK" ]; then
	echo "ok $n - the sample etc/sipmed.conf passes sipmed -n with no warning"
else
	echo "not ok $n - the sample etc/sipmed.conf: $got"
fi

n=$((n + 1))
got=$("$sipmed" -c /nonexistent/sipmed.conf -n 2>&1)
if [ $? -eq 1 ] && [ "$got" = "/nonexistent/sipmed.conf: cannot read: No such file or directory" ]; then
	echo "ok $n - a missing file: one clear message, exit 1"
else
	echo "not ok $n - a missing file: $got"
fi
