/*
 * ldapdir: users read from a directory (Active Directory with the Lync
 * schema, or any LDAP server), kept current without a reload.
 *
 * Who owns what:
 * - struct dirsnap is one load of the directory: its users and their
 *   lookup tables (directory.h). It is immutable once built and counted
 *   by references, which only the event loop takes and drops; a
 *   configuration snapshot points at the current one (conf.h's
 *   conf_find_user and conf_find_number look there after the file's
 *   users, which thus override the directory's).
 * - ldapdir_load() talks to the server. It runs on a thread of its own,
 *   so that lookups never wait on the directory, and reads nothing the
 *   event loop changes: the settings are its own copy, the snapshot it
 *   starts from is immutable.
 * - The daemon (daemon.c) schedules loads: a full one at start and
 *   every full_interval, one of what changed since (modifyTimestamp or
 *   whenChanged at least the newest the last load saw) every
 *   poll_interval, a failed one retried with back-off; it swaps each new
 *   snapshot in.
 *
 * An entry gives a user when it has a number in E.164 (spaces, dashes,
 * dots and parentheses are dropped; "tel:" is optional) and a SIP URI
 * (an address without a scheme gets sip:), and is not disabled. A number
 * that two entries hold is given to neither: it is counted and logged.
 * A deleted entry goes at the next full load (a delta only sees entries
 * that still exist).
 */
#ifndef SIPMED_LDAPDIR_H
#define SIPMED_LDAPDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "directory.h"

struct conf_ldap;

struct dirsnap;

/* The users a snapshot holds and how the load went, for status and logs. */
struct dirsnap_info {
	size_t users;
	size_t skipped;		/* entries with no usable number or URI, or disabled */
	size_t duplicates;	/* numbers held by two entries or more: given to none */
	char duplicate[400];	/* the first of them, and by whom, for the log */
	time_t loaded;		/* when the load finished */
	bool full;		/* a full load, else a delta on top of one */
	char mark[32];		/* the newest change time seen (the next delta's start) */
};

/*
 * Loads the directory cfg names: all of it when base is NULL, else what
 * changed since base's mark, merged into a copy of base. Returns the new
 * snapshot (one reference); or NULL with *unchanged set when a delta
 * found nothing base does not hold already; or NULL with the reason in
 * err (the LDAP error and what was being done). Safe on any thread.
 */
struct dirsnap *ldapdir_load(const struct conf_ldap *cfg, const struct dirsnap *base,
    bool *unchanged, char *err, size_t errlen);

/* Connects and binds only: what sipmed -n checks. 0, or -1 with err. */
int ldapdir_check(const struct conf_ldap *cfg, char *err, size_t errlen);

struct dirsnap *dirsnap_ref(struct dirsnap *);
void dirsnap_unref(struct dirsnap *);
const struct dirsnap_info *dirsnap_info(const struct dirsnap *);
/* The snapshot's users by SIP URI and by number (directory.h). */
const struct directory *dirsnap_directory(const struct dirsnap *);

#endif
