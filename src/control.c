/*
 * control: the control socket's listener and connections, on the daemon's
 * su_root. A connection is read until its request line is whole, the
 * command runs at once (commands are quick: they read state), and the
 * answer is written as the socket takes it, so that a slow client never
 * blocks calls. What the commands do is the caller's (control_cmd_f).
 */
#define _GNU_SOURCE	/* struct ucred, accept4 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libconfig.h>

#include "control.h"
#include "log.h"

#define DEFAULT_SOCKET "/run/sipmed/sipmed.sock"
#define REQUEST_MAX 4096
#define ARGS_MAX 32

struct conn {
	struct control *ctl;
	int fd, index;			/* su_root registration */
	struct control_peer who;
	char in[REQUEST_MAX];
	size_t inlen;
	char *out;			/* the answer, being written */
	size_t outlen, outpos;
	bool later;			/* the command answers later */
	struct conn *next;
};

struct control {
	su_root_t *root;
	char *path;
	int fd, index;
	gid_t gid;			/* the control group, or (gid_t)-1 */
	control_cmd_f *cmd;
	void *arg;
	struct conn *conns;
};

static void
conn_close(struct conn *c)
{
	struct conn **p = &c->ctl->conns;

	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	if (c->index != -1)
		su_root_deregister(c->ctl->root, c->index);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Whether uid (primary group gid) may use the socket. */
static bool
peer_allowed(const struct control *ctl, uid_t uid, gid_t gid)
{
	struct passwd *pw;
	gid_t groups[256];
	int n = 256;

	if (uid == 0 || uid == geteuid())
		return true;
	if (ctl->gid == (gid_t)-1)
		return false;
	if (gid == ctl->gid)
		return true;
	pw = getpwuid(uid);
	if (pw == NULL || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == ctl->gid)
			return true;
	return false;
}

/* c->out: the exit status on a line, then text; none when out of memory. */
static void
conn_set_answer(struct conn *c, int status, const char *text, size_t len)
{
	c->outlen = 0;
	if ((c->out = malloc(len + 16)) == NULL)
		return;
	c->outlen = (size_t)snprintf(c->out, 16, "%d\n", status);
	memcpy(c->out + c->outlen, text, len);
	c->outlen += len;
}

/* Splits the request at tabs and runs it; the answer goes to c->out. */
static void
conn_run(struct conn *c)
{
	char *argv[ARGS_MAX], *s = c->in, *body = NULL;
	int argc = 0, status;
	size_t bodylen = 0;
	FILE *f = open_memstream(&body, &bodylen);

	while (argc < ARGS_MAX && s != NULL && *s != '\0') {
		argv[argc++] = s;
		s = strchr(s, '\t');
		if (s != NULL)
			*s++ = '\0';
	}
	if (f == NULL) {
		c->out = strdup("2\nout of memory\n");
		c->outlen = c->out != NULL ? strlen(c->out) : 0;
		return;
	}
	if (argc == 0) {
		fputs("empty request\n", f);
		status = 2;
	} else {
		status = c->ctl->cmd(c->ctl->arg, &c->who, argc, argv, f);
	}
	fclose(f);
	if (status == CONTROL_LATER) {
		/* off the event loop until the answer: a hang-up must not free c */
		free(body);
		su_root_deregister(c->ctl->root, c->index);
		c->index = -1;
		c->later = true;
		return;
	}
	if (body != NULL)
		conn_set_answer(c, status, body, bodylen);
	free(body);
}

/* Writes what the socket takes; closes the connection when all is out. */
static void
conn_write(struct conn *c)
{
	while (c->outpos < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outpos, c->outlen - c->outpos);

		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			su_root_eventmask(c->ctl->root, c->index, c->fd, SU_WAIT_OUT);
			return;
		}
		if (n <= 0)
			break;
		c->outpos += (size_t)n;
	}
	conn_close(c);
}

static int
conn_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct conn *c = (struct conn *)arg;
	ssize_t n;
	char *nl;

	if (c->out != NULL) {
		conn_write(c);
		return 0;
	}
	n = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		conn_close(c);	/* gone before asking */
		return 0;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	nl = strchr(c->in, '\n');
	if (nl == NULL && c->inlen < sizeof(c->in) - 1)
		return 0;
	if (nl == NULL) {
		c->out = strdup("2\nrequest too long\n");
		c->outlen = c->out != NULL ? strlen(c->out) : 0;
	} else {
		*nl = '\0';
		conn_run(c);
		if (c->later)
			return 0;
	}
	conn_write(c);
	return 0;
}

