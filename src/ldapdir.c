/*
 * ldapdir: users read from a directory over LDAP (see ldapdir.h). Built
 * on OpenLDAP's client library: one connection per load, simple bind,
 * StartTLS or ldaps:// with a CA file, paged results.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include <sofia-sip/su_alloc.h>

#include "conf.h"
#include "ldapdir.h"
#include "number.h"

/* One entry as the directory gave it, whether or not it makes a user. */
struct entry {
	char *dn;
	char *uri;		/* sip:..., or NULL */
	char *line;		/* "tel:+E164[;ext=N]", or NULL */
	char *display;
	char *dial_plan;
	char *voice_policy;
	bool disabled;
	bool gone;		/* a delta: it changed and no longer matches the filter */
};

/* Strings of a snapshot, packed: a directory has hundreds of thousands. */
struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct dirsnap {
	su_home_t home[1];
	unsigned refs;
	struct chunk *chunks;
	struct entry *entries;	/* sorted by dn, for deltas */
	size_t nentries;
	struct user *users;
	struct directory *dir;
	struct dirsnap_info info;
};

/* A copy of v's first n bytes in s, or NULL when out of memory. */
static char *
str_n(struct dirsnap *s, const char *v, size_t n)
{
	struct chunk *c = s->chunks;
	char *out;

	if (c == NULL || c->size - c->used < n + 1) {
		size_t size = n + 1 > 65536 ? n + 1 : 65536;

		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = s->chunks;
		s->chunks = c;
	}
	out = c->data + c->used;
	memcpy(out, v, n);
	out[n] = '\0';
	c->used += n + 1;
	return out;
}

static char *
str(struct dirsnap *s, const char *v)
{
	return v != NULL ? str_n(s, v, strlen(v)) : NULL;
}

/* The home's destructor: the strings go with the snapshot. */
static void
chunks_free(void *arg)
{
	struct dirsnap *s = (struct dirsnap *)arg;

	while (s->chunks != NULL) {
		struct chunk *c = s->chunks;

		s->chunks = c->next;
		free(c);
	}
}

struct dirsnap *
dirsnap_ref(struct dirsnap *s)
{
	if (s != NULL)
		s->refs++;
	return s;
}

void
dirsnap_unref(struct dirsnap *s)
{
	if (s != NULL && --s->refs == 0)
		su_home_unref(s->home);
}

const struct dirsnap_info *
dirsnap_info(const struct dirsnap *s)
{
	return &s->info;
}

const struct directory *
dirsnap_directory(const struct dirsnap *s)
{
	return s->dir;
}

static void
seterr(char *err, size_t len, const char *what, LDAP *ld, int rc)
{
	char *diag = NULL;

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(err, len, "%s: %s%s%s", what, ldap_err2string(rc),
	    diag != NULL && diag[0] ? ": " : "", diag != NULL ? diag : "");
	ldap_memfree(diag);
}

