/*
 * shed: the refusal of a new call from the datagram's bytes (see shed.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "shed.h"

/* The To tag of every 503 sent here: its ACK is known by it. */
#define SHED_TAG "sipmed-shed"
#define SHED_MAX_VIAS 16

struct span {
	const char *p;
	size_t n;
};

/* Whether header line h (its name up to the colon) is long or compact. */
static bool
name_is(struct span name, const char *lng, char compact)
{
	size_t n = strlen(lng);

	return (name.n == n && strncasecmp(name.p, lng, n) == 0) ||
	    (name.n == 1 && (name.p[0] | 0x20) == compact);
}

/* Where needle (lower case) starts in s, case-insensitively; NULL: not there. */
static const char *
find(struct span s, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= s.n; i++)
		if (strncasecmp(s.p + i, needle, n) == 0)
			return s.p + i;
	return NULL;
}

/* The headers a 503 copies, as lines (whole) and values. */
struct request {
	struct span via[SHED_MAX_VIAS];	/* lines */
	size_t nvia;
	struct span first_via;		/* the value of the first Via line */
	struct span from, to, call_id, cseq;	/* lines */
	struct span to_value, call_id_value;
};

/*
 * Reads the header lines of datagram data, after its request line. False
 * when it is not plain enough to answer from: a folded line, no end of
 * the headers, a header missing, too many Vias.
 */
static bool
read_headers(const char *data, size_t len, struct request *r)
{
	const char *p = memchr(data, '\n', len), *end = data + len;
	bool ended = false;

	memset(r, 0, sizeof(*r));
	if (p == NULL)
		return false;
	for (p++; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon, *v;
		struct span line, name, value;

		if (nl == NULL)
			return false;	/* no empty line: cut short */
		line = (struct span){ p, (size_t)(nl - p) };
		if (line.n > 0 && line.p[line.n - 1] == '\r')
			line.n--;
		p = nl + 1;
		if (line.n == 0) {
			ended = true;	/* the end of the headers */
			break;
		}
		if (line.p[0] == ' ' || line.p[0] == '\t')
			return false;	/* folded */
		colon = memchr(line.p, ':', line.n);
		if (colon == NULL)
			return false;
		name = (struct span){ line.p, (size_t)(colon - line.p) };
		while (name.n > 0 && (name.p[name.n - 1] == ' ' || name.p[name.n - 1] == '\t'))
			name.n--;
		for (v = colon + 1; v < line.p + line.n && (*v == ' ' || *v == '\t'); v++)
			;
		value = (struct span){ v, (size_t)(line.p + line.n - v) };
		while (value.n > 0 && (value.p[value.n - 1] == ' ' || value.p[value.n - 1] == '\t'))
			value.n--;
		if (name_is(name, "via", 'v')) {
			if (r->nvia == SHED_MAX_VIAS)
				return false;
			if (r->nvia == 0)
				r->first_via = value;
			r->via[r->nvia++] = line;
		} else if (name_is(name, "from", 'f')) {
			r->from = line;
		} else if (name_is(name, "to", 't')) {
			r->to = line;
			r->to_value = value;
		} else if (name_is(name, "call-id", 'i')) {
			r->call_id = line;
			r->call_id_value = value;
		} else if (name_is(name, "cseq", '\0')) {
			r->cseq = line;
		}
	}
	return ended && r->nvia > 0 && r->from.p != NULL && r->to.p != NULL && r->call_id.p != NULL &&
	    r->cseq.p != NULL && r->call_id_value.n > 0;
}

/* Appends n bytes of s to buf (len bytes, *off used); false when full. */
static bool
put(char *buf, size_t len, size_t *off, const char *s, size_t n)
{
	if (*off + n >= len)
		return false;
	memcpy(buf + *off, s, n);
	*off += n;
	return true;
}

static bool
puts_(char *buf, size_t len, size_t *off, const char *s)
{
	return put(buf, len, off, s, strlen(s));
}

/*
 * The first Via's first value as the answer carries it, with received
 * (when its host is not addr) and rport's value (when asked for), into
 * buf; the port the answer goes to in *port.
 */
