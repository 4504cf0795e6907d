/*
 * peer: who sent a request or holds a leg, and the live state of the
 * configured peers (see peer.h for who owns what).
 *
 * Health: a peer with options_interval > 0 gets an OPTIONS every
 * interval, for as long as it is configured. Any answer from the peer
 * other than a 5xx shows it alive (many user agents answer an OPTIONS
 * without a user part 404, and that is an answer); no answer by the next
 * ping, a transport failure, a 5xx, or an answer from someone else over
 * TLS is a miss. options_misses misses in a row mark the peer down, its
 * first good answer marks it up again. A peer that has not answered yet
 * is "unknown" (and still tried).
 *
 * Not here: the transports and the listeners (server.c), what a call
 * does with the peer it is given (call.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "hmap.h"
#include "log.h"
#include "peer.h"
#include "stats.h"

/* Recent requests from one unknown address. */
struct flood_slot {
	char addr[64];
	time_t second;
	unsigned count;
};
#define PEERS_FLOOD_SLOTS 1024

struct peer_health;
struct rr_counter;

struct peers {
	su_root_t *root;
	struct stats *stats;
	struct conf *conf;		/* the snapshot new requests are judged by */
	nta_agent_t *agent;		/* NULL: not started, no pings */
	nta_leg_t *ping_leg;		/* the pings go out on it */
	struct peer_health *health;	/* the pool, then each trunk */
	size_t nhealth;
	struct rr_counter *rr;		/* one per route of conf */
	size_t nrr;
	struct flood_slot flood[PEERS_FLOOD_SLOTS];	/* unknown addresses */
};


/* Whether the certificate names (SAN DNS names, or the CN) include name. */
static bool
names_include(su_strlst_t const *names, const char *name)
{
	usize_t n = names != NULL ? su_strlst_len(names) : 0;

	for (usize_t i = 0; name != NULL && i < n; i++)
		if (strcasecmp(su_strlst_item(names, i), name) == 0)
			return true;
	return false;
}

/* Whether a peer has a listen URI: the listener then says who sent a request. */
static bool
any_listen(const struct conf *c)
{
	if (c->pool.listen != NULL)
		return true;
	for (size_t i = 0; i < c->ntrunks; i++)
		if (c->trunks[i].listen != NULL)
			return true;
	return false;
}

/* Whether a peer with listen URI listen takes a request that arrived on at. */
static bool
listens_on(const char *listen, const char *at)
{
	return listen == NULL || at == NULL || strcmp(listen, at) == 0;
}

/*
 * Over TLS the certificate says who the peer is, never the address; at
 * is the listen URI the request arrived on.
 */
static void
identify_by_certificate(const struct conf *c, su_strlst_t const *names, const char *at,
    struct peer *out)
{
	usize_t n = names != NULL ? su_strlst_len(names) : 0;
	size_t len = strlen(out->who);

	if (n == 0)
		snprintf(out->who + len, sizeof(out->who) - len, " (TLS, no certificate names)");
	for (usize_t i = 0; i < n; i++) {
		len = strlen(out->who);
		snprintf(out->who + len, sizeof(out->who) - len, "%s%s",
		    i == 0 ? " (TLS certificate for " : ", ", su_strlst_item(names, i));
	}
	if (n > 0) {
		len = strlen(out->who);
		snprintf(out->who + len, sizeof(out->who) - len, ")");
	}
	if (names_include(names, c->pool.identity) && listens_on(c->pool.listen, at)) {
		out->kind = PEER_POOL;
		return;
	}
	for (size_t i = 0; i < c->ntrunks; i++)
		if (names_include(names, c->trunks[i].identity) &&
		    listens_on(c->trunks[i].listen, at)) {
			out->kind = PEER_TRUNK;
			out->trunk = &c->trunks[i];
			return;
		}
}

/*
 * Who sends from addr on a plain transport to the listener for listen URI
 * at (NULL: any): the pool, a trunk (*tp set), or nobody. Peers whose
 * address is sips: are never known that way.
 */
