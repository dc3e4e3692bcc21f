// SPDX-License-Identifier: MIT
/*
 * test_core_verify.c - core_verify() and core_outcome_eq() (core/verify.c):
 * does a reduced BTF answer every relocation like the full one? On small
 * "full" and "reduced" target BTFs built in memory
 * (tests/fixtures/core/btf_build.h) and hand-made objects.
 *
 * Suite core_verify. Expected differences, values and bit offsets were
 * derived by hand from the layouts below and libbpf's rules (relo_core.c),
 * never by running this code.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "core/core.h"
#include "helpers.h"
#include "util/util.h"
#include "../fixtures/core/btf_build.h"

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

TestSuite(core_verify, .init = setup, .fini = teardown, .timeout = 30);

/* ---- targets ---------------------------------------------------------- */

/*
 * Full: [1] int, [2] long, [3] char (fillers: ids differ from the reduced
 * ones), [4] struct foo (12 bytes) {x @0, y @32, z @64},
 * [5] enum color {RED = 0, GREEN = 1}, [6] struct t {x @0, q @32} (8),
 * [7] struct t {w long @0, x int @64} (16: x at another offset).
 */
enum { F_INT = 1, F_LONG, F_CHAR, F_FOO, F_COLOR, F_T1, F_T2 };

static struct btf *full_target(void)
{
	struct tb b;
	struct btf *btf;

	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_int(&b, "long", 8, true);
	tb_int(&b, "char", 1, true);
	tb_struct(&b, "foo", 12);
	tb_member(&b, "x", F_INT, 0);
	tb_member(&b, "y", F_INT, 32);
	tb_member(&b, "z", F_INT, 64);
	tb_enum(&b, "color", 4, false);
	tb_enumval(&b, "RED", 0);
	tb_enumval(&b, "GREEN", 1);
	tb_struct(&b, "t", 8);
	tb_member(&b, "x", F_INT, 0);
	tb_member(&b, "q", F_INT, 32);
	tb_struct(&b, "t", 16);
	tb_member(&b, "w", F_LONG, 0);
	tb_member(&b, "x", F_INT, 64);
	btf = tb_parse(&b, "full");
	tb_free(&b);
	return btf;
}

/* Reduced variants: what they drop or rename. */
enum red_variant {
	RED_SAME,	/* everything, renumbered: [1] int [2] foo{x,y,z} [3] color [4] t [5] t */
	RED_NO_Y,	/* foo without y (z keeps bit 64; its member index becomes 1) */
	RED_FLAVOR,	/* struct foo___v2 instead of foo (same layout) */
	RED_ONE_T,	/* only the first struct t */
	RED_NO_GREEN,	/* enum color {RED} */
};

static struct btf *reduced_target(enum red_variant v)
{
	struct tb b;
	struct btf *btf;

	tb_init(&b);
	tb_int(&b, "int", 4, true);					/* 1 */
	tb_struct(&b, v == RED_FLAVOR ? "foo___v2" : "foo", 12);	/* 2 */
	tb_member(&b, "x", 1, 0);
	if (v != RED_NO_Y)
		tb_member(&b, "y", 1, 32);
	tb_member(&b, "z", 1, 64);
	tb_enum(&b, "color", 4, false);					/* 3 */
	tb_enumval(&b, "RED", 0);
	if (v != RED_NO_GREEN)
		tb_enumval(&b, "GREEN", 1);
	tb_struct(&b, "t", 8);						/* 4 */
	tb_member(&b, "x", 1, 0);
	tb_member(&b, "q", 1, 32);
	if (v != RED_ONE_T) {
		tb_int(&b, "long", 8, true);				/* 5 */
		tb_struct(&b, "t", 16);					/* 6 */
		tb_member(&b, "w", 5, 0);
		tb_member(&b, "x", 1, 64);
	}
	btf = tb_parse(&b, "reduced");
	tb_free(&b);
	return btf;
}

/* ---- objects ---------------------------------------------------------- */

