// SPDX-License-Identifier: MIT
/*
 * manifest.c - OUT_DIR/btfgen-manifest.json: what `btfgen archive` did, for
 * people and tools, and for the next run to skip what has not changed.
 *
 *   {
 *     "format": "btfgen-manifest",
 *     "format_version": 2,
 *     "btfgen_version": "0.1.0",
 *     "options": {"first_match_only": false, "verify": true, "dedup": "hardlink"},
 *     "objects_sha256": "<SHA-256 over the object files' SHA-256s>",
 *     "object_files": [ {"path": "...", "sha256": "..."}, ... ],
 *     "objects": [ {"name": "...", "relocations": 12}, ... ],
 *     "kernels": [
 *       {"path": "ubuntu/20.04/x86_64/5.4.0-1", "input": "...btf.tar.xz",
 *        "id": "ubuntu", "version_id": "20.04", "arch": "x86_64", "release": "5.4.0-1",
 *        "input_size": 1, "input_mtime_ns": 1, "input_sha256": "...", "status": "ok",
 *        "output": "...5.4.0-1.btf", "output_sha256": "...", "output_size": 1,
 *        "dedup_of": "<path>", "same_input_as": "<path>", "poisoned": ["0\t...", ...]},
 *       {"path": ..., "status": "failed", "error": "..."}
 *     ]
 *   }
 *
 * Written with the JSON module (valid JSON whatever the names hold: bytes
 * that are not UTF-8 become U+FFFD). Read back with its bounded pull reader
 * as untrusted input: a manifest that does not parse, or does not follow the
 * schema above, gets one warning naming the file and the byte offset, and
 * the run reduces every kernel. Nothing read from it is ever used as a
 * path, and its hashes are only compared with hashes computed in the run.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"
#include "util/json.h"

#ifndef BTFGEN_VERSION
#define BTFGEN_VERSION "0.1.0"
#endif

/* ---- writing ------------------------------------------------------------ */

static void write_kernel(struct json_w *w, const struct archive *a, size_t i)
{
	const struct kernel *k = &a->k[i];
	size_t j;

	json_w_obj_begin(w, JSON_INLINE);
	json_w_key(w, "path");
	json_w_str(w, k->e->name);
	json_w_key(w, "input");
	json_w_str(w, k->e->path);
	json_w_key(w, "id");
	json_w_str(w, k->e->key.id);
	json_w_key(w, "version_id");
	json_w_str(w, k->e->key.version_id);
	json_w_key(w, "arch");
	json_w_str(w, k->e->key.arch);
	json_w_key(w, "release");
	json_w_str(w, k->e->key.release);
	json_w_key(w, "input_size");
	json_w_u64(w, k->e->size);
	json_w_key(w, "input_mtime_ns");
	json_w_s64(w, k->e->mtime_ns);
	json_w_key(w, "input_sha256");
	json_w_str(w, k->in_hash[0] ? k->in_hash : NULL);	/* null: the input could not be read */
	json_w_key(w, "status");
	json_w_str(w, kernel_has_output(k) ? "ok" : "failed");
	if (kernel_has_output(k)) {
		json_w_key(w, "output");
		json_w_str(w, k->out_path);
		json_w_key(w, "output_sha256");
		json_w_str(w, k->out_hash);
		json_w_key(w, "output_size");
		json_w_u64(w, k->out_size);
		if (k->primary != i) {
			json_w_key(w, "dedup_of");
			json_w_str(w, a->k[k->primary].e->name);
		}
		if (k->same_input != i) {
			json_w_key(w, "same_input_as");
			json_w_str(w, a->k[k->same_input].e->name);
		}
		json_w_key(w, "poisoned");
		json_w_arr_begin(w, JSON_INLINE);
		for (j = 0; j < k->nr_poisons; j++)
			json_w_str(w, k->poisons[j]);
		json_w_arr_end(w);
	} else {
		json_w_key(w, "error");
		json_w_str(w, k->error);
	}
	json_w_obj_end(w);
}

