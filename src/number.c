/*
 * number: validation and splitting of E.164 numbers and LineURIs. It does
 * not normalize (that is a dial plan's job) and does not parse SIP URIs.
 */
#include <stdio.h>
#include <string.h>

#include "number.h"

static size_t
digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int
number_parse_e164(const char *s, bool tel_scheme, struct telnum *out, char *err,
    size_t errlen)
{
	size_t nd, ne = 0;
	const char *ext = NULL;

	if (tel_scheme) {
		if (strncmp(s, "tel:", 4) != 0) {
			snprintf(err, errlen, "\"%s\" is not a tel: URI (write tel:+15033121234)", s);
			return -1;
		}
		s += 4;
	}
	if (s[0] != '+') {
		snprintf(err, errlen, "\"%s\" must start with + and the country code", s);
		return -1;
	}
	nd = digits(s + 1);
	if (nd == 0 || nd > NUMBER_DIGITS_MAX || s[1] == '0') {
		snprintf(err, errlen, "\"%s\" is not an E.164 number (1 to %d digits after +, "
		    "the first not 0)", s, NUMBER_DIGITS_MAX);
		return -1;
	}
	if (s[1 + nd] != '\0') {
		if (strncmp(s + 1 + nd, ";ext=", 5) != 0) {
			snprintf(err, errlen, "\"%s\": only ;ext=<digits> may follow the number", s);
			return -1;
		}
		ext = s + 1 + nd + 5;
		ne = digits(ext);
		if (ne == 0 || ne > NUMBER_EXT_MAX || ext[ne] != '\0') {
			snprintf(err, errlen, "\"%s\": the extension must be 1 to %d digits",
			    s, NUMBER_EXT_MAX);
			return -1;
		}
	}
	memcpy(out->base, s, nd + 1);
	out->base[nd + 1] = '\0';
	memcpy(out->ext, ext ? ext : "", ne);
	out->ext[ne] = '\0';
	snprintf(out->full, sizeof(out->full), "%s%s%s", out->base, ne ? ";ext=" : "",
	    out->ext);
	return 0;
}

bool
number_is_e164(const char *s)
{
	struct telnum t;
	char err[1];

	return number_parse_e164(s, false, &t, err, sizeof(err)) == 0;
}

bool
number_is_sane(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= NUMBER_INPUT_MAX || c <= ' ' || c >= 0x7f || c == '@' || c == '<' ||
		    c == '>')
			return false;
	}
	return n > 0;
}

size_t
number_base_len(const char *s)
{
	const char *e = strstr(s, ";ext=");

	return e ? (size_t)(e - s) : strlen(s);
}
