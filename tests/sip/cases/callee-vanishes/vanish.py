#!/usr/bin/env python3
"""A callee that vanishes mid-call, over TCP, played deterministically.

This script is both peers: the gateway calling from 127.0.0.3 and the
pool answering on POOL_IP:POOL_PORT. The pool answers the INVITE, takes
the ACK, then closes its connection and its listening socket; only then
does the caller send a re-INVITE (hold). sipmed cannot reach the callee,
so the caller must get a 5xx to its re-INVITE and a BYE from sipmed
saying why. Prints what it saw, one line per event, for the case's
checks; exits 0 when the whole flow happened.

usage: vanish.py SIPMED_IP SIPMED_PORT POOL_IP POOL_PORT
"""
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "robust"))
from sip_client import SDP, Reader, header, unique  # noqa: E402


def say(line):
    print(line)
    sys.stdout.flush()


def main():
    sipmed = (sys.argv[1], int(sys.argv[2]))
    pool = (sys.argv[3], int(sys.argv[4]))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(pool)
    listener.listen(4)
    gw = socket.create_connection(sipmed, timeout=5, source_address=("127.0.0.3", 0))
    here = "127.0.0.3:%d" % gw.getsockname()[1]
    tag, callid = unique(), unique() + "@vanish"
    ruri = "sip:1234@%s:%d;transport=tcp" % sipmed
    dialog = ("From: <sip:5035550100@127.0.0.3>;tag=%s\r\nTo: <%s>%%s\r\nCall-ID: %s\r\n"
              "Max-Forwards: 70\r\nContact: <sip:gw@%s;transport=tcp>\r\n" % (tag, ruri, callid, here))

    def send(line, branch, cseq, totag="", body=b""):
        head = ("%s SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bK-%s%s\r\n" % (line, here, branch, tag)
                + dialog % totag + "CSeq: %s\r\n" % cseq)
        if body:
            head += "Content-Type: application/sdp\r\n"
        gw.sendall((head + "Content-Length: %d\r\n\r\n" % len(body)).encode() + body)

    a = Reader(gw)
    send("INVITE " + ruri, "i", "1 INVITE", body=SDP)
    listener.settimeout(5)
    callee, _ = listener.accept()
    b = Reader(callee)
    inv = b.next(5)
    if inv is None or not inv.startswith(b"INVITE "):
        say("the pool got no INVITE")
        return 1
    hdrs = [x for x in inv.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
            if x.split(b":")[0].lower() in (b"via", b"from", b"to", b"call-id", b"cseq")]
    hdrs = [x + b";tag=callee" + tag.encode() if x.lower().startswith(b"to:") else x for x in hdrs]
    callee.sendall(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(hdrs) +
                   ("\r\nContact: <sip:callee@%s:%d;transport=tcp>\r\n"
                    "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" %
                    (pool[0], pool[1], len(SDP))).encode() + SDP)
    ok = a.response(b"INVITE")
    if ok is None or not ok.startswith(b"SIP/2.0 200"):
        say("the caller got no 200")
        return 1
    to = header(ok, b"To")
    totag = to[to.find(">") + 1:]
    contact = header(ok, b"Contact").strip("<>")
    send("ACK " + contact, "a", "1 ACK", totag)
    ack = b.next(5)
    if ack is None or not ack.startswith(b"ACK "):
        say("the pool got no ACK")
        return 1
    # the callee vanishes: its connection and its port close
    callee.close()
    listener.close()
    say("the callee is gone")
    send("INVITE " + contact, "r", "2 INVITE", totag, SDP + b"a=sendonly\r\n")
    answer, bye = None, None
    while answer is None or bye is None:
        m = a.next(40)
        if m is None:
            say("the caller waited in vain (answer %s, BYE %s)" % (answer is not None, bye is not None))
            return 1
        if m.startswith(b"SIP/2.0 ") and header(m, b"CSeq") == "2 INVITE" and \
                not m.startswith(b"SIP/2.0 1"):
            answer = m
            say("re-INVITE answered " + m.split(b"\r\n")[0].decode()[8:])
            send("ACK " + contact, "r", "2 ACK", totag)
        elif m.startswith(b"BYE "):
            bye = m
            say("BYE Reason: " + header(m, b"Reason"))
            vias = [x for x in m.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
                    if x.split(b":")[0].lower() in (b"via", b"from", b"to", b"call-id", b"cseq")]
            gw.sendall(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(vias) + b"\r\nContent-Length: 0\r\n\r\n")
    gw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
