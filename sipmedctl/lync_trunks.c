/*
 * lync_trunks: the trunk cmdlets of import-lync: gateways as routes and
 * trunk configurations name them, trunk configurations at each scope with
 * their called- and calling-number and response code rules, and Teams'
 * SBCs with their translation rules.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lync_priv.h"

/* gateways */

struct lync_gateway *
lync_gateway_of(struct lync *l, const char *name, const struct lync_src *src)
{
	struct lync_gateway *g;

	for (size_t i = 0; i < l->ngateways; i++)
		if (strcasecmp(l->gateways[i]->name, name) == 0)
			return l->gateways[i];
	g = su_zalloc(l->home, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->name = su_strdup(l->home, name);
	g->site = lync_site_of(l, name);
	g->max_calls = g->failover = g->options = LYNC_UNSET;
	g->src = *src;
	PUSH(l, gateways, g);
	return g;
}

/* "PstnGateway:gw.contoso.com" (Lync), "gw.contoso.com" (Teams) */
static const char *
gateway_name(struct lync *l, const char *v)
{
	const char *scope = lync_scope(l->home, v), *name;

	return lync_is_gateway(scope, &name) ? name : v;
}

static void
add_gateway_f(struct lync *l, struct lync_strs *s, const char *v)
{
	lync_strs_add(l, s, gateway_name(l, v));
}

static void
remove_gateway_f(struct lync *l, struct lync_strs *s, const char *v)
{
	lync_strs_remove(s, gateway_name(l, v));
}

/* -PstnGatewayList: a list replaces, @{add=...;remove=...} changes. */
void
lync_pgateways(struct lync *l, const struct ps_cmd *c, const char *param, struct lync_strs *s)
{
	struct ps_val *v = lync_pval(c, param);

	if (!lync_has(c, param))
		return;
	if (v == NULL || v->kind != PS_HASH) {
		s->n = 0;
		lync_each_str(l, c, v, add_gateway_f, s);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strcasecmp(v->k[i], "replace") == 0)
			s->n = 0;
		lync_each_str(l, c, v->v[i], strcasecmp(v->k[i], "remove") == 0 ? remove_gateway_f :
		    add_gateway_f, s);
	}
}

/* trunk configurations */

static struct lync_trunkcfg *
trunkcfg(struct lync *l, const char *scope, bool create, const struct lync_src *src)
{
	struct lync_trunkcfg *t;
	const char *gw;

	for (size_t i = 0; i < l->ntrunkcfgs; i++)
		if (strcasecmp(l->trunkcfgs[i]->id, scope) == 0)
			return l->trunkcfgs[i];
	if (!create)
		return NULL;
	t = su_zalloc(l->home, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->id = scope;
	t->src = *src;
	t->remove_plus = t->refer = t->pai = t->history = t->fast_failover =
	    t->session_timer = t->pidf_lo = t->max_early_dialogs = LYNC_UNSET;
	if (lync_is_gateway(scope, &gw))
		lync_gateway_of(l, gw, src);
	PUSH(l, trunkcfgs, t);
	return t;
}

struct lync_rules *
lync_rule_list(struct lync *l, const char *scope, enum rule_kind kind, bool create,
    const struct lync_src *src)
{
	struct lync_trunkcfg *t;
	struct lync_plan *p;

	if (kind == RULE_NORM)
		return (p = lync_plan_find(l, scope)) ? &p->rules : NULL;
	t = trunkcfg(l, scope, create, src);
	if (t == NULL)
		return NULL;
	return kind == RULE_CALLED ? &t->called : &t->calling;
}

/* What a trunk configuration setting means for sipmed, when nothing. */
static const char *const tc_media[] = { "SRTPMode", "EnableBypass", "ConcentratedTopology",
	"EnableRTPLatching", "RTCPActiveCalls", "RTCPCallsOnHold", "EnableSignalBoost",
	"EnableMediaEncryptionForSipOverTls", NULL };

static const char *const tc_params[] = { "Identity", "OutboundTranslationRulesList",
	"OutboundCallingNumberTranslationRulesList", "SipResponseCodeTranslationRulesList",
	"RemovePlusFromUri", "EnableReferSupport", "ForwardPAI", "ForwardCallHistory",
	"EnableFastFailoverTimer", "EnableSessionTimer", "MaxEarlyDialogs", "PstnUsages",
	"EnablePIDFLOSupport", "SRTPMode",
	"EnableBypass", "ConcentratedTopology", "EnableRTPLatching", "RTCPActiveCalls",
	"RTCPCallsOnHold", "EnableSignalBoost", "EnableMediaEncryptionForSipOverTls", NULL };

static void
tc_fields(struct lync *l, struct lync_trunkcfg *t, const struct ps_cmd *c)
{
	struct { const char *name; int *field; } bools[] = {
		{ "RemovePlusFromUri", &t->remove_plus }, { "EnableReferSupport", &t->refer },
		{ "ForwardPAI", &t->pai }, { "ForwardCallHistory", &t->history },
		{ "EnableFastFailoverTimer", &t->fast_failover },
		{ "EnableSessionTimer", &t->session_timer },
		{ "EnablePIDFLOSupport", &t->pidf_lo },
	};
	int med = lync_puint(l, c, "MaxEarlyDialogs", 1000);

	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		int v = lync_pbool(l, c, bools[i].name);

		if (v != LYNC_UNSET)
			*bools[i].field = v;
	}
	if (med != LYNC_UNSET)
		t->max_early_dialogs = med;
	if (lync_has(c, "Description"))
		t->description = lync_pstr(c, "Description");
	lync_pstrs(l, c, "PstnUsages", &t->usages);
	lync_prules(l, c, "OutboundTranslationRulesList", RULE_CALLED, &t->called);
	lync_prules(l, c, "OutboundCallingNumberTranslationRulesList", RULE_CALLING, &t->calling);
	for (size_t i = 0; tc_media[i] != NULL; i++)
		if (lync_has(c, tc_media[i])) {
			struct lync_src src = { c->file, ps_param(c, tc_media[i])->line };

			lync_warn(l, &src, "%s -%s: media settings are not imported (a trunk "
			    "bypasses media unless given media = \"anchor\" and srtp by hand): "
			    "skipped", c->name, tc_media[i]);
		}
	if (lync_has(c, "SipResponseCodeTranslationRulesList") &&
	    lync_pval(c, "SipResponseCodeTranslationRulesList") != NULL &&
	    lync_pval(c, "SipResponseCodeTranslationRulesList")->kind != PS_NULL) {
		struct lync_src src = lync_src_of(c);

		lync_warn(l, &src, "%s -SipResponseCodeTranslationRulesList: write the rules with "
		    "New-CsSipResponseCodeTranslationRule: skipped", c->name);
	}
}

