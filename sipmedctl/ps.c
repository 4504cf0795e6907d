/*
 * ps: a reader for the PowerShell that voice scripts are written in (see
 * ps.h). One recursive-descent pass over the text: statements are read
 * and run at once, so a variable holds what was assigned last.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ps.h"

struct ps_vars {
	const char **name;
	struct ps_val **val;
	size_t n, cap;
};

struct rd {
	su_home_t *home;
	struct ps_reader *r;
	const char *file;
	const char *p;
	int line;
	char *err;
	size_t errlen;
	bool failed;
};

/* Switch parameters: no value follows them. */
static const char *switches[] = {
	"InMemory", "Force", "Confirm", "WhatIf", "Verbose", "Debug", "PassThru",
	"WarningAction", NULL
};

static struct ps_val *parse_value_list(struct rd *);
static struct ps_val *parse_value(struct rd *);
static struct ps_cmd *parse_command(struct rd *);

static void __attribute__((format(printf, 2, 3)))
warn(struct rd *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->r->warn_f(d->r->arg, d->file, d->line, msg);
}

static void __attribute__((format(printf, 2, 3)))
fail(struct rd *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (d->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "%s:%d: %s", d->file, d->line, msg);
	d->failed = true;
}

static struct ps_val *
val_new(struct rd *d, enum ps_kind kind)
{
	struct ps_val *v = su_zalloc(d->home, sizeof(*v));

	if (v == NULL) {
		fail(d, "out of memory");
		return NULL;
	}
	v->kind = kind;
	v->line = d->line;
	return v;
}

static void
list_push(struct rd *d, struct ps_val *list, struct ps_val *item, const char *key)
{
	struct ps_val **nv = su_realloc(d->home, list->v, (list->n + 1) * sizeof(*nv));

	if (nv == NULL) {
		fail(d, "out of memory");
		return;
	}
	list->v = nv;
	if (list->kind == PS_HASH) {
		const char **nk = su_realloc(d->home, list->k, (list->n + 1) * sizeof(*nk));

		if (nk == NULL) {
			fail(d, "out of memory");
			return;
		}
		list->k = nk;
		list->k[list->n] = key;
	}
	list->v[list->n++] = item;
}

/* variables */

static struct ps_val **
var_slot(struct rd *d, const char *name, bool create)
{
	struct ps_vars *vs = d->r->vars;

	if (vs == NULL && create) {
		vs = d->r->vars = su_zalloc(d->home, sizeof(*vs));
		if (vs == NULL)
			return NULL;
	}
	for (size_t i = 0; vs != NULL && i < vs->n; i++)
		if (strcasecmp(vs->name[i], name) == 0)
			return &vs->val[i];
	if (!create)
		return NULL;
	if (vs->n == vs->cap) {
		size_t ncap = vs->cap ? vs->cap * 2 : 16;
		const char **nn = su_realloc(d->home, vs->name, ncap * sizeof(*nn));
		struct ps_val **nv = nn ? su_realloc(d->home, vs->val, ncap * sizeof(*nv)) : NULL;

		if (nn == NULL || nv == NULL)
			return NULL;
		vs->name = nn;
		vs->val = nv;
		vs->cap = ncap;
	}
	vs->name[vs->n] = su_strdup(d->home, name);
	vs->val[vs->n] = NULL;
	return &vs->val[vs->n++];
}

static struct ps_val *
var_get(struct rd *d, const char *name)
{
	struct ps_val **slot;

	if (strcasecmp(name, "true") == 0 || strcasecmp(name, "false") == 0) {
		struct ps_val *v = val_new(d, PS_BOOL);

		if (v != NULL)
			v->b = strcasecmp(name, "true") == 0;
		return v;
	}
	if (strcasecmp(name, "null") == 0)
		return val_new(d, PS_NULL);
	slot = var_slot(d, name, false);
	if (slot == NULL || *slot == NULL) {
		warn(d, "variable $%s is not set here: taken as $null", name);
		return val_new(d, PS_NULL);
	}
	return *slot;
}

/* white space, comments and line continuations */

static bool
is_nl(char c)
{
	return c == '\n' || c == '\r';
}

