/*
 * rule_analyze: reads a pattern's text to learn what every subject it can
 * match looks like (a literal prefix, length bounds, possible first
 * bytes), so ruleset.c can index rules instead of running each one.
 *
 * The analysis must be sound, never clever: whatever it does not fully
 * understand (lookaround, back-references, inline options, \Q..\E, a
 * top-level alternation...) widens the hint to "anything", which only
 * costs speed. A rule is then still tried in its exact priority order.
 */
#include <string.h>

#include "rule.h"

#define LEN_INF SIZE_MAX

struct frag {
	size_t min, max;
	uint32_t first[8];	/* possible first bytes when min > 0 or not nullable */
	bool ok;
};

static size_t
sat_add(size_t a, size_t b)
{
	return (a == LEN_INF || b == LEN_INF || a + b < a) ? LEN_INF : a + b;
}

static size_t
sat_mul(size_t a, size_t n)
{
	if (a == 0 || n == 0)
		return 0;
	if (a == LEN_INF || n == LEN_INF || a > LEN_INF / n)
		return LEN_INF;
	return a * n;
}

static void set_bit(uint32_t *b, unsigned c) { b[c >> 5] |= 1u << (c & 31); }
static void set_all(uint32_t *b) { memset(b, 0xff, 8 * sizeof(*b)); }

static void
set_range(uint32_t *b, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi && c < 256; c++)
		set_bit(b, c);
}

static bool
is_meta(char c)
{
	return c == '\0' || strchr("\\^$.[|()?*+{", c) != NULL;
}

static bool
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Parses a character class at *pp ('[' already consumed). */
static bool
parse_class(const char **pp, uint32_t *set)
{
	const char *p = *pp;
	bool neg = false, first = true;
	uint32_t s[8] = { 0 };

	if (*p == '^') {
		neg = true;
		p++;
	}
	while (*p != '\0' && (*p != ']' || first)) {
		unsigned lo;

		first = false;
		if (*p == '[')
			return false;	/* POSIX classes: not worth modelling */
		if (*p == '\\') {
			p++;
			if (*p == 'd') {
				set_range(s, '0', '9');
				p++;
				continue;
			}
			if (is_alnum(*p) || *p == '\0')
				return false;
		}
		lo = (unsigned char)*p++;
		if (*p == '-' && p[1] != ']' && p[1] != '\0') {
			unsigned hi;

			p++;
			if (*p == '\\') {
				p++;
				if (is_alnum(*p) || *p == '\0')
					return false;
			}
			hi = (unsigned char)*p++;
			if (hi < lo)
				return false;
			set_range(s, lo, hi);
		} else
			set_bit(s, lo);
	}
	if (*p != ']')
		return false;
	*pp = p + 1;
	if (neg)
		set_all(set);	/* a negated class can start with nearly anything */
	else
		memcpy(set, s, sizeof(s));
	return true;
}

/*
 * Where the body of the group opening at p starts, for plain, named and
 * non-capturing groups; NULL for lookaround, options and the like.
 */
static const char *
group_body(const char *p)
{
	const char *e;

	if (p[1] != '?')
		return p + 1;
	if (p[2] == ':')
		return p + 3;
	if ((p[2] == '<' && p[3] != '=' && p[3] != '!') || (p[2] == 'P' && p[3] == '<'))
		return (e = strchr(p, '>')) ? e + 1 : NULL;
	if (p[2] == '\'')
		return (e = strchr(p + 3, '\'')) ? e + 1 : NULL;
	return NULL;
}

static struct frag parse_alt(const char **pp);

/* Parses one atom (without its quantifier). */
static struct frag
parse_atom(const char **pp)
{
	const char *p = *pp;
	struct frag f = { 1, 1, { 0 }, true };

	switch (*p) {
	case '(':
		if ((p = group_body(p)) == NULL)
			goto unknown;
		f = parse_alt(&p);
		if (!f.ok || *p != ')')
			goto unknown;
		p++;
		break;
	case '[':
		p++;
		if (!parse_class(&p, f.first))
			goto unknown;
		break;
	case '.':
		set_all(f.first);
		p++;
		break;
	case '\\':
		p++;
		if (*p == 'd')
			set_range(f.first, '0', '9');
		else if (*p == 'D' || *p == 'w' || *p == 'W' || *p == 's' || *p == 'S')
			set_all(f.first);
		else if (!is_alnum(*p) && *p != '\0')
			set_bit(f.first, (unsigned char)*p);
		else
			goto unknown;
		p++;
		break;
	default:
		if (is_meta(*p))
			goto unknown;
		set_bit(f.first, (unsigned char)*p++);
		break;
	}
	*pp = p;
	return f;
unknown:
	f.ok = false;
	return f;
}

