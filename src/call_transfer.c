/*
 * call_transfer: transfers sipmed performs itself. A REFER from the pool
 * on a call whose other side is a trunk that takes none (refer_support
 * off: Lync's EnableReferSupport) is not relayed: sipmed
 *
 * 1. decides the call to the Refer-To target as the transferring user's
 *    (call_decide_transfer(): a number goes by their dial plan and voice
 *    policy, out through the trunks or, when a user has it, to the pool;
 *    any other URI to the pool), and answers the REFER 202, or with the
 *    refusal;
 * 2. places that call, presenting the transferred party, with
 *    Referred-By (and the Replaces of an attended transfer), and tells
 *    the referrer how it goes with NOTIFYs (message/sipfrag, RFC 3515):
 *    100, the first 18x, then the final status;
 * 3. joins the trunk's leg to the new party once it answers, as RFC 3725
 *    flow I does: the new party is invited without an offer, its offer
 *    goes to the trunk in a re-INVITE, the trunk's answer back to it in
 *    the ACK;
 * 4. ends the referrer's leg: the new party's leg takes its place in the
 *    call.
 *
 * A transfer that fails (refused, busy, no answer in invite_timeout, the
 * trunk refusing the re-INVITE) leaves the call as it was, the referrer
 * told the final status. A referrer that hangs up once it has its 202
 * (as RFC 5589 lets a transferor do) is answered 200 and the transfer
 * goes on; if it then fails, the trunk's leg is ended too.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "call_decide.h"
#include "call_priv.h"
#include "log.h"
#include "stats.h"
#include "trace.h"

struct transfer {
	struct call *call;
	enum call_side referrer;	/* the pool's side: it sent the REFER */
	enum call_side kept;		/* the trunk's side: it stays */
	uint32_t refer_id;		/* the REFER's CSeq (Event: refer;id=) */
	struct decision d;		/* where the new call goes */
	size_t attempt;			/* of d.choices, when it goes to trunks */
	struct call_caller who;		/* whom the new call presents */
	char *target;			/* the Refer-To URI, without headers */
	char *referred_by;		/* Referred-By of the new call */
	char *replaces;			/* Replaces of the new call, or NULL */
	struct call_leg leg;		/* the new party's, until it joins */
	nta_outgoing_t *invite;		/* to the new party */
	nta_outgoing_t *reinvite;	/* to the kept side, with its offer */
	su_timer_t *timer;		/* no final answer in invite_timeout */
	bool timed_out;
	bool answered;			/* the new party's 2xx came */
};

#define REASON_TRANSFERRED "SIP;cause=200;text=\"Call transferred\""
#define REASON_FAILED "SIP;cause=480;text=\"The transfer failed\""

/*
 * The referrer's NOTIFYs (RFC 3515), one at a time: a newer status waits
 * for the answer to the one before (over UDP two could overtake each
 * other, and some user agents take them only in turn; one waiting is
 * replaced by a newer). The call keeps it, as the final one may still be
 * on its way when the transfer is over. After a join it also holds the
 * referrer's leg, retired: that leg gets its BYE once the final NOTIFY
 * is answered, since a BYE sent at once could overtake it.
 */
struct notifier {
	struct call *call;
	nta_leg_t *leg;			/* the referrer's dialog */
	bool retired;			/* no longer the call's: ours to end */
	bool gone;			/* the referrer hung up: nothing more */
	const char *listen;		/* its peer's listener */
	const sip_contact_t *contact;	/* sipmed's Contact on it (the server's) */
	uint32_t refer_id;		/* the REFER's CSeq (Event: refer;id=) */
	nta_outgoing_t *orq;		/* the NOTIFY awaiting its answer */
	int last;			/* the last status sent or waiting */
	bool final_sent;
	int next;			/* the one waiting; 0: none */
	bool next_final;
	char next_phrase[64];
};

static void notifier_send(struct notifier *, int status, const char *phrase, bool final);