/* Skips blanks, comments and `-newline; with nl, line ends too. */
static void
skip(struct rd *d, bool nl)
{
	for (;;) {
		if (*d->p == ' ' || *d->p == '\t' || *d->p == '\f' || *d->p == '\v')
			d->p++;
		else if (*d->p == '`' && is_nl(d->p[1])) {
			d->p += (d->p[1] == '\r' && d->p[2] == '\n') ? 3 : 2;
			d->line++;
		} else if (*d->p == '#') {
			while (*d->p != '\0' && !is_nl(*d->p))
				d->p++;
		} else if (d->p[0] == '<' && d->p[1] == '#') {
			const char *e = strstr(d->p + 2, "#>");

			if (e == NULL) {
				fail(d, "a <# comment is not closed with #>");
				d->p += strlen(d->p);
				return;
			}
			for (; d->p < e + 2; d->p++)
				if (*d->p == '\n')
					d->line++;
		} else if (nl && is_nl(*d->p)) {
			if (*d->p == '\n')
				d->line++;
			d->p++;
		} else
			return;
	}
}

static bool
at_end(const struct rd *d)
{
	char c = *d->p;

	return c == '\0' || is_nl(c) || c == ';' || c == '|' || c == ')' || c == '}';
}

static bool
is_word_char(char c)
{
	return c != '\0' && !isspace((unsigned char)c) && strchr(",;|(){}'\"`", c) == NULL;
}

static char *
read_word(struct rd *d)
{
	const char *s = d->p;

	while (is_word_char(*d->p))
		d->p++;
	return su_strndup(d->home, s, (size_t)(d->p - s));
}

