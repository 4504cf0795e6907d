/*
 * call_priv: the call object and its life cycle, shared by the files of
 * the call module (call.c: life cycle and registry; call_invite.c:
 * set-up and failover; call_relay.c: in-dialog requests; call_100rel.c:
 * reliable provisionals and early dialogs). Not for use elsewhere.
 *
 * Who owns what: a call owns both legs' nta dialogs, the INVITE
 * transactions until they end, its relays, forks, reliable responses,
 * kept ACKs and timers, all released by call_set_state(CALL_ENDED). A
 * struct call_leg is part of its call; its peer is a copy and its trunk
 * points into the snapshot the call holds.
 */
#ifndef SIPMED_CALL_PRIV_H
#define SIPMED_CALL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>
#include <time.h>

#include <sofia-sip/nta.h>

#include "call.h"
#include "decide.h"
#include "server.h"

/*
 * A call's life cycle. Every change of state goes through call_set_state()
 * (call.c), which checks it is one of these transitions and does what
 * entering the state implies:
 *
 *   RINGING --2xx relayed to A--------------> ANSWERED --A's ACK--> UP
 *   RINGING --A answered >= 300 first-------> CLEARING (B's INVITE ends)
 *   RINGING --BYE on an early dialog--------> ENDING (from CLEARING too)
 *   any     --the call is over--------------> ENDED (call_free(): gone)
 *
 * Failover to the next trunk stays in RINGING. A has its final answer
 * exactly when final_status is set: always in CLEARING, ANSWERED and UP,
 * never in RINGING, and in ENDING once A has been answered.
 */
enum call_state {
	CALL_RINGING,		/* B leg's INVITE out, no final answer for A */
	CALL_CLEARING,		/* A has a final failure (CANCEL, timeout):
				   B's INVITE is cancelled, its answer awaited */
	CALL_ANSWERED,		/* B's 2xx relayed to A, A's ACK awaited */
	CALL_UP,		/* A's ACK came, B's 2xx is ACKed */
	CALL_ENDING,		/* a BYE on an early dialog, relayed */
	CALL_ENDED,		/* freed by call_set_state() */
};

enum call_side {
	SIDE_A = 0,
	SIDE_B = 1,
};

/* Who ended a call, for its record. */
enum call_ender {
	ENDER_CALLER,
	ENDER_CALLEE,
	ENDER_SIPMED,
};

/* One attempt of the B leg, for the call's record. */
struct call_try {
	const char *trunk;		/* NULL: the pool */
	char *ruri;
	char *called, *calling;		/* as sent: a trunk's numbers; NULL: none */
	int status;			/* its final answer; 0: none yet */
	int q850;			/* the Q.850 cause of its Reason; -1: none */
};

struct call;
LIST_HEAD(call_list, call);
struct relay;
LIST_HEAD(relay_list, relay);
/* The last REFERs relayed that a NOTIFY may still name. */
#define CALL_REFERS 4
struct fork;
LIST_HEAD(fork_list, fork);
struct prack;
LIST_HEAD(prack_list, prack);
struct transfer;
struct notifier;

/*
 * One leg of the call: the caller's dialog (A, which sipmed answers) or
 * sipmed's own toward the callee (B, its own Call-ID, tags and CSeq).
 */
struct call_leg {
	nta_leg_t *dialog;		/* NULL until made (B: each attempt's) */
	const char *call_id;		/* A: the caller's; B: sipmed's own */
	struct peer peer;		/* who holds the leg, and over which
					   transport: only it may send in it */
	const struct trunk *trunk;	/* the trunk on this side; NULL: the pool */
	const sip_contact_t *contact;	/* sipmed's Contact on the leg (the server's) */
	unsigned hdr_flags;		/* hdrmap flags for what this side sends */
	uint32_t invite_cseq;		/* CSeq of the last INVITE on the leg */
	nta_outgoing_t *ack;		/* the last ACK sent on the leg when it had
					   a body, kept for ACK_KEEP_MS to answer
					   2xx resends (call_resend_ack() others) */
	uint32_t acked_cseq;		/* CSeq of the INVITE last ACKed; 0: none */
	bool admitted;			/* counted against peer's max_calls
					   (peers_call_admit()) */
};

