// SPDX-License-Identifier: MIT
/*
 * test_core_ext.c - core_btf_ext_parse() on hand-made .BTF.ext bytes
 * (SEMANTICS.md §2), and allocation-failure injection on the minimizer
 * (core_min_run / core_min_emit) and the .BTF.ext parser.
 *
 * The valid blob (148 bytes, host order unless a test swaps it):
 *
 *   0   magic 0xEB9F, version 1, flags 0, hdr_len 32
 *   8   func_info  off 0,  len 20      12  line_info off 20, len 28
 *   24  core_relo  off 48, len 68
 *   32  body, in u32 words:
 *       [0]  8            func_info rec_size
 *       [1]  ".text"      [2] 1     [3] insn 0  [4] FUNC [4]
 *       [5]  16           line_info rec_size
 *       [6]  ".text"      [7] 1     [8..11] insn 0, file, line, 7 << 10 | 3
 *       [12] 16           core_relo rec_size
 *       [13] "kprobe/a"   [14] 2
 *       [15..18] relo #0: insn 0,  type [2], "0:0", FIELD_BYTE_OFFSET
 *       [19..22] relo #1: insn 8,  type [2], "0",   TYPE_EXISTS
 *       [23] "kprobe/b"   [24] 1
 *       [25..28] relo #2: insn 16, type [1], "0",   TYPE_ID_LOCAL
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

#define EXT_OBJ "ext.bpf.o"

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

TestSuite(core_ext, .init = setup, .fini = teardown, .timeout = 60);

/* ---- the local BTF and the blob --------------------------------------- */

struct ext_strs {
	u32 text, sec_a, sec_b, acc00, acc0, file, line;
};

/* [1] int  [2] struct s { int a; }  [3] FUNC_PROTO int (void)  [4] FUNC prog */
static struct btf *ext_local(struct ext_strs *s)
{
	struct tb b;
	struct btf *btf;

	tb_init(&b);
	tb_int(&b, "int", 4, true);
	tb_struct(&b, "s", 4);
	tb_member(&b, "a", 1, 0);
	tb_proto(&b, 1);
	tb_func(&b, "prog", 3, 1);
	s->text = tb_str(&b, ".text");
	s->sec_a = tb_str(&b, "kprobe/a");
	s->sec_b = tb_str(&b, "kprobe/b");
	s->acc00 = tb_str(&b, "0:0");
	s->acc0 = tb_str(&b, "0");
	s->file = tb_str(&b, "prog.bpf.c");
	s->line = tb_str(&b, "return 0;");
	btf = tb_parse(&b, "local");
	tb_free(&b);
	return btf;
}

enum { NR_BODY = 29, EXT_SIZE = 32 + 4 * NR_BODY };

static void put32(u8 *p, u32 v, bool be)
{
	if (be) {
		p[0] = (u8)(v >> 24);
		p[1] = (u8)(v >> 16);
		p[2] = (u8)(v >> 8);
		p[3] = (u8)v;
	} else {
		p[0] = (u8)v;
		p[1] = (u8)(v >> 8);
		p[2] = (u8)(v >> 16);
		p[3] = (u8)(v >> 24);
	}
}

/* Header (hdr_len 32) + @nw body words, little-endian or big-endian. */
static size_t ext_write(u8 *out, const u32 hdr[7], const u32 *w, u32 nw, bool be)
{
	u32 i;

	out[0] = be ? 0xeb : 0x9f;
	out[1] = be ? 0x9f : 0xeb;
	out[2] = 1;
	out[3] = 0;
	for (i = 0; i < 7; i++)
		put32(out + 4 + 4 * i, hdr[i], be);
	for (i = 0; i < nw; i++)
		put32(out + 32 + 4 * i, w[i], be);
	return 32 + 4 * (size_t)nw;
}

static size_t ext_valid(u8 *out, const struct ext_strs *s, bool be)
{
	const u32 hdr[7] = { 32, 0, 20, 20, 28, 48, 68 };
	const u32 w[NR_BODY] = {
		8, s->text, 1, 0, 4,
		16, s->text, 1, 0, s->file, s->line, 7 << 10 | 3,
		16, s->sec_a, 2,
		0, 2, s->acc00, BPF_CORE_FIELD_BYTE_OFFSET,
		8, 2, s->acc0, BPF_CORE_TYPE_EXISTS,
		s->sec_b, 1,
		16, 1, s->acc0, BPF_CORE_TYPE_ID_LOCAL,
	};

	return ext_write(out, hdr, w, NR_BODY, be);
}

