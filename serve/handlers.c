// SPDX-License-Identifier: MIT
/*
 * handlers.c - the routes of the BTFHub Online API (ONLINE-API.md).
 *
 * customize, one kernel:
 *   parameters -> the index entry (400 missing, 404 unknown)
 *   multipart "bpf" parts -> their SHA-256 -> the answer's key (kernel file,
 *   its size and mtime, the parts' hashes, the btfgen version)
 *   answer cache hit -> done; miss (one loader per key, the others wait):
 *     parse the objects (422), take a worker (503 beyond the queue), the
 *     parsed kernel from its cache (decompressed once), core_reduce() as
 *     `btfgen min_core_btf` runs it (422 naming the relocation), the tar
 *     of <kernel_version>.btf (ustar, 0644, uid/gid 0, mtime 0), stored LZMA2
 *     chunks in an xz stream (CRC64)
 * customize without kernel_version: every kernel the other parameters
 * select (at most batch_max), each through the answer cache, in one xz tar
 * of the <d>/<v>/<a>/<k>.btf tree, identical outputs as hard links.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/core.h"
#include "serve/serve_internal.h"
#include "tar/tarball.h"
#include "xz/xz.h"

static const struct {
	const char *path;
	enum serve_route route;
	bool post;		/* POST only; else GET and HEAD */
} routes[] = {
	{ "/api/v1/list", ROUTE_LIST, false },
	{ "/api/v1/download", ROUTE_DOWNLOAD, false },
	{ "/api/v1/customize", ROUTE_CUSTOMIZE, true },
	{ "/monitoring/health", ROUTE_HEALTH, false },
	{ "/monitoring/ready", ROUTE_READY, false },
	{ "/monitoring/metrics", ROUTE_METRICS, false },
};

enum serve_route serve_route_of(const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(routes); i++)
		if (!strcmp(path, routes[i].path))
			return routes[i].route;
	return ROUTE_OTHER;
}

/* ---- cache values ---------------------------------------------------------- */

struct kernel_val {
	struct btf *btf;
	char *name;		/* the btf's name (borrowed by it) */
};

void serve_kernel_destroy(void *val)
{
	struct kernel_val *k = val;

	btf_free(k->btf);
	xfree(k->name);
	xfree(k);
}

struct result {
	int status;		/* 200, or 422 with msg */
	char msg[512];
	void *raw, *txz;
	size_t raw_len, txz_len;
	char etag[48];		/* '"' and 32 hex digits of the key, without the closing '"' */
};

void serve_result_destroy(void *val)
{
	struct result *r = val;

	xfree(r->raw);
	xfree(r->txz);
	xfree(r);
}

/* ---- helpers ----------------------------------------------------------------- */

/* A kernel parameter: 1 present, 0 absent, -1 answered (400). */
static int param(struct req *q, struct resp *r, const char *key, char *out)
{
	size_t len;
	int g = http_query_get(q->h.query, key, out, SERVE_PARAM_MAX, &len);

	if (g < 0) {
		resp_text(r, 400, "bad %s parameter (bad escape, NUL, or over %d bytes)", key,
			  SERVE_PARAM_MAX - 1);
		return -1;
	}
	if (g > 0 && !len) {
		resp_text(r, 400, "empty %s parameter", key);
		return -1;
	}
	return g;
}

struct kparams {
	char d[SERVE_PARAM_MAX], v[SERVE_PARAM_MAX], a[SERVE_PARAM_MAX], k[SERVE_PARAM_MAX];
	bool has_d, has_v, has_a, has_k;
};

static int kernel_params(struct req *q, struct resp *r, struct kparams *p, bool need_k)
{
	static const char *const names[4] = { "distribution", "distribution_version", "arch",
					      "kernel_version" };
	char *out[4] = { p->d, p->v, p->a, p->k };
	bool *has[4] = { &p->has_d, &p->has_v, &p->has_a, &p->has_k };
	int i, g;

	for (i = 0; i < 4; i++) {
		g = param(q, r, names[i], out[i]);
		if (g < 0)
			return -1;
		*has[i] = g > 0;
	}
	if (need_k || p->has_k) {
		for (i = 0; i < 4; i++) {
			if (!*has[i]) {
				resp_text(r, 400, "missing parameter %s", names[i]);
				return -1;
			}
		}
	}
	return 0;
}

