// SPDX-License-Identifier: MIT
/*
 * index.c - the archive as the server knows it: every kernel the hub walk
 * finds under ARCHIVE_DIR with its four strings (the last three folders and
 * the release), in a hash table on (distribution, version, canonical arch,
 * release), and the list responses built once per walk.
 *
 * A request's parameters are only ever compared with these strings; the
 * file a download sends is the path the walk found, never one built from
 * the request. Kernels whose path does not give all four strings (fewer
 * than three folders above them, counting those above ARCHIVE_DIR as the
 * walk does) are not served, nor are files whose resolved path is outside
 * ARCHIVE_DIR (symlinks out of it). Two files giving one key (arm64/R and
 * aarch64/R) keep the first in list order, with a warning.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_internal.h"
#include "util/fileio.h"
#include "util/json.h"

static u64 fnv(u64 h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (u8)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;	/* the field's end: "a" "bc" != "ab" "c" */
}

static u64 key_hash(const char *d, const char *v, const char *a, const char *k)
{
	u64 h = 0xcbf29ce484222325ull;

	h = fnv(h, d);
	h = fnv(h, v);
	h = fnv(h, hub_arch_canon(a));
	return fnv(h, k);
}

static bool key_eq(const struct kern *e, const char *d, const char *v, const char *a, const char *k)
{
	return !strcmp(e->k, k) && !strcmp(e->d, d) && !strcmp(e->v, v) && hub_arch_eq(e->a, a);
}

const struct kern *index_find(const struct index *ix, const char *d, const char *v, const char *a,
			      const char *k)
{
	size_t i, mask = ix->nr_slots - 1;

	if (!ix->nr_slots)
		return NULL;
	for (i = key_hash(d, v, a, k) & mask; ix->slots[i]; i = (i + 1) & mask) {
		const struct kern *e = &ix->v[ix->slots[i] - 1];

		if (key_eq(e, d, v, a, k))
			return e;
	}
	return NULL;
}

/* "d/v/a/k.btf.tar.xz" order: the fields compared with '/' between them. */
static int cmp_kern(const void *x, const void *y)
{
	const struct kern *a = x, *b = y;
	const char *fa[4] = { a->d, a->v, a->a, a->k }, *fb[4] = { b->d, b->v, b->a, b->k };
	int i;

	for (i = 0; i < 4; i++) {
		const unsigned char *p = (const unsigned char *)fa[i], *q = (const unsigned char *)fb[i];

		while (*p && *p == *q)
			p++, q++;
		if (*p != *q) {
			/* the end of a field is a '/' (or ".btf.tar.xz" after the release) */
			int cp = *p ? *p : (i < 3 ? '/' : '.');
			int cq = *q ? *q : (i < 3 ? '/' : '.');

			if (cp != cq)
				return cp - cq;
			return *p ? 1 : -1;
		}
	}
	return strcmp(a->rel, b->rel);
}

static void kern_free(struct kern *e)
{
	xfree(e->strs);
	xfree(e->path);
}

static void index_free(struct index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		kern_free(&ix->v[i]);
	xfree(ix->v);
	xfree(ix->slots);
	xfree(ix->list);
	xfree(ix->full);
	pthread_mutex_destroy(&ix->full_lock);
	xfree(ix);
}

void index_get(struct index *ix)
{
	atomic_fetch_add(&ix->refs, 1);
}

void index_put(struct index *ix)
{
	if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
		index_free(ix);
}