/* Settings of a trunk configuration for what sipmed does not build yet. */
static const char *const tc_later[] = { "Enable3pccRefer", "EnableMobileTrunkSupport",
	"EnableOnlineVoice",
	"EnableLocationRestriction", "NetworkSiteID", "ForwardAnonymousCallGatewayPAI",
	"AcceptGatewayPAIForOutboundCalls", NULL };

static void
tc_check(struct lync *l, const struct ps_cmd *c)
{
	struct ps_cmd rest = *c;

	/* media settings are warned about by tc_fields, those below here */
	for (size_t i = 0; tc_later[i] != NULL; i++)
		if (lync_has(c, tc_later[i])) {
			struct lync_src src = { c->file, ps_param(c, tc_later[i])->line };

			lync_warn(l, &src, "%s -%s: sipmed has no 3pcc transfers, location-based "
			    "routing, mobile or online trunks yet: skipped", c->name, tc_later[i]);
		}
	rest.p = su_alloc(l->home, (c->np + 1) * sizeof(*rest.p));
	rest.np = 0;
	for (size_t i = 0; rest.p != NULL && i < c->np; i++) {
		bool known = false;

		for (size_t k = 0; tc_later[k] != NULL && !known; k++)
			known = strcasecmp(c->p[i].name, tc_later[k]) == 0;
		if (!known)
			rest.p[rest.np++] = c->p[i];
	}
	lync_check_params(l, &rest, tc_params, NULL);
}

static void
new_or_set_tc(struct lync *l, struct ps_cmd *c, bool create)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_trunkcfg *t;

	tc_check(l, c);
	if (scope == NULL)
		scope = "Global";
	t = trunkcfg(l, scope, create || strcmp(scope, "Global") == 0, &src);
	if (t == NULL) {
		lync_warn(l, &src, "%s: no trunk configuration %s: skipped", c->name, scope);
		return;
	}
	tc_fields(l, t, c);
}

static void new_tc(struct lync *l, struct ps_cmd *c) { new_or_set_tc(l, c, true); }
static void set_tc(struct lync *l, struct ps_cmd *c) { new_or_set_tc(l, c, false); }

static void
remove_tc(struct lync *l, struct ps_cmd *c)
{
	const char *scope = lync_scope(l->home, lync_identity(l, c));

	for (size_t i = 0; scope != NULL && i < l->ntrunkcfgs; i++)
		if (strcasecmp(l->trunkcfgs[i]->id, scope) == 0) {
			memmove(l->trunkcfgs + i, l->trunkcfgs + i + 1, (l->ntrunkcfgs - i - 1) *
			    sizeof(*l->trunkcfgs));
			l->ntrunkcfgs--;
			return;
		}
}

