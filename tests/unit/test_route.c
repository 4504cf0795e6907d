/*
 * test_route: outbound routing (src/route.c) on the sample configuration:
 * the trunks to try, in failover order, each once.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "route.h"
#include "tap.h"

static struct conf *c;

static size_t
select_for(const char *policy, const char *number, struct route_choice *out, size_t max)
{
	const struct voice_policy *vp = conf_voice_policy(c, policy);

	return vp != NULL ? route_select(vp, c, number, out, max, NULL) : 0;
}

int
main(void)
{
	struct route_choice ch[ROUTE_CHOICES_MAX];
	size_t n;

	c = conf_load(tap_srcpath("etc/sipmed.conf"), NULL, NULL);
	if (!ok(c != NULL, "the sample configuration loads"))
		return tap_done();
	n = select_for("Portland", "+15035550199", ch, ROUTE_CHOICES_MAX);
	ok(n == 2, "a local number has two trunks to try (%zu)", n);
	if (n == 2) {
		is_str(ch[0].usage, "Local", "the first usage of the policy comes first");
		is_str(ch[0].route->name, "Portland Local", "through its matching route");
		is_str(ch[0].trunk->name, "portland-gw", "and that route's trunk");
		is_str(ch[1].usage, "LongDistance", "then the next usage");
		is_str(ch[1].trunk->name, "seattle-gw", "whose route adds the other trunk");
	}
	n = select_for("Portland", "+15035550199", ch, 1);
	ok(n == 1 && strcmp(ch[0].trunk->name, "portland-gw") == 0,
	    "at most max trunks, the first ones");
	n = select_for("Portland", "+12065550100", ch, ROUTE_CHOICES_MAX);
	ok(n >= 1 && strcmp(ch[0].route->name, "Portland Local") != 0,
	    "a long-distance number does not take the local route (%s)",
	    n ? ch[0].route->name : "none");
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (ch[i].trunk == ch[j].trunk)
				ok(0, "trunk %s listed twice", ch[i].trunk->name);
	ok(select_for("Portland", "123", ch, ROUTE_CHOICES_MAX) == 0,
	    "a number no route pattern matches has no trunk");
	conf_unref(c);
	return tap_done();
}
