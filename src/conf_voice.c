/*
 * conf_voice: the voice side of the configuration: voice policies and
 * their PSTN usages, sites, voice routes, users with their LineURIs, and
 * unassigned number ranges (reference sections 1.6, 3 and 4.5-4.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/url.h>

#include "conf_priv.h"
#include "directory.h"

#define NAME_KEY(type) { "name", CK_STR, true, offsetof(type, name), 0, 0, 0, NULL, NULL }

static int
ref_string(struct loader *L, const config_setting_t *s, const char *kind, const char **vp)
{
	*vp = config_setting_get_string(s);
	if (*vp == NULL) {
		conf_error(L, s, "%s: \"%s\" must be the name of a %s, in double quotes",
		    L->what, config_setting_name(s), kind);
		return 1;
	}
	return 0;
}

int
conf_ref_site(struct loader *L, const config_setting_t *s, struct site **sp)
{
	const char *v;

	if (ref_string(L, s, "site", &v))
		return 1;
	for (size_t i = 0; i < L->conf->nsites; i++)
		if (L->conf->sites[i].name && strcmp(L->conf->sites[i].name, v) == 0) {
			*sp = &L->conf->sites[i];
			return 0;
		}
	conf_error(L, s, "%s: site: no site is named \"%s\"", L->what, v);
	return 1;
}

int
conf_ref_voice_policy(struct loader *L, const config_setting_t *s,
    struct voice_policy **vpp)
{
	const char *v;

	if (ref_string(L, s, "voice policy", &v))
		return 1;
	*vpp = conf_voice_policy(L->conf, v);
	if (*vpp == NULL) {
		conf_error(L, s, "%s: voice_policy: no voice policy is named \"%s\"", L->what, v);
		return 1;
	}
	return 0;
}

/* voice_policies */

static int
policy_fwd_usage(struct loader *L, const config_setting_t *s, void *obj)
{
	static const char *names[] = { "VoicePolicyUsage", "InternalOnly", "CustomUsage" };
	struct voice_policy *vp = obj;
	const char *v = config_setting_get_string(s);

	for (size_t i = 0; v != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i]) == 0) {
			vp->fwd_usage_type = (enum fwd_usage)i;
			return 0;
		}
	conf_error(L, s, "%s: call_forwarding_simul_ring_usage_type must be "
	    "\"VoicePolicyUsage\", \"InternalOnly\" or \"CustomUsage\"", L->what);
	return 1;
}

#define POLICY_SWITCH(key, field) \
	{ key, CK_BOOL, false, offsetof(struct voice_policy, field), 0, 0, 1, NULL, NULL }

static const struct ckey policy_keys[] = {
	NAME_KEY(struct voice_policy),
	{ "pstn_usages", CK_STRLIST, false, offsetof(struct voice_policy, usages), 0, 0, 0, NULL, NULL },
	{ "description", CK_FUNC, false, 0, 0, 0, 0, NULL, conf_read_elsewhere },
	POLICY_SWITCH("allow_call_forwarding", allow_call_forwarding),
	POLICY_SWITCH("allow_simul_ring", allow_simul_ring),
	POLICY_SWITCH("enable_delegation", enable_delegation),
	POLICY_SWITCH("enable_team_call", enable_team_call),
	POLICY_SWITCH("enable_call_transfer", enable_call_transfer),
	POLICY_SWITCH("allow_pstn_rerouting", allow_pstn_rerouting),
	{ "prevent_pstn_toll_bypass", CK_BOOL, false, offsetof(struct voice_policy, prevent_pstn_toll_bypass), 0, 0, 0, NULL, NULL },
	{ "call_forwarding_simul_ring_usage_type", CK_FUNC, false, 0, 0, 0, 0, NULL, policy_fwd_usage },
	{ "custom_call_forwarding_simul_ring_usages", CK_STRLIST, false, offsetof(struct voice_policy, fwd_usages), 0, 0, 0, NULL, NULL },
	CK_END
};

