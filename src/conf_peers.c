/*
 * conf_peers: the server, tls, pool, trunks, trace and control groups:
 * who sipmed is, how it proves it, and the peers it talks to. Defaults
 * for trunk behaviour are Lync's (reference 2.5). This file checks the
 * form of addresses and names; reading certificate files is the TLS
 * layer's start-up job, not the loader's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/url.h>

#include "conf_priv.h"

/* A sip: or sips: URI with a host, as a listen address or a next hop. */
static int
check_sip_uri(struct loader *L, const config_setting_t *at, const char *what,
    const char *v)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, v);
	int bad = 0;

	if (u == NULL || (u->url_type != url_sip && u->url_type != url_sips) ||
	    u->url_host == NULL || u->url_host[0] == '\0') {
		conf_error(L, at, "%s: \"%s\" is not a sip: or sips: URI with a host "
		    "(like sips:192.0.2.10:5061)", what, v);
		bad = 1;
	} else if (u->url_port != NULL && (atoi(u->url_port) < 1 || atoi(u->url_port) > 65535)) {
		conf_error(L, at, "%s: \"%s\": port must be 1 to 65535", what, v);
		bad = 1;
	}
	su_home_deinit(home);
	return bad;
}

bool
conf_is_sips(const char *uri)
{
	return uri != NULL && strncmp(uri, "sips:", 5) == 0;
}

unsigned
conf_uri_transports(const char *uri, bool listener)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = uri != NULL ? url_make(home, uri) : NULL;
	char tp[16];
	unsigned t = 0;

	if (u == NULL)
		t = 0;
	else if (u->url_type == url_sips)
		t = CONF_TLS;
	else if (url_param(u->url_params, "transport", tp, sizeof(tp)) > 0)
		t = strcasecmp(tp, "udp") == 0 ? CONF_UDP : strcasecmp(tp, "tcp") == 0 ?
		    CONF_TCP : strcasecmp(tp, "tls") == 0 ? CONF_TLS : 0;
	else
		t = listener ? CONF_UDP | CONF_TCP : CONF_UDP;
	su_home_deinit(home);
	return t;
}

bool
conf_uses_tls(const char *uri)
{
	return conf_uri_transports(uri, false) == CONF_TLS;
}

const char *
conf_transport_name(unsigned t)
{
	return t == CONF_TLS ? "tls" : t == CONF_TCP ? "tcp" : t == CONF_UDP ? "udp" : "?";
}

struct peer_link
conf_peer_link(const struct conf *c, const struct trunk *t)
{
	if (t != NULL)
		return (struct peer_link){ t->address, t->identity, t->next_hop, t->listen };
	return (struct peer_link){ c->pool.address, c->pool.identity, c->pool.next_hop,
	    c->pool.listen };
}

/*
 * A peer without source_addresses is known by the host of its address
 * (meaningful when that is an IP literal). Derived once here, so that
 * identifying the sender of a request is a plain list lookup.
 */
static void
default_source(struct loader *L, struct strlist *l, const char *address)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u;

	if (l->n > 0 || address == NULL)
		return;
	u = url_make(home, address);
	if (u != NULL && u->url_host != NULL) {
		l->v = su_zalloc(L->home, 2 * sizeof(*l->v));
		if (l->v != NULL) {
			l->v[0] = su_strdup(L->home, u->url_host);
			l->n = 1;
		}
	}
	su_home_deinit(home);
}

/*
 * Where requests to a peer go. A TLS peer (sips:, or sip: with
 * transport=tls) is reached by its identity, with its address as maddr
 * (sips:gw1.example.com:5061;maddr=192.0.2.10), so that the TLS transport
 * checks, before anything is sent, that the server's certificate names
 * the peer sipmed means to reach; any other peer by its address as
 * configured.
 */
static const char *
derive_next_hop(struct loader *L, const char *address, const char *identity)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, address);
	const char *hop = address;

	if (u != NULL && conf_uses_tls(address) && identity != NULL && u->url_host != NULL &&
	    strcasecmp(u->url_host, identity) != 0)
		hop = su_sprintf(L->home, "%s:%s%s%s;maddr=%s%s%s", u->url_scheme, identity,
		    u->url_port ? ":" : "", u->url_port ? u->url_port : "", u->url_host,
		    u->url_params ? ";" : "", u->url_params ? u->url_params : "");
	su_home_deinit(home);
	return hop;
}

