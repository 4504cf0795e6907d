/*
 * call_relay: requests inside a dialog (BYE, re-INVITE, UPDATE, INFO,
 * OPTIONS, REFER, NOTIFY and ACK) arriving on one leg are sent on the
 * other leg as sipmed's own request, and the answer is relayed back; so
 * is A's PRACK, which nta hands to call_100rel.c. A relay lives from the
 * request to its final response.
 *
 * REFER from the pool toward a trunk whose refer_support is off (Lync's
 * EnableReferSupport) is sipmed's to perform (call_transfer.c); from a
 * trunk, it is answered 603. A relayed REFER's NOTIFYs get the
 * CSeq its sender used back in their "Event: refer;id=". A method sipmed
 * does not take (SUBSCRIBE, MESSAGE...) gets 405 with sipmed's Allow.
 * Who may send in a dialog is checked before nta sees the request
 * (call_request_forged(), called by the server's receive filter). A request the other leg cannot
 * take (a transport failure, answered 408 or 503 by nta itself) tears the
 * call down: BYE on the leg that still works.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>

#include "call_priv.h"
#include "hdrmap.h"
#include "log.h"

struct relay {
	LIST_ENTRY(relay) entry;	/* in call->relays */
	struct call *call;
	enum call_side from;		/* the side that sent the request */
	nta_incoming_t *irq;
	nta_outgoing_t *orq;
	sip_method_t method;
};

static void
relay_free(struct relay *r)
{
	if (r->orq != NULL)
		nta_outgoing_destroy(r->orq);
	if (r->irq != NULL)
		nta_incoming_destroy(r->irq);
	LIST_REMOVE(r, entry);
	su_free(r->call->home, r);
}

void
call_relays_abort(struct call *call)
{
	while (!LIST_EMPTY(&call->relays)) {
		struct relay *r = LIST_FIRST(&call->relays);

		/* A pending re-INVITE overtaken by the call's end: 487 (RFC 3261 15.1.2) */
		if (r->irq != NULL && nta_incoming_status(r->irq) < 200)
			nta_incoming_treply(r->irq, r->method == sip_method_invite ? 487 : 481,
			    NULL, TAG_END());
		relay_free(r);
	}
}

/*
 * A 2xx is resent until its ACK arrives, for at most 64*T1 (RFC 3261
 * 13.3.1.4): after that no resend can come, and a kept ACK (one with a
 * body, ack_send()) is only memory.
 */
#define ACK_KEEP_MS (64 * 500)

void
call_acks_drop(struct call *call)
{
	for (int i = 0; i < 2; i++)
		if (call->leg[i].ack != NULL) {
			nta_outgoing_destroy(call->leg[i].ack);
			call->leg[i].ack = NULL;
		}
}

static void
acks_expire(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	call_acks_drop((struct call *)arg);
}

nta_outgoing_t *
call_ack_create(nta_leg_t *leg, uint32_t cseq, const char *listen, tagi_t *tags)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t none[1] = { { TAG_END() } };
	nta_outgoing_t *ack = nta_outgoing_tcreate(leg, NULL, NULL, NULL, SIP_METHOD_ACK, NULL,
	    SIPTAG_CSEQ(sip_cseq_create(home, cseq, SIP_METHOD_ACK)), TPTAG_IDENT(listen),
	    TAG_NEXT(tags != NULL ? tags : none));

	su_home_deinit(home);
	return ack;
}

/*
 * Sends ACK for the last INVITE on l with tags. One with a body (a late
 * offer's answer) is kept, and nta answers a resent 2xx with it. One
 * without is not: nta frees it at once (sipmed-ack-free.patch), as it is
 * a whole message a call for 32 s, and call_resend_ack() sends it anew
 * for a resent 2xx.
 */
static void
ack_send(struct call *call, struct call_leg *l, tagi_t *tags)
{
	bool body = false;

	for (size_t i = 0; i < 4 && tags[i].t_tag != NULL; i++)
		body |= tags[i].t_tag == siptag_payload;
	if (l->ack != NULL)
		nta_outgoing_destroy(l->ack);
	l->ack = call_ack_create(l->dialog, l->invite_cseq, l->peer.listen, tags);
	l->acked_cseq = l->invite_cseq;
	if (!body) {
		if (l->ack != NULL)
			nta_outgoing_destroy(l->ack);
		l->ack = NULL;
		return;
	}
	if (call->ack_timer == NULL)
		call->ack_timer = su_timer_create(su_root_task(call->srv->root), ACK_KEEP_MS);
	su_timer_set(call->ack_timer, acks_expire, (su_timer_arg_t *)call);
}