struct call {
	su_home_t home[1];
	struct server *srv;
	struct calls *calls;		/* the registry the call is in */
	struct conf *conf;		/* the snapshot the call began under */
	LIST_ENTRY(call) entry;		/* in calls->list */
	char *id;			/* A leg Call-ID, for logs */
	enum call_state state;		/* change it with call_set_state() only */
	int final_status;		/* the final status A got; 0: none yet */
	struct call_leg leg[2];		/* [SIDE_A], [SIDE_B] */
	nta_incoming_t *a_invite;	/* A's INVITE: until its ACK or final failure */
	nta_outgoing_t *b_invite;	/* B's INVITE: until its final failure or,
					   after a 2xx, A's ACK */
	su_timer_t *ack_timer;		/* drops the legs' ACKs ACK_KEEP_MS after the last */
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
	bool emergency;			/* an emergency call */
	const char *elin;		/* then its location's callback number */
	enum behalf_reason behalf;	/* placed on a user's behalf: why */
	char *redirecting;		/* then that user's number, else NULL */
	time_t started;
	struct timespec received;	/* wall clock: A's INVITE, */
	struct timespec ringing;	/* the first provisional relayed (0: none), */
	struct timespec answered;	/* the 2xx relayed (0: none) */
	char *a_called, *a_calling;	/* the numbers as A's INVITE had them */
	char *e164;			/* the called number normalized */
	const char *user;		/* the user found (inbound: called; else calling) */
	struct call_try *tries;		/* one per attempt of the B leg */
	size_t ntries, maxtries;
	enum call_ender ender;		/* set with blamed: who ends it */
	bool blamed;
	const char *end_why;
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
	struct transfer *transfer;	/* call_transfer.c: one sipmed performs */
	const char *direction;		/* set when a transfer replaces a leg: the
					   direction the call began with */
	struct notifier *notifier;	/* its NOTIFYs to the referrer, and the
					   referrer's leg after a join */
	bool anchored;			/* call_media.c: the SDP goes through a relay */
	int media_relay;		/* which (media.h); -1: none yet */
	int media_offerer;		/* the side whose offer is open; -1: none */
	su_timer_t *media_timer;	/* media supervision (media.inactivity) */
	char media_btag[64];		/* B's tag on the relay: its dialog's (an
					   early one's answers each their own) */
	long long media_seen[2];	/* packets the relay had from each side */
};

static inline enum call_side
call_other(enum call_side s)
{
	return s == SIDE_A ? SIDE_B : SIDE_A;
}

/* Whether A has its final answer (or nta gave it one). */
static inline bool
call_caller_answered(const struct call *call)
{
	return call->final_status != 0;
}

/* Whether the dialogs are confirmed (B's 2xx relayed to A). */
static inline bool
call_is_up(const struct call *call)
{
	return call->state == CALL_ANSWERED || call->state == CALL_UP;
}

/* call.c: the life cycle */
/* Makes a call for INVITE sip in RINGING, counted in srv's registry. */
struct call *call_new(struct server *, const sip_t *sip);
/*
 * The one function that changes a call's state, to to (why: for the
 * log); one the diagram does not draw is refused and logged. Leaving
 * RINGING stops the INVITE and failover timers; entering ENDED ACKs a 2xx
 * left unACKed and frees the call and everything it holds.
 */
void call_set_state(struct call *, enum call_state to, const char *why);
/* call_set_state(call, CALL_ENDED, why), ended by who (unless blamed). */
void call_end(struct call *, enum call_ender who, const char *why);

/* Stops counting the call against the peer of side (call admission control). */
void call_leg_release(struct call *, enum call_side side);
/*
 * Says who ends the call and why when that is decided before the end
 * (a CANCEL, the INVITE timer): call_end() then keeps it.
 */
void call_blame(struct call *, enum call_ender who, const char *why);
/* "inbound" (from a trunk), "outbound" (to trunks) or "internal". */
const char *call_direction(const struct call *);
/* The call's decision trace: NULL unless the trace filter took the call. */
const struct dtrace *call_steps(const struct call *);
/*
 * ANSWERED -> UP: B's 2xx gets its ACK (with ack's body and headers;
 * NULL: none) and the INVITE transactions of both legs end: A's ACK
 * arrived, or a BYE came first. Nothing happens in any other state, so
 * any path that ends a call may call this.
 */
