#!/usr/bin/env python3
"""Requests inside a call's dialog, and who may send them: calls from the
gateway over UDP (trunk gw, known by its address) and over TLS (trunk
gwtls, known by its certificate), each answered by the pool; then
requests that carry the dialog's Call-ID and tags but come from another
address or over another transport (forged) must get 403 and change
nothing, while the peer's own requests still work. Also: the Contact of
each leg names the transport the leg uses, in the scheme the caller used;
a method sipmed does not take gets 405 with sipmed's Allow; CRLF
keep-alives get their pong. Prints "PASS name" or "FAIL name: why".

usage: dialog.py UDP_TCP_PORT TLS_PORT CERT_DIR SIPMED_LOG
"""
import socket
import sys
import time

from sip_client import SDP, Reader, Target, connect, fill, first_line, header, request, unique


def report(name, ok, why=""):
    print("PASS %s" % name if ok else "FAIL %s: %s" % (name, why))
    sys.stdout.flush()


class Call:
    """A call from the gateway: the caller's side of the A leg."""

    def __init__(self, target, transport, scheme="sip"):
        self.target, self.transport = target, transport
        self.s = connect(target, transport, "127.0.0.3")
        self.r = Reader(self.s)
        self.tag, self.callid, self.cseq = unique(), unique() + "@dialog", 1
        port = target.tls_port if transport == "tls" else target.udp_port
        tp = {"udp": "", "tcp": ";transport=tcp", "tls": ";transport=tls"}[transport]
        self.ruri = "%s:1234@127.0.0.1:%d%s" % (scheme, port, "" if scheme == "sips" else tp)
        self.totag, self.contact, self.answer = "", "", None

    def build(self, method, target_uri, cseq, branch=None, body=b"", extra=""):
        host, port = self.s.getsockname()[:2]
        via = "SIP/2.0/%s %s:%d;branch=z9hG4bK-%s" % (self.transport.upper(), host, port,
                                                     branch or unique())
        return ("%s %s SIP/2.0\r\nVia: %s\r\nFrom: <sip:5035550100@127.0.0.3>;tag=%s\r\n"
                "To: <%s>%s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
                "Contact: <sip:gw@%s:%d;transport=%s>\r\n%sContent-Length: %d\r\n\r\n" %
                (method, target_uri, via, self.tag, self.ruri, self.totag, self.callid, cseq,
                 method, host, port, self.transport, extra, len(body))).encode() + body

    def send(self, data):
        self.s.sendall(data)

    def invite(self):
        self.branch = unique()
        self.invite_msg = self.build("INVITE", self.ruri, 1, self.branch, SDP,
                                     "Content-Type: application/sdp\r\n")
        self.send(self.invite_msg)

    def answered(self):
        self.answer = self.r.response(b"INVITE", 8.0)
        if self.answer is None or not self.answer.startswith(b"SIP/2.0 200"):
            return False
        to = header(self.answer, b"To")
        self.totag = to[to.find(">") + 1:]
        self.contact = header(self.answer, b"Contact")
        self.send(self.build("ACK", self.contact.strip("<>"), 1))
        return True

    def in_dialog(self, method, extra=""):
        """A request of the dialog, from the caller: the bytes."""
        self.cseq += 1
        return self.build(method, self.contact.strip("<>"), self.cseq, extra=extra)

    def close(self):
        self.s.close()


def forged(target, transport, src, data):
    """Sends data from src over a transport of its own: the first answer."""
    s = connect(target, transport, src)
    try:
        host, port = s.getsockname()[:2]
        # the Via names the forger's own socket, or the answer goes
        # elsewhere; its branch stays (a CANCEL matches its INVITE by it)
        lines = data.split(b"\r\n")
        lines = [b"Via: SIP/2.0/%s %s:%d;%s" %
                 (transport.upper().encode(), host.encode(), port, x[x.find(b"branch="):])
                 if x.startswith(b"Via:") else x for x in lines]
        s.sendall(b"\r\n".join(lines))
        m = Reader(s).next(3.0)
        return m.split(b"\r\n")[0].decode() if m else "silence"
    finally:
        s.close()


