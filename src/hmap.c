/*
 * hmap: linear-probing hash table, power-of-two sized, grown at 50% load.
 * No deletion: sipmed's maps are built once with a configuration snapshot
 * and only read afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

struct hmap_slot {
	const char *key;
	size_t len;
	uint32_t hash;
	void *value;
};

struct hmap {
	struct hmap_slot *slots;
	size_t mask;		/* capacity - 1 */
	size_t count;
};

uint32_t
hmap_hash(const char *key, size_t len)
{
	uint32_t h = HMAP_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		h = hmap_hash_step(h, (unsigned char)key[i]);
	return h;
}

struct hmap *
hmap_new(void)
{
	struct hmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->slots = calloc(16, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	m->mask = 15;
	return m;
}

void
hmap_free(struct hmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

static struct hmap_slot *
hmap_find(const struct hmap *m, const char *key, size_t len, uint32_t hash)
{
	size_t i = hash & m->mask;

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (s->key == NULL)
			return s;
		if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
		i = (i + 1) & m->mask;
	}
}

static int
hmap_grow(struct hmap *m)
{
	size_t ncap = (m->mask + 1) * 2;
	struct hmap_slot *old = m->slots, *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	m->slots = ns;
	for (size_t i = 0; i <= m->mask; i++) {
		if (old[i].key != NULL) {
			size_t j = old[i].hash & (ncap - 1);

			while (ns[j].key != NULL)
				j = (j + 1) & (ncap - 1);
			ns[j] = old[i];
		}
	}
	m->mask = ncap - 1;
	free(old);
	return 0;
}

int
hmap_put(struct hmap *m, const char *key, size_t len, void *value, void **oldp)
{
	uint32_t hash = hmap_hash(key, len);
	struct hmap_slot *s;

	if ((m->count + 1) * 2 > m->mask + 1 && hmap_grow(m) == -1)
		return -1;
	s = hmap_find(m, key, len, hash);
	if (s->key != NULL) {
		if (oldp != NULL)
			*oldp = s->value;
		return 1;
	}
	s->key = key;
	s->len = len;
	s->hash = hash;
	s->value = value;
	m->count++;
	return 0;
}

void *
hmap_get_hashed(const struct hmap *m, const char *key, size_t len, uint32_t hash)
{
	return hmap_find(m, key, len, hash)->value;
}

void *
hmap_get(const struct hmap *m, const char *key, size_t len)
{
	return hmap_get_hashed(m, key, len, hmap_hash(key, len));
}

size_t
hmap_count(const struct hmap *m)
{
	return m->count;
}
