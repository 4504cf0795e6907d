/*
 * log: stderr or syslog output for the daemon and the tools. Under
 * systemd (JOURNAL_STREAM set) each stderr line starts with its syslog
 * level as "<N>", which the journal reads as the line's priority. The *_warn
 * and fatal forms append strerror(errno); the *x forms do not. log_debug
 * prints only at verbosity 2 or more, log_info at 1 or more.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "sipmed";
static bool log_syslog;
static bool log_journal;	/* stderr is systemd's journal: "<N>" levels */
static int log_level = 1;

void
log_init(const char *progname, bool to_syslog, int verbosity)
{
	log_prog = progname;
	log_syslog = to_syslog;
	log_level = verbosity;
	log_journal = !to_syslog && getenv("JOURNAL_STREAM") != NULL;
	if (to_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_emit(int pri, int errnum, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_syslog) {
		if (errnum)
			syslog(pri, "%s: %s", buf, strerror(errnum));
		else
			syslog(pri, "%s", buf);
		return;
	}
	if (log_journal)
		fprintf(stderr, "<%d>", pri);
	if (errnum)
		fprintf(stderr, "%s: %s: %s\n", log_prog, buf, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_prog, buf);
}

#define LOG_BODY(pri, errnum) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_emit((pri), (errnum), fmt, ap);	\
	va_end(ap);				\
} while (0)

void log_warn(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_WARNING, e); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_WARNING, 0); }

/* Events an operator must see at any verbosity (an emergency call). */
void
log_notice(const char *fmt, ...)
{
	LOG_BODY(LOG_NOTICE, 0);
}

void
log_info(const char *fmt, ...)
{
	if (log_level >= 1)
		LOG_BODY(LOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	if (log_level >= 2)
		LOG_BODY(LOG_DEBUG, 0);
}

void fatal(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_CRIT, e); exit(1); }
void fatalx(const char *fmt, ...) { LOG_BODY(LOG_CRIT, 0); exit(1); }
