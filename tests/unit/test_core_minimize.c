// SPDX-License-Identifier: MIT
/*
 * test_core_minimize.c - what the minimizer keeps and how it emits it
 * (core/minimize.c, SEMANTICS.md §5.4-5.6), on small synthetic target BTFs.
 *
 * Each test builds a target and hand-made objects (tests/fixtures/core/
 * btf_build.h), runs core_min_new/add_obj/run/emit and compares the EXACT
 * emitted bytes with an expected BTF written out by hand in the order
 * bpftool emits: marked types in ascending source id, composites with only
 * their marked members and their original size, every other kind verbatim,
 * strings in first-use order, references to unmarked types as 0. (The raw
 * dumps are compared first so a mismatch reads well.)
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

#define OBJ "min.bpf.o"

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

TestSuite(core_minimize, .init = setup, .fini = teardown, .timeout = 30);

/* ---- helpers ---------------------------------------------------------- */

/*
 * Minimize @targ for @objs (ownership of every object passes here).
 * Returns the first error; on success *@out is malloc'd.
 */
static int min_run(const struct btf *targ, bool first_match_only, struct core_obj **objs, u32 n,
		   void **out, size_t *size, struct core_min_stats *stats)
{
	struct core_min_opts opts = { .first_match_only = first_match_only };
	struct core_min *m;
	u32 i;
	int err;

	*out = NULL;
	*size = 0;
	err = core_min_new(targ, &opts, &m);
	if (err) {
		for (i = 0; i < n; i++)
			core_obj_free(objs[i]);
		return err;
	}
	for (i = 0; i < n; i++) {
		err = core_min_add_obj(m, objs[i]);
		if (err) {
			while (++i < n)
				core_obj_free(objs[i]);
			goto out;
		}
	}
	err = core_min_run(m);
	if (!err)
		err = core_min_emit(m, out, size);
	if (stats)
		*stats = *core_min_get_stats(m);
out:
	core_min_free(m);
	return err;
}

static int min_run1(const struct btf *targ, bool fmo, struct core_obj *obj, void **out,
		    size_t *size, struct core_min_stats *stats)
{
	return min_run(targ, fmo, &obj, 1, out, size, stats);
}

/* The emitted bytes must equal the BTF @want builds (compared as dumps, then bytes). */
static void assert_btf_eq(const void *got, size_t got_size, const struct tb *want)
{
	size_t want_size, i;
	u8 *w = tb_blob(want, &want_size);
	struct btf *gb = NULL, *wb = NULL;
	char *gd, *wd;

	cr_assert(got != NULL);
	cr_assert(eq(int, btf_parse(got, got_size, "got", &gb), 0), "output doesn't parse: %s",
		  diag_last());
	cr_assert(eq(int, btf_parse(w, want_size, "want", &wb), 0));
	gd = dump_btf(gb);
	wd = dump_btf(wb);
	if (gd && wd)
		assert_same_text(gd, wd, "raw dump");
	free(gd);
	free(wd);
	btf_free(gb);
	btf_free(wb);
	for (i = 0; i < got_size && i < want_size; i++)
		if (((const u8 *)got)[i] != w[i])
			break;
	cr_assert(eq(sz, got_size, want_size), "size (first difference at byte %zu)", i);
	cr_assert(eq(sz, i, want_size), "first difference at byte %zu of %zu", i, want_size);
	free(w);
}

static void assert_same_bytes(const void *a, size_t na, const void *b, size_t nb)
{
	cr_assert(eq(sz, na, nb));
	cr_assert(eq(int, memcmp(a, b, na), 0));
}

/* ==== field relocations: the path walk (§5.5) ========================== */

/*
 * [1] int  [2] unsigned int  [3] struct inner (24) { int a; int b; char name[16]; }
 * [4] char  [5] char[16] (index [6])  [6] __ARRAY_SIZE_TYPE__
 * [7] typedef pid_t -> 8  [8] typedef __kernel_pid_t -> int
 * [9] struct inner *
 * [10] struct foo (72) { int x@0; pid_t pid@32; struct inner in@64;
 *      struct inner *pin@256; int arr[4]@320; struct hidden *pu@448;
 *      unsigned int other@512 }
 * [11] int[4] (index [6])  [12] struct hidden (4) { int h; }  [13] struct hidden *
 */
static void build_m1(struct tb *b, const char *foo)
{
	tb_init(b);
	tb_int(b, "int", 4, true);			/* 1 */
	tb_int(b, "unsigned int", 4, false);		/* 2 */
	tb_struct(b, "inner", 24);			/* 3 */
	tb_member(b, "a", 1, 0);
	tb_member(b, "b", 1, 32);
	tb_member(b, "name", 5, 64);
	tb_int(b, "char", 1, true);			/* 4 */
	tb_array(b, 4, 6, 16);				/* 5 */
	tb_int(b, "__ARRAY_SIZE_TYPE__", 4, false);	/* 6 */
	tb_typedef(b, "pid_t", 8);			/* 7 */
	tb_typedef(b, "__kernel_pid_t", 1);		/* 8 */
	tb_ptr(b, 3);					/* 9 */
	tb_struct(b, foo, 72);				/* 10 */
	tb_member(b, "x", 1, 0);
	tb_member(b, "pid", 7, 32);
	tb_member(b, "in", 3, 64);
	tb_member(b, "pin", 9, 256);
	tb_member(b, "arr", 11, 320);
	tb_member(b, "pu", 13, 448);
	tb_member(b, "other", 2, 512);
	tb_array(b, 1, 6, 4);				/* 11 */
	tb_struct(b, "hidden", 4);			/* 12 */
	tb_member(b, "h", 1, 0);
	tb_ptr(b, 12);					/* 13 */
}