/* The list: compact, keys in the original's order; @full adds size and sha256. */
static int list_json(const struct index *ix, bool full, char **out, size_t *len)
{
	struct json_w w;
	size_t i;
	int err;

	json_w_init(&w);
	json_w_arr_begin(&w, JSON_COMPACT);
	for (i = 0; i < ix->n; i++) {
		const struct kern *e = &ix->v[i];

		json_w_obj_begin(&w, JSON_COMPACT);
		json_w_key(&w, "distribution");
		json_w_str(&w, e->d);
		json_w_key(&w, "distribution_version");
		json_w_str(&w, e->v);
		json_w_key(&w, "kernel_version");
		json_w_str(&w, e->k);
		json_w_key(&w, "arch");
		json_w_str(&w, e->a);
		if (full) {
			json_w_key(&w, "size");
			json_w_u64(&w, e->size);
			json_w_key(&w, "sha256");
			json_w_str(&w, e->sha256);
		}
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	err = json_w_finish(&w, out, len);
	json_w_free(&w);
	if (!err && *len)
		(*out)[--*len] = '\0';	/* Go's json.Marshal: no newline */
	return err;
}

int index_full_list(struct index *ix, const char **out, size_t *len)
{
	int err = 0;
	size_t i;

	pthread_mutex_lock(&ix->full_lock);
	for (i = 0; !ix->full && i < ix->n; i++) {
		struct kern *e = &ix->v[i];
		struct util_file f;

		if (e->sha256[0])
			continue;
		err = util_file_open_at(AT_FDCWD, e->path, e->path, UTIL_F_QUIET, UINT64_MAX, &f);
		if (err)
			break;
		hub_sha256_hex(f.data, f.size, e->sha256);
		util_file_close(&f);
	}
	if (!err && !ix->full)
		err = list_json(ix, true, &ix->full, &ix->full_len);
	if (err)
		pr_warn("list?full=1: %s: %s", i < ix->n ? ix->v[i].path : "list", strerror(-err));
	*out = ix->full;
	*len = ix->full_len;
	pthread_mutex_unlock(&ix->full_lock);
	return err;
}

/* Copy the strings of walk entry @he into @e. */
static int kern_make(const char *dir, const struct hub_entry *he, struct kern *e)
{
	const char *src[5] = { he->key.id, he->key.version_id, he->key.arch, he->key.release,
			       he->path };
	const char **dst[5] = { &e->d, &e->v, &e->a, &e->k, &e->rel };
	size_t len[5], total = 0, i;
	char *p;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < 5; i++)
		total += (len[i] = strlen(src[i])) + 1;
	p = e->strs = xmalloc(total);
	e->path = xmalloc(strlen(dir) + len[4] + 2);
	if (!p || !e->path) {
		kern_free(e);
		return -ENOMEM;
	}
	for (i = 0; i < 5; i++) {
		memcpy(p, src[i], len[i] + 1);
		*dst[i] = p;
		p += len[i] + 1;
	}
	sprintf(e->path, "%s/%s", dir, he->path);
	e->size = he->size;
	e->mtime_ns = he->mtime_ns;
	return 0;
}

/* Does @path resolve to a place below the resolved root @root (of @root_len bytes)? */
static bool inside(const char *path, const char *root, size_t root_len)
{
	char *real = realpath(path, NULL);
	bool in = real && !strncmp(real, root, root_len) && real[root_len] == '/';

	free(real);
	return in;
}

static int index_fill(struct index *ix, const char *dir, const struct hub_tree *t)
{
	char *root = realpath(dir, NULL);
	size_t i, j, mask, root_len = root ? strlen(root) : 0;
	int err = 0;

	ix->v = xcalloc(t->n ? t->n : 1, sizeof(*ix->v));
	if (!ix->v || !root) {
		free(root);
		return -ENOMEM;
	}
	if (root_len == 1)
		root_len = 0;	/* the archive is "/": everything is below it */
	for (i = 0; i < t->n && !err; i++) {
		const struct hub_entry *he = &t->v[i];
		struct kern *e = &ix->v[ix->n];

		if (!he->key.id || !he->key.version_id || !he->key.arch || !he->key.release)
			continue;	/* fewer than three folders above it: no BTFHub key */
		err = kern_make(dir, he, e);
		if (err)
			break;
		/* a symlink out of the archive (to a folder or a file) is not served */
		if (!inside(e->path, root, root_len)) {
			pr_warn("warning: %s: leads outside %s (a symlink): not served", e->path, dir);
			kern_free(e);
			continue;
		}
		ix->n++;
	}
	free(root);
	if (err)
		return err;
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), cmp_kern);
	for (ix->nr_slots = 16; ix->nr_slots < 2 * ix->n; ix->nr_slots *= 2)
		;
	ix->slots = xcalloc(ix->nr_slots, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	mask = ix->nr_slots - 1;
	for (i = j = 0; i < ix->n; i++) {
		struct kern *e = &ix->v[i];
		const struct kern *first = index_find(ix, e->d, e->v, e->a, e->k);
		size_t h;

		if (first) {
			pr_warn("warning: %s: same kernel as %s: ignored", e->path, first->path);
			kern_free(e);
			continue;
		}
		ix->v[j] = *e;
		for (h = key_hash(e->d, e->v, e->a, e->k) & mask; ix->slots[h]; h = (h + 1) & mask)
			;
		ix->slots[h] = ++j;
	}
	ix->n = j;
	return list_json(ix, false, &ix->list, &ix->list_len);
}

int index_build(const char *dir, struct index **out)
{
	struct index *ix = xcalloc(1, sizeof(*ix));
	struct hub_tree t;
	char hash[65];
	int err;

	*out = NULL;
	if (!ix) {
		pr_warn("%s: out of memory", dir);
		return -ENOMEM;
	}
	atomic_init(&ix->refs, 1);
	pthread_mutex_init(&ix->full_lock, NULL);
	err = hub_walk(dir, NULL, &t);
	if (err) {
		index_free(ix);
		return err;
	}
	err = index_fill(ix, dir, &t);
	hub_tree_free(&t);
	if (err) {
		pr_warn("%s: out of memory", dir);
		index_free(ix);
		return err;
	}
	hub_sha256_hex(ix->list, ix->list_len, hash);
	snprintf(ix->etag, sizeof(ix->etag), "\"%.32s\"", hash);
	*out = ix;
	return 0;
}