int
conf_parse_voice_policies(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "voice_policies", (void **)&c->voice_policies,
	    sizeof(*c->voice_policies));

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct voice_policy *vp = &c->voice_policies[i];
		char what[300];

		snprintf(what, sizeof(what), "voice policy \"%s\"", conf_name_of(e, "name"));
		if (conf_voice_policy(c, conf_name_of(e, "name")) != NULL)
			conf_error(L, e, "two voice policies are named \"%s\"", conf_name_of(e, "name"));
		vp->line = conf_line(e);
		conf_group(L, e, what, policy_keys, vp);
		if ((vp->fwd_usage_type == FWD_USAGE_CUSTOM) != (vp->fwd_usages.n > 0))
			conf_error(L, e, "%s: custom_call_forwarding_simul_ring_usages goes with "
			    "call_forwarding_simul_ring_usage_type = \"CustomUsage\", and only "
			    "with it", what);
		c->nvoice_policies = (size_t)i + 1;
	}
	return 0;
}

static bool
usage_offered(const struct conf *c, const char *usage)
{
	for (size_t r = 0; r < c->nroutes; r++)
		for (size_t k = 0; k < c->routes[r].usages.n; k++)
			if (strcmp(c->routes[r].usages.v[k], usage) == 0)
				return true;
	return false;
}

/* A usage no route offers is almost always a typo: say so. */
void
conf_check_usages(struct loader *L, const config_setting_t *policies,
    const config_setting_t *trunks)
{
	const struct conf *c = L->conf;

	for (size_t i = 0; i < c->nvoice_policies; i++)
		for (size_t u = 0; u < c->voice_policies[i].usages.n; u++)
			if (!usage_offered(c, c->voice_policies[i].usages.v[u]))
				conf_warning(L, config_setting_get_elem(policies, (unsigned)i),
				    "voice policy \"%s\": no route offers PSTN usage \"%s\"",
				    c->voice_policies[i].name, c->voice_policies[i].usages.v[u]);
	for (size_t i = 0; i < c->ntrunks; i++)
		for (size_t u = 0; u < c->trunks[i].pstn_usages.n; u++)
			if (!usage_offered(c, c->trunks[i].pstn_usages.v[u]))
				conf_warning(L, config_setting_get_elem(trunks, (unsigned)i),
				    "trunk \"%s\": no route offers PSTN usage \"%s\"",
				    c->trunks[i].name, c->trunks[i].pstn_usages.v[u]);
}

/* sites */

static int
site_location(struct loader *L, const config_setting_t *s, void *obj)
{
	return conf_ref_location_policy(L, s, &((struct site *)obj)->location_policy);
}

static const struct ckey site_keys[] = {
	NAME_KEY(struct site),
	{ "location_policy", CK_FUNC, false, 0, 0, 0, 0, NULL, site_location },
	{ "dial_plan", CK_PLAN, false, offsetof(struct site, dial_plan), 0, 0, 0, NULL, NULL },
	{ "voice_policy", CK_POLICY, false, offsetof(struct site, voice_policy), 0, 0, 0, NULL, NULL },
	{ "description", CK_FUNC, false, 0, 0, 0, 0, NULL, conf_read_elsewhere },
	CK_END
};

int
conf_parse_sites(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "sites", (void **)&c->sites, sizeof(*c->sites));

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct site *st = &c->sites[i];
		char what[300];

		snprintf(what, sizeof(what), "site \"%s\"", conf_name_of(e, "name"));
		for (int j = 0; j < i; j++)
			if (c->sites[j].name && strcmp(c->sites[j].name, conf_name_of(e, "name")) == 0)
				conf_error(L, e, "two sites are named \"%s\"", c->sites[j].name);
		st->line = conf_line(e);
		conf_group(L, e, what, site_keys, st);
		c->nsites = (size_t)i + 1;
	}
	return 0;
}

/* routes */

struct route_src {
	struct route *r;
	const char *pattern;
	struct strlist trunks;
};

static bool
caller_id_ok(const char *v)
{
	struct telnum t;
	char err[8], buf[64];

	/* AlternateCallerId: (\+)?[1-9]\d*(;ext=[1-9]\d*)? (reference 1.10) */
	snprintf(buf, sizeof(buf), "%s%s", v[0] == '+' ? "" : "+", v);
	return strlen(v) < 40 && number_parse_e164(buf, false, &t, err, sizeof(err)) == 0;
}

