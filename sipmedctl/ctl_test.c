/*
 * ctl_test: sipmedctl's offline test commands, Lync's Test-CsDialPlan,
 * Test-CsTrunkConfiguration and Test-CsVoiceUser for sipmed. Each prints
 * a fixed set of lines (stable for scripts) or, with --json, one object.
 * They only format: every decision comes from ruleset.c and decide.c.
 */
#include <stdio.h>
#include <string.h>

#include "call_decide.h"
#include "ctl.h"
#include "decide.h"
#include "json.h"
#include "number.h"

static int
unknown(const char *what, const char *name)
{
	fprintf(stderr, "sipmedctl: no %s is named \"%s\"\n", what, name);
	return 2;
}

static const char *
rule_or_null(const struct rule *r)
{
	return r ? rule_name(r) : NULL;
}

int
ctl_test_dialplan(struct ctl *ctl, int argc, char **argv)
{
	const struct dial_plan *dp = conf_dial_plan(ctl_conf(ctl), argv[0]);
	const struct rule *r = NULL;
	char out[RULE_OUT_MAX];
	struct json j;
	int rc;

	if (dp == NULL)
		return unknown("dial plan", argv[0]);
	/*
	 * What a call could never carry to the rules is refused here as live
	 * (400 Invalid Called Number): a control character, a space, a byte
	 * outside ASCII (a Unicode digit is no digit to sipmed), over 64.
	 */
	if (!number_is_sane(argv[1])) {
		fprintf(stderr, "sipmedctl: \"%s\" is not a number sipmed takes (1 to %d "
		    "printable ASCII characters, no space): a call with it gets 400 Invalid "
		    "Called Number\n", argv[1], NUMBER_INPUT_MAX);
		return 2;
	}
	/* Like Test-CsDialPlan: the rules as written, even on a +number. */
	rc = ruleset_apply(dp->rules, argv[1], strlen(argv[1]), out, sizeof(out), &r);
	if (rc == -1) {
		fprintf(stderr, "sipmedctl: the translation of %s is longer than %d characters\n",
		    argv[1], RULE_OUT_MAX - 1);
		return 2;
	}
	if (ctl->json) {
		json_begin(&j, stdout);
		json_str(&j, "dial_plan", dp->name);
		json_str(&j, "number", argv[1]);
		json_bool(&j, "matched", rc == 1);
		json_str(&j, "translated", rc == 1 ? out : NULL);
		json_str(&j, "rule", rule_or_null(r));
		json_end(&j);
	} else if (rc == 1)
		printf("%s\n%s\n", out, rule_name(r));
	return rc == 1 ? 0 : 1;
}

int
ctl_test_trunk(struct ctl *ctl, int argc, char **argv)
{
	const struct trunk *t = conf_trunk(ctl_conf(ctl), argv[0]);
	const char *calling = argc > 2 ? argv[2] : NULL;
	struct trunk_numbers tn;
	struct json j;

	if (t == NULL)
		return unknown("trunk", argv[0]);
	if (decide_trunk_numbers(t, NULL, argv[1], calling, &tn, ctl_dtrace(ctl)) == -1) {
		fprintf(stderr, "sipmedctl: a translated number is too long\n");
		return 2;
	}
	if (ctl->json) {
		json_begin(&j, stdout);
		json_str(&j, "trunk", t->name);
		json_str(&j, "called", tn.called);
		json_str(&j, "called_rule", rule_or_null(tn.called_rule));
		json_str(&j, "calling", calling ? tn.calling : NULL);
		json_str(&j, "calling_rule", rule_or_null(tn.calling_rule));
		json_end(&j);
		return 0;
	}
	printf("%s\n", tn.called);
	if (calling != NULL)
		printf("%s\n", tn.calling);
	return 0;
}

static void
json_rejection(struct json *j, const struct decision *d)
{
	json_uint(j, "status", d->kind == DECISION_REJECT ? d->status : 0);
	json_str(j, "reason", d->kind == DECISION_REJECT ? d->reason : NULL);
	json_str(j, "ms_diagnostics", d->diagnostics[0] ? d->diagnostics : NULL);
}

