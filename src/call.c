/*
 * call: a call's life cycle, and the registry of calls in progress.
 *
 * This file owns what every part of a call shares: its creation, its
 * state and the one function that changes it (call_set_state()), the one
 * place the caller gets its final answer (call_answer_caller()), the ACK
 * that confirms both legs (call_b_acked()), and the destructor that
 * releases everything a call holds when it enters CALL_ENDED. It also
 * counts the calls: nothing outside the call module changes them.
 *
 * The other parts, each opening with what it owns:
 * - call_invite.c: the initial INVITE, the B leg's attempts and failover;
 * - call_relay.c: requests inside the dialogs, BYE, re-INVITE, REFER;
 * - call_100rel.c: reliable provisional responses and B's early dialogs.
 *
 * Lifetime: a call is a su_home; it holds a reference to the snapshot it
 * began under, both nta legs and the transactions in progress.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>

#include "call_decide.h"
#include "call_priv.h"
#include "hdrmap.h"
#include "log.h"
#include "stats.h"
#include "trace.h"

struct calls {
	struct call_list list;		/* calls in progress */
	unsigned long active;
	unsigned long byes;		/* BYEs sipmed sent, not answered yet */
	struct stats *stats;		/* ended calls are counted there */
};

struct calls *
calls_new(struct stats *stats)
{
	struct calls *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		return NULL;
	LIST_INIT(&cs->list);
	cs->stats = stats;
	return cs;
}

void
calls_free(struct calls *cs)
{
	free(cs);
}

unsigned long
calls_active(const struct calls *cs)
{
	return cs != NULL ? cs->active : 0;
}

unsigned long
calls_byes_pending(const struct calls *cs)
{
	return cs != NULL ? cs->byes : 0;
}

unsigned long
calls_total(const struct calls *cs)
{
	return cs != NULL ? cs->active + stats_calls_ended(cs->stats) : 0;
}

const struct dtrace *
call_steps(const struct call *call)
{
	return call->traced ? &call->dtrace : NULL;
}

/* The trunk a call's statistics count under: its gateway side. */
static const char *
pstn_trunk(const struct call *call)
{
	const struct trunk *t = call->leg[SIDE_A].trunk;

	if (t == NULL)
		t = call->leg[SIDE_B].trunk;
	return t != NULL ? t->name : NULL;
}

const char *
call_direction(const struct call *call)
{
	if (call->direction != NULL)
		return call->direction;	/* as it began: a transfer changes the legs */
	return call->leg[SIDE_A].trunk != NULL ? "inbound" : call->nchoices > 0 ? "outbound" :
	    "internal";
}

struct call *
call_new(struct server *srv, const sip_t *sip)
{
	struct call *call = su_home_new(sizeof(*call));

	if (call == NULL)
		return NULL;
	call->srv = srv;
	call->calls = srv->calls;
	call->conf = conf_ref(srv->conf);
	call->id = su_strdup(call->home, sip->sip_call_id->i_id);
	call->leg[SIDE_A].call_id = call->id;
	call->state = CALL_RINGING;
	call->media_relay = -1;
	call->media_offerer = -1;
	LIST_INIT(&call->relays);
	LIST_INIT(&call->forks);
	LIST_INIT(&call->pracks);
	call->a_100rel = sip_has_feature(sip->sip_supported, "100rel") ||
	    sip_has_feature(sip->sip_require, "100rel");
	LIST_INSERT_HEAD(&call->calls->list, call, entry);
	call->calls->active++;
	call->started = time(NULL);
	clock_gettime(CLOCK_REALTIME, &call->received);
	return call;
}

void
call_leg_release(struct call *call, enum call_side side)
{
	struct call_leg *l = &call->leg[side];

	if (l->admitted)
		peers_call_done(call->srv->peers, &l->peer);
	l->admitted = false;
}

