/*
 * trace_out: where trace records go. Each output of the trace group is
 * independent:
 *
 *   text_file    readable: a header line per record ("time call X leg A:
 *                received over udp from ... to ..."), then the message
 *                with its line ends made plain;
 *   pcap_file    classic pcap (Ethernet). Each SIP message is one UDP
 *                datagram between the addresses and ports it really used,
 *                whatever its transport: a TLS or TCP message is written
 *                decrypted and whole, so Wireshark, tshark and sngrep see
 *                exactly one SIP message per packet. The real transport is
 *                in the text trace and in HEP. Decision steps are not
 *                written here. (On a UDP listener bound to 0.0.0.0 or ::
 *                the socket does not say which address a datagram used:
 *                the local side is then the address sipmed puts in its
 *                Contact);
 *   hep_address  HEPv3 (the Homer convention) over UDP: messages as
 *                protocol type 1 (SIP), decision steps as type 100 (log),
 *                both with the call's name as correlation ID so that
 *                Homer shows a call's legs and steps together.
 *
 * With none of them configured, records go to the log. Files are opened
 * for appending (a pcap file gets its header when it is empty) and
 * flushed after each record. This module keeps no state between records
 * beyond its open files and socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "trace_priv.h"

struct trace_out {
	FILE *text;
	FILE *pcap;
	int hep;			/* connected UDP socket, or -1 */
	unsigned capture_id;
	unsigned char *buf;		/* one pcap or HEP packet */
	size_t bufsize;
};

#define PCAP_SNAPLEN 65535
#define HEP_MAX 65000		/* payload bytes in one HEP datagram */

static FILE *
open_append(const char *path, const char *what, char *err, size_t errlen)
{
	FILE *f = fopen(path, "ab");

	if (f == NULL) {
		snprintf(err, errlen, "trace: cannot open %s %s: %s", what, path, strerror(errno));
		log_warnx("%s", err);
	}
	return f;
}

static void
pcap_header(FILE *f)
{
	uint32_t h[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, PCAP_SNAPLEN, 1 /* Ethernet */ };
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && st.st_size == 0) {
		fwrite(h, sizeof(h), 1, f);
		fflush(f);
	}
}

