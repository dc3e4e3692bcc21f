// SPDX-License-Identifier: MIT
/*
 * resolve.c - resolve every CO-RE relocation of one object against a target
 * BTF, in record order, with one candidate cache per object that is pruned
 * as relocations are resolved (libbpf's bpf_object__relocate_core() and
 * bpftool's btfgen_record_obj() both do this). The single driver behind
 * min_core_btf, relocs and verify.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"

int core_resolve_obj(struct core_cand_index *idx, const struct btf *targ,
		     const struct core_obj *obj, const struct core_resolve_ops *ops)
{
	struct core_cands **cache;
	struct core_spec *scratch;
	u32 i, nr_local = obj->btf->nr_types;
	int err = 0;

	cache = xcalloc(nr_local, sizeof(*cache));
	scratch = xcalloc(CORE_SCRATCH_SPECS, sizeof(*scratch));
	if (!cache || !scratch) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < obj->nr_relos; i++) {
		const struct core_relo_rec *rec = &obj->relos[i];
		struct core_relo_ctx rc = {
			.obj_name = obj->name,
			.sec_name = rec->sec_name,
			.relo_idx = (int)rec->sec_idx,
			.relo = &rec->relo,
		};
		struct core_relo_result r = { .obj = obj, .rec = rec, .index = i };
		struct core_cands *cands = NULL;
		u32 tid = rec->relo.type_id;

		if (rec->relo.kind != BPF_CORE_TYPE_ID_LOCAL) {
			if (!cache[tid]) {
				cache[tid] = xcalloc(1, sizeof(**cache));
				if (!cache[tid]) {
					err = -ENOMEM;
					goto out;
				}
				err = core_find_cands(idx, obj->btf, tid, cache[tid]);
				if (err)
					goto out;
			}
			cands = cache[tid];
		}
		scratch[CORE_SPEC_LOCAL].btf = NULL;
		r.err = core_calc_relo(&rc, obj->btf, cands, targ, scratch, &r.res, ops->on_match,
				       ops->ctx);
		if (r.err == -ENOMEM) {
			err = r.err;
			goto out;
		}
		r.local = scratch[CORE_SPEC_LOCAL].btf ? &scratch[CORE_SPEC_LOCAL] : NULL;
		if (!r.err && r.res.nr_matches)
			r.targ = &scratch[CORE_SPEC_TARG];
		if (!r.err && !r.res.nr_matches && r.res.nr_cands &&
		    scratch[CORE_SPEC_FAIL].root_type_id)
			r.fail = &scratch[CORE_SPEC_FAIL];
		if (!ops->on_result) {
			err = r.err;
			if (err)
				goto out;
			continue;
		}
		err = ops->on_result(&r, ops->ctx);
		if (err)
			goto out;
	}
out:
	if (err == -ENOMEM)
		pr_warn("%s: out of memory", obj->name);
	if (cache) {
		for (i = 0; i < nr_local; i++) {
			if (cache[i])
				xfree(cache[i]->ids);
			xfree(cache[i]);
		}
	}
	xfree(cache);
	xfree(scratch);
	return err;
}
