/*
 * daemon: the running sipmed around its SIP server: loading and reloading
 * the configuration, draining calls to stop, and the answers to the
 * control socket's commands (sipmedctl's live commands). sipmed.c holds
 * main() and the event loop.
 */
#ifndef SIPMED_DAEMON_H
#define SIPMED_DAEMON_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "server.h"

struct control;
struct control_peer;
struct control_later;
struct reload;
struct dirsync;
struct metrics;

struct daemon {
	const char *path;		/* the configuration file */
	su_root_t *root;
	struct server srv;
	struct control *control;
	time_t started, loaded;		/* sipmed's start, the last (re)load */
	time_t drain_deadline;		/* draining: when calls left are ended */
	time_t drained;			/* draining: when the last call ended */
	struct reload *reload;		/* a reload in progress, or NULL */
	bool reload_again;		/* SIGHUP during it: reload once more */
	struct dirsync *dirsync;	/* users from the directory (dirsync.h) */
	struct metrics *metrics;	/* Prometheus metrics (metrics.h), or NULL */
};

/*
 * Loads the configuration file path and checks the files its tls group
 * names. Each error and warning goes to out as "FILE:LINE: message", or
 * to the log when out is NULL. Returns a snapshot, or NULL.
 */
struct conf *daemon_load(const char *path, FILE *out);

/* Logs (and writes to out, if not NULL) what a configuration holds. */
void daemon_summary(const struct conf *, FILE *out);

/*
 * Loads d->path anew, on a thread beside the event loop; when the file has
 * no error, new calls then use it and calls in progress keep theirs.
 * Messages go to the log, and with the exit status to later (a waiting
 * sipmedctl) if not NULL. Returns -1 when no reload starts: one is in
 * progress (a signal's then runs once more after it) or no thread could
 * be made.
 */
int daemon_reload(struct daemon *, struct control_later *later);
/* Waits for a reload in progress and drops its result (at exit). */
void daemon_reload_wait(struct daemon *);

/*
 * Stops taking calls; the event loop ends once no call is left or at the
 * server's drain_timeout (daemon_drained tells).
 */
void daemon_drain(struct daemon *);
/* Whether the daemon is done: drained, or out of time. */
bool daemon_drained(struct daemon *);

/* The control socket's commands (control_cmd_f); arg is the daemon. */
int daemon_command(void *arg, const struct control_peer *who, int argc, char **argv,
    FILE *out);

#endif
