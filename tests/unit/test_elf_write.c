// SPDX-License-Identifier: MIT
/*
 * test_elf_write.c - unit tests for elf/elf_write.c.
 *
 * Oracles, each independent of the writer's own arithmetic:
 *   - our reader (elf_parse, elf_find_section, elf_machine, elf_is_64,
 *     elf_is_le) in all four flavours (ELF32/ELF64 x LSB/MSB);
 *   - the raw bytes, decoded here through glibc's <elf.h> structure
 *     offsets (offsetof(Elf64_Shdr, sh_offset), ...);
 *   - binutils at test time: readelf -h -S -s (every header field, every
 *     section header), objcopy (its `--input binary` output for the same
 *     blob, and reading ours back with -O binary -j .BTF);
 *   - libbpf, through bpftool (btf dump file: btf__parse() tries raw BTF,
 *     then the ELF path that btf__parse_elf() takes), so this binary does
 *     not link libbpf.
 * Tools that are missing make their test skip, saying so.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/elf_file.h"
#include "helpers.h"
#include "util/util.h"

static void setup(void)
{
	diag_capture_begin();
}

static void teardown(void)
{
	util_alloc_fail_at = 0;
	diag_capture_end();
}

TestSuite(elf_write, .init = setup, .fini = teardown, .timeout = 120);

/* ---- flavours and raw decoding ------------------------------------------ */

struct flavour {
	bool is64, le;
	const char *bfd;	/* objcopy's name for the generic target */
};

static const struct flavour flavours[] = {
	{ true, true, "elf64-little" },
	{ true, false, "elf64-big" },
	{ false, true, "elf32-little" },
	{ false, false, "elf32-big" },
};

#define FLV_FMT "ELF%d%s"
#define FLV_ARG(f) ((f)->is64 ? 64 : 32), ((f)->le ? "LSB" : "MSB")

static u64 ld(const u8 *p, size_t width, bool le)
{
	switch (width) {
	case 1: return p[0];
	case 2: return load_u16(p, le);
	case 4: return load_u32(p, le);
	default: return load_u64(p, le);
	}
}

/* A field of the ELF header, by its offset in glibc's Elf32_Ehdr/Elf64_Ehdr. */
#define EHDR(img, is64, le, field)							\
	((is64) ? ld((img) + offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field), (le)) \
		: ld((img) + offsetof(Elf32_Ehdr, field), sizeof(((Elf32_Ehdr *)0)->field), (le)))

struct tshdr {
	u64 name, type, flags, addr, offset, size, link, info, align, entsize;
};

#define SHF(p, is64, le, field)								\
	((is64) ? ld((p) + offsetof(Elf64_Shdr, field), sizeof(((Elf64_Shdr *)0)->field), (le)) \
		: ld((p) + offsetof(Elf32_Shdr, field), sizeof(((Elf32_Shdr *)0)->field), (le)))

static void get_shdr(const u8 *img, size_t len, bool is64, bool le, unsigned idx,
		     struct tshdr *sh)
{
	u64 shoff = EHDR(img, is64, le, e_shoff);
	size_t shsz = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	const u8 *p;

	cr_assert(shoff + (u64)(idx + 1) * shsz <= len, "section header %u outside the file", idx);
	p = img + shoff + (u64)idx * shsz;
	sh->name = SHF(p, is64, le, sh_name);
	sh->type = SHF(p, is64, le, sh_type);
	sh->flags = SHF(p, is64, le, sh_flags);
	sh->addr = SHF(p, is64, le, sh_addr);
	sh->offset = SHF(p, is64, le, sh_offset);
	sh->size = SHF(p, is64, le, sh_size);
	sh->link = SHF(p, is64, le, sh_link);
	sh->info = SHF(p, is64, le, sh_info);
	sh->align = SHF(p, is64, le, sh_addralign);
	sh->entsize = SHF(p, is64, le, sh_entsize);
}

/* ---- helpers -------------------------------------------------------------- */

/* Allocations so far (util.h, fault-injection build). */
static unsigned long allocs(void)
{
	return atomic_load(&util_alloc_count);
}

/* Deterministic filler so every section has distinct, recognisable bytes. */
static void fill(u8 *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed * 131 + i * 7 + 1);
}

static void *do_write(const struct flavour *f, unsigned machine, const struct elf_out_sec *secs,
		      size_t nr, size_t *len)
{
	void *out = NULL;
	int rc;

	rc = elf_write(f->is64, f->le, machine, secs, nr, &out, len);
	cr_assert(eq(int, rc, 0), FLV_FMT ": elf_write: %d (%s)", FLV_ARG(f), rc, diag_last());
	cr_assert(out != NULL);
	return out;
}

/*
 * Check an image written from @secs in flavour @f, machine @machine, with
 * our reader and raw decoding: header fields, every section's header,
 * contents and alignment, our own three sections, zero padding.
 */