static struct btf *m1_target(struct tb *t)
{
	build_m1(t, "foo");
	return tb_parse(t, "target");
}

/* p->pid, p->in.b, p->pin, p->arr[2], p->pu on the local flavor foo___l */
static struct core_obj *m1_obj(void)
{
	static const struct tb_relo r[] = {
		{ 10, "0:1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 10, "0:2:1", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 10, "0:3", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 10, "0:4:2", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 10, "0:5", BPF_CORE_FIELD_BYTE_SIZE },
	};
	struct tb lb;
	struct core_obj *obj;

	build_m1(&lb, "foo___l");
	obj = tb_obj(&lb, OBJ, r, ARRAY_SIZE(r));
	tb_free(&lb);
	return obj;
}

/*
 * Marked: foo (pid, in, pin, arr, pu), the pid_t chain down to int, inner
 * (b) and int, the pointer [9], int[4] with its element and index type, the
 * pointer [13] (its pointee hidden is not marked, so it becomes void *).
 * Not marked: unsigned int, char, char[16], hidden.
 */
static void m1_expected(struct tb *w)
{
	tb_init(w);
	tb_int(w, "int", 4, true);			/* 1 <- 1 */
	tb_struct(w, "inner", 24);			/* 2 <- 3 */
	tb_member(w, "b", 1, 32);
	tb_int(w, "__ARRAY_SIZE_TYPE__", 4, false);	/* 3 <- 6 */
	tb_typedef(w, "pid_t", 5);			/* 4 <- 7 */
	tb_typedef(w, "__kernel_pid_t", 1);		/* 5 <- 8 */
	tb_ptr(w, 2);					/* 6 <- 9: inner is marked */
	tb_struct(w, "foo", 72);			/* 7 <- 10 */
	tb_member(w, "pid", 4, 32);
	tb_member(w, "in", 2, 64);
	tb_member(w, "pin", 6, 256);
	tb_member(w, "arr", 8, 320);
	tb_member(w, "pu", 9, 448);
	tb_array(w, 1, 3, 4);				/* 8 <- 11 */
	tb_ptr(w, 0);					/* 9 <- 13: hidden isn't marked */
}

Test(core_minimize, field_path_marking)
{
	struct tb t, w;
	struct btf *targ = m1_target(&t);
	struct core_min_stats st;
	void *out;
	size_t size;

	cr_assert(eq(int, min_run1(targ, false, m1_obj(), &out, &size, &st), 0), "%s",
		  diag_last());
	m1_expected(&w);
	assert_btf_eq(out, size, &w);
	cr_assert(eq(u32, st.nr_relos, 5));
	cr_assert(eq(u32, st.nr_multi_match, 0));
	cr_assert(eq(u32, st.nr_out_types, 9));
	cr_assert(eq(int, diag_lines(), 0));
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/* The same object twice gives the same bytes as once (marks are a set). */
Test(core_minimize, same_object_twice)
{
	struct tb t;
	struct btf *targ = m1_target(&t);
	struct core_obj *objs[2];
	struct core_min_stats st;
	void *once, *twice;
	size_t n1, n2;

	cr_assert(eq(int, min_run1(targ, false, m1_obj(), &once, &n1, NULL), 0));
	objs[0] = m1_obj();
	objs[1] = m1_obj();
	cr_assert(eq(int, min_run(targ, false, objs, 2, &twice, &n2, &st), 0));
	assert_same_bytes(once, n1, twice, n2);
	cr_assert(eq(u32, st.nr_relos, 10));
	free(once);
	free(twice);
	btf_free(targ);
	tb_free(&t);
}

/* Marks of several objects accumulate into one output. */
Test(core_minimize, objects_accumulate)
{
	static const struct tb_relo ra[] = { { 10, "0:1", BPF_CORE_FIELD_BYTE_OFFSET } };
	static const struct tb_relo rb[] = { { 10, "0:5", BPF_CORE_FIELD_EXISTS } };
	struct tb t, lb, w;
	struct btf *targ = m1_target(&t);
	struct core_obj *objs[2];
	void *out;
	size_t size;

	build_m1(&lb, "foo___a");
	objs[0] = tb_obj(&lb, "a.bpf.o", ra, 1);
	tb_free(&lb);
	build_m1(&lb, "foo");
	objs[1] = tb_obj(&lb, "b.bpf.o", rb, 1);
	tb_free(&lb);
	cr_assert(eq(int, min_run(targ, false, objs, 2, &out, &size, NULL), 0));
	/* marked: 1, 7, 8, 10 {pid, pu}, 13 */
	tb_init(&w);
	tb_int(&w, "int", 4, true);			/* 1 <- 1 */
	tb_typedef(&w, "pid_t", 3);			/* 2 <- 7 */
	tb_typedef(&w, "__kernel_pid_t", 1);		/* 3 <- 8 */
	tb_struct(&w, "foo", 72);			/* 4 <- 10 */
	tb_member(&w, "pid", 2, 32);
	tb_member(&w, "pu", 5, 448);
	tb_ptr(&w, 0);					/* 5 <- 13 */
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/* Type-based relocations on a struct keep it empty, with its size (§5.8). */
Test(core_minimize, type_relo_keeps_empty_struct)
{
	static const struct tb_relo r[] = {
		{ 10, "0", BPF_CORE_TYPE_EXISTS },
		{ 10, "0", BPF_CORE_TYPE_ID_TARGET },
		{ 10, "0", BPF_CORE_TYPE_SIZE },
	};
	struct tb t, lb, w;
	struct btf *targ = m1_target(&t);
	void *out;
	size_t size;

	build_m1(&lb, "foo___l");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, ARRAY_SIZE(r)), &out, &size,
				   NULL), 0), "%s", diag_last());
	tb_init(&w);
	tb_struct(&w, "foo", 72);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * Nothing to keep: TYPE_ID_LOCAL, a FIELD_EXISTS without a match, a
 * TYPE_EXISTS without a candidate. The output is a 24-byte header and "\0".
 */