int manifest_write(struct archive *a)
{
	const struct hub_archive_opts *o = a->o;
	struct json_w w;
	char *text = NULL, *display;
	size_t len, i, n = strlen(o->out_dir) + sizeof(HUB_MANIFEST_NAME) + 1;
	int err;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, "format");
	json_w_str(&w, HUB_MANIFEST_FORMAT);
	json_w_key(&w, "format_version");
	json_w_u64(&w, HUB_MANIFEST_VERSION);
	json_w_key(&w, "btfgen_version");
	json_w_str(&w, BTFGEN_VERSION);
	json_w_key(&w, "options");
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "first_match_only");
	json_w_bool(&w, o->first_match_only);
	json_w_key(&w, "verify");
	json_w_bool(&w, o->verify);
	json_w_key(&w, "dedup");
	json_w_str(&w, hub_dedup_name(o->dedup));
	json_w_obj_end(&w);
	json_w_key(&w, "objects_sha256");
	json_w_str(&w, a->objs_hash);
	json_w_key(&w, "object_files");
	json_w_arr_begin(&w, JSON_LINES);
	for (i = 0; i < a->objs->nr_files; i++) {
		json_w_obj_begin(&w, JSON_INLINE);
		json_w_key(&w, "path");
		json_w_str(&w, a->objs->files[i]);
		json_w_key(&w, "sha256");
		json_w_str(&w, a->obj_file_hash[i]);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_key(&w, "objects");
	json_w_arr_begin(&w, JSON_LINES);
	for (i = 0; i < a->objs->n; i++) {
		json_w_obj_begin(&w, JSON_INLINE);
		json_w_key(&w, "name");
		json_w_str(&w, a->objs->v[i]->name);
		json_w_key(&w, "relocations");
		json_w_u64(&w, a->objs->v[i]->nr_relos);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_key(&w, "kernels");
	json_w_arr_begin(&w, JSON_LINES);
	for (i = 0; i < a->nr_k; i++)
		write_kernel(&w, a, i);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	err = json_w_finish(&w, &text, &len);
	json_w_free(&w);
	display = xmalloc(n);
	if (err || !display) {
		pr_warn("%s: out of memory", o->out_dir);
		xfree(text);
		xfree(display);
		return err ? err : -ENOMEM;
	}
	snprintf(display, n, "%s/%s", o->out_dir, HUB_MANIFEST_NAME);
	err = util_write_atomic_at(a->out_fd, HUB_MANIFEST_NAME, text, len, display);
	xfree(text);
	xfree(display);
	return err;
}

/* ---- reading ------------------------------------------------------------ */

void manifest_doc_free(struct manifest_doc *d)
{
	xfree(d->format);
	xfree(d->btfgen_version);
	xfree(d->dedup);
	xfree(d->objects_sha256);
	mentries_free(d->v, d->n);
	xfree(d->off);
	memset(d, 0, sizeof(*d));
}

void mentries_free(struct mentry *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xfree(m[i].path);
		free_str_list(m[i].poisons, m[i].nr_poisons);
	}
	xfree(m);
}

/* An allocation failed: the reader's error, as -ENOMEM. */
static void fail_nomem(struct json_rd *r)
{
	if (r->err)
		return;
	json_rd_fail(r, "out of memory");
	r->err = -ENOMEM;
}

/* The string just read (JSON_STR), copied; the reader's error on failure. */
static char *take_str(struct json_rd *r, enum json_tok t, const char *key)
{
	char *s;

	if (t != JSON_STR) {
		json_rd_fail(r, "\"%s\": expected a string", key);
		return NULL;
	}
	s = xstrdup(r->str);
	if (!s)
		fail_nomem(r);
	return s;
}

static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* 64 lowercase hex digits into @out, or null (@out stays ""). */
static void read_hex64(struct json_rd *r, enum json_tok t, const char *key, char out[65])
{
	if (t == JSON_NULL) {
		out[0] = '\0';
		return;
	}
	if (t != JSON_STR || !is_hex64(r->str)) {
		json_rd_fail(r, "\"%s\": expected 64 lowercase hex digits or null", key);
		return;
	}
	memcpy(out, r->str, 65);
}

static void read_u64(struct json_rd *r, enum json_tok t, const char *key, u64 *v)
{
	if (t != JSON_NUM)
		json_rd_fail(r, "\"%s\": expected a number", key);
	else
		json_rd_u64(r, v);
}

