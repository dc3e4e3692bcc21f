// SPDX-License-Identifier: MIT
/*
 * test_core_relo.c - CO-RE relocation resolution (core/relo.c) and the
 * candidate search (core/cands.c) on small local and target BTFs built in
 * memory (tests/fixtures/core/btf_build.h).
 *
 * Suites:
 *   core_names  core_essential_name_len() (SEMANTICS.md §3.1)
 *   core_relo   core_calc_relo() for every relocation kind (§3.5, §4)
 *   core_cands  core_cand_index_* and core_find_cands() (§3.2, §3.3)
 *
 * Every expected value below was derived by hand from SEMANTICS.md §4.8 and
 * libbpf's relo_core.c (the arithmetic is in the comments), never by running
 * this code.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "helpers.h"
#include "util/util.h"
#include "../fixtures/core/btf_build.h"

#define OBJ "test.bpf.o"

static void setup(void)
{
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void teardown(void)
{
	diag_capture_end();
	util_alloc_fail_at = 0;
}

/* The one diagnostic line of a failed relocation names the object and the relocation. */
static void assert_one_relo_line(const char *what)
{
	cr_assert(eq(int, diag_lines(), 1), "%s: expected exactly one line, got %d (last: %s)",
		  what, diag_lines(), diag_last());
	cr_assert(strstr(diag_last(), OBJ) != NULL, "%s: line doesn't name the object: %s", what,
		  diag_last());
	cr_assert(strstr(diag_last(), "relo #") != NULL, "%s: line doesn't name the relo: %s",
		  what, diag_last());
}

/* ==== core_names ======================================================= */

TestSuite(core_names, .init = setup, .fini = teardown);

struct name_case {
	char name[48];
	size_t len;
};