static int
check_addresses(struct loader *L, const config_setting_t *s, const char *what,
    const struct strlist *l)
{
	int bad = 0;

	for (size_t i = 0; i < l->n; i++) {
		unsigned char buf[16];

		if (inet_pton(AF_INET, l->v[i], buf) != 1 && inet_pton(AF_INET6, l->v[i], buf) != 1) {
			conf_error(L, config_setting_get_elem(s, (unsigned)i), "%s: \"%s\" is not "
			    "an IPv4 or IPv6 address", what, l->v[i]);
			bad++;
		}
	}
	return bad;
}

/* server */

/*
 * A listen address: a sip: URI listens on UDP and TCP, or on the one its
 * transport parameter names; a sips: URI on TLS. sofia-sip cannot listen
 * on "sip:...;transport=tls" (it fails at start, "Protocol not
 * supported"), so that form is refused here with the one that works.
 */
static void
check_listener(struct loader *L, const config_setting_t *at, const char *v)
{
	if (check_sip_uri(L, at, "server: listen", v) != 0)
		return;
	if (!conf_is_sips(v) && conf_uri_transports(v, true) == CONF_TLS)
		conf_error(L, at, "server: listen: \"%s\": a TLS listener is written "
		    "sips:ADDRESS:PORT (peers may still address it as sip:...;transport=tls)", v);
	else if (conf_uri_transports(v, true) == 0)
		conf_error(L, at, "server: listen: \"%s\": sipmed listens on udp or tcp "
		    "(sip:), or on TLS (sips:)", v);
}

static const struct ckey server_keys[] = {
	{ "domain", CK_STR, true, offsetof(struct conf_server, domain), 0, 0, 0, NULL, NULL },
	{ "listen", CK_STRLIST, false, offsetof(struct conf_server, listen), 0, 0, 0, NULL, NULL },
	{ "max_calls", CK_UINT, false, offsetof(struct conf_server, max_calls), 1, 1000000, 10000, NULL, NULL },
	{ "overload_lag", CK_UINT, false, offsetof(struct conf_server, overload_lag), 0, 60000, 200, NULL, NULL },
	{ "overload_retry_after", CK_UINT, false, offsetof(struct conf_server, overload_retry_after), 1, 3600, 5, NULL, NULL },
	{ "invite_timeout", CK_UINT, false, offsetof(struct conf_server, invite_timeout), 1, 600, 180, NULL, NULL },
	{ "drain_timeout", CK_UINT, false, offsetof(struct conf_server, drain_timeout), 0, 86400, 60, NULL, NULL },
	{ "message_timeout", CK_UINT, false, offsetof(struct conf_server, message_timeout), 1, 300, 10, NULL, NULL },
	{ "max_message_size", CK_UINT, false, offsetof(struct conf_server, max_message_size), 4096, 10485760, 65536, NULL, NULL },
	{ "max_connections_per_address", CK_UINT, false, offsetof(struct conf_server, max_connections_per_address), 0, 100000, 64, NULL, NULL },
	{ "unknown_peer_rate", CK_UINT, false, offsetof(struct conf_server, unknown_peer_rate), 0, 100000, 5, NULL, NULL },
	{ "user_agent", CK_STR, false, offsetof(struct conf_server, user_agent), 0, 0, 0, NULL, NULL },
	CK_END
};

int
conf_parse_server(struct loader *L, const config_setting_t *s)
{
	struct conf_server *sv = &L->conf->server;
	const config_setting_t *ls;

	if (s == NULL)
		return 0;
	if (conf_group(L, s, "server", server_keys, sv) > 0)
		return 1;
	ls = config_setting_get_member(s, "listen");
	if (ls == NULL) {
		static const char *def[] = { "sips:0.0.0.0:5061" };

		sv->listen.v = def;
		sv->listen.n = 1;
	} else if (sv->listen.n == 0)
		conf_error(L, ls, "server: \"listen\" must name at least one address");
	for (size_t i = 0; i < sv->listen.n && ls != NULL; i++)
		check_listener(L, config_setting_get_elem(ls, (unsigned)i), sv->listen.v[i]);
	return 0;
}

/* tls */

