/*
 * conf_media: the media group (the rtpengine relays anchored calls go
 * through, media.h) and each peer's media settings: media ("bypass", the
 * default, or "anchor"), srtp toward it and what to do when no relay
 * answers (media_unreachable).
 */
#include <stdio.h>
#include <string.h>

#include "conf_priv.h"

bool
conf_media_anchor(const struct peer_media *m)
{
	return m->mode != NULL && strcmp(m->mode, "anchor") == 0;
}

struct relay_src {
	const char *address;
	unsigned weight;
};

static const struct ckey relay_keys[] = {
	{ "address", CK_STR, true, offsetof(struct relay_src, address), 0, 0, 0, NULL, NULL },
	{ "weight", CK_UINT, false, offsetof(struct relay_src, weight), 1, 1000, 1, NULL, NULL },
	CK_END
};

static int
media_relays(struct loader *L, const config_setting_t *s, void *obj)
{
	struct conf_media *m = obj;
	int n = conf_list(L, s, "media: relays");

	if (n <= 0)
		return n < 0;
	m->relays = su_zalloc(L->home, (size_t)n * sizeof(*m->relays));
	if (m->relays == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct relay_src src = { 0 };

		if (conf_group(L, e, "media: relay", relay_keys, &src) > 0)
			continue;
		if (strrchr(src.address, ':') == NULL) {
			conf_error(L, e, "media: relay address \"%s\" must be HOST:PORT, the "
			    "relay's ng control socket (rtpengine --listen-ng)", src.address);
			continue;
		}
		m->relays[m->nrelays++] = (struct conf_media_relay){ src.address, src.weight };
	}
	return 0;
}

static const struct ckey media_keys[] = {
	{ "relays", CK_FUNC, true, 0, 0, 0, 0, NULL, media_relays },
	{ "timeout", CK_UINT, false, offsetof(struct conf_media, timeout), 10, 10000, 500, NULL, NULL },
	{ "ping", CK_UINT, false, offsetof(struct conf_media, ping), 0, 3600, 5, NULL, NULL },
	{ "inactivity", CK_UINT, false, offsetof(struct conf_media, inactivity), 0, 86400, 0, NULL, NULL },
	CK_END
};

int
conf_parse_media(struct loader *L, const config_setting_t *s)
{
	L->conf->media.timeout = 500;
	L->conf->media.ping = 5;
	return s != NULL ? conf_group(L, s, "media", media_keys, &L->conf->media) : 0;
}

static bool
one_of(const char *v, const char *const *ok)
{
	for (; *ok != NULL; ok++)
		if (strcmp(v, *ok) == 0)
			return true;
	return false;
}

void
conf_check_peer_media(struct loader *L, const config_setting_t *at, const char *what,
    const struct peer_media *m)
{
	static const char *const modes[] = { "bypass", "anchor", NULL };
	static const char *const srtp[] = { "required", "optional", "not_supported", NULL };
	static const char *const unreachable[] = { "refuse", "bypass", NULL };

	if (m->mode != NULL && !one_of(m->mode, modes))
		conf_error(L, at, "%s: media must be \"bypass\" or \"anchor\" (got \"%s\")", what,
		    m->mode);
	if (m->srtp != NULL && !one_of(m->srtp, srtp))
		conf_error(L, at, "%s: srtp must be \"required\", \"optional\" or \"not_supported\" "
		    "(got \"%s\")", what, m->srtp);
	if (m->unreachable != NULL && !one_of(m->unreachable, unreachable))
		conf_error(L, at, "%s: media_unreachable must be \"refuse\" or \"bypass\" (got "
		    "\"%s\")", what, m->unreachable);
	if (conf_media_anchor(m) && L->conf->media.nrelays == 0)
		conf_error(L, at, "%s: media = \"anchor\" needs a media group with relays (rtpengine "
		    "--listen-ng addresses)", what);
}