ParameterizedTestParameters(core_names, essential_len)
{
	static struct name_case cases[] = {
		/* the table of SEMANTICS.md §3.1 */
		{ "task_struct___old", 11 },
		{ "a___b___c", 5 },		/* the last separator wins */
		{ "foo____bar", 10 },		/* four underscores: no separator */
		{ "___abc", 6 },		/* needs a non-'_' before the "___" */
		{ "abc___", 6 },		/* ... and after it */
		{ "a___", 4 },			/* shorter than 5 */
		{ "abcd", 4 },
		{ "", 0 },
		{ "x", 1 },
		/* edge cases */
		{ "a___b", 1 },			/* shortest name with a flavor */
		{ "foo___", 6 },
		{ "foo___b", 3 },
		{ "foo___v2", 3 },
		{ "foo___bar___", 3 },		/* trailing "___" is no separator */
		{ "foo____bar___baz", 10 },	/* 4 underscores skipped, 3 taken */
		{ "_a___b", 2 },
		{ "a____b", 6 },
		{ "a___b___", 1 },
		{ "x___y___z___w", 9 },
		{ "task_struct", 11 },
		{ "__u64", 5 },
		{ "a__b", 4 },
		{ "a__b___c", 4 },
		{ "___", 3 },
		{ "_____", 5 },
	};

	return cr_make_param_array(struct name_case, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct name_case *c, core_names, essential_len)
{
	cr_assert(eq(sz, core_essential_name_len(c->name), c->len), "name '%s'", c->name);
}

Test(core_names, relo_kind_strings)
{
	static const char *const want[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};
	u32 k;

	for (k = 0; k < ARRAY_SIZE(want); k++)
		cr_assert_str_eq(core_relo_kind_str(k), want[k]);
	cr_assert_str_eq(core_relo_kind_str(13), "unknown");
}

/* ==== core_relo: helpers =============================================== */

TestSuite(core_relo, .init = setup, .fini = teardown);

/* What on_match saw, per call. */
struct mrec {
	u32 root, match_idx, bit_offset;
	int raw_len, len;
	u32 raw[CORE_SPEC_MAX_LEN];
};

struct mlog {
	int n;
	struct mrec r[4];
};

static int mlog_cb(const struct core_relo_ctx *rc, const struct core_spec *ts, u32 match_idx,
		   void *ctx)
{
	struct mlog *l = ctx;
	struct mrec *r;

	if (l->n == (int)ARRAY_SIZE(l->r))
		return 0;
	r = &l->r[l->n++];
	r->root = ts->root_type_id;
	r->match_idx = match_idx;
	r->bit_offset = ts->bit_offset;
	r->raw_len = ts->raw_len;
	r->len = ts->len;
	memcpy(r->raw, ts->raw_spec, sizeof(r->raw));
	return 0;
}

static struct core_cands cands_of(u32 n, const u32 *ids)
{
	struct core_cands c;

	c.ids = malloc((n + 1) * sizeof(u32));
	cr_assert(c.ids != NULL);
	if (n)
		memcpy(c.ids, ids, n * sizeof(u32));
	c.len = n;
	return c;
}

static struct core_cands cands1(u32 id)
{
	return cands_of(1, &id);
}

/*
 * Resolve one relocation: the local BTF is @lb parsed with @access interned
 * (a NULL @access uses @access_off as is). Returns core_calc_relo()'s result.
 */
static int relo_run_off(struct tb *lb, u32 type_id, const char *access, u32 access_off, u32 kind,
			const struct btf *targ, struct core_cands *cands, struct core_relo_res *res,
			struct mlog *log)
{
	struct bpf_core_relo relo = { .insn_off = 16, .type_id = type_id, .kind = kind };
	struct core_relo_ctx rc = {
		.obj_name = OBJ, .sec_name = "kprobe/test", .relo_idx = 7, .relo = &relo,
	};
	struct core_spec *scratch = calloc(CORE_SCRATCH_SPECS, sizeof(*scratch));
	struct btf *local;
	int err;

	cr_assert(scratch != NULL);
	relo.access_str_off = access ? tb_str(lb, access) : access_off;
	local = tb_parse(lb, "local");
	memset(res, 0xa5, sizeof(*res));
	if (log)
		memset(log, 0, sizeof(*log));
	err = core_calc_relo(&rc, local, cands, targ, scratch, res, log ? mlog_cb : NULL, log);
	btf_free(local);
	free(scratch);
	return err;
}

static int relo_run(struct tb *lb, u32 type_id, const char *access, u32 kind,
		    const struct btf *targ, struct core_cands *cands, struct core_relo_res *res,
		    struct mlog *log)
{
	return relo_run_off(lb, type_id, access, 0, kind, targ, cands, res, log);
}

/* ==== core_relo: field relocations on a kernel-like struct ============= */

/*
 * The same layout is built twice: as the target ("foo") and as the local
 * BTF ("foo___l", a flavor), so orig_val == new_val in the value table.
 *
 * struct foo (kflag 1, size 192):
 *   #0  int x                      bit    0
 *   #1  unsigned int bf1:3         bit   32
 *   #2  unsigned int bf2:5         bit   35
 *   #3  struct { int anon_a; long anon_b; }  bit 64   (anon_b at +64)
 *   #4  struct inner in            bit  192   inner: a@0 b@32 char name[16]@64, 24 bytes
 *   #5  struct inner *pin          bit  384
 *   #6  struct inner arr[4]        bit  448   (96 bytes)
 *   #7  const volatile int cv      bit 1216
 *   #8  enum sig_e se:4 (signed)   bit 1248
 *   #9  enum uns_e ue              bit 1280
 *   #10 short sbf:6                bit 1325
 *   #11 int m[2][3]                bit 1344   (24 bytes)
 *   #12 int flex[]                 bit 1536
 */
enum {
	K_INT = 1, K_UINT, K_CHAR, K_LONG, K_ASZ, K_INNER, K_CHAR16, K_ANON, K_PINNER,
	K_INNER4, K_CINT, K_CVINT, K_FLEX, K_SENUM, K_UENUM, K_UCHAR, K_SHORT, K_INT3, K_INT23,
	K_FOO,
};

static void build_kern(struct tb *b, const char *foo)
{
	tb_init(b);
	tb_int(b, "int", 4, true);				/* 1 */
	tb_int(b, "unsigned int", 4, false);			/* 2 */
	tb_int(b, "char", 1, true);				/* 3 */
	tb_int(b, "long", 8, true);				/* 4 */
	tb_int(b, "__ARRAY_SIZE_TYPE__", 4, false);		/* 5 */
	tb_struct(b, "inner", 24);				/* 6 */
	tb_member(b, "a", K_INT, 0);
	tb_member(b, "b", K_INT, 32);
	tb_member(b, "name", K_CHAR16, 64);
	tb_array(b, K_CHAR, K_ASZ, 16);				/* 7 */
	tb_struct(b, NULL, 16);					/* 8 */
	tb_member(b, "anon_a", K_INT, 0);
	tb_member(b, "anon_b", K_LONG, 64);
	tb_ptr(b, K_INNER);					/* 9 */
	tb_array(b, K_INNER, K_ASZ, 4);				/* 10 */
	tb_const(b, K_INT);					/* 11 */
	tb_volatile(b, K_CINT);					/* 12 */
	tb_array(b, K_INT, K_ASZ, 0);				/* 13 */
	tb_enum(b, "sig_e", 4, true);				/* 14 */
	tb_enumval(b, "SA", -1);
	tb_enum(b, "uns_e", 4, false);				/* 15 */
	tb_enumval(b, "UA", 1);
	tb_int(b, "unsigned char", 1, false);			/* 16 */
	tb_int(b, "short", 2, true);				/* 17 */
	tb_array(b, K_INT, K_ASZ, 3);				/* 18 */
	tb_array(b, K_INT3, K_ASZ, 2);				/* 19 */
	tb_comp(b, BTF_KIND_STRUCT, foo, 192, true);		/* 20 */
	tb_member(b, "x", K_INT, 0);
	tb_bf(b, "bf1", K_UINT, 32, 3);
	tb_bf(b, "bf2", K_UINT, 35, 5);
	tb_member(b, NULL, K_ANON, 64);
	tb_member(b, "in", K_INNER, 192);
	tb_member(b, "pin", K_PINNER, 384);
	tb_member(b, "arr", K_INNER4, 448);
	tb_member(b, "cv", K_CVINT, 1216);
	tb_bf(b, "se", K_SENUM, 1248, 4);
	tb_member(b, "ue", K_UENUM, 1280);
	tb_bf(b, "sbf", K_SHORT, 1325, 6);
	tb_member(b, "m", K_INT23, 1344);
	tb_member(b, "flex", K_FLEX, 1536);
}

struct fcase {
	char access[24];
	u32 root;
	u32 kind;
	int err;
	u64 val;
};

/* the six field kinds of one member access: offset, size, exists, signed, lshift, rshift */
#define F6(acc, root, off, sz, sgn, ls, rs)					\
	{ acc, root, BPF_CORE_FIELD_BYTE_OFFSET, 0, off },			\
	{ acc, root, BPF_CORE_FIELD_BYTE_SIZE, 0, sz },				\
	{ acc, root, BPF_CORE_FIELD_EXISTS, 0, 1 },				\
	{ acc, root, BPF_CORE_FIELD_SIGNED, 0, sgn },				\
	{ acc, root, BPF_CORE_FIELD_LSHIFT_U64, 0, ls },			\
	{ acc, root, BPF_CORE_FIELD_RSHIFT_U64, 0, rs }

/* an array element access: offset, size and exists work, the rest is -EINVAL */
#define FARR(acc, root, off, sz)						\
	{ acc, root, BPF_CORE_FIELD_BYTE_OFFSET, 0, off },			\
	{ acc, root, BPF_CORE_FIELD_BYTE_SIZE, 0, sz },				\
	{ acc, root, BPF_CORE_FIELD_EXISTS, 0, 1 },				\
	{ acc, root, BPF_CORE_FIELD_SIGNED, -EINVAL, 0 },			\
	{ acc, root, BPF_CORE_FIELD_LSHIFT_U64, -EINVAL, 0 },			\
	{ acc, root, BPF_CORE_FIELD_RSHIFT_U64, -EINVAL, 0 }

ParameterizedTestParameters(core_relo, field_values)
{
	static struct fcase cases[] = {
		/* x: int at bit 0: off 0, size 4, signed; lshift 64-(0+32-0)=32, rshift 64-32 */
		F6("0:0", K_FOO, 0, 4, 1, 32, 32),
		/* bf1:3 at bit 32, u32: byte_off 32/8/4*4=4; 32+3-32=3 fits in 32 bits;
		 * lshift 64-3=61, rshift 64-3=61 */
		F6("0:1", K_FOO, 4, 4, 0, 61, 61),
		/* bf2:5 at bit 35: byte_off 35/8/4*4=4; 35+5-32=8; lshift 56, rshift 59 */
		F6("0:2", K_FOO, 4, 4, 0, 56, 59),
		/* in.b: 192+32=224 -> byte 28; lshift 64-(224+32-224)=32 */
		F6("0:4:1", K_FOO, 28, 4, 1, 32, 32),
		/* pin: bit 384 -> 48; a pointer is 8 bytes ("long" is 8), not signed;
		 * lshift 64-64=0, rshift 0 */
		F6("0:5", K_FOO, 48, 8, 0, 0, 0),
		/* cv: const volatile int at 1216 -> 152, signed through the modifiers */
		F6("0:7", K_FOO, 152, 4, 1, 32, 32),
		/* se:4, signed ENUM (kflag 1) at 1248: byte_off 156/4*4=156; 1248+4-1248=4;
		 * lshift 60, rshift 60 */
		F6("0:8", K_FOO, 156, 4, 1, 60, 60),
		/* ue: unsigned ENUM at 1280 -> 160 */
		F6("0:9", K_FOO, 160, 4, 0, 32, 32),
		/* sbf:6, short at 1325: byte_sz 2, byte_off 165/2*2=164, 1325+6-1312=19 > 16
		 * -> byte_sz 4, byte_off 165/4*4=164, 19 <= 32: off 164, size 4 (wider load),
		 * lshift 64-19=45, rshift 64-6=58 */
		F6("0:10", K_FOO, 164, 4, 1, 45, 58),
		/* m (int[2][3]) as a member: 1344 -> 168, 24 bytes, not an int */
		/* m (int[2][3]) as a member: 1344 -> 168, 24 bytes, not an int (its shifts
		 * wrap, see shift_of_wide_member_wraps_like_libbpf) */
		{ "0:11", K_FOO, BPF_CORE_FIELD_BYTE_OFFSET, 0, 168 },
		{ "0:11", K_FOO, BPF_CORE_FIELD_BYTE_SIZE, 0, 24 },
		{ "0:11", K_FOO, BPF_CORE_FIELD_EXISTS, 0, 1 },
		{ "0:11", K_FOO, BPF_CORE_FIELD_SIGNED, 0, 0 },
		/* root index 2 (pointer as array): 2*192*8 = 3072 -> 384 */
		F6("2:0", K_FOO, 384, 4, 1, 32, 32),
		/* 1:4:1 = foo[1].in.b: 192 + 28 */
		F6("1:4:1", K_FOO, 220, 4, 1, 32, 32),
		/* inner[3].b ("3:1" on struct inner, 24 bytes): 3*24 + 4 = 76 */
		F6("3:1", K_INNER, 76, 4, 1, 32, 32),
		/* arr[2].name[3]: 448 + 2*192 + 64 + 3*8 = 920 -> 115, a char */
		FARR("0:6:2:2:3", K_FOO, 115, 1),
		/* m[1][2]: 1344 + 96 + 64 = 1504 -> 188, an int */
		FARR("0:11:1:2", K_FOO, 188, 4),
		/* m[1]: 1344 + 96 = 1440 -> 180, an int[3] */
		FARR("0:11:1", K_FOO, 180, 12),
		/* flex[5]: last member with nelems 0 is flexible: 1536 + 160 = 1696 -> 212 */
		FARR("0:12:5", K_FOO, 212, 4),
		/* inner[3].name[3]: 3*24 + 8 + 3 = 83 */
		FARR("3:2:3", K_INNER, 83, 1),
	};

	return cr_make_param_array(struct fcase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct fcase *c, core_relo, field_values)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	int err;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(c->root);
	err = relo_run(&lb, c->root, c->access, c->kind, targ, &cands, &res, &log);
	cr_assert(eq(int, err, c->err), "'%s' %s: %s", c->access, core_relo_kind_str(c->kind),
		  diag_last());
	if (c->err) {
		assert_one_relo_line(c->access);
		cr_assert(strstr(diag_last(), "array access") != NULL, "%s", diag_last());
	} else {
		cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
		cr_assert(eq(int, res.poison, 0));
		cr_assert(eq(u64, res.new_val, c->val), "'%s' %s new", c->access,
			  core_relo_kind_str(c->kind));
		cr_assert(eq(u64, res.orig_val, c->val), "'%s' %s orig", c->access,
			  core_relo_kind_str(c->kind));
		cr_assert(eq(int, log.n, 1));
		cr_assert(eq(u32, log.r[0].root, c->root));
		cr_assert(eq(u32, cands.len, 1));
	}
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * LSHIFT/RSHIFT of a member wider than 8 bytes: libbpf computes
 * "64 - (bit_off + bit_sz - byte_off * 8)" and "64 - bit_sz" in __u32
 * arithmetic and stores the u32 result in the u64: for arr (96 bytes,
 * bit_sz 768) both are 64 - 768 mod 2^32 = 0xfffffd40. (Only the ambiguity
 * check uses these values, but they should be libbpf's.)
 * PRODUCT BUG (reported): core/relo.c calc_field() computes in u64 and
 * gives 0xfffffffffffffd40.
 */
Test(core_relo, shift_of_wide_member_wraps_like_libbpf)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	int err;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(K_FOO);
	err = relo_run(&lb, K_FOO, "0:6", BPF_CORE_FIELD_LSHIFT_U64, targ, &cands, &res, NULL);
	cr_assert(eq(int, err, 0));
	cr_assert(eq(u64, res.new_val, 0xfffffd40ull));
	err = relo_run(&lb, K_FOO, "0:6", BPF_CORE_FIELD_RSHIFT_U64, targ, &cands, &res, NULL);
	cr_assert(eq(int, err, 0));
	cr_assert(eq(u64, res.new_val, 0xfffffd40ull));
	/* the byte offset and size of the same member: 448/8 = 56, 4 * 24 = 96 */
	err = relo_run(&lb, K_FOO, "0:6", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res, NULL);
	cr_assert(eq(int, err, 0));
	cr_assert(eq(u64, res.new_val, 56));
	err = relo_run(&lb, K_FOO, "0:6", BPF_CORE_FIELD_BYTE_SIZE, targ, &cands, &res, NULL);
	cr_assert(eq(int, err, 0));
	cr_assert(eq(u64, res.new_val, 96));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* The target raw spec and bit offset handed to on_match. */
Test(core_relo, target_spec_of_nested_access)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run(&lb, K_FOO, "0:6:2:2:3", BPF_CORE_FIELD_BYTE_OFFSET, targ,
				   &cands, &res, &log), 0));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(u32, log.r[0].match_idx, 0));
	cr_assert(eq(u32, log.r[0].root, K_FOO));
	cr_assert(eq(int, log.r[0].raw_len, 5));
	cr_assert(eq(u32, log.r[0].raw[0], 0));
	cr_assert(eq(u32, log.r[0].raw[1], 6));
	cr_assert(eq(u32, log.r[0].raw[2], 2));
	cr_assert(eq(u32, log.r[0].raw[3], 2));
	cr_assert(eq(u32, log.r[0].raw[4], 3));
	/* high-level: [0], .arr, [2], .name, [3] */
	cr_assert(eq(int, log.r[0].len, 5));
	cr_assert(eq(u32, log.r[0].bit_offset, 920));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * A local layout that differs from the target: orig_val comes from the local
 * spec, new_val from the target's.
 * local struct foo___v2 { int pad; unsigned short pad2; int x; char in_b_pad[2]; struct { int a, b; } in; }
 */