/* A New-CsOutbound...Rule: creates its trunk configuration if needed. */
static void
new_trule(struct lync *l, struct ps_cmd *c, enum rule_kind kind)
{
	const char *scope, *name;
	struct lync_src src = lync_src_of(c);
	struct lync_rules *rs;
	struct lync_rule *r;

	lync_check_params(l, c, lync_trule_params, NULL);
	if (lync_has(c, "InMemory") || !lync_rule_id(l, c, &scope, &name))
		return;
	rs = lync_rule_list(l, scope, kind, true, &src);
	if (rs == NULL)
		return;
	if (lync_rules_find(rs, name) >= 0) {
		lync_warn(l, &src, "%s: %s has a rule \"%s\" already: skipped", c->name, scope, name);
		return;
	}
	r = lync_rule_from(l, c, kind, name);
	if (r != NULL)
		lync_rules_insert(l, rs, r, lync_puint(l, c, "Priority", 2147483647));
}

static void new_otr(struct lync *l, struct ps_cmd *c) { new_trule(l, c, RULE_CALLED); }
static void set_otr(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_CALLED, false); }
static void remove_otr(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_CALLED, true); }
static void new_ocr(struct lync *l, struct ps_cmd *c) { new_trule(l, c, RULE_CALLING); }
static void set_ocr(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_CALLING, false); }
static void remove_ocr(struct lync *l, struct ps_cmd *c) { lync_set_rule(l, c, RULE_CALLING, true); }

static void
new_rc(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "Parent", "Name",
	    "ReceivedResponseCode", "ReceivedISUPCauseValue", "TranslatedResponseCode",
	    "Priority", NULL };
	const char *scope, *name;
	struct lync_src src = lync_src_of(c);
	struct lync_trunkcfg *t;
	struct lync_rc_rule *nv;
	int rx = lync_puint(l, c, "ReceivedResponseCode", 699);
	int tx = lync_puint(l, c, "TranslatedResponseCode", 699);
	int q = lync_puint(l, c, "ReceivedISUPCauseValue", 127);

	lync_check_params(l, c, params, NULL);
	if (lync_has(c, "InMemory") || !lync_rule_id(l, c, &scope, &name))
		return;
	if (rx < 400 || tx < 400) {
		lync_warn(l, &src, "%s: ReceivedResponseCode and TranslatedResponseCode must be "
		    "400 to 699: skipped", c->name);
		return;
	}
	t = trunkcfg(l, scope, true, &src);
	nv = t ? su_realloc(l->home, t->rc, (t->nrc + 1) * sizeof(*nv)) : NULL;
	if (nv == NULL)
		return;
	t->rc = nv;
	t->rc[t->nrc++] = (struct lync_rc_rule){ (unsigned)rx, (unsigned)tx, q, src };
}

/* Teams */

static void
new_teams_rule(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "Pattern", "Translation", NULL };
	const char *name = lync_identity(l, c);
	struct lync_rule *r;

	lync_check_params(l, c, params, NULL);
	if (name == NULL)
		return;
	for (size_t i = 0; i < l->nteams_rules; i++)
		if (strcasecmp(l->teams_rules[i]->name, name) == 0) {
			lync_rule_set_fields(l, l->teams_rules[i], c);
			return;
		}
	r = lync_rule_from(l, c, RULE_CALLED, name);
	if (r != NULL)
		PUSH(l, teams_rules, r);
}

/* A list of Teams translation rule names into rs. */
static void
teams_rules(struct lync *l, const struct ps_cmd *c, const char *param, struct lync_rules *rs)
{
	struct lync_strs names = { NULL, 0 };
	struct lync_src src = lync_src_of(c);

	if (!lync_has(c, param))
		return;
	lync_pstrs(l, c, param, &names);
	rs->n = 0;
	rs->set = true;
	for (size_t i = 0; i < names.n; i++) {
		size_t k;

		for (k = 0; k < l->nteams_rules; k++)
			if (strcasecmp(l->teams_rules[k]->name, names.v[i]) == 0)
				break;
		if (k == l->nteams_rules)
			lync_warn(l, &src, "%s -%s: no translation rule \"%s\": skipped", c->name,
			    param, names.v[i]);
		else
			lync_rules_insert(l, rs, l->teams_rules[k], LYNC_UNSET);
	}
}