/* The index, or a 503 while the first walk runs. */
static struct index *need_index(struct req *q, struct resp *r)
{
	struct index *ix = serve_index(q->s);

	if (!ix) {
		resp_text(r, 503, "the archive is being indexed, retry");
		resp_header(r, "Retry-After: 1\r\n");
	}
	return ix;
}

static bool etag_matches(const struct http_slice *inm, const char *etag)
{
	size_t n = strlen(etag), i = 0;

	if (!inm->n)
		return false;
	/* a list of entity tags, or "*"; weak tags compare by their opaque part */
	while (i < inm->n) {
		size_t j;

		while (i < inm->n && (inm->p[i] == ' ' || inm->p[i] == '\t' || inm->p[i] == ','))
			i++;
		if (i < inm->n && inm->p[i] == '*')
			return true;
		if (i + 2 <= inm->n && inm->p[i] == 'W' && inm->p[i + 1] == '/')
			i += 2;
		for (j = i; j < inm->n && inm->p[j] != ','; j++)
			;
		while (j > i && (inm->p[j - 1] == ' ' || inm->p[j - 1] == '\t'))
			j--;
		if (j - i == n && !memcmp(inm->p + i, etag, n))
			return true;
		for (i = j; i < inm->n && inm->p[i] != ','; i++)
			;
	}
	return false;
}

/* ---- list, download, monitoring ---------------------------------------------- */

static void do_list(struct req *q, struct resp *r)
{
	struct index *ix = need_index(q, r);
	char full[8];
	size_t len;
	const char *body;
	int g;

	if (!ix)
		return;
	g = http_query_get(q->h.query, "full", full, sizeof(full), &len);
	if (g > 0 && strcmp(full, "0") && strcmp(full, "false")) {
		if (index_full_list(ix, &body, &len)) {
			resp_text(r, 500, "the list could not be made (a kernel file unreadable)");
			index_put(ix);
			return;
		}
	} else {
		body = ix->list;
		len = ix->list_len;
		resp_header(r, "ETag: %s\r\n", ix->etag);
		if (etag_matches(&q->h.if_none_match, ix->etag)) {
			r->status = 304;
			index_put(ix);
			return;
		}
	}
	r->owned = xmalloc(len ? len : 1);
	if (!r->owned) {
		resp_text(r, 503, "out of memory");
		index_put(ix);
		return;
	}
	memcpy(r->owned, body, len);
	r->body = r->owned;
	r->len = len;
	r->status = 200;
	r->ctype = "application/json; charset=utf-8";
	index_put(ix);
}

static void do_download(struct req *q, struct resp *r)
{
	struct kparams p;
	struct index *ix;
	const struct kern *e;
	struct stat st;
	char etag[64], lm[30];
	int64_t mtime;
	bool fresh = false;
	int err;

	if (kernel_params(q, r, &p, true))
		return;
	ix = need_index(q, r);
	if (!ix)
		return;
	e = index_find(ix, p.d, p.v, p.a, p.k);
	if (!e) {
		resp_text(r, 404, "no kernel %s/%s/%s/%s in the archive", p.d, p.v, p.a, p.k);
		goto out;
	}
	if (stat(e->path, &st) < 0 || !S_ISREG(st.st_mode)) {
		resp_text(r, 404, "kernel %s/%s/%s/%s: gone from the archive since the last scan", p.d,
			  p.v, p.a, p.k);
		goto out;
	}
	mtime = (int64_t)st.st_mtim.tv_sec;
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec);
	http_date(mtime, lm);
	resp_header(r, "ETag: %s\r\nLast-Modified: %s\r\n", etag, lm);
	if (q->h.if_none_match.n) {
		fresh = etag_matches(&q->h.if_none_match, etag);
	} else if (q->h.if_modified_since.n) {
		int64_t since;

		fresh = !http_parse_date(q->h.if_modified_since, &since) && mtime <= since;
	}
	if (fresh) {
		r->status = 304;
		goto out;
	}
	err = util_file_open_at(AT_FDCWD, e->path, e->path, UTIL_F_QUIET, UINT64_MAX, &r->file);
	if (err) {
		resp_text(r, 500, "kernel %s/%s/%s/%s: unreadable", p.d, p.v, p.a, p.k);
		goto out;
	}
	r->status = 200;
	r->ctype = "application/octet-stream";
	r->body = r->file.data;
	r->len = r->file.size;
	resp_header(r, "Content-Description: File Transfer\r\nContent-Transfer-Encoding: binary\r\n");