/* A UDP socket connected to "udp:HOST:PORT" (checked by the loader). */
static int
hep_connect(const char *address, char *err, size_t errlen)
{
	char host[256];
	const char *port = strrchr(address + 4, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL;
	int fd = -1, rc;
	size_t n = (size_t)(port - (address + 4));

	snprintf(host, sizeof(host), "%.*s", (int)n, address + 4);
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	rc = getaddrinfo(host, port + 1, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "trace: hep_address %s: %s", address, gai_strerror(rc));
		log_warnx("%s", err);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		snprintf(err, errlen, "trace: hep_address %s: %s", address, strerror(errno));
		log_warnx("%s", err);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

struct trace_out *
trace_out_open(const struct conf_trace *c, char *err, size_t errlen)
{
	struct trace_out *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->hep = -1;
	o->capture_id = c->hep_capture_id;
	o->bufsize = 65536 + 256;
	o->buf = malloc(o->bufsize);
	if (o->buf == NULL) {
		free(o);
		return NULL;
	}
	err[0] = '\0';
	if (c->text_file != NULL)
		o->text = open_append(c->text_file, "text_file", err, errlen);
	if (c->pcap_file != NULL &&
	    (o->pcap = open_append(c->pcap_file, "pcap_file", err, errlen)) != NULL)
		pcap_header(o->pcap);
	if (c->hep_address != NULL)
		o->hep = hep_connect(c->hep_address, err, errlen);
	return o;
}

void
trace_out_close(struct trace_out *o)
{
	if (o == NULL)
		return;
	if (o->text != NULL)
		fclose(o->text);
	if (o->pcap != NULL)
		fclose(o->pcap);
	if (o->hep != -1)
		close(o->hep);
	free(o->buf);
	free(o);
}

static void
addr_str(const su_sockaddr_t *su, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (su->su_family == AF_INET6) {
		inet_ntop(AF_INET6, &su->su_sin6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(su->su_port));
	} else {
		if (su->su_family == AF_INET)
			inet_ntop(AF_INET, &su->su_sin.sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(su->su_port));
	}
}

/* "2026-11-25 14:03:07.123456 call X leg A: " and what the record is. */
static void
text_head(const struct trace_record *r, char *buf, size_t len)
{
	struct tm tm;
	time_t t = r->when.tv_sec;
	char src[64], dst[64], stamp[32];
	size_t n;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	n = (size_t)snprintf(buf, len, "%s.%06ld ", stamp, (long)r->when.tv_usec);
	if (n < len && r->call != NULL)
		n += (size_t)snprintf(buf + n, len - n, r->proto ? "call %s leg %c: " : "call %s: ",
		    r->call, r->side);
	if (n >= len)
		return;
	if (r->proto == NULL) {
		snprintf(buf + n, len - n, "decision: ");
		return;
	}
	addr_str(&r->src, src, sizeof(src));
	addr_str(&r->dst, dst, sizeof(dst));
	if (r->outgoing)
		snprintf(buf + n, len - n, "sent over %s from %s to %s, %zu bytes\n", r->proto, src,
		    dst, r->len);
	else
		snprintf(buf + n, len - n, "received over %s from %s at %s, %zu bytes\n", r->proto,
		    src, dst, r->len);
}

/* The message with CRLF made LF, so that it reads like a file. */
static void
text_body(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\r' || i + 1 >= len || s[i + 1] != '\n')
			putc(s[i], f);
	if (len == 0 || s[len - 1] != '\n')
		putc('\n', f);
}

static void
text_write(struct trace_out *o, const struct trace_record *r)
{
	char head[512];

	text_head(r, head, sizeof(head));
	fputs(head, o->text);
	text_body(o->text, r->data, r->len);
	if (r->proto != NULL)
		putc('\n', o->text);
	fflush(o->text);
}

static void
log_write(const struct trace_record *r)
{
	char head[512];

	text_head(r, head, sizeof(head));
	log_info("trace: %s%.*s", head, (int)(r->len < 60000 ? r->len : 60000), r->data);
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint16_t
ip_checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Writes Ethernet, IP and UDP headers for r, with payload bytes after
 * them, into buf. Returns the header length.
 */
static size_t
frame_headers(unsigned char *buf, const struct trace_record *r, size_t payload)
{
	bool v6 = r->src.su_family == AF_INET6;
	unsigned char *ip = buf + 14, *udp;

	memset(buf, 0, 14 + 40 + 8);
	put16(buf + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)(8 + payload));
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, &r->src.su_sin6.sin6_addr, 16);
		memcpy(ip + 24, &r->dst.su_sin6.sin6_addr, 16);
		udp = ip + 40;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(20 + 8 + payload));
		ip[8] = 64;
		ip[9] = 17;
		if (r->src.su_family == AF_INET)
			memcpy(ip + 12, &r->src.su_sin.sin_addr, 4);
		if (r->dst.su_family == AF_INET)
			memcpy(ip + 16, &r->dst.su_sin.sin_addr, 4);
		put16(ip + 10, ip_checksum(ip, 20));
		udp = ip + 20;
	}
	put16(udp, ntohs(r->src.su_port));
	put16(udp + 2, ntohs(r->dst.su_port));
	put16(udp + 4, (unsigned)(8 + payload));
	return (size_t)(udp + 8 - buf);
}

static void
pcap_write(struct trace_out *o, const struct trace_record *r)
{
	size_t payload = r->len, head;
	uint32_t rec[4];

	if (payload > PCAP_SNAPLEN - 14 - 40 - 8)
		payload = PCAP_SNAPLEN - 14 - 40 - 8;	/* a UDP datagram's limit */
	head = frame_headers(o->buf, r, payload);
	rec[0] = (uint32_t)r->when.tv_sec;
	rec[1] = (uint32_t)r->when.tv_usec;
	rec[2] = rec[3] = (uint32_t)(head + payload);
	fwrite(rec, sizeof(rec), 1, o->pcap);
	fwrite(o->buf, head, 1, o->pcap);
	fwrite(r->data, payload, 1, o->pcap);
	fflush(o->pcap);
}