/* Local: [1] int, [2] struct foo___l {x, y, z}, [3] enum color___l {GREEN___l}, [4] struct t___l {x} */
enum { L_INT = 1, L_FOO, L_COLOR, L_T };

static struct core_obj *make_obj(const char *name, const struct tb_relo *r, u32 n)
{
	struct core_obj *obj;
	struct tb b;

	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_struct(&b, "foo___l", 12);
	tb_member(&b, "x", L_INT, 0);
	tb_member(&b, "y", L_INT, 32);
	tb_member(&b, "z", L_INT, 64);
	tb_enum(&b, "color___l", 4, false);
	tb_enumval(&b, "GREEN___l", 1);
	tb_struct(&b, "t___l", 4);
	tb_member(&b, "x", L_INT, 0);
	obj = tb_obj(&b, name, r, n);
	tb_free(&b);
	return obj;
}

/* ---- running core_verify ---------------------------------------------- */

struct diff_rec {
	const struct core_obj *obj;
	u32 index, sec_idx, kind;
	struct core_outcome a, b;
};

struct diff_log {
	int n;
	int stop_with;		/* returned by the callback (0: go on) */
	struct diff_rec d[8];
};

static int on_diff(const struct core_relo_result *r, const struct core_outcome *a,
		   const struct core_outcome *b, void *ctx)
{
	struct diff_log *l = ctx;

	if (l->n < (int)ARRAY_SIZE(l->d)) {
		struct diff_rec *d = &l->d[l->n];

		d->obj = r->obj;
		d->index = r->index;
		d->sec_idx = r->rec->sec_idx;
		d->kind = r->rec->relo.kind;
		d->a = *a;
		d->b = *b;
	}
	l->n++;
	return l->stop_with;
}

/* A candidate index of @targ for every root of @objs. */
static struct core_cand_index *index_for(const struct btf *targ, struct core_obj **objs, size_t n)
{
	struct core_cand_index *idx = NULL;
	size_t i;
	u32 k;

	cr_assert(eq(int, core_cand_index_new(targ, &idx), 0));
	for (i = 0; i < n; i++)
		for (k = 0; k < objs[i]->nr_relos; k++)
			if (objs[i]->relos[k].relo.kind != BPF_CORE_TYPE_ID_LOCAL)
				cr_assert(eq(int, core_cand_index_want(idx, objs[i]->btf,
								       objs[i]->relos[k].relo.type_id),
					     0));
	cr_assert(eq(int, core_cand_index_build(idx), 0));
	return idx;
}

/* core_verify(@a, @b, @objs) with fresh indexes; the objects are freed. */
static int verify(const struct btf *a, const struct btf *b, struct core_obj **objs, size_t n,
		  struct diff_log *log)
{
	struct core_cand_index *ia = index_for(a, objs, n), *ib = index_for(b, objs, n);
	size_t i;
	int ret;

	ret = core_verify(ia, a, ib, b, objs, n, log ? on_diff : NULL, log);
	core_cand_index_free(ia);
	core_cand_index_free(ib);
	for (i = 0; i < n; i++)
		core_obj_free(objs[i]);
	return ret;
}

static int verify1(const struct btf *a, const struct btf *b, const struct tb_relo *r, u32 nr,
		   struct diff_log *log)
{
	struct core_obj *obj = make_obj("v.bpf.o", r, nr);

	return verify(a, b, &obj, 1, log);
}