static enum peer_kind
peer_by_address(const struct conf *c, const char *addr, const char *at,
    const struct trunk **tp)
{
	if (!conf_uses_tls(c->pool.address) && conf_strlist_has(&c->pool.source_addresses, addr) &&
	    listens_on(c->pool.listen, at))
		return PEER_POOL;
	for (size_t i = 0; i < c->ntrunks; i++)
		if (!conf_uses_tls(c->trunks[i].address) &&
		    conf_strlist_has(&c->trunks[i].source_addresses, addr) &&
		    listens_on(c->trunks[i].listen, at)) {
			*tp = &c->trunks[i];
			return PEER_TRUNK;
		}
	return PEER_UNKNOWN;
}

void
peer_source_address(msg_t *msg, char *buf, size_t len)
{
	su_addrinfo_t *ai = msg_addrinfo(msg);

	snprintf(buf, len, "?");
	if (ai != NULL && ai->ai_addr != NULL && ai->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr,
		    buf, (socklen_t)len);
	else if (ai != NULL && ai->ai_addr != NULL && ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr,
		    buf, (socklen_t)len);
}

void
peer_identify(const struct peers *ps, msg_t *msg, struct peer *out)
{
	const struct conf *c = ps->conf;
	tport_t *tports = ps->agent != NULL ? nta_agent_tports(ps->agent) : NULL;
	tport_t *tp = tport_delivered_by(tports, msg);
	const char *at;

	memset(out, 0, sizeof(*out));
	out->kind = PEER_UNKNOWN;
	peer_source_address(msg, out->addr, sizeof(out->addr));
	snprintf(out->who, sizeof(out->who), "%s", out->addr);
	if (tp != NULL)
		snprintf(out->proto, sizeof(out->proto), "%s", tport_name(tp)->tpn_proto);
	at = tp != NULL ? tport_ident(tp) : NULL;
	if (tp != NULL && tport_has_tls(tp))
		identify_by_certificate(c, tport_delivered_from_subjects(tports, msg), at, out);
	else
		out->kind = peer_by_address(c, out->addr, at, &out->trunk);
	if (out->kind != PEER_UNKNOWN)
		out->listen = conf_peer_link(c, out->trunk).listen;
	if (at != NULL && (out->listen != NULL || any_listen(c))) {
		size_t len = strlen(out->who);

		snprintf(out->who + len, sizeof(out->who) - len, " on %s", at);
	}
}

bool
peer_answered(const struct peers *ps, msg_t *msg, const char *address,
    const char *identity, char *who, size_t wholen)
{
	tport_t *tports = ps->agent != NULL ? nta_agent_tports(ps->agent) : NULL;
	tport_t *tp = tport_delivered_by(tports, msg);
	struct peer p;

	if (!conf_uses_tls(address) || tp == NULL)
		return true;	/* plain, or nta's own answer: nothing to prove */
	if (tport_has_tls(tp) && names_include(tport_delivered_from_subjects(tports, msg),
	    identity))
		return true;
	peer_identify(ps, msg, &p);
	snprintf(who, wholen, "%s%s", p.who, tport_has_tls(tp) ? "" : " (not over TLS)");
	return false;
}

void
peer_of(const struct conf *c, const struct trunk *t, struct peer *out)
{
	struct peer_link l = conf_peer_link(c, t);

	memset(out, 0, sizeof(*out));
	out->kind = t != NULL ? PEER_TRUNK : PEER_POOL;
	out->trunk = t;
	out->listen = l.listen;
	snprintf(out->proto, sizeof(out->proto), "%s",
	    conf_transport_name(conf_uri_transports(l.address, false)));
	snprintf(out->who, sizeof(out->who), "%s", l.address);
}

bool
peer_sent(const struct peers *ps, msg_t *msg, const struct peer *p, struct peer *who)
{
	peer_identify(ps, msg, who);
	if (who->kind != p->kind || (p->kind == PEER_TRUNK &&
	    (who->trunk == NULL || strcmp(who->trunk->name, p->trunk->name) != 0)))
		return false;	/* (by name: a reload makes new trunk objects) */
	return strcasecmp(who->proto, p->proto) == 0;
}

