/*
 * server: agent set-up and the default leg, which gets every request that
 * belongs to no dialog sipmed knows. Such a request must come from a
 * configured peer, known by its TLS certificate (the names in it against
 * the pool's and the trunks' identity) or, on plain transports, by source
 * address (a trunk's or the pool's source_addresses, which default to the
 * host of its address); from anyone else it gets 403 and never reaches
 * call processing.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "call.h"
#include "cdr.h"
#include "hdrmap.h"
#include "hmap.h"
#include "log.h"
#include "media.h"
#include "overload.h"
#include "server.h"
#include "shed.h"
#include "stats.h"
#include "tls.h"
#include "trace.h"

/* One of the agent's primary transports, as its Contact names it. */
struct listener {
	tport_t *tp;
	const char *uri;		/* the listen URI it was bound for */
	char proto[8];			/* "udp", "tcp", "tls" */
	int family;
	su_sockaddr_t su;		/* its address */
	bool wildcard;			/* bound to 0.0.0.0 or :: */
	unsigned port;
	char host[64];			/* as a URI has it ([::1] for IPv6) */
};

static bool
sockaddr_is_wildcard(const su_sockaddr_t *su)
{
	if (su->su_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&su->su_sin6.sin6_addr);
	return su->su_sin.sin_addr.s_addr == htonl(INADDR_ANY);
}

/* The host of su as a URI writes it. */
static void
sockaddr_host(const su_sockaddr_t *su, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (su->su_family == AF_INET6) {
		inet_ntop(AF_INET6, &su->su_sin6.sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]", a);
	} else {
		inet_ntop(AF_INET, &su->su_sin.sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s", a);
	}
}

/* Reads the agent's primary transports once: they live as long as it. */
static int
listeners_read(struct server *srv)
{
	tport_t *tp;
	size_t n = 0;
	const sip_contact_t *m = nta_agent_contact(srv->agent);

	srv->host = m != NULL ? su_strdup(srv->home, m->m_url->url_host) : "127.0.0.1";
	for (tp = tport_primaries(nta_agent_tports(srv->agent)); tp; tp = tport_next(tp))
		n++;
	srv->listeners = su_zalloc(srv->home, (n ? n : 1) * sizeof(*srv->listeners));
	if (srv->listeners == NULL)
		return -1;
	n = 0;
	for (tp = tport_primaries(nta_agent_tports(srv->agent)); tp; tp = tport_next(tp), n++) {
		struct listener *l = &srv->listeners[srv->nlisteners];
		su_sockaddr_t su = { 0 };
		socklen_t sulen = sizeof(su);
		size_t u = 0;

		if (tport_local_sockaddr(tp, &su, &sulen) < 0)
			continue;
		while (u + 1 < srv->nuris && n >= srv->uri_ends[u])
			u++;
		l->uri = srv->uris[u];
		l->tp = tp;
		snprintf(l->proto, sizeof(l->proto), "%s", tport_name(tp)->tpn_proto);
		l->family = su.su_family;
		l->su = su;
		l->wildcard = sockaddr_is_wildcard(&su);
		l->port = ntohs(su.su_port);
		sockaddr_host(&su, l->host, sizeof(l->host));
		srv->nlisteners++;
	}
	return 0;
}

/* "udp 127.0.0.1:5060, tcp 127.0.0.1:5060...": what uri has bound. */
static void
listeners_bound(const struct server *srv, const char *uri, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < srv->nlisteners && off < len; i++) {
		const struct listener *l = &srv->listeners[i];
		int w;

		if (l->uri != uri)
			continue;
		w = snprintf(buf + off, len - off, "%s%s %s:%u", off ? ", " : "", l->proto,
		    l->host, l->port);
		off += w > 0 ? (size_t)w : 0;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "nothing bound");
}

void
server_write_listeners(const struct server *srv, FILE *f)
{
	char bound[1024];

	for (size_t i = 0; i < srv->nuris; i++) {
		listeners_bound(srv, srv->uris[i], bound, sizeof(bound));
		fprintf(f, "listening on %s: %s\n", srv->uris[i], bound);
	}
}

bool
server_listens(const struct server *srv, const char *uri)
{
	return conf_strlist_has(&(struct strlist){ srv->uris, srv->nuris }, uri);
}

static const struct listener *
listener_of(const struct server *srv, const tport_t *primary)
{
	for (size_t i = 0; i < srv->nlisteners; i++)
		if (srv->listeners[i].tp == primary)
			return &srv->listeners[i];
	return NULL;
}

/*
 * The address the kernel sends from toward host (an IP address, IPv6 in
 * brackets), in src: what a connected UDP socket is bound to (nothing is
 * sent). -1 when host is a name or has no route.
 */