/* every kind once; all resolve on the full target */
static const struct tb_relo all_relos[] = {
	{ L_FOO, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },	/* 0: x @0 */
	{ L_FOO, "0:1", BPF_CORE_FIELD_BYTE_OFFSET },	/* 1: y @4 */
	{ L_FOO, "0:2", BPF_CORE_FIELD_BYTE_OFFSET },	/* 2: z @8 */
	{ L_FOO, "0:2", BPF_CORE_FIELD_BYTE_SIZE },	/* 3: 4 */
	{ L_FOO, "0:0", BPF_CORE_FIELD_SIGNED },	/* 4: 1 */
	{ L_FOO, "0:1", BPF_CORE_FIELD_LSHIFT_U64 },	/* 5: 32 */
	{ L_FOO, "0:1", BPF_CORE_FIELD_RSHIFT_U64 },	/* 6: 32 */
	{ L_FOO, "0", BPF_CORE_TYPE_ID_LOCAL },		/* 7: 2 */
	{ L_FOO, "0", BPF_CORE_TYPE_ID_TARGET },	/* 8: [4] full, [2] reduced */
	{ L_FOO, "0", BPF_CORE_TYPE_EXISTS },		/* 9: 1 */
	{ L_FOO, "0", BPF_CORE_TYPE_SIZE },		/* 10: 12 */
	{ L_COLOR, "0", BPF_CORE_ENUMVAL_EXISTS },	/* 11: 1 */
	{ L_COLOR, "0", BPF_CORE_ENUMVAL_VALUE },	/* 12: 1 */
};

/* ==== identical ========================================================= */

/* the same BTF on both sides: no difference, the callback is never called */
Test(core_verify, same_btf_no_diff)
{
	struct btf *f = full_target();
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, f, all_relos, ARRAY_SIZE(all_relos), &log), 0));
	cr_assert(eq(int, log.n, 0));
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	btf_free(f);
	assert_no_leaks();
}

/*
 * A reduced BTF with every type, renumbered: ids differ (TYPE_ID_TARGET gives
 * 4 vs 2), member paths and offsets do not: no difference.
 */
Test(core_verify, renumbered_no_diff)
{
	struct btf *f = full_target(), *r = reduced_target(RED_SAME);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, all_relos, ARRAY_SIZE(all_relos), &log), 0));
	cr_assert(eq(int, log.n, 0));
	/* and the other way round */
	cr_assert(eq(int, verify1(r, f, all_relos, ARRAY_SIZE(all_relos), &log), 0));
	cr_assert(eq(int, log.n, 0));
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* ==== a member removed =================================================== */

/*
 * foo without y: only relocation #1 (byte_off of y: 4 vs no match, poisoned)
 * differs. z (#2) is still found, at member index 1 instead of 2 (raw access
 * 0:1 vs 0:2), at the same bit 64 and by the same path: not a difference.
 */
Test(core_verify, member_removed_one_diff)
{
	static const struct tb_relo r3[] = {
		{ L_FOO, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ L_FOO, "0:1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ L_FOO, "0:2", BPF_CORE_FIELD_BYTE_OFFSET },
		{ L_FOO, "0", BPF_CORE_TYPE_SIZE },
	};
	struct btf *f = full_target(), *r = reduced_target(RED_NO_Y);
	struct diff_log log = { 0 };
	const struct diff_rec *d = &log.d[0];

	cr_assert(eq(int, verify1(f, r, r3, ARRAY_SIZE(r3), &log), 1));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(u32, d->index, 1));
	cr_assert(eq(u32, d->sec_idx, 1));
	cr_assert(eq(u32, d->kind, BPF_CORE_FIELD_BYTE_OFFSET));
	/* full: found, offset 4 = bit 32, via foo->y */
	cr_assert(eq(int, d->a.err, 0));
	cr_assert(d->a.found);
	cr_assert(eq(int, d->a.poison, 0));
	cr_assert(eq(u64, d->a.value, 4));
	cr_assert(eq(u32, d->a.bit_offset, 32));
	cr_assert_str_eq(d->a.path, "struct foo->y");
	cr_assert_str_eq(d->a.targ_type, "struct foo");
	/* reduced: no match, poisoned */
	cr_assert(eq(int, d->b.err, 0));
	cr_assert(eq(int, d->b.found, 0));
	cr_assert(d->b.poison);
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* every kind against foo without y: #1, #5, #6 (the y relocations) differ */
Test(core_verify, member_removed_all_kinds)
{
	struct btf *f = full_target(), *r = reduced_target(RED_NO_Y);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, all_relos, ARRAY_SIZE(all_relos), &log), 3));
	cr_assert(eq(int, log.n, 3));
	cr_assert(eq(u32, log.d[0].index, 1));
	cr_assert(eq(u32, log.d[1].index, 5));
	cr_assert(eq(u32, log.d[2].index, 6));
	/* lshift of an int at bit 32 of a 4-byte load: 64 - (32 + 32 - 32) = 32 */
	cr_assert(eq(u64, log.d[1].a.value, 32));
	cr_assert(log.d[1].b.poison);
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* FIELD_EXISTS of a removed member: 1 vs 0, not poisoned either way */
Test(core_verify, member_removed_exists)
{
	static const struct tb_relo r1[] = { { L_FOO, "0:1", BPF_CORE_FIELD_EXISTS } };
	struct btf *f = full_target(), *r = reduced_target(RED_NO_Y);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r1, 1, &log), 1));
	cr_assert(eq(u64, log.d[0].a.value, 1));
	cr_assert(eq(u64, log.d[0].b.value, 0));
	cr_assert(eq(int, log.d[0].a.poison, 0));
	cr_assert(eq(int, log.d[0].b.poison, 0));
	btf_free(f);
	btf_free(r);
}

