// SPDX-License-Identifier: MIT
/*
 * test_elf_parse.c - unit tests for elf/elf.c.
 *
 * Tiny ELF images are built in memory by build_img() in all four flavours
 * (ELF32/ELF64 x LSB/MSB) and in two layouts:
 *
 *   shdrs last:   [ehdr][.BTF][.BTF.ext][.shstrtab][pad][section headers]
 *   shdrs first:  [ehdr][pad][section headers][.BTF][.BTF.ext][.shstrtab]
 *
 * Both end exactly at their last meaningful byte, so truncating an image
 * anywhere must make it invalid. Sections:
 *
 *   [0] SHT_NULL
 *   [1] .bss       SHT_NOBITS, offset/size deliberately outside the file
 *   [2] .BTF       SHT_NOBITS decoy: lookups must skip it
 *   [3] .BTF       SHT_PROGBITS, the real one
 *   [4] .BTF.ext   SHT_PROGBITS
 *   [5] .shstrtab  SHT_STRTAB
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_file.h"
#include "util/util.h"

/* ---- diagnostics sink ------------------------------------------------- */

static int diag_lines;
static char diag_last[1024];

static void count_sink(enum diag_level level, const char *msg)
{
	(void)level;
	diag_lines++;
	snprintf(diag_last, sizeof(diag_last), "%s", msg);
}

static void setup(void)
{
	diag_lines = 0;
	diag_last[0] = '\0';
	diag_set_sink(count_sink);
}

static void teardown(void)
{
	diag_set_sink(NULL);
	util_alloc_fail_at = 0;
}

TestSuite(elf_parse, .init = setup, .fini = teardown, .timeout = 60);

/* ---- deterministic PRNG (xorshift64) ---------------------------------- */

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)rng();
}

/* ---- ELF image builder ------------------------------------------------ */

enum { S_NULL, S_BSS, S_BTF_DECOY, S_BTF, S_BTF_EXT, S_SHSTRTAB, NSECS };

#define EM_X86_64_ 62
#define SHT_PROGBITS_ 1
#define SHT_STRTAB_ 3
#define SHT_NOBITS_ 8
#define IMG_CAP 1024

static const char btf_payload[] = "\x9f\xeb\x01\x00-btf-payload-0123";
static const char ext_payload[] = "\x9f\xeb\x01\x00-ext";
/* name offsets:      0   1      6      11         20 */
static const char shstrtab[] = "\0.bss\0.BTF\0.BTF.ext\0.shstrtab";	/* + final NUL */
enum { N_NULL = 0, N_BSS = 1, N_BTF = 6, N_BTF_EXT = 11, N_SHSTRTAB = 20 };

struct img {
	u8 buf[IMG_CAP];
	size_t size;
	bool is64, le;
	size_t shsz, shoff, btf_off, ext_off, str_off;
};

static void put16(u8 *p, u16 v, bool le)
{
	p[le ? 0 : 1] = (u8)v;
	p[le ? 1 : 0] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v, bool le)
{
	put16(p + (le ? 0 : 2), (u16)v, le);
	put16(p + (le ? 2 : 0), (u16)(v >> 16), le);
}

static void put64(u8 *p, u64 v, bool le)
{
	put32(p + (le ? 0 : 4), (u32)v, le);
	put32(p + (le ? 4 : 0), (u32)(v >> 32), le);
}

static void img_putw(const struct img *im, u8 *p, u64 v)
{
	if (im->is64)
		put64(p, v, im->le);
	else
		put32(p, (u32)v, im->le);
}

/* Field setters (offsets from the gABI Elf32/Elf64 structures). */
static void set_e_machine(struct img *im, u16 v)
{
	put16(im->buf + 18, v, im->le);
}

static void set_e_shoff(struct img *im, u64 v)
{
	img_putw(im, im->buf + (im->is64 ? 40 : 32), v);
}

static void set_e_shentsize(struct img *im, u16 v)
{
	put16(im->buf + (im->is64 ? 58 : 46), v, im->le);
}

