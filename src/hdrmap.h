/*
 * hdrmap: which headers cross from one leg of a call to the other. The
 * B2BUA builds every message on a leg itself (its own Call-ID, tags,
 * CSeq, Via, Contact, Route); from the other leg's message it copies only
 * the headers this table lets through, and the body.
 */
#ifndef SIPMED_HDRMAP_H
#define SIPMED_HDRMAP_H

#include <stdbool.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_tag.h>

/*
 * The methods sipmed takes on a leg (its Allow), and the options it
 * answers OPTIONS with; a request of another method inside a dialog gets
 * 405 with this Allow.
 */
#define HDRMAP_METHODS "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "UPDATE", \
	"PRACK", "REFER", "NOTIFY"
#define HDRMAP_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY"
#define HDRMAP_SUPPORTED "100rel, timer"

/* Whether sipmed takes requests of method (by name) on a leg. */
bool hdrmap_method_allowed(const char *method);

/*
 * Whether a header of this name crosses to the other leg when the
 * message allows (a malformed one is refused rather than relayed).
 */
bool hdrmap_may_cross(const char *name);

/*
 * Writes into buf (len bytes) the options of Require r that sipmed does
 * not carry end to end, as an Unsupported header lists them ("a, b");
 * false when it carries them all.
 */
bool hdrmap_unsupported(const sip_require_t *r, char *buf, size_t len);

/* What a message is, for the table. */
enum hdrmap_flags {
	HDRMAP_TRUST_PAI = 1,		/* the sender may assert identities */
	HDRMAP_CALL_HISTORY = 2,	/* History-Info may cross */
	HDRMAP_NO_100REL = 4,		/* the receiver does not do 100rel */
	HDRMAP_NO_EVENT = 8,		/* the caller writes Event itself */
	HDRMAP_LOCATION = 16,		/* location may cross (an emergency call to
					   a trunk with pidf_lo): Geolocation
					   headers, PIDF-LO body parts */
};

/*
 * Fills tags (4 entries) with the headers of sip that may cross, given
 * flags, encoded as text in home (SIPTAG_HEADER_STR), then Content-Type
 * and the body, then TAG_END. Headers are encoded one by one: copying
 * header objects would also copy every header chained after them. The
 * tags point into sip and home: use them before either is freed.
 */
void hdrmap_tags(su_home_t *home, const sip_t *sip, unsigned flags, tagi_t tags[4]);

#endif
