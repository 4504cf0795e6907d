/*
 * ctl_cases: "sipmedctl test-cases FILE", regression cases kept beside the
 * configuration, in the spirit of Lync's New-CsVoiceTestConfiguration /
 * Test-CsVoiceTestConfiguration. FILE is libconfig:
 *
 *   cases = (
 *     { name = "4-digit DID"; kind = "dialplan"; dial_plan = "PortlandGateway";
 *       number = "1234"; expect = "+15033121234"; expect_rule = "4digit"; },
 *     { name = "no match"; kind = "dialplan"; dial_plan = "PortlandGateway";
 *       number = "12"; expect = ""; },            # "" = no rule may match
 *     { name = "CEO"; kind = "outbound"; user = "sip:ceo@contoso.com";
 *       dialed = "5035550199"; expect_normalized = "+15035550199";
 *       expect_route = "Portland"; expect_trunk = "portland-gw";
 *       expect_called = "15035550199"; expect_calling = "9992349000"; },
 *   );
 *
 * kinds and their settings (every expect_* is optional; a case checks
 * what it names):
 *   dialplan  dial_plan number                expect expect_rule
 *   trunk     trunk called [calling]          expect_called expect_calling
 *   inbound   trunk called [calling]          expect_called expect_calling
 *                                             expect_target expect_status
 *                                             expect_route expect_trunk
 *                                             expect_usage (inter-trunk)
 *   outbound  user dialed [for [reason]]      expect_normalized expect_route
 *                                             expect_trunk expect_usage
 *                                             expect_called expect_calling
 *                                             expect_target expect_status
 * Each case prints PASS or FAIL (with what differed); the last line
 * counts them. Exit 0 when all pass, 1 when any fails, 2 on a bad file.
 */
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "decide.h"

struct kase {
	const config_setting_t *s;
	const char *name;
	int failures;
};

static const char *const common_keys[] = { "name", "kind", NULL };
static const char *const dialplan_keys[] = { "dial_plan", "number", "expect",
	"expect_rule", NULL };
static const char *const trunk_keys[] = { "trunk", "called", "calling", "expect_called",
	"expect_calling", NULL };
static const char *const inbound_keys[] = { "trunk", "called", "calling", "expect_called",
	"expect_calling", "expect_target", "expect_status", "expect_route", "expect_trunk",
	"expect_usage", NULL };
static const char *const outbound_keys[] = { "user", "dialed", "for", "reason",
	"expect_normalized",
	"expect_route", "expect_trunk", "expect_usage", "expect_called", "expect_calling",
	"expect_target", "expect_status", NULL };

static bool
in_list(const char *const *l, const char *k)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, k) == 0)
			return true;
	return false;
}

/* Reports a problem with the case file itself. */
static int
bad(const config_setting_t *s, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s:%u: ", config_setting_source_file(s), config_setting_source_line(s));
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

static int
check_keys(const config_setting_t *s, const char *name, const char *const *keys)
{
	int errors = 0;

	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (!in_list(common_keys, config_setting_name(e)) &&
		    !in_list(keys, config_setting_name(e)))
			errors += bad(e, "case \"%s\": unknown setting \"%s\"", name,
			    config_setting_name(e));
	}
	return errors;
}

static const char *
get(const struct kase *k, const char *key)
{
	const char *v = NULL;

	config_setting_lookup_string(k->s, key, &v);
	return v;
}

static void
expect(struct kase *k, const char *key, const char *got)
{
	const char *want = get(k, key);

	if (want == NULL)
		return;
	if (got == NULL)
		got = "";
	if (strcmp(want, got) != 0) {
		if (k->failures++ == 0)
			printf("FAIL %s\n", k->name);
		printf("  %s: expected \"%s\", got \"%s\"\n", key, want, got);
	}
}

