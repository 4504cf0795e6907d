/*
 * metrics: see metrics.h. Every name starts sipmed_; counters end in
 * _total. Label values are escaped as the exposition format asks.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "call.h"
#include "log.h"
#include "media.h"
#include "metrics.h"
#include "peer.h"
#include "server.h"
#include "stats.h"

/* How often MHD's timeouts are run and the loop's lag is measured. */
#define TICK_MS 1000

struct metrics {
	su_root_t *root;
	struct server *srv;
	struct MHD_Daemon *mhd;
	int index;			/* su_root registration of MHD's epoll fd */
	su_timer_t *timer;
	struct timespec due;		/* when the timer should fire next */
	double lag, lag_max;		/* seconds: the last tick's, the largest */
};

/* A label value: backslash, double quote and newline escaped. */
static void
label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct table_arg {
	FILE *f;
	const char *name;
	const char *label;
};

/* A stats table as one labelled counter. */
static void
table_row(void *arg, const char *key, unsigned long n)
{
	struct table_arg *t = (struct table_arg *)arg;

	fprintf(t->f, "%s{%s=\"", t->name, t->label);
	label(t->f, key);
	fprintf(t->f, "\"} %lu\n", n);
}

/* The stats tables exposed as one labelled counter each. */
static const struct {
	enum stats_table which;
	const char *name, *label, *help;
} tables[] = {
	{ STATS_FAILED_BY_TRUNK, "sipmed_calls_failed_by_trunk_total", "trunk",
	    "Calls that failed, by the trunk on their gateway side." },
	{ STATS_FAILED_BY_STATUS, "sipmed_calls_failed_by_status_total", "status",
	    "Calls that failed, by the status the caller got." },
	{ STATS_TRUNK_ATTEMPTS_FAILED, "sipmed_trunk_attempts_failed_total", "trunk",
	    "Attempts on a trunk that failed (before failover, or final)." },
	{ STATS_RULE_HITS, "sipmed_rule_hits_total", "rule",
	    "Calls a dial plan or trunk rule matched." },
	{ STATS_UNKNOWN_PEERS, "sipmed_refused_unknown_peers_total", "what",
	    "Requests from addresses that are no configured peer, refused or dropped." },
	{ STATS_RATE_LIMITED, "sipmed_refused_rate_limited_total", "peer",
	    "Requests refused 503 over a peer's max_request_rate." },
	{ STATS_CONNECTIONS_REFUSED, "sipmed_refused_connections_total", "why",
	    "TCP and TLS connections refused at accept." },
	{ STATS_TLS_FAILURES, "sipmed_tls_handshake_failures_total", "reason",
	    "TLS handshakes that failed, by reason." },
	{ STATS_ADMISSION_REFUSED, "sipmed_refused_admission_total", "limit",
	    "Calls refused by a peer's max_calls or max_call_rate." },
	{ STATS_OVERLOADED, "sipmed_refused_overloaded_total", "method",
	    "Requests refused 503 while sipmed was overloaded." },
	{ STATS_TRANSFERS, "sipmed_transfers_total", "outcome",
	    "Transfers sipmed performed for a trunk without REFER support: started, completed, failed, refused." },
};

/* "inbound answered" -> direction="inbound",outcome="answered" */
static void
direction_row(void *arg, const char *key, unsigned long n)
{
	FILE *f = (FILE *)arg;
	const char *sp = strchr(key, ' ');

	if (sp == NULL)
		return;
	fprintf(f, "sipmed_calls_total{direction=\"%.*s\",outcome=\"%s\"} %lu\n",
	    (int)(sp - key), key, sp + 1, n);
}

/* "gw 200" -> peer="gw",status="200" (a trunk's name may hold spaces) */
static void
answer_row(void *arg, const char *key, unsigned long n)
{
	FILE *f = (FILE *)arg;
	const char *sp = strrchr(key, ' ');
	char peer[200];

	if (sp == NULL)
		return;
	snprintf(peer, sizeof(peer), "%.*s", (int)(sp - key), key);
	fputs("sipmed_peer_answers_total{peer=\"", f);
	label(f, peer);
	fprintf(f, "\",status=\"%s\"} %lu\n", sp + 1, n);
}

/* A health gauge: 1 up, 0 down, -1 unknown. */
static void
up_row(void *arg, const char *key, int state)
{
	struct table_arg *t = (struct table_arg *)arg;

	fprintf(t->f, "%s{%s=\"", t->name, t->label);
	label(t->f, key);
	fprintf(t->f, "\"} %d\n", state);
}

