// SPDX-License-Identifier: MIT
/*
 * elf.c - a minimal, bounds-checked ELF32/ELF64 section header reader.
 *
 * Only the parts of an ELF file needed to hand out section contents by name
 * are read: the ELF header, the section header table and the section name
 * string table (.shstrtab). Program headers, symbols and relocations are
 * never looked at.
 *
 *   offset 0   +------------------------------+
 *              | ELF header (52 / 64 bytes)   |  e_ident: magic, class, data
 *              |   e_machine                  |  EM_BPF (247) for BPF objects
 *              |   e_shoff    ----------------+--+
 *              |   e_shentsize (40 / 64)      |  |
 *              |   e_shnum, e_shstrndx        |  |
 *              +------------------------------+  |
 *              | section contents             |<-+--+ sh_offset, sh_size
 *              |   ... .BTF, .BTF.ext, ...    |  |  | (not SHT_NOBITS)
 *              |   .shstrtab: "\0.BTF\0..."   |<-+--+-- names at sh_name
 *              +------------------------------+  |  |
 *              | section header table         |<-+  |
 *              |   [0] SHT_NULL               |     |
 *              |   [1] sh_name sh_type        |-----+
 *              |       sh_offset sh_size      |
 *              |   ...                        |
 *              |   [e_shnum - 1]              |
 *              +------------------------------+ (the table may also sit
 *                                                before the contents)
 *
 * Every multi-byte field is decoded by hand with load_u16/u32/u64() in the
 * file's own byte order (EI_DATA), so unaligned data and foreign-endian
 * files are fine. All offset arithmetic is done in 64 bits with range_ok(),
 * so nothing can wrap, not even for ELF64 fields near 2^64.
 *
 * The validator is shared between elf_parse() (prints exactly one line on
 * failure) and elf_find_embedded_bpf() (silent, probes arbitrary bytes).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_file.h"
#include "util/util.h"

/*
 * The constants below are the ones from the System V gABI (and glibc's
 * <elf.h>). They are spelled out here, with our own names, so that the
 * module does not depend on a libc header that musl and glibc spell
 * differently in places, and the reader sees every number it checks.
 */

/* e_ident: magic "\x7fELF", then class and data encoding bytes. */
#define ELF_MAGIC	"\x7f" "ELF"
#define ELF_MAGIC0	0x7f
#define ELF_MAGIC_LEN	4
#define ELF_EI_CLASS	4
#define ELF_EI_DATA	5
#define ELF_EI_VERSION	6
#define ELF_EV_CURRENT	1
#define ELF_EI_NIDENT	16	/* size of e_ident */
#define ELF_CLASS32	1
#define ELF_CLASS64	2
#define ELF_DATA2LSB	1
#define ELF_DATA2MSB	2

/* Special section indices and the section types we care about. */
#define ELF_SHN_UNDEF	0
#define ELF_SHN_XINDEX	0xffff	/* real e_shstrndx in section header 0 */
#define ELF_SHT_STRTAB	3
#define ELF_SHT_NOBITS	8	/* occupies no file space (.bss) */

/*
 * Fixed header sizes of the two classes; e_shentsize must match exactly
 * (we never read padding or fields beyond these).
 */
#define ELF32_EHDR_SIZE	52
#define ELF64_EHDR_SIZE	64
#define ELF32_SHDR_SIZE	40
#define ELF64_SHDR_SIZE	64

/* Used in messages when the caller gave no name. */
#define ELF_ANON_NAME	"<memory>"

/* e_shnum is 16 bits, so this limit can never be exceeded by a valid file. */
_Static_assert(ELF_MAX_SECTIONS == UINT16_MAX, "ELF_MAX_SECTIONS");

/* Byte offsets and widths of the fields we read, per ELF class. */
struct elf_layout {
	size_t ehdr_size;
	size_t shdr_size;
	size_t e_machine;	/* u16 */
	size_t e_shoff;		/* word: u32 or u64 */
	size_t e_shentsize;	/* u16 */
	size_t e_shnum;		/* u16 */
	size_t e_shstrndx;	/* u16 */
	size_t sh_name;		/* u32 */
	size_t sh_type;		/* u32 */
	size_t sh_offset;	/* word */
	size_t sh_size;		/* word */
	bool is64;
};

