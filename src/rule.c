/*
 * rule: compile and apply one Pattern -> Translation rule the way Lync
 * (.NET) does. The translation is parsed once at load into tokens; the
 * expansion is our own rather than pcre2_substitute() because three .NET
 * behaviours have no PCRE2 equivalent (reference 1.3):
 *
 *   $n, ${n}    group n; every digit after $ belongs to the number, so $10
 *               is group 10 (write ${1}0 for group 1 then "0")
 *   ${name}     named group
 *   $$          a literal $
 *   $&, $0      the whole match
 *   $` $'       the subject before / after the match
 *   $+          the last (highest-numbered) group
 *   $_          the whole subject
 *
 * A group that did not take part in the match expands to "". A reference
 * to a group the pattern does not have is refused at load (.NET would copy
 * it literally; Microsoft tells administrators never to write one). Any
 * other $ is a literal $, as in .NET.
 *
 * Patterns are .NET's: rule_dotnet.c rewrites or refuses what PCRE2 reads
 * differently, and group numbers in the translation are .NET's (named
 * groups after the unnamed ones).
 *
 * This module does not decide rule order or scope: see ruleset.c.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

enum tok_kind {
	TOK_LIT,	/* lit[off .. off+len) */
	TOK_GROUP,	/* capture group n (0: whole match) */
	TOK_PRE,	/* $` */
	TOK_POST,	/* $' */
	TOK_LAST,	/* $+ */
	TOK_INPUT,	/* $_ */
};

struct tok {
	enum tok_kind kind;
	uint32_t n;	/* group number, or literal offset */
	uint32_t len;	/* literal length */
};

struct rule {
	const char *name;
	const char *pattern;
	const char *translation;
	pcre2_code *code;
	enum { JIT_NOT_YET, JIT_ON, JIT_REFUSED } jit;
	bool anchored;
	bool internal;		/* RULE_INTERNAL_EXTENSION */
	uint32_t ngroups;
	uint32_t *map;		/* .NET group number -> PCRE2 group number */
	struct tok *toks;
	size_t ntoks;
	char *lit;		/* literal text of the translation, unescaped */
	struct rule_hint hint;
};

/*
 * One match block per thread: rules share it instead of allocating per
 * match or per rule (a 100,000-rule plan would otherwise hold 100,000 of
 * them). Calls match on the event loop's thread; a reload loads on a
 * thread of its own, and anything it ever matches must not share the
 * event loop's block.
 */
static _Thread_local pcre2_match_data *rule_md;

static pcre2_match_data *
rule_match_data(void)
{
	if (rule_md == NULL)
		rule_md = pcre2_match_data_create(RULE_GROUPS_MAX + 1, NULL);
	return rule_md;
}

static bool
tok_push(su_home_t *home, struct rule *r, size_t *cap, enum tok_kind kind,
    uint32_t n, uint32_t len)
{
	if (r->ntoks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct tok *t = su_realloc(home, r->toks, ncap * sizeof(*t));

		if (t == NULL)
			return false;
		r->toks = t;
		*cap = ncap;
	}
	/* Adjacent literal text is merged into one token. */
	if (kind == TOK_LIT && r->ntoks > 0 && r->toks[r->ntoks - 1].kind == TOK_LIT) {
		r->toks[r->ntoks - 1].len += len;
		return true;
	}
	r->toks[r->ntoks++] = (struct tok){ kind, n, len };
	return true;
}

/*
 * Reads a group reference after "$" at s: digits, or {digits}, or {name}.
 * Returns the number of characters consumed (0 when s does not start a
 * reference, so the $ is literal), and the group in *groupp; -1 with a
 * message when it names a group the pattern does not have.
 */
