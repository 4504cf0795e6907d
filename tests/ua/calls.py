#!/usr/bin/env python3
"""Calls through sipmed between two baresips, a real SIP user agent that
shares no code with sipmed or sipp, over mutual TLS: "pool" (127.0.0.2,
certificate pool.contoso.com, accounts alice and bob, which answer by
themselves) and "gw" (127.0.0.3, certificate gw1.portland.contoso.com,
account 15035550199: baresip answers only requests for its account's
user).
Prints "PASS name" or "FAIL name: why" for run.sh.

usage: calls.py WORKDIR SIPMED_PORT all|inbound
  all      inbound and outbound calls, each held, resumed and hung up,
           with RTP both ways; a blind transfer whose NOTIFYs the
           transferor accepts
  inbound  one inbound call, held, resumed and hung up (run.sh uses it
           with a plain listener listed before the sips: one)
"""
import os
import re
import sys
import time

from baresip import Baresip

WORK, PORT, MODE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TRACE = os.path.join(WORK, "trace.txt")
SIPMED = "sip:%%s@127.0.0.1:%d;transport=tls" % PORT


def report(name, ok, why=""):
    print("PASS %s" % name if ok else "FAIL %s: %s" % (name, why))
    sys.stdout.flush()


def trace_messages():
    """The SIP messages of sipmed's text trace: (heading, message) pairs."""
    with open(TRACE, errors="replace") as f:
        text = f.read()
    parts = re.split(r"^(\d{4}-\d\d-\d\d [\d:.]+ call [^\n]* leg [AB]: [^\n]*)\n", text,
                     flags=re.M)
    # each message with its body, up to the next line of the trace
    return [(parts[i], re.split(r"^\d{4}-\d\d-\d\d ", parts[i + 1], flags=re.M)[0])
            for i in range(1, len(parts) - 1, 2)]


def sent_to(ip, first):
    """Messages sipmed sent to ip whose first line starts with first."""
    return [m for h, m in trace_messages()
            if " sent over " in h and (" to %s:" % ip) in h and m.startswith(first)]


def rtp_tables(log):
    """The RTP packets (sent, received) of each call baresip has ended:
    the table its log shows at the end of a call."""
    with open(log, errors="replace") as f:
        return re.findall(r"^packets:\s+(\d+)\s+(\d+)", f.read(), flags=re.M)


def wait_log(log, pattern, wait=10.0):
    deadline = time.time() + wait
    while time.time() < deadline:
        with open(log, errors="replace") as f:
            if re.search(pattern, f.read(), flags=re.M):
                return True
        time.sleep(0.05)
    return False


def established(name, caller, callee):
    a = caller.wait_event("CALL_ESTABLISHED", 10)
    b = callee.wait_event("CALL_ESTABLISHED", 5)
    report("%s: established on both sides" % name, a is not None and b is not None,
           "caller %s, callee %s" % (bool(a), bool(b)))
    return a is not None and b is not None


def hold_resume_hangup(name, caller, callee, logs):
    """Media flows, the caller holds and resumes, then hangs up."""
    # RTP both ways before anything else: baresip counts what it receives
    ok = all(wait_log(log, r"^audio: start", 5) for log in logs)
    time.sleep(1.0)  # media flows for a second: the counts below are of real packets
    for verb, direction in (("hold", "sendonly"), ("resume", "sendrecv")):
        before = len(sent_to("127.0.0.2", "INVITE ")) + len(sent_to("127.0.0.3", "INVITE "))
        caller.command(verb)
        deadline = time.time() + 5
        while time.time() < deadline and \
                len(sent_to("127.0.0.2", "INVITE ")) + len(sent_to("127.0.0.3", "INVITE ")) == before:
            time.sleep(0.05)
        offers = sent_to("127.0.0.2", "INVITE ") + sent_to("127.0.0.3", "INVITE ")
        report("%s: %s: the re-INVITE (a=%s) crossed sipmed" % (name, verb, direction),
               len(offers) > before and "a=%s" % direction in offers[-1], "no re-INVITE")
    time.sleep(0.5)
    tables = [len(rtp_tables(log)) for log in logs]
    caller.command("hangup")
    closed = callee.wait_event("CALL_CLOSED", 10)
    report("%s: the caller hangs up, the callee's call ends" % name, closed is not None, "no close")
    for who, log, before in zip(("caller", "callee"), logs, tables):
        deadline = time.time() + 5
        while len(rtp_tables(log)) == before and time.time() < deadline:
            time.sleep(0.05)
        got = rtp_tables(log)
        n = int(got[-1][1]) if len(got) > before else 0
        report("%s: the %s received RTP (%d packets)" % (name, who, n), ok and n > 0, "none")