Test(core_relo, orig_and_new_values_differ)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 lint, lin, lfoo;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);		/* 1 */
	lin = tb_struct(&lb, "inner", 8);		/* 2 */
	tb_member(&lb, "a", lint, 0);
	tb_member(&lb, "b", lint, 32);
	lfoo = tb_struct(&lb, "foo___v2", 24);		/* 3 */
	tb_member(&lb, "pad", lint, 0);
	tb_member(&lb, "x", lint, 64);
	tb_member(&lb, "in", lin, 96);
	cands = cands1(K_FOO);
	/* x: local bit 64 -> 8; target bit 0 -> 0 */
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(u64, res.orig_val, 8));
	cr_assert(eq(u64, res.new_val, 0));
	/* in.b: local 96+32=128 -> 16; target 192+32=224 -> 28 */
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:2:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(u64, res.orig_val, 16));
	cr_assert(eq(u64, res.new_val, 28));
	cr_assert(eq(int, res.poison, 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * Local "0:1" (anon_b as a direct member) becomes target "0:3:1": the
 * anonymous struct hop is recorded in the raw spec; bit offset 64 + 64.
 */
Test(core_relo, anonymous_member_hop_in_target_spec)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	u32 lint, llong, lfoo;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	llong = tb_int(&lb, "long", 8, true);
	lfoo = tb_struct(&lb, "foo", 16);
	tb_member(&lb, "x", lint, 0);
	tb_member(&lb, "anon_b", llong, 64);
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, &log), 0));
	cr_assert(eq(u64, res.orig_val, 8));
	cr_assert(eq(u64, res.new_val, 16));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(int, log.r[0].raw_len, 3));
	cr_assert(eq(u32, log.r[0].raw[0], 0));
	cr_assert(eq(u32, log.r[0].raw[1], 3));
	cr_assert(eq(u32, log.r[0].raw[2], 1));
	cr_assert(eq(u32, log.r[0].bit_offset, 128));
	/* the size follows the target member (long, 8 bytes) */
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_BYTE_SIZE, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(u64, res.new_val, 8));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * A bitfield that no 8-byte load can hold: target
 * struct big { u64 pad:60; u64 v:8; } (v at bit 60): byte_sz 8,
 * byte_off 60/8/8*8 = 0, 60+8-0 = 68 > 64 -> E2BIG. The local v is at bit 0.
 * FIELD_EXISTS never computes the load, so it still succeeds.
 */
