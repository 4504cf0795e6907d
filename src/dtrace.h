/*
 * dtrace: the decision trace. Call processing reports every step it takes
 * (dial plan and rule applied with input and output, lookup results,
 * route and trunk chosen, translations) to a dtrace; the trace layer, the
 * log or sipmedctl decide what to do with the lines. A NULL dtrace costs
 * one test per step.
 */
#ifndef SIPMED_DTRACE_H
#define SIPMED_DTRACE_H

struct dtrace {
	void (*step_f)(void *arg, const char *line);
	void *arg;
};

void dtrace_step(const struct dtrace *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
