/*
 * call_100rel: reliable provisional responses (RFC 3262) end to end, and
 * the early dialogs of the B side.
 *
 * A reliable 18x from B (RSeq, Require: 100rel) is relayed to A as
 * sipmed's own reliable 18x (nta numbers its RSeq) when A offered 100rel;
 * A's PRACK, with its body, then becomes sipmed's PRACK to B, and B's
 * answer goes back to A. When A did not offer 100rel, sipmed PRACKs B
 * itself and relays the 18x unreliably, without 100rel in Require.
 *
 * nta's own 100rel support on the client side assumes one early dialog
 * per INVITE (nta_outgoing_prack() needs a tagged transaction per fork),
 * so sipmed keeps the early dialogs itself: each B fork that sends a
 * reliable 18x gets a struct fork with its last RSeq (retransmissions are
 * absorbed here) and the leg its PRACKs go on. The first one is
 * leg[SIDE_B]; later forks get legs of their own, and the 2xx makes the
 * leg of the answering fork the call's B dialog.
 */
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>

#include "call_priv.h"
#include "hdrmap.h"
#include "log.h"

/* Enough for real forking; more early dialogs are not made reliable. */
#define MAX_FORKS 8

struct fork {
	LIST_ENTRY(fork) entry;		/* in call->forks */
	char *tag;			/* B's To tag */
	nta_leg_t *leg;			/* its own leg; NULL: leg[SIDE_B] */
	uint32_t rseq;			/* the last RSeq received on it */
};

struct prack {
	LIST_ENTRY(prack) entry;	/* in call->pracks */
	struct call *call;
	nta_reliable_t *rel;		/* the reliable 18x sent to A */
	char *tag;			/* the B fork it came from */
	uint32_t rseq;			/* its RSeq on the B side */
};

static void
fork_free(struct call *call, struct fork *f)
{
	if (f->leg != NULL)
		nta_leg_destroy(f->leg);
	LIST_REMOVE(f, entry);
	su_free(call->home, f->tag);
	su_free(call->home, f);
}

void
call_forks_free(struct call *call)
{
	while (!LIST_EMPTY(&call->forks))
		fork_free(call, LIST_FIRST(&call->forks));
}

static struct fork *
fork_find(struct call *call, const char *tag)
{
	struct fork *f;

	LIST_FOREACH(f, &call->forks, entry)
		if (strcasecmp(f->tag, tag) == 0)
			return f;
	return NULL;
}

static nta_leg_t *
fork_leg(struct call *call, const struct fork *f)
{
	return f->leg != NULL ? f->leg : call->leg[SIDE_B].dialog;
}

/* Requests on a fork's own leg: that early dialog is not relayed. */
int
call_fork_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq, const sip_t *sip)
{
	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	return sip->sip_request->rq_method == sip_method_bye ? 200 : 481;
}

nta_leg_t *
call_b_leg_for(struct call *call, const sip_t *sip, nta_request_f *cb)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	nta_leg_t *leg = nta_leg_tcreate(call->srv->agent, cb, (nta_leg_magic_t *)call,
	    SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_from), SIPTAG_TO(sip->sip_to),
	    SIPTAG_CSEQ(sip_cseq_create(home, nta_leg_get_seq(call->leg[SIDE_B].dialog),
	    SIP_METHOD_INVITE)), TAG_END());

	su_home_deinit(home);
	if (leg != NULL)
		nta_leg_client_reroute(leg, sip->sip_record_route, sip->sip_contact, 1);
	return leg;
}

/* leg[SIDE_B], still without a dialog, becomes the dialog of response sip. */
static void
b_leg_take(struct call *call, const sip_t *sip)
{
	nta_leg_rtag(call->leg[SIDE_B].dialog, sip->sip_to->a_tag);
	nta_leg_client_reroute(call->leg[SIDE_B].dialog, sip->sip_record_route,
	    sip->sip_contact, 1);
}

