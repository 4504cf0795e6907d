/*
 * route: walks usages, then routes, then trunks. Route patterns see the
 * E.164 number without ;ext= (the PSTN has no extensions).
 */
#include <string.h>

#include "number.h"
#include "route.h"

static bool
route_offers(const struct route *r, const char *usage)
{
	for (size_t i = 0; i < r->usages.n; i++)
		if (strcmp(r->usages.v[i], usage) == 0)
			return true;
	return false;
}

static bool
already_chosen(const struct route_choice *out, size_t n, const struct trunk *t)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].trunk == t)
			return true;
	return false;
}

size_t
route_select(const struct voice_policy *vp, const struct conf *c, const char *number,
    struct route_choice *out, size_t max, const struct dtrace *tr)
{
	size_t n = 0, len = number_base_len(number);

	for (size_t u = 0; u < vp->usages.n; u++) {
		const char *usage = vp->usages.v[u];

		for (size_t r = 0; r < c->nroutes; r++) {
			const struct route *rt = &c->routes[r];

			if (!route_offers(rt, usage) || rule_match(rt->pattern, number, len) != 1)
				continue;
			dtrace_step(tr, "route: usage \"%s\" route \"%s\" (pattern %s) matches %.*s",
			    usage, rt->name, rule_pattern(rt->pattern), (int)len, number);
			for (size_t t = 0; t < rt->ntrunks && n < max; t++)
				if (!already_chosen(out, n, rt->trunks[t]))
					out[n++] = (struct route_choice){ usage, rt, rt->trunks[t] };
		}
	}
	return n;
}