/* Elf32_Ehdr / Elf32_Shdr */
static const struct elf_layout elf32_layout = {
	.ehdr_size = ELF32_EHDR_SIZE,
	.shdr_size = ELF32_SHDR_SIZE,
	.e_machine = 18,
	.e_shoff = 32,
	.e_shentsize = 46,
	.e_shnum = 48,
	.e_shstrndx = 50,
	.sh_name = 0,
	.sh_type = 4,
	.sh_offset = 16,
	.sh_size = 20,
	.is64 = false,
};

/* Elf64_Ehdr / Elf64_Shdr */
static const struct elf_layout elf64_layout = {
	.ehdr_size = ELF64_EHDR_SIZE,
	.shdr_size = ELF64_SHDR_SIZE,
	.e_machine = 18,
	.e_shoff = 40,
	.e_shentsize = 58,
	.e_shnum = 60,
	.e_shstrndx = 62,
	.sh_name = 0,
	.sh_type = 4,
	.sh_offset = 24,
	.sh_size = 32,
	.is64 = true,
};

/* The decoded ELF header fields we use. */
struct elf_hdr {
	const struct elf_layout *lay;
	bool le;
	u16 machine;
	u64 shoff;
	u16 shentsize;
	u32 shnum;
	u32 shstrndx;		/* ELF_SHN_UNDEF: no section names */
};

/* One decoded section header. */
struct elf_sec {
	const char *name;	/* into the file's .shstrtab, NULL if none */
	u32 type;
	u64 offset;
	u64 size;
};

struct elf_file {
	const u8 *data;
	size_t size;
	struct elf_hdr hdr;
	struct elf_sec *secs;	/* hdr.shnum entries */
};

/* Print one diagnostic line unless the caller asked for silence. */
#define elf_warn(quiet, ...)				\
	do {						\
		if (!(quiet))				\
			pr_warn(__VA_ARGS__);		\
	} while (0)

static u64 load_word(const u8 *p, bool le, bool is64)
{
	return is64 ? load_u64(p, le) : load_u32(p, le);
}

bool elf_is_elf(const void *data, size_t size)
{
	return data && size >= ELF_MAGIC_LEN && !memcmp(data, ELF_MAGIC, ELF_MAGIC_LEN);
}

/*
 * Validate and decode the ELF header of @d (@size bytes). On failure prints
 * one line (unless @quiet) and returns a negative errno.
 */
static int elf_check_ehdr(const u8 *d, size_t size, const char *name, bool quiet,
			  struct elf_hdr *h)
{
	const struct elf_layout *lay;
	u64 table_size;
	u16 shnum, shstrndx;

	if (!elf_is_elf(d, size)) {
		elf_warn(quiet, "%s: ELF header: bad magic, not an ELF file (size 0x%zx)",
			 name, size);
		return -EINVAL;
	}
	if (size < ELF_EI_NIDENT) {
		elf_warn(quiet, "%s: ELF header: e_ident truncated (size 0x%zx, need 0x%x)",
			 name, size, ELF_EI_NIDENT);
		return -EINVAL;
	}

	switch (d[ELF_EI_CLASS]) {
	case ELF_CLASS32:
		lay = &elf32_layout;
		break;
	case ELF_CLASS64:
		lay = &elf64_layout;
		break;
	default:
		elf_warn(quiet, "%s: ELF header: invalid EI_CLASS %u (expected 1 or 2)",
			 name, d[ELF_EI_CLASS]);
		return -EINVAL;
	}
	switch (d[ELF_EI_DATA]) {
	case ELF_DATA2LSB:
		h->le = true;
		break;
	case ELF_DATA2MSB:
		h->le = false;
		break;
	default:
		elf_warn(quiet, "%s: ELF header: invalid EI_DATA %u (expected 1 or 2)",
			 name, d[ELF_EI_DATA]);
		return -EINVAL;
	}
	if (d[ELF_EI_VERSION] != ELF_EV_CURRENT) {
		elf_warn(quiet, "%s: ELF header: invalid EI_VERSION %u (expected 1)", name,
			 d[ELF_EI_VERSION]);
		return -EINVAL;
	}
	if (size < lay->ehdr_size) {
		elf_warn(quiet, "%s: ELF header: truncated (size 0x%zx, need 0x%zx)",
			 name, size, lay->ehdr_size);
		return -EINVAL;
	}

