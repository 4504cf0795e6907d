/*
 * lync_write: writes an imported Lync configuration (struct lync) as a
 * complete sipmed configuration in libconfig syntax, every item with a
 * "# FILE:LINE" comment naming the script line that made it.
 *
 * Names keep Lync's identities: dial plans and voice policies are called
 * "Global", "Site:Portland", "Service:PstnGateway:gw1.contoso.com" or by
 * their tag, trunks by their gateway's FQDN or address, so the output
 * reads like the Lync configuration it came from. What Lync keeps in the
 * topology rather than in scripts is decided here:
 *
 *   - a gateway named by FQDN is reached over TLS on 5067 (Lync's default
 *     GatewaySipClientTlsPort) and must present a certificate with that
 *     name; one named by IP address over TCP on 5066 (defining a gateway
 *     by address forced TCP in Lync); a Teams SBC on its SipSignalingPort;
 *   - a gateway's site comes from --site GATEWAY=SITE;
 *   - a trunk's settings are its trunk configuration's, the most specific
 *     one only (Service:PstnGateway:X, else Site:its site, else Global),
 *     never merged field by field, as Lync resolves them; a configuration
 *     with no called-number rules sends the number as it is (Lync's empty
 *     list), where sipmed's own default would strip the plus.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lync_priv.h"

/* A libconfig string: backslash and quote escaped, control bytes as \xNN. */
static void
qstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* sep key = "value"; end: one setting */
static void
kv(FILE *f, const char *sep, const char *key, const char *v, const char *end)
{
	fprintf(f, "%s%s = ", sep, key);
	qstr(f, v);
	fprintf(f, ";%s", end);
}

static void
src_comment(FILE *f, const struct lync_src *src)
{
	if (src->line > 0)
		fprintf(f, "  # %s:%d\n", src->file, src->line);
	else
		fprintf(f, "  # Lync's own (exists before any script)\n");
}

static void
strs(FILE *f, const struct lync_strs *s)
{
	fputs("( ", f);
	for (size_t i = 0; i < s->n; i++) {
		qstr(f, s->v[i]);
		fputs(i + 1 < s->n ? ", " : " ", f);
	}
	fputc(')', f);
}

static void
rules(FILE *f, const char *indent, const struct lync_rules *rs)
{
	fputs("(\n", f);
	for (size_t i = 0; i < rs->n; i++) {
		const struct lync_rule *r = rs->v[i];

		fprintf(f, "%s  # %s:%d\n%s  { name = ", indent, r->src.file, r->src.line, indent);
		qstr(f, r->name);
		fputs("; pattern = ", f);
		qstr(f, r->pattern);
		fputs("; translation = ", f);
		qstr(f, r->translation);
		fputs(";", f);
		if (r->description != NULL)
			kv(f, " ", "description", r->description, "");
		if (r->internal)
			fputs(" is_internal_extension = true;", f);
		fprintf(f, " }%s\n", i + 1 < rs->n ? "," : "");
	}
	fprintf(f, "%s)", indent);
}

static const struct lync_plan *
plan_named(const struct lync *l, const char *id)
{
	for (size_t i = 0; id != NULL && i < l->nplans; i++)
		if (strcasecmp(l->plans[i]->id, id) == 0)
			return l->plans[i];
	return NULL;
}

static const struct lync_location *
location_named(const struct lync *l, const char *id)
{
	for (size_t i = 0; id != NULL && i < l->nlocations; i++)
		if (strcasecmp(l->locations[i]->id, id) == 0 && l->locations[i]->usage != NULL)
			return l->locations[i];
	return NULL;
}

static const struct lync_policy *
policy_named(const struct lync *l, const char *id)
{
	for (size_t i = 0; id != NULL && i < l->npolicies; i++)
		if (strcasecmp(l->policies[i]->id, id) == 0)
			return l->policies[i];
	return NULL;
}

static const struct lync_trunkcfg *
trunkcfg_named(const struct lync *l, const char *id)
{
	for (size_t i = 0; id != NULL && i < l->ntrunkcfgs; i++)
		if (strcasecmp(l->trunkcfgs[i]->id, id) == 0)
			return l->trunkcfgs[i];
	return NULL;
}

