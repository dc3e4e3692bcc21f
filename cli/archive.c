// SPDX-License-Identifier: MIT
/*
 * archive.c - `btfgen archive [-j N] [options] INPUT_DIR OUTPUT_DIR OBJECT...`:
 * a whole BTFHub-style archive in one process.
 *
 *   INPUT_DIR/<ID>/<VERSION_ID>/<arch>/<release>.btf.tar.xz   (or .btf.xz, .btf)
 *   OUTPUT_DIR/<ID>/<VERSION_ID>/<arch>/<release>.btf          (the mirrored tree)
 *   OUTPUT_DIR/btfgen-manifest.json
 *
 * Flow: the objects are loaded once and shared read-only by N worker
 * threads; each worker takes the next kernel, decompresses it in memory,
 * reduces it (min_core_btf, verified unless --no-verify) and keeps the output
 * in memory. The main thread then, in sorted kernel order, writes each
 * distinct output once and links (or copies) the duplicates to it, and
 * writes the manifest, optionally a deterministic tar of the tree and a
 * coverage report.
 *
 * Incremental runs: a kernel whose input (same size and mtime, else same
 * SHA-256) and whose objects, options and btfgen version are unchanged since
 * the manifest was written, and whose output still exists, is skipped
 * without being read.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tar/tarball.h"
#include "xz/xz.h"

#define MANIFEST_NAME		"btfgen-manifest.json"
#define ARCHIVE_MAX_KERNELS	(1u << 20)	/* BTFHub has ~4,300 */
#define ARCHIVE_MAX_JOBS	256
#define ARCHIVE_MAX_POISONS	4096		/* per kernel, for the report */

enum kstatus { K_PENDING, K_OK, K_SKIPPED, K_FAILED };

struct kernel {
	char *rel;		/* "<ID>/<VERSION_ID>/<arch>/<release>" (no suffix) */
	char *in_rel;		/* input path relative to INPUT_DIR */
	char *in_path;
	u64 in_size;
	s64 in_mtime_ns;
	char in_hash[65];
	enum kstatus status;
	char *error;
	void *out;		/* the reduced BTF, for processed kernels */
	size_t out_size;
	char out_hash[65];
	size_t primary;		/* index of the kernel whose file this one shares */
	char **poisons;		/* "OBJ_INDEX<TAB>where: why" */
	size_t nr_poisons, poisons_cap;
};

struct archive_opts {
	int jobs;
	const char *dedup;	/* hardlink, symlink, copy */
	const char *distro, *version, *arch, *release;
	const char *tar_path, *report_path;
	bool first_match_only, verify, verify_fatal;
};

