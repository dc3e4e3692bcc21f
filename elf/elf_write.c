// SPDX-License-Identifier: MIT
/*
 * elf_write.c - a minimal ELF32/ELF64 (LSB and MSB) relocatable object
 * writer, the counterpart of elf.c: named sections in, one ET_REL image out.
 * It knows nothing about what the sections hold.
 *
 *   offset 0   +------------------------------+
 *              | ELF header (52 / 64 bytes)   |  ET_REL, no program headers,
 *              |   e_shoff  ------------------+--+  e_entry 0, e_flags 0
 *              +------------------------------+  |
 *              | section [1] contents         |  |  each at a multiple of its
 *              | (zeros) section [2] ...      |  |  sh_addralign, zeros between
 *              | section [nr] contents        |  |
 *              | .symtab: the null symbol     |  |  16 / 24 bytes, at a multiple
 *              | .strtab: "\0"                |  |  of 4 / 8
 *              | .shstrtab: "\0" names "\0"...|  |  the caller's names in order,
 *              | (zeros up to a multiple of   |  |  then .symtab .strtab .shstrtab
 *              |  4 / 8)                      |  |
 *              +------------------------------+<-+
 *              | section header table         |
 *              |   [0] SHT_NULL               |
 *              |   [1 .. nr] the caller's     |
 *              |   [nr + 1] .symtab           |  sh_link .strtab, sh_info 1
 *              |   [nr + 2] .strtab           |
 *              |   [nr + 3] .shstrtab         |  e_shstrndx
 *              +------------------------------+ end of file
 *
 * Why an (empty) symbol table: cilium/ebpf's loadSpecFromELF() reads the
 * symbols of every ELF it takes BTF from, with Go's debug/elf, whose
 * File.Symbols() fails with "no symbol section" when there is no SHT_SYMTAB
 * and with "symbol section is empty" when it has no entry at all. One null
 * symbol and a one-byte string table satisfy it; `objcopy --input binary`
 * writes a symbol table too (with its _binary_*_start/end/size symbols).
 *
 * Every field is stored byte by byte in the requested order (put()), so the
 * host's byte order never shows. The layout is planned first, in 64 bits with
 * overflow checks and against the limits; only then is the one output buffer
 * allocated (zeroed, so padding is deterministic) and filled.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_file.h"
#include "util/util.h"

/*
 * gABI constants, spelled out as in elf.c (which keeps its own copies
 * private): the module does not depend on <elf.h>.
 */
#define EI_CLASS_OFF	4
#define EI_DATA_OFF	5
#define EI_VERSION_OFF	6
#define EI_OSABI_OFF	7	/* ELFOSABI_NONE (0): left zero */
#define CLASS32		1
#define CLASS64		2
#define DATA2LSB	1
#define DATA2MSB	2
#define EV_CURRENT_	1
#define ET_REL_		1

#define SHT_NULL_	0
#define SHT_SYMTAB_	2
#define SHT_STRTAB_	3
#define SHT_RELA_	4
#define SHT_HASH_	5
#define SHT_DYNAMIC_	6
#define SHT_NOBITS_	8
#define SHT_REL_	9
#define SHT_DYNSYM_	11
#define SHT_GROUP_	17
#define SHT_SYMTAB_SHNDX_ 18

#define SHF_INFO_LINK_	0x40	/* sh_info holds a section index */
#define SHF_LINK_ORDER_	0x80	/* sh_link orders this section */
#define SHF_GROUP_	0x200	/* member of an SHT_GROUP section */
#define SHF_NEEDS_LINKS	(SHF_INFO_LINK_ | SHF_LINK_ORDER_ | SHF_GROUP_)

#define SHN_LORESERVE_	0xff00	/* first reserved section index */

/* Sizes of Elf32_/Elf64_ Ehdr, Shdr and Sym. */
#define EHDR32_SIZE	52
#define EHDR64_SIZE	64
#define SHDR32_SIZE	40
#define SHDR64_SIZE	64
#define SYM32_SIZE	16
#define SYM64_SIZE	24

/* Our own sections after the caller's: .symtab, .strtab, .shstrtab. */
#define OWN_SECTIONS	3
static const char own_names[] = ".symtab\0.strtab\0.shstrtab";	/* + final NUL */
#define OWN_NAMES_SIZE	sizeof(own_names)
#define SYMTAB_NAME_OFF	0
#define STRTAB_NAME_OFF	8
#define SHSTRTAB_NAME_OFF 16

