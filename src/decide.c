/*
 * decide: inbound and outbound number handling (reference sections 1-4).
 * Choices made where Lync's behaviour is ambiguous (reference section 6),
 * also documented in etc/sipmed.conf:
 *
 * - A called number that matches no rule of the trunk's dial plan is
 *   refused with Lync's 404 and ms-diagnostics 14010. A calling number
 *   that matches no rule is passed on unchanged, never a reason to fail.
 * - Numbers starting with + are E.164 already and skip normalization.
 * - RNL: exact LineURI, then a base number held by one LineURI, else
 *   ambiguous, which is treated as unassigned (see directory.h).
 * - Trunk translation rules see numbers without ;ext= and run before
 *   remove_plus; a suppressed caller ID is replaced by the route's
 *   alternate caller ID before the calling-number rules run.
 */
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_status.h>

#include "decide.h"
#include "directory.h"
#include "number.h"

/*
 * The standard reason phrase (sofia-sip's table, RFC 3261 21 and later
 * RFCs), so that a trace says what the message sent says.
 */
const char *
decide_reason(unsigned status)
{
	const char *p = sip_status_phrase((int)status);

	if (p != NULL && p[0] != '\0')
		return p;
	return status < 500 ? "Request Failed" : status < 600 ? "Server Error" : "Failure";
}

static int
reject(struct decision *d, unsigned status, const char *reason, const struct dtrace *tr)
{
	d->kind = DECISION_REJECT;
	d->status = status;
	d->reason = reason ? reason : decide_reason(status);
	dtrace_step(tr, "reject: %u %s", d->status, d->reason);
	return 0;
}

static bool
copy_number(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= RULE_OUT_MAX)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/*
 * Normalizes number with plan into out. Returns 1 when a rule matched (or
 * the number was E.164 already), 0 when none did (out = number), -1 on a
 * result that does not fit.
 */
static int
normalize(const struct dial_plan *plan, const char *number, char *out,
    const struct rule **rulep, const char *what, const struct dtrace *tr)
{
	int rc;

	*rulep = NULL;
	if (number[0] == '+') {
		dtrace_step(tr, "%s %s is E.164: no dial plan consulted", what, number);
		return copy_number(out, number) ? 1 : -1;
	}
	rc = ruleset_apply(plan->rules, number, strlen(number), out, RULE_OUT_MAX, rulep);
	if (rc == 1)
		dtrace_step(tr, "%s: dial plan \"%s\" rule \"%s\": %s -> %s", what, plan->name,
		    rule_name(*rulep), number, out);
	else if (rc == 0) {
		dtrace_step(tr, "%s: dial plan \"%s\": no rule matches %s", what, plan->name,
		    number);
		copy_number(out, number);
	}
	return rc;
}

/*
 * A user's dialed number. With the plan's OptimizeDeviceDialing, a number
 * no rule takes as dialed is tried once more without the plan's external
 * access prefix (reference 1.8: "normalization ignores the prefix"). As
 * dialed first, so that a rule for 911 or 9-digit numbers still wins when
 * the prefix is 9.
 */
static int
normalize_dialed(const struct dial_plan *plan, const char *dialed, char *out,
    const struct rule **rulep, const struct dtrace *tr)
{
	const char *pfx = plan->external_access_prefix;
	size_t n = pfx ? strlen(pfx) : 0;
	int rc = normalize(plan, dialed, out, rulep, "dialed number", tr);

	if (rc != 0 || !plan->optimize_device_dialing || n == 0 ||
	    strncmp(dialed, pfx, n) != 0 || dialed[n] == '\0')
		return rc;
	dtrace_step(tr, "dial plan \"%s\": external access prefix %s removed "
	    "(optimize_device_dialing)", plan->name, pfx);
	return normalize(plan, dialed + n, out, rulep, "dialed number", tr);
}

static void
decision_init(struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = DECISION_REJECT;
}

