/*
 * call_behalf: who a call from the pool is placed for when its caller is
 * no configured user (a forwarded call shows the original caller in its
 * From): read from the INVITE, in this order,
 *
 *   History-Info (RFC 7044)  the last entry that is a configured user; its
 *                            ms-retarget-reason (Lync writes it on the
 *                            user who retargeted) says why
 *   Referred-By (RFC 3892)   a transfer
 *   Diversion (RFC 5806)     the first (latest) entry that is a configured
 *                            user: forwarding
 *
 * An entry names a user by SIP URI, or by a number (a tel: URI or one with
 * user=phone) that reverse number lookup finds.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "call_decide.h"

/*
 * Lync's ms-retarget-reason values, compared without case, spaces and
 * dashes. Lync's documentation lists none; these are the words its traces
 * and the feature names use. A retarget with no reason, or one not here,
 * is forwarding: the switch that governs most retargets.
 */
static enum behalf_reason
retarget_reason(const char *v)
{
	static const struct { const char *word; enum behalf_reason r; } words[] = {
		{ "forwarding", BEHALF_FORWARDING }, { "simultaneousring", BEHALF_SIMUL_RING },
		{ "simulring", BEHALF_SIMUL_RING }, { "teamcall", BEHALF_TEAM_CALL },
		{ "teamring", BEHALF_TEAM_CALL }, { "delegation", BEHALF_DELEGATION },
		{ "delegate", BEHALF_DELEGATION }, { "transfer", BEHALF_TRANSFER },
		{ "calltransfer", BEHALF_TRANSFER },
	};
	char w[32];
	size_t n = 0;

	for (; v != NULL && *v != '\0' && n + 1 < sizeof(w); v++)
		if (isalnum((unsigned char)*v))
			w[n++] = (char)tolower((unsigned char)*v);
	w[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i].word) == 0)
			return words[i].r;
	return BEHALF_FORWARDING;
}

/*
 * The party a URL names: its number for tel: or user=phone with a number
 * in the user part, else sip:user@host.
 */
static const char *
party_of(su_home_t *home, const url_t *u)
{
	char *num, *semi, user[16];
	const char *s;

	if (u == NULL || u->url_user == NULL)
		return NULL;
	s = u->url_user + (u->url_user[0] == '+');
	if ((u->url_type == url_tel || (u->url_params != NULL &&
	    url_param(u->url_params, "user", user, sizeof(user)) > 0 &&
	    strcasecmp(user, "phone") == 0)) && isdigit((unsigned char)*s)) {
		num = su_strdup(home, u->url_user);
		if (num != NULL && (semi = strchr(num, ';')) != NULL)
			*semi = '\0';	/* ;phone-context=..., ;ext= is not the line */
		return num;
	}
	return su_sprintf(home, "sip:%s@%s", u->url_user, u->url_host ? u->url_host : "");
}

/* The next comma-separated entry of a header value, outside <> and quotes. */
static char *
next_entry(su_home_t *home, const char **pp)
{
	const char *p = *pp, *s;
	bool quoted = false;
	int angle = 0;

	while (*p == ',' || isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return NULL;
	for (s = p; *p != '\0'; p++) {
		if (*p == '"' && (p == s || p[-1] != '\\'))
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle++;
		else if (!quoted && *p == '>' && angle > 0)
			angle--;
		else if (!quoted && angle == 0 && *p == ',')
			break;
	}
	*pp = p;
	return su_strndup(home, s, (size_t)(p - s));
}

/* Each entry of every header named name: f(arg, the entry as a From-like header). */
static void
each_entry(su_home_t *home, const sip_t *sip, const char *name,
    bool (*f)(void *arg, const sip_from_t *e), void *arg)
{
	for (const sip_unknown_t *h = sip->sip_unknown; h != NULL; h = h->un_next) {
		const char *p = h->un_value;
		char *e;

		if (h->un_name == NULL || strcasecmp(h->un_name, name) != 0 || p == NULL)
			continue;
		while ((e = next_entry(home, &p)) != NULL) {
			sip_from_t *a = sip_from_make(home, e);

			if (a != NULL && !f(arg, a))
				return;
		}
	}
}

struct found {
	const struct conf *c;
	su_home_t *home;
	struct behalf *out;
	bool last;		/* keep the last match (History-Info), else the first */
};

static bool
consider(void *arg, const sip_from_t *e, enum behalf_reason r, const char *header)
{
	struct found *f = arg;
	const char *party = party_of(f->home, e->a_url);

	if (party == NULL || decide_party_user(f->c, party) == NULL)
		return true;
	f->out->party = party;
	f->out->reason = r;
	f->out->header = header;
	return f->last;		/* Diversion: the first match ends it */
}

static bool
history_entry(void *arg, const sip_from_t *e)
{
	char v[64] = "";

	if (e->a_params != NULL) {
		const char *p = msg_params_find(e->a_params, "ms-retarget-reason=");

		if (p != NULL)
			snprintf(v, sizeof(v), "%s", p);
	}
	return consider(arg, e, retarget_reason(v[0] ? v : NULL), "History-Info");
}

static bool
diversion_entry(void *arg, const sip_from_t *e)
{
	return consider(arg, e, BEHALF_FORWARDING, "Diversion");
}

void
call_behalf(const struct conf *c, const sip_t *sip, su_home_t *home, struct behalf *out)
{
	struct found f = { c, home, out, true };

	memset(out, 0, sizeof(*out));
	each_entry(home, sip, "History-Info", history_entry, &f);
	if (out->party != NULL)
		return;
	if (sip->sip_referred_by != NULL) {
		const char *party = party_of(home, sip->sip_referred_by->b_url);

		if (party != NULL && decide_party_user(c, party) != NULL) {
			*out = (struct behalf){ party, BEHALF_TRANSFER, "Referred-By" };
			return;
		}
	}
	f.last = false;
	each_entry(home, sip, "Diversion", diversion_entry, &f);
}
