#!/usr/bin/env python3
"""connections.py HOST PORT CERTDIR N: N mutual-TLS connections to sipmed,
each sending one OPTIONS and reading its answer, then closing. Prints how
many got 200. For the leak test (run.sh runs sipmed under valgrind)."""
import socket
import ssl
import sys

host, port, certs, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(certs + "/ca.crt")
ctx.load_cert_chain(certs + "/gw1.crt", certs + "/gw1.key")
ctx.check_hostname = False
ok = 0
for i in range(n):
    with socket.create_connection((host, port), timeout=30) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(("OPTIONS sip:%s:%d SIP/2.0\r\n"
                       "Via: SIP/2.0/TLS %s:5999;branch=z9hG4bK-leak-%d\r\n"
                       "From: <sip:leak@%s>;tag=%d\r\nTo: <sip:%s>\r\n"
                       "Call-ID: leak-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                       "Content-Length: 0\r\n\r\n" % (host, port, host, i, host, i, host, i)
                       ).encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"SIP/2.0 200 "):
                ok += 1
print(ok)
