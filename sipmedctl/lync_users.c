/*
 * lync_users: the user cmdlets of import-lync (LineURIs, grants), the
 * Get-CsUser export read by --users, and unassigned numbers with the
 * announcements they name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lync_priv.h"
#include <errno.h>

/* users */

struct lync_user *
lync_user_of(struct lync *l, const char *id, const struct lync_src *src)
{
	char *uri;
	struct lync_user *u;

	if (id == NULL)
		return NULL;
	if (strncasecmp(id, "sip:", 4) == 0)
		uri = su_sprintf(l->home, "sip:%s", id + 4);
	else if (strchr(id, '@') != NULL)
		uri = su_sprintf(l->home, "sip:%s", id);	/* a UPN: taken as the SIP address */
	else {
		lync_warn(l, src, "user \"%s\": give the SIP address (sip:name@domain): skipped", id);
		return NULL;
	}
	for (size_t i = 0; i < l->nusers; i++)
		if (strcasecmp(l->users[i]->uri, uri) == 0)
			return l->users[i];
	u = su_zalloc(l->home, sizeof(*u));
	if (u == NULL)
		return NULL;
	u->uri = uri;
	u->src = *src;
	PUSH(l, users, u);
	return u;
}

/* "tel:+1503...;ext=..", "TEL:+1...", "+1503..." -> "tel:+1503...;ext=.." */
const char *
lync_line_uri(struct lync *l, const char *v, const struct lync_src *src)
{
	const char *n = strncasecmp(v, "tel:", 4) == 0 ? v + 4 : v;

	if (n[0] != '+' || !isdigit((unsigned char)n[1])) {
		lync_warn(l, src, "LineURI \"%s\" is not tel:+E.164: skipped", v);
		return NULL;
	}
	return su_sprintf(l->home, "tel:%s", n);
}

static void
set_user(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "LineURI", "OnPremLineURI",
	    "EnterpriseVoiceEnabled", "PhoneNumber", "PhoneNumberType", NULL };
	struct lync_src src = lync_src_of(c);
	const char *line = lync_pstr(c, "LineURI");
	struct lync_user *u;

	lync_check_params(l, c, params, NULL);
	if (line == NULL)
		line = lync_pstr(c, "OnPremLineURI");
	if (line == NULL)
		line = lync_pstr(c, "PhoneNumber");	/* Set-CsPhoneNumberAssignment */
	if (line == NULL)
		return;
	u = lync_user_of(l, lync_identity(l, c), &src);
	if (u != NULL)
		u->line_uri = lync_line_uri(l, line, &src);
}

static void
grant(struct lync *l, struct ps_cmd *c, bool plan)
{
	static const char *const params[] = { "Identity", "PolicyName", NULL };
	struct lync_src src = lync_src_of(c);
	struct lync_user *u = lync_user_of(l, lync_identity(l, c), &src);
	const char *name = lync_scope(l->home, lync_pstr(c, "PolicyName"));

	lync_check_params(l, c, params, NULL);
	if (u == NULL)
		return;
	if (plan)
		u->plan = name;
	else
		u->policy = name;
}

static void grant_plan(struct lync *l, struct ps_cmd *c) { grant(l, c, true); }
static void grant_policy(struct lync *l, struct ps_cmd *c) { grant(l, c, false); }

static void
grant_location(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "PolicyName", NULL };
	struct lync_src src = lync_src_of(c);
	struct lync_user *u = lync_user_of(l, lync_identity(l, c), &src);

	lync_check_params(l, c, params, NULL);
	if (u != NULL)
		u->location = lync_scope(l->home, lync_pstr(c, "PolicyName"));
}

/* location policies (emergency calls) */

static struct lync_location *
location_find(struct lync *l, const char *scope)
{
	for (size_t i = 0; scope != NULL && i < l->nlocations; i++)
		if (strcasecmp(l->locations[i]->id, scope) == 0)
			return l->locations[i];
	return NULL;
}

/* "112;999" (Lync separates masks with semicolons), or a list */
static void
split_add(struct lync *l, struct lync_strs *s, const char *v)
{
	char *copy = su_strdup(l->home, v), *save = NULL;

	for (char *t = strtok_r(copy, ";, ", &save); t != NULL; t = strtok_r(NULL, ";, ", &save))
		lync_strs_add(l, s, t);
}

