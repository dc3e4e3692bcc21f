// SPDX-License-Identifier: MIT
/*
 * test_btf_parse.c - unit tests for btf/btf.c: parsing, validation, size
 * resolution, pointer size guess, borrowed views, and hostile input.
 *
 * Inputs are built here with a tiny byte emitter (struct emitter), not with
 * btf_writer, so the parser is tested independently of our writer. The main
 * blob, all_kinds, is byte-identical to tests/fixtures/btf/all_kinds.btf
 * (checked below), whose bpftool dump is all_kinds.raw, so ALL_KINDS_DUMP
 * here is bpftool's text for it. Its layout (offsets from the blob start):
 *
 *   0                 24                                        24+type_len
 *   +-----------------+-----------------------------------------+-----------+
 *   | header (24)     | types [1]..[41]: every kind, see below  | strings   |
 *   +-----------------+-----------------------------------------+-----------+
 *
 *   [1] INT int  [2..9] INT encodings 0..7  [10] PTR  [11] ARRAY  [12] STRUCT
 *   (kflag, bitfield)  [13] UNION  [14] ENUM signed  [15] ENUM unsigned
 *   [16] FWD struct  [17] FWD union  [18] TYPEDEF  [19] VOLATILE  [20] CONST
 *   [21] RESTRICT  [22] FUNC_PROTO  [23..26] FUNC linkage 0..3  [27..30] VAR
 *   linkage 0..3  [31] DATASEC  [32] FLOAT  [33,34] DECL_TAG  [35] TYPE_TAG
 *   [36] ENUM64 signed  [37] ENUM64 unsigned  [38] INT with an empty name
 *   [39] empty STRUCT  [40] empty ENUM  [41] DATASEC naming void
 *
 * Error paths must return a negative errno and print exactly one line that
 * names the header field or the type id ("[N]").
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/btf.h"
#include "helpers.h"
#include "util/util.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"
#define HDR_LEN 24u

static void setup(void)
{
	diag_capture_begin();
}

static void teardown(void)
{
	diag_capture_end();
	util_alloc_fail_at = 0;
}

TestSuite(btf_parse, .init = setup, .fini = teardown, .timeout = 60);

/* ---- byte emitter ----------------------------------------------------- */

struct emitter {
	u8 types[4096];
	u32 types_len;
	char strs[1024];
	u32 str_len;
	u32 rec_off[256];	/* byte offset of record [id] in the type section */
	u32 nr;			/* next type id */
};

static void em_init(struct emitter *e)
{
	memset(e, 0, sizeof(*e));
	e->str_len = 1;		/* "" at offset 0 */
	e->nr = 1;
}

/* Append @s to the string section (no de-duplication); "" is offset 0. */
static u32 em_str(struct emitter *e, const char *s)
{
	size_t n = strlen(s) + 1;
	u32 off = e->str_len;

	if (n == 1)
		return 0;
	cr_assert(off + n <= sizeof(e->strs));
	memcpy(e->strs + off, s, n);
	e->str_len += (u32)n;
	return off;
}

static void em_u32(struct emitter *e, u32 v)
{
	cr_assert(e->types_len + 4 <= sizeof(e->types));
	memcpy(e->types + e->types_len, &v, 4);
	e->types_len += 4;
}

