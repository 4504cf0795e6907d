/*
 * control: the unix control socket sipmedctl's live commands use.
 *
 * Protocol: the client sends one request line, the command and its
 * arguments separated by tabs, ended by a newline. The daemon answers
 * with the command's exit status on a line of its own (0 done, 1 a
 * negative answer such as a refused reload, 2 a usage error), then the
 * answer's text, and closes the connection.
 *
 * Who may ask: the socket file has the configured mode and group, and
 * each connection's credentials (SO_PEERCRED) are checked again: root,
 * sipmed's own user, or a member of the control group.
 */
#ifndef SIPMED_CONTROL_H
#define SIPMED_CONTROL_H

#include <stdio.h>
#include <sys/types.h>

#include <sofia-sip/su_wait.h>

#include "conf.h"

struct control;

/* Who is asking, for logs. */
struct control_peer {
	uid_t uid;
	pid_t pid;
};

/*
 * Runs one command (argv[0], argc >= 1) and writes its answer to out.
 * Returns the exit status to send.
 */
typedef int control_cmd_f(void *arg, const struct control_peer *who, int argc, char **argv,
    FILE *out);

/*
 * A command that answers later (a reload runs beside the event loop)
 * takes a handle with control_later(who), returns CONTROL_LATER, and
 * sends its answer with control_answer(), once. The client waits; the
 * handle ends with the answer or with control_close(), whichever comes
 * first.
 */
#define CONTROL_LATER (-1)
struct control_later;
struct control_later *control_later(const struct control_peer *who);
void control_answer(struct control_later *, int status, const char *text, size_t len);

/*
 * Opens the socket at path (a stale socket file is replaced; one a live
 * sipmed answers on is not) with c's mode and group, served on root.
 * Returns NULL after logging why.
 */
struct control *control_open(su_root_t *root, const char *path, const struct conf_control *c,
    control_cmd_f *cmd, void *arg);
/* Closes the socket and its connections, and removes the socket file. */
void control_close(struct control *);

/*
 * Reads the control socket path of the configuration file path without
 * loading the rest (sipmedctl must reach a daemon whose file has errors).
 * Writes the default when the file or setting is missing.
 */
void control_socket_path(const char *conf_path, char *buf, size_t len);

#endif