static void
location_policy(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "EmergencyDialString",
	    "EmergencyDialMask", "PstnUsage", "NotificationUri", "EnhancedEmergencyServicesEnabled",
	    NULL };
	const char *scope = lync_scope(l->home, lync_identity(l, c));
	struct lync_src src = lync_src_of(c);
	struct lync_location *lp;

	lync_check_params(l, c, params, " (sipmed routes and reports emergency calls; it "
	    "does not conference or require locations)");
	if (scope == NULL)
		scope = "Global";
	if ((lp = location_find(l, scope)) == NULL) {
		lp = su_zalloc(l->home, sizeof(*lp));
		if (lp == NULL)
			return;
		lp->id = scope;
		lp->dial_string = "911";	/* Lync's default */
		lp->src = src;
		PUSH(l, locations, lp);
	}
	if (lync_pstr(c, "EmergencyDialString") != NULL)
		lp->dial_string = lync_pstr(c, "EmergencyDialString");
	if (lync_has(c, "EmergencyDialMask")) {
		lp->masks.n = 0;
		lync_each_str(l, c, lync_pval(c, "EmergencyDialMask"), split_add, &lp->masks);
	}
	if (lync_pstr(c, "PstnUsage") != NULL)
		lp->usage = lync_pstr(c, "PstnUsage");
	if (lync_has(c, "NotificationUri")) {
		lp->notify.n = 0;
		lync_each_str(l, c, lync_pval(c, "NotificationUri"), split_add, &lp->notify);
	}
}

/* unassigned numbers and announcements */

static void
new_announcement(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "Parent", "Name", "TargetUri",
	    "AudioFilePrompt", "TextToSpeechPrompt", "Language", NULL };
	struct lync_announcement *a = su_zalloc(l->home, sizeof(*a));

	lync_check_params(l, c, params, NULL);
	if (a == NULL)
		return;
	a->name = lync_pstr(c, "Name");
	a->target = lync_pstr(c, "TargetUri");
	a->prompt = lync_has(c, "AudioFilePrompt") || lync_has(c, "TextToSpeechPrompt");
	a->src = lync_src_of(c);
	if (a->name != NULL)
		PUSH(l, announcements, a);
}

static void
new_unassigned(struct lync *l, struct ps_cmd *c)
{
	static const char *const params[] = { "Identity", "NumberRangeStart", "NumberRangeEnd",
	    "Priority", "AnnouncementService", "AnnouncementName",
	    "ExUmAutoAttendantPhoneNumber", NULL };
	struct lync_src src = lync_src_of(c);
	struct lync_unassigned *u = su_zalloc(l->home, sizeof(*u));
	const char *ann = lync_pstr(c, "AnnouncementName"), *aa = lync_pstr(c, "ExUmAutoAttendantPhoneNumber");
	int prio = lync_puint(l, c, "Priority", 2147483647);

	lync_check_params(l, c, params, NULL);
	if (u == NULL)
		return;
	u->name = lync_identity(l, c);
	u->start = lync_pstr(c, "NumberRangeStart");
	u->end = lync_pstr(c, "NumberRangeEnd");
	u->priority = prio == LYNC_UNSET ? 0 : (unsigned)prio;
	u->src = src;
	if (u->name == NULL || u->start == NULL || u->end == NULL) {
		lync_warn(l, &src, "%s: needs -Identity, -NumberRangeStart and -NumberRangeEnd: "
		    "skipped", c->name);
		return;
	}
	u->start = lync_line_uri(l, u->start, &src);
	u->end = lync_line_uri(l, u->end, &src);
	if (u->start == NULL || u->end == NULL)
		return;
	if (aa != NULL) {
		u->aa_number = strncasecmp(aa, "tel:", 4) == 0 ? aa + 4 : aa;
	} else {
		for (size_t i = 0; ann != NULL && i < l->nannouncements; i++)
			if (strcasecmp(l->announcements[i]->name, ann) == 0) {
				if (l->announcements[i]->prompt)
					lync_warn(l, &src, "%s: announcement \"%s\": sipmed plays no "
					    "prompt; the call goes on to its target", c->name, ann);
				u->target = l->announcements[i]->target;
				break;
			}
		if (u->target == NULL) {
			/* An announcement with no target gives a busy signal. */
			u->status = 486;
			if (ann != NULL && !lync_has(c, "AnnouncementName"))
				lync_warn(l, &src, "%s: no announcement \"%s\": busy", c->name, ann);
		}
	}
	PUSH(l, unassigned, u);
}

