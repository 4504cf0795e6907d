/*
 * media: the ng control protocol of rtpengine, the media relay sipmed
 * drives for anchored calls. A request is a cookie, a space and a
 * bencoded dictionary, sent over UDP; the answer carries the same cookie
 * and a dictionary with "result" ("ok", "pong", "error") and, for offer
 * and answer, the relay's "sdp".
 *
 * The exchange is synchronous, as Kamailio's rtpengine module does it: a
 * relay on the same host or LAN answers within a millisecond, and a call
 * waits for its SDP anyway. A relay that does not answer within
 * media.timeout (one retry) is marked down and skipped for new calls; a
 * call keeps the relay its first offer went to.
 *
 * Health: every media.ping seconds each relay is sent an ng "ping" on a
 * socket of its own, read by the event loop, so that a dead relay never
 * blocks it. A relay that has not answered the previous ping when the
 * next is due is down, and so is one that failed a request; its next
 * pong brings it back. Without pings, a relay that failed a request is
 * skipped for DEAD_SECONDS.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <sofia-sip/su_wait.h>

#include "log.h"
#include "media.h"

#define DEAD_SECONDS 10
#define MEDIA_MSG_MAX 65536

struct relay {
	char address[128];
	unsigned weight;
	int fd;				/* a connected UDP socket, -1: none */
	int pfd;			/* another, for pings; -1: none */
	int pindex;			/* pfd's su_root registration; -1: none */
	bool ping_pending;		/* the last ping is not answered yet */
	bool down;			/* missed a ping or failed a request */
	time_t since;			/* up or down since */
	time_t dead_until;		/* without pings: skipped until */
	unsigned long pings;		/* sent, for the cookies */
	bool retired;			/* a reload removed it: kept for the
					   calls on it, never picked */
};

struct media {
	su_root_t *root;
	su_timer_t *ping_timer;
	unsigned ping_s;
	struct relay **relays;		/* a call's relay is its index: a reload
					   never moves nor removes one */
	size_t n;
	unsigned timeout_ms;
	unsigned long cookie;		/* requests sent */
	unsigned long run;		/* this sipmed's: rtpengine answers a cookie
					   it has seen from its cache, so cookies
					   must not repeat after a restart */
	unsigned long rr;		/* weighted round robin */
};

/* bencode: a growing buffer */
struct be {
	char *b;
	size_t len, cap;
	bool bad;
};

static void
be_raw(struct be *e, const char *s, size_t n)
{
	if (e->bad)
		return;
	if (e->len + n + 1 > e->cap) {
		size_t cap = (e->len + n + 1) * 2;
		char *nb = realloc(e->b, cap);

		if (nb == NULL) {
			e->bad = true;
			return;
		}
		e->b = nb;
		e->cap = cap;
	}
	memcpy(e->b + e->len, s, n);
	e->len += n;
	e->b[e->len] = '\0';
}

static void
be_strn(struct be *e, const char *s, size_t n)
{
	char len[24];

	snprintf(len, sizeof(len), "%zu:", n);
	be_raw(e, len, strlen(len));
	be_raw(e, s, n);
}

static void
be_str(struct be *e, const char *s)
{
	be_strn(e, s, strlen(s));
}

/* key: value, both strings (keys must come in sorted order) */
static void
be_kv(struct be *e, const char *k, const char *v)
{
	if (v == NULL)
		return;
	be_str(e, k);
	be_str(e, v);
}

/*
 * Reading an answer: each function takes the start of a value and the end
 * of the buffer, and NULL (or -1) for what is not there.
 */

/* A string at p, in *s and *n; what follows it. */
static const char *
be_string(const char *p, const char *end, const char **s, size_t *n)
{
	char *q;
	unsigned long len = strtoul(p, &q, 10);

	if (q == p || q >= end || *q != ':' || len > (unsigned long)(end - q - 1))
		return NULL;
	*s = q + 1;
	*n = len;
	return q + 1 + len;
}

