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
 *   Allow, Supported,      always: capabilities are end to end
 *   Require, Accept,
 *   Allow-Events
 *   RSeq, RAck             always (100rel end to end)
 *   Session-Expires,       always (session timers end to end)
 *   Min-SE
 *   Reason                 always (Q.850 causes for failover decisions)
 *   Privacy                always
 *   Event,                 always (REFER's NOTIFYs, INFO packages)
 *   Subscription-State,
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
 */
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_types.h>
#include <sofia-sip/sip_tag.h>

#include "hdrmap.h"

static const struct {
	const char *name;
	unsigned needs;		/* flags that must be set for it to cross */
} crossing[] = {
	{ "Content-Disposition", 0 }, { "Content-Encoding", 0 }, { "Content-Language", 0 },
	{ "Allow", 0 }, { "Supported", 0 }, { "Require", 0 }, { "Accept", 0 },
	{ "Allow-Events", 0 }, { "RSeq", 0 }, { "RAck", 0 }, { "Session-Expires", 0 },
	{ "Min-SE", 0 }, { "Reason", 0 }, { "Privacy", 0 }, { "Event", 0 },
	{ "Subscription-State", 0 }, { "Info-Package", 0 }, { "Recv-Info", 0 },
	{ "Refer-To", 0 }, { "Referred-By", 0 }, { "Replaces", 0 }, { "Subject", 0 },
	{ "Priority", 0 }, { "Organization", 0 }, { "Date", 0 }, { "Warning", 0 },
	{ "Retry-After", 0 }, { "Unsupported", 0 },
	{ "P-Asserted-Identity", HDRMAP_TRUST_PAI },
	{ "History-Info", HDRMAP_CALL_HISTORY },
};

static const char *
header_name(const msg_header_t *h)
{
	const msg_hclass_t *hc = h->sh_class;

	if (hc == NULL)
		return NULL;
	if (hc->hc_name != NULL && hc->hc_name[0] != '\0')
		return hc->hc_name;
	if (hc == msg_unknown_class)
		return h->sh_unknown->un_name;
	return NULL;
}

static bool
crosses(const char *name, unsigned flags)
{
	for (size_t i = 0; i < sizeof(crossing) / sizeof(crossing[0]); i++)
		if (strcasecmp(crossing[i].name, name) == 0)
			return (crossing[i].needs & flags) == crossing[i].needs;
	return false;
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
		while ((need = msg_header_e(buf + len, (isize_t)(cap - len), h, 0)) >= 0 &&
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
	if (sip->sip_content_type) {
		tags[n].t_tag = siptag_content_type;
		tags[n++].t_value = (tag_value_t)sip->sip_content_type;
	}
	if (sip->sip_payload) {
		tags[n].t_tag = siptag_payload;
		tags[n++].t_value = (tag_value_t)sip->sip_payload;
	}
	tags[n].t_tag = NULL;
	tags[n].t_value = 0;
}
