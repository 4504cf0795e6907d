#!/usr/bin/env python3
"""The media case's own tools, over real sockets:

  media.py calls NGPORT             the Call-IDs rtpengine holds ("list")
  media.py tags NGPORT CALL_ID      the monologue tags of a call ("query")
  media.py rtp A_IP A_PORT A_RELAY B_IP B_PORT B_RELAY
        sends 10 RTP packets from A_IP:A_PORT to 127.0.0.1:A_RELAY and 10
        from B_IP:B_PORT to 127.0.0.1:B_RELAY, and prints what each side
        received and from where: "a<-127.0.0.1:40002 10 b<-127.0.0.1:40000 10"
  media.py srtp POOL_IP POOL_PORT POOL_RELAY POOL_KEY RELAY_KEY GW_IP GW_PORT GW_RELAY
        the pool sends SRTP (SDES key POOL_KEY) and decrypts what it gets
        with RELAY_KEY (Debian's python3-pylibsrtp, libsrtp2), the gateway
        plain RTP: "gateway=10 pool=10 pool-in-clear=0"
  media.py transcode POOL_IP POOL_PORT POOL_RELAY GW_IP GW_PORT GW_RELAY
        the pool sends a 1 kHz tone in PCMU, the gateway one in PCMA, 50
        packets each, paced as a phone does; prints the payload type each
        side got and the tone's level after decoding it, against the level
        sent (1.00: the same): "gateway=PCMA:50:1.00 pool=PCMU:50:1.00"
"""
import os
import re
import socket
import sys
import time


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
    # rtpengine answers a cookie it has seen from its cache: one per request
    cookie = ("case-%d-%d" % (os.getpid(), time.monotonic_ns())).encode()
    s.sendto(cookie + b" " + bencode(msg), ("127.0.0.1", port))
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


def bound(ip, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, int(port)))
    s.settimeout(2)
    return s


def rtp(a_ip, a_port, a_relay, b_ip, b_port, b_relay):
    a, b = bound(a_ip, a_port), bound(b_ip, b_port)
    got = {"a": [], "b": []}
    for seq in range(10):
        for s, relay, ssrc in ((a, a_relay, 1), (b, b_relay, 2)):
            s.sendto(rtp_packet(seq, ssrc, b""), ("127.0.0.1", int(relay)))
    for name, s in (("a", a), ("b", b)):
        try:
            while len(got[name]) < 10:
                data, src = s.recvfrom(2048)
                got[name].append("%s:%d" % src)
        except socket.timeout:
            pass
    print(" ".join("%s<-%s %d" % (n, got[n][0] if got[n] else "-", len(got[n]))
                   for n in ("a", "b")))


def tags(port, call_id):
    answer = ng(port, {"command": "query", "call-id": call_id})
    # each monologue names its tag: ...3:tag7:fork2-1...
    found = set()
    for m in re.finditer(rb"3:tag([0-9]+):", answer):
        found.add(answer[m.end():m.end() + int(m.group(1))].decode())
    print(" ".join(sorted(found)))