static const char *
outcome_name(enum decision_kind k)
{
	switch (k) {
	case DECISION_USER: return "user";
	case DECISION_TARGET: return "target";
	case DECISION_PSTN: return "pstn";
	case DECISION_REJECT: break;
	}
	return "reject";
}

/*
 * The numbers each candidate trunk would be sent, in the order a call
 * tries them (when every trunk is up: round robin then rotates the trunks
 * of one route from call to call, and a trunk found down goes last).
 * asserted: the caller's number is asserted (a configured user's is).
 * Returns how many it computed.
 */
static size_t
attempts(struct ctl *ctl, const struct decision *d, bool asserted, struct call_attempt *at)
{
	size_t n = 0;

	struct call_caller who = { d->calling, false, asserted, d->redirecting, d->behalf,
	    d->emergency ? d->location->elin : NULL };

	while (n < d->nchoices && call_attempt(ctl_conf(ctl), &d->choices[n], NULL, d->called,
	    &who, &at[n], ctl_dtrace(ctl)) == 0)
		n++;
	return n;
}

static void
json_attempts(struct json *j, const struct decision *d, const struct call_attempt *at,
    size_t n)
{
	json_array_begin(j, "trunks");
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(j);
		json_str(j, "usage", d->choices[i].usage);
		json_str(j, "route", d->choices[i].route->name);
		json_str(j, "trunk", d->choices[i].trunk->name);
		json_str(j, "called", at[i].numbers.called);
		json_str(j, "calling", at[i].numbers.calling);
		json_str(j, "request_uri", at[i].ruri);
		json_str(j, "from", at[i].from);
		json_str(j, "pai", at[i].pai[0] ? at[i].pai : NULL);
		json_str(j, "diversion", at[i].diversion[0] ? at[i].diversion : NULL);
		json_obj_end(j);
	}
	json_array_end(j);
	json_str(j, "route", n ? d->choices[0].route->name : NULL);
	json_str(j, "trunk", n ? d->choices[0].trunk->name : NULL);
}

/* route, trunk, called and calling number of each attempt, a line each */
static void
print_attempts(const struct decision *d, const struct call_attempt *at, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s\n%s\n%s\n%s\n", d->choices[i].route->name, d->choices[i].trunk->name,
		    at[i].numbers.called, at[i].numbers.calling);
	if (d->kind == DECISION_PSTN && n == 0)	/* a translation too long */
		printf("500 %s\n", decide_reason(500));
}

/* The exit status of a decision: a call that cannot go on is 1. */
static int
decision_rc(const struct decision *d, size_t n)
{
	if (d->kind == DECISION_PSTN && n == 0)
		return 1;
	return d->kind == DECISION_REJECT ? 1 : 0;
}

/*
 * Like Lync's inbound call handling and Test-CsInterTrunkRouting: a call
 * to a user, an unassigned range's target, a refusal, or, through the
 * trunk's own PSTN usages, out through another trunk.
 */
int
ctl_test_inbound(struct ctl *ctl, int argc, char **argv)
{
	const struct conf *c = ctl_conf_users(ctl);
	const struct trunk *t = conf_trunk(c, argv[0]);
	const char *calling = argc > 2 ? argv[2] : NULL;
	struct call_attempt at[ROUTE_CHOICES_MAX];
	struct decision d;
	struct json j;
	size_t n;

	if (t == NULL)
		return unknown("trunk", argv[0]);
	decide_inbound(c, t, argv[1], calling, &d, ctl_dtrace(ctl));
	/* a trunk's caller is asserted when the trunk's PAI is believed */
	n = attempts(ctl, &d, t->forward_pai, at);
	if (ctl->json) {
		json_begin(&j, stdout);
		json_str(&j, "trunk", t->name);
		json_str(&j, "dial_plan", d.plan ? d.plan->name : NULL);
		json_str(&j, "rule", rule_or_null(d.rule));
		json_str(&j, "called", d.called[0] ? d.called : argv[1]);
		json_str(&j, "calling", calling ? d.calling : NULL);
		json_str(&j, "outcome", outcome_name(d.kind));
		json_str(&j, "target", d.target);
		json_str(&j, "unassigned_range", d.range ? d.range->name : NULL);
		if (d.kind == DECISION_PSTN)
			json_attempts(&j, &d, at, n);
		json_rejection(&j, &d);
		json_end(&j);
	} else {
		printf("%s\n", d.called[0] ? d.called : argv[1]);
		if (d.kind == DECISION_REJECT)
			printf("%u %s\n", d.status, d.reason);
		else if (d.kind == DECISION_PSTN)
			print_attempts(&d, at, n);
		else
			printf("%s\n", d.target);
		if (calling != NULL)
			printf("%s\n", d.calling[0] ? d.calling : calling);
	}
	return decision_rc(&d, n);
}

