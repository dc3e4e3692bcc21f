// SPDX-License-Identifier: MIT
/*
 * walk.c - find every kernel file below a root folder.
 *
 * The root may be a BTFHub archive root, any subtree of one, a folder above
 * it, or a flat folder of kernel files. The walk is a depth-first loop with
 * an explicit stack (no recursion), each folder's entries in byte order,
 * at most HUB_WALK_MAX_DEPTH levels deep. Symlinks are followed, but each
 * folder is entered once (its device and inode are remembered): a symlink
 * loop, or a second way into a folder already walked, is passed over with a
 * warning instead of walking forever or listing a kernel twice.
 *
 * A kernel's BTFHub fields come from the last three folder names above its
 * file, counting the folders above the root (its resolved path): so
 * "ubuntu/20.04/x86_64" as a flat folder still says ID ubuntu, VERSION_ID
 * 20.04, arch x86_64. With fewer than three, the key has no such fields.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/hub.h"

/* ---- a set of (device, inode) pairs: the folders entered ---------------- */

struct dir_id {
	dev_t dev;
	ino_t ino;
	bool used;
};

struct dir_set {
	struct dir_id *v;
	size_t cap, n;	/* cap: a power of two, or 0 */
};

static size_t dir_hash(dev_t dev, ino_t ino)
{
	u64 x = (u64)ino * 0x9e3779b97f4a7c15ull ^ (u64)dev * 0xc2b2ae3d27d4eb4full;

	return (size_t)(x ^ x >> 31);
}

/* Insert; returns 1 if it was new, 0 if already there, -ENOMEM. */
static int dir_set_add(struct dir_set *s, dev_t dev, ino_t ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 64;
		struct dir_id *nv = xcalloc(ncap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++) {
			size_t j;

			if (!s->v[i].used)
				continue;
			for (j = dir_hash(s->v[i].dev, s->v[i].ino) & (ncap - 1); nv[j].used;
			     j = (j + 1) & (ncap - 1))
				;
			nv[j] = s->v[i];
		}
		xfree(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	for (i = dir_hash(dev, ino) & (s->cap - 1); s->v[i].used; i = (i + 1) & (s->cap - 1))
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return 0;
	s->v[i] = (struct dir_id){ dev, ino, true };
	s->n++;
	return 1;
}

/* ---- walking ------------------------------------------------------------ */

struct frame {
	char *rel;		/* folder relative to the root, "" for the root */
	const char *dir_name;	/* its own name (points into rel), NULL for the root */
	char **names;		/* its entries, sorted */
	size_t n, i;
	int fd;			/* the folder, open: its entries are stat()ed relative to it */
};

struct walk {
	const char *root;	/* as given, without trailing slashes */
	char *above[3];		/* the last folder names of the root's resolved path, oldest first */
	int nr_above;
	const struct hub_filter *f;
	struct hub_tree *t;
	struct dir_set seen;
	struct frame stack[HUB_WALK_MAX_DEPTH + 1];
	int depth;		/* frames on the stack */
	size_t entries;		/* directory entries looked at */
};

static int cmp_str_ptr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void free_names(char **v, size_t n)
{
	while (n)
		xfree(v[--n]);
	xfree(v);
}

static char *join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = xmalloc(na + nb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, na);
	s[na] = '/';
	memcpy(s + na + 1, b, nb + 1);
	return na ? s : memmove(s, s + 1, nb + 1);
}

/* The sorted entries of the folder open as @fd (named @path), without "." and "..". */
static int list_dir(struct walk *w, int fd, const char *path, char ***out, size_t *nr)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int dfd = dup(fd);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	int err = 0;

	*out = NULL;
	*nr = 0;
	if (!d) {
		err = -errno;
		pr_warn("%s: can't read folder: %s", path, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return err;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++w->entries > HUB_WALK_MAX_ENTRIES) {
			pr_warn("%s: more than %u entries in the tree (HUB_WALK_MAX_ENTRIES)", w->root,
				HUB_WALK_MAX_ENTRIES);
			err = -E2BIG;
			break;
		}
		if (util_ensure_mem((void **)&v, &cap, sizeof(*v), n + 1, HUB_WALK_MAX_ENTRIES) ||
		    !(v[n] = xstrdup(de->d_name))) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (err) {
		free_names(v, n);
		return err;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str_ptr);
	*out = v;
	*nr = n;
	return 0;
}

static void passed_over(struct walk *w, const char *path, const char *why)
{
	w->t->passed_over++;
	pr_info("%s: passed over: %s", path, why);
}

