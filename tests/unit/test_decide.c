/*
 * test_decide: call decisions on the sample deployment (etc/sipmed.conf):
 * inbound normalization and reverse number lookup with Lync's rejection,
 * outbound normalization, routing in failover order and per-trunk
 * translation (strip plus, the CEO presented as the secretary), and the
 * decision trace.
 */
#include "decide.h"
#include "tap.h"

static struct conf *c;

static void
inbound_reaches(const char *called, const char *normalized, const char *target)
{
	struct decision d;

	decide_inbound(c, conf_trunk(c, "portland-gw"), called, NULL, &d, NULL);
	ok(d.kind == DECISION_USER, "inbound %s reaches a user", called);
	is_str(d.called, normalized, "inbound %s normalized", called);
	is_str(d.target, target, "inbound %s goes to %s", called, target);
}

static void
test_inbound(void)
{
	struct decision d;
	const struct trunk *pdx = conf_trunk(c, "portland-gw");

	inbound_reaches("1234", "+15033121234", "sip:ceo@contoso.com");
	inbound_reaches("5033121234", "+15033121234", "sip:ceo@contoso.com");
	inbound_reaches("15033121234", "+15033121234", "sip:ceo@contoso.com");
	inbound_reaches("+15033121234", "+15033121234", "sip:ceo@contoso.com");
	inbound_reaches("5678", "+15033125678", "sip:bob@contoso.com");

	decide_inbound(c, pdx, "+15033121234", NULL, &d, NULL);
	ok(d.rule == NULL, "an E.164 number consults no rule");

	decide_inbound(c, pdx, "12", "5035550100", &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 404, "no rule matches 12: 404");
	is_str(d.reason, "No matching rule has been found in the dial plan for the called number.",
	    "Lync's reason phrase");
	is_str(d.diagnostics, "14010;reason=\"Unable to find an exact match in the rules set\";"
	    "CalledNumber=\"12\";ProfileName=\"PortlandGateway\"", "ms-diagnostics 14010");

	decide_inbound(c, pdx, "1234", "5035550100", &d, NULL);
	is_str(d.calling, "+15035550100", "the calling number is normalized too");
	decide_inbound(c, pdx, "1234", "555", &d, NULL);
	ok(d.kind == DECISION_USER, "a calling number no rule matches does not fail the call");
	is_str(d.calling, "555", "and is passed on unchanged");
	decide_inbound(c, pdx, "1234", "bad<number>", &d, NULL);
	ok(d.kind == DECISION_USER && d.calling[0] == '\0', "a garbage caller ID is dropped");

	decide_inbound(c, pdx, "7000", NULL, &d, NULL);
	ok(d.kind == DECISION_TARGET && strcmp(d.target, "sip:reception@contoso.com") == 0 &&
	    strcmp(d.range->name, "Portland DID block") == 0,
	    "an ambiguous base number goes the unassigned way (DID block -> reception)");
	decide_inbound(c, pdx, "8123", NULL, &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 410 && strcmp(d.reason, "Number Changed") == 0,
	    "the priority 0 range answers 410 before the DID block");
	decide_inbound(c, pdx, "5035550100", NULL, &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 404 && d.diagnostics[0] == '\0',
	    "a number in no range: plain 404");
	decide_inbound(c, pdx, "", NULL, &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 484, "an empty called number: 484");
	decide_inbound(c, pdx, "12\r\n34", NULL, &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 400, "a called number with CR LF: 400");

	decide_inbound(c, conf_trunk(c, "seattle-gw"), "15033121234", NULL, &d, NULL);
	ok(d.kind == DECISION_USER && strcmp(d.plan->name, "Global") == 0,
	    "a trunk without a plan uses Global (Prefix All)");
}