struct archive {
	struct archive_opts o;
	const char *in_dir, *out_dir;
	struct kernel *k;
	size_t nr_k, cap_k;
	size_t ignored_files;	/* markers, empty files, anything else */
	struct cli_objs objs;
	char *obj_args_hash;	/* SHA-256 over the OBJECT files' hashes */
	char **obj_args;	/* the OBJECT arguments (borrowed from argv) */
	char (*obj_arg_hash)[65];	/* SHA-256 of each OBJECT file */
	size_t nr_obj_args;	/* all object hashes, joined: manifest identity */
	/* work distribution */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next, done, nr_todo;
	size_t *todo;		/* indexes of kernels to process */
};

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = xmalloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void sha256_hex(const void *data, size_t size, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	u8 h[32];
	int i;

	xz_sha256(data, size, h);
	for (i = 0; i < 32; i++) {
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

/* ---- walking the input tree ------------------------------------------- */

static const char *norm_arch(const char *a)
{
	if (!strcmp(a, "aarch64"))
		return "arm64";
	if (!strcmp(a, "amd64"))
		return "x86_64";
	return a;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

static bool filtered_out(const struct archive *a, const char *id, const char *ver,
			 const char *arch, const char *release)
{
	if (a->o.distro && strcmp(a->o.distro, id))
		return true;
	if (a->o.version && strcmp(a->o.version, ver))
		return true;
	if (a->o.arch && strcmp(norm_arch(a->o.arch), norm_arch(arch)))
		return true;
	if (a->o.release && fnmatch(a->o.release, release, 0))
		return true;
	return false;
}

static int add_kernel(struct archive *a, const char *path, const char *id, const char *ver,
		      const char *arch, const char *file, const struct stat *st)
{
	static const char *const suffixes[] = { ".btf.tar.xz", ".btf.xz", ".btf" };
	struct kernel *k;
	char *release;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (has_suffix(file, suffixes[i]))
			break;
	if (i == ARRAY_SIZE(suffixes) || !S_ISREG(st->st_mode) || st->st_size == 0) {
		a->ignored_files++;	/* .failed / .hasbtf markers, empty, anything else */
		return 0;
	}
	release = xstrdup(file);
	if (!release)
		return -ENOMEM;
	release[strlen(file) - strlen(suffixes[i])] = '\0';
	if (filtered_out(a, id, ver, arch, release)) {
		xfree(release);
		return 0;
	}
	err = util_ensure_mem((void **)&a->k, &a->cap_k, sizeof(*a->k), a->nr_k + 1,
			      ARCHIVE_MAX_KERNELS);
	if (err) {
		xfree(release);
		if (err == -E2BIG)
			pr_warn("%s: more than %u kernels", a->in_dir, ARCHIVE_MAX_KERNELS);
		return err;
	}
	k = &a->k[a->nr_k];
	memset(k, 0, sizeof(*k));
	k->rel = xasprintf("%s/%s/%s/%s", id, ver, arch, release);
	/* R.btf next to R.btf.tar.xz (listings are sorted: they are neighbours) */
	if (k->rel && a->nr_k && !strcmp(a->k[a->nr_k - 1].rel, k->rel)) {
		pr_warn("warning: %s: same kernel as %s: ignored", path, a->k[a->nr_k - 1].in_rel);
		xfree(k->rel);
		xfree(release);
		a->ignored_files++;
		return 0;
	}
	k->in_rel = xasprintf("%s/%s/%s/%s", id, ver, arch, file);
	k->in_path = xstrdup(path);
	xfree(release);
	if (!k->rel || !k->in_rel || !k->in_path) {
		xfree(k->rel);
		xfree(k->in_rel);
		xfree(k->in_path);
		return -ENOMEM;
	}
	k->in_size = (u64)st->st_size;
	k->in_mtime_ns = (s64)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	a->nr_k++;
	return 0;
}

static int cmp_str_ptr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void free_list(char **v, size_t n)
{
	while (n)
		xfree(v[--n]);
	xfree(v);
}

/* Entries of @dir, sorted, without "." and ".."; NULL on error (printed). */
static char **list_dir(const char *dir, size_t *nr)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);

	*nr = 0;
	if (!d) {
		pr_warn("%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (util_ensure_mem((void **)&v, &cap, sizeof(*v), n + 1, SIZE_MAX / 16) ||
		    !(v[n] = xstrdup(de->d_name))) {
			pr_warn("%s: out of memory", dir);
			closedir(d);
			free_list(v, n);
			return NULL;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str_ptr);
	*nr = n;
	return v ? v : xcalloc(1, sizeof(*v));
}

/*
 * INPUT_DIR/<ID>/<VERSION_ID>/<arch>/<file>: exactly four levels, walked with
 * three nested loops (no recursion); anything at the wrong depth is ignored
 * and counted.
 */
static int walk(struct archive *a)
{
	char **l1 = NULL, **l2 = NULL, **l3 = NULL, **l4 = NULL;
	size_t n1, n2, n3, n4, i1, i2, i3, i4;
	char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
	struct stat st;
	int err = 0;

	l1 = list_dir(a->in_dir, &n1);
	if (!l1)
		return -EIO;
	for (i1 = 0; i1 < n1 && !err; i1++) {
		p1 = xasprintf("%s/%s", a->in_dir, l1[i1]);
		if (!p1 || stat(p1, &st) || !S_ISDIR(st.st_mode)) {
			a->ignored_files += p1 != NULL;
			xfree(p1);
			err = p1 ? 0 : -ENOMEM;
			continue;
		}
		l2 = list_dir(p1, &n2);
		for (i2 = 0; l2 && i2 < n2 && !err; i2++) {
			p2 = xasprintf("%s/%s", p1, l2[i2]);
			if (!p2 || stat(p2, &st) || !S_ISDIR(st.st_mode)) {
				a->ignored_files += p2 != NULL;
				xfree(p2);
				err = p2 ? 0 : -ENOMEM;
				continue;
			}
			l3 = list_dir(p2, &n3);
			for (i3 = 0; l3 && i3 < n3 && !err; i3++) {
				p3 = xasprintf("%s/%s", p2, l3[i3]);
				if (!p3 || stat(p3, &st) || !S_ISDIR(st.st_mode)) {
					a->ignored_files += p3 != NULL;
					xfree(p3);
					err = p3 ? 0 : -ENOMEM;
					continue;
				}
				l4 = list_dir(p3, &n4);
				for (i4 = 0; l4 && i4 < n4 && !err; i4++) {
					p4 = xasprintf("%s/%s", p3, l4[i4]);
					if (!p4) {
						err = -ENOMEM;
					} else if (stat(p4, &st)) {
						a->ignored_files++;
					} else {
						err = add_kernel(a, p4, l1[i1], l2[i2], l3[i3], l4[i4],
								 &st);
					}
					xfree(p4);
				}
				if (!l4)
					err = -EIO;
				free_list(l4, n4);
				xfree(p3);
			}
			if (!l3)
				err = -EIO;
			free_list(l3, n3);
			xfree(p2);
		}
		if (!l2)
			err = -EIO;
		free_list(l2, n2);
		xfree(p1);
	}
	free_list(l1, n1);
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", a->in_dir);
	return err;
}

/* ---- manifest ---------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * The manifest is JSON written one kernel per line, so that the reader below
 * (which only reads manifests btfgen wrote) can work line by line.
 */
static char *manifest_text(const struct archive *a, size_t *len)
{
	char *buf = NULL;
	size_t i, j;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "{\n  \"btfgen_version\": \"%s\",\n", BTFGEN_VERSION_STR);
	fprintf(f, "  \"options\": {\"first_match_only\": %s, \"dedup\": \"%s\"},\n",
		a->o.first_match_only ? "true" : "false", a->o.dedup);
	fprintf(f, "  \"objects_sha256\": \"%s\",\n", a->obj_args_hash);
	fprintf(f, "  \"object_files\": [\n");
	for (i = 0; i < a->nr_obj_args; i++) {
		fprintf(f, "    {\"path\": ");
		json_str(f, a->obj_args[i]);
		fprintf(f, ", \"sha256\": \"%s\"}%s\n", a->obj_arg_hash[i],
			i + 1 < a->nr_obj_args ? "," : "");
	}
	fprintf(f, "  ],\n");
	fprintf(f, "  \"objects\": [\n");
	for (i = 0; i < a->objs.n; i++) {
		fprintf(f, "    {\"name\": ");
		json_str(f, a->objs.v[i]->name);
		fprintf(f, ", \"relocations\": %u}%s\n", a->objs.v[i]->nr_relos,
			i + 1 < a->objs.n ? "," : "");
	}
	fprintf(f, "  ],\n  \"kernels\": [\n");
	for (i = 0; i < a->nr_k; i++) {
		const struct kernel *k = &a->k[i];
		bool ok = k->status == K_OK || k->status == K_SKIPPED;

		fprintf(f, "    {\"path\": ");
		json_str(f, k->rel);
		fprintf(f, ", \"input\": ");
		json_str(f, k->in_rel);
		fprintf(f, ", \"input_size\": %llu, \"input_mtime_ns\": %lld, \"input_sha256\": \"%s\"",
			(unsigned long long)k->in_size, (long long)k->in_mtime_ns, k->in_hash);
		fprintf(f, ", \"status\": \"%s\"", ok ? "ok" : "failed");
		if (ok) {
			fprintf(f, ", \"output_sha256\": \"%s\", \"output_size\": %zu",
				k->out_hash, k->out_size);
			if (k->primary != i) {
				fprintf(f, ", \"dedup_of\": ");
				json_str(f, a->k[k->primary].rel);
			}
			fprintf(f, ", \"poisoned\": [");
			for (j = 0; j < k->nr_poisons; j++) {
				if (j)
					fputs(", ", f);
				json_str(f, k->poisons[j]);
			}
			fputc(']', f);
		} else {
			fprintf(f, ", \"error\": ");
			json_str(f, k->error ? k->error : "unknown");
		}
		fprintf(f, "}%s\n", i + 1 < a->nr_k ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A kernel entry of an earlier manifest. */
struct mentry {
	char *path;
	u64 in_size;
	s64 in_mtime_ns;
	char in_hash[65];
	char out_hash[65];
	size_t out_size;
	char **poisons;
	size_t nr_poisons;
};

/*
 * Parse the JSON string starting at @p (at the opening quote) into a new
 * string; *@end gets the position after the closing quote. Handles the
 * escapes json_str() writes. NULL when malformed.
 */
static char *json_take_str(const char *p, const char **end)
{
	size_t n = 0;
	char *s, *o;
	const char *q;

	if (*p != '"')
		return NULL;
	for (q = p + 1; *q && *q != '"'; q++, n++)
		if (*q == '\\' && !*++q)
			return NULL;
	if (*q != '"')
		return NULL;
	s = o = xmalloc(n + 1);
	if (!s)
		return NULL;
	for (q = p + 1; *q != '"'; q++) {
		if (*q != '\\') {
			*o++ = *q;
		} else if (q[1] == 'u') {
			unsigned v = 0;
			int i;

			for (i = 2; i < 6 && q[i]; i++)
				v = v * 16 + (unsigned)(q[i] <= '9' ? q[i] - '0' : (q[i] | 32) - 'a' + 10);
			*o++ = (char)v;
			q += i - 1;
		} else {
			*o++ = *++q;
		}
	}
	*o = '\0';
	*end = q + 1;
	return s;
}

/* The value text after "KEY": on @line, or NULL. */
static const char *json_field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(line, pat);
	return p ? p + strlen(pat) : NULL;
}

static bool json_hex(const char *line, const char *key, char out[65])
{
	const char *p = json_field(line, key), *end;
	char *s;
	bool ok;

	if (!p || !(s = json_take_str(p, &end)))
		return false;
	ok = strlen(s) == 64;
	if (ok)
		memcpy(out, s, 65);
	xfree(s);
	return ok;
}

static void mentries_free(struct mentry *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xfree(m[i].path);
		free_list(m[i].poisons, m[i].nr_poisons);
	}
	xfree(m);
}

/*
 * Read OUTPUT_DIR's manifest if it was written by this btfgen version with
 * the same objects and options: then *@out holds its ok kernels, sorted by
 * path. Otherwise *@nr is 0. A missing or foreign manifest is not an error.
 */
static void manifest_read(const struct archive *a, struct mentry **out, size_t *nr)
{
	struct util_file f = { 0 };
	struct mentry *v = NULL;
	size_t n = 0, cap = 0;
	char *path, *text = NULL, *line, *save = NULL, *s;
	const char *p, *end;
	bool same = false;

	*out = NULL;
	*nr = 0;
	path = xasprintf("%s/%s", a->out_dir, MANIFEST_NAME);
	if (!path || access(path, R_OK) || util_file_open(path, &f))
		goto out;
	text = xmalloc(f.size + 1);
	if (!text)
		goto out;
	memcpy(text, f.data, f.size);
	text[f.size] = '\0';
	p = json_field(text, "btfgen_version");
	if (!p || strncmp(p + 1, BTFGEN_VERSION_STR "\"", strlen(BTFGEN_VERSION_STR) + 1))
		goto out;
	p = json_field(text, "first_match_only");
	if (!p || strncmp(p, a->o.first_match_only ? "true" : "false", 4))
		goto out;
	p = json_field(text, "dedup");
	if (!p || strncmp(p + 1, a->o.dedup, strlen(a->o.dedup)) || p[1 + strlen(a->o.dedup)] != '"')
		goto out;
	p = json_field(text, "objects_sha256");
	if (!p || !(s = json_take_str(p, &end)))
		goto out;
	same = !strcmp(s, a->obj_args_hash);
	xfree(s);
	if (!same)
		goto out;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mentry *e;

		if (!json_field(line, "input_sha256") || !strstr(line, "\"status\": \"ok\""))
			continue;
		if (util_ensure_mem((void **)&v, &cap, sizeof(*v), n + 1, ARCHIVE_MAX_KERNELS))
			break;
		e = &v[n];
		memset(e, 0, sizeof(*e));
		p = json_field(line, "path");
		if (!p || !(e->path = json_take_str(p, &end)))
			continue;
		if (!json_hex(line, "input_sha256", e->in_hash) ||
		    !json_hex(line, "output_sha256", e->out_hash) ||
		    !(p = json_field(line, "input_size")) ||
		    sscanf(p, "%llu", (unsigned long long *)&e->in_size) != 1 ||
		    !(p = json_field(line, "input_mtime_ns")) ||
		    sscanf(p, "%lld", (long long *)&e->in_mtime_ns) != 1 ||
		    !(p = json_field(line, "output_size")) || sscanf(p, "%zu", &e->out_size) != 1) {
			xfree(e->path);
			continue;
		}
		p = json_field(line, "poisoned");
		if (p && *p == '[') {
			size_t pcap = 0;

			for (p++; *p == '"' || *p == ',' || *p == ' ';) {
				if (*p != '"') {
					p++;
					continue;
				}
				s = json_take_str(p, &end);
				if (!s || util_ensure_mem((void **)&e->poisons, &pcap,
							  sizeof(char *), e->nr_poisons + 1,
							  ARCHIVE_MAX_POISONS)) {
					xfree(s);
					break;
				}
				e->poisons[e->nr_poisons++] = s;
				p = end;
			}
		}
		n++;
	}
	/* written sorted by path; trust nothing: sort again */
out:
	xfree(text);
	xfree(path);
	if (f.data)
		util_file_close(&f);
	*out = v;
	*nr = n;
}

static int cmp_mentry(const void *x, const void *y)
{
	return strcmp(((const struct mentry *)x)->path, ((const struct mentry *)y)->path);
}

static bool out_file_ok(const struct archive *a, const char *rel, size_t size)
{
	struct stat st;
	char *p = xasprintf("%s/%s.btf", a->out_dir, rel);
	bool ok = p && !stat(p, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size == size;

	xfree(p);
	return ok;
}

struct hash_ref {
	const char *hash;
	size_t idx;
};

static int cmp_hash_ref(const void *x, const void *y)
{
	const struct hash_ref *a = x, *b = y;
	int c = strcmp(a->hash, b->hash);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * primary[i] = the first kernel (in sorted order) whose output hash equals
 * kernel i's, for kernels with a hash; O(n log n).
 */
static int group_by_hash(const struct archive *a, const char (*hash)[65], size_t *primary)
{
	struct hash_ref *r = xcalloc(a->nr_k + 1, sizeof(*r));
	size_t i, n = 0, first = 0;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < a->nr_k; i++) {
		primary[i] = i;
		if (hash[i][0])
			r[n++] = (struct hash_ref){ hash[i], i };
	}
	qsort(r, n, sizeof(*r), cmp_hash_ref);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(r[i].hash, r[first].hash))
			first = i;
		primary[r[i].idx] = r[first].idx;
	}
	xfree(r);
	return 0;
}