	h->lay = lay;
	h->machine = load_u16(d + lay->e_machine, h->le);
	h->shoff = load_word(d + lay->e_shoff, h->le, lay->is64);
	h->shentsize = load_u16(d + lay->e_shentsize, h->le);
	shnum = load_u16(d + lay->e_shnum, h->le);
	shstrndx = load_u16(d + lay->e_shstrndx, h->le);

	/* Extended numbering keeps the real values in section header 0. */
	if (shnum == 0 && h->shoff != 0) {
		elf_warn(quiet,
			 "%s: ELF header: e_shnum 0 with e_shoff 0x%llx (extended section numbering) not supported",
			 name, (unsigned long long)h->shoff);
		return -ENOTSUP;
	}
	if (shstrndx == ELF_SHN_XINDEX) {
		elf_warn(quiet,
			 "%s: ELF header: e_shstrndx SHN_XINDEX (extended section numbering) not supported",
			 name);
		return -ENOTSUP;
	}
	if (shnum == 0) {
		/* No section header table at all (e_shoff is 0 here). */
		if (shstrndx != ELF_SHN_UNDEF) {
			elf_warn(quiet, "%s: ELF header: e_shstrndx %u but no sections",
				 name, shstrndx);
			return -EINVAL;
		}
		h->shnum = 0;
		h->shstrndx = ELF_SHN_UNDEF;
		return 0;
	}

	if (h->shentsize != lay->shdr_size) {
		elf_warn(quiet, "%s: ELF header: e_shentsize %u, expected %zu for ELFCLASS%d",
			 name, h->shentsize, lay->shdr_size, lay->is64 ? 64 : 32);
		return -EINVAL;
	}
	/* shnum < 2^16 and shentsize <= 64: this product cannot overflow. */
	table_size = (u64)shnum * h->shentsize;
	if (!range_ok(h->shoff, table_size, size)) {
		elf_warn(quiet,
			 "%s: ELF header: section header table at e_shoff 0x%llx, e_shnum %u (0x%llx bytes) outside file (size 0x%zx)",
			 name, (unsigned long long)h->shoff, shnum,
			 (unsigned long long)table_size, size);
		return -EINVAL;
	}
	if (shstrndx >= shnum) {
		elf_warn(quiet, "%s: ELF header: e_shstrndx %u out of range (e_shnum %u)",
			 name, shstrndx, shnum);
		return -EINVAL;
	}
	h->shnum = shnum;
	h->shstrndx = shstrndx;
	return 0;
}

/* Decode section header @idx; the table itself was range-checked already. */
static void elf_read_shdr(const u8 *d, const struct elf_hdr *h, u32 idx, u32 *sh_name,
			  struct elf_sec *sec)
{
	const struct elf_layout *lay = h->lay;
	const u8 *p = d + h->shoff + (u64)idx * lay->shdr_size;

	*sh_name = load_u32(p + lay->sh_name, h->le);
	sec->name = NULL;
	sec->type = load_u32(p + lay->sh_type, h->le);
	sec->offset = load_word(p + lay->sh_offset, h->le, lay->is64);
	sec->size = load_word(p + lay->sh_size, h->le, lay->is64);
}

/*
 * Validate every section header of @d whose ELF header @h was accepted by
 * elf_check_ehdr(). When @secs is not NULL it receives h->shnum decoded
 * sections. *@end is set to the end of the furthest of the ELF header, the
 * section header table and the (non-NOBITS) section contents.
 */
