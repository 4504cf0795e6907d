#!/bin/sh
# The Debian package: dpkg-buildpackage on a copy of the tree (the files
# git knows), lintian on the result, then installed with dpkg -i: the
# programs, manual pages, systemd unit (neither enabled nor started), the
# sample configuration as a conffile, the sipmed user and group and the
# throwaway certificates that let the sample load (sipmed -n); sipmed run
# from the installed files, and sipmedctl used by a member of the control
# group (and refused to a user outside it); then removed and purged. The
# machine is left as found: a sipmed user made here is deleted. Needs
# root (or sudo without a password) for dpkg -i; skipped, saying why,
# where neither is available. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-33060}
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "1..0 # SKIP installing a package needs root or sudo without a password"
		exit 0
	fi
fi
if dpkg-query -W -f='${Status}' sipmed 2>/dev/null | grep -q "install ok installed"; then
	echo "1..0 # SKIP a sipmed package is installed on this machine: not touched"
	exit 0
fi
had_user=0
getent passwd sipmed > /dev/null && had_user=1
tester=sipmedtest$$
outsider=sipmedout$$
cleanup() {
	$sudo dpkg -P sipmed > /dev/null 2>&1
	$sudo userdel "$tester" 2>/dev/null
	$sudo userdel "$outsider" 2>/dev/null
	[ $had_user -eq 1 ] || $sudo deluser --system --quiet sipmed > /dev/null 2>&1
}

# build, from the files git knows (a clean clone's tree)
mkdir -p "$work/pkg/src"
git -C "$top_srcdir" ls-files -co --exclude-standard | (cd "$top_srcdir" && tar -cf - -T -) |
    tar -C "$work/pkg/src" -xf -
(cd "$work/pkg/src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1
check "dpkg-buildpackage builds the package" test -f "$work/pkg/sipmed_0.1.0_$(dpkg --print-architecture).deb"
deb=$(ls "$work"/pkg/sipmed_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
[ -n "$deb" ] || { sed 's/^/# /' "$work/build.log" | tail -n 30; echo "1..$n"; exit 0; }
lintian --allow-root "$work"/pkg/sipmed_*.changes > "$work/lintian.out" 2>&1
check "lintian: no error and no warning" sh -c "! grep -q '^[EW]: ' '$work/lintian.out'"
contents=$(dpkg -c "$deb")
for f in usr/sbin/sipmed usr/sbin/sipmedctl usr/share/man/man8/sipmed.8.gz \
    usr/share/man/man8/sipmedctl.8.gz usr/share/man/man5/sipmed.conf.5.gz \
    usr/lib/systemd/system/sipmed.service etc/sipmed/sipmed.conf etc/logrotate.d/sipmed; do
	check "the package holds /$f" has "$contents" " \./$f$"
done
dpkg-deb -e "$deb" "$work/ctrl"
check "the configuration is a conffile" grep -qx /etc/sipmed/sipmed.conf "$work/ctrl/conffiles"
check "sofia-sip is linked in: no libsofia-sip dependency" \
    sh -c "! dpkg-deb -f '$deb' Depends | grep -q sofia"

# install
trap 'cleanup; kill $(jobs -p) $pids 2>/dev/null; [ -n "${SIPMED_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT
$sudo dpkg -i "$deb" > "$work/install.log" 2>&1
check "dpkg -i installs it" test $? -eq 0
check "the sipmed system user and group exist" sh -c "getent passwd sipmed && getent group sipmed" 
check "throwaway certificates were made, keys readable by group sipmed only" \
    sh -c "[ \"\$(stat -c '%G %a' /etc/sipmed/certs/sipmed.key)\" = 'sipmed 640' ]"
$sudo /usr/sbin/sipmed -n -c /etc/sipmed/sipmed.conf > "$work/n.out" 2>&1
check "sipmed -n on the installed configuration: configuration OK" grep -q "^configuration OK" "$work/n.out"
check "the installed sipmed reads /etc/sipmed/sipmed.conf by default" \
    sh -c "$sudo /usr/sbin/sipmed -n 2>&1 | grep -q '^configuration OK'"
check "the service is installed but neither enabled nor started" \
    sh -c "[ ! -e /etc/systemd/system/multi-user.target.wants/sipmed.service ]"

# sipmed as the sipmed user, on the installed configuration moved off the
# default port, its socket for group sipmed; sipmedctl for its members
sed -e "s|listen = ( \"sips:0.0.0.0:5061\" );|listen = ( \"sips:127.0.0.1:$port\" );|" \
    -e "s|socket = \"/run/sipmed/sipmed.sock\";|socket = \"$work/run/sipmed.sock\";|" \
    -e 's|# group = "sipmed";|group = "sipmed";|' \
    -e 's|certs/|/etc/sipmed/certs/|g' /etc/sipmed/sipmed.conf > "$work/run.conf"
mkdir -p "$work/run"
chmod 0755 "$work" "$work/run"
$sudo chown sipmed:sipmed "$work/run"
$sudo useradd -M -G sipmed "$tester" && $sudo useradd -M "$outsider"
$sudo runuser -u sipmed -- /usr/sbin/sipmed -c "$work/run.conf" > "$work/sipmed.log" 2>&1 &
pids="$pids $!"
wait_log "$work/sipmed.log" "control socket"
$sudo runuser -u "$tester" -- /usr/sbin/sipmedctl -s "$work/run/sipmed.sock" status > "$work/status.out" 2>&1
check "a member of group sipmed: sipmedctl status works" grep -q "^state: running" "$work/status.out"
$sudo runuser -u "$outsider" -- /usr/sbin/sipmedctl -s "$work/run/sipmed.sock" status > "$work/out.out" 2>&1
rc=$?
check "a user outside it: refused (3), the socket's permissions say no" \
    sh -c "[ $rc -eq 3 ] && grep -q 'Permission denied' '$work/out.out' &&
    grep -q '^state: running' '$work/status.out'"
$sudo pkill -TERM -u sipmed -x sipmed
wait_log "$work/sipmed.log" "stopping: 0 calls active"

# remove keeps the configuration, purge takes it
$sudo dpkg -r sipmed > "$work/remove.log" 2>&1
check "dpkg -r removes the programs and keeps the configuration" \
    sh -c "[ ! -e /usr/sbin/sipmed ] && [ -f /etc/sipmed/sipmed.conf ]"
$sudo dpkg -P sipmed > "$work/purge.log" 2>&1
check "dpkg -P purges the configuration, the certificates and the logs" \
    sh -c "[ ! -e /etc/sipmed ] && [ ! -e /var/log/sipmed ] && [ ! -e /etc/logrotate.d/sipmed ]"
echo "1..$n"
