/*
 * test_ruleset: the rule index. The pattern analysis must be sound (a
 * rule is never skipped for a subject it can match), and the indexed
 * lookup must return exactly what a linear first-match scan returns:
 * checked on fixed cases and on thousands of random rule sets built from
 * every pattern shape sipmed's analyzer treats differently.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ruleset.h"
#include "tap.h"

static su_home_t home[1] = { SU_HOME_INIT(home) };

static void
hint_is(const char *pattern, const char *prefix, size_t min, size_t max)
{
	char err[256];
	struct rule *r = rule_compile(home, "h", pattern, "$0", 0, err, sizeof(err));
	const struct rule_hint *h;

	if (!ok(r != NULL, "%s compiles", pattern))
		return;
	h = rule_hint(r);
	is_str(h->prefix, prefix, "%s: literal prefix", pattern);
	ok(h->min_len == min && h->max_len == max, "%s: length %zu..%zu (want %zu..%zu)",
	    pattern, h->min_len, h->max_len, min, max);
	rule_free(r);
}

static bool
first_has(const char *pattern, unsigned char c)
{
	char err[256];
	struct rule *r = rule_compile(home, "h", pattern, "$0", 0, err, sizeof(err));
	bool has = (rule_hint(r)->first[c >> 5] >> (c & 31)) & 1;

	rule_free(r);
	return has;
}

static void
test_hints(void)
{
	hint_is("^\\+1425(\\d{7})$", "+1425", 12, 12);
	hint_is("^\\+15033121234$", "+15033121234", 12, 12);
	hint_is("^(\\d{4})$", "", 4, 4);
	hint_is("^1?([2-9]\\d\\d[2-9]\\d{6})$", "", 10, 11);
	hint_is("^(1)?(\\d)$", "", 1, 2);
	hint_is("^(12)+3$", "12", 3, SIZE_MAX);
	hint_is("^12?3$", "1", 2, 3);
	hint_is("^(12|34)5$", "", 3, 3);
	hint_is("^(?:45)*6$", "", 1, SIZE_MAX);
	hint_is("^a{2}b", "", 3, SIZE_MAX);
	hint_is("^011(\\d*)$", "011", 3, SIZE_MAX);
	hint_is("^(?<area>503)(\\d{7})$", "503", 10, 10);
	hint_is("^\\+(\\d*)$", "+", 1, SIZE_MAX);
	/* Nothing may be learned from these beyond PCRE2's own minimum. */
	hint_is("^abc|def", "", 3, SIZE_MAX);
	hint_is("(\\d{10})", "", 10, SIZE_MAX);
	hint_is("^(?=1)\\d+$", "", 1, SIZE_MAX);
	hint_is("^\\d+\\b", "", 1, SIZE_MAX);
	/* fuzz_rules: an empty branch after the end anchor matches anything */
	hint_is("^(K)$|", "", 0, SIZE_MAX);
	ok(first_has("^(K)$|", '+'), "^(K)$| may start with anything");
	ok(first_has("^[3-7]\\d$", '5') && !first_has("^[3-7]\\d$", '8'),
	    "[3-7] starts with 3 to 7 only");
	ok(first_has("^1?[2-9]$", '1') && first_has("^1?[2-9]$", '2') &&
	    !first_has("^1?[2-9]$", '0'), "an optional first digit adds to the next");
	ok(first_has("^[^0]\\d$", 'x'), "a negated class may start with anything");
}

/* fuzz_rules found it: the index must not require 'K' of "^(K)$|". */
static void
test_empty_branch_after_anchor(void)
{
	struct ruleset *rs = ruleset_new(home, "fuzz");
	const struct rule *r = NULL;
	char err[256], out[RULE_OUT_MAX], lout[RULE_OUT_MAX];

	ruleset_add(rs, "r0", "^(K)$|||", "<$0>", 0, err, sizeof(err));
	ruleset_build(rs);
	is_int(ruleset_apply(rs, "+1503", 5, out, sizeof(out), &r),
	    ruleset_apply_linear(rs, "+1503", 5, lout, sizeof(lout), &r),
	    "an empty branch after $: indexed lookup matches as the linear scan does");
}

/* A deterministic generator, so a failure is reproducible. */
static uint32_t seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static const char *shapes[] = {
	"^DDDD$", "^\\+1503DDDDDDD$", "^\\+1503DD(\\d{N})$", "^DD(\\d*)$", "^9(\\d+)$",
	"^1?(DD\\d{N})$", "^(1)?DD(\\d+)$", "^[2-9]\\d{N}$", "^([0-3]\\d{N})$",
	"^(DD|DD)\\d*$", "^D(0|1)\\d$", "DD", "\\d{N}$", "^(DD)+\\d$", "^(DD)?D\\d$",
	"^D{2}\\d$", "^(?<x>D)\\d*$", "^(?=D)\\d+$", "^DD|DD$", "^\\+(\\d*)$",
	"^(\\+)?DD(\\d{N})$", "^D(D)?(D)?$", "^[^D]D$", "^(?:DD)*D$", "^D+\\d$",
	"^[0-9-[D]]{N}$", "^D(?<a>\\d)(\\d)$", "^\\d{N}\\z", "^\\D*D$", "^[-. ]?D$",
	"^\\s?DD$", "^.DD$", "^DD\\w$",
};