/* Parse @size bytes (copied to a buffer of exactly that size); *@obj keeps the result. */
static int ext_parse(struct btf *local, const u8 *data, size_t size, struct core_obj *obj)
{
	u8 *copy = malloc(size ? size : 1);
	int err;

	cr_assert(copy != NULL);
	memcpy(copy, data, size);
	memset(obj, 0, sizeof(*obj));
	obj->name = (char *)EXT_OBJ;	/* not freed: the test frees relos only */
	obj->btf = local;
	err = core_btf_ext_parse(obj, copy, size);
	free(copy);
	return err;
}

static void check_valid_relos(const struct core_obj *obj, const struct ext_strs *s)
{
	cr_assert(obj->has_ext);
	cr_assert(eq(u32, obj->nr_relos, 3));
	cr_assert(eq(u32, obj->relos[0].relo.insn_off, 0));
	cr_assert(eq(u32, obj->relos[0].relo.type_id, 2));
	cr_assert(eq(u32, obj->relos[0].relo.access_str_off, s->acc00));
	cr_assert(eq(u32, obj->relos[0].relo.kind, BPF_CORE_FIELD_BYTE_OFFSET));
	cr_assert_str_eq(obj->relos[0].sec_name, "kprobe/a");
	cr_assert(eq(u32, obj->relos[1].relo.insn_off, 8));
	cr_assert(eq(u32, obj->relos[1].relo.type_id, 2));
	cr_assert(eq(u32, obj->relos[1].relo.access_str_off, s->acc0));
	cr_assert(eq(u32, obj->relos[1].relo.kind, BPF_CORE_TYPE_EXISTS));
	cr_assert_str_eq(obj->relos[1].sec_name, "kprobe/a");
	cr_assert(eq(u32, obj->relos[2].relo.insn_off, 16));
	cr_assert(eq(u32, obj->relos[2].relo.type_id, 1));
	cr_assert(eq(u32, obj->relos[2].relo.access_str_off, s->acc0));
	cr_assert(eq(u32, obj->relos[2].relo.kind, BPF_CORE_TYPE_ID_LOCAL));
	cr_assert_str_eq(obj->relos[2].sec_name, "kprobe/b");
}

/* One line, naming the object, ".BTF.ext" and @place (if not NULL). */
static void assert_one_ext_line(const char *what, const char *place)
{
	cr_assert(eq(int, diag_lines(), 1), "%s: expected one line, got %d (last: %s)", what,
		  diag_lines(), diag_last());
	cr_assert(strstr(diag_last(), EXT_OBJ) != NULL, "%s: %s", what, diag_last());
	cr_assert(strstr(diag_last(), ".BTF.ext") != NULL, "%s: %s", what, diag_last());
	if (place)
		cr_assert(strstr(diag_last(), place) != NULL, "%s: '%s' not in: %s", what, place,
			  diag_last());
}

static void assert_same_bytes(const void *a, size_t na, const void *b, size_t nb)
{
	cr_assert(eq(sz, na, nb));
	cr_assert(eq(int, memcmp(a, b, na), 0));
}

/* ---- accepted --------------------------------------------------------- */

Test(core_ext, valid_little_and_big_endian)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	size_t n;
	int be;

	for (be = 0; be <= 1; be++) {
		n = ext_valid(buf, &s, be);
		cr_assert(eq(sz, n, 148));
		diag_reset();
		cr_assert(eq(int, ext_parse(local, buf, n, &obj), 0), "be=%d: %s", be, diag_last());
		check_valid_relos(&obj, &s);
		cr_assert(eq(int, diag_lines(), 0));
		xfree(obj.relos);
	}
	btf_free(local);
}