/* Everything a call holds, released: the call is over (CALL_ENDED). */
static void
call_free(struct call *call, const char *why)
{
	call_cdr(call);
	dtrace_step(call_steps(call), "call ended: %s", why);
	trace_leg_end(call->srv->trace, call->id);
	trace_leg_end(call->srv->trace, call->leg[SIDE_B].call_id);
	stats_call_done(call->calls->stats, call_direction(call), pstn_trunk(call),
	    call->final_status);
	call_transfer_drop(call);
	call_media_end(call);
	call_relays_abort(call);
	su_timer_destroy(call->invite_timer);
	su_timer_destroy(call->failover_timer);
	su_timer_destroy(call->ack_timer);
	if (call->b_invite != NULL)
		nta_outgoing_destroy(call->b_invite);
	call_pracks_drop(call);
	if (call->a_invite != NULL)
		nta_incoming_destroy(call->a_invite);
	call_forks_free(call);
	call_acks_drop(call);
	for (int i = 0; i < 2; i++) {
		if (call->leg[i].dialog != NULL)
			nta_leg_destroy(call->leg[i].dialog);
		call_leg_release(call, (enum call_side)i);
	}
	LIST_REMOVE(call, entry);
	call->calls->active--;
	conf_unref(call->conf);
	su_home_unref(call->home);
}

static const char *const state_names[] = {
	[CALL_RINGING] = "ringing",
	[CALL_CLEARING] = "clearing",
	[CALL_ANSWERED] = "answered",
	[CALL_UP] = "up",
	[CALL_ENDING] = "ending",
	[CALL_ENDED] = "ended",
};

/* The transitions call_priv.h draws, and nothing else. */
static bool
transition_ok(enum call_state from, enum call_state to)
{
	switch (to) {
	case CALL_CLEARING:
	case CALL_ANSWERED:
		return from == CALL_RINGING;
	case CALL_ENDING:
		return from == CALL_RINGING || from == CALL_CLEARING;
	case CALL_UP:
		return from == CALL_ANSWERED;
	case CALL_ENDED:
		return from != CALL_ENDED;
	case CALL_RINGING:
		break;
	}
	return false;
}

void
call_set_state(struct call *call, enum call_state to, const char *why)
{
	if (!transition_ok(call->state, to)) {
		log_warnx("call %s: no transition from %s to %s (%s): a bug", call->id,
		    state_names[call->state], state_names[to], why);
		if (to != CALL_ENDED)
			return;
	}
	log_debug("call %s: %s -> %s: %s", call->id, state_names[call->state],
	    state_names[to], why);
	if (call->state == CALL_RINGING) {
		/* A's INVITE has its answer, or the call is over: no more waiting */
		if (call->invite_timer != NULL)
			su_timer_reset(call->invite_timer);
		if (call->failover_timer != NULL)
			su_timer_reset(call->failover_timer);
	}
	call->state = to;
	if (to == CALL_ENDED) {
		call_b_acked(call, NULL);	/* every 2xx sipmed receives is ACKed */
		call_free(call, why);
	}
}

void
call_blame(struct call *call, enum call_ender who, const char *why)
{
	if (call->blamed)
		return;
	call->blamed = true;
	call->ender = who;
	call->end_why = why;
}

void
call_end(struct call *call, enum call_ender who, const char *why)
{
	call_blame(call, who, why);
	call_set_state(call, CALL_ENDED, call->end_why);
}

void
call_answer_caller(struct call *call, int status, const sip_t *sip)
{
	if (call_caller_answered(call))
		return;
	call->final_status = status;
	if (status < 300)
		dtrace_step(call_steps(call), "outcome: answered (%d)", status);
	else
		dtrace_step(call_steps(call), "outcome: the caller gets %d %s", status,
		    decide_reason((unsigned)status));
	if (call->a_invite != NULL && nta_incoming_status(call->a_invite) < 200) {
		if (sip != NULL)
			call_answer_a(call, sip, status, 0);
		else
			nta_incoming_treply(call->a_invite, status, NULL, TAG_END());
	}
	/* else nta answered A itself: a transport failure, or no PRACK */
	if (status < 300)
		clock_gettime(CLOCK_REALTIME, &call->answered);
	if (call->state == CALL_RINGING)
		call_set_state(call, status < 300 ? CALL_ANSWERED : CALL_CLEARING,
		    status < 300 ? "answered" : "the caller has its answer");
}