static void set_e_shnum(struct img *im, u16 v)
{
	put16(im->buf + (im->is64 ? 60 : 48), v, im->le);
}

static void set_e_shstrndx(struct img *im, u16 v)
{
	put16(im->buf + (im->is64 ? 62 : 50), v, im->le);
}

static u8 *shdr(struct img *im, unsigned idx)
{
	return im->buf + im->shoff + idx * im->shsz;
}

static void set_sh_name(struct img *im, unsigned idx, u32 v)
{
	put32(shdr(im, idx), v, im->le);
}

static void set_sh_type(struct img *im, unsigned idx, u32 v)
{
	put32(shdr(im, idx) + 4, v, im->le);
}

static void set_sh_offset(struct img *im, unsigned idx, u64 v)
{
	img_putw(im, shdr(im, idx) + (im->is64 ? 24 : 16), v);
}

static void set_sh_size(struct img *im, unsigned idx, u64 v)
{
	img_putw(im, shdr(im, idx) + (im->is64 ? 32 : 20), v);
}

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

static void set_shdr(struct img *im, unsigned idx, u32 name, u32 type, u64 off, u64 size)
{
	set_sh_name(im, idx, name);
	set_sh_type(im, idx, type);
	set_sh_offset(im, idx, off);
	set_sh_size(im, idx, size);
}

static void build_img(struct img *im, bool is64, bool le, u16 machine, bool shdr_first)
{
	size_t ehsz = is64 ? 64 : 52, pos;
	u8 *b = im->buf;

	memset(im, 0, sizeof(*im));
	im->is64 = is64;
	im->le = le;
	im->shsz = is64 ? 64 : 40;

	memcpy(b, "\x7f" "ELF", 4);
	b[4] = is64 ? 2 : 1;			/* EI_CLASS */
	b[5] = le ? 1 : 2;			/* EI_DATA */
	b[6] = 1;				/* EI_VERSION */
	put16(b + 16, 1, le);			/* e_type = ET_REL */
	set_e_machine(im, machine);
	put32(b + 20, 1, le);			/* e_version */
	put16(b + (is64 ? 52 : 40), (u16)ehsz, le);	/* e_ehsize */
	set_e_shentsize(im, (u16)im->shsz);
	set_e_shnum(im, NSECS);
	set_e_shstrndx(im, S_SHSTRTAB);

	pos = ehsz;
	if (shdr_first) {
		im->shoff = align8(pos);
		pos = im->shoff + NSECS * im->shsz;
	}
	im->btf_off = pos;
	memcpy(b + pos, btf_payload, sizeof(btf_payload) - 1);
	pos += sizeof(btf_payload) - 1;
	im->ext_off = pos;
	memcpy(b + pos, ext_payload, sizeof(ext_payload) - 1);
	pos += sizeof(ext_payload) - 1;
	im->str_off = pos;
	memcpy(b + pos, shstrtab, sizeof(shstrtab));
	pos += sizeof(shstrtab);
	if (!shdr_first) {
		im->shoff = align8(pos);
		pos = im->shoff + NSECS * im->shsz;
	}
	im->size = pos;
	cr_assert_leq(im->size, IMG_CAP);

	set_e_shoff(im, im->shoff);
	set_shdr(im, S_NULL, N_NULL, 0, 0, 0);
	set_shdr(im, S_BSS, N_BSS, SHT_NOBITS_, 0xfffffff0u, 0x10000);
	set_shdr(im, S_BTF_DECOY, N_BTF, SHT_NOBITS_, 0x40, 0x7ffffff0u);
	set_shdr(im, S_BTF, N_BTF, SHT_PROGBITS_, im->btf_off, sizeof(btf_payload) - 1);
	set_shdr(im, S_BTF_EXT, N_BTF_EXT, SHT_PROGBITS_, im->ext_off, sizeof(ext_payload) - 1);
	set_shdr(im, S_SHSTRTAB, N_SHSTRTAB, SHT_STRTAB_, im->str_off, sizeof(shstrtab));
}

