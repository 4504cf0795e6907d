/*
 * decide: call processing decisions, the number handling of a call in
 * one place. The live B2BUA and sipmedctl's offline test commands call
 * exactly these functions, so what an administrator tests is what a call
 * does.
 *
 *   decide_inbound()       gateway -> pool: normalize the called and calling
 *                          numbers with the trunk's dial plan, find the
 *                          user who owns the number, or an unassigned
 *                          number range, or reject
 *   decide_outbound()      pool -> gateway: normalize with the caller's dial
 *                          plan, keep calls to our own users internal,
 *                          and route: the candidate trunks, in the order
 *                          a call tries them
 *   decide_trunk_numbers() the called and calling numbers one attempt on
 *                          one trunk sends; a call computes them for each
 *                          attempt it makes, sipmedctl for every candidate
 *                          (decide_attempt()), and nothing else does
 */
#ifndef SIPMED_DECIDE_H
#define SIPMED_DECIDE_H

#include "conf.h"
#include "dtrace.h"
#include "route.h"

enum decision_kind {
	DECISION_USER,		/* to a configured user, through the pool */
	DECISION_TARGET,	/* to an unassigned number range's target URI */
	DECISION_PSTN,		/* out through the trunks in choices */
	DECISION_REJECT,	/* answer status/reason (+ ms-diagnostics) */
};

struct trunk_numbers {
	char called[RULE_OUT_MAX];
	char calling[RULE_OUT_MAX];	/* "" when there is no calling number */
	const struct rule *called_rule;	/* NULL: no rule matched, sent as is */
	const struct rule *calling_rule;
};

/* Why the pool places a call for a user who is not its caller. */
enum behalf_reason {
	BEHALF_NONE,
	BEHALF_FORWARDING,	/* AllowCallForwarding */
	BEHALF_SIMUL_RING,	/* AllowSimulRing */
	BEHALF_TEAM_CALL,	/* EnableTeamCall */
	BEHALF_DELEGATION,	/* EnableDelegation */
	BEHALF_TRANSFER,	/* EnableCallTransfer */
};

/*
 * A call from the pool whose caller is no configured user, placed for a
 * user who is (call_behalf() reads it from the INVITE): the party named
 * (a SIP URI, or a number), why, and the header that said so.
 */
struct behalf {
	const char *party;
	enum behalf_reason reason;
	const char *header;	/* "History-Info", "Referred-By", "Diversion" */
};

/* The user a party names: by SIP URI, or a number it holds; NULL: none. */
struct user *decide_party_user(const struct conf *, const char *party);

/* "forwarding", "simultaneous ring"... and the voice policy switch for it */
const char *decide_behalf_name(enum behalf_reason);
const char *decide_behalf_switch(enum behalf_reason);

struct decision {
	enum decision_kind kind;
	char called[RULE_OUT_MAX];	/* after normalization */
	char calling[RULE_OUT_MAX];	/* after normalization; "" when none */
	const struct dial_plan *plan;	/* plan the called number went through */
	const struct rule *rule;	/* its matching rule; NULL when none/skipped */
	const struct user *caller;	/* outbound: the calling user, or the user
					   the call is placed for */
	bool emergency;			/* an emergency call: nothing refuses it
					   but the lack of a route */
	const struct location_policy *location;	/* then its location policy */
	enum behalf_reason behalf;	/* the call is placed for caller, why */
	const char *behalf_header;	/* where that was read */
	char redirecting[RULE_OUT_MAX];	/* behalf: the caller's own number */
	const struct user *callee;	/* DECISION_USER */
	const char *target;		/* DECISION_USER/_TARGET: SIP URI */
	const struct unassigned *range;	/* the unassigned range used, if any */
	unsigned status;		/* DECISION_REJECT */
	const char *reason;
	char diagnostics[512];		/* ms-diagnostics value, or "" */
	struct route_choice choices[ROUTE_CHOICES_MAX];	/* DECISION_PSTN, in failover
							   order before round robin
							   and health */
	size_t nchoices;
};

/*
 * Decides an inbound call from trunk t. called is the number from the
 * Request-URI (digits, or +E.164, optionally ;ext=N); calling may be NULL.
 * Fills *d. Returns 0, or -1 when a rule's result does not fit (d then
 * rejects with 500).
 */
int decide_inbound(const struct conf *, const struct trunk *t, const char *called,
    const char *calling, struct decision *d, const struct dtrace *);

/*
 * Decides an outbound call from the user whose SIP URI is caller_uri to
 * the dialed number. Fills *d. Returns 0 or -1 as decide_inbound().
 */
int decide_outbound(const struct conf *, const char *caller_uri, const char *dialed,
    struct decision *d, const struct dtrace *);

/*
 * The same for a call from the pool that may be placed on a user's behalf
 * (ob, may be NULL): when caller_uri is no configured user, the user ob
 * names is responsible for the call: the call is normalized and routed
 * with that user's dial plan and voice policy, if the policy's switch for
 * ob's reason allows it (else 403 naming the switch), and presents
 * caller_number (the original caller's; "" or NULL: none).
 */
int decide_outbound_behalf(const struct conf *, const char *caller_uri,
    const char *caller_number, const struct behalf *ob, const char *dialed,
    struct decision *d, const struct dtrace *);

/*
 * redirecting (E.164) as trunk t presents numbers: its calling-number
 * rules, then remove_plus. out holds RULE_OUT_MAX. 0, or -1 when too long.
 */
int decide_trunk_redirecting(const struct trunk *t, const char *redirecting, char *out,
    const struct dtrace *);

/*
 * Translates E.164 called (and calling, which may be NULL or "") for
 * trunk t, reached through route r (may be NULL): the route's alternate
 * caller ID when it suppresses the caller's, then the trunk's called- and
 * calling-number rules (first match wins; no match: unchanged; rules see
 * numbers without ;ext=), then remove_plus. Returns 0 or -1 (too long).
 */
int decide_trunk_numbers(const struct trunk *t, const struct route *r, const char *called,
    const char *calling, struct trunk_numbers *out, const struct dtrace *);

/*
 * The numbers attempt i of PSTN decision d sends: decide_trunk_numbers()
 * for d->choices[i]. Returns 0 or -1 (too long, or no such attempt).
 */
int decide_attempt(const struct decision *d, size_t i, struct trunk_numbers *out,
    const struct dtrace *);

/*
 * A trunk's final failure status as call processing sees it: translated
 * by the first of the trunk's response_code_rules (Lync
 * SipResponseCodeTranslationRules, reference 2.6) whose received code
 * (0: any) and Q.850 cause (-1: any) match; q850 is the cause from the
 * response's Reason header, or -1.
 */
unsigned decide_response_code(const struct trunk *, unsigned status, int q850);

/*
 * Whether a final status (after translation) sends the call on to the
 * next trunk: 5xx, the codes Lync's outbound routing retries (4xx and
 * 6xx are final; a silent trunk or one that cannot be reached fails over
 * in the call layer).
 */
bool decide_fails_over(unsigned status);

/* The standard reason phrase for a SIP status code. */
const char *decide_reason(unsigned status);

#endif
