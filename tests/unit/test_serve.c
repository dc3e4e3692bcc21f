// SPDX-License-Identifier: MIT
/*
 * The server's index and caches (serve/index.c, serve/cache.c): lookups with
 * arch aliases, the list bytes, one kernel per key, the
 * LRU bounded by bytes, references that outlive eviction, one loader per
 * key with the others waiting.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "serve/serve_internal.h"
#include "helpers.h"

static void serve_setup(void)
{
	tmp_dir_make("btfgen-serve");
	diag_capture_begin();
}

static void serve_teardown(void)
{
	diag_capture_end();
	tmp_dir_remove();
}

TestSuite(serve_index, .init = serve_setup, .fini = serve_teardown, .timeout = 60);
TestSuite(serve_cache, .init = serve_setup, .fini = serve_teardown, .timeout = 60);

/* ---- index ------------------------------------------------------------------ */

static void kfile(const char *rel)
{
	size_t n;
	void *b = tagged_btf(rel, &n);

	put_file(tmp_path(rel), b, n);
	free(b);
}

static struct index *tree(void)
{
	struct index *ix = NULL;

	kfile("archive/ubuntu/20.04/x86_64/5.4.0-1-generic.btf");
	kfile("archive/ubuntu/20.04/arm64/5.4.0-1-generic.btf");
	kfile("archive/centos/7/x86_64/3.10.0-1160.el7.x86_64.btf");
	kfile("archive/fedora/31/aarch64/5.3.7-301.fc31.aarch64.btf");
	cr_assert(eq(int, index_build(tmp_path("archive"), &ix), 0));
	return ix;
}

Test(serve_index, lookup_with_aliases)
{
	struct index *ix = tree();
	const struct kern *e;

	cr_assert(eq(sz, ix->n, 4));
	e = index_find(ix, "ubuntu", "20.04", "x86_64", "5.4.0-1-generic");
	cr_assert(e && !strcmp(e->a, "x86_64"));
	cr_assert(index_find(ix, "ubuntu", "20.04", "amd64", "5.4.0-1-generic") == e);
	e = index_find(ix, "ubuntu", "20.04", "aarch64", "5.4.0-1-generic");
	cr_assert(e && !strcmp(e->a, "arm64"));
	e = index_find(ix, "fedora", "31", "arm64", "5.3.7-301.fc31.aarch64");
	cr_assert(e && !strcmp(e->a, "aarch64"));
	/* every field must match exactly: prefixes, other cases, empty strings */
	cr_assert_null(index_find(ix, "ubuntu", "20.0", "x86_64", "5.4.0-1-generic"));
	cr_assert_null(index_find(ix, "Ubuntu", "20.04", "x86_64", "5.4.0-1-generic"));
	cr_assert_null(index_find(ix, "ubuntu", "20.04", "x86_64", "5.4.0-1-generic.btf"));
	cr_assert_null(index_find(ix, "ubuntu", "20.04", "x86_64", "../20.04/x86_64/5.4.0-1-generic"));
	cr_assert_null(index_find(ix, "", "", "", ""));
	/* the path is the walk's, below the archive */
	e = index_find(ix, "centos", "7", "x86_64", "3.10.0-1160.el7.x86_64");
	cr_assert(e && !strcmp(e->path, tmp_path("archive/centos/7/x86_64/3.10.0-1160.el7.x86_64.btf")));
	index_put(ix);
}

Test(serve_index, list_bytes)
{
	struct index *ix = tree();
	static const char want[] =
		"[{\"distribution\":\"centos\",\"distribution_version\":\"7\",\"kernel_version\":"
		"\"3.10.0-1160.el7.x86_64\",\"arch\":\"x86_64\"},"
		"{\"distribution\":\"fedora\",\"distribution_version\":\"31\",\"kernel_version\":"
		"\"5.3.7-301.fc31.aarch64\",\"arch\":\"aarch64\"},"
		"{\"distribution\":\"ubuntu\",\"distribution_version\":\"20.04\",\"kernel_version\":"
		"\"5.4.0-1-generic\",\"arch\":\"arm64\"},"
		"{\"distribution\":\"ubuntu\",\"distribution_version\":\"20.04\",\"kernel_version\":"
		"\"5.4.0-1-generic\",\"arch\":\"x86_64\"}]";
	const char *full;
	size_t len;

	cr_assert(eq(sz, ix->list_len, strlen(want)));
	cr_assert(strcmp(ix->list, want) == 0, "%s", ix->list);
	cr_assert(eq(int, index_full_list(ix, &full, &len), 0));
	cr_assert(strstr(full, "\"arch\":\"aarch64\",\"size\":") != NULL);
	cr_assert(strstr(full, "\"sha256\":\"") != NULL);
	index_put(ix);
}