static int
source_toward(const char *host, su_sockaddr_t *src)
{
	su_sockaddr_t dst = { 0 };
	socklen_t len = sizeof(*src);
	char h[64];
	size_t n = strlen(host);
	int s, rc;

	if (n >= sizeof(h))
		return -1;
	if (host[0] == '[' && n > 2)
		snprintf(h, sizeof(h), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(h, sizeof(h), "%s", host);
	dst.su_family = strchr(h, ':') != NULL ? AF_INET6 : AF_INET;
	dst.su_port = htons(5060);
	if (inet_pton(dst.su_family, h, SU_ADDR(&dst)) != 1)
		return -1;
	if ((s = socket(dst.su_family, SOCK_DGRAM, 0)) < 0)
		return -1;
	rc = connect(s, &dst.su_sa, su_sockaddr_size(&dst)) == 0 &&
	    getsockname(s, &src->su_sa, &len) == 0 ? 0 : -1;
	close(s);
	return rc;
}

/*
 * The listener of transport proto for a leg toward host, bound for the
 * listen URI uri (NULL: any): of host's family, and of the address the
 * kernel sends from toward it when a wildcard bound several (the
 * interface that routes to the peer, as the transport sends from it:
 * sipmed-mhomed.patch); else the first of the family, else the first of
 * proto.
 */
static const struct listener *
listener_for(const struct server *srv, const char *proto, const char *host, const char *uri)
{
	const struct listener *any = NULL, *fam = NULL;
	int family = strchr(host, '[') != NULL ? AF_INET6 : AF_INET;
	size_t nfam = 0;
	su_sockaddr_t src;

	for (size_t i = 0; i < srv->nlisteners; i++) {
		const struct listener *l = &srv->listeners[i];

		if (strcasecmp(l->proto, proto) != 0 || (uri != NULL && strcmp(l->uri, uri) != 0))
			continue;
		if (any == NULL)
			any = l;
		if (l->family == family && nfam++ == 0)
			fam = l;
	}
	if (nfam < 2 || source_toward(host, &src) == -1)
		return fam != NULL ? fam : any;
	for (size_t i = 0; i < srv->nlisteners; i++) {
		const struct listener *l = &srv->listeners[i];

		if (strcasecmp(l->proto, proto) == 0 && l->family == family &&
		    (uri == NULL || strcmp(l->uri, uri) == 0) && memcmp(SU_ADDR(&l->su), SU_ADDR(&src), SU_ADDRLEN(&src)) == 0)
			return l;
	}
	return fam;
}

/* Whether the request opening a dialog asks for sips: (RFC 3261 12.1.1). */
static bool
request_wants_sips(const sip_t *sip)
{
	if (sip->sip_request->rq_url->url_type == url_sips)
		return true;
	if (sip->sip_record_route != NULL)
		return sip->sip_record_route->r_url->url_type == url_sips;
	return sip->sip_contact != NULL && sip->sip_contact->m_url->url_type == url_sips;
}

/*
 * The Contact naming host (NULL: the listener's) and l's port, in scheme:
 * made once, then found in srv->contacts.
 */
static const sip_contact_t *
contact_make(struct server *srv, const struct listener *l, const char *host, bool sips)
{
	char buf[200];
	bool tls = strcasecmp(l->proto, "tls") == 0;
	sip_contact_t *m;
	char *key;
	int n;

	if (host == NULL)
		host = l->wildcard ? srv->host : l->host;
	n = snprintf(buf, sizeof(buf), "<%s:%s:%u%s>", sips ? "sips" : "sip", host, l->port,
	    sips || strcasecmp(l->proto, "udp") == 0 ? "" : tls ? ";transport=tls" :
	    ";transport=tcp");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	if (srv->contacts == NULL && (srv->contacts = hmap_new()) == NULL)
		return NULL;
	if ((m = hmap_get(srv->contacts, buf, (size_t)n)) != NULL)
		return m;
	m = sip_contact_make(srv->home, buf);
	key = su_strdup(srv->home, buf);
	if (m == NULL || key == NULL || hmap_put(srv->contacts, key, (size_t)n, m, NULL) < 0) {
		su_free(srv->home, m);
		su_free(srv->home, key);
		return NULL;
	}
	return m;
}

const sip_contact_t *
server_contact(struct server *srv, msg_t *msg, const sip_t *sip, struct peer_link link)
{
	const struct listener *l;
	url_t *u;
	char host[72];

	if (msg != NULL) {
		tport_t *tp = tport_delivered_by(nta_agent_tports(srv->agent), msg);
		su_sockaddr_t su = { 0 };
		socklen_t sulen = sizeof(su);
		bool own;

		l = tp != NULL ? listener_of(srv, tport_parent(tp)) : NULL;
		if (l == NULL)
			return NULL;
		/* a wildcard listener: the address this connection was made to */
		own = l->wildcard && tp != l->tp && tport_local_sockaddr(tp, &su, &sulen) == 0 &&
		    !sockaddr_is_wildcard(&su);
		if (own)
			sockaddr_host(&su, host, sizeof(host));
		return contact_make(srv, l, own ? host : NULL,
		    request_wants_sips(sip) && strcasecmp(l->proto, "tls") == 0);
	}
	u = url_make(NULL, link.address);
	l = u == NULL || u->url_host == NULL ? NULL :
	    listener_for(srv, conf_transport_name(conf_uri_transports(link.address, false)),
	    u->url_host, link.listen);
	su_free(NULL, u);
	return l != NULL ? contact_make(srv, l, NULL, conf_is_sips(link.address)) : NULL;
}

void
server_answer(nta_incoming_t *irq, int status, const char *phrase, tag_type_t tag,
    tag_value_t value, ...)
{
	ta_list ta;

	ta_start(ta, tag, value);
	nta_incoming_treply(irq, status, phrase, ta_tags(ta));
	(void)ta_end(ta);	/* the macro ends in ", 0" */
	nta_incoming_destroy(irq);
}

void
server_write_transactions(const struct server *srv, FILE *f)
{
	usize_t in = 0, out = 0;

	if (srv->agent != NULL)
		nta_agent_get_stats(srv->agent, NTATAG_S_IRQ_HASH_USED_REF(in),
		    NTATAG_S_ORQ_HASH_USED_REF(out), TAG_END());
	fprintf(f, "transactions: %lu server, %lu client\n", (unsigned long)in,
	    (unsigned long)out);
}

/*
 * What no transaction and no leg took: a resent 2xx gets its ACK again
 * (call_resend_ack()); anything else is dropped, as nta does without this.
 */
static int
stray_message(nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	(void)magic;
	if (sip != NULL && sip->sip_status != NULL && sip->sip_status->st_status >= 200 &&
	    sip->sip_status->st_status < 300)
		call_resend_ack(agent, sip);
	msg_destroy(msg);
	return 0;
}

/*
 * OPTIONS outside a dialog: sipmed's capabilities. While pings find the
 * pool down, or while sipmed drains its calls to stop, a gateway asking
 * gets 503, so that it takes sipmed out of its own route and sends calls
 * to another mediation server.
 */
static int
answer_options(struct server *srv, nta_incoming_t *irq, const struct peer *p)
{
	if (p->kind == PEER_TRUNK && (peers_pool_down(srv->peers) || srv->stopping)) {
		server_answer(irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("30"),
		    TAG_END());
		return 0;
	}
	server_answer(irq, SIP_200_OK, SIPTAG_ALLOW_STR(HDRMAP_ALLOW),
	    SIPTAG_SUPPORTED_STR(HDRMAP_SUPPORTED), SIPTAG_ACCEPT_STR("application/sdp"),
	    TAG_IF(srv->conf->server.user_agent, SIPTAG_SERVER_STR(srv->conf->server.user_agent)),
	    TAG_END());
	return 0;
}

/* A request from no configured peer, traced when the filter takes its Call-ID. */
static void
trace_unknown_peer(struct server *srv, const sip_t *sip, const struct peer *p)
{
	const char *id = sip->sip_call_id->i_id;
	struct trace_subject s = { .call_id = id };
	bool traced = trace_wants(srv->trace, &s);

	trace_leg(srv->trace, id, id, 'A', traced);
	if (traced)
		trace_decision(srv->trace, id, "%s from %s, which is no configured peer: 403",
		    sip->sip_request->rq_method_name, p->who);
	trace_leg_end(srv->trace, id);
}

/* Refuses a request from no configured peer (recv_filter let it by). */
static int
refuse_unknown(struct server *srv, const sip_t *sip, const struct peer *p)
{
	stats_add(srv->stats, STATS_UNKNOWN_PEERS, "answered 403");
	log_warnx("%s %s from %s, which is no configured peer: refused with 403",
	    sip->sip_request->rq_method_name, sip->sip_call_id->i_id, p->who);
	trace_unknown_peer(srv, sip, p);
	return 403;
}

/*
 * The name of a header that makes the request unusable, or NULL: a
 * request line sofia-sip parsed leniently (sipmed-strict-parse.patch
 * files it as "Request-Line"), a second instance of a single-value header
 * (sofia-sip files it among the errors; the critical ones, From, To,
 * Call-ID, CSeq, Via and Content-Length, it refuses itself), or a
 * malformed header sipmed reads or would relay. Other malformed headers
 * are ignored, as RFC 3261 8.2 asks of headers a UAS does not need.
 */
static const char *
bad_header(const sip_t *sip)
{
	static const char *needed[] = { "Request-Line", "Max-Forwards", "Content-Type" };

	for (const sip_error_t *e = sip->sip_error; e != NULL; e = e->er_next) {
		const msg_hclass_t *hc = e->er_common->h_class;

		if (hc != sip_error_class)
			return hc->hc_name;	/* a duplicate of a known header */
		if (e->er_name == NULL)
			continue;
		if (hdrmap_may_cross(e->er_name))
			return e->er_name;
		for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
			if (strcasecmp(e->er_name, needed[i]) == 0)
				return needed[i];
	}
	return NULL;
}

/* Whether any part of URI u has whitespace or a control character in it. */
static bool
url_has_space(const url_t *u)
{
	const char *parts[] = { u->url_user, u->url_password, u->url_host, u->url_port,
		u->url_path, u->url_params, u->url_headers };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (const char *c = parts[i]; c != NULL && *c != '\0'; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f)
				return true;
	return false;
}

/*
 * The part of request sip whose address is not an addr-spec (RFC 3261
 * 25.1 has no whitespace inside one; RFC 4475 3.1.2.6), or NULL.
 */
static const char *
bad_address(const sip_t *sip)
{
	if (url_has_space(sip->sip_request->rq_url))
		return "Request-URI";
	if (sip->sip_from != NULL && url_has_space(sip->sip_from->a_url))
		return "From";
	if (sip->sip_to != NULL && url_has_space(sip->sip_to->a_url))
		return "To";
	for (const sip_contact_t *m = sip->sip_contact; m != NULL; m = m->m_next)
		if (url_has_space(m->m_url))
			return "Contact";
	return NULL;
}

bool
server_refuse_malformed(nta_incoming_t *irq, const sip_t *sip)
{
	const char *bad = bad_header(sip);
	char phrase[96], unsupported[256];

	if (sip->sip_request->rq_method == sip_method_ack ||
	    sip->sip_request->rq_method == sip_method_cancel)
		return false;	/* they take their INVITE's fate */
	if (bad == NULL)
		bad = bad_address(sip);
	/* headers in a Request-URI are for building a request (RFC 3261 19.1.5) */
	if (bad == NULL && sip->sip_request->rq_url->url_headers != NULL)
		bad = "Request-URI";
	if (bad != NULL) {
		snprintf(phrase, sizeof(phrase), "Bad %s%s", bad,
		    strcmp(bad, "Request-URI") == 0 || strcmp(bad, "Request-Line") == 0 ?
		    "" : " Header");
		server_answer(irq, 400, phrase, TAG_END());
		return true;
	}
	if (hdrmap_unsupported(sip->sip_require, unsupported, sizeof(unsupported))) {
		server_answer(irq, SIP_420_BAD_EXTENSION, SIPTAG_UNSUPPORTED_STR(unsupported),
		    TAG_END());
		return true;
	}
	return false;
}

/* A Request-URI sipmed can act on: sip:, sips: or tel:. */
static bool
scheme_supported(const url_t *u)
{
	return u->url_type == url_sip || u->url_type == url_sips || u->url_type == url_tel;
}

/* The user part of a request's Request-URI (the number dialed), in buf. */
static const char *
ruri_user(const sip_t *sip, char *buf, size_t len)
{
	const char *u = sip->sip_request->rq_url->url_user;

	snprintf(buf, len, "%s", u != NULL ? u : "");
	buf[strcspn(buf, ";")] = '\0';
	return buf;
}

/* Requests outside any dialog. */
static int
default_leg_cb(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct server *srv = (struct server *)magic;
	struct peer peer;
	char user[64];
	msg_t *msg;

	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);	/* a stray ACK: nothing to answer */
		return 0;
	}
	msg = nta_incoming_getrequest(irq);
	peer_identify(srv->peers, msg, &peer);
	msg_destroy(msg);
	if (peer.kind == PEER_UNKNOWN)
		return refuse_unknown(srv, sip, &peer);
	/* a rate limit never refuses an emergency call */
	if (!peers_admit(srv->peers, &peer) && !(sip->sip_request->rq_method == sip_method_invite &&
	    conf_is_emergency_number(srv->conf, ruri_user(sip, user, sizeof(user))))) {
		stats_add(srv->stats, STATS_RATE_LIMITED, peer.kind == PEER_POOL ? "pool" :
		    peer.trunk->name);
		server_answer(irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("1"),
		    TAG_END());
		return 0;
	}
	if (server_refuse_malformed(irq, sip))
		return 0;
	if (!scheme_supported(sip->sip_request->rq_url)) {
		server_answer(irq, SIP_416_UNSUPPORTED_URI, TAG_END());
		return 0;
	}
	switch (sip->sip_request->rq_method) {
	case sip_method_options:
		return answer_options(srv, irq, &peer);
	case sip_method_invite:
		return call_incoming(srv, irq, sip, &peer);
	case sip_method_bye:
	case sip_method_cancel:
	case sip_method_info:
	case sip_method_update:
	case sip_method_prack:
	case sip_method_refer:
	case sip_method_notify:
		return 481;	/* Call/Transaction Does Not Exist */
	default:
		server_answer(irq, SIP_405_METHOD_NOT_ALLOWED, SIPTAG_ALLOW_STR(HDRMAP_ALLOW),
		    TAG_END());
		return 0;
	}
}

