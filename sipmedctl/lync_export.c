/*
 * lync_export: sipmedctl export-lync writes the Management Shell script
 * that rebuilds the loaded configuration's voice settings in Lync or
 * Skype for Business: PSTN usages, dial plans and their rules, voice
 * policies, routes, trunk configurations with their translation and
 * response code rules, users' LineURIs and grants, unassigned numbers.
 * import-lync reads it back to the same decisions.
 *
 * Where the two models differ, the script says so in a comment:
 *   - a sipmed site is a Lync site, and a plan or policy a site uses is
 *     written as that site's (Site:NAME), a trunk's inbound plan as its
 *     gateway's (Service:PstnGateway:GATEWAY), and every plan and policy
 *     also as a per-user one under its own name; a user is granted the
 *     plan and policy it has in sipmed by that name, because which site a
 *     user is homed in is the topology's, not the script's;
 *   - a gateway is the trunk's identity (else its address's host); its
 *     address and port live in Topology Builder and are only commented;
 *   - an unassigned range that answers with a status becomes an
 *     announcement without a target (Lync answers busy).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/url.h>

#include "conf.h"
#include "ctl.h"
#include "lync.h"
#include "ruleset.h"

/* A PowerShell single-quoted string: ' doubled. */
static void
sq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void
sq_list(FILE *f, const struct strlist *l)
{
	fputs("@(", f);
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			fputs(", ", f);
		sq(f, l->v[i]);
	}
	fputs(")", f);
}

/* The gateway name Lync knows a trunk by. */
static const char *
gateway_of(su_home_t *home, const struct trunk *t)
{
	url_t *u;

	if (t->identity != NULL)
		return t->identity;
	u = url_hdup(home, (url_t *)t->address);
	return u != NULL && u->url_host != NULL ? u->url_host : t->name;
}

/* $var = @(rules, each New-...Rule -InMemory) */
static void
rule_list(FILE *f, const char *var, const char *cmdlet, const char *parent,
    const struct ruleset *rs, bool normalization)
{
	fprintf(f, "$%s = @()\n", var);
	for (size_t i = 0; rs != NULL && i < ruleset_count(rs); i++) {
		const struct rule *r = ruleset_rule(rs, i);

		fprintf(f, "$%s += %s -Parent ", var, cmdlet);
		sq(f, parent);
		fputs(" -Name ", f);
		sq(f, rule_name(r));
		fputs(" -Pattern ", f);
		sq(f, rule_pattern(r));
		fputs(" -Translation ", f);
		sq(f, rule_translation(r));
		if (normalization && rule_is_internal_extension(r))
			fputs(" -IsInternalExtension $true", f);
		fputs(" -InMemory\n", f);
	}
}

/* One dial plan, under a Lync identity (once: a copy under its own name is none). */
static void
plan(FILE *f, const struct dial_plan *dp, const char *identity, const char *why)
{
	bool global = strcmp(identity, "Global") == 0;

	if (why[0] != '\0' && strcmp(dp->name, identity) == 0)
		return;

	fprintf(f, "\n# dial plan \"%s\"%s\n", dp->name, why);
	rule_list(f, "rules", "New-CsVoiceNormalizationRule", identity, dp->rules, true);
	fprintf(f, "%s-CsDialPlan -Identity ", global ? "Set" : "New");
	sq(f, identity);
	if (dp->description != NULL) {
		fputs(" -Description ", f);
		sq(f, dp->description);
	}
	if (dp->external_access_prefix != NULL) {
		fputs(" -ExternalAccessPrefix ", f);
		sq(f, dp->external_access_prefix);
		fprintf(f, " -OptimizeDeviceDialing $%s", dp->optimize_device_dialing ? "true" :
		    "false");
	}
	fputs(" -NormalizationRules $rules\n", f);
}

static const char *
tag_of(const char *name)
{
	return strcmp(name, "Global") == 0 ? "Global" : name;
}

static void
write_plans(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->ndial_plans; i++)
		plan(f, &c->dial_plans[i], tag_of(c->dial_plans[i].name), "");
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].dial_plan != NULL)
			plan(f, c->sites[i].dial_plan, su_sprintf(home, "Site:%s", c->sites[i].name),
			    su_sprintf(home, ", as site %s's", c->sites[i].name));
	for (size_t i = 0; i < c->ntrunks; i++)
		if (c->trunks[i].inbound_dial_plan != NULL)
			plan(f, c->trunks[i].inbound_dial_plan, su_sprintf(home,
			    "Service:PstnGateway:%s", gateway_of(home, &c->trunks[i])),
			    su_sprintf(home, ", as trunk %s's", c->trunks[i].name));
}

