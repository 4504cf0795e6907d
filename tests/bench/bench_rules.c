/*
 * bench_rules: rule engine lookups per second and per-lookup latency at
 * growing plan sizes, indexed (what sipmed uses) against the linear
 * first-match scan (what Kamailio's dialplan module does). Every lookup
 * sampled is also checked against the linear scan: the benchmark exits 1
 * on any difference, so its figures never come from a wrong answer.
 *
 *   bench_rules [-s 10,1000,10000,100000] [-l lookups] [-g] [-d DIR]
 *
 * The plan mix (documented in BENCHMARKS.md): 60% exact numbers
 * (^\+1503NNNNNNN$), 39% fixed-prefix DID blocks (^\+1NNNNNN(\d{4})$),
 * 1% general regular expressions without a literal prefix (at most 100).
 * -g adds plans made only of general expressions (the index cannot help
 * there; it shows the worst case honestly).
 * -d DIR times nothing: it writes each plan as Kamailio dialplan rows
 * (DIR/dialplan-N, db_text format, dpid 1, in order) and its first 1,000
 * subjects (DIR/subjects-N), for tests/bench/dialplan_bench.sh. The same
 * options give the same plans and subjects as a timed run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ruleset.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
general_pattern(size_t i, char *pat, char *tr)
{
	unsigned k = 3 + (unsigned)(i % 12);

	switch (i % 4) {
	case 0: sprintf(pat, "^(\\d{%u})$", k); sprintf(tr, "+1$1"); break;
	case 1: sprintf(pat, "^[2-9]\\d{%u}$", k); sprintf(tr, "+44$0"); break;
	case 2: sprintf(pat, "^(1)?([2-9]\\d{%u})$", k); sprintf(tr, "+1$2"); break;
	default: sprintf(pat, "^\\d{%u}(\\d{4})$", k); sprintf(tr, "+1503312$1"); break;
	}
}

struct plan {
	struct ruleset *rs;
	char (*exact)[16];	/* numbers of the exact rules, for subjects */
	char (*prefix)[16];	/* prefixes of the DID block rules */
	size_t nexact, nprefix;
};

static void
build_plan(su_home_t *home, size_t n, bool general_only, struct plan *p)
{
	size_t ngeneral = general_only ? n : (n / 100 < 100 ? n / 100 : 100);
	size_t nexact = general_only ? 0 : (n - ngeneral) * 60 / 99;
	char pat[64], tr[64], name[32], err[256];

	p->rs = ruleset_new(home, "bench");
	p->exact = calloc(nexact + 1, sizeof(*p->exact));
	p->prefix = calloc(n + 1, sizeof(*p->prefix));
	p->nexact = p->nprefix = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "r%zu", i);
		if (i % 100 == 50 && ngeneral > 0 && !general_only) {
			general_pattern(i, pat, tr);
			ngeneral--;
		} else if (general_only) {
			general_pattern(i, pat, tr);
		} else if (p->nexact < nexact && (i % 5 < 3 || p->nprefix >= n - nexact)) {
			char *num = p->exact[p->nexact++];

			sprintf(num, "+1503%07u", (unsigned)(rnd() % 10000000));
			sprintf(pat, "^\\%s$", num);
			sprintf(tr, "+1503312%04u", (unsigned)(rnd() % 10000));
		} else {
			char *pre = p->prefix[p->nprefix++];

			sprintf(pre, "+1%06u", (unsigned)(200000 + rnd() % 800000));
			sprintf(pat, "^\\%s(\\d{4})$", pre);
			sprintf(tr, "%s$1", pre);
		}
		if (ruleset_add(p->rs, name, pat, tr, 0, err, sizeof(err)) == NULL) {
			fprintf(stderr, "bench_rules: %s: %s\n", pat, err);
			exit(2);
		}
	}
	if (ruleset_build(p->rs) == -1)
		exit(2);
}

static void
make_subject(const struct plan *p, char *s)
{
	uint64_t r = rnd();

	if (r % 5 < 2 && p->nexact > 0)
		strcpy(s, p->exact[rnd() % p->nexact]);
	else if (r % 5 < 4 && p->nprefix > 0)
		sprintf(s, "%s%04u", p->prefix[rnd() % p->nprefix], (unsigned)(rnd() % 10000));
	else
		sprintf(s, "%s%u", r % 2 ? "+1" : "", (unsigned)(rnd() % 100000000));
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long
rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static const char *dump_dir;

/* s with every backslash doubled (db_text's escape) and $N made \N */
static void
dump_field(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '$' && s[1] >= '0' && s[1] <= '9')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static void
dump(size_t n, bool general_only, const struct plan *p, char (*subj)[24], size_t lookups)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dialplan-%s%zu", dump_dir, general_only ? "g" : "", n);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fprintf(f, "id(int,auto) dpid(int) pr(int) match_op(int) match_exp(string) "
	    "match_len(int) subst_exp(string) repl_exp(string) attrs(string)\n");
	for (size_t i = 0; i < ruleset_count(p->rs); i++) {
		const struct rule *r = ruleset_rule(p->rs, i);

		fprintf(f, "%zu:1:%zu:1:", i + 1, i);
		dump_field(f, rule_pattern(r));
		fputs(":0:", f);
		dump_field(f, rule_pattern(r));
		fputc(':', f);
		dump_field(f, rule_translation(r));
		fputs(":-\n", f);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/subjects-%s%zu", dump_dir, general_only ? "g" : "", n);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	for (size_t i = 0; i < lookups && i < 1000; i++)
		fprintf(f, "%s\n", subj[i]);
	fclose(f);
}

