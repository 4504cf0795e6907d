/*
 * conf: the configuration snapshot. conf_load() reads a libconfig file,
 * validates every setting and cross-reference, compiles every rule, and
 * returns one immutable, refcounted snapshot, or nothing at all: a file
 * with any error is refused whole, with every error reported as
 * FILE:LINE: message. A call holds a reference to the snapshot it began
 * under; a reload builds a new snapshot beside the old one and swaps.
 *
 * The data model follows Lync's (reference sections 1-4): dial plans of
 * ordered rules, trunks with called/calling number rules and Lync's
 * per-trunk flags, voice policies -> PSTN usages -> routes -> trunks,
 * users with LineURIs, sites, unassigned number ranges.
 */
#ifndef SIPMED_CONF_H
#define SIPMED_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

#include "directory.h"
#include "number.h"
#include "ruleset.h"

struct strlist {
	const char **v;
	size_t n;
};

struct dial_plan {
	const char *name;
	const char *description;
	const char *external_access_prefix;	/* ExternalAccessPrefix, or NULL */
	bool optimize_device_dialing;	/* OptimizeDeviceDialing: a user's number
					   no rule takes is tried without the
					   prefix */
	struct ruleset *rules;
	int line;
};

/* CallForwardingSimulRingUsageType */
enum fwd_usage {
	FWD_USAGE_VOICE_POLICY,		/* VoicePolicyUsage: the policy's usages */
	FWD_USAGE_INTERNAL_ONLY,	/* InternalOnly */
	FWD_USAGE_CUSTOM,		/* CustomUsage: fwd_usages */
};

/*
 * A voice policy: its PSTN usages, and Lync's switches for calls a user
 * makes on someone's behalf (defaults are Lync's: all allowed).
 */
struct voice_policy {
	const char *name;
	struct strlist usages;		/* PSTN usages, in order */
	bool allow_call_forwarding;	/* AllowCallForwarding */
	bool allow_simul_ring;		/* AllowSimulRing */
	bool enable_delegation;		/* EnableDelegation */
	bool enable_team_call;		/* EnableTeamCall */
	bool enable_call_transfer;	/* EnableCallTransfer */
	bool allow_pstn_rerouting;	/* AllowPSTNReRouting */
	bool prevent_pstn_toll_bypass;	/* PreventPSTNTollBypass */
	enum fwd_usage fwd_usage_type;	/* CallForwardingSimulRingUsageType */
	struct strlist fwd_usages;	/* CustomCallForwardingSimulRingUsages */
	int line;
};

/* Lync's location policy (New-CsLocationPolicy): emergency calls. */
struct location_policy {
	const char *name;
	const char *dial_string;	/* EmergencyDialString, "911" */
	struct strlist masks;		/* EmergencyDialMask: also mean it */
	const char *usage;		/* PstnUsage emergency calls are routed by */
	const char *elin;		/* the location's callback number, or NULL */
	struct strlist notify;		/* NotificationUri: told of each call */
	int line;
};

struct site {
	const char *name;
	struct dial_plan *dial_plan;		/* NULL: fall back to Global */
	struct voice_policy *voice_policy;	/* NULL: fall back to Global */
	const struct location_policy *location_policy;	/* NULL: Global */
	int line;
};

/* Lync SIP response code translation (reference 2.6). */
struct rc_rule {
	unsigned received;	/* 400-699 */
	int q850_cause;		/* -1: any cause */
	unsigned translated;	/* 400-699 */
};

/*
 * How a peer's calls treat media (call_media.c), as written; checked at
 * load. An anchored call's SDP goes through a relay of the media group.
 */
struct peer_media {
	const char *mode;		/* "bypass" (NULL) or "anchor" */
	const char *srtp;		/* toward this peer: "required" (RTP/SAVP),
					   "not_supported" (RTP/AVP), "optional"
					   (as offered); NULL: the peer's default */
	const char *unreachable;	/* no relay answers: "refuse" (NULL, 503)
					   or "bypass" */
	struct strlist codecs;		/* offers toward it keep only these (and
					   the relay transcodes to the first when
					   none is offered); empty: all */
};
bool conf_media_anchor(const struct peer_media *);
/* Whether list l holds s. */
bool conf_strlist_has(const struct strlist *l, const char *s);