void
call_b_acked(struct call *call, const sip_t *ack)
{
	if (call->state != CALL_ANSWERED || call->b_invite == NULL)
		return;		/* no 2xx yet, or ACKed already */
	/* the ACK takes over B's 2xx retransmissions from the INVITE */
	call_relay_ack(call, SIDE_B, ack);
	nta_outgoing_destroy(call->b_invite);
	call->b_invite = NULL;
	call_pracks_drop(call);
	if (call->a_invite != NULL)
		nta_incoming_destroy(call->a_invite);
	call->a_invite = NULL;
	call_set_state(call, CALL_UP, ack != NULL ? "the caller ACKed" : "B's 2xx ACKed");
	call_media_supervise(call);
}

int
call_orq_done(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	if (nta_outgoing_status(orq) >= 200)
		nta_outgoing_destroy(orq);
	return 0;
}

/* A BYE's answer: counted, so that a stopping sipmed waits for it. */
static int
bye_done(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct calls *cs = (struct calls *)magic;

	if (nta_outgoing_status(orq) < 200)
		return 0;
	if (cs->byes > 0)
		cs->byes--;
	nta_outgoing_destroy(orq);
	return 0;
}

void
call_bye(struct call *call, enum call_side side, const char *reason)
{
	struct calls *cs = call->srv->calls;

	call_b_acked(call, NULL);	/* B's 2xx is ACKed before any BYE */
	if (nta_outgoing_tcreate(call->leg[side].dialog, bye_done, (nta_outgoing_magic_t *)cs,
	    NULL, SIP_METHOD_BYE, NULL, SIPTAG_REASON_STR(reason),
	    TPTAG_IDENT(call->leg[side].peer.listen), TAG_END()) != NULL)
		cs->byes++;
}

sip_max_forwards_t *
call_max_forwards(su_home_t *home, const sip_t *sip)
{
	unsigned long mf = sip->sip_max_forwards ? sip->sip_max_forwards->mf_count : 70;
	char buf[24];

	/* The caller refused 0 already; nta itself never decrements. */
	snprintf(buf, sizeof(buf), "%lu", mf > 0 ? mf - 1 : 0);
	return sip_max_forwards_make(home, buf);
}

unsigned
call_hdr_flags(const struct conf *c, const struct trunk *from, const struct trunk *to)
{
	unsigned f = 0;

	/* PAI: believed from the sender, and wanted by a receiving trunk */
	if (call_trusts_pai(c, from) && (to == NULL || to->forward_pai))
		f |= HDRMAP_TRUST_PAI;
	if (to == NULL || to->forward_call_history)
		f |= HDRMAP_CALL_HISTORY;
	return f;
}

void
call_answer_a(struct call *call, const sip_t *sip, int status, unsigned flags)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4];
	const struct conf_server *sv = &call->conf->server;
	bool same = status == sip->sip_status->st_status;

	hdrmap_tags(home, sip, call->leg[SIDE_B].hdr_flags | flags, tags);
	if (status < 300)	/* an 18x leaves the offer open */
		(void)call_media_body(call, SIDE_B, sip, status >= 200, home, tags);
	nta_incoming_treply(call->a_invite, status,
	    same ? sip->sip_status->st_phrase : decide_reason((unsigned)status),
	    SIPTAG_CONTACT(call->leg[SIDE_A].contact),
	    TAG_IF(sv->user_agent, SIPTAG_SERVER_STR(sv->user_agent)), TAG_NEXT(tags));
	su_home_deinit(home);
}