/* strings */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_put(struct rd *d, struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t ncap = (b->n + n + 1) * 2;
		char *ns = su_realloc(d->home, b->s, ncap);

		if (ns == NULL) {
			fail(d, "out of memory");
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

/* Expands $name or ${name} at p inside a double-quoted string. */
static const char *
expand_var(struct rd *d, const char *p, struct sbuf *b)
{
	char name[128];
	size_t n = 0;
	const char *s = p + 1;
	struct ps_val *v;

	if (*s == '{') {
		const char *e = strchr(s, '}');

		if (e == NULL || (size_t)(e - s - 1) >= sizeof(name)) {
			sb_put(d, b, "$", 1);
			return p + 1;
		}
		memcpy(name, s + 1, (size_t)(e - s - 1));
		name[e - s - 1] = '\0';
		s = e + 1;
	} else if (*s == '(') {
		warn(d, "$(...) inside a string is not evaluated: kept as written");
		sb_put(d, b, "$", 1);
		return p + 1;
	} else {
		while ((isalnum((unsigned char)*s) || *s == '_' || *s == ':') &&
		    n + 1 < sizeof(name))
			name[n++] = *s++;
		name[n] = '\0';
		if (n == 0) {
			sb_put(d, b, "$", 1);	/* "$" before anything else is text */
			return p + 1;
		}
	}
	if (strcasecmp(name, "true") == 0 || strcasecmp(name, "false") == 0) {
		sb_put(d, b, strcasecmp(name, "true") == 0 ? "True" : "False",
		    strcasecmp(name, "true") == 0 ? 4 : 5);
		return s;
	}
	v = var_slot(d, name, false) ? *var_slot(d, name, false) : NULL;
	if (v != NULL && ps_str(v) != NULL)
		sb_put(d, b, ps_str(v), strlen(ps_str(v)));
	else if (isdigit((unsigned char)name[0]))
		warn(d, "\"$%s\" inside double quotes is PowerShell's variable $%s, not a "
		    "group reference: PowerShell (and so Lync) got \"\" there; write the "
		    "translation in single quotes", name, name);
	else
		warn(d, "variable $%s inside a string is not set here: taken as \"\"", name);
	return s;
}

static char
backtick(char c)
{
	switch (c) {
	case '0': return '\0';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	default: return c;
	}
}

/*
 * A quoted string at d->p: '...' literal text ('' is a quote), "..." with
 * ` escapes and $variables ("" is a quote), or either as a here-string
 * @'...'@ / @"..."@, whose text runs from the next line to a line that
 * starts with '@ or "@.
 */
static struct ps_val *
parse_quoted(struct rd *d, bool here)
{
	struct sbuf b = { NULL, 0, 0 };
	struct ps_val *v = val_new(d, PS_STR);
	char q = here ? d->p[1] : d->p[0];
	bool expand = q == '"';
	const char *p = d->p + (here ? 2 : 1);
	int start = d->line;

	sb_put(d, &b, "", 0);
	if (here) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\n')
			p++, d->line++;
	}
	for (;;) {
		if (*p == '\0') {
			d->line = start;	/* where it opened */
			fail(d, "a string is not closed with %c", q);
			break;
		}
		if (here && is_nl(*p)) {
			const char *e = p + (p[0] == '\r' && p[1] == '\n' ? 2 : 1);

			if (e[0] == q && e[1] == '@') {
				d->line++;
				p = e + 2;
				break;
			}
		}
		if (!here && p[0] == q && p[1] == q) {
			sb_put(d, &b, &q, 1);
			p += 2;
		} else if (!here && *p == q) {
			p++;
			break;
		} else if (expand && *p == '`' && p[1] != '\0') {
			char c = backtick(p[1]);

			sb_put(d, &b, &c, 1);
			p += 2;
		} else if (expand && *p == '$')
			p = expand_var(d, p, &b);
		else {
			if (*p == '\n')
				d->line++;
			sb_put(d, &b, p++, 1);
		}
	}
	d->p = p;
	if (v != NULL)
		v->s = b.s;
	return v;
}

/* arrays, hash tables, sub-expressions */

static bool
starts_command(const char *p)
{
	const char *dash;

	if (!isalpha((unsigned char)*p))
		return false;
	/* Verb-Noun: letters, a dash, a letter */
	for (dash = p; isalpha((unsigned char)*dash); dash++)
		;
	return *dash == '-' && isalpha((unsigned char)dash[1]);
}

static struct ps_val *
cmd_value(struct rd *d)
{
	struct ps_cmd *c = parse_command(d);
	struct ps_val *v = val_new(d, PS_OBJ);

	if (v != NULL)
		v->obj = c;
	return v;
}

/* @( item, item; item ... ) */
static struct ps_val *
parse_array(struct rd *d)
{
	struct ps_val *list = val_new(d, PS_LIST);

	d->p += 2;
	for (;;) {
		struct ps_val *item;

		skip(d, true);
		while (*d->p == ',' || *d->p == ';') {
			d->p++;
			skip(d, true);
		}
		if (*d->p == ')') {
			d->p++;
			return list;
		}
		if (*d->p == '\0' || d->failed) {
			fail(d, "an array @( is not closed with )");
			return list;
		}
		item = starts_command(d->p) ? cmd_value(d) : parse_value_list(d);
		if (item == NULL || list == NULL)
			return list;
		if (item->kind == PS_LIST)	/* @(a, b) is a, b */
			for (size_t i = 0; i < item->n; i++)
				list_push(d, list, item->v[i], NULL);
		else
			list_push(d, list, item, NULL);
	}
}

/* @{ key = value; key = value ... } */
static struct ps_val *
parse_hash(struct rd *d)
{
	struct ps_val *h = val_new(d, PS_HASH);

	d->p += 2;
	for (;;) {
		struct ps_val *v;
		char *key;

		skip(d, true);
		while (*d->p == ';') {
			d->p++;
			skip(d, true);
		}
		if (*d->p == '}') {
			d->p++;
			return h;
		}
		if (*d->p == '\0' || d->failed) {
			fail(d, "a hash table @{ is not closed with }");
			return h;
		}
		if (*d->p == '\'' || *d->p == '"') {
			struct ps_val *k = parse_quoted(d, false);

			key = k ? (char *)k->s : NULL;
		} else {
			const char *s = d->p;

			while (isalnum((unsigned char)*d->p) || *d->p == '_')
				d->p++;
			key = su_strndup(d->home, s, (size_t)(d->p - s));
		}
		skip(d, false);
		if (*d->p != '=' || key == NULL || key[0] == '\0') {
			fail(d, "a hash table entry must be key = value");
			return h;
		}
		d->p++;
		skip(d, true);
		v = starts_command(d->p) ? cmd_value(d) : parse_value_list(d);
		if (h != NULL && v != NULL)
			list_push(d, h, v, key);
	}
}

/* ( command ) or ( value ) */
static struct ps_val *
parse_paren(struct rd *d)
{
	struct ps_val *v;

	d->p++;
	skip(d, true);
	v = starts_command(d->p) ? cmd_value(d) : parse_value_list(d);
	skip(d, true);
	if (*d->p != ')')
		fail(d, "a ( is not closed with )");
	else
		d->p++;
	return v;
}

static struct ps_val *
parse_value(struct rd *d)
{
	struct ps_val *v;

	switch (*d->p) {
	case '\'':
	case '"':
		return parse_quoted(d, false);
	case '(':
		return parse_paren(d);
	case '@':
		if (d->p[1] == '(')
			return parse_array(d);
		if (d->p[1] == '{')
			return parse_hash(d);
		if (d->p[1] == '\'' || d->p[1] == '"')
			return parse_quoted(d, true);
		break;
	case '$': {
		const char *s = ++d->p;

		if (*d->p == '{') {
			const char *e = strchr(d->p, '}');

			if (e == NULL) {
				fail(d, "${ is not closed with }");
				return NULL;
			}
			d->p = e + 1;
			return var_get(d, su_strndup(d->home, s + 1, (size_t)(e - s - 1)));
		}
		while (isalnum((unsigned char)*d->p) || *d->p == '_' || *d->p == ':')
			d->p++;
		return var_get(d, su_strndup(d->home, s, (size_t)(d->p - s)));
	}
	default:
		break;
	}
	v = val_new(d, PS_STR);
	if (v != NULL)
		v->s = read_word(d);
	if (v != NULL && v->s[0] == '\0') {
		fail(d, "unexpected \"%c\"", *d->p);
		return NULL;
	}
	return v;
}

/* value, or value , value , ... (a list) */
static struct ps_val *
parse_value_list(struct rd *d)
{
	struct ps_val *first = parse_value(d), *list;

	skip(d, false);
	if (*d->p != ',' || first == NULL)
		return first;
	list = val_new(d, PS_LIST);
	if (list == NULL)
		return NULL;
	list_push(d, list, first, NULL);
	while (*d->p == ',' && !d->failed) {
		struct ps_val *v;

		d->p++;
		skip(d, true);
		v = parse_value(d);
		if (v != NULL)
			list_push(d, list, v, NULL);
		skip(d, false);
	}
	return list;
}

/* commands */

static bool
is_switch(const char *name)
{
	for (size_t i = 0; switches[i] != NULL; i++)
		if (strcasecmp(name, switches[i]) == 0)
			return true;
	return false;
}

static void
add_param(struct rd *d, struct ps_cmd *c, const char *name, struct ps_val *v, int line)
{
	struct ps_param *np = su_realloc(d->home, c->p, (c->np + 1) * sizeof(*np));

	if (np == NULL) {
		fail(d, "out of memory");
		return;
	}
	c->p = np;
	c->p[c->np++] = (struct ps_param){ name, v, line };
}

static void
add_arg(struct rd *d, struct ps_cmd *c, struct ps_val *v)
{
	struct ps_val **na = su_realloc(d->home, c->args, (c->nargs + 1) * sizeof(*na));

	if (na == NULL) {
		fail(d, "out of memory");
		return;
	}
	c->args = na;
	c->args[c->nargs++] = v;
}

/* A parameter's value follows unless the next thing is another parameter. */
static bool
value_follows(const struct rd *d)
{
	if (at_end(d))
		return false;
	return !(d->p[0] == '-' && isalpha((unsigned char)d->p[1]));
}

static struct ps_cmd *
parse_command(struct rd *d)
{
	struct ps_cmd *c = su_zalloc(d->home, sizeof(*c));

	if (c == NULL) {
		fail(d, "out of memory");
		return NULL;
	}
	c->file = d->file;
	c->line = d->line;
	c->name = read_word(d);
	for (;;) {
		skip(d, false);
		if (at_end(d) || d->failed)
			break;
		if (d->p[0] == '-' && isalpha((unsigned char)d->p[1])) {
			const char *s = ++d->p;
			int line = d->line;
			char *name;
			struct ps_val *v = NULL;

			while (isalnum((unsigned char)*d->p) || *d->p == '_')
				d->p++;
			name = su_strndup(d->home, s, (size_t)(d->p - s));
			if (*d->p == ':') {	/* -Confirm:$false */
				d->p++;
				v = parse_value(d);
			} else if (!is_switch(name)) {
				skip(d, false);
				if (value_follows(d))
					v = parse_value_list(d);
			}
			add_param(d, c, name, v, line);
		} else
			add_arg(d, c, parse_value_list(d));
	}
	if (!d->failed)
		d->r->cmd_f(d->r->arg, c);
	return c;
}

/* Skips the rest of a statement, with the blocks { } in it. */
static void
skip_statement(struct rd *d)
{
	int depth = 0;

	while (*d->p != '\0') {
		if (*d->p == '{')
			depth++;
		else if (*d->p == '}' && depth > 0)
			depth--;
		else if (depth == 0 && (is_nl(*d->p) || *d->p == ';')) {
			/* an else/elseif block on the next line belongs to it */
			const char *q = d->p;

			while (isspace((unsigned char)*q))
				q++;
			if (strncasecmp(q, "else", 4) != 0)
				return;
		}
		if (*d->p == '\'' || *d->p == '"') {
			char q = *d->p++;

			while (*d->p != '\0' && *d->p != q) {
				if (*d->p == '\n')
					d->line++;
				d->p++;
			}
		}
		if (*d->p == '\n')
			d->line++;
		if (*d->p != '\0')
			d->p++;
	}
}

/* What follows a command's | : output cmdlets are harmless. */
static void
pipeline_rest(struct rd *d, struct ps_cmd *first)
{
	static const char *quiet[] = { "Out-Null", "Out-Host", "Out-Default", "Format-List",
	    "Format-Table", NULL };

	while (*d->p == '|' && !d->failed) {
		const char *s;
		bool known = false;

		d->p++;
		skip(d, true);
		s = d->p;
		while (is_word_char(*d->p))
			d->p++;
		for (size_t i = 0; quiet[i] != NULL; i++)
			known |= (size_t)(d->p - s) == strlen(quiet[i]) &&
			    strncasecmp(s, quiet[i], strlen(quiet[i])) == 0;
		if (!known) {
			warn(d, "a pipeline from %s into %.*s is not evaluated: skipped",
			    first ? first->name : "?", (int)(d->p - s), s);
			d->p = s;
			skip_statement(d);
			return;
		}
		/* their arguments are read and dropped */
		skip(d, false);
		while (!at_end(d) && !d->failed)
			(void)parse_value_list(d), skip(d, false);
	}
}

static void
assignment(struct rd *d)
{
	const char *s = ++d->p;
	struct ps_val **slot, *v;
	char *name;
	bool append;

	while (isalnum((unsigned char)*d->p) || *d->p == '_' || *d->p == ':')
		d->p++;
	name = su_strndup(d->home, s, (size_t)(d->p - s));
	skip(d, false);
	append = d->p[0] == '+' && d->p[1] == '=';
	d->p += append ? 2 : 1;
	skip(d, false);
	v = starts_command(d->p) ? cmd_value(d) : parse_value_list(d);
	skip(d, false);
	if (*d->p == '|')
		pipeline_rest(d, v && v->kind == PS_OBJ ? v->obj : NULL);
	slot = var_slot(d, name, true);
	if (slot == NULL || v == NULL || d->failed)
		return;
	if (append && *slot != NULL && (*slot)->kind != PS_NULL) {
		struct ps_val *list = *slot;

		if (list->kind != PS_LIST) {
			list = val_new(d, PS_LIST);
			if (list == NULL)
				return;
			list_push(d, list, *slot, NULL);
		} else {	/* += makes a new array in PowerShell: copy */
			struct ps_val *copy = val_new(d, PS_LIST);

			for (size_t i = 0; copy != NULL && i < list->n; i++)
				list_push(d, copy, list->v[i], NULL);
			list = copy;
		}
		if (v->kind == PS_LIST)
			for (size_t i = 0; i < v->n; i++)
				list_push(d, list, v->v[i], NULL);
		else
			list_push(d, list, v, NULL);
		v = list;
	}
	*slot = v;
}

static bool
is_assignment(const char *p)
{
	if (*p++ != '$')
		return false;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return (p[0] == '=' && p[1] != '=') || (p[0] == '+' && p[1] == '=');
}

static void
statement(struct rd *d)
{
	static const char *keywords[] = { "if", "foreach", "for", "while", "do", "switch",
	    "function", "filter", "try", "trap", "param", "begin", "process", "end", NULL };
	const char *s = d->p;
	struct ps_cmd *c;

	if (is_assignment(d->p)) {
		assignment(d);
		return;
	}
	if (isalpha((unsigned char)*d->p)) {
		while (isalpha((unsigned char)*s))
			s++;
		for (size_t i = 0; keywords[i] != NULL; i++)
			if ((size_t)(s - d->p) == strlen(keywords[i]) &&
			    strncasecmp(d->p, keywords[i], strlen(keywords[i])) == 0) {
				warn(d, "\"%s\" is not evaluated: the statement is skipped", keywords[i]);
				skip_statement(d);
				return;
			}
		c = parse_command(d);
		skip(d, false);
		pipeline_rest(d, c);
		return;
	}
	warn(d, "a statement that is not a command is skipped");
	skip_statement(d);
}

static int
run(struct rd *d)
{
	for (;;) {
		skip(d, true);
		while (*d->p == ';') {
			d->p++;
			skip(d, true);
		}
		if (*d->p == '\0' || d->failed)
			break;
		if (*d->p == '}' || *d->p == ')') {
			fail(d, "unexpected \"%c\"", *d->p);
			break;
		}
		statement(d);
		skip(d, false);
		if (!d->failed && !at_end(d) && *d->p != '\0') {
			fail(d, "unexpected \"%c\" after the statement", *d->p);
			break;
		}
		if (*d->p == ')' || *d->p == '}') {
			fail(d, "unexpected \"%c\"", *d->p);
			break;
		}
	}
	return d->failed ? -1 : 0;
}

/* files */

/* Appends code point u as UTF-8. */
static size_t
utf8_put(char *o, unsigned u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xc0 | u >> 6);
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | u >> 12);
	o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}

