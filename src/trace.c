/*
 * trace: run-time trace state (what is on, the filter), the map from
 * Call-IDs to calls, and the transport hook that sees every message. The
 * outputs are trace_out.c's.
 *
 * Correlation: call processing names each leg's Call-ID (trace_leg) as
 * soon as it knows it, before it sends anything on that leg. A received
 * message whose Call-ID is not known yet (the INVITE that starts a call)
 * is held as "pending" until the next event: call processing names its
 * Call-ID first when the request starts a call; otherwise it is written
 * without a call when tracing takes everything, or dropped.
 *
 * Cost: with tracing off the hook returns after one test, and call
 * processing skips every trace call after one test.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/time.h>
#include <time.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>

#include "hmap.h"
#include "log.h"
#include "overload.h"
#include "trace.h"
#include "trace_priv.h"

#define LINGER_SECONDS 32	/* 64*T1: retransmissions after a leg's end */

/* A Call-ID trace knows: a leg of a call. */
struct trace_leg {
	char *call_id;
	char *call;			/* the call's name: its A leg's Call-ID */
	char side;
	bool traced;
	time_t expires;			/* 0 while the leg lives */
	struct trace_leg *next;		/* in its hash bucket */
	TAILQ_ENTRY(trace_leg) ended;	/* legs waiting to be forgotten */
};
TAILQ_HEAD(ended_legs, trace_leg);

struct pending {
	bool held;
	char *call_id;
	struct trace_record rec;
	char *data;
	size_t size;
};

struct trace {
	su_root_t *root;
	struct conf_trace outputs;	/* what out has open (strings owned) */
	bool outputs_set;		/* by sipmedctl: reloads leave them */
	tport_t *tports;		/* the agent's, hooked while messages are on */
	struct in_addr host4;		/* the agent's own address, for sockets */
	struct in6_addr host6;		/* bound to the wildcard address */
	su_timer_t *sweep;
	struct trace_out *out;
	bool messages, decisions;
	struct trace_filter filter;
	unsigned long nmessages, ndecisions;
	struct trace_leg **buckets;	/* chained: legs come and go */
	size_t nbuckets, nlegs;
	struct ended_legs ended;
	struct pending pending;
	char *msgbuf;			/* one serialized message */
	size_t msgsize;
};

static void sweep_cb(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void outputs_free(struct conf_trace *);

struct trace *
trace_new(su_root_t *root)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->root = root;
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	TAILQ_INIT(&t->ended);
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	if (root != NULL) {
		t->sweep = su_timer_create(su_root_task(root), 1000);
		su_timer_set_for_ever(t->sweep, sweep_cb, (su_timer_arg_t *)t);
	}
	return t;
}

static void
leg_free(struct trace_leg *l)
{
	free(l->call_id);
	free(l->call);
	free(l);
}

void
trace_free(struct trace *t)
{
	if (t == NULL)
		return;
	su_timer_destroy(t->sweep);
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct trace_leg *l = t->buckets[i], *next; l != NULL; l = next) {
			next = l->next;
			leg_free(l);
		}
	free(t->buckets);
	free(t->pending.call_id);
	free(t->pending.data);
	free(t->msgbuf);
	trace_out_close(t->out);
	outputs_free(&t->outputs);
	free(t);
}