/* The bind password: the file's first line. */
static int
read_password(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, errlen, "password_file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* A bound connection to the directory, or NULL with err. */
static LDAP *
connect_bind(const struct conf_ldap *cfg, char *err, size_t errlen)
{
	LDAP *ld = NULL;
	int rc, v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
	struct timeval tv = { (time_t)cfg->timeout, 0 };
	struct berval cred;
	char pw[512] = "";

	if (cfg->password_file != NULL &&
	    read_password(cfg->password_file, pw, sizeof(pw), err, errlen) == -1)
		return NULL;
	rc = ldap_initialize(&ld, cfg->uri);
	if (rc != LDAP_SUCCESS) {
		seterr(err, errlen, cfg->uri, NULL, rc);
		return NULL;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	if (cfg->ca_file != NULL) {
		ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, cfg->ca_file);
		ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
		ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	}
	if (cfg->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		seterr(err, errlen, "StartTLS", ld, rc);
		goto fail;
	}
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	rc = ldap_sasl_bind_s(ld, cfg->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	explicit_bzero(pw, sizeof(pw));
	if (rc != LDAP_SUCCESS) {
		seterr(err, errlen, cfg->bind_dn != NULL ? "bind" : "anonymous bind", ld, rc);
		goto fail;
	}
	return ld;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

int
ldapdir_check(const struct conf_ldap *cfg, char *err, size_t errlen)
{
	LDAP *ld = connect_bind(cfg, err, errlen);

	if (ld == NULL)
		return -1;
	ldap_unbind_ext_s(ld, NULL, NULL);
	return 0;
}

/* The first value of attr in e, copied into snap; NULL when none. */
static char *
value(struct dirsnap *snap, LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v;
	char *s = NULL;

	if (attr == NULL || (v = ldap_get_values_len(ld, e, attr)) == NULL)
		return NULL;
	if (v[0] != NULL)
		s = str_n(snap, v[0]->bv_val, v[0]->bv_len);
	ldap_value_free_len(v);
	return s;
}

/*
 * A directory's number as a LineURI: "tel:+15033121234;ext=12" as Lync
 * keeps it, or a telephoneNumber written for people ("+1 (503) 312-1234").
 */
static char *
line_of(struct dirsnap *snap, const char *v)
{
	char buf[128], out[136];
	size_t n = 0;

	if (v == NULL)
		return NULL;
	if (strncasecmp(v, "tel:", 4) == 0)
		v += 4;
	for (; *v && n + 1 < sizeof(buf); v++) {
		if (*v == ';') {
			snprintf(buf + n, sizeof(buf) - n, "%s", v);
			n = strlen(buf);
			break;
		}
		if (!isspace((unsigned char)*v) && !strchr("-.()", *v))
			buf[n++] = *v;
	}
	buf[n] = '\0';
	snprintf(out, sizeof(out), "tel:%s", buf);
	return str(snap, out);
}

static char *
uri_of(struct dirsnap *snap, const char *v)
{
	char buf[512];

	if (v == NULL || strncasecmp(v, "sip:", 4) == 0 || strncasecmp(v, "sips:", 5) == 0)
		return (char *)v;
	snprintf(buf, sizeof(buf), "sip:%s", v);
	return str(snap, buf);
}

/*
 * Keeps the newest change seen: the next delta starts there. A time
 * (modifyTimestamp, whenChanged: "20261130001227Z") compares as text, a
 * number (uSNChanged) by its value.
 */
static void
mark_newer(char *mark, size_t len, const char *t)
{
	size_t tl, ml = strlen(mark);

	if (t == NULL || (tl = strlen(t)) >= len)
		return;
	if (strspn(t, "0123456789") == tl && strspn(mark, "0123456789") == ml && tl != ml) {
		if (tl > ml)
			snprintf(mark, len, "%s", t);
		return;
	}
	if (strcmp(t, mark) > 0)
		snprintf(mark, len, "%s", t);
}

struct result {
	struct dirsnap *snap;
	struct entry *v;
	size_t n, cap;
	char mark[32];
};

static int
result_add(struct result *r, const struct entry *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct entry *v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *e;
	return 0;
}

/* Searches filter under the base, page by page, adding every entry to r. */
static int
search(LDAP *ld, const struct conf_ldap *cfg, const char *filter, bool gone,
    struct result *r, char *err, size_t errlen)
{
	const char *attrs[] = { cfg->attr_line, cfg->attr_uri, cfg->attr_changed,
	    cfg->attr_enabled, cfg->attr_display, cfg->attr_dial_plan, cfg->attr_voice_policy,
	    NULL };
	const char *list[8];
	struct berval *cookie = NULL;
	struct timeval tv = { (time_t)cfg->timeout, 0 };
	size_t na = 0;
	int rc;

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]) - 1; i++)
		if (attrs[i] != NULL)
			list[na++] = attrs[i];
	list[na] = NULL;
	do {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **rctrls = NULL;
		LDAPMessage *res = NULL, *e;
		int code = 0;
		ber_int_t total;

		rc = ldap_create_page_control(ld, (ber_int_t)cfg->page_size, cookie, 0, &page);
		if (rc != LDAP_SUCCESS) {
			seterr(err, errlen, "paged search", ld, rc);
			break;
		}
		ctrls[0] = page;
		rc = ldap_search_ext_s(ld, cfg->base, LDAP_SCOPE_SUBTREE, filter, (char **)list, 0,
		    ctrls, NULL, &tv, LDAP_NO_LIMIT, &res);
		ldap_control_free(page);
		if (rc != LDAP_SUCCESS) {
			seterr(err, errlen, "search", ld, rc);
			ldap_msgfree(res);
			break;
		}
		for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
			char *dn = ldap_get_dn(ld, e), *on;
			struct entry x = { 0 };

			x.dn = str(r->snap, dn);
			x.gone = gone;
			ldap_memfree(dn);
			x.uri = uri_of(r->snap, value(r->snap, ld, e, cfg->attr_uri));
			x.line = line_of(r->snap, value(r->snap, ld, e, cfg->attr_line));
			x.display = value(r->snap, ld, e, cfg->attr_display);
			x.dial_plan = value(r->snap, ld, e, cfg->attr_dial_plan);
			x.voice_policy = value(r->snap, ld, e, cfg->attr_voice_policy);
			on = value(r->snap, ld, e, cfg->attr_enabled);
			x.disabled = on != NULL && strcasecmp(on, "TRUE") != 0;
			mark_newer(r->mark, sizeof(r->mark),
			    value(r->snap, ld, e, cfg->attr_changed));
			if (x.dn == NULL || result_add(r, &x) == -1) {
				snprintf(err, errlen, "out of memory");
				rc = LDAP_NO_MEMORY;
				break;
			}
		}
		ber_bvfree(cookie);
		cookie = NULL;
		if (rc == LDAP_SUCCESS)
			rc = ldap_parse_result(ld, res, &code, NULL, NULL, NULL, &rctrls, 0);
		if (rc == LDAP_SUCCESS && code != LDAP_SUCCESS) {
			rc = code;
			seterr(err, errlen, "search", ld, rc);
		}
		if (rc == LDAP_SUCCESS && rctrls != NULL) {
			LDAPControl *c = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
			struct berval next = { 0, NULL };

			if (c != NULL && ldap_parse_pageresponse_control(ld, c, &total, &next) ==
			    LDAP_SUCCESS && next.bv_len > 0)
				cookie = ber_bvdup(&next);
			ber_memfree(next.bv_val);
		}
		ldap_controls_free(rctrls);
		ldap_msgfree(res);
	} while (rc == LDAP_SUCCESS && cookie != NULL);
	ber_bvfree(cookie);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static int
