/*
 * server: sipmed's transport. One sofia-sip nta agent on one su_root
 * event loop, no threads. It owns the listeners and each leg's Contact,
 * hands every request to the peer layer (peer.h) to learn who sent it,
 * answers requests outside any dialog (OPTIONS keepalives itself; INVITEs
 * become calls, see call.h), and keeps the running configuration
 * snapshot. The pipeline: server (transport) -> peer (who, admission,
 * health, trunk order) -> call (the B2BUA) -> decide (dial plan,
 * directory, route, trunk) -> hdrmap (what crosses).
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
#include "peer.h"

struct calls;
struct listener;
struct trace;
struct stats;
struct cdr;
struct media;

struct server {
	su_home_t home[1];
	su_root_t *root;
	nta_agent_t *agent;
	nta_leg_t *default_leg;
	struct conf *conf;		/* snapshot for new calls */
	struct listener *listeners;	/* server.c: the agent's primary transports */
	size_t nlisteners;
	const char **uris;		/* the listen URIs bound at start */
	size_t *uri_ends;		/* listeners [uri_ends[i-1], uri_ends[i]) are uris[i]'s */
	size_t nuris;
	const char *host;		/* the agent's own address, for wildcards */
	struct calls *calls;		/* call.h: the calls in progress */
	bool stopping;			/* draining: no new call */
	struct trace *trace;		/* trace.h */
	struct stats *stats;		/* stats.h */
	struct peers *peers;		/* peer.h: who they are, health, order */
	struct cdr *cdr;		/* cdr.h: where call detail records go */
	struct overload *overload;	/* overload.h: sipmed's lag */
	struct media *media;		/* media.h: the relays anchored calls use */
	struct hmap *contacts;		/* server_contact()'s, by their text */
};

/*
 * Creates the agent and its listeners for conf (the server takes a
 * reference). Returns 0, or -1 after logging why.
 */
int server_start(struct server *, su_root_t *root, struct conf *conf);
/* Replaces the snapshot new calls use; calls in progress keep theirs. */
void server_set_conf(struct server *, struct conf *conf);
/*
 * Writes each listen URI bound at start with the sockets it has: a
 * wildcard host (0.0.0.0, [::], *) binds every local address of its
 * family (* both), one socket per address and transport.
 */
void server_write_listeners(const struct server *, FILE *);
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
/*
 * Answers request sip, outside or inside a dialog, when sipmed cannot
 * take it, and says so: 400 for a malformed Request-Line, a malformed
 * header sipmed reads or relays, whitespace inside an addr-spec or
 * headers in the Request-URI; 420 with Unsupported for an option in
 * Require that sipmed does not carry end to end. Never for ACK or CANCEL.
 */
bool server_refuse_malformed(nta_incoming_t *irq, const sip_t *sip);

void server_answer(nta_incoming_t *irq, int status, const char *phrase, tag_type_t tag,
    tag_value_t value, ...);
/* Stops taking requests and frees everything (calls are torn down). */
void server_stop(struct server *);

/*
 * sipmed's Contact on a leg, allocated in home (NULL when out of memory).
 * For a leg a request opens (msg, being delivered, and its sip): the
 * address of the listener it arrived on, in the scheme the peer used:
 * sips: when the Request-URI, top Record-Route or (without one) Contact
 * was sips:, else sip: with ";transport=" for tcp and tls. For a leg
 * sipmed opens toward a configured peer (msg NULL, link the peer's): the
 * first listener of the peer's transport (of its listen URI when it has
 * one), in the form of the peer's address. Each leg thus names the
 * transport it uses, and the peer's in-dialog requests come back over it
 * (RFC 3261 8.1.1.8, 12.1.1).
 *
 * The server owns the Contact: the calls share the few there are (one
 * per listener, scheme and host) instead of each holding its own.
 */
const sip_contact_t *server_contact(struct server *, msg_t *msg, const sip_t *sip,
    struct peer_link link);
/* Whether uri is one of the listen URIs bound at start. */
bool server_listens(const struct server *, const char *uri);

#endif
