// SPDX-License-Identifier: MIT
/*
 * xz decoder: any input, a small output cap (so a bomb is refused, not
 * decoded). On success the output length is within the cap; on failure the
 * error line is non-empty and the output untouched.
 */
#include <string.h>

#include "fuzz.h"
#include "xz/xz.h"

#define FUZZ_XZ_CAP (8u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *out = (void *)&out;	/* must stay untouched on failure */
	size_t out_len = 12345;
	char err[256];
	int ret;

	err[0] = 0;
	ret = xz_decode(data, size, FUZZ_XZ_CAP, &out, &out_len, err, sizeof(err));
	if (ret) {
		if (!err[0] || out != (void *)&out || out_len != 12345 || ret > 0)
			abort();
		return 0;
	}
	if (out_len > FUZZ_XZ_CAP)
		abort();
	if (out_len)
		(void)xz_crc32(out, out_len, 0);	/* touches every byte */
	free(out);
	return 0;
}
