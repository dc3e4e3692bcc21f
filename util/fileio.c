// SPDX-License-Identifier: MIT
/*
 * fileio.c - whole-file reads (mapped when possible), atomic writes
 * (temporary file + rename) and directory handles that stay beneath a root.
 *
 * Outputs under a directory the user named (archive's OUTPUT_DIR) are
 * written through directory file descriptors opened one component at a
 * time with O_NOFOLLOW: a symlink planted inside the tree can't send a
 * write anywhere else. Inputs found by walking a tree are opened with
 * O_NONBLOCK and checked to be regular files, so a FIFO can't hang a run.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/util.h"

/* Tries at a fresh temporary name before giving up (names are random). */
#define TMP_NAME_TRIES	64

static void warn_too_big(const char *display, u64 size, u64 max, bool known)
{
	const char *hint = max == util_limits.input_size ?
				   " (the input size limit; raise it with --max-input-size)" : "";

	if (known)
		pr_warn("%s: %llu bytes, more than the limit of %llu%s", display,
			(unsigned long long)size, (unsigned long long)max, hint);
	else
		pr_warn("%s: larger than %llu bytes%s", display, (unsigned long long)max, hint);
}

/* Read @fd to its end, at most @max bytes, into an xmalloc'd buffer. */
static int read_fd(int fd, const char *display, const struct stat *st, u64 max, bool quiet,
		   void **data, size_t *size)
{
	size_t cap, len = 0;
	u8 *buf;
	int err;

	if (max > SIZE_MAX - 1)
		max = SIZE_MAX - 1;
	/* sysfs and pipes may report 0 or a wrong size: read until EOF */
	cap = S_ISREG(st->st_mode) && st->st_size > 0 && (u64)st->st_size < max ?
		      (size_t)st->st_size + 1 : 1 << 20;
	if (cap > max + 1)
		cap = (size_t)max + 1;
	buf = xmalloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			u8 *nb;

			if (cap > max) {
				err = -E2BIG;
				if (!quiet)
					warn_too_big(display, 0, max, false);
				goto fail_quiet;
			}
			cap = cap > (max + 1) / 2 ? (size_t)max + 1 : cap * 2;
			nb = xrealloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			if (!quiet)
				pr_warn("%s: read: %s", display, strerror(errno));
			goto fail_quiet;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		err = -E2BIG;
		if (!quiet)
			warn_too_big(display, 0, max, false);
		goto fail_quiet;
	}
	*data = buf;
	*size = len;
	return 0;
fail:
	if (!quiet)
		pr_warn("%s: out of memory", display);
fail_quiet:
	xfree(buf);
	return err;
}

int util_read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	int fd, err;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("%s: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		pr_warn("%s: %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		pr_warn("%s: is a directory", path);
	} else {
		err = read_fd(fd, path, &st, util_limits.input_size, false, data, size);
	}
	close(fd);
	return err;
}

/* Map a regular file of @size bytes (> 0); false when it can't be mapped. */
static bool map_fd(int fd, size_t size, struct util_file *f)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);

	if (p == MAP_FAILED)
		return false;
	f->data = p;
	f->size = size;
	f->mapped = true;
	return true;
}

int util_file_open(const char *path, struct util_file *f)
{
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((u64)st.st_size > util_limits.input_size) {
			close(fd);
			warn_too_big(path, (u64)st.st_size, util_limits.input_size, true);
			return -E2BIG;
		}
		if (st.st_size > 0 && (u64)st.st_size <= SIZE_MAX && map_fd(fd, (size_t)st.st_size, f)) {
			close(fd);
			return 0;
		}
	}
	if (fd >= 0)
		close(fd);
	/* not mappable (pipe, most sysfs files, empty): read it, reporting errors */
	return util_read_file(path, &f->data, &f->size);
}

