/*
 * test_rule: the rule engine against the reference's public vectors
 * (tests/data/rule_vectors.txt) and .NET substitution semantics, through
 * both the indexed lookup and the linear reference scan; and the
 * translations that must be refused when a configuration is loaded.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ruleset.h"
#include "tap.h"

static su_home_t home[1] = { SU_HOME_INIT(home) };

static void
check_expect(const struct ruleset *rs, char *input, char *want, char *want_rule, int line)
{
	const struct rule *r = NULL, *lr = NULL;
	char out[RULE_OUT_MAX], lout[RULE_OUT_MAX];
	int rc = ruleset_apply(rs, input, strlen(input), out, sizeof(out), &r);
	int lrc = ruleset_apply_linear(rs, input, strlen(input), lout, sizeof(lout), &lr);

	if (strcmp(want, "-") == 0) {
		ok(rc == 0 && lrc == 0, "%s: %s matches no rule (vectors line %d)",
		    ruleset_name(rs), input, line);
		return;
	}
	is_str(rc == 1 ? out : NULL, want, "%s: %s -> %s (vectors line %d)", ruleset_name(rs),
	    input, want, line);
	is_str(r ? rule_name(r) : NULL, want_rule, "%s: %s by rule %s", ruleset_name(rs), input,
	    want_rule);
	ok(lrc == 1 && lr == r && strcmp(lout, out) == 0,
	    "%s: %s: the linear scan agrees with the index", ruleset_name(rs), input);
}

static void
run_vectors(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	struct ruleset *rs = NULL;
	bool built = false;
	int lineno = 0;

	if (!ok(f != NULL, "open %s", path))
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *fields[4] = { NULL }, *p = line, err[512];
		int n = 0;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		while (n < 4 && (fields[n] = strsep(&p, "\t")) != NULL)
			n++;
		if (strcmp(fields[0], "plan") == 0) {
			rs = ruleset_new(home, fields[1]);
			built = false;
		} else if (strcmp(fields[0], "rule") == 0 && n == 4 && rs != NULL) {
			if (ruleset_add(rs, fields[1], fields[2], fields[3], 0, err, sizeof(err)) == NULL)
				ok(0, "compile %s: %s", fields[1], err);
		} else if (strcmp(fields[0], "expect") == 0 && n == 4 && rs != NULL) {
			char *nl = strstr(fields[1], "\\n");

			if (nl != NULL)		/* "\n" in an input is a newline */
				nl[0] = '\n', memmove(nl + 1, nl + 2, strlen(nl + 2) + 1);
			if (!built)
				built = ruleset_build(rs) == 0;
			check_expect(rs, fields[1], fields[2], fields[3], lineno);
		} else
			ok(0, "vectors line %d is malformed", lineno);
	}
	fclose(f);
}

static void
refuses(const char *pattern, const char *translation, const char *want_in_msg)
{
	char err[512] = "";
	struct rule *r = rule_compile(home, "r", pattern, translation, 0, err, sizeof(err));

	ok(r == NULL && strstr(err, want_in_msg) != NULL,
	    "%s -> %s is refused at load: %s", pattern, translation, err);
	rule_free(r);
}