/* Lets go of the notifier; a retired leg still there gets its BYE. */
static void
notifier_free(struct notifier *n)
{
	if (n->orq != NULL)
		nta_outgoing_destroy(n->orq);
	if (n->retired && n->leg != NULL) {
		nta_outgoing_tcreate(n->leg, call_orq_done, NULL, NULL, SIP_METHOD_BYE, NULL,
		    SIPTAG_REASON_STR(REASON_TRANSFERRED), TPTAG_IDENT(n->listen), TAG_END());
		nta_leg_destroy(n->leg);
	}
	if (n->call->notifier == n)
		n->call->notifier = NULL;
	su_free(n->call->home, n);
}

static int
notifier_answered(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct notifier *n = (struct notifier *)magic;

	(void)sip;
	if (nta_outgoing_status(orq) < 200)
		return 0;
	nta_outgoing_destroy(orq);
	n->orq = NULL;
	if (n->next != 0 && !n->gone) {
		int next = n->next;

		n->next = 0;
		notifier_send(n, next, n->next_phrase[0] ? n->next_phrase : NULL, n->next_final);
	} else if (n->final_sent) {
		notifier_free(n);	/* a retired leg gets its BYE now */
	}
	return 0;
}

static void
notifier_send(struct notifier *n, int status, const char *phrase, bool final)
{
	char frag[160], event[40];

	snprintf(frag, sizeof(frag), "SIP/2.0 %d %s\r\n", status,
	    phrase != NULL ? phrase : decide_reason((unsigned)status));
	snprintf(event, sizeof(event), "refer;id=%u", n->refer_id);
	n->final_sent = final;
	n->orq = nta_outgoing_tcreate(n->leg, notifier_answered, (nta_outgoing_magic_t *)n, NULL,
	    SIP_METHOD_NOTIFY, NULL, SIPTAG_EVENT_STR(event), SIPTAG_SUBSCRIPTION_STATE_STR(final ?
	    "terminated;reason=noresource" : "active;expires=60"),
	    SIPTAG_CONTACT(n->contact), SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
	    SIPTAG_PAYLOAD_STR(frag), TPTAG_IDENT(n->listen), TAG_END());
	if (n->orq == NULL && final)
		notifier_free(n);
}

/* Tells the referrer of call how its REFER goes: status, final or not. */
static void
transfer_notify(struct call *call, int status, const char *phrase, bool final)
{
	struct notifier *n = call->notifier;

	if (n == NULL || n->gone || n->final_sent || (n->next != 0 && n->next_final) ||
	    status == n->last)
		return;
	n->last = status;
	if (n->orq == NULL) {
		notifier_send(n, status, phrase, final);
		return;
	}
	n->next = status;
	n->next_final = final;
	snprintf(n->next_phrase, sizeof(n->next_phrase), "%s", phrase ? phrase : "");
}

/* The retired leg: the referrer may hang up itself (its BYE crossed ours). */
static int
retired_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct notifier *n = (struct notifier *)magic;

	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	if (sip->sip_request->rq_method != sip_method_bye)
		return 481;
	server_answer(irq, SIP_200_OK, TAG_END());
	nta_leg_destroy(leg);
	n->leg = NULL;
	n->gone = true;
	if (n->orq == NULL)
		notifier_free(n);
	return 0;
}

/* Lets go of the new party's leg and transactions (not joined). */
static void
transfer_release(struct transfer *t)
{
	struct call *call = t->call;

	su_timer_destroy(t->timer);
	t->timer = NULL;
	if (t->invite != NULL) {
		/* nta CANCELs it, absorbs the 487, and releases a 2xx that crosses */
		if (nta_outgoing_status(t->invite) < 200)
			nta_outgoing_cancel(t->invite);
		nta_outgoing_destroy(t->invite);
		t->invite = NULL;
	}
	if (t->reinvite != NULL) {
		nta_outgoing_destroy(t->reinvite);
		t->reinvite = NULL;
	}
	if (t->leg.ack != NULL)
		nta_outgoing_destroy(t->leg.ack);
	t->leg.ack = NULL;
	if (t->leg.dialog != NULL) {
		if (t->answered)
			nta_outgoing_tcreate(t->leg.dialog, call_orq_done, NULL, NULL,
			    SIP_METHOD_BYE, NULL, SIPTAG_REASON_STR(REASON_FAILED),
			    TPTAG_IDENT(t->leg.peer.listen), TAG_END());
		nta_leg_destroy(t->leg.dialog);
		t->leg.dialog = NULL;
		trace_leg_end(call->srv->trace, t->leg.call_id);
	}
	if (t->leg.admitted)
		peers_call_done(call->srv->peers, &t->leg.peer);
	t->leg.admitted = false;
	t->answered = false;
}

