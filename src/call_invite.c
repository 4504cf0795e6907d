/*
 * call_invite: a call's set-up. The caller's INVITE becomes a call here:
 * call processing decides where it goes (call_decide.h), the A leg is
 * answered 100 and made a dialog, and the B leg's INVITE goes to the
 * pool or to each candidate trunk in turn (failover on a failure the
 * trunk's rules let through, or on fast failover's timer). B's responses
 * come back here: provisional ones go to call_100rel.c, the final one to
 * the caller through call_answer_caller(). A's CANCEL and ACK, and the
 * INVITE timer, are handled here too.
 *
 * A transport failure is answered 503 by nta and taken like any other
 * answer; the INVITE timer is the call's own (invite_timeout() answers
 * 408).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "call_decide.h"
#include "call_priv.h"
#include "hdrmap.h"
#include "log.h"
#include "stats.h"
#include "trace.h"

static int
reject(nta_incoming_t *irq, const struct decision *d)
{
	char diag[600];

	snprintf(diag, sizeof(diag), "ms-diagnostics: %s", d->diagnostics);
	server_answer(irq, (int)d->status, d->reason,
	    TAG_IF(d->diagnostics[0], SIPTAG_HEADER_STR(diag)), TAG_END());
	return 0;
}

/*
 * A 2xx from B that A will never see: the call was cancelled or timed
 * out, or its dialog could not be made. It gets its ACK and a BYE with
 * reason on a leg of its own. (A 2xx from a second fork after the first
 * never reaches sipmed: nta sends it ACK and BYE itself in UA mode.)
 */
/* ACKs the 2xx to sipmed's INVITE on a B leg, with no body of its own. */
static void
ack_b(struct call *call, nta_leg_t *leg)
{
	nta_outgoing_t *ack = call_ack_create(leg, call->leg[SIDE_B].invite_cseq,
	    call->leg[SIDE_B].peer.listen, NULL);

	if (ack != NULL)
		nta_outgoing_destroy(ack);
}

static void
release_answer(struct call *call, const sip_t *sip, const char *reason)
{
	nta_leg_t *leg = call_b_leg_for(call, sip, NULL);

	if (leg == NULL)
		return;
	ack_b(call, leg);
	nta_outgoing_tcreate(leg, call_orq_done, NULL, NULL, SIP_METHOD_BYE, NULL,
	    SIPTAG_REASON_STR(reason), TPTAG_IDENT(call->leg[SIDE_B].peer.listen), TAG_END());
	nta_leg_destroy(leg);
	log_debug("call %s: a 2xx from %s released with ACK and BYE", call->id,
	    sip->sip_to->a_tag ? sip->sip_to->a_tag : "?");
}

/* Only PSTN calls that can fail over have the timer. */
static void
failover_timer_stop(struct call *call)
{
	if (call->failover_timer != NULL)
		su_timer_reset(call->failover_timer);
}

static bool fail_over(struct call *, int status);
static unsigned b_failure_status(const struct call *, int status, const sip_t *sip);

/*
 * Whether the B leg's answer comes from the peer sipmed called: over TLS,
 * its certificate must name the pool's or the trunk's identity.
 */
static bool
b_responder_ok(struct call *call, nta_outgoing_t *orq)
{
	struct peer_link l = conf_peer_link(call->conf, call->leg[SIDE_B].trunk);
	msg_t *msg = nta_outgoing_getresponse(orq);
	char who[320];
	bool ok = peer_answered(call->srv->peers, msg, l.address, l.identity, who, sizeof(who));

	msg_destroy(msg);
	if (!ok)
		log_warnx("call %s: the answer to %s came from %s, not from %s: refused", call->id,
		    l.address, who, l.identity);
	return ok;
}

/* The Q.850 cause of a response's Reason header; -1: none. */
static int
reason_q850(const sip_t *sip)
{
	int q850 = -1;

	for (const sip_reason_t *r = sip ? sip->sip_reason : NULL; r != NULL; r = r->re_next)
		if (r->re_protocol != NULL && strcasecmp(r->re_protocol, "Q.850") == 0 &&
		    r->re_cause != NULL)
			q850 = atoi(r->re_cause);
	return q850;
}

/* The attempt being made, for the call's record. */
static struct call_try *
this_try(struct call *call)
{
	return call->ntries > 0 ? &call->tries[call->ntries - 1] : NULL;
}

