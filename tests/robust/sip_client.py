"""A small SIP client for sipmed's robustness tests: sends raw bytes over
UDP, TCP or TLS (presenting a gateway's certificate) and reports what came
back, and places an ordinary call (INVITE, ACK, BYE) to show that sipmed
still serves calls. Written for these tests; no SIP stack behind it."""
import os
import socket
import ssl
import time

HOST = "127.0.0.1"


class Target:
    """Where sipmed listens and how a TLS client proves who it is."""

    def __init__(self, udp_port, tls_port, certs):
        self.udp_port = udp_port
        self.tls_port = tls_port
        self.certs = certs

    def tls_context(self):
        ctx = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.crt"))
        ctx.check_hostname = False
        ctx.load_cert_chain(os.path.join(self.certs, "gw1.crt"), os.path.join(self.certs, "gw1.key"))
        return ctx


def unique():
    return "%d" % time.time_ns()


def connect(target, transport, src="127.0.0.3", timeout=3.0):
    """A socket to sipmed: UDP, a TCP connection, or a TLS one."""
    if transport == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.settimeout(timeout)
        s.connect((HOST, target.udp_port))
        return s
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout)
    if transport == "tcp":
        s.connect((HOST, target.udp_port))
        return s
    s.connect((HOST, target.tls_port))
    return target.tls_context().wrap_socket(s)


def fill(data, s, transport):
    """Puts the socket's own transport, address and port in a Via, and a
    fresh identifier wherever the message has @ID@ (branch, tag, Call-ID),
    so that the same case sent again is a new request; @TP@ and @PORT@
    are the socket's transport and port, for Vias written by hand."""
    host, port = s.getsockname()[:2]
    via = "SIP/2.0/%s %s:%d" % (transport.upper(), host, port)
    return (data.replace(b"SIP/2.0/@VIA@", via.encode()).replace(b"@ID@", unique().encode())
            .replace(b"@TP@", transport.upper().encode()).replace(b"@PORT@", b"%d" % port))


def first_line(s, wait):
    """The status line of the first answer, "silence" or "closed"."""
    return first_answer(s, wait).split("\r\n")[0]


def first_answer(s, wait):
    """The first answer, as text, "silence" or "closed"."""
    s.settimeout(wait)
    try:
        data = s.recv(65535)
    except socket.timeout:
        return "silence"
    except (ConnectionResetError, ssl.SSLError, OSError):
        return "closed"
    if not data:
        return "closed"
    return data.decode(errors="replace")


def exchange(target, transport, data, wait=1.0, chunks=None, whole=False):
    """Sends data (in pieces with pauses when chunks is a list of
    (size, pause)) on a fresh socket; returns the first line back, or the
    whole first answer when whole is set."""
    s = connect(target, transport)
    try:
        data = fill(data, s, transport)
        if chunks is None:
            s.sendall(data) if transport != "udp" else s.send(data)
        else:
            off = 0
            for size, pause in chunks:
                s.sendall(data[off:off + size])
                off += size
                time.sleep(pause)
        return first_answer(s, wait) if whole else first_line(s, wait)
    finally:
        s.close()


def request(method="OPTIONS", ruri="sip:1234@127.0.0.1", headers=None, body=b"",
            length="auto", start=None, drop=(), extra=()):
    """A request with templates for fill(): Via and @ID@. headers
    replaces the usual set; drop removes headers by name; extra adds
    lines; length is "auto", None (no Content-Length) or a value."""
    tag = "@ID@"
    h = headers if headers is not None else [
        "Via: SIP/2.0/@VIA@;rport;branch=z9hG4bK-" + tag,
        "From: <sip:5035550100@127.0.0.3>;tag=" + tag,
        "To: <%s>" % ruri,
        "Call-ID: " + tag + "@robust",
        "CSeq: 1 " + method,
        "Max-Forwards: 70",
        "Contact: <sip:gw@127.0.0.3>",
    ]
    h = [x for x in h if x.split(":")[0] not in drop] + list(extra)
    if length == "auto":
        h.append("Content-Length: %d" % len(body))
    elif length is not None:
        h.append("Content-Length: %s" % length)
    line = start if start is not None else "%s %s SIP/2.0" % (method, ruri)
    return (line + "\r\n" + "\r\n".join(h) + "\r\n\r\n").encode("latin-1") + body


