/*
 * lync_voice: the voice routing cmdlets of import-lync: dial plans and
 * their normalization rules (Lync's placeholder rule included), PSTN
 * usages, voice routes in Lync's priority order, voice policies and
 * Teams' online voice routing policies.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lync_priv.h"

/* dial plans */

struct lync_plan *
lync_plan_find(struct lync *l, const char *scope)
{
	for (size_t i = 0; scope != NULL && i < l->nplans; i++)
		if (strcasecmp(l->plans[i]->id, scope) == 0)
			return l->plans[i];
	return NULL;
}

static struct lync_rule *
placeholder(struct lync *l, const struct lync_src *src, const char *name,
    const char *pattern, const char *translation)
{
	struct lync_rule *r = su_zalloc(l->home, sizeof(*r));

	if (r != NULL)
		*r = (struct lync_rule){ name, pattern, translation, NULL, false, *src };
	return r;
}

/*
 * The Global plan exists before any script runs. Lync's documentation
 * does not show its rules; as the reference suggests, it keeps the digits
 * as dialed ("Keep All"), so a number no other rule takes is unchanged.
 */
struct lync_plan *
lync_plan_global(struct lync *l, const struct lync_src *src)
{
	struct lync_plan *p = lync_plan_find(l, "Global");

	if (p != NULL)
		return p;
	p = su_zalloc(l->home, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->id = "Global";
	p->src = *src;
	lync_rules_insert(l, &p->rules, placeholder(l, src, "Keep All", "^(\\d+)$", "$1"),
	    LYNC_UNSET);
	PUSH(l, plans, p);
	return p;
}

static void
plan_fields(struct lync *l, struct lync_plan *p, const struct ps_cmd *c)
{
	int opt = lync_pbool(l, c, "OptimizeDeviceDialing");
	const char *pfx = lync_pstr(c, "ExternalAccessPrefix");
	struct lync_src src = lync_src_of(c);

	if (lync_has(c, "Description"))
		p->description = lync_pstr(c, "Description");
	if (pfx != NULL) {
		if (strlen(pfx) < 1 || strlen(pfx) > 4 || strspn(pfx, "0123456789#*") != strlen(pfx))
			lync_warn(l, &src, "%s -ExternalAccessPrefix \"%s\" is not 1 to 4 of 0-9, # "
			    "and *: skipped", c->name, pfx);
		else
			p->prefix = pfx;
	}
	if (opt != LYNC_UNSET)
		p->optimize = opt;
	/* Lync's default prefix is 9: it only acts with OptimizeDeviceDialing */
	if (p->optimize && p->prefix == NULL)
		p->prefix = "9";
	lync_prules(l, c, "NormalizationRules", RULE_NORM, &p->rules);
}

static const char *const plan_params[] = { "Identity", "SimpleName", "ExternalAccessPrefix",
	"OptimizeDeviceDialing", "NormalizationRules", NULL };

static void
new_plan(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_plan *p;

	lync_check_params(l, c, plan_params, NULL);
	if (scope == NULL) {
		lync_warn(l, &src, "%s: no -Identity: skipped", c->name);
		return;
	}
	if (lync_plan_find(l, scope) != NULL) {
		lync_warn(l, &src, "%s: dial plan %s exists already (Lync refuses this): skipped",
		    c->name, scope);
		return;
	}
	p = su_zalloc(l->home, sizeof(*p));
	if (p == NULL)
		return;
	p->id = scope;
	p->src = src;
	/* A new plan holds Lync's placeholder rule unless given rules. */
	if (!lync_has(c, "NormalizationRules"))
		lync_rules_insert(l, &p->rules, placeholder(l, &src, "Prefix All", "^(\\d{11})$",
		    "+$1"), LYNC_UNSET);
	plan_fields(l, p, c);
	PUSH(l, plans, p);
}

static void
set_plan(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_plan *p;

	lync_check_params(l, c, plan_params, NULL);
	if (scope == NULL)
		scope = "Global";
	p = lync_plan_find(l, scope);
	if (p == NULL) {
		lync_warn(l, &src, "%s: no dial plan %s (Lync refuses this): skipped", c->name,
		    scope);
		return;
	}
	plan_fields(l, p, c);
}

static void
remove_plan(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);

	for (size_t i = 0; scope != NULL && i < l->nplans; i++)
		if (strcasecmp(l->plans[i]->id, scope) == 0) {
			if (strcmp(scope, "Global") == 0) {
				/* Global cannot go: Lync resets it */
				l->plans[i]->rules.n = 0;
				return;
			}
			memmove(l->plans + i, l->plans + i + 1, (l->nplans - i - 1) *
			    sizeof(*l->plans));
			l->nplans--;
			return;
		}
	lync_warn(l, &src, "%s: no dial plan %s: skipped", c->name, scope ? scope : "?");
}