/* The attempt's final answer: for its record, and counted by peer and status. */
static void
try_answered(struct call *call, int status)
{
	struct call_try *try = this_try(call);
	char key[200];

	if (try == NULL)
		return;
	try->status = status;
	snprintf(key, sizeof(key), "%s %d", try->trunk != NULL ? try->trunk : "pool", status);
	stats_add(call->srv->stats, STATS_PEER_ANSWERS, key);
}

/* Counts, traces and records a final failure of the B leg's INVITE. */
static void
b_failed(struct call *call, int status, int translated, const sip_t *sip)
{
	const struct trunk *tk = call->leg[SIDE_B].trunk;
	try_answered(call, status);
	if (this_try(call) != NULL)
		this_try(call)->q850 = reason_q850(sip);

	if (tk != NULL && !call_caller_answered(call))
		stats_add(call->srv->stats, STATS_TRUNK_ATTEMPTS_FAILED, tk->name);
	if (sip == NULL || nta_sip_is_internal(sip))
		dtrace_step(call_steps(call), "B leg: %s could not be reached: %d",
		    tk != NULL ? tk->name : "the pool", status);
	else
		dtrace_step(call_steps(call), "B leg: %s answered %d %s%s",
		    tk != NULL ? tk->name : "the pool", status, sip->sip_status->st_phrase,
		    translated != status ? " (translated by response_code_rules)" : "");
	if (translated != status)
		dtrace_step(call_steps(call), "response code rules: %d -> %d", status, translated);
}

static int
b_invite_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call *call = (struct call *)magic;
	int status = nta_outgoing_status(orq), translated;

	if (sip != NULL && !b_responder_ok(call, orq)) {
		/* not who sipmed called: nothing of it reaches A; next trunk */
		if (status >= 200 && status < 300)
			release_answer(call, sip, "SIP;cause=403;text=\"Unexpected peer\"");
		else if (status < 200)
			nta_outgoing_cancel(orq);
		status = 503;
		sip = NULL;
	} else if (status < 200) {
		if (status > 100 && sip != NULL) {
			failover_timer_stop(call);	/* the trunk is alive */
			if (call->ringing.tv_sec == 0 && !call_caller_answered(call))
				clock_gettime(CLOCK_REALTIME, &call->ringing);
			call_provisional(call, sip);
		}
		return 0;
	}
	if (status >= 200 && status < 300 && sip != NULL) {
		/*
		 * The first 2xx makes the B dialog; nta keeps later ones from
		 * us (retransmissions, and other forks, which it releases).
		 */
		if (call_caller_answered(call)) {
			/* A has its final answer already: cancelled, or timed out */
			release_answer(call, sip, "SIP;cause=487;text=\"Request Terminated\"");
			call_end(call, ENDER_CALLER, "answered after CANCEL: B leg released");
			return 0;
		}
		if (call_b_answered(call, sip) == -1) {
			release_answer(call, sip, "SIP;cause=500;text=\"Server Internal Error\"");
			return 0;	/* another fork may still answer; else the timer */
		}
		try_answered(call, status);
		call_answer_caller(call, status, sip);
		return 0;
	}
	/* a final failure, locally generated ones (408, 503) included */
	if (sip == NULL || nta_sip_is_internal(sip))
		log_warnx("call %s: could not reach %s: %d %s", call->id,
		    conf_peer_link(call->conf, call->leg[SIDE_B].trunk).next_hop, status,
		    sip != NULL && sip->sip_status != NULL ? sip->sip_status->st_phrase : "");
	nta_outgoing_destroy(orq);
	call->b_invite = NULL;
	translated = (int)b_failure_status(call, status, sip);
	b_failed(call, status, translated, sip);
	status = translated;
	if (call->state == CALL_RINGING && call->attempt + 1 < call->nchoices &&
	    (decide_fails_over((unsigned)status) || (sip == NULL || nta_sip_is_internal(sip))) &&
	    fail_over(call, status)) {
		return 0;
	}
	call_answer_caller(call, status, sip);
	call_end(call, ENDER_CALLEE, status == 487 ? "cancelled" : "failed");
	return 0;
}

/*
 * The caller gets its final failure status before B answered (a CANCEL,
 * no PRACK, the INVITE timer), who ending the call for why: B's INVITE is
 * cancelled, and its answer ends the call (CLEARING).
 */
static void
give_up(struct call *call, enum call_ender who, const char *why, int status)
{
	call_blame(call, who, why);
	call_answer_caller(call, status, NULL);
	if (call->b_invite != NULL)
		nta_outgoing_cancel(call->b_invite);
}