static long
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void
write_metrics(const struct metrics *m, FILE *f)
{
	const struct server *srv = m->srv;

	header(f, "sipmed_calls_active", "gauge", "Calls in progress.");
	fprintf(f, "sipmed_calls_active %lu\n", calls_active(srv->calls));
	header(f, "sipmed_calls_total", "counter", "Calls ended (refused ones too), by "
	    "direction (inbound, outbound, internal) and outcome (answered, failed, cancelled).");
	stats_each(srv->stats, STATS_CALLS_BY_DIRECTION, direction_row, f);
	header(f, "sipmed_peer_answers_total", "counter", "Final answers to sipmed's attempts, "
	    "by peer (a trunk, or pool) and status.");
	stats_each(srv->stats, STATS_PEER_ANSWERS, answer_row, f);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct table_arg t = { f, tables[i].name, tables[i].label };

		header(f, tables[i].name, "counter", tables[i].help);
		stats_each(srv->stats, tables[i].which, table_row, &t);
	}
	header(f, "sipmed_peer_up", "gauge", "Health from OPTIONS pings: 1 up, 0 down, -1 "
	    "unknown (no pings, or none answered yet).");
	peers_each_health(srv->peers, up_row, &(struct table_arg){ f, "sipmed_peer_up", "peer" });
	header(f, "sipmed_media_relay_up", "gauge", "Media relay health from ng pings: 1 up, "
	    "0 down, -1 unknown (none answered yet).");
	media_each_health(srv->media, up_row,
	    &(struct table_arg){ f, "sipmed_media_relay_up", "relay" });
	header(f, "sipmed_event_loop_lag_seconds", "gauge", "How late the event loop ran a "
	    "timer at the last check (once a second).");
	fprintf(f, "sipmed_event_loop_lag_seconds %.6f\n", m->lag);
	header(f, "sipmed_event_loop_lag_max_seconds", "gauge", "The largest lag seen.");
	fprintf(f, "sipmed_event_loop_lag_max_seconds %.6f\n", m->lag_max);
	header(f, "sipmed_resident_memory_bytes", "gauge", "Resident memory of the process.");
	fprintf(f, "sipmed_resident_memory_bytes %ld\n", resident_bytes());
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **state)
{
	const struct metrics *m = (const struct metrics *)cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	char *buf = NULL;
	size_t len = 0;
	unsigned status = MHD_HTTP_OK;
	FILE *f;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	else if (strcmp(url, "/metrics") != 0)
		status = MHD_HTTP_NOT_FOUND;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return MHD_NO;
	if (status == MHD_HTTP_OK)
		write_metrics(m, f);
	else
		fprintf(f, "sipmed serves /metrics (GET) only\n");
	if (fclose(f) != 0) {
		free(buf);
		return MHD_NO;
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", status == MHD_HTTP_OK ?
	    "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static int
readable(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	MHD_run(((struct metrics *)arg)->mhd);
	return 0;
}

static void
tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct metrics *m = (struct metrics *)arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	m->lag = (double)(now.tv_sec - m->due.tv_sec) + (double)(now.tv_nsec - m->due.tv_nsec) / 1e9;
	if (m->lag < 0)
		m->lag = 0;
	if (m->lag > m->lag_max)
		m->lag_max = m->lag;
	m->due = now;
	m->due.tv_sec += TICK_MS / 1000;
	MHD_run(m->mhd);	/* connection timeouts */
}

/* "127.0.0.1:9464" or "[::1]:9464" into su; -1 when it is neither. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	unsigned long port;
	char *end;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[' && colon > listen + 1 && colon[-1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen - 2), listen + 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

struct metrics *
metrics_start(su_root_t *root, const char *listen, struct server *srv)
{
	struct metrics *m = calloc(1, sizeof(*m));
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	su_wait_t w[1];

	if (m == NULL)
		return NULL;
	m->root = root;
	m->srv = srv;
	m->index = -1;
	if (parse_listen(listen, &ss) == -1) {
		log_warnx("metrics: listen \"%s\" must be ADDRESS:PORT", listen);
		goto fail;
	}
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, answer, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_END);
	if (m->mhd == NULL) {
		log_warn("metrics: cannot listen on %s", listen);
		goto fail;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	m->timer = su_timer_create(su_root_task(root), TICK_MS);
	if (info == NULL || m->timer == NULL || su_wait_create(w, info->epoll_fd, SU_WAIT_IN) == -1 ||
	    (m->index = su_root_register(root, w, readable, (su_wakeup_arg_t *)m, 0)) == -1) {
		log_warnx("metrics: cannot join the event loop");
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &m->due);
	m->due.tv_sec += TICK_MS / 1000;
	su_timer_set_for_ever(m->timer, tick, (su_timer_arg_t *)m);
	log_info("metrics: serving http://%s/metrics", listen);
	return m;
fail:
	metrics_stop(m);
	return NULL;
}

void
metrics_stop(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->index != -1)
		su_root_deregister(m->root, m->index);
	su_timer_destroy(m->timer);
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd);
	free(m);
}