/* What follows the value at p. */
static const char *
be_skip(const char *p, const char *end)
{
	const char *s;
	size_t n;

	if (p >= end)
		return NULL;
	if (*p == 'i') {
		const char *e = memchr(p, 'e', (size_t)(end - p));

		return e != NULL ? e + 1 : NULL;
	}
	if (*p == 'l' || *p == 'd') {
		p++;
		while (p != NULL && p < end && *p != 'e')
			p = be_skip(p, end);
		return p != NULL && p < end ? p + 1 : NULL;
	}
	return be_string(p, end, &s, &n);
}

/* The value of key in dictionary p (a pointer into it), or NULL. */
static const char *
be_value(const char *p, const char *end, const char *key)
{
	const char *k;
	size_t kn;

	if (p == NULL || p >= end || *p != 'd')
		return NULL;
	p++;
	while (p != NULL && p < end && *p != 'e') {
		p = be_string(p, end, &k, &kn);
		if (p == NULL || p >= end)
			return NULL;
		if (kn == strlen(key) && memcmp(k, key, kn) == 0)
			return p;
		p = be_skip(p, end);
	}
	return NULL;
}

/* The string value of key in dictionary p, in *v and *vn. */
static bool
be_find(const char *p, const char *end, const char *key, const char **v, size_t *vn)
{
	const char *s = be_value(p, end, key);

	return s != NULL && *s >= '0' && *s <= '9' && be_string(s, end, v, vn) != NULL;
}

/* The integer value of key in dictionary p, or -1. */
static long long
be_int(const char *p, const char *end, const char *key)
{
	const char *v = be_value(p, end, key);

	return v != NULL && *v == 'i' ? strtoll(v + 1, NULL, 10) : -1;
}

/* The first element of list p, or NULL. */
static const char *
be_first(const char *p, const char *end)
{
	return p != NULL && p < end && *p == 'l' && p + 1 < end && p[1] != 'e' ? p + 1 : NULL;
}

struct media *
media_new(su_root_t *root)
{
	struct media *m = calloc(1, sizeof(struct media));
	struct timespec now;

	if (m == NULL)
		return NULL;
	m->root = root;
	clock_gettime(CLOCK_REALTIME, &now);
	m->run = ((unsigned long)now.tv_sec << 20) ^ (unsigned long)now.tv_nsec ^
	    ((unsigned long)getpid() << 8);
	return m;
}

static void
relays_close(struct media *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct relay *r = m->relays[i];

		if (r->pindex != -1)
			su_root_deregister(m->root, r->pindex);
		if (r->pfd != -1)
			close(r->pfd);
		if (r->fd != -1)
			close(r->fd);
		free(r);
	}
	free(m->relays);
	m->relays = NULL;
	m->n = 0;
}

void
media_free(struct media *m)
{
	if (m == NULL)
		return;
	su_timer_destroy(m->ping_timer);
	relays_close(m);
	free(m);
}

static int relay_open(const char *address);

/* Relay r changes state, logged once per change. */
static void
relay_set_down(struct relay *r, bool down, const char *why)
{
	if (r->down == down && r->since != 0)
		return;
	r->down = down;
	r->since = time(NULL);
	if (down)
		log_warnx("media relay %s: down (%s): skipped for new calls", r->address, why);
	else
		log_info("media relay %s: up (%s)", r->address, why);
}

/* A pong on relay r's ping socket. */
static int
ping_read(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct relay *r = (struct relay *)arg;
	char ans[512];
	const char *sp, *v;
	size_t vn;
	ssize_t n;

	(void)magic;
	(void)w;
	while ((n = recv(r->pfd, ans, sizeof(ans) - 1, MSG_DONTWAIT)) > 0) {
		ans[n] = '\0';
		sp = memchr(ans, ' ', (size_t)n);
		if (sp != NULL && be_find(sp + 1, ans + n, "result", &v, &vn) && vn == 4 &&
		    memcmp(v, "pong", 4) == 0) {
			r->ping_pending = false;
			r->dead_until = 0;
			relay_set_down(r, false, "it answers the ng ping");
		}
	}
	return 0;
}