/* ACK (of our 2xx) and CANCEL of the A leg's INVITE. */
static int
a_invite_cb(nta_incoming_magic_t *magic, nta_incoming_t *irq, const sip_t *sip)
{
	struct call *call = (struct call *)magic;

	if (sip == NULL && !call_caller_answered(call)) {
		/* nta gives up on the caller (no PRACK) */
		log_debug("call %s: the caller never PRACKed", call->id);
		give_up(call, ENDER_SIPMED, "the caller never PRACKed", 503);
		return 0;
	}
	if (sip == NULL && call->state == CALL_ANSWERED && call->a_invite == irq) {
		/*
		 * Our 2xx went unacknowledged for 64*T1: the session ends with a
		 * BYE (RFC 3261 13.3.1.4), and the callee, never ACKed either,
		 * gets its ACK and a BYE.
		 */
		log_debug("call %s: the caller never ACKed the answer", call->id);
		call_bye(call, SIDE_A, "SIP;cause=408;text=\"No ACK for the answer\"");
		call_bye(call, SIDE_B,
		    "SIP;cause=408;text=\"The caller did not confirm the call\"");
		call_end(call, ENDER_SIPMED, "no ACK from the caller");
		return 0;
	}
	if (sip == NULL || sip->sip_request == NULL)
		return 0;
	if (sip->sip_request->rq_method == sip_method_cancel) {
		if (call_caller_answered(call))
			return 0;
		log_debug("call %s: cancelled by the caller", call->id);
		give_up(call, ENDER_CALLER, "cancelled", 487);
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack && call->a_invite == irq)
		call_b_acked(call, sip);
	return 0;
}

/* Counts a rule's hit for sipmedctl stats. */
static void
count_rule(struct server *srv, const char *owner, const char *what, const struct rule *r)
{
	char key[400];

	if (r == NULL)
		return;
	snprintf(key, sizeof(key), "%s%s%s rule \"%s\"", owner, what[0] ? " " : "", what,
	    rule_name(r));
	stats_add(srv->stats, STATS_RULE_HITS, key);
}

static void
count_trunk_rule(struct server *srv, const struct trunk *t, const char *what,
    const struct rule *r)
{
	char owner[160];

	snprintf(owner, sizeof(owner), "trunk \"%s\"", t->name);
	count_rule(srv, owner, what, r);
}

/* The B leg's attempt: to the pool, or to the trunk being tried. */
static int
b_target(const struct call *call, struct call_attempt *t)
{
	const struct route_choice *ch = call->nchoices > 0 ? &call->choices[call->attempt] : NULL;
	struct call_caller who = { call->calling, call->private, call->asserted,
	    call->redirecting, call->behalf, call->elin };

	if (call_attempt(call->conf, ch, call->target, call->called, &who, t,
	    call_steps(call)) == -1)
		return -1;
	if (ch != NULL) {
		count_trunk_rule(call->srv, ch->trunk, "called", t->numbers.called_rule);
		count_trunk_rule(call->srv, ch->trunk, "calling", t->numbers.calling_rule);
	}
	return 0;
}

/*
 * No final answer from the B side in server.invite_timeout seconds: the
 * caller gets 408 and the B leg a CANCEL, whose 487 is then absorbed.
 */
static void
invite_timeout(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;

	if (call->state != CALL_RINGING)
		return;
	give_up(call, ENDER_SIPMED, "no final answer in invite_timeout", 408);
	log_debug("call %s: no final answer in %u s: 408 to the caller", call->id,
	    call->conf->server.invite_timeout);
}

/* A trunk's final failure as call processing sees it (reference 2.6). */
static unsigned
b_failure_status(const struct call *call, int status, const sip_t *sip)
{
	if (call->leg[SIDE_B].trunk == NULL)
		return (unsigned)status;
	return decide_response_code(call->leg[SIDE_B].trunk, (unsigned)status, reason_q850(sip));
}

static void failover_timeout(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);

/*
 * Sends the B leg's INVITE for the current attempt, built from A's INVITE
 * (sip): to the pool, or to the trunk call->choices[call->attempt].
 */
