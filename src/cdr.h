/*
 * cdr: where call detail records go. One JSON object per line per call
 * when it ends (call_cdr.c writes them), to the file of the cdr group
 * and/or to syslog. The file is opened for appending and reopened on
 * cdr_reopen() (sipmedctl cdr reopen, SIGHUP: logrotate's convention) or
 * when a reload names another one. The object is written in one write()
 * so that a reader never sees half a record.
 */
#ifndef SIPMED_CDR_H
#define SIPMED_CDR_H

#include <stdbool.h>
#include <stddef.h>

struct conf_cdr;
struct cdr;

/* An output with nowhere to write yet; NULL when out of memory. */
struct cdr *cdr_new(void);
/* Takes c's settings, opening the file when it is another. 0, or -1 (logged). */
int cdr_configure(struct cdr *, const struct conf_cdr *c);
/* Opens the file anew (after logrotate moved it). 0, or -1 with errno (logged). */
int cdr_reopen(struct cdr *);
/* Whether records go anywhere: a call need not build one otherwise. */
bool cdr_on(const struct cdr *);
/* Writes one record, line (len bytes, ending in a newline). */
void cdr_write(struct cdr *, const char *line, size_t len);
void cdr_free(struct cdr *);

#endif