/* The entry of a file of the current frame; its key from the last three folder names, or none. */
static int make_entry(struct walk *w, const char *rel, const char *fname, size_t rel_off,
		      size_t rel_len, struct hub_entry *e)
{
	const char *dirs[3];
	size_t dir_len[3];
	int have = 0, i;

	/* nearest folders first: the frames on the stack, then those above the root */
	for (i = w->depth - 1; i >= 1 && have < 3; i--)
		dirs[have++] = w->stack[i].dir_name;
	for (i = w->nr_above - 1; i >= 0 && have < 3; i--)
		dirs[have++] = w->above[i];
	for (i = 0; i < have; i++)
		dir_len[i] = strlen(dirs[i]);
	return hub_entry_make(rel, strlen(rel), (size_t)(fname - rel), rel_off, rel_len,
			      have == 3 ? dirs : NULL, dir_len, e);
}

static int add_file(struct walk *w, const char *rel, const char *path, const char *fname,
		    const struct stat *st)
{
	struct hub_entry e;
	size_t off, len;
	enum hub_fmt fmt;
	int err;

	if (!S_ISREG(st->st_mode)) {
		passed_over(w, path, S_ISFIFO(st->st_mode) ? "a FIFO" : "not a regular file");
		return 0;
	}
	fmt = hub_kernel_name(fname, &off, &len);
	if (fmt == HUB_FMT_NONE) {
		size_t n = strlen(fname);

		passed_over(w, path, (n > 7 && !strcmp(fname + n - 7, ".failed")) ||
					     (n > 7 && !strcmp(fname + n - 7, ".hasbtf")) ?
					     "a BTFHub marker" : "not a kernel file name");
		return 0;
	}
	if (st->st_size == 0) {
		passed_over(w, path, "empty (a BTFHub placeholder)");
		return 0;
	}
	/* @fname is the last component of @rel */
	if (make_entry(w, rel, rel + strlen(rel) - strlen(fname), off, len, &e))
		return -ENOMEM;
	e.fmt = fmt;
	e.size = (u64)st->st_size;
	e.mtime_ns = (s64)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	if (!hub_filter_match(w->f, &e.key)) {
		w->t->filtered_out++;
		hub_entry_free(&e);
		return 0;
	}
	err = util_ensure_mem((void **)&w->t->v, &w->t->cap, sizeof(e), w->t->n + 1,
			      HUB_MAX_KERNELS);
	if (err) {
		hub_entry_free(&e);
		if (err == -E2BIG)
			pr_warn("%s: more than %u kernels (HUB_MAX_KERNELS)", w->root, HUB_MAX_KERNELS);
		return err;
	}
	w->t->v[w->t->n++] = e;
	return 0;
}

/*
 * Enter folder @rel, @name in the folder open as @at (the root's path for
 * the root, @at unused); pushes a frame. Its entries are later stat()ed
 * relative to its descriptor, not by their whole paths: a lookup of one
 * name each instead of the whole path (4,300 files: half the time of select).
 */