static void
make_pattern(char *out, size_t outlen)
{
	const char *s = shapes[rnd(sizeof(shapes) / sizeof(shapes[0]))];
	size_t n = 0;

	for (; *s != '\0' && n + 2 < outlen; s++) {
		if (*s == 'D')
			out[n++] = (char)('0' + rnd(4));
		else if (*s == 'N')
			out[n++] = (char)('1' + rnd(4));
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

static void
make_subject(char *out)
{
	size_t n = 0, len = rnd(14);

	switch (rnd(4)) {
	case 0: n = (size_t)sprintf(out, "+"); break;
	case 1: n = (size_t)sprintf(out, "+1503"); break;
	default: break;
	}
	/*
	 * Mostly digits; also what a peer or an administrator may type: control
	 * characters, separators, a Unicode digit (ARABIC-INDIC ONE, two bytes
	 * of UTF-8), a trailing newline.
	 */
	static const char *odd[] = { "\n", "\r", "\t", " ", "-", ".", "(", "#", "*",
	    "\xd9\xa1", "\x7f", "x" };

	for (size_t i = 0; i < len; i++) {
		if (rnd(12) == 0) {
			const char *o = odd[rnd(sizeof(odd) / sizeof(odd[0]))];

			n += (size_t)sprintf(out + n, "%s", o);
		} else
			out[n++] = (char)('0' + (rnd(3) ? rnd(4) : rnd(10)));
	}
	if (rnd(8) == 0)
		out[n++] = '\n';
	out[n] = '\0';
}

static void
test_random_sets(void)
{
	int sets = 0, lookups = 0, bad = 0;
	char first_bad[512] = "";

	for (int s = 0; s < 400; s++) {
		struct ruleset *rs = ruleset_new(home, "random");
		size_t nrules = 1 + rnd(60);
		char err[256], pat[64], name[16];

		for (size_t i = 0; i < nrules; i++) {
			make_pattern(pat, sizeof(pat));
			snprintf(name, sizeof(name), "r%zu", i);
			ruleset_add(rs, name, pat, "<$0>", 0, err, sizeof(err));
		}
		ruleset_build(rs);
		for (int k = 0; k < 300; k++) {
			char subj[64], out[RULE_OUT_MAX], lout[RULE_OUT_MAX];
			const struct rule *r = NULL, *lr = NULL;
			int rc, lrc;

			make_subject(subj);
			rc = ruleset_apply(rs, subj, strlen(subj), out, sizeof(out), &r);
			lrc = ruleset_apply_linear(rs, subj, strlen(subj), lout, sizeof(lout), &lr);
			lookups++;
			if (rc != lrc || (rc == 1 && (r != lr || strcmp(out, lout) != 0))) {
				if (bad++ == 0)
					snprintf(first_bad, sizeof(first_bad), "set %d subject %s: index %s, "
					    "linear %s", s, subj, r ? rule_pattern(r) : "-",
					    lr ? rule_pattern(lr) : "-");
			}
		}
		sets++;
	}
	if (!ok(bad == 0, "indexed lookup equals the linear scan: %d rule sets, %d lookups",
	    sets, lookups))
		printf("#   %d mismatches, first: %s\n", bad, first_bad);
}

static void
test_first_match_across_lists(void)
{
	struct ruleset *rs = ruleset_new(home, "order");
	const struct rule *r = NULL;
	char err[256], out[RULE_OUT_MAX];

	/* A general rule before an exact one must still win. */
	ruleset_add(rs, "general", "^(\\d{4})$", "g$1", 0, err, sizeof(err));
	ruleset_add(rs, "exact", "^1234$", "e", 0, err, sizeof(err));
	ruleset_add(rs, "prefix", "^12(\\d+)$", "p$1", 0, err, sizeof(err));
	ruleset_build(rs);
	ruleset_apply(rs, "1234", 4, out, sizeof(out), &r);
	is_str(rule_name(r), "general", "a general rule listed first beats an exact one");
	ruleset_apply(rs, "12345", 5, out, sizeof(out), &r);
	is_str(out, "p345", "a prefix rule takes what the general rule leaves");
	is_int(ruleset_apply(rs, "99999", 5, out, sizeof(out), &r), 0,
	    "no rule: no match");
	ok(ruleset_first_match(rs, "1234", 4) != NULL, "first_match finds a pattern match");
}

int
main(void)
{
	test_hints();
	test_first_match_across_lists();
	test_empty_branch_after_anchor();
	test_random_sets();
	su_home_deinit(home);
	return tap_done();
}
