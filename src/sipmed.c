/*
 * sipmed: the daemon. "sipmed -c FILE -n" checks a configuration and
 * exits; "sipmed -c FILE" loads it and runs in the foreground.
 *
 * It runs one su_root event loop (server.c, call.c). SIGHUP reloads the
 * configuration (the old snapshot stays when the new one has errors);
 * SIGTERM or SIGINT stop it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "conf.h"
#include "log.h"
#include "server.h"
#include "tls.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static volatile sig_atomic_t got_hup, got_term;

static void on_hup(int sig) { got_hup = 1; }
static void on_term(int sig) { got_term = 1; }

static void
usage(void)
{
	fprintf(stderr, "usage: sipmed [-dnv] [-c file]\n"
	    "  -c file  configuration (default " SYSCONFDIR "/sipmed.conf)\n"
	    "  -n       check the configuration and exit\n"
	    "  -d       log to syslog instead of stderr\n"
	    "  -v       more verbose logging\n");
	exit(2);
}

static void
print_msg(void *arg, enum conf_severity sev, const char *msg)
{
	if (arg != NULL)
		log_warnx("%s", msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/*
 * Loads a configuration: the loader checks its form, then the files
 * behind its tls group are checked here (the loader never reads them, so
 * that sipmedctl works without certificates).
 */
static struct conf *
load(const char *path, void *msgarg)
{
	struct conf *c = conf_load(path, print_msg, msgarg);
	char err[1024], msg[1200];

	if (c != NULL && c->tls.certificate != NULL &&
	    tls_check_files(&c->tls, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", path, err);
		print_msg(msgarg, CONF_ERROR, msg);
		conf_unref(c);
		c = NULL;
	}
	return c;
}

static void
summary(const struct conf *c)
{
	size_t rules = 0;

	for (size_t i = 0; i < c->ndial_plans; i++)
		rules += ruleset_count(c->dial_plans[i].rules);
	log_info("configuration %s: %zu dial plans (%zu rules), %zu trunks, %zu routes, "
	    "%zu users", c->path, c->ndial_plans, rules, c->ntrunks, c->nroutes, c->nusers);
}

struct daemon {
	const char *path;
	struct server srv;
	su_root_t *root;
};

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether what the listeners were opened with is unchanged. */
static bool
same_listeners(const struct conf *a, const struct conf *b)
{
	const struct conf_tls *x = &a->tls, *y = &b->tls;

	if (a->server.listen.n != b->server.listen.n)
		return false;
	for (size_t i = 0; i < a->server.listen.n; i++)
		if (strcmp(a->server.listen.v[i], b->server.listen.v[i]) != 0)
			return false;
	return same_str(x->certificate, y->certificate) && same_str(x->private_key,
	    y->private_key) && same_str(x->ca, y->ca) && same_str(x->passphrase,
	    y->passphrase) && x->verify_peer == y->verify_peer &&
	    x->verify_depth == y->verify_depth && x->handshake_timeout == y->handshake_timeout &&
	    same_str(x->min_version, y->min_version);
}

/*
 * A new snapshot serves new calls; calls in progress keep theirs. The
 * listeners (server.listen and the tls group) are opened once: a change
 * to them takes effect at the next start.
 */
static void
reload(struct daemon *d)
{
	struct conf *n = load(d->path, "log");

	if (n == NULL) {
		log_warnx("reload of %s refused: the running configuration stays", d->path);
		return;
	}
	if (!same_listeners(d->srv.conf, n))
		log_warnx("reload of %s: server.listen and tls changes take effect at the next "
		    "start; the listeners keep their settings", d->path);
	server_set_conf(&d->srv, n);
	conf_unref(n);
	summary(n);
}

/* Signals only set flags; the event loop acts on them here. */
static void
signal_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;

	if (got_hup) {
		got_hup = 0;
		reload(d);
	}
	if (got_term)
		su_root_break(d->root);
}

static int
run(const char *path, struct conf *c)
{
	struct daemon d = { .path = path };
	su_timer_t *tick;

	su_init();
	d.root = su_root_create(NULL);
	if (d.root == NULL || server_start(&d.srv, d.root, c) == -1)
		fatalx("cannot start the SIP server");
	signal(SIGHUP, on_hup);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	tick = su_timer_create(su_root_task(d.root), 100);
	su_timer_set_for_ever(tick, signal_tick, (su_timer_arg_t *)&d);
	su_root_run(d.root);
	log_info("stopping: %lu calls active, %lu calls in total", d.srv.calls_active,
	    d.srv.calls_total);
	su_timer_destroy(tick);
	server_stop(&d.srv);
	su_root_destroy(d.root);
	su_deinit();
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *path = SYSCONFDIR "/sipmed.conf";
	bool check = false, daemon_log = false;
	int ch, verbose = 1, rc;
	struct conf *c;

	while ((ch = getopt(argc, argv, "c:dnv")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': daemon_log = true; break;
		case 'n': check = true; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("sipmed", daemon_log, verbose);
	c = load(path, check ? NULL : "log");
	if (check) {
		if (c != NULL)
			printf("configuration OK\n");
		conf_unref(c);
		return c != NULL ? 0 : 1;
	}
	if (c == NULL)
		fatalx("%s: configuration refused", path);
	summary(c);
	rc = run(path, c);
	conf_unref(c);
	return rc;
}
