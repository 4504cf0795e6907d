/*
 * media: the media relays (rtpengine, over its ng protocol) that anchored
 * calls go through; call_media.c decides what each SDP of a call asks of
 * them. One per server; configured from the media group.
 */
#ifndef SIPMED_MEDIA_H
#define SIPMED_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include <stdio.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "conf.h"

struct media;

/* root: the event loop that runs the relays' pings. */
struct media *media_new(su_root_t *root);
void media_free(struct media *);
/*
 * (Re)configures the relays of c. A relay a reload keeps keeps its
 * sockets and state; one it removes is retired: never picked again, but
 * the calls that began on it keep it to the end.
 */
void media_configure(struct media *, const struct conf_media *c);

/* One SDP through a relay. */
struct media_req {
	bool offer;			/* else an answer */
	const char *call_id;
	const char *from_tag;		/* the offerer's */
	const char *to_tag;		/* answer: the answerer's; offer: NULL */
	const char *protocol;		/* transport-protocol toward the receiver,
					   NULL: as offered */
	bool to_pool, from_pool;	/* the receiver, the sender: the pool
					   (ICE-lite toward it) or a trunk (no ICE) */
	const struct strlist *codecs;	/* an offer keeps only these toward the
					   receiver (the first transcoded when none
					   is offered); NULL or empty: all */
	int *relay;			/* the call's relay; -1: pick one (set) */
};

/*
 * Sends sdp (len bytes) through the call's relay: 0 with the relay's SDP
 * in *out (allocated in home), or -1 with why.
 */
int media_sdp(struct media *, const struct media_req *, const char *sdp, size_t len,
    su_home_t *home, char **out, size_t *outlen, char *why, size_t whylen);
/* What the relay saw of one side of a call. */
struct media_side {
	int port;			/* the relay's port facing that side; 0: none */
	long long packets, bytes;	/* received from that side; -1: unknown */
};

/*
 * Asks relay for the call's session: out[i] for the side whose monologue
 * tag is tags[i]. 0, or -1 when the relay does not know the call or does
 * not answer.
 */
int media_query(struct media *, int relay, const char *call_id, const char *const tags[2],
    struct media_side out[2]);
/* Ends the call's session on relay (-1: none). */
void media_delete(struct media *, int relay, const char *call_id);
/* Each relay's health, for sipmedctl trunks. */
void media_write(const struct media *, FILE *f);
/* fn(arg, address, 1 up, 0 down, -1 not known yet) for each relay. */
void media_each_health(const struct media *, void (*fn)(void *, const char *, int), void *arg);
/* A relay's address, for logs ("-": none). */
const char *media_relay_address(const struct media *, int relay);

#endif