/*
 * Decide which kernels are unchanged since the manifest. A kernel whose size
 * matches but whose mtime differs is hashed (that costs a read, not a
 * decompression). A duplicate whose old primary gets reprocessed is
 * reprocessed too, so that links never point at content that changed.
 */
static int mark_skips(struct archive *a, struct mentry *m, size_t nm)
{
	char (*old)[65] = xcalloc(a->nr_k + 1, sizeof(*old));
	size_t *primary = xcalloc(a->nr_k + 1, sizeof(*primary));
	size_t i;
	int err = -ENOMEM;

	if (!old || !primary)
		goto out;
	if (nm)
		qsort(m, nm, sizeof(*m), cmp_mentry);
	for (i = 0; i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];
		struct mentry key = { .path = k->rel }, *e;

		e = nm ? bsearch(&key, m, nm, sizeof(*m), cmp_mentry) : NULL;
		if (!e)
			continue;
		memcpy(old[i], e->out_hash, 65);
		if (e->in_size != k->in_size || !out_file_ok(a, k->rel, e->out_size))
			continue;
		if (e->in_mtime_ns != k->in_mtime_ns) {
			struct util_file f;

			if (util_file_open(k->in_path, &f))
				continue;
			sha256_hex(f.data, f.size, k->in_hash);
			util_file_close(&f);
			if (strcmp(k->in_hash, e->in_hash))
				continue;
		}
		memcpy(k->in_hash, e->in_hash, 65);
		memcpy(k->out_hash, e->out_hash, 65);
		k->out_size = e->out_size;
		k->poisons = e->poisons;
		k->nr_poisons = e->nr_poisons;
		k->poisons_cap = e->nr_poisons;
		e->poisons = NULL;
		e->nr_poisons = 0;
		k->status = K_SKIPPED;
	}
	err = group_by_hash(a, (const char (*)[65])old, primary);
	if (err)
		goto out;
	for (i = 0; i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];

		if (k->status == K_SKIPPED && a->k[primary[i]].status != K_SKIPPED) {
			k->status = K_PENDING;
			k->out_hash[0] = '\0';
			free_list(k->poisons, k->nr_poisons);
			k->poisons = NULL;
			k->nr_poisons = k->poisons_cap = 0;
		}
	}