int util_file_open_at(int dir_fd, const char *name, const char *display, unsigned flags,
		      u64 max, struct util_file *f)
{
	bool quiet = flags & UTIL_F_QUIET;
	int oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat st;
	int fd, err;

	memset(f, 0, sizeof(*f));
	if (flags & UTIL_F_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	fd = openat(dir_fd, name, oflags);
	if (fd < 0) {
		err = -errno;
		if (!quiet && err == -ELOOP && (flags & UTIL_F_NOFOLLOW))
			pr_warn("%s: a symlink: refused", display);
		else if (!quiet)
			pr_warn("%s: %s", display, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		if (!quiet)
			pr_warn("%s: %s", display, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		if (!quiet)
			pr_warn("%s: not a regular file%s", display,
				S_ISFIFO(st.st_mode) ? " (a FIFO): not read" : "");
		goto out;
	}
	if ((u64)st.st_size > max) {
		err = -E2BIG;
		if (!quiet)
			warn_too_big(display, (u64)st.st_size, max, true);
		goto out;
	}
	err = 0;
	if (st.st_size > 0 && (u64)st.st_size <= SIZE_MAX && map_fd(fd, (size_t)st.st_size, f))
		goto out;
	err = read_fd(fd, display, &st, max, quiet, &f->data, &f->size);
out:
	close(fd);
	return err;
}

void util_file_close(struct util_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		xfree(f->data);
	memset(f, 0, sizeof(*f));
}

/* ".btfgen-tmp-" and 16 hex digits: random enough, fixed length (fits NAME_MAX). */
static void tmp_name(char buf[32])
{
	static _Thread_local u64 seq;
	struct timespec ts;
	u64 x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (u64)ts.tv_nsec ^ (u64)ts.tv_sec << 30 ^ (u64)getpid() << 44 ^ ++seq * 0x9e3779b97f4a7c15ull ^
	    (u64)(uintptr_t)&seq;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	snprintf(buf, 32, ".btfgen-tmp-%016llx", (unsigned long long)x);
}

/* @mode < 0: 0666 & ~umask, as for any new file; else exactly @mode. */
static int write_atomic_at(int dir_fd, const char *name, const void *data, size_t size,
			   const char *display, int mode)
{
	const u8 *p = data;
	char tmp[32];
	int fd = -1, err, i;

	for (i = 0; i < TMP_NAME_TRIES; i++) {
		tmp_name(tmp);
		/* mode 0666: the umask applies, as for any new file */
		fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err = -errno;
		pr_warn("%s: can't create a temporary file beside it: %s", display, strerror(errno));
		return err;
	}
	if (mode >= 0 && fchmod(fd, (mode_t)mode) < 0)
		goto io_err;
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto io_err;
		}
		p += n;
		size -= (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto io_err;
	}
	fd = -1;
	if (renameat(dir_fd, tmp, dir_fd, name) < 0)
		goto io_err;
	return 0;
io_err:
	err = -errno;
	pr_warn("%s: write failed: %s", display, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlinkat(dir_fd, tmp, 0);
	return err;
}

int util_write_atomic_at(int dir_fd, const char *name, const void *data, size_t size,
			 const char *display)
{
	return write_atomic_at(dir_fd, name, data, size, display, -1);
}

int util_write_file_atomic(const char *path, const void *data, size_t size)
{
	return util_write_file_mode(path, data, size, -1);
}

int util_write_file_mode(const char *path, const void *data, size_t size, int mode)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = NULL;
	int dir_fd, err;

	if (!base[0] || !strcmp(base, ".") || !strcmp(base, "..")) {
		pr_warn("%s: output path names a directory", path);
		return -EISDIR;
	}
	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		dir = xmalloc(n + 1);
		if (!dir) {
			pr_warn("%s: out of memory", path);
			return -ENOMEM;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	dir_fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		err = -errno;
		pr_warn("%s: can't open its directory '%s': %s", path, dir ? dir : ".",
			strerror(errno));
		xfree(dir);
		return err;
	}
	err = write_atomic_at(dir_fd, base, data, size, path, mode);
	close(dir_fd);
	xfree(dir);
	return err;
}

int util_dir_open(const char *path, bool create)
{
	char *p;
	size_t i, n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || !create || errno != ENOENT)
		goto done;
	/* mkdir -p, then open */
	n = strlen(path);
	p = xmalloc(n + 1);
	if (!p) {
		pr_warn("%s: out of memory", path);
		return -ENOMEM;
	}
	memcpy(p, path, n + 1);
	for (i = 1; i <= n && !err; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			err = -errno;
			pr_warn("%s: can't create directory '%s': %s", path, p, strerror(errno));
		}
		p[i] = i < n ? '/' : '\0';
	}
	xfree(p);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
done:
	if (fd < 0) {
		err = -errno;
		pr_warn("%s: %s", path, strerror(errno));
		return err;
	}
	return fd;
}

