// SPDX-License-Identifier: MIT
/*
 * verify.c - `btfgen verify KERNEL REDUCED OBJECT...` and the check behind
 * `min_core_btf --verify`: every relocation must resolve the same way
 * against the reduced BTF as against the full kernel BTF (core_verify).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

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

struct diff_ctx {
	const char *a_name, *b_name;
};

static int print_diff(const struct core_relo_result *r, const struct core_outcome *a,
		      const struct core_outcome *b, void *ctx)
{
	const struct diff_ctx *d = ctx;
	const struct bpf_core_relo *relo = &r->rec->relo;
	char acc[256], sa[512], sb[512];

	if (r->local)
		core_spec_c_str(r->local, acc, sizeof(acc));
	else
		core_type_str(r->obj->btf, relo->type_id, acc, sizeof(acc));
	outcome_str(relo->kind, a, sa, sizeof(sa));
	outcome_str(relo->kind, b, sb, sizeof(sb));
	fprintf(stderr, "btfgen: verify: %s: section '%s' relo #%u (insn %u, %s, %s): %s: %s; %s: %s\n",
		r->obj->name, r->rec->sec_name, r->rec->sec_idx, relo->insn_off / 8,
		core_relo_kind_str(relo->kind), acc, d->a_name, sa, d->b_name, sb);
	return 0;
}

int cli_verify_run(const struct btf *kernel, struct core_cand_index *idx_kernel,
		   const struct btf *reduced, struct core_obj *const *objs, size_t nr_objs,
		   bool print_diffs)
{
	struct core_cand_index *own = NULL, *idx_red = NULL;
	struct diff_ctx d = { kernel->name, reduced->name };
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
	err = core_verify(idx_kernel, kernel, idx_red, reduced, objs, nr_objs,
			  print_diffs ? print_diff : NULL, &d);
out:
	core_cand_index_free(own);
	core_cand_index_free(idx_red);
	return err;
}

int cmd_verify(int argc, char **argv)
{
	struct util_file fk = { 0 }, fr = { 0 };
	struct btf *kernel = NULL, *reduced = NULL;
	struct cli_objs objs = { 0 };
	u32 nr_relos = 0;
	size_t i;
	int err, rc = EXIT_FAILURE;

	if (argc < 3) {
		fprintf(stderr, "btfgen: verify needs KERNEL REDUCED OBJECT..., %d argument%s given\n",
			argc, argc == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	err = cli_load_kernel(argv[0], &fk, &kernel);
	if (!err)
		err = cli_load_kernel(argv[1], &fr, &reduced);
	for (i = 2; !err && i < (size_t)argc; i++)
		err = cli_for_each_object(argv[i], cli_objs_push, &objs);
	if (err)
		goto out;
	for (i = 0; i < objs.n; i++)
		nr_relos += objs.v[i]->nr_relos;
	err = cli_verify_run(kernel, NULL, reduced, objs.v, objs.n, true);
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
	cli_objs_free(&objs);
	btf_free(kernel);
	btf_free(reduced);
	if (fk.data)
		util_file_close(&fk);
	if (fr.data)
		util_file_close(&fr);
	return rc;
}