/* The transfer is over (joined or failed): the call goes on without it. */
static void
transfer_free(struct transfer *t)
{
	transfer_release(t);
	t->call->transfer = NULL;
	su_free(t->call->home, t);
}

/*
 * The transfer failed with status: the referrer is told, and the call
 * stays as it was; if the referrer has hung up, nobody is left to talk
 * to the trunk's party, and the call ends.
 */
static void
transfer_fail(struct transfer *t, int status, const char *phrase)
{
	struct call *call = t->call;
	bool gone = call->notifier != NULL && call->notifier->gone;
	enum call_side kept = t->kept;

	log_info("call %s: transfer to %s failed: %d", call->id, t->target, status);
	dtrace_step(call_steps(call), "transfer to %s failed with %d: the call stays as it was",
	    t->target, status);
	stats_add(call->srv->stats, STATS_TRANSFERS, "failed");
	transfer_notify(call, status, phrase, true);
	transfer_free(t);
	if (gone) {
		call_bye(call, kept, REASON_FAILED);
		call_end(call, ENDER_CALLEE, "transfer failed after the referrer hung up");
	}
}

static int transfer_invite_cb(nta_outgoing_magic_t *, nta_outgoing_t *, const sip_t *);
static int transfer_leg_request(nta_leg_magic_t *, nta_leg_t *, nta_incoming_t *,
    const sip_t *);

static void
transfer_timeout(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct transfer *t = (struct transfer *)arg;

	(void)magic;
	(void)timer;
	t->timed_out = true;
	if (t->invite != NULL && nta_outgoing_status(t->invite) < 200)
		nta_outgoing_cancel(t->invite);	/* its 487 ends the attempt */
}

/*
 * Places the new call: to the pool, or on trunk choice t->attempt (after
 * admission). Returns 0, or the status the transfer fails with.
 */
