/*
 * ruleset: an ordered list of rules (a dial plan, a trunk's called- or
 * calling-number rules, the voice routes) where the first matching rule
 * wins and nothing after it is tried. Large sets are indexed by the
 * literal prefix and length each pattern requires, so a lookup in
 * 100,000 rules costs about as much as one in ten, with exactly the
 * result a linear scan would give.
 */
#ifndef SIPMED_RULESET_H
#define SIPMED_RULESET_H

#include <stddef.h>

#include "rule.h"

struct ruleset;

/*
 * Returns a new empty rule set living in parent's home (it is freed with
 * it, PCRE2 code included), or NULL when out of memory. name is copied.
 */
struct ruleset *ruleset_new(su_home_t *parent, const char *name);

/*
 * Compiles a rule and appends it (it gets the next priority). Returns the
 * rule, or NULL with a message in err (see rule_compile()).
 */
struct rule *ruleset_add(struct ruleset *, const char *name, const char *pattern,
    const char *translation, unsigned flags, char *err, size_t errlen);

/* Builds the index once every rule is added. Returns 0 or -1 (memory). */
int ruleset_build(struct ruleset *);

/*
 * Applies the rules in priority order to subject: the first that matches
 * writes its translation to out and is returned in *rulep (may be NULL).
 * Returns 1 on a match, 0 on none, -1 when a result does not fit or PCRE2
 * fails. ruleset_apply_linear() does the same by plain scan: it is the
 * reference the index is tested and benchmarked against.
 */
int ruleset_apply(const struct ruleset *, const char *subject, size_t len,
    char *out, size_t outlen, const struct rule **rulep);
int ruleset_apply_linear(const struct ruleset *, const char *subject, size_t len,
    char *out, size_t outlen, const struct rule **rulep);

/* Like ruleset_apply() for pattern-only rule sets: the first rule matching. */
const struct rule *ruleset_first_match(const struct ruleset *, const char *subject,
    size_t len);

const char *ruleset_name(const struct ruleset *);
size_t ruleset_count(const struct ruleset *);
const struct rule *ruleset_rule(const struct ruleset *, size_t i);
/* Returns the rule called name, or NULL. */
const struct rule *ruleset_find(const struct ruleset *, const char *name);

#endif
