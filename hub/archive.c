// SPDX-License-Identifier: MIT
/*
 * archive.c - a whole BTFHub-style tree in one process (hub_archive).
 *
 *   IN_DIR/<any folders>/<release>.btf.tar.xz    (or .btf.xz, .btf, vmlinux-<release>)
 *   OUT_DIR/<the same folders>/<release>.btf      the mirrored tree
 *   OUT_DIR/btfgen-manifest.json
 *
 * Flow, all in sorted kernel order except the reductions themselves:
 *   1. walk IN_DIR (walk.c); refuse trees that overlap (outputs would be
 *      read back as kernels on the next run);
 *   2. skip the kernels the manifest says are unchanged: same input (size
 *      and mtime, else SHA-256), same objects, options and btfgen version,
 *      and an output that is still there and hashes as recorded (read back
 *      and hashed now: a hash in the manifest is never trusted for dedup);
 *   3. kernels whose input bytes are identical (BTFHub has some: btfhub#17)
 *      are reduced once;
 *   4. N worker threads take the pending kernels, most expensive first,
 *      and reduce each in memory (core_reduce, verified);
 *   5. the main thread writes each distinct output once and links the
 *      duplicates to it (output.c), then the manifest (manifest.c), the tar
 *      and the report (output.c, report.c).
 * A failing kernel gets one line on stderr and a "failed" manifest entry;
 * the others go on.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hub/hub_internal.h"
#include "util/json.h"
#include "xz/xz.h"

void hub_sha256_hex(const void *data, size_t size, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	u8 h[XZ_SHA256_LEN];
	int i;

	xz_sha256(data, size, h);
	for (i = 0; i < XZ_SHA256_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[64] = '\0';
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void free_str_list(char **v, size_t n)
{
	while (n)
		xfree(v[--n]);
	xfree(v);
}

void kernel_fail(struct kernel *k, const char *fmt, ...)
{
	va_list ap;

	if (k->status == K_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(k->error, sizeof(k->error), fmt, ap);
	va_end(ap);
	if (!k->error[0])
		snprintf(k->error, sizeof(k->error), "failed");
	k->status = K_FAILED;
	xfree(k->out);
	k->out = NULL;
	k->out_size = 0;
	k->out_hash[0] = '\0';
}

/* SHA-256 of file @path (a regular file only); false when it can't be read. */
static bool hash_file(const char *path, char out[65])
{
	struct util_file f;

	if (util_file_open_at(AT_FDCWD, path, path, UTIL_F_QUIET, util_limits.input_size, &f))
		return false;
	hub_sha256_hex(f.data, f.size, out);
	util_file_close(&f);
	return true;
}

/* ---- incremental runs --------------------------------------------------- */

static int cmp_mentry(const void *x, const void *y)
{
	return strcmp(((const struct mentry *)x)->path, ((const struct mentry *)y)->path);
}

/*
 * Is kernel @k's output, as the manifest entry @e describes it, still in
 * OUT_DIR? Then it is read back (through folders that are no symlinks) and
 * kept, with its hash computed now.
 */
static bool output_still_there(struct archive *a, struct kernel *k, const struct mentry *e)
{
	const char *slash = strrchr(k->out_path, '/');
	char *dir = slash ? strndup(k->out_path, (size_t)(slash - k->out_path)) : NULL;
	struct util_file f = { 0 };
	char hash[65];
	bool ok = false;
	int dir_fd;

	if (slash && !dir)
		return false;
	dir_fd = util_dir_open_beneath(a->out_fd, dir ? dir : "", UTIL_F_QUIET, a->o->out_dir);
	free(dir);
	if (dir_fd < 0)
		return false;
	if (util_file_open_at(dir_fd, slash ? slash + 1 : k->out_path, k->out_path, UTIL_F_QUIET,
			      util_limits.btf_size, &f))
		goto out;
	if (f.size != e->out_size)
		goto out;
	hub_sha256_hex(f.data, f.size, hash);
	if (strcmp(hash, e->out_hash))
		goto out;
	k->out = xmalloc(f.size);
	if (!k->out)
		goto out;
	memcpy(k->out, f.data, f.size);
	k->out_size = f.size;
	memcpy(k->out_hash, hash, sizeof(hash));
	ok = true;
out:
	if (f.data)
		util_file_close(&f);
	close(dir_fd);
	return ok;
}