Test(core_minimize, nothing_marked)
{
	static const struct tb_relo r[] = {
		{ 10, "0", BPF_CORE_TYPE_ID_LOCAL },
		{ 14, "0:1", BPF_CORE_FIELD_EXISTS },
		{ 15, "0", BPF_CORE_TYPE_EXISTS },
	};
	struct tb t, lb, w;
	struct btf *targ = m1_target(&t);
	void *out;
	size_t size;

	build_m1(&lb, "foo___l");
	tb_struct(&lb, "foo", 8);			/* 14: foo { int x; int gone; } */
	tb_member(&lb, "x", 1, 0);
	tb_member(&lb, "gone", 1, 32);
	tb_struct(&lb, "no_such_type", 4);		/* 15 */
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, ARRAY_SIZE(r)), &out, &size,
				   NULL), 0), "%s", diag_last());
	cr_assert(eq(sz, size, 25));
	tb_init(&w);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * An anonymous intermediate member is kept with an empty name:
 * target [1] int [2] long [3] struct <anon> (16) { int anon_a; long anon_b@64; }
 *        [4] struct foo (24) { int x; struct <anon> @64; }
 * local  foo___l { int x; long anon_b@64; }, access "0:1" -> target "0:1:1"
 */
Test(core_minimize, anonymous_member_path)
{
	static const struct tb_relo r[] = { { 3, "0:1", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);
	tb_int(&t, "long", 8, true);
	tb_struct(&t, NULL, 16);
	tb_member(&t, "anon_a", 1, 0);
	tb_member(&t, "anon_b", 2, 64);
	tb_struct(&t, "foo", 24);
	tb_member(&t, "x", 1, 0);
	tb_member(&t, NULL, 3, 64);
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_int(&lb, "long", 8, true);
	tb_struct(&lb, "foo___l", 16);
	tb_member(&lb, "x", 1, 0);
	tb_member(&lb, "anon_b", 2, 64);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "long", 8, true);			/* 1 <- 2 */
	tb_struct(&w, NULL, 16);			/* 2 <- 3 */
	tb_member(&w, "anon_b", 1, 64);
	tb_struct(&w, "foo", 24);			/* 3 <- 4 */
	tb_member(&w, NULL, 2, 64);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* A union member: union u (8) { int a; long l; }, access l. */
Test(core_minimize, union_member)
{
	static const struct tb_relo r[] = { { 3, "0:1", BPF_CORE_FIELD_BYTE_SIZE } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);
	tb_int(&t, "long", 8, true);
	tb_union(&t, "u", 8);
	tb_member(&t, "a", 1, 0);
	tb_member(&t, "l", 2, 0);
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_int(&lb, "long", 8, true);
	tb_union(&lb, "u", 8);
	tb_member(&lb, "a", 1, 0);
	tb_member(&lb, "l", 2, 0);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0));
	tb_init(&w);
	tb_int(&w, "long", 8, true);
	tb_union(&w, "u", 8);
	tb_member(&w, "l", 1, 0);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* ==== bitfields in the emitter ========================================= */

/*
 * kflag=1 source: struct flags (8) { unsigned a:3 @0; unsigned b:5 @3; unsigned c @32; }
 * Keeping only c gives a kflag-0 struct; keeping b a kflag-1 struct with
 * offset word 5 << 24 | 3.
 */
