/*
 * hdrmap: the header table. Everything not listed here stays on its own
 * leg: Via, Route, Record-Route, Contact, Call-ID, From/To tags, CSeq and
 * Max-Forwards are the B2BUA's own on each leg (Max-Forwards is copied
 * decremented by the call layer); User-Agent and Server are sipmed's own
 * when configured; everything unknown is dropped.
 *
 *   header                 crosses
 *   ---------------------  ------------------------------------------
 *   body, Content-Type,    always (the body byte for byte, multipart
 *   Content-Disposition,   included)
 *   Content-Encoding,
 *   Content-Language
 *   Allow, Supported,      always, but only with what sipmed carries
 *   Require, Accept        end to end: Allow with the methods it takes
 *                          (HDRMAP_METHODS), Supported with 100rel,
 *                          timer, precondition and histinfo (no
 *                          replaces, gruu, outbound: a B2BUA offers what
 *                          it implements). 100rel is PRACKed end to end
 *                          (call_100rel.c), except toward a caller that
 *                          did not offer it (HDRMAP_NO_100REL): there it
 *                          is taken out of Supported and Require. RSeq
 *                          and RAck are each leg's own. Allow-Events
 *                          does not cross: sipmed takes no SUBSCRIBE.
 *   Session-Expires,       always (session timers end to end)
 *   Min-SE
 *   Reason                 always (Q.850 causes for failover decisions)
 *   Privacy                always
 *   Event,                 always (REFER's NOTIFYs, INFO packages); the
 *   Subscription-State,    call layer rewrites a refer Event's id
 *                          (HDRMAP_NO_EVENT: it writes Event itself)
 *   Info-Package,
 *   Recv-Info
 *   Refer-To, Referred-By  always (the call layer may refuse REFER)
 *   Replaces               always
 *   Subject, Priority,     always
 *   Organization, Date,
 *   Warning, Retry-After,
 *   Unsupported
 *   P-Asserted-Identity    only from a trusted sender (HDRMAP_TRUST_PAI)
 *   History-Info           only when enabled (HDRMAP_CALL_HISTORY)
 *   Geolocation,           only with HDRMAP_LOCATION (RFC 6442: an
 *   Geolocation-Routing    emergency call to a trunk with pidf_lo); without
 *                          it a multipart body loses its PIDF-LO parts
 *                          (application/pidf+xml) too
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_types.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>

#include "hdrmap.h"

static const struct {
	const char *name;
	unsigned needs;		/* flags that must be set for it to cross */
} crossing[] = {
	{ "Content-Disposition", 0 }, { "Content-Encoding", 0 }, { "Content-Language", 0 },
	{ "Allow", 0 }, { "Supported", 0 }, { "Require", 0 }, { "Accept", 0 },
	{ "Session-Expires", 0 },
	{ "Min-SE", 0 }, { "Reason", 0 }, { "Privacy", 0 },
	{ "Subscription-State", 0 }, { "Info-Package", 0 }, { "Recv-Info", 0 },
	{ "Refer-To", 0 }, { "Referred-By", 0 }, { "Replaces", 0 }, { "Subject", 0 },
	{ "Priority", 0 }, { "Organization", 0 }, { "Date", 0 }, { "Warning", 0 },
	{ "Retry-After", 0 }, { "Unsupported", 0 },
	{ "P-Asserted-Identity", HDRMAP_TRUST_PAI },
	{ "History-Info", HDRMAP_CALL_HISTORY },
	{ "Geolocation", HDRMAP_LOCATION }, { "Geolocation-Routing", HDRMAP_LOCATION },
};

static const char *
header_name(const msg_header_t *h)
{
	const msg_hclass_t *hc = h->sh_class;

	if (hc == NULL)
		return NULL;
	if (hc->hc_name != NULL && hc->hc_name[0] != '\0')
		return hc->hc_name;
	/* a header sofia-sip has no class for (History-Info): sip_t's unknown
	   class is its own, not msg_unknown_class */
	if (hc == msg_unknown_class || hc == sip_unknown_class)
		return h->sh_unknown->un_name;
	return NULL;
}

/* The SIP options sipmed carries end to end; the rest it does not offer. */
static const char *const options_kept[] = { "100rel", "timer", "precondition", "histinfo" };
static const char *const methods_kept[] = { HDRMAP_METHODS };

