/*
 * test_conf: the sample configuration loads into the snapshot the code
 * relies on: defaults applied, rules compiled in order, references and
 * scopes resolved, unassigned ranges sorted, the directory built, and
 * the snapshot refcounted. Error messages are tested by
 * tests/config/run.sh through "sipmed -n".
 */
#include "conf.h"
#include "directory.h"
#include "tap.h"

static int nerrors;

static void
count_msg(void *arg, enum conf_severity sev, const char *msg)
{
	if (sev == CONF_ERROR)
		nerrors++;
	printf("# %s\n", msg);
}

static void
test_sample(struct conf *c)
{
	const struct trunk *pdx = conf_trunk(c, "portland-gw"), *sea = conf_trunk(c, "seattle-gw");
	const struct user *ceo = directory_user(c->dir, "<sip:ceo@CONTOSO.com;transport=tls>");
	const struct dial_plan *dp = conf_dial_plan(c, "PortlandGateway");

	is_str(c->server.domain, "contoso.com", "server domain");
	is_int(c->server.listen.n, 1, "one listen address");
	is_str(c->server.listen.v[0], "sips:0.0.0.0:5061", "listening on sips 5061");
	ok(dp != NULL && ruleset_count(dp->rules) == 3, "PortlandGateway has 3 rules");
	is_str(rule_name(ruleset_rule(dp->rules, 0)), "4digit", "rules keep their order");
	ok(pdx != NULL && sea != NULL, "both trunks loaded");
	ok(pdx->refer_support && pdx->fast_failover && !pdx->remove_plus && !pdx->forward_pai,
	    "trunk flags as configured");
	ok(sea->refer_support && sea->fast_failover && sea->failover_timeout == 10 &&
	    sea->max_early_dialogs == 20 && !sea->forward_pai && !sea->forward_call_history &&
	    !sea->remove_plus && sea->options_misses == 5, "unset trunk flags take Lync's defaults");
	ok(ruleset_count(sea->called_rules) == 1 &&
	    strcmp(rule_pattern(ruleset_rule(sea->called_rules, 0)), "^\\+(\\d*)$") == 0,
	    "a trunk without called_number_rules gets the strip-plus default");
	is_int(ruleset_count(sea->calling_rules), 0, "no calling_number_rules by default");
	ok(strcmp(c->pool.next_hop, "sips:pool.contoso.com:5161;maddr=127.0.0.1") == 0 &&
	    strcmp(pdx->next_hop, "sips:gw1.portland.contoso.com:5261;maddr=127.0.0.1") == 0,
	    "sips: peers are reached by identity, the address as maddr: the name is checked");
	ok(sea->source_addresses.n == 1 && strcmp(sea->source_addresses.v[0], "127.0.0.1") == 0,
	    "a trunk without source_addresses is known by the host of its address");
	ok(pdx->nrc_rules == 1 && pdx->rc_rules[0].received == 486 &&
	    pdx->rc_rules[0].q850_cause == 34 && pdx->rc_rules[0].translated == 503,
	    "response code rule 486/34 -> 503");
	is_str(conf_trunk_dial_plan(c, pdx)->name, "PortlandGateway", "trunk's own plan");
	is_str(conf_trunk_dial_plan(c, sea)->name, "Global", "trunk without plan or site: Global");
	ok(ceo != NULL, "a user is found by any form of its SIP URI");
	is_str(conf_user_dial_plan(c, ceo)->name, "PortlandUsers", "user plan from its site");
	is_str(conf_user_voice_policy(c, ceo)->name, "Portland", "user policy from its site");
	is_str(conf_user_dial_plan(c, directory_user(c->dir, "sip:lobby@contoso.com"))->name,
	    "Global", "user without plan or site: Global");
	ok(c->nunassigned == 2 && c->unassigned[0].priority == 0 &&
	    strcmp(c->unassigned[1].name, "Portland DID block") == 0,
	    "unassigned ranges sorted by priority");
	ok(c->tls.verify_peer && c->tls.verify_depth == 4 && strcmp(c->tls.min_version, "1.2") == 0,
	    "tls settings");
	ok(strstr(c->tls.certificate, "etc/certs/sipmed.crt") != NULL,
	    "relative file names are relative to the configuration's directory");
	is_int(c->control.mode, 0660, "control socket mode is octal");
}

static void
test_rnl(struct conf *c)
{
	struct user *u = NULL;

	ok(directory_rnl(c->dir, "+15033121234", &u) == RNL_FOUND &&
	    strcmp(u->uri, "sip:ceo@contoso.com") == 0, "exact LineURI");
	ok(directory_rnl(c->dir, "+15033125678", &u) == RNL_FOUND &&
	    strcmp(u->uri, "sip:bob@contoso.com") == 0,
	    "a base number held by one LineURI with ;ext= reaches it");
	ok(directory_rnl(c->dir, "+15033127000", &u) == RNL_AMBIGUOUS,
	    "a base number shared by two extensions is ambiguous");
	ok(directory_rnl(c->dir, "+15033127000;ext=7002", &u) == RNL_FOUND &&
	    strcmp(u->uri, "sip:sales2@contoso.com") == 0, "the full number picks the extension");
	ok(directory_rnl(c->dir, "+15033121234;ext=99", &u) == RNL_FOUND &&
	    strcmp(u->uri, "sip:ceo@contoso.com") == 0,
	    "an unknown extension on a bare number reaches the bare number's holder");
	ok(directory_rnl(c->dir, "+15033127000;ext=7003", &u) == RNL_NOT_FOUND,
	    "an unknown extension on a shared base number is not found");
	ok(directory_rnl(c->dir, "+15039999999", &u) == RNL_NOT_FOUND, "nobody's number");
}

int
main(void)
{
	struct conf *c = conf_load(tap_srcpath("etc/sipmed.conf"), count_msg, NULL);

	if (!ok(c != NULL && nerrors == 0, "the sample configuration loads"))
		return tap_done();
	test_sample(c);
	test_rnl(c);
	ok(conf_ref(c) == c, "conf_ref returns the snapshot");
	conf_unref(c);
	ok(c->ntrunks == 2, "one reference left: the snapshot is still alive");
	conf_unref(c);
	ok(conf_load("/nonexistent/sipmed.conf", count_msg, NULL) == NULL,
	    "a missing file is refused");

	/* a file without trace or control groups gets their defaults */
	c = conf_load(tap_srcpath("tests/config/base.inc"), count_msg, NULL);
	if (ok(c != NULL, "the minimal configuration loads")) {
		ok(c->trace.hep_capture_id == 2001 && !c->trace.messages && !c->trace.decisions,
		    "absent trace group: defaults");
		ok(strcmp(c->control.socket, "/run/sipmed/sipmed.sock") == 0 &&
		    c->control.mode == 0660, "absent control group: defaults");
		ok(c->tls.certificate == NULL, "no tls group: no certificate");
		ok(strcmp(c->pool.next_hop, c->pool.address) == 0,
		    "a plain peer is reached at its address as configured");
		conf_unref(c);
	}
	return tap_done();
}
