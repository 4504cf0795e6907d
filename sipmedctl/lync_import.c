/*
 * lync_import: runs the Management Shell cmdlets of a Lync, Skype for
 * Business or Teams voice script (read by ps.c) into struct lync, as
 * those cmdlets would change the deployment: New- creates, Set- changes,
 * Remove- deletes, a rule given -Priority is inserted there, -InMemory
 * objects wait in variables until a dial plan or trunk takes them.
 *
 * The cmdlets themselves are in lync_voice.c, lync_trunks.c and
 * lync_users.c; this file holds what they share (parameters, rule lists
 * in Lync's priority order) and the dispatch.
 *
 * What has no sipmed equivalent (an unknown cmdlet or parameter, a
 * setting for media or for features sipmed does not have) is a warning
 * "FILE:LINE: warning: ..." and is skipped; the rest still maps. Where
 * Lync's own documentation is silent the choices are written here and in
 * the README ("Coming from Lync, Skype for Business or Teams").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lync_priv.h"

const char *const lync_switch_names[LYNC_SWITCHES] = {
	"AllowCallForwarding", "AllowSimulRing", "EnableDelegation", "EnableTeamCall",
	"EnableCallTransfer", "AllowPSTNReRouting", "PreventPSTNTollBypass",
};
const char *const lync_switch_keys[LYNC_SWITCHES] = {
	"allow_call_forwarding", "allow_simul_ring", "enable_delegation", "enable_team_call",
	"enable_call_transfer", "allow_pstn_rerouting", "prevent_pstn_toll_bypass",
};

/* Parameters every cmdlet takes that change nothing in the configuration. */
static const char *common_params[] = {
	"ErrorAction", "WarningAction", "ErrorVariable", "WarningVariable", "Confirm",
	"Force", "WhatIf", "Verbose", "Debug", "InMemory", "PassThru", "Tenant",
	"Description", NULL
};


void
lync_warn(struct lync *l, const struct lync_src *src, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: warning: ", src->file, src->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	l->warnings++;
}

struct lync_src
lync_src_of(const struct ps_cmd *c)
{
	return (struct lync_src){ c->file, c->line };
}

/* identities */

const char *
lync_scope(su_home_t *home, const char *id)
{
	const char *rest;

	if (id == NULL)
		return NULL;
	if (strcasecmp(id, "Global") == 0)
		return "Global";
	if (strncasecmp(id, "Site:", 5) == 0)
		return su_sprintf(home, "Site:%s", id + 5);
	if (strncasecmp(id, "Tag:", 4) == 0)
		return su_strdup(home, id + 4);
	rest = strncasecmp(id, "Service:", 8) == 0 ? id + 8 : id;
	if (strncasecmp(rest, "PstnGateway:", 12) == 0)
		return su_sprintf(home, "Service:PstnGateway:%s", rest + 12);
	if (rest != id)
		return su_sprintf(home, "Service:%s", rest);
	return su_strdup(home, id);
}

const char *
lync_site_of(const struct lync *l, const char *host)
{
	for (size_t i = 0; host != NULL && i < l->site_hosts.n; i++)
		if (strcasecmp(l->site_hosts.v[i], host) == 0)
			return l->site_names.v[i];
	return NULL;
}

bool
lync_is_site(const char *scope, const char **namep)
{
	if (scope == NULL || strncmp(scope, "Site:", 5) != 0)
		return false;
	*namep = scope + 5;
	return true;
}

bool
lync_is_gateway(const char *scope, const char **namep)
{
	if (scope == NULL || strncmp(scope, "Service:PstnGateway:", 20) != 0)
		return false;
	*namep = scope + 20;
	return true;
}

/* parameters */

struct ps_val *
lync_pval(const struct ps_cmd *c, const char *name)
{
	struct ps_param *p = ps_param(c, name);

	return p ? p->val : NULL;
}

bool
lync_has(const struct ps_cmd *c, const char *name)
{
	return ps_param(c, name) != NULL;
}

const char *
lync_pstr(const struct ps_cmd *c, const char *name)
{
	return ps_str(lync_pval(c, name));
}

/* -Identity, or the first positional argument, in one scope form. */
const char *
lync_identity(struct lync *l, const struct ps_cmd *c)
{
	const char *id = lync_pstr(c, "Identity");

	if (id == NULL && c->nargs > 0)
		id = ps_str(c->args[0]);
	return id;
}