/* The 8 flavours: bit 0 = is64, bit 1 = le, bit 2 = shdr_first. */
#define NVARIANTS 8

static void build_variant(struct img *im, unsigned v, u16 machine)
{
	build_img(im, v & 1, v & 2, machine, v & 4);
}

/* Copy @n bytes into an exactly sized heap buffer so ASan sees overreads. */
static u8 *dup_exact(const void *p, size_t n)
{
	u8 *d = malloc(n ? n : 1);

	cr_assert_not_null(d);
	if (n)
		memcpy(d, p, n);
	return d;
}

/* ---- section lookup --------------------------------------------------- */

static void check_lookup(bool is64, bool le)
{
	const void *data;
	struct elf_file *ef;
	struct img im;
	size_t size, off, len;
	int layout;
	u8 *copy;

	for (layout = 0; layout < 2; layout++) {
		build_img(&im, is64, le, ELF_MACHINE_BPF, layout);
		copy = dup_exact(im.buf, im.size);

		cr_assert(elf_is_elf(copy, im.size));
		cr_assert_eq(elf_parse(copy, im.size, "img", &ef), 0, "%s", diag_last);
		cr_assert_eq(diag_lines, 0);
		cr_assert_eq(elf_is_64(ef), is64);
		cr_assert_eq(elf_is_le(ef), le);
		cr_assert_eq(elf_machine(ef), ELF_MACHINE_BPF);

		/* .BTF: skips the NOBITS decoy [2], returns [3]. */
		cr_assert_eq(elf_find_section(ef, ".BTF", &data, &size), 0);
		cr_assert_eq(data, copy + im.btf_off);
		cr_assert_eq(size, sizeof(btf_payload) - 1);
		cr_assert_eq(memcmp(data, btf_payload, size), 0);

		cr_assert_eq(elf_find_section(ef, ".BTF.ext", &data, &size), 0);
		cr_assert_eq(data, copy + im.ext_off);
		cr_assert_eq(size, sizeof(ext_payload) - 1);

		cr_assert_eq(elf_find_section(ef, ".shstrtab", &data, &size), 0);
		cr_assert_eq(data, copy + im.str_off);
		cr_assert_eq(size, sizeof(shstrtab));

		/* NOBITS is never returned; near-miss names do not match. */
		cr_assert_eq(elf_find_section(ef, ".bss", &data, &size), -ENOENT);
		cr_assert_eq(elf_find_section(ef, ".BT", &data, &size), -ENOENT);
		cr_assert_eq(elf_find_section(ef, ".BTF.ex", &data, &size), -ENOENT);
		cr_assert_eq(elf_find_section(ef, ".BTF.ext2", &data, &size), -ENOENT);
		cr_assert_eq(elf_find_section(ef, ".text", &data, &size), -ENOENT);
		elf_free(ef);

		/* The image itself is one embedded BPF object spanning all of it. */
		cr_assert_eq(elf_find_embedded_bpf(copy, im.size, 0, &off, &len), 1);
		cr_assert_eq(off, 0);
		cr_assert_eq(len, im.size);
		cr_assert_eq(elf_find_embedded_bpf(copy, im.size, 1, &off, &len), 0);
		cr_assert_eq(diag_lines, 0);
		free(copy);
	}
}

Test(elf_parse, lookup_elf64_lsb)
{
	check_lookup(true, true);
}

Test(elf_parse, lookup_elf64_msb)
{
	check_lookup(true, false);
}

Test(elf_parse, lookup_elf32_lsb)
{
	check_lookup(false, true);
}

Test(elf_parse, lookup_elf32_msb)
{
	check_lookup(false, false);
}

Test(elf_parse, is_elf)
{
	cr_assert(elf_is_elf("\x7f" "ELF", 4));
	cr_assert_not(elf_is_elf("\x7f" "ELF", 3));
	cr_assert_not(elf_is_elf("\x7f" "ELG", 4));
	cr_assert_not(elf_is_elf("", 0));
	cr_assert_not(elf_is_elf(NULL, 0));
}

