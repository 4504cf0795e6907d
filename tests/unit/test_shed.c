/*
 * shed: the 503 a new INVITE gets from its bytes while sipmed sheds load.
 * Each case sends a datagram's bytes through shed_dgram() on a real UDP
 * socket on loopback and reads what arrives at the caller's socket.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shed.h"
#include "tap.h"

static int caller = -1, sipmed = -1;
static su_sockaddr_t caller_addr;
static bool admitted;		/* what the admission function answers */
static char seen_call_id[256], seen_user[64];

static bool
admit(void *arg, const char *call_id, const char *ruri_user)
{
	(void)arg;
	snprintf(seen_call_id, sizeof(seen_call_id), "%s", call_id);
	snprintf(seen_user, sizeof(seen_user), "%s", ruri_user);
	return admitted;
}

/* A bound UDP socket on 127.0.0.1, its address in *su. */
static int
udp_socket(su_sockaddr_t *su)
{
	socklen_t len = sizeof(*su);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(su, 0, sizeof(*su));
	su->su_sin.sin_family = AF_INET;
	su->su_sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, &su->su_sa, sizeof(su->su_sin)) < 0 ||
	    getsockname(s, &su->su_sa, &len) < 0)
		exit(99);
	return s;
}

/* What the caller's socket got within a second ("" when nothing). */
static const char *
received(void)
{
	static char buf[8192];
	struct pollfd p = { .fd = caller, .events = POLLIN };
	ssize_t n = 0;

	buf[0] = '\0';
	if (poll(&p, 1, 1000) == 1 && (n = recv(caller, buf, sizeof(buf) - 1, 0)) > 0)
		buf[n] = '\0';
	return buf;
}

/* Feeds text (with @PORT@ as the caller's port) as if it came from the caller. */
static bool
feed(const char *text)
{
	char data[4096], port[16];
	const char *at = strstr(text, "@PORT@");

	snprintf(port, sizeof(port), "%u", ntohs(caller_addr.su_port));
	if (at != NULL)
		snprintf(data, sizeof(data), "%.*s%s%s", (int)(at - text), text, port, at + 6);
	else
		snprintf(data, sizeof(data), "%s", text);
	return shed_dgram(data, strlen(data), &caller_addr, sizeof(caller_addr.su_sin), sipmed, 7,
	    admit, NULL);
}

#define INVITE(via, to) "INVITE sip:1234@127.0.0.1 SIP/2.0\r\n" via "\r\n" \
	"From: <sip:5035550100@127.0.0.3>;tag=abc\r\n" to "\r\n" \
	"Call-ID: shed-1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" \
	"Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n"

int
main(void)
{
	su_sockaddr_t sipmed_addr;
	const char *got;

	caller = udp_socket(&caller_addr);
	sipmed = udp_socket(&sipmed_addr);

	admitted = true;
	ok(!feed(INVITE("Via: SIP/2.0/UDP 127.0.0.1:@PORT@;branch=z9hG4bK-1",
	    "To: <sip:1234@127.0.0.1>")), "an INVITE within the share admitted goes on");
	is_str(seen_call_id, "shed-1@test", "the share is asked by Call-ID");
	is_str(seen_user, "1234", "and the number dialed (an emergency call is never shed)");
	admitted = false;

	ok(feed(INVITE("Via: SIP/2.0/UDP 127.0.0.1:@PORT@;branch=z9hG4bK-1",
	    "To: <sip:1234@127.0.0.1>")), "an INVITE over the share is shed");
	got = received();
	ok(strncmp(got, "SIP/2.0 503 Service Unavailable\r\n", 33) == 0, "answered 503");
	ok(strstr(got, "\r\nVia: SIP/2.0/UDP 127.0.0.1:") != NULL &&
	    strstr(got, ";branch=z9hG4bK-1\r\n") != NULL && strstr(got, "received=") == NULL,
	    "its Via as sent, no received when the host is the source");
	ok(strstr(got, "\r\nTo: <sip:1234@127.0.0.1>;tag=sipmed-shed\r\n") != NULL,
	    "To with sipmed's own tag");
	ok(strstr(got, "\r\nFrom: <sip:5035550100@127.0.0.3>;tag=abc\r\n") != NULL &&
	    strstr(got, "\r\nCall-ID: shed-1@test\r\n") != NULL &&
	    strstr(got, "\r\nCSeq: 1 INVITE\r\n") != NULL, "From, Call-ID and CSeq copied");
	ok(strstr(got, "\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n") != NULL,
	    "Retry-After, and no body");

	ok(feed(INVITE("v: SIP/2.0/UDP gw.example.invalid:@PORT@;rport;branch=z9hG4bK-2\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-up", "t: <sip:1234@127.0.0.1>")),
	    "compact header names, a name in Via, rport asked");
	got = received();
	ok(strstr(got, "\r\nVia: SIP/2.0/UDP gw.example.invalid:") != NULL &&
	    strstr(got, ";received=127.0.0.1") != NULL, "received added: sent to the source, "
	    "never to the name");
	{
		char want[64];

		snprintf(want, sizeof(want), ";rport=%u;", ntohs(caller_addr.su_port));
		ok(strstr(got, want) != NULL, "rport gets the source port");
	}
	ok(strstr(got, "\r\nVia: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-up\r\n") != NULL,
	    "the second Via copied as it was");

	ok(feed("ACK sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nTo: <sip:1234@127.0.0.1>;tag=sipmed-shed\r\n"
	    "Call-ID: shed-1@test\r\nCSeq: 1 ACK\r\n\r\n"), "the ACK of a shed 503 is dropped");
	ok(!feed("ACK sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nTo: <sip:1234@127.0.0.1>;tag=other\r\n"
	    "Call-ID: shed-1@test\r\nCSeq: 1 ACK\r\n\r\n"), "any other ACK goes on");
	ok(!feed(INVITE("Via: SIP/2.0/UDP 127.0.0.1:@PORT@;branch=z9hG4bK-3",
	    "To: <sip:1234@127.0.0.1>;tag=up")), "an INVITE inside a dialog is never shed");
	ok(!feed("INVITE sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nTo: <sip:1234@127.0.0.1>\r\nCall-ID: folded\r\n"
	    " continued\r\nCSeq: 1 INVITE\r\n\r\n"), "a folded header line: left to the parser");
	ok(!feed("INVITE sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"),
	    "no To: left to the parser (which answers 400)");
	ok(!feed("INVITE sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"),
	    "headers cut short: left to the parser");
	ok(!feed("OPTIONS sip:1234@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=x\r\n"
	    "From: <sip:a@b>;tag=abc\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"),
	    "other methods go on");
	ok(!feed("\x01\x02 garbage"), "garbage goes on (to be dropped by the parser)");
	ok(received()[0] == '\0', "nothing else was sent");
	close(caller);
	close(sipmed);
	return tap_done();
}
