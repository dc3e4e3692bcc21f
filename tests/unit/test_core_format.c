// SPDX-License-Identifier: MIT
/*
 * test_core_format.c - CO-RE specs as text for people (core/format.c):
 * core_type_str, core_spec_raw_str, core_spec_c_str and core_fail_str, on the
 * local and target specs core_calc_relo() produces for small BTFs built in
 * memory (tests/fixtures/core/btf_build.h).
 *
 * Suite core_format. Every expected string was derived by hand from the
 * layouts below and the formats documented in core/core.h ("struct foo",
 * "typedef bar", "enum (anon)"; "struct task_struct->real_parent",
 * "struct dentry->d_iname[3]", "enum bpf_func_id::BPF_FUNC_ringbuf_output";
 * raw "0:1:2"), never by running this code.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "helpers.h"
#include "util/util.h"
#include "../fixtures/core/btf_build.h"

#define OBJ "format.bpf.o"

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

TestSuite(core_format, .init = setup, .fini = teardown, .timeout = 30);

/*
 * Target ("kernel"):
 *   struct foo (176 bytes): x int @0, <anon> {anon_a int @0, anon_b long @64} @64,
 *     in struct inner @192, arr struct inner[4] @384, m int[2][3] @1152,
 *     y int @1344
 *   struct inner (24 bytes): a int @0, b int @32, name char[16] @64
 *   enum color {RED, GREEN, BLUE}; typedef td -> int; typedef arr4 -> int[4];
 *   typedef arrn -> int; typedef tp -> int; typedef te -> int
 */
enum {
	T_INT = 1, T_LONG, T_CHAR, T_ASZ, T_ANON, T_INNER, T_CHAR16, T_INNER4, T_INT3, T_INT23,
	T_FOO, T_COLOR, T_TD, T_ARR4, T_INT4, T_TP, T_VAL, T_FWD_S, T_FWD_U, T_DOUBLE, T_BIG,
	T_TE, T_PINNER, T_ANON_S, T_ANON_E, T_ARRN,
};

static struct btf *build_target(struct tb *b)
{
	tb_init(b);
	tb_int(b, "int", 4, true);				/* 1 */
	tb_int(b, "long", 8, true);				/* 2 */
	tb_int(b, "char", 1, true);				/* 3 */
	tb_int(b, "__ARRAY_SIZE_TYPE__", 4, false);		/* 4 */
	tb_struct(b, NULL, 16);					/* 5 */
	tb_member(b, "anon_a", T_INT, 0);
	tb_member(b, "anon_b", T_LONG, 64);
	tb_struct(b, "inner", 24);				/* 6 */
	tb_member(b, "a", T_INT, 0);
	tb_member(b, "b", T_INT, 32);
	tb_member(b, "name", T_CHAR16, 64);
	tb_array(b, T_CHAR, T_ASZ, 16);				/* 7 */
	tb_array(b, T_INNER, T_ASZ, 4);				/* 8 */
	tb_array(b, T_INT, T_ASZ, 3);				/* 9 */
	tb_array(b, T_INT3, T_ASZ, 2);				/* 10 */
	tb_struct(b, "foo", 176);				/* 11 */
	tb_member(b, "x", T_INT, 0);
	tb_member(b, NULL, T_ANON, 64);
	tb_member(b, "in", T_INNER, 192);
	tb_member(b, "arr", T_INNER4, 384);
	tb_member(b, "m", T_INT23, 1152);
	tb_member(b, "y", T_INT, 1344);
	tb_enum(b, "color", 4, false);				/* 12 */
	tb_enumval(b, "RED", 0);
	tb_enumval(b, "GREEN", 1);
	tb_enumval(b, "BLUE", 2);
	tb_typedef(b, "td", T_INT);				/* 13 */
	tb_typedef(b, "arr4", T_INT4);				/* 14 */
	tb_array(b, T_INT, T_ASZ, 4);				/* 15 */
	tb_typedef(b, "tp", T_INT);				/* 16 */
	tb_union(b, "val", 8);					/* 17 */
	tb_member(b, "full", T_LONG, 0);
	tb_fwd(b, "fw", false);					/* 18 */
	tb_fwd(b, "fu", true);					/* 19 */
	tb_float(b, "double", 8);				/* 20 */
	tb_enum64(b, "big", 8, false);				/* 21 */
	tb_enum64val(b, "B", 1ull << 40);
	tb_typedef(b, "te", T_INT);				/* 22 */
	tb_ptr(b, T_INNER);					/* 23 */
	tb_struct(b, NULL, 4);					/* 24 */
	tb_member(b, "z", T_INT, 0);
	tb_enum(b, NULL, 4, false);				/* 25 */
	tb_enumval(b, "ANON_E", 3);
	tb_typedef(b, "arrn", T_INT);				/* 26 */
	return tb_parse(b, "target");
}