out:
	index_put(ix);
}

/* ---- the reductions ------------------------------------------------------------- */

/* A worker, or -EBUSY when the queue is full. */
static int gate_enter(struct serve *s)
{
	pthread_mutex_lock(&s->gate_lock);
	if (s->active >= s->o.workers) {
		if (s->waiting >= s->o.queue_max) {
			pthread_mutex_unlock(&s->gate_lock);
			serve_metrics_count(s->metrics, CNT_REJECTED_503, 1);
			return -EBUSY;
		}
		s->waiting++;
		serve_metrics_gauge_set(s->metrics, SERVE_GAUGE_QUEUE_DEPTH, s->waiting);
		while (s->active >= s->o.workers)
			pthread_cond_wait(&s->gate_cond, &s->gate_lock);
		s->waiting--;
		serve_metrics_gauge_set(s->metrics, SERVE_GAUGE_QUEUE_DEPTH, s->waiting);
	}
	s->active++;
	pthread_mutex_unlock(&s->gate_lock);
	return 0;
}

static void gate_leave(struct serve *s)
{
	pthread_mutex_lock(&s->gate_lock);
	s->active--;
	pthread_cond_signal(&s->gate_cond);
	pthread_mutex_unlock(&s->gate_lock);
}

static void kernel_key(const struct kern *e, uint8_t key[CACHE_KEY_LEN])
{
	char buf[8192];
	int n = snprintf(buf, sizeof(buf), "kernel\n%s\n%llu\n%lld", e->path,
			 (unsigned long long)e->size, (long long)e->mtime_ns);

	xz_sha256(buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), key);
}

/* Nanoseconds from @a to @b (0 if the clock went backwards). */
static uint64_t elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	int64_t ns = ((int64_t)b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);

	return ns > 0 ? (uint64_t)ns : 0;
}