static u32 em_type(struct emitter *e, u32 name_off, unsigned kind, u32 vlen, bool kflag, u32 sz)
{
	u32 id = e->nr++;

	cr_assert(id < ARRAY_SIZE(e->rec_off));
	e->rec_off[id] = e->types_len;
	em_u32(e, name_off);
	em_u32(e, (u32)kflag << 31 | (u32)kind << 24 | vlen);
	em_u32(e, sz);
	return id;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Assemble header + types + @gap zero bytes + strings, with @hdr_len header
 * bytes (extra ones zero). Returns a malloc'd blob.
 */
static u8 *em_blob_ex(const struct emitter *e, u32 hdr_len, u32 gap, size_t *size)
{
	size_t total = hdr_len + e->types_len + gap + e->str_len;
	u8 *b = calloc(1, total);

	cr_assert(b != NULL);
	b[0] = 0x9f;	/* magic 0xeb9f, little-endian host */
	b[1] = 0xeb;
	b[2] = 1;	/* version */
	b[3] = 0;	/* flags */
	put32(b + 4, hdr_len);
	put32(b + 8, 0);				/* type_off */
	put32(b + 12, e->types_len);			/* type_len */
	put32(b + 16, e->types_len + gap);		/* str_off */
	put32(b + 20, e->str_len);			/* str_len */
	memcpy(b + hdr_len, e->types, e->types_len);
	memcpy(b + hdr_len + e->types_len + gap, e->strs, e->str_len);
	*size = total;
	return b;
}

static u8 *em_blob(const struct emitter *e, size_t *size)
{
	return em_blob_ex(e, HDR_LEN, 0, size);
}

/* Blob offset of record [id] in a blob from em_blob(). */
static u32 rec(const struct emitter *e, u32 id)
{
	return HDR_LEN + e->rec_off[id];
}

/* ---- the all_kinds blob ----------------------------------------------- */

#define NR_ALL_KINDS 42u	/* ids 0..41 */

static void build_all_kinds(struct emitter *e)
{
	u32 n, a, b, i;
	char name[16];

	em_init(e);
	n = em_str(e, "int");
	em_type(e, n, BTF_KIND_INT, 0, 0, 4);				/* [1] */
	em_u32(e, 1u << 24 | 32);
	for (i = 0; i < 8; i++) {					/* [2]..[9] */
		snprintf(name, sizeof(name), "e%u", i);
		n = em_str(e, name);
		em_type(e, n, BTF_KIND_INT, 0, 0, 4);
		em_u32(e, i << 24 | 3u << 16 | 5);
	}
	em_type(e, 0, BTF_KIND_PTR, 0, 0, 1);				/* [10] */
	n = em_str(e, "arr");
	em_type(e, n, BTF_KIND_ARRAY, 0, 0, 0);				/* [11] */
	em_u32(e, 1);
	em_u32(e, 1);
	em_u32(e, 7);
	n = em_str(e, "s");
	a = em_str(e, "a");
	b = em_str(e, "b");
	em_type(e, n, BTF_KIND_STRUCT, 3, 1, 8);			/* [12] */
	em_u32(e, a), em_u32(e, 1), em_u32(e, 0);
	em_u32(e, 0), em_u32(e, 1), em_u32(e, 3u << 24 | 32);
	em_u32(e, b), em_u32(e, 1), em_u32(e, 40);
	n = em_str(e, "u");
	a = em_str(e, "x");
	em_type(e, n, BTF_KIND_UNION, 1, 0, 4);				/* [13] */
	em_u32(e, a), em_u32(e, 1), em_u32(e, 0);
	n = em_str(e, "en");
	a = em_str(e, "NEG");
	b = em_str(e, "P");
	em_type(e, n, BTF_KIND_ENUM, 2, 1, 4);				/* [14] */
	em_u32(e, a), em_u32(e, (u32)-5);
	em_u32(e, b), em_u32(e, 7);
	n = em_str(e, "eu");
	a = em_str(e, "BIG");
	b = em_str(e, "Q");
	em_type(e, n, BTF_KIND_ENUM, 2, 0, 4);				/* [15] */
	em_u32(e, a), em_u32(e, (u32)-5);
	em_u32(e, b), em_u32(e, 7);
	em_type(e, em_str(e, "fw"), BTF_KIND_FWD, 0, 0, 0);		/* [16] */
	em_type(e, em_str(e, "fu"), BTF_KIND_FWD, 0, 1, 0);		/* [17] */
	em_type(e, em_str(e, "td"), BTF_KIND_TYPEDEF, 0, 0, 1);		/* [18] */
	em_type(e, 0, BTF_KIND_VOLATILE, 0, 0, 1);			/* [19] */
	em_type(e, 0, BTF_KIND_CONST, 0, 0, 1);				/* [20] */
	em_type(e, 0, BTF_KIND_RESTRICT, 0, 0, 10);			/* [21] */
	em_type(e, 0, BTF_KIND_FUNC_PROTO, 2, 0, 1);			/* [22] */
	em_u32(e, em_str(e, "p")), em_u32(e, 1);
	em_u32(e, 0), em_u32(e, 1);
	for (i = 0; i < 4; i++) {					/* [23]..[26] */
		snprintf(name, sizeof(name), "f%u", i);
		em_type(e, em_str(e, name), BTF_KIND_FUNC, i, 0, 22);
	}
	for (i = 0; i < 4; i++) {					/* [27]..[30] */
		snprintf(name, sizeof(name), "v%u", i);
		em_type(e, em_str(e, name), BTF_KIND_VAR, 0, 0, 1);
		em_u32(e, i);
	}
	em_type(e, em_str(e, ".data"), BTF_KIND_DATASEC, 3, 0, 16);	/* [31] */
	em_u32(e, 27), em_u32(e, 0), em_u32(e, 4);
	em_u32(e, 28), em_u32(e, 4), em_u32(e, 4);
	em_u32(e, 1), em_u32(e, 8), em_u32(e, 4);
	em_type(e, em_str(e, "double"), BTF_KIND_FLOAT, 0, 0, 8);	/* [32] */
	em_type(e, em_str(e, "tag"), BTF_KIND_DECL_TAG, 0, 0, 12);	/* [33] */
	em_u32(e, (u32)-1);
	em_type(e, em_str(e, "tag2"), BTF_KIND_DECL_TAG, 0, 0, 12);	/* [34] */
	em_u32(e, 2);
	em_type(e, em_str(e, "tt"), BTF_KIND_TYPE_TAG, 0, 0, 1);	/* [35] */
	n = em_str(e, "e64s");
	a = em_str(e, "A");
	b = em_str(e, "B");
	em_type(e, n, BTF_KIND_ENUM64, 2, 1, 8);			/* [36] */
	em_u32(e, a), em_u32(e, 0xfffffffb), em_u32(e, 0xffffffff);
	em_u32(e, b), em_u32(e, 1), em_u32(e, 2);
	n = em_str(e, "e64u");
	a = em_str(e, "C");
	b = em_str(e, "D");
	em_type(e, n, BTF_KIND_ENUM64, 2, 0, 8);			/* [37] */
	em_u32(e, a), em_u32(e, 0xfffffffb), em_u32(e, 0xffffffff);
	em_u32(e, b), em_u32(e, 1), em_u32(e, 2);
	em_type(e, 4, BTF_KIND_INT, 0, 0, 4);	/* [38]: offset 4 is the NUL ending "int" */
	em_u32(e, 32);
	em_type(e, 0, BTF_KIND_STRUCT, 0, 0, 0);			/* [39] */
	em_type(e, 0, BTF_KIND_ENUM, 0, 0, 4);				/* [40] */
	em_type(e, 0, BTF_KIND_DATASEC, 1, 0, 4);			/* [41] */
	em_u32(e, 0), em_u32(e, 0), em_u32(e, 4);
	cr_assert(eq(u32, e->nr, NR_ALL_KINDS));
}

/* bpftool v7.1's "btf dump file all_kinds.btf format raw", verbatim. */
static const char ALL_KINDS_DUMP[] =
	"[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	"[2] INT 'e0' size=4 bits_offset=3 nr_bits=5 encoding=(none)\n"
	"[3] INT 'e1' size=4 bits_offset=3 nr_bits=5 encoding=SIGNED\n"
	"[4] INT 'e2' size=4 bits_offset=3 nr_bits=5 encoding=CHAR\n"
	"[5] INT 'e3' size=4 bits_offset=3 nr_bits=5 encoding=UNKN\n"
	"[6] INT 'e4' size=4 bits_offset=3 nr_bits=5 encoding=BOOL\n"
	"[7] INT 'e5' size=4 bits_offset=3 nr_bits=5 encoding=UNKN\n"
	"[8] INT 'e6' size=4 bits_offset=3 nr_bits=5 encoding=UNKN\n"
	"[9] INT 'e7' size=4 bits_offset=3 nr_bits=5 encoding=UNKN\n"
	"[10] PTR '(anon)' type_id=1\n"
	"[11] ARRAY 'arr' type_id=1 index_type_id=1 nr_elems=7\n"
	"[12] STRUCT 's' size=8 vlen=3\n"
	"\t'a' type_id=1 bits_offset=0\n"
	"\t'(anon)' type_id=1 bits_offset=32 bitfield_size=3\n"
	"\t'b' type_id=1 bits_offset=40\n"
	"[13] UNION 'u' size=4 vlen=1\n"
	"\t'x' type_id=1 bits_offset=0\n"
	"[14] ENUM 'en' encoding=SIGNED size=4 vlen=2\n"
	"\t'NEG' val=-5\n"
	"\t'P' val=7\n"
	"[15] ENUM 'eu' encoding=UNSIGNED size=4 vlen=2\n"
	"\t'BIG' val=4294967291\n"
	"\t'Q' val=7\n"
	"[16] FWD 'fw' fwd_kind=struct\n"
	"[17] FWD 'fu' fwd_kind=union\n"
	"[18] TYPEDEF 'td' type_id=1\n"
	"[19] VOLATILE '(anon)' type_id=1\n"
	"[20] CONST '(anon)' type_id=1\n"
	"[21] RESTRICT '(anon)' type_id=10\n"
	"[22] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n"
	"\t'p' type_id=1\n"
	"\t'(anon)' type_id=1\n"
	"[23] FUNC 'f0' type_id=22 linkage=static\n"
	"[24] FUNC 'f1' type_id=22 linkage=global\n"
	"[25] FUNC 'f2' type_id=22 linkage=extern\n"
	"[26] FUNC 'f3' type_id=22 linkage=(unknown)\n"
	"[27] VAR 'v0' type_id=1, linkage=static\n"
	"[28] VAR 'v1' type_id=1, linkage=global\n"
	"[29] VAR 'v2' type_id=1, linkage=extern\n"
	"[30] VAR 'v3' type_id=1, linkage=(unknown)\n"
	"[31] DATASEC '.data' size=16 vlen=3\n"
	"\ttype_id=27 offset=0 size=4 (VAR 'v0')\n"
	"\ttype_id=28 offset=4 size=4 (VAR 'v1')\n"
	"\ttype_id=1 offset=8 size=4 (INT 'int')\n"
	"[32] FLOAT 'double' size=8\n"
	"[33] DECL_TAG 'tag' type_id=12 component_idx=-1\n"
	"[34] DECL_TAG 'tag2' type_id=12 component_idx=2\n"
	"[35] TYPE_TAG 'tt' type_id=1\n"
	"[36] ENUM64 'e64s' encoding=SIGNED size=8 vlen=2\n"
	"\t'A' val=-5LL\n"
	"\t'B' val=8589934593LL\n"
	"[37] ENUM64 'e64u' encoding=UNSIGNED size=8 vlen=2\n"
	"\t'C' val=18446744073709551611ULL\n"
	"\t'D' val=8589934593ULL\n"
	"[38] INT '' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
	"[39] STRUCT '(anon)' size=0 vlen=0\n"
	"[40] ENUM '(anon)' encoding=UNSIGNED size=4 vlen=0\n"
	"[41] DATASEC '(anon)' size=4 vlen=1\n"
	"\ttype_id=0 offset=0 size=4 (UNKNOWN '(anon)')\n";

static u8 *all_kinds_blob(struct emitter *e, size_t *size)
{
	build_all_kinds(e);
	return em_blob(e, size);
}

/* Parse @blob (must succeed, no message) and return its dump. */
static char *parse_and_dump(const void *blob, size_t size, bool want_swapped)
{
	struct btf *btf;
	char *text;
	int err;

	diag_reset();
	err = btf_parse(blob, size, "blob", &btf);
	cr_assert(eq(int, err, 0), "btf_parse: %d: %s", err, diag_last());
	cr_assert(eq(int, diag_lines(), 0));
	cr_assert(eq(int, btf->swapped, want_swapped));
	text = dump_btf(btf);
	cr_assert(text != NULL);
	btf_free(btf);
	return text;
}

/* Names the corruption in expect_reject()'s failure messages. */
static const char *reject_ctx = "";

/*
 * btf_parse() of @blob must fail with @want_err, printing exactly one line
 * that contains @needle1 and (if non-NULL) @needle2.
 */
static void expect_reject(const void *blob, size_t size, int want_err, const char *needle1,
			  const char *needle2)
{
	struct btf *btf = (struct btf *)&btf;	/* must be reset to NULL */
	int err;

	diag_reset();
	err = btf_parse(blob, size, "bad.btf", &btf);
	cr_assert(eq(int, err, want_err), "%s: btf_parse = %d, want %d (%s)", reject_ctx, err,
		  want_err, diag_last());
	cr_assert(eq(ptr, btf, NULL));
	cr_assert(eq(int, diag_lines(), 1), "%s: %d lines, last: %s", reject_ctx, diag_lines(),
		  diag_last());
	cr_assert(strstr(diag_last(), needle1) != NULL, "%s: \"%s\" not in \"%s\"", reject_ctx,
		  needle1, diag_last());
	if (needle2)
		cr_assert(strstr(diag_last(), needle2) != NULL, "%s: \"%s\" not in \"%s\"",
			  reject_ctx, needle2, diag_last());
	cr_assert(strncmp(diag_last(), "bad.btf: ", 9) == 0, "message doesn't name the input: %s",
		  diag_last());
}

/* ---- well-formed input ------------------------------------------------ */

Test(btf_parse, all_kinds_blob_is_the_checked_in_fixture)
{
	struct emitter e;
	size_t size, fsize;
	u8 *blob = all_kinds_blob(&e, &size);
	void *fixture = read_file("tests/fixtures/btf/all_kinds.btf", &fsize);

	cr_assert(fixture != NULL, "missing tests/fixtures/btf/all_kinds.btf");
	cr_assert(eq(sz, size, fsize));
	cr_assert(memcmp(blob, fixture, size) == 0,
		  "build_all_kinds() and gen_all_kinds.py disagree");
	free(fixture);
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, all_kinds_parses_and_dumps_like_bpftool)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);
	struct btf *btf;
	char *text;
	u32 id;
	static const u8 kinds[NR_ALL_KINDS] = {
		0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 9, 10, 11, 13,
		12, 12, 12, 12, 14, 14, 14, 14, 15, 16, 17, 17, 18, 19, 19, 1, 4, 6, 15,
	};

	cr_assert(eq(int, btf_parse(blob, size, "all_kinds", &btf), 0));
	cr_assert(eq(int, diag_lines(), 0));
	cr_assert(eq(u32, btf->nr_types, NR_ALL_KINDS));
	cr_assert(not(btf->swapped));
	cr_assert(btf->raw_alloc != NULL);
	cr_assert(eq(sz, btf->raw_size, size));
	cr_assert(eq(u32, btf->types_len, e.types_len));
	cr_assert(eq(u32, btf->str_len, e.str_len));
	cr_assert(eq(int, btf->ptr_sz, (int)sizeof(void *)));	/* no "long" INT */
	for (id = 1; id < NR_ALL_KINDS; id++) {
		cr_assert(eq(u32, btf->type_offs[id], e.rec_off[id]), "[%u]", id);
		cr_assert(eq(u32, btf_kind(btf_type_by_id(btf, id)), kinds[id]), "[%u]", id);
	}
	text = dump_btf(btf);
	assert_same_text(text, ALL_KINDS_DUMP, "all_kinds");
	free(text);
	btf_free(btf);
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, accessors)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);
	const struct btf_type *t;
	struct btf *btf;
	u8 junk[4] = { 1, 2, 3, 4 };

	cr_assert(eq(int, btf_parse(blob, size, "all_kinds", &btf), 0));
	/* id 0 is the implicit void; out-of-range ids are NULL */
	t = btf_type_by_id(btf, 0);
	cr_assert(t == &btf_void_type);
	cr_assert(eq(u32, btf_kind(t), BTF_KIND_UNKN));
	cr_assert(btf_type_by_id(btf, NR_ALL_KINDS) == NULL);
	cr_assert(btf_type_by_id(btf, 0xffffffff) == NULL);
	cr_assert(eq(str, cstr(btf_str(btf, 1)), "int"));
	cr_assert(eq(str, cstr(btf_str(btf, 0)), ""));
	cr_assert(btf_str(btf, e.str_len - 1) != NULL);
	cr_assert(btf_str(btf, e.str_len) == NULL);

	/* kflag struct [12]: bit offsets and bitfield sizes */
	t = btf_type_by_id(btf, 12);
	cr_assert(btf_kflag(t));
	cr_assert(btf_is_composite(t));
	cr_assert(eq(u32, btf_vlen(t), 3));
	cr_assert(eq(u32, btf_member_bit_offset(t, 1), 32));
	cr_assert(eq(u32, btf_member_bitfield_size(t, 1), 3));
	cr_assert(eq(u32, btf_member_bit_offset(t, 2), 40));
	cr_assert(eq(u32, btf_member_bitfield_size(t, 2), 0));
	cr_assert(eq(u32, btf_type_size(t), 12 + 3 * 12));
	/* enumerator names, both widths */
	cr_assert(eq(str, cstr(btf_str(btf, btf_enum_name_off(btf_type_by_id(btf, 14), 0))),
		     "NEG"));
	cr_assert(eq(str, cstr(btf_str(btf, btf_enum_name_off(btf_type_by_id(btf, 37), 1))),
		     "D"));
	cr_assert(btf_is_any_enum(btf_type_by_id(btf, 36)));
	cr_assert(btf_is_mod(btf_type_by_id(btf, 35)));
	cr_assert(btf_is_mod(btf_type_by_id(btf, 21)));
	cr_assert(not(btf_is_mod(btf_type_by_id(btf, 18))));
	cr_assert(eq(u32, btf_array(btf_type_by_id(btf, 11))->nelems, 7));
	cr_assert(eq(u32, btf_params(btf_type_by_id(btf, 22))[0].type, 1));

	/* kind table */
	cr_assert(eq(str, cstr(btf_kind_str(BTF_KIND_ENUM64)), "ENUM64"));
	cr_assert(eq(str, cstr(btf_kind_str(BTF_KIND_UNKN)), "UNKNOWN"));
	cr_assert(eq(str, cstr(btf_kind_str(20)), "UNKNOWN"));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_INT, 0), 4));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_ARRAY, 0), 12));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_STRUCT, 2), 24));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_ENUM, 0xffff), 8 * 0xffff));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_FUNC, 3), 0));	/* vlen is linkage */
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_FUNC_PROTO, 3), 24));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_VAR, 0), 4));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_DATASEC, 1), 12));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_DECL_TAG, 0), 4));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_ENUM64, 2), 24));
	cr_assert(eq(long, btf_kind_extra_size(BTF_KIND_UNKN, 0), -1));
	cr_assert(eq(long, btf_kind_extra_size(20, 0), -1));
	cr_assert(eq(long, btf_kind_extra_size(31, 0), -1));

	/* raw BTF detection */
	cr_assert(btf_is_raw(blob, size));
	blob_swap(blob, size);
	cr_assert(btf_is_raw(blob, size));
	cr_assert(not(btf_is_raw(blob, 1)));
	cr_assert(not(btf_is_raw(junk, sizeof(junk))));
	btf_free(btf);
	free(blob);
	assert_no_leaks();
}

