/*
 * overload: sipmed's own lag, and whether it is overloaded.
 *
 * Two measures, taken every OVERLOAD_TICK ms on the event loop:
 * - the event loop's delay: how late the tick's timer fired;
 * - the receive queue's delay: a probe, a small OPTIONS sipmed sends
 *   itself over loopback to each UDP listener, waits in the same socket
 *   buffer as every gateway's datagram; the time from its sending to its
 *   reading (or, while it is still queued, its age so far) is how long a
 *   request waits before sipmed reads it. The recv filter recognizes a
 *   probe by its Call-ID, which carries a secret of this process, and
 *   drops it.
 *
 * The lag is the larger of the two. Past server.overload_lag ms sipmed is
 * overloaded, and admits only a share of new calls, which each tick
 * adjusts: down while the lag is past the threshold, up while it is under
 * half of it, until all are admitted again. The others are refused at
 * once, with 503 and Retry-After, by the recv filter, before any
 * transaction or routing work (server.c).
 */
#ifndef SIPMED_OVERLOAD_H
#define SIPMED_OVERLOAD_H

#include <stdbool.h>
#include <stdio.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

struct overload;

/* The probes' Call-IDs begin so (the trace leaves them out). */
#define OVERLOAD_PROBE_PREFIX "sipmed-lag-"

/* Measures lag on root once started; NULL when out of memory. */
struct overload *overload_new(su_root_t *root);
void overload_free(struct overload *);

/*
 * Probes the UDP listener at su (a wildcard address is probed through
 * the loopback of its family). -1 when no socket could be opened.
 */
int overload_probe(struct overload *, const su_sockaddr_t *su);

/* Starts the ticks; lag_ms is the threshold, 0: never overloaded. */
void overload_start(struct overload *, unsigned lag_ms);
void overload_set_threshold(struct overload *, unsigned lag_ms);

/*
 * Whether request sip, received from src, is one of the probes: it is
 * then accounted for, and is to be dropped.
 */
bool overload_is_probe(struct overload *, const sip_t *sip);

/*
 * Whether a new call (by its Call-ID) may be admitted now: always, unless
 * overloaded; then the share the lag allows.
 */
bool overload_admit(struct overload *, const char *call_id);

/* Whether some new calls are refused now (a share under all). */
bool overload_shedding(const struct overload *);

/* Writes the lag figures (sipmedctl status). */
void overload_write(const struct overload *, FILE *);

#endif