static int
transfer_place(struct transfer *t)
{
	struct call *call = t->call;
	struct server *srv = call->srv;
	const struct route_choice *ch = t->d.kind == DECISION_PSTN ?
	    &t->d.choices[t->attempt] : NULL;
	const struct trunk *tk = ch != NULL ? ch->trunk : NULL;
	const char *target = t->d.target != NULL ? t->d.target : t->target;
	const char *why;
	struct call_attempt a;
	sip_call_id_t *cid;
	char to[600], diversion[600];

	if (call_attempt(call->conf, ch, target, t->d.called, &t->who, &a, call_steps(call)) == -1)
		return 500;
	memset(&t->leg, 0, sizeof(t->leg));
	peer_of(call->conf, tk, &t->leg.peer);
	if (tk != NULL && !t->d.emergency) {	/* an emergency call: whatever the limits */
		if (!peers_call_admit(srv->peers, &t->leg.peer, &why)) {
			dtrace_step(call_steps(call), "transfer: trunk \"%s\" is at its %s", tk->name,
			    why);
			return 503;
		}
		t->leg.admitted = true;
	}
	t->leg.trunk = tk;
	t->leg.contact = server_contact(srv, NULL, NULL, conf_peer_link(call->conf, tk));
	snprintf(to, sizeof(to), "<%s>", a.ruri);
	snprintf(diversion, sizeof(diversion), "Diversion: %s", a.diversion);
	cid = sip_call_id_create(call->home, NULL);
	t->leg.dialog = t->leg.contact == NULL || cid == NULL ? NULL :
	    nta_leg_tcreate(srv->agent, transfer_leg_request, (nta_leg_magic_t *)t,
	    SIPTAG_CALL_ID(cid), SIPTAG_FROM_STR(a.from), SIPTAG_TO_STR(to), TAG_END());
	if (t->leg.dialog == NULL)
		return 500;
	nta_leg_tag(t->leg.dialog, NULL);
	t->leg.call_id = cid->i_id;
	trace_leg(srv->trace, t->leg.call_id, call->id, t->referrer == SIDE_A ? 'A' : 'B',
	    call->traced);
	dtrace_step(call_steps(call), "transfer: INVITE %s to %s via %s, From %s, Referred-By "
	    "%s%s%s, no offer (the new party offers), Call-ID %s", a.ruri,
	    tk != NULL ? tk->name : "the pool", a.next_hop, a.from, t->referred_by,
	    t->replaces ? ", Replaces " : "", t->replaces ? t->replaces : "", t->leg.call_id);
	/* no offer: the new party's goes to the trunk (RFC 3725 flow I) */
	t->invite = nta_outgoing_tcreate(t->leg.dialog, transfer_invite_cb,
	    (nta_outgoing_magic_t *)t, URL_STRING_MAKE(a.next_hop), SIP_METHOD_INVITE,
	    URL_STRING_MAKE(a.ruri), SIPTAG_CONTACT(t->leg.contact),
	    SIPTAG_REFERRED_BY_STR(t->referred_by),
	    TAG_IF(t->replaces, SIPTAG_REPLACES_STR(t->replaces)),
	    TAG_IF(a.pai[0], SIPTAG_P_ASSERTED_IDENTITY_STR(a.pai)),
	    TAG_IF(a.diversion[0], SIPTAG_HEADER_STR(diversion)),
	    TAG_IF(call->conf->server.user_agent,
	    SIPTAG_USER_AGENT_STR(call->conf->server.user_agent)),
	    TPTAG_IDENT(t->leg.peer.listen), TAG_END());
	if (t->invite == NULL)
		return 500;
	t->leg.invite_cseq = nta_outgoing_cseq(t->invite);
	if (t->timer == NULL)
		t->timer = su_timer_create(su_root_task(srv->root), 0);
	su_timer_set_interval(t->timer, transfer_timeout, (su_timer_arg_t *)t,
	    call->conf->server.invite_timeout * 1000);
	return 0;
}

/*
 * The kept side took the new party's offer: the new party's leg takes the
 * referrer's place. The referrer is told, and its leg, kept aside, is
 * ended once it has answered that NOTIFY: a BYE sent at once could
 * overtake it.
 */
static void
transfer_join(struct transfer *t, const sip_t *answer)
{
	struct call *call = t->call;
	struct call_leg old = call->leg[t->referrer];
	enum call_side r = t->referrer, k = t->kept;
	const struct trunk *kt = call->leg[k].trunk;

	call_relays_abort(call);	/* nothing in flight may name the old leg */
	call->direction = call_direction(call);	/* stats and the record keep it */
	if (call->notifier == NULL || call->notifier->gone) {
		nta_leg_destroy(old.dialog);	/* its BYE was answered */
		if (call->notifier != NULL)
			call->notifier->leg = NULL;
	} else {
		call->notifier->retired = true;
		nta_leg_bind(old.dialog, retired_request, (nta_leg_magic_t *)call->notifier);
		transfer_notify(call, 200, NULL, true);
	}
	if (r == SIDE_B)
		trace_leg_end(call->srv->trace, old.call_id);
	if (old.ack != NULL)
		nta_outgoing_destroy(old.ack);
	if (!t->leg.admitted) {
		/* the pool again: the call still counts once against it */
		t->leg.admitted = old.admitted;
		old.admitted = false;
	}
	if (old.admitted)
		peers_call_done(call->srv->peers, &old.peer);
	call->leg[r] = t->leg;
	memset(&t->leg, 0, sizeof(t->leg));
	nta_leg_bind(call->leg[r].dialog, call_leg_request, (nta_leg_magic_t *)call);
	call->leg[r].hdr_flags = call_hdr_flags(call->conf, call->leg[r].trunk, kt);
	call->leg[k].hdr_flags = call_hdr_flags(call->conf, kt, call->leg[r].trunk);
	call_relay_ack(call, k, NULL);		/* the re-INVITE's: no body */
	call_ack_leg(call, &call->leg[r], answer);	/* the new party's: the answer */
	log_info("call %s: transferred to %s (%s)", call->id, t->target,
	    call->leg[r].trunk != NULL ? call->leg[r].trunk->name : "the pool");
	dtrace_step(call_steps(call), "transfer to %s done: the %s leg is now Call-ID %s, the "
	    "referrer's leg is ended", t->target, r == SIDE_A ? "A" : "B", call->leg[r].call_id);
	stats_add(call->srv->stats, STATS_TRANSFERS, "completed");
	t->answered = false;
	transfer_free(t);
}