static void
policy(FILE *f, const struct voice_policy *vp, const char *identity, const char *why)
{
	static const char *types[] = { "VoicePolicyUsage", "InternalOnly", "CustomUsage" };
	struct { const char *name; bool v, def; } sw[] = {
		{ "AllowCallForwarding", vp->allow_call_forwarding, true },
		{ "AllowSimulRing", vp->allow_simul_ring, true },
		{ "EnableDelegation", vp->enable_delegation, true },
		{ "EnableTeamCall", vp->enable_team_call, true },
		{ "EnableCallTransfer", vp->enable_call_transfer, true },
		{ "AllowPSTNReRouting", vp->allow_pstn_rerouting, true },
		{ "PreventPSTNTollBypass", vp->prevent_pstn_toll_bypass, false },
	};

	if (why[0] != '\0' && strcmp(vp->name, identity) == 0)
		return;

	fprintf(f, "\n# voice policy \"%s\"%s\n%s-CsVoicePolicy -Identity ", vp->name, why,
	    strcmp(identity, "Global") == 0 ? "Set" : "New");
	sq(f, identity);
	fputs(" -PstnUsages ", f);
	sq_list(f, &vp->usages);
	for (size_t i = 0; i < sizeof(sw) / sizeof(sw[0]); i++)
		if (sw[i].v != sw[i].def)
			fprintf(f, " -%s $%s", sw[i].name, sw[i].v ? "true" : "false");
	if (vp->fwd_usage_type != FWD_USAGE_VOICE_POLICY)
		fprintf(f, " -CallForwardingSimulRingUsageType %s", types[vp->fwd_usage_type]);
	if (vp->fwd_usages.n > 0) {
		fputs(" -CustomCallForwardingSimulRingUsages ", f);
		sq_list(f, &vp->fwd_usages);
	}
	fputs("\n", f);
}

static void
write_policies(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->nvoice_policies; i++)
		policy(f, &c->voice_policies[i], tag_of(c->voice_policies[i].name), "");
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].voice_policy != NULL)
			policy(f, c->sites[i].voice_policy, su_sprintf(home, "Site:%s",
			    c->sites[i].name), su_sprintf(home, ", as site %s's", c->sites[i].name));
}

static void
location(FILE *f, const struct location_policy *lp, const char *identity, const char *why)
{
	if (why[0] != '\0' && strcmp(lp->name, identity) == 0)
		return;
	fprintf(f, "\n# location policy \"%s\"%s%s%s\n%s-CsLocationPolicy -Identity ", lp->name,
	    why, lp->elin ? "; its ELIN, " : "", lp->elin ? lp->elin : "",
	    strcmp(identity, "Global") == 0 ? "Set" : "New");
	sq(f, identity);
	fputs(" -EnhancedEmergencyServicesEnabled $true -EmergencyDialString ", f);
	sq(f, lp->dial_string);
	if (lp->masks.n > 0) {
		fputs(" -EmergencyDialMask '", f);
		for (size_t i = 0; i < lp->masks.n; i++)
			fprintf(f, "%s%s", i ? ";" : "", lp->masks.v[i]);
		fputs("'", f);
	}
	fputs(" -PstnUsage ", f);
	sq(f, lp->usage);
	if (lp->notify.n > 0) {
		fputs(" -NotificationUri '", f);
		for (size_t i = 0; i < lp->notify.n; i++)
			fprintf(f, "%s%s", i ? "," : "", lp->notify.v[i]);
		fputs("'", f);
	}
	fputs("\n", f);
}

static void
write_locations(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->nlocation_policies; i++)
		location(f, &c->location_policies[i], tag_of(c->location_policies[i].name), "");
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].location_policy != NULL)
			location(f, c->sites[i].location_policy, su_sprintf(home, "Site:%s",
			    c->sites[i].name), su_sprintf(home, ", as site %s's", c->sites[i].name));
}

