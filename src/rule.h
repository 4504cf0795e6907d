/*
 * rule: one Lync rule, a .NET-style regular expression Pattern and a .NET
 * substitution Translation, compiled once with PCRE2 (JIT-compiled at its
 * first use, where the system allows JIT).
 * Used for dial plan normalization rules, trunk called/calling number
 * translation rules and, pattern only, voice route number patterns.
 *
 * Semantics follow Match.Result(): the output is the expanded translation
 * only, never the input with the match replaced.
 */
#ifndef SIPMED_RULE_H
#define SIPMED_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

/* Longest number any rule produces; longer results are an error. */
#define RULE_OUT_MAX 256
/* Most capture groups a pattern may have. */
#define RULE_GROUPS_MAX 64

struct rule;

/*
 * What every subject a rule can match looks like, so the rule index can
 * skip a rule without running it. Always sound: a rule may be tried for
 * a subject that cannot match it, never skipped for one that can.
 */
struct rule_hint {
	const char *prefix;	/* literal every matching subject starts with */
	size_t prefix_len;
	size_t min_len;		/* subject length bounds */
	size_t max_len;		/* SIZE_MAX when unbounded */
	bool end_nl;		/* max_len + 1 when the last byte is "\n" */
	uint32_t first[8];	/* bitmap of possible first bytes */
};

enum rule_flags {
	RULE_PATTERN_ONLY = 1,	/* no translation (voice route patterns) */
	RULE_INTERNAL_EXTENSION = 2,	/* Lync's IsInternalExtension: kept for the
					   administrator (phones use it), no effect
					   on what the rule gives */
};

/*
 * Compiles a rule. The rule and its strings are allocated from home; the
 * PCRE2 code is released by rule_free(), which the owner calls from a
 * destructor on that home. Returns NULL and writes a message without a
 * location to err when the pattern does not compile, the translation
 * refers to a group the pattern lacks, or the pattern has more than
 * RULE_GROUPS_MAX groups.
 */
struct rule *rule_compile(su_home_t *home, const char *name, const char *pattern,
    const char *translation, unsigned flags, char *err, size_t errlen);
void rule_free(struct rule *);

/*
 * Matches subject (len bytes) and expands the translation into out
 * (NUL-terminated). Returns 1 on a match, 0 on none, -1 when the result
 * does not fit in outlen or PCRE2 fails.
 */
int rule_apply(const struct rule *, const char *subject, size_t len,
    char *out, size_t outlen);

/* Returns 1 when the pattern matches subject, 0 when not, -1 on error. */
int rule_match(const struct rule *, const char *subject, size_t len);

const char *rule_name(const struct rule *);
const char *rule_pattern(const struct rule *);
const char *rule_translation(const struct rule *);
/* True when the pattern starts with ^ and ends with an unescaped $. */
bool rule_is_anchored(const struct rule *);
bool rule_is_jit(const struct rule *);
bool rule_is_internal_extension(const struct rule *);
const struct rule_hint *rule_hint(const struct rule *);

/*
 * rule_dotnet.c (internal to rule.c): writes into buf the PCRE2 pattern
 * that means what the .NET pattern does; -1 with a message when it cannot.
 * Then maps .NET group numbers to PCRE2's for a compiled pattern.
 */
int rule_dotnet_pattern(const char *pattern, char *buf, size_t buflen, char *err,
    size_t errlen);
void rule_dotnet_group_map(const void *code, uint32_t ngroups, uint32_t *map);

/* rule_analyze.c: fills hint from the PCRE2 pattern (internal to rule.c). */
void rule_analyze(const char *pattern, size_t pcre_min_len, char *prefix_buf,
    struct rule_hint *hint);

#endif