out:
	xfree(old);
	xfree(primary);
	return err;
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
	size_t oi;
	char *line;

	if (!r->res.poison || k->nr_poisons == ARCHIVE_MAX_POISONS)
		return 0;
	for (oi = 0; oi < pc->a->objs.n && pc->a->objs.v[oi] != r->obj; oi++)
		;
	if (r->local)
		core_spec_c_str(r->local, acc, sizeof(acc));
	else
		core_type_str(r->obj->btf, r->rec->relo.type_id, acc, sizeof(acc));
	core_result_why(r, why, sizeof(why));
	line = xasprintf("%zu\t%s #%u %s %s: %s", oi, r->rec->sec_name, r->rec->sec_idx,
			 core_relo_kind_str(r->rec->relo.kind), acc, why);
	if (!line || util_ensure_mem((void **)&k->poisons, &k->poisons_cap, sizeof(char *),
				     k->nr_poisons + 1, ARCHIVE_MAX_POISONS)) {
		xfree(line);
		return -ENOMEM;
	}
	k->poisons[k->nr_poisons++] = line;
	return 0;
}

/* Reduce one kernel; the outcome goes into @k. Runs in a worker thread. */
static void process(struct archive *a, struct kernel *k)
{
	struct core_min_opts mo = { .first_match_only = a->o.first_match_only };
	struct poison_ctx pc = { a, k };
	struct util_file f = { 0 };
	struct btf *targ = NULL, *reduced = NULL;
	struct core_min *m = NULL;
	char errbuf[512] = "";
	struct diag_cap prev;
	int err, diffs;

	prev = diag_capture(errbuf, sizeof(errbuf));
	err = util_file_open(k->in_path, &f);
	if (err)
		goto out;
	sha256_hex(f.data, f.size, k->in_hash);
	err = cli_kernel_from_mem(k->in_rel, f.data, f.size, &targ);
	if (err)
		goto out;
	err = core_min_new(targ, &mo, &m);
	if (!err)
		err = core_min_use_objs(m, a->objs.v, a->objs.n);
	if (err) {
		pr_warn("out of memory");
		goto out;
	}
	core_min_set_result_hook(m, collect_poison, &pc);
	err = core_min_run(m);
	if (!err)
		err = core_min_emit(m, &k->out, &k->out_size);
	if (err)
		goto out;
	if (a->o.verify) {
		err = btf_parse_view(k->out, k->out_size, k->rel, &reduced);
		if (err)
			goto out;
		diffs = cli_verify_run(targ, core_min_cand_index(m), reduced, a->objs.v, a->objs.n,
				       false);
		if (diffs > 0 && a->o.verify_fatal) {
			pr_warn("%s: the reduced BTF answers %d relocation%s differently (btfgen verify shows which)",
				k->in_rel, diffs, diffs == 1 ? "" : "s");
			err = -EINVAL;
		} else {
			err = diffs < 0 ? diffs : 0;
		}
		if (err)
			goto out;
	}
	sha256_hex(k->out, k->out_size, k->out_hash);
out:
	diag_capture_restore(prev);
	if (err) {
		k->status = K_FAILED;
		k->error = xstrdup(errbuf[0] ? errbuf : strerror(-err));
		xfree(k->out);
		k->out = NULL;
	} else {
		k->status = K_OK;
	}
	btf_free(reduced);
	core_min_free(m);
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
		size_t n = strlen(k->in_rel);
		bool xz = n > 3 && !strcmp(k->in_rel + n - 3, ".xz");

		r[i].cost = xz && k->in_size <= UINT64_MAX / XZ_COST_FACTOR ?
				    k->in_size * XZ_COST_FACTOR : k->in_size;
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

/* Run the pending kernels on @jobs threads; a progress line on a TTY. */
static int run_workers(struct archive *a, int jobs)
{
	pthread_t tid[ARCHIVE_MAX_JOBS];
	bool tty = isatty(2);
	double t0 = now_s();
	int i, started = 0;

	if (jobs > (int)a->nr_todo)
		jobs = a->nr_todo ? (int)a->nr_todo : 1;
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&tid[i], NULL, worker, a))
			break;
		started++;
	}
	if (!started) {
		pr_warn("can't start worker threads");
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
		if (tty) {
			double dt = now_s() - t0, rate = dt > 0 ? (double)a->done / dt : 0;

			fprintf(stderr, "\rbtfgen: archive: %zu/%zu kernels, %.1f kernels/s, ETA %.0f s ",
				a->done, a->nr_todo, rate,
				rate > 0 ? (double)(a->nr_todo - a->done) / rate : 0.0);
		}
	}
	pthread_mutex_unlock(&a->lock);
	if (tty)
		fprintf(stderr, "\r\033[K");
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

