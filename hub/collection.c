// SPDX-License-Identifier: MIT
/*
 * collection.c - a collection of kernel BTF files to pick one from
 * (`btfgen select`, `btfgen install`, the runtime library):
 *
 *   a folder   what `btfgen archive` writes, or any BTFHub-layout tree of
 *              .btf / .btf.tar.xz (forks spelling the arch "aarch64" too):
 *              walked by hub_walk(), files read on demand
 *   a tar      what `archive --tar` writes: <ID>/<VERSION_ID>/<arch>/<release>.btf
 *              members, identical outputs as hard links to the first copy
 *   a tar.xz   the same tar compressed, read with btfgen's own xz decoder
 *
 * Told by content, not by name. A collection is untrusted input: tar
 * member names must be clean relative paths ("./" prefixes aside), a hard
 * link must name an earlier kernel file of the collection, no name may
 * appear twice, and decompression stops at util_limits.btf_size. A hard
 * link may name a link before it (it resolves to the same bytes); symlink
 * members are skipped. Member names are never used as paths on disk.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btf/btf.h"
#include "elf/elf_file.h"
#include "hub/hub.h"
#include "tar/tarball.h"
#include "xz/xz.h"

/* "./a/./b" -> "a/./b" ... only leading "./" components are dropped. */
static const char *strip_dot_slash(const char *p)
{
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	return p;
}

struct by_path {
	const char *path;
	size_t idx;
};

static int cmp_by_path(const void *x, const void *y)
{
	const struct by_path *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Add a kernel entry named @path (clean) with @data; non-kernel names are counted. */
static int add_member(struct hub_coll *c, const char *path, const void *data, size_t size,
		      size_t *cap_data)
{
	const char *base = strrchr(path, '/'), *dirs[3], *end;
	size_t off, len, dir_len[3];
	struct hub_entry e;
	enum hub_fmt fmt;
	int have = 0, err;

	base = base ? base + 1 : path;
	fmt = hub_kernel_name(base, &off, &len);
	if (fmt == HUB_FMT_NONE) {
		c->passed_over++;
		return 0;
	}
	/* the three nearest folders of the member's path, nearest first */
	for (end = base - 1; end > path && have < 3;) {
		const char *start = end;

		while (start > path && start[-1] != '/')
			start--;
		dirs[have] = start;
		dir_len[have++] = (size_t)(end - start);
		end = start - 1;
	}
	err = hub_entry_make(path, strlen(path), (size_t)(base - path), off, len,
			     have == 3 ? dirs : NULL, dir_len, &e);
	if (err)
		return err;
	e.fmt = fmt;
	e.size = size;
	err = util_ensure_mem((void **)&c->t.v, &c->t.cap, sizeof(e), c->t.n + 1, HUB_MAX_KERNELS);
	if (!err)
		err = util_ensure_mem((void **)&c->data, cap_data, sizeof(*c->data), c->t.n + 1,
				      HUB_MAX_KERNELS);
	if (err) {
		hub_entry_free(&e);
		return err;
	}
	c->data[c->t.n] = data;
	c->t.v[c->t.n++] = e;
	return 0;
}

/*
 * The entries' paths, hashed (open addressing, FNV-1a), as they are read:
 * a hard link finds its target among the members before it, and a path
 * read twice is caught where it is, in one pass.
 */
struct path_slot {
	size_t idx;	/* entry index + 1; 0: empty */
	size_t hash;
};

struct path_set {
	struct path_slot *slot;
	size_t cap;	/* a power of two, or 0 */
	size_t n;
};

static size_t path_hash(const char *s)
{
	u64 h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (u8)*s) * 0x100000001b3ull;
	return (size_t)(h ^ h >> 32);
}

/* The entry of path @path (hashed to @hash), or -1. */
static long path_find(const struct path_set *ps, const struct hub_coll *c, const char *path,
		      size_t hash)
{
	size_t i;

	if (!ps->cap)
		return -1;
	for (i = hash & (ps->cap - 1); ps->slot[i].idx; i = (i + 1) & (ps->cap - 1))
		if (ps->slot[i].hash == hash && !strcmp(c->t.v[ps->slot[i].idx - 1].path, path))
			return (long)(ps->slot[i].idx - 1);
	return -1;
}