static void
test_refused_at_load(void)
{
	/* vector 51: a group the pattern does not have */
	refuses("^(\\d{4})$", "+1503312$2", "refers to group $2 but the pattern has 1 group");
	/* vector 52: $10 is group 10, not group 1 then 0 */
	refuses("^(\\d{4})$", "+1503312$10", "write ${1}0 for group 1 followed by 0");
	refuses("^(\\d{4})$", "${9}", "refers to group $9");
	refuses("^(?<n>\\d{4})$", "${m}", "no group of that name");
	refuses("^(\\d{4}$", "$1", "missing closing parenthesis at offset");
	refuses("^[0-9$", "$1", "missing terminating ] for character class");
	/* what .NET and PCRE2 read differently, refused rather than guessed */
	refuses("^[[:digit:]]$", "$0", "POSIX class syntax");
	refuses("^\\Q1+\\E$", "$0", "\\Q...\\E is not .NET syntax");
	refuses("^[0-9-[5]3]$", "$0", "must be the last thing in its character class");
	refuses("^(?<a>\\d)(\\d)\\1$", "$1", "write \\k<name>");
	refuses("^(?<1>\\d)$", "$1", "pattern \"^(?<1>\\d)$\"");
	refuses("^(?<a-b>\\d)$", "$1", "pattern \"^(?<a-b>\\d)$\"");
	/* fuzz_rules: a class ending in a lone backslash is no subtraction */
	refuses("[-(\\", "$0", "pattern \"[-(\\\"");
}

static void
test_pattern_only_and_limits(void)
{
	char err[256], out[8];
	struct rule *r = rule_compile(home, "route", "^\\+1\\d{10}$", NULL, RULE_PATTERN_ONLY,
	    err, sizeof(err));

	ok(r != NULL, "a route pattern compiles without a translation");
	is_int(rule_match(r, "+15035550100", 12), 1, "route pattern matches +15035550100");
	is_int(rule_match(r, "+1503555010", 11), 0, "route pattern refuses 10 digits");
	rule_free(r);

	r = rule_compile(home, "long", "^(\\d+)$", "$1$1$1", 0, err, sizeof(err));
	is_int(rule_apply(r, "12345", 5, out, sizeof(out)), -1,
	    "a result longer than the output buffer is an error, not a truncation");
	rule_free(r);
	r = rule_compile(home, "jit", "^(\\d)$", "$1", 0, err, sizeof(err));
	ok(r != NULL && !rule_is_jit(r), "a rule is not JIT-compiled before its first use");
	is_int(rule_apply(r, "7", 1, out, sizeof(out)), 1, "its first use matches");
	ok(r != NULL, "and it is JIT compiled when the system allows it (%s)",
	    r && rule_is_jit(r) ? "JIT" : "interpreter");
	rule_free(r);
}

/* One thread's share of test_threads(): how many results came out wrong. */
struct worker {
	const struct rule *r;
	const char *subject, *want;
	unsigned wrong;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	char out[32];

	for (int i = 0; i < 100000; i++)
		if (rule_apply(w->r, w->subject, strlen(w->subject), out, sizeof(out)) != 1 ||
		    strcmp(out, w->want) != 0)
			w->wrong++;
	return NULL;
}

/*
 * A reload loads on a thread of its own while calls match on the event
 * loop's: two threads applying rules at once must each get their own
 * results (the match block, whose offsets rule_apply() reads back, is
 * each thread's own).
 */
static void
test_threads(void)
{
	char err[256];
	struct rule *r = rule_compile(home, "swap", "^(\\d+)-(\\d+)$", "$2$1", 0, err,
	    sizeof(err));
	/* the groups sit at other offsets in each subject */
	struct worker a = { r, "1-23456", "234561", 0 }, c = { r, "12345-6", "612345", 0 };
	pthread_t t;

	if (!ok(r != NULL, "a rule for two threads compiles"))
		return;
	rule_apply(r, "0-0", 3, err, sizeof(err));	/* JIT-compiled before the threads start */
	if (pthread_create(&t, NULL, work, &a) != 0) {
		ok(0, "a second thread starts");
		return;
	}
	work(&c);
	pthread_join(t, NULL);
	ok(a.wrong == 0 && c.wrong == 0, "two threads applying a rule at once each get their own "
	    "result (%u and %u of 100,000 wrong)", a.wrong, c.wrong);
	rule_free(r);
}

int
main(void)
{
	run_vectors(tap_srcpath("tests/data/rule_vectors.txt"));
	test_refused_at_load();
	test_pattern_only_and_limits();
	test_threads();
	su_home_deinit(home);
	return tap_done();
}