/* users from Get-CsUser | Select-Object ... | Export-Csv */

/* Splits one CSV line into at most max fields, in place; returns how many. */
static size_t
csv_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line, *o;

	while (n < max) {
		f[n++] = o = p;
		if (*p == '"') {	/* quoted, "" is a quote */
			for (p++; *p != '\0'; p++) {
				if (*p == '"' && p[1] == '"')
					*o++ = '"', p++;
				else if (*p == '"') {
					p++;
					break;
				} else
					*o++ = *p;
			}
			while (*p != '\0' && *p != ',')
				p++;
		} else {
			while (*p != '\0' && *p != ',')
				*o++ = *p++;
		}
		if (*p != ',') {
			*o = '\0';
			break;
		}
		p++;
		*o = '\0';
	}
	return n;
}

enum { COL_URI, COL_LINE, COL_PLAN, COL_POLICY, COL_POOL, NCOLS };

int
lync_import_users(struct lync *l, const char *path, char *err, size_t errlen)
{
	static const char *const names[NCOLS][4] = {
		{ "SipAddress", "UserPrincipalName", NULL },
		{ "LineURI", "OnPremLineURI", "PhoneNumber", NULL },
		{ "DialPlan", "TenantDialPlan", NULL },
		{ "VoicePolicy", "OnlineVoiceRoutingPolicy", NULL },
		{ "RegistrarPool", NULL },
	};
	int col[NCOLS] = { -1, -1, -1, -1, -1 };
	size_t len;
	char *text = ps_slurp(l->home, path, &len), *line, *next;
	bool header = true;
	int lineno = 0;

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		struct lync_src src = { path, ++lineno };
		char *f[64];
		size_t n;
		struct lync_user *u;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;	/* Export-Csv's "#TYPE ..." line */
		n = csv_fields(line, f, 64);
		if (header) {
			for (size_t i = 0; i < n; i++)
				for (int c = 0; c < NCOLS; c++)
					for (int k = 0; names[c][k] != NULL; k++)
						if (col[c] < 0 && strcasecmp(f[i], names[c][k]) == 0)
							col[c] = (int)i;
			if (col[COL_URI] < 0 || col[COL_LINE] < 0) {
				snprintf(err, errlen, "%s:%d: the first row must name the columns, "
				    "with SipAddress and LineURI among them", path, lineno);
				return -1;
			}
			header = false;
			continue;
		}
		if ((size_t)col[COL_URI] >= n || (size_t)col[COL_LINE] >= n ||
		    f[col[COL_LINE]][0] == '\0')
			continue;	/* no LineURI: not a voice user */
		u = lync_user_of(l, f[col[COL_URI]], &src);
		if (u == NULL)
			continue;
		u->src = src;
		u->line_uri = lync_line_uri(l, f[col[COL_LINE]], &src);
		if (col[COL_PLAN] >= 0 && (size_t)col[COL_PLAN] < n && f[col[COL_PLAN]][0] != '\0')
			u->plan = lync_scope(l->home, f[col[COL_PLAN]]);
		if (col[COL_POLICY] >= 0 && (size_t)col[COL_POLICY] < n &&
		    f[col[COL_POLICY]][0] != '\0')
			u->policy = lync_scope(l->home, f[col[COL_POLICY]]);
		if (col[COL_POOL] >= 0 && (size_t)col[COL_POOL] < n && f[col[COL_POOL]][0] != '\0')
			u->pool = su_strdup(l->home, f[col[COL_POOL]]);
	}
	if (header) {
		snprintf(err, errlen, "%s: no rows", path);
		return -1;
	}
	return 0;
}

const struct lync_handler lync_user_handlers[] = {
	{ "New-CsLocationPolicy", location_policy },
	{ "Set-CsLocationPolicy", location_policy },
	{ "Grant-CsLocationPolicy", grant_location },
	{ "New-CsUnassignedNumber", new_unassigned },
	{ "New-CsAnnouncement", new_announcement },
	{ "Grant-CsVoicePolicy", grant_policy },
	{ "Grant-CsDialPlan", grant_plan },
	{ "Grant-CsTenantDialPlan", grant_plan },
	{ "Grant-CsOnlineVoiceRoutingPolicy", grant_policy },
	{ "Set-CsUser", set_user },
	{ "Set-CsPhoneNumberAssignment", set_user },
	{ NULL, NULL }
};
