#!/bin/sh
# Users from the directory: a real OpenLDAP server (slapd, started here on
# a loopback port with its own database, the Lync attributes of
# lync.schema and 10,000 generated users) and sipmed with a directory
# group beside the B2BUA tests' deployment (tests/sip/b2bua.conf), called
# by sipp. Calls reach users only the directory knows; users added or
# whose number is removed count after the next poll without a reload;
# the file's users override the directory's; a number two entries hold
# goes to neither; slapd stopped mid-test leaves calls going on with the
# last good directory; bad credentials and a bad CA at sipmed -n;
# StartTLS with the test CA; the generic LDAP preset. TAP output.
. "$top_srcdir/tests/lib.sh"
port=${SIPMED_TEST_PORT:-29060}
pool_port=$((port + 10))
gw_port=$((port + 20))
ldap_port=$((port + 30))
. "$top_srcdir/tests/sipp.sh"
certs="$work/certs"
"$top_srcdir/scripts/make-certs" "$certs" --test > /dev/null || { echo "Bail out! make-certs"; exit 1; }
. "$top_srcdir/tests/ldap/lib.sh"
slapd_setup "$work/slapd" "$ldap_port" "$certs"
slapd_start
{
	tree
	person carol "tel:+15033124444" "sip:carol@contoso.com" TRUE
	person dup1 "tel:+15033124446" "sip:dup1@contoso.com"
	person dup2 "tel:+15033124446" "sip:dup2@contoso.com"
	person gone "tel:+15033124447" "sip:gone@contoso.com" FALSE
	person mallory "tel:+15033121234" "sip:mallory@contoso.com"
	# a user whose voice policy the directory names (employeeType here)
	person intern "tel:+15033124449" "sip:intern@contoso.com"
	printf 'dn: uid=intern,ou=people,%s\nchangetype: modify\nadd: employeeType\nemployeeType: Internal\n\n' "$base" > "$work/intern.ldif"
	# a number written for people, as a plain directory keeps it
	printf 'dn: uid=frank,ou=people,%s\nobjectClass: inetOrgPerson\nuid: frank\ncn: frank\nsn: frank\n' "$base"
	printf 'telephoneNumber: +1 (503) 312-4448\nmail: frank@contoso.com\n\n'
	people 10000
} > "$work/people.ldif"
ldapadd $admin -f "$work/people.ldif" > "$work/ldapadd.out" 2>&1 &&
    ldapmodify $admin -f "$work/intern.ldif" >> "$work/ldapadd.out" 2>&1
check "the test directory holds 10,000 users and the cases" [ $? -eq 0 ]

printf 'reader-secret\n' > "$work/ldap.pw"
printf 'wrong\n' > "$work/bad.pw"
directory() { # directory PASSWORD_FILE [MORE SETTINGS]
	printf 'directory = { uri = "%s"; bind_dn = "%s";\n' \
	    "${DIR_URI:-ldap://127.0.0.1:$ldap_port}" "$service"
	printf '  password_file = "%s"; base = "ou=people,%s"; changed_attribute = "modifyTimestamp";\n' \
	    "$1" "$base"
	printf '  poll_interval = 1; %s };\n' "${2:-}"
}

# sipmed -n: the bind is checked
check_conf() { # check_conf CONF_EXTRA: sipmed -n's output in $work/n.out
	sed -e "s/@PORT@/$port/; s/@POOL_PORT@/$pool_port/; s/@GW_PORT@/$gw_port/" \
	    -e "s/@POOL_HOST@/127.0.0.2/; s/@GW_FLAGS@/options_interval = 0;/" \
	    -e "s/@POOL_FLAGS@/options_interval = 0;/" "$top_srcdir/tests/sip/b2bua.conf" > "$work/n.conf"
	printf '%s\n' "$1" >> "$work/n.conf"
	"$sipmed" -n -c "$work/n.conf" > "$work/n.out" 2>&1
}
check_conf "$(directory "$work/bad.pw")"
rc=$?
check "sipmed -n with a wrong password: refused (1)" [ $rc -eq 1 ]
check "saying the bind failed: Invalid credentials" \
    grep -q "directory ldap://127.0.0.1:$ldap_port: bind: Invalid credentials" "$work/n.out"
check_conf "$(directory "$work/ldap.pw")"
check "sipmed -n with the right one: configuration OK" grep -q "^configuration OK" "$work/n.out"
check_conf "$(directory "$work/ldap.pw" "starttls = true; ca_file = \"$certs/ca.crt\";")"
check "StartTLS with the test CA: configuration OK" grep -q "^configuration OK" "$work/n.out"
check_conf "$(directory "$work/ldap.pw" "starttls = true; ca_file = \"$certs/other-ca.crt\";")"
rc=$?
check "StartTLS with a CA that did not sign the server's certificate: refused" \
    sh -c "[ $rc -eq 1 ] && grep -q 'StartTLS: Connect error' '$work/n.out'"

DIR_URI=ldaps://127.0.0.1:$((ldap_port + 1)) check_conf "$(directory "$work/ldap.pw" \
    "ca_file = \"$certs/ca.crt\";")"
check "ldaps:// with the test CA: configuration OK" grep -q "^configuration OK" "$work/n.out"

# sipmed with the directory, polled every second; an "Internal" voice
# policy with no PSTN usage, which the directory gives the intern
tr=udp
CONF_SED='s/voice_policies = ( { name = "Global"; pstn_usages = ( "Local" ); }/&, { name = "Internal"; pstn_usages = ( ); }/' \
CONF_EXTRA=$(directory "$work/ldap.pw" "starttls = true; ca_file = \"$certs/ca.crt\";
  voice_policy_attribute = \"employeeType\";") \
    start_sipmed udp || exit 1
