// SPDX-License-Identifier: MIT
/*
 * reduce.c - the reduce pipeline every command runs for one kernel: resolve
 * and mark every CO-RE relocation of the objects (core_min_run), emit the
 * reduced BTF (core_min_emit), then parse that output again and resolve
 * every relocation against it and against the full kernel (core_verify):
 * a reduced BTF is only handed over when it answers like the kernel.
 *
 *   btfgen min_core_btf   one kernel, objects owned by the command
 *   btfgen archive        one call per kernel, in worker threads sharing the
 *                         objects read-only
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"

int core_reduce(const struct btf *targ, struct core_obj *const *objs, size_t nr_objs,
		const struct core_reduce_opts *o, struct core_reduce_out *out)
{
	struct core_min_opts mo = { .first_match_only = o->first_match_only };
	struct core_diff_names names = { targ->name, o->out_name };
	struct btf *reduced = NULL;
	struct core_min *m = NULL;
	void *data = NULL;
	size_t size = 0;
	int err, diffs = 0;

	memset(out, 0, sizeof(*out));
	err = core_min_new(targ, &mo, &m);
	if (!err)
		err = core_min_use_objs(m, objs, nr_objs);
	if (err) {
		pr_warn("%s: out of memory", targ->name);
		goto out;
	}
	if (o->on_result)
		core_min_set_result_hook(m, o->on_result, o->ctx);
	err = core_min_run(m);
	if (!err)
		err = core_min_emit(m, &data, &size);
	if (err)
		goto out;
	if (o->verify) {
		err = btf_parse_view(data, size, o->out_name, &reduced);
		if (err)
			goto out;
		diffs = core_verify_run(targ, core_min_cand_index(m), reduced, objs, nr_objs,
					o->print_diffs ? core_verify_print_diff : NULL, &names);
		if (diffs < 0) {
			err = diffs;
			goto out;
		}
		if (diffs && o->verify_fatal) {
			pr_warn("%s: not written: the reduced BTF answers %d relocation%s differently from %s%s",
				o->out_name, diffs, diffs == 1 ? "" : "s", targ->name,
				o->print_diffs ? "" : " (btfgen verify shows which)");
			err = -EINVAL;
			goto out;
		}
		if (diffs)
			pr_warn("warning: %s: the reduced BTF answers %d relocation%s differently from %s (--first-match-only)",
				o->out_name, diffs, diffs == 1 ? "" : "s", targ->name);
	}
	out->data = data;
	out->size = size;
	out->stats = *core_min_get_stats(m);
	out->nr_diffs = diffs;
	data = NULL;
out:
	xfree(data);
	btf_free(reduced);
	core_min_free(m);
	return err;
}
