#!/usr/bin/env python3
"""Malformed and hostile SIP against sipmed, over UDP, TCP and TLS. Each
case is sent on its own socket (a fresh connection on TCP and TLS); what
comes back (a status line, silence, or the connection closed) must be
one of the answers the case allows, and an ordinary call placed right
after must succeed. Prints one line per check, "PASS name" or
"FAIL name: why", for run.sh to turn into TAP.

usage: malformed.py UDP_TCP_PORT TLS_PORT CERT_DIR
"""
import sys

from sip_client import Target, call, exchange, request

# (name, transports, message, allowed answers, wait in seconds[, text the
# answer must contain])
# "silence": no answer (a message SIP cannot answer: no Via, unparsable);
# "closed": a stream transport closes the connection.
BIG = "A" * 70000
CASES = [
    ("an OPTIONS that is well formed: 200", "udp tcp tls",
     request(), ["SIP/2.0 200"], 1),
    ("binary garbage: dropped", "udp tcp tls",
     b"\x00\x01\x02\xff\xfe garbage \x80\x81\r\n\r\n", ["silence", "closed"], 1),
    ("an unknown SIP version: 505", "udp tcp tls",
     request(start="OPTIONS sip:1234@127.0.0.1 SIP/3.0"), ["SIP/2.0 505"], 1),
    ("a start line with no method: dropped", "udp tcp tls",
     request(start=" sip:1234@127.0.0.1 SIP/2.0"), ["silence", "closed"], 1),
    ("a start line with no Request-URI: dropped or 400", "udp tcp tls",
     request(start="OPTIONS  SIP/2.0"), ["silence", "closed", "SIP/2.0 400"], 1),
    ("no Via: dropped (nowhere to answer)", "udp tcp tls",
     request(drop=("Via",)), ["silence", "closed"], 1),
    ("no From: 400", "udp tcp tls", request(drop=("From",)), ["SIP/2.0 400"], 1),
    ("no To: 400", "udp tcp tls", request(drop=("To",)), ["SIP/2.0 400"], 1),
    ("no Call-ID: 400", "udp tcp tls", request(drop=("Call-ID",)), ["SIP/2.0 400"], 1),
    ("no CSeq: 400", "udp tcp tls", request(drop=("CSeq",)), ["SIP/2.0 400"], 1),
    ("a CSeq whose method is not the request's: 400", "udp tcp tls",
     request(extra=(), drop=("CSeq",)).replace(b"Max-Forwards", b"CSeq: 1 BYE\r\nMax-Forwards"),
     ["SIP/2.0 400"], 1),
    ("Content-Length negative: 400", "udp tcp tls",
     request(body=b"abc", length="-3"), ["SIP/2.0 400"], 1),
    ("Content-Length not a number: 400", "udp tcp tls",
     request(body=b"abc", length="ten"), ["SIP/2.0 400"], 1),
    ("Content-Length larger than the datagram: 400", "udp",
     request(body=b"abc", length="500"), ["SIP/2.0 400"], 1),
    ("Content-Length larger than what comes: 400 or closed after message_timeout", "tcp tls",
     request(body=b"abc", length="500"), ["SIP/2.0 400", "closed"], 4),
    ("Content-Length smaller than the body: the rest ignored, 200", "udp",
     request(body=b"abcdef", length="2"), ["SIP/2.0 200"], 1),
    ("no Content-Length on a datagram: up to its end, 200", "udp",
     request(body=b"abc", length=None), ["SIP/2.0 200"], 1),
    ("a duplicated CSeq: 400", "udp tcp tls",
     request(extra=("CSeq: 2 OPTIONS",)), ["SIP/2.0 400"], 1),
    ("a duplicated From: 400", "udp tcp tls",
     request(extra=("From: <sip:x@127.0.0.9>;tag=x",)), ["SIP/2.0 400"], 1),
    ("a duplicated Content-Type: 400", "udp tcp tls",
     request(body=b"v=0\r\n", extra=("Content-Type: application/sdp", "Content-Type: text/plain")),
     ["SIP/2.0 400"], 1),
    ("a malformed Max-Forwards: 400", "udp tcp tls",
     request().replace(b"Max-Forwards: 70", b"Max-Forwards: seventy"), ["SIP/2.0 400"], 1),
    ("a duplicated Call-ID: 400", "udp tcp tls",
     request(extra=("Call-ID: other@robust",)), ["SIP/2.0 400"], 1),
    ("a duplicated Max-Forwards (not critical to sofia-sip): 400", "udp tcp tls",
     request(extra=("Max-Forwards: 12",)), ["SIP/2.0 400"], 1),
    ("a huge header (70 KB, over max_message_size) on a stream: refused or closed", "tcp tls",
     request(extra=("X-Huge: " + BIG,)), ["SIP/2.0 4", "SIP/2.0 5", "closed"], 3),
    ("a huge body (1 MB, over max_message_size) on a stream: refused or closed", "tcp tls",
     request(body=b"x" * 1000000), ["SIP/2.0 4", "SIP/2.0 5", "closed"], 3),
    ("a datagram near 64 KB: answered or dropped, never a crash", "udp",
     request(extra=("X-Huge: " + "B" * 60000,)), ["SIP/2.0 ", "silence"], 1),
    ("an unknown URI scheme: 416", "udp tcp tls",
     request(ruri="foo:1234@127.0.0.1"), ["SIP/2.0 416"], 1),
    ("an INVITE to an unknown URI scheme: 416", "udp tcp tls",
     request(method="INVITE", ruri="mailto:alice@contoso.com"), ["SIP/2.0 416"], 1),
    ("an escaped NUL in the called number: 404, no rule matches it", "udp tcp tls",
     request(method="INVITE", ruri="sip:12%0034@127.0.0.1"), ["SIP/2.0 404"], 1),
    ("a raw NUL in a header: 400 (on a stream, or closed)", "udp tcp tls",
     request().replace(b"To: <sip:1234", b"To: <sip:12\x0034"), ["SIP/2.0 400", "closed"], 4),
    ("a binary body with its length: 200", "udp tcp tls",
     request(body=bytes(range(256)), extra=("Content-Type: application/octet-stream",)),
     ["SIP/2.0 200"], 1),
    ("a truncated message: 400 when its Via made it, else dropped; closed on a stream",
     "udp tcp tls", request()[:60], ["SIP/2.0 400", "silence", "closed"], 4),
    ("a message cut before its Via: dropped, or closed on a stream", "udp tcp tls",
     request()[:30], ["silence", "closed"], 4),
    ("a Max-Forwards of 0: 483", "udp tcp tls",
     request(method="INVITE").replace(b"Max-Forwards: 70", b"Max-Forwards: 0"),
     ["SIP/2.0 483"], 1),
    ("a response nobody asked for: dropped", "udp tcp tls",
     b"SIP/2.0 200 OK\r\nVia: SIP/2.0/@VIA@;branch=z9hG4bK-stray\r\nFrom: <sip:a@b>;tag=1\r\n"
     b"To: <sip:c@d>;tag=2\r\nCall-ID: stray@robust\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
     ["silence"], 1),
    ("a BYE for no dialog: 481", "udp tcp tls",
     request(method="BYE"), ["SIP/2.0 481"], 1),
    # What RFC 3261's grammar refuses and a lenient parser takes (RFC 4475
    # describes each); the strict ones are never relayed to the pool.
    ("a method that is an unusual but legal token: answered 405 with Allow",
     "udp tcp tls", request(method="!interesting-Method0123456789_*+`.%indeed'~"),
     ["SIP/2.0 405"], 1, "Allow: INVITE"),
    ("an extension method of plain letters: 405", "udp tcp tls",
     request(method="NEWMETHOD"), ["SIP/2.0 405"], 1),
    ("Require naming an option sipmed does not carry: 420 with Unsupported",
     "udp tcp tls", request(extra=("Require: nothing-known, 100rel",)),
     ["SIP/2.0 420"], 1, "Unsupported: nothing-known\r\n"),
    ("an INVITE with Require naming an unknown option: 420, not relayed", "udp tcp tls",
     request(method="INVITE", extra=("Require: foo",)), ["SIP/2.0 420"], 1,
     "Unsupported: foo"),
    ("Require with options sipmed carries: 200", "udp tcp tls",
     request(extra=("Require: timer",)), ["SIP/2.0 200"], 1),
    ("two spaces between the Request-Line's elements: 400", "udp tcp tls",
     request(start="OPTIONS  sip:1234@127.0.0.1  SIP/2.0"), ["SIP/2.0 400"], 1),
    ("a tab between the Request-Line's elements: 400", "udp tcp tls",
     request(start="OPTIONS\tsip:1234@127.0.0.1 SIP/2.0"), ["SIP/2.0 400"], 1),
    ("a space at the end of the Request-Line: 400", "udp tcp tls",
     request(start="OPTIONS sip:1234@127.0.0.1 SIP/2.0 "), ["SIP/2.0 400"], 1),
    ("an INVITE whose Request-Line has doubled spaces: 400, not relayed", "udp tcp tls",
     request(method="INVITE", start="INVITE  sip:1234@127.0.0.1 SIP/2.0"),
     ["SIP/2.0 400"], 1),
    ("a space inside the To's addr-spec: 400", "udp tcp tls",
     request().replace(b"To: <sip:1234@127.0.0.1>", b"To: <sip:1234@127.0. 0.1>"),
     ["SIP/2.0 400"], 1),
    ("a space inside the From's addr-spec of an INVITE: 400", "udp tcp tls",
     request(method="INVITE").replace(b"From: <sip:5035550100@127.0.0.3>",
                                      b"From: <sip:5035550100@ 127.0.0.3>"),
     ["SIP/2.0 400"], 1),
    ("a space inside the Contact's addr-spec: 400", "udp tcp tls",
     request().replace(b"Contact: <sip:gw@127.0.0.3>", b"Contact: <sip:gw @127.0.0.3>"),
     ["SIP/2.0 400"], 1),
    ("spaces just inside the < > of a To (RAQUOT, LAQUOT take none): 400", "udp tcp tls",
     request().replace(b"To: <sip:1234@127.0.0.1>", b"To: \"Watson, T\" < sip:1234@127.0.0.1 >"),
     ["SIP/2.0 400"], 1),
    ("a display name and spaces before the <: 200", "udp tcp tls",
     request().replace(b"To: <sip:1234@127.0.0.1>", b"To: \"Watson, T\"   <sip:1234@127.0.0.1>"),
     ["SIP/2.0 200"], 1),
    ("escaped headers in the Request-URI: 400", "udp tcp tls",
     request(ruri="sip:1234@127.0.0.1?Route=%3Csip:example.com%3E"), ["SIP/2.0 400"], 1),
    ("an INVITE with escaped headers in its Request-URI: 400, not relayed", "udp tcp tls",
     request(method="INVITE", ruri="sip:1234@127.0.0.1?Subject=x"), ["SIP/2.0 400"], 1),
    ("a Date in a time zone other than GMT: 400", "udp tcp tls",
     request(extra=("Date: Fri, 01 Jan 2010 16:00:00 EST",)), ["SIP/2.0 400"], 1),
    ("a valid Date: 200", "udp tcp tls",
     request(extra=("Date: Fri, 01 Jan 2010 16:00:00 GMT",)), ["SIP/2.0 200"], 1),
    ("an INVITE with an invalid Date: 400, not relayed", "udp tcp tls",
     request(method="INVITE", extra=("Date: yesterday",)), ["SIP/2.0 400"], 1),
    # Untrusted input never makes sipmed look a name up: this machine has
    # no DNS, so an answer sent to a name would never arrive.
    ("an unknown SIP version with a name in Via: 505 to where it came from", "udp tcp tls",
     request(start="OPTIONS sip:1234@127.0.0.1 SIP/7.0").replace(
         b"Via: SIP/2.0/@VIA@;rport;", b"Via: SIP/2.0/@TP@ robust.invalid:@PORT@;"),
     ["SIP/2.0 505"], 1, "received=127.0.0.3"),
    ("a malformed request with a name in Via: 400 to where it came from", "udp tcp tls",
     request(extra=("CSeq: 2 OPTIONS",)).replace(
         b"Via: SIP/2.0/@VIA@;rport;", b"Via: SIP/2.0/@TP@ robust.invalid:@PORT@;"),
     ["SIP/2.0 400"], 1, "received=127.0.0.3"),
    ("a request with a name in Via: answered where it came from", "udp tcp tls",
     request().replace(b"Via: SIP/2.0/@VIA@;rport;",
                       b"Via: SIP/2.0/@TP@ robust.invalid:@PORT@;"),
     ["SIP/2.0 200"], 1, "received=127.0.0.3"),
    ("a Via with maddr naming a host: answered where it came from, maddr not followed",
     "udp tcp tls", request().replace(b"Via: SIP/2.0/@VIA@;rport;",
                                      b"Via: SIP/2.0/@VIA@;maddr=robust.invalid;"),
     ["SIP/2.0 200"], 1),
]


def main():
    target = Target(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
    for case in CASES:
        name, transports, data, allowed, wait = case[:5]
        also = case[5] if len(case) > 5 else ""
        for tp in transports.split():
            label = "%s: %s" % (tp, name)
            try:
                got = exchange(target, tp, data, wait, whole=True)
            except OSError as e:
                got = "closed" if tp != "udp" else "error %s" % e
            line = got.split("\r\n")[0]
            if any(line.startswith(a) for a in allowed) and also in got:
                print("PASS %s" % label)
            else:
                print("FAIL %s: got \"%s\", allowed %s%s" % (
                    label, line, allowed, " with %r in it" % also if also else ""))
            res = call(target)
            if res == "ok":
                print("PASS %s: a call right after succeeds" % label)
            else:
                print("FAIL %s: a call right after: %s" % (label, res))
            sys.stdout.flush()


main()
