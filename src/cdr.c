/*
 * cdr: see cdr.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cdr.h"
#include "conf.h"
#include "log.h"

struct cdr {
	char *path;		/* NULL: no file */
	int fd;
	bool syslog;
	unsigned long failed;	/* writes that failed since the last one logged */
};

struct cdr *
cdr_new(void)
{
	struct cdr *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->fd = -1;
	return c;
}

int
cdr_reopen(struct cdr *c)
{
	int fd;

	if (c->path == NULL)
		return 0;
	fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_warn("cdr: cannot open %s", c->path);
		return -1;
	}
	if (c->fd != -1)
		close(c->fd);
	c->fd = fd;
	return 0;
}

int
cdr_configure(struct cdr *c, const struct conf_cdr *conf)
{
	c->syslog = conf->syslog;
	if (conf_same_str(c->path, conf->file))
		return 0;
	free(c->path);
	c->path = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (conf->file == NULL)
		return 0;
	if ((c->path = strdup(conf->file)) == NULL)
		return -1;
	if (cdr_reopen(c) == -1)
		return -1;
	log_info("cdr: writing call detail records to %s", c->path);
	return 0;
}

bool
cdr_on(const struct cdr *c)
{
	return c != NULL && (c->fd != -1 || c->syslog);
}

void
cdr_write(struct cdr *c, const char *line, size_t len)
{
	if (c->fd != -1 && write(c->fd, line, len) != (ssize_t)len && c->failed++ == 0)
		log_warn("cdr: cannot write to %s (further failures are not logged until "
		    "one succeeds)", c->path);
	else if (c->fd != -1)
		c->failed = 0;
	if (c->syslog)
		syslog(LOG_NOTICE, "cdr %.*s", (int)(len > 0 ? len - 1 : 0), line);
}

void
cdr_free(struct cdr *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	free(c->path);
	free(c);
}