static int elf_check_shdrs(const u8 *d, size_t size, const struct elf_hdr *h, const char *name,
			   bool quiet, struct elf_sec *secs, u64 *end)
{
	const char *strtab = NULL;
	struct elf_sec sec;
	u64 strsz = 0;
	u32 i, sh_name;

	*end = h->lay->ehdr_size;
	if (h->shnum && h->shoff + (u64)h->shnum * h->shentsize > *end)
		*end = h->shoff + (u64)h->shnum * h->shentsize;

	if (h->shstrndx != ELF_SHN_UNDEF) {
		elf_read_shdr(d, h, h->shstrndx, &sh_name, &sec);
		if (sec.type != ELF_SHT_STRTAB) {
			elf_warn(quiet,
				 "%s: ELF section header [%u]: section name table has sh_type %u, expected SHT_STRTAB (%u)",
				 name, h->shstrndx, sec.type, ELF_SHT_STRTAB);
			return -EINVAL;
		}
		if (!range_ok(sec.offset, sec.size, size)) {
			elf_warn(quiet,
				 "%s: ELF section header [%u]: offset 0x%llx size 0x%llx outside file (size 0x%zx)",
				 name, h->shstrndx, (unsigned long long)sec.offset,
				 (unsigned long long)sec.size, size);
			return -EINVAL;
		}
		strtab = (const char *)d + sec.offset;
		strsz = sec.size;
	}

	for (i = 0; i < h->shnum; i++) {
		elf_read_shdr(d, h, i, &sh_name, &sec);

		if (sec.type != ELF_SHT_NOBITS) {
			if (!range_ok(sec.offset, sec.size, size)) {
				elf_warn(quiet,
					 "%s: ELF section header [%u]: offset 0x%llx size 0x%llx outside file (size 0x%zx)",
					 name, i, (unsigned long long)sec.offset,
					 (unsigned long long)sec.size, size);
				return -EINVAL;
			}
			if (sec.offset + sec.size > *end)
				*end = sec.offset + sec.size;
		}

		if (strtab) {
			if (sh_name >= strsz) {
				elf_warn(quiet,
					 "%s: ELF section header [%u]: sh_name 0x%x outside section name table [%u] (size 0x%llx)",
					 name, i, sh_name, h->shstrndx,
					 (unsigned long long)strsz);
				return -EINVAL;
			}
			if (!memchr(strtab + sh_name, '\0', strsz - sh_name)) {
				elf_warn(quiet,
					 "%s: ELF section header [%u]: name at sh_name 0x%x not NUL-terminated in section name table [%u] (size 0x%llx)",
					 name, i, sh_name, h->shstrndx,
					 (unsigned long long)strsz);
				return -EINVAL;
			}
			sec.name = strtab + sh_name;
		}
		if (secs)
			secs[i] = sec;
	}
	return 0;
}

struct elf_range {
	u64 start, end;
	u32 idx;		/* section index, or ELF_RANGE_SHDRS */
};

#define ELF_RANGE_SHDRS UINT32_MAX

static int cmp_range(const void *x, const void *y)
{
	const struct elf_range *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * No two sections with contents may share bytes, nor any of them the section
 * header table: a file where they do was made to confuse readers (the same
 * bytes read as .BTF and as .BTF.ext). SHT_NOBITS and empty sections take no
 * room. O(n log n).
 */
static int elf_check_overlaps(const struct elf_file *ef, const char *name)
{
	struct elf_range *r = xcalloc((size_t)ef->hdr.shnum + 1, sizeof(*r));
	size_t n = 0, i;
	int err = 0;

	if (!r) {
		pr_warn("%s: ELF: out of memory for %u section headers", name, ef->hdr.shnum);
		return -ENOMEM;
	}
	for (i = 0; i < ef->hdr.shnum; i++) {
		const struct elf_sec *sec = &ef->secs[i];

		if (sec->type == ELF_SHT_NOBITS || !sec->size)
			continue;
		r[n++] = (struct elf_range){ sec->offset, sec->offset + sec->size, (u32)i };
	}
	if (ef->hdr.shnum)	/* in the file: checked by elf_check_shdrs() */
		r[n++] = (struct elf_range){ ef->hdr.shoff,
					     ef->hdr.shoff + (u64)ef->hdr.shnum * ef->hdr.shentsize,
					     ELF_RANGE_SHDRS };
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 1; i < n && !err; i++) {
		if (r[i].start >= r[i - 1].end)
			continue;
		if (r[i - 1].idx == ELF_RANGE_SHDRS || r[i].idx == ELF_RANGE_SHDRS)
			pr_warn("%s: ELF section header [%u]: contents at 0x%llx overlap the section "
				"header table", name,
				r[i].idx == ELF_RANGE_SHDRS ? r[i - 1].idx : r[i].idx,
				(unsigned long long)(r[i].idx == ELF_RANGE_SHDRS ? r[i - 1].start :
										   r[i].start));
		else
			pr_warn("%s: ELF section headers [%u] and [%u]: contents overlap at 0x%llx",
				name, r[i - 1].idx < r[i].idx ? r[i - 1].idx : r[i].idx,
				r[i - 1].idx < r[i].idx ? r[i].idx : r[i - 1].idx,
				(unsigned long long)r[i].start);
		err = -EINVAL;
	}
	xfree(r);
	return err;
}