/* hdr_len 24: func_info and line_info only, CO-RE info absent. */
Test(core_ext, hdr_len_24_has_no_core_relos)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	size_t n;
	u32 i;

	n = ext_valid(buf, &s, false);
	/* header: hdr_len 24, func_info 0+20, line_info 20+28; body: words 0..11 */
	put32(buf + 4, 24, false);
	memmove(buf + 24, buf + 32, 48);
	n = 24 + 48;
	cr_assert(eq(int, ext_parse(local, buf, n, &obj), 0), "%s", diag_last());
	cr_assert(obj.has_ext);
	cr_assert(eq(u32, obj.nr_relos, 0));
	cr_assert(eq(int, diag_lines(), 0));
	xfree(obj.relos);
	/* whatever follows line_info is not looked at */
	for (i = 0; i < 16; i++)
		buf[n + i] = 0xff;
	cr_assert(eq(int, ext_parse(local, buf, n + 16, &obj), 0), "%s", diag_last());
	cr_assert(eq(u32, obj.nr_relos, 0));
	xfree(obj.relos);
	btf_free(local);
}

/* Empty func_info/line_info subsections (len 0) and a core_relo one alone. */
Test(core_ext, core_relo_only)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	const u32 hdr[7] = { 32, 0, 0, 0, 0, 0, 28 };
	const u32 w[] = { 16, 0, 1, 24, 2, 0, BPF_CORE_FIELD_EXISTS };
	u32 ww[ARRAY_SIZE(w)];
	size_t n;

	memcpy(ww, w, sizeof(w));
	ww[1] = s.sec_a;
	ww[5] = s.acc00;
	n = ext_write(buf, hdr, ww, ARRAY_SIZE(ww), false);
	cr_assert(eq(int, ext_parse(local, buf, n, &obj), 0), "%s", diag_last());
	cr_assert(eq(u32, obj.nr_relos, 1));
	cr_assert(eq(u32, obj.relos[0].relo.insn_off, 24));
	cr_assert(eq(u32, obj.relos[0].relo.type_id, 2));
	cr_assert(eq(u32, obj.relos[0].relo.access_str_off, s.acc00));
	cr_assert(eq(u32, obj.relos[0].relo.kind, BPF_CORE_FIELD_EXISTS));
	cr_assert_str_eq(obj.relos[0].sec_name, "kprobe/a");
	xfree(obj.relos);
	btf_free(local);
}

/* A native-endian core_relo rec_size larger than 16 (multiple of 4): the tail is skipped. */
Test(core_ext, larger_record_size)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	const u32 hdr[7] = { 32, 0, 0, 0, 0, 0, 4 + 8 + 2 * 20 };
	u32 w[] = {
		20, 0, 2,
		0, 2, 0, BPF_CORE_FIELD_BYTE_SIZE, 0xdeadbeef,
		8, 1, 0, BPF_CORE_TYPE_ID_LOCAL, 0xfeedface,
	};
	size_t n;

	w[1] = s.sec_b;
	w[5] = s.acc00;
	w[10] = s.acc0;
	n = ext_write(buf, hdr, w, ARRAY_SIZE(w), false);
	cr_assert(eq(int, ext_parse(local, buf, n, &obj), 0), "%s", diag_last());
	cr_assert(eq(u32, obj.nr_relos, 2));
	cr_assert(eq(u32, obj.relos[0].relo.kind, BPF_CORE_FIELD_BYTE_SIZE));
	cr_assert(eq(u32, obj.relos[0].relo.access_str_off, s.acc00));
	cr_assert(eq(u32, obj.relos[1].relo.insn_off, 8));
	cr_assert(eq(u32, obj.relos[1].relo.type_id, 1));
	cr_assert(eq(u32, obj.relos[1].relo.kind, BPF_CORE_TYPE_ID_LOCAL));
	cr_assert_str_eq(obj.relos[1].sec_name, "kprobe/b");
	xfree(obj.relos);
	btf_free(local);
}

/* ---- rejected --------------------------------------------------------- */

struct xcase {
	char what[40];
	bool be;
	int off;	/* byte offset of the patch, -1: none */
	int width;	/* 1: a byte, 4: a u32 in the blob's byte order */
	u32 val;
	int err;
	char place[32];
};

#define BODY(word) (32 + 4 * (word))

