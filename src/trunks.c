/*
 * trunks: the live state of the peers, which the immutable configuration
 * snapshot cannot hold: health from OPTIONS pings (the pool's and each
 * trunk's), and round-robin counters for the trunks of a route. Both are
 * kept by name, so a reload keeps them for peers and routes that stay.
 *
 * Health: a peer with options_interval > 0 gets an OPTIONS every
 * interval, for as long as it is configured. Any answer from the peer
 * other than a 5xx shows it alive (many user agents answer an OPTIONS
 * without a user part 404, and that is an answer); no answer by the next
 * ping, a transport failure, a 5xx, or an answer from someone else over
 * TLS is a miss. options_misses misses in a row mark the peer down, its
 * first good answer marks it up again. A peer that has not answered yet
 * is "unknown" (and still tried).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "log.h"
#include "server.h"

struct peer_health {
	struct server *srv;
	char name[128];			/* "pool", or "trunk NAME" */
	const struct trunk *trunk;	/* in srv->conf; NULL for the pool */
	struct peer_link link;		/* in srv->conf */
	unsigned interval, max_misses;
	unsigned rate;			/* max_request_rate; 0: no limit */
	bool down;
	bool answered;			/* it has answered a ping since sipmed started */
	unsigned misses;
	time_t since;			/* when down last changed; 0: never pinged */
	double tokens;			/* max_request_rate: requests it may send now */
	struct timespec refilled;
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
	from_peer = server_responder_ok(h->srv, msg, h->link.address, h->link.identity, who, sizeof(who));
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
	struct server *srv = h->srv;
	char from[256];

	if (h->ping != NULL) {
		nta_outgoing_destroy(h->ping);
		h->ping = NULL;
		health_miss(h, "no answer");
	}
	snprintf(from, sizeof(from), "<sip:sipmed@%s>", srv->conf->server.domain);
	h->ping = nta_outgoing_tcreate(srv->default_leg, ping_answered,
	    (nta_outgoing_magic_t *)h, URL_STRING_MAKE(h->link.next_hop), SIP_METHOD_OPTIONS,
	    URL_STRING_MAKE(h->link.address), SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(h->link.address), TAG_END());
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

/* Sets up h for a peer of srv->conf, keeping the state old had by name. */
static void
health_init(struct server *srv, struct peer_health *h, const struct trunk *t,
    const struct peer_health *old, size_t nold)
{
	const struct conf *c = srv->conf;

	h->srv = srv;
	h->trunk = t;
	h->link = conf_peer_link(c, t);
	if (t != NULL) {
		snprintf(h->name, sizeof(h->name), "trunk %s", t->name);
		h->interval = t->options_interval;
		h->max_misses = t->options_misses;
		h->rate = t->max_request_rate;
	} else {
		snprintf(h->name, sizeof(h->name), "pool");
		h->interval = c->pool.options_interval;
		h->max_misses = c->pool.options_misses;
		h->rate = c->pool.max_request_rate;
	}
	h->tokens = h->rate;
	clock_gettime(CLOCK_MONOTONIC, &h->refilled);
	for (size_t j = 0; j < nold; j++)
		if (strcmp(old[j].name, h->name) == 0) {
			h->down = old[j].down;
			h->answered = old[j].answered;
			h->misses = old[j].misses;
			h->since = old[j].since;
			h->tokens = old[j].tokens;
			h->refilled = old[j].refilled;
			memcpy(h->last, old[j].last, sizeof(h->last));
		}
	if (h->interval == 0 || srv->agent == NULL) {
		h->down = false;
		return;
	}
	/* every interval for the life of the peer, not once */
	h->timer = su_timer_create(su_root_task(srv->root), h->interval * 1000);
	if (h->timer == NULL || su_timer_set_for_ever(h->timer, ping, (su_timer_arg_t *)h) == -1)
		log_warnx("%s: OPTIONS pings could not be scheduled", h->name);
}

