// SPDX-License-Identifier: MIT
/*
 * cache.c - a map from 32-byte keys to values, bounded by the bytes the
 * values hold, least recently used first out, with one loader per key.
 *
 *   cache_acquire(key)  ready entry     -> 1, a reference to it (a hit)
 *                       being loaded    -> wait for the loader, then as above
 *                       absent          -> 0, a new entry the caller loads
 *                                          and hands to cache_publish() or
 *                                          cache_abandon() (a miss)
 *
 * Entries in use (refs > 0) are never freed: eviction only unlinks them
 * (dead) and the last cache_release() frees them. A value larger than the
 * whole limit is handed to the one that loaded it, then dropped (those
 * that waited for it load it again). Two caches use it: parsed kernels (the key is the
 * kernel file's path, size and mtime) and answers (the kernel, the objects'
 * SHA-256 and the btfgen version).
 */
#include <errno.h>
#include <string.h>

#include "serve/serve_internal.h"

static size_t bucket_of(const struct cache *c, const uint8_t *key)
{
	u64 h;

	memcpy(&h, key, sizeof(h));	/* keys are SHA-256 digests: any 8 bytes are uniform */
	return (size_t)h & (c->nr_buckets - 1);
}

int cache_init(struct cache *c, uint64_t limit, void (*destroy)(void *val), struct serve_metrics *m,
	       enum serve_counter hit, enum serve_counter miss, int gauge)
{
	memset(c, 0, sizeof(*c));
	c->nr_buckets = 1024;
	c->buckets = xcalloc(c->nr_buckets, sizeof(*c->buckets));
	if (!c->buckets)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->limit = limit;
	c->destroy = destroy;
	c->metrics = m;
	c->hit = hit;
	c->miss = miss;
	c->gauge = gauge;
	return 0;
}

static void ent_free(struct cache *c, struct cache_ent *e)
{
	if (e->val)
		c->destroy(e->val);
	xfree(e);
}

static void unhash(struct cache *c, struct cache_ent *e)
{
	struct cache_ent **pp = &c->buckets[bucket_of(c, e->key)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	c->n--;
}

static void lru_unlink(struct cache *c, struct cache_ent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct cache *c, struct cache_ent *e)
{
	e->next = c->head;
	e->prev = NULL;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* Take a ready entry out of the cache; freed now or by its last release. */
static void evict(struct cache *c, struct cache_ent *e)
{
	lru_unlink(c, e);
	unhash(c, e);
	c->bytes -= e->bytes;
	e->dead = true;
	if (!e->refs)
		ent_free(c, e);
}

static void trim(struct cache *c)
{
	while (c->bytes > c->limit && c->tail)
		evict(c, c->tail);
	serve_metrics_gauge_set(c->metrics, c->gauge, (int64_t)c->bytes);
}

void cache_fini(struct cache *c)
{
	size_t i;

	if (!c->buckets)
		return;
	for (i = 0; i < c->nr_buckets; i++) {
		struct cache_ent *e = c->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			ent_free(c, e);
		}
	}
	xfree(c->buckets);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	memset(c, 0, sizeof(*c));
}

int cache_acquire(struct cache *c, const uint8_t *key, struct cache_ent **out)
{
	struct cache_ent *e;
	bool counted = false;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		for (e = c->buckets[bucket_of(c, key)]; e; e = e->hnext)
			if (!memcmp(e->key, key, CACHE_KEY_LEN))
				break;
		if (!e || e->ready)
			break;
		/* another thread loads it: wait, then look again (it may have given up) */
		if (!counted) {
			serve_metrics_count(c->metrics, c->hit, 1);
			counted = true;
		}
		pthread_cond_wait(&c->cond, &c->lock);
	}
	if (e) {
		e->refs++;
		lru_unlink(c, e);
		lru_front(c, e);
		if (!counted)
			serve_metrics_count(c->metrics, c->hit, 1);
		pthread_mutex_unlock(&c->lock);
		*out = e;
		return 1;
	}
	e = xcalloc(1, sizeof(*e));
	if (!e) {
		pthread_mutex_unlock(&c->lock);
		return -ENOMEM;
	}
	memcpy(e->key, key, CACHE_KEY_LEN);
	e->refs = 1;
	e->hnext = c->buckets[bucket_of(c, key)];
	c->buckets[bucket_of(c, key)] = e;
	c->n++;
	serve_metrics_count(c->metrics, c->miss, 1);
	pthread_mutex_unlock(&c->lock);
	*out = e;
	return 0;
}

void cache_publish(struct cache *c, struct cache_ent *e, void *val, size_t bytes)
{
	pthread_mutex_lock(&c->lock);
	e->val = val;
	e->bytes = bytes;
	e->ready = true;
	lru_front(c, e);
	c->bytes += bytes;
	trim(c);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void cache_abandon(struct cache *c, struct cache_ent *e)
{
	pthread_mutex_lock(&c->lock);
	unhash(c, e);
	e->dead = true;
	if (!--e->refs)
		ent_free(c, e);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void cache_release(struct cache *c, struct cache_ent *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	if (!--e->refs && e->dead)
		ent_free(c, e);
	pthread_mutex_unlock(&c->lock);
}