/* ---- outputs ----------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int err = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; !err; s++) {
		bool end = !*s;

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			err = -errno;
			pr_warn("%s: %s", p, strerror(errno));
		}
		if (end)
			break;
		*s = '/';
	}
	xfree(p);
	return err;
}

static int read_whole(const char *path, void **data, size_t *size)
{
	return util_read_file(path, data, size);
}

/* Link or copy OUTPUT_DIR/@rel.btf to the primary's file, atomically. */
static int link_dup(const struct archive *a, const struct kernel *k, const struct kernel *pk,
		    const char *dst)
{
	char *src = xasprintf("%s/%s.btf", a->out_dir, pk->rel);
	char *tmp = xasprintf("%s.btfgen-tmp", dst);
	char *target = NULL;
	int err = 0;

	if (!src || !tmp) {
		err = -ENOMEM;
		goto out;
	}
	unlink(tmp);
	if (!strcmp(a->o.dedup, "symlink")) {
		/* both live three directories below OUTPUT_DIR */
		target = xasprintf("../../../%s.btf", pk->rel);
		if (!target || symlink(target, tmp))
			err = target ? -errno : -ENOMEM;
	} else if (!strcmp(a->o.dedup, "hardlink")) {
		if (link(src, tmp))
			err = -errno;
	} else {
		void *data = pk->out;
		size_t size = pk->out_size;

		if (!data && read_whole(src, &data, &size)) {
			err = -EIO;
			goto out;
		}
		err = util_write_file_atomic(dst, data, size);
		if (data != pk->out)
			xfree(data);
		goto out;
	}
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err) {
		pr_warn("%s: can't %s to %s: %s", dst, a->o.dedup, src, strerror(-err));
		unlink(tmp);
	}