static int
b_leg_start(struct call *call, const sip_t *sip)
{
	struct server *srv = call->srv;
	const struct trunk *tk = call->nchoices > 0 ? call->choices[call->attempt].trunk : NULL;
	struct call_leg *b = &call->leg[SIDE_B];
	const struct trunk *from = call->leg[SIDE_A].trunk;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct call_attempt t;
	sip_call_id_t *cid;
	tagi_t tags[4];
	char to[600], diversion[600];

	if (b_target(call, &t) == -1)
		return -1;
	if (call->ntries < call->maxtries) {
		struct call_try *try = &call->tries[call->ntries++];

		try->trunk = tk != NULL ? tk->name : NULL;
		try->ruri = su_strdup(call->home, t.ruri);
		try->called = tk != NULL ? su_strdup(call->home, t.numbers.called) : NULL;
		try->calling = tk != NULL && t.numbers.calling[0] ?
		    su_strdup(call->home, t.numbers.calling) : NULL;
		try->q850 = -1;
	}
	b->trunk = tk;
	peer_of(call->conf, tk, &b->peer);
	b->contact = server_contact(srv, NULL, NULL, conf_peer_link(call->conf, tk));
	if (b->contact == NULL)
		return -1;
	call->leg[SIDE_A].hdr_flags = call_hdr_flags(call->conf, from, tk);
	b->hdr_flags = call_hdr_flags(call->conf, tk, from);
	snprintf(to, sizeof(to), "<%s>", t.ruri);
	/* sipmed's own Call-ID, known before anything is sent: the trace maps it */
	cid = sip_call_id_create(call->home, NULL);
	b->dialog = cid == NULL ? NULL : nta_leg_tcreate(srv->agent, call_leg_request,
	    (nta_leg_magic_t *)call, SIPTAG_CALL_ID(cid), SIPTAG_FROM_STR(t.from),
	    SIPTAG_TO_STR(to), TAG_END());
	if (b->dialog == NULL)
		return -1;
	nta_leg_tag(b->dialog, NULL);
	trace_leg_end(srv->trace, b->call_id);	/* the attempt before, if any */
	b->call_id = cid->i_id;
	call->b_uri = su_strdup(call->home, t.ruri);
	trace_leg(srv->trace, b->call_id, call->id, 'B', call->traced);
	dtrace_step(call_steps(call), "B leg: INVITE %s to %s via %s, From %s%s%s%s%s, "
	    "Call-ID %s", t.ruri, tk != NULL ? tk->name : "the pool", t.next_hop, t.from,
	    t.pai[0] ? ", P-Asserted-Identity " : "", t.pai,
	    t.diversion[0] ? ", Diversion " : "", t.diversion, b->call_id);
	snprintf(diversion, sizeof(diversion), "Diversion: %s", t.diversion);
	/* the INVITE's identity is sipmed's own (b_target), never a copy */
	hdrmap_tags(home, sip, (call->leg[SIDE_A].hdr_flags & ~HDRMAP_TRUST_PAI) |
	    (call->emergency && tk != NULL && tk->pidf_lo ? HDRMAP_LOCATION : 0), tags);
	/* anchored: a fresh offer for each attempt */
	call_media_start(call, from, tk);
	if (call_media_body(call, SIDE_A, sip, false, home, tags) == -1 && call_media_refuses(call)) {
		su_home_deinit(home);
		return -3;
	}
	call->b_invite = nta_outgoing_tcreate(b->dialog, b_invite_cb,
	    (nta_outgoing_magic_t *)call, URL_STRING_MAKE(t.next_hop), SIP_METHOD_INVITE,
	    URL_STRING_MAKE(t.ruri), SIPTAG_CONTACT(b->contact), TPTAG_IDENT(b->peer.listen),
	    TAG_IF(t.pai[0], SIPTAG_P_ASSERTED_IDENTITY_STR(t.pai)),
	    TAG_IF(t.diversion[0], SIPTAG_HEADER_STR(diversion)),
	    SIPTAG_MAX_FORWARDS(call_max_forwards(home, sip)),
	    TAG_IF(call->conf->server.user_agent,
	    SIPTAG_USER_AGENT_STR(call->conf->server.user_agent)), TAG_NEXT(tags));
	su_home_deinit(home);
	if (call->b_invite == NULL)
		return -1;
	b->invite_cseq = nta_outgoing_cseq(call->b_invite);
	if (tk != NULL && tk->fast_failover && call->attempt + 1 < call->nchoices) {
		/* EnableFastFailoverTimer: no provisional answer in time, next trunk */
		if (call->failover_timer == NULL)
			call->failover_timer = su_timer_create(su_root_task(srv->root), 0);
		su_timer_set_interval(call->failover_timer, failover_timeout,
		    (su_timer_arg_t *)call, tk->failover_timeout * 1000);
	}
	log_debug("call %s: %s -> %s via %s", call->id, t.from, t.ruri, t.next_hop);
	return 0;
}

