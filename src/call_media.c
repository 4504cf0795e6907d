/*
 * call_media: an anchored call's SDP goes through a media relay
 * (media.h), so that media flows through the relay instead of between the
 * parties. A call is anchored when the pool, or the trunk on either side,
 * says media = "anchor"; calls between two users of the pool never are.
 *
 * Each SDP that crosses is an offer or an answer (RFC 3264): an offer
 * when no offer is open or it comes from the side that made the open one,
 * else the answer to it. An answer in a 2xx, an ACK or a PRACK closes the
 * offer; one in a 18x leaves it open, as the final answer follows. The
 * relay puts its own address in c= and o= both ways, removes ICE toward a
 * trunk and is an ICE-lite peer toward the pool's clients, and gives each
 * side the transport protocol its srtp asks for (SDES only, the two
 * classic suites; RTCP on its own port toward a trunk).
 * The relay keeps one session per call (the A leg's Call-ID): the A side
 * is the monologue sipmed-a, the B side the tag of B's dialog, so that
 * each early dialog of a forking callee gets its own; the session is
 * deleted when the call ends.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>

#include "call_priv.h"
#include "log.h"
#include "media.h"

/* B's tag in sip, which B sent (a response's To, a request's From), or NULL. */
static const char *
b_tag_in(const sip_t *sip)
{
	const sip_addr_t *a = sip == NULL ? NULL : sip->sip_status != NULL ? sip->sip_to :
	    sip->sip_from;

	return a != NULL && a->a_tag != NULL && a->a_tag[0] != '\0' ? a->a_tag : NULL;
}

/* A's tag on the relay: A never forks. */
#define A_TAG "sipmed-a"

/* B's tag on the relay as last known (its offer, or its final answer). */
static const char *
b_tag(const struct call *call)
{
	return call->media_btag[0] != '\0' ? call->media_btag : "sipmed-b";
}

/* What the relay saw of each side of the call: 0, or -1 when it cannot say. */
static int
query_sides(const struct call *call, struct media_side s[2])
{
	const char *const tags[2] = { A_TAG, b_tag(call) };

	return media_query(call->srv->media, call->media_relay, call->id, tags, s);
}

/* The media settings of leg l's peer. */
static const struct peer_media *
media_of(const struct call *call, const struct call_leg *l)
{
	return l->trunk != NULL ? &l->trunk->media : &call->conf->pool.media;
}

/* The transport protocol toward leg l's peer; NULL: as offered. */
static const char *
protocol_toward(const struct call *call, const struct call_leg *l)
{
	const struct peer_media *m = media_of(call, l);
	/* trunks: carriers and most gateways want plain RTP */
	const char *srtp = m->srtp != NULL ? m->srtp : l->trunk != NULL ? "not_supported" :
	    "optional";

	if (strcmp(srtp, "required") == 0)
		return "RTP/SAVP";
	if (strcmp(srtp, "not_supported") == 0)
		return "RTP/AVP";
	return NULL;
}

void
call_media_start(struct call *call, const struct trunk *a, const struct trunk *b)
{
	const struct conf *c = call->conf;
	bool was = call->anchored;

	call->anchored = (a != NULL || b != NULL) && (conf_media_anchor(&c->pool.media) ||
	    (a != NULL && conf_media_anchor(&a->media)) ||
	    (b != NULL && conf_media_anchor(&b->media)));
	call->media_offerer = -1;
	call->media_btag[0] = '\0';	/* a new attempt: B is someone else */
	if (was && !call->anchored && call->media_relay >= 0) {
		/* failover to a trunk that bypasses: the relay's session goes */
		media_delete(call->srv->media, call->media_relay, call->id);
		call->media_relay = -1;
	}
}

/*
 * The SDP of a multipart body (RFC 5621), at *off for *len bytes of pl; -1
 * when it has none. A Lync client's INVITE is multipart/alternative: two
 * SDPs of one session, the first marked ms-proxy-2007fallback (for OCS 2007
 * peers); an emergency call's multipart/mixed carries the caller's
 * location beside the SDP. The part taken is the last application/sdp one
 * that is not a fallback, else the last one.
 */