/*
 * The limits in elf_file.h, with their reasons:
 *
 * ELF_OUT_MAX_SECTIONS: e_shnum and e_shstrndx are 16 bits, and from
 * SHN_LORESERVE (0xff00) on both need "extended numbering" (the real values
 * in section header 0), which we do not write and elf_parse() does not read.
 * So at most 0xfeff sections in all, of which 4 are ours.
 *
 * ELF_OUT_MAX_NAME_LEN: the longest section name in a vmlinux or a BPF
 * object is a few dozen bytes; 4 KiB is far above, and it bounds .shstrtab
 * (sh_name is a 32-bit offset into it) for any section count (below).
 *
 * ELF_OUT_MAX_ALIGN: 64 KiB is the largest page size Linux uses (arm64,
 * ppc64, loongarch64, mips64); a larger sh_addralign would only pad the file
 * with zeros. It also fits ELFCLASS32's 32-bit sh_addralign.
 *
 * ELF32_OUT_MAX_SIZE: e_shoff, sh_offset and sh_size are 32-bit in ELF32, so
 * the whole file must stay below 4 GiB. An ELF64 file is bounded only by
 * size_t: it is one buffer in memory.
 */
_Static_assert(ELF_OUT_MAX_SECTIONS + 1 + OWN_SECTIONS == SHN_LORESERVE_ - 1,
	       "ELF_OUT_MAX_SECTIONS");
_Static_assert(ELF_OUT_MAX_SECTIONS <= ELF_MAX_SECTIONS, "elf_parse() reads what we write");
_Static_assert((u64)ELF_OUT_MAX_SECTIONS * (ELF_OUT_MAX_NAME_LEN + 1) + 1 + OWN_NAMES_SIZE <=
	       UINT32_MAX, ".shstrtab offsets fit sh_name");
_Static_assert((ELF_OUT_MAX_ALIGN & (ELF_OUT_MAX_ALIGN - 1)) == 0, "ELF_OUT_MAX_ALIGN");

/* The planned layout: every offset of the output, decided before writing. */
struct plan {
	bool is64, le;
	u16 machine;
	const struct elf_out_sec *secs;
	size_t nr;
	size_t ehdr_size, shdr_size, sym_size, word;	/* per class */
	u64 symtab_off, strtab_off, shstrtab_off, shstrtab_size;
	u64 shoff;		/* e_shoff */
	u32 shnum;		/* e_shnum = nr + 1 + OWN_SECTIONS */
	u64 total;		/* file size */
};

/* One section header, as written (sh_addr is always 0 in ET_REL). */
struct shdr {
	u32 name, type;
	u64 flags, offset, size;
	u32 link, info;
	u64 align, entsize;
};

/* Store the low @width bytes of @v at @p in byte order @le. */
static void put(u8 *p, u64 v, size_t width, bool le)
{
	size_t i;

	for (i = 0; i < width; i++)
		p[le ? i : width - 1 - i] = (u8)(v >> (8 * i));
}

static bool is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

/* *@off rounded up to @align (0, 1 or a power of two); false past @max. */
static bool align_up(u64 *off, u64 align, u64 max)
{
	u64 r;

	if (align <= 1)
		return *off <= max;
	if (__builtin_add_overflow(*off, align - 1, &r))
		return false;
	r &= ~(align - 1);
	if (r > max)
		return false;
	*off = r;
	return true;
}

/* *@off += @n; false on overflow or past @max. */
static bool advance(u64 *off, u64 n, u64 max)
{
	u64 r;

	if (__builtin_add_overflow(*off, n, &r) || r > max)
		return false;
	*off = r;
	return true;
}

/* Section types that only make sense with sh_link/sh_info, or no data. */
static const char *refused_type(u32 type)
{
	switch (type) {
	case SHT_NULL_: return "SHT_NULL";
	case SHT_SYMTAB_: return "SHT_SYMTAB";
	case SHT_RELA_: return "SHT_RELA";
	case SHT_HASH_: return "SHT_HASH";
	case SHT_DYNAMIC_: return "SHT_DYNAMIC";
	case SHT_NOBITS_: return "SHT_NOBITS";
	case SHT_REL_: return "SHT_REL";
	case SHT_DYNSYM_: return "SHT_DYNSYM";
	case SHT_GROUP_: return "SHT_GROUP";
	case SHT_SYMTAB_SHNDX_: return "SHT_SYMTAB_SHNDX";
	default: return NULL;
	}
}