/* Reads a quantifier at *pp into [lo, hi]; returns false when there is none. */
static bool
parse_quant(const char **pp, size_t *lo, size_t *hi, bool *bad)
{
	const char *p = *pp;

	*bad = false;
	switch (*p) {
	case '?': *lo = 0; *hi = 1; p++; break;
	case '*': *lo = 0; *hi = LEN_INF; p++; break;
	case '+': *lo = 1; *hi = LEN_INF; p++; break;
	case '{':
		if (!(p[1] >= '0' && p[1] <= '9')) {
			*bad = true;	/* a literal { in PCRE2: keep it simple */
			return false;
		}
		p++;
		for (*lo = 0; *p >= '0' && *p <= '9'; p++)
			*lo = sat_add(sat_mul(*lo, 10), (size_t)(*p - '0'));
		*hi = *lo;
		if (*p == ',') {
			p++;
			if (*p >= '0' && *p <= '9')
				for (*hi = 0; *p >= '0' && *p <= '9'; p++)
					*hi = sat_add(sat_mul(*hi, 10), (size_t)(*p - '0'));
			else
				*hi = LEN_INF;
		}
		if (*p != '}' || *hi < *lo) {
			*bad = true;
			return false;
		}
		p++;
		break;
	default:
		return false;
	}
	if (*p == '?' || *p == '+')	/* lazy or possessive: same lengths */
		p++;
	*pp = p;
	return true;
}

/* Parses a sequence of quantified atoms up to '|', ')' or the end. */
static struct frag
parse_seq(const char **pp)
{
	const char *p = *pp;
	struct frag seq = { 0, 0, { 0 }, true };
	bool nullable = true;

	while (*p != '\0' && *p != '|' && *p != ')') {
		struct frag a;
		size_t lo, hi;
		bool bad;

		if (*p == '$' && (p[1] == '\0' || p[1] == ')' || p[1] == '|'))
			break;	/* end anchor, handled by the caller */
		a = parse_atom(&p);
		if (!a.ok)
			return a;
		if (parse_quant(&p, &lo, &hi, &bad)) {
			a.min = sat_mul(a.min, lo);
			a.max = sat_mul(a.max, hi);
		} else if (bad) {
			a.ok = false;
			return a;
		}
		if (nullable)
			for (int i = 0; i < 8; i++)
				seq.first[i] |= a.first[i];
		if (a.min > 0)
			nullable = false;
		seq.min = sat_add(seq.min, a.min);
		seq.max = sat_add(seq.max, a.max);
	}
	*pp = p;
	return seq;
}

static struct frag
parse_alt(const char **pp)
{
	struct frag f = parse_seq(pp);

	while (f.ok && **pp == '|') {
		struct frag g;

		(*pp)++;
		g = parse_seq(pp);
		if (!g.ok)
			return g;
		f.min = f.min < g.min ? f.min : g.min;
		f.max = f.max > g.max ? f.max : g.max;
		for (int i = 0; i < 8; i++)
			f.first[i] |= g.first[i];
	}
	return f;
}

/*
 * The literal prefix of an anchored pattern: plain characters read from
 * after the ^, entering capture groups that must take part, stopping at
 * the first thing that is not a required literal.
 */
static size_t
literal_prefix(const char *p, char *out)
{
	size_t n = 0;

	for (;;) {
		char c;
		const char *next;

		if (*p == '(') {
			/* A group (capturing, named or not) that must occur. */
			const char *body = group_body(p);
			int depth = 0;
			const char *q = p;

			if (body == NULL)
				return n;
			for (; *q != '\0'; q++) {
				if (*q == '\\' && q[1] != '\0')
					q++;
				else if (*q == '[')
					break;	/* classes may hold ')': stop here */
				else if (*q == '(')
					depth++;
				else if (*q == ')' && --depth == 0)
					break;
			}
			if (*q != ')' || q[1] == '?' || q[1] == '*' || q[1] == '{')
				return n;
			p = body;
			continue;
		}
		if (*p == '\\' && p[1] != '\0' && !is_alnum(p[1])) {
			c = p[1];
			next = p + 2;
		} else if (!is_meta(*p) && *p != ']' && *p != '}') {
			c = *p;
			next = p + 1;
		} else
			return n;
		if (*next == '?' || *next == '*' || *next == '{')
			return n;
		out[n++] = c;
		if (*next == '+')
			return n;	/* at least one: keep it, then stop */
		p = next;
	}
}

void
rule_analyze(const char *pattern, size_t pcre_min_len, char *prefix_buf,
    struct rule_hint *h)
{
	const char *p = pattern + 1;
	struct frag f;

	h->prefix = prefix_buf;
	h->prefix_len = 0;
	prefix_buf[0] = '\0';
	h->min_len = pcre_min_len;
	h->max_len = LEN_INF;
	h->end_nl = false;
	set_all(h->first);
	if (pattern[0] != '^')
		return;
	/* parse_seq, not parse_alt: a top-level | must stop the analysis. */
	f = parse_seq(&p);
	/*
	 * A top-level | leaves later branches unanchored: learn nothing. That
	 * includes a | after an end anchor ("^(K)$|", whose empty branch
	 * matches anything: found by fuzz_rules).
	 */
	if (!f.ok || *p == '|' || *p == ')' || (*p == '$' && p[1] != '\0'))
		return;
	if (f.min > h->min_len)
		h->min_len = f.min;
	/*
	 * A final $ matches at the end or before a final newline, in PCRE2 as
	 * in .NET: "1234\n" matches ^(\d{4})$ too (end_nl).
	 */
	if (*p == '$' && p[1] == '\0') {
		h->max_len = f.max;
		h->end_nl = true;
	}
	if (f.min > 0)
		memcpy(h->first, f.first, sizeof(h->first));
	/* Alternation anywhere would need per-branch prefixes: skip those. */
	if (strchr(pattern, '|') == NULL) {
		h->prefix_len = literal_prefix(pattern + 1, prefix_buf);
		prefix_buf[h->prefix_len] = '\0';
	}
}
