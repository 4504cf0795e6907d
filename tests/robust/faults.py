#!/usr/bin/env python3
"""Faults and floods against sipmed, for run.sh. Each subcommand prints
"PASS name" or "FAIL name: why" lines (and, for listen, nothing: it is a
peer that misbehaves until killed).

usage: faults.py UDP_TCP_PORT TLS_PORT CERT_DIR COMMAND
  flood          2,000 OPTIONS from an unknown address while a call is placed
  rate           40 OPTIONS at once from gwlimited (max_request_rate 10)
  connections    6 TCP connections from one address (limit 4)
  trickle        a TLS ClientHello trickled a byte at a time
  call           one ordinary call
  listen IP PORT a TCP peer that accepts connections and never answers
"""
import socket
import ssl
import sys
import threading
import time

from sip_client import Target, call, connect, fill, first_line, request


def report(name, ok, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()


def answers_from(src, target, n, pause=0.0):
    """Sends n OPTIONS over UDP from src; returns the status codes that
    came back within a second of the last."""
    s = connect(target, "udp", src)
    for _ in range(n):
        s.send(fill(request(), s, "udp"))
        if pause:
            time.sleep(pause)
    codes = []
    s.settimeout(1.0)
    try:
        while True:
            codes.append(s.recv(65535).split(b" ")[1].decode())
    except socket.timeout:
        pass
    s.close()
    return codes


def flood(target):
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("codes", answers_from(
        "127.0.0.9", target, 2000)))
    t.start()
    res = call(target)
    t.join()
    codes = result["codes"]
    report("a call placed during a flood from an unknown address succeeds", res == "ok", res)
    report("the flood's first requests get 403", codes[:1] == ["403"], "%s" % codes[:3])
    report("most of the flood is dropped unanswered (%d of 2000 answered)" % len(codes),
           0 < len(codes) <= 50, "%d answers" % len(codes))


def rate(target):
    codes = answers_from("127.0.0.5", target, 40)
    ok, busy = codes.count("200"), codes.count("503")
    report("max_request_rate 10: about 10 of a burst of 40 are served (%d)" % ok,
           8 <= ok <= 14, "%d served" % ok)
    report("the rest get 503 (%d)" % busy, ok + busy == 40, "%s" % codes)
    time.sleep(1.2)
    codes = answers_from("127.0.0.5", target, 5, pause=0.15)
    report("a second later the peer is served again", codes == ["200"] * 5, "%s" % codes)


def connections(target):
    held = []
    for _ in range(6):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.7", 0))
        s.connect(("127.0.0.1", target.udp_port))
        held.append(s)
    states = [first_line(s, 0.5) for s in held]
    report("max_connections_per_address 4: four connections stay open",
           states[:4] == ["silence"] * 4, "%s" % states)
    report("the fifth and sixth are closed at once", states[4:] == ["closed"] * 2,
           "%s" % states)
    s = connect(target, "tls")
    s.sendall(fill(request(), s, "tls"))
    got = first_line(s, 2)
    s.close()
    report("a peer at another address still gets in over TLS", got.startswith("SIP/2.0 200"),
           got)
    for s in held:
        s.close()
    time.sleep(0.3)
    s = connect(target, "tcp", "127.0.0.7")
    s.sendall(fill(request(), s, "tcp"))
    got = first_line(s, 2)
    s.close()
    report("once they close, the address may connect again", got.startswith("SIP/2.0 403"), got)


def trickle(target):
    ctx = target.tls_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.3", 0))
    s.connect(("127.0.0.1", target.tls_port))
    start, closed = time.time(), None
    for i in range(len(hello)):
        try:
            s.send(hello[i:i + 1])
        except OSError:
            closed = time.time() - start
            break
        s.settimeout(0.25)
        try:
            if s.recv(1) == b"":
                closed = time.time() - start
                break
        except socket.timeout:
            pass
        except OSError:
            closed = time.time() - start
            break
    s.close()
    report("a ClientHello trickled a byte at a time is cut off (handshake_timeout 2 s)",
           closed is not None and closed < 6, "closed after %s s" % closed)
    res = call(target)
    report("a call afterwards succeeds", res == "ok", res)


def one_call(target):
    res = call(target)
    report("an ordinary call succeeds", res == "ok", res)


def listen(ip, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, port))
    srv.listen(16)
    print("listening", flush=True)
    held = []
    while True:
        c, _ = srv.accept()
        held.append(c)	# accepted, never read, never answered


def main():
    target = Target(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
    cmd = sys.argv[4]
    if cmd == "listen":
        listen(sys.argv[5], int(sys.argv[6]))
    else:
        {"flood": flood, "rate": rate, "connections": connections, "trickle": trickle,
         "call": one_call}[cmd](target)


main()