Test(core_minimize, kflag_bitfields)
{
	static const struct tb_relo rc[] = { { 2, "0:2", BPF_CORE_FIELD_BYTE_OFFSET } };
	static const struct tb_relo rb[] = { { 2, "0:1", BPF_CORE_FIELD_LSHIFT_U64 } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "unsigned int", 4, false);
	tb_comp(&t, BTF_KIND_STRUCT, "flags", 8, true);
	tb_bf(&t, "a", 1, 0, 3);
	tb_bf(&t, "b", 1, 3, 5);
	tb_member(&t, "c", 1, 32);
	targ = tb_parse(&t, "target");

	tb_init(&lb);
	tb_int(&lb, "unsigned int", 4, false);
	tb_comp(&lb, BTF_KIND_STRUCT, "flags", 8, true);
	tb_bf(&lb, "a", 1, 0, 3);
	tb_bf(&lb, "b", 1, 3, 5);
	tb_member(&lb, "c", 1, 32);

	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, rc, 1), &out, &size, NULL), 0));
	tb_init(&w);
	tb_int(&w, "unsigned int", 4, false);
	tb_struct(&w, "flags", 8);
	tb_member(&w, "c", 1, 32);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);

	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, rb, 1), &out, &size, NULL), 0));
	tb_init(&w);
	tb_int(&w, "unsigned int", 4, false);
	tb_comp(&w, BTF_KIND_STRUCT, "flags", 8, true);
	tb_bf(&w, "b", 1, 3, 5);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * Legacy kflag=0 bitfield at an unaligned offset (bpftool fails, §6.2-4):
 * [1] INT unsigned int (4 bytes, 3 bits)  [2] struct flags (4, kflag 0) { a@0; b@3; c@6 }
 * keeping b emits kflag 0 and the plain bit offset 3.
 */
