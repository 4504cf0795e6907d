/*
 * sipmed: the daemon. "sipmed -c FILE -n" checks a configuration and
 * exits; "sipmed -c FILE" loads it and runs in the foreground.
 *
 * It runs one su_root event loop (server.c, call.c, control.c). SIGHUP
 * reloads the configuration (the old snapshot stays when the new one has
 * errors), as sipmedctl reload does; SIGTERM or SIGINT drain the calls in
 * progress (daemon.c) and stop, a second one stops at once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "call.h"
#include "cdr.h"
#include "conf.h"
#include "control.h"
#include "daemon.h"
#include "dirsync.h"
#include "ldapdir.h"
#include "log.h"
#include "metrics.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static volatile sig_atomic_t got_hup, got_term;

static void on_hup(int sig) { got_hup = 1; }
/* 1: drain the calls; after the loop has seen it (2), a second one: now */
static void on_term(int sig) { got_term = got_term == 0 ? 1 : 3; }

static void
usage(void)
{
	fprintf(stderr, "usage: sipmed [-dnv] [-c file] [-s socket]\n"
	    "  -c file  configuration (default " SYSCONFDIR "/sipmed.conf)\n"
	    "  -s path  control socket (default: control.socket of the configuration)\n"
	    "  -n       check the configuration and exit\n"
	    "  -d       log to syslog instead of stderr\n"
	    "  -v       more verbose logging\n");
	exit(2);
}

/* Signals only set flags; the event loop acts on them here. */
static void
signal_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;

	if (got_hup) {
		/* logrotate's convention too: the record file is opened anew */
		got_hup = 0;
		cdr_reopen(d->srv.cdr);
		daemon_reload(d, NULL);
	}
	if (got_term == 1) {
		got_term = 2;
		daemon_drain(d);
	} else if (got_term > 2) {
		log_info("stopping at once: a second signal");
		su_root_break(d->root);
		return;
	}
	if (daemon_drained(d))
		su_root_break(d->root);
}

static int
run(const char *path, const char *socket, struct conf *c)
{
	struct daemon d = { .path = path };
	su_timer_t *tick;

	su_init();
	d.root = su_root_create(NULL);
	d.started = d.loaded = time(NULL);
	if (d.root == NULL || (d.dirsync = dirsync_new(d.root)) == NULL)
		fatalx("cannot start the event loop");
	dirsync_adopt(d.dirsync, c);
	if (server_start(&d.srv, d.root, c) == -1)
		fatalx("cannot start the SIP server");
	/* opened once, like the listeners: a reload does not move it */
	if (c->metrics.listen != NULL &&
	    (d.metrics = metrics_start(d.root, c->metrics.listen, &d.srv)) == NULL)
		fatalx("cannot serve metrics on %s", c->metrics.listen);
	d.control = control_open(d.root, socket != NULL ? socket : c->control.socket,
	    &c->control, daemon_command, &d);
	if (d.control == NULL)
		fatalx("cannot open the control socket");
	daemon_summary(c, NULL);
	signal(SIGHUP, on_hup);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	tick = su_timer_create(su_root_task(d.root), 100);
	su_timer_set_for_ever(tick, signal_tick, (su_timer_arg_t *)&d);
	su_root_run(d.root);
	/* the calls handled as sipmedctl stats counts them: refused ones too */
	log_info("stopping: %lu calls active, %lu calls in total", calls_active(d.srv.calls),
	    calls_total(d.srv.calls));
	su_timer_destroy(tick);
	daemon_reload_wait(&d);
	control_close(d.control);
	dirsync_free(d.dirsync);
	metrics_stop(d.metrics);
	server_stop(&d.srv);
	su_root_destroy(d.root);
	su_deinit();
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *path = SYSCONFDIR "/sipmed.conf", *socket = NULL;
	bool check = false, daemon_log = false;
	int ch, verbose = 1, rc;
	struct conf *c;

	while ((ch = getopt(argc, argv, "c:dns:v")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 's': socket = optarg; break;
		case 'd': daemon_log = true; break;
		case 'n': check = true; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("sipmed", daemon_log, verbose);
	c = daemon_load(path, check ? stderr : NULL);
	if (check) {
		char err[512];

		/* the one check that needs the network: the directory's bind */
		if (c != NULL && c->directory.uri != NULL &&
		    ldapdir_check(&c->directory, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: directory %s: %s\n", path, c->directory.uri, err);
			conf_unref(c);
			return 1;
		}
		if (c != NULL)
			printf("configuration OK\n");
		conf_unref(c);
		return c != NULL ? 0 : 1;
	}
	if (c == NULL)
		fatalx("%s: configuration refused", path);
	rc = run(path, socket, c);
	conf_unref(c);
	return rc;
}
