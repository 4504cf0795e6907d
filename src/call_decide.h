/*
 * call_decide: what call processing reads from an INVITE before a call
 * exists: the called and calling numbers in its URIs, whether its
 * P-Asserted-Identity is believed, whether the caller asked for privacy,
 * and the decision (decide.c) for it. Kept apart from the call's life
 * (call.c) so that the path from a parsed request to the decision can be
 * tested and fuzzed without a running agent.
 */
#ifndef SIPMED_CALL_DECIDE_H
#define SIPMED_CALL_DECIDE_H

#include <stdbool.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_extra.h>

#include "decide.h"
#include "peer.h"

#define CALL_CALLED_MAX 128
#define CALL_CALLING_MAX 512

/*
 * Decides the INVITE sip (it has a Request-URI and a From, as nta makes
 * sure) from peer p. called and calling get the numbers as the request
 * had them (for a call from the pool, calling is the caller's URI).
 */
void call_decide(const struct conf *, const struct peer *p, const sip_t *sip,
    struct decision *d, char called[CALL_CALLED_MAX], char calling[CALL_CALLING_MAX],
    const struct dtrace *);

/*
 * Decides a transfer sipmed performs (call_transfer.c): the call to
 * target (a Refer-To URI) placed for the transferring user (a SIP URI;
 * NULL: none) with the transferred party's number (E.164, "" for none)
 * as its caller. A target that is a number (a tel: URI, or a sip: URI
 * whose user part is one) is decided as that user's call on their behalf
 * (decide_outbound_behalf(), BEHALF_TRANSFER: their dial plan and voice
 * policy, EnableCallTransfer); any other URI goes to the pool as it is:
 * DECISION_TARGET with target NULL.
 */
void call_decide_transfer(const struct conf *, const url_t *target, const char *user,
    const char *caller_number, struct decision *d, const struct dtrace *);

/*
 * Who the pool's INVITE sip is placed for, when its caller is no
 * configured user (call_behalf.c): out->party is NULL when no header
 * names a configured user. Strings are allocated from home.
 */
void call_behalf(const struct conf *, const sip_t *sip, su_home_t *home,
    struct behalf *out);

/* Who a call's B leg presents as its caller, and how. */
struct call_caller {
	const char *calling;		/* the number (E.164), "" for none */
	bool private;			/* the caller asked not to be shown */
	bool asserted;			/* the number is asserted (trusted PAI, a user) */
	const char *redirecting;	/* placed on this number's user's behalf */
	enum behalf_reason why;		/* and why; BEHALF_NONE: not */
	const char *elin;		/* an emergency call's callback number */
};

/* What one attempt of a call sends on its B leg. */
struct call_attempt {
	char ruri[512];			/* Request-URI */
	char from[512];			/* From, sipmed's own */
	char pai[512];			/* P-Asserted-Identity; "": none */
	char diversion[512];		/* Diversion; "": none */
	const char *next_hop;		/* where it goes */
	struct trunk_numbers numbers;	/* a trunk attempt's numbers */
};

/*
 * The attempt of a call on choice ch (NULL: to the pool, at target), the
 * call's called number (E.164; trunk attempts only) and its caller who: a
 * trunk's numbers (an emergency call shows the location's ELIN to a trunk
 * with emergency_elin) (decide_trunk_numbers()), then the
 * Request-URI, the From (anonymous when the caller is private) and the
 * P-Asserted-Identity (when the number is asserted, to the pool or a
 * trunk with forward_pai); for a call placed on a user's behalf (why),
 * a Diversion naming redirecting, the user's number, to a trunk that
 * takes one. The live call and sipmedctl both build an
 * attempt with this. Returns 0, or -1 when a number does not fit.
 */
int call_attempt(const struct conf *, const struct route_choice *ch, const char *target,
    const char *called, const struct call_caller *who, struct call_attempt *out,
    const struct dtrace *);

/* Whether P-Asserted-Identity from trunk t (NULL: the pool) is believed. */
bool call_trusts_pai(const struct conf *, const struct trunk *t);
/* The request's P-Asserted-Identity when it is believed, else NULL. */
const sip_p_asserted_identity_t *call_trusted_pai(const struct conf *,
    const struct trunk *t, const sip_t *sip);
/*
 * Whether the caller asked to hide who it is (RFC 3323/3325): a Privacy
 * header with id, header or user, or an anonymous From.
 */
bool call_caller_private(const sip_t *sip);

#endif