/* Finds the unassigned number range holding number (base part), or NULL. */
static const struct unassigned *
unassigned_find(const struct conf *c, const char *number)
{
	size_t len = number_base_len(number);

	for (size_t i = 0; i < c->nunassigned; i++) {
		const struct unassigned *u = &c->unassigned[i];

		if (strlen(u->start) == len && strncmp(u->start, number, len) <= 0 &&
		    strncmp(number, u->end, len) <= 0)
			return u;
	}
	return NULL;
}

static int
inbound_unassigned(const struct conf *c, struct decision *d, const struct dtrace *tr)
{
	const struct unassigned *u = unassigned_find(c, d->called);

	if (u == NULL) {
		dtrace_step(tr, "unassigned numbers: no range holds %s", d->called);
		return reject(d, 404, NULL, tr);
	}
	d->range = u;
	if (u->target != NULL) {
		d->kind = DECISION_TARGET;
		d->target = u->target;
		dtrace_step(tr, "unassigned numbers: range \"%s\" sends %s to %s", u->name,
		    d->called, u->target);
		return 0;
	}
	dtrace_step(tr, "unassigned numbers: range \"%s\" answers %s with %u", u->name,
	    d->called, u->status);
	return reject(d, u->status, u->reason, tr);
}

static void
inbound_calling(const struct dial_plan *plan, const char *calling, struct decision *d,
    const struct dtrace *tr)
{
	const struct rule *r;

	if (calling == NULL || calling[0] == '\0')
		return;
	if (!number_is_sane(calling)) {
		dtrace_step(tr, "calling number is not a number: passed on as anonymous");
		return;
	}
	/* No match, or a result too long: the caller ID is kept as sent. */
	if (normalize(plan, calling, d->calling, &r, "calling number", tr) == -1)
		copy_number(d->calling, calling);
}

/*
 * Inter-trunk routing (reference 3.2, step 4): a call from a trunk with
 * PSTN usages of its own, to a number no user has, goes out by them as a
 * user's call goes by a voice policy, never back to the trunk it came
 * from. True when it found a route (d is then DECISION_PSTN).
 */
static bool
inbound_intertrunk(const struct conf *c, const struct trunk *t, struct decision *d,
    const struct dtrace *tr)
{
	struct voice_policy vp = { .name = t->name, .usages = t->pstn_usages };
	size_t n, k = 0;

	if (t->pstn_usages.n == 0)
		return false;
	n = route_select(&vp, c, d->called, d->choices, ROUTE_CHOICES_MAX, tr);
	for (size_t i = 0; i < n; i++)
		if (d->choices[i].trunk != t)
			d->choices[k++] = d->choices[i];
	d->nchoices = k;
	if (k == 0) {
		dtrace_step(tr, "inter-trunk routing: trunk \"%s\"'s PSTN usages have no route "
		    "to %s through another trunk", t->name, d->called);
		return false;
	}
	d->kind = DECISION_PSTN;
	dtrace_step(tr, "inter-trunk routing: trunk \"%s\"'s PSTN usages: route \"%s\", "
	    "trunk \"%s\" (%zu trunk%s to try)", t->name, d->choices[0].route->name,
	    d->choices[0].trunk->name, k, k == 1 ? "" : "s");
	return true;
}

