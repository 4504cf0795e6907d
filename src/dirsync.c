/*
 * dirsync: the directory's loads, scheduled on the event loop and run on
 * a thread (see dirsync.h). The thread reads its own reference of the
 * configuration whose settings it uses and the snapshot it starts from,
 * both immutable; the loop learns of the end through a pipe.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "dirsync.h"
#include "ldapdir.h"
#include "log.h"

struct load {
	pthread_t thread;
	struct conf *conf;		/* whose settings it uses */
	struct dirsnap *base;		/* a delta's starting point, or NULL */
	struct dirsnap *result;
	bool unchanged;			/* a delta found nothing new */
	char err[512];
	struct timespec started;
};

struct dirsync {
	su_root_t *root;
	struct conf *conf;		/* the running configuration */
	su_timer_t *timer;		/* the next load */
	int pipe[2];
	int index;			/* su_root registration of pipe[0] */
	struct load *load;		/* in progress, or NULL */
	struct dirsnap *snap;		/* the last good one, or NULL */
	time_t full_at;			/* when the next full load is due */
	unsigned backoff;		/* seconds before the next try after a failure */
	unsigned failures;		/* failed loads in a row */
	char err[512];			/* the last failure's reason */
	time_t failed_at;
};

static const struct conf_ldap *
settings(const struct dirsync *ds)
{
	return ds->conf != NULL && ds->conf->directory.uri != NULL ? &ds->conf->directory : NULL;
}

static void *
load_run(void *arg)
{
	struct dirsync *ds = (struct dirsync *)arg;
	struct load *l = ds->load;

	l->result = ldapdir_load(&l->conf->directory, l->base, &l->unchanged, l->err,
	    sizeof(l->err));
	if (write(ds->pipe[1], "", 1) != 1)
		log_warn("directory: cannot wake the event loop");
	return NULL;
}

static void load_start(struct dirsync *ds, bool full);

static void
timer_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct dirsync *ds = (struct dirsync *)arg;

	if (settings(ds) != NULL && ds->load == NULL)
		load_start(ds, ds->snap == NULL || time(NULL) >= ds->full_at ||
		    settings(ds)->poll_interval == 0);
}

static void
schedule(struct dirsync *ds, unsigned seconds)
{
	su_timer_set_interval(ds->timer, timer_cb, (su_timer_arg_t *)ds, seconds * 1000);
}

static void
load_start(struct dirsync *ds, bool full)
{
	struct load *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		schedule(ds, 5);
		return;
	}
	l->conf = conf_ref(ds->conf);
	l->base = full ? NULL : dirsnap_ref(ds->snap);
	clock_gettime(CLOCK_MONOTONIC, &l->started);
	ds->load = l;
	if (pthread_create(&l->thread, NULL, load_run, ds) != 0) {
		log_warnx("directory: cannot start a load");
		ds->load = NULL;
		dirsnap_unref(l->base);
		conf_unref(l->conf);
		free(l);
		schedule(ds, 5);
	}
}

/* The next try after a failure: 5 s, then twice as long up to the poll interval. */
static unsigned
next_backoff(const struct dirsync *ds)
{
	unsigned max = settings(ds)->poll_interval ? settings(ds)->poll_interval : 300;

	if (ds->backoff == 0)
		return 5 < max ? 5 : max;
	return ds->backoff * 2 < max ? ds->backoff * 2 : max;
}