/*
 * Local (the program), with ___l flavors:
 *   struct foo___l (176): x int @0, anon_b long @64, in inner___l @128,
 *     arr inner___l[4] @320, m int[2][3] @1088, gone int @1280
 *   struct inner___l (24): a, b, name char[16]
 *   enum color___l {GREEN___l = 1, PURPLE___l = 7}
 *   typedef td___l -> struct {int q}; typedef arr4___l -> int[8];
 *   typedef arrn___l -> int[8]; typedef tp___l -> int *;
 *   typedef te___l -> enum e___l {A___l}; struct foo___bad {int *x}
 */
enum {
	L_INT = 1, L_LONG, L_CHAR, L_ASZ, L_INNER, L_CHAR16, L_INNER4, L_INT3, L_INT23, L_FOO,
	L_COLOR, L_QS, L_TD, L_INT8, L_ARR4, L_PINT, L_TP, L_E, L_TE, L_BAD, L_ARRN,
};

static void build_local(struct tb *b)
{
	tb_init(b);
	tb_int(b, "int", 4, true);				/* 1 */
	tb_int(b, "long", 8, true);				/* 2 */
	tb_int(b, "char", 1, true);				/* 3 */
	tb_int(b, "__ARRAY_SIZE_TYPE__", 4, false);		/* 4 */
	tb_struct(b, "inner___l", 24);				/* 5 */
	tb_member(b, "a", L_INT, 0);
	tb_member(b, "b", L_INT, 32);
	tb_member(b, "name", L_CHAR16, 64);
	tb_array(b, L_CHAR, L_ASZ, 16);				/* 6 */
	tb_array(b, L_INNER, L_ASZ, 4);				/* 7 */
	tb_array(b, L_INT, L_ASZ, 3);				/* 8 */
	tb_array(b, L_INT3, L_ASZ, 2);				/* 9 */
	tb_struct(b, "foo___l", 176);				/* 10 */
	tb_member(b, "x", L_INT, 0);
	tb_member(b, "anon_b", L_LONG, 64);
	tb_member(b, "in", L_INNER, 128);
	tb_member(b, "arr", L_INNER4, 320);
	tb_member(b, "m", L_INT23, 1088);
	tb_member(b, "gone", L_INT, 1280);
	tb_enum(b, "color___l", 4, false);			/* 11 */
	tb_enumval(b, "GREEN___l", 1);
	tb_enumval(b, "PURPLE___l", 7);
	tb_struct(b, NULL, 4);					/* 12 */
	tb_member(b, "q", L_INT, 0);
	tb_typedef(b, "td___l", L_QS);				/* 13 */
	tb_array(b, L_INT, L_ASZ, 8);				/* 14 */
	tb_typedef(b, "arr4___l", L_INT8);			/* 15 */
	tb_ptr(b, L_INT);					/* 16 */
	tb_typedef(b, "tp___l", L_PINT);			/* 17 */
	tb_enum(b, "e___l", 4, false);				/* 18 */
	tb_enumval(b, "A___l", 0);
	tb_typedef(b, "te___l", L_E);				/* 19 */
	tb_struct(b, "foo___bad", 8);				/* 20 */
	tb_member(b, "x", L_PINT, 0);
	tb_typedef(b, "arrn___l", L_INT8);			/* 21 */
}

