/*
 * call_decide: from a parsed INVITE and the peer that sent it to the
 * decision. Reads the request only; sends nothing and keeps nothing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_extra.h>
#include <sofia-sip/url.h>

#include "call_decide.h"

/*
 * The number in a sip: or tel: URI: the user part of a sip: URI or the
 * number of a tel: URI (sofia-sip parses both into url_user), with ;ext=
 * kept and other parameters (user=phone lives on the URI, phone-context
 * in a sip: URI's user part or a tel: URI's parameters) dropped.
 */
static void
uri_number(const url_t *u, char *out, size_t outlen)
{
	const char *s = u->url_user;
	char ext[32];
	size_t n = 0;

	out[0] = '\0';
	if (s == NULL)
		return;
	while (*s != '\0' && n + 1 < outlen) {
		if (*s == ';') {
			if (strncmp(s, ";ext=", 5) != 0) {
				s = strchr(s + 1, ';');
				if (s == NULL)
					break;
				continue;
			}
		}
		out[n++] = *s++;
	}
	out[n] = '\0';
	/* tel:+15033127000;ext=7002: the extension is a URI parameter */
	if (u->url_type == url_tel && u->url_params != NULL &&
	    url_param(u->url_params, "ext", ext, sizeof(ext)) > 0)
		snprintf(out + n, outlen - n, ";ext=%s", ext);
}

/* +digits or digits, an optional ;ext=: a number the PSTN can be shown */
static bool
is_number(const char *s)
{
	size_t n = s[0] == '+' ? 1 : 0, d = strspn(s + n, "0123456789");

	return d > 0 && (s[n + d] == '\0' || strncmp(s + n + d, ";ext=", 5) == 0);
}

bool
call_trusts_pai(const struct conf *c, const struct trunk *t)
{
	return t != NULL ? t->forward_pai : c->pool.trust_pai;
}

const sip_p_asserted_identity_t *
call_trusted_pai(const struct conf *c, const struct trunk *t, const sip_t *sip)
{
	const sip_p_asserted_identity_t *pai = sip_p_asserted_identity(sip);

	return pai != NULL && call_trusts_pai(c, t) ? pai : NULL;
}

/* The calling party's URL: P-Asserted-Identity from a trusted peer, else From. */
static const url_t *
calling_url(const struct conf *c, const struct peer *p, const sip_t *sip)
{
	const sip_p_asserted_identity_t *pai = call_trusted_pai(c, p->trunk, sip);

	return pai != NULL ? pai->paid_url : sip->sip_from->a_url;
}

/* Lync and most gateways mark a restricted caller ID with an anonymous From. */
bool
call_caller_private(const sip_t *sip)
{
	const url_t *f = sip->sip_from->a_url;
	msg_param_t const *v = sip->sip_privacy ? sip->sip_privacy->priv_values : NULL;

	/* sofia-sip merges every Privacy header line into one value list */
	for (; v != NULL && *v != NULL; v++)
		if (strcasecmp(*v, "id") == 0 || strcasecmp(*v, "header") == 0 ||
		    strcasecmp(*v, "user") == 0)
			return true;
	return (f->url_user != NULL && strcasecmp(f->url_user, "anonymous") == 0) ||
	    (f->url_host != NULL && strcasecmp(f->url_host, "anonymous.invalid") == 0);
}

void
call_decide(const struct conf *c, const struct peer *p, const sip_t *sip,
    struct decision *d, char called[CALL_CALLED_MAX], char calling[CALL_CALLING_MAX],
    const struct dtrace *dt)
{
	const url_t *cu = calling_url(c, p, sip);

	su_home_t home[1] = { SU_HOME_INIT(home) };
	char number[CALL_CALLING_MAX];
	struct behalf ob;

	uri_number(sip->sip_request->rq_url, called, CALL_CALLED_MAX);
	if (p->kind == PEER_TRUNK) {
		uri_number(cu, calling, CALL_CALLING_MAX);
		decide_inbound(c, p->trunk, called, calling, d, dt);
		return;
	}
	snprintf(calling, CALL_CALLING_MAX, "sip:%s@%s", cu->url_user ? cu->url_user : "",
	    cu->url_host ? cu->url_host : "");
	if (conf_find_user(c, calling) != NULL) {
		decide_outbound(c, calling, called, d, dt);
		return;
	}
	/* a caller from outside (a forwarded PSTN call): whose call is it? */
	call_behalf(c, sip, home, &ob);
	uri_number(cu, number, sizeof(number));
	if (!is_number(number))
		number[0] = '\0';
	decide_outbound_behalf(c, calling, number, &ob, called, d, dt);
	su_home_deinit(home);
}