static void
expect_status(struct kase *k, const struct decision *d)
{
	int want;
	char got[16];

	if (config_setting_lookup_int(k->s, "expect_status", &want) != CONFIG_TRUE)
		return;
	snprintf(got, sizeof(got), "%u", d->kind == DECISION_REJECT ? d->status : 0);
	if ((unsigned)want != (d->kind == DECISION_REJECT ? d->status : 0)) {
		if (k->failures++ == 0)
			printf("FAIL %s\n", k->name);
		printf("  expect_status: expected %d, got %s\n", want, got);
	}
}

static int
need(const struct kase *k, const char *key, const char **vp)
{
	*vp = get(k, key);
	if (*vp == NULL)
		return bad(k->s, "case \"%s\": missing string setting \"%s\"", k->name, key);
	return 0;
}

static int
run_dialplan(struct ctl *ctl, struct kase *k)
{
	const char *plan, *number;
	const struct dial_plan *dp;
	const struct rule *r = NULL;
	char out[RULE_OUT_MAX];

	if (need(k, "dial_plan", &plan) + need(k, "number", &number) > 0)
		return -1;
	if ((dp = conf_dial_plan(ctl->conf, plan)) == NULL)
		return bad(k->s, "case \"%s\": no dial plan is named \"%s\"", k->name, plan) * -1;
	if (ruleset_apply(dp->rules, number, strlen(number), out, sizeof(out), &r) != 1)
		out[0] = '\0';
	expect(k, "expect", out);
	expect(k, "expect_rule", r ? rule_name(r) : "");
	return 0;
}

static int
run_trunk(struct ctl *ctl, struct kase *k)
{
	const char *name, *called, *calling = get(k, "calling");
	const struct trunk *t;
	struct trunk_numbers tn;

	if (need(k, "trunk", &name) + need(k, "called", &called) > 0)
		return -1;
	if ((t = conf_trunk(ctl->conf, name)) == NULL)
		return bad(k->s, "case \"%s\": no trunk is named \"%s\"", k->name, name) * -1;
	if (decide_trunk_numbers(t, NULL, called, calling, &tn, ctl_dtrace(ctl)) == -1)
		tn.called[0] = tn.calling[0] = '\0';
	expect(k, "expect_called", tn.called);
	expect(k, "expect_calling", tn.calling);
	return 0;
}

static int
run_inbound(struct ctl *ctl, struct kase *k)
{
	const char *name, *called, *calling = get(k, "calling");
	const struct trunk *t;
	struct decision d;
	bool pstn;

	if (need(k, "trunk", &name) + need(k, "called", &called) > 0)
		return -1;
	if ((t = conf_trunk(ctl->conf, name)) == NULL)
		return bad(k->s, "case \"%s\": no trunk is named \"%s\"", k->name, name) * -1;
	decide_inbound(ctl->conf, t, called, calling, &d, ctl_dtrace(ctl));
	pstn = d.kind == DECISION_PSTN;
	expect(k, "expect_called", d.called);
	expect(k, "expect_calling", d.calling);
	expect(k, "expect_target", d.target);
	/* inter-trunk routing: out through another trunk */
	expect(k, "expect_route", pstn ? d.choices[0].route->name : NULL);
	expect(k, "expect_trunk", pstn ? d.choices[0].trunk->name : NULL);
	expect(k, "expect_usage", pstn ? d.choices[0].usage : NULL);
	expect_status(k, &d);
	return 0;
}