Test(elf_parse, non_bpf_machine_parses)
{
	struct elf_file *ef;
	struct img im;
	size_t off, len;

	build_img(&im, true, true, EM_X86_64_, false);
	cr_assert_eq(elf_parse(im.buf, im.size, "x86", &ef), 0);
	cr_assert_eq(elf_machine(ef), EM_X86_64_);
	elf_free(ef);
	/* ...but it is not an embedded BPF object. */
	cr_assert_eq(elf_find_embedded_bpf(im.buf, im.size, 0, &off, &len), 0);
	elf_free(NULL);
}

Test(elf_parse, shstrndx_undef_has_no_names)
{
	const void *data;
	struct elf_file *ef;
	struct img im;
	size_t size, off, len;

	build_img(&im, false, false, ELF_MACHINE_BPF, false);
	set_e_shstrndx(&im, 0);
	set_sh_name(&im, S_BTF, 0xffffffffu);	/* not looked at without names */
	cr_assert_eq(elf_parse(im.buf, im.size, "undef", &ef), 0, "%s", diag_last);
	cr_assert_eq(elf_find_section(ef, ".BTF", &data, &size), -ENOENT);
	cr_assert_eq(elf_find_section(ef, "", &data, &size), -ENOENT);
	elf_free(ef);
	cr_assert_eq(elf_find_embedded_bpf(im.buf, im.size, 0, &off, &len), 1);
	cr_assert_eq(len, im.size);
	cr_assert_eq(diag_lines, 0);
}

Test(elf_parse, no_section_header_table)
{
	const void *data;
	struct elf_file *ef;
	struct img im;
	size_t size, off, len;

	build_img(&im, true, false, ELF_MACHINE_BPF, false);
	set_e_shoff(&im, 0);
	set_e_shnum(&im, 0);
	set_e_shstrndx(&im, 0);
	cr_assert_eq(elf_parse(im.buf, 64, "nosh", &ef), 0, "%s", diag_last);
	cr_assert_eq(elf_find_section(ef, ".BTF", &data, &size), -ENOENT);
	elf_free(ef);
	/* A section-less object is never reported as embedded BPF. */
	cr_assert_eq(elf_find_embedded_bpf(im.buf, im.size, 0, &off, &len), 0);
	cr_assert_eq(diag_lines, 0);
}

/* ---- embedded objects ------------------------------------------------- */

