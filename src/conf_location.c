/*
 * conf_location: location policies, Lync's New-CsLocationPolicy for
 * emergency calls: the emergency dial string (911), the dial masks that
 * mean it (112, 999), the PSTN usage emergency calls are routed by, the
 * location's callback number (ELIN) and who is told of each emergency
 * call. Which policy applies: the user's, else its site's, else "Global";
 * a caller from the pool who is no user (a common-area phone) gets
 * "Global".
 */
#include <stdio.h>
#include <string.h>

#include "conf_priv.h"

static const struct ckey location_keys[] = {
	{ "name", CK_STR, true, offsetof(struct location_policy, name), 0, 0, 0, NULL, NULL },
	{ "description", CK_FUNC, false, 0, 0, 0, 0, NULL, conf_read_elsewhere },
	{ "emergency_dial_string", CK_STR, false, offsetof(struct location_policy, dial_string), 0, 0, 0, "911", NULL },
	{ "emergency_dial_masks", CK_STRLIST, false, offsetof(struct location_policy, masks), 0, 0, 0, NULL, NULL },
	{ "pstn_usage", CK_STR, true, offsetof(struct location_policy, usage), 0, 0, 0, NULL, NULL },
	{ "elin", CK_STR, false, offsetof(struct location_policy, elin), 0, 0, 0, NULL, NULL },
	{ "notification_uris", CK_STRLIST, false, offsetof(struct location_policy, notify), 0, 0, 0, NULL, NULL },
	CK_END
};

/* digits, * and #, as a phone's keypad sends them: 1 to 10 */
static bool
dial_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 10 && strspn(s, "0123456789*#") == n;
}

static void
check_policy(struct loader *L, const config_setting_t *e, const struct location_policy *lp,
    const char *what)
{
	struct telnum t;
	char err[128];

	if (lp->dial_string != NULL && !dial_ok(lp->dial_string))
		conf_error(L, config_setting_get_member(e, "emergency_dial_string"),
		    "%s: emergency_dial_string \"%s\" must be 1 to 10 of 0-9, * and #", what,
		    lp->dial_string);
	for (size_t i = 0; i < lp->masks.n; i++)
		if (!dial_ok(lp->masks.v[i]))
			conf_error(L, config_setting_get_member(e, "emergency_dial_masks"),
			    "%s: emergency dial mask \"%s\" must be 1 to 10 of 0-9, * and #", what,
			    lp->masks.v[i]);
	if (lp->elin != NULL && number_parse_e164(lp->elin, false, &t, err, sizeof(err)) == -1)
		conf_error(L, config_setting_get_member(e, "elin"), "%s: elin: %s", what, err);
	for (size_t i = 0; i < lp->notify.n; i++)
		if (strncmp(lp->notify.v[i], "sip:", 4) != 0 && strncmp(lp->notify.v[i], "sips:", 5))
			conf_error(L, config_setting_get_member(e, "notification_uris"),
			    "%s: notification URI \"%s\" must be a sip: or sips: URI", what,
			    lp->notify.v[i]);
}

int
conf_parse_location_policies(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "location_policies", (void **)&c->location_policies,
	    sizeof(*c->location_policies));

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct location_policy *lp = &c->location_policies[i];
		char what[300];

		snprintf(what, sizeof(what), "location policy \"%s\"", conf_name_of(e, "name"));
		if (conf_location_policy(c, conf_name_of(e, "name")) != NULL)
			conf_error(L, e, "two location policies are named \"%s\"",
			    conf_name_of(e, "name"));
		lp->line = conf_line(e);
		if (conf_group(L, e, what, location_keys, lp) == 0)
			check_policy(L, e, lp, what);
		c->nlocation_policies = (size_t)i + 1;
	}
	return 0;
}

/* A "location_policy" setting of a user or a site: the policy by name. */
int
conf_ref_location_policy(struct loader *L, const config_setting_t *s, void *obj)
{
	const struct location_policy **lpp = obj;
	const char *v = config_setting_get_string(s);

	*lpp = v != NULL ? conf_location_policy(L->conf, v) : NULL;
	if (*lpp == NULL) {
		conf_error(L, s, "%s: location_policy: no location policy is named \"%s\"", L->what,
		    v ? v : "?");
		return 1;
	}
	return 0;
}

const struct location_policy *
conf_location_policy(const struct conf *c, const char *name)
{
	for (size_t i = 0; name != NULL && i < c->nlocation_policies; i++)
		if (c->location_policies[i].name != NULL &&
		    strcmp(c->location_policies[i].name, name) == 0)
			return &c->location_policies[i];
	return NULL;
}

const struct location_policy *
conf_user_location_policy(const struct conf *c, const struct user *u)
{
	if (u != NULL && u->location_policy != NULL)
		return u->location_policy;
	if (u != NULL && u->site != NULL && u->site->location_policy != NULL)
		return u->site->location_policy;
	return conf_location_policy(c, "Global");
}

bool
conf_location_dials(const struct location_policy *lp, const char *dialed)
{
	if (lp == NULL || dialed == NULL)
		return false;
	if (lp->dial_string != NULL && strcmp(dialed, lp->dial_string) == 0)
		return true;
	for (size_t i = 0; i < lp->masks.n; i++)
		if (strcmp(dialed, lp->masks.v[i]) == 0)
			return true;
	return false;
}

bool
conf_is_emergency_number(const struct conf *c, const char *dialed)
{
	for (size_t i = 0; i < c->nlocation_policies; i++)
		if (conf_location_dials(&c->location_policies[i], dialed))
			return true;
	return false;
}