/* Puts c on the event loop, waiting for events; -1 (c->index -1) if not. */
static int
conn_register(struct conn *c, int events)
{
	su_wait_t w[1];

	c->index = -1;
	if (su_wait_create(w, c->fd, events) == -1)
		return -1;
	c->index = su_root_register(c->ctl->root, w, conn_cb, (su_wakeup_arg_t *)c, 0);
	return c->index == -1 ? -1 : 0;
}

struct control_later *
control_later(const struct control_peer *who)
{
	return (struct control_later *)((char *)who - offsetof(struct conn, who));
}

void
control_answer(struct control_later *l, int status, const char *text, size_t len)
{
	struct conn *c = (struct conn *)l;

	c->later = false;
	conn_set_answer(c, status, text, len);
	if (c->out == NULL || conn_register(c, SU_WAIT_OUT) == -1) {
		conn_close(c);
		return;
	}
	conn_write(c);
}

static void
conn_new(struct control *ctl, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->who.uid = cred.uid;
	c->who.pid = cred.pid;
	if (!peer_allowed(ctl, cred.uid, cred.gid)) {
		static const char denied[] = "2\npermission denied: root, sipmed's user or the "
		    "control group only\n";

		log_warnx("control: uid %u (pid %d) refused: not root, sipmed's user or in the "
		    "control group", (unsigned)cred.uid, (int)cred.pid);
		if (write(fd, denied, sizeof(denied) - 1) < 0)
			log_debug("control: %s", strerror(errno));
		close(fd);
		free(c);
		return;
	}
	if (conn_register(c, SU_WAIT_IN | SU_WAIT_HUP) == -1) {
		close(fd);
		free(c);
		return;
	}
	c->next = ctl->conns;
	ctl->conns = c;
}

static int
accept_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct control *ctl = (struct control *)arg;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept");
		return 0;
	}
	conn_new(ctl, fd);
	return 0;
}

/*
 * Makes the socket file: its directory when missing, and a stale file
 * (no daemon answers on it) replaced. Returns the listening fd or -1.
 */
static int
listen_at(const char *path, const struct sockaddr_un *sun)
{
	char dir[sizeof(sun->sun_path)];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("control: cannot make %s", dir);
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		log_warnx("control: %s: another sipmed answers on it", path);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (const struct sockaddr *)sun, sizeof(*sun)) == -1 ||
	    listen(fd, 16) == -1) {
		log_warn("control: %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The socket file's group and mode, from the control group. */
static int
set_access(struct control *ctl, const char *path, const struct conf_control *c)
{
	struct group *gr;

	ctl->gid = (gid_t)-1;
	if (c->group != NULL) {
		gr = getgrnam(c->group);
		if (gr == NULL) {
			log_warnx("control: group \"%s\" does not exist", c->group);
			return -1;
		}
		ctl->gid = gr->gr_gid;
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
			log_warn("control: cannot give %s to group %s", path, c->group);
			return -1;
		}
	}
	if (chmod(path, (mode_t)c->mode) == -1) {
		log_warn("control: chmod %s", path);
		return -1;
	}
	return 0;
}

struct control *
control_open(su_root_t *root, const char *path, const struct conf_control *c,
    control_cmd_f *cmd, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	su_wait_t w[1];

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control: socket path %s is too long", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		return NULL;
	}
	ctl->root = root;
	ctl->cmd = cmd;
	ctl->arg = arg;
	ctl->fd = listen_at(path, &sun);
	if (ctl->fd == -1 || set_access(ctl, path, c) == -1 ||
	    su_wait_create(w, ctl->fd, SU_WAIT_ACCEPT) == -1 ||
	    (ctl->index = su_root_register(root, w, accept_cb, (su_wakeup_arg_t *)ctl, 0)) == -1) {
		if (ctl->fd != -1) {
			close(ctl->fd);
			unlink(path);
		}
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	log_info("control socket %s", path);
	return ctl;
}

void
control_close(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->conns != NULL)
		conn_close(ctl->conns);
	su_root_deregister(ctl->root, ctl->index);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

void
control_socket_path(const char *conf_path, char *buf, size_t len)
{
	config_t cfg;
	const char *s = NULL, *slash;

	config_init(&cfg);
	if (config_read_file(&cfg, conf_path) == CONFIG_TRUE)
		config_lookup_string(&cfg, "control.socket", &s);
	slash = strrchr(conf_path, '/');
	if (s == NULL)
		snprintf(buf, len, "%s", DEFAULT_SOCKET);
	else if (s[0] == '/' || slash == NULL)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - conf_path), conf_path, s);
	config_destroy(&cfg);
}