static int
sdp_part(su_home_t *home, const msg_content_type_t *ct, const sip_payload_t *pl, size_t *off,
    size_t *len)
{
	/* parsed in a copy, as the parser writes (the copy's length too):
	   offsets are the same */
	sip_payload_t *copy = sip_payload_dup(home, pl);
	const char *data = copy != NULL ? copy->pl_data : NULL;
	msg_multipart_t *parts = copy != NULL ? msg_multipart_parse(home, ct, copy) : NULL;
	const msg_payload_t *best = NULL;
	bool best_fallback = true;

	for (const msg_multipart_t *mp = parts; mp != NULL; mp = mp->mp_next) {
		const msg_content_disposition_t *cd = mp->mp_content_disposition;
		bool fallback = cd != NULL && msg_params_find(cd->cd_params,
		    "ms-proxy-2007fallback") != NULL;

		if (mp->mp_content_type == NULL || mp->mp_content_type->c_type == NULL ||
		    strcasecmp(mp->mp_content_type->c_type, "application/sdp") != 0 ||
		    mp->mp_payload == NULL || (fallback && !best_fallback))
			continue;
		best = mp->mp_payload;
		best_fallback = fallback;
	}
	if (best == NULL || best->pl_data < data || best->pl_data + best->pl_len > data + pl->pl_len)
		return -1;
	*off = (size_t)(best->pl_data - data);
	*len = best->pl_len;
	return 0;
}

/*
 * SDP on one decision-trace line: its lines joined by " | ", cut at the
 * line's length with "...".
 */
static void
sdp_line(char *buf, size_t size, const char *sdp, size_t n)
{
	size_t at = 0;

	for (size_t i = 0; i < n && at + 6 < size; i++) {
		if (sdp[i] == '\r')
			continue;
		if (sdp[i] == '\n') {
			if (i + 1 < n) {
				memcpy(buf + at, " | ", 3);
				at += 3;
			}
			continue;
		}
		buf[at++] = sdp[i];
	}
	if (at + 6 >= size) {
		memcpy(buf + at, "...", 3);
		at += 3;
	}
	buf[at] = '\0';
}

/* What to do when no relay answers: the trunk's choice, else the pool's. */
static bool
bypass_when_unreachable(const struct call *call)
{
	const struct trunk *t = call->leg[SIDE_A].trunk != NULL ? call->leg[SIDE_A].trunk :
	    call->leg[SIDE_B].trunk;
	const struct peer_media *m = t != NULL ? &t->media : &call->conf->pool.media;

	return m->unreachable != NULL && strcmp(m->unreachable, "bypass") == 0;
}

int
call_media_body(struct call *call, enum call_side from, const sip_t *sip, bool final,
    su_home_t *home, tagi_t tags[4])
{
	enum call_side to = call_other(from);
	const char *btag = from == SIDE_B && b_tag_in(sip) != NULL ? b_tag_in(sip) : b_tag(call);
	const msg_content_type_t *ct = NULL;
	const sip_payload_t *pl = NULL;
	struct media_req q;
	char *out, why[300];
	size_t outlen, at = 0, ct_at = 0, off = 0, len;
	bool offer, multipart;

	if (!call->anchored)
		return 0;
	for (size_t i = 0; i < 4 && tags[i].t_tag != NULL; i++) {
		if (tags[i].t_tag == siptag_content_type) {
			ct = (const msg_content_type_t *)tags[i].t_value;
			ct_at = i;
		}
		if (tags[i].t_tag == siptag_payload) {
			pl = (const sip_payload_t *)tags[i].t_value;
			at = i;
		}
	}
	if (pl == NULL || pl->pl_len == 0)
		return 0;	/* no SDP in this one */
	len = pl->pl_len;
	multipart = ct != NULL && ct->c_type != NULL && strncasecmp(ct->c_type, "multipart/", 10) == 0;
	if (ct == NULL || ct->c_type == NULL || (multipart ? sdp_part(home, ct, pl, &off, &len) == -1 :
	    strcasecmp(ct->c_type, "application/sdp") != 0)) {
		log_warnx("call %s: a %s body%s is not anchored", call->id,
		    ct != NULL && ct->c_type ? ct->c_type : "typeless",
		    multipart ? " without an application/sdp part" : "");
		return 0;
	}
	offer = call->media_offerer < 0 || call->media_offerer == (int)from;
	q = (struct media_req){
		.offer = offer,
		.call_id = call->id,
		/* the offerer's tag, and the answerer's */
		.from_tag = (offer ? from : to) == SIDE_A ? A_TAG : btag,
		.to_tag = offer ? NULL : from == SIDE_A ? A_TAG : btag,
		.protocol = protocol_toward(call, &call->leg[to]),
		.to_pool = call->leg[to].trunk == NULL,
		.from_pool = call->leg[from].trunk == NULL,
		.codecs = offer ? &media_of(call, &call->leg[to])->codecs : NULL,
		.relay = &call->media_relay,
	};
	if (media_sdp(call->srv->media, &q, pl->pl_data + off, len, home, &out, &outlen, why,
	    sizeof(why)) == -1) {
		log_warnx("call %s: %s: the SDP crosses as it came%s", call->id, why,
		    bypass_when_unreachable(call) ? " (media_unreachable = bypass)" : "");
		dtrace_step(call_steps(call), "media: %s failed: %s", offer ? "offer" : "answer", why);
		return -1;
	}
	dtrace_step(call_steps(call), "media: the %s from the %c leg went through relay %s "
	    "(toward the %c leg: %s%s%s)", offer ? "offer" : "answer", from == SIDE_A ? 'A' : 'B',
	    media_relay_address(call->srv->media, call->media_relay), to == SIDE_A ? 'A' : 'B',
	    q.protocol != NULL ? q.protocol : "transport as offered",
	    q.to_pool ? ", ICE-lite" : ", ICE removed",
	    q.codecs != NULL && q.codecs->n > 0 ? ", only the trunk's codecs" : "");
	if (call_steps(call) != NULL) {
		char line[900];

		sdp_line(line, sizeof(line), pl->pl_data + off, len);
		dtrace_step(call_steps(call), "media: SDP before the relay: %s", line);
		sdp_line(line, sizeof(line), out, outlen);
		dtrace_step(call_steps(call), "media: the relay's SDP: %s", line);
	}
	if (multipart && strcasecmp(ct->c_type, "multipart/alternative") == 0) {
		/* the other alternatives describe the same session from the
		   sender's own addresses: the relay's SDP alone goes on */
		tags[ct_at].t_value = (tag_value_t)sip_content_type_make(home, "application/sdp");
	} else if (multipart) {
		/* the other parts (a location) go on as they came */
		out = su_sprintf(home, "%.*s%s%.*s", (int)off, pl->pl_data, out,
		    (int)(pl->pl_len - off - len), pl->pl_data + off + len);
	}
	if (out == NULL)
		return -1;
	tags[at].t_value = (tag_value_t)sip_payload_make(home, out);
	if (from == SIDE_B && (offer || final))
		snprintf(call->media_btag, sizeof(call->media_btag), "%s", btag);
	if (offer)
		call->media_offerer = (int)from;
	else if (final)
		call->media_offerer = -1;
	return 0;
}