static int path_add(struct path_set *ps, size_t idx, size_t hash)
{
	size_t i;

	if (2 * (ps->n + 1) > ps->cap) {
		size_t ncap = ps->cap ? 2 * ps->cap : 256;
		struct path_slot *ns = xcalloc(ncap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (i = 0; i < ps->cap; i++) {
			size_t j;

			if (!ps->slot[i].idx)
				continue;
			for (j = ps->slot[i].hash & (ncap - 1); ns[j].idx; j = (j + 1) & (ncap - 1))
				;
			ns[j] = ps->slot[i];
		}
		xfree(ps->slot);
		ps->slot = ns;
		ps->cap = ncap;
	}
	for (i = hash & (ps->cap - 1); ps->slot[i].idx; i = (i + 1) & (ps->cap - 1))
		;
	ps->slot[i] = (struct path_slot){ idx + 1, hash };
	ps->n++;
	return 0;
}

/* Size the entry, data and path tables for @n members (at most HUB_MAX_KERNELS). */
static int reserve(struct hub_coll *c, size_t *cap_data, struct path_set *ps, size_t n)
{
	size_t cap = 256;

	if (n > HUB_MAX_KERNELS)
		n = HUB_MAX_KERNELS;
	while (cap < 2 * n)
		cap *= 2;
	ps->slot = xcalloc(cap, sizeof(*ps->slot));
	if (!ps->slot ||
	    util_ensure_mem((void **)&c->t.v, &c->t.cap, sizeof(*c->t.v), n, HUB_MAX_KERNELS) ||
	    util_ensure_mem((void **)&c->data, cap_data, sizeof(*c->data), n, HUB_MAX_KERNELS))
		return -ENOMEM;
	ps->cap = cap;
	return 0;
}

/* Every regular and hard-link member of the tar @data, in archive order. */
static int read_tar(struct hub_coll *c, const char *name, const void *data, size_t size)
{
	struct path_set ps = { 0 };
	struct tar_member *m = xmalloc(sizeof(*m));
	struct tar_reader r;
	size_t cap_data = 0, before;
	char err_msg[256];
	int ret = 0, err = 0;

	if (!m) {
		pr_warn("%s: out of memory", name);
		return -ENOMEM;
	}
	/*
	 * Room for every member the archive can hold (one 512-byte block
	 * each, at least): the tables are allocated once, and large ones are
	 * only touched as far as they are used.
	 */
	err = reserve(c, &cap_data, &ps, size / TAR_BLOCK_SIZE);
	tar_reader_init_flags(&r, data, size, TAR_READ_HARDLINKS);
	while (!err && (ret = tar_next(&r, m, err_msg, sizeof(err_msg))) == 1) {
		const char *path = strip_dot_slash(m->name), *what = NULL;
		const void *mdata = m->data;
		size_t msize = m->size, hash = 0;

		if (!util_path_is_clean_rel(path)) {
			what = "not a clean relative name (absolute, '..', or empty components)";
		} else if (path_find(&ps, c, path, hash = path_hash(path)) >= 0) {
			what = "a second member of that name (which one is meant?)";
		} else if (m->type == '1') {
			/* a hard link: to an earlier kernel file of the collection */
			const char *target = strip_dot_slash(m->link);
			long t = path_find(&ps, c, target, path_hash(target));

			if (t < 0) {
				pr_warn("%s: tar member '%.200s' at offset %zu: a hard link to '%.200s', "
					"which is not an earlier kernel file of the collection: refused",
					name, m->name, m->offset, m->link);
				err = -EINVAL;
				break;
			}
			mdata = c->data[t];
			msize = c->t.v[t].size;
			c->nr_links++;
		}
		if (what) {
			pr_warn("%s: tar member '%.200s' at offset %zu: %s: refused", name, m->name,
				m->offset, what);
			err = -EINVAL;
			break;
		}
		before = c->t.n;
		err = add_member(c, path, mdata, msize, &cap_data);
		if (!err && c->t.n > before)
			err = path_add(&ps, before, hash);
	}
	if (!err && ret < 0) {
		pr_warn("%s: tar: %s", name, err_msg);
		err = ret;
	}
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", name);
	xfree(ps.slot);
	xfree(m);
	return err;
}

/* Sort a tar collection's entries (with their data) by path; written sorted, often already. */
static int sort_entries(struct hub_coll *c, const char *name)
{
	struct by_path *v;
	struct hub_entry *e;
	const void **d;
	size_t i;

	for (i = 1; i < c->t.n && strcmp(c->t.v[i - 1].path, c->t.v[i].path) < 0; i++)
		;
	if (i >= c->t.n)
		return 0;	/* archive --tar writes them sorted */
	v = xcalloc(c->t.n, sizeof(*v));
	e = xcalloc(c->t.n, sizeof(*e));
	d = xcalloc(c->t.n, sizeof(*d));
	if (!v || !e || !d) {
		xfree(v);
		xfree(e);
		xfree(d);
		pr_warn("%s: out of memory", name);
		return -ENOMEM;
	}
	for (i = 0; i < c->t.n; i++)
		v[i] = (struct by_path){ c->t.v[i].path, i };
	qsort(v, c->t.n, sizeof(*v), cmp_by_path);
	for (i = 0; i < c->t.n; i++) {
		e[i] = c->t.v[v[i].idx];
		d[i] = c->data[v[i].idx];
	}
	xfree(v);
	xfree(c->t.v);
	xfree(c->data);
	c->t.v = e;
	c->t.cap = c->t.n;
	c->data = d;
	return 0;
}

int hub_coll_from_mem(const char *name, const void *data, size_t size, struct hub_coll *c)
{
	char err_msg[256];
	size_t plain_size;
	int err;

	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	if (!c->name) {
		pr_warn("%s: out of memory", name);
		return -ENOMEM;
	}
	if (xz_is_xz(data, size)) {
		err = xz_decode(data, size, util_limits.btf_size > SIZE_MAX ? SIZE_MAX :
					    (size_t)util_limits.btf_size, &c->plain, &plain_size,
				err_msg, sizeof(err_msg));
		if (err) {
			pr_warn("%s: xz: %s%s", name, err_msg, err == -E2BIG ?
				" (the decompressed size limit; raise it with --max-btf-size)" : "");
			hub_coll_free(c);
			return err;
		}
		data = c->plain;
		size = plain_size;
	}
	if (size < TAR_BLOCK_SIZE || btf_is_raw(data, size) || elf_is_elf(data, size)) {
		pr_warn("%s: not a collection (a folder, a tar or a tar.xz of kernel BTF files)",
			name);
		hub_coll_free(c);
		return -EINVAL;
	}
	err = read_tar(c, name, data, size);
	if (!err)
		err = sort_entries(c, name);
	if (err)
		hub_coll_free(c);
	return err;
}

int hub_coll_open(const char *path, struct hub_coll *c)
{
	struct util_file f;
	struct stat st;
	int err;

	memset(c, 0, sizeof(*c));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		c->dir = xstrdup(path);
		c->name = xstrdup(path);
		if (!c->dir || !c->name) {
			hub_coll_free(c);
			pr_warn("%s: out of memory", path);
			return -ENOMEM;
		}
		err = hub_walk(path, NULL, &c->t);
		if (err) {
			hub_coll_free(c);
			return err;
		}
		c->passed_over = c->t.passed_over + c->t.same_name;
		return 0;
	}
	err = util_file_open_at(AT_FDCWD, path, path, 0, util_limits.input_size, &f);
	if (err)
		return err;
	err = hub_coll_from_mem(path, f.data, f.size, c);
	if (err) {
		util_file_close(&f);
		return err;
	}
	c->file = f;	/* the entries point into it (unless it was xz) */
	return 0;
}