struct trunk {
	const char *name;
	const char *address;		/* sip:/sips: URI of the next hop */
	const char *identity;		/* name its TLS certificate must carry */
	const char *next_hop;		/* address as sipmed sends to it (derived) */
	const char *listen;		/* one of server.listen: the trunk's
					   requests arrive there and sipmed's
					   leave from it (M:N); NULL: any */
	struct strlist source_addresses;	/* plain transports: who it is;
						   default: the host of address */
	struct site *site;
	struct dial_plan *inbound_dial_plan;	/* as configured, may be NULL */
	struct ruleset *called_rules;		/* OutboundTranslationRulesList */
	struct ruleset *calling_rules;		/* OutboundCallingNumberTranslationRulesList */
	struct rc_rule *rc_rules;
	size_t nrc_rules;
	struct strlist pstn_usages;	/* PstnUsages: a call from this trunk to
					   a number no user has goes out by
					   them (inter-trunk routing) */
	bool remove_plus;		/* RemovePlusFromUri */
	bool forward_pai;		/* ForwardPAI */
	bool forward_call_history;	/* ForwardCallHistory */
	bool diversion;			/* a Diversion naming the user a call
					   is placed for (sipmed's own) */
	bool pidf_lo;			/* EnablePIDFLOSupport: location crosses
					   on emergency calls */
	bool emergency_elin;		/* present the location's ELIN as the
					   caller on emergency calls */
	bool refer_support;		/* EnableReferSupport */
	bool fast_failover;		/* EnableFastFailoverTimer */
	bool session_timer;		/* EnableSessionTimer */
	unsigned failover_timeout;	/* seconds */
	unsigned max_early_dialogs;
	unsigned options_interval;	/* seconds, 0: no OPTIONS pings */
	unsigned options_misses;	/* unanswered pings before down */
	unsigned max_request_rate;	/* requests a second outside dialogs; 0: any */
	unsigned max_calls;		/* calls at once through it; 0: any */
	unsigned max_call_rate;		/* new calls a second; 0: any */
	struct peer_media media;
	int line;
};

struct route {
	const char *name;
	const char *description;
	const struct rule *pattern;	/* NumberPattern, on the E.164 number */
	struct strlist usages;
	struct trunk **trunks;		/* round robin inside the route */
	size_t ntrunks;
	bool suppress_caller_id;
	const char *alternate_caller_id;
	unsigned priority;		/* as written; UINT_MAX: none (list order) */
	int line;
};

struct user {
	const char *uri;		/* sip:user@domain as configured */
	const char *key;		/* uri normalized for lookups */
	const char *line_uri;
	struct telnum line;
	const char *display_name;
	struct dial_plan *dial_plan;		/* as configured, may be NULL */
	struct voice_policy *voice_policy;	/* as configured, may be NULL */
	const struct location_policy *location_policy;	/* may be NULL */
	const char *dial_plan_name;		/* from the directory: by name */
	const char *voice_policy_name;
	struct site *site;
	int line_no;
};

struct unassigned {
	const char *name;
	char start[NUMBER_DIGITS_MAX + 2];
	char end[NUMBER_DIGITS_MAX + 2];
	unsigned priority;		/* lower wins, then list order */
	unsigned status;		/* SIP status to answer, or 0 */
	const char *reason;
	const char *target;		/* SIP URI to send the call to, or NULL */
	int line;
};

