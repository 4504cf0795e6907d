/*
 * rule_dotnet: reads a pattern written for .NET (the only regular
 * expression dialect Lync, Skype for Business and Teams know) and writes
 * the PCRE2 pattern that means the same, or refuses it with a message that
 * says why. A rule pasted from Lync must give Lync's answer, never a
 * different one silently. What differs between the two dialects:
 *
 *   [base-[excluded]]  .NET character-class subtraction. PCRE2 would read
 *                      "[base-[excluded]" then a literal "]", a class that
 *                      loads and never matches. Written (?:(?!EXCL)BASE),
 *                      one character BASE takes and EXCL does not; nests.
 *   [[:alpha:]]        POSIX classes are PCRE2's; .NET reads the "[" as a
 *                      character. Refused rather than guessed.
 *   \Q...\E            PCRE2's quoting; an error in .NET. Refused.
 *   named groups       .NET numbers the unnamed groups first, left to
 *                      right, then the named ones: in ^15(?<area>\d{3})(\d{4})$
 *                      $1 is (\d{4}) and $2 is area. PCRE2 numbers all
 *                      groups in order. rule.c maps the numbers (dotnet_
 *                      group_map below); a numbered back-reference inside
 *                      such a pattern is refused (write \k<name>).
 *   \d                 .NET matches any Unicode decimal digit; sipmed only
 *                      0-9. Not a rewrite: no number with a character
 *                      outside printable ASCII reaches a rule (number.c
 *                      refuses it, live and in sipmedctl alike).
 *
 * Everything else that both dialects read the same way is copied as it is.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "rule.h"

struct out {
	char *buf;
	size_t len, cap;
	char *err;
	size_t errlen;
	bool failed;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n >= o->cap) {
		snprintf(o->err, o->errlen, "pattern is too long");
		o->failed = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
refuse(struct out *o, const char *msg)
{
	if (!o->failed)
		snprintf(o->err, o->errlen, "%s", msg);
	o->failed = true;
}

/*
 * Copies the character class starting at *pp ("[" there), rewriting a
 * subtraction. On return *pp is past its closing "]".
 */
static void
copy_class(const char **pp, struct out *o)
{
	const char *p = *pp + 1, *start;
	char base[1024];
	size_t n;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;	/* a "]" first is a character in both dialects */
	for (; *p != '\0' && *p != ']'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			if (p[1] == 'Q')
				return refuse(o, "\\Q...\\E is not .NET syntax");
			p++;
		} else if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			return refuse(o, "POSIX class syntax [:...:] has no .NET meaning "
			    "(.NET reads \"[\" in a class as a character)");
		} else if (*p == '-' && p[1] == '[')
			break;
	}
	start = *pp;
	if (*p != ']' && !(*p == '-' && p[1] == '[')) {
		/* not closed (or a \ at the very end): PCRE2 says what is wrong */
		put(o, start, strlen(start));
		*pp = start + strlen(start);
		return;
	}
	n = (size_t)(p - start);
	if (*p == ']') {
		put(o, start, n + 1);
		*pp = p + 1;
		return;
	}
	/* [base-[excluded]]: base is start..p, the excluded class follows. */
	if (n + 2 > sizeof(base))
		return refuse(o, "a character class is too long");
	memcpy(base, start, n);
	base[n] = ']';
	put(o, "(?:(?!", 6);
	p++;
	copy_class(&p, o);
	if (o->failed)
		return;
	if (*p != ']')
		return refuse(o, "a class subtraction -[...] must be the last thing in its "
		    "character class");
	put(o, ")", 1);
	put(o, base, n + 1);
	put(o, ")", 1);
	*pp = p + 1;
}

/* True when the group opening at p is named: (?<name>, (?'name', (?P<name>. */
static bool
group_is_named(const char *p)
{
	if (p[1] != '?')
		return false;
	if (p[2] == 'P' && p[3] == '<')
		return true;
	if (p[2] == '\'')
		return true;
	return p[2] == '<' && p[3] != '=' && p[3] != '!';
}

int
rule_dotnet_pattern(const char *pattern, char *buf, size_t buflen, char *err,
    size_t errlen)
{
	struct out o = { buf, 0, buflen, err, errlen, false };
	const char *p = pattern;
	bool named = false, numbered_ref = false;

	if (buflen == 0)
		return -1;
	buf[0] = '\0';
	while (*p != '\0' && !o.failed) {
		if (*p == '[') {
			copy_class(&p, &o);
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			if (p[1] == 'Q')
				refuse(&o, "\\Q...\\E is not .NET syntax");
			if ((p[1] >= '1' && p[1] <= '9') ||
			    (p[1] == 'k' && p[2] == '<' && p[3] >= '0' && p[3] <= '9'))
				numbered_ref = true;
			put(&o, p, 2);
			p += 2;
			continue;
		}
		if (*p == '(' && group_is_named(p))
			named = true;
		put(&o, p, 1);
		p++;
	}
	if (!o.failed && named && numbered_ref)
		refuse(&o, "a numbered back-reference in a pattern with named groups: .NET "
		    "numbers named groups after the others; write \\k<name>");
	return o.failed ? -1 : 0;
}

/*
 * Fills map[1..ngroups] with the PCRE2 group number of each .NET group
 * number (map[0] = 0, the whole match): the unnamed groups in order, then
 * the named ones in order.
 */
void
rule_dotnet_group_map(const void *code, uint32_t ngroups, uint32_t *map)
{
	const pcre2_code *c = code;
	uint32_t count = 0, size = 0, k = 1;
	PCRE2_SPTR table = NULL;
	bool named[RULE_GROUPS_MAX + 1] = { false };

	pcre2_pattern_info(c, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(c, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(c, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count && table != NULL; i++) {
		uint32_t g = (uint32_t)(table[i * size] << 8 | table[i * size + 1]);

		if (g <= ngroups)
			named[g] = true;
	}
	map[0] = 0;
	for (uint32_t g = 1; g <= ngroups; g++)
		if (!named[g])
			map[k++] = g;
	for (uint32_t g = 1; g <= ngroups; g++)
		if (named[g])
			map[k++] = g;
}
