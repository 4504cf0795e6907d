/*
 * lync: a Lync / Skype for Business / Teams voice configuration as the
 * Management Shell builds it, for import-lync (lync_import.c and the
 * lync_voice.c, lync_trunks.c, lync_users.c it dispatches to run the
 * cmdlets into it; lync_write.c writes it as a sipmed configuration).
 * Every object remembers the FILE:LINE that made it.
 */
#ifndef SIPMEDCTL_LYNC_H
#define SIPMEDCTL_LYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sofia-sip/su_alloc.h>

struct lync_src {
	const char *file;
	int line;
};

struct lync_strs {
	const char **v;
	size_t n;
};

/* A normalization rule, or a trunk's called- or calling-number rule. */
struct lync_rule {
	const char *name;
	const char *pattern;
	const char *translation;
	const char *description;
	bool internal;		/* IsInternalExtension */
	struct lync_src src;
};

/* An ordered rule list, kept in Lync's priority order. */
struct lync_rules {
	struct lync_rule **v;
	size_t n;
	bool set;		/* written by the script (a trunk's lists) */
};

struct lync_plan {
	const char *id;		/* Global, Site:X, Service:PstnGateway:X, or a tag */
	const char *description;
	const char *prefix;	/* ExternalAccessPrefix */
	bool optimize;		/* OptimizeDeviceDialing */
	struct lync_rules rules;
	struct lync_src src;
};

enum { LYNC_UNSET = -1 };

#define LYNC_SWITCHES 7
extern const char *const lync_switch_names[LYNC_SWITCHES];	/* Lync's */
extern const char *const lync_switch_keys[LYNC_SWITCHES];	/* sipmed's */

struct lync_policy {
	const char *id;		/* Global, Site:X, or a tag */
	struct lync_strs usages;
	int sw[LYNC_SWITCHES];	/* LYNC_UNSET, 0 or 1 */
	const char *fwd_type;	/* CallForwardingSimulRingUsageType */
	struct lync_strs fwd_usages;
	const char *description;
	struct lync_src src;
};

struct lync_route {
	const char *name;
	const char *pattern;
	const char *description;
	struct lync_strs usages;
	struct lync_strs gateways;	/* gateway names (FQDN or address) */
	bool suppress;
	const char *alternate;
	struct lync_src src;
};

struct lync_rc_rule {
	unsigned received, translated;
	int q850;		/* -1: any */
	struct lync_src src;
};

/* A trunk configuration: Global, Site:X or Service:PstnGateway:X. */
struct lync_trunkcfg {
	const char *id;
	struct lync_rules called, calling;
	struct lync_strs usages;	/* PstnUsages: inter-trunk routing */
	struct lync_rc_rule *rc;
	size_t nrc;
	int remove_plus, refer, pai, history, fast_failover, session_timer, pidf_lo;
	int max_early_dialogs;
	const char *description;
	struct lync_src src;
};

struct lync_gateway {
	const char *name;	/* FQDN or address */
	const char *address;	/* sips:/sip: URI, or NULL: derived */
	const char *site;	/* from --site */
	bool teams;		/* an online (Teams) gateway */
	int max_calls;		/* MaxConcurrentSessions, or LYNC_UNSET */
	int failover;		/* FailoverTimeSeconds, or LYNC_UNSET */
	int options;		/* SendSipOptions, or LYNC_UNSET */
	bool defined;		/* its address is known */
	struct lync_src src;
};

/* New-CsLocationPolicy: emergency calls */
struct lync_location {
	const char *id;		/* Global, Site:X, or a tag */
	const char *dial_string;
	struct lync_strs masks;
	const char *usage;
	struct lync_strs notify;
	struct lync_src src;
};

struct lync_user {
	const char *uri;
	const char *line_uri;
	const char *pool;	/* RegistrarPool, from --users */
	const char *plan;	/* granted dial plan (a tag) */
	const char *policy;	/* granted voice policy (a tag) */
	const char *location;	/* granted location policy (a tag) */
	struct lync_src src;
};

struct lync_unassigned {
	const char *name;
	const char *start, *end;	/* tel:+... */
	unsigned priority;
	const char *target;		/* sip: URI, or NULL */
	const char *aa_number;		/* ExUmAutoAttendantPhoneNumber, or NULL */
	unsigned status;		/* when there is no target */
	struct lync_src src;
};

struct lync_announcement {
	const char *name;
	const char *target;
	bool prompt;
	struct lync_src src;
};

#define LYNC_VEC(type, name) type **name; size_t n##name

struct lync {
	su_home_t *home;
	LYNC_VEC(struct lync_plan, plans);
	LYNC_VEC(struct lync_policy, policies);
	LYNC_VEC(struct lync_location, locations);
	LYNC_VEC(struct lync_route, routes);
	LYNC_VEC(struct lync_trunkcfg, trunkcfgs);
	LYNC_VEC(struct lync_gateway, gateways);
	LYNC_VEC(struct lync_user, users);
	LYNC_VEC(struct lync_unassigned, unassigned);
	LYNC_VEC(struct lync_announcement, announcements);
	LYNC_VEC(struct lync_rule, teams_rules);	/* New-CsTeamsTranslationRule */
	struct lync_strs usages;	/* the global PSTN usage list */
	const char *domain;		/* --domain */
	const char *pool;		/* --pool */
	const char *pool_identity;	/* --pool-identity */
	struct lync_strs site_hosts;	/* --site HOST=SITE: a gateway or a */
	struct lync_strs site_names;	/* registrar pool, and its site */
	unsigned warnings;
	struct ps_vars *vars;		/* the scripts' variables */
};

/* FILE:LINE: warning: ... on standard error; counts it. */
void lync_warn(struct lync *, const struct lync_src *, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs one script into l. -1 with a message when it cannot be read or parsed. */
int lync_import_file(struct lync *, const char *path, char *err, size_t errlen);
/* The same for a script in memory (UTF-8), named name in messages. */
int lync_import_text(struct lync *, const char *name, const char *text, char *err,
    size_t errlen);
/* Reads a Get-CsUser | Export-Csv file. -1 when it cannot be read. */
int lync_import_users(struct lync *, const char *path, char *err, size_t errlen);
/* Writes l as a complete sipmed configuration. */
void lync_write(struct lync *, FILE *, int nfiles, char **files);

/* The site --site gives host (a gateway or a registrar pool), or NULL. */
const char *lync_site_of(const struct lync *, const char *host);

/* Identities: Lync's spellings of a scope in one form. */
const char *lync_scope(su_home_t *, const char *identity);
bool lync_is_site(const char *scope, const char **namep);
bool lync_is_gateway(const char *scope, const char **namep);

#endif
