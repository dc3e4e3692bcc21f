// SPDX-License-Identifier: MIT
/* ELF reader: header and section table parsing, lookups, embedded-object scan. */
#include <string.h>

#include "elf/elf_file.h"
#include "fuzz.h"

#define EMBEDDED_SCAN_MAX 64

/* Touch the first and last byte so ASan checks the whole claimed range. */
static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	if (n)
		sink += ((const uint8_t *)p)[0] + ((const uint8_t *)p)[n - 1];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { ".BTF", ".BTF.ext", ".text", ".symtab", "" };
	struct elf_file *ef;
	size_t i, off, len, from = 0;

	if (elf_parse(data, size, "fuzz.o", &ef) == 0) {
		sink += elf_machine(ef) + elf_is_64(ef) + elf_is_le(ef);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const void *sec;
			size_t n;

			if (elf_find_section(ef, names[i], &sec, &n) == 0) {
				if ((const uint8_t *)sec < data || n > size ||
				    (size_t)((const uint8_t *)sec - data) > size - n)
					abort();	/* a section outside the input */
				touch(sec, n);
			}
		}
		elf_free(ef);
	}
	for (i = 0; i < EMBEDDED_SCAN_MAX; i++) {
		if (elf_find_embedded_bpf(data, size, from, &off, &len) != 1)
			break;
		if (off < from || len > size || off > size - len)
			abort();
		touch(data + off, len);
		from = off + 1;
	}
	return 0;
}
