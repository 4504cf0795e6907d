/*
 * metrics: sipmed's state for Prometheus, in its text exposition format
 * (version 0.0.4) at http://LISTEN/metrics. The HTTP side is
 * libmicrohttpd, driven by sipmed's own event loop (its epoll descriptor
 * registered with su_root, no thread): a scrape reads the live counters
 * on the loop, so nothing is copied or locked.
 *
 * Who owns what: the metrics hold only their HTTP daemon and a timer;
 * what they expose belongs to the call module (active calls), stats (the
 * counters), the peer layer (health) and the process (memory). The timer
 * also measures the event loop's lag: how late it fires.
 */
#ifndef SIPMED_METRICS_H
#define SIPMED_METRICS_H

#include <sofia-sip/su_wait.h>

struct server;
struct metrics;

/*
 * Serves srv's metrics on listen ("HOST:PORT", an IPv4 address or
 * "[IPv6]:PORT"). NULL after logging why (a bad address, a port in use).
 */
struct metrics *metrics_start(su_root_t *root, const char *listen, struct server *srv);
void metrics_stop(struct metrics *);

#endif