check "the first load is logged: 10,003 users, 1 number held twice" \
    grep -q "full load: 10003 users, 1 entries skipped, 1 numbers held by several entries" \
    "$work/sipmed.log"
check "the number two entries hold is reported with both" \
    grep -q "+15033124446 is held by sip:dup1@contoso.com and sip:dup2@contoso.com" "$work/sipmed.log"
pool_got() { received "$(msg callee)" "INVITE "; }
NUM=4444 inbound callee.xml caller.xml "a call to 4444, a number only the directory has"
check "it reached carol" has "$(pool_got)" "^INVITE sip:carol@contoso.com SIP/2.0"
NUM=2060000042 inbound callee.xml caller.xml "a call to one of the 10,000"
check "it reached u42" has "$(pool_got)" "^INVITE sip:u42@contoso.com SIP/2.0"
NUM=1234 inbound callee.xml caller.xml "a call to 1234, alice's in the file, mallory's in the directory"
check "the file's user wins: alice" has "$(pool_got)" "^INVITE sip:alice@contoso.com SIP/2.0"
FROM=u42@contoso.com outbound callee.xml caller.xml "a directory user calls out: found by its SIP URI"
inv=$(received "$(msg callee)" "INVITE ")
check "the gateway sees u42's own number as the caller" has "$inv" "^From: <sip:12060000042@contoso.com;user=phone>"
refused 403 "a directory user whose voice policy (from the directory) has no PSTN usage: 403" \
    5035550199 intern@contoso.com 127.0.0.2 $((pool_port + 1))
refused 404 "a number two directory entries hold goes to neither: 404" 4446 5035550100
refused 404 "a user disabled in the directory gets no calls: 404" 4447 5035550100
"$top_builddir/sipmedctl/sipmedctl" -c "$work/sipmed.conf" test-inbound gw 4444 > "$work/ti.out" 2>&1
check "sipmedctl test-inbound answers from the directory" grep -q "sip:carol@contoso.com" "$work/ti.out"
check "status shows the directory, its users and its age" \
    sh -c "'$top_builddir/sipmedctl/sipmedctl' -s '$work/sipmed.sock' status |
    grep -q '^directory: ldap://127.0.0.1:$ldap_port, 10003 users .*loaded [0-9]* s ago'"

# changes count after the next poll, without a reload
# loads: how many lines say TEXT so far (wait_log then waits for one more)
loads() { grep -c -- "$1" "$work/sipmed.log"; }
was=$(loads "delta load: 10004 users")
printf 'dn: uid=erin,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: sipmedLyncUser\nuid: erin\ncn: erin\nsn: erin\nmsRTCSIP-Line: tel:+15033124445\nmsRTCSIP-PrimaryUserAddress: sip:erin@contoso.com\n' \
    "$base" | ldapadd $admin > /dev/null 2>&1
wait_log "$work/sipmed.log" "delta load: 10004 users" "$was"
NUM=4445 inbound callee.xml caller.xml "a user added to the directory gets calls after the next poll"
check "it reached erin" has "$(pool_got)" "^INVITE sip:erin@contoso.com SIP/2.0"
check "with no reload" lacks "$(cat "$work/sipmed.log")" "reload of"
was=$(loads "delta load: 10003 users")
printf 'dn: uid=carol,ou=people,%s\nchangetype: modify\ndelete: msRTCSIP-Line\n' "$base" |
    ldapmodify $admin > /dev/null 2>&1
wait_log "$work/sipmed.log" "delta load: 10003 users" "$was"
refused 404 "a number removed from the directory becomes unassigned: 404" 4444 5035550100

# the directory goes away: calls go on with the last good one
slapd_stop
wait_log "$work/sipmed.log" "load failed"
check "a failed load is logged with the LDAP error" \
    grep -q "directory ldap://127.0.0.1:$ldap_port: delta load failed: .*Can't contact LDAP server.*calls go on" \
    "$work/sipmed.log"
NUM=2060000042 inbound callee.xml caller.xml "with slapd stopped, calls go on with the last good directory"
check "it reached u42" has "$(pool_got)" "^INVITE sip:u42@contoso.com SIP/2.0"
check "status says the directory is unreachable" \
    sh -c "'$top_builddir/sipmedctl/sipmedctl' -s '$work/sipmed.sock' status |
    grep -q '^directory: .*10003 users.*unreachable: [0-9]* failed load'"
slapd_start
wait_log "$work/sipmed.log" "reachable again"
check "when slapd is back, loads succeed again" grep -q "reachable again after" "$work/sipmed.log"
stop_sipmed

# a start with the directory down is allowed, and says so
slapd_stop
nousers=$(grep -c "starts without its users" "$work/sipmed.log")
CONF_EXTRA=$(directory "$work/ldap.pw") start_sipmed udp || exit 1
check "a start with the directory unreachable is allowed and says so" \
    test "$(grep -c "starts without its users" "$work/sipmed.log")" -gt "$nousers"
stop_sipmed
slapd_start

# the generic preset: telephoneNumber and mail
CONF_EXTRA=$(directory "$work/ldap.pw" 'preset = "ldap";') start_sipmed udp || exit 1
NUM=4448 inbound callee.xml caller.xml "the ldap preset: a call to frank's telephoneNumber, +1 (503) 312-4448"
check "it reached frank, by his mail" has "$(pool_got)" "^INVITE sip:frank@contoso.com SIP/2.0"
stop_sipmed
slapd_stop

echo "1..$n"