static const struct ckey route_keys[] = {
	NAME_KEY(struct route),
	{ "description", CK_STR, false, offsetof(struct route, description), 0, 0, 0, NULL, NULL },
	{ "pattern", CK_FUNC, true, 0, 0, 0, 0, NULL, conf_read_elsewhere },
	{ "pstn_usages", CK_STRLIST, true, offsetof(struct route, usages), 0, 0, 0, NULL, NULL },
	{ "trunks", CK_FUNC, true, 0, 0, 0, 0, NULL, conf_read_elsewhere },
	{ "suppress_caller_id", CK_BOOL, false, offsetof(struct route, suppress_caller_id), 0, 0, 0, NULL, NULL },
	{ "alternate_caller_id", CK_STR, false, offsetof(struct route, alternate_caller_id), 0, 0, 0, NULL, NULL },
	{ "priority", CK_UINT, false, offsetof(struct route, priority), 0, INT32_MAX, -1, NULL, NULL },
	CK_END
};

static void
route_trunks(struct loader *L, const config_setting_t *e, struct route *r, const char *what)
{
	const config_setting_t *ts = config_setting_get_member(e, "trunks");
	int n = config_setting_length(ts);

	if (!config_setting_is_aggregate(ts) || config_setting_is_group(ts) || n == 0) {
		conf_error(L, ts, "%s: \"trunks\" must list at least one trunk name", what);
		return;
	}
	r->trunks = su_zalloc(L->home, (size_t)n * sizeof(*r->trunks));
	for (int i = 0; i < n; i++) {
		const config_setting_t *t = config_setting_get_elem(ts, (unsigned)i);
		const char *name = config_setting_get_string(t);
		struct trunk *tk = name ? conf_trunk(L->conf, name) : NULL;

		if (tk == NULL)
			conf_error(L, t, "%s: no trunk is named \"%s\"", what, name ? name : "?");
		else
			r->trunks[r->ntrunks++] = tk;
	}
}

static void
parse_route(struct loader *L, const config_setting_t *e, struct route *r,
    struct ruleset *patterns)
{
	const config_setting_t *ps;
	const char *pat;
	char what[300], err[512];

	snprintf(what, sizeof(what), "route \"%s\"", conf_name_of(e, "name"));
	r->line = conf_line(e);
	if (conf_group(L, e, what, route_keys, r) > 0)
		return;
	ps = config_setting_get_member(e, "pattern");
	pat = config_setting_get_string(ps);
	if (pat == NULL)
		conf_error(L, ps, "%s: \"pattern\" must be a string in double quotes", what);
	else if ((r->pattern = ruleset_add(patterns, r->name, pat, NULL, RULE_PATTERN_ONLY,
	    err, sizeof(err))) == NULL)
		conf_error(L, ps, "%s: %s", what, err);
	if (r->usages.n == 0)
		conf_error(L, config_setting_get_member(e, "pstn_usages"),
		    "%s: \"pstn_usages\" must name at least one PSTN usage", what);
	route_trunks(L, e, r, what);
	if (r->suppress_caller_id && r->alternate_caller_id == NULL)
		conf_error(L, e, "%s: suppress_caller_id needs alternate_caller_id", what);
	if (r->alternate_caller_id != NULL && !caller_id_ok(r->alternate_caller_id))
		conf_error(L, config_setting_get_member(e, "alternate_caller_id"),
		    "%s: alternate_caller_id \"%s\" must be digits with an optional + and "
		    ";ext=", what, r->alternate_caller_id);
	else if (r->alternate_caller_id != NULL && !r->suppress_caller_id)
		conf_warning(L, config_setting_get_member(e, "alternate_caller_id"),
		    "%s: alternate_caller_id is ignored unless suppress_caller_id is true", what);
}

/*
 * Puts the routes in priority order: as written, where a route with a
 * priority is inserted at that position as Lync inserts one (reference
 * 3.2; conf_priority_order).
 */
