# tests/lib.sh: what the shell test scripts share, sourced by them (with
# top_srcdir and top_builddir set, as make check does): the programs
# ($sipmed, the scenarios in $scen), a scratch directory ($work, removed
# at exit unless SIPMED_TEST_KEEP is set; $cwork, the current case's
# directory in it, where sipmed.log is expected),
# TAP lines (ok, not_ok, check), text conditions (has, lacks), waits for
# an event (wait_port, wait_log) and sipp message traces (received, sent).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
sipmed="$top_builddir/src/sipmed"
scen="$top_srcdir/tests/sip/scenarios"
work=$(mktemp -d "${TMPDIR:-/tmp}/sipmed-test.XXXXXX")
# where the case being run keeps its files (tests/sip gives each case its own)
cwork=$work
# helpers a script starts and must not outlive it go in $pids too
pids=""
trap 'kill $(jobs -p) $pids 2>/dev/null; [ -n "${SIPMED_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT
[ -n "${SIPMED_TEST_KEEP:-}" ] && echo "# traces in $work"
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
# not_ok NAME [FILE...]: a failure, with the last lines of each FILE
not_ok() {
	n=$((n + 1)); echo "not ok $n - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | tail -n 40; done
}

# check NAME COMMAND...: a TAP line for a shell condition
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "$cwork/sipmed.log"; fi
}

has() { printf '%s\n' "$1" | grep -q -- "$2"; }

. "$top_srcdir/tests/wait.sh"
lacks() { ! printf '%s\n' "$1" | grep -qi -- "$2"; }

# message LOG received|sent START: the first message received (or sent)
# in a sipp -trace_msg LOG whose first line starts with START (e.g.
# "INVITE ", "SIP/2.0 200"), CRs removed
message() {
	tr -d '\r' < "$1" | awk -v dir="message $2" -v start="$3" '
		/^-----+ [0-9][0-9][0-9][0-9]-/ { inmsg = 0; next }
		/message (received|sent)/ { want = index($0, dir) > 0; next }
		want && !inmsg && index($0, start) == 1 { inmsg = 1; found = 1 }
		inmsg && want { print }
		found && !inmsg { exit }'
}
received() { message "$1" received "$2"; }
sent() { message "$1" sent "$2"; }