void
call_resend_ack(nta_agent_t *agent, const sip_t *sip)
{
	/* the leg of a response to sipmed: its To has the remote tag */
	nta_leg_t *leg = sip->sip_call_id == NULL || sip->sip_to == NULL ||
	    sip->sip_from == NULL ? NULL : nta_leg_by_dialog(agent, NULL, sip->sip_call_id,
	    sip->sip_to->a_tag, NULL, sip->sip_from->a_tag, NULL);
	struct call *call = leg != NULL ? (struct call *)nta_leg_magic(leg, call_leg_request) :
	    NULL;

	if (call == NULL || sip->sip_cseq == NULL || sip->sip_cseq->cs_method != sip_method_invite)
		return;
	for (int i = 0; i < 2; i++) {
		struct call_leg *l = &call->leg[i];
		nta_outgoing_t *ack;

		if (l->dialog != leg || l->ack != NULL || l->acked_cseq == 0 ||
		    l->acked_cseq != sip->sip_cseq->cs_seq)
			continue;
		ack = call_ack_create(leg, l->acked_cseq, l->peer.listen, NULL);
		if (ack != NULL)
			nta_outgoing_destroy(ack);
	}
}

void
call_relay_ack(struct call *call, enum call_side to, const sip_t *ack)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4];

	if (ack != NULL) {
		hdrmap_tags(home, ack, call->leg[call_other(to)].hdr_flags, tags);
		(void)call_media_body(call, call_other(to), ack, true, home, tags);
	} else {
		tags[0] = (tagi_t){ TAG_END() };
	}
	ack_send(call, &call->leg[to], tags);
	su_home_deinit(home);
}

void
call_ack_leg(struct call *call, struct call_leg *l, const sip_t *answer)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4] = { { TAG_END() }, { TAG_END() }, { TAG_END() }, { TAG_END() } };

	if (answer != NULL && answer->sip_payload != NULL && answer->sip_content_type != NULL) {
		tags[0] = (tagi_t){ SIPTAG_CONTENT_TYPE(answer->sip_content_type) };
		tags[1] = (tagi_t){ SIPTAG_PAYLOAD(answer->sip_payload) };
		/* the answer comes from the other side of a leg of the call */
		if (l == &call->leg[SIDE_A] || l == &call->leg[SIDE_B])
			(void)call_media_body(call, l == &call->leg[SIDE_A] ? SIDE_B : SIDE_A, answer,
			    true, home, tags);
	}
	ack_send(call, l, tags);
	su_home_deinit(home);
}

static bool
refreshes_target(sip_method_t m)
{
	return m == sip_method_invite || m == sip_method_update || m == sip_method_refer ||
	    m == sip_method_notify || m == sip_method_subscribe;
}

static int
relay_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct relay *r = (struct relay *)magic;
	struct call *call = r->call;
	int status = nta_outgoing_status(orq);
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4] = { { NULL, 0 } };
	enum call_side from;
	sip_method_t method;

	if (status <= 100)
		return 0;
	if (sip != NULL && status >= 200 && status < 300 && refreshes_target(r->method) &&
	    sip->sip_contact)
		nta_leg_client_reroute(call->leg[call_other(r->from)].dialog, NULL,
		    sip->sip_contact, 0);
	if (sip != NULL) {
		hdrmap_tags(home, sip, call->leg[call_other(r->from)].hdr_flags, tags);
		if (status < 300)
			(void)call_media_body(call, call_other(r->from), sip, status >= 200,
			    home, tags);
	}
	nta_incoming_treply(r->irq, status, sip ? sip->sip_status->st_phrase : NULL,
	    TAG_IF(refreshes_target(r->method), SIPTAG_CONTACT(call->leg[r->from].contact)),
	    TAG_NEXT(tags));
	su_home_deinit(home);
	if (status < 200)
		return 0;
	if (r->method == sip_method_invite && status < 300) {
		/* the re-INVITE's ACK will come from r->from: keep the irq bound */
		r->orq = NULL;
		nta_outgoing_destroy(orq);
		return 0;
	}
	from = r->from;
	method = r->method;
	relay_free(r);
	if (method == sip_method_bye) {
		call_end(call, from == SIDE_A ? ENDER_CALLER : ENDER_CALLEE,
		    from == SIDE_A ? "caller hung up" : "callee hung up");
		return 0;
	}
	if (status >= 300 && (method == sip_method_invite || method == sip_method_update))
		call_media_rejected(call);	/* the offer it carried is void */
	if ((status == 408 || status == 503) && (sip == NULL || nta_sip_is_internal(sip))) {
		/* nta's own answer: the other leg is unreachable */
		call_bye(call, from, "SIP;cause=503;text=\"The other party is unreachable\"");
		call_end(call, ENDER_SIPMED, "transport failure");
	}
	return 0;
}