void hub_coll_free(struct hub_coll *c)
{
	hub_tree_free(&c->t);
	xfree(c->data);
	xfree(c->dir);
	xfree(c->name);
	xfree(c->plain);
	if (c->file.data)
		util_file_close(&c->file);
	memset(c, 0, sizeof(*c));
}

/* Is @data a kernel BTF btfgen can read: raw BTF that parses, or an ELF whose .BTF does? */
static int check_btf(const char *name, const void *data, size_t size)
{
	struct btf *btf = NULL;
	int err;

	if (!btf_is_raw(data, size)) {
		pr_warn("%s: not a raw BTF file", name);
		return -EINVAL;
	}
	err = btf_parse(data, size, name, &btf);
	btf_free(btf);
	return err;
}

int hub_coll_read(const struct hub_coll *c, size_t i, void **owned, const void **btf,
		  size_t *size)
{
	const struct hub_entry *e = &c->t.v[i];
	struct util_file f = { 0 };
	const void *data;
	size_t len;
	char *path = NULL;
	int err;

	*owned = NULL;
	/* messages name the collection and the entry: "coll.tar: ubuntu/.../R.btf" */
	path = xmalloc(strlen(c->name) + strlen(e->path) + 3);
	if (!path) {
		pr_warn("%s: out of memory", e->path);
		return -ENOMEM;
	}
	sprintf(path, c->dir ? "%s/%s" : "%s: %s", c->name, e->path);
	if (c->dir) {
		err = util_file_open_at(AT_FDCWD, path, path, 0, util_limits.input_size, &f);
		if (err)
			goto out;
		data = f.data;
		len = f.size;
	} else {
		data = c->data[i];
		len = e->size;
	}
	err = hub_unpack(path, data, len, owned, btf, size);
	if (err)
		goto out;
	if (f.data && !*owned) {
		/* the file is closed below: keep a copy */
		*owned = xmalloc(*size ? *size : 1);
		if (!*owned) {
			pr_warn("%s: out of memory", e->path);
			err = -ENOMEM;
			goto out;
		}
		memcpy(*owned, *btf, *size);
		*btf = *owned;
	}
	if (elf_is_elf(*btf, *size)) {
		/* an ELF-wrapped BTF (objcopy's, or `btfgen install`'s): its .BTF section */
		struct elf_file *ef = NULL;
		const void *sec;
		size_t sec_size;
		void *copy;

		err = elf_parse(*btf, *size, path, &ef);
		if (!err && elf_find_section(ef, ".BTF", &sec, &sec_size)) {
			pr_warn("%s: ELF has no .BTF section", path);
			err = -EINVAL;
		}
		copy = err ? NULL : xmalloc(sec_size ? sec_size : 1);
		if (!err && !copy) {
			pr_warn("%s: out of memory", e->path);
			err = -ENOMEM;
		}
		if (!err) {
			memcpy(copy, sec, sec_size);
			xfree(*owned);
			*owned = copy;
			*btf = copy;
			*size = sec_size;
		}
		elf_free(ef);
		if (err)
			goto out;
	}
	err = check_btf(path, *btf, *size);
out:
	if (err) {
		xfree(*owned);
		*owned = NULL;
	}
	if (f.data)
		util_file_close(&f);
	xfree(path);
	return err;
}