static int
run_outbound(struct ctl *ctl, struct kase *k)
{
	const char *user, *dialed;
	struct behalf ob = { NULL, BEHALF_FORWARDING, "the case" };
	char number[128];
	struct trunk_numbers tn;
	struct decision d;
	bool pstn;

	if (need(k, "user", &user) + need(k, "dialed", &dialed) > 0)
		return -1;
	ob.party = get(k, "for");
	if (get(k, "reason") != NULL && ctl_behalf_reason(get(k, "reason"), &ob.reason) == -1)
		return bad(k->s, "case \"%s\": reason \"%s\" is not one sipmed knows", k->name,
		    get(k, "reason")) * -1;
	/* a caller who is no user shows the number in its URI, as test-outbound */
	ctl_caller_number(user, number, sizeof(number));
	decide_outbound_behalf(ctl->conf, user, number, ob.party ? &ob : NULL, dialed, &d,
	    ctl_dtrace(ctl));
	pstn = d.kind == DECISION_PSTN && decide_attempt(&d, 0, &tn, ctl_dtrace(ctl)) == 0;
	expect(k, "expect_normalized", d.called);
	expect(k, "expect_route", pstn ? d.choices[0].route->name : NULL);
	expect(k, "expect_trunk", pstn ? d.choices[0].trunk->name : NULL);
	expect(k, "expect_usage", pstn ? d.choices[0].usage : NULL);
	expect(k, "expect_called", pstn ? tn.called : NULL);
	expect(k, "expect_calling", pstn ? tn.calling : NULL);
	expect(k, "expect_target", d.target);
	expect_status(k, &d);
	return 0;
}

static const struct {
	const char *kind;
	const char *const *keys;
	int (*run)(struct ctl *, struct kase *);
} kinds[] = {
	{ "dialplan", dialplan_keys, run_dialplan },
	{ "trunk", trunk_keys, run_trunk },
	{ "inbound", inbound_keys, run_inbound },
	{ "outbound", outbound_keys, run_outbound },
};

/* Runs one case. Returns 1 passed, 0 failed, -1 when the case is malformed. */
static int
run_case(struct ctl *ctl, const config_setting_t *s)
{
	struct kase k = { s, NULL, 0 };
	const char *kind = NULL;

	if (!config_setting_is_group(s))
		return bad(s, "a case must be a group { ... }%s%s", "", "") * -1;
	if (config_setting_lookup_string(s, "name", &k.name) != CONFIG_TRUE)
		return bad(s, "a case needs a name = \"...\"%s%s", "", "") * -1;
	config_setting_lookup_string(s, "kind", &kind);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kind == NULL || strcmp(kinds[i].kind, kind) != 0)
			continue;
		if (check_keys(s, k.name, kinds[i].keys) > 0 || kinds[i].run(ctl, &k) == -1)
			return -1;
		if (k.failures == 0)
			printf("PASS %s\n", k.name);
		return k.failures == 0;
	}
	return bad(s, "case \"%s\": kind must be dialplan, trunk, inbound or outbound "
	    "(got \"%s\")", k.name, kind ? kind : "") * -1;
}

int
ctl_test_cases(struct ctl *ctl, int argc, char **argv)
{
	config_t cfg;
	const config_setting_t *cases;
	int passed = 0, failed = 0, malformed = 0;

	ctl_conf_users(ctl);
	config_init(&cfg);
	if (config_read_file(&cfg, argv[0]) != CONFIG_TRUE) {
		if (config_error_file(&cfg) == NULL)
			fprintf(stderr, "%s: cannot read the file\n", argv[0]);
		else
			fprintf(stderr, "%s:%d: syntax error: %s\n", config_error_file(&cfg),
			    config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return 2;
	}
	cases = config_lookup(&cfg, "cases");
	if (cases == NULL || !config_setting_is_list(cases)) {
		fprintf(stderr, "%s: needs cases = ( { ... }, ... );\n", argv[0]);
		config_destroy(&cfg);
		return 2;
	}
	for (int i = 0; i < config_setting_length(cases); i++) {
		int rc = run_case(ctl, config_setting_get_elem(cases, (unsigned)i));

		if (rc < 0)
			malformed++;
		else if (rc == 1)
			passed++;
		else
			failed++;
	}
	config_destroy(&cfg);
	if (malformed > 0) {
		fprintf(stderr, "%s: %d malformed case%s\n", argv[0], malformed,
		    malformed == 1 ? "" : "s");
		return 2;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0 ? 1 : 0;
}