void call_b_acked(struct call *, const sip_t *ack);
/*
 * The one place the caller gets its final answer, status: final_status
 * is set (for the trace and the statistics), A's INVITE answered with B's
 * response sip (its crossing headers and body) when given, else with
 * sipmed's own, and a RINGING call becomes ANSWERED (2xx) or CLEARING.
 * Nothing when A has its answer already; nothing is sent when nta has
 * answered A itself (a transport failure, no PRACK) or a_invite is gone.
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

/* call_cdr.c: the call's detail record */
/* Writes the record of call, ending now, when records go anywhere. */
void call_cdr(struct call *);
/*
 * Writes the record of an INVITE refused before it became a call: its
 * Call-ID, its direction and peer, its numbers as received (may be NULL), the decision
 * (NULL: none yet; its normalized numbers and Lync's ms-diagnostics), and
 * the status and reason (NULL: the standard one) it got.
 */
void call_cdr_refused(struct server *, const char *id, const char *direction,
    const struct peer *, const char *called, const char *calling, const struct decision *d,
    int status, const char *reason);

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
/* An ACK for the 2xx to INVITE cseq on leg, from listener listen, with tags
   (NULL: none) for its body. */
nta_outgoing_t *call_ack_create(nta_leg_t *, uint32_t cseq, const char *listen, tagi_t *tags);
void call_relay_ack(struct call *, enum call_side to, const sip_t *ack);
/*
 * Sends ACK for the last INVITE on leg l (of call, or one joining it),
 * with the body of answer (NULL: none), and keeps it as call_relay_ack()
 * does.
 */
void call_ack_leg(struct call *, struct call_leg *l, const sip_t *answer);
/* Destroys the ACKs kept for 2xx resends (ack[]). */
void call_acks_drop(struct call *);

void call_relays_abort(struct call *);

/* call_media.c: anchored calls' SDP through a media relay (see there) */
/* Decides whether the call is anchored, its sides' trunks a and b. */
void call_media_start(struct call *, const struct trunk *a, const struct trunk *b);
/*
 * For an anchored call, replaces the SDP body in tags (as hdrmap_tags()
 * made them from sip, which side from sent) with the relay's; final: it
 * came in a 2xx, an ACK or a PRACK. 0, or -1 when the relay could not
 * (the tags are left as they were).
 */
int call_media_body(struct call *, enum call_side from, const sip_t *sip, bool final,
    su_home_t *home, tagi_t tags[4]);
/* A re-INVITE or UPDATE was refused: the offer it carried is void. */
void call_media_rejected(struct call *);
/*
 * No relay answered for a call's first offer: true when the call is to be
 * refused (503), false when it goes on unanchored (media_unreachable).
 */
bool call_media_refuses(struct call *);
/* Starts media supervision of an anchored call that is up. */
void call_media_supervise(struct call *);
/* Writes the call's relay, ports and counters (sipmedctl calls). */
void call_media_write(const struct call *, FILE *);
/* Deletes the call's session on its relay. */
void call_media_end(struct call *);

/* call_transfer.c: transfers sipmed performs itself (see there) */
/*
 * A REFER (irq, sip) from side from toward a trunk that takes none:
 * sipmed performs the transfer, or answers irq itself. Returns 0, or a
 * status for the caller to answer irq with.
 */
int call_transfer_refer(struct call *, enum call_side from, nta_incoming_t *irq,
    const sip_t *sip);
/*
 * A BYE (irq) from side from while a transfer it asked for goes on: true
 * when irq is answered and the transfer goes on without the referrer.
 */
bool call_transfer_referrer_bye(struct call *, enum call_side from, nta_incoming_t *irq);
/* The call whose transfer's new party holds leg (NULL: none), and that party. */
struct call *call_transfer_of_leg(nta_leg_t *leg, const struct peer **p);
/* Ends a transfer in progress and its NOTIFYs: the call is over. */
void call_transfer_drop(struct call *);
/* Relays A's PRACK (irq, sip) to B on leg with rack; answers irq itself. */
void call_relay_prack(struct call *, nta_incoming_t *irq, const sip_t *sip, nta_leg_t *leg,
    const sip_rack_t *rack);

#endif