/*
 * Decide which kernels are unchanged since the manifest: same input (size
 * and mtime, or same SHA-256 when the mtime moved) and the output still
 * there with the recorded hash. A kernel whose name is not valid UTF-8 is
 * never skipped: the manifest can only spell it with U+FFFD.
 */
static void mark_skips(struct archive *a, struct mentry *m, size_t nm)
{
	size_t i;

	if (!nm)
		return;
	qsort(m, nm, sizeof(*m), cmp_mentry);
	for (i = 0; i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];
		struct mentry key = { .path = (char *)(uintptr_t)k->e->name }, *e;
		char in_hash[65];

		if (!json_utf8_valid(k->e->name, strlen(k->e->name)))
			continue;
		e = bsearch(&key, m, nm, sizeof(*m), cmp_mentry);
		if (!e || e->in_size != k->e->size)
			continue;
		if (e->in_mtime_ns != k->e->mtime_ns) {
			if (!hash_file(k->in_path, in_hash) || strcmp(in_hash, e->in_hash))
				continue;
		} else {
			memcpy(in_hash, e->in_hash, sizeof(in_hash));
		}
		if (!output_still_there(a, k, e))
			continue;
		memcpy(k->in_hash, in_hash, sizeof(in_hash));
		k->poisons = e->poisons;
		k->nr_poisons = k->poisons_cap = e->nr_poisons;
		e->poisons = NULL;
		e->nr_poisons = 0;
		k->status = K_SKIPPED;
	}
}

/* ---- identical inputs ---------------------------------------------------- */

struct in_ref {
	u64 size;
	const char *hash;
	size_t idx;
};

