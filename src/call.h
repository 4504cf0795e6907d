/*
 * call: a call through the B2BUA. The A leg is the caller's dialog, which
 * sipmed answers; the B leg is sipmed's own dialog toward the callee (its
 * own Call-ID, tags, CSeq, Via and Contact). Call processing (decide.c)
 * chooses the B leg's Request-URI, To, From and next hop before the B leg
 * is sent; every request and response is then relayed between the legs
 * with the headers hdrmap.c lets cross.
 *
 * Who owns what: the call module owns its calls (struct calls, the
 * registry, one per server) and counts them; nothing else changes those
 * counts. A call owns both legs' nta dialogs and every transaction,
 * timer and early dialog it opened, and releases them when it ends
 * (call_priv.h draws its life cycle). It holds a reference to the
 * configuration snapshot it began under; the peers it talks to are the
 * peer layer's (peer.h), which it asks who sent a request and which
 * trunks to try, and call_decide.h says what each attempt sends.
 */
#ifndef SIPMED_CALL_H
#define SIPMED_CALL_H

#include <stdbool.h>
#include <stdio.h>

#include <sofia-sip/nta.h>

struct server;
struct peer;
struct stats;

/*
 * The registry of calls in progress, one per server. The call module
 * counts its calls: nothing else changes these counts. Ended calls are
 * counted by outcome in stats (sipmedctl stats).
 */
struct calls;
struct calls *calls_new(struct stats *);
/* Frees the registry; call_destroy_all() has emptied it. */
void calls_free(struct calls *);
unsigned long calls_active(const struct calls *);
/* BYEs sipmed sent that have no final answer yet. */
unsigned long calls_byes_pending(const struct calls *);
/* Calls handled since start, as sipmedctl stats counts them: refused ones too. */
unsigned long calls_total(const struct calls *);

/*
 * A 2xx to an INVITE that no transaction took: the resend of one that
 * sipmed ACKed without keeping the ACK (call_relay.c), ACKed again.
 */
void call_resend_ack(nta_agent_t *, const sip_t *);
/* Takes an INVITE outside any dialog. Returns what an nta callback returns. */
int call_incoming(struct server *, nta_incoming_t *irq, const sip_t *sip,
    const struct peer *);

/*
 * Whether request msg (being delivered, sip its parsed form; a CANCEL, an
 * ACK or a request with a To tag) belongs to a call but does not come
 * from the peer that holds that leg (peer_sent()). Such a request
 * is logged and traced here; the caller refuses it before nta sees it.
 */
bool call_request_forged(struct server *, msg_t *msg, const sip_t *sip);

/* Writes every active call with both legs (sipmedctl calls). */
void call_write_all(const struct calls *, FILE *);

/* Tears down every call (BYE on confirmed legs) and frees them. */
void call_destroy_all(struct calls *);

#endif
