/*
 * dtrace: formats one decision step and hands it to the trace's sink.
 */
#include <stdarg.h>
#include <stdio.h>

#include "dtrace.h"

void
dtrace_step(const struct dtrace *t, const char *fmt, ...)
{
	char line[1024];	/* as long as a trace record's line */
	va_list ap;

	if (t == NULL || t->step_f == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->step_f(t->arg, line);
}
