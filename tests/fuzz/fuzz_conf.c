/*
 * fuzz_conf: the configuration loader under libFuzzer. Each input is
 * written to a file and loaded; the loader must refuse or accept it
 * without crashing, leaking or reading out of bounds, and every message
 * it reports must carry a FILE:LINE: location.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
message(void *arg, enum conf_severity sev, const char *msg)
{
	if (strncmp(msg, path, strlen(path)) != 0) {
		fprintf(stderr, "a message without its file: %s\n", msg);
		abort();
	}
}

/* The input file goes with the run (it stays when a crash ends it). */
static void
remove_input(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;
	struct conf *c;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/sipmed-fuzz-conf.%d", (int)getpid());
		atexit(remove_input);
	}
	f = fopen(path, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	c = conf_load(path, message, NULL);
	conf_unref(c);
	return 0;
}