/*
 * sofia-sip's own log lines go through ours, as debug lines; a failed
 * TLS handshake (sipmed-tls-reasons.patch says why) is a warning, at most
 * one a second, so that a peer whose certificate is refused shows in the
 * log without -v, and a flood of bad handshakes does not fill it.
 */
static void
sofia_log(void *stream, const char *fmt, va_list ap)
{
	struct server *srv = (struct server *)stream;
	static time_t warned;
	const char *why;
	char buf[1024];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	/* each one counts, by its reason (sipmedctl stats, metrics) */
	if (n > 0 && strncmp(buf, "tls: handshake with ", 20) == 0 &&
	    (why = strstr(buf, " failed: ")) != NULL)
		stats_add(srv->stats, STATS_TLS_FAILURES, why + 9);
	if (n > 0 && strncmp(buf, "tls: handshake with ", 20) == 0 && warned != time(NULL)) {
		warned = time(NULL);
		log_warnx("%s", buf);
	} else if (n > 0) {
		log_debug("sofia: %s", buf);
	}
}

/*
 * The receive and send buffers asked for a UDP socket. The kernel's
 * default (net.core.rmem_default, 208 KB) holds only some 90 SIP
 * datagrams: at 2,750 calls/s a pause of a few milliseconds in sipmed's
 * scheduling overflowed it, and each datagram lost cost a retransmission
 * (BENCHMARKS.md). sofia-sip asks with SO_RCVBUFFORCE first, which needs
 * CAP_NET_ADMIN; without it the kernel grants at most net.core.rmem_max
 * (README, "Running sipmed as a service").
 */