/* "poisoned": ["<object index>\t<text>", ...] */
static void read_poisons(struct json_rd *r, enum json_tok t, struct mentry *e, size_t nr_objs)
{
	size_t cap = 0;

	if (t != JSON_ARR) {
		json_rd_fail(r, "\"poisoned\": expected an array");
		return;
	}
	while ((t = json_next(r)) != JSON_ARR_END && t != JSON_ERR) {
		char *end, *s;
		unsigned long idx;

		if (t != JSON_STR) {
			json_rd_fail(r, "\"poisoned\": expected strings");
			return;
		}
		idx = strtoul(r->str, &end, 10);
		if (end == r->str || *end != '\t' || r->str[0] < '0' || r->str[0] > '9' ||
		    idx >= nr_objs) {
			json_rd_fail(r, "\"poisoned\": not \"<object index>\\t<relocation>\" for %zu objects",
				     nr_objs);
			return;
		}
		if (e->nr_poisons == HUB_MAX_POISONS) {
			json_rd_fail(r, "\"poisoned\": more than %u entries", HUB_MAX_POISONS);
			return;
		}
		if (util_ensure_mem((void **)&e->poisons, &cap, sizeof(char *), e->nr_poisons + 1,
				    HUB_MAX_POISONS) || !(s = xstrdup(r->str))) {
			fail_nomem(r);
			return;
		}
		e->poisons[e->nr_poisons++] = s;
	}
}

/* One entry of "kernels"; only "ok" ones are kept. */
static void read_kernel(struct json_rd *r, struct manifest_doc *d, size_t nr_objs)
{
	struct mentry e = { .in_mtime_ns = 0 };
	size_t off = r->tok_off;
	bool have[7] = { false }, ok = false;
	enum json_tok t;
	int err;

	while (!r->err && (t = json_next(r)) != JSON_OBJ_END && t != JSON_ERR) {
		char key[32];

		snprintf(key, sizeof(key), "%s", r->str);
		t = json_next(r);
		if (t == JSON_ERR)
			break;
		if (!strcmp(key, "path")) {
			xfree(e.path);
			e.path = take_str(r, t, key);
			if (e.path && !util_path_is_clean_rel(e.path))
				json_rd_fail(r, "\"path\": not a clean relative path");
			have[0] = true;
		} else if (!strcmp(key, "input_size")) {
			read_u64(r, t, key, &e.in_size);
			have[1] = true;
		} else if (!strcmp(key, "input_mtime_ns")) {
			int64_t v = 0;

			if (t != JSON_NUM)
				json_rd_fail(r, "\"%s\": expected a number", key);
			else
				json_rd_s64(r, &v);
			e.in_mtime_ns = v;
			have[2] = true;
		} else if (!strcmp(key, "input_sha256")) {
			read_hex64(r, t, key, e.in_hash);
			have[3] = true;
		} else if (!strcmp(key, "output_sha256")) {
			read_hex64(r, t, key, e.out_hash);
			have[4] = true;
		} else if (!strcmp(key, "output_size")) {
			read_u64(r, t, key, &e.out_size);
			have[5] = true;
		} else if (!strcmp(key, "status")) {
			if (t != JSON_STR || (strcmp(r->str, "ok") && strcmp(r->str, "failed")))
				json_rd_fail(r, "\"status\": expected \"ok\" or \"failed\"");
			ok = t == JSON_STR && !strcmp(r->str, "ok");
			have[6] = true;
		} else if (!strcmp(key, "poisoned")) {
			free_str_list(e.poisons, e.nr_poisons);
			e.poisons = NULL;
			e.nr_poisons = 0;
			read_poisons(r, t, &e, nr_objs);
		} else {
			json_skip(r, t);
		}
	}
	if (!r->err && (!have[0] || !have[6] ||
			(ok && !(have[1] && have[2] && have[3] && have[4] && have[5] &&
				 e.in_hash[0] && e.out_hash[0])))) {
		r->tok_off = off;
		json_rd_fail(r, "kernel entry without %s", !have[0] ? "\"path\"" :
			     !have[6] ? "\"status\"" : "its input and output fields");
	}
	e.ok = ok;
	err = r->err ? 0 : util_ensure_mem((void **)&d->v, &d->cap, sizeof(*d->v), d->n + 1,
					   HUB_MAX_KERNELS);
	if (!err && !r->err)
		err = util_ensure_mem((void **)&d->off, &d->off_cap, sizeof(*d->off), d->n + 1,
				      HUB_MAX_KERNELS);
	if (err == -E2BIG)
		json_rd_fail(r, "more than HUB_MAX_KERNELS kernels");
	else if (err)
		fail_nomem(r);
	if (r->err) {
		xfree(e.path);
		free_str_list(e.poisons, e.nr_poisons);
		return;
	}
	d->off[d->n] = off;
	d->v[d->n++] = e;
}

