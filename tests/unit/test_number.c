/*
 * test_number: LineURI and E.164 parsing, and the sanity check on
 * numbers from peers and command lines.
 */
#include "number.h"
#include "tap.h"

static void
good(const char *s, const char *base, const char *ext)
{
	struct telnum t;
	char err[256] = "";

	ok(number_parse_e164(s, true, &t, err, sizeof(err)) == 0, "%s parses (%s)", s, err);
	is_str(t.base, base, "%s: base number", s);
	is_str(t.ext, ext, "%s: extension", s);
}

static void
bad(const char *s, const char *why)
{
	struct telnum t;
	char err[256] = "";

	ok(number_parse_e164(s, true, &t, err, sizeof(err)) == -1 && strstr(err, why),
	    "%s is refused: %s", s, err);
}

int
main(void)
{
	good("tel:+15033121234", "+15033121234", "");
	good("tel:+14255551297;ext=51297", "+14255551297", "51297");
	good("tel:+1", "+1", "");
	good("tel:+123456789012345", "+123456789012345", "");
	bad("+15033121234", "not a tel: URI");
	bad("tel:15033121234", "must start with +");
	bad("tel:+05033121234", "not an E.164 number");
	bad("tel:+1234567890123456", "not an E.164 number");
	bad("tel:+1503;ext=", "extension must be 1 to 10 digits");
	bad("tel:+1503;ext=12345678901", "extension must be 1 to 10 digits");
	bad("tel:+1503;phone-context=x", "only ;ext=");
	bad("tel:+", "not an E.164 number");

	ok(number_is_e164("+15033121234;ext=1234"), "+E.164;ext= is E.164");
	ok(!number_is_e164("15033121234"), "digits without + are not E.164");
	ok(number_is_sane("+15033121234"), "a number is sane");
	ok(!number_is_sane(""), "an empty number is not sane");
	ok(!number_is_sane("12 34"), "a space is not sane");
	ok(!number_is_sane("12\r\n34"), "control characters are not sane");
	ok(!number_is_sane("a@b"), "an @ is not sane");
	ok(!number_is_sane("11111111111111111111111111111111111111111111111111111111111111111"),
	    "65 characters are too many");
	is_int(number_base_len("+15033127000;ext=7001"), 12, "base length stops at ;ext=");
	return tap_done();
}