#define UDP_SOCKET_BUFFER (4 * 1024 * 1024)

/*
 * The tags of a listener: for sip:, the UDP buffers and TCP's message
 * timeout; for sips:, sipmed's certificate and the checks.
 * TPTAG_TIMEOUT bounds the handshake (and a stalled partial message) in a
 * sofia-sip built with sipmed's fixes (scripts/sofia-sip).
 */
static void
listener_tags(const struct conf *c, const char *uri, const char *dir, tagi_t tags[10])
{
	const struct conf_tls *t = &c->tls;

	/* a CRLFCRLF keep-alive on TCP and TLS gets its pong (RFC 5626 3.5.1) */
	tags[0] = (tagi_t){ TPTAG_PONG2PING(1) };
	tags++;
	if (!conf_is_sips(uri)) {
		/* TCP: a message that stops half-way closes its connection */
		tags[0] = (tagi_t){ TPTAG_TIMEOUT(c->server.message_timeout * 1000) };
		tags[1] = (tagi_t){ TPTAG_UDP_RMEM(UDP_SOCKET_BUFFER) };
		tags[2] = (tagi_t){ TPTAG_UDP_WMEM(UDP_SOCKET_BUFFER) };
		tags[3] = (tagi_t){ TAG_END() };
		return;
	}
	tags[0] = (tagi_t){ TPTAG_CERTIFICATE(dir) };
	tags[1] = (tagi_t){ TPTAG_TLS_PASSPHRASE(t->passphrase) };
	/* both ways: a client certificate is demanded, a server's is verified */
	tags[2] = (tagi_t){ TPTAG_TLS_VERIFY_POLICY(!t->verify_peer ? TPTLS_VERIFY_NONE :
#ifdef SOFIA_SIP_SIPMED_TLS_FIXES
	    /* and a server reached by name (a peer's next_hop) must carry it */
	    TPTLS_VERIFY_ALL | TPTLS_VERIFY_SUBJECTS_OUT) };
#else
	    TPTLS_VERIFY_ALL) };