static void
write_plans(const struct lync *l, FILE *f)
{
	fputs("dial_plans = (\n", f);
	for (size_t i = 0; i < l->nplans; i++) {
		const struct lync_plan *p = l->plans[i];

		src_comment(f, &p->src);
		fputs("  { name = ", f);
		qstr(f, p->id);
		fputs(";\n", f);
		if (p->description != NULL)
			kv(f, "    ", "description", p->description, "\n");
		if (p->prefix != NULL) {
			fputs("    external_access_prefix = ", f);
			qstr(f, p->prefix);
			fprintf(f, ";\n    optimize_device_dialing = %s;\n", p->optimize ? "true" :
			    "false");
		}
		fputs("    rules = ", f);
		rules(f, "    ", &p->rules);
		fprintf(f, ";\n  }%s\n", i + 1 < l->nplans ? "," : "");
	}
	fputs(");\n\n", f);
}

static void
write_policies(const struct lync *l, FILE *f)
{
	if (l->npolicies == 0)
		return;
	fputs("voice_policies = (\n", f);
	for (size_t i = 0; i < l->npolicies; i++) {
		const struct lync_policy *p = l->policies[i];

		src_comment(f, &p->src);
		fputs("  { name = ", f);
		qstr(f, p->id);
		fputs("; pstn_usages = ", f);
		strs(f, &p->usages);
		fputs(";", f);
		for (size_t k = 0; k < LYNC_SWITCHES; k++)
			if (p->sw[k] != LYNC_UNSET)
				fprintf(f, "\n    %s = %s;", lync_switch_keys[k], p->sw[k] ? "true" :
				    "false");
		if (p->fwd_type != NULL) {
			kv(f, "\n    ", "call_forwarding_simul_ring_usage_type", p->fwd_type, "");
			if (strcmp(p->fwd_type, "CustomUsage") == 0) {
				fputs("\n    custom_call_forwarding_simul_ring_usages = ", f);
				strs(f, &p->fwd_usages);
				fputs(";", f);
			}
		}
		fprintf(f, " }%s\n", i + 1 < l->npolicies ? "," : "");
	}
	fputs(");\n\n", f);
}

/* Location policies: sipmed needs the usage an emergency call goes by. */
static void
write_locations(struct lync *l, FILE *f)
{
	bool first = true;

	for (size_t i = 0; i < l->nlocations; i++) {
		const struct lync_location *lp = l->locations[i];

		if (lp->usage == NULL) {
			lync_warn(l, &lp->src, "location policy %s has no -PstnUsage: its emergency "
			    "calls would have no route, and it is not written", lp->id);
			continue;
		}
		fputs(first ? "location_policies = (\n" : ",\n", f);
		first = false;
		src_comment(f, &lp->src);
		fputs("  { name = ", f);
		qstr(f, lp->id);
		kv(f, "; ", "emergency_dial_string", lp->dial_string, "");
		fputs(" emergency_dial_masks = ", f);
		strs(f, &lp->masks);
		kv(f, ";\n    ", "pstn_usage", lp->usage, "");
		if (lp->notify.n > 0) {
			fputs(" notification_uris = ", f);
			strs(f, &lp->notify);
			fputs(";", f);
		}
		fputs(" }", f);
	}
	if (!first)
		fputs("\n);\n\n", f);
}

/* The sites: every Site:X scope and every --site, each once. */
static void
write_sites(struct lync *l, FILE *f)
{
	struct lync_strs names = { NULL, 0 };
	const char *name;

	for (size_t i = 0; i < l->nplans; i++)
		if (lync_is_site(l->plans[i]->id, &name))
			lync_strs_add(l, &names, name);
	for (size_t i = 0; i < l->npolicies; i++)
		if (lync_is_site(l->policies[i]->id, &name))
			lync_strs_add(l, &names, name);
	for (size_t i = 0; i < l->nlocations; i++)
		if (lync_is_site(l->locations[i]->id, &name))
			lync_strs_add(l, &names, name);
	for (size_t i = 0; i < l->site_names.n; i++)
		lync_strs_add(l, &names, l->site_names.v[i]);
	if (names.n > 0)
		fputs("sites = (\n", f);
	for (size_t i = 0; i < names.n; i++) {
		char scope[600];

		snprintf(scope, sizeof(scope), "Site:%s", names.v[i]);
		fprintf(f, "%s  { name = ", i > 0 ? ",\n" : "");
		qstr(f, names.v[i]);
		fputs(";", f);
		if (plan_named(l, scope) != NULL)
			kv(f, " ", "dial_plan", scope, "");
		if (policy_named(l, scope) != NULL)
			kv(f, " ", "voice_policy", scope, "");
		if (location_named(l, scope) != NULL)
			kv(f, " ", "location_policy", scope, "");
		fputs(" }", f);
	}
	if (names.n > 0)
		fputs("\n);\n\n", f);
}