by_dn(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->dn, ((const struct entry *)b)->dn);
}

/* Whether entry e makes a user; its number parsed into u->line. */
static bool
usable(const struct entry *e, struct user *u, char *key, size_t keylen)
{
	char why[200];

	return !e->disabled && e->uri != NULL && e->line != NULL &&
	    directory_uri_key(e->uri, key, keylen) == 0 &&
	    number_parse_e164(e->line, true, &u->line, why, sizeof(why)) == 0;
}

static int
by_line(const void *a, const void *b)
{
	return strcmp(((const struct user *)a)->line.full, ((const struct user *)b)->line.full);
}

/* Makes s's users and their lookup tables from its entries. */
static int
build(struct dirsnap *s)
{
	size_t n = 0;
	char key[512];

	s->users = su_zalloc(s->home, (s->nentries ? s->nentries : 1) * sizeof(*s->users));
	s->dir = directory_new(s->home);
	if (s->users == NULL || s->dir == NULL)
		return -1;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct entry *e = &s->entries[i];
		struct user *u = &s->users[n];

		if (!usable(e, u, key, sizeof(key))) {
			s->info.skipped++;
			continue;
		}
		u->uri = e->uri;
		u->key = str(s, key);
		if (u->key == NULL)
			return -1;
		u->line_uri = e->line;
		u->display_name = e->display;
		u->dial_plan_name = e->dial_plan;
		u->voice_policy_name = e->voice_policy;
		n++;
	}
	/* a number two entries hold is given to neither */
	qsort(s->users, n, sizeof(*s->users), by_line);
	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1;
		struct user *dup = NULL;
		int rc;

		while (j < n && strcmp(s->users[j].line.full, s->users[i].line.full) == 0)
			j++;
		if (j - i > 1) {
			if (s->info.duplicates++ == 0)
				snprintf(s->info.duplicate, sizeof(s->info.duplicate),
				    "%s is held by %s and %s", s->users[i].line.full,
				    s->users[i].uri, s->users[i + 1].uri);
			i = j - 1;
			continue;
		}
		rc = directory_add(s->dir, &s->users[i], &dup);
		if (rc == -1)
			return -1;
		if (rc == 0)
			s->info.users++;
		else
			s->info.skipped++;	/* a second entry with one URI: the first stays */
	}
	return 0;
}