/* normalization rules */

static void
new_nrule(struct lync *l, struct ps_cmd *c)
{
	const char *scope, *name;
	struct lync_src src = lync_src_of(c);
	struct lync_plan *p;
	struct lync_rule *r;

	lync_check_params(l, c, lync_rule_params, NULL);
	if (lync_has(c, "InMemory") || !lync_rule_id(l, c, &scope, &name))
		return;		/* an -InMemory rule waits for its plan */
	p = lync_plan_find(l, scope);
	if (p == NULL) {
		lync_warn(l, &src, "%s: no dial plan %s for rule \"%s\" (Lync refuses a rule "
		    "before its plan): skipped", c->name, scope, name);
		return;
	}
	if (lync_rules_find(&p->rules, name) >= 0) {
		lync_warn(l, &src, "%s: dial plan %s has a rule \"%s\" already: skipped", c->name,
		    scope, name);
		return;
	}
	r = lync_rule_from(l, c, RULE_NORM, name);
	if (r != NULL)
		lync_rules_insert(l, &p->rules, r, lync_puint(l, c, "Priority", 2147483647));
}


void
lync_set_rule(struct lync *l, struct ps_cmd *c, enum rule_kind kind, bool remove)
{
	const char *scope, *name;
	struct lync_src src = lync_src_of(c);
	struct lync_rules *rs;
	int i, prio;

	lync_check_params(l, c, kind == RULE_NORM ? lync_rule_params : lync_trule_params, NULL);
	if (!lync_rule_id(l, c, &scope, &name))
		return;
	rs = lync_rule_list(l, scope, kind, false, &src);
	i = rs ? lync_rules_find(rs, name) : -1;
	if (i < 0) {
		lync_warn(l, &src, "%s: no rule %s/%s: skipped", c->name, scope, name);
		return;
	}
	if (remove) {
		lync_rules_take(rs, i);
		return;
	}
	lync_rule_set_fields(l, rs->v[i], c);
	prio = lync_puint(l, c, "Priority", 2147483647);
	if (prio != LYNC_UNSET)		/* moved: taken out, put in at prio */
		lync_rules_insert(l, rs, lync_rules_take(rs, i), prio);
}

static void set_nrule(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_NORM, false); }
static void remove_nrule(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_NORM, true); }

/* PSTN usages */

static void
set_usage(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "Usage", NULL };

	lync_check_params(l, c, params, NULL);
	lync_pstrs(l, c, "Usage", &l->usages);
}

/* voice routes */

static const char *const route_params[] = { "Identity", "Name", "NumberPattern",
	"PstnUsages", "PstnGatewayList", "OnlinePstnUsages", "OnlinePstnGatewayList",
	"Priority", "SuppressCallerId", "AlternateCallerId", NULL };