static void read_options(struct json_rd *r, struct manifest_doc *d)
{
	enum json_tok t;

	while (!r->err && (t = json_next(r)) != JSON_OBJ_END && t != JSON_ERR) {
		char key[32];

		snprintf(key, sizeof(key), "%s", r->str);
		t = json_next(r);
		if (!strcmp(key, "first_match_only") || !strcmp(key, "verify")) {
			if (t != JSON_TRUE && t != JSON_FALSE)
				json_rd_fail(r, "\"%s\": expected true or false", key);
			*(key[0] == 'f' ? &d->first_match_only : &d->verify) = t == JSON_TRUE;
		} else if (!strcmp(key, "dedup")) {
			xfree(d->dedup);
			d->dedup = take_str(r, t, key);
		} else {
			json_skip(r, t);
		}
	}
}

/* Parse the whole document into @d; false (r->err set) when it isn't one we write. */
static bool read_doc(struct json_rd *r, struct manifest_doc *d, size_t nr_objs)
{
	enum json_tok t = json_next(r);

	if (t != JSON_OBJ) {
		json_rd_fail(r, "expected an object");
		return false;
	}
	while (!r->err && (t = json_next(r)) != JSON_OBJ_END && t != JSON_ERR) {
		char key[32];
		char **slot = NULL;

		snprintf(key, sizeof(key), "%s", r->str);
		t = json_next(r);
		if (t == JSON_ERR)
			break;
		if (!strcmp(key, "format"))
			slot = &d->format;
		else if (!strcmp(key, "btfgen_version"))
			slot = &d->btfgen_version;
		else if (!strcmp(key, "objects_sha256"))
			slot = &d->objects_sha256;
		if (slot) {
			xfree(*slot);
			*slot = take_str(r, t, key);
			if (slot == &d->format && *slot && strcmp(*slot, HUB_MANIFEST_FORMAT))
				json_rd_fail(r, "\"format\": \"%s\" is not a btfgen manifest",
					     HUB_MANIFEST_FORMAT);
		} else if (!strcmp(key, "format_version")) {
			read_u64(r, t, key, &d->format_version);
		} else if (!strcmp(key, "options")) {
			if (t != JSON_OBJ)
				json_rd_fail(r, "\"options\": expected an object");
			else
				read_options(r, d);
		} else if (!strcmp(key, "kernels")) {
			if (t != JSON_ARR) {
				json_rd_fail(r, "\"kernels\": expected an array");
				break;
			}
			while (!r->err && (t = json_next(r)) != JSON_ARR_END && t != JSON_ERR) {
				if (t != JSON_OBJ) {
					json_rd_fail(r, "\"kernels\": expected objects");
					break;
				}
				read_kernel(r, d, nr_objs);
			}
		} else {
			json_skip(r, t);
		}
	}
	if (!r->err && json_next(r) != JSON_EOF)
		json_rd_fail(r, "more after the manifest's object");
	/* an earlier btfgen's manifest (format 1) had no "format": not ours, but no error */
	if (!r->err && !d->format && !d->btfgen_version)
		json_rd_fail(r, "not a btfgen manifest (no \"format\": \"%s\")", HUB_MANIFEST_FORMAT);
	return !r->err;
}

struct path_off {
	const char *path;
	size_t off;
};

static int cmp_path_off(const void *x, const void *y)
{
	const struct path_off *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	return c ? c : (a->off > b->off) - (a->off < b->off);
}

/*
 * Two entries with one path: the manifest was not written by us. Returns
 * the later one (its offset in *@at), or NULL; -ENOMEM counts as "none":
 * the entries are then not used either.
 */
