# tests/wait.sh: waits for an event, never a fixed time: sourced by
# tests/lib.sh and by the benchmarks.

# wait_port IP PORT [udp|tcp]: until a socket listens there (at most 5 s),
# so that a peer started in the background is ready before it is called
wait_port() {
	wp=0
	until ss -Hln "--${3:-udp}" "sport = :$2" 2>/dev/null | grep -q " $1:$2 " || [ $wp -gt 100 ]; do
		sleep 0.05; wp=$((wp + 1))
	done
}

# wait_log FILE TEXT [N]: until FILE has more than N lines with TEXT
# (N: 0; at most 5 s); count first with grep -c when FILE goes on from
# an earlier run
wait_log() {
	wl=0
	until [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -gt "${3:-0}" ] || [ $wl -gt 100 ]; do
		sleep 0.05; wl=$((wl + 1))
	done
}
