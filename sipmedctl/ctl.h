/*
 * ctl: what sipmedctl's command files share.
 */
#ifndef SIPMEDCTL_CTL_H
#define SIPMEDCTL_CTL_H

#include <stdbool.h>

#include "conf.h"
#include "decide.h"
#include "dtrace.h"

struct ctl {
	const char *conf_path;
	const char *socket_path;	/* -s, else the configuration's */
	bool json;
	bool trace;		/* print the decision trace on stderr */
	struct conf *conf;	/* loaded on demand by ctl_conf() */
	struct dtrace dtrace;
};

/* Loads the configuration once; on errors prints them and exits 2. */
struct conf *ctl_conf(struct ctl *);
/* ctl_conf() with the directory's users loaded (when it has a directory). */
struct conf *ctl_conf_users(struct ctl *);
/* The decision trace to pass to decide_*(), or NULL when not asked for. */
const struct dtrace *ctl_dtrace(struct ctl *);

/* Each command returns the process exit status. */
int ctl_test_dialplan(struct ctl *, int argc, char **argv);
int ctl_test_trunk(struct ctl *, int argc, char **argv);
int ctl_test_inbound(struct ctl *, int argc, char **argv);
int ctl_test_outbound(struct ctl *, int argc, char **argv);
int ctl_test_cases(struct ctl *, int argc, char **argv);
/* The number a caller's URI (sip:+12065550100@host, tel:...) shows, or "". */
void ctl_caller_number(const char *uri, char *out, size_t outlen);
/* "forwarding", "simul-ring"...: 0, or -1 with a message */
int ctl_behalf_reason(const char *, enum behalf_reason *);
int ctl_import_lync(struct ctl *, int argc, char **argv);
int ctl_export_lync(struct ctl *, int argc, char **argv);
/* A live command: argv (the command and its arguments) to the daemon. */
int ctl_live(struct ctl *, int argc, char **argv);

#endif
