/*
 * conf_rules: the dial_plans group and every list of Pattern ->
 * Translation rules (dial plan normalization rules, trunk called- and
 * calling-number rules). Rules are compiled here in priority order: list
 * order, where a rule with a "priority" is inserted at that position the
 * way Lync inserts a rule with -Priority (conf_priority_order), and the
 * first rule (priority 0) is tried first.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "hmap.h"

struct rule_src {
	const char *name;
	const char *pattern;
	const char *translation;
	const char *description;
	unsigned priority;		/* UINT_MAX: appended */
	bool internal;			/* IsInternalExtension */
	const config_setting_t *e;
	bool ok;
};

static const struct ckey rule_keys[] = {
	{ "name", CK_STR, true, offsetof(struct rule_src, name), 0, 0, 0, NULL, NULL },
	{ "pattern", CK_STR, true, offsetof(struct rule_src, pattern), 0, 0, 0, NULL, NULL },
	{ "translation", CK_STR, true, offsetof(struct rule_src, translation), 0, 0, 0, NULL, NULL },
	{ "description", CK_STR, false, offsetof(struct rule_src, description), 0, 0, 0, NULL, NULL },
	{ "priority", CK_UINT, false, offsetof(struct rule_src, priority), 0, INT32_MAX, -1, NULL, NULL },
	{ "is_internal_extension", CK_BOOL, false, offsetof(struct rule_src, internal), 0, 0, 0, NULL, NULL },
	CK_END
};

/*
 * Lync's list model for Priority (reference 1.4): items are taken in the
 * order written; one without a priority goes at the end, one with
 * priority p is inserted at position p (or at the end when the list is
 * shorter), moving those from p on down by one. Writes into order[] the
 * source index of each position.
 */
void
conf_priority_order(const unsigned *prio, size_t n, size_t *order)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = prio[i] < i ? prio[i] : i;

		memmove(order + at + 1, order + at, (i - at) * sizeof(*order));
		order[at] = i;
	}
}

/*
 * Reads one rule's settings into src (src->ok when they are sound).
 * names: the rule names seen so far in this list (plans hold 100,000).
 */
static void
read_rule(struct loader *L, struct hmap *names, const config_setting_t *e,
    const char *owner, struct rule_src *src)
{
	char what[600];

	src->e = e;
	snprintf(what, sizeof(what), "%s: rule \"%s\"", owner, conf_name_of(e, "name"));
	if (conf_group(L, e, what, rule_keys, src) > 0)
		return;
	if (!conf_name_ok(src->name)) {
		conf_error(L, e, "%s: a rule name must be 1 to 256 printable characters", owner);
		return;
	}
	switch (hmap_put(names, src->name, strlen(src->name), (void *)src->name, NULL)) {
	case 1:
		conf_error(L, e, "%s: two rules are named \"%s\"", owner, src->name);
		return;
	case -1:
		conf_error(L, e, "out of memory");
		return;
	}
	src->ok = true;
}

static void
compile_rule(struct loader *L, struct ruleset *rs, const struct rule_src *src,
    const char *owner)
{
	const config_setting_t *e = src->e;
	const struct rule *r;
	char what[600], err[512];

	snprintf(what, sizeof(what), "%s: rule \"%s\"", owner, src->name);
	r = ruleset_add(rs, src->name, src->pattern, src->translation,
	    src->internal ? RULE_INTERNAL_EXTENSION : 0, err, sizeof(err));
	if (r == NULL) {
		conf_error(L, config_setting_get_member(e, strstr(err, "translation") == err ?
		    "translation" : "pattern"), "%s: %s", what, err);
		return;
	}
	if (!rule_is_anchored(r))
		conf_warning(L, config_setting_get_member(e, "pattern"), "%s: pattern \"%s\" is "
		    "not anchored with ^...$: the result is the translation alone, text "
		    "outside the match is dropped", what, src->pattern);
}