static int
transfer_reinvite_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct transfer *t = (struct transfer *)magic;
	int status = nta_outgoing_status(orq);

	if (status < 200)
		return 0;
	t->reinvite = NULL;
	if (status >= 300) {
		/* the trunk's party keeps its session (RFC 3261 14.1); nta ACKed */
		nta_outgoing_destroy(orq);
		call_media_rejected(t->call);	/* the offer it carried is void */
		/* the new party's 2xx still needs its ACK, then the BYE */
		call_ack_leg(t->call, &t->leg, NULL);
		transfer_fail(t, status, sip ? sip->sip_status->st_phrase : NULL);
		return 0;
	}
	transfer_join(t, sip);
	nta_outgoing_destroy(orq);
	return 0;
}

/* The new party answered with its offer: the kept side gets it. */
static void
transfer_answered(struct transfer *t, const sip_t *sip)
{
	struct call *call = t->call;
	struct call_leg *k = &call->leg[t->kept];
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4] = { { TAG_END() }, { TAG_END() }, { TAG_END() }, { TAG_END() } };

	t->answered = true;
	su_timer_reset(t->timer);
	nta_leg_rtag(t->leg.dialog, sip->sip_to->a_tag);
	nta_leg_client_reroute(t->leg.dialog, sip->sip_record_route, sip->sip_contact, 1);
	if (sip->sip_payload == NULL || sip->sip_content_type == NULL) {
		call_ack_leg(call, &t->leg, NULL);
		transfer_fail(t, 488, "No offer from the transfer target");
		return;
	}
	dtrace_step(call_steps(call), "transfer: %s answered; its offer goes to the %s leg in "
	    "a re-INVITE", t->target, t->kept == SIDE_A ? "A" : "B");
	tags[0] = (tagi_t){ SIPTAG_CONTENT_TYPE(sip->sip_content_type) };
	tags[1] = (tagi_t){ SIPTAG_PAYLOAD(sip->sip_payload) };
	/* anchored: a new offer from the referrer's side, now the new party's */
	call->media_offerer = -1;
	if (call_media_body(call, t->referrer, sip, false, home, tags) == -1) {
		su_home_deinit(home);
		call_ack_leg(call, &t->leg, NULL);
		transfer_fail(t, 503, "No media relay answered");
		return;
	}
	t->reinvite = nta_outgoing_tcreate(k->dialog, transfer_reinvite_cb,
	    (nta_outgoing_magic_t *)t, NULL, SIP_METHOD_INVITE, NULL, SIPTAG_CONTACT(k->contact),
	    TAG_IF(call->conf->server.user_agent,
	    SIPTAG_USER_AGENT_STR(call->conf->server.user_agent)),
	    TPTAG_IDENT(k->peer.listen), TAG_NEXT(tags));
	su_home_deinit(home);
	if (t->reinvite == NULL) {
		call_ack_leg(call, &t->leg, NULL);
		transfer_fail(t, 500, NULL);
		return;
	}
	k->invite_cseq = nta_outgoing_cseq(t->reinvite);
}