out:
	(void)k;
	xfree(src);
	xfree(tmp);
	xfree(target);
	return err;
}

/* In sorted order: each distinct output written once, duplicates linked to it. */
static int write_outputs(struct archive *a, size_t *distinct)
{
	char (*hash)[65] = xcalloc(a->nr_k + 1, sizeof(*hash));
	size_t *primary = xcalloc(a->nr_k + 1, sizeof(*primary));
	size_t i;
	int err = -ENOMEM;

	*distinct = 0;
	if (!hash || !primary)
		goto out;
	for (i = 0; i < a->nr_k; i++)
		if (a->k[i].status == K_OK || a->k[i].status == K_SKIPPED)
			memcpy(hash[i], a->k[i].out_hash, 65);
	err = group_by_hash(a, (const char (*)[65])hash, primary);
	for (i = 0; !err && i < a->nr_k; i++) {
		struct kernel *k = &a->k[i];
		char *dst, *dir;

		if (k->status != K_OK && k->status != K_SKIPPED)
			continue;
		k->primary = primary[i];
		*distinct += primary[i] == i;
		/* a skipped duplicate is relinked when its group got a new first copy */
		if (k->status == K_SKIPPED &&
		    (primary[i] == i || a->k[primary[i]].status != K_OK))
			continue;
		dst = xasprintf("%s/%s.btf", a->out_dir, k->rel);
		dir = dst ? xstrdup(dst) : NULL;
		if (!dst || !dir) {
			err = -ENOMEM;
		} else {
			*strrchr(dir, '/') = '\0';
			err = mkdir_p(dir);
			if (!err && primary[i] == i)
				err = util_write_file_atomic(dst, k->out, k->out_size);
			else if (!err)
				err = link_dup(a, k, &a->k[primary[i]], dst);
		}
		xfree(dst);
		xfree(dir);
	}
out:
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", a->out_dir);
	xfree(hash);
	xfree(primary);
	return err;
}