/* Base's entries that changed is without, then changed's, sorted by dn. */
static int
merge(struct dirsnap *s, const struct dirsnap *base, struct result *changed)
{
	size_t i = 0, j = 0, n = 0;

	qsort(changed->v, changed->n, sizeof(*changed->v), by_dn);
	s->entries = su_alloc(s->home, (base->nentries + changed->n + 1) * sizeof(*s->entries));
	if (s->entries == NULL)
		return -1;
	while (i < base->nentries || j < changed->n) {
		int c = i == base->nentries ? 1 : j == changed->n ? -1 :
		    strcmp(base->entries[i].dn, changed->v[j].dn);
		struct entry e;

		if (c < 0) {
			e = base->entries[i++];
			e.dn = str(s, e.dn);
			e.uri = str(s, e.uri);
			e.line = str(s, e.line);
			e.display = str(s, e.display);
			e.dial_plan = str(s, e.dial_plan);
			e.voice_policy = str(s, e.voice_policy);
		} else {
			e = changed->v[j++];
			if (c == 0)
				i++;
			/* found twice (a boundary): the last one says */
			while (j < changed->n && strcmp(changed->v[j].dn, e.dn) == 0)
				e = changed->v[j++];
			if (e.gone)
				continue;
		}
		s->entries[n++] = e;
	}
	s->nentries = n;
	return 0;
}

/* Whether every entry of a delta is one base has already, as it is. */
static bool
nothing_new(const struct dirsnap *base, const struct result *changed)
{
	for (size_t i = 0; i < changed->n; i++) {
		const struct entry *c = &changed->v[i];
		const struct entry *b = bsearch(c, base->entries, base->nentries,
		    sizeof(*base->entries), by_dn);

		if (c->gone || b == NULL || !conf_same_str(b->uri, c->uri) ||
		    !conf_same_str(b->line, c->line) || !conf_same_str(b->display, c->display) ||
		    !conf_same_str(b->dial_plan, c->dial_plan) ||
		    !conf_same_str(b->voice_policy, c->voice_policy) || b->disabled != c->disabled)
			return false;
	}
	return true;
}

struct dirsnap *
ldapdir_load(const struct conf_ldap *cfg, const struct dirsnap *base, bool *unchanged,
    char *err, size_t errlen)
{
	struct dirsnap *s = su_home_new(sizeof(*s));
	struct result r = { 0 };
	char filter[1024], gone[1024] = "";
	LDAP *ld;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*unchanged = false;
	s->refs = 1;
	su_home_destructor(s->home, chunks_free);
	r.snap = s;
	if (base != NULL)
		snprintf(r.mark, sizeof(r.mark), "%s", base->info.mark);
	if (base != NULL && base->info.mark[0] && cfg->attr_changed != NULL) {
		/* what changed and matches, and what changed and no longer does */
		snprintf(filter, sizeof(filter), "(&%s(%s>=%s))", cfg->filter, cfg->attr_changed,
		    base->info.mark);
		snprintf(gone, sizeof(gone), "(&(!%s)(%s>=%s))", cfg->filter, cfg->attr_changed,
		    base->info.mark);
	} else
		base = NULL;	/* nothing to start a delta from: a full load */
	if (base == NULL)
		snprintf(filter, sizeof(filter), "%s", cfg->filter);
	ld = connect_bind(cfg, err, errlen);
	if (ld == NULL || search(ld, cfg, filter, false, &r, err, errlen) == -1 ||
	    (gone[0] && search(ld, cfg, gone, true, &r, err, errlen) == -1))
		goto fail;
	ldap_unbind_ext_s(ld, NULL, NULL);
	ld = NULL;
	*unchanged = base != NULL && nothing_new(base, &r);
	if (*unchanged) {
		/* the usual poll: base stays as it is, nothing is copied */
		free(r.v);
		su_home_unref(s->home);
		return NULL;
	}
	if (base != NULL) {
		if (merge(s, base, &r) == -1)
			goto nomem;
	} else {
		qsort(r.v, r.n, sizeof(*r.v), by_dn);
		s->entries = su_alloc(s->home, (r.n + 1) * sizeof(*s->entries));
		if (s->entries == NULL)
			goto nomem;
		memcpy(s->entries, r.v, r.n * sizeof(*r.v));
		s->nentries = r.n;
	}
	free(r.v);
	r.v = NULL;
	s->info.full = base == NULL;
	s->info.loaded = time(NULL);
	snprintf(s->info.mark, sizeof(s->info.mark), "%s", r.mark);
	if (build(s) == -1)
		goto nomem;
	return s;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	free(r.v);
	su_home_unref(s->home);
	return NULL;
}
