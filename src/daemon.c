/*
 * daemon: configuration (re)loading, draining, and the control commands.
 * Every command only reads or switches state on the event loop's thread;
 * none waits on the network.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "cdr.h"
#include "control.h"
#include "daemon.h"
#include "dirsync.h"
#include "log.h"
#include "media.h"
#include "overload.h"
#include "stats.h"
#include "tls.h"
#include "trace.h"

struct msg_sink {
	FILE *out;		/* the control client's answer, or NULL */
	bool log;		/* the log too */
};

static void
conf_msg(void *arg, enum conf_severity sev, const char *msg)
{
	struct msg_sink *sink = (struct msg_sink *)arg;

	if (sink->out != NULL)
		fprintf(sink->out, "%s\n", msg);
	if (sink->log)
		log_warnx("%s", msg);
}

/*
 * The loader checks the file's form; the files behind its tls group are
 * checked here (the loader never reads them, so that sipmedctl works
 * without certificates).
 */
static struct conf *
load(const char *path, struct msg_sink *sink)
{
	struct conf *c = conf_load(path, conf_msg, sink);
	char err[1024], msg[1200];

	if (c != NULL && c->tls.certificate != NULL &&
	    tls_check_files(&c->tls, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", path, err);
		conf_msg(sink, CONF_ERROR, msg);
		conf_unref(c);
		c = NULL;
	}
	return c;
}

struct conf *
daemon_load(const char *path, FILE *out)
{
	struct msg_sink sink = { out, out == NULL };

	return load(path, &sink);
}

#define PLURAL(n) ((n) == 1 ? "" : "s")

void
daemon_summary(const struct conf *c, FILE *out)
{
	size_t rules = 0;
	char line[400];

	char *path = realpath(c->path, NULL);

	for (size_t i = 0; i < c->ndial_plans; i++)
		rules += ruleset_count(c->dial_plans[i].rules);
	/* the path as a full one: the log outlives the directory it was started in */
	snprintf(line, sizeof(line), "configuration %s: %zu dial plan%s (%zu rule%s), %zu "
	    "trunk%s, %zu route%s, %zu user%s", path != NULL ? path : c->path, c->ndial_plans,
	    PLURAL(c->ndial_plans), rules, PLURAL(rules), c->ntrunks, PLURAL(c->ntrunks),
	    c->nroutes, PLURAL(c->nroutes), c->nusers, PLURAL(c->nusers));
	free(path);
	log_info("%s", line);
	if (out != NULL)
		fprintf(out, "%s\n", line);
}

/* Whether what the listeners were opened with is unchanged. */
static bool
same_listeners(const struct conf *a, const struct conf *b)
{
	const struct conf_tls *x = &a->tls, *y = &b->tls;

	if (a->server.listen.n != b->server.listen.n ||
	    a->server.message_timeout != b->server.message_timeout ||
	    a->server.max_message_size != b->server.max_message_size)
		return false;
	for (size_t i = 0; i < a->server.listen.n; i++)
		if (strcmp(a->server.listen.v[i], b->server.listen.v[i]) != 0)
			return false;
	return conf_same_str(x->certificate, y->certificate) && conf_same_str(x->private_key,
	    y->private_key) && conf_same_str(x->ca, y->ca) && conf_same_str(x->passphrase,
	    y->passphrase) && x->verify_peer == y->verify_peer &&
	    x->verify_depth == y->verify_depth && x->handshake_timeout == y->handshake_timeout &&
	    conf_same_str(x->min_version, y->min_version);
}

/* Says one thing to the log and to the control client. */
static void
tell(FILE *out, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warnx("%s", line);
	if (out != NULL)
		fprintf(out, "%s\n", line);
}

/*
 * A reload loads the file on a thread of its own: a 100,000-rule plan
 * takes most of a second to load, and a blocked event loop lets datagrams
 * pile up until calls fail. Loading touches nothing the loop uses (it
 * builds a new snapshot from the file); the loop learns of the end through
 * a pipe and swaps the snapshot in.
 */
struct reload {
	struct daemon *d;
	pthread_t thread;
	int pipe[2];
	int index;			/* su_root registration of pipe[0] */
	FILE *msgf;			/* the loader's messages, then the answer */
	char *msgs;
	size_t msglen;
	struct conf *conf;		/* what the loader made, or NULL */
	struct control_later *later;	/* the client waiting, or NULL */
	struct timespec started;
};

static void *
reload_run(void *arg)
{
	struct reload *r = (struct reload *)arg;
	struct msg_sink sink = { r->msgf, true };

	r->conf = load(r->d->path, &sink);
	if (write(r->pipe[1], "", 1) != 1)
		log_warn("reload: cannot wake the event loop");
	return NULL;
}

/*
 * A new snapshot serves new calls; calls in progress keep theirs. The
 * listeners (server.listen and the tls group) and the control socket are
 * opened once: a change to them takes effect at the next start.
 */
/*
 * Whether a peer of n has a listen URI the running listeners do not have;
 * what names it and the URI.
 */
static bool
listen_unbound(const struct server *srv, const struct conf *n, char *what, size_t len)
{
	if (n->pool.listen != NULL && !server_listens(srv, n->pool.listen)) {
		snprintf(what, len, "the pool's listen \"%s\"", n->pool.listen);
		return true;
	}
	for (size_t i = 0; i < n->ntrunks; i++)
		if (n->trunks[i].listen != NULL && !server_listens(srv, n->trunks[i].listen)) {
			snprintf(what, len, "trunk \"%s\"'s listen \"%s\"", n->trunks[i].name,
			    n->trunks[i].listen);
			return true;
		}
	return false;
}

static int
reload_apply(struct daemon *d, struct conf *n, double ms, FILE *out)
{
	char unbound[600];

	if (n == NULL) {
		tell(out, "reload of %s refused: the running configuration stays", d->path);
		return 1;
	}
	if (listen_unbound(&d->srv, n, unbound, sizeof(unbound))) {
		tell(out, "reload of %s refused: %s was not bound at start (server.listen "
		    "changes take effect at the next start); the running configuration stays",
		    d->path, unbound);
		conf_unref(n);
		return 1;
	}
	if (!same_listeners(d->srv.conf, n))
		tell(out, "reload of %s: changes to server.listen, message_timeout, "
		    "max_message_size and the tls group take effect at the next start; the "
		    "listeners keep their settings", d->path);
	if (!conf_same_str(d->srv.conf->control.socket, n->control.socket))
		tell(out, "reload of %s: a control.socket change takes effect at the next start",
		    d->path);
	dirsync_adopt(d->dirsync, n);
	server_set_conf(&d->srv, n);
	conf_unref(n);
	d->loaded = time(NULL);
	daemon_summary(n, out);
	log_info("reload of %s: loaded in %.0f ms", d->path, ms);
	fprintf(out, "loaded in %.0f ms\n", ms);
	return 0;
}

static void
reload_free(struct reload *r)
{
	if (r->index != -1)
		su_root_deregister(r->d->root, r->index);
	if (r->pipe[0] != -1) {
		close(r->pipe[0]);
		close(r->pipe[1]);
	}
	if (r->msgf != NULL)
		fclose(r->msgf);
	free(r->msgs);
	free(r);
}

static int
reload_done(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct reload *r = (struct reload *)arg;
	struct daemon *d = r->d;
	struct timespec now;
	double ms;
	int status;

	pthread_join(r->thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
	status = reload_apply(d, r->conf, ms, r->msgf);
	fclose(r->msgf);
	r->msgf = NULL;
	if (r->later != NULL)
		control_answer(r->later, status, r->msgs ? r->msgs : "", r->msgs ? r->msglen : 0);
	d->reload = NULL;
	reload_free(r);
	if (d->reload_again) {
		d->reload_again = false;
		daemon_reload(d, NULL);
	}
	return 0;
}

int
daemon_reload(struct daemon *d, struct control_later *later)
{
	struct reload *r;
	su_wait_t w[1];

	if (d->reload != NULL) {
		/* a signal during a reload: once more after it (the file may have changed) */
		if (later == NULL)
			d->reload_again = true;
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->d = d;
	r->later = later;
	r->index = -1;
	r->pipe[0] = r->pipe[1] = -1;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	if (pipe(r->pipe) == -1 || fcntl(r->pipe[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(r->pipe[1], F_SETFD, FD_CLOEXEC) == -1 ||
	    (r->msgf = open_memstream(&r->msgs, &r->msglen)) == NULL ||
	    su_wait_create(w, r->pipe[0], SU_WAIT_IN) == -1 ||
	    (r->index = su_root_register(d->root, w, reload_done, (su_wakeup_arg_t *)r, 0)) == -1 ||
	    pthread_create(&r->thread, NULL, reload_run, r) != 0) {
		log_warn("reload of %s: cannot start", d->path);
		reload_free(r);
		return -1;
	}
	d->reload = r;
	return 0;
}

void
daemon_reload_wait(struct daemon *d)
{
	if (d->reload == NULL)
		return;
	pthread_join(d->reload->thread, NULL);
	if (d->reload->conf != NULL)
		conf_unref(d->reload->conf);
	reload_free(d->reload);
	d->reload = NULL;
}

void
daemon_drain(struct daemon *d)
{
	unsigned limit = d->srv.conf->server.drain_timeout;
	unsigned long n = calls_active(d->srv.calls);

	if (d->srv.stopping)
		return;
	d->srv.stopping = true;
	d->drain_deadline = time(NULL) + limit;
	log_info("stopping: no new calls; %lu call%s in progress may take up to %u s to end",
	    n, n == 1 ? "" : "s", limit);
}

#define BYE_GRACE 2

bool
daemon_drained(struct daemon *d)
{
	unsigned long n = calls_active(d->srv.calls);
	time_t now = time(NULL);

	if (!d->srv.stopping)
		return false;
	if (n > 0 && now >= d->drain_deadline) {
		log_warnx("stopping: drain_timeout reached: ending %lu call%s with BYE",
		    n, n == 1 ? "" : "s");
		call_destroy_all(d->srv.calls);
		n = 0;
	}
	if (n > 0)
		return false;
	/* the BYEs sipmed sent get their answers (over TCP and TLS the
	   connection must outlive them), for at most BYE_GRACE seconds */
	if (d->drained == 0)
		d->drained = now;
	return calls_byes_pending(d->srv.calls) == 0 || now >= d->drained + BYE_GRACE;
}

/* --- commands --- */

static void
write_duration(FILE *f, time_t s)
{
	if (s >= 86400)
		fprintf(f, "%ldd ", (long)(s / 86400));
	fprintf(f, "%02ld:%02ld:%02ld", (long)(s % 86400 / 3600), (long)(s % 3600 / 60),
	    (long)(s % 60));
}

static void
write_time(FILE *f, time_t t)
{
	char buf[32];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fputs(buf, f);
}

static void
write_trace_state(const struct server *srv, FILE *f)
{
	struct trace_filter filter;
	bool messages, decisions;
	char fbuf[1200];
	const struct conf_trace *t = trace_outputs(srv->trace);

	trace_get(srv->trace, &messages, &decisions, &filter);
	trace_filter_format(&filter, fbuf, sizeof(fbuf));
	if (!messages && !decisions) {
		fprintf(f, "trace: off\n");
		return;
	}
	fprintf(f, "trace: %s%s%s, %s\n", messages ? "messages" : "",
	    messages && decisions ? " and " : "", decisions ? "decisions" : "", fbuf);
	fprintf(f, "trace outputs:");
	if (t->text_file)
		fprintf(f, " text %s", t->text_file);
	if (t->pcap_file)
		fprintf(f, " pcap %s", t->pcap_file);
	if (t->hep_address)
		fprintf(f, " hep %s (capture id %u)", t->hep_address, t->hep_capture_id);
	if (!t->text_file && !t->pcap_file && !t->hep_address)
		fprintf(f, " the log");
	fprintf(f, "\n");
}

/*
 * Resident memory, and what of it the heap holds for live objects: the
 * difference is what the allocator keeps after a burst (transactions live
 * 64*T1 after a call's set-up) and freed chunks between live ones.
 */
static void
write_memory(FILE *f)
{
	FILE *st = fopen("/proc/self/status", "r");
	char line[128];
	long rss = -1;
	struct mallinfo2 mi = mallinfo2();

	while (st != NULL && fgets(line, sizeof line, st) != NULL)
		if (sscanf(line, "VmRSS: %ld", &rss) == 1)
			break;
	if (st != NULL)
		fclose(st);
	fprintf(f, "memory: %ld KB resident, %zu KB of heap in use\n", rss,
	    (mi.uordblks + mi.hblkhd) / 1024);
}

static int
cmd_status(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	const struct conf *c = d->srv.conf;

	fprintf(f, "sipmed %s, pid %ld, up ", PACKAGE_VERSION, (long)getpid());
	write_duration(f, time(NULL) - d->started);
	fprintf(f, "\nstate: ");
	if (d->srv.stopping)
		fprintf(f, "draining, %ld s left before calls are ended\n",
		    (long)(d->drain_deadline - time(NULL)));
	else
		fprintf(f, "running\n");
	fprintf(f, "configuration: %s, loaded ", c->path);
	write_time(f, d->loaded);
	fprintf(f, "\n");
	server_write_listeners(&d->srv, f);
	dirsync_write(d->dirsync, f);
	fprintf(f, "calls: %lu active (at most %u), %lu since start\n",
	    calls_active(d->srv.calls), c->server.max_calls, calls_total(d->srv.calls));
	server_write_transactions(&d->srv, f);
	if (d->srv.overload != NULL)
		overload_write(d->srv.overload, f);
	write_memory(f);
	write_trace_state(&d->srv, f);
	return 0;
}

static int
cmd_stats(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	unsigned long m, dec;

	stats_write(d->srv.stats, f, calls_active(d->srv.calls));
	trace_counts(d->srv.trace, &m, &dec);
	fprintf(f, "trace records written: %lu messages, %lu decision steps\n", m, dec);
	return 0;
}

static int
cmd_calls(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	call_write_all(d->srv.calls, f);
	return 0;
}

static int
cmd_trunks(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	peers_write(d->srv.peers, f);
	media_write(d->srv.media, f);
	return 0;
}

static int
cmd_reload(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	if (d->reload != NULL) {
		fprintf(f, "a reload of %s is in progress: ask again when it ends\n", d->path);
		return 1;
	}
	if (daemon_reload(d, control_later(who)) == -1) {
		fprintf(f, "reload of %s: cannot start: %s\n", d->path, strerror(errno));
		return 1;
	}
	return CONTROL_LATER;
}

/*
 * Splits trace start's arguments: outputs (text=FILE, pcap=FILE,
 * hep=udp:HOST:PORT) into *out, filter terms to the front of argv.
 * Returns how many filter terms there are, or -1 (err set).
 */
static int
trace_args(int argc, char **argv, struct conf_trace *out, bool *any, char *err,
    size_t errlen)
{
	int nterms = 0;

	*any = false;
	for (int i = 0; i < argc; i++) {
		const char **slot = strncmp(argv[i], "text=", 5) == 0 ? &out->text_file :
		    strncmp(argv[i], "pcap=", 5) == 0 ? &out->pcap_file :
		    strncmp(argv[i], "hep=", 4) == 0 ? &out->hep_address : NULL;
		const char *v = slot != NULL ? strchr(argv[i], '=') + 1 : NULL;

		if (slot == NULL) {
			argv[nterms++] = argv[i];
			continue;
		}
		if (slot != &out->hep_address && v[0] != '/') {
			snprintf(err, errlen, "%s: the file must be an absolute path", argv[i]);
			return -1;
		}
		if (slot == &out->hep_address && (strncmp(v, "udp:", 4) != 0 ||
		    strrchr(v + 4, ':') == NULL)) {
			snprintf(err, errlen, "%s: must look like hep=udp:HOST:PORT", argv[i]);
			return -1;
		}
		*slot = v;
		*any = true;
	}
	return nterms;
}

/* trace start [OUTPUT]... [FILTER]... | trace stop | trace */
static int
cmd_trace(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	struct conf_trace outputs = { .hep_capture_id = d->srv.conf->trace.hep_capture_id };
	struct trace_filter filter;
	char err[600];
	bool any;
	int nterms, rc = 0;

	if (argc >= 2 && strcmp(argv[1], "start") == 0) {
		nterms = trace_args(argc - 2, argv + 2, &outputs, &any, err, sizeof(err));
		if (nterms == -1 || trace_filter_parse(&filter, nterms, argv + 2, err,
		    sizeof(err)) == -1) {
			fprintf(f, "%s\n", err);
			return 2;
		}
		if (any && trace_outputs_set(d->srv.trace, &outputs, err, sizeof(err)) == -1) {
			fprintf(f, "%s\n", err);
			rc = 1;		/* traced all the same, to what did open */
		}
		trace_set(d->srv.trace, true, true, &filter);
		trace_filter_format(&filter, err, sizeof(err));
		log_info("control: trace started: %s", err);
	} else if (argc == 2 && strcmp(argv[1], "stop") == 0) {
		trace_set(d->srv.trace, false, false, NULL);
		trace_outputs_reset(d->srv.trace, &d->srv.conf->trace);
		log_info("control: trace stopped");
	} else if (argc != 1) {
		fprintf(f, "usage: trace start [text=FILE|pcap=FILE|hep=udp:HOST:PORT]... "
		    "[number=N|number=PREFIX*|trunk=NAME|call-id=ID]... | trace stop\n");
		return 2;
	}
	write_trace_state(&d->srv, f);
	return rc;
}

static int
cmd_cdr(struct daemon *d, const struct control_peer *who, int argc, char **argv, FILE *f)
{
	if (argc != 2 || strcmp(argv[1], "reopen") != 0) {
		fprintf(f, "usage: cdr reopen\n");
		return 2;
	}
	if (d->srv.conf->cdr.file == NULL) {
		fprintf(f, "no cdr file is configured\n");
		return 1;
	}
	if (cdr_reopen(d->srv.cdr) == -1) {
		fprintf(f, "cdr: cannot open %s: %s\n", d->srv.conf->cdr.file, strerror(errno));
		return 1;
	}
	fprintf(f, "cdr: %s reopened\n", d->srv.conf->cdr.file);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct daemon *, const struct control_peer *, int, char **, FILE *);
	bool logged;		/* changes state: logged with who asked */
} commands[] = {
	{ "status", cmd_status, false },
	{ "stats", cmd_stats, false },
	{ "calls", cmd_calls, false },
	{ "trunks", cmd_trunks, false },
	{ "reload", cmd_reload, true },
	{ "trace", cmd_trace, true },
	{ "cdr", cmd_cdr, true },
};

int
daemon_command(void *arg, const struct control_peer *who, int argc, char **argv, FILE *out)
{
	struct daemon *d = (struct daemon *)arg;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[0]) != 0)
			continue;
		if (commands[i].logged)
			log_info("control: %s by uid %u (pid %d)", argv[0], (unsigned)who->uid,
			    (int)who->pid);
		return commands[i].fn(d, who, argc, argv, out);
	}
	fprintf(out, "unknown command \"%s\"\n", argv[0]);
	return 2;
}
