/*
 * trace_priv: what trace.c hands its outputs (trace_out.c). Not for use
 * elsewhere.
 */
#ifndef SIPMED_TRACE_PRIV_H
#define SIPMED_TRACE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include <sofia-sip/su.h>

#include "conf.h"

/* One record: a SIP message (proto set) or a decision step (proto NULL). */
struct trace_record {
	struct timeval when;
	const char *proto;		/* "udp", "tcp", "tls"; NULL: a decision */
	bool outgoing;			/* sent by sipmed */
	su_sockaddr_t src, dst;		/* messages: from and to */
	const char *call;		/* the call's name, or NULL: no known call */
	char side;			/* 'A' or 'B' when call is set */
	const char *data;		/* the message, or the decision step */
	size_t len;
};

struct trace_out;

/*
 * Opens the outputs of c; one that fails is logged, stays off, and its
 * message is left in err (err[0] stays '\0' when all opened). Returns
 * NULL only when out of memory.
 */
struct trace_out *trace_out_open(const struct conf_trace *c, char *err, size_t errlen);
void trace_out_close(struct trace_out *);
void trace_out_write(struct trace_out *, const struct trace_record *);

#endif
