/*
 * ps: reads the part of PowerShell that Lync, Skype for Business and
 * Teams voice scripts are written in (theirs, or the dial-plan generator
 * sites'): commands with named and positional parameters, quoting as
 * PowerShell has it (single quotes literal, double quotes with ` escapes
 * and $variable expansion, here-strings), back-tick line continuations,
 * comments, arrays @(...) and a,b,c, hash tables @{add=...}, and
 * $variables assigned from literals, from commands (-InMemory objects)
 * and grown with +=. It evaluates nothing else: a script's if, foreach,
 * functions, $(...) and pipelines into anything but Out-Null are reported
 * as warnings and skipped.
 *
 * Every command is handed to the caller in script order, whether or not
 * its result is assigned; a command's result, in a variable or passed as
 * a parameter, is the command itself (PS_OBJ).
 */
#ifndef SIPMEDCTL_PS_H
#define SIPMEDCTL_PS_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

enum ps_kind {
	PS_STR,		/* a string, a number or a bare word, as text */
	PS_BOOL,	/* $true, $false */
	PS_NULL,	/* $null, or a variable never set */
	PS_LIST,	/* @(...) or a,b,c */
	PS_HASH,	/* @{key=value; ...} */
	PS_OBJ,		/* what a command returned */
};

struct ps_cmd;

struct ps_val {
	enum ps_kind kind;
	const char *s;		/* PS_STR */
	bool b;			/* PS_BOOL */
	struct ps_val **v;	/* PS_LIST items, PS_HASH values */
	const char **k;		/* PS_HASH keys, as written */
	size_t n;
	struct ps_cmd *obj;	/* PS_OBJ */
	int line;
};

struct ps_param {
	const char *name;	/* without the "-" */
	struct ps_val *val;	/* NULL for a switch such as -InMemory */
	int line;
};

struct ps_cmd {
	const char *name;
	struct ps_param *p;
	size_t np;
	struct ps_val **args;	/* positional arguments */
	size_t nargs;
	const char *file;
	int line;
};

struct ps_reader {
	/* Called for each command, in script order. */
	void (*cmd_f)(void *arg, struct ps_cmd *);
	/* Called for what the reader skips: "FILE:LINE: warning: ..." */
	void (*warn_f)(void *arg, const char *file, int line, const char *msg);
	void *arg;
	struct ps_vars *vars;	/* the scripts' variables: NULL at first */
};

/*
 * Reads and runs the script at path (UTF-8, with or without a byte order
 * mark, or UTF-16). Variables live for the whole home, so a later file
 * sees an earlier one's, as dot-sourced scripts do. Returns 0, or -1 with
 * "FILE:LINE: message" in err when the file cannot be read or parsed.
 */
int ps_run_file(su_home_t *, const char *path, struct ps_reader *, char *err,
    size_t errlen);

/* The same for a script already in memory (UTF-8), named name in messages. */
int ps_run_text(su_home_t *, const char *name, const char *text, struct ps_reader *,
    char *err, size_t errlen);

/* The parameter of cmd named name (case-insensitive), or NULL. */
struct ps_param *ps_param(const struct ps_cmd *, const char *name);
/* Its value as text when it is a string (or a one-item list), else NULL. */
const char *ps_str(const struct ps_val *);

/*
 * Reads a whole file into a NUL-terminated UTF-8 buffer from home:
 * UTF-16 (with its byte order mark) is converted, a UTF-8 BOM dropped.
 * Returns NULL with errno set.
 */
char *ps_slurp(su_home_t *, const char *path, size_t *lenp);

#endif