#endif
	tags[3] = (tagi_t){ TPTAG_TLS_VERIFY_DEPTH(t->verify_depth) };
	tags[4] = (tagi_t){ TPTAG_TLS_VERIFY_DATE(1) };
	tags[5] = (tagi_t){ TPTAG_TIMEOUT(t->handshake_timeout * 1000) };
	tags[6] = (tagi_t){ TPTAG_TLS_VERSION(strcmp(t->min_version, "1.3") == 0 ?
	    0x0304 : 0x0303) };
	tags[7] = (tagi_t){ TAG_END() };
}

static int
add_listeners(struct server *srv, const struct conf *c)
{
	char dir[4096] = "";
	int rc = 0;

	if (c->tls.certificate != NULL && tls_sofia_dir(&c->tls, dir, sizeof(dir)) == -1)
		return -1;
#ifndef SOFIA_SIP_SIPMED_TLS_FIXES
	if (c->tls.certificate != NULL)
		log_warnx("this sipmed is built against a sofia-sip without sipmed's TLS fixes "
		    "(scripts/sofia-sip): TLS connections leak memory, handshakes never time "
		    "out and weak TLS 1.2 ciphers are accepted");
#endif
	srv->uris = su_zalloc(srv->home, (c->server.listen.n + 1) * sizeof(*srv->uris));
	srv->uri_ends = su_zalloc(srv->home, (c->server.listen.n + 1) * sizeof(*srv->uri_ends));
	if (srv->uris == NULL || srv->uri_ends == NULL)
		return -1;
	for (size_t i = 0; i < c->server.listen.n && rc == 0; i++) {
		const char *uri = c->server.listen.v[i];
		tagi_t tags[10];
		tport_t *tp;

		listener_tags(c, uri, dir, tags);
		if (srv->agent == NULL) {
			srv->agent = nta_agent_create(srv->root, URL_STRING_MAKE(uri),
			    stray_message, (nta_agent_magic_t *)srv, NTATAG_UA(1), NTATAG_SERVER_RPORT(1), NTATAG_CLIENT_RPORT(1),
			    NTATAG_MERGE_482(1), NTATAG_MAXSIZE(c->server.max_message_size),
			    TPTAG_IDENT(uri), TAG_NEXT(tags));
			if (srv->agent == NULL)
				rc = -1;
		} else if (nta_agent_add_tport(srv->agent, URL_STRING_MAKE(uri),
		    TPTAG_IDENT(uri), TAG_NEXT(tags)) < 0)
			rc = -1;
		if (rc == -1) {
			log_warn("listen %s", uri);
			break;
		}
		/* the primaries bound for uri follow those of the URIs before */
		srv->uris[srv->nuris] = su_strdup(srv->home, uri);
		srv->uri_ends[srv->nuris] = 0;
		for (tp = tport_primaries(nta_agent_tports(srv->agent)); tp; tp = tport_next(tp))
			srv->uri_ends[srv->nuris]++;
		srv->nuris++;
	}
	/* the transports have read the files: nothing of them stays on disk */
	if (dir[0] != '\0')
		tls_sofia_dir_remove(dir);
	return rc;
}

