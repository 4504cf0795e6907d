/*
 * server: sipmed's SIP side. One sofia-sip nta agent on one su_root event
 * loop, no threads. It owns the listeners, identifies the peer that sent
 * each request, answers requests outside any dialog (OPTIONS keepalives
 * itself; INVITEs become calls, see call.h), and keeps the running
 * configuration snapshot.
 */
#ifndef SIPMED_SERVER_H
#define SIPMED_SERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/queue.h>
#include <time.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/nta.h>

#include "conf.h"
#include "route.h"

struct call;
LIST_HEAD(call_list, call);
struct peer_health;
struct listener;
struct rr_counter;
struct trace;
struct stats;

/* Recent requests from one unknown address (server.c). */
struct flood_slot {
	char addr[64];
	time_t second;
	unsigned count;
};
#define SERVER_FLOOD_SLOTS 1024

struct server {
	su_home_t home[1];
	su_root_t *root;
	nta_agent_t *agent;
	nta_leg_t *default_leg;
	struct conf *conf;		/* snapshot for new calls */
	struct listener *listeners;	/* server.c: the agent's primary transports */
	size_t nlisteners;
	const char *host;		/* the agent's own address, for wildcards */
	struct call_list calls;		/* calls in progress */
	unsigned long calls_active;
	unsigned long calls_total;
	bool stopping;			/* draining: no new call */
	struct trace *trace;		/* trace.h */
	struct stats *stats;		/* stats.h */
	struct flood_slot flood[SERVER_FLOOD_SLOTS];	/* unknown addresses */
	struct peer_health *health;	/* trunks.c: the pool, then each trunk */
	size_t nhealth;
	struct rr_counter *rr;		/* trunks.c: one per route of conf */
	size_t nrr;
};

/* Who sent a request, judged by its source address. */
enum peer_kind {
	PEER_UNKNOWN,
	PEER_POOL,
	PEER_TRUNK,
};

struct peer {
	enum peer_kind kind;
	const struct trunk *trunk;	/* PEER_TRUNK */
	char addr[64];			/* source address */
	char proto[8];			/* its transport: "udp", "tcp" or "tls" */
	char who[320];			/* for logs: addr, and the certificate's
					   names when it came over TLS */
};

/*
 * Creates the agent and its listeners for conf (the server takes a
 * reference). Returns 0, or -1 after logging why.
 */
int server_start(struct server *, su_root_t *root, struct conf *conf);
/* Replaces the snapshot new calls use; calls in progress keep theirs. */
void server_set_conf(struct server *, struct conf *conf);
/*
 * Writes how many SIP transactions the agent holds (sipmedctl status):
 * those in progress and those kept for retransmissions (32 s on UDP).
 */
void server_write_transactions(const struct server *, FILE *);
/*
 * Answers irq, a request sipmed does not keep (outside a dialog, or
 * refused), with status and phrase (NULL: the standard one) and the tags,
 * and lets the transaction go: nta keeps a server transaction the
 * application has not destroyed until the agent ends.
 */
void server_answer(nta_incoming_t *irq, int status, const char *phrase, tag_type_t tag,
    tag_value_t value, ...);
/* Stops taking requests and frees everything (calls are torn down). */
void server_stop(struct server *);

/* trunks.c: (re)starts health checks for srv->conf, keeping state by name. */
void server_trunks_configure(struct server *);
void server_trunks_free(struct server *);
/*
 * Puts the trunks to try in the order a call uses them: round robin among
 * the trunks of one route (a counter per route name), then the trunks
 * OPTIONS pings found down moved behind every trunk that is up.
 */
void server_order_trunks(struct server *, struct route_choice *, size_t n);
/* Writes each peer's health (sipmed's trunks command). */
void server_trunks_write(const struct server *, FILE *);
/*
 * Whether a request outside any dialog from peer p (the pool or a trunk)
 * is within its max_request_rate; counts it when it is.
 */
bool server_peer_admits(struct server *, const struct peer *p);
/* Whether OPTIONS pings found the pool down. */
bool server_pool_down(const struct server *);

/*
 * Identifies the sender of msg, which is being delivered: over TLS by the
 * names its certificate carries (matched against the pool's and each
 * trunk's identity), on plain transports by source address (peers whose
 * address is sips: are never known that way).
 */
void server_identify(const struct server *, const struct conf *, msg_t *msg,
    struct peer *out);

/*
 * The peer sipmed reaches at trunk t (NULL: the pool) of conf, as a leg
 * toward it holds it: who, and over which transport.
 */
void server_peer_of(const struct conf *, const struct trunk *t, struct peer *out);

/*
 * Whether request msg, being delivered, comes from the peer p that holds
 * a leg of a dialog: over TLS its certificate must name p's identity, on
 * plain transports its source address must be p's; and it comes over the
 * leg's transport, which sipmed's Contact names. who is set to the sender
 * found, for logs.
 */
bool server_from_peer(const struct server *, msg_t *msg, const struct peer *p,
    struct peer *who);

/*
 * sipmed's Contact on a leg, allocated in home (NULL when out of memory).
 * For a leg a request opens (msg, being delivered, and its sip): the
 * address of the listener it arrived on, in the scheme the peer used:
 * sips: when the Request-URI, top Record-Route or (without one) Contact
 * was sips:, else sip: with ";transport=" for tcp and tls. For a leg
 * sipmed opens toward a configured peer (msg NULL, address its configured
 * address): the first listener of the peer's transport, in the form of
 * the peer's address. Each leg thus names the transport it uses, and the
 * peer's in-dialog requests come back over it (RFC 3261 8.1.1.8, 12.1.1).
 */
sip_contact_t *server_contact(const struct server *, su_home_t *home, msg_t *msg,
    const sip_t *sip, const char *address);

/*
 * Whether a response being delivered comes from the peer sipmed sent the
 * request to: for a sips: address, a TLS connection whose certificate
 * names identity (the chain itself is verified by the transport). When
 * not, who says what answered instead, for logs.
 */
bool server_responder_ok(const struct server *, msg_t *msg, const char *address,
    const char *identity, char *who, size_t wholen);

#endif
