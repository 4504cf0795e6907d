/*
 * sipload: the bench's SIP load generator where Debian's sipp cannot go
 * (it is built without TLS, and no source package reaches this machine to
 * build one with it). It speaks sofia-sip's transports, so mutual TLS as
 * sipmed does, and runs the flow of tests/bench/uac.xml and uas.xml:
 *
 *   sipload uas -l URI -c DIR [-m TOTAL]
 *       answers each INVITE 180 then 200 with SDP, each BYE 200; ends
 *       after TOTAL BYEs (default: never)
 *   sipload uac -l URI -c DIR -r RATE -m TOTAL [-s NUMBER] [-t SECS] TARGET
 *       RATE calls/s, TOTAL calls: INVITE with SDP to NUMBER at TARGET
 *       (a sip: or sips: URI), ACK to the 2xx, BYE at once. A call fails
 *       on a final status other than 2xx, or when it has not ended SECS
 *       seconds (default 32) after its INVITE.
 *   sipload storm -r RATE -d SECS -C CERT -K KEY -A CA HOST:PORT
 *       RATE TLS handshakes/s for SECS seconds, each with CERT and KEY:
 *       a certificate the server must refuse.
 *
 * URI is where it listens (sips:IP:PORT for TLS); DIR holds agent.pem (its
 * certificate and key) and cafile.pem (the CAs it trusts), as sofia-sip
 * wants them. uac and storm end with one line of counts, for scripts/bench:
 *   calls 30000 successful 30000 failed 0
 *   handshakes 20000 refused 20000 accepted 0 errors 0
 */
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#define TICK_MS 10
#define SDP "v=0\r\no=sipload 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n" \
	"m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

struct load {
	su_root_t *root;
	nta_agent_t *agent;
	char ip[64];			/* the listening address, for SDP */
	const char *target, *number;
	unsigned rate, total, secs;
	unsigned started, ok, failed, ended;
	double owed;			/* calls due and not started yet */
	struct timespec t0;
	char sdp[256];
};

struct call {
	struct load *l;
	nta_leg_t *leg;
	nta_outgoing_t *invite, *bye;
	uint32_t cseq;
	su_timer_t *timer;
	bool done;
};

static void
quiet(void *arg, char const *fmt, va_list ap)
{
	(void)arg;
	(void)fmt;
	(void)ap;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sipload uas -l URI -c DIR [-m TOTAL]\n"
	    "       sipload uac -l URI -c DIR -r RATE -m TOTAL [-s NUMBER] [-t SECS] TARGET\n"
	    "       sipload storm -r RATE -d SECS -C CERT -K KEY -A CA HOST:PORT\n");
	exit(2);
}