static void check_image(const struct flavour *f, unsigned machine, const struct elf_out_sec *secs,
			size_t nr, const u8 *img, size_t len)
{
	size_t ehsz = f->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t shsz = f->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t symsz = f->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	unsigned word = f->is64 ? 8 : 4, i, shnum = (unsigned)nr + 4;
	u8 *covered = calloc(len, 1);
	const char *shstrtab;
	struct elf_file *ef;
	struct tshdr sh, str;
	const void *data;
	size_t size, k;
	u64 shoff;

	cr_assert(covered != NULL);

	/* the ELF header, field by field */
	cr_assert(len >= ehsz);
	cr_assert(eq(int, memcmp(img, ELFMAG, SELFMAG), 0));
	cr_assert(eq(u8, img[EI_CLASS], f->is64 ? ELFCLASS64 : ELFCLASS32));
	cr_assert(eq(u8, img[EI_DATA], f->le ? ELFDATA2LSB : ELFDATA2MSB));
	cr_assert(eq(u8, img[EI_VERSION], EV_CURRENT));
	cr_assert(eq(u8, img[EI_OSABI], ELFOSABI_NONE));
	for (k = EI_ABIVERSION; k < EI_NIDENT; k++)
		cr_assert(eq(u8, img[k], 0), "e_ident[%zu]", k);
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_type), ET_REL));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_machine), machine));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_version), EV_CURRENT));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_entry), 0));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_phoff), 0));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_flags), 0));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_ehsize), ehsz));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_phentsize), 0));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_phnum), 0));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_shentsize), shsz));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_shnum), shnum));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_shstrndx), shnum - 1));
	shoff = EHDR(img, f->is64, f->le, e_shoff);
	cr_assert(eq(u64, shoff % word, 0), "e_shoff 0x%llx", (unsigned long long)shoff);
	cr_assert(eq(u64, shoff + (u64)shnum * shsz, len), "the table ends the file");
	memset(covered, 1, ehsz);
	memset(covered + shoff, 1, (size_t)shnum * shsz);

	/* our reader agrees */
	cr_assert(eq(int, elf_parse(img, len, "out", &ef), 0), "elf_parse: %s", diag_last());
	cr_assert(eq(uint, elf_machine(ef), machine));
	cr_assert(eq(int, elf_is_64(ef), f->is64));
	cr_assert(eq(int, elf_is_le(ef), f->le));

	/* .shstrtab is last */
	get_shdr(img, len, f->is64, f->le, shnum - 1, &str);
	cr_assert(eq(u64, str.type, SHT_STRTAB));
	cr_assert(str.offset + str.size <= len && str.size > 0);
	shstrtab = (const char *)img + str.offset;
	cr_assert(eq(u8, (u8)shstrtab[0], 0));
	cr_assert(eq(u8, (u8)shstrtab[str.size - 1], 0));

	/* [0] SHT_NULL, all zeros */
	get_shdr(img, len, f->is64, f->le, 0, &sh);
	cr_assert(sh.name == 0 && sh.type == SHT_NULL && sh.flags == 0 && sh.addr == 0 &&
		  sh.offset == 0 && sh.size == 0 && sh.link == 0 && sh.info == 0 &&
		  sh.align == 0 && sh.entsize == 0, "section header [0] not all zeros");

	for (i = 0; i < nr; i++) {
		const struct elf_out_sec *s = &secs[i];

		get_shdr(img, len, f->is64, f->le, i + 1, &sh);
		cr_assert(sh.name < str.size);
		cr_assert(eq(str, cstr(shstrtab + sh.name), cstr(s->name)), "[%u]", i + 1);
		cr_assert(eq(u64, sh.type, s->type), "[%u]", i + 1);
		cr_assert(eq(u64, sh.flags, s->flags), "[%u]", i + 1);
		cr_assert(eq(u64, sh.addr, 0), "[%u]", i + 1);
		cr_assert(eq(u64, sh.size, s->size), "[%u]", i + 1);
		cr_assert(eq(u64, sh.link, 0), "[%u]", i + 1);
		cr_assert(eq(u64, sh.info, 0), "[%u]", i + 1);
		cr_assert(eq(u64, sh.align, s->align), "[%u]", i + 1);
		cr_assert(eq(u64, sh.entsize, 0), "[%u]", i + 1);
		cr_assert(sh.offset >= ehsz && sh.offset + sh.size <= shoff, "[%u]", i + 1);
		if (s->align > 1)
			cr_assert(eq(u64, sh.offset % s->align, 0), "[%u] '%s' at 0x%llx, align %llu",
				  i + 1, s->name, (unsigned long long)sh.offset,
				  (unsigned long long)s->align);
		if (s->size)
			cr_assert(eq(int, memcmp(img + sh.offset, s->data, s->size), 0),
				  "[%u] contents", i + 1);
		for (k = 0; k < s->size; k++) {
			cr_assert(covered[sh.offset + k] == 0, "[%u] overlaps", i + 1);
			covered[sh.offset + k] = 1;
		}

		/* and through the reader */
		cr_assert(eq(int, elf_find_section(ef, s->name, &data, &size), 0), "'%s'", s->name);
		cr_assert(eq(sz, size, s->size));
		cr_assert(eq(u64, (u64)((const u8 *)data - img), sh.offset));
		if (s->size)
			cr_assert(eq(int, memcmp(data, s->data, s->size), 0));
	}

	/* .symtab: the null symbol, linked to .strtab */
	get_shdr(img, len, f->is64, f->le, shnum - 3, &sh);
	cr_assert(eq(str, cstr(shstrtab + sh.name), ".symtab"));
	cr_assert(eq(u64, sh.type, SHT_SYMTAB));
	cr_assert(eq(u64, sh.size, symsz));
	cr_assert(eq(u64, sh.entsize, symsz));
	cr_assert(eq(u64, sh.link, shnum - 2));
	cr_assert(eq(u64, sh.info, 1));
	cr_assert(eq(u64, sh.align, word));
	cr_assert(eq(u64, sh.offset % word, 0));
	for (k = 0; k < symsz; k++)
		cr_assert(eq(u8, img[sh.offset + k], 0), "null symbol byte %zu", k);
	memset(covered + sh.offset, 1, symsz);
	cr_assert(eq(int, elf_find_section(ef, ".symtab", &data, &size), 0));
	cr_assert(eq(sz, size, symsz));

	/* .strtab: "" */
	get_shdr(img, len, f->is64, f->le, shnum - 2, &sh);
	cr_assert(eq(str, cstr(shstrtab + sh.name), ".strtab"));
	cr_assert(eq(u64, sh.type, SHT_STRTAB));
	cr_assert(eq(u64, sh.size, 1));
	cr_assert(eq(u8, img[sh.offset], 0));
	covered[sh.offset] = 1;
	cr_assert(eq(int, elf_find_section(ef, ".strtab", &data, &size), 0));
	cr_assert(eq(sz, size, 1));

	cr_assert(eq(str, cstr(shstrtab + str.name), ".shstrtab"));
	memset(covered + str.offset, 1, (size_t)str.size);

	/* everything else is zero padding */
	for (k = 0; k < len; k++)
		if (!covered[k])
			cr_assert(eq(u8, img[k], 0), "padding byte at 0x%zx", k);

	elf_free(ef);
	free(covered);
}

/* A tiny BTF in byte order @le: "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 SIGNED". */
#define TINY_BTF_SIZE 45
static void tiny_btf(u8 *b, bool le)
{
	static const u32 words[] = {
		24, 0, 16, 16, 5,	/* hdr_len, type_off, type_len, str_off, str_len */
		1, 0x01000000, 4,	/* name_off "int", info: kind INT, size 4 */
		0x01000020,		/* BTF_INT_SIGNED, 32 bits */
	};
	size_t i;

	b[0] = le ? 0x9f : 0xeb;	/* magic 0xeb9f */
	b[1] = le ? 0xeb : 0x9f;
	b[2] = 1;			/* version */
	b[3] = 0;			/* flags */
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		u32 v = words[i];
		u8 *p = b + 4 + 4 * i;

		p[0] = (u8)(le ? v : v >> 24);
		p[1] = (u8)(le ? v >> 8 : v >> 16);
		p[2] = (u8)(le ? v >> 16 : v >> 8);
		p[3] = (u8)(le ? v >> 24 : v);
	}
	memcpy(b + 40, "\0int\0", 5);
}

/* ---- external tools ------------------------------------------------------- */