Test(core_relo, bitfield_wider_than_8_bytes_is_e2big)
{
	static const u32 kinds[] = {
		BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_FIELD_BYTE_SIZE, BPF_CORE_FIELD_SIGNED,
		BPF_CORE_FIELD_LSHIFT_U64, BPF_CORE_FIELD_RSHIFT_U64,
	};
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 u64t, big, lu64, lbig, i;

	tb_init(&tgt);
	u64t = tb_int(&tgt, "unsigned long long", 8, false);
	big = tb_comp(&tgt, BTF_KIND_STRUCT, "big", 16, true);
	tb_bf(&tgt, "pad", u64t, 0, 60);
	tb_bf(&tgt, "v", u64t, 60, 8);
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lu64 = tb_int(&lb, "unsigned long long", 8, false);
	lbig = tb_comp(&lb, BTF_KIND_STRUCT, "big___l", 8, true);
	tb_bf(&lb, "v", lu64, 0, 8);
	cands = cands1(big);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		diag_reset();
		cr_assert(eq(int, relo_run(&lb, lbig, "0:0", kinds[i], targ, &cands, &res, NULL),
			     -E2BIG), "%s", core_relo_kind_str(kinds[i]));
		assert_one_relo_line("E2BIG");
		cr_assert(strstr(diag_last(), "bitfield") != NULL, "%s", diag_last());
	}
	diag_reset();
	cr_assert(eq(int, relo_run(&lb, lbig, "0:0", BPF_CORE_FIELD_EXISTS, targ, &cands, &res,
				   NULL), 0));
	cr_assert(eq(u64, res.new_val, 1));
	cr_assert(eq(int, diag_lines(), 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* A member the target lacks: no match; field kinds are poisoned, EXISTS gives 0. */
Test(core_relo, missing_field_poisons)
{
	static const u32 kinds[] = {
		BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_FIELD_BYTE_SIZE, BPF_CORE_FIELD_SIGNED,
		BPF_CORE_FIELD_LSHIFT_U64, BPF_CORE_FIELD_RSHIFT_U64,
	};
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	u32 lint, lfoo, i;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	lfoo = tb_struct(&lb, "foo", 8);
	tb_member(&lb, "x", lint, 0);
	tb_member(&lb, "gone", lint, 32);
	cands = cands1(K_FOO);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", kinds[i], targ, &cands, &res, &log),
			     0));
		cr_assert(res.poison, "%s", core_relo_kind_str(kinds[i]));
		cr_assert(eq(int, log.n, 0));
		cr_assert(eq(u32, cands.len, 1), "no match leaves the list alone");
	}
	/* the local side is still computed: gone at bit 32 -> 4 */
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(u64, res.orig_val, 4));
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_EXISTS, targ, &cands, &res,
				   &log), 0));
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(u64, res.new_val, 0));
	cr_assert(eq(u64, res.orig_val, 1));
	cr_assert(eq(int, diag_lines(), 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* A member whose type is incompatible stops the search: no match (§4.3). */
Test(core_relo, incompatible_member_type_is_no_match)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 lint, lfl, lfoo;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	lfl = tb_float(&lb, "float", 4);
	lfoo = tb_struct(&lb, "foo", 8);
	tb_member(&lb, "x", lfl, 0);		/* target x is an int */
	tb_member(&lb, "pin", lint, 32);	/* target pin is a pointer */
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(res.poison);
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:1", BPF_CORE_FIELD_EXISTS, targ, &cands, &res,
				   NULL), 0));
	cr_assert(eq(u64, res.new_val, 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * Arrays on the target side: a fixed array bounds the index (no match),
 * a flexible (last, nelems 0) target array accepts any index, a
 * zero-length array that is not the last member does not.
 *   target t1 { int n; int a[2]; }  t2 { int n; int a[]; }  t3 { int a[0]; int n; }
 *   local  t1..t3 { int n; int a[10]; }, access a[5] = "0:1:5"
 */
Test(core_relo, array_bounds_and_flexible_arrays)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 tint, tasz, ta2, tflex, t1, t2, t3, lint, la10, l1, l2, l3;

	tb_init(&tgt);
	tint = tb_int(&tgt, "int", 4, true);
	tasz = tb_int(&tgt, "__ARRAY_SIZE_TYPE__", 4, false);
	ta2 = tb_array(&tgt, tint, tasz, 2);
	tflex = tb_array(&tgt, tint, tasz, 0);
	t1 = tb_struct(&tgt, "t1", 12);
	tb_member(&tgt, "n", tint, 0);
	tb_member(&tgt, "a", ta2, 32);
	t2 = tb_struct(&tgt, "t2", 4);
	tb_member(&tgt, "n", tint, 0);
	tb_member(&tgt, "a", tflex, 32);
	t3 = tb_struct(&tgt, "t3", 4);
	tb_member(&tgt, "a", tflex, 0);
	tb_member(&tgt, "n", tint, 0);
	targ = tb_parse(&tgt, "target");

	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	la10 = tb_array(&lb, lint, lint, 10);
	l1 = tb_struct(&lb, "t1", 44);
	tb_member(&lb, "n", lint, 0);
	tb_member(&lb, "a", la10, 32);
	l2 = tb_struct(&lb, "t2", 44);
	tb_member(&lb, "n", lint, 0);
	tb_member(&lb, "a", la10, 32);
	l3 = tb_struct(&lb, "t3", 44);
	tb_member(&lb, "n", lint, 0);
	tb_member(&lb, "a", la10, 32);

	/* t1: index 5 >= 2: no match */
	cands = cands1(t1);
	cr_assert(eq(int, relo_run(&lb, l1, "0:1:5", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(res.poison);
	/* t1: index 1 < 2: 32 + 32 = 64 -> 8 */
	cr_assert(eq(int, relo_run(&lb, l1, "0:1:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(u64, res.new_val, 8));
	free(cands.ids);
	/* t2: flexible: 32 + 5*32 = 192 -> 24; local: same */
	cands = cands1(t2);
	cr_assert(eq(int, relo_run(&lb, l2, "0:1:5", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(u64, res.new_val, 24));
	cr_assert(eq(u64, res.orig_val, 24));
	free(cands.ids);
	/* t3: a[0] is not the last member: not flexible, 5 >= 0: no match */
	cands = cands1(t3);
	cr_assert(eq(int, relo_run(&lb, l3, "0:1:5", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), 0));
	cr_assert(res.poison);
	free(cands.ids);
	cr_assert(eq(int, diag_lines(), 0));
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_relo: type-based relocations ================================ */

/*
 * local:  [1] int  [2] struct s {int a;} (8)  [3] typedef s_t -> 2  [4] float
 *         [5] typedef fp_t -> 6  [6] float *  [7] fwd fwd_only  [8] union u {int a;} (4)
 * target: [1] int  [2] long  [3] struct s {int a; long b;} (16)  [4] typedef s_t -> 3
 *         [5] float  [6] float *  [7] typedef fp_t -> 6  [8] fwd fwd_only
 *         [9] union u {int a; long l;} (8)  [10] struct u (4)
 */
static void build_type_local(struct tb *b)
{
	tb_init(b);
	tb_int(b, "int", 4, true);
	tb_struct(b, "s", 8);
	tb_member(b, "a", 1, 0);
	tb_typedef(b, "s_t", 2);
	tb_float(b, "float", 4);
	tb_typedef(b, "fp_t", 6);
	tb_ptr(b, 4);
	tb_fwd(b, "fwd_only", false);
	tb_union(b, "u", 4);
	tb_member(b, "a", 1, 0);
}

static struct btf *build_type_target(struct tb *b)
{
	tb_init(b);
	tb_int(b, "int", 4, true);
	tb_int(b, "long", 8, true);
	tb_struct(b, "s", 16);
	tb_member(b, "a", 1, 0);
	tb_member(b, "b", 2, 64);
	tb_typedef(b, "s_t", 3);
	tb_float(b, "float", 4);
	tb_ptr(b, 5);
	tb_typedef(b, "fp_t", 6);
	tb_fwd(b, "fwd_only", false);
	tb_union(b, "u", 8);
	tb_member(b, "a", 1, 0);
	tb_member(b, "l", 2, 0);
	tb_struct(b, "u", 4);
	return tb_parse(b, "target");
}

struct tcase {
	u32 local_id;
	u32 kind;
	u32 cand;
	u64 orig;
	u64 new_val;
	int matches;	/* on_match calls */
};

ParameterizedTestParameters(core_relo, type_values)
{
	static struct tcase cases[] = {
		/* TYPE_ID_TARGET: local id / target id */
		{ 2, BPF_CORE_TYPE_ID_TARGET, 3, 2, 3, 1 },
		{ 3, BPF_CORE_TYPE_ID_TARGET, 4, 3, 4, 1 },
		/* TYPE_EXISTS */
		{ 2, BPF_CORE_TYPE_EXISTS, 3, 1, 1, 1 },
		{ 3, BPF_CORE_TYPE_EXISTS, 4, 1, 1, 1 },
		{ 7, BPF_CORE_TYPE_EXISTS, 8, 1, 1, 1 },	/* FWD vs FWD */
		{ 8, BPF_CORE_TYPE_EXISTS, 9, 1, 1, 1 },
		/* TYPE_SIZE: local size / target size */
		{ 2, BPF_CORE_TYPE_SIZE, 3, 8, 16, 1 },
		{ 3, BPF_CORE_TYPE_SIZE, 4, 8, 16, 1 },		/* through the typedef */
		{ 8, BPF_CORE_TYPE_SIZE, 9, 4, 8, 1 },
		{ 5, BPF_CORE_TYPE_SIZE, 7, 8, 0, 0 },		/* fp_t: FLOAT * doesn't match */
		/* TYPE_MATCHES: s {a} in s {a, b}; union u {a} in union u {a, l} */
		{ 2, BPF_CORE_TYPE_MATCHES, 3, 1, 1, 1 },
		{ 8, BPF_CORE_TYPE_MATCHES, 9, 1, 1, 1 },
		/* FLOAT is not "compatible" for type relos (§4.5): target 0, no poison */
		{ 4, BPF_CORE_TYPE_EXISTS, 5, 1, 0, 0 },
		{ 4, BPF_CORE_TYPE_SIZE, 5, 4, 0, 0 },
		{ 4, BPF_CORE_TYPE_ID_TARGET, 5, 4, 0, 0 },
		{ 5, BPF_CORE_TYPE_EXISTS, 7, 1, 0, 0 },	/* ... also behind a pointer */
		/* root kinds must be compatible before stripping typedefs */
		{ 3, BPF_CORE_TYPE_EXISTS, 3, 1, 0, 0 },	/* local typedef vs target struct */
		{ 2, BPF_CORE_TYPE_EXISTS, 4, 1, 0, 0 },	/* local struct vs target typedef */
		{ 8, BPF_CORE_TYPE_EXISTS, 10, 1, 0, 0 },	/* union vs struct */
		{ 8, BPF_CORE_TYPE_MATCHES, 10, 1, 0, 0 },
	};

	return cr_make_param_array(struct tcase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct tcase *c, core_relo, type_values)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;

	build_type_local(&lb);
	targ = build_type_target(&tgt);
	cands = cands1(c->cand);
	cr_assert(eq(int, relo_run(&lb, c->local_id, "0", c->kind, targ, &cands, &res, &log), 0),
		  "%s", diag_last());
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(u64, res.orig_val, c->orig), "[%u] %s", c->local_id,
		  core_relo_kind_str(c->kind));
	cr_assert(eq(u64, res.new_val, c->new_val), "[%u] %s -> [%u]", c->local_id,
		  core_relo_kind_str(c->kind), c->cand);
	cr_assert(eq(int, log.n, c->matches));
	if (c->matches)
		cr_assert(eq(u32, log.r[0].root, c->cand));
	cr_assert(eq(u32, cands.len, 1));
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* TYPE_ID_LOCAL needs no candidates: the local id, never a target spec. */
Test(core_relo, type_id_local)
{
	struct tb lb;
	struct core_relo_res res;
	struct mlog log;

	build_type_local(&lb);
	cr_assert(eq(int, relo_run(&lb, 3, "0", BPF_CORE_TYPE_ID_LOCAL, NULL, NULL, &res, &log),
		     0));
	cr_assert(eq(u64, res.orig_val, 3));
	cr_assert(eq(u64, res.new_val, 3));
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(int, log.n, 0));
	cr_assert(eq(int, diag_lines(), 0));
	tb_free(&lb);
}

/* TYPE_ID_LOCAL is answered before the anonymous-root check (libbpf order). */
Test(core_relo, type_id_local_of_anonymous_type)
{
	struct tb lb;
	struct core_relo_res res;
	u32 anon;

	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	anon = tb_struct(&lb, NULL, 4);
	tb_member(&lb, "x", 1, 0);
	cr_assert(eq(int, relo_run(&lb, anon, "0", BPF_CORE_TYPE_ID_LOCAL, NULL, NULL, &res, NULL),
		     0));
	cr_assert(eq(u64, res.new_val, anon));
	tb_free(&lb);
}

/*
 * TYPE_SIZE of a sizeless type (FWD) is fatal: -EINVAL and one line.
 * PRODUCT BUG (reported): calc_type() returns -EINVAL and nothing prints.
 */
Test(core_relo, type_size_of_fwd_is_einval)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;

	build_type_local(&lb);
	targ = build_type_target(&tgt);
	cands = cands1(8);
	cr_assert(eq(int, relo_run(&lb, 7, "0", BPF_CORE_TYPE_SIZE, targ, &cands, &res, NULL),
		     -EINVAL));
	assert_one_relo_line("TYPE_SIZE of a FWD");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * A field whose type has no size (a FWD member by value, matched by name on
 * both sides): the byte size can't be computed: -EINVAL, and one line.
 * PRODUCT BUG (reported): calc_field() returns -EINVAL and nothing prints.
 */
Test(core_relo, field_of_sizeless_type_is_einval)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 tfwd, ts, lfwd, ls;

	tb_init(&tgt);
	tfwd = tb_fwd(&tgt, "opaque", false);
	ts = tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "f", tfwd, 0);
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lfwd = tb_fwd(&lb, "opaque", false);
	ls = tb_struct(&lb, "s", 8);
	tb_member(&lb, "f", lfwd, 0);
	cands = cands1(ts);
	cr_assert(eq(int, relo_run(&lb, ls, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res,
				   NULL), -EINVAL));
	assert_one_relo_line("sizeless field");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* Two candidates with different sizes: TYPE_SIZE is ambiguous, so is TYPE_ID_TARGET. */
Test(core_relo, type_relo_ambiguity)
{
	static const u32 ids[] = { 2, 3 };
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	u32 lint, ls;

	tb_init(&tgt);
	tb_int(&tgt, "int", 4, true);
	tb_struct(&tgt, "s", 8);
	tb_struct(&tgt, "s", 16);
	tb_struct(&tgt, "s", 8);
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	ls = tb_struct(&lb, "s", 4);
	tb_member(&lb, "a", lint, 0);

	cands = cands_of(2, ids);
	cr_assert(eq(int, relo_run(&lb, ls, "0", BPF_CORE_TYPE_SIZE, targ, &cands, &res, &log),
		     -EINVAL));
	assert_one_relo_line("TYPE_SIZE");
	cr_assert(strstr(diag_last(), "ambiguity") != NULL, "%s", diag_last());
	free(cands.ids);

	diag_reset();
	cands = cands_of(2, ids);
	cr_assert(eq(int, relo_run(&lb, ls, "0", BPF_CORE_TYPE_ID_TARGET, targ, &cands, &res,
				   &log), -EINVAL));
	assert_one_relo_line("TYPE_ID_TARGET");
	free(cands.ids);

	/* same sizes (ids 2 and 4, both 8 bytes): not ambiguous, both reported */
	diag_reset();
	cands = cands_of(2, (const u32[]){ 2, 4 });
	cr_assert(eq(int, relo_run(&lb, ls, "0", BPF_CORE_TYPE_SIZE, targ, &cands, &res, &log),
		     0));
	cr_assert(eq(u64, res.new_val, 8));
	cr_assert(eq(int, log.n, 2));
	cr_assert(eq(u32, log.r[0].root, 2));
	cr_assert(eq(u32, log.r[1].root, 4));
	cr_assert(eq(u32, log.r[1].match_idx, 1));
	cr_assert(eq(u32, cands.len, 2));
	cr_assert(eq(int, diag_lines(), 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_relo: TYPE_MATCHES (§4.6) =================================== */

/* TYPE_MATCHES of local @lid against the single candidate @tid: 1 or 0. */
static u64 type_matches(struct tb *lb, u32 lid, struct tb *tgt, u32 tid)
{
	struct btf *targ = tb_parse(tgt, "target");
	struct core_cands cands = cands1(tid);
	struct core_relo_res res;
	int err;

	err = relo_run(lb, lid, "0", BPF_CORE_TYPE_MATCHES, targ, &cands, &res, NULL);
	cr_assert(eq(int, err, 0), "%s", diag_last());
	cr_assert(eq(int, res.poison, 0));
	cr_assert(eq(u64, res.orig_val, 1));
	free(cands.ids);
	btf_free(targ);
	return res.new_val;
}

/*
 * struct s { struct t *p; } where the local t is a FWD (struct, kflag 0):
 * behind a pointer it matches a target STRUCT t or FWD t (kflag 0), not a
 * UNION t or a union FWD.
 */
Test(core_relo, matches_fwd_behind_pointer)
{
	static const struct {
		unsigned kind;
		bool kflag;
		u64 want;
	} targets[] = {
		{ BTF_KIND_STRUCT, false, 1 },
		{ BTF_KIND_UNION, false, 0 },
		{ BTF_KIND_FWD, false, 1 },
		{ BTF_KIND_FWD, true, 0 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		struct tb lb, tgt;
		u32 lfwd, lp, ls, tint, tt, tp, ts;

		tb_init(&lb);
		lfwd = tb_fwd(&lb, "t", false);
		lp = tb_ptr(&lb, lfwd);
		ls = tb_struct(&lb, "s", 8);
		tb_member(&lb, "p", lp, 0);
		tb_init(&tgt);
		tint = tb_int(&tgt, "int", 4, true);
		if (targets[i].kind == BTF_KIND_FWD) {
			tt = tb_fwd(&tgt, "t", targets[i].kflag);
		} else {
			tt = tb_comp(&tgt, targets[i].kind, "t", 4, false);
			tb_member(&tgt, "z", tint, 0);	/* members don't matter behind a pointer */
		}
		tp = tb_ptr(&tgt, tt);
		ts = tb_struct(&tgt, "s", 8);
		tb_member(&tgt, "p", tp, 0);
		cr_assert(eq(u64, type_matches(&lb, ls, &tgt, ts), targets[i].want), "case %u", i);
		tb_free(&lb);
		tb_free(&tgt);
	}
}

/* A FWD member not behind a pointer matches only a FWD of the same kflag. */
Test(core_relo, matches_fwd_by_value)
{
	static const struct {
		unsigned kind;
		bool kflag;
		u64 want;
	} targets[] = {
		{ BTF_KIND_STRUCT, false, 0 },
		{ BTF_KIND_FWD, false, 1 },
		{ BTF_KIND_FWD, true, 0 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		struct tb lb, tgt;
		u32 lfwd, ls, tt, ts;

		tb_init(&lb);
		lfwd = tb_fwd(&lb, "t", false);
		ls = tb_struct(&lb, "s", 8);
		tb_member(&lb, "f", lfwd, 0);
		tb_init(&tgt);
		if (targets[i].kind == BTF_KIND_FWD)
			tt = tb_fwd(&tgt, "t", targets[i].kflag);
		else
			tt = tb_struct(&tgt, "t", 4);
		ts = tb_struct(&tgt, "s", 8);
		tb_member(&tgt, "f", tt, 0);
		cr_assert(eq(u64, type_matches(&lb, ls, &tgt, ts), targets[i].want), "case %u", i);
		tb_free(&lb);
		tb_free(&tgt);
	}
}

/*
 * Behind a pointer a struct needs only the same kind (and name): its members
 * are not compared; a UNION there does not match a STRUCT.
 */
Test(core_relo, matches_struct_behind_pointer_ignores_members)
{
	struct tb lb, tgt;
	u32 lint, lt, lp, ls, tint, tt, tp, ts, tu, tpu, ts2;

	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	lt = tb_struct(&lb, "t", 4);
	tb_member(&lb, "a", lint, 0);
	lp = tb_ptr(&lb, lt);
	ls = tb_struct(&lb, "s", 8);
	tb_member(&lb, "p", lp, 0);
	tb_init(&tgt);
	tint = tb_int(&tgt, "int", 4, true);
	tt = tb_struct(&tgt, "t", 8);
	tb_member(&tgt, "b", tint, 0);
	tb_member(&tgt, "c", tint, 32);
	tp = tb_ptr(&tgt, tt);
	ts = tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "p", tp, 0);
	tu = tb_union(&tgt, "t", 4);
	tpu = tb_ptr(&tgt, tu);
	ts2 = tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "p", tpu, 0);
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, ts), 1));
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, ts2), 0));
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * Enums: same size, every local enumerator name (essential) present in the
 * target, values ignored, ENUM and ENUM64 interchangeable.
 * local enum e (4) { A, B___v1 }
 */
Test(core_relo, matches_enums)
{
	struct tb lb, tgt;
	u32 le, t_ok, t_missing, t_size8, t_e64_4, t_e64_8, t_short, t_other_name;

	tb_init(&lb);
	le = tb_enum(&lb, "e", 4, false);
	tb_enumval(&lb, "A", 0);
	tb_enumval(&lb, "B___v1", 1);
	tb_init(&tgt);
	t_ok = tb_enum(&tgt, "e", 4, false);		/* { C = 0, B = 5, A = 7 } */
	tb_enumval(&tgt, "C", 0);
	tb_enumval(&tgt, "B", 5);
	tb_enumval(&tgt, "A", 7);
	t_missing = tb_enum(&tgt, "e", 4, false);	/* { A, C } */
	tb_enumval(&tgt, "A", 0);
	tb_enumval(&tgt, "C", 1);
	t_size8 = tb_enum(&tgt, "e", 8, false);		/* { A, B } but 8 bytes */
	tb_enumval(&tgt, "A", 0);
	tb_enumval(&tgt, "B", 1);
	t_e64_4 = tb_enum64(&tgt, "e", 4, false);	/* ENUM64 of size 4 { B, A } */
	tb_enum64val(&tgt, "B", 1);
	tb_enum64val(&tgt, "A", 0);
	t_e64_8 = tb_enum64(&tgt, "e", 8, false);
	tb_enum64val(&tgt, "A", 0);
	tb_enum64val(&tgt, "B", 1);
	t_short = tb_enum(&tgt, "e", 4, false);		/* { A } : fewer values */
	tb_enumval(&tgt, "A", 0);
	t_other_name = tb_enum(&tgt, "e___x", 4, false);	/* a flavor of e */
	tb_enumval(&tgt, "A", 0);
	tb_enumval(&tgt, "B", 0);
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_ok), 1));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_missing), 0));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_size8), 0));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_e64_4), 1));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_e64_8), 0));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_short), 0));
	cr_assert(eq(u64, type_matches(&lb, le, &tgt, t_other_name), 1));
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * Integers: same size and signedness, and (after stripping typedefs) the
 * same name. local typedef u_t -> unsigned int (4).
 */