/*
 * Whether a request from an unknown address may still go on this second:
 * a flood from one address gets unknown_peer_rate answers (403) a second,
 * and the rest is dropped by recv_filter() before any transaction. The
 * table is small and fixed: addresses that collide share a slot, which
 * only makes the limit apply sooner.
 */
static bool
unknown_peer_admitted(struct peers *ps, const char *addr)
{
	struct flood_slot *slot = &ps->flood[hmap_hash(addr, strlen(addr)) % PEERS_FLOOD_SLOTS];
	time_t now = time(NULL);

	if (slot->second != now || strcmp(slot->addr, addr) != 0) {
		snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
		slot->second = now;
		slot->count = 0;
	}
	return ++slot->count <= ps->conf->server.unknown_peer_rate;
}

bool
peers_admit_unknown(struct peers *ps, msg_t *msg)
{
	const struct trunk *t;
	char addr[64];

	peer_source_address(msg, addr, sizeof(addr));
	if (peer_by_address(ps->conf, addr, NULL, &t) != PEER_UNKNOWN ||
	    unknown_peer_admitted(ps, addr))
		return true;
	stats_add(ps->stats, STATS_UNKNOWN_PEERS, "dropped (over unknown_peer_rate)");
	return false;
}

/* A token bucket: rate a second, bursts of up to one second's worth. */
struct bucket {
	unsigned rate;			/* 0: no limit */
	double tokens;			/* what may pass now */
	struct timespec refilled;
};

static void
bucket_init(struct bucket *b, unsigned rate)
{
	b->rate = rate;
	b->tokens = rate;
	clock_gettime(CLOCK_MONOTONIC, &b->refilled);
}

/* Takes a token when there is one. */
static bool
bucket_take(struct bucket *b)
{
	struct timespec now;
	double elapsed;

	if (b->rate == 0)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - b->refilled.tv_sec) +
	    (double)(now.tv_nsec - b->refilled.tv_nsec) / 1e9;
	b->refilled = now;
	b->tokens += elapsed * b->rate;
	if (b->tokens > b->rate)
		b->tokens = b->rate;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

struct peer_health {
	struct peers *ps;
	char name[128];			/* "pool", or "trunk NAME" */
	const struct trunk *trunk;	/* in ps->conf; NULL for the pool */
	struct peer_link link;		/* in ps->conf */
	unsigned interval, max_misses;
	bool down;
	bool answered;			/* it has answered a ping since sipmed started */
	unsigned misses;
	time_t since;			/* when down last changed; 0: never pinged */
	struct bucket requests;		/* max_request_rate */
	unsigned max_calls;		/* 0: no limit */
	unsigned calls;			/* calls up or being set up through it */
	struct bucket new_calls;	/* max_call_rate */
	char last[96];			/* the last ping's result, for sipmedctl */
	su_timer_t *timer;
	nta_outgoing_t *ping;		/* the ping awaiting its answer */
};

struct rr_counter {
	char name[128];			/* route name */
	unsigned long next;
};

static void
health_miss(struct peer_health *h, const char *why)
{
	h->misses++;
	snprintf(h->last, sizeof(h->last), "%s", why);
	if (h->since == 0)
		h->since = time(NULL);
	if (!h->down && h->misses >= h->max_misses) {
		h->down = true;
		h->since = time(NULL);
		log_warnx("%s is down: %u OPTIONS ping%s failed (last: %s)", h->name,
		    h->misses, h->misses == 1 ? "" : "s in a row", why);
	}
}

