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

/* who the pool's INVITE with these headers is placed for */
static void
behalf_is(const char *extra, const char *party, enum behalf_reason r, const char *header,
    const char *name)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	msg_t *msg = invite("sip:+15035550199@contoso.com;user=phone",
	    "<sip:+12065550100@contoso.com;user=phone>", extra);
	struct behalf ob;

	if (!ok(msg != NULL, "%s: parses", name))
		return;
	call_behalf(c, sip_object(msg), home, &ob);
	is_str(ob.party, party, "%s: the responsible party", name);
	ok(party == NULL || (ob.reason == r && strcmp(ob.header, header) == 0),
	    "%s: %s, read from %s", name, decide_behalf_name(r), header ? header : "-");
	msg_destroy(msg);
	su_home_deinit(home);
}

static void
test_behalf(void)
{
	behalf_is("History-Info: <sip:ceo@contoso.com;user=phone>;index=1;"
	    "ms-retarget-reason=forwarding,<sip:+15035550199@contoso.com;user=phone>;index=1.1\r\n",
	    "sip:ceo@contoso.com", BEHALF_FORWARDING, "History-Info", "Lync's History-Info, "
	    "user=phone on a user part that is no number");
	behalf_is("History-Info: <sip:ceo@contoso.com>;index=1;ms-retarget-reason=forwarding,"
	    "<sip:+15035550199@contoso.com;user=phone>;index=1.1\r\n",
	    "sip:ceo@contoso.com", BEHALF_FORWARDING, "History-Info", "Lync's forwarding");
	behalf_is("History-Info: <sip:bob@contoso.com>;index=1\r\n"
	    "History-Info: <sip:ceo@contoso.com>;index=1.1;ms-retarget-reason=Simultaneous-Ring\r\n"
	    "History-Info: <sip:+15035550199@contoso.com;user=phone>;index=1.1.1\r\n",
	    "sip:ceo@contoso.com", BEHALF_SIMUL_RING, "History-Info",
	    "the last configured user of several lines, simultaneous ring");
	behalf_is("History-Info: \"Team, Sales\" <sip:+15033121234@contoso.com;user=phone>;"
	    "index=1;ms-retarget-reason=team-call\r\n", "+15033121234", BEHALF_TEAM_CALL,
	    "History-Info", "a user named by number, a display name with a comma");
	behalf_is("Referred-By: <sip:alice@contoso.com>\r\n", "sip:alice@contoso.com",
	    BEHALF_TRANSFER, "Referred-By", "a transfer");
	behalf_is("Diversion: <sip:+15033129999@contoso.com;user=phone>;reason=no-answer;"
	    "counter=1, <sip:+15033121234@contoso.com;user=phone>;reason=unconditional\r\n",
	    "+15033129999", BEHALF_FORWARDING, "Diversion", "the latest Diversion entry");
	behalf_is("Diversion: <sip:+19995550000@example.com;user=phone>;reason=unconditional\r\n",
	    NULL, BEHALF_NONE, NULL, "a Diversion from nobody configured");
	behalf_is("History-Info: <sip:mallory@example.com>;index=1;ms-retarget-reason=forwarding\r\n"
	    "Referred-By: <sip:alice@contoso.com>\r\n", "sip:alice@contoso.com",
	    BEHALF_TRANSFER, "Referred-By", "History-Info naming no user falls to Referred-By");
}

/* a transfer sipmed performs: the call to target for user, from +15035550100 */
static void
transfer_is(const char *target, const char *user, enum decision_kind kind,
    const char *want_target, const char *name)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, target);
	struct decision d;

	call_decide_transfer(c, u, user, "+15035550100", &d, NULL);
	ok(d.kind == kind, "%s: decided as %d (got %d)", name, kind, d.kind);
	if (kind == DECISION_PSTN)
		ok(d.behalf == BEHALF_TRANSFER && d.caller != NULL &&
		    strcmp(d.caller->uri, user) == 0 && strcmp(d.calling, "+15035550100") == 0,
		    "%s: for %s, a transfer, presenting the transferred party", name, user);
	else
		is_str(d.target, want_target, "%s: the target", name);
	su_home_deinit(home);
}

static void
test_transfer(void)
{
	transfer_is("sip:2065550100@contoso.com;user=phone", "sip:ceo@contoso.com",
	    DECISION_PSTN, NULL, "a number, by the transferring user's dial plan and policy");
	transfer_is("tel:+12065550100", "sip:ceo@contoso.com", DECISION_PSTN, NULL,
	    "a tel: URI");
	transfer_is("sip:5678@contoso.com", "sip:ceo@contoso.com", DECISION_USER,
	    "sip:bob@contoso.com", "a number a user has: to the pool, to that user");
	transfer_is("sip:bob@contoso.com", "sip:ceo@contoso.com", DECISION_TARGET, NULL,
	    "a SIP URI: to the pool as it is");
	transfer_is("sip:2065550100@contoso.com;user=phone", NULL, DECISION_REJECT, NULL,
	    "a number with nobody to answer for it: refused");
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
	test_behalf();
	test_transfer();
	conf_unref(c);
	return tap_done();
}
