#!/usr/bin/env python3
"""Checks the call detail records the cdr case's five calls wrote, in
order: answered, busy, failover, cancelled, unassigned. Prints "PASS
what" or "FAIL what: why" per check.

usage: cdr.py CDR_FILE ANSWERED_CALL_ID
"""
import json
import re
import sys

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def check(name, cond, why=""):
    print(("PASS %s" % name) if cond else ("FAIL %s: %s" % (name, why)))


def main():
    lines = open(sys.argv[1]).read().splitlines()
    try:
        recs = [json.loads(x) for x in lines]
    except ValueError as e:
        check("every line is one JSON object", False, str(e))
        return
    check("five records", len(recs) == 5, "%d lines" % len(recs))
    if len(recs) != 5:
        return
    ans, busy, fail, canc, unas = recs
    check("answered: the Call-ID is the caller's", ans["call_id"] == sys.argv[2], ans["call_id"])
    check("answered: inbound, from trunk gw",
          ans["direction"] == "inbound" and ans["from"] == "gw", ans)
    check("answered: received, ringing, answered, ended are ISO times in order",
          all(ISO.match(ans[k] or "") for k in ("received", "ringing", "answered", "ended"))
          and ans["received"] <= ans["ringing"] <= ans["answered"] <= ans["ended"], ans)
    check("answered: numbers as received and normalized",
          ans["called_received"] == "1234" and ans["calling_received"] == "5035550100"
          and ans["called"] == "+15033121234" and ans["calling"] == "+15035550100", ans)
    check("answered: the user found is alice", ans["user"] == "sip:alice@contoso.com", ans)
    check("answered: one attempt, to the pool, answered 200",
          len(ans["attempts"]) == 1 and ans["attempts"][0]["to"] == "pool"
          and ans["attempts"][0]["status"] == 200
          and ans["attempts"][0]["request_uri"] == "sip:alice@contoso.com", ans["attempts"])
    check("answered: 200, ended by the caller hanging up, a duration",
          ans["status"] == 200 and ans["reason"] == "OK" and ans["ended_by"] == "caller"
          and ans["end_reason"] == "caller hung up" and ans["duration_ms"] > 0, ans)
    check("busy: 486 with its Q.850 cause 17, ended by the callee, no answer time",
          busy["status"] == 486 and busy["q850"] == 17 and busy["ended_by"] == "callee"
          and busy["answered"] is None and busy["duration_ms"] == 0
          and busy["attempts"][0]["status"] == 486 and busy["attempts"][0]["q850"] == 17, busy)
    tries = fail["attempts"]
    check("failover: outbound from the pool, the CEO found",
          fail["direction"] == "outbound" and fail["from"] == "pool"
          and fail["user"] == "sip:alice@contoso.com", fail)
    check("failover: gw tried first and answered 503, then gw2 answered 200",
          [t["to"] for t in tries] == ["gw", "gw2"] and tries[0]["status"] == 503
          and tries[1]["status"] == 200 and fail["status"] == 200, tries)
    # gw strips the plus and shows the CEO as the secretary; gw2 has no
    # calling number rule (its called number loses the plus by default)
    check("failover: the numbers each trunk was sent",
          tries[0]["called_sent"] == "15035550199" and tries[0]["calling_sent"] == "9992349000"
          and tries[1]["called_sent"] == "15035550199"
          and tries[1]["calling_sent"] == "+15033121234", tries)
    check("cancelled: 487 to the caller, ended by the caller, cancelled",
          canc["status"] == 487 and canc["ended_by"] == "caller"
          and canc["end_reason"] == "cancelled" and canc["answered"] is None, canc)
    check("unassigned: 404, refused by sipmed, its numbers normalized, no attempt",
          unas["status"] == 404 and unas["reason"] == "Not Found"
          and unas["ended_by"] == "sipmed" and unas["end_reason"] == "refused"
          and unas["attempts"] == [] and unas["called_received"] == "1999"
          and unas["called"] == "+15033121999" and unas["calling"] == "+15035550100"
          and "ms_diagnostics" in unas, unas)


main()