/* Collects the visited field values. */
struct visit_log {
	u32 vals[16];
	u32 n;
	u32 stop_after;		/* return 7 after this many calls (0: never) */
};

static int log_field(u32 *field, void *ctx)
{
	struct visit_log *l = ctx;

	if (l->n < ARRAY_SIZE(l->vals))
		l->vals[l->n] = *field;
	l->n++;
	return l->stop_after && l->n == l->stop_after ? 7 : 0;
}

Test(btf_parse, field_visitors_cover_every_kind)
{
	/* expected type-id fields of every record of all_kinds, in record order */
	static const struct {
		u32 id, n, vals[4];
	} ids[] = {
		{ 1, 0, { 0 } }, { 10, 1, { 1 } }, { 11, 2, { 1, 1 } }, { 12, 3, { 1, 1, 1 } },
		{ 13, 1, { 1 } }, { 14, 0, { 0 } }, { 16, 1, { 0 } }, { 18, 1, { 1 } },
		{ 19, 1, { 1 } }, { 20, 1, { 1 } }, { 21, 1, { 10 } }, { 22, 3, { 1, 1, 1 } },
		{ 23, 1, { 22 } }, { 27, 1, { 1 } }, { 31, 3, { 27, 28, 1 } }, { 32, 0, { 0 } },
		{ 33, 1, { 12 } }, { 35, 1, { 1 } }, { 36, 0, { 0 } }, { 41, 1, { 0 } },
	};
	struct emitter e;
	size_t size, i, j;
	u8 *blob = all_kinds_blob(&e, &size);
	struct btf *btf;

	cr_assert(eq(int, btf_parse(blob, size, "all_kinds", &btf), 0));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct btf_type *t = (struct btf_type *)(btf->types + btf->type_offs[ids[i].id]);
		struct visit_log l = { .n = 0 };

		cr_assert(eq(int, btf_visit_type_ids(t, log_field, &l), 0));
		cr_assert(eq(u32, l.n, ids[i].n), "[%u]", ids[i].id);
		for (j = 0; j < l.n; j++)
			cr_assert(eq(u32, l.vals[j], ids[i].vals[j]), "[%u] field %zu", ids[i].id, j);
	}

	/* string offsets: name first, then member/enumerator/param names */
	{
		static const char *const s12[] = { "s", "a", "", "b" };
		static const char *const s22[] = { "", "p", "" };
		static const char *const s37[] = { "e64u", "C", "D" };
		static const struct {
			u32 id, n;
			const char *const *names;
		} strs[] = { { 12, 4, s12 }, { 22, 3, s22 }, { 37, 3, s37 } };

		for (i = 0; i < ARRAY_SIZE(strs); i++) {
			struct btf_type *t =
				(struct btf_type *)(btf->types + btf->type_offs[strs[i].id]);
			struct visit_log l = { .n = 0 };

			cr_assert(eq(int, btf_visit_str_offs(t, log_field, &l), 0));
			cr_assert(eq(u32, l.n, strs[i].n), "[%u]", strs[i].id);
			for (j = 0; j < l.n; j++)
				cr_assert(eq(str, cstr(btf_str(btf, l.vals[j])),
					     cstr(strs[i].names[j])), "[%u] #%zu", strs[i].id, j);
		}
	}
	/* VAR, DATASEC, DECL_TAG: only the name */
	{
		struct visit_log l = { .n = 0 };

		btf_visit_str_offs((struct btf_type *)(btf->types + btf->type_offs[31]), log_field, &l);
		cr_assert(eq(u32, l.n, 1));
	}
	/* the first non-zero return stops the walk and is returned */
	{
		struct visit_log l = { .n = 0, .stop_after = 2 };

		cr_assert(eq(int, btf_visit_type_ids((struct btf_type *)(btf->types +
									   btf->type_offs[31]),
						     log_field, &l), 7));
		cr_assert(eq(u32, l.n, 2));
	}
	btf_free(btf);
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, header_of_32_bytes_with_layout_section)
{
	struct emitter e;
	size_t size;
	u8 *blob;
	char *text;

	build_all_kinds(&e);
	/* 2026-style header: layout_off/layout_len at 24..31, 8 layout bytes */
	blob = em_blob_ex(&e, 32, 8, &size);
	put32(blob + 24, e.types_len);
	put32(blob + 28, 8);
	text = parse_and_dump(blob, size, false);
	assert_same_text(text, ALL_KINDS_DUMP, "hdr_len 32");
	free(text);
	/* and swapped */
	cr_assert(eq(int, blob_swap(blob, size), 0));
	text = parse_and_dump(blob, size, true);
	assert_same_text(text, ALL_KINDS_DUMP, "hdr_len 32, swapped");
	free(text);
	free(blob);

	/* a longer header whose extra bytes are zero is fine ... */
	blob = em_blob_ex(&e, 40, 0, &size);
	text = parse_and_dump(blob, size, false);
	assert_same_text(text, ALL_KINDS_DUMP, "hdr_len 40");
	free(text);
	/* ... a non-zero byte past offset 32 is not */
	blob[37] = 1;
	expect_reject(blob, size, -ENOTSUP, "BTF header", "offset 37");
	free(blob);
	assert_no_leaks();
}

