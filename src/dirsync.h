/*
 * dirsync: keeps the users of the directory (ldapdir.h) current while
 * sipmed runs. On the event loop it schedules loads, runs each on a
 * thread of its own, and makes each new snapshot the directory of the
 * running configuration; lookups never wait on the directory.
 *
 * Schedule: a full load at start and every full_interval, a delta every
 * poll_interval in between. A failed load keeps the last good snapshot
 * (calls go on with it), is logged with the LDAP error and is retried
 * after 5 s, then twice as long each time up to poll_interval (or 300 s).
 */
#ifndef SIPMED_DIRSYNC_H
#define SIPMED_DIRSYNC_H

#include <stdio.h>

#include <sofia-sip/su_wait.h>

struct conf;
struct dirsync;

/* A directory kept for root's loop; NULL when out of memory. */
struct dirsync *dirsync_new(su_root_t *root);
/*
 * Makes the directory the one c names (c->directory.uri NULL: none) and
 * gives c the current snapshot: call it with each configuration before it
 * becomes the running one. A change of settings starts a full load.
 */
void dirsync_adopt(struct dirsync *, struct conf *c);
/* The directory's state for sipmedctl status: one line, or none. */
void dirsync_write(const struct dirsync *, FILE *);
/* Waits for a load in progress and frees everything. */
void dirsync_free(struct dirsync *);

#endif
