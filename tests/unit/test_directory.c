/*
 * test_directory: users by SIP URI and reverse number lookup
 * (src/directory.c), on the sample configuration's users.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "directory.h"
#include "tap.h"

static void
key_is(const char *uri, const char *want)
{
	char key[256];
	int rc = directory_uri_key(uri, key, sizeof(key));

	if (want == NULL)
		ok(rc == -1, "%s has no lookup key", uri);
	else if (ok(rc == 0, "%s has a lookup key", uri))
		is_str(key, want, "%s: the key", uri);
}

static void
rnl_is(const struct conf *c, const char *number, enum rnl_result want, const char *uri)
{
	struct user *u = NULL;
	enum rnl_result rc = directory_rnl(c->dir, number, &u);

	ok(rc == want, "%s: reverse number lookup gives %d (%d)", number, want, rc);
	if (want == RNL_FOUND && rc == RNL_FOUND)
		is_str(u->uri, uri, "%s is %s's", number, uri);
}

int
main(void)
{
	struct conf *c;

	key_is("sip:alice@contoso.com", "alice@contoso.com");
	key_is("<sips:Alice@Contoso.COM;transport=tls>", "Alice@contoso.com");
	key_is("sip:bob@contoso.com?Subject=x", "bob@contoso.com");
	key_is("tel:+15033121234", NULL);
	key_is("sip:contoso.com", NULL);

	c = conf_load(tap_srcpath("etc/sipmed.conf"), NULL, NULL);
	if (!ok(c != NULL, "the sample configuration loads"))
		return tap_done();
	ok(directory_user(c->dir, "<sip:ceo@Contoso.COM;user=phone>") != NULL,
	    "a user is found whatever the form of the URI (the host in any case)");
	ok(directory_user(c->dir, "sip:mallory@contoso.com") == NULL, "and nobody else");
	rnl_is(c, "+15033121234", RNL_FOUND, "sip:ceo@contoso.com");
	rnl_is(c, "+15033125678;ext=5678", RNL_FOUND, "sip:bob@contoso.com");
	rnl_is(c, "+15033125678", RNL_FOUND, "sip:bob@contoso.com");
	rnl_is(c, "+15033127000;ext=7002", RNL_FOUND, "sip:sales2@contoso.com");
	rnl_is(c, "+15033127000", RNL_AMBIGUOUS, NULL);
	rnl_is(c, "+15033121234;ext=99", RNL_FOUND, "sip:ceo@contoso.com");
	rnl_is(c, "+15033120001", RNL_NOT_FOUND, NULL);
	conf_unref(c);
	return tap_done();
}