/*
 * Starts the B leg on the first trunk, from call->attempt on, that admits
 * one more call (max_calls, max_call_rate); the pool was admitted with
 * the call. -2 when every trunk left is at its limit, -3 when no media
 * relay answered an anchored call's offer, -1 on a failure.
 */
static int
b_leg_admitted(struct call *call, const sip_t *sip)
{
	struct call_leg *b = &call->leg[SIDE_B];
	const char *why;

	for (;;) {
		const struct trunk *tk = call->nchoices > 0 ?
		    call->choices[call->attempt].trunk : NULL;
		struct peer p;

		if (tk == NULL)
			return b_leg_start(call, sip);
		peer_of(call->conf, tk, &p);
		if (call->emergency) {	/* tried whatever the trunk's limits */
			b->peer = p;
			return b_leg_start(call, sip);
		}
		if (peers_call_admit(call->srv->peers, &p, &why)) {
			int rc;

			b->peer = p;
			b->admitted = true;
			if ((rc = b_leg_start(call, sip)) == 0)
				return 0;
			call_leg_release(call, SIDE_B);
			return rc;
		}
		dtrace_step(call_steps(call), "trunk \"%s\" is at its %s: not tried", tk->name, why);
		if (call->attempt + 1 >= call->nchoices)
			return -2;
		call->attempt++;
	}
}

/*
 * The B leg failed with status (after translation) before A had a final
 * answer: the next trunk in failover order gets the call. Returns false
 * when no trunk is left that could be tried.
 */
static bool
fail_over(struct call *call, int status)
{
	msg_t *msg = nta_incoming_getrequest(call->a_invite);
	bool sent = false;

	failover_timer_stop(call);
	while (!sent && call->attempt + 1 < call->nchoices) {
		log_debug("call %s: trunk %s failed (%d): failing over", call->id,
		    call->choices[call->attempt].trunk->name, status);
		dtrace_step(call_steps(call), "failover: trunk \"%s\" failed with %d, trying "
		    "trunk \"%s\"", call->choices[call->attempt].trunk->name, status,
		    call->choices[call->attempt + 1].trunk->name);
		call_forks_free(call);
		nta_leg_destroy(call->leg[SIDE_B].dialog);
		call->leg[SIDE_B].dialog = NULL;
		call_leg_release(call, SIDE_B);
		call->attempt++;
		sent = msg != NULL && b_leg_admitted(call, sip_object(msg)) == 0;
	}
	msg_destroy(msg);
	return sent;
}

/* The trunk gave no provisional answer in its failover_timeout. */
static void
failover_timeout(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;
	const struct trunk *tk = call->leg[SIDE_B].trunk;

	if (call->state != CALL_RINGING || call->b_invite == NULL)
		return;
	/* nta CANCELs it, absorbs the 487, and releases a 2xx that crosses */
	stats_add(call->srv->stats, STATS_TRUNK_ATTEMPTS_FAILED, tk->name);
	try_answered(call, 408);	/* as if timed out: it never rang */
	dtrace_step(call_steps(call), "B leg: %s gave no provisional answer in %u s "
	    "(fast failover)", tk->name, tk->failover_timeout);
	nta_outgoing_cancel(call->b_invite);
	nta_outgoing_destroy(call->b_invite);
	call->b_invite = NULL;
	if (fail_over(call, 408))
		return;
	call_answer_caller(call, 503, NULL);
	call_end(call, ENDER_SIPMED, "no trunk left to fail over to");
}

static int
a_leg_start(struct call *call, nta_incoming_t *irq, const sip_t *sip)
{
	msg_t *msg = nta_incoming_getrequest(irq);
	struct call_leg *al = &call->leg[SIDE_A];
	nta_leg_t *a;

	al->contact = server_contact(call->srv, msg, sip, (struct peer_link){ 0 });
	msg_destroy(msg);
	if (al->contact == NULL)
		return -1;
	a = nta_leg_tcreate(call->srv->agent, call_leg_request,
	    (nta_leg_magic_t *)call, SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to),
	    SIPTAG_TO(sip->sip_from), TAG_END());
	if (a == NULL)
		return -1;
	al->dialog = a;
	nta_leg_tag(a, NULL);
	nta_incoming_tag(irq, nta_leg_get_tag(a));
	nta_leg_server_route(a, sip->sip_record_route, sip->sip_contact);
	call->a_invite = irq;
	al->invite_cseq = sip->sip_cseq->cs_seq;
	nta_incoming_bind(irq, a_invite_cb, (nta_incoming_magic_t *)call);
	return 0;
}

/*
 * Where the B leg goes, from the decision: the pool (a user's URI or an
 * unassigned range's target), or the trunks in failover order, rotated
 * and health-ordered by the server.
 */
