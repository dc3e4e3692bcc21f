// SPDX-License-Identifier: MIT
/*
 * input.c - the command line's input files: BPF objects (and the
 * executables that embed them) and `btfgen cat`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cmd_cat(const struct cli_opts *o, int argc, char **argv)
{
	struct util_file f;
	const void *data;
	size_t size;
	void *plain;
	int err;

	(void)o;
	(void)argc;
	err = util_file_open(argv[0], &f);
	if (err)
		return EXIT_FAILURE;
	err = hub_unpack(argv[0], f.data, f.size, &plain, &data, &size);
	if (!err && !btf_is_raw(data, size)) {
		pr_warn("%s: no kernel BTF inside (neither raw BTF, nor xz or tar holding one)",
			argv[0]);
		err = -EINVAL;
	}
	if (!err && fwrite(data, 1, size, stdout) != size) {
		pr_warn("stdout: write failed");
		err = -EIO;
	}
	xfree(plain);
	util_file_close(&f);
	if (!err && fflush(stdout)) {
		pr_warn("stdout: write failed");
		err = -EIO;
	}
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cli_for_each_object(const char *path, core_obj_fn fn, void *ctx)
{
	struct util_file file;
	int err;

	err = util_file_open(path, &file);
	if (err)
		return err;
	err = core_obj_scan(file.data, file.size, path, fn, ctx);
	util_file_close(&file);
	return err;
}

int cli_load_objects(char **paths, int n, struct core_objs *objs)
{
	int i, err = 0;

	for (i = 0; i < n && !err; i++)
		err = cli_for_each_object(paths[i], core_objs_push, objs);
	return err;
}