static const struct ckey tls_keys[] = {
	{ "certificate", CK_PATH, true, offsetof(struct conf_tls, certificate), 0, 0, 0, NULL, NULL },
	{ "private_key", CK_PATH, true, offsetof(struct conf_tls, private_key), 0, 0, 0, NULL, NULL },
	{ "ca", CK_PATH, true, offsetof(struct conf_tls, ca), 0, 0, 0, NULL, NULL },
	{ "passphrase", CK_STR, false, offsetof(struct conf_tls, passphrase), 0, 0, 0, NULL, NULL },
	{ "verify_peer", CK_BOOL, false, offsetof(struct conf_tls, verify_peer), 0, 0, 1, NULL, NULL },
	{ "verify_depth", CK_UINT, false, offsetof(struct conf_tls, verify_depth), 1, 10, 4, NULL, NULL },
	{ "handshake_timeout", CK_UINT, false, offsetof(struct conf_tls, handshake_timeout), 1, 300, 10, NULL, NULL },
	{ "min_version", CK_STR, false, offsetof(struct conf_tls, min_version), 0, 0, 0, "1.2", NULL },
	CK_END
};

int
conf_parse_tls(struct loader *L, const config_setting_t *s)
{
	struct conf_tls *t = &L->conf->tls;

	if (s == NULL)
		return 0;
	if (conf_group(L, s, "tls", tls_keys, t) > 0)
		return 1;
	if (strcmp(t->min_version, "1.2") != 0 && strcmp(t->min_version, "1.3") != 0)
		conf_error(L, config_setting_get_member(s, "min_version"),
		    "tls: \"min_version\" must be \"1.2\" or \"1.3\"");
	return 0;
}

/* pool */

static const struct ckey pool_keys[] = {
	{ "address", CK_STR, true, offsetof(struct conf_pool, address), 0, 0, 0, NULL, NULL },
	{ "identity", CK_STR, false, offsetof(struct conf_pool, identity), 0, 0, 0, NULL, NULL },
	{ "source_addresses", CK_STRLIST, false, offsetof(struct conf_pool, source_addresses), 0, 0, 0, NULL, NULL },
	{ "listen", CK_STR, false, offsetof(struct conf_pool, listen), 0, 0, 0, NULL, NULL },
	{ "media", CK_STR, false, offsetof(struct conf_pool, media.mode), 0, 0, 0, NULL, NULL },
	{ "srtp", CK_STR, false, offsetof(struct conf_pool, media.srtp), 0, 0, 0, NULL, NULL },
	{ "media_unreachable", CK_STR, false, offsetof(struct conf_pool, media.unreachable), 0, 0, 0, NULL, NULL },
	{ "codecs", CK_STRLIST, false, offsetof(struct conf_pool, media.codecs), 0, 0, 0, NULL, NULL },
	{ "trust_pai", CK_BOOL, false, offsetof(struct conf_pool, trust_pai), 0, 0, 1, NULL, NULL },
	{ "options_interval", CK_UINT, false, offsetof(struct conf_pool, options_interval), 0, 3600, 30, NULL, NULL },
	{ "options_misses", CK_UINT, false, offsetof(struct conf_pool, options_misses), 1, 100, 5, NULL, NULL },
	{ "max_request_rate", CK_UINT, false, offsetof(struct conf_pool, max_request_rate), 0, 1000000, 0, NULL, NULL },
	{ "max_calls", CK_UINT, false, offsetof(struct conf_pool, max_calls), 0, 1000000, 0, NULL, NULL },
	{ "max_call_rate", CK_UINT, false, offsetof(struct conf_pool, max_call_rate), 0, 1000000, 0, NULL, NULL },
	CK_END
};

int
conf_parse_pool(struct loader *L, const config_setting_t *s)
{
	struct conf_pool *p = &L->conf->pool;

	if (s == NULL)
		return 0;
	if (conf_group(L, s, "pool", pool_keys, p) > 0)
		return 1;
	check_sip_uri(L, config_setting_get_member(s, "address"), "pool: address", p->address);
	if (conf_uses_tls(p->address) && p->identity == NULL)
		conf_error(L, s, "pool: a TLS address needs \"identity\", the name its "
		    "certificate must carry");
	check_addresses(L, config_setting_get_member(s, "source_addresses"),
	    "pool: source_addresses", &p->source_addresses);
	default_source(L, &p->source_addresses, p->address);
	p->next_hop = derive_next_hop(L, p->address, p->identity);
	return 0;
}

/* trunks */

static int
trunk_called(struct loader *L, const config_setting_t *s, void *obj)
{
	struct trunk *t = obj;
	char owner[300];

	snprintf(owner, sizeof(owner), "trunk \"%s\": called_number_rules", t->name);
	t->called_rules = conf_parse_rule_list(L, s, owner, "called_number_rules");
	return 0;
}

static int
trunk_calling(struct loader *L, const config_setting_t *s, void *obj)
{
	struct trunk *t = obj;
	char owner[300];

	snprintf(owner, sizeof(owner), "trunk \"%s\": calling_number_rules", t->name);
	t->calling_rules = conf_parse_rule_list(L, s, owner, "calling_number_rules");
	return 0;
}