Test(elf_parse, embedded_in_larger_buffer)
{
	const size_t total = 64 * 1024;
	struct img bpf1, bpf2, x86, bad;
	const size_t o_fake = 100, o_bad = 1000, o_x86 = 3000, o_bpf1 = 5001, o_bpf2 = 9003;
	struct elf_file *ef;
	const void *data;
	size_t off, len, size;
	u8 *buf;

	buf = malloc(total);
	cr_assert_not_null(buf);
	fill_random(buf, total);

	/* A bare magic followed by noise. */
	memcpy(buf + o_fake, "\x7f" "ELF", 4);
	/* An EM_BPF header whose section header table runs off the buffer. */
	build_img(&bad, true, true, ELF_MACHINE_BPF, false);
	set_e_shoff(&bad, total);
	memcpy(buf + o_bad, bad.buf, bad.size);
	/* A valid ELF, but not BPF. */
	build_img(&x86, true, true, EM_X86_64_, false);
	memcpy(buf + o_x86, x86.buf, x86.size);
	/* Two real ones at unaligned offsets; the first ends with its sections. */
	build_img(&bpf1, true, false, ELF_MACHINE_BPF, true);
	memcpy(buf + o_bpf1, bpf1.buf, bpf1.size);
	build_img(&bpf2, false, true, ELF_MACHINE_BPF, false);
	memcpy(buf + o_bpf2, bpf2.buf, bpf2.size);
	/* Stray 0x7f bytes just before them must not hide them. */
	buf[o_bpf1 - 1] = 0x7f;
	buf[o_bpf2 - 3] = 0x7f;
	/* Partial magics at the very end. */
	memcpy(buf + total - 3, "\x7f" "EL", 3);

	cr_assert_eq(elf_find_embedded_bpf(buf, total, 0, &off, &len), 1);
	cr_assert_eq(off, o_bpf1);
	cr_assert_eq(len, bpf1.size);
	cr_assert_eq(elf_find_embedded_bpf(buf, total, o_bpf1, &off, &len), 1);
	cr_assert_eq(off, o_bpf1);

	/* The span found parses on its own and has the right sections. */
	cr_assert_eq(elf_parse(buf + off, len, "embedded", &ef), 0, "%s", diag_last);
	cr_assert_eq(elf_find_section(ef, ".BTF", &data, &size), 0);
	cr_assert_eq(data, buf + o_bpf1 + bpf1.btf_off);
	elf_free(ef);

	cr_assert_eq(elf_find_embedded_bpf(buf, total, o_bpf1 + 1, &off, &len), 1);
	cr_assert_eq(off, o_bpf2);
	cr_assert_eq(len, bpf2.size);
	cr_assert_eq(elf_find_embedded_bpf(buf, total, o_bpf2 + 1, &off, &len), 0);

	/* Boundaries. */
	cr_assert_eq(elf_find_embedded_bpf(buf, total, total, &off, &len), 0);
	cr_assert_eq(elf_find_embedded_bpf(buf, total, total + 5, &off, &len), 0);
	cr_assert_eq(elf_find_embedded_bpf(buf, o_bpf1 + bpf1.size - 1, 0, &off, &len), 0);
	cr_assert_eq(elf_find_embedded_bpf(buf, o_bpf1 + bpf1.size, 0, &off, &len), 1);
	cr_assert_eq(elf_find_embedded_bpf(buf, 3, 0, &off, &len), 0);
	cr_assert_eq(elf_find_embedded_bpf(NULL, 0, 0, &off, &len), 0);

	cr_assert_eq(diag_lines, 0, "elf_find_embedded_bpf printed: %s", diag_last);
	free(buf);
}

/* Many magics in a row must still be scanned quickly (linear time). */
Test(elf_parse, embedded_scan_is_fast)
{
	const size_t total = 4 * 1024 * 1024;
	struct img im;
	size_t i, off, len;
	u8 *buf;

	buf = malloc(total);
	cr_assert_not_null(buf);
	for (i = 0; i + 4 <= total; i += 4)
		memcpy(buf + i, "\x7f" "ELF", 4);
	build_img(&im, true, true, ELF_MACHINE_BPF, false);
	memcpy(buf + total - im.size, im.buf, im.size);
	cr_assert_eq(elf_find_embedded_bpf(buf, total, 0, &off, &len), 1);
	cr_assert_eq(off, total - im.size);
	cr_assert_eq(len, im.size);
	free(buf);
}

/* ---- truncation and corruption ---------------------------------------- */

Test(elf_parse, truncation_at_every_length)
{
	struct elf_file *ef;
	struct img im;
	size_t n, off, len;
	unsigned v;
	int rc;
	u8 *copy;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		for (n = 0; n < im.size; n++) {
			copy = dup_exact(im.buf, n);
			diag_lines = 0;
			ef = (struct elf_file *)1;
			rc = elf_parse(copy, n, "trunc", &ef);
			cr_assert_eq(rc, -EINVAL, "variant %u len %zu: rc %d", v, n, rc);
			cr_assert_null(ef);
			cr_assert_eq(diag_lines, 1, "variant %u len %zu: %d lines", v, n,
				     diag_lines);
			cr_assert_not_null(strstr(diag_last, "trunc: ELF "), "%s", diag_last);
			cr_assert_eq(elf_find_embedded_bpf(copy, n, 0, &off, &len), 0);
			cr_assert_eq(diag_lines, 1);
			free(copy);
		}
		copy = dup_exact(im.buf, im.size);
		cr_assert_eq(elf_parse(copy, im.size, "full", &ef), 0);
		elf_free(ef);
		free(copy);
	}
}