/*
 * Answers request msg statelessly, before nta has seen it: to where it
 * came from, with received and rport as nta would add them, so that no
 * name in its Via is ever looked up.
 */
static void
reply_stateless(struct server *srv, msg_t *msg, int status, const char *phrase,
    tag_type_t tag, tag_value_t value, ...)
{
	sip_t *sip = sip_object(msg);
	sip_via_t *v = sip != NULL ? sip->sip_via : NULL;
	su_addrinfo_t *ai = msg_addrinfo(msg);
	char addr[64] = "", param[96];
	ta_list ta;

	if (v == NULL || ai == NULL || ai->ai_addr == NULL)
		return;
	peer_source_address(msg, addr, sizeof(addr));
	msg_fragment_clear(v->v_common);
	if (strcasecmp(addr, v->v_host) != 0) {
		snprintf(param, sizeof(param), "received=%s", addr);
		msg_header_replace_param(msg_home(msg), v->v_common, su_strdup(msg_home(msg), param));
	}
	if (v->v_rport != NULL) {
		snprintf(param, sizeof(param), "rport=%u",
		    ntohs(((su_sockaddr_t *)(void *)ai->ai_addr)->su_port));
		msg_header_replace_param(msg_home(msg), v->v_common, su_strdup(msg_home(msg), param));
	}
	ta_start(ta, tag, value);
	nta_msg_treply(srv->agent, msg_ref(msg), status, phrase, ta_tags(ta));
	(void)ta_end(ta);
}

#if defined(SOFIA_SIP_SIPMED_RECV_FILTER) || defined(SOFIA_SIP_SIPMED_DGRAM_FILTER)
/*
 * Whether a new call (by its Call-ID) may go on while sipmed sheds load:
 * within the share admitted, or an INVITE resent for a call admitted
 * already, which goes on to its transaction, or an emergency call, which
 * is never shed. Both refusals ask it: the
 * datagram's (dgram_filter()) and the parsed message's (recv_filter()).
 */
