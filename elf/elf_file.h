/* SPDX-License-Identifier: MIT */
/*
 * elf_file.h - a minimal, bounds-checked ELF32/ELF64 (LSB and MSB) section
 * header reader. Knows nothing about BTF: it hands out section spans by name.
 *
 * Ownership: elf_parse() borrows @data; the caller keeps it alive and
 * unchanged until elf_free(). Spans returned by lookups point into @data.
 */
#ifndef BTFGEN_ELF_H
#define BTFGEN_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MACHINE_BPF 247		/* EM_BPF */

/* Named limits (see elf.c for the reasons). */
#define ELF_MAX_SECTIONS 65535u		/* we do not support SHN_XINDEX extended numbering */

struct elf_file;

/*
 * Does @data start with the ELF magic?
 */
bool elf_is_elf(const void *data, size_t size);

/*
 * Parse and validate the ELF header and section header table of @data.
 * @name is used in error messages only ("btfgen: NAME: ELF ...: ...").
 * On failure prints exactly one line with pr_warn() and returns a negative
 * errno (-EINVAL malformed, -ENOTSUP unsupported, -ENOMEM).
 */
int elf_parse(const void *data, size_t size, const char *name, struct elf_file **out);
void elf_free(struct elf_file *ef);

unsigned elf_machine(const struct elf_file *ef);	/* e_machine */
bool elf_is_64(const struct elf_file *ef);		/* ELFCLASS64 */
bool elf_is_le(const struct elf_file *ef);		/* ELFDATA2LSB */

/*
 * Find the first section named @secname (SHT_NOBITS sections have no data
 * and are never returned). Returns 0 and fills @data and @size, or -ENOENT.
 */
int elf_find_section(const struct elf_file *ef, const char *secname, const void **data,
		     size_t *size);

/*
 * Find the next embedded BPF ELF object (e_machine == EM_BPF) inside @data at
 * or after byte @from, as libbpf skeletons embed them in executables and
 * shared libraries. A candidate must start with the ELF magic, have a valid
 * ELF header and section table and fit entirely inside @data (overlapping
 * section contents are left to elf_parse() to refuse); its length is the end
 * of the furthest of its section header table and section contents.
 * Returns 1 and sets @off and @len when found, 0 when there is no further one.
 * Never prints.
 */
int elf_find_embedded_bpf(const void *data, size_t size, size_t from, size_t *off, size_t *len);

#endif /* BTFGEN_ELF_H */