/*
 * PowerShell takes typographic quotes and dashes as ' " and -: scripts
 * copied from a web page have them. Rewritten in place (shorter).
 */
static void
plain_quotes(char *s)
{
	char *o = s;

	while (*s != '\0') {
		unsigned char c2 = (unsigned char)s[1], c3 = c2 ? (unsigned char)s[2] : 0;

		if ((unsigned char)s[0] == 0xe2 && c2 == 0x80 && c3 >= 0x93 && c3 <= 0x9e) {
			if (c3 <= 0x95)
				*o++ = '-';
			else if (c3 >= 0x98 && c3 <= 0x9b)
				*o++ = '\'';
			else if (c3 >= 0x9c)
				*o++ = '"';
			else {
				memmove(o, s, 3), o += 3;
			}
			s += 3;
		} else
			*o++ = *s++;
	}
	*o = '\0';
}

char *
ps_slurp(su_home_t *home, const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *raw = NULL, *out;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nr = realloc(raw, cap = (n + 4096 + 1) * 2);

			if (nr == NULL) {
				free(raw);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			raw = nr;
		}
		r = fread(raw + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(raw);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	if (n >= 2 && (unsigned char)raw[0] == 0xff && (unsigned char)raw[1] == 0xfe) {
		/* UTF-16LE, as Windows PowerShell's Out-File writes it */
		out = su_alloc(home, n / 2 * 3 + 1);
		*lenp = 0;
		for (size_t i = 2; out != NULL && i + 1 < n; i += 2)
			*lenp += utf8_put(out + *lenp, (unsigned char)raw[i] |
			    (unsigned)(unsigned char)raw[i + 1] << 8);
	} else {
		size_t skipn = (n >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) ? 3 : 0;

		out = su_alloc(home, n - skipn + 1);
		if (out != NULL)
			memcpy(out, raw + skipn, n - skipn);
		*lenp = n - skipn;
	}
	free(raw);
	if (out == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	out[*lenp] = '\0';
	if (strlen(out) != *lenp) {
		errno = EILSEQ;		/* a NUL inside: not a text file */
		return NULL;
	}
	plain_quotes(out);
	*lenp = strlen(out);
	return out;
}

int
ps_run_file(su_home_t *home, const char *path, struct ps_reader *r, char *err,
    size_t errlen)
{
	size_t len;
	char *text = ps_slurp(home, path, &len);

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	return ps_run_text(home, path, text, r, err, errlen);
}

int
ps_run_text(su_home_t *home, const char *name, const char *text, struct ps_reader *r,
    char *err, size_t errlen)
{
	struct rd d = { home, r, name, text, 1, err, errlen, false };

	return run(&d);
}

struct ps_param *
ps_param(const struct ps_cmd *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->np; i++)
		if (strcasecmp(c->p[i].name, name) == 0)
			return &c->p[i];
	return NULL;
}

const char *
ps_str(const struct ps_val *v)
{
	if (v == NULL)
		return NULL;
	if (v->kind == PS_STR)
		return v->s;
	if (v->kind == PS_LIST && v->n == 1)
		return ps_str(v->v[0]);
	return NULL;
}