static bool
new_call_admitted(void *arg, const char *call_id, const char *ruri_user)
{
	struct server *srv = (struct server *)arg;

	return overload_admit(srv->overload, call_id) ||
	    nta_leg_by_call_id(srv->agent, call_id) != NULL ||
	    conf_is_emergency_number(srv->conf, ruri_user);	/* never shed */
}
#endif

#ifdef SOFIA_SIP_SIPMED_RECV_FILTER
/* A request inside a dialog or transaction sipmed may hold: CANCEL, ACK, or a To tag. */
static bool
in_dialog(const sip_t *sip)
{
	return sip->sip_request->rq_method == sip_method_cancel ||
	    sip->sip_request->rq_method == sip_method_ack ||
	    (sip->sip_to != NULL && sip->sip_to->a_tag != NULL);
}

/*
 * Every request passes here before nta makes a transaction of it.
 *
 * A request in a call's dialog (and a CANCEL or ACK of one of its
 * transactions) must come from the peer that holds that leg: the call
 * module says (call_request_forged()); anyone else gets 403 (an ACK is
 * dropped), and nothing of it reaches nta, which would otherwise answer
 * a CANCEL and cancel the INVITE itself.
 *
 * Requests on plain transports from an address that is no configured
 * peer: unknown_peer_rate a second per address go on (and get 403), the
 * rest of a flood is dropped here (peers_admit_unknown()). Over TLS the
 * certificate says who a peer is, and connections are limited per
 * address when they are accepted.
 */
static int
recv_filter(void *arg, tport_t *tp, msg_t *msg)
{
	struct server *srv = (struct server *)arg;
	sip_t const *sip = sip_object(msg);
	char user[64];

	if (sip == NULL || sip->sip_request == NULL || sip->sip_call_id == NULL)
		return 0;
	if (overload_is_probe(srv->overload, sip))
		return 1;
	if (in_dialog(sip) && call_request_forged(srv, msg, sip)) {
		if (sip->sip_request->rq_method != sip_method_ack)
			reply_stateless(srv, msg, SIP_403_FORBIDDEN, TAG_END());
		return 1;
	}
	/* overloaded: a new call costs no more than its refusal */
	if (sip->sip_request->rq_method == sip_method_invite && !in_dialog(sip) &&
	    !new_call_admitted(srv, sip->sip_call_id->i_id, ruri_user(sip, user, sizeof(user)))) {
		char retry[16];

		snprintf(retry, sizeof(retry), "%u", srv->conf->server.overload_retry_after);
		stats_add(srv->stats, STATS_OVERLOADED, "INVITE");
		reply_stateless(srv, msg, SIP_503_SERVICE_UNAVAILABLE,
		    SIPTAG_RETRY_AFTER_STR(retry), TAG_END());
		return 1;
	}
	return !tport_has_tls(tp) && !peers_admit_unknown(srv->peers, msg);
}
#endif

#ifdef SOFIA_SIP_SIPMED_DGRAM_FILTER
/*
 * Every UDP datagram, before sofia-sip makes a message of it: while
 * sipmed sheds load, a new INVITE over the share admitted is answered 503
 * from its bytes and dropped, and so is that 503's ACK (shed.h). The
 * same refusal in recv_filter() catches what this one leaves (TCP, TLS,
 * a request not plain enough to answer from its bytes).
 */
static int
dgram_filter(void *arg, tport_t *tp, char const *data, size_t len,
    su_sockaddr_t const *from, socklen_t fromlen, su_socket_t s)
{
	struct server *srv = (struct server *)arg;

	(void)tp;
	if (!overload_shedding(srv->overload) ||
	    !shed_dgram(data, len, from, fromlen, s, srv->conf->server.overload_retry_after,
	    new_call_admitted, srv))
		return 0;
	if (data[0] == 'I')
		stats_add(srv->stats, STATS_OVERLOADED, "INVITE");
	return 1;
}
#endif

#ifdef SOFIA_SIP_SIPMED_ACCEPT_HOOK
/*
 * A connection just accepted from su, with n others from its address
 * open: over max_connections_per_address it is closed before its TLS
 * handshake (logged once a second at most, counted always).
 */
static int
accept_hook(void *arg, su_sockaddr_t const *su, unsigned n)
{
	struct server *srv = (struct server *)arg;
	unsigned max = srv->conf->server.max_connections_per_address;
	static time_t logged;
	char addr[64] = "?";

	if (max == 0 || n < max)
		return 0;
	stats_add(srv->stats, STATS_CONNECTIONS_REFUSED, "over max_connections_per_address");
	if (logged != time(NULL)) {
		logged = time(NULL);
		if (su->su_family == AF_INET6)
			inet_ntop(AF_INET6, &su->su_sin6.sin6_addr, addr, sizeof(addr));
		else
			inet_ntop(AF_INET, &su->su_sin.sin_addr, addr, sizeof(addr));
		log_warnx("a connection from %s refused: it has %u open "
		    "(max_connections_per_address)", addr, n);
	}
	return -1;
}
#endif