bool
call_request_forged(struct server *srv, msg_t *msg, const sip_t *sip)
{
	const char *id = sip->sip_call_id->i_id;
	nta_leg_t *leg = nta_leg_by_call_id(srv->agent, id);
	struct call *call = NULL;
	const struct peer *holder = NULL;
	enum call_side side;
	struct peer who;

	if (leg != NULL && (call = (struct call *)nta_leg_magic(leg, call_leg_request)) == NULL &&
	    (call = (struct call *)nta_leg_magic(leg, call_fork_request)) == NULL)
		call = call_transfer_of_leg(leg, &holder);	/* a transfer's new party */
	if (call == NULL)
		return false;
	/* (a transfer may have given the A leg a new Call-ID: not call->id) */
	side = strcmp(call->leg[SIDE_A].call_id, id) == 0 ? SIDE_A : SIDE_B;
	if (holder == NULL)
		holder = &call->leg[side].peer;
	if (peer_sent(srv->peers, msg, holder, &who))
		return false;
	log_warnx("call %s: %s in the %c leg from %s, which does not hold it (%s over %s): "
	    "refused", call->id, sip->sip_request->rq_method_name, side == SIDE_A ? 'A' : 'B',
	    who.who, holder->who, holder->proto);
	dtrace_step(call_steps(call), "%s from %s refused with 403: not the peer of the %c leg",
	    sip->sip_request->rq_method_name, who.who, side == SIDE_A ? 'A' : 'B');
	stats_add(srv->stats, STATS_UNKNOWN_PEERS, "in-dialog request refused (403)");
	return true;
}

#define REASON_SHUTDOWN "SIP;cause=503;text=\"sipmed is stopping\""

void
call_destroy_all(struct calls *cs)
{
	while (!LIST_EMPTY(&cs->list)) {
		struct call *call = LIST_FIRST(&cs->list);

		if (call_is_up(call)) {
			call_bye(call, SIDE_A, REASON_SHUTDOWN);
			call_bye(call, SIDE_B, REASON_SHUTDOWN);
		} else if (call->b_invite != NULL) {
			nta_outgoing_cancel(call->b_invite);
		}
		call_answer_caller(call, 503, NULL);
		call_end(call, ENDER_SIPMED, "sipmed is stopping");
	}
}

/* What sipmedctl calls shows: ringing, up or ending. */
static const char *
state_shown(const struct call *call)
{
	switch (call->state) {
	case CALL_RINGING: return "ringing";
	case CALL_ANSWERED:
	case CALL_UP: return "up";
	default: return "ending";
	}
}

/* "trunk "NAME"" or "the pool" */
static void
side_name(const struct trunk *t, char *buf, size_t len)
{
	if (t != NULL)
		snprintf(buf, len, "trunk \"%s\"", t->name);
	else
		snprintf(buf, len, "the pool");
}

void
call_write_all(const struct calls *cs, FILE *f)
{
	const struct call *call;
	time_t now = time(NULL);
	char a[160], b[160];

	fprintf(f, "%lu call%s active\n", cs->active, cs->active == 1 ? "" : "s");
	LIST_FOREACH(call, &cs->list, entry) {
		const struct call_leg *bl = &call->leg[SIDE_B];

		side_name(call->leg[SIDE_A].trunk, a, sizeof(a));
		side_name(bl->trunk, b, sizeof(b));
		fprintf(f, "call %s: %s, %lds%s\n", call->id, state_shown(call),
		    (long)(now - call->started), call->traced ? ", traced" : "");
		fprintf(f, "  A leg: from %s, called %s, calling %s\n", a, call->a_called,
		    call->a_calling[0] ? call->a_calling : "(none)");
		fprintf(f, "  B leg: to %s, %s, Call-ID %s", b, call->b_uri ? call->b_uri : "-",
		    bl->call_id ? bl->call_id : "-");
		if (call->nchoices > 1)
			fprintf(f, ", trunk %zu of %zu", call->attempt + 1, call->nchoices);
		fprintf(f, "\n");
		call_media_write(call, f);
	}
}