struct rc_src {
	unsigned received;
	unsigned q850_cause;
	unsigned translated;
};

static const struct ckey rc_keys[] = {
	{ "received", CK_UINT, true, offsetof(struct rc_src, received), 400, 699, 0, NULL, NULL },
	{ "q850_cause", CK_UINT, false, offsetof(struct rc_src, q850_cause), 0, 127, 1000, NULL, NULL },
	{ "translated", CK_UINT, true, offsetof(struct rc_src, translated), 400, 699, 0, NULL, NULL },
	CK_END
};

static int
trunk_rc(struct loader *L, const config_setting_t *s, void *obj)
{
	struct trunk *t = obj;
	char what[300];
	int n;

	snprintf(what, sizeof(what), "trunk \"%s\": response_code_rules", t->name);
	n = conf_list(L, s, what);
	if (n <= 0)
		return n < 0;
	t->rc_rules = su_zalloc(L->home, (size_t)n * sizeof(*t->rc_rules));
	for (int i = 0; i < n; i++) {
		struct rc_src src;

		if (conf_group(L, config_setting_get_elem(s, (unsigned)i), what, rc_keys, &src) > 0)
			continue;
		t->rc_rules[t->nrc_rules++] = (struct rc_rule){ src.received,
		    src.q850_cause == 1000 ? -1 : (int)src.q850_cause, src.translated };
	}
	return 0;
}

static const struct ckey trunk_keys[] = {
	{ "name", CK_STR, true, offsetof(struct trunk, name), 0, 0, 0, NULL, NULL },
	{ "address", CK_STR, true, offsetof(struct trunk, address), 0, 0, 0, NULL, NULL },
	{ "identity", CK_STR, false, offsetof(struct trunk, identity), 0, 0, 0, NULL, NULL },
	{ "source_addresses", CK_STRLIST, false, offsetof(struct trunk, source_addresses), 0, 0, 0, NULL, NULL },
	{ "listen", CK_STR, false, offsetof(struct trunk, listen), 0, 0, 0, NULL, NULL },
	{ "media", CK_STR, false, offsetof(struct trunk, media.mode), 0, 0, 0, NULL, NULL },
	{ "srtp", CK_STR, false, offsetof(struct trunk, media.srtp), 0, 0, 0, NULL, NULL },
	{ "media_unreachable", CK_STR, false, offsetof(struct trunk, media.unreachable), 0, 0, 0, NULL, NULL },
	{ "codecs", CK_STRLIST, false, offsetof(struct trunk, media.codecs), 0, 0, 0, NULL, NULL },
	{ "site", CK_SITE, false, offsetof(struct trunk, site), 0, 0, 0, NULL, NULL },
	{ "inbound_dial_plan", CK_PLAN, false, offsetof(struct trunk, inbound_dial_plan), 0, 0, 0, NULL, NULL },
	{ "pstn_usages", CK_STRLIST, false, offsetof(struct trunk, pstn_usages), 0, 0, 0, NULL, NULL },
	{ "called_number_rules", CK_FUNC, false, 0, 0, 0, 0, NULL, trunk_called },
	{ "calling_number_rules", CK_FUNC, false, 0, 0, 0, 0, NULL, trunk_calling },
	{ "response_code_rules", CK_FUNC, false, 0, 0, 0, 0, NULL, trunk_rc },
	{ "remove_plus", CK_BOOL, false, offsetof(struct trunk, remove_plus), 0, 0, 0, NULL, NULL },
	{ "forward_pai", CK_BOOL, false, offsetof(struct trunk, forward_pai), 0, 0, 0, NULL, NULL },
	{ "max_request_rate", CK_UINT, false, offsetof(struct trunk, max_request_rate), 0, 1000000, 0, NULL, NULL },
	{ "max_calls", CK_UINT, false, offsetof(struct trunk, max_calls), 0, 1000000, 0, NULL, NULL },
	{ "max_call_rate", CK_UINT, false, offsetof(struct trunk, max_call_rate), 0, 1000000, 0, NULL, NULL },
	{ "forward_call_history", CK_BOOL, false, offsetof(struct trunk, forward_call_history), 0, 0, 0, NULL, NULL },
	{ "refer_support", CK_BOOL, false, offsetof(struct trunk, refer_support), 0, 0, 1, NULL, NULL },
	{ "diversion", CK_BOOL, false, offsetof(struct trunk, diversion), 0, 0, 0, NULL, NULL },
	{ "pidf_lo", CK_BOOL, false, offsetof(struct trunk, pidf_lo), 0, 0, 0, NULL, NULL },
	{ "emergency_elin", CK_BOOL, false, offsetof(struct trunk, emergency_elin), 0, 0, 0, NULL, NULL },
	{ "fast_failover", CK_BOOL, false, offsetof(struct trunk, fast_failover), 0, 0, 1, NULL, NULL },
	{ "failover_timeout", CK_UINT, false, offsetof(struct trunk, failover_timeout), 1, 300, 10, NULL, NULL },
	{ "session_timer", CK_BOOL, false, offsetof(struct trunk, session_timer), 0, 0, 0, NULL, NULL },
	{ "max_early_dialogs", CK_UINT, false, offsetof(struct trunk, max_early_dialogs), 1, 1000, 20, NULL, NULL },
	{ "options_interval", CK_UINT, false, offsetof(struct trunk, options_interval), 0, 3600, 30, NULL, NULL },
	{ "options_misses", CK_UINT, false, offsetof(struct trunk, options_misses), 1, 100, 5, NULL, NULL },
	CK_END
};

