/*
 * stats: the daemon's counters for sipmedctl stats: calls by outcome,
 * failed calls by trunk and by the status the caller got, trunk attempts
 * that failed (failover), and rule hits. Counters are kept by name, so
 * they run on across reloads; they start at zero when sipmed starts.
 */
#ifndef SIPMED_STATS_H
#define SIPMED_STATS_H

#include <stdio.h>

struct stats;

/* Returns empty counters, or NULL when out of memory. */
struct stats *stats_new(void);
void stats_free(struct stats *);

/* The named tables stats_add() counts into, in the order they print. */
enum stats_table {
	STATS_FAILED_BY_TRUNK,
	STATS_FAILED_BY_STATUS,
	STATS_TRUNK_ATTEMPTS_FAILED,
	STATS_RULE_HITS,
	STATS_UNKNOWN_PEERS,		/* "answered 403" or "dropped" */
	STATS_RATE_LIMITED,		/* by peer: over max_request_rate */
	STATS_CONNECTIONS_REFUSED,	/* at accept */
	STATS_CALLS_BY_DIRECTION,	/* "inbound answered", "outbound failed"... */
	STATS_TLS_FAILURES,		/* failed TLS handshakes, by reason */
	STATS_PEER_ANSWERS,		/* "gw 200", "pool 486": each attempt's final answer */
	STATS_ADMISSION_REFUSED,	/* "trunk gw: max_calls": calls a limit refused */
	STATS_OVERLOADED,		/* "INVITE": refused 503 while overloaded */
	STATS_TRANSFERS,		/* "started", "completed"...: transfers sipmed
					   performs (call_transfer.c) */
	STATS_NTABLES,
};

/* Adds one to counter key of table (keys are copied). */
void stats_add(struct stats *, enum stats_table, const char *key);

/*
 * A call's end with the final status its caller got (0: none); direction
 * is "inbound", "outbound" or "internal".
 */
void stats_call_done(struct stats *, const char *direction, const char *trunk, int status);

/* The outcome of a final status as stats counts it: answered, cancelled or failed. */
const char *stats_outcome(int status);

/* Calls fn with each counter of table (its key without the table, its count). */
void stats_each(const struct stats *, enum stats_table,
    void (*fn)(void *arg, const char *key, unsigned long n), void *arg);

/* How many calls have ended (refused ones included), as stats_write() counts them. */
unsigned long stats_calls_ended(const struct stats *);

/* Writes every counter, one per line, for sipmedctl. */
void stats_write(const struct stats *, FILE *, unsigned long calls_active);

#endif
