/*
 * lync_priv: what the import-lync files share (lync_import.c: parameters,
 * rule lists and the cmdlet dispatch; lync_voice.c: dial plans, usages,
 * routes, voice policies; lync_trunks.c: gateways, trunk configurations,
 * Teams SBCs; lync_users.c: users, grants, unassigned numbers, the CSV).
 */
#ifndef SIPMEDCTL_LYNC_PRIV_H
#define SIPMEDCTL_LYNC_PRIV_H

#include "lync.h"
#include "ps.h"

/* Appends item to l's vector vec (a LYNC_VEC). */
#define PUSH(l, vec, item) do {							\
	void *nv_ = su_realloc((l)->home, (l)->vec, ((l)->n##vec + 1) * sizeof(*(l)->vec)); \
	if (nv_ != NULL) {							\
		(l)->vec = nv_;							\
		(l)->vec[(l)->n##vec++] = (item);				\
	}									\
} while (0)

/* One cmdlet and what runs it. Each file has a table, ended by NULL. */
struct lync_handler {
	const char *name;
	void (*fn)(struct lync *, struct ps_cmd *);
};
extern const struct lync_handler lync_voice_handlers[];
extern const struct lync_handler lync_trunk_handlers[];
extern const struct lync_handler lync_user_handlers[];

/* parameters */
struct lync_src lync_src_of(const struct ps_cmd *);
struct ps_val *lync_pval(const struct ps_cmd *, const char *name);
bool lync_has(const struct ps_cmd *, const char *name);
const char *lync_pstr(const struct ps_cmd *, const char *name);
/* -Identity, or the first positional argument */
const char *lync_identity(struct lync *, const struct ps_cmd *);
/* LYNC_UNSET when absent (with a warning when not a boolean or number) */
int lync_pbool(struct lync *, const struct ps_cmd *, const char *name);
int lync_puint(struct lync *, const struct ps_cmd *, const char *name, long max);
void lync_strs_add(struct lync *, struct lync_strs *, const char *);
void lync_strs_remove(struct lync_strs *, const char *);
/* Calls f for each string in v (a string or a list of them). */
void lync_each_str(struct lync *, const struct ps_cmd *, const struct ps_val *v,
    void (*f)(struct lync *, struct lync_strs *, const char *), struct lync_strs *s);
/* A list parameter: a list replaces s, @{add=;remove=;replace=} changes it. */
void lync_pstrs(struct lync *, const struct ps_cmd *, const char *name, struct lync_strs *);
/* Warns about each parameter not in known[] (NULL-ended) nor common to all. */
void lync_check_params(struct lync *, const struct ps_cmd *, const char *const *known,
    const char *why);

/* rules */
enum rule_kind { RULE_NORM, RULE_CALLED, RULE_CALLING };
extern const char *const lync_rule_params[];	/* of a normalization rule */
extern const char *const lync_trule_params[];	/* of a trunk's rule */
bool lync_rule_id(struct lync *, const struct ps_cmd *, const char **scopep,
    const char **namep);
int lync_rules_find(const struct lync_rules *, const char *name);
/* Inserts at priority prio (LYNC_UNSET: the end), as Lync inserts. */
void lync_rules_insert(struct lync *, struct lync_rules *, struct lync_rule *, int prio);
struct lync_rule *lync_rules_take(struct lync_rules *, int i);
void lync_rule_set_fields(struct lync *, struct lync_rule *, const struct ps_cmd *);
struct lync_rule *lync_rule_from(struct lync *, const struct ps_cmd *, enum rule_kind,
    const char *name);
/* A rule list parameter: rule objects, or @{add=;remove=;replace=}. */
void lync_prules(struct lync *, const struct ps_cmd *, const char *param, enum rule_kind,
    struct lync_rules *);
/* The rule list of a scope: a dial plan's, or a trunk configuration's. */
struct lync_rules *lync_rule_list(struct lync *, const char *scope, enum rule_kind,
    bool create, const struct lync_src *);
/* Set- or Remove- of a rule named by -Identity. */
void lync_set_rule(struct lync *, struct ps_cmd *, enum rule_kind, bool remove);

/* objects */
struct lync_plan *lync_plan_find(struct lync *, const char *scope);
struct lync_plan *lync_plan_global(struct lync *, const struct lync_src *);
struct lync_gateway *lync_gateway_of(struct lync *, const char *name,
    const struct lync_src *);
/* -PstnGatewayList and the like: "PstnGateway:X" or "X", into s */
void lync_pgateways(struct lync *, const struct ps_cmd *, const char *param,
    struct lync_strs *s);
struct lync_user *lync_user_of(struct lync *, const char *id, const struct lync_src *);
/* "tel:+..." from what Lync takes as a LineURI; NULL with a warning */
const char *lync_line_uri(struct lync *, const char *v, const struct lync_src *);

#endif