int elf_parse(const void *data, size_t size, const char *name, struct elf_file **out)
{
	struct elf_file *ef = NULL;
	struct elf_hdr hdr;
	u64 end;
	int err;

	*out = NULL;
	if (!name)
		name = ELF_ANON_NAME;

	err = elf_check_ehdr(data, size, name, false, &hdr);
	if (err)
		return err;

	ef = xcalloc(1, sizeof(*ef));
	if (!ef) {
		pr_warn("%s: ELF: out of memory", name);
		return -ENOMEM;
	}
	ef->data = data;
	ef->size = size;
	ef->hdr = hdr;

	ef->secs = xcalloc(ef->hdr.shnum, sizeof(*ef->secs));
	if (!ef->secs) {
		pr_warn("%s: ELF: out of memory for %u section headers", name, ef->hdr.shnum);
		err = -ENOMEM;
		goto err_out;
	}

	err = elf_check_shdrs(data, size, &ef->hdr, name, false, ef->secs, &end);
	if (err)
		goto err_out;
	err = elf_check_overlaps(ef, name);
	if (err)
		goto err_out;

	*out = ef;
	return 0;

err_out:
	elf_free(ef);
	return err;
}

void elf_free(struct elf_file *ef)
{
	if (!ef)
		return;
	xfree(ef->secs);
	xfree(ef);
}

unsigned elf_machine(const struct elf_file *ef)
{
	return ef->hdr.machine;
}

bool elf_is_64(const struct elf_file *ef)
{
	return ef->hdr.lay->is64;
}

bool elf_is_le(const struct elf_file *ef)
{
	return ef->hdr.le;
}

int elf_find_section(const struct elf_file *ef, const char *secname, const void **data,
		     size_t *size)
{
	const struct elf_sec *sec;
	u32 i;

	for (i = 0; i < ef->hdr.shnum; i++) {
		sec = &ef->secs[i];
		if (sec->type == ELF_SHT_NOBITS || !sec->name || strcmp(sec->name, secname))
			continue;
		/* Validated against the file size, which is a size_t. */
		*data = ef->data + sec->offset;
		*size = (size_t)sec->size;
		return 0;
	}
	return -ENOENT;
}

/*
 * Is there a complete EM_BPF object at the start of @d (@size bytes)? Sets
 * *@len to its length. Silent.
 */
static bool elf_probe_bpf(const u8 *d, size_t size, size_t *len)
{
	struct elf_hdr h;
	u64 end;

	if (elf_check_ehdr(d, size, NULL, true, &h))
		return false;
	/* A section-less object has nothing to offer; it is a false positive. */
	if (h.machine != ELF_MACHINE_BPF || h.shnum == 0)
		return false;
	if (elf_check_shdrs(d, size, &h, NULL, true, NULL, &end))
		return false;
	if (end > size)		/* cannot happen after validation; be explicit */
		return false;
	*len = (size_t)end;
	return true;
}

int elf_find_embedded_bpf(const void *data, size_t size, size_t from, size_t *off, size_t *len)
{
	const u8 *d = data;
	const u8 *p;
	size_t pos = from;

	if (!data)
		return 0;
	while (pos < size && size - pos >= ELF_MAGIC_LEN) {
		/* Skip quickly to the next 0x7f byte (memchr is vectorised). */
		p = memchr(d + pos, ELF_MAGIC0, size - pos - (ELF_MAGIC_LEN - 1));
		if (!p)
			break;
		pos = (size_t)(p - d);
		if (!memcmp(p, ELF_MAGIC, ELF_MAGIC_LEN) && elf_probe_bpf(p, size - pos, len)) {
			*off = pos;
			return 1;
		}
		pos++;
	}
	return 0;
}