static void
load_done_apply(struct dirsync *ds, struct load *l)
{
	const struct conf_ldap *cfg = settings(ds);
	const struct dirsnap_info *i;
	struct timespec now;
	double ms;

	if (cfg == NULL || l->conf->directory.uri == NULL || strcmp(cfg->uri,
	    l->conf->directory.uri) != 0) {
		dirsnap_unref(l->result);	/* the settings changed meanwhile */
		return;
	}
	if (l->result == NULL && !l->unchanged) {
		ds->failures++;
		ds->failed_at = time(NULL);
		snprintf(ds->err, sizeof(ds->err), "%s", l->err);
		ds->backoff = next_backoff(ds);
		log_warnx("directory %s: %s load failed: %s; %s, next try in %u s", cfg->uri,
		    l->base ? "delta" : "full", l->err, ds->snap ? "calls go on with the last "
		    "good directory" : "no directory users yet", ds->backoff);
		schedule(ds, ds->backoff);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - l->started.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - l->started.tv_nsec) / 1e6;
	if (ds->failures > 0)
		log_info("directory %s: reachable again after %u failed load%s", cfg->uri,
		    ds->failures, ds->failures == 1 ? "" : "s");
	ds->failures = 0;
	ds->backoff = 0;
	if (l->unchanged) {
		log_debug("directory %s: delta load: nothing new, in %.0f ms", cfg->uri, ms);
		schedule(ds, cfg->poll_interval ? cfg->poll_interval : cfg->full_interval);
		return;
	}
	i = dirsnap_info(l->result);
	/* a load that changed nothing is only worth a debug line */
	if (i->full || ds->snap == NULL || i->users != dirsnap_info(ds->snap)->users ||
	    i->duplicates != dirsnap_info(ds->snap)->duplicates)
		log_info("directory %s: %s load: %zu users, %zu entries skipped, %zu "
		    "numbers held by several entries (given to none), in %.0f ms", cfg->uri,
		    i->full ? "full" : "delta", i->users, i->skipped, i->duplicates, ms);
	else
		log_debug("directory %s: delta load: %zu users, in %.0f ms", cfg->uri,
		    i->users, ms);
	if (i->duplicates > 0 && (ds->snap == NULL || strcmp(i->duplicate,
	    dirsnap_info(ds->snap)->duplicate) != 0))
		log_warnx("directory %s: %s: calls to it are unassigned until one entry "
		    "holds it%s", cfg->uri, i->duplicate, i->duplicates > 1 ? " (and more: see "
		    "the count)" : "");
	if (i->full)
		ds->full_at = time(NULL) + cfg->full_interval;
	dirsnap_unref(ds->snap);
	ds->snap = l->result;
	conf_set_directory(ds->conf, ds->snap);
	/*
	 * The snapshot just dropped was built on another thread, in another
	 * malloc arena, which keeps freed memory: give it back, or each full
	 * load of a large directory leaves tens of megabytes behind.
	 */
	malloc_trim(0);
	schedule(ds, cfg->poll_interval ? cfg->poll_interval : cfg->full_interval);
}

static int
load_done(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct dirsync *ds = (struct dirsync *)arg;
	struct load *l = ds->load;
	char c;

	if (read(ds->pipe[0], &c, 1) != 1 || l == NULL)
		return 0;
	pthread_join(l->thread, NULL);
	ds->load = NULL;
	load_done_apply(ds, l);
	dirsnap_unref(l->base);
	conf_unref(l->conf);
	free(l);
	if (settings(ds) != NULL && ds->snap == NULL && ds->failures == 0)
		load_start(ds, true);	/* the settings changed during the load */
	return 0;
}