/* One resolved relocation, with its specs kept alive. */
struct run {
	struct tb lb;
	struct btf *local;
	struct core_spec *scratch;
	struct core_cands cands;
	struct core_relo_res res;
	int err;
};

/*
 * Resolve @access of @kind on local type @type_id against @targ with the
 * single candidate @cand (0: no candidate).
 */
static void run_relo(struct run *r, u32 type_id, const char *access, u32 kind,
		     const struct btf *targ, u32 cand)
{
	struct bpf_core_relo relo = { .insn_off = 8, .type_id = type_id, .kind = kind };
	struct core_relo_ctx rc = {
		.obj_name = OBJ, .sec_name = "kprobe/format", .relo_idx = 3, .relo = &relo,
	};

	memset(r, 0, sizeof(*r));
	build_local(&r->lb);
	relo.access_str_off = tb_str(&r->lb, access);
	r->local = tb_parse(&r->lb, "local");
	r->scratch = calloc(CORE_SCRATCH_SPECS, sizeof(*r->scratch));
	r->cands.ids = calloc(2, sizeof(u32));
	cr_assert(r->scratch != NULL && r->cands.ids != NULL);
	r->cands.ids[0] = cand;
	r->cands.len = cand ? 1 : 0;
	r->err = core_calc_relo(&rc, r->local, &r->cands, targ, r->scratch, &r->res, NULL, NULL);
	cr_assert(eq(int, r->err, 0), "%s %s: %s", access, core_relo_kind_str(kind), diag_last());
}

static const struct core_spec *local_spec(const struct run *r)
{
	return &r->scratch[CORE_SPEC_LOCAL];
}

static const struct core_spec *targ_spec(const struct run *r)
{
	cr_assert(r->res.nr_matches >= 1, "no candidate matched");
	return &r->scratch[CORE_SPEC_TARG];
}

static const struct core_spec *fail_spec(const struct run *r)
{
	cr_assert(eq(u32, r->res.nr_matches, 0), "a candidate matched");
	cr_assert(r->res.nr_cands >= 1 && r->scratch[CORE_SPEC_FAIL].root_type_id != 0,
		  "no failed attempt recorded");
	return &r->scratch[CORE_SPEC_FAIL];
}

static void run_free(struct run *r)
{
	free(r->cands.ids);
	free(r->scratch);
	btf_free(r->local);
	tb_free(&r->lb);
}

/* raw and C strings of @s */
static void assert_spec_str(const struct core_spec *s, const char *raw, const char *c)
{
	char buf[256];

	cr_assert_str_eq(core_spec_raw_str(s, buf, sizeof(buf)), raw);
	cr_assert_str_eq(core_spec_c_str(s, buf, sizeof(buf)), c);
}

/* ==== core_type_str ===================================================== */

Test(core_format, type_str_kinds)
{
	static const struct {
		u32 id;
		const char *want;
	} cases[] = {
		{ T_FOO, "struct foo" },
		{ T_INNER, "struct inner" },
		{ T_VAL, "union val" },
		{ T_COLOR, "enum color" },
		{ T_BIG, "enum big" },		/* ENUM64 reads as enum too */
		{ T_TD, "typedef td" },
		{ T_INT, "int" },		/* INT and FLOAT: the bare name */
		{ T_DOUBLE, "double" },
		{ T_FWD_S, "struct fw" },	/* FWD: kflag 0 struct, 1 union */
		{ T_FWD_U, "union fu" },
		{ T_ANON_S, "struct (anon)" },
		{ T_ANON_E, "enum (anon)" },
		{ 0, "void" },			/* id 0 */
		{ 999, "[999]" },		/* no such type */
	};
	struct tb t;
	struct btf *targ = build_target(&t);
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'x', sizeof(buf));
		cr_assert_str_eq(core_type_str(targ, cases[i].id, buf, sizeof(buf)), cases[i].want,
				 "id %u", cases[i].id);
	}
	cr_assert(eq(int, diag_lines(), 0));
	btf_free(targ);
	tb_free(&t);
}