def rtp_packet(seq, ssrc, payload):
    # version 2, PCMU, a sequence number, a timestamp, an SSRC, the payload
    return bytes([0x80, 0]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big") + \
        ssrc.to_bytes(4, "big") + payload.ljust(160, b".")


def srtp(pool_ip, pool_port, pool_relay, pool_key, relay_key, gw_ip, gw_port, gw_relay):
    """The pool speaks SRTP to the relay (its own SDES key out, the relay's
    in), the gateway plain RTP; prints how many packets each side got with
    the other's words in them, and how many the pool got in clear."""
    import base64
    from pylibsrtp import Policy, Session
    tx = Session(Policy(key=base64.b64decode(pool_key), ssrc_type=Policy.SSRC_ANY_OUTBOUND))
    rx = Session(Policy(key=base64.b64decode(relay_key), ssrc_type=Policy.SSRC_ANY_INBOUND))
    pool, gw = bound(pool_ip, pool_port), bound(gw_ip, gw_port)
    for seq in range(10):
        pool.sendto(tx.protect(rtp_packet(seq, 1, b"pool-says-%02d" % seq)),
                    ("127.0.0.1", int(pool_relay)))
        gw.sendto(rtp_packet(seq, 2, b"gateway-says-%02d" % seq), ("127.0.0.1", int(gw_relay)))
    heard = {"gateway": 0, "pool": 0, "pool-in-clear": 0}
    try:
        while heard["gateway"] < 10:
            heard["gateway"] += b"pool-says-" in gw.recv(2048)
    except socket.timeout:
        pass
    try:
        while heard["pool"] < 10:
            data = pool.recv(2048)
            heard["pool-in-clear"] += b"gateway-says-" in data
            heard["pool"] += b"gateway-says-" in rx.unprotect(data)
    except socket.timeout:
        pass
    print(" ".join("%s=%d" % kv for kv in heard.items()))


def ulaw(x):
    """A linear sample (16 bits) in G.711 mu-law."""
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 132
    exp = max(e for e in range(8) if x >= (128 << e)) if x >= 128 else 0
    return ~(sign | exp << 4 | (x >> (exp + 3)) & 0x0F) & 0xFF


def ulaw_linear(u):
    u = ~u & 0xFF
    x = (((u & 0x0F) << 3) + 132) << ((u >> 4) & 7)
    return 132 - x if u & 0x80 else x - 132


def alaw(x):
    """A linear sample (16 bits) in G.711 A-law."""
    sign = 0x80 if x >= 0 else 0
    x = min(abs(x), 32767) >> 3
    if x < 32:
        code = x >> 1
    else:
        exp = max(e for e in range(1, 8) if x >= (16 << e))
        code = exp << 4 | (x >> exp) & 0x0F
    return (sign | code) ^ 0x55


def alaw_linear(a):
    a ^= 0x55
    exp, man = (a >> 4) & 7, a & 0x0F
    x = (man << 4) + 8 if exp == 0 else ((man << 4) + 0x108) << (exp - 1)
    return x if a & 0x80 else -x


def transcode(pool_ip, pool_port, pool_relay, gw_ip, gw_port, gw_relay):
    """Each side sends a tone in its own law; each must hear the other's
    tone, at its level, in its own law."""
    import math
    amp = 8000
    tone = [int(amp * math.sin(2 * math.pi * 1000 * n / 8000)) for n in range(160)]
    sent = {"pool": bytes(ulaw(x) for x in tone), "gateway": bytes(alaw(x) for x in tone)}
    pt = {"pool": 0, "gateway": 8}
    law = {0: ("PCMU", ulaw_linear), 8: ("PCMA", alaw_linear)}
    socks = {"pool": (bound(pool_ip, pool_port), pool_relay),
             "gateway": (bound(gw_ip, gw_port), gw_relay)}
    for seq in range(50):
        for name, (s, relay) in socks.items():
            pkt = bytes([0x80, pt[name]]) + seq.to_bytes(2, "big") + \
                (seq * 160).to_bytes(4, "big") + (7 if name == "pool" else 9).to_bytes(4, "big")
            s.sendto(pkt + sent[name], ("127.0.0.1", int(relay)))
        time.sleep(0.02)
    out = []
    for name, (s, relay) in socks.items():
        types, n, energy, count = set(), 0, 0.0, 0
        try:
            while n < 50:
                data = s.recv(2048)
                n += 1
                types.add(data[1] & 0x7F)
                if data[1] & 0x7F in law:
                    for b in data[12:]:
                        energy += law[data[1] & 0x7F][1](b) ** 2
                        count += 1
        except socket.timeout:
            pass
        level = math.sqrt(energy / count) / (amp / math.sqrt(2)) if count else 0
        names = ",".join(law[t][0] if t in law else str(t) for t in sorted(types)) or "-"
        out.append("%s=%s:%d:%.2f" % (name, names, n, level))
    print(" ".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "calls":
        calls(int(sys.argv[2]))
    elif sys.argv[1] == "tags":
        tags(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "srtp":
        srtp(*sys.argv[2:10])
    elif sys.argv[1] == "transcode":
        transcode(*sys.argv[2:8])
    else:
        rtp(*sys.argv[2:8])