/* ACK and CANCEL of a relayed re-INVITE. */
static int
relay_invite_cb(nta_incoming_magic_t *magic, nta_incoming_t *irq, const sip_t *sip)
{
	struct relay *r = (struct relay *)magic;
	struct call *call = r->call;

	if (sip == NULL || sip->sip_request == NULL)
		return 0;
	if (sip->sip_request->rq_method == sip_method_cancel) {
		if (r->orq != NULL)
			nta_outgoing_cancel(r->orq);
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		call_relay_ack(call, call_other(r->from), sip);
		relay_free(r);
	}
	return 0;
}

/* The trunk on the receiving side decides (Lync's EnableReferSupport). */
static bool
refer_unsupported(const struct call *call, enum call_side to, const sip_t *sip)
{
	return sip->sip_request->rq_method == sip_method_refer && call->leg[to].trunk != NULL &&
	    !call->leg[to].trunk->refer_support;
}

/* Remembers a REFER relayed to side to with CSeq sent (its sender's: received). */
static void
refer_remember(struct call *call, enum call_side to, uint32_t sent, uint32_t received)
{
	struct refer_sent *rs = &call->refers[call->nrefers++ % CALL_REFERS];

	rs->to = to;
	rs->sent = sent;
	rs->received = received;
}

/*
 * The Event for a NOTIFY (or a refresh SUBSCRIBE) from side from that
 * names a REFER sipmed relayed to that side by its CSeq (RFC 3515:
 * "Event: refer;id=CSEQ"): the id as the REFER's sender knows it, so that
 * the transferor finds its subscription instead of answering 481. NULL
 * when the Event names no such REFER (it then crosses as it is).
 */
static char *
refer_event(su_home_t *home, const struct call *call, enum call_side from, const sip_t *sip)
{
	const sip_event_t *o = sip->sip_event;
	const char *id = o != NULL ? msg_params_find(o->o_params, "id=") : NULL;
	unsigned n = call->nrefers < CALL_REFERS ? call->nrefers : CALL_REFERS;

	if (id == NULL || o->o_type == NULL || strcasecmp(o->o_type, "refer") != 0)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct refer_sent *rs = &call->refers[i];

		if (rs->to == from && strtoul(id, NULL, 10) == rs->sent)
			return su_sprintf(home, "refer;id=%u", rs->received);
	}
	return NULL;
}

/*
 * Sends request sip (received as irq from side from) on leg as a relay,
 * with rack when it is a PRACK. Returns the relay, or NULL after
 * answering irq 500.
 */
static struct relay *
relay_send(struct call *call, enum call_side from, nta_incoming_t *irq, const sip_t *sip,
    nta_leg_t *leg, const sip_rack_t *rack)
{
	sip_method_t m = sip->sip_request->rq_method;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct relay *r = su_zalloc(call->home, sizeof(*r));
	char *event;
	tagi_t tags[4];

	if (r == NULL) {
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		nta_incoming_destroy(irq);
		return NULL;
	}
	r->call = call;
	r->from = from;
	r->irq = irq;
	r->method = m;
	LIST_INSERT_HEAD(&call->relays, r, entry);
	event = refer_event(home, call, from, sip);
	hdrmap_tags(home, sip, call->leg[from].hdr_flags | (event ? HDRMAP_NO_EVENT : 0), tags);
	(void)call_media_body(call, from, sip, m == sip_method_prack, home, tags);
	r->orq = nta_outgoing_tcreate(leg, relay_response, (nta_outgoing_magic_t *)r,
	    NULL, m, sip->sip_request->rq_method_name, NULL,
	    TAG_IF(refreshes_target(m), SIPTAG_CONTACT(call->leg[call_other(from)].contact)),
	    TAG_IF(rack, SIPTAG_RACK(rack)), TAG_IF(event, SIPTAG_EVENT_STR(event)),
	    SIPTAG_MAX_FORWARDS(call_max_forwards(home, sip)),
	    TPTAG_IDENT(call->leg[call_other(from)].peer.listen), TAG_NEXT(tags));
	su_home_deinit(home);
	if (r->orq == NULL) {
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		relay_free(r);
		return NULL;
	}
	if (m == sip_method_refer)
		refer_remember(call, call_other(from), nta_outgoing_cseq(r->orq),
		    sip->sip_cseq->cs_seq);
	return r;
}