/* @name in $PATH or an sbin directory; NULL if absent. */
static const char *find_tool(const char *name, char *buf, size_t cap)
{
	static const char *const fixed[] = { "/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin" };
	const char *path = getenv("PATH");
	size_t i;

	while (path && *path) {
		const char *colon = strchr(path, ':');
		int n = colon ? (int)(colon - path) : (int)strlen(path);

		snprintf(buf, cap, "%.*s/%s", n, path, name);
		if (n && !strchr(buf, '\'') && access(buf, X_OK) == 0)
			return buf;
		path = colon ? colon + 1 : NULL;
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		snprintf(buf, cap, "%s/%s", fixed[i], name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* Run @cmd with sh; its stdout and stderr as a malloc'd string, *@status its exit. */
static char *run(const char *cmd, int *status)
{
	size_t len = 0, cap = 1 << 16, n;
	char *out = malloc(cap);
	FILE *p;

	cr_assert(out != NULL);
	p = popen(cmd, "r");
	cr_assert(p != NULL, "popen(%s)", cmd);
	for (;;) {
		if (cap - len < 2) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert(out != NULL);
		}
		n = fread(out + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	out[len] = '\0';
	*status = pclose(p);
	return out;
}

/* Write @len bytes to a fresh temporary file whose name goes to @path. */
static void write_tmp(char path[64], const void *data, size_t len)
{
	int fd;

	snprintf(path, 64, "/tmp/btfgen-elfw-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp");
	cr_assert(eq(sz, (size_t)write(fd, data, len), len));
	cr_assert(eq(int, close(fd), 0));
}

/* The value after "  @key" on its own line of readelf -h output, in @val. */
static void hdr_value(const char *text, const char *key, char *val, size_t cap)
{
	char pat[128];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\n  %s", key);
	p = strstr(text, pat);
	cr_assert(p != NULL, "readelf printed no '%s' line:\n%s", key, text);
	p += strlen(pat);
	while (*p == ' ')
		p++;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	while (e > p && e[-1] == ' ')
		e--;
	snprintf(val, cap, "%.*s", (int)(e - p), p);
}

static void expect_hdr(const char *text, const char *key, const char *want)
{
	char val[256];

	hdr_value(text, key, val, sizeof(val));
	cr_assert(eq(str, val, cstr(want)), "readelf -h '%s'", key);
}

/* One row of readelf -S -W. */
struct rsec {
	char name[64], type[32], flags[16];
	u64 off, size, es, lk, inf, al;
};

/* Parse the section table of readelf -S -W; returns the number of rows. */
static unsigned parse_sections(const char *text, struct rsec *rows, unsigned cap)
{
	const char *p = strstr(text, "Section Headers:"), *end = strstr(text, "Key to Flags:");
	unsigned n = 0;

	cr_assert(p && end && p < end, "no section table in:\n%s", text);
	while ((p = strchr(p, '\n')) && p < end) {
		char line[512], *tok[12], *save = NULL, *t;
		const char *e = strchr(++p, '\n'), *rb;
		unsigned nt = 0, idx, k = 0;
		struct rsec *r;

		if (!e || e > end)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
		if (!strstr(line, "  [") || strstr(line, "[Nr]"))
			continue;
		rb = strchr(line, ']');
		cr_assert(rb != NULL);
		idx = (unsigned)strtoul(strchr(line, '[') + 1, NULL, 10);
		cr_assert(eq(uint, idx, n), "row order");
		cr_assert(n < cap);
		for (t = strtok_r(line + (rb - line) + 1, " ", &save); t && nt < ARRAY_SIZE(tok);
		     t = strtok_r(NULL, " ", &save))
			tok[nt++] = t;
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		/* [0] has no name; rows without flags have one token less */
		cr_assert(nt == 8 || nt == 9 || nt == 10, "row [%u]: %u tokens", idx, nt);
		if (nt == 10 || (nt == 9 && idx != 0))
			snprintf(r->name, sizeof(r->name), "%s", tok[k++]);
		snprintf(r->type, sizeof(r->type), "%s", tok[k++]);
		k++;	/* address */
		r->off = strtoull(tok[k++], NULL, 16);
		r->size = strtoull(tok[k++], NULL, 16);
		r->es = strtoull(tok[k++], NULL, 16);
		if (nt - k == 4)
			snprintf(r->flags, sizeof(r->flags), "%s", tok[k++]);
		r->lk = strtoull(tok[k++], NULL, 10);
		r->inf = strtoull(tok[k++], NULL, 10);
		r->al = strtoull(tok[k++], NULL, 10);
	}
	return n;
}

/* ---- round trips through our reader -------------------------------------- */

Test(elf_write, one_section_every_flavour)
{
	u8 btf[TINY_BTF_SIZE];
	size_t i, len;
	u8 *img;

	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		const struct flavour *f = &flavours[i];
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };

		tiny_btf(btf, f->le);
		img = do_write(f, EM_X86_64, &sec, 1, &len);
		check_image(f, EM_X86_64, &sec, 1, img, len);
		xfree(img);
	}
	cr_assert(eq(int, diag_lines(), 0));
	assert_no_leaks();
}

/* Sections of all shapes: empty, odd sizes, every alignment up to the limit. */
#define NSEC 9
static u8 sec_bytes[NSEC][300];
static const struct elf_out_sec several[NSEC] = {
	{ ".BTF", ELF_SHT_PROGBITS, ELF_SHF_ALLOC, 4, sec_bytes[0], 45 },
	{ ".BTF.ext", ELF_SHT_PROGBITS, 0, 1, sec_bytes[1], 7 },
	{ ".empty", ELF_SHT_PROGBITS, 0, 8, NULL, 0 },
	{ ".note.btfgen", ELF_SHT_NOTE, ELF_SHF_ALLOC, 4, sec_bytes[3], 24 },
	{ "data", ELF_SHT_PROGBITS, ELF_SHF_WRITE | ELF_SHF_ALLOC, 0, sec_bytes[4], 3 },
	{ ".aligned16", ELF_SHT_PROGBITS, 0, 16, sec_bytes[5], 1 },
	{ ".page", ELF_SHT_PROGBITS, 0, 4096, sec_bytes[6], 300 },
	{ ".big_align", 0x6fff4700, 0, ELF_OUT_MAX_ALIGN, sec_bytes[7], 2 },	/* OS-specific */
	{ ".strings", SHT_STRTAB, 0, 2, sec_bytes[8], 5 },
};

static void fill_several(void)
{
	unsigned i;

	for (i = 0; i < NSEC; i++)
		fill(sec_bytes[i], sizeof(sec_bytes[i]), i);
	memcpy(sec_bytes[8], "\0ab\0", 5);
}

Test(elf_write, several_sections_every_flavour)
{
	size_t i, len;
	u8 *img;

	fill_several();
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		img = do_write(&flavours[i], EM_AARCH64, several, NSEC, &len);
		check_image(&flavours[i], EM_AARCH64, several, NSEC, img, len);
		xfree(img);
	}
	cr_assert(eq(int, diag_lines(), 0));
	assert_no_leaks();
}

/* Every alignment, after every misalignment of the previous end. */
Test(elf_write, alignment_after_every_offset)
{
	static const u64 aligns[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128 };
	u8 pre[130], body[3] = { 0xaa, 0xbb, 0xcc };
	size_t i, a, n, len;
	u8 *img;

	fill(pre, sizeof(pre), 7);
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		for (a = 0; a < ARRAY_SIZE(aligns); a++) {
			for (n = 0; n <= 17; n++) {
				struct elf_out_sec secs[2] = {
					{ ".pre", ELF_SHT_PROGBITS, 0, 1, pre, n },
					{ ".body", ELF_SHT_PROGBITS, 0, aligns[a], body, 3 },
				};

				img = do_write(&flavours[i], EM_RISCV, secs, 2, &len);
				check_image(&flavours[i], EM_RISCV, secs, 2, img, len);
				xfree(img);
			}
		}
	}
	assert_no_leaks();
}

Test(elf_write, no_sections)
{
	size_t i, len;
	u8 *img;

	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		img = do_write(&flavours[i], 0, NULL, 0, &len);
		check_image(&flavours[i], 0, NULL, 0, img, len);
		xfree(img);
	}
	assert_no_leaks();
}