static int
call_target(struct call *call, const struct decision *d)
{
	const struct user *u = d->callee != NULL ? d->callee : d->caller;

	call->e164 = su_strdup(call->home, d->called);
	call->user = u != NULL ? su_strdup(call->home, u->uri) : NULL;
	call->maxtries = d->kind == DECISION_PSTN && d->nchoices > 0 ? d->nchoices : 1;
	call->tries = su_zalloc(call->home, call->maxtries * sizeof(*call->tries));
	if (call->tries == NULL)
		return -1;
	if (d->kind == DECISION_PSTN) {
		call->nchoices = d->nchoices;
		call->choices = su_alloc(call->home, d->nchoices * sizeof(*call->choices));
		if (call->choices == NULL)
			return -1;
		memcpy(call->choices, d->choices, d->nchoices * sizeof(*call->choices));
		peers_order_trunks(call->srv->peers, call->choices, call->nchoices);
		call->called = su_strdup(call->home, d->called);
		call->calling = su_strdup(call->home, d->calling);
		call->behalf = d->behalf;
		if (d->behalf != BEHALF_NONE)
			call->redirecting = su_strdup(call->home, d->redirecting);
		call->emergency = d->emergency;
		if (d->emergency && d->location->elin != NULL)
			call->elin = su_strdup(call->home, d->location->elin);
	} else {
		call->target = su_strdup(call->home, d->target);
		call->calling = su_strdup(call->home,
		    d->caller != NULL ? d->caller->line.base : d->calling);
	}
	return call->calling != NULL && (call->called != NULL || call->target != NULL) ? 0 : -1;
}

/*
 * Whether the trace takes the call: its numbers before and after
 * normalization, its trunks and its Call-ID against the filter. Names the
 * A leg to the trace and writes the decision steps kept so far.
 */
static bool
trace_call_start(struct server *srv, const char *id, const struct peer *p,
    const char *called, const char *calling, const struct decision *d,
    struct trace_steps *steps)
{
	struct trace_subject s = { .call_id = id, .numbers = { called, calling, d->called,
	    d->calling } };
	bool traced;

	if (!trace_is_on(srv->trace))
		return false;
	if (p->trunk != NULL)
		s.trunks[s.ntrunks++] = p->trunk->name;
	for (size_t i = 0; i < d->nchoices && d->kind == DECISION_PSTN; i++)
		s.trunks[s.ntrunks++] = d->choices[i].trunk->name;
	traced = trace_wants(srv->trace, &s);
	trace_leg(srv->trace, id, id, 'A', traced);
	if (traced) {
		trace_decision(srv->trace, id, "INVITE from %s%s%s: %s", p->trunk ? "trunk \"" :
		    "the pool", p->trunk ? p->trunk->name : "", p->trunk ? "\"" : "", p->who);
		trace_steps_flush(srv->trace, steps, id, true);
	}
	return traced;
}

/*
 * An INVITE refused before it became a call: statistics, trace and its
 * record, with its numbers as received (NULL: not read yet) and the
 * decision (NULL: none yet).
 */
static int
refused(struct server *srv, const char *id, const struct peer *p, bool traced, int status,
    const char *reason, const char *called, const char *calling, const struct decision *d)
{
	const char *direction = p->trunk != NULL ? "inbound" : "outbound";

	call_cdr_refused(srv, id, direction, p, called, calling, d, status, reason);
	if (traced)
		trace_decision(srv->trace, id, "outcome: the caller gets %d %s", status,
		    reason != NULL ? reason : decide_reason((unsigned)status));
	trace_leg_end(srv->trace, id);
	stats_call_done(srv->stats, direction, p->trunk != NULL ? p->trunk->name : NULL, status);
	return status;
}

/*
 * Call admission control for a new call from peer p, and for the pool
 * when the call goes to it (a call to the PSTN is admitted trunk by trunk
 * as each is tried: b_leg_admitted()). When a limit refuses, p gets 503
 * with Retry-After, and false.
 */
