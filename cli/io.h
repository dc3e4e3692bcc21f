/* SPDX-License-Identifier: MIT */
/*
 * io.h - whole-file reads and atomic writes for the CLI.
 */
#ifndef BTFGEN_CLI_IO_H
#define BTFGEN_CLI_IO_H

#include <stdbool.h>
#include <stddef.h>


/*
 * Read all of @path (regular file, pipe or sysfs file) into an xmalloc'd
 * buffer. Prints one line on failure and returns a negative errno.
 */
int cli_read_file(const char *path, void **data, size_t *size);

/* A whole input file: mapped read-only when the file allows it, else read. */
struct cli_file {
	void *data;
	size_t size;
	bool mapped;
};

/*
 * Map (regular files, including /sys/kernel/btf/vmlinux on kernels that
 * allow it) or read @path. Prints one line on failure and returns a negative
 * errno. Release with cli_file_close().
 */
int cli_file_open(const char *path, struct cli_file *f);
void cli_file_close(struct cli_file *f);

/*
 * Write @data to @path atomically: a temporary file in the same directory,
 * then rename(). On failure nothing is left behind and an existing @path is
 * untouched. Prints one line on failure and returns a negative errno.
 */
int cli_write_file_atomic(const char *path, const void *data, size_t size);

#endif /* BTFGEN_CLI_IO_H */
