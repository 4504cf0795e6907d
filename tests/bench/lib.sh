# tests/bench/lib.sh: what scripts/bench and its parts (memory.sh,
# reload.sh) share. Sourced with top set to the checkout.

# the bench's ports: 30xxx, away from the test suite's and 5060/5061
port=30060 pool_port=30070 gw_port=30080

# b2bua_conf [-e SED_EXPRESSION]...: sipmed on the B2BUA tests' deployment
# (tests/sip/b2bua.conf: sipmed on 127.0.0.1, the pool on 127.0.0.2, the
# gateway on 127.0.0.3) at the bench's ports, invite_timeout 32 s, no
# OPTIONS to the pool; further sed expressions after those. The control
# socket is sipmed.sock beside the file written.
b2bua_conf() {
	sed -e "s/@PORT@/$port/; s/@POOL_PORT@/$pool_port/; s/@GW_PORT@/$gw_port/; s/@GW_FLAGS@//" \
	    -e 's/invite_timeout = 4;/invite_timeout = 32;/' \
	    -e "s|@POOL_HOST@|127.0.0.2|; s|@POOL_FLAGS@|options_interval = 0;|" \
	    "$@" "$top/tests/sip/b2bua.conf"
}

# sipp_stats FILE COLUMN...: the last values of these columns (by name,
# e.g. "FailedCall(C)") of a sipp -trace_stat file, on one line; 0 for
# each when the file has no row yet
sipp_stats() {
	stats_file=$1
	shift
	awk -F';' -v cols="$*" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	    { last = $0 }
	    END { n = split(cols, c, " "); split(last, v, ";")
	          for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), v[col[c[i]]] + 0
	          print "" }' "$stats_file" 2> /dev/null || echo 0 0
}