int
decide_inbound(const struct conf *c, const struct trunk *t, const char *called,
    const char *calling, struct decision *d, const struct dtrace *tr)
{
	const struct dial_plan *plan = conf_trunk_dial_plan(c, t);
	struct user *u = NULL;
	int rc;

	decision_init(d);
	dtrace_step(tr, "inbound from trunk \"%s\": called %s, calling %s", t->name, called,
	    calling && calling[0] ? calling : "(none)");
	if (called[0] == '\0')
		return reject(d, 484, NULL, tr);
	if (!number_is_sane(called))
		return reject(d, 400, "Invalid Called Number", tr);
	d->plan = plan;
	rc = normalize(plan, called, d->called, &d->rule, "called number", tr);
	if (rc == -1) {
		reject(d, 500, NULL, tr);
		return -1;
	}
	if (rc == 0) {
		snprintf(d->diagnostics, sizeof(d->diagnostics), "14010;reason=\"Unable to find "
		    "an exact match in the rules set\";CalledNumber=\"%s\";ProfileName=\"%s\"",
		    called, plan->name);
		return reject(d, 404, "No matching rule has been found in the dial plan for the "
		    "called number.", tr);
	}
	inbound_calling(plan, calling, d, tr);
	switch (conf_find_number(c, d->called, &u)) {
	case RNL_FOUND:
		d->kind = DECISION_USER;
		d->callee = u;
		d->target = u->uri;
		dtrace_step(tr, "reverse number lookup: %s is %s (%s)", d->called, u->uri,
		    u->line_uri);
		return 0;
	case RNL_AMBIGUOUS:
		dtrace_step(tr, "reverse number lookup: %s is shared by several LineURIs with "
		    "extensions: ambiguous, treated as unassigned", d->called);
		break;
	case RNL_NOT_FOUND:
		dtrace_step(tr, "reverse number lookup: no user has %s", d->called);
		break;
	}
	if (inbound_intertrunk(c, t, d, tr))
		return 0;
	return inbound_unassigned(c, d, tr);
}

static int
apply_trunk_rules(const struct ruleset *rs, const char *in, char *out,
    const struct rule **rulep, const char *what, const struct trunk *t,
    const struct dtrace *tr)
{
	size_t len = number_base_len(in);
	int rc;

	rc = ruleset_apply(rs, in, len, out, RULE_OUT_MAX, rulep);
	if (rc == 1)
		dtrace_step(tr, "trunk \"%s\": %s rule \"%s\": %.*s -> %s", t->name, what,
		    rule_name(*rulep), (int)len, in, out);
	else if (rc == 0) {
		if (len >= RULE_OUT_MAX)
			return -1;
		memcpy(out, in, len);
		out[len] = '\0';
		dtrace_step(tr, "trunk \"%s\": no %s rule matches %s: sent as is", t->name,
		    what, out);
	}
	return rc == -1 ? -1 : 0;
}

static void
strip_plus(char *s)
{
	if (s[0] == '+')
		memmove(s, s + 1, strlen(s));
}

int
decide_trunk_numbers(const struct trunk *t, const struct route *r, const char *called,
    const char *calling, struct trunk_numbers *out, const struct dtrace *tr)
{
	char alt[RULE_OUT_MAX];

	memset(out, 0, sizeof(*out));
	if (r != NULL && r->suppress_caller_id && calling != NULL && calling[0] != '\0') {
		/* AlternateCallerId may be written without +: rules expect +E.164. */
		snprintf(alt, sizeof(alt), "%s%s", r->alternate_caller_id[0] == '+' ? "" : "+",
		    r->alternate_caller_id);
		dtrace_step(tr, "route \"%s\": caller ID %s suppressed, presenting %s", r->name,
		    calling, alt);
		calling = alt;
	}
	if (apply_trunk_rules(t->called_rules, called, out->called, &out->called_rule,
	    "called number", t, tr) == -1)
		return -1;
	if (calling != NULL && calling[0] != '\0' && apply_trunk_rules(t->calling_rules,
	    calling, out->calling, &out->calling_rule, "calling number", t, tr) == -1)
		return -1;
	if (t->remove_plus) {
		strip_plus(out->called);
		strip_plus(out->calling);
		dtrace_step(tr, "trunk \"%s\": remove_plus: called %s, calling %s", t->name,
		    out->called, out->calling[0] ? out->calling : "(none)");
	}
	return 0;
}

