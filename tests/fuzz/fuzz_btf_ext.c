// SPDX-License-Identifier: MIT
/*
 * .BTF.ext parser: the input is a .BTF.ext section for the local BTF of a
 * fixed real CO-RE object (data/local.o, one of the test programs); what
 * parses is resolved against the fixed kernel (data/kernel.btf), every
 * outcome turned into text as `relocs` prints it.
 */
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "elf/elf_file.h"
#include "fuzz.h"

static const void *local_btf;
static size_t local_btf_size;
static struct btf *kernel;
static struct elf_file *ef;	/* kept: local_btf points into its image */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t size;
	void *obj = fuzz_data_file("local.o", &size), *k;

	fuzz_quiet();
	if (elf_parse(obj, size, "local.o", &ef) ||
	    elf_find_section(ef, ".BTF", &local_btf, &local_btf_size)) {
		fprintf(stderr, "fuzz: local.o: no .BTF\n");
		exit(1);
	}
	k = fuzz_data_file("kernel.btf", &size);
	if (btf_parse_owned(k, size, "kernel.btf", &kernel))
		exit(1);
	return 0;
}

static int on_result(const struct core_relo_result *r, void *ctx)
{
	struct core_outcome o;
	char buf[512];

	core_outcome_of(r, kernel, &o);
	core_result_why(r, buf, sizeof(buf));
	if (r->local) {
		core_spec_raw_str(r->local, buf, sizeof(buf));
		core_spec_c_str(r->local, buf, sizeof(buf));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_resolve_ops ops = { .on_result = on_result };
	struct core_cand_index *idx = NULL;
	struct core_obj *obj = xcalloc(1, sizeof(*obj));

	if (!obj)
		return 0;
	obj->name = xstrdup("fuzz.o");
	if (!obj->name || btf_parse(local_btf, local_btf_size, obj->name, &obj->btf))
		goto out;
	btf_set_ptr_sz(obj->btf, 8);
	if (core_btf_ext_parse(obj, data, size) || !obj->nr_relos)
		goto out;
	if (core_cand_index_new(kernel, &idx) || core_cand_index_build(idx))
		goto out;
	core_resolve_obj(idx, kernel, obj, &ops);
out:
	core_cand_index_free(idx);
	core_obj_free(obj);
	return 0;
}
