// SPDX-License-Identifier: MIT
/*
 * verify.c - does a reduced BTF answer every CO-RE relocation like the full
 * one? Each object is resolved against both targets with the same driver
 * (core_resolve_obj: same order, same per-object candidate pruning) and the
 * outcomes are compared relocation by relocation:
 *   - error or not, poisoned or not, and the value libbpf would patch in;
 *   - for TYPE_ID_TARGET, the identity of the target type (kind and name),
 *     not its id, which the reduced BTF renumbers by design;
 *   - for field relocations, the target access path (member names, indices)
 *     and bit offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

struct verify_ctx {
	struct core_outcome *outs;	/* per relocation of the current object */
	size_t cap;
	bool second;			/* resolving against target b */
	const struct btf *targ;
	core_diff_fn on_diff;
	void *ctx;
	struct diag_cap prev;		/* the capture to print differences through */
	int nr_diff;
	char errbuf[512];
};

void core_outcome_of(const struct core_relo_result *r, const struct btf *targ,
		     struct core_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->err = r->err;
	o->poison = r->res.poison;
	o->value = r->res.new_val;
	o->found = r->targ != NULL;
	if (r->targ) {
		core_spec_c_str(r->targ, o->path, sizeof(o->path));
		o->bit_offset = r->targ->bit_offset;
		core_type_str(targ, r->targ->root_type_id, o->targ_type, sizeof(o->targ_type));
	}
}

bool core_outcome_eq(u32 kind, const struct core_outcome *a, const struct core_outcome *b)
{
	if (!!a->err != !!b->err || a->poison != b->poison || a->found != b->found)
		return false;
	if (a->err)
		return true;
	if (kind == BPF_CORE_TYPE_ID_TARGET) {
		if (strcmp(a->targ_type, b->targ_type))
			return false;
	} else if (a->value != b->value) {
		return false;
	}
	if (a->found && core_relo_is_field(kind))
		return strcmp(a->path, b->path) == 0 && a->bit_offset == b->bit_offset;
	return true;
}

static int on_result(const struct core_relo_result *r, void *ctx)
{
	struct verify_ctx *v = ctx;
	struct core_outcome o;

	core_outcome_of(r, v->targ, &o);
	if (r->err)
		snprintf(o.error, sizeof(o.error), "%s", v->errbuf);
	v->errbuf[0] = '\0';
	if (!v->second) {
		v->outs[r->index] = o;
		return 0;
	}
	if (!core_outcome_eq(r->rec->relo.kind, &v->outs[r->index], &o)) {
		struct diag_cap cur;
		int ret;

		v->nr_diff++;
		if (!v->on_diff)
			return 0;
		/* the resolver's messages are captured; a difference may be printed */
		cur = diag_capture(NULL, 0);
		diag_capture_restore(v->prev);
		ret = v->on_diff(r, &v->outs[r->index], &o, v->ctx);
		diag_capture_restore(cur);
		return ret;
	}
	return 0;
}

int core_verify(struct core_cand_index *idx_a, const struct btf *a, struct core_cand_index *idx_b,
		const struct btf *b, struct core_obj *const *objs, size_t nr_objs,
		core_diff_fn on_diff, void *ctx)
{
	struct verify_ctx v = { .on_diff = on_diff, .ctx = ctx };
	struct core_resolve_ops ops = { .on_result = on_result, .ctx = &v };
	size_t i;
	int err = 0;

	/* errors are part of an outcome: capture them, don't print them */
	v.prev = diag_capture(v.errbuf, sizeof(v.errbuf));
	for (i = 0; i < nr_objs && !err; i++) {
		const struct core_obj *obj = objs[i];

		err = util_ensure_mem((void **)&v.outs, &v.cap, sizeof(*v.outs), obj->nr_relos,
				      (size_t)obj->nr_relos + 1);
		if (err)
			break;
		v.second = false;
		v.targ = a;
		err = core_resolve_obj(idx_a, a, obj, &ops);
		if (err)
			break;
		v.second = true;
		v.targ = b;
		err = core_resolve_obj(idx_b, b, obj, &ops);
	}
	diag_capture_restore(v.prev);
	if (err == -ENOMEM)
		pr_warn("verify: out of memory");
	xfree(v.outs);
	return err ? err : v.nr_diff;
}

/* A candidate index of @targ holding every root the objects need. */
static int make_index(const struct btf *targ, struct core_obj *const *objs, size_t n,
		      struct core_cand_index **out)
{
	size_t i;
	u32 k;
	int err;

	err = core_cand_index_new(targ, out);
	for (i = 0; !err && i < n; i++)
		for (k = 0; !err && k < objs[i]->nr_relos; k++)
			if (objs[i]->relos[k].relo.kind != BPF_CORE_TYPE_ID_LOCAL)
				err = core_cand_index_want(*out, objs[i]->btf,
							   objs[i]->relos[k].relo.type_id);
	if (!err)
		err = core_cand_index_build(*out);
	if (err)
		pr_warn("%s: out of memory", targ->name);
	return err;
}

int core_verify_run(const struct btf *kernel, struct core_cand_index *idx_kernel,
		    const struct btf *reduced, struct core_obj *const *objs, size_t nr_objs,
		    core_diff_fn on_diff, void *ctx)
{
	struct core_cand_index *own = NULL, *idx_red = NULL;
	int err;

	if (!idx_kernel) {
		err = make_index(kernel, objs, nr_objs, &own);
		if (err)
			goto out;
		idx_kernel = own;
	}
	err = make_index(reduced, objs, nr_objs, &idx_red);
	if (err)
		goto out;
	err = core_verify(idx_kernel, kernel, idx_red, reduced, objs, nr_objs, on_diff, ctx);
out:
	core_cand_index_free(own);
	core_cand_index_free(idx_red);
	return err;
}

static void outcome_str(u32 kind, const struct core_outcome *o, char *buf, size_t n)
{
	if (o->err)
		snprintf(buf, n, "error (%.400s)", o->error[0] ? o->error : "resolution failed");
	else if (o->poison)
		snprintf(buf, n, "poisoned (no match)");
	else if (kind == BPF_CORE_TYPE_ID_TARGET)
		snprintf(buf, n, o->found ? "%s" : "0 (no match)", o->targ_type);
	else if (core_relo_is_field(kind) && o->found)
		snprintf(buf, n, "%llu via %s @ bit %u", (unsigned long long)o->value, o->path,
			 o->bit_offset);
	else
		snprintf(buf, n, "%llu%s", (unsigned long long)o->value,
			 o->found ? "" : " (no match)");
}

int core_verify_print_diff(const struct core_relo_result *r, const struct core_outcome *a,
			   const struct core_outcome *b, void *ctx)
{
	const struct core_diff_names *d = ctx;
	const struct bpf_core_relo *relo = &r->rec->relo;
	char acc[256], sa[512], sb[512];

	if (r->local)
		core_spec_c_str(r->local, acc, sizeof(acc));
	else
		core_type_str(r->obj->btf, relo->type_id, acc, sizeof(acc));
	outcome_str(relo->kind, a, sa, sizeof(sa));
	outcome_str(relo->kind, b, sb, sizeof(sb));
	pr_warn("verify: %s: section '%s' relo #%u (insn %u, %s, %s): %s: %s; %s: %s", r->obj->name,
		r->rec->sec_name, r->rec->sec_idx, relo->insn_off / 8, core_relo_kind_str(relo->kind),
		acc, d->a, sa, d->b, sb);
	return 0;
}