static int
transfer_invite_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct transfer *t = (struct transfer *)magic;
	int status = nta_outgoing_status(orq);
	const struct trunk *tk = t->leg.trunk;
	int rc;

	if (status <= 100)
		return 0;
	if (status < 200) {
		if (status >= 180)
			transfer_notify(t->call, status, sip ? sip->sip_status->st_phrase : NULL,
			    false);
		return 0;
	}
	if (status < 300) {
		if (!t->answered && sip != NULL)
			transfer_answered(t, sip);
		return 0;	/* a resent 2xx: its ACK follows the re-INVITE's answer */
	}
	t->invite = NULL;
	nta_outgoing_destroy(orq);
	if (t->timed_out)
		status = 408;
	else if (tk != NULL)
		status = (int)decide_response_code(tk, (unsigned)status, -1);
	if (tk != NULL && decide_fails_over((unsigned)status) &&
	    t->attempt + 1 < t->d.nchoices) {
		dtrace_step(call_steps(t->call), "transfer: trunk \"%s\" failed with %d, trying "
		    "trunk \"%s\"", tk->name, status, t->d.choices[t->attempt + 1].trunk->name);
		transfer_release(t);
		t->attempt++;
		if ((rc = transfer_place(t)) == 0)
			return 0;
		status = rc;
	}
	transfer_fail(t, status, t->timed_out ? NULL : sip ? sip->sip_status->st_phrase : NULL);
	return 0;
}

/* Requests from the new party before it joins: only its BYE makes sense. */
static int
transfer_leg_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct transfer *t = (struct transfer *)magic;

	(void)leg;
	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	if (sip->sip_request->rq_method != sip_method_bye)
		return 491;
	server_answer(irq, SIP_200_OK, TAG_END());
	t->answered = false;	/* it is gone: no BYE for it */
	if (t->reinvite != NULL)
		log_warnx("call %s: the transfer target hung up while the %s leg took its offer",
		    t->call->id, t->kept == SIDE_A ? "A" : "B");
	transfer_fail(t, 487, "The transfer target hung up");
	return 0;
}

/* The Replaces header an attended transfer's Refer-To carries, or NULL. */
static char *
refer_replaces(su_home_t *home, const url_t *u)
{
	const char *h = u->url_headers;

	while (h != NULL && *h != '\0') {
		size_t len = strcspn(h, "&");

		if (len > 9 && strncasecmp(h, "Replaces=", 9) == 0) {
			char *v = su_strndup(home, h + 9, len - 9);

			return v != NULL ? url_unescape(v, v) : NULL;
		}
		h += len + (h[len] == '&');
	}
	return NULL;
}