/* A boolean parameter: $true/$false, True/False, 1/0, or a bare switch. */
int
lync_pbool(struct lync *l, const struct ps_cmd *c, const char *name)
{
	struct ps_param *p = ps_param(c, name);
	const char *s;
	struct lync_src src = lync_src_of(c);

	if (p == NULL)
		return LYNC_UNSET;
	if (p->val == NULL)
		return 1;
	if (p->val->kind == PS_BOOL)
		return p->val->b;
	s = ps_str(p->val);
	if (s != NULL && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0))
		return 1;
	if (s != NULL && (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0))
		return 0;
	lync_warn(l, &src, "%s -%s: \"%s\" is not $true or $false: skipped", c->name, name,
	    s ? s : "?");
	return LYNC_UNSET;
}

int
lync_puint(struct lync *l, const struct ps_cmd *c, const char *name, long max)
{
	const char *s = lync_pstr(c, name);
	struct lync_src src = lync_src_of(c);
	char *end;
	long v;

	if (s == NULL)
		return LYNC_UNSET;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 0 || v > max) {
		lync_warn(l, &src, "%s -%s: \"%s\" is not a number from 0 to %ld: skipped",
		    c->name, name, s, max);
		return LYNC_UNSET;
	}
	return (int)v;
}

void
lync_strs_add(struct lync *l, struct lync_strs *s, const char *v)
{
	const char **nv;

	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i], v) == 0)
			return;
	nv = su_realloc(l->home, s->v, (s->n + 1) * sizeof(*nv));
	if (nv == NULL)
		return;
	s->v = nv;
	s->v[s->n++] = su_strdup(l->home, v);
}

void
lync_strs_remove(struct lync_strs *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i], v) == 0) {
			memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
			s->n--;
			return;
		}
}

/* Calls f for each string in v (a string or a list of them). */
void
lync_each_str(struct lync *l, const struct ps_cmd *c, const struct ps_val *v,
    void (*f)(struct lync *, struct lync_strs *, const char *), struct lync_strs *s)
{
	struct lync_src src = lync_src_of(c);

	if (v == NULL || v->kind == PS_NULL)
		return;
	if (v->kind == PS_LIST) {
		for (size_t i = 0; i < v->n; i++)
			lync_each_str(l, c, v->v[i], f, s);
		return;
	}
	if (v->kind != PS_STR) {
		lync_warn(l, &src, "%s: a value that is not text is skipped", c->name);
		return;
	}
	f(l, s, v->s);
}

static void
strs_remove_f(struct lync *l, struct lync_strs *s, const char *v)
{
	lync_strs_remove(s, v);
}

/*
 * A list parameter: a list replaces s; @{add=...; remove=...; replace=...}
 * changes it as Lync does.
 */
void
lync_pstrs(struct lync *l, const struct ps_cmd *c, const char *name, struct lync_strs *s)
{
	struct ps_val *v = lync_pval(c, name);
	struct lync_src src = lync_src_of(c);

	if (!lync_has(c, name))
		return;
	if (v == NULL || v->kind != PS_HASH) {
		s->n = 0;
		lync_each_str(l, c, v, lync_strs_add, s);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strcasecmp(v->k[i], "replace") == 0) {
			s->n = 0;
			lync_each_str(l, c, v->v[i], lync_strs_add, s);
		} else if (strcasecmp(v->k[i], "add") == 0)
			lync_each_str(l, c, v->v[i], lync_strs_add, s);
		else if (strcasecmp(v->k[i], "remove") == 0)
			lync_each_str(l, c, v->v[i], strs_remove_f, s);
		else
			lync_warn(l, &src, "%s -%s: \"%s\" is not add, remove or replace: skipped",
			    c->name, name, v->k[i]);
	}
}

/* Warns about each parameter of c that is not in known[] or common_params. */
void
lync_check_params(struct lync *l, const struct ps_cmd *c, const char *const *known,
    const char *why)
{
	for (size_t i = 0; i < c->np; i++) {
		bool ok = false;

		for (size_t k = 0; known != NULL && known[k] != NULL && !ok; k++)
			ok = strcasecmp(c->p[i].name, known[k]) == 0;
		for (size_t k = 0; common_params[k] != NULL && !ok; k++)
			ok = strcasecmp(c->p[i].name, common_params[k]) == 0;
		if (!ok) {
			struct lync_src src = { c->file, c->p[i].line };

			lync_warn(l, &src, "%s -%s has no sipmed equivalent%s: skipped", c->name,
			    c->p[i].name, why ? why : "");
		}
	}
}
/* rules */

static const char *const rule_defaults[][2] = {
	{ "^(\\d{11})$", "+$1" },	/* New-CsVoiceNormalizationRule */
	{ "^\\+(\\d*)$", "$1" },	/* New-CsOutboundTranslationRule */
	{ "^\\+(\\d*)$", "$1" },	/* New-CsOutboundCallingNumberTranslationRule */
};

