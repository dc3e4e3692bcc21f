// SPDX-License-Identifier: MIT
/*
 * The whole min_core_btf path on a fuzzed kernel: content detection (raw
 * BTF either byte order, ELF with .BTF, xz, tar, .btf.tar.xz), parsing,
 * resolution of fixed real objects (every data/objs/N.o: test programs and
 * libbpf-tools objects), marking, emission and the verification btfgen runs
 * before writing. Only the file I/O of the command is left out.
 */
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "fuzz.h"
#include "hub/hub.h"

#define FUZZ_OBJS_MAX 64

static struct core_obj *objs[FUZZ_OBJS_MAX];
static size_t nr_objs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char name[32];
	size_t i;

	fuzz_quiet();
	for (i = 0; i < FUZZ_OBJS_MAX; i++) {
		void *data;
		size_t size;

		snprintf(name, sizeof(name), "objs/%zu.o", i);
		data = fuzz_data_try(name, &size);
		if (!data)
			break;
		if (core_obj_load(data, size, name, &objs[nr_objs]) == CORE_OBJ_OK)
			nr_objs++;
		else
			core_obj_free(objs[nr_objs]);	/* without relocations: not used */
		objs[nr_objs] = NULL;
		free(data);
	}
	if (!nr_objs) {
		fprintf(stderr, "fuzz: no objects in data/objs (run tests/fuzz/prepare.sh)\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_min_opts opts = { 0 };
	struct core_diff_names names = { "fuzz.btf", "reduced" };
	struct btf *kernel = NULL, *reduced = NULL;
	struct core_min *m = NULL;
	void *out = NULL;
	size_t out_size;

	if (hub_kernel_from_mem("fuzz.btf", data, size, &kernel))
		return 0;
	if (core_min_new(kernel, &opts, &m) || core_min_use_objs(m, objs, nr_objs) ||
	    core_min_run(m) || core_min_emit(m, &out, &out_size))
		goto out;
	if (btf_parse_view(out, out_size, "reduced", &reduced))
		abort();	/* we wrote something we can't read */
	if (core_verify_run(kernel, core_min_cand_index(m), reduced, objs, nr_objs,
			    core_verify_print_diff, &names) != 0)
		abort();	/* the reduced BTF answers differently, or failed */
out:
	btf_free(reduced);
	free(out);
	core_min_free(m);
	btf_free(kernel);
	return 0;
}