struct conf_server {
	const char *domain;
	struct strlist listen;
	unsigned max_calls;
	unsigned overload_lag;		/* ms a request may wait to be read before
					   new calls get 503; 0: never */
	unsigned overload_retry_after;	/* s, in those 503s */
	unsigned invite_timeout;
	unsigned drain_timeout;		/* seconds calls may take to end at SIGTERM */
	unsigned message_timeout;	/* seconds a started message may take on TCP */
	unsigned max_message_size;	/* bytes; a larger message is refused */
	unsigned max_connections_per_address;	/* TCP and TLS; 0: no limit */
	unsigned unknown_peer_rate;	/* 403s a second to one unknown address;
					   more are dropped unanswered */
	const char *user_agent;
};

struct conf_tls {
	const char *certificate;
	const char *private_key;
	const char *ca;
	const char *passphrase;
	bool verify_peer;
	unsigned verify_depth;
	unsigned handshake_timeout;
	const char *min_version;
};

struct conf_pool {
	const char *address;
	const char *identity;
	const char *next_hop;		/* address as sipmed sends to it (derived) */
	const char *listen;		/* one of server.listen, or NULL: any */
	struct strlist source_addresses;	/* default: the host of address */
	bool trust_pai;
	unsigned options_interval;	/* seconds, 0: no OPTIONS pings */
	unsigned options_misses;	/* unanswered pings before down */
	unsigned max_request_rate;	/* requests a second outside dialogs; 0: any */
	unsigned max_calls;		/* calls at once to or from it; 0: any */
	unsigned max_call_rate;		/* new calls a second; 0: any */
	struct peer_media media;
};

struct conf_trace {
	bool messages;
	bool decisions;
	const char *text_file;
	const char *pcap_file;
	const char *hep_address;
	unsigned hep_capture_id;
};

/* The directory users are also read from (ldapdir.h); uri NULL: none. */
struct conf_ldap {
	const char *uri;		/* ldap://HOST:PORT or ldaps://HOST:PORT */
	bool starttls;
	const char *ca_file;		/* the CA that signed the server's certificate */
	const char *bind_dn;		/* NULL: an anonymous bind */
	const char *password_file;
	const char *base;
	const char *preset;		/* "active_directory" or "ldap" */
	const char *filter;
	const char *attr_line, *attr_uri, *attr_enabled, *attr_display;
	const char *attr_dial_plan, *attr_voice_policy, *attr_changed;
	unsigned poll_interval;		/* seconds between deltas; 0: none */
	unsigned full_interval;		/* seconds between full loads */
	unsigned page_size;
	unsigned timeout;		/* seconds for a connection or an answer */
};

/* Call detail records (cdr.h): to a file, to syslog, or neither. */
struct conf_cdr {
	const char *file;		/* NULL: none */
	bool syslog;
};

/* Prometheus metrics (metrics.h); listen NULL: none. */
struct conf_metrics {
	const char *listen;		/* "ADDRESS:PORT" */
};

/* The media relays (rtpengine --listen-ng) anchored calls use. */
struct conf_media_relay {
	const char *address;		/* "HOST:PORT" */
	unsigned weight;
};

struct conf_media {
	struct conf_media_relay *relays;
	size_t nrelays;
	unsigned timeout;		/* ms a relay has to answer */
	unsigned ping;			/* s between ng pings to each relay; 0: none */
	unsigned inactivity;		/* s without media either way that end an
					   anchored call; 0: never */
};

struct conf_control {
	const char *socket;
	unsigned mode;
	const char *group;
};

struct directory;
struct dirsnap;

struct conf {
	su_home_t home[1];
	const char *path;
	struct conf_server server;
	struct conf_tls tls;
	struct conf_pool pool;
	struct conf_trace trace;
	struct conf_control control;
	struct conf_ldap directory;
	struct conf_cdr cdr;
	struct conf_metrics metrics;
	struct conf_media media;
	struct dial_plan *dial_plans;
	size_t ndial_plans;
	struct voice_policy *voice_policies;
	size_t nvoice_policies;
	struct location_policy *location_policies;
	size_t nlocation_policies;
	struct site *sites;
	size_t nsites;
	struct trunk *trunks;
	size_t ntrunks;
	struct route *routes;
	size_t nroutes;
	struct user *users;
	size_t nusers;
	struct unassigned *unassigned;	/* sorted: priority, then list order */
	size_t nunassigned;
	struct directory *dir;		/* the users of the file */
	struct dirsnap *ldap;		/* the directory's, or NULL: set by the
					   event loop only (conf_set_directory) */
};