ParameterizedTestParameters(core_ext, rejected)
{
	static struct xcase cases[] = {
		{ "bad magic", false, 0, 1, 0x12, -EINVAL, "magic" },
		{ "bad magic (2nd byte)", false, 1, 1, 0x12, -EINVAL, "magic" },
		{ "version 2", false, 2, 1, 2, -ENOTSUP, "version" },
		{ "flags 1", false, 3, 1, 1, -ENOTSUP, "flags" },
		{ "hdr_len 20", false, 4, 4, 20, -EINVAL, "hdr_len" },
		{ "hdr_len beyond the data", false, 4, 4, 1000, -EINVAL, "hdr_len" },
		{ "func_info rec_size 4", false, BODY(0), 4, 4, -EINVAL, "func_info" },
		{ "line_info rec_size 12", false, BODY(5), 4, 12, -EINVAL, "line_info" },
		{ "core_relo rec_size 12", false, BODY(12), 4, 12, -EINVAL, "core_relo" },
		{ "core_relo rec_size 18", false, BODY(12), 4, 18, -EINVAL, "core_relo" },
		{ "core_relo rec_size 0", false, BODY(12), 4, 0, -EINVAL, "core_relo" },
		{ "big-endian rec_size 20", true, BODY(12), 4, 20, -EINVAL, "core_relo" },
		{ "big-endian func rec_size 12", true, BODY(0), 4, 12, -EINVAL, "func_info" },
		{ "num_info 0", false, BODY(14), 4, 0, -EINVAL, "num_info" },
		{ "second group num_info 0", false, BODY(24), 4, 0, -EINVAL, "num_info" },
		{ "group overruns", false, BODY(24), 4, 2, -EINVAL, "core_relo" },
		{ "func_info group overruns", false, BODY(2), 4, 2, -EINVAL, "func_info" },
		{ "huge num_info", false, BODY(14), 4, 0x40000000, -EINVAL, "core_relo" },
		{ "sec_name_off out of range", false, BODY(23), 4, 0xffff, -EINVAL, "section name" },
		{ "func_info sec_name_off", false, BODY(1), 4, 0x7fffffff, -EINVAL, "func_info" },
		{ "relo kind 13", false, BODY(18), 4, 13, -EINVAL, "kind" },
		{ "relo #2 kind 13", false, BODY(28), 4, 13, -EINVAL, "relo #2" },
		{ "relo type_id out of range", false, BODY(16), 4, 5, -EINVAL, "type id" },
		{ "relo access_str_off out of range", false, BODY(17), 4, 0xffff, -EINVAL,
		  "access string" },
		{ "big-endian kind 13", true, BODY(22), 4, 13, -EINVAL, "relo #1" },
		{ "core_relo off unaligned", false, 24, 4, 50, -EINVAL, "core_relo" },
		{ "core_relo past the end", false, 28, 4, 72, -EINVAL, "core_relo" },
		{ "core_relo off past the end", false, 24, 4, 0xfffffff0, -EINVAL, "core_relo" },
		{ "line_info without groups", false, 20, 4, 4, -EINVAL, "line_info" },
		{ "func_info past the end", false, 12, 4, 0xffffffff, -EINVAL, "func_info" },
	};

	return cr_make_param_array(struct xcase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct xcase *c, core_ext, rejected)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	size_t n = ext_valid(buf, &s, c->be);

	if (c->width == 1)
		buf[c->off] = (u8)c->val;
	else
		put32(buf + c->off, c->val, c->be);
	cr_assert(eq(int, ext_parse(local, buf, n, &obj), c->err), "%s: %s", c->what,
		  diag_last());
	assert_one_ext_line(c->what, c->place);
	xfree(obj.relos);
	btf_free(local);
}

/*
 * A .BTF.ext that is only a header is an error (libbpf: "BTF.ext has no data", §2.1).
 * PRODUCT BUG (reported): core_btf_ext_parse() accepts it (0 relocations).
 */
Test(core_ext, header_only)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	const u32 hdr[7] = { 32, 0, 0, 0, 0, 0, 0 };
	u8 buf[EXT_SIZE];
	size_t n = ext_write(buf, hdr, NULL, 0, false);

	cr_assert(eq(sz, n, 32));
	cr_assert(eq(int, ext_parse(local, buf, n, &obj), -EINVAL), "%s", diag_last());
	assert_one_ext_line("header only (32)", NULL);
	xfree(obj.relos);
	/* the same with a 24-byte header */
	diag_reset();
	put32(buf + 4, 24, false);
	cr_assert(eq(int, ext_parse(local, buf, 24, &obj), -EINVAL), "%s", diag_last());
	assert_one_ext_line("header only (24)", NULL);
	xfree(obj.relos);
	btf_free(local);
}