/* Times one plan; returns the number of wrong answers. */
static int
bench(size_t n, size_t lookups, bool general_only)
{
	su_home_t *home = su_home_new(sizeof(*home));
	struct plan p;
	char (*subj)[24] = calloc(lookups, sizeof(*subj));
	double *lat = calloc(lookups, sizeof(*lat)), t0, t1, build, idx_s, lin_s, ovh;
	size_t matched = 0, lin_n = n >= 100000 ? lookups / 50 : n >= 10000 ? lookups / 5 : lookups;
	int wrong = 0;

	t0 = now();
	build_plan(home, n, general_only, &p);
	build = now() - t0;
	for (size_t i = 0; i < lookups; i++)
		make_subject(&p, subj[i]);
	if (dump_dir != NULL) {
		dump(n, general_only, &p, subj, lookups);
		goto done;
	}

	/* throughput, indexed */
	t0 = now();
	for (size_t i = 0; i < lookups; i++) {
		char out[RULE_OUT_MAX];

		matched += ruleset_apply(p.rs, subj[i], strlen(subj[i]), out, sizeof(out), NULL) == 1;
	}
	idx_s = now() - t0;
	/* latency, indexed: each lookup timed alone, timer cost subtracted */
	t0 = now();
	for (int i = 0; i < 1000; i++)
		now();
	ovh = (now() - t0) / 1000;
	for (size_t i = 0; i < lookups; i++) {
		char out[RULE_OUT_MAX];

		t0 = now();
		ruleset_apply(p.rs, subj[i], strlen(subj[i]), out, sizeof(out), NULL);
		t1 = now();
		lat[i] = t1 - t0 - ovh;
	}
	qsort(lat, lookups, sizeof(*lat), cmp_double);
	/* linear scan on a sample, timed alone */
	t0 = now();
	for (size_t i = 0; i < lin_n; i++) {
		char out[RULE_OUT_MAX];

		ruleset_apply_linear(p.rs, subj[i], strlen(subj[i]), out, sizeof(out), NULL);
	}
	lin_s = now() - t0;
	/* every sampled indexed answer must be the linear scan's */
	for (size_t i = 0; i < lin_n; i++) {
		char out[RULE_OUT_MAX], lout[RULE_OUT_MAX];
		const struct rule *r = NULL, *lr = NULL;
		int rc, lrc;

		lrc = ruleset_apply_linear(p.rs, subj[i], strlen(subj[i]), lout, sizeof(lout), &lr);
		rc = ruleset_apply(p.rs, subj[i], strlen(subj[i]), out, sizeof(out), &r);
		if (rc != lrc || r != lr || (rc == 1 && strcmp(out, lout) != 0))
			wrong++;
	}

	printf("%-8s %7zu rules  build %7.1f ms  indexed %10.0f lookups/s  median %6.3f us  "
	    "p99 %6.3f us  linear %10.0f lookups/s  hits %4.1f%%  wrong %d  maxrss %ld MB\n",
	    general_only ? "general" : "mix", n, build * 1e3, (double)lookups / idx_s,
	    lat[lookups / 2] * 1e6, lat[lookups * 99 / 100] * 1e6, (double)lin_n / lin_s,
	    100.0 * (double)matched / (double)lookups, wrong, rss_kb() / 1024);
	fflush(stdout);
done:
	su_home_unref(home);
	free(p.exact);
	free(p.prefix);
	free(subj);
	free(lat);
	return wrong;
}

int
main(int argc, char *argv[])
{
	const char *sizes = "10,1000,10000,100000";
	size_t lookups = 200000;
	bool general = false;
	int ch, wrong = 0;
	char *copy, *tok, *save = NULL;

	while ((ch = getopt(argc, argv, "s:l:gd:")) != -1) {
		switch (ch) {
		case 's': sizes = optarg; break;
		case 'l': lookups = strtoul(optarg, NULL, 10); break;
		case 'g': general = true; break;
		case 'd': dump_dir = optarg; break;
		default:
			fprintf(stderr, "usage: bench_rules [-s sizes] [-l lookups] [-g] [-d dir]\n");
			return 2;
		}
	}
	if (lookups < 100)
		lookups = 100;
	copy = strdup(sizes);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		wrong += bench(strtoul(tok, NULL, 10), lookups, false);
	if (general) {
		free(copy);
		copy = strdup(sizes);
		for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
			if (strtoul(tok, NULL, 10) <= 10000)
				wrong += bench(strtoul(tok, NULL, 10), lookups / 10, true);
	}
	free(copy);
	return wrong ? 1 : 0;
}