Test(serve_index, same_key_twice_keeps_one)
{
	struct index *ix = NULL;

	kfile("a/ubuntu/20.04/arm64/5.4.0-1-generic.btf");
	kfile("a/ubuntu/20.04/aarch64/5.4.0-1-generic.btf");
	cr_assert(eq(int, index_build(tmp_path("a"), &ix), 0));
	cr_assert(eq(sz, ix->n, 1));
	cr_assert(strcmp(ix->v[0].a, "aarch64") == 0);	/* the first in list order */
	cr_assert(strstr(diag_last(), "same kernel as") != NULL);
	index_put(ix);
}

Test(serve_index, empty_and_missing)
{
	struct index *ix = NULL;

	mkdir_p(tmp_path("empty"));
	cr_assert(eq(int, index_build(tmp_path("empty"), &ix), 0));
	cr_assert(eq(sz, ix->n, 0));
	cr_assert(eq(str, ix->list, "[]"));
	cr_assert_null(index_find(ix, "a", "b", "c", "d"));
	index_put(ix);
	cr_assert(lt(int, index_build(tmp_path("missing"), &ix), 0));
	cr_assert_null(ix);
}

/* ---- cache ------------------------------------------------------------------ */

static atomic_int destroyed;

static void destroy(void *v)
{
	atomic_fetch_add(&destroyed, 1);
	free(v);
}

static void key_of(int i, uint8_t k[CACHE_KEY_LEN])
{
	memset(k, 0, CACHE_KEY_LEN);
	k[0] = (uint8_t)i;
	k[9] = (uint8_t)(i >> 8);
}

static struct cache_ent *put(struct cache *c, int i, size_t bytes)
{
	uint8_t k[CACHE_KEY_LEN];
	struct cache_ent *e;

	key_of(i, k);
	cr_assert(eq(int, cache_acquire(c, k, &e), 0));
	cache_publish(c, e, malloc(1), bytes);
	return e;
}

static int get(struct cache *c, int i, struct cache_ent **e)
{
	uint8_t k[CACHE_KEY_LEN];

	key_of(i, k);
	return cache_acquire(c, k, e);
}

Test(serve_cache, lru_by_bytes)
{
	struct serve_metrics *m = serve_metrics_new();
	struct cache c;
	struct cache_ent *e;
	int i;

	atomic_store(&destroyed, 0);
	cr_assert(eq(int, cache_init(&c, 100, destroy, m, CNT_KERNEL_CACHE_HIT,
				     CNT_KERNEL_CACHE_MISS, SERVE_GAUGE_KERNEL_CACHE_BYTES), 0));
	for (i = 0; i < 3; i++)
		cache_release(&c, put(&c, i, 40));	/* 120 > 100: entry 0 goes */
	cr_assert(eq(int, atomic_load(&destroyed), 1));
	cr_assert(eq(u64, c.bytes, 80));
	cr_assert(eq(int, get(&c, 1, &e), 1));		/* 1 is now the newest */
	cache_release(&c, e);
	cache_release(&c, put(&c, 3, 40));		/* 2 goes, not 1 */
	cr_assert(eq(int, get(&c, 1, &e), 1));
	cache_release(&c, e);
	cr_assert(eq(int, get(&c, 2, &e), 0));		/* a miss: ours to load */
	cache_abandon(&c, e);
	cr_assert(eq(int, atomic_load(&destroyed), 2));
	cache_fini(&c);
	cr_assert(eq(int, atomic_load(&destroyed), 4));
	serve_metrics_free(m);
}