/* Splits "Scope/Name" (or -Parent and -Name) into a scope and a name. */
bool
lync_rule_id(struct lync *l, const struct ps_cmd *c, const char **scopep, const char **namep)
{
	const char *id = lync_identity(l, c), *slash;
	struct lync_src src = lync_src_of(c);

	if (id != NULL && (slash = strchr(id, '/')) != NULL) {
		*scopep = lync_scope(l->home, su_strndup(l->home, id, (size_t)(slash - id)));
		*namep = su_strdup(l->home, slash + 1);
	} else {
		*scopep = lync_scope(l->home, lync_pstr(c, "Parent"));
		*namep = lync_pstr(c, "Name");
		if (*namep == NULL)
			*namep = id;
	}
	if (*scopep == NULL || *namep == NULL || (*namep)[0] == '\0') {
		lync_warn(l, &src, "%s: no -Identity \"Scope/Name\" (or -Parent and -Name): "
		    "skipped", c->name);
		return false;
	}
	return true;
}

int
lync_rules_find(const struct lync_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcasecmp(rs->v[i]->name, name) == 0)
			return (int)i;
	return -1;
}

/* Inserts r at priority prio (LYNC_UNSET: at the end), as Lync does. */
void
lync_rules_insert(struct lync *l, struct lync_rules *rs, struct lync_rule *r, int prio)
{
	struct lync_rule **nv = su_realloc(l->home, rs->v, (rs->n + 1) * sizeof(*nv));
	size_t at = (prio == LYNC_UNSET || (size_t)prio > rs->n) ? rs->n : (size_t)prio;

	if (nv == NULL)
		return;
	rs->v = nv;
	memmove(rs->v + at + 1, rs->v + at, (rs->n - at) * sizeof(*rs->v));
	rs->v[at] = r;
	rs->n++;
	rs->set = true;
}

struct lync_rule *
lync_rules_take(struct lync_rules *rs, int i)
{
	struct lync_rule *r = rs->v[i];

	memmove(rs->v + i, rs->v + i + 1, (rs->n - (size_t)i - 1) * sizeof(*rs->v));
	rs->n--;
	return r;
}

/* Applies -Pattern, -Translation... of c to r. */
void
lync_rule_set_fields(struct lync *l, struct lync_rule *r, const struct ps_cmd *c)
{
	int internal = lync_pbool(l, c, "IsInternalExtension");

	if (lync_pstr(c, "Pattern") != NULL)
		r->pattern = lync_pstr(c, "Pattern");
	if (lync_pstr(c, "Translation") != NULL)
		r->translation = lync_pstr(c, "Translation");
	if (lync_has(c, "Description"))
		r->description = lync_pstr(c, "Description");
	if (internal != LYNC_UNSET)
		r->internal = internal;
}

