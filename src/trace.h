/*
 * trace: sipmed's SIP trace. Two kinds of record, correlated by call:
 *
 *   messages   every SIP message a transport receives whole or sends
 *              (after TLS decryption, retransmissions included), with
 *              time, direction, transport and both addresses;
 *   decisions  every step call processing takes for a call (peer, dial
 *              plan rule, lookup, route, trunk, translations, failover,
 *              outcome).
 *
 * A call is named by its A leg's Call-ID; its B legs' Call-IDs map to it,
 * so one call's records across both legs share the name. Records go to
 * the outputs of the trace group (trace_out.c): a text file, a pcap file,
 * HEPv3 to a capture server, or, with none of these configured, the log.
 *
 * A filter limits tracing to calls whose called or calling number
 * (before or after normalization), trunk or Call-ID match; with no filter
 * every message is traced. The first request of a call reaches the trace
 * before the call is decided: it is held until call processing says
 * whether the call is traced (it all happens in one event-loop turn).
 */
#ifndef SIPMED_TRACE_H
#define SIPMED_TRACE_H

#include <stdbool.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/nta.h>

#include "conf.h"
#include "dtrace.h"
#include "route.h"

struct trace;

#define TRACE_TERMS_MAX 8

/* One filter term: number=N (N* for a prefix), trunk=NAME, call-id=ID. */
struct trace_term {
	enum { TRACE_NUMBER, TRACE_TRUNK, TRACE_CALL_ID } kind;
	char value[128];
	bool prefix;		/* TRACE_NUMBER written with a trailing '*' */
};

/* A call matches when any term matches; no term: every call. */
struct trace_filter {
	struct trace_term terms[TRACE_TERMS_MAX];
	size_t nterms;
};

/* What a filter is checked against: one call. NULL entries are skipped. */
struct trace_subject {
	const char *call_id;
	const char *numbers[4];		/* called and calling, before and after */
	const char *trunks[1 + ROUTE_CHOICES_MAX];
	size_t ntrunks;
};

/* Returns a trace with everything off, or NULL when out of memory. */
struct trace *trace_new(su_root_t *root);
void trace_free(struct trace *);

/*
 * (Re)opens the outputs of the trace group c (at start and on every
 * reload, which also serves log rotation). An output that cannot be opened
 * is logged and left off; the others still work.
 */
void trace_configure(struct trace *, const struct conf_trace *c);
/*
 * Outputs chosen at run time (sipmedctl trace start text=FILE pcap=FILE
 * hep=udp:HOST:PORT): they replace the configuration's, reloads leave
 * them, and trace_outputs_reset() goes back to the configuration's c.
 * Returns 0, or -1 when one could not be opened (err says which; the
 * others work).
 */
int trace_outputs_set(struct trace *, const struct conf_trace *c, char *err, size_t errlen);
void trace_outputs_reset(struct trace *, const struct conf_trace *c);
/* The outputs in use. */
const struct conf_trace *trace_outputs(const struct trace *);

/* Sees every message of agent's transports from now on. */
void trace_attach(struct trace *, nta_agent_t *agent);

/*
 * Parses filter terms (argv, argc of them) into *f. Returns 0, or -1
 * with a message in err.
 */
int trace_filter_parse(struct trace_filter *f, int argc, char **argv, char *err,
    size_t errlen);
/* Writes the filter as trace_filter_parse() reads it ("all calls": none). */
void trace_filter_format(const struct trace_filter *, char *buf, size_t len);

/* Switches message and decision tracing, with filter f (NULL: all). */
void trace_set(struct trace *, bool messages, bool decisions, const struct trace_filter *f);
void trace_get(const struct trace *, bool *messages, bool *decisions, struct trace_filter *f);
/* Whether anything is traced at all. */
bool trace_is_on(const struct trace *);
/* Whether decision steps are traced (a call still needs trace_is_traced). */
bool trace_decisions_on(const struct trace *);
/* Records written since start: messages and decision steps. */
void trace_counts(const struct trace *, unsigned long *messages, unsigned long *decisions);

/* Whether the filter takes a call with subject s (false when tracing is off). */
bool trace_wants(const struct trace *, const struct trace_subject *s);

/*
 * Says that Call-ID call_id is leg side ('A' or 'B') of call (the A leg's
 * Call-ID), traced or not. A request of call_id held back is written now
 * if traced. No-op while tracing is off.
 */
void trace_leg(struct trace *, const char *call_id, const char *call, char side, bool traced);
/*
 * The leg has ended: its Call-ID stays known for 32 s (64*T1) for the
 * messages that follow an end (the answer to a BYE, an ACK of a failure).
 */
void trace_leg_end(struct trace *, const char *call_id);

/* Writes one decision step of call. */
void trace_decision(struct trace *, const char *call, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A dtrace that keeps decision steps until the call is known to be
 * traced (call processing decides before it knows): trace_steps_flush()
 * writes them for call, or drops them when traced is false.
 */
struct trace_steps {
	struct dtrace dt;
	char buf[4096];
	size_t len;
};
/* Returns the dtrace to decide with, or NULL when decisions are not traced. */
const struct dtrace *trace_steps_begin(struct trace *, struct trace_steps *);
void trace_steps_flush(struct trace *, struct trace_steps *, const char *call, bool traced);

#endif