static int
route_find(struct lync *l, const char *name)
{
	for (size_t i = 0; name != NULL && i < l->nroutes; i++)
		if (strcasecmp(l->routes[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static void
route_fields(struct lync *l, struct lync_route *r, const struct ps_cmd *c)
{
	int sup = lync_pbool(l, c, "SuppressCallerId");

	if (lync_pstr(c, "NumberPattern") != NULL)
		r->pattern = lync_pstr(c, "NumberPattern");
	if (lync_has(c, "Description"))
		r->description = lync_pstr(c, "Description");
	lync_pstrs(l, c, "PstnUsages", &r->usages);
	lync_pstrs(l, c, "OnlinePstnUsages", &r->usages);
	lync_pgateways(l, c, "PstnGatewayList", &r->gateways);
	lync_pgateways(l, c, "OnlinePstnGatewayList", &r->gateways);
	if (sup != LYNC_UNSET)
		r->suppress = sup;
	if (lync_has(c, "AlternateCallerId"))
		r->alternate = lync_pstr(c, "AlternateCallerId");
	for (size_t i = 0; i < r->gateways.n; i++) {
		struct lync_gateway *g = lync_gateway_of(l, r->gateways.v[i], &r->src);

		/* a Teams route names online gateways */
		if (g != NULL && lync_has(c, "OnlinePstnGatewayList"))
			g->teams = true;
	}
}

/* Moves route i to priority prio, as Lync inserts and renumbers. */
static void
route_place(struct lync *l, int i, int prio)
{
	struct lync_route *r = l->routes[i];
	size_t at;

	memmove(l->routes + i, l->routes + i + 1, (l->nroutes - (size_t)i - 1) *
	    sizeof(*l->routes));
	at = (prio == LYNC_UNSET || (size_t)prio > l->nroutes - 1) ? l->nroutes - 1 :
	    (size_t)prio;
	memmove(l->routes + at + 1, l->routes + at, (l->nroutes - 1 - at) * sizeof(*l->routes));
	l->routes[at] = r;
}

static void
new_route(struct lync *l, struct ps_cmd *c)
{
	const char *name = lync_identity(l, c);
	struct lync_src src = lync_src_of(c);
	struct lync_route *r;

	lync_check_params(l, c, route_params, NULL);
	if (name == NULL)
		name = lync_pstr(c, "Name");
	if (name == NULL || route_find(l, name) >= 0) {
		lync_warn(l, &src, "%s: %s: skipped", c->name, name ? "the route exists already" :
		    "no -Identity");
		return;
	}
	r = su_zalloc(l->home, sizeof(*r));
	if (r == NULL)
		return;
	r->name = name;
	r->pattern = "[0-9]{10}";	/* Lync's default NumberPattern */
	r->src = src;
	route_fields(l, r, c);
	PUSH(l, routes, r);
	route_place(l, (int)l->nroutes - 1, lync_puint(l, c, "Priority", 2147483647));
}

static void
set_route(struct lync *l, struct ps_cmd *c)
{
	struct lync_src src = lync_src_of(c);
	int i = route_find(l, lync_identity(l, c)), prio;

	lync_check_params(l, c, route_params, NULL);
	if (i < 0) {
		lync_warn(l, &src, "%s: no route \"%s\": skipped", c->name,
		    lync_identity(l, c) ? lync_identity(l, c) : "?");
		return;
	}
	route_fields(l, l->routes[i], c);
	prio = lync_puint(l, c, "Priority", 2147483647);
	if (prio != LYNC_UNSET)
		route_place(l, i, prio);
}

static void
remove_route(struct lync *l, struct ps_cmd *c)
{
	struct lync_src src = lync_src_of(c);
	int i = route_find(l, lync_identity(l, c));

	if (i < 0) {
		lync_warn(l, &src, "%s: no route \"%s\": skipped", c->name,
		    lync_identity(l, c) ? lync_identity(l, c) : "?");
		return;
	}
	memmove(l->routes + i, l->routes + i + 1, (l->nroutes - (size_t)i - 1) *
	    sizeof(*l->routes));
	l->nroutes--;
}

/* voice policies (and Teams' online voice routing policies) */

static const char *const policy_params[] = { "Identity", "PstnUsages", "OnlinePstnUsages",
	"AllowCallForwarding", "AllowSimulRing", "EnableDelegation", "EnableTeamCall",
	"EnableCallTransfer", "AllowPSTNReRouting", "PreventPSTNTollBypass",
	"CallForwardingSimulRingUsageType", "CustomCallForwardingSimulRingUsages",
	"Name", NULL };

static struct lync_policy *
policy_find(struct lync *l, const char *scope)
{
	for (size_t i = 0; scope != NULL && i < l->npolicies; i++)
		if (strcasecmp(l->policies[i]->id, scope) == 0)
			return l->policies[i];
	return NULL;
}

static struct lync_policy *
policy_new(struct lync *l, const char *scope, const struct lync_src *src)
{
	struct lync_policy *p = su_zalloc(l->home, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->id = scope;
	p->src = *src;
	for (size_t i = 0; i < LYNC_SWITCHES; i++)
		p->sw[i] = LYNC_UNSET;
	PUSH(l, policies, p);
	return p;
}

static void
policy_fields(struct lync *l, struct lync_policy *p, const struct ps_cmd *c)
{
	static const char *types[] = { "VoicePolicyUsage", "InternalOnly", "CustomUsage", NULL };
	const char *t = lync_pstr(c, "CallForwardingSimulRingUsageType");
	struct lync_src src = lync_src_of(c);

	lync_pstrs(l, c, "PstnUsages", &p->usages);
	lync_pstrs(l, c, "OnlinePstnUsages", &p->usages);
	lync_pstrs(l, c, "CustomCallForwardingSimulRingUsages", &p->fwd_usages);
	for (size_t i = 0; i < LYNC_SWITCHES; i++) {
		int v = lync_pbool(l, c, lync_switch_names[i]);

		if (v != LYNC_UNSET)
			p->sw[i] = v;
	}
	if (lync_has(c, "Description"))
		p->description = lync_pstr(c, "Description");
	if (t == NULL)
		return;
	for (size_t i = 0; types[i] != NULL; i++)
		if (strcasecmp(t, types[i]) == 0) {
			p->fwd_type = types[i];
			return;
		}
	lync_warn(l, &src, "%s -CallForwardingSimulRingUsageType \"%s\" is not %s, %s or %s: "
	    "skipped", c->name, t, types[0], types[1], types[2]);
}

static void
new_policy(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_policy *p;

	lync_check_params(l, c, policy_params, NULL);
	if (scope == NULL || (policy_find(l, scope) != NULL && strcmp(scope, "Global") != 0)) {
		lync_warn(l, &src, "%s: %s: skipped", c->name, scope ? "the policy exists already" :
		    "no -Identity");
		return;
	}
	p = policy_find(l, scope);
	if (p == NULL)
		p = policy_new(l, scope, &src);
	if (p != NULL)
		policy_fields(l, p, c);
}

static void
set_policy(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_policy *p;

	lync_check_params(l, c, policy_params, NULL);
	if (scope == NULL)
		scope = "Global";
	p = policy_find(l, scope);
	if (p == NULL && strcmp(scope, "Global") == 0)
		p = policy_new(l, scope, &src);		/* Global always exists */
	if (p == NULL) {
		lync_warn(l, &src, "%s: no voice policy %s: skipped", c->name, scope);
		return;
	}
	policy_fields(l, p, c);
}

static void
remove_policy(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);

	for (size_t i = 0; scope != NULL && i < l->npolicies; i++)
		if (strcasecmp(l->policies[i]->id, scope) == 0) {
			memmove(l->policies + i, l->policies + i + 1, (l->npolicies - i - 1) *
			    sizeof(*l->policies));
			l->npolicies--;
			return;
		}
	lync_warn(l, &src, "%s: no voice policy %s: skipped", c->name, scope ? scope : "?");
}

const struct lync_handler lync_voice_handlers[] = {
	{ "New-CsDialPlan", new_plan },
	{ "Set-CsDialPlan", set_plan },
	{ "Remove-CsDialPlan", remove_plan },
	{ "New-CsTenantDialPlan", new_plan },
	{ "Set-CsTenantDialPlan", set_plan },
	{ "Remove-CsTenantDialPlan", remove_plan },
	{ "New-CsVoiceNormalizationRule", new_nrule },
	{ "Set-CsVoiceNormalizationRule", set_nrule },
	{ "Remove-CsVoiceNormalizationRule", remove_nrule },
	{ "Set-CsPstnUsage", set_usage },
	{ "Set-CsOnlinePstnUsage", set_usage },
	{ "New-CsOnlinePstnUsage", set_usage },
	{ "New-CsVoiceRoute", new_route },
	{ "Set-CsVoiceRoute", set_route },
	{ "Remove-CsVoiceRoute", remove_route },
	{ "New-CsOnlineVoiceRoute", new_route },
	{ "Set-CsOnlineVoiceRoute", set_route },
	{ "Remove-CsOnlineVoiceRoute", remove_route },
	{ "New-CsVoicePolicy", new_policy },
	{ "Set-CsVoicePolicy", set_policy },
	{ "Remove-CsVoicePolicy", remove_policy },
	{ "New-CsOnlineVoiceRoutingPolicy", new_policy },
	{ "Set-CsOnlineVoiceRoutingPolicy", set_policy },
	{ "Remove-CsOnlineVoiceRoutingPolicy", remove_policy },
	{ NULL, NULL }
};
