/*
 * overload: sipmed's own lag (see overload.h).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/sip_header.h>

#include "log.h"
#include "overload.h"

#define OVERLOAD_TICK 50		/* ms between measures */
#define ADMIT_MIN 0.02			/* the least share of new calls admitted */
#define SUSTAINED 4			/* ticks a lag must last to count: a
					   stall shorter than that is no overload */
#define PROBE_PREFIX OVERLOAD_PROBE_PREFIX

/*
 * A UDP listener probed: a probe goes every tick, whether the ones before
 * came back or not, so that one lost in a full socket buffer costs one
 * measure, not the measuring. Datagrams over loopback keep their order: a
 * probe back means every probe before it is back or lost.
 */
#define PROBES 64			/* kept in flight at most: 3.2 s of ticks */
struct target {
	int fd;				/* the probes' own socket */
	su_sockaddr_t to;
	uint64_t sent[PROBES];		/* ns, by seq % PROBES */
	unsigned next;			/* the seq of the next probe */
	unsigned waiting;		/* the oldest seq not back yet */
	uint64_t delay;			/* ns, the last probe back's */
};

struct overload {
	su_root_t *root;
	su_timer_t *timer;
	struct target *targets;
	size_t ntargets;
	char secret[17];
	unsigned threshold;		/* ms; 0: never overloaded */
	uint64_t due;			/* ns: when the tick should have fired */
	unsigned loop_lag, queue_lag;	/* ms, at the last tick */
	unsigned peak;			/* ms, the highest lag seen */
	unsigned long episodes;		/* times it became overloaded */
	double admit;			/* the share of new calls admitted */
	uint64_t cut;			/* ns: when the share was last cut */
	unsigned recent[SUSTAINED];	/* ms, the lag at the last ticks */
	unsigned long nticks;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct overload *
overload_new(su_root_t *root)
{
	struct overload *o = calloc(1, sizeof(*o));
	unsigned char r[8];

	if (o == NULL)
		return NULL;
	o->root = root;
	o->admit = 1.0;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		uint64_t t = now_ns() ^ (uint64_t)getpid();

		memcpy(r, &t, sizeof(r));
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(o->secret + 2 * i, 3, "%02x", r[i]);
	return o;
}

void
overload_free(struct overload *o)
{
	if (o == NULL)
		return;
	if (o->timer != NULL)
		su_timer_destroy(o->timer);
	for (size_t i = 0; i < o->ntargets; i++)
		close(o->targets[i].fd);
	free(o->targets);
	free(o);
}

int
overload_probe(struct overload *o, const su_sockaddr_t *su)
{
	struct target *t, *nt;
	int fd;

	nt = realloc(o->targets, (o->ntargets + 1) * sizeof(*nt));
	if (nt == NULL)
		return -1;
	o->targets = nt;
	t = &o->targets[o->ntargets];
	memset(t, 0, sizeof(*t));
	t->to = *su;
	/* a wildcard is reached through the loopback of its family */
	if (su->su_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&su->su_sin6.sin6_addr))
		t->to.su_sin6.sin6_addr = in6addr_loopback;
	else if (su->su_family == AF_INET && su->su_sin.sin_addr.s_addr == htonl(INADDR_ANY))
		t->to.su_sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(su->su_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, &t->to.su_sa, su_sockaddr_size(&t->to)) < 0) {
		close(fd);
		return -1;
	}
	t->fd = fd;
	o->ntargets++;
	return 0;
}

static void
probe_send(struct overload *o, size_t i, uint64_t now)
{
	struct target *t = &o->targets[i];
	su_sockaddr_t me;
	socklen_t len = sizeof(me);
	char host[INET6_ADDRSTRLEN] = "127.0.0.1", buf[512];
	unsigned seq;
	int n;

	if (getsockname(t->fd, &me.su_sa, &len) < 0)
		return;
	inet_ntop(me.su_family, SU_ADDR(&me), host, sizeof(host));
	seq = t->next;
	n = snprintf(buf, sizeof(buf),
	    "OPTIONS sip:lag@%s%s%s SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP %s%s%s:%u;branch=z9hG4bK-lag-%u\r\n"
	    "From: <sip:lag@sipmed.invalid>;tag=lag\r\n"
	    "To: <sip:lag@sipmed.invalid>\r\n"
	    "Call-ID: " PROBE_PREFIX "%s-%zu-%u\r\n"
	    "CSeq: %u OPTIONS\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n\r\n",
	    me.su_family == AF_INET6 ? "[" : "", host, me.su_family == AF_INET6 ? "]" : "",
	    me.su_family == AF_INET6 ? "[" : "", host, me.su_family == AF_INET6 ? "]" : "",
	    ntohs(me.su_port), seq, o->secret, i, seq, seq);
	if (n <= 0 || (size_t)n >= sizeof(buf) || send(t->fd, buf, (size_t)n, 0) != n)
		return;
	/* the oldest is forgotten when the window is full */
	if (t->next - t->waiting >= PROBES)
		t->waiting = t->next - PROBES + 1;
	t->sent[seq % PROBES] = now;
	t->next++;
}

