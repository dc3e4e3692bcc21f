/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets (tests/fuzz/fuzz_*.c). Each target defines
 * LLVMFuzzerTestOneInput(); built with clang -fsanitize=fuzzer it is a
 * libFuzzer binary (`make fuzz`), built with driver.c it replays files
 * (`make fuzz-regress`: seeds and kept crashers, under ASan+UBSan).
 *
 * Targets that need fixed real inputs (a kernel BTF, BPF objects) read them
 * from $BTFGEN_FUZZ_DATA (default build-fuzz/data), which
 * tests/fuzz/prepare.sh fills.
 */
#ifndef BTFGEN_FUZZ_H
#define BTFGEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void fuzz_quiet_sink(enum diag_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* Messages are part of what is tested (formatting runs), not printed. */
static inline void fuzz_quiet(void)
{
	if (!getenv("BTFGEN_FUZZ_VERBOSE"))
		diag_set_sink(fuzz_quiet_sink);
}

/*
 * Read $BTFGEN_FUZZ_DATA/@name whole; NULL when there is no such file (exits
 * when it can't be read: a setup error).
 */
static inline void *fuzz_data_try(const char *name, size_t *size)
{
	const char *dir = getenv("BTFGEN_FUZZ_DATA");
	char path[4096];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build-fuzz/data", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz: %s: read failed\n", path);
		exit(1);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* The same, but a missing file is a setup error: exits. */
static inline void *fuzz_data_file(const char *name, size_t *size)
{
	void *buf = fuzz_data_try(name, size);

	if (!buf) {
		fprintf(stderr, "fuzz: %s: missing in $BTFGEN_FUZZ_DATA (default build-fuzz/data; "
			"run tests/fuzz/prepare.sh)\n", name);
		exit(1);
	}
	return buf;
}

#endif /* BTFGEN_FUZZ_H */