/* ---- byte order ------------------------------------------------------- */

Test(btf_parse, big_endian_dumps_like_native)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);
	u8 *sw = malloc(size);
	char *native, *swapped;

	cr_assert(sw != NULL);
	memcpy(sw, blob, size);
	cr_assert(eq(int, blob_swap(sw, size), 0));
	cr_assert(sw[0] == 0xeb && sw[1] == 0x9f);
	native = parse_and_dump(blob, size, false);
	swapped = parse_and_dump(sw, size, true);
	assert_same_text(swapped, native, "swapped all_kinds");
	assert_same_text(native, ALL_KINDS_DUMP, "all_kinds");
	/* the input itself is not modified (btf_parse copies) */
	cr_assert(sw[0] == 0xeb && get32(sw + 4) == 0x18000000);
	free(native);
	free(swapped);
	free(sw);
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, running_kernel_byte_swapped_dumps_the_same)
{
	size_t size;
	u8 *data = read_file(VMLINUX, &size), *sw;
	char *native, *swapped;

	if (!data)
		cr_skip_test(VMLINUX " is absent (kernel without CONFIG_DEBUG_INFO_BTF)");
	sw = malloc(size);
	cr_assert(sw != NULL);
	memcpy(sw, data, size);
	cr_assert(eq(int, blob_swap(sw, size), 0), "test swapper can't walk vmlinux");
	native = parse_and_dump(data, size, false);
	swapped = parse_and_dump(sw, size, true);
	cr_assert(strlen(native) > 1000000);
	assert_same_text(swapped, native, "swapped vmlinux");
	free(native);
	free(swapped);
	free(sw);
	free(data);
	assert_no_leaks();
}

/* ---- truncation ------------------------------------------------------- */

static void truncate_everywhere(const u8 *blob, size_t size, const char *what)
{
	size_t len;

	for (len = 0; len < size; len++) {
		struct btf *btf;
		void *owned;
		int err;

		/* copying parser; ASan catches reads past the exact-size copy */
		diag_reset();
		err = btf_parse(blob, len, what, &btf);
		cr_assert(lt(int, err, 0), "%s truncated to %zu bytes was accepted", what, len);
		cr_assert(eq(int, diag_lines(), 1), "%s at %zu: %d lines (last: %s)", what, len,
			  diag_lines(), diag_last());

		/* owning parser: frees the buffer on failure too */
		owned = xmalloc(len);
		cr_assert(owned != NULL);
		memcpy(owned, blob, len);
		diag_reset();
		err = btf_parse_owned(owned, len, what, &btf);
		cr_assert(lt(int, err, 0), "%s (owned) truncated to %zu accepted", what, len);
		cr_assert(eq(int, diag_lines(), 1), "%s (owned) at %zu: %d lines", what, len,
			  diag_lines());

		/* borrowing parser, from an exact-size aligned buffer */
		owned = malloc(len ? len : 1);
		cr_assert(owned != NULL);
		memcpy(owned, blob, len);
		diag_reset();
		err = btf_parse_view(owned, len, what, &btf);
		cr_assert(lt(int, err, 0), "%s (view) truncated to %zu accepted", what, len);
		cr_assert(eq(int, diag_lines(), 1), "%s (view) at %zu: %d lines (last: %s)", what,
			  len, diag_lines(), diag_last());
		free(owned);
	}
}

Test(btf_parse, truncation_at_every_length_fails_with_one_line)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);

	truncate_everywhere(blob, size, "all_kinds");
	cr_assert(eq(int, blob_swap(blob, size), 0));
	truncate_everywhere(blob, size, "all_kinds.be");
	free(blob);
	assert_no_leaks();
}

/* ---- corrupted header and sections ------------------------------------ */

/* A fresh all_kinds blob for each corruption. */
#define FRESH()                                                                          \
	do {                                                                             \
		free(blob);                                                              \
		blob = all_kinds_blob(&e, &size);                                        \
	} while (0)

