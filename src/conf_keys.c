/*
 * conf_keys: the table-driven part of the configuration loader: type,
 * bounds and unknown-setting checks for every group, and the collection
 * of located messages. Group-specific meaning lives in conf_rules.c,
 * conf_peers.c and conf_voice.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

struct conf_msg {
	char *file;
	int line;
	size_t seq;
	enum conf_severity sev;
	char *text;
};

static void
conf_vmsg(struct loader *L, enum conf_severity sev, const char *file, int line,
    const char *fmt, va_list ap)
{
	struct conf_msg *m;
	char buf[1024];

	if (L->nmsgs == L->capmsgs) {
		size_t ncap = L->capmsgs ? L->capmsgs * 2 : 16;
		struct conf_msg *nm = realloc(L->msgs, ncap * sizeof(*nm));

		if (nm == NULL)
			return;
		L->msgs = nm;
		L->capmsgs = ncap;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	m = &L->msgs[L->nmsgs];
	m->file = strdup(file ? file : L->conf->path);
	m->line = line;
	m->seq = L->nmsgs;
	m->sev = sev;
	m->text = strdup(buf);
	if (m->file == NULL || m->text == NULL) {
		free(m->file);
		free(m->text);
		return;
	}
	L->nmsgs++;
	if (sev == CONF_ERROR)
		L->errors++;
}

void
conf_error(struct loader *L, const config_setting_t *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(L, CONF_ERROR, at ? config_setting_source_file(at) : NULL, conf_line(at),
	    fmt, ap);
	va_end(ap);
}

void
conf_error_at(struct loader *L, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(L, CONF_ERROR, file, line, fmt, ap);
	va_end(ap);
}

void
conf_warning(struct loader *L, const config_setting_t *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(L, CONF_WARNING, at ? config_setting_source_file(at) : NULL, conf_line(at),
	    fmt, ap);
	va_end(ap);
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct conf_msg *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

void
conf_flush_msgs(struct loader *L,
    void (*msgf)(void *, enum conf_severity, const char *), void *arg)
{
	if (L->nmsgs > 1)	/* qsort(NULL, 0, ...) is undefined (fuzz_conf) */
		qsort(L->msgs, L->nmsgs, sizeof(*L->msgs), msg_cmp);
	for (size_t i = 0; i < L->nmsgs; i++) {
		struct conf_msg *m = &L->msgs[i];
		char line[1200];

		if (m->line > 0)
			snprintf(line, sizeof(line), "%s:%d: %s%s", m->file, m->line,
			    m->sev == CONF_WARNING ? "warning: " : "", m->text);
		else
			snprintf(line, sizeof(line), "%s: %s%s", m->file,
			    m->sev == CONF_WARNING ? "warning: " : "", m->text);
		if (msgf != NULL)
			msgf(arg, m->sev, line);
		free(m->file);
		free(m->text);
	}
	free(L->msgs);
	L->msgs = NULL;
	L->nmsgs = L->capmsgs = 0;
}

int
conf_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

const char *
conf_name_of(const config_setting_t *grp, const char *key)
{
	const char *v = NULL;

	if (grp != NULL && config_setting_is_group(grp) &&
	    config_setting_lookup_string(grp, key, &v) == CONFIG_TRUE)
		return v;
	return "?";
}

bool
conf_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++)
		if ((unsigned char)name[n] < ' ' || name[n] == '"' || name[n] == 0x7f)
			return false;
	return n > 0 && n <= 256;
}

