/*
 * directory: hash maps over the users of one configuration snapshot. It
 * owns no user: they live in the snapshot. It does not normalize numbers;
 * callers pass E.164 numbers.
 */
#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "directory.h"
#include "hmap.h"

/* Users sharing one base number, for the ;ext= rules of RNL. */
struct base_entry {
	struct user *first;
	struct user *bare;	/* the holder of the base number without ;ext= */
	unsigned count;
};

struct directory {
	su_home_t home[1];
	struct hmap *by_uri;	/* key -> user */
	struct hmap *by_line;	/* full LineURI number -> user */
	struct hmap *by_base;	/* base number -> struct base_entry */
};

static void
directory_destroy(void *arg)
{
	struct directory *d = arg;

	hmap_free(d->by_uri);
	hmap_free(d->by_line);
	hmap_free(d->by_base);
}

struct directory *
directory_new(su_home_t *parent)
{
	struct directory *d = su_home_clone(parent, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->by_uri = hmap_new();
	d->by_line = hmap_new();
	d->by_base = hmap_new();
	if (su_home_destructor(d->home, directory_destroy) == -1 || d->by_uri == NULL ||
	    d->by_line == NULL || d->by_base == NULL)
		return NULL;
	return d;
}

int
directory_add(struct directory *d, struct user *u, struct user **dupp)
{
	struct base_entry *b;
	void *old;
	int rc;

	if ((old = hmap_get(d->by_uri, u->key, strlen(u->key))) != NULL) {
		*dupp = old;
		return DIRECTORY_DUP_URI;
	}
	if ((old = hmap_get(d->by_line, u->line.full, strlen(u->line.full))) != NULL) {
		*dupp = old;
		return DIRECTORY_DUP_LINE;
	}
	b = hmap_get(d->by_base, u->line.base, strlen(u->line.base));
	if (b == NULL) {
		b = su_zalloc(d->home, sizeof(*b));
		if (b == NULL || hmap_put(d->by_base, u->line.base, strlen(u->line.base), b,
		    NULL) == -1)
			return -1;
		b->first = u;
	}
	b->count++;
	if (u->line.ext[0] == '\0')
		b->bare = u;
	rc = hmap_put(d->by_uri, u->key, strlen(u->key), u, NULL);
	if (rc == 0)
		rc = hmap_put(d->by_line, u->line.full, strlen(u->line.full), u, NULL);
	return rc == -1 ? -1 : 0;
}

int
directory_uri_key(const char *uri, char *out, size_t outlen)
{
	const char *p = uri, *at, *end;
	size_t ulen, n = 0;

	while (*p == ' ' || *p == '<')
		p++;
	if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	else
		return -1;
	at = strchr(p, '@');
	if (at == NULL || at == p)
		return -1;
	ulen = (size_t)(at - p);
	/* the user part may carry ;params (user=phone lives after the host) */
	end = at + 1 + strcspn(at + 1, ";?>: ");
	if (end == at + 1 || ulen + 1 + (size_t)(end - at - 1) >= outlen)
		return -1;
	memcpy(out, p, ulen);
	n = ulen;
	out[n++] = '@';
	for (const char *h = at + 1; h < end; h++)
		out[n++] = (char)tolower((unsigned char)*h);
	out[n] = '\0';
	return 0;
}

struct user *
directory_user(const struct directory *d, const char *uri)
{
	char key[512];

	if (directory_uri_key(uri, key, sizeof(key)) == -1)
		return NULL;
	return hmap_get(d->by_uri, key, strlen(key));
}

enum rnl_result
directory_rnl(const struct directory *d, const char *number, struct user **userp)
{
	size_t base_len = number_base_len(number);
	struct base_entry *b;
	struct user *u = hmap_get(d->by_line, number, strlen(number));

	if (u != NULL) {
		*userp = u;
		return RNL_FOUND;
	}
	b = hmap_get(d->by_base, number, base_len);
	if (b == NULL)
		return RNL_NOT_FOUND;
	if (number[base_len] != '\0') {
		/* An extension nobody holds: the main (bare) number, if any. */
		if (b->bare == NULL)
			return RNL_NOT_FOUND;
		*userp = b->bare;
		return RNL_FOUND;
	}
	if (b->count > 1)
		return RNL_AMBIGUOUS;
	*userp = b->first;
	return RNL_FOUND;
}
