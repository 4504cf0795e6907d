/*
 * hmap: an open-addressing hash map from byte strings to pointers. Keys
 * are not copied: they must outlive the map (in sipmed they live in the
 * configuration snapshot that owns the map). Lookups can pass a hash
 * computed incrementally with hmap_hash_step(), which the rule index uses
 * to probe every prefix of a number in one pass.
 */
#ifndef SIPMED_HMAP_H
#define SIPMED_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;

#define HMAP_HASH_INIT 2166136261u

static inline uint32_t
hmap_hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;	/* FNV-1a */
}

uint32_t hmap_hash(const char *key, size_t len);

/* Returns a new empty map, or NULL when out of memory. */
struct hmap *hmap_new(void);
void hmap_free(struct hmap *);

/*
 * Inserts key -> value. Returns 0, 1 when the key was already present
 * (the map is unchanged and *oldp, if not NULL, gets the present value),
 * or -1 when out of memory.
 */
int hmap_put(struct hmap *, const char *key, size_t len, void *value, void **oldp);

/* Returns the value stored for key, or NULL. */
void *hmap_get(const struct hmap *, const char *key, size_t len);
void *hmap_get_hashed(const struct hmap *, const char *key, size_t len, uint32_t hash);

size_t hmap_count(const struct hmap *);

#endif