/* Pointers and arrays read as C people say them: "pointer", "array[N]". */
Test(core_format, type_str_other_kinds)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	char buf[64];

	cr_assert_str_eq(core_type_str(targ, T_PINNER, buf, sizeof(buf)), "pointer");
	cr_assert_str_eq(core_type_str(targ, T_INT4, buf, sizeof(buf)), "array[4]");	/* int[4] */
	btf_free(targ);
	tb_free(&t);
}

/* Truncated to the buffer, always NUL-terminated; returns the buffer. */
Test(core_format, type_str_truncates)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	cr_assert(core_type_str(targ, T_FOO, buf, 5) == buf);
	cr_assert_str_eq(buf, "stru");
	cr_assert(eq(chr, buf[5], 'x'), "wrote past the size");
	cr_assert_str_eq(core_type_str(targ, T_INNER, buf, 1), "");
	btf_free(targ);
	tb_free(&t);
}

/* ==== core_spec_raw_str / core_spec_c_str =============================== */

/* p->x: the same member index on both sides */
Test(core_format, spec_member)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_FOO);
	assert_spec_str(local_spec(&r), "0:0", "struct foo___l->x");
	assert_spec_str(targ_spec(&r), "0:0", "struct foo->x");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 0));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/*
 * anon_b is a direct member locally (0:1) and inside the anonymous struct
 * (member #1) of the target: the target raw spec records the anonymous hop
 * (0:1:1), the C spelling names only anon_b; bit 64 + 64 = 128.
 */
Test(core_format, spec_anonymous_hop)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_FOO);
	assert_spec_str(local_spec(&r), "0:1", "struct foo___l->anon_b");
	assert_spec_str(targ_spec(&r), "0:1:1", "struct foo->anon_b");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 128));
	cr_assert(eq(u64, r.res.new_val, 16));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}

/* p->in.b: nested member; target bit 192 + 32 = 224 */
Test(core_format, spec_nested)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:2:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_FOO);
	assert_spec_str(local_spec(&r), "0:2:1", "struct foo___l->in.b");
	assert_spec_str(targ_spec(&r), "0:2:1", "struct foo->in.b");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 224));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* p->arr[2].name[3]: array indices in brackets; 384 + 2*192 + 64 + 3*8 = 856 */
Test(core_format, spec_arrays)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:3:2:2:3", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_FOO);
	assert_spec_str(local_spec(&r), "0:3:2:2:3", "struct foo___l->arr[2].name[3]");
	assert_spec_str(targ_spec(&r), "0:3:2:2:3", "struct foo->arr[2].name[3]");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 856));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}

/* p->m[1][2]: two indices in a row; 1152 + 96 + 64 = 1312 */
Test(core_format, spec_two_dimensions)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:4:1:2", BPF_CORE_FIELD_BYTE_SIZE, targ, T_FOO);
	assert_spec_str(local_spec(&r), "0:4:1:2", "struct foo___l->m[1][2]");
	assert_spec_str(targ_spec(&r), "0:4:1:2", "struct foo->m[1][2]");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 1312));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* q[3].b: the pointer-as-array index shows as [3] and the member follows with '.' */
Test(core_format, spec_root_index)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_INNER, "3:1", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_INNER);
	assert_spec_str(local_spec(&r), "3:1", "struct inner___l[3].b");
	assert_spec_str(targ_spec(&r), "3:1", "struct inner[3].b");
	cr_assert(eq(u32, targ_spec(&r)->bit_offset, 3 * 192 + 32));
	run_free(&r);

	run_relo(&r, L_INNER, "1:2:5", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_INNER);
	assert_spec_str(local_spec(&r), "1:2:5", "struct inner___l[1].name[5]");
	/* 192 + 64 + 5*8 = 296 bits = 37 bytes */
	cr_assert(eq(u64, r.res.new_val, 37));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* enumerators: "enum name::ENUMERATOR"; raw is the enumerator's index */