/* The IP address of URI ("sips:127.0.0.3:5061" -> "127.0.0.3"). */
static void
uri_ip(const char *uri, char *ip, size_t len)
{
	const char *p = strchr(uri, ':');
	size_t n;

	p = p != NULL ? p + 1 : uri;
	n = strcspn(p, ":;>");
	snprintf(ip, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

/* l's agent on uri with the certificates of dir, and the SDP it sends. */
static void
agent_start(struct load *l, const char *uri, const char *dir)
{
	/* a large send queue: a server that falls behind shows in late
	   calls, not in the generator refusing to send */
	l->agent = nta_agent_create(l->root, URL_STRING_MAKE(uri), NULL, NULL, NTATAG_UA(1),
	    NTATAG_SERVER_RPORT(1), NTATAG_CLIENT_RPORT(1), TPTAG_CERTIFICATE(dir),
	    TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_NONE), TPTAG_QUEUESIZE(100000), TAG_END());
	if (l->agent == NULL) {
		fprintf(stderr, "sipload: cannot listen on %s: %s\n", uri, strerror(errno));
		exit(1);
	}
	uri_ip(uri, l->ip, sizeof(l->ip));
	snprintf(l->sdp, sizeof(l->sdp), SDP, l->ip, l->ip);
}

/* --- uac --- */

static void
call_end(struct call *c, bool ok)
{
	struct load *l = c->l;

	if (c->done)
		return;
	c->done = true;
	if (ok)
		l->ok++;
	else
		l->failed++;
	l->ended++;
	su_timer_destroy(c->timer);
	c->timer = NULL;
	if (c->invite != NULL)
		nta_outgoing_destroy(c->invite);
	if (c->bye != NULL)
		nta_outgoing_destroy(c->bye);
	nta_leg_destroy(c->leg);
	free(c);
	if (l->ended == l->total)
		su_root_break(l->root);
}

static int
bye_done(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call *c = (struct call *)magic;
	int status = nta_outgoing_status(orq);

	(void)sip;
	if (status < 200)
		return 0;
	call_end(c, status < 300);	/* destroys orq */
	return 0;
}

static int
invite_done(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call *c = (struct call *)magic;
	int status = nta_outgoing_status(orq);
	su_home_t home[1] = { SU_HOME_INIT(home) };
	nta_outgoing_t *ack;

	if (status < 200 || c->done)
		return 0;
	if (status >= 300 || sip == NULL || sip->sip_to == NULL) {
		call_end(c, false);
		su_home_deinit(home);
		return 0;
	}
	nta_leg_rtag(c->leg, sip->sip_to->a_tag);
	nta_leg_client_reroute(c->leg, sip->sip_record_route, sip->sip_contact, 1);
	ack = nta_outgoing_tcreate(c->leg, NULL, NULL, NULL, SIP_METHOD_ACK, NULL,
	    SIPTAG_CSEQ(sip_cseq_create(home, c->cseq, SIP_METHOD_ACK)), TAG_END());
	if (ack != NULL)
		nta_outgoing_destroy(ack);
	su_home_deinit(home);
	nta_outgoing_destroy(c->invite);
	c->invite = NULL;
	c->bye = nta_outgoing_tcreate(c->leg, bye_done, (nta_outgoing_magic_t *)c, NULL,
	    SIP_METHOD_BYE, NULL, TAG_END());
	if (c->bye == NULL)
		call_end(c, false);
	return 0;
}

/* A request in a call's dialog (none is expected): answered 481. */
static int
uac_leg_cb(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq, const sip_t *sip)
{
	(void)magic;
	(void)leg;
	(void)irq;
	(void)sip;
	return 481;
}

static void
call_expired(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	(void)m;
	(void)t;
	call_end((struct call *)arg, false);
}

static void
call_start(struct load *l)
{
	struct call *c = calloc(1, sizeof(*c));
	char to[300], from[300];
	sip_cseq_t *cseq;

	if (c == NULL) {
		l->started++;
		l->failed++;
		l->ended++;
		return;
	}
	c->l = l;
	l->started++;
	snprintf(to, sizeof(to), "<%s>", l->target);
	snprintf(from, sizeof(from), "<sip:5035550100@%s>", l->ip);
	c->leg = nta_leg_tcreate(l->agent, uac_leg_cb, (nta_leg_magic_t *)c,
	    SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to), SIPTAG_CALL_ID(sip_call_id_create(NULL, NULL)),
	    TAG_END());
	if (c->leg == NULL) {
		c->done = true;
		l->failed++;
		l->ended++;
		free(c);
		return;
	}
	nta_leg_tag(c->leg, NULL);
	c->invite = nta_outgoing_tcreate(c->leg, invite_done, (nta_outgoing_magic_t *)c, NULL,
	    SIP_METHOD_INVITE, URL_STRING_MAKE(l->target),
	    SIPTAG_CONTACT(nta_agent_contact(l->agent)), SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(l->sdp), TAG_END());
	if (c->invite == NULL) {
		call_end(c, false);
		return;
	}
	cseq = sip_object(nta_outgoing_getrequest(c->invite)) != NULL ?
	    sip_object(nta_outgoing_getrequest(c->invite))->sip_cseq : NULL;
	c->cseq = cseq != NULL ? cseq->cs_seq : 0;
	c->timer = su_timer_create(su_root_task(l->root), l->secs * 1000);
	su_timer_set(c->timer, call_expired, (su_timer_arg_t *)c);
}

/* Every TICK_MS: the calls due since the start, at RATE. */
static void
uac_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct load *l = (struct load *)arg;
	struct timespec now;
	double due;

	(void)m;
	(void)t;
	clock_gettime(CLOCK_MONOTONIC, &now);
	due = ((double)(now.tv_sec - l->t0.tv_sec) + (now.tv_nsec - l->t0.tv_nsec) / 1e9) *
	    l->rate;
	while (l->started < l->total && l->started < due)
		call_start(l);
}

static int
uac(struct load *l, const char *uri, const char *dir)
{
	su_timer_t *tick;

	agent_start(l, uri, dir);
	clock_gettime(CLOCK_MONOTONIC, &l->t0);
	tick = su_timer_create(su_root_task(l->root), TICK_MS);
	su_timer_set_for_ever(tick, uac_tick, (su_timer_arg_t *)l);
	su_root_run(l->root);
	su_timer_destroy(tick);
	printf("calls %u successful %u failed %u\n", l->ended, l->ok, l->failed);
	nta_agent_destroy(l->agent);
	return l->failed == 0 ? 0 : 1;
}

/* --- uas --- */

static int
uas_leg_cb(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq, const sip_t *sip)
{
	struct load *l = (struct load *)magic;

	if (sip->sip_request->rq_method == sip_method_ack)
		return 0;
	if (sip->sip_request->rq_method != sip_method_bye)
		return 501;
	nta_incoming_treply(irq, SIP_200_OK, TAG_END());
	nta_incoming_destroy(irq);
	nta_leg_destroy(leg);
	if (++l->ended == l->total)
		su_root_break(l->root);
	return 0;
}

