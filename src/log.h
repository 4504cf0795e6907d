/*
 * log: sipmed's one logging API. Messages go to stderr in the foreground
 * and to syslog when log_init() is told so. Messages are lower case with
 * no trailing period, subject first: "call %s: trunk %s timed out".
 */
#ifndef SIPMED_LOG_H
#define SIPMED_LOG_H

#include <stdbool.h>

void log_init(const char *progname, bool to_syslog, int verbosity);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