static void
outbound_is(const char *user, const char *dialed, const char *route, const char *trunk,
    const char *called, const char *calling)
{
	struct trunk_numbers tn;
	struct decision d;

	decide_outbound(c, user, dialed, &d, NULL);
	if (!ok(d.kind == DECISION_PSTN && decide_attempt(&d, 0, &tn, NULL) == 0,
	    "%s dials %s: out to the PSTN", user, dialed))
		return;
	is_str(d.choices[0].route->name, route, "%s: route", dialed);
	is_str(d.choices[0].trunk->name, trunk, "%s: trunk", dialed);
	is_str(tn.called, called, "%s: called number as sent", dialed);
	is_str(tn.calling, calling, "%s: calling number as sent", dialed);
}

static void
test_outbound(void)
{
	struct decision d;
	struct trunk_numbers tn;

	outbound_is("sip:ceo@contoso.com", "5035550199", "Portland Local", "portland-gw",
	    "15035550199", "9992349000");
	outbound_is("sip:alice@contoso.com", "5035550199", "Portland Local", "portland-gw",
	    "15035550199", "15033129999");
	outbound_is("sip:alice@contoso.com", "12065550100", "National", "portland-gw",
	    "12065550100", "15033129999");
	outbound_is("sip:alice@contoso.com", "5550199", "Portland Local", "portland-gw",
	    "15035550199", "15033129999");
	outbound_is("sip:alice@contoso.com", "+442012345678", "International", "seattle-gw",
	    "442012345678", "+15033129999");

	decide_outbound(c, "sip:alice@contoso.com", "2065550100", &d, NULL);
	ok(d.nchoices == 2 && strcmp(d.choices[1].trunk->name, "seattle-gw") == 0 &&
	    strcmp(d.choices[1].usage, "LongDistance") == 0,
	    "failover order: the route's trunks, each once");
	decide_outbound(c, "sip:ceo@contoso.com", "5678", &d, NULL);
	ok(d.kind == DECISION_USER && strcmp(d.target, "sip:bob@contoso.com") == 0,
	    "a number a user holds stays internal");
	decide_outbound(c, "sip:stranger@contoso.com", "5035550199", &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 403, "a caller who is no user: 403");
	decide_outbound(c, "sip:lobby@contoso.com", "2065550100", &d, NULL);
	ok(d.kind == DECISION_REJECT && d.status == 403 &&
	    strncmp(d.diagnostics, "12004;", 6) == 0, "no route for the number: 403 with 12004");

	/* a route suppressing the caller ID presents its alternate number */
	{
		struct route r = *conf_route(c, "International");

		r.suppress_caller_id = true;
		r.alternate_caller_id = "15033121000";
		decide_trunk_numbers(conf_trunk(c, "portland-gw"), &r, "+15035550199",
		    "+15033129999", &tn, NULL);
		is_str(tn.calling, "15033121000", "alternate caller ID, then the trunk's rules");
	}
	{
		struct trunk t = *conf_trunk(c, "seattle-gw");

		t.remove_plus = true;
		decide_trunk_numbers(&t, NULL, "+442012345678", "+15033129999;ext=9", &tn, NULL);
		is_str(tn.calling, "15033129999", "remove_plus after the rules; ;ext= not sent");
	}
}

static int steps;

static void
count_step(void *arg, const char *line)
{
	steps++;
	printf("# trace: %s\n", line);
}

static void
test_trace(void)
{
	struct dtrace tr = { count_step, NULL };
	struct decision d;

	decide_outbound(c, "sip:ceo@contoso.com", "5035550199", &d, &tr);
	ok(steps >= 5, "an outbound decision traces each step (%d)", steps);
}

/* The trace says what the message says: the standard reason phrases. */
static void
test_reasons(void)
{
	is_str(decide_reason(487), "Request Terminated", "487 is Request Terminated");
	is_str(decide_reason(404), "Not Found", "404 is Not Found");
	is_str(decide_reason(499), "Request Failed", "an unknown 4xx is Request Failed");
}

int
main(void)
{
	test_reasons();
	c = conf_load(tap_srcpath("etc/sipmed.conf"), NULL, NULL);
	if (!ok(c != NULL, "the sample configuration loads"))
		return tap_done();
	test_inbound();
	test_outbound();
	test_trace();
	conf_unref(c);
	return tap_done();
}
