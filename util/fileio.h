/* SPDX-License-Identifier: MIT */
/*
 * fileio.h - whole-file reads (mmap or read), atomic writes, and directory
 * handles that never leave the tree they were opened under.
 *
 * Every function prints one line naming the file on failure (through the
 * diagnostic sink, never stdout) and returns a negative errno, unless
 * UTIL_F_QUIET says the caller reports.
 */
#ifndef BTFGEN_UTIL_FILEIO_H
#define BTFGEN_UTIL_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Read all of @path (regular file, pipe or sysfs file) into an xmalloc'd
 * buffer, at most util_limits.input_size bytes.
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
 * allow it) or read @path: the command-line inputs, where a pipe
 * (`<(xz -dc k.xz)`) is welcome. Release with util_file_close().
 */
int util_file_open(const char *path, struct util_file *f);
void util_file_close(struct util_file *f);

enum {
	UTIL_F_NOFOLLOW = 1 << 0,	/* refuse a symlink (ELOOP) */
	UTIL_F_QUIET = 1 << 1,		/* no message: the caller reports */
	UTIL_F_CREATE = 1 << 2,		/* util_dir_open_beneath: create missing folders */
};

/*
 * Open @name relative to @dir_fd (AT_FDCWD: the working directory) for a
 * whole-file read, but only if it is a regular file: the open never blocks
 * (a FIFO or device is refused with -EINVAL, not waited on, even when it
 * replaced a regular file after the caller looked), and nothing larger than
 * @max bytes is read (-E2BIG). @display names the file in messages.
 */
int util_file_open_at(int dir_fd, const char *name, const char *display, unsigned flags,
		      uint64_t max, struct util_file *f);

/*
 * Write @data to @path atomically: a temporary file in the same directory,
 * then rename(). On failure nothing is left behind and an existing @path is
 * untouched. New files get mode 0666 & ~umask.
 */
int util_write_file_atomic(const char *path, const void *data, size_t size);
/* The same with the new file's mode exactly @mode (umask ignored); -1: as above. */
int util_write_file_mode(const char *path, const void *data, size_t size, int mode);

/* The same inside the directory @dir_fd; @display names @name in messages. */
int util_write_atomic_at(int dir_fd, const char *name, const void *data, size_t size,
			 const char *display);

/*
 * Open directory @path (following symlinks: it is the user's own path),
 * creating it and its missing parents (mode 0777 & ~umask) when @create.
 * Returns a file descriptor (>= 0) or a negative errno.
 */
int util_dir_open(const char *path, bool create);

/*
 * Open the directory @rel ("a/b/c", relative, no "." or ".." components)
 * below @root_fd, one component at a time, creating missing ones with
 * UTIL_F_CREATE, and never following a symlink: a component that is a
 * symlink or not a directory is refused (-ELOOP / -ENOTDIR), so nothing
 * opened through the result can lie outside @root_fd's tree. "" opens
 * @root_fd again. @display_root names @root_fd in messages (UTIL_F_QUIET:
 * none). Returns a file descriptor (>= 0) or a negative errno.
 */
int util_dir_open_beneath(int root_fd, const char *rel, unsigned flags, const char *display_root);

/* Is @rel a clean relative path: not empty, no leading '/', no "", "." or ".." component? */
bool util_path_is_clean_rel(const char *rel);

/*
 * Does one of the directories @a and @b contain the other (or are they the
 * same)? @b need not exist yet: its nearest existing ancestor is resolved.
 * Symlinks are resolved. Returns 1, 0, or a negative errno (@a unreadable).
 */
int util_dirs_overlap(const char *a, const char *b);

#endif /* BTFGEN_UTIL_FILEIO_H */