Test(core_minimize, legacy_bitfield_unaligned)
{
	static const struct tb_relo r[] = { { 2, "0:1", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int_ex(&t, "unsigned int", 4, 0, 0, 3);
	tb_struct(&t, "flags", 4);
	tb_member(&t, "a", 1, 0);
	tb_member(&t, "b", 1, 3);
	tb_member(&t, "c", 1, 6);
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_int_ex(&lb, "unsigned int", 4, 0, 0, 3);
	tb_struct(&lb, "flags", 4);
	tb_member(&lb, "a", 1, 0);
	tb_member(&lb, "b", 1, 3);
	tb_member(&lb, "c", 1, 6);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int_ex(&w, "unsigned int", 4, 0, 0, 3);
	tb_struct(&w, "flags", 4);
	tb_member(&w, "b", 1, 3);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* ==== type-based relocations follow pointers (§5.4) ==================== */

/*
 * [1] int  [2] fwd fwd_only  [3] PTR -> 2  [4] FUNC_PROTO int (a: [3], b: int)
 * [5] PTR -> 4  [6] typedef cb_t -> 5  [7] struct unrelated (4) { int u; }
 * [8] struct ops (8) { cb_t cb; }
 */
static void build_fwd(struct tb *b, const char *ops)
{
	tb_init(b);
	tb_int(b, "int", 4, true);			/* 1 */
	tb_fwd(b, "fwd_only", false);			/* 2 */
	tb_ptr(b, 2);					/* 3 */
	tb_proto(b, 1);					/* 4 */
	tb_param(b, "a", 3);
	tb_param(b, "b", 1);
	tb_ptr(b, 4);					/* 5 */
	tb_typedef(b, "cb_t", 5);			/* 6 */
	tb_struct(b, "unrelated", 4);			/* 7 */
	tb_member(b, "u", 1, 0);
	tb_struct(b, ops, 8);				/* 8 */
	tb_member(b, "cb", 6, 0);
}

/*
 * TYPE_EXISTS(cb_t): typedef -> PTR -> FUNC_PROTO -> (int, PTR -> FWD).
 * bpftool fails with "unsupported kind: fwd"; everything but [7] and [8] is kept.
 */
Test(core_minimize, type_exists_reaches_fwd)
{
	static const struct tb_relo r[] = { { 6, "0", BPF_CORE_TYPE_EXISTS } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	build_fwd(&t, "ops");
	targ = tb_parse(&t, "target");
	build_fwd(&lb, "ops");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_fwd(&w, "fwd_only", false);
	tb_ptr(&w, 2);
	tb_proto(&w, 1);
	tb_param(&w, "a", 3);
	tb_param(&w, "b", 1);
	tb_ptr(&w, 4);
	tb_typedef(&w, "cb_t", 5);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* A field relo on ops.cb does not follow the pointer: cb_t -> void *. */
Test(core_minimize, field_relo_does_not_follow_pointers)
{
	static const struct tb_relo r[] = { { 8, "0:0", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	build_fwd(&t, "ops");
	targ = tb_parse(&t, "target");
	build_fwd(&lb, "ops___l");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_ptr(&w, 0);					/* 1 <- 5 */
	tb_typedef(&w, "cb_t", 1);			/* 2 <- 6 */
	tb_struct(&w, "ops", 8);			/* 3 <- 8 */
	tb_member(&w, "cb", 2, 0);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * The same types first marked without following pointers (ops.cb), then by
 * a type relocation that follows them (TYPE_EXISTS(cb_t)): the second pass
 * must still reach the prototype and the FWD behind the pointer.
 */
Test(core_minimize, no_follow_then_follow)
{
	static const struct tb_relo r[] = {
		{ 8, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 6, "0", BPF_CORE_TYPE_EXISTS },
	};
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	build_fwd(&t, "ops");
	targ = tb_parse(&t, "target");
	build_fwd(&lb, "ops___l");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 2), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);			/* 1 */
	tb_fwd(&w, "fwd_only", false);			/* 2 */
	tb_ptr(&w, 2);					/* 3 */
	tb_proto(&w, 1);				/* 4 */
	tb_param(&w, "a", 3);
	tb_param(&w, "b", 1);
	tb_ptr(&w, 4);					/* 5 */
	tb_typedef(&w, "cb_t", 5);			/* 6 */
	tb_struct(&w, "ops", 8);			/* 7 <- 8 */
	tb_member(&w, "cb", 6, 0);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * TYPE_TAG in the chain (bpftool: "unsupported kind: type_tag"):
 * [1] int  [2] struct task (8) { int pid; }  [3] TYPE_TAG rcu -> 2  [4] PTR -> 3
 * [5] typedef task_ptr -> 4  [6] struct holder (16) { task *t@0; tagged@64 }
 * [7] TYPE_TAG user -> int  [8] struct unused (4)
 * relos: TYPE_EXISTS(task_ptr), holder.tagged
 */
Test(core_minimize, type_tag_chain_kept)
{
	static const struct tb_relo r[] = {
		{ 4, "0", BPF_CORE_TYPE_EXISTS },
		{ 5, "0:1", BPF_CORE_FIELD_BYTE_OFFSET },
	};
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);			/* 1 */
	tb_struct(&t, "task", 8);			/* 2 */
	tb_member(&t, "pid", 1, 0);
	tb_type_tag(&t, "rcu", 2);			/* 3 */
	tb_ptr(&t, 3);					/* 4 */
	tb_typedef(&t, "task_ptr", 4);			/* 5 */
	tb_struct(&t, "holder", 16);			/* 6 */
	tb_member(&t, "t", 4, 0);
	tb_member(&t, "tagged", 7, 64);
	tb_type_tag(&t, "user", 1);			/* 7 */
	tb_struct(&t, "unused", 4);			/* 8 */
	tb_member(&t, "u", 1, 0);
	targ = tb_parse(&t, "target");
	/* local: [1] int [2] struct task [3] PTR -> 2 [4] typedef task_ptr [5] holder */
	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_struct(&lb, "task", 8);
	tb_member(&lb, "pid", 1, 0);
	tb_ptr(&lb, 2);
	tb_typedef(&lb, "task_ptr", 3);
	tb_struct(&lb, "holder", 16);
	tb_member(&lb, "t", 3, 0);
	tb_member(&lb, "tagged", 1, 64);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 2), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);			/* 1 */
	tb_struct(&w, "task", 8);			/* 2: empty */
	tb_type_tag(&w, "rcu", 2);			/* 3 */
	tb_ptr(&w, 3);					/* 4 */
	tb_typedef(&w, "task_ptr", 4);			/* 5 */
	tb_struct(&w, "holder", 16);			/* 6 */
	tb_member(&w, "tagged", 7, 64);
	tb_type_tag(&w, "user", 1);			/* 7 */
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* ==== TYPE_MATCHES closure and enums =================================== */

/*
 * target: [1] int  [2] struct node (16) { int val; struct node *next@64; }  [3] PTR -> 2
 *         [4] struct other (8) { int q; int r; }  [5] PTR -> 4
 *         [6] struct s (32) { int a; struct node n@64; struct other *po@192; }
 *         [7] struct unused (4)
 * local:  the same, but other is only a FWD.
 * Every member of s and node is kept; other is behind a pointer: kept empty.
 */
static struct btf *match_target(struct tb *t)
{
	tb_init(t);
	tb_int(t, "int", 4, true);			/* 1 */
	tb_struct(t, "node", 16);			/* 2 */
	tb_member(t, "val", 1, 0);
	tb_member(t, "next", 3, 64);
	tb_ptr(t, 2);					/* 3 */
	tb_struct(t, "other", 8);			/* 4 */
	tb_member(t, "q", 1, 0);
	tb_member(t, "r", 1, 32);
	tb_ptr(t, 4);					/* 5 */
	tb_struct(t, "s", 32);				/* 6 */
	tb_member(t, "a", 1, 0);
	tb_member(t, "n", 2, 64);
	tb_member(t, "po", 5, 192);
	tb_struct(t, "unused", 4);			/* 7 */
	tb_member(t, "z", 1, 0);
	return tb_parse(t, "target");
}

static struct core_obj *match_obj(void)
{
	static const struct tb_relo r[] = { { 6, "0", BPF_CORE_TYPE_MATCHES } };
	struct tb lb;
	struct core_obj *obj;

	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_struct(&lb, "node", 16);
	tb_member(&lb, "val", 1, 0);
	tb_member(&lb, "next", 3, 64);
	tb_ptr(&lb, 2);
	tb_fwd(&lb, "other", false);
	tb_ptr(&lb, 4);
	tb_struct(&lb, "s", 32);
	tb_member(&lb, "a", 1, 0);
	tb_member(&lb, "n", 2, 64);
	tb_member(&lb, "po", 5, 192);
	obj = tb_obj(&lb, OBJ, r, 1);
	tb_free(&lb);
	return obj;
}

Test(core_minimize, type_matches_closure)
{
	struct tb t, w;
	struct btf *targ = match_target(&t);
	void *out;
	size_t size;

	cr_assert(eq(int, min_run1(targ, false, match_obj(), &out, &size, NULL), 0), "%s",
		  diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "node", 16);
	tb_member(&w, "val", 1, 0);
	tb_member(&w, "next", 3, 64);
	tb_ptr(&w, 2);
	tb_struct(&w, "other", 8);			/* behind a pointer: no members */
	tb_ptr(&w, 4);
	tb_struct(&w, "s", 32);
	tb_member(&w, "a", 1, 0);
	tb_member(&w, "n", 2, 64);
	tb_member(&w, "po", 5, 192);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/*
 * A struct first reached behind a pointer (kept empty) and then by value
 * must end up with all its members:
 * [1] int  [2] struct other (8) { int q; int r; }  [3] PTR -> 2
 * [4] struct s (16) { struct other ov; struct other *po@64; }
 * (the pointer member comes last, so a depth-first walk may see it first)
 */
Test(core_minimize, type_matches_pointer_then_value)
{
	static const struct tb_relo r[] = { { 4, "0", BPF_CORE_TYPE_MATCHES } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct tb *b = pass ? &lb : &t;

		tb_init(b);
		tb_int(b, "int", 4, true);
		tb_struct(b, "other", 8);
		tb_member(b, "q", 1, 0);
		tb_member(b, "r", 1, 32);
		tb_ptr(b, 2);
		tb_struct(b, "s", 16);
		tb_member(b, "ov", 2, 0);
		tb_member(b, "po", 3, 64);
	}
	targ = tb_parse(&t, "target");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "other", 8);
	tb_member(&w, "q", 1, 0);
	tb_member(&w, "r", 1, 32);
	tb_ptr(&w, 2);
	tb_struct(&w, "s", 16);
	tb_member(&w, "ov", 2, 0);
	tb_member(&w, "po", 3, 64);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * A field relocation marks a struct without members; TYPE_MATCHES on a
 * struct holding it by value then keeps all of them.
 * [1] int  [2] struct in (8) { int a; int b; }  [3] struct s (8) { struct in i; }
 * relos: s.i.a (field), TYPE_MATCHES(s)
 */
Test(core_minimize, field_then_type_matches)
{
	static const struct tb_relo r[] = {
		{ 3, "0:0:0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 3, "0", BPF_CORE_TYPE_MATCHES },
	};
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct tb *b = pass ? &lb : &t;

		tb_init(b);
		tb_int(b, "int", 4, true);
		tb_struct(b, "in", 8);
		tb_member(b, "a", 1, 0);
		tb_member(b, "b", 1, 32);
		tb_struct(b, "s", 8);
		tb_member(b, "i", 2, 0);
	}
	targ = tb_parse(&t, "target");
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 2), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "in", 8);
	tb_member(&w, "a", 1, 0);
	tb_member(&w, "b", 1, 32);
	tb_struct(&w, "s", 8);
	tb_member(&w, "i", 2, 0);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * A struct holding a function pointer whose prototype takes the struct by
 * value: mark_match re-expands members after the FUNC_PROTO; it must stop.
 * [1] int  [2] struct s (16) { int a; int (*cb)(struct s arg)@64; }  [3] PTR -> 4
 * [4] FUNC_PROTO int (arg: struct s)
 */
static void build_cycle(struct tb *b)
{
	tb_init(b);
	tb_int(b, "int", 4, true);
	tb_struct(b, "s", 16);
	tb_member(b, "a", 1, 0);
	tb_member(b, "cb", 3, 64);
	tb_ptr(b, 4);
	tb_proto(b, 1);
	tb_param(b, "arg", 2);
}

Test(core_minimize, type_matches_cycle_terminates)
{
	static const struct tb_relo r[] = { { 2, "0", BPF_CORE_TYPE_MATCHES } };
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	build_cycle(&t);
	targ = tb_parse(&t, "target");
	build_cycle(&lb);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL), 0),
		  "%s", diag_last());
	build_cycle(&w);	/* everything is kept, unchanged */
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * Enumerator relocations keep the whole enum (and the typedef chain):
 * target [1] int [2] enum color { RED, GREEN, BLUE } [3] typedef color_t -> 2
 *        [4] enum other { X } [5] enum64 big (8) { B0 = 0, B1 = 1 << 40 }
 * local  [1] enum color { GREEN } [2] typedef color_t -> 1 [3] enum big (4) { B1 }
 */
Test(core_minimize, enum_relo_keeps_whole_enum)
{
	static const struct tb_relo r[] = {
		{ 2, "0", BPF_CORE_ENUMVAL_VALUE },
		{ 3, "0", BPF_CORE_ENUMVAL_EXISTS },
	};
	struct tb t, lb, w;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);
	tb_enum(&t, "color", 4, false);
	tb_enumval(&t, "RED", 0);
	tb_enumval(&t, "GREEN", 1);
	tb_enumval(&t, "BLUE", 2);
	tb_typedef(&t, "color_t", 2);
	tb_enum(&t, "other", 4, false);
	tb_enumval(&t, "X", 0);
	tb_enum64(&t, "big", 8, false);
	tb_enum64val(&t, "B0", 0);
	tb_enum64val(&t, "B1", 1ull << 40);
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_enum(&lb, "color", 4, false);
	tb_enumval(&lb, "GREEN", 0);
	tb_typedef(&lb, "color_t", 1);
	tb_enum(&lb, "big", 4, false);
	tb_enumval(&lb, "B1", 0);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 2), &out, &size, NULL), 0),
		  "%s", diag_last());
	tb_init(&w);
	tb_enum(&w, "color", 4, false);
	tb_enumval(&w, "RED", 0);
	tb_enumval(&w, "GREEN", 1);
	tb_enumval(&w, "BLUE", 2);
	tb_typedef(&w, "color_t", 1);
	tb_enum64(&w, "big", 8, false);
	tb_enum64val(&w, "B0", 0);
	tb_enum64val(&w, "B1", 1ull << 40);
	assert_btf_eq(out, size, &w);
	free(out);
	tb_free(&w);
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/* ==== duplicate structs (§3.5) ========================================= */