static int
parse_group_ref(const struct rule *r, const char *s, uint32_t *groupp,
    char *err, size_t errlen)
{
	const char *p = s, *end;
	bool braced = (*p == '{');
	unsigned long n = 0;
	int rc;

	if (braced)
		p++;
	if (*p >= '0' && *p <= '9') {
		for (end = p; *end >= '0' && *end <= '9'; end++)
			if (n < 100000)
				n = n * 10 + (unsigned long)(*end - '0');
		if (braced && *end != '}')
			return 0;
		if (n > r->ngroups) {
			snprintf(err, errlen, "translation \"%s\" refers to group $%.*s but the "
			    "pattern has %u group%s%s", r->translation, (int)(end - p), p,
			    r->ngroups, r->ngroups == 1 ? "" : "s",
			    !braced && end - p > 1 ? " (write ${1}0 for group 1 followed by 0)" : "");
			return -1;
		}
		*groupp = r->map[n];
		return (int)(end - s) + (braced ? 1 : 0);
	}
	if (!braced)
		return 0;
	for (end = p; *end != '\0' && *end != '}'; end++)
		if (!(*end == '_' || (*end >= '0' && *end <= '9') ||
		    ((*end | 0x20) >= 'a' && (*end | 0x20) <= 'z')))
			return 0;
	if (*end != '}' || end == p)
		return 0;
	{
		char name[128];

		if ((size_t)(end - p) >= sizeof(name))
			return 0;
		memcpy(name, p, (size_t)(end - p));
		name[end - p] = '\0';
		rc = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR)name);
		if (rc < 0) {
			snprintf(err, errlen, "translation \"%s\" refers to group ${%s} "
			    "but the pattern has no group of that name", r->translation, name);
			return -1;
		}
		*groupp = (uint32_t)rc;
	}
	return (int)(end - s) + 1;
}

/* Splits the translation into literal and reference tokens. */
static int
parse_translation(su_home_t *home, struct rule *r, char *err, size_t errlen)
{
	const char *s = r->translation;
	size_t cap = 0, litlen = 0;
	uint32_t g;
	int used;

	r->lit = su_alloc(home, strlen(s) + 1);
	if (r->lit == NULL)
		goto nomem;
	while (*s != '\0') {
		enum tok_kind k = TOK_LIT;

		if (*s != '$') {
			r->lit[litlen] = *s++;
			if (!tok_push(home, r, &cap, TOK_LIT, (uint32_t)litlen++, 1))
				goto nomem;
			continue;
		}
		s++;
		switch (*s) {
		case '$': k = TOK_LIT; break;
		case '&': k = TOK_GROUP; break;
		case '`': k = TOK_PRE; break;
		case '\'': k = TOK_POST; break;
		case '+': k = TOK_LAST; break;
		case '_': k = TOK_INPUT; break;
		default:
			used = parse_group_ref(r, s, &g, err, errlen);
			if (used < 0)
				return -1;
			if (used > 0) {
				if (!tok_push(home, r, &cap, TOK_GROUP, g, 0))
					goto nomem;
				s += used;
				continue;
			}
			/* Not a substitution: .NET keeps the $ as text. */
			r->lit[litlen] = '$';
			if (!tok_push(home, r, &cap, TOK_LIT, (uint32_t)litlen++, 1))
				goto nomem;
			continue;
		}
		s++;
		if (k == TOK_LIT) {
			r->lit[litlen] = '$';
			if (!tok_push(home, r, &cap, TOK_LIT, (uint32_t)litlen++, 1))
				goto nomem;
		} else if (!tok_push(home, r, &cap, k, 0, 0))
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static bool
pattern_is_anchored(const char *p)
{
	size_t n = strlen(p), bs = 0;

	if (n < 2 || p[0] != '^' || p[n - 1] != '$')
		return false;
	/* The final $ must not be escaped by an odd run of backslashes. */
	for (size_t i = n - 1; i > 0 && p[i - 1] == '\\'; i--)
		bs++;
	return bs % 2 == 0;
}

struct rule *
rule_compile(su_home_t *home, const char *name, const char *pattern,
    const char *translation, unsigned flags, char *err, size_t errlen)
{
	struct rule *r;
	int errcode;
	PCRE2_SIZE erroff;
	uint32_t minlen = 0;
	char *prefix, *pcre = NULL;
	size_t plen = strlen(pattern) * 3 + 16;

	r = su_zalloc(home, sizeof(*r));
	if (r == NULL)
		goto nomem;
	r->name = su_strdup(home, name ? name : "");
	r->pattern = su_strdup(home, pattern);
	r->translation = su_strdup(home, translation ? translation : "");
	prefix = su_alloc(home, plen);
	pcre = malloc(plen);
	if (r->name == NULL || r->pattern == NULL || r->translation == NULL ||
	    prefix == NULL || pcre == NULL)
		goto nomem;
	if (rule_dotnet_pattern(pattern, pcre, plen, err, errlen) == -1) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "pattern \"%s\": %s", pattern, why);
		free(pcre);
		return NULL;
	}
	r->code = pcre2_compile((PCRE2_SPTR)pcre, PCRE2_ZERO_TERMINATED, 0,
	    &errcode, &erroff, NULL);
	if (r->code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		snprintf(err, errlen, "pattern \"%s\": %s%s at offset %zu", pattern,
		    (char *)msg, strcmp(pcre, pattern) ? " (as rewritten for PCRE2)" : "",
		    (size_t)erroff);
		free(pcre);
		return NULL;
	}
	/* JIT compiling waits for the rule's first use (rule_exec) */
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &r->ngroups);
	pcre2_pattern_info(r->code, PCRE2_INFO_MINLENGTH, &minlen);
	r->anchored = pattern_is_anchored(pattern);
	r->internal = (flags & RULE_INTERNAL_EXTENSION) != 0;
	if (r->ngroups > RULE_GROUPS_MAX) {
		snprintf(err, errlen, "pattern \"%s\" has %u groups, more than the %d allowed",
		    pattern, r->ngroups, RULE_GROUPS_MAX);
		goto fail;
	}
	r->map = su_alloc(home, (r->ngroups + 1) * sizeof(*r->map));
	if (r->map == NULL)
		goto nomem;
	rule_dotnet_group_map(r->code, r->ngroups, r->map);
	if (!(flags & RULE_PATTERN_ONLY) && parse_translation(home, r, err, errlen) == -1)
		goto fail;
	rule_analyze(pcre, minlen, prefix, &r->hint);
	free(pcre);
	return r;
