// SPDX-License-Identifier: MIT
/*
 * min_core_btf.c - `btfgen min_core_btf INPUT OUTPUT OBJECT...`: one kernel,
 * through the reduce pipeline (core_reduce), written atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cmd_min_core_btf(const struct cli_opts *o, int argc, char **argv)
{
	struct core_reduce_opts ro = {
		.first_match_only = o->first_match_only,
		.verify = o->verify != CLI_VERIFY_OFF,
		/* with bpftool's marking a difference is expected: a warning, unless --verify */
		.verify_fatal = o->verify == CLI_VERIFY_ON || !o->first_match_only,
		.print_diffs = true,
		.out_name = argv[1],
	};
	struct core_reduce_out res = { 0 };
	struct util_file input = { 0 };
	struct core_objs objs = { 0 };
	struct btf *targ = NULL;
	int err;

	(void)argc;
	err = hub_kernel_load(argv[0], &input, &targ);
	if (err)
		goto out;
	pr_info("%s: %u types, %u string bytes", argv[0], targ->nr_types - 1, targ->str_len);
	err = cli_load_objects(argv + 2, argc - 2, &objs);
	if (!err)
		err = core_reduce(targ, objs.v, objs.n, &ro, &res);
	if (!err)
		err = util_write_file_atomic(argv[1], res.data, res.size);
	if (!err)
		pr_info("%s: wrote %zu bytes: %u types from %u relocations (%u with several matching candidates)%s",
			argv[1], res.size, res.stats.nr_out_types, res.stats.nr_relos,
			res.stats.nr_multi_match, ro.verify ? ", verified" : "");
out:
	xfree(res.data);
	core_objs_free(&objs);
	btf_free(targ);
	if (input.data)
		util_file_close(&input);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