void
server_trunks_configure(struct server *srv)
{
	const struct conf *c = srv->conf;
	/* health[0] is the pool's, health[1 + i] trunk i's */
	struct peer_health *nh = calloc(c->ntrunks + 1, sizeof(*nh));
	struct rr_counter *nr = calloc(c->nroutes ? c->nroutes : 1, sizeof(*nr));

	if (nh == NULL || nr == NULL) {
		free(nh);
		free(nr);
		log_warnx("out of memory: peer health and round robin keep their old state");
		return;
	}
	health_init(srv, &nh[0], NULL, srv->health, srv->nhealth);
	for (size_t i = 0; i < c->ntrunks; i++)
		health_init(srv, &nh[i + 1], &c->trunks[i], srv->health, srv->nhealth);
	for (size_t i = 0; i < c->nroutes; i++) {
		snprintf(nr[i].name, sizeof(nr[i].name), "%s", c->routes[i].name);
		for (size_t j = 0; j < srv->nrr; j++)
			if (strcmp(srv->rr[j].name, nr[i].name) == 0)
				nr[i].next = srv->rr[j].next;
	}
	server_trunks_free(srv);
	srv->health = nh;
	srv->nhealth = c->ntrunks + 1;
	srv->rr = nr;
	srv->nrr = c->nroutes;
}

void
server_trunks_free(struct server *srv)
{
	for (size_t i = 0; i < srv->nhealth; i++)
		health_stop(&srv->health[i]);
	free(srv->health);
	free(srv->rr);
	srv->health = NULL;
	srv->rr = NULL;
	srv->nhealth = srv->nrr = 0;
}

static bool
trunk_down(const struct server *srv, const struct trunk *t)
{
	for (size_t i = 1; i < srv->nhealth; i++)
		if (srv->health[i].trunk == t)
			return srv->health[i].down;
	return false;
}

bool
server_pool_down(const struct server *srv)
{
	return srv->nhealth > 0 && srv->health[0].down;
}

static unsigned long
rr_next(struct server *srv, const struct route *r)
{
	for (size_t i = 0; i < srv->nrr; i++)
		if (strcmp(srv->rr[i].name, r->name) == 0)
			return srv->rr[i].next++;
	return 0;
}

void
server_order_trunks(struct server *srv, struct route_choice *ch, size_t n)
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
			shift = (size_t)(rr_next(srv, ch[i].route) % len);
			for (size_t m = 0; m < len; m++)
				tmp[m] = ch[i + (m + shift) % len];
			memcpy(&ch[i], tmp, len * sizeof(*tmp));
		}
		i = j;
	}
	/* trunks that are down go last: tried only when every other failed */
	for (size_t i = 0; i < n; i++)
		if (!trunk_down(srv, ch[i].trunk))
			tmp[k++] = ch[i];
	for (size_t i = 0; i < n; i++)
		if (trunk_down(srv, ch[i].trunk))
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
}

void
server_trunks_write(const struct server *srv, FILE *f)
{
	fprintf(f, "%-24s %-40s %s\n", "PEER", "ADDRESS", "STATE");
	for (size_t i = 0; i < srv->nhealth; i++)
		health_write(&srv->health[i], f);
}

/*
 * A token bucket per peer: rate requests a second, bursts of up to one
 * second's worth. Kept by name, like health, so a reload does not refill
 * it.
 */
bool
server_peer_admits(struct server *srv, const struct peer *p)
{
	struct peer_health *h = NULL;
	struct timespec now;
	double elapsed;

	for (size_t i = 0; i < srv->nhealth && h == NULL; i++)
		if (p->kind == PEER_POOL ? i == 0 : srv->health[i].trunk == p->trunk)
			h = &srv->health[i];
	if (h == NULL || h->rate == 0)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - h->refilled.tv_sec) +
	    (double)(now.tv_nsec - h->refilled.tv_nsec) / 1e9;
	h->refilled = now;
	h->tokens += elapsed * h->rate;
	if (h->tokens > h->rate)
		h->tokens = h->rate;
	if (h->tokens < 1)
		return false;
	h->tokens -= 1;
	return true;
}