Test(serve_cache, referenced_entries_outlive_eviction)
{
	struct serve_metrics *m = serve_metrics_new();
	struct cache c;
	struct cache_ent *held, *big;

	atomic_store(&destroyed, 0);
	cr_assert(eq(int, cache_init(&c, 100, destroy, m, CNT_KERNEL_CACHE_HIT,
				     CNT_KERNEL_CACHE_MISS, SERVE_GAUGE_KERNEL_CACHE_BYTES), 0));
	held = put(&c, 1, 60);
	cache_release(&c, put(&c, 2, 60));		/* evicts 1 while it is held */
	cr_assert(eq(int, atomic_load(&destroyed), 0));
	cr_assert(held->dead);
	cache_release(&c, held);
	cr_assert(eq(int, atomic_load(&destroyed), 1));
	/* a value over the whole limit is handed to its loader, then dropped */
	big = put(&c, 3, 500);
	cr_assert(big->dead && big->val != NULL);
	cache_release(&c, big);
	cr_assert(eq(u64, c.bytes, 0));
	cache_fini(&c);
	serve_metrics_free(m);
}

struct racer {
	struct cache *c;
	atomic_int *loads;
	int key;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct cache_ent *e;
	int i;

	for (i = 0; i < 200; i++) {
		int got = get(r->c, (r->key + i) % 7, &e);

		cr_assert(ge(int, got, 0));
		if (!got) {
			atomic_fetch_add(r->loads, 1);
			usleep(100);	/* the others wait meanwhile */
			if (i % 5 == 0) {
				cache_abandon(r->c, e);
				continue;
			}
			cache_publish(r->c, e, malloc(1), 10);
		}
		cache_release(r->c, e);
	}
	return NULL;
}

/* Eight threads on seven keys: each loaded value is used by the waiters, nothing leaks. */
Test(serve_cache, one_loader_per_key)
{
	struct serve_metrics *m = serve_metrics_new();
	struct racer r[8];
	pthread_t t[8];
	atomic_int loads = 0;
	struct cache c;
	int i;

	atomic_store(&destroyed, 0);
	cr_assert(eq(int, cache_init(&c, 1000, destroy, m, CNT_KERNEL_CACHE_HIT,
				     CNT_KERNEL_CACHE_MISS, SERVE_GAUGE_KERNEL_CACHE_BYTES), 0));
	for (i = 0; i < 8; i++) {
		r[i] = (struct racer){ &c, &loads, i };
		cr_assert(eq(int, pthread_create(&t[i], NULL, race, &r[i]), 0));
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	/* every key was loaded at least once, far fewer loads than requests */
	cr_assert(ge(int, atomic_load(&loads), 7));
	cr_assert(lt(int, atomic_load(&loads), 8 * 200 / 2));
	cr_assert(le(u64, c.bytes, 70));
	cache_fini(&c);
	serve_metrics_free(m);
}

/* Symlinks out of the archive, to a file or a folder, are not served; one inside is. */
Test(serve_index, symlinks_out_of_the_archive)
{
	struct index *ix = NULL;

	kfile("outside/d/v/a/secret.btf");
	kfile("arch/ubuntu/20.04/x86_64/5.4.0-1-generic.btf");
	mkdir_p(tmp_path("arch/ubuntu/22.04/x86_64"));
	cr_assert(eq(int, symlink("../../../../outside/d/v/a/secret.btf",
				  tmp_path("arch/ubuntu/22.04/x86_64/5.15.0-1-generic.btf")), 0));
	cr_assert(eq(int, symlink("../../outside/d", tmp_path("arch/linked")), 0));
	cr_assert(eq(int, symlink("5.4.0-1-generic.btf",
				  tmp_path("arch/ubuntu/20.04/x86_64/5.4.0-2-generic.btf")), 0));
	cr_assert(eq(int, index_build(tmp_path("arch"), &ix), 0));
	cr_assert(eq(sz, ix->n, 2));
	cr_assert_not_null(index_find(ix, "ubuntu", "20.04", "x86_64", "5.4.0-1-generic"));
	cr_assert_not_null(index_find(ix, "ubuntu", "20.04", "x86_64", "5.4.0-2-generic"));
	cr_assert_null(index_find(ix, "ubuntu", "22.04", "x86_64", "5.15.0-1-generic"));
	cr_assert_null(index_find(ix, "d", "v", "a", "secret"));
	cr_assert(strstr(diag_last(), "leads outside") != NULL);
	cr_assert(strstr(ix->list, "secret") == NULL);
	index_put(ix);
}
