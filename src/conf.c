/*
 * conf: loading, lifetime and lookups of the configuration snapshot.
 *
 * Groups are parsed in dependency order (dial plans before the trunks and
 * users that name them, routes before the voice policy check), whatever
 * their order in the file, so a reference is resolved where it is written
 * and reported at its own line. Loading never stops at the first error:
 * every message is collected, sorted by line and reported, and any error
 * discards the whole snapshot.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "directory.h"
#include "ldapdir.h"

static const struct {
	const char *name;
	int (*parse)(struct loader *, const config_setting_t *);
	bool required;
} groups[] = {
	/* In dependency order. */
	{ "dial_plans", conf_parse_dial_plans, false },
	{ "voice_policies", conf_parse_voice_policies, false },
	{ "location_policies", conf_parse_location_policies, false },
	{ "sites", conf_parse_sites, false },
	{ "trunks", conf_parse_trunks, false },
	{ "routes", conf_parse_routes, false },
	{ "users", conf_parse_users, false },
	{ "unassigned_numbers", conf_parse_unassigned, false },
	{ "server", conf_parse_server, true },
	{ "tls", conf_parse_tls, false },
	{ "pool", conf_parse_pool, true },
	{ "trace", conf_parse_trace, false },
	{ "control", conf_parse_control, false },
	{ "directory", conf_parse_directory, false },
	{ "cdr", conf_parse_cdr, false },
	{ "metrics", conf_parse_metrics, false },
	{ "media", conf_parse_media, false },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void
check_top_level(struct loader *L, const config_setting_t *root)
{
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		size_t g;

		for (g = 0; g < NGROUPS; g++)
			if (strcmp(groups[g].name, config_setting_name(s)) == 0)
				break;
		if (g == NGROUPS)
			conf_error(L, s, "unknown top-level setting \"%s\"", config_setting_name(s));
	}
}

static void
read_groups(struct loader *L, const config_setting_t *root)
{
	for (size_t g = 0; g < NGROUPS; g++) {
		const config_setting_t *s = config_setting_get_member(root, groups[g].name);

		if (s == NULL && groups[g].required)
			conf_error(L, NULL, "missing required group \"%s\"", groups[g].name);
		/* Absent optional groups still get their defaults. */
		groups[g].parse(L, s);
		if (strcmp(groups[g].name, "routes") == 0)
			conf_check_usages(L, config_setting_get_member(root, "voice_policies"),
			    config_setting_get_member(root, "trunks"));
	}
	conf_check_scopes(L, root);
	conf_check_tls(L);
	conf_check_peers(L, root);
}

static int
read_file(struct loader *L, config_t *cfg, const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		conf_error(L, NULL, "cannot read: %s", strerror(errno));
		return -1;
	}
	fclose(f);
	config_set_include_dir(cfg, L->dir);
	if (config_read_file(cfg, path) == CONFIG_TRUE)
		return 0;
	/* A syntax error: libconfig knows the file and line. */
	conf_error_at(L, config_error_file(cfg) ? config_error_file(cfg) : path,
	    config_error_line(cfg), "%s%s", strcmp(config_error_text(cfg), "syntax error") ?
	    "syntax error: " : "", config_error_text(cfg));
	return -1;
}

/* The home's destructor: the directory snapshot goes with the last reference. */
static void
conf_destroy(void *arg)
{
	dirsnap_unref(((struct conf *)arg)->ldap);
}

struct conf *
conf_load(const char *path, void (*msgf)(void *, enum conf_severity, const char *),
    void *arg)
{
	struct loader L = { 0 };
	struct conf *c = su_home_new(sizeof(*c));
	config_t cfg;
	char *dircopy;

	if (c == NULL)
		return NULL;
	config_init(&cfg);
	c->path = su_strdup(c->home, path);
	dircopy = su_strdup(c->home, path);
	L.conf = c;
	L.home = c->home;
	L.dir = dircopy ? su_strdup(c->home, dirname(dircopy)) : ".";
	c->dir = directory_new(c->home);
	su_home_destructor(c->home, conf_destroy);
	if (c->path == NULL || c->dir == NULL)
		conf_error(&L, NULL, "out of memory");
	else if (read_file(&L, &cfg, path) == 0) {
		check_top_level(&L, config_root_setting(&cfg));
		read_groups(&L, config_root_setting(&cfg));
	}
	conf_flush_msgs(&L, msgf, arg);
	config_destroy(&cfg);
	if (L.errors > 0) {
		su_home_unref(c->home);
		return NULL;
	}
	return c;
}

struct conf *
conf_ref(struct conf *c)
{
	return c ? su_home_ref(c->home) : NULL;
}

