/*
 * route: outbound voice routing (reference 3.2-3.3). A caller's voice
 * policy lists PSTN usages in order; each usage is offered by routes, in
 * route priority (list) order, whose NumberPattern matches the E.164
 * number; each route holds trunks. The result is every trunk to try, in
 * failover order. Round robin inside a route is the live call layer's
 * job: it rotates the trunks of one route with its own counter, because
 * the snapshot is immutable.
 */
#ifndef SIPMED_ROUTE_H
#define SIPMED_ROUTE_H

#include <stddef.h>

#include "conf.h"
#include "dtrace.h"

#define ROUTE_CHOICES_MAX 32

struct route_choice {
	const char *usage;
	const struct route *route;
	const struct trunk *trunk;
};

/*
 * Fills out (at most max) with the trunks to try for number under
 * policy, each trunk once, in failover order. Returns how many.
 */
size_t route_select(const struct voice_policy *, const struct conf *, const char *number,
    struct route_choice *out, size_t max, const struct dtrace *);

#endif