enum conf_severity {
	CONF_ERROR,
	CONF_WARNING,
};

/*
 * Loads path. Each problem is passed to msgf as "FILE:LINE: message"
 * (warnings as "FILE:LINE: warning: message"), sorted by file and line.
 * Returns a snapshot with one reference, or NULL when there was any error.
 */
struct conf *conf_load(const char *path,
    void (*msgf)(void *arg, enum conf_severity, const char *msg), void *arg);

struct conf *conf_ref(struct conf *);
void conf_unref(struct conf *);

/* Lookups by name; NULL when there is none. */
struct dial_plan *conf_dial_plan(const struct conf *, const char *name);
struct trunk *conf_trunk(const struct conf *, const char *name);
struct voice_policy *conf_voice_policy(const struct conf *, const char *name);
struct route *conf_route(const struct conf *, const char *name);

/*
 * Scope resolution (reference 1.6), never merged across scopes: the
 * object's own plan or policy, else its site's, else the one named
 * "Global". NULL when none applies.
 */
struct dial_plan *conf_user_dial_plan(const struct conf *, const struct user *);
struct dial_plan *conf_trunk_dial_plan(const struct conf *, const struct trunk *);
struct voice_policy *conf_user_voice_policy(const struct conf *, const struct user *);
/* The user's location policy, else its site's, else "Global" (u may be NULL). */
const struct location_policy *conf_user_location_policy(const struct conf *,
    const struct user *u);
const struct location_policy *conf_location_policy(const struct conf *, const char *name);
/* Whether dialed is lp's emergency dial string or one of its masks. */
bool conf_location_dials(const struct location_policy *lp, const char *dialed);
/* Whether dialed is any location policy's: an emergency call (cheap). */
bool conf_is_emergency_number(const struct conf *, const char *dialed);

/*
 * The user with SIP URI uri, and reverse number lookup (directory.h):
 * the file's users first, then the directory's.
 */
struct user *conf_find_user(const struct conf *, const char *uri);
enum rnl_result conf_find_number(const struct conf *, const char *number, struct user **userp);
/* Makes snap (a reference is taken; NULL: none) c's directory users. */
void conf_set_directory(struct conf *, struct dirsnap *snap);

/* Whether two settings' strings are the same (both absent counts). */
bool conf_same_str(const char *a, const char *b);

/* True when uri is a sips: URI (TLS). */
bool conf_is_sips(const char *uri);

/* Transports, as a set. */
enum conf_transport {
	CONF_UDP = 1,
	CONF_TCP = 2,
	CONF_TLS = 4,
};
/*
 * The transports a URI names: TLS for sips:, else its transport
 * parameter; without one, a listener takes UDP and TCP and a peer is
 * reached over UDP (RFC 3263 4.1). 0 for a transport sipmed lacks or a
 * URI it cannot parse.
 */
unsigned conf_uri_transports(const char *uri, bool listener);
/* True when a peer at uri is reached over TLS (sips:, or transport=tls). */
bool conf_uses_tls(const char *uri);
/* "udp", "tcp" or "tls" for one transport, as sofia-sip names them. */
const char *conf_transport_name(unsigned);

/* How sipmed reaches a peer and knows it: a trunk's, or the pool's. */
struct peer_link {
	const char *address;		/* as configured */
	const char *identity;		/* name its certificate carries, or NULL */
	const char *next_hop;		/* where requests go (see conf_peers.c) */
	const char *listen;		/* sipmed's listener for it, or NULL: any */
};
/* Trunk t's link, or the pool's when t is NULL. */
struct peer_link conf_peer_link(const struct conf *, const struct trunk *t);

#endif
