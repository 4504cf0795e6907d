/*
 * ctl_live: sipmedctl's live commands. Each one is a request to the
 * running sipmed over its control socket (src/control.h has the
 * protocol): the daemon does the work and writes the answer; this file
 * only sends the words and prints what comes back, on stdout when the
 * command succeeded and on stderr when it did not.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctl.h"

/* Connects to the daemon's socket. Returns the fd, or -1 after saying why. */
static int
dial(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sipmedctl: socket path %s is too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "sipmedctl: cannot reach sipmed at %s: %s%s\n", path,
		    strerror(errno), errno == ENOENT || errno == ECONNREFUSED ?
		    " (is sipmed running? -s or the configuration's control.socket says where)" :
		    errno == EACCES ? " (root, sipmed's user or the control group only)" : "");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The request line for argv in req. Returns its length, or -1 after saying why. */
static ssize_t
build_request(char *req, size_t size, int argc, char **argv)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\t') != NULL || strchr(argv[i], '\n') != NULL) {
			fprintf(stderr, "sipmedctl: an argument holds a tab or a newline\n");
			return -1;
		}
		n += (size_t)snprintf(req + n, size - n, "%s%s", i ? "\t" : "", argv[i]);
		if (n >= size - 1) {
			fprintf(stderr, "sipmedctl: request too long\n");
			return -1;
		}
	}
	req[n++] = '\n';
	return (ssize_t)n;
}

/*
 * Reads the answer: the exit status line, then text, which goes to
 * stdout (status 0) or stderr. Returns the status, or 3 when the answer
 * is cut short.
 */
static int
read_answer(int fd)
{
	char buf[8192];
	int status = -1;
	size_t have = 0;
	ssize_t n;

	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0 || (n == -1 && errno == EINTR)) {
		if (n <= 0)
			continue;
		have += (size_t)n;
		if (status == -1) {
			char *nl = memchr(buf, '\n', have);

			if (nl == NULL && have < sizeof(buf))
				continue;
			if (nl == NULL || sscanf(buf, "%d", &status) != 1)
				break;
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}
		fwrite(buf, 1, have, status == 0 ? stdout : stderr);
		have = 0;
	}
	if (status == -1) {
		fprintf(stderr, "sipmedctl: no answer from sipmed\n");
		return 3;
	}
	return status;
}

int
ctl_live(struct ctl *ctl, int argc, char **argv)
{
	char path[4096], req[4096];
	ssize_t len;
	int fd, rc;

	if (ctl->socket_path != NULL)
		snprintf(path, sizeof(path), "%s", ctl->socket_path);
	else
		control_socket_path(ctl->conf_path, path, sizeof(path));
	len = build_request(req, sizeof(req), argc, argv);
	if (len == -1)
		return 2;
	fd = dial(path);
	if (fd == -1)
		return 3;
	/*
	 * sipmed may answer and close before the request is written (a
	 * refused caller): the answer is still there to read.
	 */
	signal(SIGPIPE, SIG_IGN);
	for (ssize_t off = 0, w; off < len; off += w)
		if ((w = write(fd, req + off, (size_t)(len - off))) <= 0)
			break;
	rc = read_answer(fd);
	close(fd);
	return rc;
}