static void
online_gateway(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "Fqdn", "SipSignalingPort",
	    "SipSignallingPort", "Enabled", "OutboundPstnNumberTranslationRules",
	    "OutboundTeamsNumberTranslationRules", "InboundTeamsNumberTranslationRules",
	    "InboundPstnNumberTranslationRules", "MaxConcurrentSessions", "ForwardPai",
	    "ForwardCallHistory", "FailoverTimeSeconds", "SendSipOptions", NULL };
	struct lync_src src = lync_src_of(c);
	const char *name = lync_pstr(c, "Fqdn") ? lync_pstr(c, "Fqdn") : lync_identity(l, c);
	int port = lync_puint(l, c, "SipSignalingPort", 65535), pai, hist;
	struct lync_gateway *g;
	struct lync_trunkcfg *t;
	struct lync_plan *p;

	lync_check_params(l, c, params, NULL);
	if (port == LYNC_UNSET)
		port = lync_puint(l, c, "SipSignallingPort", 65535);
	if (name == NULL || (g = lync_gateway_of(l, name, &src)) == NULL)
		return;
	g->teams = true;
	if (lync_puint(l, c, "MaxConcurrentSessions", 1000000) != LYNC_UNSET)
		g->max_calls = lync_puint(l, c, "MaxConcurrentSessions", 1000000);
	if (lync_puint(l, c, "FailoverTimeSeconds", 300) != LYNC_UNSET)
		g->failover = lync_puint(l, c, "FailoverTimeSeconds", 300);
	if (lync_pbool(l, c, "SendSipOptions") != LYNC_UNSET)
		g->options = lync_pbool(l, c, "SendSipOptions");
	if (port != LYNC_UNSET) {
		g->address = su_sprintf(l->home, "sips:%s:%d", name, port);
		g->defined = true;
	}
	t = trunkcfg(l, su_sprintf(l->home, "Service:PstnGateway:%s", name), true, &src);
	if (t == NULL)
		return;
	pai = lync_pbool(l, c, "ForwardPai");
	hist = lync_pbool(l, c, "ForwardCallHistory");
	if (pai != LYNC_UNSET)
		t->pai = pai;
	if (hist != LYNC_UNSET)
		t->history = hist;
	teams_rules(l, c, "OutboundPstnNumberTranslationRules", &t->called);
	teams_rules(l, c, "OutboundTeamsNumberTranslationRules", &t->calling);
	if (!lync_has(c, "InboundTeamsNumberTranslationRules") &&
	    !lync_has(c, "InboundPstnNumberTranslationRules"))
		return;
	/* inbound rules: the gateway's own dial plan, for the called number */
	p = lync_plan_find(l, t->id);
	if (p == NULL) {
		p = su_zalloc(l->home, sizeof(*p));
		if (p == NULL)
			return;
		p->id = t->id;
		p->src = src;
		PUSH(l, plans, p);
	}
	teams_rules(l, c, "InboundTeamsNumberTranslationRules", &p->rules);
	if (lync_has(c, "InboundPstnNumberTranslationRules")) {
		struct lync_rules calling = { NULL, 0, false };

		teams_rules(l, c, "InboundPstnNumberTranslationRules", &calling);
		if (calling.n > 0)
			lync_warn(l, &src, "%s -InboundPstnNumberTranslationRules: sipmed normalizes "
			    "the calling number with the called number's plan: the rules are added "
			    "after the InboundTeamsNumberTranslationRules", c->name);
		for (size_t i = 0; i < calling.n; i++)
			if (lync_rules_find(&p->rules, calling.v[i]->name) < 0)
				lync_rules_insert(l, &p->rules, calling.v[i], LYNC_UNSET);
	}
}

const struct lync_handler lync_trunk_handlers[] = {
	{ "New-CsTrunkConfiguration", new_tc },
	{ "Set-CsTrunkConfiguration", set_tc },
	{ "Remove-CsTrunkConfiguration", remove_tc },
	{ "New-CsOutboundTranslationRule", new_otr },
	{ "Set-CsOutboundTranslationRule", set_otr },
	{ "Remove-CsOutboundTranslationRule", remove_otr },
	{ "New-CsOutboundCallingNumberTranslationRule", new_ocr },
	{ "Set-CsOutboundCallingNumberTranslationRule", set_ocr },
	{ "Remove-CsOutboundCallingNumberTranslationRule", remove_ocr },
	{ "New-CsSipResponseCodeTranslationRule", new_rc },
	{ "New-CsTeamsTranslationRule", new_teams_rule },
	{ "Set-CsTeamsTranslationRule", new_teams_rule },
	{ "New-CsOnlinePstnGateway", online_gateway },
	{ "Set-CsOnlinePstnGateway", online_gateway },
	{ NULL, NULL }
};