/*
 * target [1] int  [2] struct s (8) { x; y; }  [3] struct s (12) { x; y; z; }
 * local  [2] struct s { x; y; z; }; relocations p->x then p->z.
 */
static struct btf *dup_target(struct tb *t)
{
	tb_init(t);
	tb_int(t, "int", 4, true);
	tb_struct(t, "s", 8);
	tb_member(t, "x", 1, 0);
	tb_member(t, "y", 1, 32);
	tb_struct(t, "s", 12);
	tb_member(t, "x", 1, 0);
	tb_member(t, "y", 1, 32);
	tb_member(t, "z", 1, 64);
	return tb_parse(t, "target");
}

static struct core_obj *dup_obj(void)
{
	static const struct tb_relo r[] = {
		{ 2, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },
		{ 2, "0:2", BPF_CORE_FIELD_BYTE_OFFSET },
	};
	struct tb lb;
	struct core_obj *obj;

	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_struct(&lb, "s", 12);
	tb_member(&lb, "x", 1, 0);
	tb_member(&lb, "y", 1, 32);
	tb_member(&lb, "z", 1, 64);
	obj = tb_obj(&lb, OBJ, r, 2);
	tb_free(&lb);
	return obj;
}

/* Default: every matching candidate is marked: s#2 {x}, s#3 {x, z}. */
Test(core_minimize, duplicate_structs_mark_every_match)
{
	struct tb t, w;
	struct btf *targ = dup_target(&t);
	struct core_min_stats st;
	void *out;
	size_t size;

	cr_assert(eq(int, min_run1(targ, false, dup_obj(), &out, &size, &st), 0));
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "s", 8);
	tb_member(&w, "x", 1, 0);
	tb_struct(&w, "s", 12);
	tb_member(&w, "x", 1, 0);
	tb_member(&w, "z", 1, 64);
	assert_btf_eq(out, size, &w);
	cr_assert(eq(u32, st.nr_relos, 2));
	cr_assert(eq(u32, st.nr_multi_match, 1));
	cr_assert(eq(u32, st.nr_out_types, 3));
	cr_assert(eq(int, diag_lines(), 0));
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/* first_match_only reproduces bpftool: s#2 {x}, s#3 {z}. */
Test(core_minimize, duplicate_structs_first_match_only)
{
	struct tb t, w;
	struct btf *targ = dup_target(&t);
	struct core_min_stats st;
	void *out;
	size_t size;

	cr_assert(eq(int, min_run1(targ, true, dup_obj(), &out, &size, &st), 0));
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "s", 8);
	tb_member(&w, "x", 1, 0);
	tb_struct(&w, "s", 12);
	tb_member(&w, "z", 1, 64);
	assert_btf_eq(out, size, &w);
	cr_assert(eq(u32, st.nr_multi_match, 1));
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/*
 * ... which is why bpftool's output doesn't reproduce itself (§6.2-1): on
 * s#2 {x}, s#3 {z}, x matches only s#2, the list is pruned to [s#2] and z
 * then has no match: the second round keeps only [1] int, [2] s {x}.
 */