/* forwarding, simul-ring, team-call, delegation, transfer */
int
ctl_behalf_reason(const char *s, enum behalf_reason *rp)
{
	static const char *names[] = { "", "forwarding", "simul-ring", "team-call",
	    "delegation", "transfer" };

	for (int i = 1; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(s, names[i]) == 0) {
			*rp = (enum behalf_reason)i;
			return 0;
		}
	fprintf(stderr, "sipmedctl: the reason is forwarding, simul-ring, team-call, "
	    "delegation or transfer, not \"%s\"\n", s);
	return -1;
}

void
ctl_caller_number(const char *uri, char *out, size_t outlen)
{
	const char *s = strncmp(uri, "tel:", 4) == 0 ? uri + 4 :
	    strncmp(uri, "sip:", 4) == 0 ? uri + 4 : uri;
	size_t n = strcspn(s, "@;");

	if (n == 0 || n >= outlen || strspn(s + (s[0] == '+'), "0123456789") !=
	    n - (s[0] == '+')) {
		out[0] = '\0';
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * Like Test-CsVoiceUser; with a third argument, a call from the pool by a
 * caller who is no user (a PSTN caller forwarded), placed for the user
 * that argument names, for the reason the fourth gives (forwarding).
 */
int
ctl_test_outbound(struct ctl *ctl, int argc, char **argv)
{
	struct call_attempt at[ROUTE_CHOICES_MAX];
	struct behalf ob = { argc > 2 ? argv[2] : NULL, BEHALF_FORWARDING, "the command line" };
	char number[128];
	struct decision d;
	struct json j;
	size_t n;

	if (argc > 3 && ctl_behalf_reason(argv[3], &ob.reason) == -1)
		return 2;
	ctl_caller_number(argv[0], number, sizeof(number));
	decide_outbound_behalf(ctl_conf_users(ctl), argv[0], number, argc > 2 ? &ob : NULL,
	    argv[1], &d, ctl_dtrace(ctl));
	/* the caller is a configured user: its number is asserted */
	n = attempts(ctl, &d, true, at);
	if (ctl->json) {
		json_begin(&j, stdout);
		json_str(&j, "caller", d.behalf ? argv[0] : d.caller ? d.caller->uri : NULL);
		json_str(&j, "placed_for", d.behalf ? d.caller->uri : NULL);
		json_str(&j, "because", d.behalf ? decide_behalf_name(d.behalf) : NULL);
		json_str(&j, "emergency", d.emergency ? d.location->name : NULL);
		json_str(&j, "dialed", argv[1]);
		json_str(&j, "dial_plan", d.plan ? d.plan->name : NULL);
		json_str(&j, "rule", rule_or_null(d.rule));
		json_str(&j, "normalized", d.called[0] ? d.called : argv[1]);
		json_str(&j, "outcome", outcome_name(d.kind));
		json_str(&j, "target", d.target);
		json_attempts(&j, &d, at, n);
		json_str(&j, "called", n ? at[0].numbers.called : NULL);
		json_str(&j, "calling", n ? at[0].numbers.calling : NULL);
		json_rejection(&j, &d);
		json_end(&j);
		return decision_rc(&d, n);
	}
	printf("%s\n", d.called[0] ? d.called : argv[1]);
	print_attempts(&d, at, n);
	if (d.kind == DECISION_USER)
		printf("internal\n%s\n", d.target);
	else if (d.kind == DECISION_REJECT)
		printf("%u %s\n", d.status, d.reason);
	/* last, so that the lines before keep their places */
	if (d.behalf != BEHALF_NONE)
		printf("for %s (%s)\n", d.caller->uri, decide_behalf_name(d.behalf));
	if (d.emergency)
		printf("emergency (location policy %s)\n", d.location->name);
	return decision_rc(&d, n);
}