static void
outputs_free(struct conf_trace *o)
{
	free((char *)o->text_file);
	free((char *)o->pcap_file);
	free((char *)o->hep_address);
	memset(o, 0, sizeof(*o));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Opens c's outputs in place of the open ones. Returns 0, or -1 (err set). */
static int
outputs_open(struct trace *t, const struct conf_trace *c, char *err, size_t errlen)
{
	outputs_free(&t->outputs);
	t->outputs.text_file = dup_or_null(c->text_file);
	t->outputs.pcap_file = dup_or_null(c->pcap_file);
	t->outputs.hep_address = dup_or_null(c->hep_address);
	t->outputs.hep_capture_id = c->hep_capture_id;
	trace_out_close(t->out);
	t->out = trace_out_open(c, err, errlen);
	return err[0] == '\0' ? 0 : -1;
}

void
trace_configure(struct trace *t, const struct conf_trace *c)
{
	char err[512];

	if (t->outputs_set) {
		log_info("trace: the outputs sipmedctl chose stay until trace stop");
		return;
	}
	outputs_open(t, c, err, sizeof(err));
}

int
trace_outputs_set(struct trace *t, const struct conf_trace *c, char *err, size_t errlen)
{
	t->outputs_set = true;
	return outputs_open(t, c, err, errlen);
}

void
trace_outputs_reset(struct trace *t, const struct conf_trace *c)
{
	t->outputs_set = false;
	trace_configure(t, c);
}

const struct conf_trace *
trace_outputs(const struct trace *t)
{
	return &t->outputs;
}

/* --- the filter --- */

int
trace_filter_parse(struct trace_filter *f, int argc, char **argv, char *err, size_t errlen)
{
	static const struct { const char *key; int kind; } keys[] = {
		{ "number=", TRACE_NUMBER }, { "trunk=", TRACE_TRUNK },
		{ "call-id=", TRACE_CALL_ID },
	};

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < argc; i++) {
		struct trace_term *term = &f->terms[f->nterms];
		size_t k, n;

		for (k = 0; k < 3 && strncmp(argv[i], keys[k].key, strlen(keys[k].key)) != 0; k++)
			continue;
		if (k == 3) {
			snprintf(err, errlen, "unknown filter \"%s\": number=N, number=PREFIX*, "
			    "trunk=NAME or call-id=ID", argv[i]);
			return -1;
		}
		if (f->nterms == TRACE_TERMS_MAX) {
			snprintf(err, errlen, "at most %d filter terms", TRACE_TERMS_MAX);
			return -1;
		}
		term->kind = keys[k].kind;
		n = (size_t)snprintf(term->value, sizeof(term->value), "%s",
		    argv[i] + strlen(keys[k].key));
		if (n == 0 || n >= sizeof(term->value)) {
			snprintf(err, errlen, "filter \"%s\": the value must have 1 to %zu characters",
			    argv[i], sizeof(term->value) - 1);
			return -1;
		}
		if (term->kind == TRACE_NUMBER && term->value[n - 1] == '*') {
			term->value[n - 1] = '\0';
			term->prefix = true;
		}
		f->nterms++;
	}
	return 0;
}

void
trace_filter_format(const struct trace_filter *f, char *buf, size_t len)
{
	static const char *names[] = { "number", "trunk", "call-id" };
	size_t n = 0;

	buf[0] = '\0';
	if (f->nterms == 0)
		snprintf(buf, len, "all calls");
	for (size_t i = 0; i < f->nterms && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s%s", i ? " " : "",
		    names[f->terms[i].kind], f->terms[i].value, f->terms[i].prefix ? "*" : "");
}

static bool
term_matches(const struct trace_term *term, const struct trace_subject *s)
{
	switch (term->kind) {
	case TRACE_NUMBER:
		for (size_t i = 0; i < 4; i++) {
			const char *n = s->numbers[i];

			if (n != NULL && (term->prefix ? strncmp(n, term->value,
			    strlen(term->value)) == 0 : strcmp(n, term->value) == 0))
				return true;
		}
		return false;
	case TRACE_TRUNK:
		for (size_t i = 0; i < s->ntrunks; i++)
			if (s->trunks[i] != NULL && strcmp(s->trunks[i], term->value) == 0)
				return true;
		return false;
	case TRACE_CALL_ID:
		return s->call_id != NULL && strcmp(s->call_id, term->value) == 0;
	}
	return false;
}

bool
trace_wants(const struct trace *t, const struct trace_subject *s)
{
	if (!trace_is_on(t))
		return false;
	if (t->filter.nterms == 0)
		return true;
	for (size_t i = 0; i < t->filter.nterms; i++)
		if (term_matches(&t->filter.terms[i], s))
			return true;
	return false;
}

static void hook_update(struct trace *);

void
trace_set(struct trace *t, bool messages, bool decisions, const struct trace_filter *f)
{
	t->messages = messages;
	hook_update(t);
	t->decisions = decisions;
	if (f != NULL)
		t->filter = *f;
	else
		memset(&t->filter, 0, sizeof(t->filter));
}

void
trace_get(const struct trace *t, bool *messages, bool *decisions, struct trace_filter *f)
{
	*messages = t->messages;
	*decisions = t->decisions;
	*f = t->filter;
}

bool
trace_is_on(const struct trace *t)
{
	return t != NULL && (t->messages || t->decisions);
}

bool
trace_decisions_on(const struct trace *t)
{
	return t != NULL && t->decisions;
}

void
trace_counts(const struct trace *t, unsigned long *messages, unsigned long *decisions)
{
	*messages = t->nmessages;
	*decisions = t->ndecisions;
}

/* --- Call-IDs --- */

static struct trace_leg **
leg_slot(struct trace *t, const char *call_id)
{
	struct trace_leg **p = &t->buckets[hmap_hash(call_id, strlen(call_id)) &
	    (t->nbuckets - 1)];

	while (*p != NULL && strcmp((*p)->call_id, call_id) != 0)
		p = &(*p)->next;
	return p;
}