static int
ping_answered(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct peer_health *h = (struct peer_health *)magic;
	int status = nta_outgoing_status(orq);
	msg_t *msg;
	char who[320];
	bool from_peer;

	if (status < 200)
		return 0;
	msg = nta_outgoing_getresponse(orq);
	from_peer = peer_answered(h->ps, msg, h->link.address, h->link.identity, who, sizeof(who));
	msg_destroy(msg);
	nta_outgoing_destroy(orq);
	h->ping = NULL;
	if (!from_peer) {
		char why[400];

		snprintf(why, sizeof(why), "answered by %s, not %s", who, h->link.identity);
		health_miss(h, why);
	} else if (sip == NULL || nta_sip_is_internal(sip)) {
		char why[64];

		snprintf(why, sizeof(why), "not reached (%d)", status);
		health_miss(h, why);
	} else if (status >= 500 && status < 600) {
		char why[32];

		snprintf(why, sizeof(why), "answered %d", status);
		health_miss(h, why);
	} else {
		if (h->down)
			log_info("%s is up again: OPTIONS answered %d", h->name, status);
		else if (!h->answered)
			log_info("%s is up: OPTIONS answered %d", h->name, status);
		if (h->down || !h->answered)
			h->since = time(NULL);
		snprintf(h->last, sizeof(h->last), "answered %d", status);
		h->down = false;
		h->answered = true;
		h->misses = 0;
	}
	return 0;
}

static void
ping(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct peer_health *h = (struct peer_health *)arg;
	struct peers *ps = h->ps;
	char from[256];

	if (h->ping != NULL) {
		nta_outgoing_destroy(h->ping);
		h->ping = NULL;
		health_miss(h, "no answer");
	}
	snprintf(from, sizeof(from), "<sip:sipmed@%s>", ps->conf->server.domain);
	h->ping = nta_outgoing_tcreate(ps->ping_leg, ping_answered,
	    (nta_outgoing_magic_t *)h, URL_STRING_MAKE(h->link.next_hop), SIP_METHOD_OPTIONS,
	    URL_STRING_MAKE(h->link.address), SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(h->link.address), TPTAG_IDENT(h->link.listen), TAG_END());
	if (h->ping == NULL)
		health_miss(h, "could not send");
}

static void
health_stop(struct peer_health *h)
{
	su_timer_destroy(h->timer);
	if (h->ping != NULL)
		nta_outgoing_destroy(h->ping);
}

static void
state_free(struct peers *ps)
{
	for (size_t i = 0; i < ps->nhealth; i++)
		health_stop(&ps->health[i]);
	free(ps->health);
	free(ps->rr);
	ps->health = NULL;
	ps->rr = NULL;
	ps->nhealth = ps->nrr = 0;
}

/* Sets up h for a peer of ps->conf, keeping the state old had by name. */
static void
health_init(struct peers *ps, struct peer_health *h, const struct trunk *t,
    const struct peer_health *old, size_t nold)
{
	const struct conf *c = ps->conf;

	h->ps = ps;
	h->trunk = t;
	h->link = conf_peer_link(c, t);
	if (t != NULL) {
		snprintf(h->name, sizeof(h->name), "trunk %s", t->name);
		h->interval = t->options_interval;
		h->max_misses = t->options_misses;
		bucket_init(&h->requests, t->max_request_rate);
		h->max_calls = t->max_calls;
		bucket_init(&h->new_calls, t->max_call_rate);
	} else {
		snprintf(h->name, sizeof(h->name), "pool");
		h->interval = c->pool.options_interval;
		h->max_misses = c->pool.options_misses;
		bucket_init(&h->requests, c->pool.max_request_rate);
		h->max_calls = c->pool.max_calls;
		bucket_init(&h->new_calls, c->pool.max_call_rate);
	}
	for (size_t j = 0; j < nold; j++)
		if (strcmp(old[j].name, h->name) == 0) {
			h->down = old[j].down;
			h->answered = old[j].answered;
			h->misses = old[j].misses;
			h->since = old[j].since;
			/* the counts go on; the limits are the new ones */
			h->requests.tokens = old[j].requests.tokens;
			h->requests.refilled = old[j].requests.refilled;
			h->calls = old[j].calls;
			h->new_calls.tokens = old[j].new_calls.tokens;
			h->new_calls.refilled = old[j].new_calls.refilled;
			memcpy(h->last, old[j].last, sizeof(h->last));
		}
	if (h->interval == 0 || ps->agent == NULL) {
		h->down = false;
		return;
	}
	/* every interval for the life of the peer, not once */
	h->timer = su_timer_create(su_root_task(ps->root), h->interval * 1000);
	if (h->timer == NULL || su_timer_set_for_ever(h->timer, ping, (su_timer_arg_t *)h) == -1)
		log_warnx("%s: OPTIONS pings could not be scheduled", h->name);
}