/* Lync's New-CsOutboundTranslationRule defaults: strip the leading +. */
static struct ruleset *
default_called_rules(struct loader *L)
{
	struct ruleset *rs = ruleset_new(L->home, "called_number_rules");
	char err[256];

	if (rs == NULL || ruleset_add(rs, "Default", "^\\+(\\d*)$", "$1", 0, err,
	    sizeof(err)) == NULL || ruleset_build(rs) == -1)
		return NULL;
	return rs;
}

static void
parse_trunk(struct loader *L, const config_setting_t *e, struct trunk *t)
{
	char what[300];
	const char *name = conf_name_of(e, "name");

	/* The name first: rule lists name their trunk in messages. */
	t->name = su_strdup(L->home, name);
	t->line = conf_line(e);
	snprintf(what, sizeof(what), "trunk \"%s\"", name);
	if (conf_group(L, e, what, trunk_keys, t) > 0)
		return;
	if (!conf_name_ok(t->name))
		conf_error(L, e, "trunk names must be 1 to 256 printable characters");
	check_sip_uri(L, config_setting_get_member(e, "address"), what, t->address);
	if (conf_uses_tls(t->address) && t->identity == NULL)
		conf_error(L, e, "%s: a TLS address needs \"identity\", the name its "
		    "certificate must carry", what);
	check_addresses(L, config_setting_get_member(e, "source_addresses"), what,
	    &t->source_addresses);
	default_source(L, &t->source_addresses, t->address);
	t->next_hop = derive_next_hop(L, t->address, t->identity);
	if (t->called_rules == NULL && config_setting_get_member(e, "called_number_rules") == NULL)
		t->called_rules = default_called_rules(L);
	if (t->calling_rules == NULL)
		t->calling_rules = conf_parse_rule_list(L, NULL, what, "calling_number_rules");
}

int
conf_parse_trunks(struct loader *L, const config_setting_t *s)
{
	struct conf *c = L->conf;
	int n = conf_list_alloc(L, s, "trunks", (void **)&c->trunks, sizeof(*c->trunks));

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct trunk *t = &c->trunks[i];

		if (conf_trunk(c, conf_name_of(e, "name")) != NULL)
			conf_error(L, e, "two trunks are named \"%s\"", conf_name_of(e, "name"));
		parse_trunk(L, e, t);
		c->ntrunks = (size_t)i + 1;
	}
	return 0;
}

/* trace */

static const struct ckey trace_keys[] = {
	{ "messages", CK_BOOL, false, offsetof(struct conf_trace, messages), 0, 0, 0, NULL, NULL },
	{ "decisions", CK_BOOL, false, offsetof(struct conf_trace, decisions), 0, 0, 0, NULL, NULL },
	{ "text_file", CK_PATH, false, offsetof(struct conf_trace, text_file), 0, 0, 0, NULL, NULL },
	{ "pcap_file", CK_PATH, false, offsetof(struct conf_trace, pcap_file), 0, 0, 0, NULL, NULL },
	{ "hep_address", CK_STR, false, offsetof(struct conf_trace, hep_address), 0, 0, 0, NULL, NULL },
	{ "hep_capture_id", CK_UINT, false, offsetof(struct conf_trace, hep_capture_id), 0, 2147483647, 2001, NULL, NULL },
	CK_END
};