int
call_transfer_refer(struct call *call, enum call_side from, nta_incoming_t *irq,
    const sip_t *sip)
{
	const struct conf *c = call->conf;
	enum call_side kept = call_other(from);
	struct transfer *t;
	url_t *u;
	const char *user = call->user;
	struct notifier *n;
	int status;

	if (call->leg[from].trunk != NULL)
		return 603;	/* only the pool's transfers are sipmed's to perform */
	if (call->transfer != NULL)
		return 491;
	if (sip->sip_refer_to == NULL || (sip->sip_refer_to->r_url->url_type != url_sip &&
	    sip->sip_refer_to->r_url->url_type != url_sips &&
	    sip->sip_refer_to->r_url->url_type != url_tel))
		return 400;	/* a target sipmed could call */
	t = su_zalloc(call->home, sizeof(*t));
	u = url_hdup(call->home, sip->sip_refer_to->r_url);
	if (t == NULL || u == NULL)
		return 500;
	t->call = call;
	t->referrer = from;
	t->kept = kept;
	t->refer_id = sip->sip_cseq->cs_seq;
	t->replaces = refer_replaces(call->home, u);
	u->url_headers = NULL;
	t->target = url_as_string(call->home, u);
	/* who transfers: the user Referred-By names, else the call's own */
	if (sip->sip_referred_by != NULL) {
		struct user *ru = decide_party_user(c, url_as_string(call->home,
		    sip->sip_referred_by->b_url));

		if (ru != NULL)
			user = ru->uri;
	}
	t->referred_by = user != NULL ? su_sprintf(call->home, "<%s>", user) :
	    sip->sip_referred_by != NULL ? sip_header_as_string(call->home,
	    (const sip_header_t *)sip->sip_referred_by) : NULL;
	/* the trunk's party is the new call's caller */
	t->who.calling = kept == SIDE_A ? call->calling : call->called ? call->called : "";
	t->who.asserted = kept == SIDE_A && call->asserted;
	t->who.private = kept == SIDE_A && call->private;
	dtrace_step(call_steps(call), "REFER from the %s leg to %s%s, toward trunk \"%s\", "
	    "which takes no REFER (refer_support off): sipmed transfers the call itself",
	    from == SIDE_A ? "A" : "B", t->target, t->replaces ? " (attended)" : "",
	    call->leg[kept].trunk->name);
	call_decide_transfer(c, u, user, t->who.calling, &t->d, call_steps(call));
	if (t->d.kind == DECISION_REJECT) {
		server_answer(irq, (int)t->d.status, t->d.reason,
		    TAG_IF(t->d.diagnostics[0], SIPTAG_HEADER_STR(su_sprintf(call->home,
		    "ms-diagnostics: %s", t->d.diagnostics))), TAG_END());
		log_info("call %s: transfer to %s refused: %u", call->id, t->target, t->d.status);
		stats_add(call->srv->stats, STATS_TRANSFERS, "refused");
		su_free(call->home, t);
		return 0;
	}
	t->who.redirecting = t->d.redirecting[0] ? t->d.redirecting : NULL;
	t->who.why = t->d.behalf;
	t->who.elin = NULL;
	n = su_zalloc(call->home, sizeof(*n));
	if (n == NULL) {
		su_free(call->home, t);
		return 500;
	}
	if (call->notifier != NULL)
		notifier_free(call->notifier);	/* an earlier transfer's */
	n->call = call;
	n->leg = call->leg[from].dialog;
	n->listen = call->leg[from].peer.listen;
	n->contact = call->leg[from].contact;
	n->refer_id = t->refer_id;
	call->notifier = n;
	call->transfer = t;
	server_answer(irq, SIP_202_ACCEPTED, SIPTAG_CONTACT(call->leg[from].contact), TAG_END());
	transfer_notify(call, 100, NULL, false);
	log_info("call %s: %s transfers the call to %s", call->id, user ? user : "the pool",
	    t->target);
	stats_add(call->srv->stats, STATS_TRANSFERS, "started");
	while ((status = transfer_place(t)) != 0 && t->d.kind == DECISION_PSTN &&
	    t->attempt + 1 < t->d.nchoices) {
		transfer_release(t);
		t->attempt++;
	}
	if (status != 0)
		transfer_fail(t, status, NULL);
	return 0;
}

bool
call_transfer_referrer_bye(struct call *call, enum call_side from, nta_incoming_t *irq)
{
	struct transfer *t = call->transfer;

	if (t == NULL || from != t->referrer)
		return false;
	/* RFC 5589: the transferor may hang up once the REFER is accepted */
	server_answer(irq, SIP_200_OK, TAG_END());
	if (call->notifier != NULL)
		call->notifier->gone = true;
	dtrace_step(call_steps(call), "the referrer hung up: the transfer goes on");
	return true;
}

struct call *
call_transfer_of_leg(nta_leg_t *leg, const struct peer **p)
{
	struct transfer *t = (struct transfer *)nta_leg_magic(leg, transfer_leg_request);

	if (t == NULL)
		return NULL;
	*p = &t->leg.peer;
	return t->call;
}

void
call_transfer_drop(struct call *call)
{
	if (call->transfer != NULL)
		transfer_free(call->transfer);
	if (call->notifier != NULL)
		notifier_free(call->notifier);
}
