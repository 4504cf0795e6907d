/*
 * conf_priv: what the configuration loader's files share. Not for use
 * outside conf*.c.
 */
#ifndef SIPMED_CONF_PRIV_H
#define SIPMED_CONF_PRIV_H

#include <libconfig.h>

#include "conf.h"

struct conf_msg;

struct loader {
	struct conf *conf;
	su_home_t *home;		/* conf->home */
	const char *dir;		/* directory of the main file */
	struct conf_msg *msgs;
	size_t nmsgs, capmsgs;
	int errors;
	const char *what;		/* the group being read, for messages */
};

/* Reports a problem at setting at (NULL: the file itself). */
void conf_error(struct loader *, const config_setting_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_error_at(struct loader *, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void conf_warning(struct loader *, const config_setting_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The settings table: one row per setting a group accepts, with its type,
 * bounds and default. conf_group() applies it: every child must be in the
 * table (a typo is an error, with a suggestion), each is type- and
 * bounds-checked into obj + off, and absent ones get their default or, if
 * required, an error.
 */
enum ckind {
	CK_STR,		/* const char * */
	CK_PATH,	/* const char *, made relative to the config's directory */
	CK_BOOL,	/* bool */
	CK_UINT,	/* unsigned, within [min, max] */
	CK_STRLIST,	/* struct strlist, from a list or array of strings */
	CK_PLAN,	/* struct dial_plan *, by name */
	CK_SITE,	/* struct site *, by name */
	CK_POLICY,	/* struct voice_policy *, by name */
	CK_FUNC,	/* parsed by fn */
};

struct ckey {
	const char *name;
	enum ckind kind;
	bool required;
	size_t off;
	long long min, max, def;
	const char *defstr;
	int (*fn)(struct loader *, const config_setting_t *, void *obj);
};

#define CK_END { NULL, 0, false, 0, 0, 0, 0, NULL, NULL }

/*
 * A CK_FUNC for settings that are accepted here but read by the group's
 * own code (or, like a description, kept only in the file).
 */
int conf_read_elsewhere(struct loader *, const config_setting_t *, void *obj);

/* Checks, once every group is read, that sips: anywhere has a tls group. */
void conf_check_tls(struct loader *);
/*
 * Checks, once every group is read, that each peer is reached over a
 * transport sipmed listens on and that no two peers known by address
 * share one.
 */
void conf_check_peers(struct loader *, const config_setting_t *root);

/*
 * Applies table to group grp (which must be a group) for obj; what names
 * the group in messages ("trunk \"gw1\""). A NULL grp (the group is not
 * in the file) only applies the defaults. Returns the number of errors.
 */
int conf_group(struct loader *, const config_setting_t *grp, const char *what,
    const struct ckey *table, void *obj);

/*
 * Checks that setting s is a list (or, when empty, an array) and returns
 * its length, or -1 after reporting what.
 */
int conf_list(struct loader *, const config_setting_t *s, const char *what);

/*
 * For a top-level list s of groups (may be NULL): allocates *arrp with
 * one zeroed element of size bytes per group and returns how many.
 */
int conf_list_alloc(struct loader *, const config_setting_t *s, const char *what,
    void **arrp, size_t size);

/* Reads a string-valued name from group grp for messages; "?" if absent. */
const char *conf_name_of(const config_setting_t *grp, const char *key);

/* True when name is 1-256 printable characters with no quote or control. */
bool conf_name_ok(const char *name);

/* The source line of s, 0 when unknown. */
int conf_line(const config_setting_t *s);

/* Emits the collected messages sorted by file and line, then frees them. */
void conf_flush_msgs(struct loader *,
    void (*msgf)(void *, enum conf_severity, const char *), void *arg);

/* Group parsers (conf_rules.c, conf_peers.c, conf_voice.c). */
int conf_parse_dial_plans(struct loader *, const config_setting_t *);
int conf_parse_location_policies(struct loader *, const config_setting_t *);
/* a user's or site's "location_policy": obj is where the pointer goes */
int conf_ref_location_policy(struct loader *, const config_setting_t *, void *obj);
/* Lync's Priority insertion: order[k] is the source index at position k. */
void conf_priority_order(const unsigned *prio, size_t n, size_t *order);
struct ruleset *conf_parse_rule_list(struct loader *, const config_setting_t *,
    const char *owner, const char *listname);
int conf_parse_server(struct loader *, const config_setting_t *);
int conf_parse_tls(struct loader *, const config_setting_t *);
int conf_parse_pool(struct loader *, const config_setting_t *);
int conf_parse_trunks(struct loader *, const config_setting_t *);
int conf_parse_trace(struct loader *, const config_setting_t *);
int conf_parse_directory(struct loader *, const config_setting_t *);
int conf_parse_cdr(struct loader *, const config_setting_t *);
int conf_parse_metrics(struct loader *, const config_setting_t *);
int conf_parse_media(struct loader *, const config_setting_t *);
/* A peer's media settings (what names it), once the media group is read. */
void conf_check_peer_media(struct loader *, const config_setting_t *at, const char *what,
    const struct peer_media *);
int conf_parse_control(struct loader *, const config_setting_t *);
int conf_parse_voice_policies(struct loader *, const config_setting_t *);
int conf_parse_sites(struct loader *, const config_setting_t *);
int conf_parse_routes(struct loader *, const config_setting_t *);
int conf_parse_users(struct loader *, const config_setting_t *);
int conf_parse_unassigned(struct loader *, const config_setting_t *);
void conf_check_usages(struct loader *, const config_setting_t *policies,
    const config_setting_t *trunks);
void conf_check_scopes(struct loader *, const config_setting_t *root);

/* Reference resolvers for CK_PLAN, CK_SITE, CK_POLICY: report an unknown name. */
int conf_ref_dial_plan(struct loader *, const config_setting_t *, struct dial_plan **);
int conf_ref_site(struct loader *, const config_setting_t *, struct site **);
int conf_ref_voice_policy(struct loader *, const config_setting_t *,
    struct voice_policy **);

#endif