Test(core_minimize, first_match_only_output_loses_z)
{
	struct tb t, w;
	struct btf *targ = dup_target(&t), *targ2;
	void *out, *out2;
	size_t size, size2;

	cr_assert(eq(int, min_run1(targ, true, dup_obj(), &out, &size, NULL), 0));
	cr_assert(eq(int, btf_parse(out, size, "round1", &targ2), 0));
	cr_assert(eq(int, min_run1(targ2, true, dup_obj(), &out2, &size2, NULL), 0));
	tb_init(&w);
	tb_int(&w, "int", 4, true);
	tb_struct(&w, "s", 8);
	tb_member(&w, "x", 1, 0);
	assert_btf_eq(out2, size2, &w);
	free(out2);
	btf_free(targ2);
	free(out);
	tb_free(&w);
	btf_free(targ);
	tb_free(&t);
}

/* ==== idempotence ====================================================== */

/*
 * Minimizing the output again with the same objects gives identical bytes.
 * Scenarios by number (function pointers don't survive Criterion's
 * process boundary, indexes do).
 */
enum { SC_M1, SC_MATCH, SC_DUP, SC_FWD, SC_CYCLE, NR_SC };

static struct btf *sc_target(int sc, struct tb *t)
{
	switch (sc) {
	case SC_M1:
		return m1_target(t);
	case SC_MATCH:
		return match_target(t);
	case SC_DUP:
		return dup_target(t);
	case SC_FWD:
		build_fwd(t, "ops");
		return tb_parse(t, "target");
	default:
		build_cycle(t);
		return tb_parse(t, "target");
	}
}

