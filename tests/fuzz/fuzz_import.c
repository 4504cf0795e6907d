/*
 * fuzz_import: sipmedctl import-lync under libFuzzer. The input is a
 * Management Shell script: the PowerShell reader (ps.c) and the cmdlets
 * (lync_*.c) run it, and the configuration is written to /dev/null. A
 * crash, a leak or a sanitizer report is a failure; a parse error or a
 * warning is an answer like any other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	su_home_t *home = su_home_new(sizeof(*home));
	struct lync l = { .home = home };
	char *text = malloc(size + 1), err[512];

	if (null == NULL) {
		null = fopen("/dev/null", "w");
		stderr = null;		/* the warnings, thousands a second */
	}
	if (home == NULL || text == NULL || null == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (lync_import_text(&l, "fuzz.ps1", text, err, sizeof(err)) == 0) {
		char *files[] = { (char *)"fuzz.ps1" };

		lync_write(&l, null, 1, files);
	}
	free(text);
	su_home_unref(home);
	return 0;
}