int
conf_parse_trace(struct loader *L, const config_setting_t *s)
{
	struct conf_trace *t = &L->conf->trace;
	const char *h;

	if (conf_group(L, s, "trace", trace_keys, t) > 0)
		return 1;
	h = t->hep_address;
	if (h != NULL && (strncmp(h, "udp:", 4) != 0 || strrchr(h + 4, ':') == NULL))
		conf_error(L, config_setting_get_member(s, "hep_address"), "trace: \"hep_address\" "
		    "must look like udp:HOST:PORT (got \"%s\")", h);
	return 0;
}

/* control */

/* libconfig has no octal: the mode is a string like "0660". */
static int
control_mode(struct loader *L, const config_setting_t *s, void *obj)
{
	const char *v = config_setting_get_string(s);
	char *end = NULL;
	unsigned long m = v ? strtoul(v, &end, 8) : 0;

	if (v == NULL || *v == '\0' || *end != '\0' || m > 0777) {
		conf_error(L, s, "control: \"mode\" must be an octal string like \"0660\"");
		return 1;
	}
	((struct conf_control *)obj)->mode = (unsigned)m;
	return 0;
}

static const struct ckey control_keys[] = {
	{ "socket", CK_PATH, false, offsetof(struct conf_control, socket), 0, 0, 0, "/run/sipmed/sipmed.sock", NULL },
	{ "mode", CK_FUNC, false, 0, 0, 0, 0, NULL, control_mode },
	{ "group", CK_STR, false, offsetof(struct conf_control, group), 0, 0, 0, NULL, NULL },
	CK_END
};

int
conf_parse_control(struct loader *L, const config_setting_t *s)
{
	struct conf_control *ctl = &L->conf->control;

	ctl->mode = 0660;	/* a CK_FUNC row has no table default */
	return conf_group(L, s, "control", control_keys, ctl);
}

void
conf_check_tls(struct loader *L)
{
	const struct conf *c = L->conf;
	const char *who = NULL;

	if (c->tls.certificate != NULL)
		return;
	for (size_t i = 0; i < c->server.listen.n && who == NULL; i++)
		if (conf_is_sips(c->server.listen.v[i]))
			who = "a sips: listen address (the default is sips:0.0.0.0:5061)";
	if (who == NULL && conf_uses_tls(c->pool.address))
		who = "the pool's TLS address";
	for (size_t i = 0; i < c->ntrunks && who == NULL; i++)
		if (conf_uses_tls(c->trunks[i].address))
			who = "a trunk's TLS address";
	if (who != NULL)
		conf_error(L, NULL, "missing group \"tls\": %s needs a certificate", who);
}

/* The pool's (i == -1) or trunk i's group in the file. */
static const config_setting_t *
peer_group(const config_setting_t *root, int i)
{
	if (i < 0)
		return config_setting_get_member(root, "pool");
	return config_setting_get_elem(config_setting_get_member(root, "trunks"), (unsigned)i);
}

/* The pool's (i == -1) or trunk i's link, and its name for messages. */
static struct peer_link
peer_at(const struct conf *c, int i, char *what, size_t len)
{
	if (i < 0)
		snprintf(what, len, "pool");
	else
		snprintf(what, len, "trunk \"%s\"", c->trunks[i].name);
	return conf_peer_link(c, i < 0 ? NULL : &c->trunks[i]);
}

static const struct strlist *
peer_sources(const struct conf *c, int i)
{
	return i < 0 ? &c->pool.source_addresses : &c->trunks[i].source_addresses;
}

/*
 * Whether peers i and j could send one request: both known by their
 * certificate and with one identity, or both known by a source address
 * they share (in *shared); and on one listener, since a peer with
 * "listen" is only taken for requests that arrive on it.
 */
static bool
peers_collide(const struct conf *c, int i, int j, const char **shared)
{
	char what[300];
	struct peer_link a = peer_at(c, i, what, sizeof(what));
	struct peer_link b = peer_at(c, j, what, sizeof(what));
	const struct strlist *l = peer_sources(c, i);

	if (a.listen != NULL && b.listen != NULL && strcmp(a.listen, b.listen) != 0)
		return false;
	if (conf_uses_tls(a.address) != conf_uses_tls(b.address))
		return false;
	if (conf_uses_tls(a.address)) {
		*shared = a.identity;
		return a.identity != NULL && b.identity != NULL &&
		    strcasecmp(a.identity, b.identity) == 0;
	}
	for (size_t k = 0; k < l->n; k++)
		if (conf_strlist_has(peer_sources(c, j), l->v[k])) {
			*shared = l->v[k];
			return true;
		}
	return false;
}