void
call_media_rejected(struct call *call)
{
	call->media_offerer = -1;
}

bool
call_media_refuses(struct call *call)
{
	if (bypass_when_unreachable(call)) {
		call->anchored = false;
		return false;
	}
	return true;
}

#define REASON_NO_MEDIA "SIP;cause=408;text=\"No media in either direction\""

/*
 * Media supervision: every media.inactivity seconds the relay's counters
 * of what it received from each side; an anchored call whose media has
 * stopped both ways since the last look is ended, with a Reason saying
 * so. A relay that cannot say leaves the call alone.
 */
static void
media_check(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;
	struct media_side s[2];

	(void)magic;
	(void)timer;
	if (call->state != CALL_UP || !call->anchored ||
	    query_sides(call, s) == -1 ||
	    s[0].packets < 0 || s[1].packets < 0)
		return;
	if (s[0].packets != call->media_seen[0] || s[1].packets != call->media_seen[1]) {
		call->media_seen[0] = s[0].packets;
		call->media_seen[1] = s[1].packets;
		return;
	}
	log_info("call %s: no media either way for %u s: ended", call->id,
	    call->conf->media.inactivity);
	dtrace_step(call_steps(call), "media supervision: nothing received from either side "
	    "in %u s (%lld and %lld packets in all): the call is ended",
	    call->conf->media.inactivity, s[0].packets, s[1].packets);
	call_bye(call, SIDE_A, REASON_NO_MEDIA);
	call_bye(call, SIDE_B, REASON_NO_MEDIA);
	call_end(call, ENDER_SIPMED, "no media");
}

void
call_media_supervise(struct call *call)
{
	unsigned s = call->conf->media.inactivity;

	if (!call->anchored || s == 0 || call->media_timer != NULL)
		return;
	call->media_timer = su_timer_create(su_root_task(call->srv->root), s * 1000);
	if (call->media_timer != NULL)
		su_timer_run(call->media_timer, media_check, (su_timer_arg_t *)call);
}

void
call_media_write(const struct call *call, FILE *f)
{
	struct media_side s[2];

	if (!call->anchored)
		return;
	fprintf(f, "  media: relay %s", media_relay_address(call->srv->media, call->media_relay));
	if (query_sides(call, s) == 0)
		fprintf(f, ", A side port %d (%lld packets, %lld bytes in), B side port %d "
		    "(%lld packets, %lld bytes in)", s[0].port, s[0].packets, s[0].bytes, s[1].port,
		    s[1].packets, s[1].bytes);
	else
		fprintf(f, " (it does not answer about the call)");
	fprintf(f, "\n");
}

void
call_media_end(struct call *call)
{
	su_timer_destroy(call->media_timer);
	call->media_timer = NULL;
	if (call->anchored && call->media_relay >= 0)
		media_delete(call->srv->media, call->media_relay, call->id);
	call->media_relay = -1;
}