/* The most sections we write: e_shnum 0xfeff, just below SHN_LORESERVE. */
Test(elf_write, most_sections)
{
	const struct flavour *f = &flavours[1];
	struct elf_out_sec *secs = calloc(ELF_OUT_MAX_SECTIONS, sizeof(*secs));
	char (*names)[8] = calloc(ELF_OUT_MAX_SECTIONS, sizeof(*names));
	struct elf_file *ef;
	const void *data;
	size_t i, len, size;
	u8 *img, one = 0x5a;

	cr_assert(secs && names);
	for (i = 0; i < ELF_OUT_MAX_SECTIONS; i++) {
		snprintf(names[i], sizeof(names[i]), "s%zu", i);
		secs[i] = (struct elf_out_sec){ names[i], ELF_SHT_PROGBITS, 0, 1, &one,
						i % 1000 == 0 };
	}
	img = do_write(f, EM_S390, secs, ELF_OUT_MAX_SECTIONS, &len);
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_shnum), 0xfeff));
	cr_assert(eq(u64, EHDR(img, f->is64, f->le, e_shstrndx), 0xfefe));
	cr_assert(eq(int, elf_parse(img, len, "most", &ef), 0), "%s", diag_last());
	cr_assert(eq(int, elf_find_section(ef, "s65000", &data, &size), 0));
	cr_assert(eq(sz, size, 1));
	cr_assert(eq(u8, *(const u8 *)data, one));
	cr_assert(eq(int, elf_find_section(ef, "s65274", &data, &size), 0));
	cr_assert(eq(sz, size, 0));
	elf_free(ef);
	xfree(img);
	free(secs);
	free(names);
	assert_no_leaks();
}

/* ---- determinism ------------------------------------------------------------ */

Test(elf_write, same_input_same_bytes)
{
	size_t i, len1, len2;
	u8 *a, *b;
	void *junk;

	fill_several();
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		a = do_write(&flavours[i], EM_PPC64, several, NSEC, &len1);
		/* dirty the heap so that recycled memory would show */
		junk = malloc(len1);
		cr_assert(junk != NULL);
		memset(junk, 0xa5, len1);
		free(junk);
		b = do_write(&flavours[i], EM_PPC64, several, NSEC, &len2);
		cr_assert(eq(sz, len1, len2));
		cr_assert(eq(int, memcmp(a, b, len1), 0), FLV_FMT, FLV_ARG(&flavours[i]));
		xfree(a);
		xfree(b);
	}
	assert_no_leaks();
}

/*
 * The exact size, worked out here from the gABI sizes: ELF64 LSB, one
 * 45-byte section aligned 4: 64 + 45 -> 112 (.symtab at 8) + 24 + 1 +
 * .shstrtab "\0.BTF\0.symtab\0.strtab\0.shstrtab\0" (32) = 169 -> 176
 * + 5 * 64 = 496.
 */
Test(elf_write, exact_size)
{
	u8 btf[TINY_BTF_SIZE];
	struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };
	size_t len;
	u8 *img;

	tiny_btf(btf, true);
	img = do_write(&flavours[0], EM_X86_64, &sec, 1, &len);
	cr_assert(eq(sz, len, 496));
	cr_assert(eq(u64, EHDR(img, true, true, e_shoff), 176));
	xfree(img);
	/* ELF32 MSB: 52 + 45 = 97 -> 100 + 16 + 1 + 32 = 149 -> 152 + 5 * 40 = 352 */
	tiny_btf(btf, false);
	img = do_write(&flavours[3], EM_PPC, &sec, 1, &len);
	cr_assert(eq(sz, len, 352));
	cr_assert(eq(u64, EHDR(img, false, false, e_shoff), 152));
	xfree(img);
	assert_no_leaks();
}

/* ---- argument errors -------------------------------------------------------- */

struct bad_case {
	const char *what;
	bool is64;
	unsigned machine;
	struct elf_out_sec secs[3];
	size_t nr;
	int want;
	const char *msg;	/* expected in the one diagnostic line */
};

static char long_name[ELF_OUT_MAX_NAME_LEN + 2];
static char max_name[ELF_OUT_MAX_NAME_LEN + 1];

#define OK_SEC(n) { n, ELF_SHT_PROGBITS, 0, 1, "x", 1 }