int
server_start(struct server *srv, su_root_t *root, struct conf *c)
{
	su_home_init(srv->home);
	srv->root = root;
	srv->conf = conf_ref(c);
	su_log_redirect(NULL, sofia_log, srv);
	/* P-Asserted-Identity and friends must be known headers. */
	sip_update_default_mclass(sip_extend_mclass(NULL));
	srv->stats = stats_new();
	srv->trace = trace_new(root);
	srv->peers = srv->stats != NULL ? peers_new(root, srv->stats) : NULL;
	srv->calls = srv->stats != NULL ? calls_new(srv->stats) : NULL;
	srv->cdr = cdr_new();
	srv->overload = overload_new(root);
	srv->media = media_new(root);
	if (srv->stats == NULL || srv->trace == NULL || srv->peers == NULL || srv->calls == NULL ||
	    srv->cdr == NULL || srv->overload == NULL || srv->media == NULL)
		return -1;
	cdr_configure(srv->cdr, &c->cdr);
	media_configure(srv->media, &c->media);
	trace_configure(srv->trace, &c->trace);
	trace_set(srv->trace, c->trace.messages, c->trace.decisions, NULL);
	if (add_listeners(srv, c) == -1)
		return -1;
	if (srv->agent == NULL) {
		peers_configure(srv->peers, c, NULL, NULL);
		return 0;
	}
	trace_attach(srv->trace, srv->agent);
#ifdef SOFIA_SIP_SIPMED_ACCEPT_HOOK
	tport_set_accept_hook(nta_agent_tports(srv->agent), accept_hook, srv);
#endif
#ifdef SOFIA_SIP_SIPMED_RECV_FILTER
	tport_set_recv_filter(nta_agent_tports(srv->agent), recv_filter, srv);
#endif
#ifdef SOFIA_SIP_SIPMED_DGRAM_FILTER
	tport_set_dgram_filter(nta_agent_tports(srv->agent), dgram_filter, srv);
#endif
	if (listeners_read(srv) == -1)
		return -1;
	for (size_t i = 0; i < srv->nlisteners; i++)
		if (strcmp(srv->listeners[i].proto, "udp") == 0 &&
		    overload_probe(srv->overload, &srv->listeners[i].su) == -1)
			log_warn("overload control: cannot probe udp %s:%u", srv->listeners[i].host,
			    srv->listeners[i].port);
	overload_start(srv->overload, c->server.overload_lag);
	for (size_t i = 0; i < srv->nuris; i++) {
		char bound[1024];

		listeners_bound(srv, srv->uris[i], bound, sizeof(bound));
		log_info("listening on %s: %s", srv->uris[i], bound);
	}
	srv->default_leg = nta_leg_tcreate(srv->agent, default_leg_cb,
	    (nta_leg_magic_t *)srv, NTATAG_NO_DIALOG(1), TAG_END());
	if (srv->default_leg == NULL)
		return -1;
	peers_configure(srv->peers, c, srv->agent, srv->default_leg);
	return 0;
}

void
server_set_conf(struct server *srv, struct conf *c)
{
	const struct conf_trace *was = &srv->conf->trace, *now = &c->trace;

	/* tracing switched at run time stays, unless the file switches it */
	if (was->messages != now->messages || was->decisions != now->decisions)
		trace_set(srv->trace, now->messages, now->decisions, NULL);
	trace_configure(srv->trace, now);
	cdr_configure(srv->cdr, &c->cdr);
	media_configure(srv->media, &c->media);
	overload_set_threshold(srv->overload, c->server.overload_lag);
	conf_unref(srv->conf);
	srv->conf = conf_ref(c);
	peers_configure(srv->peers, c, srv->agent, srv->default_leg);
}

void
server_stop(struct server *srv)
{
	srv->stopping = true;
	if (srv->calls != NULL)
		call_destroy_all(srv->calls);
	calls_free(srv->calls);
	cdr_free(srv->cdr);
	peers_free(srv->peers);
	if (srv->default_leg != NULL)
		nta_leg_destroy(srv->default_leg);
	if (srv->agent != NULL)
		nta_agent_destroy(srv->agent);
	overload_free(srv->overload);	/* the recv filter reads it until here */
	media_free(srv->media);
	trace_free(srv->trace);
	stats_free(srv->stats);
	srv->stats = NULL;	/* sofia_log counts into it until su_deinit() */
	conf_unref(srv->conf);
	hmap_free(srv->contacts);
	su_home_deinit(srv->home);
}
