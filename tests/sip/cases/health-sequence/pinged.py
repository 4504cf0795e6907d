#!/usr/bin/env python3
"""A peer whose health changes ping by ping: it answers the OPTIONS pings
it receives on UDP at IP:PORT with the statuses given, in order, one per
ping ("-" leaves that ping unanswered; a retransmission of a ping gets
that ping's answer again), prints "ping N: STATUS" for each, and exits
after the last. Written for tests/sip/run.sh; no SIP stack behind it.

usage: pinged.py IP PORT STATUS...
"""
import socket
import sys
import time

PHRASES = {"200": "OK", "404": "Not Found", "503": "Service Unavailable"}


def header_lines(msg, names):
    return [line for line in msg.split(b"\r\n")
            if line.split(b":")[0].strip().lower() in names]


def answer(req, status):
    keep = header_lines(req, (b"via", b"from", b"to", b"call-id", b"cseq"))
    keep = [x + b";tag=pinged" if x.lower().startswith(b"to:") else x for x in keep]
    return (b"SIP/2.0 %s %s\r\n" % (status.encode(), PHRASES[status].encode()) +
            b"\r\n".join(keep) + b"\r\nContent-Length: 0\r\n\r\n")


def main():
    ip, port, statuses = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    print("listening", flush=True)
    seen = {}
    deadline = time.time() + 60
    while len(seen) < len(statuses) and time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            req, src = s.recvfrom(65535)
        except socket.timeout:
            break
        if not req.startswith(b"OPTIONS "):
            continue
        branch = header_lines(req, (b"via",))[0].split(b"branch=")[1].split(b";")[0]
        if branch not in seen:
            seen[branch] = statuses[len(seen)]
            print("ping %d: %s" % (len(seen), seen[branch]), flush=True)
        if seen[branch] != "-":
            s.sendto(answer(req, seen[branch]), src)
    # the last answer may be lost: a resent ping still gets it a while
    until = time.time() + 1.5
    while time.time() < until:
        s.settimeout(max(0.01, until - time.time()))
        try:
            req, src = s.recvfrom(65535)
        except socket.timeout:
            break
        branch = header_lines(req, (b"via",))[0].split(b"branch=")[1].split(b";")[0]
        if seen.get(branch, "-") != "-":
            s.sendto(answer(req, seen[branch]), src)

main()