/* Edit distance, for "did you mean" on a misspelt setting. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*prev));
	}
	return prev[lb];
}

static void
unknown_setting(struct loader *L, const config_setting_t *s, const char *what,
    const struct ckey *table)
{
	const char *name = config_setting_name(s), *best = NULL;
	size_t bestd = 3;

	for (const struct ckey *k = table; k->name != NULL; k++) {
		size_t d = distance(name, k->name);

		if (d < bestd) {
			bestd = d;
			best = k->name;
		}
	}
	if (best != NULL)
		conf_error(L, s, "%s: unknown setting \"%s\" (did you mean \"%s\"?)", what,
		    name, best);
	else
		conf_error(L, s, "%s: unknown setting \"%s\"", what, name);
}

static const char *
path_resolve(struct loader *L, const char *v)
{
	if (v[0] == '/' || L->dir == NULL)
		return su_strdup(L->home, v);
	return su_sprintf(L->home, "%s/%s", L->dir, v);
}

bool
conf_strlist_has(const struct strlist *l, const char *s)
{
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k], s) == 0)
			return true;
	return false;
}

static int
read_strlist(struct loader *L, const config_setting_t *s, const char *what,
    struct strlist *out)
{
	int n = config_setting_length(s), bad = 0;

	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		conf_error(L, s, "%s: \"%s\" must be a list of strings, like ( \"a\", \"b\" )",
		    what, config_setting_name(s));
		return 1;
	}
	out->v = su_zalloc(L->home, (size_t)(n + 1) * sizeof(*out->v));
	out->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (v == NULL) {
			conf_error(L, e, "%s: \"%s\" must hold strings only", what,
			    config_setting_name(s));
			bad++;
			continue;
		}
		out->v[out->n++] = su_strdup(L->home, v);
	}
	return bad;
}

static void
apply_default(struct loader *L, const struct ckey *k, char *obj)
{
	switch (k->kind) {
	case CK_STR:
		*(const char **)(obj + k->off) = k->defstr ? su_strdup(L->home, k->defstr) : NULL;
		break;
	case CK_PATH:
		*(const char **)(obj + k->off) = k->defstr ? path_resolve(L, k->defstr) : NULL;
		break;
	case CK_BOOL:
		*(bool *)(obj + k->off) = k->def != 0;
		break;
	case CK_UINT:
		*(unsigned *)(obj + k->off) = (unsigned)k->def;
		break;
	case CK_STRLIST:
	case CK_PLAN:
	case CK_SITE:
	case CK_POLICY:
	case CK_FUNC:
		break;
	}
}

static int
read_value(struct loader *L, const config_setting_t *s, const char *what,
    const struct ckey *k, char *obj)
{
	const char *sv;
	long long v;

	switch (k->kind) {
	case CK_STR:
	case CK_PATH:
		sv = config_setting_get_string(s);
		if (sv == NULL) {
			conf_error(L, s, "%s: \"%s\" must be a string in double quotes", what, k->name);
			return 1;
		}
		*(const char **)(obj + k->off) = k->kind == CK_PATH ? path_resolve(L, sv) :
		    su_strdup(L->home, sv);
		return 0;
	case CK_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			conf_error(L, s, "%s: \"%s\" must be true or false", what, k->name);
			return 1;
		}
		*(bool *)(obj + k->off) = config_setting_get_bool(s);
		return 0;
	case CK_UINT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64) {
			conf_error(L, s, "%s: \"%s\" must be a whole number", what, k->name);
			return 1;
		}
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max) {
			conf_error(L, s, "%s: \"%s\" must be between %lld and %lld (got %lld)",
			    what, k->name, k->min, k->max, v);
			return 1;
		}
		*(unsigned *)(obj + k->off) = (unsigned)v;
		return 0;
	case CK_STRLIST:
		return read_strlist(L, s, what, (struct strlist *)(obj + k->off));
	case CK_PLAN:
		return conf_ref_dial_plan(L, s, (struct dial_plan **)(void *)(obj + k->off));
	case CK_SITE:
		return conf_ref_site(L, s, (struct site **)(void *)(obj + k->off));
	case CK_POLICY:
		return conf_ref_voice_policy(L, s, (struct voice_policy **)(void *)(obj + k->off));
	case CK_FUNC:
		return k->fn(L, s, obj);
	}
	return 0;
}

int
conf_group(struct loader *L, const config_setting_t *grp, const char *what,
    const struct ckey *table, void *objp)
{
	char *obj = objp;
	int before = L->errors, n;
	const char *outer = L->what;

	if (grp == NULL) {
		for (const struct ckey *k = table; k->name != NULL; k++)
			apply_default(L, k, obj);
		return 0;
	}
	if (!config_setting_is_group(grp)) {
		conf_error(L, grp, "%s must be a group in braces { ... }", what);
		return 1;
	}
	n = config_setting_length(grp);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const struct ckey *k;

		for (k = table; k->name != NULL; k++)
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		if (k->name == NULL)
			unknown_setting(L, s, what, table);
	}
	L->what = what;
	for (const struct ckey *k = table; k->name != NULL; k++) {
		const config_setting_t *s = config_setting_get_member(grp, k->name);

		if (s != NULL)
			read_value(L, s, what, k, obj);
		else if (k->required)
			conf_error(L, grp, "%s: missing required setting \"%s\"", what, k->name);
		else
			apply_default(L, k, obj);
	}
	L->what = outer;
	return L->errors - before;
}

int
conf_list_alloc(struct loader *L, const config_setting_t *s, const char *what,
    void **arrp, size_t size)
{
	int n = s != NULL ? conf_list(L, s, what) : 0;

	if (n <= 0)
		return 0;
	*arrp = su_zalloc(L->home, (size_t)n * size);
	if (*arrp == NULL) {
		conf_error(L, s, "out of memory");
		return 0;
	}
	return n;
}

int
conf_list(struct loader *L, const config_setting_t *s, const char *what)
{
	if (config_setting_is_list(s) ||
	    (config_setting_is_array(s) && config_setting_length(s) == 0))
		return config_setting_length(s);
	conf_error(L, s, "%s must be a list in parentheses ( { ... }, { ... } )", what);
	return -1;
}

int
conf_read_elsewhere(struct loader *L, const config_setting_t *s, void *obj)
{
	return 0;
}
