/*
 * call_priv: the call object, shared by call.c (set-up and teardown) and
 * call_relay.c (in-dialog requests). Not for use elsewhere.
 */
#ifndef SIPMED_CALL_PRIV_H
#define SIPMED_CALL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

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
/* The last REFERs relayed that a NOTIFY may still name. */
#define CALL_REFERS 4
struct fork;
LIST_HEAD(fork_list, fork);
struct prack;
LIST_HEAD(prack_list, prack);

struct call {
	su_home_t home[1];
	struct server *srv;
	struct conf *conf;		/* the snapshot the call began under */
	LIST_ENTRY(call) entry;		/* in srv->calls */
	char *id;			/* A leg Call-ID, for logs */
	enum call_state state;
	nta_leg_t *leg[2];
	nta_incoming_t *a_invite;	/* until A's ACK (2xx) or the final answer */
	nta_outgoing_t *b_invite;	/* until its final response or A's ACK */
	nta_outgoing_t *ack[2];		/* the last ACK sent on each leg, kept
					   for ACK_KEEP_MS to answer 2xx resends */
	su_timer_t *ack_timer;		/* drops ack[] ACK_KEEP_MS after the last */
	uint32_t invite_cseq[2];	/* CSeq of the last INVITE sent on each leg */
	unsigned hdr_flags[2];		/* hdrmap flags for what each side sends */
	struct peer peer[2];		/* who holds each leg, and over which
					   transport: only it may send in it */
	sip_contact_t *contact[2];	/* sipmed's Contact on each leg */
	const struct trunk *trunk[2];	/* the trunk on each side; NULL: the pool */
	su_timer_t *invite_timer;	/* no final answer in invite_timeout: 408 */
	su_timer_t *failover_timer;	/* no provisional answer from a trunk */
	struct route_choice *choices;	/* PSTN calls: trunks in failover order */
	size_t nchoices;
	size_t attempt;			/* the one being tried */
	char *called;			/* PSTN calls: the E.164 called number */
	char *target;			/* pool calls: the B leg's Request-URI */
	char *calling;			/* the calling number (E.164), or "" */
	bool asserted;			/* calling is asserted: by a trusted PAI or
					   because the caller is a configured user */
	bool private;			/* the caller asked not to be shown */
	bool answered;			/* A got a final answer (or cancelled) */
	int final_status;		/* the final status A got; 0: none yet */
	time_t started;
	char *a_called, *a_calling;	/* the numbers as A's INVITE had them */
	const char *b_id;		/* the B leg's Call-ID */
	char *b_uri;			/* the B leg's Request-URI */
	bool traced;			/* the trace filter took this call */
	struct dtrace dtrace;		/* decision steps of a traced call */
	bool a_100rel;			/* the caller offered 100rel */
	struct relay_list relays;	/* in-dialog transactions in progress */
	struct refer_sent {		/* REFERs relayed: their NOTIFYs name
					   them by CSeq (Event: refer;id=) */
		enum call_side to;	/* the side the REFER went to */
		uint32_t sent;		/* its CSeq there */
		uint32_t received;	/* its CSeq as its sender sent it */
	} refers[CALL_REFERS];
	unsigned nrefers;		/* REFERs relayed in all (a ring) */
	struct fork_list forks;		/* B early dialogs with reliable 18x */
	struct prack_list pracks;	/* reliable 18x to A awaiting PRACK */
};

/* call.c */
void call_end(struct call *, const char *why);
/*
 * B's 2xx gets its ACK (with ack's body and headers; NULL: none) and the
 * INVITE transactions of both legs end: A's ACK arrived, or a BYE came
 * first. Every 2xx sipmed receives is ACKed; nothing happens before B's
 * 2xx or once it is ACKed, so any path that ends a call may call this.
 */
void call_b_acked(struct call *, const sip_t *ack);
/*
 * The one place the caller gets its final answer, status: the call is
 * marked answered (for the trace and the statistics) and A's INVITE
 * answered with B's response sip (its crossing headers and body) when
 * given, else with sipmed's own. Nothing when A has its answer already;
 * only the marking when nta answers A itself (a_invite NULL).
 */
void call_answer_caller(struct call *, int status, const sip_t *sip);
/*
 * Sends BYE on one leg with a Reason header value (RFC 3326) saying why;
 * the transaction outlives the call.
 */
void call_bye(struct call *, enum call_side, const char *reason);
sip_max_forwards_t *call_max_forwards(su_home_t *home, const sip_t *sip);
/*
 * hdrmap flags for what the sender (trunk from, NULL: the pool) sends to
 * the receiver (trunk to): P-Asserted-Identity from a trusted sender to
 * the pool or a trunk that forwards it, History-Info to the pool or a
 * trunk that forwards call history.
 */
unsigned call_hdr_flags(const struct conf *, const struct trunk *from, const struct trunk *to);
/* Answers the A leg's INVITE with status and the rest of B's response sip. */
void call_answer_a(struct call *, const sip_t *sip, int status, unsigned flags);
/* Destroys a transaction once it has its final response. */
int call_orq_done(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip);

/* call_100rel.c: reliable provisional responses and early dialogs of B */
/* A provisional response (101-199) from B, relayed to A. */
void call_provisional(struct call *, const sip_t *sip);
/* Makes leg[SIDE_B] the dialog of B's 2xx sip, ending the other forks. */
int call_b_answered(struct call *, const sip_t *sip);
/* Forgets the reliable responses A has not PRACKed (before a_invite goes). */
void call_pracks_drop(struct call *);
/*
 * A leg for the B dialog (early or confirmed) of response sip, continuing
 * leg[SIDE_B]'s CSeq so that whichever fork answers sees CSeq rise.
 */
nta_leg_t *call_b_leg_for(struct call *, const sip_t *sip, nta_request_f *cb);
/* Requests on a fork's own leg (its magic is the call). */
int call_fork_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip);
/* Frees the early dialogs of B (at call end). */
void call_forks_free(struct call *);

/* call_relay.c: requests arriving on a leg of a dialog */
int call_leg_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip);
/*
 * Sends ACK for the last INVITE on leg to, with ack's body, and keeps it:
 * nta sends a kept ACK again, body and all, when the 2xx it acknowledged
 * comes again (the ACK was lost).
 */
void call_relay_ack(struct call *, enum call_side to, const sip_t *ack);
/* Destroys the ACKs kept for 2xx resends (ack[]). */
void call_acks_drop(struct call *);

void call_relays_abort(struct call *);
/* Relays A's PRACK (irq, sip) to B on leg with rack; answers irq itself. */
void call_relay_prack(struct call *, nta_incoming_t *irq, const sip_t *sip, nta_leg_t *leg,
    const sip_rack_t *rack);

#endif