/*
 * A request is known by its sender (source address on plain transports,
 * certificate over TLS) and the listener it arrived on: two peers that
 * share both could not be told apart, and the first in the file would
 * take the other's calls. Several trunks to one gateway (M:N) each need
 * their own listener.
 */
static void
check_told_apart(struct loader *L, const config_setting_t *root, int i)
{
	char what[300], other[300];
	const char *shared = NULL;
	bool tls = conf_uses_tls(peer_at(L->conf, i, what, sizeof(what)).address);

	for (int j = -1; j < i; j++)
		if (peers_collide(L->conf, i, j, &shared)) {
			peer_at(L->conf, j, other, sizeof(other));
			conf_error(L, peer_group(root, i), "%s: %s %s is also the %s's, on the same "
			    "listener: requests from them could not be told apart (give each its "
			    "own \"listen\", %s)", what, tls ? "identity" : "source address",
			    shared, other, tls ? "or another certificate" :
			    "other source_addresses, or TLS");
			return;
		}
}

/* A peer's listen must be one of server.listen, with its transport. */
static void
check_listen(struct loader *L, const config_setting_t *root, int i, unsigned transport)
{
	const struct conf *c = L->conf;
	char what[300];
	struct peer_link l = peer_at(c, i, what, sizeof(what));

	if (l.listen == NULL)
		return;
	if (!conf_strlist_has(&c->server.listen, l.listen))
		conf_error(L, peer_group(root, i), "%s: listen \"%s\" is none of server.listen",
		    what, l.listen);
	else if ((conf_uri_transports(l.listen, true) & transport) == 0)
		conf_error(L, peer_group(root, i), "%s: listen \"%s\" has no %s socket, the "
		    "transport of its address", what, l.listen, conf_transport_name(transport));
}

void
conf_check_peers(struct loader *L, const config_setting_t *root)
{
	const struct conf *c = L->conf;
	unsigned listening = 0;
	char what[300];

	for (size_t i = 0; i < c->server.listen.n; i++)
		listening |= conf_uri_transports(c->server.listen.v[i], true);
	for (int i = -1; i < (int)c->ntrunks; i++) {
		const char *a = peer_at(c, i, what, sizeof(what)).address;
		unsigned t = conf_uri_transports(a, false);

		if (a == NULL)
			continue;
		if (t == 0)
			conf_error(L, peer_group(root, i), "%s: address \"%s\": sipmed reaches "
			    "peers over udp, tcp or tls", what, a);
		else if ((t & listening) == 0)
			conf_error(L, peer_group(root, i), "%s: address \"%s\" is reached over %s, "
			    "but server.listen has no %s listener", what, a, conf_transport_name(t),
			    t == CONF_TLS ? "sips:" : conf_transport_name(t));
		else
			check_listen(L, root, i, t);
		check_told_apart(L, root, i);
		conf_check_peer_media(L, peer_group(root, i), what, i < 0 ? &c->pool.media :
		    &c->trunks[i].media);
	}
}

/* directory */