static int
order_routes(struct loader *L, struct conf *c)
{
	unsigned *prio = calloc(c->nroutes, sizeof(*prio));
	size_t *order = calloc(c->nroutes, sizeof(*order));
	struct route *was = calloc(c->nroutes, sizeof(*was));
	int rc = -1;

	if (prio == NULL || order == NULL || was == NULL) {
		conf_error(L, NULL, "out of memory");
		goto out;
	}
	memcpy(was, c->routes, c->nroutes * sizeof(*was));
	for (size_t i = 0; i < c->nroutes; i++)
		prio[i] = was[i].priority;
	conf_priority_order(prio, c->nroutes, order);
	for (size_t i = 0; i < c->nroutes; i++)
		c->routes[i] = was[order[i]];
	rc = 0;
out:
	free(prio);
	free(order);
	free(was);
	return rc;
}

int
conf_parse_routes(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "routes", (void **)&c->routes, sizeof(*c->routes));
	struct ruleset *patterns;

	if (n == 0)
		return 0;
	patterns = ruleset_new(L->home, "routes");
	for (int i = 0; i < n && patterns != NULL; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (conf_route(c, conf_name_of(e, "name")) != NULL)
			conf_error(L, e, "two routes are named \"%s\"", conf_name_of(e, "name"));
		parse_route(L, e, &c->routes[i], patterns);
		c->nroutes = (size_t)i + 1;
	}
	return order_routes(L, c);
}

/* users */

static int
user_location(struct loader *L, const config_setting_t *s, void *obj)
{
	return conf_ref_location_policy(L, s, &((struct user *)obj)->location_policy);
}

static const struct ckey user_keys[] = {
	{ "uri", CK_STR, true, offsetof(struct user, uri), 0, 0, 0, NULL, NULL },
	{ "line_uri", CK_STR, true, offsetof(struct user, line_uri), 0, 0, 0, NULL, NULL },
	{ "display_name", CK_STR, false, offsetof(struct user, display_name), 0, 0, 0, NULL, NULL },
	{ "dial_plan", CK_PLAN, false, offsetof(struct user, dial_plan), 0, 0, 0, NULL, NULL },
	{ "voice_policy", CK_POLICY, false, offsetof(struct user, voice_policy), 0, 0, 0, NULL, NULL },
	{ "site", CK_SITE, false, offsetof(struct user, site), 0, 0, 0, NULL, NULL },
	{ "location_policy", CK_FUNC, false, 0, 0, 0, 0, NULL, user_location },
	CK_END
};

static void
parse_user(struct loader *L, const config_setting_t *e, struct user *u)
{
	struct user *dup = NULL;
	char what[600], err[300], key[512];
	int rc;

	snprintf(what, sizeof(what), "user \"%s\"", conf_name_of(e, "uri"));
	u->line_no = conf_line(e);
	if (conf_group(L, e, what, user_keys, u) > 0)
		return;
	if (directory_uri_key(u->uri, key, sizeof(key)) == -1) {
		conf_error(L, config_setting_get_member(e, "uri"), "%s: uri must be a SIP URI "
		    "like sip:alice@contoso.com", what);
		return;
	}
	u->key = su_strdup(L->home, key);
	if (number_parse_e164(u->line_uri, true, &u->line, err, sizeof(err)) == -1) {
		conf_error(L, config_setting_get_member(e, "line_uri"), "%s: line_uri %s", what, err);
		return;
	}
	rc = directory_add(L->conf->dir, u, &dup);
	if (rc == DIRECTORY_DUP_URI)
		conf_error(L, config_setting_get_member(e, "uri"), "%s: uri is already used by "
		    "%s (line %d)", what, dup->uri, dup->line_no);
	else if (rc == DIRECTORY_DUP_LINE)
		conf_error(L, config_setting_get_member(e, "line_uri"), "%s: line_uri %s is "
		    "already held by %s (line %d)", what, u->line_uri, dup->uri, dup->line_no);
	else if (rc == -1)
		conf_error(L, e, "out of memory");
}

int
conf_parse_users(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "users", (void **)&c->users, sizeof(*c->users));

	for (int i = 0; i < n; i++) {
		parse_user(L, config_setting_get_elem(s, (unsigned)i), &c->users[i]);
		c->nusers = (size_t)i + 1;
	}
	return 0;
}