static bool
call_admit(struct server *srv, nta_incoming_t *irq, const struct peer *p, bool to_pool,
    const char *id, bool traced)
{
	const struct peer pool = { .kind = PEER_POOL };
	const char *why;
	const struct peer *limited = NULL;

	if (!peers_call_admit(srv->peers, p, &why))
		limited = p;
	else if (to_pool && !peers_call_admit(srv->peers, &pool, &why)) {
		peers_call_done(srv->peers, p);
		limited = &pool;
	}
	if (limited == NULL)
		return true;
	log_debug("call %s: %s%s is at its %s: refused with 503", id,
	    limited->kind == PEER_POOL ? "the pool" : "trunk ",
	    limited->kind == PEER_POOL ? "" : limited->trunk->name, why);
	if (traced)
		trace_decision(srv->trace, id, "%s%s is at its %s: 503",
		    limited->kind == PEER_POOL ? "the pool" : "trunk ",
		    limited->kind == PEER_POOL ? "" : limited->trunk->name, why);
	server_answer(irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
	return false;
}

/*
 * Every emergency call is logged at notice level, whatever the log level:
 * who called, from where, what the location says, how it goes out.
 */
static void
log_emergency(const char *id, const struct peer *p, const sip_t *sip, const char *called,
    const char *calling, const struct decision *d)
{
	static const char pidf_type[] = "application/pidf+xml";
	const sip_payload_t *pl = sip->sip_payload;
	const char *geo = NULL;
	bool pidf = false;

	for (size_t i = 0; pl != NULL && i + sizeof(pidf_type) - 1 <= pl->pl_len && !pidf; i++)
		pidf = strncasecmp(pl->pl_data + i, pidf_type, sizeof(pidf_type) - 1) == 0;

	for (const sip_unknown_t *h = sip->sip_unknown; h != NULL; h = h->un_next)
		if (h->un_name != NULL && strcasecmp(h->un_name, "Geolocation") == 0)
			geo = h->un_value;
	log_notice("call %s: EMERGENCY CALL to %s (dialed %s) by %s (%s) from %s: location "
	    "policy %s, ELIN %s, Geolocation %s, PIDF-LO %s; %s", id, d->called, called,
	    d->caller ? d->caller->uri : "a caller who is no user", calling, p->who,
	    d->location->name, d->location->elin ? d->location->elin : "none", geo ? geo : "none",
	    pidf ? "in the body" : "none", d->kind == DECISION_PSTN ? "routed" :
	    "no route: refused with 503");
	for (size_t i = 0; i < d->nchoices && d->kind == DECISION_PSTN; i++)
		log_notice("call %s: emergency call route \"%s\" trunk \"%s\"%s", id,
		    d->choices[i].route->name, d->choices[i].trunk->name, i == 0 ? " (first)" : "");
}

static int
notified(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	if (sip == NULL || sip->sip_status->st_status >= 200)
		nta_outgoing_destroy(orq);
	return 0;
}

/*
 * The location policy's notification URIs (users on the pool, as Lync's
 * NotificationUri) are each sent a MESSAGE saying who placed an emergency
 * call and where from.
 */
static void
notify_emergency(struct server *srv, const char *id, const char *calling,
    const struct decision *d)
{
	const struct strlist *to = &d->location->notify;
	char from[256], text[1024];

	if (to->n == 0)
		return;
	snprintf(from, sizeof(from), "<sip:sipmed@%s>", srv->conf->server.domain);
	snprintf(text, sizeof(text), "Emergency call to %s by %s (%s), location policy %s%s%s, "
	    "Call-ID %s", d->called, d->caller ? d->caller->uri : "a phone that is no user",
	    calling, d->location->name, d->location->elin ? ", ELIN " : "",
	    d->location->elin ? d->location->elin : "", id);
	for (size_t i = 0; i < to->n; i++)
		if (nta_outgoing_tcreate(srv->default_leg, notified, NULL,
		    URL_STRING_MAKE(srv->conf->pool.next_hop), SIP_METHOD_MESSAGE,
		    URL_STRING_MAKE(to->v[i]), SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to->v[i]),
		    SIPTAG_CONTENT_TYPE_STR("text/plain;charset=UTF-8"), SIPTAG_PAYLOAD_STR(text),
		    TPTAG_IDENT(srv->conf->pool.listen), TAG_END()) == NULL)
			log_warnx("call %s: could not notify %s of the emergency call", id,
			    to->v[i]);
}

static void
trace_step(void *arg, const char *line)
{
	struct call *call = (struct call *)arg;

	trace_decision(call->srv->trace, call->id, "%s", line);
}