/* Parse a corrupted image: must fail with @err, one line containing @what. */
static void expect_reject(const struct img *im, int err, const char *what)
{
	struct elf_file *ef = (struct elf_file *)1;
	size_t off, len;
	u8 *copy;
	int rc;

	copy = dup_exact(im->buf, im->size);
	diag_lines = 0;
	rc = elf_parse(copy, im->size, "corrupt", &ef);
	cr_assert_eq(rc, err, "expected %d got %d (%s) for '%s'", err, rc, diag_last, what);
	cr_assert_null(ef);
	cr_assert_eq(diag_lines, 1);
	cr_assert_not_null(strstr(diag_last, what), "'%s' not in '%s'", what, diag_last);
	cr_assert_eq(strncmp(diag_last, "corrupt: ELF ", 13), 0, "%s", diag_last);
	cr_assert_null(strchr(diag_last, '\n'));
	/* The silent validator agrees. */
	cr_assert_eq(elf_find_embedded_bpf(copy, im->size, 0, &off, &len), 0);
	cr_assert_eq(diag_lines, 1);
	free(copy);
}

Test(elf_parse, corrupt_ident)
{
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		im.buf[1] = 'e';
		expect_reject(&im, -EINVAL, "ELF header: bad magic");

		build_variant(&im, v, ELF_MACHINE_BPF);
		im.buf[4] = 0;
		expect_reject(&im, -EINVAL, "EI_CLASS 0");
		im.buf[4] = 3;
		expect_reject(&im, -EINVAL, "EI_CLASS 3");

		build_variant(&im, v, ELF_MACHINE_BPF);
		im.buf[5] = 0;
		expect_reject(&im, -EINVAL, "EI_DATA 0");
		im.buf[5] = 0xff;
		expect_reject(&im, -EINVAL, "EI_DATA 255");
	}
}

Test(elf_parse, corrupt_e_shoff)
{
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shoff(&im, im.size);
		expect_reject(&im, -EINVAL, "e_shoff");

		/* One byte too far. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shoff(&im, im.size - NSECS * im.shsz + 1);
		expect_reject(&im, -EINVAL, "outside file");

		/* Offset + table size would wrap around. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shoff(&im, im.is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
		expect_reject(&im, -EINVAL, "outside file");
	}
}

Test(elf_parse, corrupt_e_shnum_and_shentsize)
{
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shnum(&im, 0xffff);
		expect_reject(&im, -EINVAL, "e_shnum 65535");

		if (!(v & 4)) {	/* table is last: one more entry runs off */
			build_variant(&im, v, ELF_MACHINE_BPF);
			set_e_shnum(&im, NSECS + 1);
			expect_reject(&im, -EINVAL, "outside file (size");
		}

		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shnum(&im, 0);
		expect_reject(&im, -ENOTSUP, "extended section numbering");

		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shentsize(&im, im.is64 ? 40 : 64);
		expect_reject(&im, -EINVAL, "e_shentsize");
		set_e_shentsize(&im, 0);
		expect_reject(&im, -EINVAL, "e_shentsize 0");
	}
}

