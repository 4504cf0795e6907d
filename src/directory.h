/*
 * directory: the users of a configuration snapshot, found by SIP URI
 * (who is calling) and by number (reverse number lookup, RNL: who owns
 * the number called).
 */
#ifndef SIPMED_DIRECTORY_H
#define SIPMED_DIRECTORY_H

#include <stddef.h>

#include <sofia-sip/su_alloc.h>

struct directory;
struct user;

enum directory_rc {
	DIRECTORY_DUP_URI = 1,
	DIRECTORY_DUP_LINE = 2,
};

enum rnl_result {
	RNL_FOUND,
	RNL_NOT_FOUND,
	RNL_AMBIGUOUS,	/* the base number is shared by several LineURIs */
};

/* Returns an empty directory freed with home, or NULL. */
struct directory *directory_new(su_home_t *home);

/*
 * Adds u (its key and line must be set; u must outlive the directory).
 * Returns 0, DIRECTORY_DUP_URI or DIRECTORY_DUP_LINE with the user
 * already there in *dupp, or -1 when out of memory.
 */
int directory_add(struct directory *, struct user *u, struct user **dupp);

/* Returns the user whose SIP URI is uri (any form directory_uri_key takes), or NULL. */
struct user *directory_user(const struct directory *, const char *uri);

/*
 * Reverse number lookup of an E.164 number, possibly with ;ext=N
 * (reference 4.5): an exact LineURI match first; else, for a number
 * without extension, the one LineURI with that base number (several:
 * RNL_AMBIGUOUS); else, for a number with an extension nobody holds, the
 * LineURI that is the bare base number. *userp is set on RNL_FOUND.
 */
enum rnl_result directory_rnl(const struct directory *, const char *number,
    struct user **userp);

/*
 * Writes the lookup key of a SIP URI ("user@host", host in lower case,
 * without scheme, parameters, headers or angle brackets) to out. Returns
 * 0, or -1 when uri is not a sip:/sips: URI with a user and a host.
 */
int directory_uri_key(const char *uri, char *out, size_t outlen);

#endif
