/* SPDX-License-Identifier: MIT */
/*
 * fileio.h - whole-file reads (mmap or read) and atomic writes.
 */
#ifndef BTFGEN_UTIL_FILEIO_H
#define BTFGEN_UTIL_FILEIO_H

#include <stdbool.h>
#include <stddef.h>


/*
 * Read all of @path (regular file, pipe or sysfs file) into an xmalloc'd
 * buffer. Prints one line on failure and returns a negative errno.
 */
int util_read_file(const char *path, void **data, size_t *size);

/* A whole input file: mapped read-only when the file allows it, else read. */
struct util_file {
	void *data;
	size_t size;
	bool mapped;
};

/*
 * Map (regular files, including /sys/kernel/btf/vmlinux on kernels that
 * allow it) or read @path. Prints one line on failure and returns a negative
 * errno. Release with util_file_close().
 */
int util_file_open(const char *path, struct util_file *f);
void util_file_close(struct util_file *f);

/*
 * Write @data to @path atomically: a temporary file in the same directory,
 * then rename(). On failure nothing is left behind and an existing @path is
 * untouched. Prints one line on failure and returns a negative errno.
 */
int util_write_file_atomic(const char *path, const void *data, size_t size);

#endif /* BTFGEN_UTIL_FILEIO_H */
