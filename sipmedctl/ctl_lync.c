/*
 * ctl_lync: sipmedctl import-lync and export-lync, the way in from a
 * Lync, Skype for Business or Teams voice configuration and the way back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "lync.h"

static int
import_usage(void)
{
	fprintf(stderr, "usage: sipmedctl import-lync [--users FILE.csv]... [--domain DOMAIN] "
	    "[--pool URI] [--pool-identity NAME] [--site HOST=SITE]... SCRIPT...\n");
	return 1;
}

static int
strs_push(su_home_t *home, struct lync_strs *s, const char *v)
{
	const char **nv = su_realloc(home, s->v, (s->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	s->v = nv;
	s->v[s->n++] = v;
	return 0;
}

/*
 * --site HOST=SITE: what the topology says and scripts do not, the site
 * of a gateway or of a registrar pool (a user's RegistrarPool in --users).
 */
static int
site_option(struct lync *l, const char *v)
{
	const char *eq = strchr(v, '=');

	if (eq == NULL || eq == v || eq[1] == '\0') {
		fprintf(stderr, "sipmedctl: --site wants HOST=SITE, not \"%s\"\n", v);
		return -1;
	}
	if (strs_push(l->home, &l->site_hosts, su_strndup(l->home, v, (size_t)(eq - v))) == -1 ||
	    strs_push(l->home, &l->site_names, eq + 1) == -1)
		return -1;
	return 0;
}

/*
 * Exit status: 0 when everything was mapped, 2 when something was skipped
 * (each said on standard error), 1 when nothing was written (a file that
 * cannot be read or parsed, a bad option).
 */
int
ctl_import_lync(struct ctl *ctl, int argc, char **argv)
{
	su_home_t *home = su_home_new(sizeof(*home));
	struct lync l = { .home = home };
	struct lync_strs users = { NULL, 0 };
	char err[1024];
	int i, rc = 1;

	if (home == NULL)
		return 1;
	for (i = 0; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		}
		if (val == NULL)
			goto usage;
		i++;
		if (strcmp(opt, "--users") == 0) {
			if (strs_push(home, &users, val) == -1)
				goto out;
		}
		else if (strcmp(opt, "--domain") == 0)
			l.domain = val;
		else if (strcmp(opt, "--pool") == 0)
			l.pool = val;
		else if (strcmp(opt, "--pool-identity") == 0)
			l.pool_identity = val;
		else if (strcmp(opt, "--site") == 0) {
			if (site_option(&l, val) == -1)
				goto out;
		} else
			goto usage;
	}
	if (i == argc)
		goto usage;
	for (int k = i; k < argc; k++)
		if (lync_import_file(&l, argv[k], err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	for (size_t k = 0; k < users.n; k++)
		if (lync_import_users(&l, users.v[k], err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	lync_write(&l, stdout, argc - i, argv + i);
	rc = l.warnings > 0 ? 2 : 0;
	goto out;
usage:
	rc = import_usage();
out:
	su_home_unref(home);
	return rc;
}