SDP = (b"v=0\r\no=gw 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\n"
       b"t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n")


def _transact(s, request, until, method, deadline):
    """Sends request over UDP, again after 0.5, 1, 2... s as RFC 3261's
    timer A or E would (a flood may fill sipmed's socket buffer), until a
    response whose status line starts with until and whose CSeq is for
    method; returns it, or None at the deadline."""
    interval, resend = 0.5, time.time() + 0.5
    s.send(request)
    while time.time() < deadline:
        if time.time() >= resend:
            s.send(request)
            interval = min(interval * 2, 4.0)
            resend = time.time() + interval
        s.settimeout(max(0.01, min(deadline, resend) - time.time()))
        try:
            data = s.recv(65535)
        except socket.timeout:
            continue
        if data.split(b"\r\n")[0].startswith(until) and \
                header(data, b"CSeq").endswith(method.decode()):
            return data
    return None


def call(target, number="1234", src="127.0.0.3", timeout=10.0):
    """An ordinary call over UDP from the gateway: INVITE, the 200, ACK,
    BYE and its 200. Returns "ok" or what went wrong."""
    s = connect(target, "udp", src)
    tag, port = unique(), s.getsockname()[1]
    ruri = "sip:%s@127.0.0.1:%d" % (number, target.udp_port)
    head = ("From: <sip:5035550100@%s>;tag=%s\r\nTo: <%s>%%s\r\nCall-ID: %s@robust-call\r\n"
            "Max-Forwards: 70\r\nContact: <sip:gw@%s:%d>\r\n" % (src, tag, ruri, tag, src, port))
    try:
        invite = ("INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-i%s\r\n" %
                  (ruri, src, port, tag) + head % "" + "CSeq: 1 INVITE\r\n"
                  "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % len(SDP)
                  ).encode() + SDP
        ok = _transact(s, invite, b"SIP/2.0 2", b"INVITE", time.time() + timeout)
        if ok is None:
            return "no 200 to the INVITE"
        to = header(ok, b"To")
        totag = to[to.find(">") + 1:]
        contact = header(ok, b"Contact").strip("<>").split(";")[0]
        s.send(("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-a%s\r\n" %
                (contact, src, port, tag) + head % totag +
                "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n").encode())
        bye = ("BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-b%s\r\n" %
               (contact, src, port, tag) + head % totag +
               "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n").encode()
        if _transact(s, bye, b"SIP/2.0 200", b"BYE", time.time() + timeout) is None:
            return "no 200 to the BYE"
        return "ok"
    finally:
        s.close()


def header(msg, name):
    """The value of the first header name (bytes) in msg, as text; "" when none."""
    for line in msg.split(b"\r\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip().decode(errors="replace")
    return ""


class Reader:
    """Whole SIP messages from a socket (several may come in one read)."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def next(self, wait):
        deadline = time.time() + wait
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                n = end + 4 + int(header(self.buf[:end], b"Content-Length") or 0)
                if len(self.buf) >= n:
                    msg, self.buf = self.buf[:n], self.buf[n:]
                    return msg
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65535)
            except (socket.timeout, OSError):
                return None
            if not data:
                return None
            self.buf += data

    def response(self, method, wait=5.0, final=True):
        """The next response to method (a final one when final)."""
        deadline = time.time() + wait
        while time.time() < deadline:
            m = self.next(deadline - time.time())
            if m is None:
                return None
            if m.startswith(b"SIP/2.0 ") and header(m, b"CSeq").endswith(method.decode()) and \
                    (not final or not m.startswith(b"SIP/2.0 1")):
                return m
        return None