/* Every proper prefix of a valid blob is rejected with one line, in both byte orders. */
Test(core_ext, truncated_at_every_length)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	size_t n, len;
	int be;

	for (be = 0; be <= 1; be++) {
		n = ext_valid(buf, &s, be);
		for (len = 0; len < n; len++) {
			diag_reset();
			cr_assert(eq(int, ext_parse(local, buf, len, &obj), -EINVAL),
				  "be=%d len=%zu: %s", be, len, diag_last());
			cr_assert(eq(int, diag_lines(), 1), "be=%d len=%zu: %d lines", be, len,
				  diag_lines());
			cr_assert(strstr(diag_last(), EXT_OBJ) != NULL, "%s", diag_last());
			xfree(obj.relos);
		}
	}
	btf_free(local);
}

/*
 * Every single-byte corruption (three patterns per byte) either parses or
 * fails with exactly one line; never a crash or an out-of-bounds read
 * (the parse runs on an exactly-sized heap copy, see ext_parse()).
 */
Test(core_ext, single_byte_corruptions)
{
	static const u8 pats[] = { 0x01, 0x80, 0xff };
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE], bad[EXT_SIZE];
	size_t n, i, p;
	int be, err;

	for (be = 0; be <= 1; be++) {
		n = ext_valid(buf, &s, be);
		for (i = 0; i < n; i++) {
			for (p = 0; p < ARRAY_SIZE(pats); p++) {
				memcpy(bad, buf, n);
				bad[i] ^= pats[p];
				diag_reset();
				err = ext_parse(local, bad, n, &obj);
				if (err)
					cr_assert(eq(int, diag_lines(), 1), "byte %zu ^ 0x%02x: %d lines",
						  i, pats[p], diag_lines());
				else
					cr_assert(obj.nr_relos <= 3);
				xfree(obj.relos);
			}
		}
	}
	btf_free(local);
}

/* ---- allocation failures ---------------------------------------------- */

/*
 * A target that exercises every marking path:
 *   [1] int  [2] long  [3] struct s (8) { x; y; }  [4] struct s (12) { x; y; z; }
 *   [5] PTR -> 4  [6] typedef sp_t -> 5  [7] enum color { RED, GREEN }
 *   [8] struct node (16) { int val; struct node *next@64; }  [9] PTR -> 8
 *   [10] fwd fwd  [11] PTR -> 10  [12] FUNC_PROTO int (a: [11])  [13] PTR -> 12
 *   [14] typedef cb_t -> 13  [15] struct big (24) { struct node n; cb_t cb@128; }
 */
static struct btf *fi_target(struct tb *t)
{
	tb_init(t);
	tb_int(t, "int", 4, true);
	tb_int(t, "long", 8, true);
	tb_struct(t, "s", 8);
	tb_member(t, "x", 1, 0);
	tb_member(t, "y", 1, 32);
	tb_struct(t, "s", 12);
	tb_member(t, "x", 1, 0);
	tb_member(t, "y", 1, 32);
	tb_member(t, "z", 1, 64);
	tb_ptr(t, 4);
	tb_typedef(t, "sp_t", 5);
	tb_enum(t, "color", 4, false);
	tb_enumval(t, "RED", 0);
	tb_enumval(t, "GREEN", 1);
	tb_struct(t, "node", 16);
	tb_member(t, "val", 1, 0);
	tb_member(t, "next", 9, 64);
	tb_ptr(t, 8);
	tb_fwd(t, "fwd", false);
	tb_ptr(t, 10);
	tb_proto(t, 1);
	tb_param(t, "a", 11);
	tb_ptr(t, 12);
	tb_typedef(t, "cb_t", 13);
	tb_struct(t, "big", 24);
	tb_member(t, "n", 8, 0);
	tb_member(t, "cb", 14, 128);
	return tb_parse(t, "target");
}