void
conf_unref(struct conf *c)
{
	if (c != NULL)
		su_home_unref(c->home);
}

bool
conf_same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
conf_set_directory(struct conf *c, struct dirsnap *snap)
{
	struct dirsnap *was = c->ldap;

	c->ldap = dirsnap_ref(snap);
	dirsnap_unref(was);
}

struct user *
conf_find_user(const struct conf *c, const char *uri)
{
	struct user *u = directory_user(c->dir, uri);

	if (u == NULL && c->ldap != NULL)
		u = directory_user(dirsnap_directory(c->ldap), uri);
	return u;
}

enum rnl_result
conf_find_number(const struct conf *c, const char *number, struct user **userp)
{
	enum rnl_result r = directory_rnl(c->dir, number, userp);

	if (r == RNL_NOT_FOUND && c->ldap != NULL)
		r = directory_rnl(dirsnap_directory(c->ldap), number, userp);
	return r;
}

#define FIND_BY_NAME(arr, n, name) do {			\
	for (size_t i_ = 0; i_ < (n); i_++)			\
		if ((arr)[i_].name && strcmp((arr)[i_].name, (name)) == 0)	\
			return &(arr)[i_];			\
	return NULL;						\
} while (0)

struct dial_plan *
conf_dial_plan(const struct conf *c, const char *name)
{
	FIND_BY_NAME(c->dial_plans, c->ndial_plans, name);
}

struct trunk *
conf_trunk(const struct conf *c, const char *name)
{
	FIND_BY_NAME(c->trunks, c->ntrunks, name);
}

struct voice_policy *
conf_voice_policy(const struct conf *c, const char *name)
{
	FIND_BY_NAME(c->voice_policies, c->nvoice_policies, name);
}

struct route *
conf_route(const struct conf *c, const char *name)
{
	FIND_BY_NAME(c->routes, c->nroutes, name);
}

struct dial_plan *
conf_user_dial_plan(const struct conf *c, const struct user *u)
{
	if (u->dial_plan != NULL)
		return u->dial_plan;
	if (u->dial_plan_name != NULL && conf_dial_plan(c, u->dial_plan_name) != NULL)
		return conf_dial_plan(c, u->dial_plan_name);
	if (u->site != NULL && u->site->dial_plan != NULL)
		return u->site->dial_plan;
	return conf_dial_plan(c, "Global");
}

struct dial_plan *
conf_trunk_dial_plan(const struct conf *c, const struct trunk *t)
{
	if (t->inbound_dial_plan != NULL)
		return t->inbound_dial_plan;
	if (t->site != NULL && t->site->dial_plan != NULL)
		return t->site->dial_plan;
	return conf_dial_plan(c, "Global");
}

struct voice_policy *
conf_user_voice_policy(const struct conf *c, const struct user *u)
{
	if (u->voice_policy != NULL)
		return u->voice_policy;
	if (u->voice_policy_name != NULL && conf_voice_policy(c, u->voice_policy_name) != NULL)
		return conf_voice_policy(c, u->voice_policy_name);
	if (u->site != NULL && u->site->voice_policy != NULL)
		return u->site->voice_policy;
	return conf_voice_policy(c, "Global");
}

/*
 * Every trunk and user must end up with a dial plan; a user without any
 * voice policy can still be called but cannot call out, which is legal
 * (an internal-only user) and so only a warning.
 */
void
conf_check_scopes(struct loader *L, const config_setting_t *root)
{
	const struct conf *c = L->conf;
	const config_setting_t *trunks = config_setting_get_member(root, "trunks");
	const config_setting_t *users = config_setting_get_member(root, "users");

	/* Objects that failed to parse were reported already: skip them. */
	for (size_t i = 0; i < c->ntrunks; i++)
		if (c->trunks[i].address != NULL && conf_trunk_dial_plan(c, &c->trunks[i]) == NULL)
			conf_error(L, config_setting_get_elem(trunks, (unsigned)i),
			    "trunk \"%s\": no inbound_dial_plan, none on its site, and no dial "
			    "plan named \"Global\"", c->trunks[i].name);
	for (size_t i = 0; i < c->nusers; i++) {
		const struct user *u = &c->users[i];
		const config_setting_t *at = config_setting_get_elem(users, (unsigned)i);

		if (u->key == NULL)
			continue;
		if (conf_user_dial_plan(c, u) == NULL)
			conf_error(L, at, "user \"%s\": no dial_plan, none on its site, and no "
			    "dial plan named \"Global\"", u->uri);
		if (conf_user_voice_policy(c, u) == NULL)
			conf_warning(L, at, "user \"%s\": no voice policy applies (none set, none "
			    "on its site, no \"Global\" policy): calls to the PSTN will be refused",
			    u->uri);
	}
}