Test(core_relo, matches_ints)
{
	struct tb lb, tgt;
	u32 lu, lt, t_ok, t_8, t_signed, t_renamed, i1, i2, i3, i4;

	tb_init(&lb);
	lu = tb_int(&lb, "unsigned int", 4, false);
	lt = tb_typedef(&lb, "u_t", lu);
	tb_init(&tgt);
	i1 = tb_int(&tgt, "unsigned int", 4, false);
	t_ok = tb_typedef(&tgt, "u_t", i1);
	i2 = tb_int(&tgt, "unsigned int", 8, false);
	t_8 = tb_typedef(&tgt, "u_t", i2);
	i3 = tb_int(&tgt, "unsigned int", 4, true);
	t_signed = tb_typedef(&tgt, "u_t", i3);
	i4 = tb_int(&tgt, "uint", 4, false);
	t_renamed = tb_typedef(&tgt, "u_t", i4);
	cr_assert(eq(u64, type_matches(&lb, lt, &tgt, t_ok), 1));
	cr_assert(eq(u64, type_matches(&lb, lt, &tgt, t_8), 0));
	cr_assert(eq(u64, type_matches(&lb, lt, &tgt, t_signed), 0));
	cr_assert(eq(u64, type_matches(&lb, lt, &tgt, t_renamed), 0));
	tb_free(&lb);
	tb_free(&tgt);
}

/* Arrays need equal nelems; member names compare by essential name; vlen local <= target. */
Test(core_relo, matches_arrays_and_members)
{
	struct tb lb, tgt;
	u32 lint, la4, ls, lbig, tint, ta4, ta5, t_ok, t_n5, t_flavored, t_short;

	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	la4 = tb_array(&lb, lint, lint, 4);
	ls = tb_struct(&lb, "s", 20);			/* s { int a[4]; int x___old; } */
	tb_member(&lb, "a", la4, 0);
	tb_member(&lb, "x___old", lint, 128);
	lbig = tb_struct(&lb, "s___big", 12);		/* s { int a, b, c; } */
	tb_member(&lb, "a", lint, 0);
	tb_member(&lb, "b", lint, 32);
	tb_member(&lb, "c", lint, 64);
	tb_init(&tgt);
	tint = tb_int(&tgt, "int", 4, true);
	ta4 = tb_array(&tgt, tint, tint, 4);
	ta5 = tb_array(&tgt, tint, tint, 5);
	t_ok = tb_struct(&tgt, "s", 24);		/* { int pad; int x; int a[4]; } */
	tb_member(&tgt, "pad", tint, 0);
	tb_member(&tgt, "x", tint, 32);
	tb_member(&tgt, "a", ta4, 64);
	t_n5 = tb_struct(&tgt, "s", 24);		/* { int a[5]; int x; } */
	tb_member(&tgt, "a", ta5, 0);
	tb_member(&tgt, "x", tint, 160);
	t_flavored = tb_struct(&tgt, "s___2", 24);	/* { int x___new; int a[4]; } */
	tb_member(&tgt, "x___new", tint, 0);
	tb_member(&tgt, "a", ta4, 32);
	t_short = tb_struct(&tgt, "s", 8);		/* { int a; int b; } */
	tb_member(&tgt, "a", tint, 0);
	tb_member(&tgt, "b", tint, 32);
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, t_ok), 1));
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, t_n5), 0));
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, t_flavored), 1));
	cr_assert(eq(u64, type_matches(&lb, lbig, &tgt, t_short), 0));
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * Function prototypes: same param count, params and return type match.
 * local typedef cb_t -> PTR -> FUNC_PROTO int (int, long)
 */
