/*
 * stats: named counters in insertion order, with an index by table and
 * name. The number of names is bounded by the configuration (trunks,
 * status codes, rules), so nothing is ever removed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "stats.h"

struct counter {
	char *key;		/* table byte, then the name */
	unsigned long n;
};

struct stats {
	struct hmap *index;	/* key -> counter number + 1 */
	struct counter *v;
	size_t n, cap;
	unsigned long total, answered, failed, cancelled;
};

static const char *table_titles[STATS_NTABLES] = {
	"failed calls by trunk",
	"failed calls by status sent to the caller",
	"trunk attempts that failed (before failover or final)",
	"rule hits",
	"requests from unknown peers",
	"requests refused over max_request_rate (503)",
	"connections refused",
	"calls by direction and outcome",
	"TLS handshakes that failed, by reason",
	"final answers to each attempt, by peer and status",
	"calls refused by admission control (max_calls, max_call_rate)",
	"requests refused while overloaded (503)",
	"transfers sipmed performed, by outcome",
};

struct stats *
stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->index = hmap_new()) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
	hmap_free(s->index);
	free(s);
}

void
stats_add(struct stats *s, enum stats_table table, const char *name)
{
	size_t len = strlen(name) + 1;
	char key[512];
	void *at;

	if (s == NULL || len + 1 > sizeof(key))
		return;
	key[0] = (char)('0' + table);
	memcpy(key + 1, name, len);
	at = hmap_get(s->index, key, len);
	if (at != NULL) {
		s->v[(size_t)(uintptr_t)at - 1].n++;
		return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct counter *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].key = strdup(key);
	if (s->v[s->n].key == NULL)
		return;
	s->v[s->n].n = 1;
	if (hmap_put(s->index, s->v[s->n].key, len, (void *)(uintptr_t)(s->n + 1), NULL) == -1) {
		free(s->v[s->n].key);
		return;
	}
	s->n++;
}

const char *
stats_outcome(int status)
{
	return status >= 200 && status < 300 ? "answered" : status == 487 ? "cancelled" : "failed";
}

void
stats_call_done(struct stats *s, const char *direction, const char *trunk, int status)
{
	char code[16], key[64];

	snprintf(key, sizeof(key), "%s %s", direction, stats_outcome(status));
	stats_add(s, STATS_CALLS_BY_DIRECTION, key);
	s->total++;
	if (status >= 200 && status < 300) {
		s->answered++;
		return;
	}
	if (status == 487) {
		s->cancelled++;
		return;
	}
	s->failed++;
	snprintf(code, sizeof(code), "%d", status);
	stats_add(s, STATS_FAILED_BY_STATUS, status > 0 ? code : "none");
	if (trunk != NULL)
		stats_add(s, STATS_FAILED_BY_TRUNK, trunk);
}

void
stats_each(const struct stats *s, enum stats_table t,
    void (*fn)(void *arg, const char *key, unsigned long n), void *arg)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].key[0] == '0' + (int)t)
			fn(arg, s->v[i].key + 1, s->v[i].n);
}

unsigned long
stats_calls_ended(const struct stats *s)
{
	return s->total;
}

void
stats_write(const struct stats *s, FILE *f, unsigned long active)
{
	fprintf(f, "calls active     %lu\n", active);
	fprintf(f, "calls ended      %lu\n", s->total);
	fprintf(f, "  answered       %lu\n", s->answered);
	fprintf(f, "  failed         %lu\n", s->failed);
	fprintf(f, "  cancelled      %lu\n", s->cancelled);
	for (int t = 0; t < STATS_NTABLES; t++) {
		bool any = false;

		for (size_t i = 0; i < s->n; i++) {
			if (s->v[i].key[0] != '0' + t)
				continue;
			if (!any)
				fprintf(f, "%s:\n", table_titles[t]);
			any = true;
			fprintf(f, "  %-48s %lu\n", s->v[i].key + 1, s->v[i].n);
		}
	}
}