static struct core_obj *sc_obj(int sc)
{
	static const struct tb_relo fwd_r[] = {
		{ 6, "0", BPF_CORE_TYPE_EXISTS },
		{ 8, "0:0", BPF_CORE_FIELD_EXISTS },
	};
	static const struct tb_relo cycle_r[] = { { 2, "0", BPF_CORE_TYPE_MATCHES } };
	struct core_obj *obj;
	struct tb lb;

	switch (sc) {
	case SC_M1:
		return m1_obj();
	case SC_MATCH:
		return match_obj();
	case SC_DUP:
		return dup_obj();
	case SC_FWD:
		build_fwd(&lb, "ops");
		obj = tb_obj(&lb, OBJ, fwd_r, ARRAY_SIZE(fwd_r));
		break;
	default:
		build_cycle(&lb);
		obj = tb_obj(&lb, OBJ, cycle_r, ARRAY_SIZE(cycle_r));
		break;
	}
	tb_free(&lb);
	return obj;
}

ParameterizedTestParameters(core_minimize, idempotent)
{
	static int scenarios[] = { SC_M1, SC_MATCH, SC_DUP, SC_FWD, SC_CYCLE };

	return cr_make_param_array(int, scenarios, ARRAY_SIZE(scenarios));
}

ParameterizedTest(int *sc, core_minimize, idempotent)
{
	struct tb t;
	struct btf *targ = sc_target(*sc, &t), *targ2;
	void *out, *out2;
	size_t size, size2;

	cr_assert(eq(int, min_run1(targ, false, sc_obj(*sc), &out, &size, NULL), 0), "%s",
		  diag_last());
	cr_assert(eq(int, btf_parse(out, size, "round1", &targ2), 0));
	cr_assert(eq(int, min_run1(targ2, false, sc_obj(*sc), &out2, &size2, NULL), 0), "%s",
		  diag_last());
	assert_same_bytes(out, size, out2, size2);
	free(out2);
	btf_free(targ2);
	free(out);
	btf_free(targ);
	tb_free(&t);
}

/* ==== errors =========================================================== */

/* An ambiguous relocation aborts the run: -EINVAL, one line naming the object. */
Test(core_minimize, ambiguity_aborts_run)
{
	static const struct tb_relo r[] = { { 2, "0:0", BPF_CORE_FIELD_BYTE_OFFSET } };
	struct tb t, lb;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);
	tb_struct(&t, "s", 4);
	tb_member(&t, "x", 1, 0);
	tb_struct(&t, "s", 8);
	tb_member(&t, "y", 1, 0);
	tb_member(&t, "x", 1, 32);
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_struct(&lb, "s", 4);
	tb_member(&lb, "x", 1, 0);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL),
		     -EINVAL));
	cr_assert(out == NULL);
	cr_assert(eq(int, diag_lines(), 1), "%s", diag_last());
	cr_assert(strstr(diag_last(), OBJ) != NULL, "%s", diag_last());
	cr_assert(strstr(diag_last(), "relo #0") != NULL, "%s", diag_last());
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}

/*
 * Marking that reaches a kind no relocation can need (an ARRAY whose index
 * type is a FUNC, reached by TYPE_EXISTS) fails cleanly, as bpftool's
 * "unsupported kind" does: -EINVAL and one line.
 */
Test(core_minimize, unsupported_kind_in_marking)
{
	static const struct tb_relo r[] = { { 3, "0", BPF_CORE_TYPE_EXISTS } };
	struct tb t, lb;
	struct btf *targ;
	void *out;
	size_t size;

	tb_init(&t);
	tb_int(&t, "int", 4, true);			/* 1 */
	tb_proto(&t, 1);				/* 2 */
	tb_func(&t, "f", 2, 0);				/* 3 */
	tb_array(&t, 1, 3, 2);				/* 4: index type is a FUNC */
	tb_typedef(&t, "arr_t", 4);			/* 5 */
	targ = tb_parse(&t, "target");
	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_array(&lb, 1, 1, 2);
	tb_typedef(&lb, "arr_t", 2);
	cr_assert(eq(int, min_run1(targ, false, tb_obj(&lb, OBJ, r, 1), &out, &size, NULL),
		     -EINVAL));
	cr_assert(eq(int, diag_lines(), 1), "%s", diag_last());
	cr_assert(strstr(diag_last(), "[3]") != NULL, "%s", diag_last());
	tb_free(&lb);
	btf_free(targ);
	tb_free(&t);
}