static int enter(struct walk *w, char *rel, const char *path, int at, const char *dir_name)
{
	struct frame *fr;
	struct stat st;
	int err, fd;

	if (w->depth > HUB_WALK_MAX_DEPTH) {
		passed_over(w, path, "deeper than " "HUB_WALK_MAX_DEPTH (16) levels");
		xfree(rel);
		return 0;
	}
	fd = dir_name ? openat(at, dir_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
			open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		pr_warn("%s: can't read folder: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		xfree(rel);
		return err;
	}
	err = dir_set_add(&w->seen, st.st_dev, st.st_ino);
	if (err <= 0) {
		close(fd);
		xfree(rel);
		if (err == 0) {
			w->t->passed_over++;
			pr_warn("warning: %s: a folder already walked (a symlink loop, or a second "
				"way into it): passed over", path);
		}
		return err;
	}
	fr = &w->stack[w->depth];
	memset(fr, 0, sizeof(*fr));
	fr->rel = rel;
	fr->dir_name = dir_name ? rel + strlen(rel) - strlen(dir_name) : NULL;
	fr->fd = fd;
	err = list_dir(w, fd, path, &fr->names, &fr->n);
	if (err) {
		close(fd);
		xfree(rel);
		return err;
	}
	w->depth++;
	return 0;
}

static void pop(struct walk *w)
{
	struct frame *fr = &w->stack[--w->depth];

	free_names(fr->names, fr->n);
	xfree(fr->rel);
	close(fr->fd);
}

/*
 * Entries are ordered as their outputs' paths, NAME.btf, compare bytewise
 * (the order of the manifest and of the --tar file): "a-b" sorts before "a"
 * since "a-b.btf" < "a.btf".
 */
static int cmp_output_path(const char *a, const char *b)
{
	static const char suffix[] = ".btf";
	size_t na = strlen(a), nb = strlen(b), i;

	for (i = 0;; i++) {
		int ca = i < na ? (unsigned char)a[i] : (unsigned char)suffix[i - na];
		int cb = i < nb ? (unsigned char)b[i] : (unsigned char)suffix[i - nb];

		if (ca != cb || !ca)
			return ca - cb;
	}
}

static int cmp_entry(const void *x, const void *y)
{
	const struct hub_entry *a = x, *b = y;
	int c = cmp_output_path(a->name, b->name);

	return c ? c : strcmp(a->path, b->path);
}

/* Sort by name; of several files giving one name keep the first. */
static void drop_same_names(struct walk *w)
{
	struct hub_tree *t = w->t;
	size_t i, j = 0;

	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	for (i = 0; i < t->n; i++) {
		if (j && !strcmp(t->v[j - 1].name, t->v[i].name)) {
			pr_warn("warning: %s/%s: same kernel as %s (both give %s.btf): ignored",
				w->root, t->v[i].path, t->v[j - 1].path, t->v[i].name);
			hub_entry_free(&t->v[i]);
			t->same_name++;
			continue;
		}
		t->v[j++] = t->v[i];
	}
	t->n = j;
}

/* The last three folder names of the root's resolved path. */
static int root_above(struct walk *w)
{
	char *real = realpath(w->root, NULL), *p;
	int i;

	if (!real)
		return errno == ENOMEM ? -ENOMEM : 0;	/* the walk reports an unreadable root */
	for (p = real; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		if (w->nr_above == 3) {
			xfree(w->above[0]);
			memmove(w->above, w->above + 1, 2 * sizeof(w->above[0]));
			w->nr_above--;
		}
		w->above[w->nr_above] = xmalloc(n + 1);
		if (!w->above[w->nr_above]) {
			free(real);
			return -ENOMEM;
		}
		memcpy(w->above[w->nr_above], p, n);
		w->above[w->nr_above++][n] = '\0';
		p += n;
	}
	free(real);
	for (i = w->nr_above; i < 3; i++)
		w->above[i] = NULL;
	return 0;
}

int hub_walk(const char *root, const struct hub_filter *f, struct hub_tree *out)
{
	struct walk w = { .f = f, .t = out };
	char *root_copy = xstrdup(root), *rel, *path = NULL;
	struct stat st;
	size_t n;
	int err, i;

	memset(out, 0, sizeof(*out));
	if (!root_copy) {
		pr_warn("%s: out of memory", root);
		return -ENOMEM;
	}
	for (n = strlen(root_copy); n > 1 && root_copy[n - 1] == '/'; n--)
		root_copy[n - 1] = '\0';
	w.root = root_copy;
	if (stat(root_copy, &st) < 0) {
		err = -errno;
		pr_warn("%s: %s", root_copy, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_warn("%s: not a folder", root_copy);
		err = -ENOTDIR;
		goto out;
	}
	err = root_above(&w);
	rel = err ? NULL : xstrdup("");
	if (!rel) {
		err = -ENOMEM;
		goto out;
	}
	err = enter(&w, rel, root_copy, -1, NULL);
	while (!err && w.depth) {
		struct frame *fr = &w.stack[w.depth - 1];
		const char *name;

		if (fr->i == fr->n) {
			pop(&w);
			continue;
		}
		name = fr->names[fr->i++];
		rel = join(fr->rel, name);
		xfree(path);
		path = rel ? join(root_copy, rel) : NULL;
		if (!rel || !path) {
			xfree(rel);
			err = -ENOMEM;
			break;
		}
		if (name[0] == '.') {
			passed_over(&w, path, "hidden");
			xfree(rel);
		} else if (fstatat(fr->fd, name, &st, 0) < 0) {
			passed_over(&w, path, strerror(errno));
			xfree(rel);
		} else if (S_ISDIR(st.st_mode)) {
			err = enter(&w, rel, path, fr->fd, name);
		} else {
			err = add_file(&w, rel, path, name, &st);
			xfree(rel);
		}
	}
	if (!err)
		drop_same_names(&w);
out:
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", root);
	while (w.depth)
		pop(&w);
	for (i = 0; i < w.nr_above; i++)
		xfree(w.above[i]);
	xfree(w.seen.v);
	xfree(path);
	xfree(root_copy);
	if (err)
		hub_tree_free(out);
	return err;
}

void hub_tree_free(struct hub_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		hub_entry_free(&t->v[i]);
	xfree(t->v);
	memset(t, 0, sizeof(*t));
}
