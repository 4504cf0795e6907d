/*
 * call_priv: the call object, shared by call.c (set-up and teardown) and
 * call_relay.c (in-dialog requests). Not for use elsewhere.
 */
#ifndef SIPMED_CALL_PRIV_H
#define SIPMED_CALL_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nta.h>

#include "call.h"
#include "decide.h"
#include "server.h"

enum call_state {
	CALL_EARLY,		/* INVITE sent on the B leg, no final answer yet */
	CALL_CONFIRMED,		/* 2xx relayed to the A leg */
	CALL_ENDING,		/* BYE in progress */
};

enum call_side {
	SIDE_A = 0,
	SIDE_B = 1,
};

struct relay;
LIST_HEAD(relay_list, relay);

struct call {
	su_home_t home[1];
	struct server *srv;
	struct conf *conf;		/* the snapshot the call began under */
	LIST_ENTRY(call) entry;		/* in srv->calls */
	char *id;			/* A leg Call-ID, for logs */
	enum call_state state;
	nta_leg_t *leg[2];
	nta_incoming_t *a_invite;	/* until A's ACK (2xx) or the final answer */
	nta_outgoing_t *b_invite;	/* until its final response */
	uint32_t invite_cseq[2];	/* CSeq of the last INVITE sent on each leg */
	unsigned hdr_flags[2];		/* hdrmap flags for what each side sends */
	const struct trunk *trunk[2];	/* the trunk on each side; NULL: the pool */
	su_timer_t *invite_timer;	/* no final answer in invite_timeout: 408 */
	char *b_tag;			/* To tag of the B dialog that answered */
	bool b_acked;			/* its 2xx was ACKed */
	bool answered;			/* A got a final answer (or cancelled) */
	struct relay_list relays;	/* in-dialog transactions in progress */
};

/* call.c */
void call_end(struct call *, const char *why);
/* Sends BYE on one leg; the transaction outlives the call. */
void call_bye(struct call *, enum call_side);
sip_max_forwards_t *call_max_forwards(su_home_t *home, const sip_t *sip);

/* call_relay.c: requests arriving on a leg of a dialog */
int call_leg_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip);
/* Sends ACK for the last INVITE on leg to, with ack's body (ack may be NULL). */
void call_relay_ack(struct call *, enum call_side to, const sip_t *ack);
void call_relays_abort(struct call *);

#endif