Test(btf_parse, rejects_bad_header_fields)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;
	u32 type_len, str_len;

	FRESH();
	type_len = get32(blob + 12);
	str_len = get32(blob + 20);

	blob[0] = 0x12, blob[1] = 0x34;
	expect_reject(blob, size, -EINVAL, "BTF header", "magic");
	FRESH();
	blob[2] = 2;
	expect_reject(blob, size, -ENOTSUP, "BTF header", "version 2");
	FRESH();
	blob[3] = 1;
	expect_reject(blob, size, -ENOTSUP, "BTF header", "flags 0x1");
	FRESH();
	put32(blob + 4, 20);
	expect_reject(blob, size, -EINVAL, "BTF header", "hdr_len 20");
	FRESH();
	put32(blob + 4, 26);
	expect_reject(blob, size, -EINVAL, "BTF header", "hdr_len 26");
	FRESH();
	put32(blob + 4, 4096);
	expect_reject(blob, size, -EINVAL, "BTF header", "hdr_len 4096");
	FRESH();
	put32(blob + 4, 0xfffffffc);
	expect_reject(blob, size, -EINVAL, "BTF header", "hdr_len");

	/* type_off misaligned */
	FRESH();
	put32(blob + 8, 2);
	expect_reject(blob, size, -EINVAL, "BTF header", "type_off 2");

	/* sections out of range, including sums that overflow 32 bits */
	FRESH();
	put32(blob + 20, str_len + 1);
	expect_reject(blob, size, -EINVAL, "BTF header", "exceed");
	FRESH();
	put32(blob + 16, 0xffffffff);
	expect_reject(blob, size, -EINVAL, "BTF header", "exceed");
	FRESH();
	put32(blob + 12, 0xfffffff0);
	expect_reject(blob, size, -EINVAL, "BTF header", "exceed");
	FRESH();
	put32(blob + 8, 0xfffffff0);
	expect_reject(blob, size, -EINVAL, "BTF header", "exceed");
	FRESH();
	put32(blob + 20, 0xffffffff);
	expect_reject(blob, size, -EINVAL, "BTF header", "exceed");

	/* type section running into the string section */
	FRESH();
	put32(blob + 12, type_len + 4);
	expect_reject(blob, size, -EINVAL, "BTF header", "overlaps");
	/* strings before types (libbpf refuses this layout too) */
	FRESH();
	put32(blob + 16, 0);
	put32(blob + 20, 1);
	expect_reject(blob, size, -EINVAL, "BTF header", "overlaps");

	/* string section: empty, not NUL-terminated */
	FRESH();
	put32(blob + 20, 0);
	expect_reject(blob, size, -EINVAL, "BTF string section", "empty");
	FRESH();
	blob[size - 1] = 'x';
	expect_reject(blob, size, -EINVAL, "BTF string section", "NUL");
	FRESH();
	put32(blob + 20, str_len - 1);	/* drops the final NUL: the section ends on 'D' */
	expect_reject(blob, size, -EINVAL, "BTF string section", "NUL");
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_split_btf_without_base)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;

	/* a string section that doesn't start with "" (the split BTF shape) */
	FRESH();
	put32(blob + 16, get32(blob + 16) + 1);
	put32(blob + 20, get32(blob + 20) - 1);
	expect_reject(blob, size, -ENOTSUP, "BTF string section", "base BTF");
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_corpus_split_btf_testmod)
{
	char path[4096];
	size_t size;
	void *data;

	snprintf(path, sizeof(path), "%s/kernels/btf_testmod.btf", corpus_dir());
	data = read_file(path, &size);
	if (!data)
		cr_skip_test("%s is absent (corpus not found; set BTFGEN_CORPUS)", path);
	expect_reject(data, size, -ENOTSUP, "base BTF", NULL);
	free(data);
	assert_no_leaks();
}

Test(btf_parse, rejects_truncated_and_overrunning_records)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;
	u32 type_len;

	/* vlen of the last record [41] runs past the section */
	FRESH();
	type_len = get32(blob + 12);
	put32(blob + rec(&e, 41) + 4, get32(blob + rec(&e, 41) + 4) + 1);
	expect_reject(blob, size, -EINVAL, "[41]", "overruns");
	/* and of a middle one */
	FRESH();
	put32(blob + rec(&e, 12) + 4, (get32(blob + rec(&e, 12) + 4) & ~0xffffu) | 0xffff);
	expect_reject(blob, size, -EINVAL, "[12]", "overruns");
	/* type_len cutting the last record */
	FRESH();
	put32(blob + 12, type_len - 4);
	expect_reject(blob, size, -EINVAL, "[41]", "overruns");
	FRESH();
	put32(blob + 12, type_len - 16);	/* 8 bytes of [41] left: no full header */
	expect_reject(blob, size, -EINVAL, "[41]", "truncated");
	FRESH();
	put32(blob + 12, type_len - 26);	/* not even a multiple of 4 */
	expect_reject(blob, size, -EINVAL, "[40]", NULL);
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_unknown_kinds)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;
	char want[32];
	unsigned kind;

	for (kind = 20; kind <= 31; kind++) {
		FRESH();
		put32(blob + rec(&e, 10) + 4, kind << 24);
		snprintf(want, sizeof(want), "unknown kind %u", kind);
		expect_reject(blob, size, -ENOTSUP, "[10]", want);
	}
	/* kind 0 (UNKN) is no real kind either */
	FRESH();
	put32(blob + rec(&e, 10) + 4, 0);
	expect_reject(blob, size, -ENOTSUP, "[10]", "unknown kind 0");
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_out_of_range_type_ids_in_every_kind)
{
	/* every type-id field of all_kinds: record id, byte offset in the record */
	static const struct {
		u32 id, off;
		const char *what;
	} fields[] = {
		{ 10, 8, "PTR" },
		{ 11, 12, "ARRAY type" },
		{ 11, 16, "ARRAY index_type" },
		{ 12, 12 + 4, "STRUCT member 0" },
		{ 12, 12 + 12 + 4, "STRUCT member 1" },
		{ 12, 12 + 24 + 4, "STRUCT member 2" },
		{ 13, 12 + 4, "UNION member" },
		{ 18, 8, "TYPEDEF" },
		{ 19, 8, "VOLATILE" },
		{ 20, 8, "CONST" },
		{ 21, 8, "RESTRICT" },
		{ 22, 8, "FUNC_PROTO return" },
		{ 22, 12 + 4, "FUNC_PROTO param 0" },
		{ 22, 12 + 8 + 4, "FUNC_PROTO param 1" },
		{ 23, 8, "FUNC" },
		{ 27, 8, "VAR" },
		{ 31, 12, "DATASEC var 0" },
		{ 31, 12 + 24, "DATASEC var 2" },
		{ 33, 8, "DECL_TAG" },
		{ 35, 8, "TYPE_TAG" },
	};
	static const u32 bad[] = { NR_ALL_KINDS, 0xfffff, 0xffffffff };
	struct emitter e;
	size_t size = 0, i, j;
	u8 *blob = NULL;
	char want_id[16], want_val[32];

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			FRESH();
			put32(blob + rec(&e, fields[i].id) + fields[i].off, bad[j]);
			snprintf(want_id, sizeof(want_id), "[%u]", fields[i].id);
			snprintf(want_val, sizeof(want_val), "type id %u", bad[j]);
			reject_ctx = fields[i].what;
			expect_reject(blob, size, -EINVAL, want_id, want_val);
		}
	}
	/* the largest valid id is fine */
	FRESH();
	put32(blob + rec(&e, 10) + 8, NR_ALL_KINDS - 1);
	free(parse_and_dump(blob, size, false));
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_out_of_range_name_offsets)
{
	static const struct {
		u32 id, off;
		const char *what;
	} fields[] = {
		{ 1, 0, "INT name" },
		{ 12, 12 + 12, "STRUCT member 1 name" },
		{ 13, 12, "UNION member name" },
		{ 14, 12, "ENUM value 0 name" },
		{ 22, 12 + 8, "FUNC_PROTO param 1 name" },
		{ 31, 0, "DATASEC name" },
		{ 36, 12 + 12, "ENUM64 value 1 name" },
		{ 41, 0, "last record name" },
	};
	struct emitter e;
	size_t size = 0, i;
	u8 *blob = NULL;
	char want_id[16], want_val[48];

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		FRESH();
		put32(blob + rec(&e, fields[i].id) + fields[i].off, e.str_len);
		snprintf(want_id, sizeof(want_id), "[%u]", fields[i].id);
		snprintf(want_val, sizeof(want_val), "name offset %u", e.str_len);
		reject_ctx = fields[i].what;
		expect_reject(blob, size, -EINVAL, want_id, want_val);
		FRESH();
		put32(blob + rec(&e, fields[i].id) + fields[i].off, 0xffffffff);
		expect_reject(blob, size, -EINVAL, want_id, "name offset 4294967295");
	}
	/* the last byte (the final NUL) is a valid, empty name */
	FRESH();
	put32(blob + rec(&e, 1), e.str_len - 1);
	free(parse_and_dump(blob, size, false));
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_func_not_pointing_to_func_proto)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;

	FRESH();
	put32(blob + rec(&e, 23) + 8, 1);	/* FUNC -> INT */
	expect_reject(blob, size, -EINVAL, "[23]", "FUNC_PROTO");
	FRESH();
	put32(blob + rec(&e, 24) + 8, 0);	/* FUNC -> void */
	expect_reject(blob, size, -EINVAL, "[24]", "FUNC_PROTO");
	FRESH();
	put32(blob + rec(&e, 26) + 8, 23);	/* FUNC -> FUNC */
	expect_reject(blob, size, -EINVAL, "[26]", "FUNC_PROTO");
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, rejects_impossible_ints)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;

	FRESH();
	put32(blob + rec(&e, 1) + 8, 17);			/* size > 16 */
	expect_reject(blob, size, -EINVAL, "[1]", "INT");
	FRESH();
	put32(blob + rec(&e, 1) + 8, 16);
	put32(blob + rec(&e, 1) + 12, 1u << 24 | 129);		/* nr_bits > 128 */
	expect_reject(blob, size, -EINVAL, "[1]", "INT");
	FRESH();
	put32(blob + rec(&e, 2) + 12, 30u << 16 | 5);		/* offset + bits > 32 */
	expect_reject(blob, size, -EINVAL, "[2]", "INT");
	/* the widest legal one */
	FRESH();
	put32(blob + rec(&e, 1) + 8, 16);
	put32(blob + rec(&e, 1) + 12, 128);
	free(parse_and_dump(blob, size, false));
	free(blob);
	assert_no_leaks();
}