Test(elf_parse, corrupt_e_shstrndx)
{
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shstrndx(&im, 0xffff);
		expect_reject(&im, -ENOTSUP, "SHN_XINDEX");
		set_e_shstrndx(&im, NSECS);
		expect_reject(&im, -EINVAL, "e_shstrndx 6 out of range");
		set_e_shstrndx(&im, 0xff00);
		expect_reject(&im, -EINVAL, "out of range");
		set_e_shstrndx(&im, S_BTF);
		expect_reject(&im, -EINVAL, "section header [3]: section name table has sh_type 1");
		set_e_shstrndx(&im, S_BSS);
		expect_reject(&im, -EINVAL, "section header [1]");

		/* No sections, but a section name table index. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_e_shoff(&im, 0);
		set_e_shnum(&im, 0);
		expect_reject(&im, -EINVAL, "e_shstrndx 5 but no sections");
	}
}

Test(elf_parse, corrupt_sh_offset_and_size)
{
	char want[256];
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_offset(&im, S_BTF, im.size);
		snprintf(want, sizeof(want),
			 "corrupt: ELF section header [3]: offset 0x%zx size 0x%zx outside file (size 0x%zx)",
			 im.size, sizeof(btf_payload) - 1, im.size);
		expect_reject(&im, -EINVAL, want);
		cr_assert_str_eq(diag_last, want);

		/* Off by one at the end. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_offset(&im, S_BTF_EXT, im.size - (sizeof(ext_payload) - 1) + 1);
		expect_reject(&im, -EINVAL, "section header [4]: offset");

		/* offset + size wraps around 2^32 / 2^64. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_offset(&im, S_BTF, im.is64 ? UINT64_MAX - 4 : UINT32_MAX - 4);
		expect_reject(&im, -EINVAL, "section header [3]: offset");

		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_size(&im, S_BTF, im.is64 ? UINT64_MAX : UINT32_MAX);
		expect_reject(&im, -EINVAL, "section header [3]: offset");

		/* Section [0] (SHT_NULL) is checked like any other. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_size(&im, S_NULL, im.size + 1);
		expect_reject(&im, -EINVAL, "section header [0]: offset 0x0");

		/* The section name table itself. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_size(&im, S_SHSTRTAB, im.size - im.str_off + 1);
		expect_reject(&im, -EINVAL, "section header [5]: offset");

		/* The same offsets are fine once the section is NOBITS. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_offset(&im, S_BTF, im.is64 ? UINT64_MAX - 4 : UINT32_MAX - 4);
		set_sh_type(&im, S_BTF, SHT_NOBITS_);
		{
			struct elf_file *ef;
			const void *data;
			size_t size;

			cr_assert_eq(elf_parse(im.buf, im.size, "nobits", &ef), 0, "%s", diag_last);
			cr_assert_eq(elf_find_section(ef, ".BTF", &data, &size), -ENOENT);
			elf_free(ef);
		}
	}
}

Test(elf_parse, corrupt_sh_name)
{
	struct img im;
	unsigned v;

	for (v = 0; v < NVARIANTS; v++) {
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_name(&im, S_BTF_EXT, sizeof(shstrtab));
		expect_reject(&im, -EINVAL, "section header [4]: sh_name 0x1e outside section name table [5]");
		set_sh_name(&im, S_BTF_EXT, 0xffffffffu);
		expect_reject(&im, -EINVAL, "section header [4]: sh_name 0xffffffff");

		/* Last name not NUL-terminated inside the table. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		im.buf[im.str_off + sizeof(shstrtab) - 1] = 'X';
		expect_reject(&im, -EINVAL, "section header [5]: name at sh_name 0x14 not NUL-terminated");

		/* Table shrunk so that ".shstrtab" loses its NUL. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_size(&im, S_SHSTRTAB, sizeof(shstrtab) - 1);
		expect_reject(&im, -EINVAL, "not NUL-terminated");

		/* Empty table: even sh_name 0 is outside. */
		build_variant(&im, v, ELF_MACHINE_BPF);
		set_sh_size(&im, S_SHSTRTAB, 0);
		expect_reject(&im, -EINVAL, "section header [0]: sh_name 0x0 outside");
	}
}

Test(elf_parse, out_of_memory)
{
	struct elf_file *ef;
	struct img im;
	unsigned long n;
	int rc;

	build_img(&im, true, true, ELF_MACHINE_BPF, false);
	/* the file, its section table, the overlap check's ranges */
	for (n = 1; n <= 3; n++) {
		diag_lines = 0;
		util_alloc_fail_at = n;
		ef = (struct elf_file *)1;
		rc = elf_parse(im.buf, im.size, "oom", &ef);
		cr_assert_eq(rc, -ENOMEM, "fail_at %lu: %d", n, rc);
		cr_assert_null(ef);
		cr_assert_eq(diag_lines, 1);
		cr_assert_not_null(strstr(diag_last, "oom: ELF"));
	}
	util_alloc_fail_at = 4;
	cr_assert_eq(elf_parse(im.buf, im.size, "oom", &ef), 0);
	util_alloc_fail_at = 0;
	elf_free(ef);
}