/* ==== TYPE_ID_TARGET: by kind and name, not by id ======================= */

/* ids 4 and 2 name the same "struct foo": no difference */
Test(core_verify, type_id_target_renumbered_same)
{
	static const struct tb_relo r1[] = { { L_FOO, "0", BPF_CORE_TYPE_ID_TARGET } };
	struct btf *f = full_target(), *r = reduced_target(RED_SAME);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r1, 1, &log), 0));
	cr_assert(eq(int, log.n, 0));
	btf_free(f);
	btf_free(r);
}

/*
 * foo___v2 matches foo___l too (same essential name, same layout), at id 2:
 * the value (2) would be a renumbering, but the type is another one.
 */
Test(core_verify, type_id_target_other_name_differs)
{
	static const struct tb_relo r1[] = { { L_FOO, "0", BPF_CORE_TYPE_ID_TARGET } };
	struct btf *f = full_target(), *r = reduced_target(RED_FLAVOR);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r1, 1, &log), 1));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(u64, log.d[0].a.value, F_FOO));
	cr_assert(eq(u64, log.d[0].b.value, 2));
	cr_assert_str_eq(log.d[0].a.targ_type, "struct foo");
	cr_assert_str_eq(log.d[0].b.targ_type, "struct foo___v2");
	btf_free(f);
	btf_free(r);
}

/* ==== enumerators ======================================================== */

/* GREEN removed: exists 1 vs 0, value 1 vs poisoned */
Test(core_verify, enumerator_removed)
{
	static const struct tb_relo r2[] = {
		{ L_COLOR, "0", BPF_CORE_ENUMVAL_EXISTS },
		{ L_COLOR, "0", BPF_CORE_ENUMVAL_VALUE },
	};
	struct btf *f = full_target(), *r = reduced_target(RED_NO_GREEN);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r2, 2, &log), 2));
	cr_assert(eq(u32, log.d[0].index, 0));
	cr_assert(eq(u64, log.d[0].a.value, 1));
	cr_assert(eq(u64, log.d[0].b.value, 0));
	cr_assert(eq(u32, log.d[1].index, 1));
	cr_assert(eq(u64, log.d[1].a.value, 1));
	cr_assert(log.d[1].b.poison);
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* ==== resolver errors are outcomes ======================================= */

/*
 * t___l.x on the full target: x at bit 0 in the first t and bit 64 in the
 * second: field offset ambiguity, an error (captured, not printed). The
 * reduced BTF with only the first t resolves it (offset 0): a difference.
 */
