#!/bin/sh
# sipmedctl import-lync and export-lync. Realistic Lync, Skype for
# Business and Teams scripts (US sites, UK, Dutch, Teams Direct Routing,
# users CSVs) are imported, loaded by "sipmed -n" without a warning and
# checked with test-cases against what their rules must give; exported and
# imported again, they give the same answers. Every unmappable item gives
# its warning; a file that cannot be read or parsed gives exit 1 and no
# output. The sample configuration's export, imported, decides as it does.
# TAP output.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
ctl="$top_builddir/sipmedctl/sipmedctl"
sipmed="$top_builddir/src/sipmed"
dir="$top_srcdir/tests/import"
work=$(mktemp -d "${TMPDIR:-/tmp}/sipmed-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$top_srcdir/scripts/make-certs" "$work/certs" > /dev/null
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | head -n 30
	return 0
}

# check_load NAME: the written configuration loads with no warning at all
check_load() {
	if "$sipmed" -c "$work/$1.conf" -n > "$work/$1.load" 2>&1 &&
	    [ "$(cat "$work/$1.load")" = "configuration OK" ]; then
		ok "$1: sipmed -n loads it, no warning"
	else
		not_ok "$1: sipmed -n" "$work/$1.load"
	fi
}

# check_cases NAME CASES: every case passes
check_cases() {
	if "$ctl" -c "$work/$1.conf" test-cases "$dir/$2" > "$work/$1.cases" 2>&1; then
		ok "$1: $(tail -n 1 "$work/$1.cases") ($2)"
	else
		not_ok "$1: test-cases $2" "$work/$1.cases"
	fi
}

# imported NAME WANT_RC WANT_STDERR ARGS...: import-lync ARGS into NAME.conf
imported() {
	name=$1 want_rc=$2 want_err=$3
	shift 3
	(cd "$dir" && "$ctl" import-lync "$@") > "$work/$name.conf" 2> "$work/$name.err"
	rc=$?
	if [ $rc -eq "$want_rc" ] && [ "$(cat "$work/$name.err")" = "$want_err" ]; then
		ok "$name: import-lync exits $rc${want_err:+ with the one warning expected}"
	else
		echo "exit $rc, want $want_rc" >> "$work/$name.err"
		not_ok "$name: import-lync" "$work/$name.err"
	fi
}

# round_trip NAME CASES ARGS...: export NAME.conf, import it with ARGS
# (the topology facts: --site, --users), and run the cases again
round_trip() {
	name=$1 cases=$2
	shift 2
	if ! "$ctl" -c "$work/$name.conf" export-lync > "$work/$name.ps1" 2> "$work/$name.rt.err" ||
	    ! (cd "$dir" && "$ctl" import-lync "$@" "$work/$name.ps1") > "$work/$name-rt.conf" \
	    2>> "$work/$name.rt.err"; then
		not_ok "$name: export-lync, then import-lync" "$work/$name.rt.err"
		return
	fi
	ok "$name: export-lync's script imports with no warning"
	check_load "$name-rt"
	check_cases "$name-rt" "$cases"
}

us_args="--users users.csv --site gw1.pdx.contoso.com=Portland --site gw1.chi.contoso.com=Chicago
    --site pool-pdx.contoso.com=Portland --site pool-chi.contoso.com=Chicago"
# shellcheck disable=SC2086
imported us 0 "" $us_args us-sites.ps1
check_load us
check_cases us us-sites.cases
# shellcheck disable=SC2086
round_trip us us-sites.cases $us_args

eu_args="--users users-eu.csv --site pool-lon.contoso.co.uk=London
    --site pool-ams.contoso.nl=Amsterdam --site sbc.lon.contoso.co.uk=London"
# shellcheck disable=SC2086
imported eu 2 "uk-london.ps1:35: warning: New-CsVoicePolicy -EnableCallPark has no sipmed equivalent: skipped" \
    $eu_args uk-london.ps1 nl-amsterdam.ps1
check_load eu
check_cases eu eu.cases
# shellcheck disable=SC2086
round_trip eu eu.cases $eu_args

imported teams 0 "" teams-direct-routing.ps1
check_load teams
check_cases teams teams.cases
round_trip teams teams.cases

imported quoting 0 "" --domain contoso.com quoting.ps1
check_cases quoting quoting.cases
# the same script as Windows PowerShell's Out-File writes it
iconv -f UTF-8 -t UTF-16 "$dir/quoting.ps1" > "$work/quoting16.ps1"
"$ctl" import-lync --domain contoso.com "$work/quoting16.ps1" > "$work/quoting16.conf" 2>&1
if [ "$(grep -v '^ *#' "$work/quoting.conf")" = "$(grep -v '^ *#' "$work/quoting16.conf")" ]; then
	ok "a UTF-16 script (with its byte order mark) imports as the UTF-8 one"
else
	not_ok "a UTF-16 script" "$work/quoting16.conf"
fi