struct ruleset *
conf_parse_rule_list(struct loader *L, const config_setting_t *s, const char *owner,
    const char *listname)
{
	struct ruleset *rs = ruleset_new(L->home, listname);
	struct hmap *names = hmap_new();
	struct rule_src *src = NULL;
	unsigned *prio = NULL;
	size_t *order = NULL;
	char what[600];
	int n;

	snprintf(what, sizeof(what), "%s: \"%s\"", owner, listname);
	n = s != NULL ? conf_list(L, s, what) : 0;
	if (n < 0)
		n = 0;	/* not a list: said so */
	if (n > 0) {
		src = calloc((size_t)n, sizeof(*src));
		prio = calloc((size_t)n, sizeof(*prio));
		order = calloc((size_t)n, sizeof(*order));
	}
	if (rs == NULL || names == NULL || (n > 0 && (src == NULL || prio == NULL ||
	    order == NULL))) {
		conf_error(L, s, "out of memory");
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		read_rule(L, names, config_setting_get_elem(s, (unsigned)i), owner, &src[i]);
		prio[i] = src[i].priority;
	}
	conf_priority_order(prio, (size_t)n, order);
	for (int i = 0; i < n; i++)
		if (src[order[i]].ok)
			compile_rule(L, rs, &src[order[i]], owner);
	free(src);
	free(prio);
	free(order);
	hmap_free(names);
	if (rs == NULL)
		return NULL;
	if (ruleset_build(rs) == -1)
		conf_error(L, s, "out of memory");
	return rs;
}

static int
plan_rules(struct loader *L, const config_setting_t *s, void *obj)
{
	struct dial_plan *dp = obj;
	char owner[300];

	snprintf(owner, sizeof(owner), "dial plan \"%s\"", dp->name ? dp->name : "?");
	dp->rules = conf_parse_rule_list(L, s, owner, dp->name ? dp->name : "?");
	return 0;
}

static const struct ckey plan_keys[] = {
	{ "name", CK_STR, true, offsetof(struct dial_plan, name), 0, 0, 0, NULL, NULL },
	{ "description", CK_STR, false, offsetof(struct dial_plan, description), 0, 0, 0, NULL, NULL },
	{ "rules", CK_FUNC, false, 0, 0, 0, 0, NULL, plan_rules },
	{ "external_access_prefix", CK_STR, false, offsetof(struct dial_plan, external_access_prefix), 0, 0, 0, NULL, NULL },
	{ "optimize_device_dialing", CK_BOOL, false, offsetof(struct dial_plan, optimize_device_dialing), 0, 0, 0, NULL, NULL },
	CK_END
};

/* ExternalAccessPrefix: 1 to 4 of 0-9, # and * (reference 1.1). */
static void
check_access_prefix(struct loader *L, const config_setting_t *e,
    const struct dial_plan *dp, const char *what)
{
	const char *p = dp->external_access_prefix;

	if (p != NULL && (strlen(p) < 1 || strlen(p) > 4 || strspn(p, "0123456789#*") !=
	    strlen(p)))
		conf_error(L, config_setting_get_member(e, "external_access_prefix"),
		    "%s: external_access_prefix \"%s\" must be 1 to 4 of 0-9, # and *", what, p);
	else if (dp->optimize_device_dialing && p == NULL)
		conf_error(L, config_setting_get_member(e, "optimize_device_dialing"),
		    "%s: optimize_device_dialing needs external_access_prefix", what);
}

int
conf_parse_dial_plans(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "dial_plans", (void **)&c->dial_plans,
	    sizeof(*c->dial_plans));

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct dial_plan *dp = &c->dial_plans[i];
		const char *name = conf_name_of(e, "name");
		char what[300];

		/* The name first, so the rules' messages can say whose they are. */
		dp->name = strcmp(name, "?") ? su_strdup(L->home, name) : NULL;
		snprintf(what, sizeof(what), "dial plan \"%s\"", name);
		dp->line = conf_line(e);
		if (dp->name != NULL && conf_dial_plan(c, dp->name) != NULL)
			conf_error(L, e, "two dial plans are named \"%s\"", dp->name);
		else if (dp->name != NULL && !conf_name_ok(dp->name))
			conf_error(L, e, "dial plan names must be 1 to 256 printable characters");
		c->ndial_plans = (size_t)i + 1;
		conf_group(L, e, what, plan_keys, dp);
		check_access_prefix(L, e, dp, what);
		if (dp->rules == NULL)
			dp->rules = conf_parse_rule_list(L, NULL, what, name);
	}
	return 0;
}

/* Resolves a string setting naming a dial plan. */
int
conf_ref_dial_plan(struct loader *L, const config_setting_t *s, struct dial_plan **dpp)
{
	const char *v = config_setting_get_string(s);

	if (v == NULL) {
		conf_error(L, s, "%s: \"%s\" must be the name of a dial plan, in double quotes",
		    L->what, config_setting_name(s));
		return 1;
	}
	*dpp = conf_dial_plan(L->conf, v);
	if (*dpp == NULL) {
		conf_error(L, s, "%s: %s: no dial plan is named \"%s\"", L->what,
		    config_setting_name(s), v);
		return 1;
	}
	return 0;
}