/* ---- size resolution -------------------------------------------------- */

Test(btf_parse, resolve_size)
{
	struct emitter e;
	struct btf *btf;
	size_t size;
	u8 *blob;
	u32 i, chain31, chain32;
	u32 id_int, id_char, id_long, id_a3, id_a23, id_td, id_ptr, id_ptd, id_big, id_big2;
	u32 id_zero, id_fwd, id_proto, id_cyc1, id_cyc2, id_var, id_dtag, id_max, id_e64;
	u32 id_flt, id_un, id_sec, id_tt;

	em_init(&e);
	id_int = em_type(&e, em_str(&e, "int"), BTF_KIND_INT, 0, 0, 4);
	em_u32(&e, 1u << 24 | 32);
	id_char = em_type(&e, em_str(&e, "char"), BTF_KIND_INT, 0, 0, 1);
	em_u32(&e, 8);
	id_long = em_type(&e, em_str(&e, "long"), BTF_KIND_INT, 0, 0, 8);
	em_u32(&e, 1u << 24 | 64);
	id_a3 = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* int[3] */
	em_u32(&e, id_int), em_u32(&e, id_int), em_u32(&e, 3);
	id_a23 = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* int[2][3] */
	em_u32(&e, id_a3), em_u32(&e, id_int), em_u32(&e, 2);
	/* typedef -> const -> volatile -> typedef -> int[2][3] */
	id_td = em_type(&e, em_str(&e, "t1"), BTF_KIND_TYPEDEF, 0, 0, e.nr + 1);
	em_type(&e, 0, BTF_KIND_CONST, 0, 0, e.nr + 1);
	em_type(&e, 0, BTF_KIND_VOLATILE, 0, 0, e.nr + 1);
	em_type(&e, em_str(&e, "t2"), BTF_KIND_TYPEDEF, 0, 0, id_a23);
	id_ptr = em_type(&e, 0, BTF_KIND_PTR, 0, 0, id_a23);
	id_ptd = em_type(&e, em_str(&e, "pt"), BTF_KIND_TYPEDEF, 0, 0, id_ptr);
	id_big = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* int[0x40000000]: 4 GiB */
	em_u32(&e, id_int), em_u32(&e, id_int), em_u32(&e, 0x40000000);
	id_max = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* char[0xffffffff]: fits */
	em_u32(&e, id_char), em_u32(&e, id_int), em_u32(&e, 0xffffffff);
	em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);		/* char[0x10000] */
	em_u32(&e, id_char), em_u32(&e, id_int), em_u32(&e, 0x10000);
	id_big2 = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* char[0x10000][0x10000] */
	em_u32(&e, e.nr - 2), em_u32(&e, id_int), em_u32(&e, 0x10000);
	id_zero = em_type(&e, 0, BTF_KIND_ARRAY, 0, 0, 0);	/* int[0][0x40000000] = 0 */
	em_u32(&e, id_big), em_u32(&e, id_int), em_u32(&e, 0);
	id_fwd = em_type(&e, em_str(&e, "f"), BTF_KIND_FWD, 0, 0, 0);
	id_proto = em_type(&e, 0, BTF_KIND_FUNC_PROTO, 0, 0, id_int);
	/* typedef cycle: c1 -> c2 -> c1 */
	id_cyc1 = em_type(&e, em_str(&e, "c1"), BTF_KIND_TYPEDEF, 0, 0, e.nr + 1);
	id_cyc2 = em_type(&e, em_str(&e, "c2"), BTF_KIND_TYPEDEF, 0, 0, id_cyc1);
	id_var = em_type(&e, em_str(&e, "v"), BTF_KIND_VAR, 0, 0, id_td);
	em_u32(&e, 1);
	id_dtag = em_type(&e, em_str(&e, "d"), BTF_KIND_DECL_TAG, 0, 0, id_long);
	em_u32(&e, (u32)-1);
	id_e64 = em_type(&e, em_str(&e, "e"), BTF_KIND_ENUM64, 0, 0, 8);
	id_flt = em_type(&e, em_str(&e, "ld"), BTF_KIND_FLOAT, 0, 0, 16);
	id_un = em_type(&e, em_str(&e, "un"), BTF_KIND_UNION, 0, 0, 24);
	id_sec = em_type(&e, em_str(&e, ".bss"), BTF_KIND_DATASEC, 0, 0, 64);
	id_tt = em_type(&e, em_str(&e, "tag"), BTF_KIND_TYPE_TAG, 0, 0, id_char);
	/* chains of 31 and 32 CONSTs above int */
	chain31 = e.nr + 30;
	for (i = 0; i < 31; i++)
		em_type(&e, 0, BTF_KIND_CONST, 0, 0, i ? e.nr - 1 : id_int);
	chain32 = e.nr;
	em_type(&e, 0, BTF_KIND_CONST, 0, 0, chain31);
	blob = em_blob(&e, &size);
	cr_assert(eq(int, btf_parse(blob, size, "sizes", &btf), 0), "%s", diag_last());
	cr_assert(eq(int, btf->ptr_sz, 8));	/* from "long" */

	cr_assert(eq(i64, btf_resolve_size(btf, id_int), 4));
	cr_assert(eq(i64, btf_resolve_size(btf, id_char), 1));
	cr_assert(eq(i64, btf_resolve_size(btf, id_a3), 12));
	cr_assert(eq(i64, btf_resolve_size(btf, id_a23), 24));
	cr_assert(eq(i64, btf_resolve_size(btf, id_td), 24));
	cr_assert(eq(i64, btf_resolve_size(btf, id_var), 24));
	cr_assert(eq(i64, btf_resolve_size(btf, id_dtag), 8));
	cr_assert(eq(i64, btf_resolve_size(btf, id_tt), 1));
	cr_assert(eq(i64, btf_resolve_size(btf, id_e64), 8));
	cr_assert(eq(i64, btf_resolve_size(btf, id_flt), 16));
	cr_assert(eq(i64, btf_resolve_size(btf, id_un), 24));
	cr_assert(eq(i64, btf_resolve_size(btf, id_sec), 64));
	cr_assert(eq(i64, btf_resolve_size(btf, id_max), 0xffffffffll));
	cr_assert(eq(i64, btf_resolve_size(btf, id_zero), 0));
	/* PTR uses the pointer size, whatever it points to */
	cr_assert(eq(i64, btf_resolve_size(btf, id_ptr), 8));
	cr_assert(eq(i64, btf_resolve_size(btf, id_ptd), 8));
	btf_set_ptr_sz(btf, 4);
	cr_assert(eq(i64, btf_resolve_size(btf, id_ptr), 4));
	cr_assert(eq(i64, btf_resolve_size(btf, id_ptd), 4));
	/* overflow of the byte size, and of the element count */
	cr_assert(eq(i64, btf_resolve_size(btf, id_big), -E2BIG));
	cr_assert(eq(i64, btf_resolve_size(btf, id_big2), -E2BIG));
	/* sizeless kinds */
	cr_assert(eq(i64, btf_resolve_size(btf, 0), -EINVAL));
	cr_assert(eq(i64, btf_resolve_size(btf, id_fwd), -EINVAL));
	cr_assert(eq(i64, btf_resolve_size(btf, id_proto), -EINVAL));
	/* a cycle ends in an error, not a hang */
	cr_assert(lt(i64, btf_resolve_size(btf, id_cyc1), 0));
	cr_assert(lt(i64, btf_resolve_size(btf, id_cyc2), 0));
	/* libbpf's MAX_RESOLVE_DEPTH counts visited types: 31 CONSTs + INT fit, 32 don't */
	cr_assert(eq(i64, btf_resolve_size(btf, chain31), 4));
	cr_assert(lt(i64, btf_resolve_size(btf, chain32), 0));

	/* btf_skip_mods_and_typedefs */
	{
		const struct btf_type *t;
		u32 res = 0;

		t = btf_skip_mods_and_typedefs(btf, id_td, &res);
		cr_assert(t == btf_type_by_id(btf, id_a23));
		cr_assert(eq(u32, res, id_a23));
		t = btf_skip_mods_and_typedefs(btf, id_int, &res);
		cr_assert(eq(u32, res, id_int));
		t = btf_skip_mods_and_typedefs(btf, id_tt, NULL);
		cr_assert(t == btf_type_by_id(btf, id_char));
		/* PTR is not a modifier */
		t = btf_skip_mods_and_typedefs(btf, id_ptd, &res);
		cr_assert(eq(u32, res, id_ptr));
		cr_assert(btf_skip_mods_and_typedefs(btf, id_cyc1, &res) == NULL);
		cr_assert(btf_skip_mods_and_typedefs(btf, id_cyc2, NULL) == NULL);
		/* 32 hops are allowed (BTF_MAX_RESOLVE_DEPTH), 33 are not: below */
		t = btf_skip_mods_and_typedefs(btf, chain32, &res);
		cr_assert(t == btf_type_by_id(btf, id_int), "32 CONSTs deep");
	}
	btf_free(btf);
	free(blob);

	/* one more CONST: 33 modifiers */
	em_type(&e, 0, BTF_KIND_CONST, 0, 0, chain32);
	blob = em_blob(&e, &size);
	cr_assert(eq(int, btf_parse(blob, size, "sizes", &btf), 0), "%s", diag_last());
	cr_assert(btf_skip_mods_and_typedefs(btf, e.nr - 1, NULL) == NULL);
	btf_free(btf);
	free(blob);
	assert_no_leaks();
}