/*
 * --tar FILE: the output tree as an uncompressed tar: sorted names, mtime 0,
 * uid/gid 0, mode 0644, duplicates as hard-link entries to the first copy.
 */
static int write_tar(const struct archive *a)
{
	struct tar_writer *w = tar_writer_new();
	void *buf = NULL;
	size_t len, i;
	int err = w ? 0 : -ENOMEM;

	for (i = 0; !err && i < a->nr_k; i++) {
		const struct kernel *k = &a->k[i];
		char *name;

		if (k->status != K_OK && k->status != K_SKIPPED)
			continue;
		name = xasprintf("%s.btf", k->rel);
		if (!name) {
			err = -ENOMEM;
			break;
		}
		if (k->primary != i) {
			char *target = xasprintf("%s.btf", a->k[k->primary].rel);

			err = target ? tar_writer_add_hardlink(w, name, target) : -ENOMEM;
			xfree(target);
		} else if (k->out) {
			err = tar_writer_add_file(w, name, k->out, k->out_size);
		} else {
			char *path = xasprintf("%s/%s", a->out_dir, name);
			void *data = NULL;
			size_t size;

			err = path ? read_whole(path, &data, &size) : -ENOMEM;
			if (!err)
				err = tar_writer_add_file(w, name, data, size);
			xfree(data);
			xfree(path);
		}
		xfree(name);
	}
	if (!err)
		err = tar_writer_finish(w, &buf, &len);
	if (!err)
		err = util_write_file_atomic(a->o.tar_path, buf, len);
	else
		pr_warn("%s: can't build the tar (error %d)", a->o.tar_path, err);
	xfree(buf);
	tar_writer_free(w);
	return err;
}

/*
 * --report FILE: per object, the kernels on which some of its relocations
 * resolve to nothing (poisoned), which relocation and why. JSON when FILE
 * ends in ".json", else text.
 */
static int write_report(const struct archive *a)
{
	bool json = has_suffix(a->o.report_path, ".json");
	char *buf = NULL;
	size_t len = 0, oi, i, j, nk = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < a->nr_k; i++)
		nk += a->k[i].status == K_OK || a->k[i].status == K_SKIPPED;
	if (json)
		fprintf(f, "{\"kernels\": %zu, \"objects\": [", nk);
	else
		fprintf(f, "btfgen coverage report: %zu kernels, %zu objects\n", nk, a->objs.n);
	for (oi = 0; oi < a->objs.n; oi++) {
		size_t bad = 0;
		bool first_k = true;

		for (i = 0; i < a->nr_k; i++) {
			for (j = 0; j < a->k[i].nr_poisons; j++)
				if ((size_t)strtoul(a->k[i].poisons[j], NULL, 10) == oi)
					break;
			bad += j < a->k[i].nr_poisons;
		}
		if (json) {
			fprintf(f, "%s\n  {\"object\": ", oi ? "," : "");
			json_str(f, a->objs.v[oi]->name);
			fprintf(f, ", \"kernels_with_poisoned_relocations\": %zu, \"kernels\": [", bad);
		} else if (bad) {
			fprintf(f, "\n%s: poisoned relocations on %zu of %zu kernels\n",
				a->objs.v[oi]->name, bad, nk);
		} else {
			fprintf(f, "\n%s: every relocation resolves on all %zu kernels\n",
				a->objs.v[oi]->name, nk);
		}
		for (i = 0; i < a->nr_k; i++) {
			const struct kernel *k = &a->k[i];
			bool first_r = true;

			for (j = 0; j < k->nr_poisons; j++) {
				const char *line = strchr(k->poisons[j], '\t');

				if ((size_t)strtoul(k->poisons[j], NULL, 10) != oi || !line)
					continue;
				line++;
				if (json) {
					if (first_r) {
						fprintf(f, "%s{\"kernel\": ", first_k ? "" : ", ");
						json_str(f, k->rel);
						fprintf(f, ", \"relocations\": [");
					}
					fprintf(f, "%s", first_r ? "" : ", ");
					json_str(f, line);
				} else {
					fprintf(f, "  %s: %s\n", k->rel, line);
				}
				first_r = false;
			}
			if (json && !first_r) {
				fprintf(f, "]}");
				first_k = false;
			}
		}
		if (json)
			fprintf(f, "]}");
	}
	if (json)
		fprintf(f, "\n]}\n");
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	err = util_write_file_atomic(a->o.report_path, buf, len);
	free(buf);
	return err;
}

/* ---- the command -------------------------------------------------------- */

/* The objects' identity for incremental runs: SHA-256 over their files' hashes. */
static int hash_objects(struct archive *a, char **paths, int n)
{
	char (*h)[65] = xcalloc((size_t)n + 1, sizeof(*h));
	int i, err = 0;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		struct util_file f;

		err = util_file_open(paths[i], &f);
		if (err)
			break;
		sha256_hex(f.data, f.size, h[i]);
		util_file_close(&f);
	}
	if (!err) {
		a->obj_args_hash = xmalloc(65);
		if (a->obj_args_hash)
			sha256_hex(h, (size_t)n * 65, a->obj_args_hash);
		else
			err = -ENOMEM;
	}
	if (err) {
		xfree(h);
		return err;
	}
	a->obj_args = paths;
	a->obj_arg_hash = h;
	a->nr_obj_args = (size_t)n;
	return 0;
}

