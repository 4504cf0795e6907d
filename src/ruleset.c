/*
 * ruleset: ordered rules with an index that keeps first-match order.
 *
 * Each rule's hint (rule_analyze.c) gives a literal prefix every match
 * starts with, subject length bounds and possible first bytes. Rules with
 * a prefix go into a hash map keyed by that prefix; the rest go into one
 * list per subject length they admit. A lookup gathers the lists for the
 * subject (one hash probe per prefix length in use, computed with one
 * incremental hash pass, plus the subject's length list), each already in
 * priority order, and walks them merged in priority order, running only
 * the rules whose hint admits the subject. The first that matches is the
 * rule a linear scan would have found, because every rule that could match
 * is in some gathered list and the walk goes strictly by priority.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "ruleset.h"

#define GEN_LENS 64		/* subject lengths with their own list */
#define MAX_LISTS (GEN_LENS + 3)

struct bucket {
	uint32_t *idx;		/* rule indexes, ascending */
	uint32_t n, cap;
};

struct ruleset {
	su_home_t home[1];
	char *name;
	struct rule **rules;
	size_t nrules, cap;
	/* index, built by ruleset_build() */
	struct hmap *by_prefix;		/* prefix -> struct bucket */
	struct bucket *prefix_buckets;
	size_t nprefix_buckets;
	uint64_t prefix_lens;		/* bit k: a prefix of length k (63: >= 63) */
	size_t max_prefix;
	struct bucket gen[GEN_LENS + 1];	/* [GEN_LENS]: longer subjects */
};

static void
ruleset_destroy(void *arg)
{
	struct ruleset *rs = arg;

	for (size_t i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	for (size_t i = 0; i < rs->nprefix_buckets; i++)
		free(rs->prefix_buckets[i].idx);
	for (size_t i = 0; i <= GEN_LENS; i++)
		free(rs->gen[i].idx);
	free(rs->prefix_buckets);
	free(rs->rules);
	hmap_free(rs->by_prefix);
}

struct ruleset *
ruleset_new(su_home_t *parent, const char *name)
{
	struct ruleset *rs = su_home_clone(parent, sizeof(*rs));

	if (rs == NULL)
		return NULL;
	rs->name = su_strdup(rs->home, name);
	if (rs->name == NULL || su_home_destructor(rs->home, ruleset_destroy) == -1)
		return NULL;
	return rs;
}

struct rule *
ruleset_add(struct ruleset *rs, const char *name, const char *pattern,
    const char *translation, unsigned flags, char *err, size_t errlen)
{
	struct rule *r;

	if (rs->nrules == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 8;
		struct rule **nr = realloc(rs->rules, ncap * sizeof(*nr));

		if (nr == NULL)
			goto nomem;
		rs->rules = nr;
		rs->cap = ncap;
	}
	r = rule_compile(rs->home, name, pattern, translation, flags, err, errlen);
	if (r != NULL)
		rs->rules[rs->nrules++] = r;
	return r;
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

static int
bucket_add(struct bucket *b, uint32_t i)
{
	if (b->n == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : 2;
		uint32_t *ni = realloc(b->idx, ncap * sizeof(*ni));

		if (ni == NULL)
			return -1;
		b->idx = ni;
		b->cap = ncap;
	}
	b->idx[b->n++] = i;
	return 0;
}

/* Counts distinct prefixes so the bucket array never moves once filled. */
static size_t
count_prefixed(const struct ruleset *rs)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->nrules; i++)
		if (rule_hint(rs->rules[i])->prefix_len > 0)
			n++;
	return n;
}

static int
index_prefixed(struct ruleset *rs, uint32_t i, const struct rule_hint *h)
{
	struct bucket *b;
	void *old = NULL;
	int rc;

	b = &rs->prefix_buckets[rs->nprefix_buckets];
	rc = hmap_put(rs->by_prefix, h->prefix, h->prefix_len, b, &old);
	if (rc == -1)
		return -1;
	if (rc == 1)
		b = old;
	else
		rs->nprefix_buckets++;
	rs->prefix_lens |= 1ull << (h->prefix_len < 63 ? h->prefix_len : 63);
	if (h->prefix_len > rs->max_prefix)
		rs->max_prefix = h->prefix_len;
	return bucket_add(b, i);
}

static int
index_general(struct ruleset *rs, uint32_t i, const struct rule_hint *h)
{
	for (size_t len = h->min_len; len < GEN_LENS && len <= h->max_len; len++)
		if (bucket_add(&rs->gen[len], i) == -1)
			return -1;
	if (h->max_len >= GEN_LENS && bucket_add(&rs->gen[GEN_LENS], i) == -1)
		return -1;
	return 0;
}