static bool
in_list(const char *item, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], item) == 0)
			return true;
	return false;
}

/*
 * Whether item of a Supported, Require or Allow header h crosses: Allow
 * keeps the methods sipmed takes, Supported the options it carries (a
 * B2BUA offers only what it implements on each leg: no replaces, gruu or
 * outbound), and 100rel goes only to a receiver that does it.
 */
static bool
item_kept(const msg_header_t *h, const char *item, unsigned flags)
{
	if (h->sh_class == sip_allow_class)
		return in_list(item, methods_kept, sizeof(methods_kept) / sizeof(methods_kept[0]));
	if ((flags & HDRMAP_NO_100REL) != 0 && strcasecmp(item, "100rel") == 0)
		return false;
	if (h->sh_class == sip_supported_class)
		return in_list(item, options_kept, sizeof(options_kept) / sizeof(options_kept[0]));
	return true;
}

static bool
is_filtered(const msg_header_t *h)
{
	return h->sh_class == sip_allow_class || h->sh_class == sip_supported_class ||
	    h->sh_class == sip_require_class;
}

/*
 * Encodes a Supported, Require or Allow header with the items that cross
 * (item_kept()), or nothing when none does. Returns the length written,
 * or what would be needed, as msg_header_e() does.
 */
static issize_t
encode_filtered(char *b, isize_t bsiz, const msg_header_t *h, unsigned flags)
{
	const msg_list_t *k = (const msg_list_t *)h;
	size_t n = 0, want = 0;
	bool first = true;
	char tmp[1024];

	n += (size_t)snprintf(tmp, sizeof(tmp), "%s: ", h->sh_class->hc_name);
	for (size_t i = 0; k->k_items != NULL && k->k_items[i] != NULL; i++) {
		if (!item_kept(h, k->k_items[i], flags))
			continue;
		n += (size_t)snprintf(tmp + n, n < sizeof(tmp) ? sizeof(tmp) - n : 0, "%s%s",
		    first ? "" : ", ", k->k_items[i]);
		first = false;
	}
	if (first)
		return 0;	/* nothing left: no header at all */
	n += (size_t)snprintf(tmp + n, n < sizeof(tmp) ? sizeof(tmp) - n : 0, "\r\n");
	want = n;
	if (want >= sizeof(tmp))
		return 0;
	if ((isize_t)want < bsiz)
		memcpy(b, tmp, want + 1);
	return (issize_t)want;
}

bool
hdrmap_method_allowed(const char *method)
{
	return in_list(method, methods_kept, sizeof(methods_kept) / sizeof(methods_kept[0]));
}

static bool
crosses(const char *name, unsigned flags)
{
	if (strcasecmp(name, "Event") == 0)
		return (flags & HDRMAP_NO_EVENT) == 0;
	for (size_t i = 0; i < sizeof(crossing) / sizeof(crossing[0]); i++)
		if (strcasecmp(crossing[i].name, name) == 0)
			return (crossing[i].needs & flags) == crossing[i].needs;
	return false;
}

bool
hdrmap_may_cross(const char *name)
{
	return crosses(name, HDRMAP_TRUST_PAI | HDRMAP_CALL_HISTORY);
}

bool
hdrmap_unsupported(const sip_require_t *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; r != NULL; r = r->k_next)
		for (size_t i = 0; r->k_items != NULL && r->k_items[i] != NULL; i++) {
			int w;

			if (in_list(r->k_items[i], options_kept,
			    sizeof(options_kept) / sizeof(options_kept[0])) || off >= len)
				continue;
			w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", r->k_items[i]);
			off += w > 0 ? (size_t)w : 0;
		}
	return buf[0] != '\0';
}

static bool
is_pidf(const msg_content_type_t *c)
{
	return c != NULL && c->c_type != NULL &&
	    strcasecmp(c->c_type, "application/pidf+xml") == 0;
}

/*
 * A multipart body without its PIDF-LO parts: the one part left as it is,
 * or the parts left in a multipart body of the same boundary (each with
 * its Content-Type). NULL payload: nothing left.
 */