Test(core_verify, error_vs_success_differs)
{
	static const struct tb_relo r1[] = { { L_T, "0:0", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct btf *f = full_target(), *r = reduced_target(RED_ONE_T);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r1, 1, &log), 1));
	cr_assert(log.d[0].a.err < 0);
	cr_assert(strstr(log.d[0].a.error, "ambiguity") != NULL, "error '%s'", log.d[0].a.error);
	cr_assert(eq(int, log.d[0].b.err, 0));
	cr_assert(log.d[0].b.found);
	cr_assert(eq(u64, log.d[0].b.value, 0));
	cr_assert(eq(int, diag_lines(), 0), "printed: %s", diag_last());
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* the same error on both sides is the same outcome */
Test(core_verify, error_on_both_same)
{
	static const struct tb_relo r1[] = { { L_T, "0:0", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct btf *f = full_target(), *r = reduced_target(RED_SAME);
	struct diff_log log = { 0 };

	cr_assert(eq(int, verify1(f, r, r1, 1, &log), 0));
	cr_assert(eq(int, log.n, 0));
	cr_assert(eq(int, diag_lines(), 0), "printed: %s", diag_last());
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* ==== candidate pruning (SEMANTICS 3.5, bpftool's first-match marking) ==== */

/*
 * Full: s {x, y} (8) and s {x, y, z} (12). bpftool's output keeps s {x} and
 * s {z}. Relo #0 (x) matches both s in the full BTF but only the first in
 * the reduced one, which prunes the object's candidates to it; relo #1 (z)
 * then finds nothing: 8 vs poisoned. Only #1 differs.
 */
Test(core_verify, pruning_after_first_match_only)
{
	static const struct tb_relo r2[] = {
		{ 2, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 2, "0:1", BPF_CORE_FIELD_BYTE_OFFSET },
	};
	struct tb b;
	struct btf *f, *r;
	struct core_obj *obj;
	struct diff_log log = { 0 };

	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_struct(&b, "s", 8);
	tb_member(&b, "x", 1, 0);
	tb_member(&b, "y", 1, 32);
	tb_struct(&b, "s", 12);
	tb_member(&b, "x", 1, 0);
	tb_member(&b, "y", 1, 32);
	tb_member(&b, "z", 1, 64);
	f = tb_parse(&b, "kern_dup");
	tb_free(&b);
	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_struct(&b, "s", 8);
	tb_member(&b, "x", 1, 0);
	tb_struct(&b, "s", 12);
	tb_member(&b, "z", 1, 64);
	r = tb_parse(&b, "bpftool");
	tb_free(&b);
	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_struct(&b, "s___l", 8);
	tb_member(&b, "x", 1, 0);
	tb_member(&b, "z", 1, 32);
	obj = tb_obj(&b, "dup.bpf.o", r2, 2);
	tb_free(&b);

	cr_assert(eq(int, verify(f, r, &obj, 1, &log), 1));
	cr_assert(eq(u32, log.d[0].index, 1));
	cr_assert(eq(u64, log.d[0].a.value, 8));
	cr_assert(eq(u32, log.d[0].a.bit_offset, 64));
	cr_assert_str_eq(log.d[0].a.path, "struct s->z");
	cr_assert(log.d[0].b.poison);
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* ==== several objects, stopping ========================================= */

/* the difference is reported with its own object */
Test(core_verify, several_objects)
{
	static const struct tb_relo ok[] = { { L_FOO, "0:0", BPF_CORE_FIELD_BYTE_OFFSET } };
	static const struct tb_relo bad[] = {
		{ L_FOO, "0:2", BPF_CORE_FIELD_BYTE_OFFSET },
		{ L_FOO, "0:1", BPF_CORE_FIELD_BYTE_SIZE },
	};
	struct btf *f = full_target(), *r = reduced_target(RED_NO_Y);
	struct core_obj *objs[3];
	struct diff_log log = { 0 };

	objs[0] = make_obj("one.bpf.o", ok, 1);
	objs[1] = make_obj("two.bpf.o", bad, 2);
	objs[2] = make_obj("three.bpf.o", ok, 1);
	cr_assert(eq(int, verify(f, r, objs, 3, NULL), 1));	/* no callback: just the count */
	objs[0] = make_obj("one.bpf.o", ok, 1);
	objs[1] = make_obj("two.bpf.o", bad, 2);
	objs[2] = make_obj("three.bpf.o", ok, 1);
	/* the log keeps the object pointer: check it before the objects are freed */
	{
		struct core_cand_index *ia = index_for(f, objs, 3), *ib = index_for(r, objs, 3);

		cr_assert(eq(int, core_verify(ia, f, ib, r, objs, 3, on_diff, &log), 1));
		cr_assert(eq(int, log.n, 1));
		cr_assert(log.d[0].obj == objs[1]);
		cr_assert_str_eq(log.d[0].obj->name, "two.bpf.o");
		cr_assert(eq(u32, log.d[0].index, 1));
		cr_assert(eq(u64, log.d[0].a.value, 4));	/* byte_sz of y */
		core_cand_index_free(ia);
		core_cand_index_free(ib);
	}
	core_obj_free(objs[0]);
	core_obj_free(objs[1]);
	core_obj_free(objs[2]);
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* a non-zero callback result stops at once and is returned */
Test(core_verify, callback_stops)
{
	struct btf *f = full_target(), *r = reduced_target(RED_NO_Y);
	struct diff_log log = { .stop_with = -ECANCELED };

	cr_assert(eq(int, verify1(f, r, all_relos, ARRAY_SIZE(all_relos), &log), -ECANCELED));
	cr_assert(eq(int, log.n, 1));
	cr_assert(eq(u32, log.d[0].index, 1));
	btf_free(f);
	btf_free(r);
	assert_no_leaks();
}

/* ==== core_outcome_eq ==================================================== */

static struct core_outcome outcome(u64 value, const char *path, u32 bit, const char *ty)
{
	struct core_outcome o;

	memset(&o, 0, sizeof(o));
	o.found = true;
	o.value = value;
	o.bit_offset = bit;
	snprintf(o.path, sizeof(o.path), "%s", path);
	snprintf(o.targ_type, sizeof(o.targ_type), "%s", ty);
	return o;
}

Test(core_verify, outcome_eq_fields)
{
	struct core_outcome a = outcome(4, "struct foo->y", 32, "struct foo"), b = a;

	cr_assert(core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b));
	/* another path, same value and bit: a different member */
	snprintf(b.path, sizeof(b.path), "struct foo->w");
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b), 0));
	/* same path, another bit offset (a bitfield moved inside its load unit) */
	b = a;
	b.bit_offset = 33;
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b), 0));
	/* another value */
	b = a;
	b.value = 8;
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_BYTE_SIZE, &a, &b), 0));
	/* poisoned on one side */
	b = a;
	b.poison = true;
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b), 0));
	/* found vs not found with the same value (FIELD_EXISTS 0 and a 0 offset) */
	b = a;
	b.found = false;
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_EXISTS, &a, &b), 0));
}