def wait_log(path, text, wait=5.0):
    deadline = time.time() + wait
    while time.time() < deadline:
        with open(path, errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def hang_up(name, call):
    call.send(call.in_dialog("BYE"))
    m = call.r.response(b"BYE")
    report("%s: the caller's own BYE still ends the call: 200" % name,
           m is not None and m.startswith(b"SIP/2.0 200"), m and m.split(b"\r\n")[0])


def udp_call(target, log):
    name = "udp call"
    c = Call(target, "udp")
    c.invite()
    if not c.answered():
        report("%s: answered" % name, False, "no 200")
        return
    report("%s: sipmed's Contact is its UDP address, no transport parameter" % name,
           c.contact == "<sip:127.0.0.1:%d>" % target.udp_port, c.contact)
    got = forged(target, "udp", "127.0.0.9", c.in_dialog("BYE"))
    report("%s: a BYE with the dialog's tags from another address: 403" % name,
           got.startswith("SIP/2.0 403"), got)
    got = forged(target, "tcp", "127.0.0.3", c.in_dialog("BYE"))
    report("%s: a BYE from the gateway's address over TCP, not UDP: 403" % name,
           got.startswith("SIP/2.0 403"), got)
    report("%s: the refusal is logged with who sent it" % name,
           wait_log(log, "BYE in the A leg from 127.0.0.9, which does not hold it"), "no line")
    c.send(c.in_dialog("SUBSCRIBE", "Event: dialog\r\n"))
    m = c.r.response(b"SUBSCRIBE")
    report("%s: an in-dialog SUBSCRIBE: 405 with an Allow that does not list it" % name,
           m is not None and m.startswith(b"SIP/2.0 405") and
           "INVITE" in header(m, b"Allow") and "SUBSCRIBE" not in header(m, b"Allow"),
           m and m.split(b"\r\n")[0] + b" Allow: " + header(m, b"Allow").encode())
    strict_in_dialog(name, c)
    hang_up(name, c)
    c.close()


def strict_in_dialog(name, c):
    """Malformed requests inside the call are answered by sipmed and never
    relayed: the call stays up (hang_up() then ends it with a 200)."""
    c.send(c.in_dialog("BYE", "Date: Fri, 01 Jan 2010 16:00:00 EST\r\n"))
    m = c.r.response(b"BYE")
    report("%s: a BYE with a Date not in GMT: 400, and the call stays up" % name,
           m is not None and m.startswith(b"SIP/2.0 400"), m and m.split(b"\r\n")[0])
    c.send(c.in_dialog("INVITE", "Require: no-such-option\r\n"))
    m = c.r.response(b"INVITE")
    report("%s: a re-INVITE requiring an option sipmed does not carry: 420 with Unsupported"
           % name, m is not None and m.startswith(b"SIP/2.0 420") and
           header(m, b"Unsupported") == "no-such-option", m and m.split(b"\r\n")[0])
    if m is not None and m.startswith(b"SIP/2.0 420"):  # its ACK, on the INVITE's branch
        c.send(c.build("ACK", c.contact.strip("<>"), c.cseq, branch=header(m, b"Via").split(
            "branch=z9hG4bK-")[1].split(";")[0]))


def tls_call(target, log, scheme):
    name = "tls call to a %s: Request-URI" % scheme
    c = Call(target, "tls", scheme)
    c.invite()
    if not c.answered():
        report("%s: answered" % name, False, "no 200")
        return
    want = ("<sips:127.0.0.1:%d>" if scheme == "sips" else
            "<sip:127.0.0.1:%d;transport=tls>") % target.tls_port
    report("%s: sipmed's Contact is %s" % (name, want), c.contact == want, c.contact)
    got = forged(target, "udp", "127.0.0.3", c.in_dialog("BYE"))
    report("%s: a BYE with the dialog's tags over UDP from the gateway's address: 403" % name,
           got.startswith("SIP/2.0 403"), got)
    got = forged(target, "tcp", "127.0.0.3", c.in_dialog("BYE"))
    report("%s: the same BYE over TCP: 403" % name, got.startswith("SIP/2.0 403"), got)
    got = forged(target, "udp", "127.0.0.9", c.in_dialog("INVITE"))
    report("%s: a re-INVITE from another address: 403" % name, got.startswith("SIP/2.0 403"), got)
    hang_up(name, c)
    c.close()


def forged_cancel_and_ack(target, log):
    name = "tls call"
    c = Call(target, "tls")
    c.invite()
    cancel = c.invite_msg.split(b"\r\n\r\n")[0].replace(b"INVITE ", b"CANCEL ", 1) \
        .replace(b"CSeq: 1 INVITE", b"CSeq: 1 CANCEL").replace(b"Content-Type: application/sdp\r\n", b"")
    cancel = cancel.split(b"Content-Length:")[0] + b"Content-Length: 0\r\n\r\n"
    got = forged(target, "udp", "127.0.0.9", cancel)
    report("%s: a CANCEL of its INVITE from another address: 403" % name,
           got.startswith("SIP/2.0 403"), got)
    if not c.answered():
        report("%s: the forged CANCEL cancelled nothing: the call is answered" % name,
               False, c.answer and c.answer.split(b"\r\n")[0])
        return
    report("%s: the forged CANCEL cancelled nothing: the call is answered" % name, True)
    forged(target, "udp", "127.0.0.9", c.in_dialog("ACK").replace(b"CSeq: %d ACK" % c.cseq,
                                                                  b"CSeq: 1 ACK"))
    report("%s: an ACK from another address is dropped, and logged" % name,
           wait_log(log, "ACK in the A leg from 127.0.0.9, which does not hold it"), "no line")
    hang_up(name, c)
    c.close()


def keepalives(target, log):
    for transport in ("tcp", "tls"):
        s = connect(target, transport, "127.0.0.3")
        try:
            s.sendall(b"\r\n\r\n")
            s.settimeout(3.0)
            try:
                got = s.recv(16)
            except (socket.timeout, OSError):
                got = b""
            report("a CRLFCRLF keep-alive over %s gets its CRLF pong" % transport,
                   got == b"\r\n", repr(got))
        finally:
            s.close()
    s = connect(target, "udp", "127.0.0.3")
    try:
        s.send(b"\r\n\r\n")
        s.settimeout(1.0)
        try:
            got = s.recv(16)
        except socket.timeout:
            got = b""
        report("a CRLFCRLF keep-alive over UDP gets no answer", got == b"", repr(got))
        # an OPTIONS after it on the same socket: once it is answered, the
        # keep-alive has been read too
        s.send(fill(request(), s, "udp"))
        first_line(s, 3.0)
        port = s.getsockname()[1]
        with open(log, errors="replace") as f:
            logged = "garbage from udp/127.0.0.3:%d" % port in f.read()
        report("and it is not logged as garbage", not logged, "logged")
    finally:
        s.close()

def main():
    target = Target(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
    log = sys.argv[4]
    udp_call(target, log)
    tls_call(target, log, "sip")
    tls_call(target, log, "sips")
    forged_cancel_and_ack(target, log)
    keepalives(target, log)


main()