Test(core_relo, matches_func_protos)
{
	struct tb lb, tgt;
	u32 lint, llong, lfp, lcb, tint, tlong, fp_ok, fp_one, fp_int_int, fp_void, fp_long_ret;
	u32 cb_ok, cb_one, cb_int_int, cb_void, cb_long_ret;

	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	llong = tb_int(&lb, "long", 8, true);
	lfp = tb_proto(&lb, lint);
	tb_param(&lb, "a", lint);
	tb_param(&lb, "b", llong);
	lcb = tb_typedef(&lb, "cb_t", tb_ptr(&lb, lfp));

	tb_init(&tgt);
	tint = tb_int(&tgt, "int", 4, true);
	tlong = tb_int(&tgt, "long", 8, true);
	fp_ok = tb_proto(&tgt, tint);
	tb_param(&tgt, "x", tint);		/* param names don't matter */
	tb_param(&tgt, "y", tlong);
	cb_ok = tb_typedef(&tgt, "cb_t", tb_ptr(&tgt, fp_ok));
	fp_one = tb_proto(&tgt, tint);
	tb_param(&tgt, "a", tint);
	cb_one = tb_typedef(&tgt, "cb_t", tb_ptr(&tgt, fp_one));
	fp_int_int = tb_proto(&tgt, tint);
	tb_param(&tgt, "a", tint);
	tb_param(&tgt, "b", tint);
	cb_int_int = tb_typedef(&tgt, "cb_t", tb_ptr(&tgt, fp_int_int));
	fp_void = tb_proto(&tgt, 0);
	tb_param(&tgt, "a", tint);
	tb_param(&tgt, "b", tlong);
	cb_void = tb_typedef(&tgt, "cb_t", tb_ptr(&tgt, fp_void));
	fp_long_ret = tb_proto(&tgt, tlong);
	tb_param(&tgt, "a", tint);
	tb_param(&tgt, "b", tlong);
	cb_long_ret = tb_typedef(&tgt, "cb_t", tb_ptr(&tgt, fp_long_ret));

	cr_assert(eq(u64, type_matches(&lb, lcb, &tgt, cb_ok), 1));
	cr_assert(eq(u64, type_matches(&lb, lcb, &tgt, cb_one), 0));
	cr_assert(eq(u64, type_matches(&lb, lcb, &tgt, cb_int_int), 0));
	cr_assert(eq(u64, type_matches(&lb, lcb, &tgt, cb_void), 0));
	cr_assert(eq(u64, type_matches(&lb, lcb, &tgt, cb_long_ret), 0));
	tb_free(&lb);
	tb_free(&tgt);
}

/* A flavored local root matches the plain target name; anonymous member types only anonymous ones. */
Test(core_relo, matches_flavors_and_anonymous_types)
{
	struct tb lb, tgt;
	u32 lint, lanon, ls, tint, tanon, tnamed, t_ok, t_named;

	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	lanon = tb_struct(&lb, NULL, 4);
	tb_member(&lb, "a", lint, 0);
	ls = tb_struct(&lb, "s___v2", 4);
	tb_member(&lb, "in", lanon, 0);
	tb_init(&tgt);
	tint = tb_int(&tgt, "int", 4, true);
	tanon = tb_struct(&tgt, NULL, 4);
	tb_member(&tgt, "a", tint, 0);
	tnamed = tb_struct(&tgt, "named", 4);
	tb_member(&tgt, "a", tint, 0);
	t_ok = tb_struct(&tgt, "s", 4);
	tb_member(&tgt, "in", tanon, 0);
	t_named = tb_struct(&tgt, "s", 4);
	tb_member(&tgt, "in", tnamed, 0);
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, t_ok), 1));
	cr_assert(eq(u64, type_matches(&lb, ls, &tgt, t_named), 0));
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_relo: enumerator relocations ================================ */

/*
 * local:  [1] enum e___l (signed, 4) { A = 0, B___v2 = 1, NEG = -5, MISSING = 9 }
 *         [2] typedef e_t -> 1
 *         [3] enum e64 (4) { BIG = 0 }
 * target: [1] enum e (signed, 4) { NEG = -5, A = 10, B = 20 }
 *         [2] enum64 e64 (8) { SMALL = 1, BIG = 0x123456789abcdef0 }
 *         [3] enum u (unsigned, 4) { HIGH = 0x80000000 }
 *         [4] typedef e_t -> 1
 *         [5] struct e (4)
 * local:  [4] enum u { HIGH = 0 }
 */
static void build_enum_local(struct tb *b)
{
	tb_init(b);
	tb_enum(b, "e___l", 4, true);
	tb_enumval(b, "A", 0);
	tb_enumval(b, "B___v2", 1);
	tb_enumval(b, "NEG", -5);
	tb_enumval(b, "MISSING", 9);
	tb_typedef(b, "e_t", 1);
	tb_enum(b, "e64", 4, false);
	tb_enumval(b, "BIG", 0);
	tb_enum(b, "u", 4, false);
	tb_enumval(b, "HIGH", 0);
}

static struct btf *build_enum_target(struct tb *b)
{
	tb_init(b);
	tb_enum(b, "e", 4, true);
	tb_enumval(b, "NEG", -5);
	tb_enumval(b, "A", 10);
	tb_enumval(b, "B", 20);
	tb_enum64(b, "e64", 8, false);
	tb_enum64val(b, "SMALL", 1);
	tb_enum64val(b, "BIG", 0x123456789abcdef0ull);
	tb_enum(b, "u", 4, false);
	tb_enumval(b, "HIGH", (s32)0x80000000u);
	tb_typedef(b, "e_t", 1);
	tb_struct(b, "e", 4);
	return tb_parse(b, "target");
}

struct ecase {
	u32 local_id;
	char access[8];
	u32 kind;
	u32 cand;
	bool poison;
	u64 orig;
	u64 new_val;
	int targ_idx;	/* raw[0] of the target spec, -1: no match */
};