/*
 * Routes d->called by the caller's voice policy, or by usages when not
 * NULL (a forwarded call's CustomCallForwardingSimulRingUsages).
 */
static int
outbound_route(const struct conf *c, struct decision *d, const struct strlist *usages,
    const struct dtrace *tr)
{
	const struct voice_policy *vp = conf_user_voice_policy(c, d->caller);
	struct voice_policy custom;

	if (vp == NULL) {
		dtrace_step(tr, "routing: no voice policy applies to %s", d->caller->uri);
		return reject(d, 403, NULL, tr);
	}
	if (usages != NULL) {
		custom = *vp;
		custom.usages = *usages;
		vp = &custom;
	}
	d->nchoices = route_select(vp, c, d->called, d->choices, ROUTE_CHOICES_MAX, tr);
	if (d->nchoices == 0) {
		dtrace_step(tr, "routing: voice policy \"%s\": no route for %s", vp->name,
		    d->called);
		snprintf(d->diagnostics, sizeof(d->diagnostics), "12004;reason=\"The user is "
		    "not authorized to call the specified number\";CalledNumber=\"%s\"", d->called);
		return reject(d, 403, NULL, tr);
	}
	d->kind = DECISION_PSTN;
	dtrace_step(tr, "routing: route \"%s\", trunk \"%s\" (%zu trunk%s to try)",
	    d->choices[0].route->name, d->choices[0].trunk->name, d->nchoices,
	    d->nchoices == 1 ? "" : "s");
	return 0;
}

int
decide_attempt(const struct decision *d, size_t i, struct trunk_numbers *out,
    const struct dtrace *tr)
{
	if (d->kind != DECISION_PSTN || i >= d->nchoices)
		return -1;
	return decide_trunk_numbers(d->choices[i].trunk, d->choices[i].route, d->called,
	    d->calling, out, tr);
}

/*
 * The rest of a call from the pool once d->caller (and d->calling) are
 * known: the dialed number through the caller's plan, a user's number
 * stays internal, anything else is routed.
 */
static int
outbound_call(const struct conf *c, const char *dialed, const struct strlist *usages,
    struct decision *d, const struct dtrace *tr)
{
	struct user *callee = NULL;
	int rc;

	if (dialed[0] == '\0')
		return reject(d, 484, NULL, tr);
	if (!number_is_sane(dialed))
		return reject(d, 400, "Invalid Called Number", tr);
	d->plan = conf_user_dial_plan(c, d->caller);
	rc = normalize_dialed(d->plan, dialed, d->called, &d->rule, tr);
	if (rc == -1) {
		reject(d, 500, NULL, tr);
		return -1;
	}
	if (conf_find_number(c, d->called, &callee) == RNL_FOUND) {
		d->kind = DECISION_USER;
		d->callee = callee;
		d->target = callee->uri;
		dtrace_step(tr, "reverse number lookup: %s is %s: the call stays internal",
		    d->called, callee->uri);
		return 0;
	}
	return outbound_route(c, d, usages, tr);
}

const char *
decide_behalf_name(enum behalf_reason r)
{
	switch (r) {
	case BEHALF_FORWARDING: return "call forwarding";
	case BEHALF_SIMUL_RING: return "simultaneous ring";
	case BEHALF_TEAM_CALL: return "team call";
	case BEHALF_DELEGATION: return "delegation";
	case BEHALF_TRANSFER: return "call transfer";
	case BEHALF_NONE: break;
	}
	return "none";
}

const char *
decide_behalf_switch(enum behalf_reason r)
{
	switch (r) {
	case BEHALF_FORWARDING: return "AllowCallForwarding";
	case BEHALF_SIMUL_RING: return "AllowSimulRing";
	case BEHALF_TEAM_CALL: return "EnableTeamCall";
	case BEHALF_DELEGATION: return "EnableDelegation";
	case BEHALF_TRANSFER: return "EnableCallTransfer";
	case BEHALF_NONE: break;
	}
	return "";
}