int util_dir_open_beneath(int root_fd, const char *rel, unsigned flags, const char *display_root)
{
	bool quiet = flags & UTIL_F_QUIET;
	char name[NAME_MAX + 1];
	const char *p = rel;
	int fd, next, err;

	/* checked whole first: nothing is created for a path that is then refused */
	if (*rel && !util_path_is_clean_rel(rel)) {
		if (!quiet)
			pr_warn("%s/%s: not a clean relative path", display_root, rel);
		return -EINVAL;
	}
	fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (!quiet)
			pr_warn("%s: %s", display_root, strerror(errno));
		return err;
	}
	while (*p) {
		size_t n = strcspn(p, "/");
		int len = (int)(p - rel + n);

		if (n > NAME_MAX) {
			if (!quiet)
				pr_warn("%s/%.*s: a name longer than NAME_MAX", display_root, len, rel);
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((flags & UTIL_F_CREATE) && mkdirat(fd, name, 0777) < 0 && errno != EEXIST) {
			err = -errno;
			if (!quiet)
				pr_warn("%s/%.*s: can't create folder: %s", display_root, len, rel,
					strerror(errno));
			close(fd);
			return err;
		}
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			struct stat st;

			err = -errno;
			/* Linux says ENOTDIR for a symlink opened with O_DIRECTORY | O_NOFOLLOW */
			if (err == -ENOTDIR && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				err = -ELOOP;
			if (quiet)
				;
			else if (err == -ELOOP || err == -ENOTDIR)
				pr_warn("%s/%.*s: %s: refused (outputs stay inside %s)", display_root,
					len, rel, err == -ELOOP ? "a symlink" : "not a folder",
					display_root);
			else
				pr_warn("%s/%.*s: %s", display_root, len, rel, strerror(errno));
			close(fd);
			return err;
		}
		close(fd);
		fd = next;
		p += n;
		if (*p == '/')
			p++;
	}
	return fd;
}

bool util_path_is_clean_rel(const char *rel)
{
	const char *p = rel;

	if (!*p || *p == '/')
		return false;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (!*p)
			return true;
		p++;
	}
}

/*
 * realpath() of @path, or of its nearest existing ancestor with the rest
 * appended: the rest does not exist, so it holds no symlinks, and its "."
 * and ".." components are resolved by hand (the ancestor being a real
 * path, ".." is its parent). xmalloc'd.
 */
static char *resolve_maybe_missing(const char *path)
{
	char *p = xstrdup(path), *res = NULL, *full;
	const char *rest;
	size_t n, len;

	if (!p)
		return NULL;
	for (;;) {
		char *slash;

		res = realpath(*p ? p : ".", NULL);
		if (res || errno != ENOENT)
			break;
		slash = strrchr(p, '/');
		if (!slash) {
			*p = '\0';
			continue;
		}
		while (slash > p && slash[-1] == '/')
			slash--;
		*slash = '\0';
		if (slash == p) {
			res = realpath("/", NULL);
			break;
		}
	}
	if (!res) {
		xfree(p);
		return NULL;
	}
	n = strlen(p);
	xfree(p);
	full = xmalloc(strlen(res) + strlen(path) + 2);
	if (!full) {
		free(res);
		return NULL;
	}
	len = strlen(res);
	memcpy(full, res, len + 1);
	free(res);
	if (len == 1)		/* "/" */
		len = 0;
	for (rest = path + n; *rest;) {
		size_t c;

		while (*rest == '/')
			rest++;
		c = strcspn(rest, "/");
		if (c == 2 && rest[0] == '.' && rest[1] == '.') {
			while (len && full[len - 1] != '/')
				len--;
			if (len)
				len--;
		} else if (c && !(c == 1 && rest[0] == '.')) {
			full[len++] = '/';
			memcpy(full + len, rest, c);
			len += c;
		}
		rest += c;
	}
	if (!len)
		full[len++] = '/';
	full[len] = '\0';
	return full;
}

/* Is @in (a resolved absolute path) @dir or below it? */
static bool path_below(const char *in, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(in, dir, n) && (in[n] == '\0' || in[n] == '/');
}

int util_dirs_overlap(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb;
	int ret;

	if (!ra)
		return -errno;
	rb = resolve_maybe_missing(b);
	if (!rb) {
		free(ra);
		return -ENOMEM;
	}
	ret = path_below(ra, rb) || path_below(rb, ra);
	free(ra);
	xfree(rb);
	return ret;
}
