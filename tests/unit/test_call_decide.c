/*
 * test_call_decide: what call processing reads from an INVITE before a
 * call exists (src/call_decide.c): the numbers in its URIs, whether its
 * P-Asserted-Identity is believed, whether the caller asked for privacy,
 * and the decision, on the sample configuration.
 */
#include <stdio.h>
#include <string.h>

#include "call_decide.h"
#include "sipmsg.h"
#include "tap.h"

static struct conf *c;

/* An INVITE to ruri from from, with extra header lines. */
static msg_t *
invite(const char *ruri, const char *from, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text), "INVITE %s SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK-1\r\n"
	    "From: %s;tag=a\r\nTo: <%s>\r\nCall-ID: cd-1\r\nCSeq: 1 INVITE\r\n"
	    "Max-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n", ruri, from, ruri, extra);
	return sipmsg(text);
}

static void
decides(const struct peer *p, const char *ruri, const char *from, const char *extra,
    const char *want_called, const char *want_calling, const char *want_target)
{
	msg_t *msg = invite(ruri, from, extra);
	char called[CALL_CALLED_MAX], calling[CALL_CALLING_MAX];
	struct decision d;

	if (!ok(msg != NULL, "%s parses", ruri))
		return;
	call_decide(c, p, sip_object(msg), &d, called, calling, NULL);
	is_str(called, want_called, "%s: the called number as the request has it", ruri);
	is_str(calling, want_calling, "%s: the calling number as the request has it", ruri);
	is_str(d.target, want_target, "%s: where the call goes", ruri);
	msg_destroy(msg);
}

int
main(void)
{
	struct peer pool = { .kind = PEER_POOL }, gw = { .kind = PEER_TRUNK };
	msg_t *msg;

	c = conf_load(tap_srcpath("etc/sipmed.conf"), NULL, NULL);
	if (!ok(c != NULL, "the sample configuration loads"))
		return tap_done();
	gw.trunk = conf_trunk(c, "portland-gw");
	decides(&gw, "sip:1234@127.0.0.1;user=phone", "<sip:5035550100@127.0.0.3>", "",
	    "1234", "5035550100", "sip:ceo@contoso.com");
	decides(&gw, "tel:+15033125678;ext=5678", "<sip:5035550100@127.0.0.3>", "",
	    "+15033125678;ext=5678", "5035550100", "sip:bob@contoso.com");
	decides(&gw, "sip:5678;phone-context=Global@127.0.0.1;user=phone",
	    "<sip:5035550100@127.0.0.3>", "", "5678", "5035550100", "sip:bob@contoso.com");
	decides(&pool, "sip:5678@contoso.com", "<sip:ceo@contoso.com>", "",
	    "5678", "sip:ceo@contoso.com", "sip:bob@contoso.com");

	msg = invite("sip:1234@127.0.0.1", "<sip:5035550100@127.0.0.3>",
	    "P-Asserted-Identity: <sip:5035550111@127.0.0.3>\r\nPrivacy: id\r\n");
	if (ok(msg != NULL, "an INVITE with PAI and Privacy parses")) {
		const sip_t *sip = sip_object(msg);

		ok(call_caller_private(sip), "Privacy: id hides the caller");
		ok((call_trusted_pai(c, gw.trunk, sip) != NULL) == gw.trunk->forward_pai,
		    "a gateway's PAI is believed as its forward_pai says");
		ok(call_trusted_pai(c, NULL, sip) != NULL, "the pool's PAI is believed (trust_pai)");
		msg_destroy(msg);
	}
	msg = invite("sip:1234@127.0.0.1", "<sip:anonymous@anonymous.invalid>", "");
	if (ok(msg != NULL, "an anonymous INVITE parses")) {
		ok(call_caller_private(sip_object(msg)), "an anonymous From hides the caller");
		msg_destroy(msg);
	}
	conf_unref(c);
	return tap_done();
}
