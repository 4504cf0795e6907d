/*
 * number: phone number forms sipmed handles. LineURIs are
 * tel:+<E.164>[;ext=<digits>]: 1 to 15 digits after the +, the first not
 * 0, and an extension of 1 to 10 digits. "+X" and "+X;ext=n" are
 * different numbers (reference 1.10).
 */
#ifndef SIPMED_NUMBER_H
#define SIPMED_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#define NUMBER_DIGITS_MAX 15
#define NUMBER_EXT_MAX 10
/* Longest number string sipmed accepts from a peer or a command line. */
#define NUMBER_INPUT_MAX 64

struct telnum {
	char base[NUMBER_DIGITS_MAX + 2];	/* "+15033121234" */
	char ext[NUMBER_EXT_MAX + 1];		/* "1234" or "" */
	char full[NUMBER_DIGITS_MAX + NUMBER_EXT_MAX + 8]; /* base[;ext=N] */
};

/*
 * Parses "+E164[;ext=N]", with "tel:" in front when tel_scheme is true.
 * Returns 0 with *out filled, or -1 with a reason in err.
 */
int number_parse_e164(const char *s, bool tel_scheme, struct telnum *out,
    char *err, size_t errlen);

/* True when s is "+" then 1 to 15 digits, with an optional ;ext=N. */
bool number_is_e164(const char *s);

/*
 * True when s is acceptable input to the rules: 1 to NUMBER_INPUT_MAX
 * printable characters, no space, no control character, no '@' or '<'.
 */
bool number_is_sane(const char *s);

/* Length of s without a trailing ";ext=N" (the base number). */
size_t number_base_len(const char *s);

#endif