static void
write_usages(FILE *f, const struct conf *c)
{
	struct strlist all = { NULL, 0 };
	const char *seen[512];

	all.v = seen;
	for (size_t i = 0; i < c->nroutes; i++)
		for (size_t k = 0; k < c->routes[i].usages.n; k++) {
			bool dup = false;

			for (size_t j = 0; j < all.n && !dup; j++)
				dup = strcmp(all.v[j], c->routes[i].usages.v[k]) == 0;
			if (!dup && all.n < 512)
				seen[all.n++] = c->routes[i].usages.v[k];
		}
	if (all.n == 0)
		return;
	fputs("\n# PSTN usages\nSet-CsPstnUsage -Identity Global -Usage @{add=", f);
	for (size_t i = 0; i < all.n; i++) {
		if (i > 0)
			fputs(",", f);
		sq(f, all.v[i]);
	}
	fputs("}\n", f);
}

static void
write_trunk(FILE *f, const struct trunk *t, su_home_t *home)
{
	const char *gw = gateway_of(home, t);
	const char *scope = su_sprintf(home, "Service:PstnGateway:%s", gw);

	fprintf(f, "\n# trunk \"%s\": gateway %s, reached at %s (Topology Builder)%s%s\n",
	    t->name, gw, t->address, t->site ? ", in site " : "", t->site ? t->site->name : "");
	rule_list(f, "called", "New-CsOutboundTranslationRule", scope, t->called_rules, false);
	rule_list(f, "calling", "New-CsOutboundCallingNumberTranslationRule", scope,
	    t->calling_rules, false);
	fputs("New-CsTrunkConfiguration -Identity ", f);
	sq(f, scope);
	if (t->pstn_usages.n > 0) {
		fputs(" -PstnUsages ", f);
		sq_list(f, &t->pstn_usages);
	}
	fprintf(f, " -OutboundTranslationRulesList $called "
	    "-OutboundCallingNumberTranslationRulesList $calling `\n"
	    "    -RemovePlusFromUri $%s -EnableReferSupport $%s -ForwardPAI $%s "
	    "-ForwardCallHistory $%s `\n    -EnableFastFailoverTimer $%s "
	    "-EnableSessionTimer $%s -EnablePIDFLOSupport $%s -MaxEarlyDialogs %u\n",
	    t->remove_plus ? "true" : "false", t->refer_support ? "true" : "false",
	    t->forward_pai ? "true" : "false", t->forward_call_history ? "true" : "false",
	    t->fast_failover ? "true" : "false", t->session_timer ? "true" : "false",
	    t->pidf_lo ? "true" : "false", t->max_early_dialogs);
	if (t->emergency_elin)
		fputs("# the gateway is shown the location's ELIN on emergency calls (sipmed's "
		    "emergency_elin)\n", f);
	for (size_t i = 0; i < t->nrc_rules; i++) {
		const struct rc_rule *r = &t->rc_rules[i];

		if (r->received < 400) {
			fprintf(f, "# response code rule %zu (any code) has no Lync form\n", i);
			continue;
		}
		fprintf(f, "New-CsSipResponseCodeTranslationRule -Identity ");
		sq(f, su_sprintf(home, "%s/Rule%zu", scope, i + 1));
		fprintf(f, " -ReceivedResponseCode %u", r->received);
		if (r->q850_cause >= 0)
			fprintf(f, " -ReceivedISUPCauseValue %d", r->q850_cause);
		fprintf(f, " -TranslatedResponseCode %u\n", r->translated);
	}
}

static void
write_routes(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->nroutes; i++) {
		const struct route *r = &c->routes[i];

		fprintf(f, "%sNew-CsVoiceRoute -Identity ", i == 0 ? "\n# voice routes\n" : "");
		sq(f, r->name);
		fputs(" -NumberPattern ", f);
		sq(f, rule_pattern(r->pattern));
		fputs(" -PstnUsages ", f);
		sq_list(f, &r->usages);
		fputs(" -PstnGatewayList @(", f);
		for (size_t k = 0; k < r->ntrunks; k++) {
			if (k > 0)
				fputs(", ", f);
			sq(f, su_sprintf(home, "PstnGateway:%s", gateway_of(home, r->trunks[k])));
		}
		fprintf(f, ") -Priority %zu", i);
		if (r->suppress_caller_id)
			fputs(" -SuppressCallerId $true", f);
		if (r->alternate_caller_id != NULL) {
			fputs(" -AlternateCallerId ", f);
			sq(f, r->alternate_caller_id);
		}
		if (r->description != NULL) {
			fputs(" -Description ", f);
			sq(f, r->description);
		}
		fputs("\n", f);
	}
}


