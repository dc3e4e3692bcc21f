// SPDX-License-Identifier: MIT
/*
 * BTF parser, raw BTF in either byte order (the input is used as is; the
 * seeds hold both). What parses must also be walkable (size resolution,
 * modifier skipping, the raw dump) and must survive a round trip through
 * the writer in both byte orders.
 */
#include <string.h>

#include "btf/btf.h"
#include "fuzz.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	devnull = fopen("/dev/null", "w");
	return 0;
}

static void round_trip(const struct btf *btf, bool swap)
{
	struct btf_writer *w = btf_writer_new();
	struct btf *again = NULL;
	void *out = NULL;
	size_t out_size;
	u32 id;

	if (!w)
		return;
	for (id = 1; id < btf->nr_types; id++)
		if (btf_writer_add_type(w, btf, btf_type_by_id(btf, id)) < 0)
			goto out;
	if (btf_writer_finish(w, swap, &out, &out_size))
		goto out;
	/* a validated BTF, written out again, must parse again, type for type */
	if (btf_parse(out, out_size, "round-trip", &again) || again->nr_types != btf->nr_types)
		abort();
out:
	btf_free(again);
	free(out);
	btf_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btf *btf = NULL;
	u32 id, res;

	if (btf_parse(data, size, "fuzz.btf", &btf))
		return 0;
	for (id = 0; id < btf->nr_types; id++) {
		(void)btf_resolve_size(btf, id);
		(void)btf_skip_mods_and_typedefs(btf, id, &res);
	}
	if (devnull)
		btf_dump_raw(btf, devnull);
	round_trip(btf, false);
	round_trip(btf, true);
	btf_free(btf);
	return 0;
}
