/*
 * sipmed: the daemon. "sipmed -c FILE -n" checks a configuration and
 * exits; "sipmed -c FILE" loads it and runs in the foreground.
 *
 * The SIP B2BUA is not built yet (issue: the B2BUA core); until then the
 * daemon loads and validates its configuration, reloads it on SIGHUP
 * (keeping the old snapshot when the new one has errors) and stops on
 * SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

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

static void
summary(const struct conf *c)
{
	size_t rules = 0;

	for (size_t i = 0; i < c->ndial_plans; i++)
		rules += ruleset_count(c->dial_plans[i].rules);
	log_info("configuration %s: %zu dial plans (%zu rules), %zu trunks, %zu routes, "
	    "%zu users", c->path, c->ndial_plans, rules, c->ntrunks, c->nroutes, c->nusers);
}

static struct conf *
reload(struct conf *cur, const char *path)
{
	struct conf *n = conf_load(path, print_msg, "log");

	if (n == NULL) {
		log_warnx("reload of %s refused: the running configuration stays", path);
		return cur;
	}
	conf_unref(cur);
	summary(n);
	return n;
}

int
main(int argc, char *argv[])
{
	const char *path = SYSCONFDIR "/sipmed.conf";
	bool check = false, daemon_log = false;
	int ch, verbose = 1;
	struct conf *c;
	sigset_t block, old;

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
	c = conf_load(path, print_msg, check ? NULL : "log");
	if (check) {
		if (c != NULL)
			printf("configuration OK\n");
		conf_unref(c);
		return c != NULL ? 0 : 1;
	}
	if (c == NULL)
		fatalx("%s: configuration refused", path);
	summary(c);
	log_info("the SIP B2BUA is not built yet: configuration loaded, waiting for "
	    "SIGHUP (reload) or SIGTERM");

	signal(SIGHUP, on_hup);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!got_term) {
		sigsuspend(&old);
		if (got_hup) {
			got_hup = 0;
			c = reload(c, path);
		}
	}
	log_info("stopping");
	conf_unref(c);
	return 0;
}