/*
 * Grant-CsDialPlan and Grant-CsVoicePolicy take per-user (tag) objects
 * only: a user has a Site: one by being homed in that site.
 */
static void
grant(FILE *f, const char *cmdlet, const char *uri, const char *name)
{
	if (name == NULL || strcmp(name, "Global") == 0)
		return;
	if (strncmp(name, "Site:", 5) == 0 || strncmp(name, "Service:", 8) == 0) {
		fprintf(f, "# %s has %s's by being homed there (Topology Builder)\n", uri, name);
		return;
	}
	fprintf(f, "%s -Identity ", cmdlet);
	sq(f, uri);
	fputs(" -PolicyName ", f);
	sq(f, name);
	fputs("\n", f);
}

static void
write_users(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->nusers; i++) {
		const struct user *u = &c->users[i];
		const struct dial_plan *dp = conf_user_dial_plan(c, u);
		const struct voice_policy *pol = conf_user_voice_policy(c, u);
		const char *p = dp ? dp->name : NULL, *vp = pol ? pol->name : NULL;

		fprintf(f, "%sSet-CsUser -Identity ", i == 0 ? "\n# users\n" : "");
		sq(f, u->uri);
		fputs(" -EnterpriseVoiceEnabled $true -LineURI ", f);
		sq(f, u->line_uri);
		fputs("\n", f);
		/* the plan and policy the user has in sipmed, by their tag names */
		grant(f, "Grant-CsDialPlan", u->uri, p);
		grant(f, "Grant-CsVoicePolicy", u->uri, vp);
		if (u->location_policy != NULL)
			grant(f, "Grant-CsLocationPolicy", u->uri, u->location_policy->name);
		else if (u->site != NULL && u->site->location_policy != NULL)
			grant(f, "Grant-CsLocationPolicy", u->uri, u->site->location_policy->name);
	}
}

static void
write_unassigned(FILE *f, const struct conf *c, su_home_t *home)
{
	for (size_t i = 0; i < c->nunassigned; i++) {
		const struct unassigned *u = &c->unassigned[i];
		const char *ann = su_sprintf(home, "sipmed %s", u->name);

		fprintf(f, "%s", i == 0 ? "\n# unassigned numbers\n" : "");
		if (u->target == NULL)
			fprintf(f, "# sipmed answers %u %s; Lync's announcement without a target "
			    "answers busy\n", u->status, u->reason ? u->reason : "");
		fputs("New-CsAnnouncement -Parent 'ApplicationServer:POOL' -Name ", f);
		sq(f, ann);
		if (u->target != NULL) {
			fputs(" -TargetUri ", f);
			sq(f, u->target);
		}
		fputs("\nNew-CsUnassignedNumber -Identity ", f);
		sq(f, u->name);
		fprintf(f, " -NumberRangeStart 'tel:%s' -NumberRangeEnd 'tel:%s' -Priority %u "
		    "-AnnouncementService 'ApplicationServer:POOL' -AnnouncementName ", u->start,
		    u->end, u->priority);
		sq(f, ann);
		fputs("\n", f);
	}
}

int
ctl_export_lync(struct ctl *ctl, int argc, char **argv)
{
	const struct conf *c = ctl_conf(ctl);
	su_home_t *home = su_home_new(sizeof(*home));

	if (home == NULL)
		return 2;
	printf("# Lync / Skype for Business Management Shell script written by sipmedctl "
	    "export-lync\n# from %s. Replace POOL with the pool that runs the "
	    "announcements.\n", c->path);
	write_usages(stdout, c);
	write_plans(stdout, c, home);
	write_policies(stdout, c, home);
	write_locations(stdout, c, home);
	for (size_t i = 0; i < c->ntrunks; i++)
		write_trunk(stdout, &c->trunks[i], home);
	write_routes(stdout, c, home);
	write_users(stdout, c, home);
	write_unassigned(stdout, c, home);
	su_home_unref(home);
	return 0;
}