static int cmp_in_size(const void *x, const void *y)
{
	const struct in_ref *a = x, *b = y;

	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cmp_in_hash(const void *x, const void *y)
{
	const struct in_ref *a = x, *b = y;
	int c = strcmp(a->hash, b->hash);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * Pending kernels with identical input bytes are reduced once: only inputs
 * of equal size can be equal, so only those are hashed here. The first in
 * sorted order is reduced; the others become K_SAME_INPUT.
 */
static int find_same_inputs(struct archive *a)
{
	struct in_ref *r = xcalloc(a->nr_k + 1, sizeof(*r));
	size_t i, j, n = 0, same = 0;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < a->nr_k; i++)
		if (a->k[i].status == K_PENDING)
			r[n++] = (struct in_ref){ a->k[i].e->size, NULL, i };
	qsort(r, n, sizeof(*r), cmp_in_size);
	for (i = 0; i < n; i = j) {
		size_t h, run;

		for (j = i + 1; j < n && r[j].size == r[i].size; j++)
			;
		if (j - i < 2)
			continue;
		/* a run of equal sizes: hash them, then group equal hashes */
		for (h = i; h < j; h++) {
			struct kernel *k = &a->k[r[h].idx];

			if (!k->in_hash[0] && !hash_file(k->in_path, k->in_hash))
				k->in_hash[0] = '\0';	/* reduced alone: it fails with its own message */
			r[h].hash = k->in_hash;
		}
		qsort(r + i, j - i, sizeof(*r), cmp_in_hash);
		/* runs of equal hashes: the first of each (lowest index) is reduced */
		for (run = i, h = i + 1; h < j; h++) {
			if (!r[h].hash[0] || strcmp(r[h].hash, r[run].hash)) {
				run = h;
				continue;
			}
			a->k[r[h].idx].status = K_SAME_INPUT;
			a->k[r[h].idx].same_input = r[run].idx;
			same++;
		}
	}
	xfree(r);
	if (same)
		pr_info("archive: %zu kernel%s with the same input bytes as another: reduced once",
			same, same == 1 ? "" : "s");
	return 0;
}

/* A K_SAME_INPUT kernel takes the outcome of the kernel reduced for it. */
static void copy_same_input(struct archive *a, struct kernel *k)
{
	const struct kernel *src = &a->k[k->same_input];
	size_t i;

	memcpy(k->in_hash, src->in_hash, sizeof(k->in_hash));
	if (src->status != K_OK) {
		kernel_fail(k, "same input bytes as %s, which failed", src->e->path);
		return;
	}
	k->out = xmalloc(src->out_size);
	k->poisons = xcalloc(src->nr_poisons + 1, sizeof(char *));
	if (!k->out || !k->poisons)
		goto nomem;
	memcpy(k->out, src->out, src->out_size);
	k->out_size = src->out_size;
	memcpy(k->out_hash, src->out_hash, sizeof(k->out_hash));
	k->poisons_cap = src->nr_poisons + 1;
	for (i = 0; i < src->nr_poisons; i++) {
		k->poisons[i] = xstrdup(src->poisons[i]);
		if (!k->poisons[i])
			goto nomem;
		k->nr_poisons++;
	}
	k->status = K_OK;
	return;
nomem:
	kernel_fail(k, "out of memory");
}

/* ---- workers ----------------------------------------------------------- */

struct poison_ctx {
	struct archive *a;
	struct kernel *k;
};

/* Hook: remember every poisoned relocation for the coverage report. */
static int collect_poison(const struct core_relo_result *r, void *ctx)
{
	struct poison_ctx *pc = ctx;
	struct kernel *k = pc->k;
	char acc[256], why[256];
	size_t oi, n;
	char *line;

	if (!r->res.poison || k->nr_poisons == HUB_MAX_POISONS)
		return 0;
	for (oi = 0; oi < pc->a->objs->n && pc->a->objs->v[oi] != r->obj; oi++)
		;
	if (r->local)
		core_spec_c_str(r->local, acc, sizeof(acc));
	else
		core_type_str(r->obj->btf, r->rec->relo.type_id, acc, sizeof(acc));
	core_result_why(r, why, sizeof(why));
	n = (size_t)snprintf(NULL, 0, "%zu\t%s #%u %s %s: %s", oi, r->rec->sec_name,
			     r->rec->sec_idx, core_relo_kind_str(r->rec->relo.kind), acc, why) + 1;
	line = xmalloc(n);
	if (!line || util_ensure_mem((void **)&k->poisons, &k->poisons_cap, sizeof(char *),
				     k->nr_poisons + 1, HUB_MAX_POISONS)) {
		xfree(line);
		return -ENOMEM;
	}
	snprintf(line, n, "%zu\t%s #%u %s %s: %s", oi, r->rec->sec_name, r->rec->sec_idx,
		 core_relo_kind_str(r->rec->relo.kind), acc, why);
	k->poisons[k->nr_poisons++] = line;
	return 0;
}

/* Reduce one kernel; the outcome goes into @k. Runs in a worker thread. */
static void process(struct archive *a, struct kernel *k)
{
	const struct hub_archive_opts *o = a->o;
	struct poison_ctx pc = { a, k };
	struct core_reduce_opts ro = {
		.first_match_only = o->first_match_only,
		.verify = o->verify,
		.verify_fatal = o->verify_fatal,
		.out_name = k->out_path,
		.on_result = collect_poison,
		.ctx = &pc,
	};
	struct core_reduce_out res;
	struct util_file f = { 0 };
	struct btf *targ = NULL;
	char errbuf[HUB_ERROR_MAX] = "";
	struct diag_cap prev;
	int err;

	/* every message is about this kernel: keep the last as its error */
	prev = diag_capture(errbuf, sizeof(errbuf));
	err = util_file_open_at(AT_FDCWD, k->in_path, k->e->path, 0, util_limits.input_size, &f);
	if (err)
		goto out;
	if (!k->in_hash[0])
		hub_sha256_hex(f.data, f.size, k->in_hash);
	err = hub_kernel_from_mem(k->e->path, f.data, f.size, &targ);
	if (err)
		goto out;
	err = core_reduce(targ, a->objs->v, a->objs->n, &ro, &res);
	if (err)
		goto out;
	k->out = res.data;
	k->out_size = res.size;
	hub_sha256_hex(k->out, k->out_size, k->out_hash);
out:
	diag_capture_restore(prev);
	if (err)
		kernel_fail(k, "%s", errbuf[0] ? errbuf : strerror(-err));
	else
		k->status = K_OK;
	btf_free(targ);
	if (f.data)
		util_file_close(&f);
}

struct cost_ref {
	u64 cost;
	size_t idx;
};

static int cmp_cost_desc(const void *x, const void *y)
{
	const struct cost_ref *a = x, *b = y;

	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * Hand out the most expensive kernels first, so no worker starts a long one
 * when the others are about to finish. Decompression dominates: a
 * compressed input costs about 20 times as much per byte as a raw one.
 * Only the processing order changes; results are kept per kernel.
 */
#define XZ_COST_FACTOR 20

static void order_by_cost(struct archive *a)
{
	struct cost_ref *r = xcalloc(a->nr_todo + 1, sizeof(*r));
	size_t i;

	if (!r)
		return;		/* the sorted order is as good */
	for (i = 0; i < a->nr_todo; i++) {
		const struct kernel *k = &a->k[a->todo[i]];
		bool xz = k->e->fmt == HUB_FMT_TAR_XZ || k->e->fmt == HUB_FMT_XZ;

		r[i].cost = xz && k->e->size <= UINT64_MAX / XZ_COST_FACTOR ?
				    k->e->size * XZ_COST_FACTOR : k->e->size;
		r[i].idx = a->todo[i];
	}
	qsort(r, a->nr_todo, sizeof(*r), cmp_cost_desc);
	for (i = 0; i < a->nr_todo; i++)
		a->todo[i] = r[i].idx;
	xfree(r);
}

static void *worker(void *arg)
{
	struct archive *a = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		i = a->next < a->nr_todo ? a->next++ : SIZE_MAX;
		pthread_mutex_unlock(&a->lock);
		if (i == SIZE_MAX)
			break;
		process(a, &a->k[a->todo[i]]);
		pthread_mutex_lock(&a->lock);
		a->done++;
		pthread_cond_signal(&a->cond);
		pthread_mutex_unlock(&a->lock);
	}
	return NULL;
}

/* Run the pending kernels on @o->jobs threads, reporting progress. */
static int run_workers(struct archive *a)
{
	pthread_t tid[HUB_MAX_JOBS];
	double t0 = now_s();
	int i, jobs = a->o->jobs, started = 0;

	if (jobs > HUB_MAX_JOBS)
		jobs = HUB_MAX_JOBS;
	if (jobs > (int)a->nr_todo)
		jobs = (int)a->nr_todo;
	if (jobs < 1)
		jobs = 1;
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&tid[i], NULL, worker, a))
			break;
		started++;
	}
	if (!started) {
		pr_warn("archive: can't start worker threads");
		return -EAGAIN;
	}
	pthread_mutex_lock(&a->lock);
	while (a->done < a->nr_todo) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&a->cond, &a->lock, &ts);
		if (a->o->progress) {
			size_t done = a->done;

			/* workers need the lock for their next kernel: report without it */
			pthread_mutex_unlock(&a->lock);
			a->o->progress(done, a->nr_todo, now_s() - t0, a->o->progress_ctx);
			pthread_mutex_lock(&a->lock);
		}
	}
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