ParameterizedTestParameters(core_relo, enumval_values)
{
	static struct ecase cases[] = {
		{ 1, "0", BPF_CORE_ENUMVAL_EXISTS, 1, false, 1, 1, 1 },
		{ 1, "0", BPF_CORE_ENUMVAL_VALUE, 1, false, 0, 10, 1 },
		/* B___v2 finds B by essential name */
		{ 1, "1", BPF_CORE_ENUMVAL_VALUE, 1, false, 1, 20, 2 },
		/* a negative s32 is sign-extended into the u64 on both sides */
		{ 1, "2", BPF_CORE_ENUMVAL_VALUE, 1, false, 0xfffffffffffffffbull,
		  0xfffffffffffffffbull, 0 },
		/* an absent enumerator: EXISTS 0, VALUE poisoned */
		{ 1, "3", BPF_CORE_ENUMVAL_EXISTS, 1, false, 1, 0, -1 },
		{ 1, "3", BPF_CORE_ENUMVAL_VALUE, 1, true, 9, 0, -1 },
		/* through typedefs on both sides */
		{ 2, "1", BPF_CORE_ENUMVAL_VALUE, 4, false, 1, 20, 2 },
		/* ENUM64 target: hi << 32 | lo */
		{ 3, "0", BPF_CORE_ENUMVAL_VALUE, 2, false, 0, 0x123456789abcdef0ull, 1 },
		{ 3, "0", BPF_CORE_ENUMVAL_EXISTS, 2, false, 1, 1, 1 },
		/* an unsigned ENUM's 0x80000000 is still read as s32 and sign-extended */
		{ 4, "0", BPF_CORE_ENUMVAL_VALUE, 3, false, 0, 0xffffffff80000000ull, 0 },
		/* a target that is not an enum: no match */
		{ 1, "0", BPF_CORE_ENUMVAL_EXISTS, 5, false, 1, 0, -1 },
		{ 1, "0", BPF_CORE_ENUMVAL_VALUE, 5, true, 0, 0, -1 },
	};

	return cr_make_param_array(struct ecase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct ecase *c, core_relo, enumval_values)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	bool matched = c->targ_idx >= 0;

	build_enum_local(&lb);
	targ = build_enum_target(&tgt);
	cands = cands1(c->cand);
	cr_assert(eq(int, relo_run(&lb, c->local_id, c->access, c->kind, targ, &cands, &res,
				   &log), 0), "%s", diag_last());
	cr_assert(eq(int, (int)res.poison, (int)c->poison));
	if (!c->poison)
		cr_assert(eq(u64, res.new_val, c->new_val));
	cr_assert(eq(u64, res.orig_val, c->orig));
	cr_assert(eq(int, log.n, matched ? 1 : 0));
	if (matched) {
		cr_assert(eq(int, log.r[0].raw_len, 1));
		cr_assert(eq(u32, log.r[0].raw[0], (u32)c->targ_idx));
	}
	cr_assert(eq(int, diag_lines(), 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_relo: flavors, pruning, ambiguity =========================== */

/* A local flavor foo___v2 finds and matches the target foo through the candidate index. */
Test(core_relo, flavor_matches_plain_target)
{
	struct tb lb, tgt;
	struct btf *targ, *local;
	struct core_cand_index *idx;
	struct core_cands cands;
	struct core_relo_res res;
	u32 lint, lfoo;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	lfoo = tb_struct(&lb, "foo___v2", 4);
	tb_member(&lb, "x", lint, 0);
	local = tb_parse(&lb, "local");
	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	cr_assert(eq(int, core_find_cands(idx, local, lfoo, &cands), 0));
	cr_assert(eq(u32, cands.len, 1));
	cr_assert(eq(u32, cands.ids[0], K_FOO));
	cr_assert(eq(int, relo_run(&lb, lfoo, "0:0", BPF_CORE_FIELD_EXISTS, targ, &cands, &res,
				   NULL), 0));
	cr_assert(eq(u64, res.new_val, 1));
	xfree(cands.ids);
	core_cand_index_free(idx);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * target: [2] struct s { int x; int y; }  [3] struct s { int x; int z; }
 * local:  [2] struct s { int x; int y; int z; }
 * z matches only [3]: the list shrinks to [3]; y then has no match (pruned
 * [2] is gone) and is poisoned; x with the full list matches both.
 */
Test(core_relo, candidate_pruning)
{
	static const u32 ids[] = { 2, 3 };
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	u32 lint, ls;

	tb_init(&tgt);
	tb_int(&tgt, "int", 4, true);
	tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "x", 1, 0);
	tb_member(&tgt, "y", 1, 32);
	tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "x", 1, 0);
	tb_member(&tgt, "z", 1, 32);
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	ls = tb_struct(&lb, "s", 12);
	tb_member(&lb, "x", lint, 0);
	tb_member(&lb, "y", lint, 32);
	tb_member(&lb, "z", lint, 64);

	/* x: both match at the same offset: both reported, nothing pruned */
	cands = cands_of(2, ids);
	cr_assert(eq(int, relo_run(&lb, ls, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res,
				   &log), 0));
	cr_assert(eq(int, log.n, 2));
	cr_assert(eq(u32, log.r[0].root, 2));
	cr_assert(eq(u32, log.r[0].match_idx, 0));
	cr_assert(eq(u32, log.r[1].root, 3));
	cr_assert(eq(u32, log.r[1].match_idx, 1));
	cr_assert(eq(u32, cands.len, 2));
	cr_assert(eq(u64, res.new_val, 0));

	/* z: only [3]; local bit 64 -> 8, target bit 32 -> 4 */
	cr_assert(eq(int, relo_run(&lb, ls, "0:2", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res,
				   &log), 0));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(u32, log.r[0].root, 3));
	cr_assert(eq(u32, cands.len, 1));
	cr_assert(eq(u32, cands.ids[0], 3));
	cr_assert(eq(u64, res.orig_val, 8));
	cr_assert(eq(u64, res.new_val, 4));

	/* y: [2] was pruned: no match, poisoned, the list stays [3] */
	cr_assert(eq(int, relo_run(&lb, ls, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res,
				   &log), 0));
	cr_assert(res.poison);
	cr_assert(eq(int, log.n, 0));
	cr_assert(eq(u32, cands.len, 1));
	cr_assert(eq(u32, cands.ids[0], 3));
	cr_assert(eq(int, diag_lines(), 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* target [2] s { x@0 }  [3] s { y@0, x@32 }: x is ambiguous (0 != 32 bits). */
Test(core_relo, field_offset_ambiguity)
{
	static const u32 ids[] = { 2, 3 };
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 lint, ls;

	tb_init(&tgt);
	tb_int(&tgt, "int", 4, true);
	tb_struct(&tgt, "s", 4);
	tb_member(&tgt, "x", 1, 0);
	tb_struct(&tgt, "s", 8);
	tb_member(&tgt, "y", 1, 0);
	tb_member(&tgt, "x", 1, 32);
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	ls = tb_struct(&lb, "s", 4);
	tb_member(&lb, "x", lint, 0);
	cands = cands_of(2, ids);
	cr_assert(eq(int, relo_run(&lb, ls, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands, &res,
				   NULL), -EINVAL));
	assert_one_relo_line("ambiguity");
	cr_assert(strstr(diag_last(), "field offset ambiguity") != NULL, "%s", diag_last());
	/* FIELD_EXISTS is just as ambiguous: the bit offsets differ */
	diag_reset();
	cr_assert(eq(int, relo_run(&lb, ls, "0:0", BPF_CORE_FIELD_EXISTS, targ, &cands, &res,
				   NULL), -EINVAL));
	assert_one_relo_line("ambiguity (exists)");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* An anonymous local root can't be relocated: -ENOTSUP and one line. */
Test(core_relo, anonymous_local_root)
{
	static const u32 kinds[] = {
		BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_MATCHES,
	};
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands = { NULL, 0 };
	struct core_relo_res res;
	u32 lint, anon, i;

	build_kern(&tgt, "foo");
	targ = tb_parse(&tgt, "target");
	tb_init(&lb);
	lint = tb_int(&lb, "int", 4, true);
	anon = tb_struct(&lb, NULL, 4);
	tb_member(&lb, "x", lint, 0);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const char *acc = kinds[i] == BPF_CORE_FIELD_BYTE_OFFSET ? "0:0" : "0";

		diag_reset();
		cands = cands_of(0, NULL);
		cr_assert(eq(int, relo_run(&lb, anon, acc, kinds[i], targ, &cands, &res, NULL),
			     -ENOTSUP));
		assert_one_relo_line("anonymous root");
		free(cands.ids);
	}
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_relo: malformed access strings ============================== */

struct acase {
	char access[160];
	u32 kind;
};

ParameterizedTestParameters(core_relo, malformed_access)
{
	static struct acase cases[] = {
		{ "", BPF_CORE_FIELD_BYTE_OFFSET },
		{ ":0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "0:", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "0::1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "a", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "0:a", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "-1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "0:-1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ "0:99", BPF_CORE_FIELD_BYTE_OFFSET },		/* member index out of range */
		{ "0:13", BPF_CORE_FIELD_BYTE_OFFSET },		/* vlen is 13 */
		{ "0:6:4", BPF_CORE_FIELD_BYTE_OFFSET },	/* arr has 4 elements */
		{ "0:4:3", BPF_CORE_FIELD_EXISTS },		/* inner has 3 members */
		{ "99999999999", BPF_CORE_FIELD_BYTE_OFFSET },	/* doesn't fit an int */
		/* 65 entries */
		{ "0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:"
		  "0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0",
		  BPF_CORE_FIELD_BYTE_OFFSET },
		/* type-based relocations take exactly "0" */
		{ "1", BPF_CORE_TYPE_EXISTS },
		{ "00", BPF_CORE_TYPE_SIZE },
		{ "0:0", BPF_CORE_TYPE_ID_TARGET },
		{ "", BPF_CORE_TYPE_MATCHES },
		{ "0:0", BPF_CORE_TYPE_ID_LOCAL },
		/* enumerator relocations on a struct root */
		{ "0", BPF_CORE_ENUMVAL_EXISTS },
		/* not a relocation kind */
		{ "0:0", 13 },
	};

	return cr_make_param_array(struct acase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct acase *c, core_relo, malformed_access)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run(&lb, K_FOO, c->access, c->kind, targ, &cands, &res, &log),
		     -EINVAL), "access '%s'", c->access);
	assert_one_relo_line(c->access);
	cr_assert(eq(int, log.n, 0));
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* Enumerator access strings: one index below the enum's vlen. */
Test(core_relo, malformed_enumval_access)
{
	static const char *const bad[] = { "4", "0:1", "", "x" };
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	u32 i;

	targ = build_enum_target(&tgt);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		build_enum_local(&lb);
		diag_reset();
		cands = cands1(1);
		cr_assert(eq(int, relo_run(&lb, 1, bad[i], BPF_CORE_ENUMVAL_VALUE, targ, &cands,
					   &res, NULL), -EINVAL), "access '%s'", bad[i]);
		assert_one_relo_line(bad[i]);
		free(cands.ids);
		tb_free(&lb);
	}
	btf_free(targ);
	tb_free(&tgt);
}

/* An access string offset outside the local string section. */
Test(core_relo, access_string_offset_out_of_range)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run_off(&lb, K_FOO, NULL, 0x7fffff, BPF_CORE_FIELD_BYTE_OFFSET,
				       targ, &cands, &res, NULL), -EINVAL));
	assert_one_relo_line("access_str_off");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * An index applied to a scalar ("0:0:1": x is an int) is one error, one line.
 * PRODUCT BUG (reported): parse_spec() prints "captures type ... of
 * unexpected kind" and core_calc_relo() then prints "parsing ... failed".
 */
Test(core_relo, access_through_scalar_is_one_line)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;

	build_kern(&tgt, "foo");
	build_kern(&lb, "foo___l");
	targ = tb_parse(&tgt, "target");
	cands = cands1(K_FOO);
	cr_assert(eq(int, relo_run(&lb, K_FOO, "0:0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, &cands,
				   &res, NULL), -EINVAL));
	assert_one_relo_line("0:0:1");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/*
 * CORE_SPEC_MAX_LEN: 64 entries are fine, 65 are not. A chain of 63 nested
 * structs s0 { s1 m; } ... s62 { int m; }: "0" + 63 x ":0" reaches the int
 * at bit 0 in 64 entries, on both sides.
 */
Test(core_relo, access_string_of_64_entries)
{
	struct tb lb, tgt;
	struct btf *targ;
	struct core_cands cands;
	struct core_relo_res res;
	struct mlog log;
	char acc[200], name[16];
	int i;

	tb_init(&tgt);
	tb_init(&lb);
	tb_int(&tgt, "int", 4, true);
	tb_int(&lb, "int", 4, true);
	/* s_i gets id 2 + i and contains s_{i+1} (id 3 + i); s62 contains the int */
	for (i = 0; i < 63; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		tb_struct(&tgt, name, 4);
		tb_member(&tgt, "m", i == 62 ? 1 : (u32)(3 + i), 0);
		tb_struct(&lb, name, 4);
		tb_member(&lb, "m", i == 62 ? 1 : (u32)(3 + i), 0);
	}
	targ = tb_parse(&tgt, "target");
	strcpy(acc, "0");
	for (i = 0; i < 63; i++)
		strcat(acc, ":0");
	cands = cands1(2);
	cr_assert(eq(int, relo_run(&lb, 2, acc, BPF_CORE_FIELD_BYTE_SIZE, targ, &cands, &res,
				   &log), 0), "%s", diag_last());
	cr_assert(eq(u64, res.new_val, 4));
	cr_assert(eq(int, log.r[0].raw_len, 64));
	strcat(acc, ":0");
	cr_assert(eq(int, relo_run(&lb, 2, acc, BPF_CORE_FIELD_BYTE_SIZE, targ, &cands, &res,
				   NULL), -EINVAL));
	assert_one_relo_line("65 entries");
	free(cands.ids);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* ==== core_cands ======================================================= */

TestSuite(core_cands, .init = setup, .fini = teardown);

/*
 * target:
 *  [1] struct task_struct       [2] union task_struct     [3] struct task_struct___x
 *  [4] typedef task_struct -> 1 [5] enum e                [6] enum64 e
 *  [7] struct <anon>            [8] struct task_struct___y___z
 *  [9] struct task_structx      [10] fwd task_struct      [11] typedef foo_t -> 7
 *  [12] struct foo_t            [13] struct task_struct   [14] int
 *  [15] enum <anon>             [16] struct task_struct___ (no valid separator)
 */
static struct btf *build_cand_target(struct tb *b)
{
	tb_init(b);
	tb_struct(b, "task_struct", 8);			/* 1 */
	tb_union(b, "task_struct", 8);			/* 2 */
	tb_struct(b, "task_struct___x", 8);		/* 3 */
	tb_typedef(b, "task_struct", 1);		/* 4 */
	tb_enum(b, "e", 4, false);			/* 5 */
	tb_enumval(b, "A", 0);
	tb_enum64(b, "e", 8, false);			/* 6 */
	tb_enum64val(b, "B", 1);
	tb_struct(b, NULL, 4);				/* 7 */
	tb_struct(b, "task_struct___y___z", 8);		/* 8 */
	tb_struct(b, "task_structx", 8);		/* 9 */
	tb_fwd(b, "task_struct", false);		/* 10 */
	tb_typedef(b, "foo_t", 7);			/* 11 */
	tb_struct(b, "foo_t", 4);			/* 12 */
	tb_struct(b, "task_struct", 16);		/* 13 */
	tb_int(b, "int", 4, true);			/* 14 */
	tb_enum(b, NULL, 4, false);			/* 15 */
	tb_enumval(b, "Q", 0);
	tb_struct(b, "task_struct___", 8);		/* 16 */
	return tb_parse(b, "target");
}

/*
 * local:
 *  [1] struct task_struct  [2] union task_struct  [3] struct task_struct___old
 *  [4] enum e  [5] enum64 e  [6] typedef foo_t -> 7  [7] struct <anon>
 *  [8] fwd task_struct  [9] struct nothing  [10] struct task_struct___y
 *  [11] int  [12] enum <anon>  [13] struct task_struct___y___z
 */
static struct btf *build_cand_local(struct tb *b)
{
	tb_init(b);
	tb_struct(b, "task_struct", 8);
	tb_union(b, "task_struct", 8);
	tb_struct(b, "task_struct___old", 8);
	tb_enum(b, "e", 4, false);
	tb_enumval(b, "A", 0);
	tb_enum64(b, "e", 8, false);
	tb_enum64val(b, "B", 1);
	tb_typedef(b, "foo_t", 7);
	tb_struct(b, NULL, 4);
	tb_fwd(b, "task_struct", false);
	tb_struct(b, "nothing", 4);
	tb_struct(b, "task_struct___y", 8);
	tb_int(b, "int", 4, true);
	tb_enum(b, NULL, 4, false);
	tb_enumval(b, "Q", 0);
	tb_struct(b, "task_struct___y___z", 8);
	return tb_parse(b, "local");
}

struct ccase {
	u32 local_id;
	u32 n;
	u32 ids[4];
};

static const struct ccase cand_cases[] = {
	{ 1, 3, { 1, 3, 13 } },		/* struct: not the union/typedef/fwd; flavors included */
	{ 2, 1, { 2 } },		/* union: only the union */
	{ 3, 3, { 1, 3, 13 } },		/* a local flavor finds the same list */
	{ 4, 2, { 5, 6 } },		/* ENUM finds ENUM and ENUM64 */
	{ 5, 2, { 5, 6 } },		/* ... and so does ENUM64 */
	{ 6, 1, { 11 } },		/* a typedef root finds only typedefs */
	{ 7, 0, { 0 } },		/* anonymous root: empty list, no error */
	{ 8, 1, { 10 } },		/* FWD finds FWDs */
	{ 9, 0, { 0 } },		/* no such name */
	{ 10, 3, { 1, 3, 13 } },	/* task_struct___y is task_struct */
	{ 11, 1, { 14 } },
	{ 12, 0, { 0 } },		/* anonymous enum */
	{ 13, 1, { 8 } },		/* essential task_struct___y: only [8] */
};

static void check_cands(const struct core_cands *c, const struct ccase *want)
{
	u32 i;

	cr_assert(eq(u32, c->len, want->n), "local [%u]", want->local_id);
	cr_assert(c->ids != NULL, "ids are allocated even for an empty list");
	for (i = 0; i < want->n; i++)
		cr_assert(eq(u32, c->ids[i], want->ids[i]), "local [%u] #%u", want->local_id, i);
}

/* Every want registered before the scan. */
Test(core_cands, registered_before_build)
{
	struct tb lb, tgt;
	struct btf *targ = build_cand_target(&tgt), *local = build_cand_local(&lb);
	struct core_cand_index *idx;
	struct core_cands c;
	u32 i;

	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	for (i = 0; i < ARRAY_SIZE(cand_cases); i++)
		cr_assert(eq(int, core_cand_index_want(idx, local, cand_cases[i].local_id), 0));
	cr_assert(eq(int, core_cand_index_build(idx), 0));
	for (i = 0; i < ARRAY_SIZE(cand_cases); i++) {
		cr_assert(eq(int, core_find_cands(idx, local, cand_cases[i].local_id, &c), 0));
		check_cands(&c, &cand_cases[i]);
		xfree(c.ids);
	}
	cr_assert(eq(int, diag_lines(), 0));
	core_cand_index_free(idx);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* Nothing registered: every lookup takes the late-scan path and gives the same lists. */
Test(core_cands, registered_after_build)
{
	struct tb lb, tgt;
	struct btf *targ = build_cand_target(&tgt), *local = build_cand_local(&lb);
	struct core_cand_index *idx;
	struct core_cands c;
	u32 i;

	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	/* one early want, so the build really scans */
	cr_assert(eq(int, core_cand_index_want(idx, local, 4), 0));
	cr_assert(eq(int, core_cand_index_build(idx), 0));
	for (i = 0; i < ARRAY_SIZE(cand_cases); i++) {
		cr_assert(eq(int, core_find_cands(idx, local, cand_cases[i].local_id, &c), 0));
		check_cands(&c, &cand_cases[i]);
		xfree(c.ids);
		/* asking again (now registered) gives the same list */
		cr_assert(eq(int, core_find_cands(idx, local, cand_cases[i].local_id, &c), 0));
		check_cands(&c, &cand_cases[i]);
		xfree(c.ids);
	}
	core_cand_index_free(idx);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* core_find_cands() without any build call builds the index itself. */
Test(core_cands, find_without_build)
{
	struct tb lb, tgt;
	struct btf *targ = build_cand_target(&tgt), *local = build_cand_local(&lb);
	struct core_cand_index *idx;
	struct core_cands c;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(cand_cases); i++) {
		cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
		cr_assert(eq(int, core_find_cands(idx, local, cand_cases[i].local_id, &c), 0));
		check_cands(&c, &cand_cases[i]);
		xfree(c.ids);
		core_cand_index_free(idx);
	}
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* Two local BTFs asking for the same name share a want and get equal lists. */
Test(core_cands, two_local_btfs)
{
	struct tb lb, lb2, tgt;
	struct btf *targ = build_cand_target(&tgt), *local = build_cand_local(&lb), *local2;
	struct core_cand_index *idx;
	struct core_cands c;
	u32 ts;

	tb_init(&lb2);
	tb_int(&lb2, "int", 4, true);
	ts = tb_struct(&lb2, "task_struct___other", 4);
	local2 = tb_parse(&lb2, "local2");
	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	cr_assert(eq(int, core_cand_index_want(idx, local, 1), 0));
	cr_assert(eq(int, core_cand_index_want(idx, local2, ts), 0));
	cr_assert(eq(int, core_cand_index_build(idx), 0));
	cr_assert(eq(int, core_find_cands(idx, local2, ts, &c), 0));
	check_cands(&c, &cand_cases[0]);
	xfree(c.ids);
	cr_assert(eq(int, core_find_cands(idx, local, 1, &c), 0));
	check_cands(&c, &cand_cases[0]);
	xfree(c.ids);
	core_cand_index_free(idx);
	btf_free(local2);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb2);
	tb_free(&lb);
	tb_free(&tgt);
}

/* A local id outside the local BTF is an error, not a crash. */
Test(core_cands, local_id_out_of_range)
{
	struct tb lb, tgt;
	struct btf *targ = build_cand_target(&tgt), *local = build_cand_local(&lb);
	struct core_cand_index *idx;
	struct core_cands c;

	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	cr_assert(eq(int, core_cand_index_want(idx, local, 1000), -EINVAL));
	cr_assert(eq(int, core_find_cands(idx, local, 1000, &c), -EINVAL));
	cr_assert(eq(u32, c.len, 0));
	xfree(c.ids);
	core_cand_index_free(idx);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}

/* Many distinct wants (rehashing the index) keep their lists apart. */
Test(core_cands, many_wants)
{
	struct tb lb, tgt;
	struct btf *targ, *local;
	struct core_cand_index *idx;
	struct core_cands c;
	char name[32];
	u32 i;

	/* target: s0 .. s599, then s0___dup .. s599___dup; local: s0___l .. s599___l */
	tb_init(&tgt);
	tb_init(&lb);
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		tb_struct(&tgt, name, 4);
		snprintf(name, sizeof(name), "s%u___l", i);
		tb_struct(&lb, name, 4);
	}
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "s%u___dup", i);
		tb_struct(&tgt, name, 4);
	}
	targ = tb_parse(&tgt, "target");
	local = tb_parse(&lb, "local");
	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	for (i = 0; i < 600; i += 2)
		cr_assert(eq(int, core_cand_index_want(idx, local, i + 1), 0));
	cr_assert(eq(int, core_cand_index_build(idx), 0));
	for (i = 0; i < 600; i++) {
		cr_assert(eq(int, core_find_cands(idx, local, i + 1, &c), 0));
		cr_assert(eq(u32, c.len, 2), "s%u", i);
		cr_assert(eq(u32, c.ids[0], i + 1));
		cr_assert(eq(u32, c.ids[1], 601 + i));
		xfree(c.ids);
	}
	core_cand_index_free(idx);
	btf_free(local);
	btf_free(targ);
	tb_free(&lb);
	tb_free(&tgt);
}