nomem:
	snprintf(err, errlen, "out of memory");
	free(pcre);
	rule_free(r);
	return NULL;
fail:
	free(pcre);
	rule_free(r);
	return NULL;
}

void
rule_free(struct rule *r)
{
	if (r != NULL && r->code != NULL) {
		pcre2_code_free(r->code);
		r->code = NULL;
	}
}

/*
 * JIT-compiles r at its first use. Compiling every rule at load took more
 * than a third of loading a 100,000-rule plan, and its machine code most
 * of the plan's memory, for rules many of which a given day never uses.
 * JIT may be refused (W^X hardening): the interpreter still works.
 */
static void
rule_jit(struct rule *r)
{
	r->jit = pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0 ? JIT_ON : JIT_REFUSED;
}

static int
rule_exec(const struct rule *r, const char *subject, size_t len, pcre2_match_data *md)
{
	int rc;

	if (md == NULL)
		return -1;
	if (r->jit == JIT_NOT_YET)
		rule_jit((struct rule *)r);	/* state of the compiled form only */
	if (r->jit == JIT_ON)
		rc = pcre2_jit_match(r->code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	else
		rc = pcre2_match(r->code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return rc < 0 ? -1 : 1;
}

int
rule_match(const struct rule *r, const char *subject, size_t len)
{
	return rule_exec(r, subject, len, rule_match_data());
}

static bool
out_put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	if (*pos + n >= outlen)
		return false;
	memcpy(out + *pos, s, n);
	*pos += n;
	return true;
}

int
rule_apply(const struct rule *r, const char *subject, size_t len, char *out,
    size_t outlen)
{
	pcre2_match_data *md = rule_match_data();
	PCRE2_SIZE *ov;
	size_t pos = 0;
	int rc;

	if (outlen == 0)
		return -1;
	rc = rule_exec(r, subject, len, md);
	if (rc != 1)
		return rc;
	ov = pcre2_get_ovector_pointer(md);
	for (size_t i = 0; i < r->ntoks; i++) {
		const struct tok *t = &r->toks[i];
		const char *s = NULL;
		size_t n = 0;
		uint32_t g;

		switch (t->kind) {
		case TOK_LIT:
			s = r->lit + t->n;
			n = t->len;
			break;
		case TOK_GROUP:
		case TOK_LAST:
			g = t->kind == TOK_LAST ? r->map[r->ngroups] : t->n;
			/* A group that did not take part expands to "". */
			if (ov[2 * g] != PCRE2_UNSET) {
				s = subject + ov[2 * g];
				n = ov[2 * g + 1] - ov[2 * g];
			}
			break;
		case TOK_PRE:
			s = subject;
			n = ov[0];
			break;
		case TOK_POST:
			s = subject + ov[1];
			n = len - ov[1];
			break;
		case TOK_INPUT:
			s = subject;
			n = len;
			break;
		}
		if (n > 0 && !out_put(out, outlen, &pos, s, n))
			return -1;
	}
	out[pos] = '\0';
	return 1;
}

const char *rule_name(const struct rule *r) { return r->name; }
const char *rule_pattern(const struct rule *r) { return r->pattern; }
const char *rule_translation(const struct rule *r) { return r->translation; }
bool rule_is_anchored(const struct rule *r) { return r->anchored; }
bool rule_is_jit(const struct rule *r) { return r->jit == JIT_ON; }
bool rule_is_internal_extension(const struct rule *r) { return r->internal; }
const struct rule_hint *rule_hint(const struct rule *r) { return &r->hint; }