def inbound(pool, gw, logs):
    name = "inbound over mutual TLS"
    gw.command("dial", SIPMED % "1234")
    if not established(name, gw, pool):
        return
    a_ct = sent_to("127.0.0.1", "SIP/2.0 200")
    report("%s: the gateway addressed sipmed as sip:...;transport=tls and its leg's Contact "
           "says so" % name,
           any("Contact: <sip:127.0.0.1:%d;transport=tls>" % PORT in m for m in a_ct),
           "Contacts: %s" % [re.findall(r"Contact: .*", m) for m in a_ct])
    b = sent_to("127.0.0.2", "INVITE ")
    report("%s: the pool's leg names TLS in its Contact too" % name,
           b and "Contact: <sip:127.0.0.1:%d;transport=tls>" % PORT in b[-1],
           b and re.findall(r"Contact: .*", b[-1]))
    hold_resume_hangup(name, gw, pool, (logs[1], logs[0]))


def outbound(pool, gw, logs):
    name = "outbound over mutual TLS"
    pool.command("dial", "sip:5035550199@contoso.com")
    if not established(name, pool, gw):
        return
    b = sent_to("127.0.0.3", "INVITE ")
    report("%s: the gateway (a sips: trunk) got a sips: Contact" % name,
           b and "Contact: <sips:127.0.0.1:%d>" % PORT in b[-1],
           b and re.findall(r"Contact: .*", b[-1]))
    report("%s: and the number as its trunk rules make it" % name,
           b and b[-1].startswith("INVITE sip:15035550199@"), b and b[-1].split("\n")[0])
    hold_resume_hangup(name, pool, gw, (logs[0], logs[1]))


def transfer(pool, gw):
    name = "blind transfer by the pool"
    gw.command("dial", SIPMED % "1234")
    if not established(name, gw, pool):
        return
    pool.command("transfer", SIPMED % "5678")
    bob = pool.wait_event("CALL_ESTABLISHED", 10, "sip:bob@contoso.com")
    report("%s: the gateway calls the transfer target, bob answers" % name, bob is not None,
           "bob's call not established")
    deadline = time.time() + 10
    notify = []
    while time.time() < deadline and not notify:
        # the NOTIFY that says the transfer succeeded, as sipmed relayed it
        notify = [m for m in sent_to("127.0.0.2", "NOTIFY ") if "SIP/2.0 200" in m]
        time.sleep(0.05)
    report("%s: the NOTIFY with the outcome reached the transferor" % name, bool(notify),
           "none")
    ids = [re.findall(r"^Event: .*", m, flags=re.M) for m in notify]
    refers = [re.findall(r"^CSeq: (\d+) REFER", m, flags=re.M) for h, m in trace_messages()
              if " received over " in h and m.startswith("REFER ")]
    report("%s: its Event id is the CSeq of the transferor's own REFER" % name,
           bool(notify) and bool(refers) and "id=%s" % refers[0][0] in ids[-1][0],
           "Event %s, REFER CSeq %s" % (ids, refers))
    answers = [m for h, m in trace_messages()
               if " received over " in h and "from 127.0.0.2:" in h and
               re.search(r"^CSeq: \d+ NOTIFY", m, flags=re.M)]
    report("%s: the transferor accepted every NOTIFY (no 481)" % name,
           bool(answers) and all(m.startswith("SIP/2.0 200") for m in answers),
           [m.split("\n")[0] for m in answers])
    for ua in (pool, gw):
        ua.command("hangup")
        ua.command("hangup")
    pool.wait_event("CALL_CLOSED", 5, "sip:bob@contoso.com")


def main():
    pool = Baresip(os.path.join(WORK, "pool"), PORT + 30, os.path.join(WORK, "pool.log"))
    gw = Baresip(os.path.join(WORK, "gw"), PORT + 31, os.path.join(WORK, "gw.log"))
    logs = (os.path.join(WORK, "pool.log"), os.path.join(WORK, "gw.log"))
    try:
        inbound(pool, gw, logs)
        if MODE == "all":
            outbound(pool, gw, logs)
            transfer(pool, gw)
    finally:
        pool.stop()
        gw.stop()


main()