/* Length of @s if at most ELF_OUT_MAX_NAME_LEN, else ELF_OUT_MAX_NAME_LEN + 1. */
static size_t name_len(const char *s)
{
	size_t n = 0;

	while (n <= ELF_OUT_MAX_NAME_LEN && s[n])
		n++;
	return n;
}

/* Check section @i (index i + 1 in the file); prints one line on failure. */
static int check_section(const struct plan *pl, size_t i)
{
	const struct elf_out_sec *s = &pl->secs[i];
	const char *what;
	size_t idx = i + 1, len;

	if (!s->name) {
		pr_warn("ELF writer: section [%zu]: no name", idx);
		return -EINVAL;
	}
	len = name_len(s->name);
	if (len == 0) {
		pr_warn("ELF writer: section [%zu]: empty name", idx);
		return -EINVAL;
	}
	if (len > ELF_OUT_MAX_NAME_LEN) {
		pr_warn("ELF writer: section [%zu] '%.32s...': name longer than %u bytes", idx,
			s->name, ELF_OUT_MAX_NAME_LEN);
		return -E2BIG;
	}
	if (!strcmp(s->name, own_names + SYMTAB_NAME_OFF) ||
	    !strcmp(s->name, own_names + STRTAB_NAME_OFF) ||
	    !strcmp(s->name, own_names + SHSTRTAB_NAME_OFF)) {
		pr_warn("ELF writer: section [%zu] '%s': name reserved for the writer's own section",
			idx, s->name);
		return -EINVAL;
	}
	what = refused_type(s->type);
	if (what) {
		pr_warn("ELF writer: section [%zu] '%s': sh_type %u (%s) not supported (%s)", idx,
			s->name, s->type, what,
			s->type == SHT_NULL_ ? "reserved for section 0" :
			s->type == SHT_NOBITS_ ? "contents are always written" :
						 "needs sh_link/sh_info, which are not set");
		return -EINVAL;
	}
	if (s->flags & SHF_NEEDS_LINKS) {
		pr_warn("ELF writer: section [%zu] '%s': sh_flags 0x%llx: SHF_INFO_LINK, "
			"SHF_LINK_ORDER and SHF_GROUP need links, which are not set", idx, s->name,
			(unsigned long long)s->flags);
		return -EINVAL;
	}
	if (!pl->is64 && s->flags > UINT32_MAX) {
		pr_warn("ELF writer: section [%zu] '%s': sh_flags 0x%llx does not fit ELFCLASS32 "
			"(32 bits)", idx, s->name, (unsigned long long)s->flags);
		return -EINVAL;
	}
	if (s->align > 1 && !is_pow2(s->align)) {
		pr_warn("ELF writer: section [%zu] '%s': sh_addralign %llu is not a power of two",
			idx, s->name, (unsigned long long)s->align);
		return -EINVAL;
	}
	if (s->align > ELF_OUT_MAX_ALIGN) {
		pr_warn("ELF writer: section [%zu] '%s': sh_addralign %llu over the limit %u", idx,
			s->name, (unsigned long long)s->align, ELF_OUT_MAX_ALIGN);
		return -E2BIG;
	}
	if (!s->data && s->size) {
		pr_warn("ELF writer: section [%zu] '%s': no data for size 0x%zx", idx, s->name,
			s->size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Section header @idx. Field offsets follow from the gABI structures, with
 * w = 4 (Elf32_Word/Off/Addr) or 8 (Elf64_Xword/Off/Addr):
 * sh_name 0, sh_type 4, sh_flags 8, sh_addr 8+w, sh_offset 8+2w,
 * sh_size 8+3w, sh_link 8+4w, sh_info 12+4w, sh_addralign 16+4w,
 * sh_entsize 16+5w (size 16+6w: 40 / 64).
 */
static void write_shdr(u8 *buf, const struct plan *pl, u32 idx, const struct shdr *sh)
{
	u8 *p = buf + pl->shoff + (u64)idx * pl->shdr_size;
	size_t w = pl->word;

	put(p + 0, sh->name, 4, pl->le);
	put(p + 4, sh->type, 4, pl->le);
	put(p + 8, sh->flags, w, pl->le);
	put(p + 8 + w, 0, w, pl->le);
	put(p + 8 + 2 * w, sh->offset, w, pl->le);
	put(p + 8 + 3 * w, sh->size, w, pl->le);
	put(p + 8 + 4 * w, sh->link, 4, pl->le);
	put(p + 12 + 4 * w, sh->info, 4, pl->le);
	put(p + 16 + 4 * w, sh->align, w, pl->le);
	put(p + 16 + 5 * w, sh->entsize, w, pl->le);
}

/*
 * ELF header. After the 16 bytes of e_ident: e_type 16, e_machine 18,
 * e_version 20, e_entry 24, e_phoff 24+w, e_shoff 24+2w, e_flags 24+3w,
 * e_ehsize 28+3w, e_phentsize 30+3w, e_phnum 32+3w, e_shentsize 34+3w,
 * e_shnum 36+3w, e_shstrndx 38+3w (size 40+3w: 52 / 64).
 */
static void write_ehdr(u8 *buf, const struct plan *pl)
{
	size_t w = pl->word;

	buf[0] = 0x7f;
	buf[1] = 'E';
	buf[2] = 'L';
	buf[3] = 'F';
	buf[EI_CLASS_OFF] = pl->is64 ? CLASS64 : CLASS32;
	buf[EI_DATA_OFF] = pl->le ? DATA2LSB : DATA2MSB;
	buf[EI_VERSION_OFF] = EV_CURRENT_;
	buf[EI_OSABI_OFF] = 0;		/* ELFOSABI_NONE; EI_ABIVERSION and padding 0 */
	put(buf + 16, ET_REL_, 2, pl->le);
	put(buf + 18, pl->machine, 2, pl->le);
	put(buf + 20, EV_CURRENT_, 4, pl->le);
	put(buf + 24, 0, w, pl->le);			/* e_entry */
	put(buf + 24 + w, 0, w, pl->le);		/* e_phoff: no program headers */
	put(buf + 24 + 2 * w, pl->shoff, w, pl->le);
	put(buf + 24 + 3 * w, 0, 4, pl->le);		/* e_flags */
	put(buf + 28 + 3 * w, pl->ehdr_size, 2, pl->le);
	put(buf + 30 + 3 * w, 0, 2, pl->le);		/* e_phentsize */
	put(buf + 32 + 3 * w, 0, 2, pl->le);		/* e_phnum */
	put(buf + 34 + 3 * w, pl->shdr_size, 2, pl->le);
	put(buf + 36 + 3 * w, pl->shnum, 2, pl->le);
	put(buf + 38 + 3 * w, pl->shnum - 1, 2, pl->le);	/* .shstrtab is last */
}

/* The ELF header and our own three sections, after the caller's. */
static void write_tail(u8 *buf, const struct plan *pl, u32 own_name_off)
{
	u32 nr = (u32)pl->nr;
	struct shdr sh;

	write_ehdr(buf, pl);
	/* section header [0] stays all zeros */
	memcpy(buf + pl->shstrtab_off + own_name_off, own_names, OWN_NAMES_SIZE);
	/* .symtab: the null symbol only (zeros); sh_info: index of the first global */
	sh = (struct shdr){ .name = own_name_off + SYMTAB_NAME_OFF, .type = SHT_SYMTAB_,
			    .offset = pl->symtab_off, .size = pl->sym_size, .link = nr + 2,
			    .info = 1, .align = pl->word, .entsize = pl->sym_size };
	write_shdr(buf, pl, nr + 1, &sh);
	/* .strtab: the empty string */
	sh = (struct shdr){ .name = own_name_off + STRTAB_NAME_OFF, .type = SHT_STRTAB_,
			    .offset = pl->strtab_off, .size = 1, .align = 1 };
	write_shdr(buf, pl, nr + 2, &sh);
	sh = (struct shdr){ .name = own_name_off + SHSTRTAB_NAME_OFF, .type = SHT_STRTAB_,
			    .offset = pl->shstrtab_off, .size = pl->shstrtab_size, .align = 1 };
	write_shdr(buf, pl, nr + 3, &sh);
}

/*
 * Print the -E2BIG line for a layout that goes past @max at section @idx
 * (1 .. nr + OWN_SECTIONS), or at the section header table (@idx 0).
 */
static int too_big(const struct plan *pl, size_t idx, u64 max)
{
	const char *why = pl->is64 ? "more than fits in memory" :
				     "the ELFCLASS32 limit (32-bit offsets and sizes)";

	if (idx == 0)
		pr_warn("ELF writer: section header table: file over %llu bytes, %s",
			(unsigned long long)max, why);
	else if (idx <= pl->nr)
		pr_warn("ELF writer: section [%zu] '%s' (size 0x%zx): file over %llu bytes, %s",
			idx, pl->secs[idx - 1].name, pl->secs[idx - 1].size,
			(unsigned long long)max, why);
	else
		pr_warn("ELF writer: section [%zu] '%s': file over %llu bytes, %s", idx,
			own_names + (idx == pl->nr + 1 ? SYMTAB_NAME_OFF :
				     idx == pl->nr + 2 ? STRTAB_NAME_OFF : SHSTRTAB_NAME_OFF),
			(unsigned long long)max, why);
	return -E2BIG;
}

/*
 * Lay the file out (see the diagram), in one place for both passes: with
 * @buf NULL only plan (every offset into @pl, -E2BIG past the limit); then
 * again with the zeroed buffer of pl->total bytes, which it fills. The second
 * pass computes the same offsets, so it cannot fail, and while it walks the
 * caller's sections it writes their names and headers at pl->shstrtab_off
 * and pl->shoff as the first pass left them.
 */
static int layout(struct plan *pl, u8 *buf)
{
	u64 max = pl->is64 ? (u64)SIZE_MAX : ELF32_OUT_MAX_SIZE;
	u64 off = pl->ehdr_size, names = 1;	/* .shstrtab starts with "" */
	size_t i, len;

	for (i = 0; i < pl->nr; i++) {
		const struct elf_out_sec *s = &pl->secs[i];

		if (!align_up(&off, s->align, max) || !advance(&off, s->size, max))
			return too_big(pl, i + 1, max);
		len = strlen(s->name);		/* bounded: checked already */
		if (buf) {
			struct shdr sh = { .name = (u32)names, .type = s->type, .flags = s->flags,
					   .offset = off - s->size, .size = s->size,
					   .align = s->align };

			if (s->size)
				memcpy(buf + sh.offset, s->data, s->size);
			memcpy(buf + pl->shstrtab_off + names, s->name, len + 1);
			write_shdr(buf, pl, (u32)i + 1, &sh);
		}
		names += len + 1;
	}

	if (!align_up(&off, pl->word, max))
		return too_big(pl, pl->nr + 1, max);
	pl->symtab_off = off;
	if (!advance(&off, pl->sym_size, max))
		return too_big(pl, pl->nr + 1, max);
	pl->strtab_off = off;
	if (!advance(&off, 1, max))
		return too_big(pl, pl->nr + 2, max);
	pl->shstrtab_off = off;
	pl->shstrtab_size = names + OWN_NAMES_SIZE;
	if (!advance(&off, pl->shstrtab_size, max))
		return too_big(pl, pl->nr + 3, max);
	if (!align_up(&off, pl->word, max))
		return too_big(pl, 0, max);
	pl->shoff = off;
	if (!advance(&off, (u64)pl->shnum * pl->shdr_size, max))
		return too_big(pl, 0, max);
	pl->total = off;
	if (buf)
		write_tail(buf, pl, (u32)names);
	return 0;
}

struct name_ref {
	const char *name;
	size_t idx;
};

static int cmp_name_ref(const void *x, const void *y)
{
	const struct name_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Refuse two sections with one name, in O(n log n). */
static int check_duplicates(const struct elf_out_sec *secs, size_t nr)
{
	struct name_ref *r;
	size_t i;
	int err = 0;

	if (nr < 2)
		return 0;
	r = xcalloc(nr, sizeof(*r));
	if (!r) {
		pr_warn("ELF writer: out of memory checking %zu section names", nr);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		r[i] = (struct name_ref){ secs[i].name, i + 1 };
	qsort(r, nr, sizeof(*r), cmp_name_ref);
	for (i = 1; i < nr; i++) {
		if (strcmp(r[i - 1].name, r[i].name))
			continue;
		pr_warn("ELF writer: sections [%zu] and [%zu]: duplicate name '%s'", r[i - 1].idx,
			r[i].idx, r[i].name);
		err = -EINVAL;
		break;
	}
	xfree(r);
	return err;
}

int elf_write(bool is64, bool le, unsigned machine, const struct elf_out_sec *secs, size_t nr,
	      void **out, size_t *out_len)
{
	struct plan pl = {
		.is64 = is64, .le = le, .secs = secs, .nr = nr,
		.ehdr_size = is64 ? EHDR64_SIZE : EHDR32_SIZE,
		.shdr_size = is64 ? SHDR64_SIZE : SHDR32_SIZE,
		.sym_size = is64 ? SYM64_SIZE : SYM32_SIZE,
		.word = is64 ? 8 : 4,
	};
	size_t i;
	u8 *buf;
	int err;

	if (!out || !out_len) {
		pr_warn("ELF writer: no place for the output");
		return -EINVAL;
	}
	if (nr && !secs) {
		pr_warn("ELF writer: %zu sections but no section array", nr);
		return -EINVAL;
	}
	if (machine > UINT16_MAX) {
		pr_warn("ELF writer: e_machine %u does not fit 16 bits", machine);
		return -EINVAL;
	}
	if (nr > ELF_OUT_MAX_SECTIONS) {
		pr_warn("ELF writer: %zu sections, over the limit %u (e_shnum must stay below "
			"SHN_LORESERVE without extended numbering)", nr, ELF_OUT_MAX_SECTIONS);
		return -E2BIG;
	}
	pl.machine = (u16)machine;
	pl.shnum = (u32)nr + 1 + OWN_SECTIONS;

	for (i = 0; i < nr; i++) {
		err = check_section(&pl, i);
		if (err)
			return err;
	}
	/* Sizes first: an over-limit request must not allocate anything. */
	err = layout(&pl, NULL);
	if (err)
		return err;
	err = check_duplicates(secs, nr);
	if (err)
		return err;

	buf = xcalloc(1, (size_t)pl.total);	/* zeroed: padding is deterministic */
	if (!buf) {
		pr_warn("ELF writer: out of memory for a %llu-byte ELF image",
			(unsigned long long)pl.total);
		return -ENOMEM;
	}
	layout(&pl, buf);	/* same inputs, same offsets: cannot fail now */
	*out = buf;
	*out_len = (size_t)pl.total;
	return 0;
}

/* ---- machine names -------------------------------------------------------- */

/*
 * `uname -m` names (the kernel's UTS_MACHINE) of the architectures Linux
 * runs BPF on, with e_machine (gABI EM_* numbers), class and byte order.
 * One table; elf_machine_of() is the only reader.
 */
static const struct {
	const char *uname_m;
	u16 machine;
	bool is64, le;
} elf_machines[] = {
	{ "x86_64",	 62, true,  true  },	/* EM_X86_64 */
	{ "i386",	  3, false, true  },	/* EM_386 */
	{ "i486",	  3, false, true  },
	{ "i586",	  3, false, true  },
	{ "i686",	  3, false, true  },
	{ "aarch64",	183, true,  true  },	/* EM_AARCH64 */
	{ "arm64",	183, true,  true  },
	{ "aarch64_be",	183, true,  false },
	{ "armv7l",	 40, false, true  },	/* EM_ARM */
	{ "armv6l",	 40, false, true  },
	{ "arm",	 40, false, true  },
	{ "s390x",	 22, true,  false },	/* EM_S390 */
	{ "ppc64le",	 21, true,  true  },	/* EM_PPC64 */
	{ "ppc64",	 21, true,  false },
	{ "ppc",	 20, false, false },	/* EM_PPC */
	{ "riscv64",	243, true,  true  },	/* EM_RISCV */
	{ "loongarch64", 258, true, true  },	/* EM_LOONGARCH */
	/* Linux says "mips"/"mips64" for both byte orders: see elf_file.h */
	{ "mips64",	  8, true,  false },	/* EM_MIPS */
	{ "mips64el",	  8, true,  true  },
	{ "mips",	  8, false, false },
	{ "mipsel",	  8, false, true  },
	{ "sparc64",	 43, true,  false },	/* EM_SPARCV9 */
};

int elf_machine_of(const char *uname_m, unsigned *machine, bool *is64, bool *le)
{
	size_t i;

	if (!uname_m || !machine || !is64 || !le)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(elf_machines); i++) {
		if (strcmp(elf_machines[i].uname_m, uname_m))
			continue;
		*machine = elf_machines[i].machine;
		*is64 = elf_machines[i].is64;
		*le = elf_machines[i].le;
		return 0;
	}
	return -ENOENT;
}
