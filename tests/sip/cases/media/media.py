#!/usr/bin/env python3
"""The media case's own tools, over real sockets:

  media.py calls NGPORT             the Call-IDs rtpengine holds ("list")
  media.py rtp A_IP A_PORT A_RELAY B_IP B_PORT B_RELAY
        sends 10 RTP packets from A_IP:A_PORT to 127.0.0.1:A_RELAY and 10
        from B_IP:B_PORT to 127.0.0.1:B_RELAY, and prints what each side
        received and from where: "a<-127.0.0.1:40002 10 b<-127.0.0.1:40000 10"
"""
import socket
import sys


def bencode(x):
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return str(len(x)).encode() + b":" + x
    if isinstance(x, list):
        return b"l" + b"".join(bencode(i) for i in x) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(x.items())) + b"e"


def ng(port, msg):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(b"case " + bencode(msg), ("127.0.0.1", port))
    return s.recv(65535).split(b" ", 1)[1]


def calls(port):
    answer = ng(port, {"command": "list"})
    # d5:callsl...e6:result2:oke: the Call-IDs are the list's strings
    body = answer[answer.index(b"5:callsl") + 8:]
    ids = []
    while body[:1] != b"e":
        n, rest = body.split(b":", 1)
        ids.append(rest[:int(n)].decode())
        body = rest[int(n):]
    print(" ".join(ids) if ids else "none")


def rtp(a_ip, a_port, a_relay, b_ip, b_port, b_relay):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind((a_ip, int(a_port)))
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b.bind((b_ip, int(b_port)))
    for s in (a, b):
        s.settimeout(2)
    got = {"a": [], "b": []}
    for seq in range(10):
        # version 2, PCMU, a sequence number, a timestamp, an SSRC each
        for s, relay, ssrc in ((a, a_relay, 1), (b, b_relay, 2)):
            pkt = bytes([0x80, 0]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big") + \
                ssrc.to_bytes(4, "big") + b"\xff" * 160
            s.sendto(pkt, ("127.0.0.1", int(relay)))
    for name, s in (("a", a), ("b", b)):
        try:
            while len(got[name]) < 10:
                data, src = s.recvfrom(2048)
                got[name].append("%s:%d" % src)
        except socket.timeout:
            pass
    print(" ".join("%s<-%s %d" % (n, got[n][0] if got[n] else "-", len(got[n]))
                   for n in ("a", "b")))


if __name__ == "__main__":
    if sys.argv[1] == "calls":
        calls(int(sys.argv[2]))
    else:
        rtp(*sys.argv[2:8])