/* The parsed kernel @e, from the cache or loaded into it. 0, or a status with @msg. */
static int kernel_get(struct serve *s, const struct kern *e, struct cache_ent **out, char *msg,
		      size_t msg_n)
{
	uint8_t key[CACHE_KEY_LEN];
	struct kernel_val *kv;
	struct util_file f;
	struct timespec t0, t1;
	int got, err;

	kernel_key(e, key);
	got = cache_acquire(&s->kernels, key, out);
	if (got)
		return got > 0 ? 0 : 503;
	kv = xcalloc(1, sizeof(*kv));
	if (kv)
		kv->name = xstrdup(e->path);
	if (!kv || !kv->name) {
		if (kv)
			xfree(kv);
		cache_abandon(&s->kernels, *out);
		snprintf(msg, msg_n, "out of memory");
		return 503;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = util_file_open_at(AT_FDCWD, e->path, e->path, 0, util_limits.input_size, &f);
	if (!err) {
		err = hub_kernel_from_mem(kv->name, f.data, f.size, &kv->btf);
		util_file_close(&f);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	serve_metrics_count(s->metrics, CNT_KERNEL_LOAD_NS, elapsed_ns(&t0, &t1));
	if (err) {
		xfree(kv->name);
		xfree(kv);
		cache_abandon(&s->kernels, *out);
		snprintf(msg, msg_n, "kernel %s/%s/%s/%s: its file in the archive is unusable", e->d,
			 e->v, e->a, e->k);
		return 500;
	}
	cache_publish(&s->kernels, *out, kv,
		      sizeof(*kv) + kv->btf->raw_size + (size_t)kv->btf->nr_types * sizeof(u32));
	return 0;
}

struct parts {
	const struct http_part *v;
	size_t n;
	uint8_t (*hash)[32];
};

/* The answer's key: the kernel file, the parts' hashes in order, the version. 0 or -ENOMEM. */
static int result_key(const struct kern *e, const struct parts *pp, uint8_t key[CACHE_KEY_LEN])
{
	size_t cap = 256 + strlen(e->path) + pp->n * 32, n;
	char *buf = xmalloc(cap);

	if (!buf)
		return -ENOMEM;
	n = (size_t)snprintf(buf, cap, "result\n%s\n%s\n%llu\n%lld\n%zu\n", BTFGEN_VERSION, e->path,
			     (unsigned long long)e->size, (long long)e->mtime_ns, pp->n);
	memcpy(buf + n, pp->hash, pp->n * 32);
	xz_sha256(buf, n + pp->n * 32, key);
	xfree(buf);
	return 0;
}

struct load_ctx {
	struct core_objs objs;
	size_t part;
	const struct parts *pp;
};

/* Reduce kernel @e for the objects; fills @res (200 or 422) or returns 500/503 with @msg. */
static int reduce(struct serve *s, const struct kern *e, struct core_obj *const *objs, size_t n,
		  struct result *res, char *msg, size_t msg_n)
{
	struct core_reduce_opts ro = {
		.verify = true,
		.verify_fatal = true,
		.print_diffs = true,
		.out_name = e->k,
	};
	struct core_reduce_out out = { 0 };
	struct cache_ent *ke = NULL;
	struct diag_cap prev;
	struct tar_writer *w = NULL;
	char name[SERVE_PARAM_MAX + 8];
	void *tar = NULL;
	size_t tar_len;
	int st, err;

	if (gate_enter(s)) {
		snprintf(msg, msg_n, "at capacity: %u reductions running, %u waiting", s->o.workers,
			 s->o.queue_max);
		return 503;
	}
	st = kernel_get(s, e, &ke, msg, msg_n);
	if (st) {
		gate_leave(s);
		return st;
	}
	prev = diag_capture(res->msg, sizeof(res->msg));
	err = core_reduce(((struct kernel_val *)ke->val)->btf, objs, n, &ro, &out);
	diag_capture_restore(prev);
	cache_release(&s->kernels, ke);
	gate_leave(s);
	if (err == -ENOMEM) {
		snprintf(msg, msg_n, "out of memory");
		return 503;
	}
	if (err) {
		res->status = 422;
		if (!res->msg[0])
			snprintf(res->msg, sizeof(res->msg), "CO-RE resolution failed (error %d)", err);
		return 0;
	}
	res->raw = out.data;
	res->raw_len = out.size;
	snprintf(name, sizeof(name), "%s.btf", e->k);
	w = tar_writer_new();
	err = w ? tar_writer_add_file(w, name, out.data, out.size) : -ENOMEM;
	if (!err)
		err = tar_writer_finish(w, &tar, &tar_len);
	tar_writer_free(w);
	if (!err)
		err = xz_encode_stored(tar, tar_len, &res->txz, &res->txz_len);
	xfree(tar);
	if (err) {
		snprintf(msg, msg_n, err == -ENOMEM ? "out of memory" : "the answer could not be packed");
		return err == -ENOMEM ? 503 : 500;
	}
	res->status = 200;
	return 0;
}

/*
 * The answer for kernel @e and the parts, from the answer cache or made.
 * 0 with *@ent referenced (its value a struct result), or a status with @msg.
 */
static int result_get(struct serve *s, const struct kern *e, const struct parts *pp,
		      struct cache_ent **ent, char *msg, size_t msg_n)
{
	uint8_t key[CACHE_KEY_LEN];
	struct core_objs objs = { 0 };
	struct result *res;
	struct diag_cap prev;
	size_t i;
	int got, st = 0, err = 0;

	got = result_key(e, pp, key);
	if (!got)
		got = cache_acquire(&s->results, key, ent);
	if (got > 0)
		return 0;
	if (got < 0) {
		snprintf(msg, msg_n, "out of memory");
		return 503;
	}
	res = xcalloc(1, sizeof(*res));
	if (!res) {
		cache_abandon(&s->results, *ent);
		snprintf(msg, msg_n, "out of memory");
		return 503;
	}
	/* the objects: every BPF object of every part (an object, or an executable embedding some) */
	prev = diag_capture(res->msg, sizeof(res->msg));
	for (i = 0; i < pp->n && !err; i++) {
		char name[128];

		snprintf(name, sizeof(name), "bpf part %zu", i + 1);
		err = core_obj_scan(pp->v[i].data.p, pp->v[i].data.n, name, core_objs_push, &objs);
	}
	/*
	 * parts without CO-RE relocations contribute nothing (a warning on the
	 * command line): with none at all the answer is the empty reduced BTF,
	 * as `btfgen min_core_btf` writes it
	 */
	diag_capture_restore(prev);
	if (err == -ENOMEM) {
		snprintf(msg, msg_n, "out of memory");
		st = 503;
	} else if (err) {
		res->status = 422;
		if (!res->msg[0])
			snprintf(res->msg, sizeof(res->msg), "not a BPF object (error %d)", err);
	} else {
		st = reduce(s, e, objs.v, objs.n, res, msg, msg_n);
	}
	core_objs_free(&objs);
	if (st) {
		serve_result_destroy(res);
		cache_abandon(&s->results, *ent);
		*ent = NULL;
		return st;
	}
	snprintf(res->etag, sizeof(res->etag), "\"");
	for (i = 0; i < 16; i++)
		snprintf(res->etag + 1 + 2 * i, 3, "%02x", key[i]);
	cache_publish(&s->results, *ent, res, sizeof(*res) + res->raw_len + res->txz_len);
	return 0;
}

struct collect {
	struct http_part v[SERVE_MAX_PARTS];
	size_t n;
	bool too_many;
};

static int collect_part(const struct http_part *p, void *ctx)
{
	struct collect *c = ctx;

	if (p->name.n != 3 || memcmp(p->name.p, "bpf", 3))
		return 0;	/* other fields are ignored */
	if (c->n == SERVE_MAX_PARTS) {
		c->too_many = true;
		return 1;
	}
	c->v[c->n++] = *p;
	return 0;
}

/* The multipart body's bpf parts; 0, or -1 answered. */
static int read_parts(struct req *q, struct resp *r, struct collect *c, uint8_t (*hash)[32])
{
	char boundary[HTTP_BOUNDARY_MAX + 1];
	int b, err;
	size_t i;

	b = http_multipart_boundary(q->h.content_type, boundary, sizeof(boundary));
	if (b < 0) {
		resp_text(r, -b, -b == 415 ? "customize takes multipart/form-data with a bpf file part" :
					     "bad multipart boundary");
		return -1;
	}
	err = http_multipart_parse(q->body, q->body_len, boundary, 4 * SERVE_MAX_PARTS, collect_part, c);
	if (c->too_many) {
		resp_text(r, 400, "more than %d bpf parts", SERVE_MAX_PARTS);
		return -1;
	}
	if (err) {
		resp_text(r, 400, "malformed multipart body");
		return -1;
	}
	if (!c->n) {
		resp_text(r, 400, "no bpf part (a multipart file field named bpf)");
		return -1;
	}
	for (i = 0; i < c->n; i++)
		xz_sha256(c->v[i].data.p, c->v[i].data.n, hash[i]);
	return 0;
}

static void legacy_headers(struct resp *r)
{
	resp_header(r, "Content-Description: File Transfer\r\nContent-Transfer-Encoding: binary\r\n");
}

/* Batch: every kernel the filters select, as an xz tar of the tree. */
static void do_batch(struct req *q, struct resp *r, const struct kparams *p, struct index *ix,
		     const struct parts *pp)
{
	struct cache_ent **ents;
	struct tar_writer *w = NULL;
	size_t *sel, nsel = 0, i, j;
	char msg[600] = "", (*hashes)[65] = NULL;
	void *tar = NULL;
	size_t tar_len;
	int st = 0, err = 0;

	sel = xcalloc(ix->n ? ix->n : 1, sizeof(*sel));
	ents = xcalloc(ix->n ? ix->n : 1, sizeof(*ents));
	if (!sel || !ents) {
		resp_text(r, 503, "out of memory");
		goto out;
	}
	for (i = 0; i < ix->n; i++) {
		const struct kern *e = &ix->v[i];

		if ((!p->has_d || !strcmp(e->d, p->d)) && (!p->has_v || !strcmp(e->v, p->v)) &&
		    (!p->has_a || hub_arch_eq(e->a, p->a)))
			sel[nsel++] = i;
	}
	if (!nsel) {
		resp_text(r, 404, "no kernel in the archive matches the parameters");
		goto out;
	}
	if (nsel > q->s->o.batch_max) {
		resp_text(r, 400, "%zu kernels match, over the limit of %u per request (--batch-max): "
			  "narrow with distribution, distribution_version or arch", nsel,
			  q->s->o.batch_max);
		goto out;
	}
	for (i = 0; i < nsel && !st; i++) {
		const struct kern *e = &ix->v[sel[i]];
		const struct result *res;

		st = result_get(q->s, e, pp, &ents[i], msg, sizeof(msg));
		if (st)
			break;
		res = ents[i]->val;
		if (res->status != 200) {
			resp_text(r, res->status, "%s/%s/%s/%s: %s", e->d, e->v, e->a, e->k, res->msg);
			goto out;
		}
	}
	if (st) {
		resp_text(r, st, "%s", msg);
		if (st == 503)
			resp_header(r, "Retry-After: 1\r\n");
		goto out;
	}
	hashes = xcalloc(nsel, sizeof(*hashes));
	w = tar_writer_new();
	err = hashes && w ? 0 : -ENOMEM;
	for (i = 0; i < nsel && !err; i++) {
		const struct kern *e = &ix->v[sel[i]];
		const struct result *res = ents[i]->val;
		char name[4 * SERVE_PARAM_MAX + 8];

		hub_sha256_hex(res->raw, res->raw_len, hashes[i]);
		snprintf(name, sizeof(name), "%s/%s/%s/%s.btf", e->d, e->v, e->a, e->k);
		for (j = 0; j < i && strcmp(hashes[j], hashes[i]); j++)
			;
		if (j < i) {
			const struct kern *f = &ix->v[sel[j]];
			char target[4 * SERVE_PARAM_MAX + 8];

			snprintf(target, sizeof(target), "%s/%s/%s/%s.btf", f->d, f->v, f->a, f->k);
			err = tar_writer_add_hardlink(w, name, target);
		} else {
			err = tar_writer_add_file(w, name, res->raw, res->raw_len);
		}
	}
	if (!err)
		err = tar_writer_finish(w, &tar, &tar_len);
	if (!err)
		err = xz_encode_stored(tar, tar_len, &r->owned, &r->len);
	if (err) {
		resp_text(r, err == -ENOMEM ? 503 : 500, "the answer could not be packed");
		goto out;
	}
	r->status = 200;
	r->body = r->owned;
	r->ctype = "application/octet-stream";
	{
		char h[65];

		hub_sha256_hex(r->owned, r->len, h);
		resp_header(r, "ETag: \"%.32s\"\r\n", h);
	}
	legacy_headers(r);
out:
	for (i = 0; ents && i < nsel; i++)
		cache_release(&q->s->results, ents[i]);
	tar_writer_free(w);
	xfree(tar);
	xfree(hashes);
	xfree(ents);
	xfree(sel);
}

static void do_customize(struct req *q, struct resp *r)
{
	struct collect *c = NULL;
	uint8_t (*hash)[32] = NULL;
	struct parts pp;
	struct kparams p;
	struct index *ix = NULL;
	const struct kern *e;
	struct cache_ent *ent = NULL;
	const struct result *res;
	char fmt[16], msg[600] = "", lm[30], etag[64];
	size_t len;
	bool raw = false;
	int g, st;

	if (kernel_params(q, r, &p, false))
		return;
	g = http_query_get(q->h.query, "format", fmt, sizeof(fmt), &len);
	if (g < 0 || (g > 0 && strcmp(fmt, "raw") && strcmp(fmt, "tar.xz"))) {
		resp_text(r, 400, "format is raw or tar.xz");
		return;
	}
	raw = g > 0 && !strcmp(fmt, "raw");
	if (raw && !p.has_k) {
		resp_text(r, 400, "format=raw needs one kernel (kernel_version)");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	hash = xcalloc(SERVE_MAX_PARTS, sizeof(*hash));
	if (!c || !hash) {
		resp_text(r, 503, "out of memory");
		goto out;
	}
	if (read_parts(q, r, c, hash))
		goto out;
	pp = (struct parts){ c->v, c->n, hash };
	ix = need_index(q, r);
	if (!ix)
		goto out;
	if (!p.has_k) {
		do_batch(q, r, &p, ix, &pp);
		goto out;
	}
	e = index_find(ix, p.d, p.v, p.a, p.k);
	if (!e) {
		resp_text(r, 404, "no kernel %s/%s/%s/%s in the archive", p.d, p.v, p.a, p.k);
		goto out;
	}
	st = result_get(q->s, e, &pp, &ent, msg, sizeof(msg));
	if (st) {
		resp_text(r, st, "%s", msg);
		if (st == 503)
			resp_header(r, "Retry-After: 1\r\n");
		goto out;
	}
	res = ent->val;
	if (res->status != 200) {
		resp_text(r, res->status, "%s", res->msg);
		goto out;
	}
	/* the answer's key names it; the raw form is another representation */
	snprintf(etag, sizeof(etag), "%s%s\"", res->etag, raw ? "-raw" : "");
	http_date(e->mtime_ns / 1000000000, lm);
	resp_header(r, "ETag: %s\r\nLast-Modified: %s\r\n", etag, lm);
	if (etag_matches(&q->h.if_none_match, etag)) {
		/* RFC 9110 13.1.2: a POST whose If-None-Match matches gets 412 */
		resp_text(r, 412, "unchanged: the answer still has ETag %s", etag);
		goto out;
	}
	r->status = 200;
	r->ctype = "application/octet-stream";
	r->body = raw ? res->raw : res->txz;
	r->len = raw ? res->raw_len : res->txz_len;
	r->cache = &q->s->results;
	r->ent = ent;
	ent = NULL;
	legacy_headers(r);
out:
	if (ent)
		cache_release(&q->s->results, ent);
	index_put(ix);
	xfree(hash);
	xfree(c);
}

static void do_metrics(struct req *q, struct resp *r)
{
	char *text;
	size_t len;
	struct index *ix = serve_index(q->s);

	if (ix) {
		serve_metrics_gauge_set(q->s->metrics, SERVE_GAUGE_KERNELS_INDEXED, (int64_t)ix->n);
		index_put(ix);
	}
	if (serve_metrics_render(q->s->metrics, &text, &len)) {
		resp_text(r, 503, "out of memory");
		return;
	}
	r->status = 200;
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	r->owned = text;
	r->body = text;
	r->len = len;
}

void serve_handle(struct req *q, struct resp *r)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(routes) && routes[i].route != q->route; i++)
		;
	if (i == ARRAY_SIZE(routes)) {
		resp_text(r, 404, "no such route");
		return;
	}
	if (routes[i].post ? q->h.method != HTTP_POST :
			     q->h.method != HTTP_GET && q->h.method != HTTP_HEAD) {
		resp_text(r, 405, "method not allowed on %s", routes[i].path);
		resp_header(r, "Allow: %s\r\n", routes[i].post ? "POST" : "GET, HEAD");
		return;
	}
	switch (q->route) {
	case ROUTE_LIST:
		do_list(q, r);
		break;
	case ROUTE_DOWNLOAD:
		do_download(q, r);
		break;
	case ROUTE_CUSTOMIZE:
		do_customize(q, r);
		break;
	case ROUTE_HEALTH:
		r->status = 200;
		r->ctype = "application/json; charset=utf-8";
		r->body = "{}\n";
		r->len = 3;
		break;
	case ROUTE_READY:
		if (atomic_load(&q->s->ready)) {
			r->status = 200;
			r->ctype = "text/plain; charset=utf-8";
			r->body = "ready\n";
			r->len = 6;
		} else {
			resp_text(r, 503, "indexing the archive");
			resp_header(r, "Retry-After: 1\r\n");
		}
		break;
	case ROUTE_METRICS:
		do_metrics(q, r);
		break;
	default:
		resp_text(r, 404, "no such route");
		break;
	}
}
