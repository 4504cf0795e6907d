/*
 * call_cdr: a call's detail record, one JSON object on one line, written
 * when the call ends (call_free) or when its INVITE is refused before it
 * became a call. The README documents every field; cdr.c says where the
 * line goes. Nothing is built when records go nowhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "call_priv.h"
#include "cdr.h"
#include "json.h"

/* A wall-clock time as ISO 8601 in UTC with milliseconds; null when unset. */
static void
json_time(struct json *j, const char *key, const struct timespec *t)
{
	struct tm tm;
	char buf[96];

	if (t->tv_sec == 0) {
		json_str(j, key, NULL);
		return;
	}
	gmtime_r(&t->tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long)(t->tv_nsec / 1000000) % 1000);
	json_str(j, key, buf);
}

static long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* A Q.850 cause, or null. */
static void
json_q850(struct json *j, const char *key, int q850)
{
	if (q850 < 0)
		json_str(j, key, NULL);
	else
		json_int(j, key, q850);
}

/* Empty strings are written as null: "no calling number". */
static const char *
or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static const char *const enders[] = {
	[ENDER_CALLER] = "caller",
	[ENDER_CALLEE] = "callee",
	[ENDER_SIPMED] = "sipmed",
};

/* Ends the memstream f and writes what it holds (*buf, *len) to out. */
static void
emit(struct cdr *out, FILE *f, char **buf, size_t *len)
{
	if (fclose(f) == 0 && *len > 0)
		cdr_write(out, *buf, *len);
	free(*buf);
}

void
call_cdr(struct call *call)
{
	const struct trunk *from = call->leg[SIDE_A].trunk;
	const struct call_try *last = call->ntries > 0 ? &call->tries[call->ntries - 1] : NULL;
	struct timespec ended;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!cdr_on(call->srv->cdr) || (f = open_memstream(&buf, &len)) == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ended);
	json_begin(&j, f);
	json_str(&j, "call_id", call->id);
	json_str(&j, "direction", call_direction(call));
	json_str(&j, "from", from != NULL ? from->name : "pool");
	json_time(&j, "received", &call->received);
	json_time(&j, "ringing", &call->ringing);
	json_time(&j, "answered", &call->answered);
	json_time(&j, "ended", &ended);
	json_str(&j, "called_received", call->a_called);
	json_str(&j, "calling_received", or_null(call->a_calling));
	json_str(&j, "called", or_null(call->e164));
	json_str(&j, "calling", or_null(call->calling));
	json_str(&j, "user", call->user);
	json_array_begin(&j, "attempts");
	for (size_t i = 0; i < call->ntries; i++) {
		const struct call_try *t = &call->tries[i];

		json_obj_begin(&j);
		json_str(&j, "to", t->trunk != NULL ? t->trunk : "pool");
		json_str(&j, "request_uri", t->ruri);
		json_str(&j, "called_sent", t->called);
		json_str(&j, "calling_sent", t->calling);
		if (t->status > 0)
			json_int(&j, "status", t->status);
		else
			json_str(&j, "status", NULL);
		json_q850(&j, "q850", t->q850);
		json_obj_end(&j);
	}
	json_array_end(&j);
	json_int(&j, "status", call->final_status);
	json_str(&j, "reason", call->final_status > 0 ?
	    decide_reason((unsigned)call->final_status) : NULL);
	/* the cause of the answer that became the caller's, when B gave one */
	json_q850(&j, "q850", last != NULL && last->status == call->final_status ? last->q850 : -1);
	json_str(&j, "ended_by", enders[call->ender]);
	json_str(&j, "end_reason", call->end_why);
	json_uint(&j, "duration_ms", call->answered.tv_sec != 0 ?
	    (unsigned long)ms_between(&call->answered, &ended) : 0);
	json_end(&j);
	emit(call->srv->cdr, f, &buf, &len);
}

void
call_cdr_refused(struct server *srv, const char *id, const char *direction,
    const struct peer *p, const char *called, const char *calling, const struct decision *d,
    int status, const char *reason)
{
	struct timespec now;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!cdr_on(srv->cdr) || (f = open_memstream(&buf, &len)) == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	json_begin(&j, f);
	json_str(&j, "call_id", id);
	json_str(&j, "direction", direction);
	json_str(&j, "from", p->trunk != NULL ? p->trunk->name : "pool");
	json_time(&j, "received", &now);
	json_str(&j, "ringing", NULL);
	json_str(&j, "answered", NULL);
	json_time(&j, "ended", &now);
	json_str(&j, "called_received", or_null(called));
	json_str(&j, "calling_received", or_null(calling));
	json_str(&j, "called", d != NULL ? or_null(d->called) : NULL);
	json_str(&j, "calling", d != NULL ? or_null(d->calling) : NULL);
	json_str(&j, "user", NULL);
	json_array_begin(&j, "attempts");
	json_array_end(&j);
	json_int(&j, "status", status);
	json_str(&j, "reason", reason != NULL ? reason : decide_reason((unsigned)status));
	json_str(&j, "q850", NULL);
	json_str(&j, "ended_by", "sipmed");
	json_str(&j, "end_reason", "refused");
	json_str(&j, "ms_diagnostics", d != NULL ? or_null(d->diagnostics) : NULL);
	json_uint(&j, "duration_ms", 0);
	json_end(&j);
	emit(srv->cdr, f, &buf, &len);
}
