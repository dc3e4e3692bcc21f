// SPDX-License-Identifier: MIT
/*
 * CO-RE resolution, marking and emission on a fuzzed BPF object against a
 * fixed real kernel BTF (data/kernel.btf: a corpus kernel reduced for the
 * libbpf-tools objects, so their mutated relocations still find candidates). What is emitted must parse and, unless bpftool's
 * first-candidate-only marking is asked for, answer every relocation as the
 * full kernel does.
 */
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "fuzz.h"

static struct btf *kernel;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t size;
	void *k = fuzz_data_file("kernel.btf", &size);

	fuzz_quiet();
	if (btf_parse_owned(k, size, "kernel.btf", &kernel))
		exit(1);
	return 0;
}

static void run(const uint8_t *data, size_t size, bool first_match_only)
{
	struct core_min_opts opts = { .first_match_only = first_match_only };
	struct core_obj *obj = NULL;
	struct core_min *m = NULL;
	struct btf *reduced = NULL;
	struct core_cand_index *idx = NULL;
	struct core_obj *const *objs;
	size_t nr_objs, out_size;
	void *out = NULL;
	int diffs;

	if (core_obj_load(data, size, "fuzz.o", &obj) != CORE_OBJ_OK) {
		core_obj_free(obj);
		return;
	}
	if (core_min_new(kernel, &opts, &m)) {
		core_obj_free(obj);
		return;
	}
	if (core_min_add_obj(m, obj) || core_min_run(m) || core_min_emit(m, &out, &out_size))
		goto out;
	if (btf_parse(out, out_size, "reduced", &reduced))
		abort();	/* we wrote something we can't read */
	if (core_cand_index_new(reduced, &idx) || core_cand_index_build(idx))
		goto out;
	objs = core_min_objs(m, &nr_objs);
	diffs = core_verify(core_min_cand_index(m), kernel, idx, reduced, objs, nr_objs, NULL,
			    NULL);
	if (diffs > 0 && !first_match_only)
		abort();	/* the reduced BTF answers differently */
out:
	core_cand_index_free(idx);
	btf_free(reduced);
	free(out);
	core_min_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, false);
	run(data, size, true);
	return 0;
}