static bool
is_address(const char *host)
{
	return strspn(host, "0123456789.") == strlen(host) || strchr(host, ':') != NULL;
}

static void
write_bool(FILE *f, const char *key, int v)
{
	if (v != LYNC_UNSET)
		fprintf(f, "    %s = %s;\n", key, v ? "true" : "false");
}

/* A trunk's settings: its most specific trunk configuration (above). */
static void
write_trunk_settings(const struct lync *l, const struct lync_gateway *g, FILE *f)
{
	char scope[600];
	const struct lync_trunkcfg *t;

	snprintf(scope, sizeof(scope), "Service:PstnGateway:%s", g->name);
	t = trunkcfg_named(l, scope);
	if (t == NULL && g->site != NULL) {
		snprintf(scope, sizeof(scope), "Site:%s", g->site);
		t = trunkcfg_named(l, scope);
	}
	if (t == NULL)
		t = trunkcfg_named(l, "Global");
	if (t == NULL) {
		fputs("    # no trunk configuration: Lync's defaults\n"
		    "    called_number_rules = ( );\n", f);
		return;
	}
	fprintf(f, "    # settings: trunk configuration %s (%s:%d)\n", t->id, t->src.file,
	    t->src.line);
	fputs("    called_number_rules = ", f);
	rules(f, "    ", &t->called);
	fputs(";\n", f);
	if (t->calling.n > 0) {
		fputs("    calling_number_rules = ", f);
		rules(f, "    ", &t->calling);
		fputs(";\n", f);
	}
	if (t->nrc > 0) {
		fputs("    response_code_rules = (\n", f);
		for (size_t i = 0; i < t->nrc; i++) {
			fprintf(f, "      # %s:%d\n      { received = %u; ", t->rc[i].src.file,
			    t->rc[i].src.line, t->rc[i].received);
			if (t->rc[i].q850 != LYNC_UNSET)
				fprintf(f, "q850_cause = %d; ", t->rc[i].q850);
			fprintf(f, "translated = %u; }%s\n", t->rc[i].translated,
			    i + 1 < t->nrc ? "," : "");
		}
		fputs("    );\n", f);
	}
	if (t->usages.n > 0) {
		fputs("    pstn_usages = ", f);
		strs(f, &t->usages);
		fputs(";\n", f);
	}
	write_bool(f, "remove_plus", t->remove_plus);
	write_bool(f, "refer_support", t->refer);
	write_bool(f, "forward_pai", t->pai);
	write_bool(f, "forward_call_history", t->history);
	write_bool(f, "fast_failover", t->fast_failover);
	write_bool(f, "session_timer", t->session_timer);
	write_bool(f, "pidf_lo", t->pidf_lo);
	if (t->max_early_dialogs != LYNC_UNSET)
		fprintf(f, "    max_early_dialogs = %d;\n", t->max_early_dialogs);
}