/* Appends one HEPv3 chunk (vendor 0) of type with n bytes of value. */
static size_t
hep_chunk(unsigned char *p, unsigned type, const void *value, size_t n)
{
	put16(p, 0);
	put16(p + 2, type);
	put16(p + 4, (unsigned)(6 + n));
	memcpy(p + 6, value, n);
	return 6 + n;
}

static size_t
hep_u8(unsigned char *p, unsigned type, unsigned v)
{
	unsigned char b = (unsigned char)v;

	return hep_chunk(p, type, &b, 1);
}

static size_t
hep_u16(unsigned char *p, unsigned type, unsigned v)
{
	unsigned char b[2];

	put16(b, v);
	return hep_chunk(p, type, b, 2);
}

static size_t
hep_u32(unsigned char *p, unsigned type, uint32_t v)
{
	unsigned char b[4];

	put32(b, v);
	return hep_chunk(p, type, b, 4);
}

/*
 * HEPv3: "HEP3", total length, then chunks: address family, IP protocol,
 * addresses, ports, time, protocol type (1 SIP, 100 log), capture agent
 * ID, correlation ID, payload.
 */
static void
hep_write(struct trace_out *o, const struct trace_record *r)
{
	unsigned char *p = o->buf;
	const su_sockaddr_t *src = &r->src, *dst = &r->dst;
	size_t n = 6, len = r->len < HEP_MAX ? r->len : HEP_MAX;
	bool v6 = src->su_family == AF_INET6;

	memcpy(p, "HEP3", 4);
	n += hep_u8(p + n, 0x0001, v6 ? 10 : 2);
	n += hep_u8(p + n, 0x0002, r->proto == NULL || strcmp(r->proto, "udp") == 0 ? 17 : 6);
	if (v6) {
		n += hep_chunk(p + n, 0x0005, &src->su_sin6.sin6_addr, 16);
		n += hep_chunk(p + n, 0x0006, &dst->su_sin6.sin6_addr, 16);
	} else {
		struct in_addr none = { 0 };

		n += hep_chunk(p + n, 0x0003, src->su_family == AF_INET ?
		    &src->su_sin.sin_addr : &none, 4);
		n += hep_chunk(p + n, 0x0004, dst->su_family == AF_INET ?
		    &dst->su_sin.sin_addr : &none, 4);
	}
	n += hep_u16(p + n, 0x0007, ntohs(src->su_port));
	n += hep_u16(p + n, 0x0008, ntohs(dst->su_port));
	n += hep_u32(p + n, 0x0009, (uint32_t)r->when.tv_sec);
	n += hep_u32(p + n, 0x000a, (uint32_t)r->when.tv_usec);
	n += hep_u8(p + n, 0x000b, r->proto != NULL ? 1 : 100);
	n += hep_u32(p + n, 0x000c, o->capture_id);
	if (r->call != NULL)
		n += hep_chunk(p + n, 0x0011, r->call, strnlen(r->call, 200));
	n += hep_chunk(p + n, 0x000f, r->data, len);
	put16(p + 4, (unsigned)n);
	/* a capture server that is gone must not stop calls: errors are dropped */
	if (send(o->hep, p, n, MSG_DONTWAIT) == -1 && errno != EAGAIN &&
	    errno != ECONNREFUSED)
		log_debug("trace: HEP send: %s", strerror(errno));
}

void
trace_out_write(struct trace_out *o, const struct trace_record *r)
{
	bool any = o->text != NULL || o->pcap != NULL || o->hep != -1;

	if (!any) {
		log_write(r);
		return;
	}
	if (o->text != NULL)
		text_write(o, r);
	if (o->pcap != NULL && r->proto != NULL)
		pcap_write(o, r);
	if (o->hep != -1)
		hep_write(o, r);
}