void
call_relay_prack(struct call *call, nta_incoming_t *irq, const sip_t *sip, nta_leg_t *leg,
    const sip_rack_t *rack)
{
	relay_send(call, SIDE_A, irq, sip, leg, rack);
}

/*
 * A BYE ends the sender's session whatever the other side answers (RFC
 * 3261 15.1.2): the sender gets its 200 at once, and the other leg a BYE
 * of sipmed's own carrying the crossing headers (Reason), which outlives
 * the call. Waiting for the other side's answer would keep the sender
 * waiting 32 s for nta's 408 when that side is gone.
 */
static void
bye_relay(struct call *call, enum call_side to, const sip_t *bye)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4];

	call_b_acked(call, NULL);	/* a BYE before A's ACK: B's 2xx still gets one */
	hdrmap_tags(home, bye, call->leg[call_other(to)].hdr_flags, tags);
	nta_outgoing_tcreate(call->leg[to].dialog, call_orq_done, NULL, NULL, SIP_METHOD_BYE, NULL,
	    SIPTAG_MAX_FORWARDS(call_max_forwards(home, bye)),
	    TPTAG_IDENT(call->leg[to].peer.listen), TAG_NEXT(tags));
	su_home_deinit(home);
}

int
call_leg_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct call *call = (struct call *)magic;
	enum call_side from = leg == call->leg[SIDE_A].dialog ? SIDE_A : SIDE_B;
	enum call_side to = call_other(from);
	sip_method_t m = sip->sip_request->rq_method;
	struct relay *r;

	if (m == sip_method_ack) {
		nta_incoming_destroy(irq);	/* ACKs are relayed by their INVITE's relay */
		return 0;
	}
	if (m == sip_method_prack)
		return 481;	/* PRACKs of sipmed's reliable 18x go to call_100rel.c */
	if (server_refuse_malformed(irq, sip))
		return 0;	/* never relayed */
	if (!hdrmap_method_allowed(sip->sip_request->rq_method_name)) {
		server_answer(irq, SIP_405_METHOD_NOT_ALLOWED, SIPTAG_ALLOW_STR(HDRMAP_ALLOW),
		    TAG_END());
		return 0;
	}
	if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0)
		return 483;
	if (!call_is_up(call) && m != sip_method_bye && m != sip_method_info &&
	    m != sip_method_update)
		return 491;	/* not before the call is up */
	if (refer_unsupported(call, to, sip))
		return call_transfer_refer(call, from, irq, sip);
	if (m == sip_method_bye && call_transfer_referrer_bye(call, from, irq))
		return 0;
	if (m == sip_method_bye && call_is_up(call)) {
		call_relays_abort(call);	/* pending requests end 487 before the BYE */
		bye_relay(call, to, sip);
		server_answer(irq, SIP_200_OK, TAG_END());	/* before the legs go */
		call_end(call, from == SIDE_A ? ENDER_CALLER : ENDER_CALLEE,
		    from == SIDE_A ? "caller hung up" : "callee hung up");
		return 0;
	}
	if (m == sip_method_bye)
		call_set_state(call, CALL_ENDING, "BYE on an early dialog");
	if (refreshes_target(m) && sip->sip_contact != NULL)
		nta_leg_server_route(leg, NULL, sip->sip_contact);	/* RFC 3261 12.2.2 */
	r = relay_send(call, from, irq, sip, call->leg[to].dialog, NULL);
	if (r != NULL && m == sip_method_invite) {
		call->leg[to].invite_cseq = nta_outgoing_cseq(r->orq);
		nta_incoming_bind(irq, relay_invite_cb, (nta_incoming_magic_t *)r);
	}
	return 0;
}