/* Random byte flips: never crash, always exactly one line per failure. */
Test(elf_parse, random_corruption)
{
	struct elf_file *ef;
	const void *data;
	struct img im;
	size_t off, len, size;
	int i, k, flips, rc, found;
	u8 *copy;

	for (i = 0; i < 20000; i++) {
		build_variant(&im, (unsigned)rng() % NVARIANTS, ELF_MACHINE_BPF);
		flips = 1 + (int)(rng() % 4);
		for (k = 0; k < flips; k++)
			im.buf[rng() % im.size] = (u8)rng();
		copy = dup_exact(im.buf, im.size);
		diag_lines = 0;
		rc = elf_parse(copy, im.size, "fuzz", &ef);
		if (rc == 0) {
			cr_assert_eq(diag_lines, 0);
			elf_find_section(ef, ".BTF", &data, &size);
			elf_find_section(ef, ".BTF.ext", &data, &size);
		} else {
			cr_assert(rc == -EINVAL || rc == -ENOTSUP, "rc %d", rc);
			cr_assert_eq(diag_lines, 1, "%d lines, last: %s", diag_lines, diag_last);
		}
		found = elf_find_embedded_bpf(copy, im.size, 0, &off, &len);
		/* the scan checks the structure, not overlapping contents */
		if (found && off == 0 && !(rc == -EINVAL && strstr(diag_last, "overlap"))) {
			cr_assert_eq(rc, 0, "rc %d: %s", rc, diag_last);
			cr_assert_eq(elf_machine(ef), ELF_MACHINE_BPF);
		}
		if (found)
			cr_assert_leq(len, im.size - off);
		if (rc == 0)
			elf_free(ef);
		cr_assert_eq(diag_lines, rc ? 1 : 0);
		free(copy);
	}
}

/* ---- a real binary ---------------------------------------------------- */

#define EXECSNOOP "/usr/sbin/execsnoop"

static u8 *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(n ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*size = (size_t)n;
out:
	fclose(f);
	return buf;
}

Test(elf_parse, real_execsnoop)
{
	struct elf_file *host, *ef;
	const void *btf, *ext;
	size_t size = 0, btf_sz, ext_sz, from = 0, off, len;
	int objs = 0;
	u8 *buf;

	buf = read_file(EXECSNOOP, &size);
	if (!buf)
		cr_skip_test("%s not readable (install Debian package libbpf-tools)", EXECSNOOP);

	cr_assert_eq(elf_parse(buf, size, EXECSNOOP, &host), 0, "%s", diag_last);
	cr_assert_neq(elf_machine(host), ELF_MACHINE_BPF);
	elf_free(host);

	while (elf_find_embedded_bpf(buf, size, from, &off, &len) == 1) {
		cr_assert_leq(len, size - off);
		cr_assert_eq(elf_parse(buf + off, len, "execsnoop[bpf]", &ef), 0, "%s",
			     diag_last);
		cr_assert_eq(elf_machine(ef), ELF_MACHINE_BPF);
		cr_assert_eq(elf_find_section(ef, ".BTF", &btf, &btf_sz), 0);
		cr_assert_eq(elf_find_section(ef, ".BTF.ext", &ext, &ext_sz), 0);
		cr_assert_gt(btf_sz, 4);
		cr_assert_gt(ext_sz, 4);
		/* Both start with the BTF magic 0xeb9f in the object's byte order. */
		cr_assert_eq(load_u16(btf, elf_is_le(ef)), 0xeb9f);
		cr_assert_eq(load_u16(ext, elf_is_le(ef)), 0xeb9f);
		cr_log_info("BPF object at 0x%zx, 0x%zx bytes, .BTF 0x%zx, .BTF.ext 0x%zx",
			    off, len, btf_sz, ext_sz);
		elf_free(ef);
		objs++;
		from = off + len;
	}
	cr_assert_geq(objs, 1, "no embedded BPF object found in %s", EXECSNOOP);
	cr_assert_eq(diag_lines, 0, "%s", diag_last);
	free(buf);
}