/* Every media.ping seconds: the last ping's verdict, and the next ping. */
static void
ping_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct media *m = (struct media *)arg;
	static const char ping[] = "d7:command4:pinge";

	(void)magic;
	(void)t;
	for (size_t i = 0; i < m->n; i++) {
		struct relay *r = m->relays[i];
		char msg[96];
		int len;

		if (r->pfd == -1 || r->retired)
			continue;
		if (r->ping_pending)
			relay_set_down(r, true, "no answer to the ng ping");
		len = snprintf(msg, sizeof(msg), "%lx-p%lu %s", m->run, ++r->pings, ping);
		(void)send(r->pfd, msg, (size_t)len, MSG_DONTWAIT);
		r->ping_pending = true;	/* answered or not, by the next tick */
	}
}

/* (Re)starts the pings every m->ping_s seconds (0: none). */
static void
pings_start(struct media *m)
{
	su_timer_destroy(m->ping_timer);
	m->ping_timer = NULL;
	for (size_t i = 0; i < m->n; i++)
		m->relays[i]->ping_pending = false;	/* a new round: no verdict yet */
	if (m->ping_s == 0 || m->n == 0 || m->root == NULL)
		return;
	m->ping_timer = su_timer_create(su_root_task(m->root), m->ping_s * 1000);
	if (m->ping_timer == NULL || su_timer_set_for_ever(m->ping_timer, ping_tick,
	    (su_timer_arg_t *)m) == -1) {
		log_warnx("media relays: cannot start the ng pings");
		return;
	}
	ping_tick(NULL, m->ping_timer, (su_timer_arg_t *)m);	/* the first one now */
}

/* Relay r's ping socket, read by the event loop. */
static void
ping_open(struct media *m, struct relay *r)
{
	su_wait_t w[1];

	r->pfd = relay_open(r->address);
	if (r->pfd == -1 || m->root == NULL)
		return;
	if (su_wait_create(w, r->pfd, SU_WAIT_IN) == -1 ||
	    (r->pindex = su_root_register(m->root, w, ping_read, (su_wakeup_arg_t *)r, 0)) == -1) {
		log_warnx("media relay %s: cannot watch its ping socket", r->address);
		close(r->pfd);
		r->pfd = -1;
		r->pindex = -1;
	}
}