/* ---- pointer size ----------------------------------------------------- */

static int ptr_sz_of(const char *const *names, const u32 *sizes, size_t n)
{
	struct emitter e;
	struct btf *btf;
	size_t size, i;
	u8 *blob;
	int ptr_sz;

	em_init(&e);
	for (i = 0; i < n; i++) {
		em_type(&e, em_str(&e, names[i]), BTF_KIND_INT, 0, 0, sizes[i]);
		em_u32(&e, sizes[i] * 8);
	}
	blob = em_blob(&e, &size);
	cr_assert(eq(int, btf_parse(blob, size, "ptr", &btf), 0), "%s", diag_last());
	ptr_sz = btf->ptr_sz;
	btf_free(btf);
	free(blob);
	return ptr_sz;
}

Test(btf_parse, pointer_size_guess)
{
	static const char *const l4[] = { "int", "long int" };
	static const u32 s4[] = { 4, 4 };
	static const char *const l8[] = { "long unsigned int" };
	static const u32 sz8[] = { 8 };
	static const char *const first[] = { "unsigned long", "long" };
	static const u32 s48[] = { 4, 8 };
	static const char *const odd[] = { "long", "longer", "long long int" };
	static const u32 s2[] = { 2, 8, 8 };

	cr_assert(eq(int, ptr_sz_of(l4, s4, 2), 4));
	cr_assert(eq(int, ptr_sz_of(l8, sz8, 1), 8));
	cr_assert(eq(int, ptr_sz_of(first, s48, 2), 4));	/* the first one wins */
	/* a 2-byte "long", other names: no guess, the host's size */
	cr_assert(eq(int, ptr_sz_of(odd, s2, 3), (int)sizeof(void *)));
	cr_assert(eq(int, ptr_sz_of(NULL, NULL, 0), (int)sizeof(void *)));
	assert_no_leaks();
}

/* ---- borrowed views --------------------------------------------------- */

Test(btf_parse, view_borrows_aligned_native_data)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size), *copy, *odd;
	struct btf *btf;
	char *text;

	copy = malloc(size);
	cr_assert(copy != NULL);
	memcpy(copy, blob, size);

	/* aligned, native: used in place and not modified */
	cr_assert(eq(int, btf_parse_view(blob, size, "view", &btf), 0));
	cr_assert(btf->raw_alloc == NULL);
	cr_assert(btf->raw == blob);
	cr_assert(not(btf->swapped));
	text = dump_btf(btf);
	assert_same_text(text, ALL_KINDS_DUMP, "view");
	free(text);
	btf_free(btf);
	cr_assert(memcmp(blob, copy, size) == 0);

	/* misaligned: copied */
	odd = malloc(size + 1);
	cr_assert(odd != NULL);
	memcpy(odd + 1, blob, size);
	cr_assert(eq(int, btf_parse_view(odd + 1, size, "view+1", &btf), 0));
	cr_assert(btf->raw_alloc != NULL);
	cr_assert(btf->raw != odd + 1);
	text = dump_btf(btf);
	assert_same_text(text, ALL_KINDS_DUMP, "view+1");
	free(text);
	btf_free(btf);

	/* swapped: copied and swapped, the caller's bytes untouched */
	cr_assert(eq(int, blob_swap(copy, size), 0));
	memcpy(odd, copy, size);
	cr_assert(eq(int, btf_parse_view(copy, size, "view.be", &btf), 0));
	cr_assert(btf->raw_alloc != NULL);
	cr_assert(btf->swapped);
	cr_assert(memcmp(odd, copy, size) == 0);
	text = dump_btf(btf);
	assert_same_text(text, ALL_KINDS_DUMP, "view.be");
	free(text);
	btf_free(btf);
	free(odd);
	free(copy);

	/* a long header goes through the copying path (its extra bytes are checked) */
	build_all_kinds(&e);
	free(blob);
	blob = em_blob_ex(&e, 36, 0, &size);
	cr_assert(eq(int, btf_parse_view(blob, size, "view36", &btf), 0));
	cr_assert(btf->raw_alloc != NULL);
	btf_free(btf);
	blob[33] = 1;
	diag_reset();
	cr_assert(eq(int, btf_parse_view(blob, size, "view36", &btf), -ENOTSUP));
	cr_assert(eq(int, diag_lines(), 1));
	free(blob);
	assert_no_leaks();
}

