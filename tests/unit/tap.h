/*
 * tap: the few TAP helpers sipmed's unit tests use. Each test program
 * prints "ok N - name" / "not ok N - name" lines and a plan; automake's
 * TAP driver counts them and scripts/test sums the counts.
 */
#ifndef SIPMED_TAP_H
#define SIPMED_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		printf("#   failed at %s:%d\n", file, line);
		tap_failed++;
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Compares two strings (NULL allowed) and shows both on a failure. */
#define is_str(got, want, ...) do {						\
	const char *g_ = (got), *w_ = (want);					\
	int same_ = (g_ == NULL || w_ == NULL) ? g_ == w_ : strcmp(g_, w_) == 0;	\
	if (!tap_ok(same_, __FILE__, __LINE__, __VA_ARGS__))			\
		printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");					\
} while (0)

#define is_int(got, want, ...) do {						\
	long long g_ = (got), w_ = (want);					\
	if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))			\
		printf("#   got %lld, want %lld\n", g_, w_);			\
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* The path of a file under the source tree (make check sets top_srcdir). */
static inline const char *
tap_srcpath(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");

	snprintf(buf, sizeof(buf), "%s/%s", top ? top : ".", rel);
	return buf;
}

#endif
