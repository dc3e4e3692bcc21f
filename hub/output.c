// SPDX-License-Identifier: MIT
/*
 * output.c - the output tree of `btfgen archive`, and its --tar file.
 *
 * Per distinct output (grouped by the SHA-256 computed in this run) one
 * regular file is written, at the path of the group's first kernel in
 * output order; every other kernel of the group gets a hard link to it
 * (default), a relative symlink, or a copy. Files that are already right
 * (a skipped kernel whose output is a regular file, a duplicate already
 * linked to the right file) are left alone, so an unchanged re-run writes
 * nothing but the manifest.
 *
 * Everything is written below OUT_DIR through folder handles opened one
 * component at a time without following symlinks (util_dir_open_beneath):
 * a symlink planted in OUT_DIR fails that kernel instead of sending its
 * output elsewhere. Every file is written atomically (temporary + rename).
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/hub_internal.h"
#include "tar/tarball.h"

/* The folder of @out_path below OUT_DIR, created; *@base: the file name. */
static int open_parent(const struct archive *a, const char *out_path, const char **base)
{
	const char *slash = strrchr(out_path, '/');
	char *dir;
	int fd;

	*base = slash ? slash + 1 : out_path;
	if (!slash)
		return util_dir_open_beneath(a->out_fd, "", UTIL_F_CREATE, a->o->out_dir);
	dir = xmalloc((size_t)(slash - out_path) + 1);
	if (!dir) {
		pr_warn("out of memory");
		return -ENOMEM;
	}
	memcpy(dir, out_path, (size_t)(slash - out_path));
	dir[slash - out_path] = '\0';
	fd = util_dir_open_beneath(a->out_fd, dir, UTIL_F_CREATE, a->o->out_dir);
	xfree(dir);
	return fd;
}