Test(core_format, spec_enumval)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_COLOR, "0", BPF_CORE_ENUMVAL_VALUE, targ, T_COLOR);
	assert_spec_str(local_spec(&r), "0", "enum color___l::GREEN___l");
	/* GREEN is the kernel's enumerator #1, value 1 */
	assert_spec_str(targ_spec(&r), "1", "enum color::GREEN");
	cr_assert(eq(u64, r.res.new_val, 1));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* type-based relocations: the type alone */
Test(core_format, spec_type_based)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0", BPF_CORE_TYPE_EXISTS, targ, T_FOO);
	/*
	 * libbpf's bpf_core_parse_spec / bpf_core_spec_match: type-based specs
	 * keep no access entries (the access string must be "0"): raw is empty
	 */
	assert_spec_str(local_spec(&r), "", "struct foo___l");
	assert_spec_str(targ_spec(&r), "", "struct foo");
	run_free(&r);
	run_relo(&r, L_COLOR, "0", BPF_CORE_TYPE_SIZE, targ, T_COLOR);
	assert_spec_str(local_spec(&r), "", "enum color___l");
	assert_spec_str(targ_spec(&r), "", "enum color");
	cr_assert(eq(u64, r.res.new_val, 4));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* a typedef root: "typedef name->member" */
Test(core_format, spec_typedef_root)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;
	char buf[64];

	/* target typedef td is an int: no match, but the local spec reads well */
	run_relo(&r, L_TD, "0:0", BPF_CORE_FIELD_EXISTS, targ, T_TD);
	cr_assert_str_eq(core_spec_c_str(local_spec(&r), buf, sizeof(buf)), "typedef td___l->q");
	cr_assert_str_eq(core_spec_raw_str(local_spec(&r), buf, sizeof(buf)), "0:0");
	cr_assert(eq(u64, r.res.new_val, 0));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* both writers truncate to the buffer and NUL-terminate */
Test(core_format, spec_truncates)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;
	char buf[32];

	run_relo(&r, L_FOO, "0:3:2:2:3", BPF_CORE_FIELD_BYTE_OFFSET, targ, T_FOO);
	memset(buf, 'x', sizeof(buf));
	cr_assert(core_spec_c_str(local_spec(&r), buf, 12) == buf);
	cr_assert_str_eq(buf, "struct foo_");
	cr_assert(eq(chr, buf[12], 'x'), "wrote past the size");
	/* cut inside the accessors: "struct foo___l->arr[2" is 21 characters */
	cr_assert_str_eq(core_spec_c_str(local_spec(&r), buf, 22), "struct foo___l->arr[2");
	memset(buf, 'x', sizeof(buf));
	cr_assert(core_spec_raw_str(local_spec(&r), buf, 4) == buf);
	cr_assert_str_eq(buf, "0:3");
	cr_assert(eq(chr, buf[4], 'x'), "wrote past the size");
	cr_assert_str_eq(core_spec_raw_str(local_spec(&r), buf, 6), "0:3:2");
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

/* ==== core_fail_str ===================================================== */

/* the failed attempt of relocation @access/@kind on @cand, as text */
static void assert_fail(u32 type_id, const char *access, u32 kind, u32 cand, const char *want,
			bool prefix)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;
	char buf[256];

	run_relo(&r, type_id, access, kind, targ, cand);
	cr_assert(core_fail_str(local_spec(&r), fail_spec(&r), buf, sizeof(buf)) == buf);
	if (prefix)
		cr_assert(strncmp(buf, want, strlen(want)) == 0, "'%s' does not start with '%s'",
			  buf, want);
	else
		cr_assert_str_eq(buf, want);
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
}