/*
 * local: [1] int [2] struct s { x; y; z; } [3] enum color { GREEN } [4] fwd fwd
 *        [5] PTR -> 4 [6] FUNC_PROTO int (a: [5]) [7] PTR -> 6 [8] typedef cb_t -> 7
 *        [9] struct node { val; next } [10] PTR -> 9 [11] struct big { n; cb }
 *        [12] PTR -> 2 [13] typedef sp_t -> 12
 */
static struct core_obj *fi_obj(const char *name)
{
	static const struct tb_relo r[] = {
		{ 2, "0:0", BPF_CORE_FIELD_BYTE_OFFSET },	/* both s match */
		{ 2, "0:2", BPF_CORE_FIELD_BYTE_OFFSET },	/* prunes to s#4 */
		{ 3, "0", BPF_CORE_ENUMVAL_VALUE },
		{ 8, "0", BPF_CORE_TYPE_EXISTS },		/* reaches the FWD */
		{ 11, "0", BPF_CORE_TYPE_MATCHES },		/* closure */
		{ 13, "0", BPF_CORE_TYPE_SIZE },
		{ 2, "0", BPF_CORE_TYPE_ID_LOCAL },
	};
	struct tb lb;
	struct core_obj *obj;

	tb_init(&lb);
	tb_int(&lb, "int", 4, true);
	tb_struct(&lb, "s", 12);
	tb_member(&lb, "x", 1, 0);
	tb_member(&lb, "y", 1, 32);
	tb_member(&lb, "z", 1, 64);
	tb_enum(&lb, "color", 4, false);
	tb_enumval(&lb, "GREEN", 0);
	tb_fwd(&lb, "fwd", false);
	tb_ptr(&lb, 4);
	tb_proto(&lb, 1);
	tb_param(&lb, "a", 5);
	tb_ptr(&lb, 6);
	tb_typedef(&lb, "cb_t", 7);
	tb_struct(&lb, "node", 16);
	tb_member(&lb, "val", 1, 0);
	tb_member(&lb, "next", 10, 64);
	tb_ptr(&lb, 9);
	tb_struct(&lb, "big", 24);
	tb_member(&lb, "n", 9, 0);
	tb_member(&lb, "cb", 8, 128);
	tb_ptr(&lb, 2);
	tb_typedef(&lb, "sp_t", 12);
	obj = tb_obj(&lb, name, r, ARRAY_SIZE(r));
	tb_free(&lb);
	return obj;
}

/* A core_min with two copies of the object queued, ready to run. */
static struct core_min *fi_min(const struct btf *targ)
{
	struct core_min *m;

	cr_assert(eq(int, core_min_new(targ, NULL, &m), 0));
	cr_assert(eq(int, core_min_add_obj(m, fi_obj("a.bpf.o")), 0));
	cr_assert(eq(int, core_min_add_obj(m, fi_obj("b.bpf.o")), 0));
	return m;
}

/* Reference output without failures, and a sanity check of what it holds. */
static void *fi_reference(const struct btf *targ, size_t *size)
{
	struct core_min *m = fi_min(targ);
	void *out;

	cr_assert(eq(int, core_min_run(m), 0), "%s", diag_last());
	cr_assert(eq(int, core_min_emit(m, &out, size), 0), "%s", diag_last());
	/* everything but long [2] is kept: 14 types */
	cr_assert(eq(u32, core_min_get_stats(m)->nr_out_types, 14));
	cr_assert(eq(u32, core_min_get_stats(m)->nr_relos, 14));
	core_min_free(m);
	return out;
}

/*
 * Fail the Nth product allocation inside core_min_run + core_min_emit for
 * N = 1, 2, ... until the pair succeeds: every failing N must return
 * -ENOMEM with one line, leak nothing and crash nowhere; the first N that
 * doesn't fail must give the reference bytes.
 * PRODUCT BUG (reported): when btf_writer_add_member() fails with -ENOMEM,
 * emit_composite() prints "member ... can't be emitted" and core_min_emit()
 * then prints "out of memory": two lines.
 */