/* The relative symlink target from @from's folder to @to (both below OUT_DIR). */
static char *rel_target(const char *from, const char *to)
{
	size_t common = 0, i, up = 0, n;
	char *t, *p;

	/* the longest common run of whole folder components */
	for (i = 0; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	for (i = common; from[i]; i++)
		up += from[i] == '/';
	n = 3 * up + strlen(to + common) + 1;
	t = p = xmalloc(n);
	if (!t)
		return NULL;
	for (i = 0; i < up; i++)
		p = memcpy(p, "../", 3), p += 3;
	strcpy(p, to + common);
	return t;
}

/* Is the existing file right for @k, so that it needs no writing? */
static bool file_is_right(const struct archive *a, const struct kernel *k, int dir_fd,
			  const char *base, const struct stat *primary_st, const char *target)
{
	struct stat st;
	char buf[4096];
	ssize_t n;

	if (fstatat(dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	/* a duplicate already linked to the group's file is right, however it was made */
	if (primary_st && a->o->dedup == HUB_DEDUP_HARDLINK && S_ISREG(st.st_mode) &&
	    st.st_dev == primary_st->st_dev && st.st_ino == primary_st->st_ino)
		return true;
	/* otherwise only a skipped kernel's file (content checked) may be kept */
	if (k->status != K_SKIPPED)
		return false;
	if (primary_st == NULL)	/* the group's file: a regular file, not shared in copy mode */
		return S_ISREG(st.st_mode) && (a->o->dedup != HUB_DEDUP_COPY || st.st_nlink == 1);
	switch (a->o->dedup) {
	case HUB_DEDUP_HARDLINK:
		return S_ISREG(st.st_mode) && st.st_dev == primary_st->st_dev &&
		       st.st_ino == primary_st->st_ino;
	case HUB_DEDUP_SYMLINK:
		if (!S_ISLNK(st.st_mode))
			return false;
		n = readlinkat(dir_fd, base, buf, sizeof(buf) - 1);
		if (n < 0)
			return false;
		buf[n] = '\0';
		return !strcmp(buf, target);
	default:
		return S_ISREG(st.st_mode) && st.st_nlink == 1;
	}
}

/* A temporary name for a link, then renamed over @base. */
static int link_into_place(int dir_fd, const char *base, const char *display,
			   int (*make)(int dir_fd, const char *tmp, void *ctx), void *ctx)
{
	char tmp[40];
	int i, err = -EEXIST;

	for (i = 0; i < 64 && err == -EEXIST; i++) {
		snprintf(tmp, sizeof(tmp), ".btfgen-link-%d-%d", (int)getpid(), i);
		err = make(dir_fd, tmp, ctx);
	}
	if (!err && renameat(dir_fd, tmp, dir_fd, base) < 0)
		err = -errno;
	/*
	 * Also after a successful rename: when @base already was a hard link
	 * to the same file, rename() does nothing and leaves @tmp in place.
	 */
	if (err != -EEXIST)
		unlinkat(dir_fd, tmp, 0);
	if (err)
		pr_warn("%s: %s", display, strerror(-err));
	return err;
}

struct hardlink_ctx {
	int from_fd;
	const char *from;
};

static int make_hardlink(int dir_fd, const char *tmp, void *ctx)
{
	const struct hardlink_ctx *h = ctx;

	return linkat(h->from_fd, h->from, dir_fd, tmp, 0) < 0 ? -errno : 0;
}

static int make_symlink(int dir_fd, const char *tmp, void *ctx)
{
	return symlinkat(ctx, dir_fd, tmp) < 0 ? -errno : 0;
}

/*
 * Put @k's output in place: the group's file when @pk is NULL, else a
 * duplicate of @pk's file (@pk_fd/@pk_base/@pk_st: where it is). Messages
 * are captured into the kernel's error.
 */
static int place(struct archive *a, struct kernel *k, const struct kernel *pk, int pk_fd,
		 const char *pk_base, const struct stat *pk_st)
{
	struct hardlink_ctx h = { pk_fd, pk_base };
	char *target = NULL;
	const char *base;
	int fd, err;

	fd = open_parent(a, k->out_path, &base);
	if (fd < 0)
		return fd;
	if (pk && a->o->dedup == HUB_DEDUP_SYMLINK) {
		target = rel_target(k->out_path, pk->out_path);
		if (!target) {
			close(fd);
			pr_warn("out of memory");
			return -ENOMEM;
		}
	}
	err = 0;
	if (file_is_right(a, k, fd, base, pk ? pk_st : NULL, target))
		goto out;
	if (pk && a->o->dedup == HUB_DEDUP_HARDLINK) {
		err = link_into_place(fd, base, k->out_path, make_hardlink, &h);
		/* no hard links on this file system, or too many: a copy is as right */
		if (err == -EXDEV || err == -EPERM || err == -EMLINK || err == -ENOTSUP)
			err = util_write_atomic_at(fd, base, k->out, k->out_size, k->out_path);
	} else if (pk && a->o->dedup == HUB_DEDUP_SYMLINK) {
		err = link_into_place(fd, base, k->out_path, make_symlink, target);
	} else {
		err = util_write_atomic_at(fd, base, k->out, k->out_size, k->out_path);
	}
out:
	xfree(target);
	close(fd);
	return err;
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

/* Run place() with its messages captured: a failure fails the kernel. */
static void place_or_fail(struct archive *a, struct kernel *k, const struct kernel *pk,
			  int pk_fd, const char *pk_base, const struct stat *pk_st)
{
	char errbuf[HUB_ERROR_MAX] = "";
	struct diag_cap prev = diag_capture(errbuf, sizeof(errbuf));
	int err = place(a, k, pk, pk_fd, pk_base, pk_st);

	diag_capture_restore(prev);
	if (err)
		kernel_fail(k, "%s", errbuf[0] ? errbuf : strerror(-err));
}

/* One group of kernels with the same output, @r[0..n) in output order. */
static bool write_group(struct archive *a, const struct hash_ref *r, size_t n)
{
	struct kernel *pk = NULL;
	const char *pk_base = NULL;
	struct stat pk_st;
	int pk_fd = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		struct kernel *k = &a->k[r[i].idx];

		if (!pk) {
			/* the group's file: the first kernel whose file can be written */
			place_or_fail(a, k, NULL, -1, NULL, NULL);
			if (k->status == K_FAILED)
				continue;
			pk = k;
			pk_fd = open_parent(a, k->out_path, &pk_base);
			if (pk_fd < 0 || fstatat(pk_fd, pk_base, &pk_st, AT_SYMLINK_NOFOLLOW) < 0) {
				kernel_fail(k, "%s: written, then not found", k->out_path);
				pk = NULL;
				if (pk_fd >= 0)
					close(pk_fd);
				pk_fd = -1;
				continue;
			}
		} else {
			place_or_fail(a, k, pk, pk_fd, pk_base, &pk_st);
		}
		k->primary = (size_t)(pk - a->k);
	}
	if (pk_fd >= 0)
		close(pk_fd);
	return pk != NULL;
}

int output_write(struct archive *a, size_t *distinct)
{
	struct hash_ref *r = xcalloc(a->nr_k + 1, sizeof(*r));
	size_t i, j, n = 0;

	*distinct = 0;
	if (!r) {
		pr_warn("%s: out of memory", a->o->out_dir);
		return -ENOMEM;
	}
	for (i = 0; i < a->nr_k; i++) {
		a->k[i].primary = i;
		if (kernel_has_output(&a->k[i]))
			r[n++] = (struct hash_ref){ a->k[i].out_hash, i };
	}
	qsort(r, n, sizeof(*r), cmp_hash_ref);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(r[j].hash, r[i].hash); j++)
			;
		*distinct += write_group(a, r + i, j - i);
	}
	xfree(r);
	return 0;
}

/*
 * --tar FILE: the output tree as an uncompressed tar: sorted names, mtime 0,
 * uid/gid 0, mode 0644, duplicates as hard-link entries to the first copy
 * (whatever --dedup says), from the outputs in memory.
 */
int output_tar(const struct archive *a)
{
	struct tar_writer *w = tar_writer_new();
	void *buf = NULL;
	size_t len, i;
	int err = w ? 0 : -ENOMEM;

	for (i = 0; !err && i < a->nr_k; i++) {
		const struct kernel *k = &a->k[i];

		if (!kernel_has_output(k))
			continue;
		if (k->primary != i)
			err = tar_writer_add_hardlink(w, k->out_path, a->k[k->primary].out_path);
		else
			err = tar_writer_add_file(w, k->out_path, k->out, k->out_size);
		if (err && err != -ENOMEM)
			pr_warn("%s: %s: can't be stored in a tar (error %d)", a->o->tar_path,
				k->out_path, err);
	}
	if (!err)
		err = tar_writer_finish(w, &buf, &len);
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", a->o->tar_path);
	if (!err)
		err = util_write_file_atomic(a->o->tar_path, buf, len);
	xfree(buf);
	tar_writer_free(w);
	return err;
}
