#!/bin/sh
# gen_plan.sh N: print a sipmed configuration whose Global dial plan holds
# N rules in the benchmark mix (60% exact numbers, 40% DID blocks), for
# load and reload measurements. Deterministic: the same N gives the same
# file. Rule "e0" is always ^\+15030000000$ -> +15033120000.
n=${1:?usage: gen_plan.sh N}
awk -v n="$n" 'BEGIN {
	print "server = { domain = \"example.com\"; listen = ( \"sip:127.0.0.1:5060\" ); };"
	print "pool = { address = \"sip:127.0.0.1:5070\"; };"
	print "dial_plans = ( { name = \"Global\"; rules = ("
	srand(1)
	for (i = 0; i < n; i++) {
		sep = (i + 1 < n) ? "," : ""
		if (i == 0)
			printf "{ name = \"e0\"; pattern = \"^\\\\+15030000000$\"; translation = \"+15033120000\"; }%s\n", sep
		else if (i % 5 < 3)
			printf "{ name = \"e%d\"; pattern = \"^\\\\+1503%07d$\"; translation = \"+1503312%04d\"; }%s\n", i, int(rand() * 10000000), i % 10000, sep
		else {
			p = 200000 + int(rand() * 800000)
			printf "{ name = \"p%d\"; pattern = \"^\\\\+1%06d(\\\\d{4})$\"; translation = \"+1%06d$1\"; }%s\n", i, p, p, sep
		}
	}
	print "); } );"
}'