static bool
policy_allows(const struct voice_policy *vp, enum behalf_reason r)
{
	switch (r) {
	case BEHALF_FORWARDING: return vp->allow_call_forwarding;
	case BEHALF_SIMUL_RING: return vp->allow_simul_ring;
	case BEHALF_TEAM_CALL: return vp->enable_team_call;
	case BEHALF_DELEGATION: return vp->enable_delegation;
	case BEHALF_TRANSFER: return vp->enable_call_transfer;
	case BEHALF_NONE: break;
	}
	return true;
}

struct user *
decide_party_user(const struct conf *c, const char *party)
{
	struct user *u = conf_find_user(c, party);

	if (u == NULL && conf_find_number(c, party, &u) != RNL_FOUND)
		u = NULL;
	return u;
}

/*
 * A call the pool places for the user ob names (forwarded, ringing a
 * simultaneous-ring number, a delegate's or team member's call, a
 * transfer): that user's plan and policy decide it, if the policy's switch
 * allows it; forwarding and simultaneous ring go by the policy's
 * CallForwardingSimulRingUsageType. The caller's own number is presented.
 */
static int
outbound_behalf(const struct conf *c, const char *caller_uri, const char *caller_number,
    const struct behalf *ob, const char *dialed, struct decision *d,
    const struct dtrace *tr)
{
	static const struct strlist none = { NULL, 0 };
	const struct voice_policy *vp;
	const struct strlist *usages = NULL;
	struct user *u = decide_party_user(c, ob->party);

	dtrace_step(tr, "caller %s is not a configured user; %s names %s (%s)", caller_uri,
	    ob->header, ob->party, decide_behalf_name(ob->reason));
	if (u == NULL) {
		dtrace_step(tr, "%s is no configured user either", ob->party);
		return reject(d, 403, NULL, tr);
	}
	d->caller = u;
	d->behalf = ob->reason;
	d->behalf_header = ob->header;
	snprintf(d->redirecting, sizeof(d->redirecting), "%s", u->line.base);
	snprintf(d->calling, sizeof(d->calling), "%s", caller_number ? caller_number : "");
	dtrace_step(tr, "the call is placed for %s (%s): its dial plan and voice policy "
	    "decide, the caller %s is presented", u->uri, decide_behalf_name(ob->reason),
	    d->calling[0] ? d->calling : "(none)");
	vp = conf_user_voice_policy(c, u);
	if (vp != NULL && !policy_allows(vp, ob->reason)) {
		dtrace_step(tr, "voice policy \"%s\": %s is off", vp->name,
		    decide_behalf_switch(ob->reason));
		snprintf(d->diagnostics, sizeof(d->diagnostics), "12004;reason=\"%s is not "
		    "allowed by voice policy %s (%s is off)\";UserUri=\"%s\"",
		    decide_behalf_name(ob->reason), vp->name, decide_behalf_switch(ob->reason),
		    u->uri);
		return reject(d, 403, NULL, tr);
	}
	if (vp != NULL && (ob->reason == BEHALF_FORWARDING || ob->reason == BEHALF_SIMUL_RING)) {
		if (vp->fwd_usage_type == FWD_USAGE_INTERNAL_ONLY) {
			dtrace_step(tr, "voice policy \"%s\": forwarding and simultaneous ring "
			    "reach users only (InternalOnly)", vp->name);
			usages = &none;
		} else if (vp->fwd_usage_type == FWD_USAGE_CUSTOM) {
			dtrace_step(tr, "voice policy \"%s\": forwarding and simultaneous ring go "
			    "by its custom usages", vp->name);
			usages = &vp->fwd_usages;
		}
	}
	return outbound_call(c, dialed, usages, d, tr);
}