Test(core_verify, outcome_eq_type_id_target)
{
	struct core_outcome a = outcome(4, "struct foo", 0, "struct foo");
	struct core_outcome b = outcome(2, "struct foo", 0, "struct foo");

	/* ids are renumbered: compared by kind and name */
	cr_assert(core_outcome_eq(BPF_CORE_TYPE_ID_TARGET, &a, &b));
	b = outcome(4, "union foo", 0, "union foo");
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_TYPE_ID_TARGET, &a, &b), 0));
	/* any other kind compares the value */
	b = outcome(2, "struct foo", 0, "struct foo");
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_TYPE_SIZE, &a, &b), 0));
	b = outcome(4, "struct foo", 0, "struct foo");
	cr_assert(core_outcome_eq(BPF_CORE_TYPE_SIZE, &a, &b));
}

Test(core_verify, outcome_eq_errors)
{
	struct core_outcome a = outcome(0, "", 0, ""), b = a;

	a.err = -EINVAL;
	snprintf(a.error, sizeof(a.error), "field offset ambiguity");
	b.err = -EINVAL;
	snprintf(b.error, sizeof(b.error), "another message");
	/* an error on both sides is the same outcome, whatever the message */
	cr_assert(core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b));
	b.err = 0;
	cr_assert(eq(int, (int)core_outcome_eq(BPF_CORE_FIELD_BYTE_OFFSET, &a, &b), 0));
}
