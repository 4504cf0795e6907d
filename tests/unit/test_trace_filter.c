/*
 * test_trace_filter: which calls a trace takes (src/trace.c): the filter
 * terms sipmedctl trace start reads, written back, and matched against a
 * call's numbers (before and after normalization), trunks and Call-ID.
 */
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_wait.h>

#include "tap.h"
#include "trace.h"

static struct trace *t;

static void
filter(int argc, char **argv)
{
	struct trace_filter f;
	char err[256];

	if (!ok(trace_filter_parse(&f, argc, argv, err, sizeof(err)) == 0, "%s... parses",
	    argv[0]))
		printf("#   %s\n", err);
	trace_set(t, false, true, &f);	/* decisions only: no transport to hook */
}

int
main(void)
{
	char *terms[] = { "number=+1503312*", "trunk=gw2", "call-id=abc@host" };
	char *bad[] = { "numbr=1234" };
	char *empty[] = { "number=" };
	struct trace_subject by_number = { .numbers = { "1234", NULL, "+15033121234", NULL } };
	struct trace_subject by_trunk = { .numbers = { "9" }, .trunks = { "gw", "gw2" },
	    .ntrunks = 2 };
	struct trace_subject by_id = { .call_id = "abc@host" };
	struct trace_subject other = { .call_id = "x", .numbers = { "+15035550100", "15033121234" },
	    .trunks = { "gw" }, .ntrunks = 1 };
	struct trace_filter f;
	su_root_t *root;
	char err[256], buf[512];

	su_init();
	root = su_root_create(NULL);
	t = root != NULL ? trace_new(root) : NULL;
	if (!ok(t != NULL, "a trace is made"))
		return tap_done();
	ok(!trace_wants(t, &by_number), "tracing off: no call is taken");

	filter(3, terms);
	ok(trace_wants(t, &by_number), "a number prefix matches the normalized number");
	ok(trace_wants(t, &by_trunk), "a trunk matches any of the call's trunks");
	ok(trace_wants(t, &by_id), "a Call-ID matches exactly");
	ok(!trace_wants(t, &other), "a call matching no term is not taken "
	    "(a prefix is not a substring)");
	trace_filter_format(&(struct trace_filter){ 0 }, buf, sizeof(buf));
	is_str(buf, "all calls", "no term is written as all calls");
	trace_get(t, &(bool){ 0 }, &(bool){ 0 }, &f);
	trace_filter_format(&f, buf, sizeof(buf));
	is_str(buf, "number=+1503312* trunk=gw2 call-id=abc@host",
	    "the filter is written back as it is read");

	trace_set(t, false, true, NULL);
	ok(trace_wants(t, &other), "no filter: every call");
	ok(trace_filter_parse(&f, 1, bad, err, sizeof(err)) == -1 && strstr(err, "numbr=1234"),
	    "an unknown term is refused, by name");
	ok(trace_filter_parse(&f, 1, empty, err, sizeof(err)) == -1,
	    "an empty value is refused");
	trace_free(t);
	su_root_destroy(root);
	su_deinit();
	return tap_done();
}