Test(core_format, fail_field_missing)
{
	assert_fail(L_FOO, "0:5", BPF_CORE_FIELD_EXISTS, T_FOO, "field gone missing in struct foo",
		    false);
}

/* int *x locally, int x in the kernel */
Test(core_format, fail_field_incompatible)
{
	assert_fail(L_BAD, "0:0", BPF_CORE_FIELD_EXISTS, T_FOO,
		    "field x of struct foo has an incompatible type", false);
}

/* typedef td___l is a struct {q}, the kernel's td an int */
Test(core_format, fail_not_composite)
{
	assert_fail(L_TD, "0:0", BPF_CORE_FIELD_EXISTS, T_TD,
		    "int is not a struct or union (field q)", false);
}

/* arrn___l is int[8], the kernel's arrn an int: index 2 of a non-array */
Test(core_format, fail_not_array)
{
	assert_fail(L_ARRN, "0:2", BPF_CORE_FIELD_EXISTS, T_ARRN, "int is not an array (index 2)",
		    false);
}

/* arr4___l is int[8], the kernel's arr4 int[4]: index 5 is out of bounds */
Test(core_format, fail_out_of_bounds)
{
	assert_fail(L_ARR4, "0:5", BPF_CORE_FIELD_EXISTS, T_ARR4, "index 5 out of bounds of ",
		    true);
}

/* tp___l is int *, the kernel's tp an int */
Test(core_format, fail_type_incompatible)
{
	assert_fail(L_TP, "0", BPF_CORE_TYPE_EXISTS, T_TP,
		    "typedef tp is not compatible with the local type", false);
	assert_fail(L_TP, "0", BPF_CORE_TYPE_MATCHES, T_TP,
		    "typedef tp does not match the local type", false);
}

/* te___l is an enum, the kernel's te an int */
Test(core_format, fail_not_enum)
{
	assert_fail(L_TE, "0", BPF_CORE_ENUMVAL_EXISTS, T_TE, "int is not an enum", false);
}

/* PURPLE___l (local enumerator #1) has no kernel counterpart */
Test(core_format, fail_enumval_missing)
{
	assert_fail(L_COLOR, "1", BPF_CORE_ENUMVAL_EXISTS, T_COLOR,
		    "enumerator PURPLE___l missing in enum color", false);
}

/* a spec that records no reason, and truncation */
Test(core_format, fail_none_and_truncation)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;
	struct core_spec none;
	char buf[16];

	run_relo(&r, L_FOO, "0:5", BPF_CORE_FIELD_EXISTS, targ, T_FOO);
	memset(&none, 0, sizeof(none));
	none.btf = targ;
	none.root_type_id = T_FOO;
	none.relo_kind = BPF_CORE_FIELD_EXISTS;
	none.fail = CORE_FAIL_NONE;
	cr_assert_str_eq(core_fail_str(local_spec(&r), &none, buf, sizeof(buf)), "no match");
	memset(buf, 'x', sizeof(buf));
	/* "field gone missing in struct foo" cut to 9 characters */
	cr_assert_str_eq(core_fail_str(local_spec(&r), fail_spec(&r), buf, 10), "field gon");
	cr_assert(eq(chr, buf[10], 'x'), "wrote past the size");
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}

/* no candidate at all: nothing failed, nothing recorded (relocs says "no X in target") */
Test(core_format, no_candidate_no_fail_spec)
{
	struct tb t;
	struct btf *targ = build_target(&t);
	struct run r;

	run_relo(&r, L_FOO, "0:0", BPF_CORE_FIELD_EXISTS, targ, 0);
	cr_assert(eq(u32, r.res.nr_cands, 0));
	cr_assert(eq(u32, r.res.nr_matches, 0));
	cr_assert(eq(u64, r.res.new_val, 0));
	cr_assert(eq(int, r.res.poison, 0));
	run_free(&r);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}
