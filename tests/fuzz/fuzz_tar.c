// SPDX-License-Identifier: MIT
/*
 * tar reader: every member of any input. Members must lie inside the input,
 * names must be NUL-terminated, and an error must be sticky.
 */
#include <string.h>

#include "fuzz.h"
#include "tar/tarball.h"
#include "xz/xz.h"

#define FUZZ_TAR_MEMBERS_MAX 10000

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tar_reader r;
	struct tar_member *m = malloc(sizeof(*m));
	char err[256];
	int ret = 1, i;

	if (!m)
		return 0;
	tar_reader_init(&r, data, size);
	for (i = 0; i < FUZZ_TAR_MEMBERS_MAX && ret == 1; i++) {
		ret = tar_next(&r, m, err, sizeof(err));
		if (ret != 1)
			break;
		if ((const uint8_t *)m->data < data || m->size > size ||
		    (size_t)((const uint8_t *)m->data - data) > size - m->size ||
		    !memchr(m->name, 0, sizeof(m->name)))
			abort();
		if (m->size)
			(void)xz_crc32(m->data, m->size, 0);
	}
	if (ret < 0 && tar_next(&r, m, err, sizeof(err)) != ret)
		abort();	/* errors are sticky */
	free(m);
	return 0;
}
