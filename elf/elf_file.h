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

/* ==== writer (elf/elf_write.c) ========================================== */
/*
 * A minimal ELF32/ELF64 (LSB and MSB) writer: named sections in, one ET_REL
 * image out. Like the reader it knows nothing about what the sections hold.
 * btfgen install uses it to wrap a kernel BTF as /boot/vmlinux-$(uname -r),
 * where libbpf and cilium/ebpf look by themselves, without binutils.
 *
 * The output has, in this order: section [0] SHT_NULL, the caller's sections
 * as [1] .. [nr], then [nr + 1] .symtab (only the null symbol), [nr + 2]
 * .strtab and [nr + 3] .shstrtab (e_shstrndx). The empty symbol table is not
 * decoration: cilium/ebpf reads the symbols of every ELF it takes BTF from
 * and Go's debug/elf fails without an SHT_SYMTAB ("no symbol section").
 */

/* sh_type and sh_flags values for struct elf_out_sec (System V gABI). */
#define ELF_SHT_PROGBITS	1	/* program-defined contents */
#define ELF_SHT_NOTE		7
#define ELF_SHF_WRITE		0x1
#define ELF_SHF_ALLOC		0x2

/*
 * Named limits (the reasons are in elf_write.c):
 *  - caller sections: e_shnum must stay below SHN_LORESERVE (0xff00), after
 *    section 0 and our three, as we write no extended numbering;
 *  - a name: no real section name comes near, and it bounds .shstrtab;
 *  - sh_addralign: the largest page size Linux uses (64 KiB), as more would
 *    only pad the file with zeros;
 *  - an ELF32 file: its offsets and sizes are 32-bit fields.
 */
#define ELF_OUT_MAX_SECTIONS	(0xff00u - 1 - 4)	/* 65275 */
#define ELF_OUT_MAX_NAME_LEN	4095u			/* bytes, without the NUL */
#define ELF_OUT_MAX_ALIGN	0x10000u
#define ELF32_OUT_MAX_SIZE	0xffffffffull		/* 4 GiB - 1 */

/* One section to write. */
struct elf_out_sec {
	const char *name;	/* non-empty, unique, not one of our three */
	uint32_t type;		/* sh_type: ELF_SHT_PROGBITS, ELF_SHT_NOTE, ... */
	uint64_t flags;		/* sh_flags: ELF_SHF_ALLOC, ... */
	uint64_t align;		/* sh_addralign: 0 or 1 (none), or a power of two */
	const void *data;	/* @size bytes, copied; may be NULL when @size is 0 */
	size_t size;
};

/*
 * Write an ET_REL ELF image of class @is64 (ELFCLASS64, else ELFCLASS32),
 * byte order @le (ELFDATA2LSB, else ELFDATA2MSB) and e_machine @machine
 * holding the @nr sections @secs (@secs may be NULL when @nr is 0). Each
 * section's contents start at a file offset that is a multiple of its align.
 * The output depends on the arguments only (padding is zero).
 *
 * Types whose meaning needs sh_link or sh_info (SHT_SYMTAB, SHT_REL,
 * SHT_RELA, SHT_HASH, SHT_DYNAMIC, SHT_DYNSYM, SHT_GROUP, SHT_SYMTAB_SHNDX),
 * SHT_NULL and SHT_NOBITS are refused, and so are the flags SHF_INFO_LINK,
 * SHF_LINK_ORDER and SHF_GROUP: this writer sets no links.
 *
 * On success *@out is a buffer of *@out_len bytes from xcalloc() that the
 * caller xfree()s. On failure prints exactly one line with pr_warn() and
 * leaves *@out and *@out_len untouched.
 * Returns: 0; -EINVAL for bad arguments (NULL pointers, a NULL or empty or
 * duplicate or reserved name, an align that is not a power of two, NULL data
 * with a size, a refused type or flag, flags or machine too wide for their
 * field); -E2BIG over a limit above (or a size that does not fit a size_t);
 * -ENOMEM.
 */
int elf_write(bool is64, bool le, unsigned machine, const struct elf_out_sec *secs, size_t nr,
	      void **out, size_t *out_len);

/*
 * Map a `uname -m` machine name (exact, case-sensitive) to the e_machine,
 * class and byte order of that architecture, for the ones Linux runs BPF on.
 * Linux's uname says "mips" and "mips64" for both byte orders (we answer big
 * endian; "mipsel" and "mips64el" are toolchain names): callers that have
 * the data to wrap should take the byte order from it.
 * Returns: 0 and fills the outputs; -ENOENT for an unknown name; -EINVAL for
 * NULL. Never prints; the outputs are untouched on failure.
 */
int elf_machine_of(const char *uname_m, unsigned *machine, bool *is64, bool *le);

#endif /* BTFGEN_ELF_H */