/* A UDP socket connected to "HOST:PORT" (the host an IP address or name). */
static int
relay_open(const char *address)
{
	char host[128], *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL;
	int fd = -1;

	snprintf(host, sizeof(host), "%s", address);
	colon = strrchr(host, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (host[0] == '[' && colon > host + 1 && colon[-1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The relay at address, or NULL. */
static struct relay *
relay_find(const struct media *m, const char *address)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->relays[i]->address, address) == 0)
			return m->relays[i];
	return NULL;
}

/* Opens relay r's sockets, when its address resolves (again at a reload). */
static void
relay_connect(struct media *m, struct relay *r)
{
	r->fd = relay_open(r->address);
	if (r->fd == -1)
		log_warnx("media relay %s: cannot reach it (its address)", r->address);
	else
		ping_open(m, r);
}

/* A new relay at address, appended; NULL when out of memory. */
static struct relay *
relay_add(struct media *m, const char *address)
{
	struct relay **rs = realloc(m->relays, (m->n + 1) * sizeof(*rs));
	struct relay *r = calloc(1, sizeof(*r));

	if (rs != NULL)
		m->relays = rs;
	if (rs == NULL || r == NULL) {
		free(r);
		return NULL;
	}
	snprintf(r->address, sizeof(r->address), "%s", address);
	r->fd = r->pfd = r->pindex = -1;
	m->relays[m->n++] = r;
	return r;
}

void
media_configure(struct media *m, const struct conf_media *c)
{
	m->timeout_ms = c->timeout;
	m->ping_s = c->ping;
	for (size_t i = 0; i < m->n; i++)
		m->relays[i]->retired = true;
	for (size_t i = 0; i < c->nrelays; i++) {
		struct relay *r = relay_find(m, c->relays[i].address);

		if (r == NULL && (r = relay_add(m, c->relays[i].address)) == NULL) {
			log_warn("media relay %s", c->relays[i].address);
			continue;
		}
		r->weight = c->relays[i].weight;
		r->retired = false;
		if (r->fd == -1)
			relay_connect(m, r);
	}
	pings_start(m);
}

/* Whether relay r takes new calls. */
static bool
relay_live(const struct relay *r, time_t now)
{
	return r->fd != -1 && !r->retired && !r->down && r->dead_until <= now;
}

/* The next live relay by weight, or -1. */
static int
relay_pick(struct media *m)
{
	unsigned long total = 0, at;
	time_t now = time(NULL);

	for (size_t i = 0; i < m->n; i++)
		if (relay_live(m->relays[i], now))
			total += m->relays[i]->weight;
	if (total == 0)
		return -1;
	at = m->rr++ % total;
	for (size_t i = 0; i < m->n; i++) {
		const struct relay *r = m->relays[i];

		if (!relay_live(r, now))
			continue;
		if (at < r->weight)
			return (int)i;
		at -= r->weight;
	}
	return -1;
}

/*
 * Sends request req (len bytes, after the cookie) to relay i and waits
 * for its answer, in ans (MEDIA_MSG_MAX). The answer's length after the
 * cookie, or -1 (the relay is then marked dead).
 */
static ssize_t
relay_ask(struct media *m, int i, const char *req, size_t len, char *ans)
{
	struct relay *r = m->relays[i];
	char cookie[48];
	size_t cl;
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	snprintf(cookie, sizeof(cookie), "%lx-%lu ", m->run, ++m->cookie);
	cl = strlen(cookie);
	iov[0] = (struct iovec){ cookie, cl };
	iov[1] = (struct iovec){ (void *)req, len };
	for (int attempt = 0; attempt < 2; attempt++) {
		struct timespec start, now;

		if (sendmsg(r->fd, &mh, 0) == -1)
			break;
		clock_gettime(CLOCK_MONOTONIC, &start);
		for (;;) {
			struct pollfd p = { .fd = r->fd, .events = POLLIN };
			long spent;
			ssize_t n;

			clock_gettime(CLOCK_MONOTONIC, &now);
			spent = (now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000;
			if (spent >= (long)m->timeout_ms ||
			    poll(&p, 1, (int)((long)m->timeout_ms - spent)) <= 0)
				break;
			n = recv(r->fd, ans, MEDIA_MSG_MAX - 1, 0);
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				break;
			if (n > (ssize_t)cl && memcmp(ans, cookie, cl) == 0) {
				memmove(ans, ans + cl, (size_t)n - cl);
				ans[n - (ssize_t)cl] = '\0';
				return n - (ssize_t)cl;
			}
			/* an answer to an earlier request that timed out: not ours */
		}
	}
	log_warnx("media relay %s: no answer in %u ms", r->address, m->timeout_ms);
	if (m->ping_timer != NULL)
		relay_set_down(r, true, "until it answers a ping");
	else
		r->dead_until = time(NULL) + DEAD_SECONDS;
	return -1;
}

int
media_sdp(struct media *m, const struct media_req *q, const char *sdp, size_t len,
    su_home_t *home, char **out, size_t *outlen, char *why, size_t whylen)
{
	struct be e = { 0 };
	char *ans = NULL;
	const char *v;
	size_t vn;
	ssize_t n;
	int rc = -1;

	bool picked = q->relay != NULL && *q->relay < 0;

	if (picked)
		*q->relay = relay_pick(m);
	if (q->relay == NULL || *q->relay < 0 || (size_t)*q->relay >= m->n) {
		snprintf(why, whylen, "no media relay reachable");
		return -1;
	}
	/* keys in sorted order, as bencode dictionaries want them */
	be_raw(&e, "d", 1);
	be_kv(&e, "DTLS", "off");	/* SDES only: what Lync and trunks speak */
	/* toward a trunk no ICE; toward the pool's clients an ICE-lite peer,
	   also toward a pool that offered (lite "backward") */
	be_kv(&e, "ICE", !q->to_pool ? "remove" : q->offer ? "force" : NULL);
	if (q->offer)
		be_kv(&e, "ICE-lite", q->to_pool ? "forward" : q->from_pool ? "backward" : NULL);
	if (q->offer) {
		/* the two suites of RFC 4568 that every SDES peer has; never the
		   NULL ciphers, nor suites a gateway may choke on */
		static const char *const no[] = { "AEAD_AES_256_GCM", "AEAD_AES_128_GCM",
		    "AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32",
		    "AES_192_CM_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_32", "F8_128_HMAC_SHA1_80",
		    "F8_128_HMAC_SHA1_32", "NULL_HMAC_SHA1_80", "NULL_HMAC_SHA1_32" };

		be_str(&e, "SDES");
		be_raw(&e, "l", 1);
		for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			char suite[40];

			snprintf(suite, sizeof(suite), "no-%s", no[i]);
			be_str(&e, suite);
		}
		be_raw(&e, "e", 1);
	}
	be_kv(&e, "call-id", q->call_id);
	if (q->codecs != NULL && q->codecs->n > 0) {
		/* codec: strip all except these; transcode to the first if need be */
		be_str(&e, "codec");
		be_raw(&e, "d", 1);
		be_str(&e, "except");
		be_raw(&e, "l", 1);
		for (size_t i = 0; i < q->codecs->n; i++)
			be_str(&e, q->codecs->v[i]);
		be_raw(&e, "e", 1);
		be_str(&e, "strip");
		be_raw(&e, "l", 1);
		be_str(&e, "all");
		be_raw(&e, "e", 1);
		be_str(&e, "transcode");
		be_raw(&e, "l", 1);
		be_str(&e, q->codecs->v[0]);
		be_raw(&e, "e", 1);
		be_raw(&e, "e", 1);
	}
	be_kv(&e, "command", q->offer ? "offer" : "answer");
	be_kv(&e, "from-tag", q->from_tag);
	be_str(&e, "replace");
	be_raw(&e, "l", 1);
	be_str(&e, "origin");
	be_str(&e, "session-connection");
	be_raw(&e, "e", 1);
	if (q->offer) {
		/* RTCP on its own port toward a trunk (RFC 3550); the offerer's
		   rtcp-mux accepted */
		be_str(&e, "rtcp-mux");
		be_raw(&e, "l", 1);
		be_str(&e, "accept");
		if (!q->to_pool)
			be_str(&e, "demux");
		be_raw(&e, "e", 1);
	}
	be_str(&e, "sdp");
	be_strn(&e, sdp, len);
	be_kv(&e, "to-tag", q->to_tag);
	be_kv(&e, "transport-protocol", q->protocol);
	be_raw(&e, "e", 1);
	ans = malloc(MEDIA_MSG_MAX);
	if (e.bad || ans == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* a call's first offer tries the other live relays when one is dead */
	while ((n = relay_ask(m, *q->relay, e.b, e.len, ans)) < 0 && picked &&
	    (*q->relay = relay_pick(m)) >= 0)
		;
	if (n < 0 && *q->relay < 0) {
		snprintf(why, whylen, "no media relay answered");
		goto out;
	}
	if (n < 0) {
		snprintf(why, whylen, "media relay %s did not answer",
		    m->relays[*q->relay]->address);
		goto out;
	}
	if (be_find(ans, ans + n, "result", &v, &vn) && vn == 2 && memcmp(v, "ok", 2) == 0 &&
	    be_find(ans, ans + n, "sdp", &v, &vn)) {
		*out = su_strndup(home, v, vn);
		*outlen = vn;
		rc = *out != NULL ? 0 : -1;
	} else if (be_find(ans, ans + n, "error-reason", &v, &vn)) {
		snprintf(why, whylen, "media relay %s: %.*s", m->relays[*q->relay]->address,
		    (int)vn, v);
	} else {
		snprintf(why, whylen, "media relay %s: no SDP in its answer",
		    m->relays[*q->relay]->address);
	}
out:
	free(e.b);
	free(ans);
	return rc;
}

int
media_query(struct media *m, int relay, const char *call_id, const char *const tags[2],
    struct media_side out[2])
{
	struct be e = { 0 };
	char *ans;
	ssize_t n;
	int rc = -1;

	memset(out, 0, 2 * sizeof(*out));
	if (relay < 0 || (size_t)relay >= m->n)
		return -1;
	be_raw(&e, "d", 1);
	be_kv(&e, "call-id", call_id);
	be_kv(&e, "command", "query");
	be_raw(&e, "e", 1);
	ans = malloc(MEDIA_MSG_MAX);
	if (!e.bad && ans != NULL && (n = relay_ask(m, relay, e.b, e.len, ans)) > 0) {
		const char *end = ans + n, *t = be_value(ans, end, "tags");

		for (int i = 0; i < 2 && t != NULL; i++) {
			/* tags -> TAG -> medias[0] -> streams[0]: the relay's port for
			   that side, and what it received from it */
			const char *s = be_first(be_value(be_first(be_value(be_value(t, end,
			    tags[i]), end, "medias"), end), end, "streams"), end);
			const char *st = be_value(s, end, "stats");

			out[i].port = (int)be_int(s, end, "local port");
			out[i].packets = be_int(st, end, "packets");
			out[i].bytes = be_int(st, end, "bytes");
		}
		rc = t != NULL ? 0 : -1;
	}
	free(e.b);
	free(ans);
	return rc;
}

void
media_delete(struct media *m, int relay, const char *call_id)
{
	struct be e = { 0 };
	char *ans;

	if (relay < 0 || (size_t)relay >= m->n)
		return;
	be_raw(&e, "d", 1);
	be_kv(&e, "call-id", call_id);
	be_kv(&e, "command", "delete");
	be_str(&e, "delete-delay");	/* at once, not rtpengine's default 30 s */
	be_raw(&e, "i0e", 3);
	be_raw(&e, "e", 1);
	ans = malloc(MEDIA_MSG_MAX);
	if (!e.bad && ans != NULL)
		(void)relay_ask(m, relay, e.b, e.len, ans);
	free(e.b);
	free(ans);
}

/* Relay r's health: 1 up, 0 down, -1 not known (no pings, none answered). */
static int
relay_state(const struct media *m, const struct relay *r)
{
	return r->fd == -1 ? 0 : m->ping_timer == NULL || r->since == 0 ? -1 : r->down ? 0 : 1;
}

void
media_write(const struct media *m, FILE *f)
{
	char since[32];
	struct tm tm;

	for (size_t i = 0; i < m->n; i++) {
		const struct relay *r = m->relays[i];

		since[0] = '\0';
		if (r->since != 0 && localtime_r(&r->since, &tm) != NULL)
			strftime(since, sizeof(since), " since %Y-%m-%d %H:%M:%S", &tm);
		if (r->retired) {
			fprintf(f, "%-24s %-40s retired (a reload removed it: only calls that "
			    "began on it)\n", "media relay", r->address);
			continue;
		}
		fprintf(f, "%-24s %-40s %s%s (weight %u, ", "media relay", r->address,
		    (const char *[]){ "unknown", "down", "up" }[relay_state(m, r) + 1], since,
		    r->weight);
		if (m->ping_timer != NULL)
			fprintf(f, "ng ping every %u s)\n", m->ping_s);
		else
			fprintf(f, "no ng pings)\n");
	}
}

void
media_each_health(const struct media *m, void (*fn)(void *, const char *, int), void *arg)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct relay *r = m->relays[i];

		if (!r->retired)
			fn(arg, r->address, relay_state(m, r));
	}
}

const char *
media_relay_address(const struct media *m, int relay)
{
	return relay >= 0 && (size_t)relay < m->n ? m->relays[relay]->address : "-";
}