int
call_incoming(struct server *srv, nta_incoming_t *irq, const sip_t *sip,
    const struct peer *p)
{
	const struct conf *c = srv->conf;
	const char *id = sip->sip_call_id->i_id;
	struct trace_steps steps;
	char called[CALL_CALLED_MAX], calling[CALL_CALLING_MAX], plan[160];
	struct decision d;
	struct call *call;
	bool traced;
	int rc, status;

	if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0)
		return refused(srv, id, p, false, 483, NULL, NULL, NULL, NULL);
	if (nta_leg_by_call_id(srv->agent, id) != NULL) {
		log_warnx("call %s: INVITE loops back to sipmed: refused with 482", id);
		return refused(srv, id, p, false, 482, NULL, NULL, NULL, NULL);
	}
	log_debug("call %s: INVITE from %s%s: %s", id, p->kind == PEER_POOL ? "the pool" : "trunk ",
	    p->kind == PEER_POOL ? "" : p->trunk->name, p->who);
	call_decide(c, p, sip, &d, called, calling, trace_steps_begin(srv->trace, &steps));
	traced = trace_call_start(srv, id, p, called, calling, &d, &steps);
	if (d.emergency) {
		log_emergency(id, p, sip, called, calling, &d);
		notify_emergency(srv, id, calling, &d);
	}
	/* an emergency call is taken while draining and past max_calls */
	if (!d.emergency && (srv->stopping || calls_active(srv->calls) >= c->server.max_calls)) {
		server_answer(irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("5"),
		    TAG_END());
		refused(srv, id, p, traced, 503, NULL, called, calling, &d);
		return 0;
	}
	if (d.plan != NULL) {
		snprintf(plan, sizeof(plan), "dial plan \"%s\"", d.plan->name);
		count_rule(srv, plan, "", d.rule);
	}
	if (d.kind == DECISION_REJECT) {
		log_debug("call %s: from %s refused: %u %s", id, p->who, d.status, d.reason);
		reject(irq, &d);
		refused(srv, id, p, traced, (int)d.status, d.reason, called, calling, &d);
		return 0;
	}
	if (p->kind == PEER_TRUNK && d.kind != DECISION_PSTN && peers_pool_down(srv->peers)) {
		/* the gateway can try another mediation server at once */
		log_warnx("call %s: from trunk %s: the pool is down: refused with 503", id,
		    p->trunk->name);
		if (traced)
			trace_decision(srv->trace, id, "the pool is down (OPTIONS pings)");
		server_answer(irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("30"),
		    TAG_END());
		refused(srv, id, p, traced, 503, NULL, called, calling, &d);
		return 0;
	}
	/* nor do admission limits refuse an emergency call (it is not counted) */
	if (!d.emergency && !call_admit(srv, irq, p, d.kind != DECISION_PSTN, id, traced)) {
		refused(srv, id, p, traced, 503, NULL, called, calling, &d);
		return 0;
	}
	nta_incoming_treply(irq, SIP_100_TRYING, TAG_END());
	call = call_new(srv, sip);
	if (call == NULL) {
		if (!d.emergency)
			peers_call_done(srv->peers, p);
		if (!d.emergency && d.kind != DECISION_PSTN)
			peers_call_done(srv->peers, &(struct peer){ .kind = PEER_POOL });
		return refused(srv, id, p, traced, 500, NULL, called, calling, &d);
	}
	call->leg[SIDE_A].admitted = !d.emergency;
	if (d.kind != DECISION_PSTN) {
		peer_of(c, NULL, &call->leg[SIDE_B].peer);
		call->leg[SIDE_B].admitted = true;
	}
	call->leg[SIDE_A].trunk = p->trunk;
	call->leg[SIDE_A].peer = *p;
	call->private = call_caller_private(sip);
	call->asserted = p->kind == PEER_POOL || call_trusted_pai(c, p->trunk, sip) != NULL;
	call->traced = traced;
	call->dtrace.step_f = trace_step;
	call->dtrace.arg = call;
	call->a_called = su_strdup(call->home, called);
	call->a_calling = su_strdup(call->home, calling);
	rc = call_target(call, &d) == -1 || a_leg_start(call, irq, sip) == -1 ? -1 :
	    b_leg_admitted(call, sip);
	if (rc != 0) {
		status = rc == -2 || rc == -3 ? 503 : 500;
		/* nta answers below; the irq must not call back a freed call */
		nta_incoming_bind(irq, NULL, NULL);
		call->a_invite = NULL;
		call_answer_caller(call, status, NULL);
		call_end(call, ENDER_SIPMED, rc == -2 ? "every trunk is at its admission limit" :
		    rc == -3 ? "no media relay answered" : "could not start the B leg");
		return status;
	}
	call->invite_timer = su_timer_create(su_root_task(srv->root),
	    c->server.invite_timeout * 1000);
	su_timer_set(call->invite_timer, invite_timeout, (su_timer_arg_t *)call);
	return 0;
}