static void
without_location(su_home_t *home, const sip_t *sip, const msg_multipart_t *parts,
    const msg_content_type_t **ctp, const sip_payload_t **plp)
{
	const msg_multipart_t *one = NULL;
	size_t left = 0;
	char *body = NULL, ct[256];
	const char *boundary = msg_params_find(sip->sip_content_type->c_params, "boundary=");

	for (const msg_multipart_t *mp = parts; mp != NULL; mp = mp->mp_next)
		if (!is_pidf(mp->mp_content_type) && mp->mp_payload != NULL)
			left++, one = mp;
	*ctp = NULL;
	*plp = NULL;
	if (left == 1) {
		*ctp = one->mp_content_type;
		*plp = one->mp_payload;
		return;
	}
	if (left == 0 || boundary == NULL)
		return;
	for (const msg_multipart_t *mp = parts; mp != NULL; mp = mp->mp_next)
		if (!is_pidf(mp->mp_content_type) && mp->mp_payload != NULL) {
			msg_header_e(ct, sizeof(ct), (const msg_header_t *)mp->mp_content_type, 0);
			body = su_sprintf(home, "%s--%s\r\n%s\r\n%.*s\r\n", body ? body : "",
			    boundary, ct, (int)mp->mp_payload->pl_len, mp->mp_payload->pl_data);
		}
	body = su_sprintf(home, "%s--%s--\r\n", body, boundary);
	*ctp = sip->sip_content_type;
	*plp = sip_payload_make(home, body);
}

static bool
mentions_pidf(const sip_payload_t *pl)
{
	static const char t[] = "application/pidf+xml";

	for (size_t i = 0; i + sizeof(t) - 1 <= pl->pl_len; i++)
		if (strncasecmp(pl->pl_data + i, t, sizeof(t) - 1) == 0)
			return true;
	return false;
}

/* The body as it crosses: byte for byte, but location only with HDRMAP_LOCATION. */
static void
body_tags(su_home_t *home, const sip_t *sip, unsigned flags, tagi_t *tags, size_t *n)
{
	const msg_content_type_t *ct = sip->sip_content_type;
	const sip_payload_t *pl = sip->sip_payload;
	msg_multipart_t *parts = NULL;
	bool located = false;

	/* parsed only when it may hold a location, and a copy: the parser writes */
	if ((flags & HDRMAP_LOCATION) == 0 && ct != NULL && pl != NULL && ct->c_type != NULL &&
	    strncasecmp(ct->c_type, "multipart/", 10) == 0 && mentions_pidf(pl) &&
	    (parts = msg_multipart_parse(home, ct, sip_payload_dup(home, pl))) != NULL)
		for (const msg_multipart_t *mp = parts; mp != NULL; mp = mp->mp_next)
			located |= is_pidf(mp->mp_content_type);
	if (located)
		without_location(home, sip, parts, &ct, &pl);
	if (ct != NULL && pl != NULL) {
		tags[*n].t_tag = siptag_content_type;
		tags[(*n)++].t_value = (tag_value_t)ct;
	}
	if (pl != NULL) {
		tags[*n].t_tag = siptag_payload;
		tags[(*n)++].t_value = (tag_value_t)pl;
	}
}

void
hdrmap_tags(su_home_t *home, const sip_t *sip, unsigned flags, tagi_t tags[4])
{
	const msg_header_t *h = sip->sip_request ? (const msg_header_t *)sip->sip_request :
	    (const msg_header_t *)sip->sip_status;
	size_t cap = 512, len = 0, n = 0;
	char *buf = su_alloc(home, cap);

	tags[0].t_tag = NULL;
	tags[0].t_value = 0;
	for (; h != NULL && buf != NULL; h = h->sh_succ) {
		const char *name = header_name(h);
		issize_t need;

		if (name == NULL || !crosses(name, flags))
			continue;
		while ((need = is_filtered(h) ?
		    encode_filtered(buf + len, (isize_t)(cap - len), h, flags) :
		    msg_header_e(buf + len, (isize_t)(cap - len), h, 0)) >= 0 &&
		    (size_t)need >= cap - len) {
			char *nb = su_realloc(home, buf, cap * 2);

			if (nb == NULL)
				return;
			buf = nb;
			cap *= 2;
		}
		if (need > 0)
			len += (size_t)need;
	}
	if (buf != NULL && len > 0) {
		buf[len] = '\0';
		tags[n].t_tag = siptag_header_str;
		tags[n++].t_value = (tag_value_t)buf;
	}
	body_tags(home, sip, flags, tags, &n);
	tags[n].t_tag = NULL;
	tags[n].t_value = 0;
}