int cmd_archive(int argc, char **argv, const struct cli_archive_opts *co)
{
	struct archive a = { 0 };
	struct mentry *mentries = NULL;
	size_t nm = 0, i, distinct = 0, nfailed = 0, nskip = 0;
	unsigned long long bytes_in = 0, bytes_out = 0;
	double t0 = now_s();
	char *manifest = NULL, *mpath = NULL;
	size_t mlen = 0;
	int err, jobs = co->jobs;
	unsigned long warnings = atomic_load(&diag_warnings);

	if (argc < 3) {
		fprintf(stderr, "btfgen: archive needs INPUT_DIR OUTPUT_DIR OBJECT..., %d argument%s given\n",
			argc, argc == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	if (strcmp(co->dedup, "hardlink") && strcmp(co->dedup, "symlink") &&
	    strcmp(co->dedup, "copy")) {
		fprintf(stderr, "btfgen: --dedup must be hardlink, symlink or copy, not '%s'\n",
			co->dedup);
		return EXIT_USAGE;
	}
	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (int)n : 1;
	}
	if (jobs > ARCHIVE_MAX_JOBS)
		jobs = ARCHIVE_MAX_JOBS;
	a.o = (struct archive_opts){
		.jobs = jobs, .dedup = co->dedup, .distro = co->distro, .version = co->version,
		.arch = co->arch, .release = co->release, .tar_path = co->tar_path,
		.report_path = co->report_path, .first_match_only = co->first_match_only,
		.verify = co->verify, .verify_fatal = co->verify_fatal,
	};
	a.in_dir = argv[0];
	a.out_dir = argv[1];
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);

	for (i = 2; i < (size_t)argc; i++) {
		err = cli_for_each_object(argv[i], cli_objs_push, &a.objs);
		if (err)
			goto out;
	}
	err = hash_objects(&a, argv + 2, argc - 2);
	if (err)
		goto out;
	err = walk(&a);
	if (err)
		goto out;
	err = mkdir_p(a.out_dir);
	if (err)
		goto out;
	manifest_read(&a, &mentries, &nm);
	err = mark_skips(&a, mentries, nm);
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
		err = run_workers(&a, jobs);
		if (err)
			goto out;
	}
	for (i = 0; i < a.nr_k; i++) {
		if (a.k[i].status == K_FAILED) {
			if (!strncmp(a.k[i].error, a.k[i].in_rel, strlen(a.k[i].in_rel)))
				pr_warn("archive: %s", a.k[i].error);
			else
				pr_warn("archive: %s: %s", a.k[i].in_rel, a.k[i].error);
			nfailed++;
		}
		nskip += a.k[i].status == K_SKIPPED;
		if (a.k[i].status == K_OK || a.k[i].status == K_SKIPPED) {
			bytes_in += a.k[i].in_size;
			bytes_out += a.k[i].out_size;
		}
	}
	err = write_outputs(&a, &distinct);
	if (err)
		goto out;
	manifest = manifest_text(&a, &mlen);
	mpath = xasprintf("%s/%s", a.out_dir, MANIFEST_NAME);
	if (!manifest || !mpath) {
		err = -ENOMEM;
		pr_warn("%s: out of memory", a.out_dir);
		goto out;
	}
	err = util_write_file_atomic(mpath, manifest, mlen);
	if (!err && a.o.tar_path)
		err = write_tar(&a);
	if (!err && a.o.report_path)
		err = write_report(&a);
	if (err)
		goto out;
	printf("archive: %zu kernels: %zu processed, %zu skipped (unchanged), %zu failed, %zu distinct outputs, %llu bytes in -> %llu bytes out, %.2f s (%zu other files ignored)\n",
	       a.nr_k, a.nr_todo - nfailed, nskip, nfailed, distinct, bytes_in, bytes_out,
	       now_s() - t0, a.ignored_files);
	if (nfailed)
		err = -EINVAL;
out:
	if (err == -ENOMEM && atomic_load(&diag_warnings) == warnings)
		pr_warn("archive: out of memory");	/* a path that returned without a word */
	for (i = 0; i < a.nr_k; i++) {
		struct kernel *k = &a.k[i];

		xfree(k->rel);
		xfree(k->in_rel);
		xfree(k->in_path);
		xfree(k->error);
		xfree(k->out);
		free_list(k->poisons, k->nr_poisons);
	}
	xfree(a.k);
	cli_objs_free(&a.objs);
	xfree(a.obj_args_hash);
	xfree(a.obj_arg_hash);
	xfree(a.todo);
	mentries_free(mentries, nm);
	free(manifest);
	xfree(mpath);
	pthread_mutex_destroy(&a.lock);
	pthread_cond_destroy(&a.cond);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