static void
grow(struct trace *t)
{
	size_t n = t->nbuckets * 2;
	struct trace_leg **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct trace_leg *l = t->buckets[i], *next; l != NULL; l = next) {
			size_t h = hmap_hash(l->call_id, strlen(l->call_id)) & (n - 1);

			next = l->next;
			l->next = b[h];
			b[h] = l;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static void
write_record(struct trace *t, struct trace_record *r)
{
	if (t->out == NULL)
		return;
	if (r->proto != NULL)
		t->nmessages++;
	else
		t->ndecisions++;
	trace_out_write(t->out, r);
}

/* The held request, now that its call is known (l) or never will be. */
static void
pending_flush(struct trace *t, const struct trace_leg *l)
{
	struct pending *p = &t->pending;

	if (!p->held)
		return;
	p->held = false;
	if (l != NULL ? !l->traced : t->filter.nterms > 0)
		return;
	p->rec.call = l != NULL ? l->call : NULL;
	p->rec.side = l != NULL ? l->side : 0;
	p->rec.data = p->data;
	write_record(t, &p->rec);
}

void
trace_leg(struct trace *t, const char *call_id, const char *call, char side, bool traced)
{
	struct trace_leg **slot, *l;

	if (!trace_is_on(t))
		return;
	slot = leg_slot(t, call_id);
	if (*slot == NULL) {
		l = calloc(1, sizeof(*l));
		if (l == NULL || (l->call_id = strdup(call_id)) == NULL ||
		    (l->call = strdup(call)) == NULL) {
			if (l != NULL)
				leg_free(l);
			return;
		}
		*slot = l;
		if (++t->nlegs > 2 * t->nbuckets)
			grow(t);
	}
	l = *slot;
	l->side = side;
	l->traced = traced;
	if (t->pending.held && strcmp(t->pending.call_id, call_id) == 0)
		pending_flush(t, l);
}

void
trace_leg_end(struct trace *t, const char *call_id)
{
	struct trace_leg *l;

	if (t == NULL || call_id == NULL || t->nlegs == 0)
		return;
	l = *leg_slot(t, call_id);
	if (l == NULL || l->expires != 0)
		return;
	l->expires = time(NULL) + LINGER_SECONDS;
	TAILQ_INSERT_TAIL(&t->ended, l, ended);
}

/* Forgets legs that ended LINGER_SECONDS ago; writes a request held too long. */
static void
sweep_cb(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct trace *t = (struct trace *)arg;
	time_t now = time(NULL);
	struct trace_leg *l;

	pending_flush(t, NULL);
	while ((l = TAILQ_FIRST(&t->ended)) != NULL && l->expires <= now) {
		TAILQ_REMOVE(&t->ended, l, ended);
		*leg_slot(t, l->call_id) = l->next;
		t->nlegs--;
		leg_free(l);
	}
}

/* --- decisions --- */

void
trace_decision(struct trace *t, const char *call, const char *fmt, ...)
{
	char line[1024];
	struct trace_record r = { .call = call };
	va_list ap;
	int n;

	if (!trace_decisions_on(t))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gettimeofday(&r.when, NULL);
	r.data = line;
	r.len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	write_record(t, &r);
}

static void
step_keep(void *arg, const char *line)
{
	struct trace_steps *s = (struct trace_steps *)arg;
	size_t n = strlen(line) + 1;

	if (s->len + n <= sizeof(s->buf)) {
		memcpy(s->buf + s->len, line, n);
		s->len += n;
	}
}

const struct dtrace *
trace_steps_begin(struct trace *t, struct trace_steps *s)
{
	s->len = 0;
	if (!trace_decisions_on(t))
		return NULL;
	s->dt.step_f = step_keep;
	s->dt.arg = s;
	return &s->dt;
}

void
trace_steps_flush(struct trace *t, struct trace_steps *s, const char *call, bool traced)
{
	for (size_t i = 0; traced && i < s->len; i += strlen(s->buf + i) + 1)
		trace_decision(t, call, "%s", s->buf + i);
	s->len = 0;
}

/* --- messages --- */

#ifdef SOFIA_SIP_SIPMED_MSG_HOOK

/* The message as bytes, in t->msgbuf. Returns its length. */
static size_t
serialize(struct trace *t, msg_t *msg)
{
	msg_iovec_t iov[64];
	isize_t n = msg_iovec(msg, iov, 64);
	size_t len = 0;

	if (n > 64)
		n = 64;
	for (isize_t i = 0; i < n; i++)
		len += iov[i].mv_len;
	if (len > t->msgsize) {
		char *b = realloc(t->msgbuf, len);

		if (b == NULL)
			return 0;
		t->msgbuf = b;
		t->msgsize = len;
	}
	len = 0;
	for (isize_t i = 0; i < n; i++) {
		memcpy(t->msgbuf + len, iov[i].mv_base, iov[i].mv_len);
		len += iov[i].mv_len;
	}
	return len;
}

static void
hold(struct trace *t, const char *call_id, const struct trace_record *r)
{
	struct pending *p = &t->pending;

	if (r->len > p->size) {
		char *b = realloc(p->data, r->len);

		if (b == NULL)
			return;
		p->data = b;
		p->size = r->len;
	}
	free(p->call_id);
	p->call_id = strdup(call_id);
	if (p->call_id == NULL)
		return;
	memcpy(p->data, r->data, r->len);
	p->rec = *r;
	p->held = true;
}

static void
msg_hook(void *arg, tport_t *tp, msg_t *msg, int outgoing, su_time_t when)
{
	struct trace *t = (struct trace *)arg;
	struct trace_record r = { .outgoing = outgoing != 0 };
	su_sockaddr_t local = { 0 };
	socklen_t locallen = sizeof(local);
	su_addrinfo_t *ai = msg_addrinfo(msg);
	sip_t const *sip;
	const char *call_id;
	struct trace_leg *l;

	if (!t->messages)
		return;
	pending_flush(t, NULL);		/* a new event: nobody claimed it */
	sip = sip_object(msg);
	call_id = sip != NULL && sip->sip_call_id != NULL ? sip->sip_call_id->i_id : NULL;
	/* sipmed's own lag probes, 20 a second, dropped unanswered (overload.h) */
	if (call_id != NULL && strncmp(call_id, OVERLOAD_PROBE_PREFIX,
	    sizeof(OVERLOAD_PROBE_PREFIX) - 1) == 0)
		return;
	l = call_id != NULL && t->nlegs > 0 ? *leg_slot(t, call_id) : NULL;
	if (l != NULL && !l->traced)
		return;
	if (l == NULL && outgoing && t->filter.nterms > 0)
		return;		/* sipmed's own request of no traced call */
	r.when.tv_sec = (time_t)(when.tv_sec - SU_TIME_EPOCH);
	r.when.tv_usec = (suseconds_t)when.tv_usec;
	r.proto = tport_name(tp)->tpn_proto;
	tport_local_sockaddr(tp, &local, &locallen);
	/* a socket bound to 0.0.0.0 or :: does not say: the agent's address */
	if (local.su_family == AF_INET && local.su_sin.sin_addr.s_addr == htonl(INADDR_ANY))
		local.su_sin.sin_addr = t->host4;
	else if (local.su_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&local.su_sin6.sin6_addr))
		local.su_sin6.sin6_addr = t->host6;
	if (ai != NULL && ai->ai_addr != NULL && ai->ai_addrlen <= sizeof(r.src))
		memcpy(outgoing ? &r.dst : &r.src, ai->ai_addr, ai->ai_addrlen);
	memcpy(outgoing ? &r.src : &r.dst, &local, sizeof(local));
	r.data = t->msgbuf;
	r.len = serialize(t, msg);
	r.data = t->msgbuf;
	if (l == NULL && !outgoing && call_id != NULL) {
		hold(t, call_id, &r);	/* may be the first request of a call */
		return;
	}
	r.call = l != NULL ? l->call : NULL;
	r.side = l != NULL ? l->side : 0;
	write_record(t, &r);
}

/* The hook is set only while messages are traced: it makes parsing keep copies. */
static void
hook_update(struct trace *t)
{
	tport_set_msg_hook(t->tports, t->messages ? msg_hook : NULL, t);
}
#else
static void
hook_update(struct trace *t)
{
	if (t->messages && t->tports != NULL)
		log_warnx("this sipmed is built against a sofia-sip without sipmed's message "
		    "hook (scripts/sofia-sip): SIP messages cannot be traced, decisions can");
}
#endif

void
trace_attach(struct trace *t, nta_agent_t *agent)
{
	sip_contact_t const *m = nta_agent_contact(agent);
	char host[INET6_ADDRSTRLEN + 2] = "";
	size_t n;

	t->tports = nta_agent_tports(agent);
	if (m != NULL && m->m_url->url_host != NULL)
		snprintf(host, sizeof(host), "%s", m->m_url->url_host);
	n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		inet_pton(AF_INET6, host + 1, &t->host6);
	} else {
		inet_pton(AF_INET, host, &t->host4);
	}
	hook_update(t);
}
