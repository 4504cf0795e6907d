# tests/ldap/lib.sh: a real OpenLDAP server for the directory tests and
# benchmark, sourced with top_srcdir set: slapd's configuration in its
# own directory ($slapd_dir) on 127.0.0.1:$ldap_port (ldaps:// on the next
# port when certificates are given), with the Lync attributes of
# lync.schema, the tree (people, and sipmed's read-only service account)
# and generated people.
#
#   slapd_setup DIR PORT [CERTS]   writes DIR/slapd.conf and the empty database
#   slapd_start / slapd_stop       runs it (in the background) / stops it
#   tree                           LDIF: the suffix, ou=people, ou=services, sipmed's account
#   person UID LINE URI [ENABLED]  LDIF: one person with the Lync attributes
#   people N                       LDIF: N persons u0..u(N-1), +12060000000 up
command -v slapd > /dev/null || PATH="$PATH:/usr/sbin"
base="dc=contoso,dc=com"
service="cn=sipmed,ou=services,$base"

slapd_setup() {
	slapd_dir=$1 ldap_port=$2
	mkdir -p "$slapd_dir/db"
	{
		printf 'include /etc/ldap/schema/%s.schema\n' core cosine inetorgperson
		printf 'include %s/tests/ldap/lync.schema\n' "$top_srcdir"
		printf 'pidfile %s/slapd.pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n' "$slapd_dir"
		if [ -n "${3:-}" ]; then
			printf 'TLSCACertificateFile %s/ca.crt\n' "$3"
			printf 'TLSCertificateFile %s/directory.crt\n' "$3"
			printf 'TLSCertificateKeyFile %s/directory.key\n' "$3"
		fi
		cat <<-EOF
		database mdb
		suffix "$base"
		rootdn "cn=admin,$base"
		rootpw admin-secret
		directory $slapd_dir/db
		maxsize 1073741824
		index objectClass eq
		index msRTCSIP-Line,telephoneNumber pres
		# sipmed's account reads the people and nothing else, in pages
		limits dn.exact="$service" size.pr=1000 size.prtotal=unlimited
		access to attrs=userPassword by anonymous auth by * none
		access to dn.subtree="ou=people,$base" by dn.exact="$service" read by * none
		access to * by * none
		EOF
	} > "$slapd_dir/slapd.conf"
	slapd_urls="ldap://127.0.0.1:$ldap_port/"
	[ -n "${3:-}" ] && slapd_urls="$slapd_urls ldaps://127.0.0.1:$((ldap_port + 1))/"
	admin="-x -H ldap://127.0.0.1:$ldap_port -D cn=admin,$base -w admin-secret"
}

slapd_pid=""
slapd_start() {
	slapd -f "$slapd_dir/slapd.conf" -h "$slapd_urls" -d 0 >> "$slapd_dir/slapd.log" 2>&1 &
	slapd_pid=$!
	pids="${pids:-} $slapd_pid"
	wait_port 127.0.0.1 "$ldap_port" tcp
}
slapd_stop() {
	kill "$slapd_pid" 2>/dev/null
	wait "$slapd_pid" 2>/dev/null
}

tree() {
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Contoso\ndc: contoso\n\n' "$base"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$base"
	printf 'dn: ou=services,%s\nobjectClass: organizationalUnit\nou: services\n\n' "$base"
	printf 'dn: %s\nobjectClass: person\ncn: sipmed\nsn: sipmed\nuserPassword: reader-secret\n\n' "$service"
}

person() {
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: sipmedLyncUser\n' "$1" "$base"
	printf 'uid: %s\ncn: %s\nsn: %s\nmsRTCSIP-Line: %s\nmsRTCSIP-PrimaryUserAddress: %s\n' \
	    "$1" "$1" "$1" "$2" "$3"
	[ -n "${4:-}" ] && printf 'msRTCSIP-UserEnabled: %s\n' "$4"
	printf '\n'
}

people() {
	awk -v n="$1" -v base="$base" 'BEGIN {
		for (i = 0; i < n; i++) {
			printf "dn: uid=u%d,ou=people,%s\nobjectClass: inetOrgPerson\n", i, base
			printf "objectClass: sipmedLyncUser\nuid: u%d\ncn: u%d\nsn: u%d\n", i, i, i
			printf "msRTCSIP-Line: tel:+1206%07d\nmsRTCSIP-PrimaryUserAddress: sip:u%d@contoso.com\n\n", i, i
		}
	}'
}