static const char *find_duplicate(const struct manifest_doc *d, size_t *at, bool *nomem)
{
	struct path_off *v;
	const char *dup = NULL;
	size_t i;

	*nomem = false;
	if (d->n < 2)
		return NULL;
	v = xcalloc(d->n, sizeof(*v));
	if (!v) {
		*nomem = true;
		return NULL;
	}
	for (i = 0; i < d->n; i++)
		v[i] = (struct path_off){ d->v[i].path, d->off[i] };
	qsort(v, d->n, sizeof(*v), cmp_path_off);
	for (i = 1; i < d->n && !dup; i++) {
		if (!strcmp(v[i - 1].path, v[i].path)) {
			dup = v[i].path;
			*at = v[i].off;
		}
	}
	xfree(v);
	return dup;
}

int manifest_parse(const void *data, size_t size, size_t nr_objs, struct manifest_doc *d,
		   size_t *err_off, char *msg, size_t msg_len)
{
	struct json_rd r;
	const char *dup;
	size_t at, i, j;
	bool nomem;
	int err = 0;

	memset(d, 0, sizeof(*d));
	d->first_match_only = d->verify = -1;
	json_rd_init(&r, data, size);
	if (!read_doc(&r, d, nr_objs)) {
		*err_off = r.err_off;
		snprintf(msg, msg_len, "%s", r.err_msg);
		err = r.err;
	} else if ((dup = find_duplicate(d, &at, &nomem)) || nomem) {
		*err_off = dup ? at : 0;
		snprintf(msg, msg_len, dup ? "a second entry for kernel %s" : "out of memory", dup);
		err = dup ? -EINVAL : -ENOMEM;
	}
	json_rd_free(&r);
	if (err) {
		manifest_doc_free(d);
		return err;
	}
	/* the failed kernels were only kept for the duplicate check */
	for (i = j = 0; i < d->n; i++) {
		if (d->v[i].ok) {
			d->off[j] = d->off[i];
			d->v[j++] = d->v[i];
		} else {
			xfree(d->v[i].path);
			free_str_list(d->v[i].poisons, d->v[i].nr_poisons);
		}
	}
	d->n = j;
	return 0;
}

void manifest_read(struct archive *a, struct mentry **out, size_t *nr)
{
	const struct hub_archive_opts *o = a->o;
	struct util_file f = { 0 };
	struct manifest_doc d;
	size_t n = strlen(o->out_dir) + sizeof(HUB_MANIFEST_NAME) + 1, at = 0;
	char *display = xmalloc(n), msg[JSON_ERR_MSG_LEN + 64];
	int err;

	*out = NULL;
	*nr = 0;
	if (!display)
		return;		/* a full run */
	snprintf(display, n, "%s/%s", o->out_dir, HUB_MANIFEST_NAME);
	err = util_file_open_at(a->out_fd, HUB_MANIFEST_NAME, display,
				UTIL_F_NOFOLLOW | UTIL_F_QUIET, HUB_MANIFEST_MAX_SIZE, &f);
	if (err) {
		if (err != -ENOENT)
			pr_warn("warning: %s: %s: not read, every kernel is reduced again", display,
				err == -EINVAL ? "not a regular file" :
				err == -ELOOP ? "a symlink" :
				err == -E2BIG ? "larger than HUB_MANIFEST_MAX_SIZE (256 MiB)" :
				strerror(-err));
		xfree(display);
		return;
	}
	err = manifest_parse(f.data, f.size, a->objs->n, &d, &at, msg, sizeof(msg));
	util_file_close(&f);
	if (err) {
		pr_warn("warning: %s: byte %zu: %s: ignored, every kernel is reduced again", display,
			at, msg);
	} else if (d.format_version != HUB_MANIFEST_VERSION ||
		   !d.btfgen_version || strcmp(d.btfgen_version, BTFGEN_VERSION) ||
		   d.first_match_only != o->first_match_only || d.verify != o->verify ||
		   !d.dedup || strcmp(d.dedup, hub_dedup_name(o->dedup)) ||
		   !d.objects_sha256 || strcmp(d.objects_sha256, a->objs_hash)) {
		pr_info("%s: another btfgen version, manifest format, objects or options: every "
			"kernel is reduced again", display);
		manifest_doc_free(&d);
	} else {
		*out = d.v;
		*nr = d.n;
		d.v = NULL;
		d.n = 0;
		manifest_doc_free(&d);
	}
	xfree(display);
}