static void
write_trunks(struct lync *l, FILE *f)
{
	if (l->ngateways == 0)
		return;
	fputs("trunks = (\n", f);
	for (size_t i = 0; i < l->ngateways; i++) {
		const struct lync_gateway *g = l->gateways[i];
		char scope[600];

		if (g->teams && !g->defined)
			lync_warn(l, &g->src, "gateway %s has no address (no New- or "
			    "Set-CsOnlinePstnGateway -SipSignalingPort): sips:%s:5061 is written",
			    g->name, g->name);
		src_comment(f, &g->src);
		fputs("  { name = ", f);
		qstr(f, g->name);
		fputs(";\n    address = ", f);
		if (g->address != NULL)
			qstr(f, g->address);
		else if (g->teams)
			fprintf(f, "\"sips:%s:5061\"", g->name);
		else if (is_address(g->name))
			fprintf(f, "\"sip:%s%s%s:5066;transport=tcp\"", strchr(g->name, ':') ? "[" : "",
			    g->name, strchr(g->name, ':') ? "]" : "");
		else
			fprintf(f, "\"sips:%s:5067\"", g->name);
		fputs(";\n", f);
		if (!is_address(g->name))
			kv(f, "    ", "identity", g->name, "\n");
		if (g->site != NULL)
			kv(f, "    ", "site", g->site, "\n");
		snprintf(scope, sizeof(scope), "Service:PstnGateway:%s", g->name);
		if (plan_named(l, scope) != NULL)
			kv(f, "    ", "inbound_dial_plan", scope, "\n");
		write_trunk_settings(l, g, f);
		if (g->max_calls != LYNC_UNSET)
			fprintf(f, "    max_calls = %d;\n", g->max_calls);
		if (g->failover > 0)
			fprintf(f, "    failover_timeout = %d;\n", g->failover);
		if (g->options == 0)
			fputs("    options_interval = 0;\n", f);
		fprintf(f, "  }%s\n", i + 1 < l->ngateways ? "," : "");
	}
	fputs(");\n\n", f);
}

/* sipmed needs a route's usages and trunks; Lync allows neither. */
static bool
route_usable(struct lync *l, const struct lync_route *r)
{
	if (r->usages.n == 0 || r->gateways.n == 0) {
		lync_warn(l, &r->src, "route \"%s\" has no %s: it can carry no call, and is not "
		    "written", r->name, r->usages.n == 0 ? "PSTN usage" : "gateway");
		return false;
	}
	return true;
}

static void
write_routes(struct lync *l, FILE *f)
{
	bool first = true;

	for (size_t i = 0; i < l->nroutes; i++) {
		const struct lync_route *r = l->routes[i];

		if (!route_usable(l, r))
			continue;
		fputs(first ? "# in Lync's priority order: the first is tried first\nroutes = (\n" :
		    ",\n", f);
		first = false;
		src_comment(f, &r->src);
		fputs("  { name = ", f);
		qstr(f, r->name);
		fputs(";\n    pattern = ", f);
		qstr(f, r->pattern);
		fputs(";\n    pstn_usages = ", f);
		strs(f, &r->usages);
		fputs(";\n    trunks = ", f);
		strs(f, &r->gateways);
		fputs(";", f);
		if (r->description != NULL)
			kv(f, "\n    ", "description", r->description, "");
		if (r->suppress)
			fputs("\n    suppress_caller_id = true;", f);
		/* Lync keeps an alternate caller ID while suppression is off */
		if (r->alternate != NULL && r->suppress)
			kv(f, "\n    ", "alternate_caller_id", r->alternate, "");
		fputs(" }", f);
	}
	if (!first)
		fputs("\n);\n\n", f);
}

static void
write_users(struct lync *l, FILE *f)
{
	bool first = true;

	for (size_t i = 0; i < l->nusers; i++) {
		const struct lync_user *u = l->users[i];

		if (u->line_uri == NULL) {
			lync_warn(l, &u->src, "user %s has no LineURI: not written", u->uri);
			continue;
		}
		fputs(first ? "users = (\n" : ",\n", f);
		first = false;
		src_comment(f, &u->src);
		fputs("  { uri = ", f);
		qstr(f, u->uri);
		fputs("; line_uri = ", f);
		qstr(f, u->line_uri);
		fputs(";", f);
		if (u->plan != NULL && plan_named(l, u->plan) != NULL) {
			kv(f, " ", "dial_plan", u->plan, "");
		} else if (u->plan != NULL)
			lync_warn(l, &u->src, "user %s: no dial plan %s: the user falls back to Global",
			    u->uri, u->plan);
		if (lync_site_of(l, u->pool) != NULL)
			kv(f, " ", "site", lync_site_of(l, u->pool), "");
		if (u->location != NULL && location_named(l, u->location) != NULL)
			kv(f, " ", "location_policy", u->location, "");
		if (u->policy != NULL && policy_named(l, u->policy) != NULL) {
			kv(f, " ", "voice_policy", u->policy, "");
		} else if (u->policy != NULL)
			lync_warn(l, &u->src, "user %s: no voice policy %s: the user falls back to "
			    "Global", u->uri, u->policy);
		fputs(" }", f);
	}
	if (!first)
		fputs("\n);\n\n", f);
}