# each unmappable item: its warning, in order; the rest still loads
(cd "$dir" && "$ctl" import-lync warnings.ps1) > "$work/warnings.conf" 2> "$work/warnings.err"
rc=$?
sed -n 's/^#> //p' "$dir/warnings.ps1" > "$work/warnings.want"
if [ $rc -eq 2 ] && diff "$work/warnings.want" "$work/warnings.err" > "$work/warnings.diff"; then
	ok "every unmappable item: its FILE:LINE warning, exit 2 ($(wc -l < "$work/warnings.want") warnings)"
else
	echo "exit $rc" >> "$work/warnings.diff"
	not_ok "unmappable items" "$work/warnings.diff"
fi
if "$sipmed" -c "$work/warnings.conf" -n > /dev/null 2>&1; then
	ok "what could be mapped from it still loads"
else
	not_ok "the warnings script's output loads"
fi

# fatal: exit 1 and nothing on standard output
fatal() {
	name=$1 want=$2
	shift 2
	(cd "$work" && "$ctl" import-lync "$@") > "$work/fatal.out" 2> "$work/fatal.err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$work/fatal.out" ] && grep -qF -- "$want" "$work/fatal.err"; then
		ok "$name: exit 1, nothing written"
	else
		echo "exit $rc" >> "$work/fatal.err"
		not_ok "$name" "$work/fatal.err"
	fi
}
printf "New-CsDialPlan -Identity 'Site:X'\nNew-CsVoiceNormalizationRule -Parent 'Site:X' -Name 'R' -Pattern '^(1)\$\n" \
    > "$work/unclosed.ps1"
fatal "an unclosed string" "unclosed.ps1:2: a string is not closed with '" unclosed.ps1
printf 'Set-CsPstnUsage -Usage @{add="A"\n' > "$work/hash.ps1"
fatal "an unclosed hash table" "hash.ps1:2: a hash table @{ is not closed with }" hash.ps1
printf 'Write-Host x | Out-Null "a" `x\n' > "$work/pipe.ps1"
fatal "a bad argument after | Out-Null (fuzz_import: it looped)" 'pipe.ps1:1: unexpected "`"' pipe.ps1
fatal "a missing script" "missing.ps1: cannot read: No such file or directory" missing.ps1
printf '"Name","Number"\n"a","b"\n' > "$work/bad.csv"
fatal "a users file without SipAddress and LineURI" \
    "bad.csv:1: the first row must name the columns, with SipAddress and LineURI" \
    --users bad.csv "$dir/quoting.ps1"
fatal "no script" "usage: sipmedctl import-lync" --domain contoso.com

# The sample configuration: exported, imported with the trunk's site, it
# decides every call as the original does. Trunks take their gateways'
# names, and a range answering 410 becomes Lync's busy (export-lync says
# so in the script): numbers in it are not compared.
sample=$top_srcdir/etc/sipmed.conf
"$ctl" -c "$sample" export-lync > "$work/sample.ps1"
"$ctl" import-lync --site gw1.portland.contoso.com=Portland "$work/sample.ps1" \
    > "$work/sample.conf" 2> "$work/sample.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$work/sample.err" ]; then
	ok "the sample configuration's export imports with no warning"
else
	not_ok "the sample's export imports" "$work/sample.err"
fi
decide() {
	conf=$1 pgw=$2 sgw=$3
	for u in ceo secretary alice bob reception sales1 lobby; do
		for num in 1234 5678 0 5551234 5035550199 15035550199 2065550100 \
		    011442012345678 911 12 +15033121234; do
			echo "outbound $u $num"
			"$ctl" -c "$conf" test-outbound "sip:$u@contoso.com" "$num" 2>&1
		done
	done
	for num in 1234 9999 5033121234 15033121234 5678 7000 7001 12 +15033129999; do
		for t in "$pgw" "$sgw"; do
			echo "inbound $t $num"
			"$ctl" -c "$conf" test-inbound "$t" "$num" 5035550100 2>&1
		done
	done
	for num in +15035550199 +442012345678 +15033121234; do
		echo "trunk $num"
		"$ctl" -c "$conf" test-trunk "$pgw" "$num" "$num" 2>&1
	done
}
decide "$sample" portland-gw seattle-gw | sed 's/portland-gw/PGW/g; s/seattle-gw/SGW/g' \
    > "$work/sample.before"
decide "$work/sample.conf" gw1.portland.contoso.com gw2.seattle.contoso.com |
    sed 's/gw1\.portland\.contoso\.com/PGW/g; s/gw2\.seattle\.contoso\.com/SGW/g' \
    > "$work/sample.after"
if diff "$work/sample.before" "$work/sample.after" > "$work/sample.diff"; then
	ok "export then import decides as before: $(grep -c '^\(outbound\|inbound\|trunk\) ' \
	    "$work/sample.before") calls"
else
	not_ok "export then import decides as before" "$work/sample.diff"
fi
echo "1..$n"