/*
 * An emergency call (Lync's location policy): the number dialed is the
 * caller's location policy's emergency dial string or one of its masks
 * (the policy of a caller who is no user, a common-area phone: Global).
 * It goes out as the dial string, routed by the policy's PSTN usage alone:
 * no voice policy, and no missing one, refuses it; only the lack of a
 * route does (503, so the pool can try another mediation server). True
 * when the call is one, d then decided.
 */
static bool
outbound_emergency(const struct conf *c, const char *caller_number, const char *dialed,
    struct decision *d, const struct dtrace *tr)
{
	const struct location_policy *lp = conf_user_location_policy(c, d->caller);
	struct voice_policy vp = { .name = "emergency" };
	const char *usage[1];

	if (!conf_location_dials(lp, dialed))
		return false;
	d->emergency = true;
	d->location = lp;
	snprintf(d->called, sizeof(d->called), "%s", lp->dial_string);
	snprintf(d->calling, sizeof(d->calling), "%s", d->caller != NULL ?
	    d->caller->line.base : caller_number ? caller_number : "");
	dtrace_step(tr, "emergency call: %s is location policy \"%s\"'s %s; it goes out as "
	    "%s by PSTN usage \"%s\"", dialed, lp->name, strcmp(dialed, lp->dial_string) == 0 ?
	    "emergency dial string" : "emergency dial mask", lp->dial_string, lp->usage);
	usage[0] = lp->usage;
	vp.usages = (struct strlist){ usage, 1 };
	d->nchoices = route_select(&vp, c, d->called, d->choices, ROUTE_CHOICES_MAX, tr);
	if (d->nchoices == 0) {
		dtrace_step(tr, "emergency call: no route offers PSTN usage \"%s\" for %s",
		    lp->usage, lp->dial_string);
		reject(d, 503, NULL, tr);
		d->emergency = true;
		return true;
	}
	d->kind = DECISION_PSTN;
	return true;
}

int
decide_outbound_behalf(const struct conf *c, const char *caller_uri,
    const char *caller_number, const struct behalf *ob, const char *dialed,
    struct decision *d, const struct dtrace *tr)
{
	decision_init(d);
	dtrace_step(tr, "outbound from %s: dialed %s", caller_uri, dialed);
	d->caller = conf_find_user(c, caller_uri);
	if (outbound_emergency(c, caller_number, dialed, d, tr))
		return 0;
	if (d->caller == NULL && ob != NULL && ob->party != NULL)
		return outbound_behalf(c, caller_uri, caller_number, ob, dialed, d, tr);
	if (d->caller == NULL) {
		dtrace_step(tr, "caller %s is not a configured user", caller_uri);
		return reject(d, 403, NULL, tr);
	}
	/* The caller's own number, without extension, is what the PSTN sees. */
	snprintf(d->calling, sizeof(d->calling), "%s", d->caller->line.base);
	return outbound_call(c, dialed, NULL, d, tr);
}

int
decide_outbound(const struct conf *c, const char *caller_uri, const char *dialed,
    struct decision *d, const struct dtrace *tr)
{
	return decide_outbound_behalf(c, caller_uri, NULL, NULL, dialed, d, tr);
}

int
decide_trunk_redirecting(const struct trunk *t, const char *redirecting, char *out,
    const struct dtrace *tr)
{
	const struct rule *r;

	if (apply_trunk_rules(t->calling_rules, redirecting, out, &r, "redirecting number", t,
	    tr) == -1)
		return -1;
	if (t->remove_plus)
		strip_plus(out);
	return 0;
}

unsigned
decide_response_code(const struct trunk *t, unsigned status, int q850)
{
	for (size_t i = 0; i < t->nrc_rules; i++) {
		const struct rc_rule *r = &t->rc_rules[i];

		if ((r->received == status || r->received == 0) &&
		    (r->q850_cause == -1 || r->q850_cause == q850))
			return r->translated;
	}
	return status;
}

bool
decide_fails_over(unsigned status)
{
	return status >= 500 && status < 600;
}