static void
write_unassigned(const struct lync *l, const char *domain, FILE *f)
{
	if (l->nunassigned == 0)
		return;
	fputs("unassigned_numbers = (\n", f);
	for (size_t i = 0; i < l->nunassigned; i++) {
		const struct lync_unassigned *u = l->unassigned[i];

		src_comment(f, &u->src);
		fputs("  { name = ", f);
		qstr(f, u->name);
		fputs("; start = ", f);
		qstr(f, u->start);
		fputs("; end = ", f);
		qstr(f, u->end);
		fprintf(f, "; priority = %u;\n    ", u->priority);
		if (u->aa_number != NULL)
			fprintf(f, "target = \"sip:%s%s@%s;user=phone\";", u->aa_number[0] == '+' ?
			    "" : "+", u->aa_number, domain);
		else if (u->target != NULL) {
			kv(f, "", "target", u->target, "");
		} else
			fprintf(f, "status = %u;", u->status);
		fprintf(f, " }%s\n", i + 1 < l->nunassigned ? "," : "");
	}
	fputs(");\n\n", f);
}

/* The users' most common SIP domain, when --domain is not given. */
static const char *
domain_of(struct lync *l)
{
	const char *best = NULL;
	size_t bestn = 0;

	if (l->domain != NULL)
		return l->domain;
	for (size_t i = 0; i < l->nusers; i++) {
		const char *d = strchr(l->users[i]->uri, '@');
		size_t n = 0;

		if (d == NULL)
			continue;
		for (size_t k = 0; k < l->nusers; k++) {
			const char *e = strchr(l->users[k]->uri, '@');

			n += e != NULL && strcasecmp(d, e) == 0;
		}
		if (n > bestn) {
			best = d + 1;
			bestn = n;
		}
	}
	if (best == NULL) {
		fprintf(stderr, "sipmedctl: warning: no user gives the SIP domain: give --domain; "
		    "example.com is written\n");
		l->warnings++;
		best = "example.com";
	}
	return best;
}

static bool
any_tcp_gateway(const struct lync *l)
{
	for (size_t i = 0; i < l->ngateways; i++)
		if (l->gateways[i]->address == NULL && !l->gateways[i]->teams &&
		    is_address(l->gateways[i]->name))
			return true;
	return false;
}

void
lync_write(struct lync *l, FILE *f, int nfiles, char **files)
{
	const char *domain = domain_of(l);

	fputs("# sipmed configuration written by sipmedctl import-lync from", f);
	for (int i = 0; i < nfiles; i++)
		fprintf(f, " %s", files[i]);
	fputs(".\n# Each item names the script line it came from. Check it with\n"
	    "#   sipmed -c FILE -n\n# and test it with sipmedctl test-dialplan, test-outbound and "
	    "test-cases.\n\n", f);
	fputs("server = {\n  domain = ", f);
	qstr(f, domain);
	fputs(";\n  listen = ( \"sips:0.0.0.0:5061\"", f);
	if (any_tcp_gateway(l))
		fputs(", \"sip:0.0.0.0:5068;transport=tcp\"", f);
	fputs(" );\n};\n\n", f);
	fputs("# sipmed's certificate and the CA its peers' certificates chain to\n"
	    "tls = {\n  certificate = \"certs/sipmed.crt\";\n  private_key = \"certs/sipmed.key\";\n"
	    "  ca = \"certs/ca.crt\";\n};\n\n", f);
	fputs("# the Front End pool\npool = {\n  address = ", f);
	if (l->pool != NULL)
		qstr(f, l->pool);
	else
		fprintf(f, "\"sips:pool.%s:5061\"", domain);
	if (l->pool_identity != NULL) {
		fputs(";\n  identity = ", f);
		qstr(f, l->pool_identity);
	} else if (l->pool == NULL)
		fprintf(f, ";\n  identity = \"pool.%s\"", domain);
	fputs(";\n};\n\n", f);
	write_plans(l, f);
	write_policies(l, f);
	write_locations(l, f);
	write_sites(l, f);
	write_trunks(l, f);
	write_routes(l, f);
	write_users(l, f);
	write_unassigned(l, domain, f);
}
