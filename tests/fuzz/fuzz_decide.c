/*
 * fuzz_decide: from a parsed SIP request to the call decision, under
 * libFuzzer. The input is parsed as a SIP message by sofia-sip's parser
 * (as nta does); an INVITE with the headers nta insists on is decided as
 * if it came from the gateway and again as if from the pool, on the
 * configuration in SIPMED_FUZZ_CONF (tests/fuzz/decide.conf by default).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_log.h>

#include "call_decide.h"
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conf *conf;
static msg_mclass_t const *mclass;

static void
quiet(void *stream, const char *fmt, va_list ap)
{
}

static void
setup(void)
{
	const char *path = getenv("SIPMED_FUZZ_CONF");

	su_log_redirect(NULL, quiet, NULL);
	mclass = sip_extend_mclass(NULL);
	conf = conf_load(path != NULL ? path : "tests/fuzz/decide.conf", NULL, NULL);
	if (conf == NULL || conf->ntrunks == 0) {
		fprintf(stderr, "fuzz_decide: no configuration with a trunk "
		    "(SIPMED_FUZZ_CONF or tests/fuzz/decide.conf)\n");
		exit(1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char called[CALL_CALLED_MAX], calling[CALL_CALLING_MAX];
	struct peer gw = { .kind = PEER_TRUNK }, pool = { .kind = PEER_POOL };
	struct decision d;
	msg_t *msg;
	sip_t *sip;

	if (conf == NULL)
		setup();
	msg = msg_make(mclass, 0, data, (isize_t)size);
	sip = msg != NULL ? sip_object(msg) : NULL;
	if (sip != NULL && sip->sip_request != NULL && sip->sip_from != NULL &&
	    sip->sip_to != NULL && sip->sip_call_id != NULL && sip->sip_cseq != NULL &&
	    sip->sip_request->rq_url != NULL) {
		gw.trunk = &conf->trunks[0];
		call_decide(conf, &gw, sip, &d, called, calling, NULL);
		call_decide(conf, &pool, sip, &d, called, calling, NULL);
		call_caller_private(sip);
	}
	msg_destroy(msg);
	return 0;
}
