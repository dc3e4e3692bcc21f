// SPDX-License-Identifier: MIT
/*
 * verify.c - `btfgen verify KERNEL REDUCED OBJECT...`: every relocation must
 * resolve the same way against the reduced BTF as against the full kernel
 * BTF (core_verify_run), one line per difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cmd_verify(const struct cli_opts *o, int argc, char **argv)
{
	struct util_file fk = { 0 }, fr = { 0 };
	struct btf *kernel = NULL, *reduced = NULL;
	struct core_diff_names names = { argv[0], argv[1] };
	struct core_objs objs = { 0 };
	u32 nr_relos = 0;
	size_t i;
	int err, rc = EXIT_FAILURE;

	(void)o;
	err = hub_kernel_load(argv[0], &fk, &kernel);
	if (!err)
		err = hub_kernel_load(argv[1], &fr, &reduced);
	if (!err)
		err = cli_load_objects(argv + 2, argc - 2, &objs);
	if (err)
		goto out;
	for (i = 0; i < objs.n; i++)
		nr_relos += objs.v[i]->nr_relos;
	err = core_verify_run(kernel, NULL, reduced, objs.v, objs.n, core_verify_print_diff, &names);
	if (err < 0)
		goto out;
	if (err > 0) {
		printf("verify: %s answers %d of %u relocations differently from %s\n", argv[1], err,
		       nr_relos, argv[0]);
		goto out;
	}
	printf("verify: OK: %s answers all %u relocations of %zu object%s like %s\n", argv[1],
	       nr_relos, objs.n, objs.n == 1 ? "" : "s", argv[0]);
	rc = EXIT_SUCCESS;
out:
	core_objs_free(&objs);
	btf_free(kernel);
	btf_free(reduced);
	if (fk.data)
		util_file_close(&fk);
	if (fr.data)
		util_file_close(&fr);
	return rc;
}