static const struct ckey directory_keys[] = {
	{ "uri", CK_STR, true, offsetof(struct conf_ldap, uri), 0, 0, 0, NULL, NULL },
	{ "starttls", CK_BOOL, false, offsetof(struct conf_ldap, starttls), 0, 0, 0, NULL, NULL },
	{ "ca_file", CK_PATH, false, offsetof(struct conf_ldap, ca_file), 0, 0, 0, NULL, NULL },
	{ "bind_dn", CK_STR, false, offsetof(struct conf_ldap, bind_dn), 0, 0, 0, NULL, NULL },
	{ "password_file", CK_PATH, false, offsetof(struct conf_ldap, password_file), 0, 0, 0, NULL, NULL },
	{ "base", CK_STR, true, offsetof(struct conf_ldap, base), 0, 0, 0, NULL, NULL },
	{ "preset", CK_STR, false, offsetof(struct conf_ldap, preset), 0, 0, 0, "active_directory", NULL },
	{ "filter", CK_STR, false, offsetof(struct conf_ldap, filter), 0, 0, 0, NULL, NULL },
	{ "line_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_line), 0, 0, 0, NULL, NULL },
	{ "uri_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_uri), 0, 0, 0, NULL, NULL },
	{ "enabled_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_enabled), 0, 0, 0, NULL, NULL },
	{ "display_name_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_display), 0, 0, 0, NULL, NULL },
	{ "dial_plan_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_dial_plan), 0, 0, 0, NULL, NULL },
	{ "voice_policy_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_voice_policy), 0, 0, 0, NULL, NULL },
	{ "changed_attribute", CK_STR, false, offsetof(struct conf_ldap, attr_changed), 0, 0, 0, NULL, NULL },
	{ "poll_interval", CK_UINT, false, offsetof(struct conf_ldap, poll_interval), 0, 86400, 60, NULL, NULL },
	{ "full_interval", CK_UINT, false, offsetof(struct conf_ldap, full_interval), 10, 604800, 3600, NULL, NULL },
	{ "page_size", CK_UINT, false, offsetof(struct conf_ldap, page_size), 1, 100000, 500, NULL, NULL },
	{ "timeout", CK_UINT, false, offsetof(struct conf_ldap, timeout), 1, 300, 10, NULL, NULL },
	CK_END
};

/*
 * The attribute maps: Active Directory with the Lync schema, and a plain
 * LDAP directory (inetOrgPerson). A setting in the file wins over its
 * preset's value.
 */
static const struct directory_preset {
	const char *name, *filter, *line, *uri, *enabled, *display, *changed;
} directory_presets[] = {
	{ "active_directory", "(msRTCSIP-Line=*)", "msRTCSIP-Line",
	    "msRTCSIP-PrimaryUserAddress", "msRTCSIP-UserEnabled", "displayName", "whenChanged" },
	{ "ldap", "(telephoneNumber=*)", "telephoneNumber", "mail", NULL, "displayName",
	    "modifyTimestamp" },
};

static void
or_default(const char **v, const char *def)
{
	if (*v == NULL)
		*v = def;
}

int
conf_parse_directory(struct loader *L, const config_setting_t *s)
{
	struct conf_ldap *d = &L->conf->directory;
	const struct directory_preset *p = NULL;

	if (s == NULL)
		return 0;	/* no directory: the file's users only */
	if (conf_group(L, s, "directory", directory_keys, d) > 0)
		return 1;
	if (strncmp(d->uri, "ldap://", 7) != 0 && strncmp(d->uri, "ldaps://", 8) != 0)
		conf_error(L, config_setting_get_member(s, "uri"), "directory: uri must be "
		    "ldap://HOST[:PORT] or ldaps://HOST[:PORT] (got \"%s\")", d->uri);
	if (d->starttls && strncmp(d->uri, "ldaps://", 8) == 0)
		conf_error(L, config_setting_get_member(s, "starttls"), "directory: starttls "
		    "is for ldap://; ldaps:// is TLS from the start");
	if (d->bind_dn != NULL && d->password_file == NULL)
		conf_error(L, config_setting_get_member(s, "bind_dn"), "directory: bind_dn "
		    "needs password_file (the password is never in this file)");
	for (size_t i = 0; i < sizeof(directory_presets) / sizeof(directory_presets[0]); i++)
		if (strcmp(directory_presets[i].name, d->preset) == 0)
			p = &directory_presets[i];
	if (p == NULL) {
		conf_error(L, config_setting_get_member(s, "preset"), "directory: preset must "
		    "be \"active_directory\" or \"ldap\" (got \"%s\")", d->preset);
		return 1;
	}
	or_default(&d->filter, p->filter);
	or_default(&d->attr_line, p->line);
	or_default(&d->attr_uri, p->uri);
	or_default(&d->attr_enabled, p->enabled);
	or_default(&d->attr_display, p->display);
	or_default(&d->attr_changed, p->changed);
	if (d->filter[0] != '(')
		conf_error(L, config_setting_get_member(s, "filter"), "directory: filter must "
		    "be an LDAP filter in parentheses (got \"%s\")", d->filter);
	return 0;
}

/* cdr */

static const struct ckey cdr_keys[] = {
	{ "file", CK_PATH, false, offsetof(struct conf_cdr, file), 0, 0, 0, NULL, NULL },
	{ "syslog", CK_BOOL, false, offsetof(struct conf_cdr, syslog), 0, 0, 0, NULL, NULL },
	CK_END
};

int
conf_parse_cdr(struct loader *L, const config_setting_t *s)
{
	return conf_group(L, s, "cdr", cdr_keys, &L->conf->cdr);
}

/* metrics */

static const struct ckey metrics_keys[] = {
	{ "listen", CK_STR, true, offsetof(struct conf_metrics, listen), 0, 0, 0, NULL, NULL },
	CK_END
};

int
conf_parse_metrics(struct loader *L, const config_setting_t *s)
{
	return s != NULL ? conf_group(L, s, "metrics", metrics_keys, &L->conf->metrics) : 0;
}