int
ruleset_build(struct ruleset *rs)
{
	size_t np = count_prefixed(rs);

	rs->by_prefix = hmap_new();
	rs->prefix_buckets = calloc(np ? np : 1, sizeof(*rs->prefix_buckets));
	if (rs->by_prefix == NULL || rs->prefix_buckets == NULL)
		return -1;
	for (uint32_t i = 0; i < rs->nrules; i++) {
		const struct rule_hint *h = rule_hint(rs->rules[i]);
		int rc = h->prefix_len > 0 ? index_prefixed(rs, i, h) : index_general(rs, i, h);

		if (rc == -1)
			return -1;
	}
	return 0;
}

static bool
hint_admits(const struct rule_hint *h, const char *s, size_t len)
{
	unsigned c;

	if (len < h->min_len)
		return false;
	/* $ also matches before a final newline (rule_analyze.c) */
	if (len > h->max_len && !(h->end_nl && len - 1 == h->max_len && s[len - 1] == '\n'))
		return false;
	if (len == 0)
		return true;
	c = (unsigned char)s[0];
	return (h->first[c >> 5] >> (c & 31)) & 1;
}

struct cursor {
	const uint32_t *p, *end;
};

/*
 * Gathers the lists of rules that may match subject. Returns their count,
 * or -1 when there are more than c holds (the caller then scans).
 */
static int
gather(const struct ruleset *rs, const char *s, size_t len, struct cursor *c)
{
	const struct bucket *g = &rs->gen[len < GEN_LENS ? len : GEN_LENS];
	size_t n = 0, top = len < rs->max_prefix ? len : rs->max_prefix;
	uint32_t h = HMAP_HASH_INIT;

	if (g->n > 0)
		c[n++] = (struct cursor){ g->idx, g->idx + g->n };
	/* "1234\n": the rules of length 4 that end with $ may match it */
	if (len > 0 && len - 1 < GEN_LENS && s[len - 1] == '\n' && rs->gen[len - 1].n > 0)
		c[n++] = (struct cursor){ rs->gen[len - 1].idx,
		    rs->gen[len - 1].idx + rs->gen[len - 1].n };
	for (size_t k = 1; k <= top; k++) {
		const struct bucket *b;

		h = hmap_hash_step(h, (unsigned char)s[k - 1]);
		if (!((rs->prefix_lens >> (k < 63 ? k : 63)) & 1))
			continue;
		b = hmap_get_hashed(rs->by_prefix, s, k, h);
		if (b == NULL)
			continue;
		if (n == MAX_LISTS)
			return -1;
		c[n++] = (struct cursor){ b->idx, b->idx + b->n };
	}
	return (int)n;
}

static int
apply_one(const struct rule *r, const char *s, size_t len, char *out, size_t outlen)
{
	if (out == NULL)
		return rule_match(r, s, len);
	return rule_apply(r, s, len, out, outlen);
}

static int
apply_indexed(const struct ruleset *rs, const char *s, size_t len, char *out,
    size_t outlen, const struct rule **rulep)
{
	struct cursor c[MAX_LISTS];
	int got = rs->by_prefix != NULL ? gather(rs, s, len, c) : -1;
	size_t n;

	if (got < 0)
		return ruleset_apply_linear(rs, s, len, out, outlen, rulep);
	n = (size_t)got;
	for (;;) {
		size_t best = n;
		const struct rule *r;
		int rc;

		for (size_t i = 0; i < n; i++)
			if (c[i].p < c[i].end && (best == n || *c[i].p < *c[best].p))
				best = i;
		if (best == n)
			return 0;
		r = rs->rules[*c[best].p++];
		if (!hint_admits(rule_hint(r), s, len))
			continue;
		rc = apply_one(r, s, len, out, outlen);
		if (rc != 0) {
			if (rc == 1 && rulep != NULL)
				*rulep = r;
			return rc;
		}
	}
}

int
ruleset_apply(const struct ruleset *rs, const char *s, size_t len, char *out,
    size_t outlen, const struct rule **rulep)
{
	return apply_indexed(rs, s, len, out, outlen, rulep);
}

int
ruleset_apply_linear(const struct ruleset *rs, const char *s, size_t len,
    char *out, size_t outlen, const struct rule **rulep)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		int rc = apply_one(rs->rules[i], s, len, out, outlen);

		if (rc != 0) {
			if (rc == 1 && rulep != NULL)
				*rulep = rs->rules[i];
			return rc;
		}
	}
	return 0;
}

const struct rule *
ruleset_first_match(const struct ruleset *rs, const char *s, size_t len)
{
	const struct rule *r = NULL;

	return apply_indexed(rs, s, len, NULL, 0, &r) == 1 ? r : NULL;
}

const char *ruleset_name(const struct ruleset *rs) { return rs->name; }
size_t ruleset_count(const struct ruleset *rs) { return rs->nrules; }

const struct rule *
ruleset_rule(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i] : NULL;
}

const struct rule *
ruleset_find(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rule_name(rs->rules[i]), name) == 0)
			return rs->rules[i];
	return NULL;
}