/* btf_parse_owned_in(): the BTF inside a larger buffer, taken in all cases */
Test(btf_parse, owned_in_buffer)
{
	struct emitter e;
	struct btf *btf;
	size_t size;
	u8 *blob, *buf;
	char *text;

	build_all_kinds(&e);
	blob = em_blob(&e, &size);
	buf = xmalloc(size + 512);
	cr_assert(buf != NULL);
	memcpy(buf + 512, blob, size);
	cr_assert(eq(int, btf_parse_owned_in(buf, 512, size, "in+512", &btf), 0), "%s",
		  diag_last());
	cr_assert(btf->raw_alloc != NULL);
	cr_assert(eq(ptr, btf->raw, buf + 512));
	cr_assert(eq(ptr, btf->raw_alloc, buf));
	text = dump_btf(btf);
	assert_same_text(text, ALL_KINDS_DUMP, "in+512");
	free(text);
	btf_free(btf);	/* frees buf */

	/* misaligned, and bad bytes: one line, the buffer freed (no leak) */
	buf = xmalloc(size + 2);
	cr_assert(buf != NULL);
	memcpy(buf + 2, blob, size);
	diag_reset();
	cr_assert(eq(int, btf_parse_owned_in(buf, 2, size, "in+2", &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "in+2: BTF at offset 2: not 4-byte aligned") != NULL, "%s",
		  diag_last());
	buf = xmalloc(size + 4);
	cr_assert(buf != NULL);
	memcpy(buf + 4, blob, size);
	buf[4] = 0;
	diag_reset();
	cr_assert(eq(int, btf_parse_owned_in(buf, 4, size, "in+4", &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	free(blob);
	assert_no_leaks();
}

Test(btf_parse, view_rejects_bad_header_with_one_line)
{
	struct emitter e;
	size_t size = 0;
	u8 *blob = NULL;
	struct btf *btf;

	FRESH();
	blob[2] = 3;
	cr_assert(eq(int, btf_parse_view(blob, size, "v", &btf), -ENOTSUP));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "version 3") != NULL, "%s", diag_last());
	FRESH();
	put32(blob + 4, 28);
	put32(blob + 20, 0xffff);
	diag_reset();
	cr_assert(eq(int, btf_parse_view(blob, size, "v", &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	FRESH();
	put32(blob + 4, 22);
	diag_reset();
	cr_assert(eq(int, btf_parse_view(blob, size, "v", &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "hdr_len 22") != NULL, "%s", diag_last());
	FRESH();
	put32(blob + rec(&e, 23) + 8, 1);
	diag_reset();
	cr_assert(eq(int, btf_parse_view(blob, size, "v", &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "[23]") != NULL, "%s", diag_last());
	free(blob);
	assert_no_leaks();
}

/* ---- random corruption ------------------------------------------------ */

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct range_ctx {
	const struct btf *btf;
	bool ids;
};

static int check_in_range(u32 *field, void *ctx)
{
	struct range_ctx *c = ctx;

	if (c->ids)
		cr_assert(lt(u32, *field, c->btf->nr_types));
	else
		cr_assert(lt(u32, *field, c->btf->str_len));
	return 0;
}

/* Use everything a parsed BTF offers; sanitizers catch bad reads. */
static void exercise(const struct btf *btf)
{
	struct range_ctx rc = { .btf = btf };
	char *text;
	u32 id;

	text = dump_btf(btf);
	cr_assert(text != NULL);
	free(text);
	for (id = 0; id < btf->nr_types + 1; id++) {
		s64 sz = btf_resolve_size(btf, id);
		u32 res;

		cr_assert(sz >= 0 || sz == -EINVAL || sz == -E2BIG, "[%u]: %lld", id, (long long)sz);
		btf_skip_mods_and_typedefs(btf, id, &res);
		if (id && id < btf->nr_types) {
			struct btf_type *t = (struct btf_type *)(btf->types + btf->type_offs[id]);

			rc.ids = true;
			btf_visit_type_ids(t, check_in_range, &rc);
			rc.ids = false;
			btf_visit_str_offs(t, check_in_range, &rc);
			cr_assert(btf->type_offs[id] + btf_type_size(t) <= btf->types_len);
		}
	}
}

Test(btf_parse, random_byte_flips_never_crash)
{
	struct emitter e;
	size_t size, i;
	u8 *base[2], *buf;
	unsigned accepted = 0, rejected = 0, iter;

	base[0] = all_kinds_blob(&e, &size);
	base[1] = malloc(size);
	buf = malloc(size);
	cr_assert(base[1] != NULL && buf != NULL);
	memcpy(base[1], base[0], size);
	cr_assert(eq(int, blob_swap(base[1], size), 0));
	rng_state = 0x2545f4914f6cdd1dull;	/* fixed seed: deterministic */

	for (iter = 0; iter < 20000; iter++) {
		unsigned flips = 1 + (unsigned)(rng() % 4);
		struct btf *btf;
		int err;

		memcpy(buf, base[iter & 1], size);
		for (i = 0; i < flips; i++) {
			size_t pos = (size_t)(rng() % size);

			if (rng() & 1)
				buf[pos] ^= (u8)(1u << (rng() % 8));
			else
				buf[pos] = (u8)rng();
		}
		diag_reset();
		err = btf_parse(buf, size, "fuzz", &btf);
		if (err == 0) {
			accepted++;
			cr_assert(eq(int, diag_lines(), 0));
			exercise(btf);
			btf_free(btf);
			continue;
		}
		rejected++;
		cr_assert(err == -EINVAL || err == -ENOTSUP || err == -E2BIG,
			  "iteration %u: unexpected error %d", iter, err);
		cr_assert(eq(int, diag_lines(), 1), "iteration %u: %d lines (last: %s)", iter,
			  diag_lines(), diag_last());
	}
	/* both outcomes must be common, or the loop tests little */
	cr_assert(accepted > 1000 && rejected > 1000, "%u accepted, %u rejected", accepted,
		  rejected);
	free(buf);
	free(base[0]);
	free(base[1]);
	assert_no_leaks();
}

/* ---- allocation failures ---------------------------------------------- */

enum parse_entry { P_COPY, P_OWNED, P_VIEW };

/*
 * Make the Nth allocation fail for N = 1, 2, ... : each run must return
 * -ENOMEM (and leak nothing) until the first N at which parsing succeeds.
 * Returns that N.
 */
static unsigned long fail_until_success(const u8 *blob, size_t size, enum parse_entry how)
{
	unsigned long n;

	for (n = 1; n < 64; n++) {
		struct btf *btf = NULL;
		void *owned = NULL;
		int err;

		if (how == P_OWNED) {
			owned = xmalloc(size);
			cr_assert(owned != NULL);
			memcpy(owned, blob, size);
		}
		diag_reset();
		util_alloc_fail_at = n;
		if (how == P_COPY)
			err = btf_parse(blob, size, "oom", &btf);
		else if (how == P_OWNED)
			err = btf_parse_owned(owned, size, "oom", &btf);
		else
			err = btf_parse_view(blob, size, "oom", &btf);
		util_alloc_fail_at = 0;
		if (err == 0) {
			char *text = dump_btf(btf);

			assert_same_text(text, ALL_KINDS_DUMP, "after allocation failures");
			free(text);
			btf_free(btf);
			assert_no_leaks();
			return n;
		}
		cr_assert(eq(int, err, -ENOMEM), "allocation %lu failed: got %d (%s)", n, err,
			  diag_last());
		cr_assert(eq(ptr, btf, NULL));
		cr_assert(le(int, diag_lines(), 1), "allocation %lu: %d lines", n, diag_lines());
		assert_no_leaks();
	}
	cr_fatal("parsing never succeeded");
	return 0;
}

Test(btf_parse, allocation_failures_are_enomem_without_leaks)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);
	unsigned long n;

	n = fail_until_success(blob, size, P_COPY);
	cr_assert(gt(ulong, n, 1));
	n = fail_until_success(blob, size, P_OWNED);
	cr_assert(gt(ulong, n, 1));
	n = fail_until_success(blob, size, P_VIEW);
	cr_assert(gt(ulong, n, 1));
	cr_assert(eq(int, blob_swap(blob, size), 0));
	fail_until_success(blob, size, P_COPY);
	fail_until_success(blob, size, P_VIEW);
	free(blob);
	assert_no_leaks();
}

/*
 * btf.h promises "On failure prints exactly one line", allocation failures
 * included (regression: the struct btf allocation used to print nothing).
 */
Test(btf_parse, allocation_failures_print_one_line)
{
	struct emitter e;
	size_t size;
	u8 *blob = all_kinds_blob(&e, &size);
	unsigned long n;

	for (n = 1; n < 64; n++) {
		struct btf *btf;
		int err;

		diag_reset();
		util_alloc_fail_at = n;
		err = btf_parse(blob, size, "oom", &btf);
		util_alloc_fail_at = 0;
		if (err == 0) {
			btf_free(btf);
			break;
		}
		cr_assert(eq(int, diag_lines(), 1), "allocation %lu: %d lines", n, diag_lines());
	}
	free(blob);
}