Test(core_ext, alloc_failures_in_run_and_emit)
{
	struct tb t;
	struct btf *targ = fi_target(&t);
	size_t ref_size, size;
	void *ref = fi_reference(targ, &ref_size), *out;
	unsigned long n, left;
	int err, bad_lines = 0;
	char bad[2048] = "";

	for (n = 1;; n++) {
		struct core_min *m = fi_min(targ);

		diag_reset();
		out = NULL;
		util_alloc_fail_at = n;
		err = core_min_run(m);
		if (!err)
			err = core_min_emit(m, &out, &size);
		left = util_alloc_fail_at;
		util_alloc_fail_at = 0;
		core_min_free(m);
		if (left) {
			/* the countdown didn't reach 0: nothing failed */
			cr_assert(eq(int, err, 0), "n=%lu: %s", n, diag_last());
			assert_same_bytes(out, size, ref, ref_size);
			free(out);
			break;
		}
		cr_assert(eq(int, err, -ENOMEM), "allocation #%lu failed but the result is %d (%s)",
			  n, err, diag_last());
		cr_assert(out == NULL);
		/* checked after the loop, so every N still gets the -ENOMEM/leak checks */
		if (diag_lines() != 1 && !bad_lines++)
			snprintf(bad, sizeof(bad), "n=%lu: %d lines (first: %.400s) (last: %.400s)", n,
				 diag_lines(), diag_cap()->first, diag_last());
		cr_assert(n < 100000);
	}
	cr_assert(n > 1, "no allocation at all?");
	cr_expect(eq(int, bad_lines, 0), "%d failing allocations printed other than one line; %s",
		  bad_lines, bad);
	free(ref);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}

/* The same, with core_min_new and core_min_add_obj inside the failure window too. */
Test(core_ext, alloc_failures_in_whole_pipeline)
{
	struct tb t;
	struct btf *targ = fi_target(&t);
	size_t ref_size, size;
	void *ref = fi_reference(targ, &ref_size), *out;
	unsigned long n, left;
	int err;

	for (n = 1;; n++) {
		struct core_obj *a = fi_obj("a.bpf.o"), *b = fi_obj("b.bpf.o");
		struct core_min *m = NULL;

		diag_reset();
		out = NULL;
		util_alloc_fail_at = n;
		err = core_min_new(targ, NULL, &m);
		if (err) {
			core_obj_free(a);
			core_obj_free(b);
		} else {
			err = core_min_add_obj(m, a);
			if (err)
				core_obj_free(b);
			else
				err = core_min_add_obj(m, b);
			if (!err)
				err = core_min_run(m);
			if (!err)
				err = core_min_emit(m, &out, &size);
		}
		left = util_alloc_fail_at;
		util_alloc_fail_at = 0;
		core_min_free(m);
		if (left) {
			cr_assert(eq(int, err, 0), "n=%lu: %s", n, diag_last());
			assert_same_bytes(out, size, ref, ref_size);
			free(out);
			break;
		}
		cr_assert(eq(int, err, -ENOMEM), "allocation #%lu failed but the result is %d (%s)",
			  n, err, diag_last());
		cr_assert(out == NULL);
		cr_assert(n < 100000);
	}
	free(ref);
	btf_free(targ);
	tb_free(&t);
	assert_no_leaks();
}

/* core_btf_ext_parse under allocation failures: -ENOMEM, one line, no leak. */
Test(core_ext, alloc_failures_in_ext_parse)
{
	struct ext_strs s;
	struct btf *local = ext_local(&s);
	struct core_obj obj;
	u8 buf[EXT_SIZE];
	size_t len = ext_valid(buf, &s, false);
	unsigned long n, left;
	int err;

	for (n = 1;; n++) {
		diag_reset();
		util_alloc_fail_at = n;
		err = ext_parse(local, buf, len, &obj);
		left = util_alloc_fail_at;
		util_alloc_fail_at = 0;
		if (left) {
			cr_assert(eq(int, err, 0));
			check_valid_relos(&obj, &s);
			xfree(obj.relos);
			break;
		}
		cr_assert(eq(int, err, -ENOMEM), "n=%lu: %d", n, err);
		cr_assert(eq(int, diag_lines(), 1), "n=%lu: %d lines", n, diag_lines());
		xfree(obj.relos);
		cr_assert(n < 1000);
	}
	btf_free(local);
	assert_no_leaks();
}
