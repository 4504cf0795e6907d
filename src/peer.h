/*
 * peer: who is at the other end, and what sipmed knows of the configured
 * peers while it runs. It sits between the transport (server.c), which
 * hands it the messages it receives, and the calls (call.c), which ask
 * it who sent a request and which trunks to try.
 *
 * Who owns what:
 * - struct peer is a value: who sent a request, or who holds a leg of a
 *   call (the call keeps a copy per leg). It names the configured pool
 *   or trunk (in the snapshot it was found in) and the transport.
 * - struct peers (opaque, one per server) owns the state the immutable
 *   configuration cannot hold: each peer's health from OPTIONS pings and
 *   its request-rate bucket, a round-robin counter per route, and the
 *   table of unknown addresses that limits floods, and the calls each
 *   carries (call admission control). All of it is kept by name across
 *   reloads.
 *
 * Identity: over TLS a peer is whoever its certificate names (the
 * subjectAltName DNS names, else the CN, against the pool's and each
 * trunk's identity); on plain transports whoever has the source address
 * (a peer's source_addresses, by default the host of its address; peers
 * reached over TLS are never known by address).
 */
#ifndef SIPMED_PEER_H
#define SIPMED_PEER_H

#include <stdbool.h>
#include <stdio.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/su_wait.h>

#include "conf.h"
#include "route.h"

struct stats;

/* Who sent a request. */
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
	const char *listen;		/* the listen URI sipmed reaches it from
					   (its configured listen), NULL: any */
	char who[320];			/* for logs: addr, and the certificate's
					   names when it came over TLS */
};

struct peers;

/*
 * The peers of a server on root, whose agent (once it exists) sends the
 * pings; stats counts refusals. NULL when out of memory.
 */
struct peers *peers_new(su_root_t *root, struct stats *stats);
void peers_free(struct peers *);

/*
 * (Re)starts for snapshot conf (the peers take a reference) and agent
 * (NULL: no pings): health checks, rate buckets and round robin, keeping
 * the state of peers and routes that stay, by name. ping_leg is the leg
 * the pings go out on.
 */
void peers_configure(struct peers *, struct conf *conf, nta_agent_t *agent,
    nta_leg_t *ping_leg);

/*
 * Identifies the sender of msg, which is being delivered (see the
 * comment at the top). A peer with a listen URI is only taken for
 * requests that arrive on that listener.
 */
void peer_identify(const struct peers *, msg_t *msg, struct peer *out);

/* The source address of a received message msg, as text ("?" when unknown). */
void peer_source_address(msg_t *msg, char *buf, size_t len);

/* The peer sipmed reaches at trunk t (NULL: the pool) of conf, as a leg toward it holds it. */
void peer_of(const struct conf *, const struct trunk *t, struct peer *out);

/*
 * Whether request msg, being delivered, comes from the peer p that holds
 * a leg of a dialog: over TLS its certificate must name p's identity, on
 * plain transports its source address must be p's; and it comes over the
 * leg's transport, which sipmed's Contact names. who is set to the sender
 * found, for logs.
 */
bool peer_sent(const struct peers *, msg_t *msg, const struct peer *p, struct peer *who);

/*
 * Whether a response being delivered comes from the peer sipmed sent the
 * request to: for a TLS address, a TLS connection whose certificate
 * names identity (the chain itself is verified by the transport). When
 * not, who says what answered instead, for logs.
 */
bool peer_answered(const struct peers *, msg_t *msg, const char *address,
    const char *identity, char *who, size_t wholen);

/*
 * Whether a request outside any dialog from peer p (the pool or a trunk)
 * is within its max_request_rate; counts it when it is.
 */
bool peers_admit(struct peers *, const struct peer *p);

/*
 * Call admission control: whether peer p (the pool or a trunk) may take
 * one more call under its max_calls (calls up or being set up through
 * it) and max_call_rate (new calls a second). When it may, the call
 * counts against p until peers_call_done(); when not, why names the
 * limit, and the refusal is counted in stats.
 */
bool peers_call_admit(struct peers *, const struct peer *p, const char **why);
void peers_call_done(struct peers *, const struct peer *p);

/*
 * Whether a request msg, received on a plain transport, may go on to be
 * identified: from a configured peer's address always; from any other
 * address unknown_peer_rate a second (they get 403), the rest of a flood
 * is dropped (counted in stats).
 */
bool peers_admit_unknown(struct peers *, msg_t *msg);

/* Whether OPTIONS pings found the pool down. */
bool peers_pool_down(const struct peers *);

/*
 * Puts the trunks to try in the order a call uses them: round robin among
 * the trunks of one route (a counter per route name), then the trunks
 * OPTIONS pings found down moved behind every trunk that is up.
 */
void peers_order_trunks(struct peers *, struct route_choice *, size_t n);

/* Writes each peer's health (sipmedctl trunks). */
void peers_write(const struct peers *, FILE *);

/*
 * Calls fn with each configured peer's health: its name ("pool", "trunk
 * NAME") and state (1 up, 0 down, -1 unknown: no pings, or none answered).
 */
void peers_each_health(const struct peers *, void (*fn)(void *arg, const char *name,
    int state), void *arg);

#endif
