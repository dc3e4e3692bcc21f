// SPDX-License-Identifier: MIT
/*
 * fileio.c - whole-file reads and atomic (temp file + rename) writes.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/util.h"

int util_read_file(const char *path, void **data, size_t *size)
{
	size_t cap, len = 0;
	struct stat st;
	u8 *buf = NULL;
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
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		pr_warn("%s: is a directory", path);
		goto fail;
	}
	/* sysfs and pipes may report 0 or a wrong size: read until EOF */
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1 << 20;
	if (cap > util_limits.input_size)
		cap = util_limits.input_size;
	buf = xmalloc(cap);
	if (!buf) {
		err = -ENOMEM;
		pr_warn("%s: out of memory", path);
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			u8 *nb;

			if (cap >= util_limits.input_size) {
				err = -E2BIG;
				pr_warn("%s: larger than %llu bytes (the input size limit; raise it "
					"with --max-input-size)", path,
					(unsigned long long)util_limits.input_size);
				goto fail;
			}
			cap = cap * 2 > util_limits.input_size ? util_limits.input_size : cap * 2;
			nb = xrealloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				pr_warn("%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("%s: read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = len;
	return 0;
fail:
	xfree(buf);
	close(fd);
	return err;
}

int util_file_open(const char *path, struct util_file *f)
{
	struct stat st;
	void *p;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > util_limits.input_size) {
			close(fd);
			pr_warn("%s: %llu bytes, more than the input size limit of %llu (raise it "
				"with --max-input-size)", path, (unsigned long long)st.st_size,
				(unsigned long long)util_limits.input_size);
			return -E2BIG;
		}
		if (st.st_size > 0 && (unsigned long long)st.st_size <= SIZE_MAX) {
			p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
				 fd, 0);
			if (p != MAP_FAILED) {
				close(fd);
				f->data = p;
				f->size = (size_t)st.st_size;
				f->mapped = true;
				return 0;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	/* not mappable (pipe, most sysfs files, empty): read it, reporting errors */
	return util_read_file(path, &f->data, &f->size);
}

void util_file_close(struct util_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		xfree(f->data);
	memset(f, 0, sizeof(*f));
}

int util_write_file_atomic(const char *path, const void *data, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = slash ? slash + 1 : path;
	char *tmp;
	const u8 *p = data;
	mode_t mask;
	int fd, err = 0;

	if (!base[0]) {
		pr_warn("%s: output path names a directory", path);
		return -EISDIR;
	}
	tmp = xmalloc(strlen(path) + 16);
	if (!tmp) {
		pr_warn("%s: out of memory", path);
		return -ENOMEM;
	}
	memcpy(tmp, path, dlen);
	sprintf(tmp + dlen, ".%s.XXXXXX", base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		pr_warn("%s: can't create a temporary file in '%.*s': %s", path,
			dlen ? (int)dlen : 1, dlen ? path : ".", strerror(errno));
		xfree(tmp);
		return err;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
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
	if (rename(tmp, path) < 0)
		goto io_err;
	xfree(tmp);
	return 0;
io_err:
	err = -errno;
	pr_warn("%s: write failed: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	xfree(tmp);
	return err;
}
