/*
 * sipmsg: a parsed SIP message from text, for the unit tests of modules
 * that read sofia-sip's sip_t (hdrmap, call_decide).
 */
#ifndef SIPMED_TEST_SIPMSG_H
#define SIPMED_TEST_SIPMSG_H

#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_parser.h>

/* Parses text (lines ending in \r\n); NULL when it is no SIP message. */
static inline msg_t *
sipmsg(const char *text)
{
	static int extended;

	if (!extended) {	/* P-Asserted-Identity and friends, as the daemon has them */
		sip_update_default_mclass(sip_extend_mclass(NULL));
		extended = 1;
	}
	return msg_make(sip_default_mclass(), 0, text, (ssize_t)strlen(text));
}

#endif