/* The fork of a reliable response, made at its first one; NULL: too many. */
static struct fork *
fork_get(struct call *call, const sip_t *sip)
{
	const char *tag = sip->sip_to->a_tag;
	const char *rtag = nta_leg_get_rtag(call->leg[SIDE_B].dialog);
	struct fork *f = fork_find(call, tag);
	size_t n = 0;

	if (f != NULL)
		return f;
	LIST_FOREACH(f, &call->forks, entry)
		n++;
	if (n >= MAX_FORKS)
		return NULL;
	f = su_zalloc(call->home, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->tag = su_strdup(call->home, tag);
	if (rtag == NULL) {
		b_leg_take(call, sip);	/* the first early dialog is leg[SIDE_B]'s */
	} else if (strcasecmp(rtag, tag) != 0) {
		f->leg = call_b_leg_for(call, sip, call_fork_request);
		if (f->leg == NULL)
			return NULL;
	}
	LIST_INSERT_HEAD(&call->forks, f, entry);
	return f;
}

int
call_b_answered(struct call *call, const sip_t *sip)
{
	const char *tag = sip->sip_to->a_tag;
	const char *rtag = nta_leg_get_rtag(call->leg[SIDE_B].dialog);
	struct fork *f;

	if (rtag == NULL) {
		b_leg_take(call, sip);
	} else if (tag != NULL && strcasecmp(rtag, tag) != 0) {
		/* another fork answered: its dialog becomes the call's */
		nta_leg_t *leg;

		f = fork_find(call, tag);
		if (f != NULL && f->leg != NULL) {
			leg = f->leg;
			f->leg = NULL;
			nta_leg_bind(leg, call_leg_request, (nta_leg_magic_t *)call);
		} else {
			leg = call_b_leg_for(call, sip, call_leg_request);
		}
		if (leg == NULL)
			return -1;
		nta_leg_destroy(call->leg[SIDE_B].dialog);
		call->leg[SIDE_B].dialog = leg;
	}
	/* the 2xx refreshes the target; the route set is the early dialog's */
	nta_leg_client_reroute(call->leg[SIDE_B].dialog, NULL, sip->sip_contact, 0);
	call_forks_free(call);
	return 0;
}

static void
prack_free(struct prack *p)
{
	LIST_REMOVE(p, entry);
	su_free(p->call->home, p->tag);
	su_free(p->call->home, p);
}

void
call_pracks_drop(struct call *call)
{
	while (!LIST_EMPTY(&call->pracks)) {
		struct prack *p = LIST_FIRST(&call->pracks);

		nta_reliable_destroy(p->rel);
		prack_free(p);
	}
}

/* The RAck acknowledging B's reliable 18x with RSeq rseq. */
static void
rack_for(const struct call *call, uint32_t rseq, sip_rack_t *rack)
{
	sip_rack_init(rack);
	rack->ra_response = rseq;
	rack->ra_cseq = call->leg[SIDE_B].invite_cseq;
	rack->ra_method = sip_method_invite;
	rack->ra_method_name = "INVITE";
}

/* Sipmed's own PRACK to B, for a caller that does not do 100rel. */
static void
prack_b(struct call *call, nta_leg_t *leg, uint32_t rseq)
{
	sip_rack_t rack[1];
	nta_outgoing_t *orq;

	rack_for(call, rseq, rack);
	orq = nta_outgoing_tcreate(leg, call_orq_done, NULL, NULL, SIP_METHOD_PRACK, NULL,
	    SIPTAG_RACK(rack), TPTAG_IDENT(call->leg[SIDE_B].peer.listen), TAG_END());
	if (orq == NULL)
		log_warnx("call %s: could not PRACK the callee", call->id);
}

/*
 * A PRACKs a reliable 18x (prack != NULL), or the 18x is flushed by the
 * final answer or times out (prack == NULL). A's PRACK goes on to B.
 */
static int
a_prack(nta_reliable_magic_t *magic, nta_reliable_t *rel, nta_incoming_t *prack,
    const sip_t *sip)
{
	struct prack *p = (struct prack *)magic;
	struct call *call = p->call;
	const char *rtag = nta_leg_get_rtag(call->leg[SIDE_B].dialog);
	struct fork *f;
	nta_leg_t *leg = NULL;
	sip_rack_t rack[1];

	nta_reliable_destroy(rel);
	if (prack == NULL || sip == NULL) {
		prack_free(p);
		return 200;
	}
	f = fork_find(call, p->tag);
	if (f != NULL)
		leg = fork_leg(call, f);
	else if (rtag != NULL && strcasecmp(rtag, p->tag) == 0)
		leg = call->leg[SIDE_B].dialog;	/* it answered meanwhile */
	rack_for(call, p->rseq, rack);
	prack_free(p);
	if (leg == NULL)
		return 200;	/* that fork is gone: nothing left to acknowledge */
	call_relay_prack(call, prack, sip, leg, rack);
	return 0;
}

/* Relays a reliable 18x to A reliably, or PRACKs it here. */
static void
reliable(struct call *call, const sip_t *sip)
{
	struct fork *f = fork_get(call, sip);
	uint32_t rseq = sip->sip_rseq->rs_response;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4];
	struct prack *p;

	if (f == NULL) {
		call_answer_a(call, sip, sip->sip_status->st_status, HDRMAP_NO_100REL);
		return;
	}
	if (f->rseq != 0 && rseq <= f->rseq)
		return;		/* a retransmission: our PRACK is on its way */
	f->rseq = rseq;
	p = call->a_100rel ? su_zalloc(call->home, sizeof(*p)) : NULL;
	if (p == NULL) {
		prack_b(call, fork_leg(call, f), rseq);
		call_answer_a(call, sip, sip->sip_status->st_status, HDRMAP_NO_100REL);
		return;
	}
	p->call = call;
	p->tag = su_strdup(call->home, f->tag);
	p->rseq = rseq;
	hdrmap_tags(home, sip, call->leg[SIDE_B].hdr_flags, tags);
	(void)call_media_body(call, SIDE_B, sip, false, home, tags);
	p->rel = nta_reliable_treply(call->a_invite, a_prack, (nta_reliable_magic_t *)p,
	    sip->sip_status->st_status, sip->sip_status->st_phrase,
	    SIPTAG_CONTACT(call->leg[SIDE_A].contact), TAG_IF(call->conf->server.user_agent,
	    SIPTAG_SERVER_STR(call->conf->server.user_agent)), TAG_NEXT(tags));
	su_home_deinit(home);
	if (p->rel == NULL) {
		su_free(call->home, p->tag);
		su_free(call->home, p);
		prack_b(call, fork_leg(call, f), rseq);
		call_answer_a(call, sip, sip->sip_status->st_status, HDRMAP_NO_100REL);
		return;
	}
	LIST_INSERT_HEAD(&call->pracks, p, entry);
}

void
call_provisional(struct call *call, const sip_t *sip)
{
	if (call_caller_answered(call) || call->a_invite == NULL)
		return;
	if (sip->sip_rseq != NULL && sip->sip_to->a_tag != NULL &&
	    sip_has_feature(sip->sip_require, "100rel"))
		reliable(call, sip);
	else
		call_answer_a(call, sip, sip->sip_status->st_status, 0);
}