static bool
put_first_via(char *buf, size_t len, size_t *off, struct span v, const char *addr,
    unsigned src_port, unsigned *port)
{
	const char *end = memchr(v.p, ',', v.n), *h, *host_end, *params, *rport;
	struct span first = { v.p, end != NULL ? (size_t)(end - v.p) : v.n };
	const char *fend = first.p + first.n;
	char extra[128];
	bool asked = false;

	*port = 5060;
	/* SIP/2.0/UDP host[:port];params */
	for (h = first.p; h < first.p + first.n && *h != ' ' && *h != '\t'; h++)
		;
	while (h < first.p + first.n && (*h == ' ' || *h == '\t'))
		h++;
	host_end = h;
	if (host_end < first.p + first.n && *host_end == '[')
		while (host_end < first.p + first.n && *host_end++ != ']')
			;
	while (host_end < first.p + first.n && *host_end != ':' && *host_end != ';' &&
	    *host_end != ' ')
		host_end++;
	params = host_end;
	if (params < first.p + first.n && *params == ':') {
		*port = (unsigned)strtoul(params + 1, NULL, 10);
		while (params < first.p + first.n && *params != ';')
			params++;
	}
	if (h == host_end || *port == 0 || *port > 65535)
		return false;
	/* a bare rport gets its value (RFC 3581) */
	rport = find((struct span){ params, (size_t)(fend - params) }, ";rport");
	if (rport != NULL && rport + 6 < fend && rport[6] == '=')
		asked = true;
	else if (rport != NULL && (rport + 6 == fend || rport[6] == ';')) {
		asked = true;
		if (!put(buf, len, off, first.p, (size_t)(rport + 6 - first.p)))
			return false;
		snprintf(extra, sizeof(extra), "=%u", src_port);
		if (!puts_(buf, len, off, extra) ||
		    !put(buf, len, off, rport + 6, (size_t)(fend - rport - 6)))
			return false;
	} else if (!put(buf, len, off, first.p, first.n)) {
		return false;
	}
	if ((size_t)(host_end - h) != strlen(addr) || strncasecmp(h, addr, strlen(addr)) != 0) {
		snprintf(extra, sizeof(extra), ";received=%s", addr);
		if (!puts_(buf, len, off, extra))
			return false;
	}
	if (asked)
		*port = src_port;
	return end == NULL || put(buf, len, off, end, (size_t)(v.p + v.n - end));
}

/* The user part of an INVITE's Request-URI ("INVITE sip:911@host ..."). */
static void
ruri_user(const char *data, size_t len, char *out, size_t outlen)
{
	const char *p = data + 7, *end = memchr(p, ' ', len - 7), *colon;
	size_t n;

	out[0] = '\0';
	if (end == NULL || (colon = memchr(p, ':', (size_t)(end - p))) == NULL)
		return;
	p = colon + 1;
	for (n = 0; p + n < end && p[n] != '@' && p[n] != ';' && p[n] != '?'; n++)
		;
	if (n < outlen) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

bool
shed_dgram(const char *data, size_t len, const su_sockaddr_t *from, socklen_t fromlen,
    su_socket_t s, unsigned retry_after, shed_admit_f *admit, void *arg)
{
	bool invite = len > 7 && memcmp(data, "INVITE ", 7) == 0;
	bool ack = len > 4 && memcmp(data, "ACK ", 4) == 0;
	struct request r;
	char call_id[256], addr[INET6_ADDRSTRLEN], buf[8192], tail[64], user[64];
	su_sockaddr_t to;
	size_t off = 0;
	unsigned port;

	if ((!invite && !ack) || !read_headers(data, len, &r))
		return false;
	if (ack)	/* the ACK of a 503 sent here: nothing to do */
		return find(r.to_value, "tag=" SHED_TAG) != NULL;
	if (find(r.to_value, "tag=") != NULL || r.call_id_value.n >= sizeof(call_id))
		return false;	/* inside a dialog: never shed */
	memcpy(call_id, r.call_id_value.p, r.call_id_value.n);
	call_id[r.call_id_value.n] = '\0';
	ruri_user(data, len, user, sizeof(user));
	if (admit(arg, call_id, user))
		return false;
	if (from->su_family == AF_INET6)
		inet_ntop(AF_INET6, &from->su_sin6.sin6_addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, &from->su_sin.sin_addr, addr, sizeof(addr));
	snprintf(tail, sizeof(tail), "Retry-After: %u\r\nContent-Length: 0\r\n\r\n", retry_after);
	if (!puts_(buf, sizeof(buf), &off, "SIP/2.0 503 Service Unavailable\r\nVia: ") ||
	    !put_first_via(buf, sizeof(buf), &off, r.first_via, addr, ntohs(from->su_port), &port) ||
	    !puts_(buf, sizeof(buf), &off, "\r\n"))
		return false;
	for (size_t i = 1; i < r.nvia; i++)
		if (!put(buf, sizeof(buf), &off, r.via[i].p, r.via[i].n) ||
		    !puts_(buf, sizeof(buf), &off, "\r\n"))
			return false;
	if (!put(buf, sizeof(buf), &off, r.from.p, r.from.n) ||
	    !puts_(buf, sizeof(buf), &off, "\r\n") ||
	    !put(buf, sizeof(buf), &off, r.to.p, r.to.n) ||
	    !puts_(buf, sizeof(buf), &off, ";tag=" SHED_TAG "\r\n") ||
	    !put(buf, sizeof(buf), &off, r.call_id.p, r.call_id.n) ||
	    !puts_(buf, sizeof(buf), &off, "\r\n") ||
	    !put(buf, sizeof(buf), &off, r.cseq.p, r.cseq.n) ||
	    !puts_(buf, sizeof(buf), &off, "\r\n") ||
	    !puts_(buf, sizeof(buf), &off, tail))
		return false;
	/* where it came from: the source address, its port or the Via's */
	memcpy(&to, from, fromlen < sizeof(to) ? fromlen : sizeof(to));
	to.su_port = htons((unsigned short)port);
	(void)sendto(s, buf, off, MSG_DONTWAIT | MSG_NOSIGNAL, &to.su_sa, fromlen);
	return true;
}