static const struct bad_case bad_cases[] = {
	{ "NULL name", true, 62, { { NULL, 1, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "section [1]: no name" },
	{ "empty name", true, 62, { OK_SEC(".a"), { "", 1, 0, 1, "x", 1 } }, 2, -EINVAL,
	  "section [2]: empty name" },
	{ "duplicate, adjacent", true, 62, { OK_SEC(".BTF"), OK_SEC(".BTF") }, 2, -EINVAL,
	  "sections [1] and [2]: duplicate name '.BTF'" },
	{ "duplicate, apart", false, 62, { OK_SEC(".x"), OK_SEC(".a"), OK_SEC(".x") }, 3, -EINVAL,
	  "sections [1] and [3]: duplicate name '.x'" },
	{ "reserved .symtab", true, 62, { OK_SEC(".symtab") }, 1, -EINVAL,
	  "section [1] '.symtab': name reserved" },
	{ "reserved .strtab", true, 62, { OK_SEC(".a"), OK_SEC(".strtab") }, 2, -EINVAL,
	  "section [2] '.strtab': name reserved" },
	{ "reserved .shstrtab", true, 62, { OK_SEC(".shstrtab") }, 1, -EINVAL,
	  "section [1] '.shstrtab': name reserved" },
	{ "align 3", true, 62, { { ".BTF", 1, 0, 3, "x", 1 } }, 1, -EINVAL,
	  "section [1] '.BTF': sh_addralign 3 is not a power of two" },
	{ "align 6", false, 62, { { ".BTF", 1, 0, 6, "x", 1 } }, 1, -EINVAL,
	  "sh_addralign 6 is not a power of two" },
	{ "align 2^64-1", true, 62, { { ".BTF", 1, 0, UINT64_MAX, "x", 1 } }, 1, -EINVAL,
	  "sh_addralign 18446744073709551615 is not a power of two" },
	{ "NULL data with a size", true, 62, { { ".BTF", 1, 0, 1, NULL, 5 } }, 1, -EINVAL,
	  "section [1] '.BTF': no data for size 0x5" },
	{ "machine over 16 bits", true, 0x10000, { OK_SEC(".a") }, 1, -EINVAL,
	  "e_machine 65536 does not fit 16 bits" },
	{ "SHT_NULL", true, 62, { { ".a", SHT_NULL, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "sh_type 0 (SHT_NULL) not supported" },
	{ "SHT_SYMTAB", true, 62, { { ".a", SHT_SYMTAB, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "sh_type 2 (SHT_SYMTAB) not supported (needs sh_link/sh_info" },
	{ "SHT_RELA", true, 62, { { ".a", SHT_RELA, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_RELA)" },
	{ "SHT_HASH", true, 62, { { ".a", SHT_HASH, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_HASH)" },
	{ "SHT_DYNAMIC", true, 62, { { ".a", SHT_DYNAMIC, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_DYNAMIC)" },
	{ "SHT_NOBITS", true, 62, { { ".bss", SHT_NOBITS, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "sh_type 8 (SHT_NOBITS) not supported (contents are always written)" },
	{ "SHT_REL", true, 62, { { ".a", SHT_REL, 0, 1, "x", 1 } }, 1, -EINVAL, "(SHT_REL)" },
	{ "SHT_DYNSYM", true, 62, { { ".a", SHT_DYNSYM, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_DYNSYM)" },
	{ "SHT_GROUP", true, 62, { { ".a", SHT_GROUP, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_GROUP)" },
	{ "SHT_SYMTAB_SHNDX", true, 62, { { ".a", SHT_SYMTAB_SHNDX, 0, 1, "x", 1 } }, 1, -EINVAL,
	  "(SHT_SYMTAB_SHNDX)" },
	{ "SHF_INFO_LINK", true, 62, { { ".a", 1, SHF_INFO_LINK, 1, "x", 1 } }, 1, -EINVAL,
	  "sh_flags 0x40: SHF_INFO_LINK" },
	{ "SHF_LINK_ORDER", true, 62, { { ".a", 1, SHF_LINK_ORDER | SHF_ALLOC, 1, "x", 1 } }, 1,
	  -EINVAL, "sh_flags 0x82" },
	{ "SHF_GROUP", false, 62, { { ".a", 1, SHF_GROUP, 1, "x", 1 } }, 1, -EINVAL,
	  "sh_flags 0x200" },
	{ "ELF32 flags over 32 bits", false, 62, { { ".a", 1, 1ull << 32, 1, "x", 1 } }, 1,
	  -EINVAL, "sh_flags 0x100000000 does not fit ELFCLASS32" },
	/* named limits: -E2BIG */
	{ "align over the limit", true, 62, { { ".a", 1, 0, ELF_OUT_MAX_ALIGN * 2ull, "x", 1 } },
	  1, -E2BIG, "sh_addralign 131072 over the limit 65536" },
	{ "align 2^63", true, 62, { { ".a", 1, 0, 1ull << 63, "x", 1 } }, 1, -E2BIG,
	  "over the limit 65536" },
	{ "name over the limit", true, 62, { OK_SEC(".a"), { long_name, 1, 0, 1, "x", 1 } }, 2,
	  -E2BIG, "section [2] 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...': name longer than 4095 bytes" },
};

Test(elf_write, rejects_bad_arguments)
{
	void *out = (void *)&out;	/* sentinels: must stay untouched */
	size_t i, len = 12345;
	int rc;

	memset(long_name, 'n', sizeof(long_name) - 1);
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		unsigned long before = allocs();

		diag_reset();
		rc = elf_write(c->is64, true, c->machine, c->secs, c->nr, &out, &len);
		cr_assert(eq(int, rc, c->want), "%s", c->what);
		cr_assert(eq(int, diag_lines(), 1), "%s: %d lines", c->what, diag_lines());
		cr_assert(strstr(diag_last(), c->msg) != NULL, "%s: got \"%s\", want \"%s\"", c->what,
			  diag_last(), c->msg);
		cr_assert(strncmp(diag_last(), "ELF writer: ", 12) == 0, "%s", diag_last());
		cr_assert(out == (void *)&out && len == 12345, "%s: outputs changed", c->what);
		/* only the duplicate check allocates (and frees) before failing */
		if (c->want != -EINVAL || !strstr(c->what, "duplicate"))
			cr_assert(eq(ulong, allocs(), before), "%s allocated", c->what);
	}

	/* the bare pointers */
	diag_reset();
	cr_assert(eq(int, elf_write(true, true, 62, NULL, 1, &out, &len), -EINVAL));
	cr_assert(strstr(diag_last(), "1 sections but no section array") != NULL);
	cr_assert(eq(int, elf_write(true, true, 62, NULL, 0, NULL, &len), -EINVAL));
	cr_assert(eq(int, elf_write(true, true, 62, NULL, 0, &out, NULL), -EINVAL));
	cr_assert(strstr(diag_last(), "no place for the output") != NULL);
	cr_assert(eq(int, diag_lines(), 3));
	cr_assert(out == (void *)&out && len == 12345);
	assert_no_leaks();
}

/* What is allowed right at the edges of the argument checks. */
Test(elf_write, accepts_edge_arguments)
{
	struct elf_out_sec secs[4] = {
		{ max_name, ELF_SHT_PROGBITS, 0, ELF_OUT_MAX_ALIGN, "abc", 3 },
		{ ".symtab.x", ELF_SHT_PROGBITS, 0xffffffffu & ~0x2c0u, 0, NULL, 0 },
		{ ".BTF", ELF_SHT_PROGBITS, 0, 1, "", 0 },	/* data without size */
		{ ".btf", ELF_SHT_PROGBITS, 0, 2, "q", 1 },	/* names are case-sensitive */
	};
	size_t i, len;
	u8 *img;

	memset(max_name, 'm', sizeof(max_name) - 1);
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		img = do_write(&flavours[i], 0xffff, secs, ARRAY_SIZE(secs), &len);
		check_image(&flavours[i], 0xffff, secs, ARRAY_SIZE(secs), img, len);
		xfree(img);
	}
	assert_no_leaks();
}

/* ---- limits, checked before anything is allocated -------------------------- */

/* Our own size formula for one section named ".BTF" of @size bytes, align 1. */
static u64 one_sec_total(bool is64, u64 size)
{
	u64 w = is64 ? 8 : 4, off = (is64 ? 64 : 52) + size;

	off = (off + w - 1) / w * w;		/* .symtab */
	off += (is64 ? 24 : 16) + 1 + 32;	/* .symtab .strtab .shstrtab */
	off = (off + w - 1) / w * w;
	return off + 5 * (is64 ? 64 : 40);
}

/*
 * Expect -E2BIG with no allocation, or (@fits) that the size check passed:
 * the first allocation, failed on purpose, gives -ENOMEM without a real
 * multi-GiB calloc.
 */
static void expect_size(bool is64, u64 size, bool fits)
{
	static const u8 dummy[1];	/* never read: the checks come first */
	struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 1, dummy, (size_t)size };
	unsigned long before = allocs();
	void *out = NULL;
	size_t len = 0;
	int rc;

	diag_reset();
	if (fits)
		util_alloc_fail_at = 1;
	rc = elf_write(is64, true, 3, &sec, 1, &out, &len);
	util_alloc_fail_at = 0;
	cr_assert(eq(int, rc, fits ? -ENOMEM : -E2BIG), "ELF%d size 0x%llx: %s", is64 ? 64 : 32,
		  (unsigned long long)size, diag_last());
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(out == NULL && len == 0);
	if (!fits) {
		cr_assert(eq(ulong, allocs(), before), "allocated before refusing");
		cr_assert(strstr(diag_last(), "section [1] '.BTF'") ||
			  strstr(diag_last(), "section header table") ||
			  strstr(diag_last(), "section [2] '.symtab'") ||
			  strstr(diag_last(), "section [4] '.shstrtab'"), "%s", diag_last());
	} else {
		cr_assert(eq(ulong, allocs(), before + 1));
	}
}

Test(elf_write, over_the_size_limits)
{
	u64 s;

	/* the formula is right where we can afford to check it */
	for (s = 0; s < 20; s++) {
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 1, "0123456789abcdefghij", s };
		size_t len, i;
		u8 *img;

		for (i = 0; i < ARRAY_SIZE(flavours); i++) {
			img = do_write(&flavours[i], 3, &sec, 1, &len);
			cr_assert(eq(u64, len, one_sec_total(flavours[i].is64, s)));
			xfree(img);
		}
	}

	/* ELF32: the largest size that fits, and every size just above it */
	for (s = ELF32_OUT_MAX_SIZE - 1000; one_sec_total(false, s + 1) <= ELF32_OUT_MAX_SIZE; s++)
		;
	cr_assert(one_sec_total(false, s) <= ELF32_OUT_MAX_SIZE);
	expect_size(false, s, true);
	expect_size(false, s + 1, false);
	expect_size(false, s + 2, false);
	expect_size(false, s + 4, false);
	expect_size(false, 1ull << 32, false);
	expect_size(false, SIZE_MAX, false);
	cr_assert(strstr(diag_last(), "the ELFCLASS32 limit") != NULL, "%s", diag_last());

	/* ELF64: bounded by size_t only; sizes near SIZE_MAX must not wrap */
	for (s = SIZE_MAX - 1000; one_sec_total(true, s + 1) <= SIZE_MAX &&
				 one_sec_total(true, s + 1) > s; s++)
		;
	expect_size(true, s, true);
	expect_size(true, s + 1, false);
	expect_size(true, SIZE_MAX - 63, false);
	expect_size(true, SIZE_MAX, false);
	cr_assert(strstr(diag_last(), "more than fits in memory") != NULL, "%s", diag_last());
	assert_no_leaks();
}

Test(elf_write, too_many_sections)
{
	size_t n = ELF_OUT_MAX_SECTIONS + 1;
	struct elf_out_sec *secs = calloc(n, sizeof(*secs));
	unsigned long before;
	void *out = NULL;
	size_t len = 0, i;

	cr_assert(secs != NULL);
	for (i = 0; i < n; i++)
		secs[i] = (struct elf_out_sec){ "same", ELF_SHT_PROGBITS, 0, 1, NULL, 0 };
	before = allocs();
	cr_assert(eq(int, elf_write(true, true, 62, secs, n, &out, &len), -E2BIG));
	cr_assert(eq(ulong, allocs(), before));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "65276 sections, over the limit 65275") != NULL, "%s", diag_last());
	cr_assert(out == NULL && len == 0);
	free(secs);
	assert_no_leaks();
}

/* ---- allocation failure ----------------------------------------------------- */

Test(elf_write, out_of_memory)
{
	size_t i, len, ref_len;
	unsigned long n;
	u8 *ref;
	void *out;
	int rc;

	fill_several();
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		ref = do_write(&flavours[i], EM_X86_64, several, NSEC, &ref_len);
		for (n = 1;; n++) {
			cr_assert(n < 16, "still failing at allocation %lu", n);
			diag_reset();
			out = (void *)&out;
			len = 777;
			util_alloc_fail_at = n;
			rc = elf_write(flavours[i].is64, flavours[i].le, EM_X86_64, several, NSEC,
				       &out, &len);
			util_alloc_fail_at = 0;
			if (rc == 0)
				break;
			cr_assert(eq(int, rc, -ENOMEM), "fail_at %lu: %d", n, rc);
			cr_assert(eq(int, diag_lines(), 1));
			cr_assert(strstr(diag_last(), "ELF writer: out of memory") != NULL, "%s", diag_last());
			cr_assert(out == (void *)&out && len == 777, "outputs changed");
			assert_no_leaks();
		}
		cr_assert(n > 1, "no allocation was failed");
		cr_assert(eq(sz, len, ref_len));
		cr_assert(eq(int, memcmp(out, ref, len), 0), "the output after failures differs");
		xfree(out);
		xfree(ref);
	}
	assert_no_leaks();
}

/* ---- machine table ---------------------------------------------------------- */

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258	/* glibc < 2.35 */
#endif

static const struct {
	const char *uname_m;
	unsigned machine;
	bool is64, le;
	const char *readelf;	/* readelf -h "Machine:" */
} machines[] = {
	{ "x86_64", EM_X86_64, true, true, "Advanced Micro Devices X86-64" },
	{ "i386", EM_386, false, true, "Intel 80386" },
	{ "i486", EM_386, false, true, "Intel 80386" },
	{ "i586", EM_386, false, true, "Intel 80386" },
	{ "i686", EM_386, false, true, "Intel 80386" },
	{ "aarch64", EM_AARCH64, true, true, "AArch64" },
	{ "arm64", EM_AARCH64, true, true, "AArch64" },
	{ "aarch64_be", EM_AARCH64, true, false, "AArch64" },
	{ "armv7l", EM_ARM, false, true, "ARM" },
	{ "armv6l", EM_ARM, false, true, "ARM" },
	{ "arm", EM_ARM, false, true, "ARM" },
	{ "s390x", EM_S390, true, false, "IBM S/390" },
	{ "ppc64le", EM_PPC64, true, true, "PowerPC64" },
	{ "ppc64", EM_PPC64, true, false, "PowerPC64" },
	{ "ppc", EM_PPC, false, false, "PowerPC" },
	{ "riscv64", EM_RISCV, true, true, "RISC-V" },
	{ "loongarch64", EM_LOONGARCH, true, true, "LoongArch" },
	{ "mips64", EM_MIPS, true, false, "MIPS R3000" },
	{ "mips64el", EM_MIPS, true, true, "MIPS R3000" },
	{ "mips", EM_MIPS, false, false, "MIPS R3000" },
	{ "mipsel", EM_MIPS, false, true, "MIPS R3000" },
	{ "sparc64", EM_SPARCV9, true, false, "Sparc v9" },
};

Test(elf_write, machine_table)
{
	static const char *const unknown[] = {
		"", "x86-64", "X86_64", "amd64", "x86_64 ", " x86_64", "i786", "armv8l", "arm64be",
		"ppc64el", "riscv32", "mips64r6", "sparc", "s390", "bpf", "x",
	};
	unsigned machine = 999;
	bool is64 = true, le = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(machines); i++) {
		machine = 999;
		is64 = !machines[i].is64;
		le = !machines[i].le;
		cr_assert(eq(int, elf_machine_of(machines[i].uname_m, &machine, &is64, &le), 0),
			  "%s", machines[i].uname_m);
		cr_assert(eq(uint, machine, machines[i].machine), "%s", machines[i].uname_m);
		cr_assert(eq(int, is64, machines[i].is64), "%s", machines[i].uname_m);
		cr_assert(eq(int, le, machines[i].le), "%s", machines[i].uname_m);
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		machine = 999;
		is64 = true;
		le = false;
		cr_assert(eq(int, elf_machine_of(unknown[i], &machine, &is64, &le), -ENOENT), "'%s'",
			  unknown[i]);
		cr_assert(machine == 999 && is64 && !le, "'%s': outputs changed", unknown[i]);
	}
	cr_assert(eq(int, elf_machine_of(NULL, &machine, &is64, &le), -EINVAL));
	cr_assert(eq(int, elf_machine_of("x86_64", NULL, &is64, &le), -EINVAL));
	cr_assert(eq(int, elf_machine_of("x86_64", &machine, NULL, &le), -EINVAL));
	cr_assert(eq(int, elf_machine_of("x86_64", &machine, &is64, NULL), -EINVAL));
	cr_assert(eq(int, diag_lines(), 0), "elf_machine_of() never prints");
	assert_no_leaks();
}

/* ---- readelf ---------------------------------------------------------------- */

static void check_with_readelf(const char *readelf, const struct flavour *f, unsigned machine,
			       const char *machine_name, const struct elf_out_sec *secs, size_t nr)
{
	static const char *const flag_str[] = { "", "W", "A", "WA" };
	struct rsec rows[32];
	char path[64], cmd[4200], val[64];
	unsigned i, n, shnum = (unsigned)nr + 4;
	size_t len, shsz = f->is64 ? 64 : 40;
	struct tshdr sh;
	int status;
	char *text;
	u8 *img;

	img = do_write(f, machine, secs, nr, &len);
	write_tmp(path, img, len);
	snprintf(cmd, sizeof(cmd), "'%s' -h -S -s -W %s 2>&1", readelf, path);
	text = run(cmd, &status);
	unlink(path);
	cr_assert(eq(int, status, 0), "%s:\n%s", cmd, text);
	cr_assert(strstr(text, "Warning") == NULL && strstr(text, "Error") == NULL &&
		  strstr(text, "readelf:") == NULL,
		  FLV_FMT ": readelf complains:\n%s", FLV_ARG(f), text);

	expect_hdr(text, "Class:", f->is64 ? "ELF64" : "ELF32");
	expect_hdr(text, "Data:", f->le ? "2's complement, little endian" :
					  "2's complement, big endian");
	expect_hdr(text, "Version:", "1 (current)");
	expect_hdr(text, "OS/ABI:", "UNIX - System V");
	expect_hdr(text, "ABI Version:", "0");
	expect_hdr(text, "Type:", "REL (Relocatable file)");
	expect_hdr(text, "Machine:", machine_name);
	expect_hdr(text, "Entry point address:", "0x0");
	expect_hdr(text, "Start of program headers:", "0 (bytes into file)");
	snprintf(val, sizeof(val), "%llu (bytes into file)",
		 (unsigned long long)EHDR(img, f->is64, f->le, e_shoff));
	expect_hdr(text, "Start of section headers:", val);
	expect_hdr(text, "Flags:", "0x0");
	expect_hdr(text, "Size of this header:", f->is64 ? "64 (bytes)" : "52 (bytes)");
	expect_hdr(text, "Size of program headers:", "0 (bytes)");
	expect_hdr(text, "Number of program headers:", "0");
	snprintf(val, sizeof(val), "%zu (bytes)", shsz);
	expect_hdr(text, "Size of section headers:", val);
	snprintf(val, sizeof(val), "%u", shnum);
	expect_hdr(text, "Number of section headers:", val);
	snprintf(val, sizeof(val), "%u", shnum - 1);
	expect_hdr(text, "Section header string table index:", val);
	cr_assert(strstr(text, "Symbol table '.symtab' contains 1 entry:") != NULL, "%s", text);

	n = parse_sections(text, rows, ARRAY_SIZE(rows));
	cr_assert(eq(uint, n, shnum));
	cr_assert(eq(str, rows[0].type, "NULL"));
	for (i = 0; i < n; i++) {
		const struct rsec *r = &rows[i];

		get_shdr(img, len, f->is64, f->le, i, &sh);
		cr_assert(eq(u64, r->off, sh.offset), "[%u] Off", i);
		cr_assert(eq(u64, r->size, sh.size), "[%u] Size", i);
		cr_assert(eq(u64, r->es, sh.entsize), "[%u] ES", i);
		cr_assert(eq(u64, r->lk, sh.link), "[%u] Lk", i);
		cr_assert(eq(u64, r->inf, sh.info), "[%u] Inf", i);
		cr_assert(eq(u64, r->al, sh.align), "[%u] Al", i);
		if (i >= 1 && i <= nr) {
			const struct elf_out_sec *s = &secs[i - 1];

			cr_assert(eq(str, cstr(r->name), cstr(s->name)), "[%u]", i);
			cr_assert(eq(str, cstr(r->type),
				     cstr(s->type == SHT_NOTE ? "NOTE" : "PROGBITS")), "[%u]", i);
			cr_assert(eq(str, cstr(r->flags), cstr(flag_str[s->flags & 3])), "[%u]", i);
			cr_assert(eq(u64, r->off, sh.offset), "[%u]", i);
			if (s->align > 1)
				cr_assert(eq(u64, r->off % s->align, 0), "[%u]", i);
		}
	}
	cr_assert(eq(str, rows[nr + 1].name, ".symtab"));
	cr_assert(eq(str, rows[nr + 1].type, "SYMTAB"));
	cr_assert(eq(str, rows[nr + 2].name, ".strtab"));
	cr_assert(eq(str, rows[nr + 2].type, "STRTAB"));
	cr_assert(eq(str, rows[nr + 3].name, ".shstrtab"));
	cr_assert(eq(str, rows[nr + 3].type, "STRTAB"));
	free(text);
	xfree(img);
}

Test(elf_write, readelf_agrees)
{
	static const u8 note[20] = { 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'b', 't', 'f', 0 };
	u8 btf[TINY_BTF_SIZE], big[5000];
	char buf[4096];
	const char *readelf = find_tool("readelf", buf, sizeof(buf));
	size_t i;

	if (!readelf)
		cr_skip_test("readelf not installed (apt-get install binutils): nothing to compare with");
	fill(big, sizeof(big), 3);
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		const struct flavour *f = &flavours[i];
		struct elf_out_sec one = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };
		/* the note's fields are in the file's byte order only for LSB here:
		 * readelf -n is not asked, so its contents do not matter */
		struct elf_out_sec secs[5] = {
			{ ".BTF", ELF_SHT_PROGBITS, ELF_SHF_ALLOC, 4, btf, sizeof(btf) },
			{ ".note.btfgen", ELF_SHT_NOTE, 0, 4, note, sizeof(note) },
			{ ".data.rw", ELF_SHT_PROGBITS, ELF_SHF_WRITE | ELF_SHF_ALLOC, 8, big, 17 },
			{ ".empty", ELF_SHT_PROGBITS, ELF_SHF_WRITE, 16, NULL, 0 },
			{ ".big", ELF_SHT_PROGBITS, 0, 4096, big, sizeof(big) },
		};

		tiny_btf(btf, f->le);
		check_with_readelf(readelf, f, EM_X86_64, "Advanced Micro Devices X86-64", &one, 1);
		check_with_readelf(readelf, f, EM_X86_64, "Advanced Micro Devices X86-64", secs, 5);
		check_with_readelf(readelf, f, EM_X86_64, "Advanced Micro Devices X86-64", NULL, 0);
	}
	assert_no_leaks();
}

/* readelf names every e_machine of the table as expected, with its class and order. */
Test(elf_write, readelf_knows_every_machine)
{
	u8 btf[TINY_BTF_SIZE];
	char buf[4096];
	const char *readelf = find_tool("readelf", buf, sizeof(buf));
	size_t i;

	if (!readelf)
		cr_skip_test("readelf not installed (apt-get install binutils): nothing to compare with");
	for (i = 0; i < ARRAY_SIZE(machines); i++) {
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };
		struct flavour f = { false, false, NULL };
		unsigned machine;

		cr_assert(eq(int, elf_machine_of(machines[i].uname_m, &machine, &f.is64, &f.le), 0));
		tiny_btf(btf, f.le);
		check_with_readelf(readelf, &f, machine, machines[i].readelf, &sec, 1);
	}
	assert_no_leaks();
}

/* ---- objcopy ---------------------------------------------------------------- */

/*
 * What integrators run today:
 *   objcopy --input binary --output elf64-little --rename-section .data=.BTF btf vmlinux
 * Its .BTF must have the same name and contents as ours; the rest of the
 * layout differs (objcopy: e_machine 0, flags WA, align 1, _binary_* symbols).
 * And binutils reads ours back: objcopy --dump-section .BTF=F gives the blob.
 */
Test(elf_write, objcopy_same_section)
{
	char buf[4096], blob_path[64], ours_path[64], theirs_path[80], back_path[80];
	char cmd[8192];
	const char *objcopy = find_tool("objcopy", buf, sizeof(buf));
	struct elf_file *theirs_ef, *ours_ef;
	const void *t_data, *o_data;
	size_t t_size, o_size, theirs_len, ours_len, back_len, i;
	void *theirs, *back;
	u8 btf[TINY_BTF_SIZE];
	struct tshdr sh;
	int status;
	char *text;
	u8 *ours;

	if (!objcopy)
		cr_skip_test("objcopy not installed (apt-get install binutils): nothing to compare with");

	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		const struct flavour *f = &flavours[i];
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };

		tiny_btf(btf, f->le);
		write_tmp(blob_path, btf, sizeof(btf));
		ours = do_write(f, f->is64 ? EM_X86_64 : EM_386, &sec, 1, &ours_len);
		write_tmp(ours_path, ours, ours_len);

		/* theirs, from the same blob, in the same class and byte order */
		snprintf(theirs_path, sizeof(theirs_path), "%s.o", blob_path);
		snprintf(cmd, sizeof(cmd),
			 "'%s' --input binary --output %s --rename-section .data=.BTF %s %s 2>&1",
			 objcopy, f->bfd, blob_path, theirs_path);
		text = run(cmd, &status);
		cr_assert(eq(int, status, 0), "%s:\n%s", cmd, text);
		free(text);
		theirs = read_file(theirs_path, &theirs_len);
		cr_assert(theirs != NULL);
		cr_assert(eq(int, elf_parse(theirs, theirs_len, "objcopy", &theirs_ef), 0), "%s",
			  diag_last());
		cr_assert(eq(int, elf_parse(ours, ours_len, "ours", &ours_ef), 0));
		cr_assert(eq(int, elf_is_64(theirs_ef), f->is64));
		cr_assert(eq(int, elf_is_le(theirs_ef), f->le));
		cr_assert(eq(int, elf_find_section(theirs_ef, ".BTF", &t_data, &t_size), 0));
		cr_assert(eq(int, elf_find_section(ours_ef, ".BTF", &o_data, &o_size), 0));
		cr_assert(eq(sz, t_size, o_size));
		cr_assert(eq(int, memcmp(t_data, o_data, o_size), 0), FLV_FMT, FLV_ARG(f));
		/* both are PROGBITS; objcopy's .BTF is section [1] too */
		get_shdr(theirs, theirs_len, f->is64, f->le, 1, &sh);
		cr_assert(eq(u64, sh.type, SHT_PROGBITS));
		cr_assert(eq(u64, sh.size, sizeof(btf)));
		elf_free(theirs_ef);
		elf_free(ours_ef);

		/* binutils reads ours: the section comes back byte for byte */
		snprintf(back_path, sizeof(back_path), "%s.bin", ours_path);
		snprintf(cmd, sizeof(cmd), "'%s' -I %s --dump-section .BTF=%s %s %s.copy 2>&1",
			 objcopy, f->bfd, back_path, ours_path, back_path);
		text = run(cmd, &status);
		cr_assert(eq(int, status, 0), "%s:\n%s", cmd, text);
		free(text);
		back = read_file(back_path, &back_len);
		cr_assert(back != NULL);
		cr_assert(eq(sz, back_len, sizeof(btf)));
		cr_assert(eq(int, memcmp(back, btf, sizeof(btf)), 0));

		free(back);
		free(theirs);
		xfree(ours);
		unlink(blob_path);
		unlink(ours_path);
		unlink(theirs_path);
		unlink(back_path);
		snprintf(cmd, sizeof(cmd), "%s.copy", back_path);
		unlink(cmd);
	}
	assert_no_leaks();
}

/* ---- libbpf, through bpftool ------------------------------------------------ */

/*
 * bpftool btf dump file F: libbpf's btf__parse() finds F is not raw BTF
 * (-EPROTO) and takes the ELF path btf__parse_elf() takes (libelf, .BTF by
 * name). Every flavour, the BTF in the file's byte order.
 */
Test(elf_write, libbpf_reads_our_btf)
{
	static const char want[] = "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n";
	char buf[4096], path[64], cmd[4200];
	const char *bpftool = find_tool("bpftool", buf, sizeof(buf));
	u8 btf[TINY_BTF_SIZE];
	size_t i, len;
	int status;
	char *text;
	u8 *img;

	if (!bpftool)
		cr_skip_test("bpftool not installed (apt-get install bpftool): libbpf not checked");
	for (i = 0; i < ARRAY_SIZE(flavours); i++) {
		const struct flavour *f = &flavours[i];
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, sizeof(btf) };

		tiny_btf(btf, f->le);
		img = do_write(f, f->is64 ? EM_X86_64 : EM_386, &sec, 1, &len);
		write_tmp(path, img, len);
		snprintf(cmd, sizeof(cmd), "'%s' btf dump file %s format raw 2>&1", bpftool, path);
		text = run(cmd, &status);
		unlink(path);
		cr_assert(eq(int, status, 0), FLV_FMT ": %s:\n%s", FLV_ARG(f), cmd, text);
		cr_assert(eq(str, text, cstr(want)), FLV_FMT, FLV_ARG(f));
		free(text);
		xfree(img);
	}
	assert_no_leaks();
}

#define VMLINUX "/sys/kernel/btf/vmlinux"

/* The running kernel's BTF, wrapped: libbpf dumps the same as from the raw file. */
Test(elf_write, libbpf_reads_wrapped_vmlinux)
{
	char buf[4096], path[64], cmd[4200];
	const char *bpftool = find_tool("bpftool", buf, sizeof(buf));
	char *from_elf, *from_raw;
	size_t size, len;
	int status;
	void *btf;
	u8 *img;

	if (!bpftool)
		cr_skip_test("bpftool not installed (apt-get install bpftool): libbpf not checked");
	btf = read_file(VMLINUX, &size);
	if (!btf)
		cr_skip_test(VMLINUX " is absent (kernel without CONFIG_DEBUG_INFO_BTF)");
	{
		struct elf_out_sec sec = { ".BTF", ELF_SHT_PROGBITS, 0, 4, btf, size };

		img = do_write(&flavours[host_is_le() ? 0 : 1], EM_X86_64, &sec, 1, &len);
	}
	write_tmp(path, img, len);
	snprintf(cmd, sizeof(cmd), "'%s' btf dump file %s format raw 2>&1", bpftool, path);
	from_elf = run(cmd, &status);
	unlink(path);
	cr_assert(eq(int, status, 0), "%s: %.300s", cmd, from_elf);
	snprintf(cmd, sizeof(cmd), "'%s' btf dump file " VMLINUX " format raw 2>&1", bpftool);
	from_raw = run(cmd, &status);
	cr_assert(eq(int, status, 0), "%s: %.300s", cmd, from_raw);
	cr_assert(strlen(from_raw) > 1000);
	assert_same_text(from_elf, from_raw, "bpftool dump: ELF-wrapped vs raw " VMLINUX);
	free(from_elf);
	free(from_raw);
	free(btf);
	xfree(img);
	assert_no_leaks();
}