/* A request outside a dialog: an INVITE gets its dialog, 180 and 200. */
static int
uas_default_cb(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq, const sip_t *sip)
{
	struct load *l = (struct load *)magic;
	nta_leg_t *d;

	(void)leg;
	if (sip->sip_request->rq_method == sip_method_ack)
		return 0;
	if (sip->sip_request->rq_method != sip_method_invite)
		return 405;
	d = nta_leg_tcreate(l->agent, uas_leg_cb, (nta_leg_magic_t *)l,
	    SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to), SIPTAG_TO(sip->sip_from),
	    TAG_END());
	if (d == NULL)
		return 500;
	nta_leg_tag(d, NULL);
	nta_incoming_tag(irq, nta_leg_get_tag(d));
	nta_leg_server_route(d, sip->sip_record_route, sip->sip_contact);
	nta_incoming_treply(irq, SIP_180_RINGING, SIPTAG_CONTACT(nta_agent_contact(l->agent)),
	    TAG_END());
	nta_incoming_treply(irq, SIP_200_OK, SIPTAG_CONTACT(nta_agent_contact(l->agent)),
	    SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(l->sdp), TAG_END());
	nta_incoming_destroy(irq);
	return 0;
}

static int
uas(struct load *l, const char *uri, const char *dir)
{
	nta_leg_t *def;

	agent_start(l, uri, dir);
	def = nta_leg_tcreate(l->agent, uas_default_cb, (nta_leg_magic_t *)l, NTATAG_NO_DIALOG(1),
	    TAG_END());
	if (def == NULL)
		return 1;
	su_root_run(l->root);
	nta_leg_destroy(def);
	nta_agent_destroy(l->agent);
	return 0;
}

/* --- storm --- */

/* One TLS handshake to ai: 1 refused, 0 accepted, -1 no connection. */
static int
handshake(SSL_CTX *ctx, const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM, 0), rc = -1;
	SSL *ssl;
	char b;

	if (fd == -1)
		return -1;
	struct timeval tv = { .tv_sec = 1 };

	/* a server that keeps the connection without a word: accepted */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		close(fd);
		return -1;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	/* TLS 1.3: a refused client certificate shows on the first read */
	if (SSL_connect(ssl) != 1 || SSL_write(ssl, "\r\n\r\n", 4) <= 0)
		rc = 1;
	else if (SSL_read(ssl, &b, 1) > 0)
		rc = 0;		/* its keep-alive answered */
	else
		rc = SSL_get_error(ssl, 0) == SSL_ERROR_SSL ? 1 : 0;
	SSL_free(ssl);
	close(fd);
	return rc;
}

static int
storm(unsigned rate, unsigned secs, const char *cert, const char *key, const char *ca,
    const char *hostport)
{
	char host[128], *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	unsigned long n = 0, refused = 0, accepted = 0, errors = 0;
	struct timespec t0, now;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	snprintf(host, sizeof(host), "%s", hostport);
	colon = strrchr(host, ':');
	if (colon == NULL || ctx == NULL)
		usage();
	*colon = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 ||
	    SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		fprintf(stderr, "sipload: storm: cannot set up %s, %s, %s or %s\n", hostport, cert,
		    key, ca);
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		double t;

		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		if (t >= secs)
			break;
		if (n >= t * rate) {
			usleep(200);
			continue;
		}
		n++;
		switch (handshake(ctx, ai)) {
		case 1: refused++; break;
		case 0: accepted++; break;
		default: errors++; break;
		}
	}
	printf("handshakes %lu refused %lu accepted %lu errors %lu\n", n, refused, accepted, errors);
	freeaddrinfo(ai);
	SSL_CTX_free(ctx);
	return accepted == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct load l = { .number = "1234", .secs = 32 };
	const char *mode, *uri = NULL, *dir = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	unsigned dsecs = 10;
	int ch, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "l:c:r:m:s:t:d:C:K:A:")) != -1) {
		switch (ch) {
		case 'l': uri = optarg; break;
		case 'c': dir = optarg; break;
		case 'r': l.rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': l.total = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': l.number = optarg; break;
		case 't': l.secs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': dsecs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'C': cert = optarg; break;
		case 'K': key = optarg; break;
		case 'A': ca = optarg; break;
		default: usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(mode, "storm") == 0) {
		if (optind != argc - 1 || l.rate == 0 || cert == NULL || key == NULL || ca == NULL)
			usage();
		return storm(l.rate, dsecs, cert, key, ca, argv[optind]);
	}
	if (uri == NULL || dir == NULL)
		usage();
	su_init();
	if (getenv("SIPLOAD_DEBUG") == NULL)
		su_log_redirect(NULL, quiet, NULL);	/* sofia's messages: counted instead */
	l.root = su_root_create(NULL);
	if (l.root == NULL)
		return 1;
	if (strcmp(mode, "uac") == 0) {
		static char target[400];

		if (optind != argc - 1 || l.rate == 0 || l.total == 0)
			usage();
		/* TARGET names the host; the called number goes in its user part */
		if (strchr(argv[optind], ':') == NULL)
			usage();
		snprintf(target, sizeof(target), "%.*s%s@%s", (int)(strchr(argv[optind], ':') -
		    argv[optind] + 1), argv[optind], l.number, strchr(argv[optind], ':') + 1);
		l.target = target;
		rc = uac(&l, uri, dir);
	} else if (strcmp(mode, "uas") == 0) {
		rc = uas(&l, uri, dir);
	} else {
		usage();
	}
	su_root_destroy(l.root);
	su_deinit();
	return rc;
}