/* The state of ps->conf's peers and routes, the old state kept by name. */
static void
state_configure(struct peers *ps)
{
	const struct conf *c = ps->conf;
	/* health[0] is the pool's, health[1 + i] trunk i's */
	struct peer_health *nh = calloc(c->ntrunks + 1, sizeof(*nh));
	struct rr_counter *nr = calloc(c->nroutes ? c->nroutes : 1, sizeof(*nr));

	if (nh == NULL || nr == NULL) {
		free(nh);
		free(nr);
		log_warnx("out of memory: peer health and round robin keep their old state");
		return;
	}
	health_init(ps, &nh[0], NULL, ps->health, ps->nhealth);
	for (size_t i = 0; i < c->ntrunks; i++)
		health_init(ps, &nh[i + 1], &c->trunks[i], ps->health, ps->nhealth);
	for (size_t i = 0; i < c->nroutes; i++) {
		snprintf(nr[i].name, sizeof(nr[i].name), "%s", c->routes[i].name);
		for (size_t j = 0; j < ps->nrr; j++)
			if (strcmp(ps->rr[j].name, nr[i].name) == 0)
				nr[i].next = ps->rr[j].next;
	}
	state_free(ps);
	ps->health = nh;
	ps->nhealth = c->ntrunks + 1;
	ps->rr = nr;
	ps->nrr = c->nroutes;
}

static bool
trunk_down(const struct peers *ps, const struct trunk *t)
{
	for (size_t i = 1; i < ps->nhealth; i++)
		if (ps->health[i].trunk == t)
			return ps->health[i].down;
	return false;
}

bool
peers_pool_down(const struct peers *ps)
{
	return ps->nhealth > 0 && ps->health[0].down;
}

static unsigned long
rr_next(struct peers *ps, const struct route *r)
{
	for (size_t i = 0; i < ps->nrr; i++)
		if (strcmp(ps->rr[i].name, r->name) == 0)
			return ps->rr[i].next++;
	return 0;
}

void
peers_order_trunks(struct peers *ps, struct route_choice *ch, size_t n)
{
	struct route_choice tmp[ROUTE_CHOICES_MAX];
	size_t k = 0;

	if (n > ROUTE_CHOICES_MAX)
		n = ROUTE_CHOICES_MAX;
	/* round robin: route_select() lists a route's trunks next to each other */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, len, shift;

		while (j < n && ch[j].route == ch[i].route)
			j++;
		len = j - i;
		if (len > 1) {
			shift = (size_t)(rr_next(ps, ch[i].route) % len);
			for (size_t m = 0; m < len; m++)
				tmp[m] = ch[i + (m + shift) % len];
			memcpy(&ch[i], tmp, len * sizeof(*tmp));
		}
		i = j;
	}
	/* trunks that are down go last: tried only when every other failed */
	for (size_t i = 0; i < n; i++)
		if (!trunk_down(ps, ch[i].trunk))
			tmp[k++] = ch[i];
	for (size_t i = 0; i < n; i++)
		if (trunk_down(ps, ch[i].trunk))
			tmp[k++] = ch[i];
	memcpy(ch, tmp, n * sizeof(*tmp));
}