/* The objects' identity for incremental runs: SHA-256 over their files' hashes. */
static int hash_objects(struct archive *a)
{
	const struct hub_objects *ob = a->objs;
	size_t i;

	a->obj_file_hash = xcalloc(ob->nr_files + 1, sizeof(*a->obj_file_hash));
	if (!a->obj_file_hash) {
		pr_warn("archive: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < ob->nr_files; i++) {
		struct util_file f;
		int err = util_file_open(ob->files[i], &f);

		if (err)
			return err;
		hub_sha256_hex(f.data, f.size, a->obj_file_hash[i]);
		util_file_close(&f);
	}
	hub_sha256_hex(a->obj_file_hash, ob->nr_files * sizeof(*a->obj_file_hash), a->objs_hash);
	return 0;
}

static char *path_join(const char *dir, const char *rel)
{
	size_t nd = strlen(dir), nr = strlen(rel);
	char *s = xmalloc(nd + nr + 2);

	if (s)
		sprintf(s, "%s%s%s", dir, nd && dir[nd - 1] == '/' ? "" : "/", rel);
	return s;
}

static int setup_kernels(struct archive *a)
{
	size_t i;

	a->k = xcalloc(a->tree.n + 1, sizeof(*a->k));
	if (!a->k)
		return -ENOMEM;
	a->nr_k = a->tree.n;
	for (i = 0; i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];
		size_t n = strlen(a->tree.v[i].name);

		k->e = &a->tree.v[i];
		k->primary = k->same_input = i;
		k->in_path = path_join(a->o->in_dir, k->e->path);
		k->out_path = xmalloc(n + 5);
		if (!k->in_path || !k->out_path)
			return -ENOMEM;
		memcpy(k->out_path, k->e->name, n);
		memcpy(k->out_path + n, ".btf", 5);
	}
	return 0;
}

