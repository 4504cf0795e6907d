#!/bin/sh
# make install into a scratch DESTDIR: the programs, the manual pages
# (which groff formats without a warning), the systemd unit with the
# installed paths in it, and the sample configuration, which a second
# install does not overwrite. TAP output.
. "$top_srcdir/tests/lib.sh"
dest="$work/root"
inst() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install \
	    DESTDIR="$dest" > "$work/install.log" 2>&1
}
inst
check "make install succeeds" test $? -eq 0
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
sbindir=$(sed -n 's/^sbindir = //p' "$top_builddir/Makefile" | sed "s|\${exec_prefix}|$prefix|")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile" | sed "s|\${prefix}|$prefix|")
for p in sipmed sipmedctl; do
	check "$p is installed in sbin" test -x "$dest$prefix/sbin/$p"
done
for m in man8/sipmed.8 man8/sipmedctl.8 man5/sipmed.conf.5; do
	f="$dest$prefix/share/man/$m"
	check "manual page $m is installed" test -f "$f"
	LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" > "$work/groff.out" 2>&1
	check "manual page $m formats without a warning" test ! -s "$work/groff.out"
done
unit="$dest$prefix/lib/systemd/system/sipmed.service"
check "the systemd unit is installed" test -f "$unit"
check "it runs the installed sipmed on the installed configuration" \
    grep -q "^ExecStart=$prefix/sbin/sipmed -c $sysconfdir/sipmed.conf$" "$unit"
check "its reload is sipmedctl reload (a bad file fails the reload)" \
    grep -q "^ExecReload=$prefix/sbin/sipmedctl -c $sysconfdir/sipmed.conf reload$" "$unit"
check "its stop drains (SIGTERM) with more time than drain_timeout's default" \
    sh -c "grep -q '^KillSignal=SIGTERM$' '$unit' && grep -q '^TimeoutStopSec=90$' '$unit'"
check "no template is left in it" sh -c "! grep -q '@' '$unit'"
conf="$dest$sysconfdir/sipmed.conf"
check "the sample configuration is installed" cmp -s "$conf" "$top_srcdir/etc/sipmed.conf"
echo "# edited" >> "$conf"
inst
check "a second install keeps an edited configuration" grep -q "^# edited$" "$conf"
check "and puts the sample beside the documentation" \
    test -f "$dest$prefix/share/doc/sipmed/sipmed.conf.example"
"$dest$prefix/sbin/sipmedctl" help > "$work/help" 2>&1
check "the installed sipmedctl runs" grep -q "^  reload " "$work/help"
echo "1..$n"