static void
health_write(const struct peer_health *h, FILE *f)
{
	char since[32] = "-";
	struct tm tm;

	if (h->since != 0 && localtime_r(&h->since, &tm) != NULL)
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%-24s %-40s ", h->name, h->link.address);
	if (h->interval == 0)
		fprintf(f, "%-8s (no OPTIONS pings)\n", "unknown");
	else if (!h->answered && !h->down)
		fprintf(f, "%-8s (OPTIONS every %u s, none answered yet%s%s, %u missed in a row)\n",
		    "unknown", h->interval, h->last[0] ? ", last " : "", h->last, h->misses);
	else
		fprintf(f, "%-8s since %s (OPTIONS every %u s, last %s, %u missed in a row)\n",
		    h->down ? "down" : "up", since, h->interval, h->last, h->misses);
	fprintf(f, "%-24s calls: %u", "", h->calls);
	if (h->max_calls != 0)
		fprintf(f, " of max_calls %u", h->max_calls);
	if (h->new_calls.rate != 0)
		fprintf(f, ", max_call_rate %u/s", h->new_calls.rate);
	fprintf(f, "\n");
	if (h->link.listen != NULL)
		fprintf(f, "%-24s listener: %s\n", "", h->link.listen);
}

void
peers_each_health(const struct peers *ps, void (*fn)(void *, const char *, int), void *arg)
{
	for (size_t i = 0; i < ps->nhealth; i++) {
		const struct peer_health *h = &ps->health[i];

		fn(arg, h->name, h->interval == 0 || (!h->answered && !h->down) ? -1 :
		    h->down ? 0 : 1);
	}
}

void
peers_write(const struct peers *ps, FILE *f)
{
	fprintf(f, "%-24s %-40s %s\n", "PEER", "ADDRESS", "STATE");
	for (size_t i = 0; i < ps->nhealth; i++)
		health_write(&ps->health[i], f);
}

/* The state of peer p: found by name, so that a call set up before a reload finds it after. */
static struct peer_health *
health_of(struct peers *ps, const struct peer *p)
{
	for (size_t i = 0; i < ps->nhealth; i++) {
		const struct trunk *t = ps->health[i].trunk;

		if (p->kind == PEER_POOL ? t == NULL :
		    t != NULL && p->trunk != NULL && strcmp(t->name, p->trunk->name) == 0)
			return &ps->health[i];
	}
	return NULL;
}

/* Kept by name, like health, so a reload does not refill the bucket. */
bool
peers_admit(struct peers *ps, const struct peer *p)
{
	struct peer_health *h = health_of(ps, p);

	return h == NULL || bucket_take(&h->requests);
}

bool
peers_call_admit(struct peers *ps, const struct peer *p, const char **why)
{
	struct peer_health *h = health_of(ps, p);
	char key[200];

	*why = NULL;
	if (h == NULL)
		return true;
	if (h->max_calls != 0 && h->calls >= h->max_calls)
		*why = "max_calls";
	else if (!bucket_take(&h->new_calls))
		*why = "max_call_rate";
	if (*why != NULL) {
		snprintf(key, sizeof(key), "%s: %s", h->name, *why);
		stats_add(ps->stats, STATS_ADMISSION_REFUSED, key);
		return false;
	}
	h->calls++;
	return true;
}

void
peers_call_done(struct peers *ps, const struct peer *p)
{
	struct peer_health *h = health_of(ps, p);

	if (h != NULL && h->calls > 0)
		h->calls--;
}

struct peers *
peers_new(su_root_t *root, struct stats *stats)
{
	struct peers *ps = calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	ps->root = root;
	ps->stats = stats;
	return ps;
}

void
peers_configure(struct peers *ps, struct conf *c, nta_agent_t *agent, nta_leg_t *ping_leg)
{
	struct conf *old = ps->conf;

	ps->conf = conf_ref(c);
	ps->agent = agent;
	ps->ping_leg = ping_leg;
	state_configure(ps);
	if (old != NULL)
		conf_unref(old);
}

void
peers_free(struct peers *ps)
{
	if (ps == NULL)
		return;
	state_free(ps);
	if (ps->conf != NULL)
		conf_unref(ps->conf);
	free(ps);
}