/* One line per failed kernel, naming its input. */
static size_t print_failures(const struct archive *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nr_k; i++) {
		const struct kernel *k = &a->k[i];
		size_t pl = strlen(k->e->path);

		if (k->status != K_FAILED)
			continue;
		n++;
		if (!strncmp(k->error, k->e->path, pl) && k->error[pl] == ':')
			pr_warn("archive: %s", k->error);
		else
			pr_warn("archive: %s: %s", k->e->path, k->error);
	}
	return n;
}

static void free_archive(struct archive *a)
{
	size_t i;

	for (i = 0; i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];

		xfree(k->in_path);
		xfree(k->out_path);
		xfree(k->out);
		free_str_list(k->poisons, k->nr_poisons);
	}
	xfree(a->k);
	hub_tree_free(&a->tree);
	xfree(a->obj_file_hash);
	xfree(a->todo);
	if (a->out_fd >= 0)
		close(a->out_fd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
}

int hub_archive(const struct hub_archive_opts *o, const struct hub_objects *objs,
		struct hub_archive_stats *st)
{
	struct archive a = { .o = o, .objs = objs, .out_fd = -1 };
	struct mentry *mentries = NULL;
	unsigned long warned = diag_warn_count();
	double t0 = now_s();
	size_t nm = 0, i;
	int err;

	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	err = util_dirs_overlap(o->in_dir, o->out_dir);
	if (err > 0) {
		pr_warn("archive: OUTPUT_DIR %s and INPUT_DIR %s overlap (one is inside the other): "
			"outputs would be read back as kernels; choose an OUTPUT_DIR outside INPUT_DIR",
			o->out_dir, o->in_dir);
		err = -EEXIST;
		goto out;
	}
	err = hash_objects(&a);
	if (!err)
		err = hub_walk(o->in_dir, &o->filter, &a.tree);
	if (err)
		goto out;
	st->walked = true;
	st->passed_over = a.tree.passed_over + a.tree.same_name;
	st->filtered_out = a.tree.filtered_out;
	if (!a.tree.n) {
		err = -ENOENT;
		goto out;
	}
	err = setup_kernels(&a);
	if (err)
		goto out;
	err = util_dir_open(o->out_dir, true);
	if (err < 0)
		goto out;
	a.out_fd = err;
	manifest_read(&a, &mentries, &nm);
	mark_skips(&a, mentries, nm);
	err = find_same_inputs(&a);
	if (err)
		goto out;
	a.todo = xcalloc(a.nr_k + 1, sizeof(*a.todo));
	if (!a.todo) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < a.nr_k; i++)
		if (a.k[i].status == K_PENDING)
			a.todo[a.nr_todo++] = i;
	order_by_cost(&a);
	if (a.nr_todo) {
		err = run_workers(&a);
		if (err)
			goto out;
	}
	for (i = 0; i < a.nr_k; i++)
		if (a.k[i].status == K_SAME_INPUT)
			copy_same_input(&a, &a.k[i]);
	err = output_write(&a, &st->distinct);
	if (!err)
		err = manifest_write(&a);
	if (!err && o->tar_path)
		err = output_tar(&a);
	if (!err && o->report_path)
		err = report_write(&a);
	st->failed = print_failures(&a);
	if (err)
		goto out;
	st->kernels = a.nr_k;
	for (i = 0; i < a.nr_k; i++) {
		const struct kernel *k = &a.k[i];

		st->processed += k->status == K_OK;
		st->skipped += k->status == K_SKIPPED;
		if (kernel_has_output(k)) {
			st->bytes_in += k->e->size;
			st->bytes_out += k->out_size;
		}
	}
	st->seconds = now_s() - t0;
	if (st->failed)
		err = -EINVAL;
out:
	if (err == -ENOMEM && diag_warn_count() == warned)
		pr_warn("archive: out of memory");	/* a path that returned without a word */
	mentries_free(mentries, nm);
	free_archive(&a);
	return err;
}
