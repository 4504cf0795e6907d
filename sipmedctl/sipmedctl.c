/*
 * sipmedctl: the administrator's tool. This file holds the command table
 * and option parsing; the offline test commands (Lync's Test-Cs* cmdlets)
 * are in ctl_test.c and ctl_cases.c. Offline commands need no running
 * daemon: they load the configuration file themselves and run the same
 * decision code as live calls. Live commands (ctl_live.c) ask the running
 * sipmed over its control socket.
 *
 * Exit status: 0 success (a match, a routed call, all cases passed),
 * 1 a negative answer (no match, a rejected call, a failed case, a
 * refused reload), 2 a usage or configuration error, 3 sipmed could not
 * be reached.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ldapdir.h"
#include "trace.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static int ctl_help(struct ctl *, int, char **);

static const struct ctl_cmd {
	const char *name;
	const char *args;
	int minargs, maxargs;
	int (*fn)(struct ctl *, int, char **);
	const char *help;
	bool live;		/* fn gets the command word too */
} commands[] = {
	{ "test-dialplan", "PLAN NUMBER", 2, 2, ctl_test_dialplan,
	  "translate NUMBER with dial plan PLAN: the result, then the rule", false },
	{ "test-trunk", "TRUNK CALLED [CALLING]", 2, 3, ctl_test_trunk,
	  "the called (and calling) number as sent to TRUNK", false },
	{ "test-inbound", "TRUNK CALLED [CALLING]", 2, 3, ctl_test_inbound,
	  "a call from TRUNK: normalized number, then the user's URI or the rejection", false },
	{ "test-outbound", "CALLER DIALED [FOR_USER [REASON]]", 2, 4, ctl_test_outbound,
	  "a call by CALLER (a user's URI; or anyone's, placed by the pool for FOR_USER: "
	  "forwarding, simul-ring, team-call, delegation, transfer): normalized number, "
	  "route, trunk, called, calling", false },
	{ "test-cases", "CASES_FILE", 1, 1, ctl_test_cases,
	  "run the regression cases in CASES_FILE, report pass or fail for each", false },
	{ "import-lync", "[--users CSV] [--domain D] [--pool URI] [--site HOST=SITE] SCRIPT...",
	  1, 64, ctl_import_lync, "write a sipmed configuration from Lync, Skype for Business "
	  "or Teams voice scripts", false },
	{ "export-lync", "", 0, 0, ctl_export_lync,
	  "write the Management Shell script that rebuilds this configuration's voice "
	  "settings", false },
	{ "status", "", 0, 0, ctl_live, "live: version, uptime, configuration, calls, trace",
	  true },
	{ "stats", "", 0, 0, ctl_live, "live: calls by outcome, failures by trunk and status, "
	  "rule hits", true },
	{ "calls", "", 0, 0, ctl_live, "live: active calls with both legs", true },
	{ "trunks", "", 0, 0, ctl_live, "live: the pool's and each trunk's health", true },
	{ "reload", "", 0, 0, ctl_live, "live: load the configuration anew; errors are "
	  "printed and the running one stays", true },
	{ "trace", "start [OUT]... [FILTER]...|stop", 0, TRACE_TERMS_MAX + 4, ctl_live,
	  "live: trace messages and decisions of calls matching FILTER (number=N, "
	  "number=PREFIX*, trunk=NAME, call-id=ID; none: all) to OUT (text=FILE, "
	  "pcap=FILE, hep=udp:HOST:PORT; none: the configuration's), or stop", true },
	{ "cdr", "reopen", 1, 1, ctl_live, "live: open the call detail record file anew "
	  "(after logrotate moved it)", true },
	{ "help", "", 0, 0, ctl_help, "list the commands", false },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: sipmedctl [-c FILE] [-s SOCKET] [--json] [--trace] COMMAND [ARGS]\n"
	    "  -c FILE   configuration (default " SYSCONFDIR "/sipmed.conf)\n"
	    "  -s SOCKET the running sipmed's control socket (default: the "
	    "configuration's control.socket)\n"
	    "  --json    answer with one JSON object\n"
	    "  --trace   print every decision step on stderr\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %-24s %s\n", commands[i].name, commands[i].args,
		    commands[i].help);
	fprintf(f, "\nOffline commands read the configuration file; live commands ask the "
	    "running sipmed.\n");
}

static int
ctl_help(struct ctl *ctl, int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static void
print_conf_msg(void *arg, enum conf_severity sev, const char *msg)
{
	/* Warnings do not stop a test; they would clutter its answer. */
	if (sev == CONF_ERROR || arg != NULL)
		fprintf(stderr, "%s\n", msg);
}

struct conf *
ctl_conf(struct ctl *ctl)
{
	if (ctl->conf == NULL) {
		ctl->conf = conf_load(ctl->conf_path, print_conf_msg,
		    ctl->trace ? (void *)ctl : NULL);
		if (ctl->conf == NULL) {
			fprintf(stderr, "sipmedctl: %s: configuration refused\n", ctl->conf_path);
			exit(2);
		}
	}
	return ctl->conf;
}

struct conf *
ctl_conf_users(struct ctl *ctl)
{
	struct conf *c = ctl_conf(ctl);
	struct dirsnap *snap;
	bool unchanged;
	char err[512];

	if (c->directory.uri == NULL || c->ldap != NULL)
		return c;
	/* the directory's users too, as the running sipmed has them */
	snap = ldapdir_load(&c->directory, NULL, &unchanged, err, sizeof(err));
	if (snap == NULL)
		fprintf(stderr, "sipmedctl: directory %s: %s; answering from the file's users "
		    "only\n", c->directory.uri, err);
	conf_set_directory(c, snap);
	dirsnap_unref(snap);
	return c;
}

static void
trace_line(void *arg, const char *line)
{
	fprintf(stderr, "trace: %s\n", line);
}

const struct dtrace *
ctl_dtrace(struct ctl *ctl)
{
	if (!ctl->trace)
		return NULL;
	ctl->dtrace.step_f = trace_line;
	ctl->dtrace.arg = ctl;
	return &ctl->dtrace;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .conf_path = SYSCONFDIR "/sipmed.conf" };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+c:s:jth", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': ctl.conf_path = optarg; break;
		case 's': ctl.socket_path = optarg; break;
		case 'j': ctl.json = true; break;
		case 't': ctl.trace = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct ctl_cmd *cmd = &commands[i];

		if (strcmp(cmd->name, argv[0]) != 0)
			continue;
		if (argc - 1 < cmd->minargs || argc - 1 > cmd->maxargs) {
			fprintf(stderr, "usage: sipmedctl %s %s\n", cmd->name, cmd->args);
			return 2;
		}
		rc = cmd->live ? cmd->fn(&ctl, argc, argv) : cmd->fn(&ctl, argc - 1, argv + 1);
		conf_unref(ctl.conf);
		return rc;
	}
	fprintf(stderr, "sipmedctl: unknown command \"%s\" (sipmedctl help lists them)\n",
	    argv[0]);
	return 2;
}