struct dirsync *
dirsync_new(su_root_t *root)
{
	struct dirsync *ds = calloc(1, sizeof(*ds));
	su_wait_t w[1];

	if (ds == NULL)
		return NULL;
	ds->root = root;
	ds->index = -1;
	ds->pipe[0] = ds->pipe[1] = -1;
	ds->timer = su_timer_create(su_root_task(root), 0);
	if (ds->timer == NULL || pipe(ds->pipe) == -1 ||
	    fcntl(ds->pipe[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(ds->pipe[1], F_SETFD, FD_CLOEXEC) == -1 ||
	    su_wait_create(w, ds->pipe[0], SU_WAIT_IN) == -1 ||
	    (ds->index = su_root_register(root, w, load_done, (su_wakeup_arg_t *)ds, 0)) == -1) {
		dirsync_free(ds);
		return NULL;
	}
	return ds;
}

/* The string settings of a directory, for same_settings(). */
static const size_t string_settings[] = {
	offsetof(struct conf_ldap, uri), offsetof(struct conf_ldap, ca_file),
	offsetof(struct conf_ldap, bind_dn), offsetof(struct conf_ldap, password_file),
	offsetof(struct conf_ldap, base), offsetof(struct conf_ldap, filter),
	offsetof(struct conf_ldap, attr_line), offsetof(struct conf_ldap, attr_uri),
	offsetof(struct conf_ldap, attr_enabled), offsetof(struct conf_ldap, attr_display),
	offsetof(struct conf_ldap, attr_dial_plan), offsetof(struct conf_ldap, attr_voice_policy),
	offsetof(struct conf_ldap, attr_changed),
};

/* Whether a and b load the same users (the intervals only schedule). */
static bool
same_settings(const struct conf_ldap *a, const struct conf_ldap *b)
{
	for (size_t i = 0; i < sizeof(string_settings) / sizeof(string_settings[0]); i++)
		if (!conf_same_str(*(const char *const *)((const char *)a + string_settings[i]),
		    *(const char *const *)((const char *)b + string_settings[i])))
			return false;
	return a->starttls == b->starttls && a->page_size == b->page_size &&
	    a->timeout == b->timeout;
}

void
dirsync_adopt(struct dirsync *ds, struct conf *c)
{
	bool changed = ds->conf == NULL || !same_settings(&ds->conf->directory, &c->directory);
	struct conf *was = ds->conf;

	ds->conf = conf_ref(c);
	conf_unref(was);
	if (!changed) {
		conf_set_directory(c, ds->snap);
		if (settings(ds) != NULL && ds->load == NULL && ds->failures == 0)
			schedule(ds, c->directory.poll_interval ? c->directory.poll_interval :
			    c->directory.full_interval);
		return;
	}
	/* other settings: what the last ones loaded is no longer this directory */
	dirsnap_unref(ds->snap);
	ds->snap = NULL;
	ds->failures = 0;
	ds->backoff = 0;
	ds->err[0] = '\0';
	su_timer_reset(ds->timer);
	if (settings(ds) == NULL)
		return;
	if (was == NULL) {
		/* at start, before any call: the first load is waited for */
		struct load l = { .conf = c };

		clock_gettime(CLOCK_MONOTONIC, &l.started);
		l.result = ldapdir_load(&c->directory, NULL, &l.unchanged, l.err, sizeof(l.err));
		load_done_apply(ds, &l);
		if (ds->snap == NULL)
			log_warnx("directory %s: sipmed starts without its users; calls to them "
			    "fail until a load succeeds", c->directory.uri);
	} else if (ds->load == NULL) {
		load_start(ds, true);	/* else load_done starts it */
	}
}

static void
write_age(FILE *f, time_t t)
{
	long s = (long)(time(NULL) - t);

	fprintf(f, "%ld s ago", s < 0 ? 0 : s);
}

void
dirsync_write(const struct dirsync *ds, FILE *f)
{
	const struct conf_ldap *cfg = settings(ds);

	if (cfg == NULL)
		return;
	fprintf(f, "directory: %s, ", cfg->uri);
	if (ds->snap != NULL) {
		const struct dirsnap_info *i = dirsnap_info(ds->snap);

		fprintf(f, "%zu users (%zu entries skipped, %zu numbers held twice), loaded ",
		    i->users, i->skipped, i->duplicates);
		write_age(f, i->loaded);
	} else {
		fprintf(f, "no users yet");
	}
	if (ds->failures > 0) {
		fprintf(f, "; unreachable: %u failed load%s, the last ", ds->failures,
		    ds->failures == 1 ? "" : "s");
		write_age(f, ds->failed_at);
		fprintf(f, ": %s", ds->err);
	} else if (ds->load != NULL) {
		fprintf(f, "; loading");
	}
	fprintf(f, "\n");
}

void
dirsync_free(struct dirsync *ds)
{
	if (ds == NULL)
		return;
	if (ds->load != NULL) {
		pthread_join(ds->load->thread, NULL);
		dirsnap_unref(ds->load->result);
		dirsnap_unref(ds->load->base);
		conf_unref(ds->load->conf);
		free(ds->load);
	}
	if (ds->index != -1)
		su_root_deregister(ds->root, ds->index);
	if (ds->pipe[0] != -1) {
		close(ds->pipe[0]);
		close(ds->pipe[1]);
	}
	su_timer_destroy(ds->timer);
	dirsnap_unref(ds->snap);
	conf_unref(ds->conf);
	free(ds);
}