static void
tick(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct overload *o = (struct overload *)arg;
	uint64_t now = now_ns(), queue = 0;
	unsigned lag, sustained;

	(void)magic;
	(void)timer;
	o->loop_lag = now > o->due ? (unsigned)((now - o->due) / 1000000u) : 0;
	for (size_t i = 0; i < o->ntargets; i++) {
		struct target *t = &o->targets[i];
		/* the oldest still queued: at least as old as it is now */
		uint64_t d = t->waiting != t->next ? now - t->sent[t->waiting % PROBES] : 0;

		if (t->delay > d)
			d = t->delay;
		if (d > queue)
			queue = d;
		probe_send(o, i, now);
	}
	o->queue_lag = (unsigned)(queue / 1000000u);
	lag = o->loop_lag > o->queue_lag ? o->loop_lag : o->queue_lag;
	if (lag > o->peak)
		o->peak = lag;
	/* what the lag has stayed above for the last SUSTAINED ticks */
	o->recent[o->nticks++ % SUSTAINED] = lag;
	sustained = lag;
	for (size_t k = 0; k < SUSTAINED; k++)
		if (o->recent[k] < sustained)
			sustained = o->recent[k];
	/*
	 * The share of new calls admitted: cut by a quarter when the lag has
	 * stayed past the threshold for SUSTAINED ticks, but at most once per
	 * threshold's time (a cut
	 * shows in the lag only once the requests queued before it are
	 * read); raised by 5 points each tick the lag is under half of it; in
	 * between it holds. The queue settles near the threshold with sipmed
	 * busy, instead of swinging between refusing every new call and
	 * taking them all.
	 */
	if (o->threshold != 0 && sustained >= o->threshold &&
	    now >= o->cut + (uint64_t)o->threshold * 1000000u) {
		if (o->admit >= 1.0) {
			o->episodes++;
			log_warnx("overloaded: requests wait %u ms to be read, the event loop %u ms "
			    "(overload_lag %u): some new calls are refused with 503", o->queue_lag,
			    o->loop_lag, o->threshold);
		}
		o->admit = o->admit * 0.75 < ADMIT_MIN ? ADMIT_MIN : o->admit * 0.75;
		o->cut = now;
	} else if (o->admit < 1.0 && (o->threshold == 0 || lag < o->threshold / 2)) {
		o->admit = o->admit + 0.05 >= 1.0 ? 1.0 : o->admit + 0.05;
		if (o->admit >= 1.0)
			log_info("no longer overloaded: requests wait %u ms, the event loop %u ms",
			    o->queue_lag, o->loop_lag);
	}
	o->due = now + (uint64_t)OVERLOAD_TICK * 1000000u;
	su_timer_set(o->timer, tick, (su_timer_arg_t *)o);
}

void
overload_start(struct overload *o, unsigned lag_ms)
{
	o->threshold = lag_ms;
	o->timer = su_timer_create(su_root_task(o->root), OVERLOAD_TICK);
	if (o->timer == NULL) {
		log_warnx("overload control: no timer: lag is not measured");
		return;
	}
	o->due = now_ns() + (uint64_t)OVERLOAD_TICK * 1000000u;
	su_timer_set(o->timer, tick, (su_timer_arg_t *)o);
}

void
overload_set_threshold(struct overload *o, unsigned lag_ms)
{
	o->threshold = lag_ms;
}

bool
overload_is_probe(struct overload *o, const sip_t *sip)
{
	const char *id = sip->sip_call_id->i_id, *p;
	size_t slen = strlen(o->secret), i;
	struct target *t;
	unsigned seq;
	char *end;

	if (strncmp(id, PROBE_PREFIX, sizeof(PROBE_PREFIX) - 1) != 0)
		return false;
	p = id + sizeof(PROBE_PREFIX) - 1;
	if (strncmp(p, o->secret, slen) != 0 || p[slen] != '-')
		return false;	/* not this process's: an ordinary request */
	i = strtoul(p + slen + 1, &end, 10);
	if (*end != '-' || i >= o->ntargets)
		return true;
	t = &o->targets[i];
	seq = (unsigned)strtoul(end + 1, NULL, 10);
	/* one of the window (not one forgotten, nor a replay) */
	if (seq - t->waiting < t->next - t->waiting) {
		t->delay = now_ns() - t->sent[seq % PROBES];
		t->waiting = seq + 1;
	}
	return true;
}

bool
overload_admit(struct overload *o, const char *call_id)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	if (o == NULL || o->admit >= 1.0)
		return true;
	/*
	 * By the Call-ID, not by turn: an INVITE sent again while the first
	 * copy waited in the queue gets the same answer as the first, as
	 * long as the share has not moved in between.
	 */
	for (const unsigned char *c = (const unsigned char *)call_id; *c != '\0'; c++)
		h = (h ^ *c) * 16777619u;
	return (double)(h % 10000u) < o->admit * 10000.0;
}

bool
overload_shedding(const struct overload *o)
{
	return o != NULL && o->admit < 1.0;
}

void
overload_write(const struct overload *o, FILE *f)
{
	fprintf(f, "lag: %u ms reading requests, %u ms event loop, %u ms at most; ", o->queue_lag,
	    o->loop_lag, o->peak);
	if (o->admit < 1.0)
		fprintf(f, "overloaded: %.0f%% of new calls admitted", o->admit * 100);
	else
		fprintf(f, "not overloaded");
	fprintf(f, " (overload_lag %u ms, overloaded %lu time%s so far)\n", o->threshold,
	    o->episodes, o->episodes == 1 ? "" : "s");
}