/* unassigned_numbers */

struct unassigned_src {
	const char *name, *start, *end, *reason, *target;
	unsigned priority, status;
};

static const struct ckey unassigned_keys[] = {
	NAME_KEY(struct unassigned_src),
	{ "start", CK_STR, true, offsetof(struct unassigned_src, start), 0, 0, 0, NULL, NULL },
	{ "end", CK_STR, true, offsetof(struct unassigned_src, end), 0, 0, 0, NULL, NULL },
	{ "priority", CK_UINT, false, offsetof(struct unassigned_src, priority), 0, 1000000, 0, NULL, NULL },
	{ "status", CK_UINT, false, offsetof(struct unassigned_src, status), 400, 699, 0, NULL, NULL },
	{ "reason", CK_STR, false, offsetof(struct unassigned_src, reason), 0, 0, 0, NULL, NULL },
	{ "target", CK_STR, false, offsetof(struct unassigned_src, target), 0, 0, 0, NULL, NULL },
	CK_END
};

static int
range_end(struct loader *L, const config_setting_t *e, const char *key, const char *v,
    char *out, const char *what)
{
	struct telnum t;
	char err[300];

	if (number_parse_e164(v, true, &t, err, sizeof(err)) == -1) {
		conf_error(L, config_setting_get_member(e, key), "%s: %s %s", what, key, err);
		return -1;
	}
	if (t.ext[0] != '\0') {
		conf_error(L, config_setting_get_member(e, key), "%s: %s: ranges are of whole "
		    "numbers, without ;ext=", what, key);
		return -1;
	}
	strcpy(out, t.base);
	return 0;
}

static void
parse_unassigned(struct loader *L, const config_setting_t *e, struct unassigned *u)
{
	struct unassigned_src src = { 0 };
	char what[300];
	su_home_t home[1] = { SU_HOME_INIT(home) };

	snprintf(what, sizeof(what), "unassigned number range \"%s\"", conf_name_of(e, "name"));
	u->line = conf_line(e);
	if (conf_group(L, e, what, unassigned_keys, &src) > 0)
		return;
	u->name = src.name;
	u->priority = src.priority;
	u->status = src.status;
	u->reason = src.reason;
	u->target = src.target;
	if (range_end(L, e, "start", src.start, u->start, what) == -1 ||
	    range_end(L, e, "end", src.end, u->end, what) == -1)
		return;
	if (strlen(u->start) != strlen(u->end) || strcmp(u->start, u->end) > 0)
		conf_error(L, e, "%s: start and end must have the same number of digits and "
		    "start must not be above end", what);
	if ((u->status != 0) == (u->target != NULL))
		conf_error(L, e, "%s: set exactly one of \"status\" (answer with it) and "
		    "\"target\" (send the call there)", what);
	if (u->target != NULL) {
		url_t *url = url_make(home, u->target);

		if (url == NULL || (url->url_type != url_sip && url->url_type != url_sips) ||
		    url->url_host == NULL)
			conf_error(L, config_setting_get_member(e, "target"), "%s: target \"%s\" "
			    "is not a sip: or sips: URI", what, u->target);
	}
	if (u->reason != NULL && u->status == 0)
		conf_warning(L, config_setting_get_member(e, "reason"), "%s: reason is used "
		    "only with status", what);
	su_home_deinit(home);
}

int
conf_parse_unassigned(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "unassigned_numbers", (void **)&c->unassigned,
	    sizeof(*c->unassigned));

	for (int i = 0; i < n; i++) {
		parse_unassigned(L, config_setting_get_elem(s, (unsigned)i), &c->unassigned[i]);
		c->nunassigned = (size_t)i + 1;
	}
	/* Lower priority value first, list order among equals: a stable sort. */
	for (size_t i = 1; i < c->nunassigned; i++) {
		struct unassigned tmp = c->unassigned[i];
		size_t j = i;

		for (; j > 0 && c->unassigned[j - 1].priority > tmp.priority; j--)
			c->unassigned[j] = c->unassigned[j - 1];
		c->unassigned[j] = tmp;
	}
	return 0;
}
