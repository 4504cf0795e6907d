/*
 * fuzz_rules: the rule engine and number parsing under libFuzzer. The
 * input is lines: up to four rules as "PATTERN<TAB>TRANSLATION", then
 * subjects. Every rule that compiles goes into a ruleset; for each
 * subject the indexed answer must equal the linear first match (the
 * oracle the unit tests use), and the number parsers must not misbehave.
 * A difference aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>

#include "number.h"
#include "rule.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_subject(const struct ruleset *rs, const char *subj)
{
	char out[RULE_OUT_MAX], lout[RULE_OUT_MAX], err[128];
	const struct rule *r = NULL, *lr = NULL;
	struct telnum tn;
	size_t len = strlen(subj);
	int rc = ruleset_apply(rs, subj, len, out, sizeof(out), &r);
	int lrc = ruleset_apply_linear(rs, subj, len, lout, sizeof(lout), &lr);

	if (rc != lrc || r != lr || (rc == 1 && strcmp(out, lout) != 0)) {
		fprintf(stderr, "index and linear scan differ on \"%s\": %d %s / %d %s\n", subj,
		    rc, rc == 1 ? out : "", lrc, lrc == 1 ? lout : "");
		abort();
	}
	number_is_sane(subj);
	number_is_e164(subj);
	number_base_len(subj);
	number_parse_e164(subj, false, &tn, err, sizeof(err));
	number_parse_e164(subj, true, &tn, err, sizeof(err));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *text = malloc(size + 1), *line, *save = NULL, err[256], name[16];
	struct ruleset *rs;
	int nrules = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rs = ruleset_new(home, "fuzz");
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (tab != NULL && nrules < 4) {
			*tab = '\0';
			snprintf(name, sizeof(name), "r%d", nrules++);
			ruleset_add(rs, name, line, tab + 1, 0, err, sizeof(err));
			continue;
		}
		if (nrules > 0 && nrules <= 4) {
			ruleset_build(rs);
			nrules = 5;	/* built: the rest are subjects */
		}
		if (nrules == 5)
			check_subject(rs, line);
	}
	su_home_deinit(home);
	free(text);
	return 0;
}
