/*
 * test_hdrmap: which headers cross from one leg to the other
 * (src/hdrmap.c): the table, the flags, and the capability lists cut to
 * what sipmed carries.
 */
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_tag.h>

#include "hdrmap.h"
#include "sipmsg.h"
#include "tap.h"

static const char *invite =
    "INVITE sip:1234@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK-1\r\n"
    "From: <sip:5035550100@127.0.0.3>;tag=a\r\n"
    "To: <sip:1234@127.0.0.1>\r\n"
    "Call-ID: hdrmap-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:gw@127.0.0.3>\r\n"
    "Max-Forwards: 70\r\n"
    "Allow: INVITE, ACK, BYE, CANCEL, SUBSCRIBE, MESSAGE, REFER\r\n"
    "Supported: 100rel, timer, replaces, gruu\r\n"
    "Require: 100rel\r\n"
    "Allow-Events: talk, hold\r\n"
    "Event: refer;id=7\r\n"
    "Subject: a test\r\n"
    "X-Secret: nothing for the other side\r\n"
    "P-Asserted-Identity: <sip:5035550111@127.0.0.3>\r\n"
    "History-Info: <sip:x@y>;index=1\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

/* The header text that crosses with flags, in *buf (empty: none). */
static void
crossing(const sip_t *sip, unsigned flags, char *buf, size_t len)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	tagi_t tags[4];

	hdrmap_tags(home, sip, flags, tags);
	snprintf(buf, len, "%s", tags[0].t_tag == siptag_header_str ?
	    (const char *)tags[0].t_value : "");
	su_home_deinit(home);
}

int
main(void)
{
	msg_t *msg = sipmsg(invite);
	const sip_t *sip = msg ? sip_object(msg) : NULL;
	char h[2048];

	if (!ok(sip != NULL && sip->sip_request != NULL, "the test INVITE parses"))
		return tap_done();
	crossing(sip, 0, h, sizeof(h));
	ok(strstr(h, "Subject: a test\r\n") != NULL, "Subject crosses");
	ok(strstr(h, "X-Secret") == NULL, "an unknown header does not");
	ok(strstr(h, "Via:") == NULL && strstr(h, "Contact:") == NULL &&
	    strstr(h, "Call-ID:") == NULL, "nor Via, Contact or Call-ID");
	ok(strstr(h, "Allow: INVITE, ACK, BYE, CANCEL, REFER\r\n") != NULL,
	    "Allow keeps only the methods sipmed takes");
	ok(strstr(h, "Supported: 100rel, timer\r\n") != NULL,
	    "Supported keeps only what sipmed carries (no replaces, gruu)");
	ok(strstr(h, "Require: 100rel\r\n") != NULL, "Require crosses");
	ok(strstr(h, "Allow-Events") == NULL, "Allow-Events does not (no SUBSCRIBE)");
	ok(strstr(h, "Event: refer;id=7\r\n") != NULL, "Event crosses");
	ok(strstr(h, "P-Asserted-Identity") == NULL, "PAI only from a trusted sender");
	ok(strstr(h, "History-Info") == NULL, "History-Info only when enabled");

	crossing(sip, HDRMAP_TRUST_PAI | HDRMAP_CALL_HISTORY, h, sizeof(h));
	ok(strstr(h, "P-Asserted-Identity: <sip:5035550111@127.0.0.3>\r\n") != NULL,
	    "PAI from a trusted sender crosses");
	ok(strstr(h, "History-Info: <sip:x@y>;index=1\r\n") != NULL, "History-Info when enabled");

	crossing(sip, HDRMAP_NO_100REL | HDRMAP_NO_EVENT, h, sizeof(h));
	ok(strstr(h, "Supported: timer\r\n") != NULL, "no 100rel toward a caller without it");
	ok(strstr(h, "Require:") == NULL, "a Require of only 100rel goes away");
	ok(strstr(h, "Event:") == NULL, "HDRMAP_NO_EVENT: the caller writes Event itself");

	ok(hdrmap_method_allowed("NOTIFY") && !hdrmap_method_allowed("SUBSCRIBE") &&
	    !hdrmap_method_allowed("MESSAGE"), "the methods sipmed takes");
	msg_destroy(msg);
	return tap_done();
}
