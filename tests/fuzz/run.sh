#!/bin/sh
# libFuzzer harnesses (clang, with AddressSanitizer and UBSan): the rule
# engine and number parsing (fuzz_rules), the configuration loader
# (fuzz_conf), and the path from a parsed SIP request to the call
# decision (fuzz_decide), and sipmedctl import-lync's PowerShell reader
# and cmdlets (fuzz_import, seeded with tests/import's scripts). Builds them from the sources with clang, then
# runs each for FUZZ_SECONDS (default 15) from its seed corpus in
# tests/fuzz/corpus (the configuration seeds are tests/config/*.conf and
# the sample). A crash, a leak or a sanitizer report fails the harness;
# its reproducer is kept in the scratch directory. TAP output.
#
# A longer run, for instance an hour each, two jobs at once:
#   FUZZ_SECONDS=3600 FUZZ_JOBS=2 SIPMED_TEST_KEEP=1 \
#     top_srcdir=$PWD top_builddir=$PWD/build tests/fuzz/run.sh
. "$top_srcdir/tests/lib.sh"
seconds=${FUZZ_SECONDS:-15}
bin="$top_builddir/tests/fuzz"
fuzz="$top_srcdir/tests/fuzz"

command -v clang > /dev/null || { echo "1..0 # SKIP clang is not installed"; exit 0; }
# the sofia-sip sipmed links, and the flags of every library
sofia=$(cat "$top_builddir/.sofia")
export PKG_CONFIG_PATH="$sofia/lib/pkgconfig"
cflags="$(pkg-config --cflags sofia-sip-ua libpcre2-8 libconfig openssl ldap libmicrohttpd) -I$top_srcdir/src -I$top_builddir"
libs="$(pkg-config --static --libs sofia-sip-ua) $(pkg-config --libs libpcre2-8 libconfig openssl ldap libmicrohttpd)"
san="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

# every module but the daemon's main, compiled once for the three; again
# when it, this script or any header changed (a header changes the
# layout of what every object shares: stale objects would disagree)
mkdir -p "$bin/obj"
built=1
header=$(ls -t "$top_srcdir"/src/*.h "$top_builddir/config.h" | head -n 1)
for src in "$top_srcdir"/src/*.c; do
	[ "$(basename "$src")" = sipmed.c ] && continue
	obj="$bin/obj/$(basename "${src%.c}").o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$0" -nt "$obj" ] ||
	    [ "$header" -nt "$obj" ]; then
		# shellcheck disable=SC2086
		nice -n 19 clang $san -fsanitize=fuzzer-no-link -c $cflags -DSYSCONFDIR='"/etc"' "$src" -o "$obj" \
		    2>> "$work/build.log" || built=0
	fi
done
# import-lync: the PowerShell reader and the cmdlets, without the commands
ctlobjs=
for src in "$top_srcdir"/sipmedctl/ps.c "$top_srcdir"/sipmedctl/lync_*.c; do
	[ "$(basename "$src")" = lync_export.c ] && continue
	obj="$bin/obj/ctl_$(basename "${src%.c}").o"
	ctlobjs="$ctlobjs $obj"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$0" -nt "$obj" ] ||
	    [ "$(ls -t "$top_srcdir"/sipmedctl/*.h | head -n 1)" -nt "$obj" ]; then
		# shellcheck disable=SC2086
		nice -n 19 clang $san -fsanitize=fuzzer-no-link -c $cflags -I"$top_srcdir/sipmedctl" \
		    "$src" -o "$obj" 2>> "$work/build.log" || built=0
	fi
done
# the objects of today's sources only: a module removed since leaves its .o
objs=$(for src in "$top_srcdir"/src/*.c; do
	[ "$(basename "$src")" = sipmed.c ] || echo "$bin/obj/$(basename "${src%.c}").o"
done)
for h in rules conf decide; do
	# shellcheck disable=SC2086
	clang $san $cflags "$fuzz/fuzz_$h.c" $objs $libs -o "$bin/fuzz_$h" \
	    2>> "$work/build.log" || built=0
done
# shellcheck disable=SC2086
clang $san $cflags -I"$top_srcdir/sipmedctl" "$fuzz/fuzz_import.c" $ctlobjs $libs \
    -o "$bin/fuzz_import" 2>> "$work/build.log" || built=0
if [ $built -eq 0 ]; then
	not_ok "the fuzz harnesses build with clang" "$work/build.log"
	echo "1..$n"
	exit 0
fi
ok "the fuzz harnesses build with clang"

# run NAME SEEDS...: FUZZ_SECONDS from a copy of the seeds
run() {
	h=$1
	shift
	mkdir -p "$work/corpus-$h"
	cp "$@" "$work/corpus-$h/"
	# niced: the call-flow tests beside it in make -j2 check are about timing
	(cd "$top_srcdir" && LSAN_OPTIONS="suppressions=$fuzz/lsan.supp" \
	    nice -n 19 "$bin/fuzz_$h" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$h-" \
	    -jobs="${FUZZ_JOBS:-1}" -workers="${FUZZ_JOBS:-1}" \
	    "$work/corpus-$h" > "$work/$h.log" 2>&1)
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		ok "fuzz_$h: ${runs:-?} inputs in ${seconds} s, no crash, leak or sanitizer report"
	else
		not_ok "fuzz_$h (exit $rc; the input is in $work/$h-*)" "$work/$h.log"
	fi
}
run rules "$fuzz"/corpus/rules/*
run conf "$top_srcdir"/tests/config/*.conf "$top_srcdir"/etc/sipmed.conf "$fuzz/decide.conf" \
    "$fuzz"/corpus/conf/*
run decide "$fuzz"/corpus/decide/*
run import "$top_srcdir"/tests/import/*.ps1 "$fuzz"/corpus/import/*
echo "1..$n"