struct lync_rule *
lync_rule_from(struct lync *l, const struct ps_cmd *c, enum rule_kind kind, const char *name)
{
	struct lync_rule *r = su_zalloc(l->home, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->name = name;
	r->pattern = rule_defaults[kind][0];
	r->translation = rule_defaults[kind][1];
	r->src = lync_src_of(c);
	lync_rule_set_fields(l, r, c);
	return r;
}

const char *const lync_rule_params[] = { "Identity", "Parent", "Name", "Pattern",
	"Translation", "Priority", "IsInternalExtension", NULL };
const char *const lync_trule_params[] = { "Identity", "Parent", "Name", "Pattern",
	"Translation", "Priority", NULL };

/* A rule object in a list value: made by a New-...Rule -InMemory. */
static struct lync_rule *
rule_of_value(struct lync *l, const struct ps_cmd *c, const struct ps_val *v,
    enum rule_kind kind)
{
	static const char *makers[] = { "New-CsVoiceNormalizationRule",
	    "New-CsOutboundTranslationRule", "New-CsOutboundCallingNumberTranslationRule" };
	struct lync_src src = lync_src_of(c);
	const char *scope, *name;

	if (v->kind == PS_OBJ && v->obj != NULL && strcasecmp(v->obj->name, makers[kind]) == 0 &&
	    lync_rule_id(l, v->obj, &scope, &name))
		return lync_rule_from(l, v->obj, kind, name);
	lync_warn(l, &src, "%s: a rule list item that is not made by %s here is skipped",
	    c->name, makers[kind]);
	return NULL;
}

static void
rules_from_list(struct lync *l, const struct ps_cmd *c, const struct ps_val *v,
    enum rule_kind kind, struct lync_rules *rs, bool remove)
{
	if (v == NULL || v->kind == PS_NULL)
		return;
	if (v->kind == PS_LIST) {
		for (size_t i = 0; i < v->n; i++)
			rules_from_list(l, c, v->v[i], kind, rs, remove);
		return;
	}
	if (remove && v->kind == PS_STR) {	/* remove by name */
		int i = lync_rules_find(rs, strchr(v->s, '/') ? strchr(v->s, '/') + 1 : v->s);

		if (i >= 0)
			lync_rules_take(rs, i);
		return;
	}
	{
		struct lync_rule *r = rule_of_value(l, c, v, kind);
		int i;

		if (r == NULL)
			return;
		i = lync_rules_find(rs, r->name);
		if (remove) {
			if (i >= 0)
				lync_rules_take(rs, i);
		} else if (i >= 0) {
			struct lync_src src = lync_src_of(c);

			lync_warn(l, &src, "%s: the list has two rules named \"%s\": the second is "
			    "skipped", c->name, r->name);
		} else
			lync_rules_insert(l, rs, r, LYNC_UNSET);
	}
}

/* A -NormalizationRules-like parameter: a list, or @{add=; remove=; replace=}. */
void
lync_prules(struct lync *l, const struct ps_cmd *c, const char *param, enum rule_kind kind,
    struct lync_rules *rs)
{
	struct ps_val *v = lync_pval(c, param);
	struct lync_src src = lync_src_of(c);

	if (!lync_has(c, param))
		return;
	rs->set = true;
	if (v == NULL || v->kind != PS_HASH) {
		rs->n = 0;
		rules_from_list(l, c, v, kind, rs, false);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strcasecmp(v->k[i], "replace") == 0) {
			rs->n = 0;
			rules_from_list(l, c, v->v[i], kind, rs, false);
		} else if (strcasecmp(v->k[i], "add") == 0)
			rules_from_list(l, c, v->v[i], kind, rs, false);
		else if (strcasecmp(v->k[i], "remove") == 0)
			rules_from_list(l, c, v->v[i], kind, rs, true);
		else
			lync_warn(l, &src, "%s -%s: \"%s\" is not add, remove or replace: skipped",
			    c->name, param, v->k[i]);
	}
}

static void ignore(struct lync *l, struct ps_cmd *c) { }

static const struct lync_handler handlers[] = {
	/* output and session housekeeping: nothing to map */
	{ "Write-Host", ignore }, { "Write-Output", ignore }, { "Write-Verbose", ignore },
	{ "Write-Warning", ignore }, { "Import-Module", ignore }, { "Start-Transcript", ignore },
	{ "Stop-Transcript", ignore }, { "Connect-MicrosoftTeams", ignore },
	{ "Clear-Host", ignore }, { "cls", ignore },
	{ NULL, NULL }
};

static const struct lync_handler *const tables[] = {
	lync_voice_handlers, lync_trunk_handlers, lync_user_handlers, handlers,
};

static void
run_cmd(void *arg, struct ps_cmd *c)
{
	struct lync *l = arg;
	struct lync_src src = lync_src_of(c);

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct lync_handler *h = tables[t]; h->name != NULL; h++)
			if (strcasecmp(c->name, h->name) == 0) {
				h->fn(l, c);
				return;
			}
	/* Get- and Test- only read; their results are not used here. */
	if (strncasecmp(c->name, "Get-", 4) == 0 || strncasecmp(c->name, "Test-", 5) == 0)
		return;
	lync_warn(l, &src, "%s: not a cmdlet sipmed maps: skipped", c->name);
}

static void
ps_warn(void *arg, const char *file, int line, const char *msg)
{
	struct lync_src src = { file, line };

	lync_warn(arg, &src, "%s", msg);
}

/* Runs a script from path, or from text when it is not NULL. */
static int
import(struct lync *l, const char *path, const char *text, char *err, size_t errlen)
{
	/* the variables go on: a later script sees an earlier one's */
	struct ps_reader r = { run_cmd, ps_warn, l, l->vars };
	struct lync_src src = { path, 0 };	/* Lync's own Global plan */
	int rc;

	lync_plan_global(l, &src);
	rc = text ? ps_run_text(l->home, path, text, &r, err, errlen) :
	    ps_run_file(l->home, path, &r, err, errlen);
	l->vars = r.vars;
	return rc;
}

int
lync_import_file(struct lync *l, const char *path, char *err, size_t errlen)
{
	return import(l, path, NULL, err, errlen);
}

int
lync_import_text(struct lync *l, const char *name, const char *text, char *err,
    size_t errlen)
{
	return import(l, name, text, err, errlen);
}