void
call_decide_transfer(const struct conf *c, const url_t *target, const char *user,
    const char *caller_number, struct decision *d, const struct dtrace *dt)
{
	const struct behalf ob = { user, BEHALF_TRANSFER, "Referred-By" };
	char number[CALL_CALLED_MAX], caller[CALL_CALLING_MAX];

	uri_number(target, number, sizeof(number));
	if (target->url_type == url_tel || is_number(number)) {
		/* the caller is no user: the transferring user answers for the call */
		snprintf(caller, sizeof(caller), "sip:%s@%s;user=phone",
		    caller_number[0] ? caller_number : "anonymous", c->server.domain);
		decide_outbound_behalf(c, caller, caller_number, &ob, number, d, dt);
		return;
	}
	memset(d, 0, sizeof(*d));
	d->kind = DECISION_TARGET;
	dtrace_step(dt, "transfer to a SIP URI: to the pool, which routes it");
}

/* RFC 5806 reasons for the ways a call is placed on a user's behalf */
static const char *
diversion_reason(enum behalf_reason why)
{
	switch (why) {
	case BEHALF_SIMUL_RING: return "follow-me";
	case BEHALF_TEAM_CALL:
	case BEHALF_DELEGATION:
	case BEHALF_TRANSFER: return "deflection";
	default: return "unconditional";
	}
}

int
call_attempt(const struct conf *c, const struct route_choice *ch, const char *target,
    const char *called, const struct call_caller *who, struct call_attempt *out,
    const struct dtrace *dt)
{
	const char *calling = who->calling, *redirecting = who->redirecting;
	bool private = who->private, asserted = who->asserted;
	enum behalf_reason why = who->why;
	char num[RULE_OUT_MAX];

	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = ch != NULL ? url_make(home, ch->trunk->address) : NULL;
	int rc = 0;

	memset(&out->numbers, 0, sizeof(out->numbers));
	if (ch != NULL && who->elin != NULL && ch->trunk->emergency_elin) {
		dtrace_step(dt, "trunk \"%s\": emergency call: the location's ELIN %s is the "
		    "caller", ch->trunk->name, who->elin);
		calling = who->elin;
		private = false;	/* the callback number is never withheld */
	}
	if (ch != NULL && (u == NULL || decide_trunk_numbers(ch->trunk, ch->route, called,
	    calling, &out->numbers, dt) == -1))
		rc = -1;
	else if (ch != NULL) {
		snprintf(out->ruri, sizeof(out->ruri), "sip:%s@%s%s%s;user=phone",
		    out->numbers.called, u->url_host, u->url_port ? ":" : "",
		    u->url_port ? u->url_port : "");
		calling = out->numbers.calling;
		out->next_hop = ch->trunk->next_hop;
	} else {
		snprintf(out->ruri, sizeof(out->ruri), "%s", target);
		out->next_hop = c->pool.next_hop;
	}
	/*
	 * The From shows the caller's number unless the caller asked for
	 * privacy; sipmed asserts the same number in P-Asserted-Identity to a
	 * receiver that takes it (the pool, a trunk with forward_pai) when
	 * the number is asserted, also for a private caller (RFC 3325: the
	 * Privacy header crosses with it).
	 */
	if (rc == 0 && (private || calling[0] == '\0'))
		snprintf(out->from, sizeof(out->from),
		    "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	else if (rc == 0)
		snprintf(out->from, sizeof(out->from), "<sip:%s@%s;user=phone>", calling,
		    c->server.domain);
	out->pai[0] = '\0';
	if (rc == 0 && asserted && calling[0] != '\0' && (ch == NULL || ch->trunk->forward_pai))
		snprintf(out->pai, sizeof(out->pai), "<sip:%s@%s;user=phone>", calling,
		    c->server.domain);
	/* carriers take a caller outside the customer's numbers with a Diversion from one */
	out->diversion[0] = '\0';
	if (rc == 0 && ch != NULL && ch->trunk->diversion && why != BEHALF_NONE &&
	    redirecting != NULL && redirecting[0] != '\0') {
		if (decide_trunk_redirecting(ch->trunk, redirecting, num, dt) == -1)
			rc = -1;
		else
			snprintf(out->diversion, sizeof(out->diversion),
			    "<sip:%s@%s;user=phone>;reason=%s;counter=1", num, c->server.domain,
			    diversion_reason(why));
	}
	su_home_deinit(home);
	return rc;
}
