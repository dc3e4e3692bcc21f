// SPDX-License-Identifier: MIT
/*
 * test_btf_write.c - unit tests for btf/btf_write.c, the append-only writer.
 *
 * Expected outputs are written out here by hand from the semantics the
 * writer mirrors (libbpf btf__new_empty() + btf__add_*() + btf__raw_data()):
 *
 *   - a 24-byte header (type_off 0, str_off = type_len), then the types,
 *     then the strings, in host byte order (or swapped on request);
 *   - "" at string offset 0, every other string appended at its first use
 *     and de-duplicated after that;
 *   - kflag of a composite set only once a bitfield member (0 < size <= 255,
 *     offset <= 0xffffff) is added; union members at offset 0 only; an
 *     unaligned member without a size is invalid;
 *   - btf_writer_add_type() copies a record and re-interns every string it
 *     names (type name, member, enumerator and parameter names).
 *
 * Byte arrays are compared with memcmp and, when they differ, the first
 * differing offset is reported. Dumps come from btf_parse() + btf_dump_raw().
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "helpers.h"
#include "util/util.h"

static void setup(void)
{
	diag_capture_begin();
}

static void teardown(void)
{
	diag_capture_end();
	util_alloc_fail_at = 0;
}

TestSuite(btf_write, .init = setup, .fini = teardown, .timeout = 60);

/* ---- expected-bytes builder ------------------------------------------- */

struct bytes {
	u8 b[1024];
	size_t len;
};

static void by_put(struct bytes *x, const void *p, size_t n)
{
	cr_assert(x->len + n <= sizeof(x->b));
	memcpy(x->b + x->len, p, n);
	x->len += n;
}

/*
 * Header + @nw type words + @str_len string bytes (host order): the raw BTF
 * the writer must produce, or a source blob for btf_parse().
 */
static void by_btf(struct bytes *x, const u32 *words, size_t nw, const char *strs,
		   size_t str_len)
{
	u16 magic = 0xeb9f;
	u8 version = 1, flags = 0;
	u32 hdr[5] = { 24, 0, (u32)(nw * 4), (u32)(nw * 4), (u32)str_len };

	x->len = 0;
	by_put(x, &magic, 2);
	by_put(x, &version, 1);
	by_put(x, &flags, 1);
	by_put(x, hdr, sizeof(hdr));
	by_put(x, words, nw * 4);
	by_put(x, strs, str_len);
}

static u32 get_u32_at(const u8 *p, size_t off)
{
	u32 v;

	memcpy(&v, p + off, 4);
	return v;
}

static void put_u32_at(u8 *p, size_t off, u32 v)
{
	memcpy(p + off, &v, 4);
}

/* memcmp with a useful message. */
static void assert_same_bytes(const void *got, size_t got_len, const void *want, size_t want_len,
			      const char *what)
{
	const u8 *g = got, *w = want;
	size_t i;

	for (i = 0; i < got_len && i < want_len; i++)
		if (g[i] != w[i])
			cr_fatal("%s: byte %zu is 0x%02x, want 0x%02x", what, i, g[i], w[i]);
	cr_assert(eq(sz, got_len, want_len), "%s: size", what);
}

/* ---- helpers ---------------------------------------------------------- */

static struct btf *parse_ok(const void *data, size_t size, const char *name)
{
	struct btf *btf;
	int err = btf_parse(data, size, name, &btf);

	cr_assert(eq(int, err, 0), "%s: btf_parse = %d: %s", name, err, diag_last());
	return btf;
}

/* finish() the writer and return its bytes (caller frees). */
static void *finish(struct btf_writer *w, bool swap, size_t *size)
{
	void *out = NULL;

	cr_assert(eq(int, btf_writer_finish(w, swap, &out, size), 0));
	cr_assert(out != NULL);
	return out;
}

/* Dump of the writer's current output. */
static char *writer_dump(struct btf_writer *w)
{
	size_t size;
	void *out = finish(w, false, &size);
	struct btf *btf = parse_ok(out, size, "writer output");
	char *text = dump_btf(btf);

	cr_assert(text != NULL);
	btf_free(btf);
	xfree(out);
	return text;
}

static u32 info_of(struct btf_writer *w, u32 id)
{
	struct btf_type *t = btf_writer_type(w, id);

	cr_assert(t != NULL, "no type [%u]", id);
	return t->info;
}

/*
 * A source BTF whose string section is scrambled: strings in an order
 * unrelated to their use, plus one nobody uses ("junk").
 *
 *   [1] INT 'int' size 4 SIGNED 32
 *   [2] ENUM 'en' size 4: 'A'=1 'B'=2
 *   [3] FUNC_PROTO ret [1]: 'p' [1], 'A' [2]
 *   [4] FUNC 'fp' [3] global
 *   [5] ENUM64 'e64u' size 8: 'C'=1<<32 'D'=5
 *   [6] STRUCT 'en' size 4: 'int' [1] at 0
 */
static const char src_strs[] = "\0junk\0D\0C\0e64u\0p\0B\0A\0en\0int\0fp";	/* + final NUL */
/*                               0 1     6  8  10    15 17 19 21  24   28 */
static const u32 src_words[] = {
	24, 0x01000000, 4, 0x01000020,
	21, 0x06000002, 4, 19, 1, 17, 2,
	0, 0x0d000002, 1, 15, 1, 19, 2,
	28, 0x0c000001, 3,
	10, 0x13000002, 8, 8, 0, 1, 6, 5, 0,
	21, 0x04000001, 4, 24, 1, 0,
};

#define SRC_NR_TYPES 7u

static const char SRC_DUMP[] =
	"[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	"[2] ENUM 'en' encoding=UNSIGNED size=4 vlen=2\n"
	"\t'A' val=1\n"
	"\t'B' val=2\n"
	"[3] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n"
	"\t'p' type_id=1\n"
	"\t'A' type_id=2\n"
	"[4] FUNC 'fp' type_id=3 linkage=global\n"
	"[5] ENUM64 'e64u' encoding=UNSIGNED size=8 vlen=2\n"
	"\t'C' val=4294967296ULL\n"
	"\t'D' val=5ULL\n"
	"[6] STRUCT 'en' size=4 vlen=1\n"
	"\t'int' type_id=1 bits_offset=0\n";

static struct btf *src_btf(void)
{
	struct bytes x;

	by_btf(&x, src_words, ARRAY_SIZE(src_words), src_strs, sizeof(src_strs));
	return parse_ok(x.b, x.len, "src");
}

/* ---- basics ----------------------------------------------------------- */

Test(btf_write, empty_writer)
{
	static const u32 none[1];
	struct btf_writer *w = btf_writer_new();
	struct bytes want;
	size_t size;
	void *out;

	cr_assert(w != NULL);
	cr_assert(eq(u32, btf_writer_nr_types(w), 1));	/* void */
	cr_assert(btf_writer_type(w, 0) == NULL);
	cr_assert(btf_writer_type(w, 1) == NULL);
	out = finish(w, false, &size);
	by_btf(&want, none, 0, "", 1);
	assert_same_bytes(out, size, want.b, want.len, "empty");
	cr_assert(eq(sz, size, 25));
	xfree(out);
	btf_writer_free(w);
	btf_writer_free(NULL);
	assert_no_leaks();
}

Test(btf_write, struct_and_union_bytes)
{
	/*
	 * add_type(int); STRUCT 'foo' {a@0, b@32}; UNION 'foo' {a, (anon) [2]}
	 * strings: "" int foo a b  ->  0, 1, 5, 9, 11 (13 bytes)
	 */
	static const char want_strs[] = "\0int\0foo\0a\0b";
	static const u32 want_words[] = {
		1, 0x01000000, 4, 0x01000020,
		5, 0x04000002, 8, 9, 1, 0, 11, 1, 32,
		5, 0x05000002, 4, 9, 1, 0, 0, 2, 0,
	};
	static const char want_dump[] =
		"[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
		"[2] STRUCT 'foo' size=8 vlen=2\n"
		"\t'a' type_id=1 bits_offset=0\n"
		"\t'b' type_id=1 bits_offset=32\n"
		"[3] UNION 'foo' size=4 vlen=2\n"
		"\t'a' type_id=1 bits_offset=0\n"
		"\t'(anon)' type_id=2 bits_offset=0\n";
	struct btf *src = src_btf();
	struct btf_writer *w = btf_writer_new();
	struct bytes want;
	size_t size;
	void *out;
	char *text;

	cr_assert(w != NULL);
	cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, 1)), 1));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "foo", 8), 2));
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "b", 1, 32, 0), 0));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_UNION, "foo", 4), 3));
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_add_member(w, NULL, 2, 0, 0), 0));
	cr_assert(eq(u32, btf_writer_nr_types(w), 4));

	out = finish(w, false, &size);
	by_btf(&want, want_words, ARRAY_SIZE(want_words), want_strs, sizeof(want_strs));
	assert_same_bytes(out, size, want.b, want.len, "struct+union");
	xfree(out);
	text = writer_dump(w);
	assert_same_text(text, want_dump, "struct+union");
	free(text);
	btf_writer_free(w);
	btf_free(src);
	assert_no_leaks();
}

Test(btf_write, empty_and_null_names_are_offset_zero)
{
	static const char want_strs[] = "\0x";
	static const u32 want_words[] = {
		0, 0x04000002, 4, 1, 1, 0, 0, 1, 0,
		0, 0x05000000, 0,
	};
	struct btf_writer *w = btf_writer_new();
	struct bytes want;
	size_t size;
	void *out;

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "", 4), 1));
	cr_assert(eq(int, btf_writer_add_member(w, "x", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_UNION, NULL, 0), 2));
	out = finish(w, false, &size);
	by_btf(&want, want_words, ARRAY_SIZE(want_words), want_strs, sizeof(want_strs));
	assert_same_bytes(out, size, want.b, want.len, "anonymous");
	xfree(out);
	btf_writer_free(w);
	assert_no_leaks();
}

/* ---- bitfields and kflag ---------------------------------------------- */

Test(btf_write, kflag_only_once_a_bitfield_is_added)
{
	static const char want_dump[] =
		"[1] STRUCT 'bf' size=8 vlen=5\n"
		"\t'x' type_id=1 bits_offset=0\n"
		"\t'y' type_id=1 bits_offset=3 bitfield_size=5\n"
		"\t'z' type_id=1 bits_offset=8\n"
		"\t'w' type_id=1 bits_offset=16 bitfield_size=8\n"
		"\t'm' type_id=1 bits_offset=16777215 bitfield_size=255\n";
	/* strings: "" bf x y z w m -> 0 1 4 6 8 10 12 */
	static const u32 want_members[] = {
		4, 1, 0,
		6, 1, 5u << 24 | 3,
		8, 1, 8,
		10, 1, 8u << 24 | 16,
		12, 1, 0xffffffff,
	};
	struct btf_writer *w = btf_writer_new();
	struct btf_type *t;
	char *text;

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "bf", 8), 1));
	cr_assert(eq(u32, info_of(w, 1), 0x04000000));
	cr_assert(eq(int, btf_writer_add_member(w, "x", 1, 0, 0), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x04000001), "aligned member: no kflag");
	cr_assert(eq(int, btf_writer_add_member(w, "y", 1, 3, 5), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x84000002), "bitfield: kflag");
	cr_assert(eq(int, btf_writer_add_member(w, "z", 1, 8, 0), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x84000003), "kflag stays");
	cr_assert(eq(int, btf_writer_add_member(w, "w", 1, 16, 8), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "m", 1, 0xffffff, 255), 0));	/* limits */
	t = btf_writer_type(w, 1);
	cr_assert(memcmp(t + 1, want_members, sizeof(want_members)) == 0);
	text = writer_dump(w);
	/* the members name type [1], which is the struct itself: fine for the dump */
	assert_same_text(text, want_dump, "bitfields");
	free(text);
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, aligned_members_never_set_kflag)
{
	struct btf_writer *w = btf_writer_new();

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "s", 0x400000), 1));
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 8, 0), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "b", 1, 64, 0), 0));
	/* beyond 24 bits but aligned and not a bitfield: stored as is (libbpf) */
	cr_assert(eq(int, btf_writer_add_member(w, "c", 1, 0x1000000, 0), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x04000003));
	cr_assert(eq(u32, btf_members(btf_writer_type(w, 1))[2].offset, 0x1000000));
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, invalid_members_are_refused_and_change_nothing)
{
	struct btf_writer *w = btf_writer_new();
	size_t size, size2;
	void *before, *after;

	/* no composite to add to */
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 0, 0), -EINVAL));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, "a", 1, 0), -EINVAL));
	/* only STRUCT and UNION */
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_INT, "i", 4), -EINVAL));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_ENUM, "e", 4), -EINVAL));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_FWD, "f", 0), -EINVAL));
	cr_assert(eq(u32, btf_writer_nr_types(w), 1));

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "s", 8), 1));
	cr_assert(eq(int, btf_writer_add_member(w, "ok", 1, 0, 0), 0));
	before = finish(w, false, &size);
	/* unaligned without a size */
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 5, 0), -EINVAL));
	/* size out of 1..255 */
	cr_assert(eq(int, btf_writer_add_member(w, "b", 1, 8, 256), -EINVAL));
	cr_assert(eq(int, btf_writer_add_member(w, "c", 1, 9, 0x1000), -EINVAL));
	/* bitfield offset beyond 24 bits */
	cr_assert(eq(int, btf_writer_add_member(w, "d", 1, 0x1000000, 1), -EINVAL));
	cr_assert(eq(int, btf_writer_add_member(w, "e", 1, 0xffffffff, 3), -EINVAL));
	after = finish(w, false, &size2);
	assert_same_bytes(after, size2, before, size, "after refused members");
	cr_assert(eq(u32, info_of(w, 1), 0x04000001));
	xfree(before);
	xfree(after);
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, union_members_at_offset_zero_only)
{
	struct btf_writer *w = btf_writer_new();

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_UNION, "u", 8), 1));
	cr_assert(eq(int, btf_writer_add_member(w, "a", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "b", 1, 8, 0), -EINVAL));
	cr_assert(eq(int, btf_writer_add_member(w, "c", 1, 32, 4), -EINVAL));
	cr_assert(eq(u32, info_of(w, 1), 0x05000001));
	/* a bitfield at offset 0 is fine, and sets kflag */
	cr_assert(eq(int, btf_writer_add_member(w, "d", 1, 0, 3), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x85000002));
	cr_assert(eq(u32, btf_members(btf_writer_type(w, 1))[1].offset, 3u << 24));
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, members_go_to_the_last_composite_only)
{
	struct btf *src = src_btf();
	struct btf_writer *w = btf_writer_new();

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "s", 4), 1));
	cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, 1)), 2));
	/* the composite is closed by any later type */
	cr_assert(eq(int, btf_writer_add_member(w, "a", 2, 0, 0), -EINVAL));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, "a", 2, 0), -EINVAL));
	/* a STRUCT copied with add_type is not open either */
	cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, 6)), 3));
	cr_assert(eq(int, btf_writer_add_member(w, "a", 2, 0, 0), -EINVAL));
	cr_assert(eq(u32, btf_vlen(btf_writer_type(w, 1)), 0));
	cr_assert(eq(u32, btf_vlen(btf_writer_type(w, 3)), 1));
	btf_writer_free(w);
	btf_free(src);
	assert_no_leaks();
}

Test(btf_write, legacy_members)
{
	static const char want_dump[] =
		"[1] STRUCT 'lg' size=4 vlen=3\n"
		"\t'a' type_id=1 bits_offset=3\n"
		"\t'b' type_id=1 bits_offset=8\n"
		"\t'c' type_id=1 bits_offset=13\n"
		"[2] STRUCT 'k' size=4 vlen=1\n"
		"\t'x' type_id=1 bits_offset=0 bitfield_size=2\n";
	struct btf_writer *w = btf_writer_new();
	char *text;

	/* kflag 0, unaligned offsets kept verbatim (the INT carries the width) */
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "lg", 4), 1));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, "a", 1, 3), 0));
	cr_assert(eq(int, btf_writer_add_member(w, "b", 1, 8, 0), 0));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, "c", 1, 13), 0));
	cr_assert(eq(u32, info_of(w, 1), 0x04000003));
	/* a kflag=1 composite refuses legacy members */
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "k", 4), 2));
	cr_assert(eq(int, btf_writer_add_member(w, "x", 1, 0, 2), 0));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, "y", 1, 2), -EINVAL));
	cr_assert(eq(u32, info_of(w, 2), 0x84000001));
	text = writer_dump(w);
	assert_same_text(text, want_dump, "legacy");
	free(text);
	btf_writer_free(w);
	assert_no_leaks();
}

/* ---- copying types ---------------------------------------------------- */

/*
 * Copying [1]..[6] of the scrambled source re-interns every string in use
 * order: "" int en A B p fp e64u C D (the unused "junk" is gone), at
 * offsets 0 1 5 8 10 12 14 17 22 24.
 */
static const char copied_strs[] = "\0int\0en\0A\0B\0p\0fp\0e64u\0C\0D";
static const u32 copied_words[] = {
	1, 0x01000000, 4, 0x01000020,
	5, 0x06000002, 4, 8, 1, 10, 2,
	0, 0x0d000002, 1, 12, 1, 8, 2,
	14, 0x0c000001, 3,
	17, 0x13000002, 8, 22, 0, 1, 24, 5, 0,
	5, 0x04000001, 4, 1, 1, 0,
};

Test(btf_write, add_type_reinterns_every_string)
{
	struct btf *src = src_btf();
	struct btf_writer *w = btf_writer_new();
	struct bytes want;
	char *text;
	size_t size;
	void *out;
	u32 id;

	text = dump_btf(src);
	assert_same_text(text, SRC_DUMP, "source");
	free(text);
	for (id = 1; id < SRC_NR_TYPES; id++)
		cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, id)), (int)id));
	out = finish(w, false, &size);
	by_btf(&want, copied_words, ARRAY_SIZE(copied_words), copied_strs, sizeof(copied_strs));
	assert_same_bytes(out, size, want.b, want.len, "copied");
	xfree(out);
	text = writer_dump(w);
	assert_same_text(text, SRC_DUMP, "copied");
	free(text);
	btf_writer_free(w);
	btf_free(src);
	assert_no_leaks();
}

Test(btf_write, add_type_copies_every_kind)
{
	size_t size, raw_size, out_size;
	u8 *data = read_file("tests/fixtures/btf/all_kinds.btf", &size);
	char *want = read_file("tests/fixtures/btf/all_kinds.raw", &raw_size), *text, *p;
	struct btf_writer *w = btf_writer_new();
	struct btf *src;
	u8 *out;
	u32 id;

	cr_assert(data != NULL && want != NULL, "missing tests/fixtures/btf/all_kinds.*");
	src = parse_ok(data, size, "all_kinds");
	for (id = 1; id < src->nr_types; id++)
		cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, id)), (int)id));
	out = finish(w, false, &out_size);
	/*
	 * The fixture's strings are in first-use order without duplicates, so
	 * the output is the input byte for byte, except [38], whose name_off 4
	 * points at an empty string: re-interned, that is offset 0.
	 */
	cr_assert(eq(u32, get_u32_at(data, 24 + src->type_offs[38]), 4));
	put_u32_at(data, 24 + src->type_offs[38], 0);
	assert_same_bytes(out, out_size, data, size, "all_kinds copy");
	text = writer_dump(w);
	p = strstr(want, "[38] INT ''");
	cr_assert(p != NULL);
	{
		/* same text with [38] shown as '(anon)' */
		size_t head = (size_t)(p - want);
		char *exp = malloc(raw_size + 16);

		cr_assert(exp != NULL);
		memcpy(exp, want, head);
		sprintf(exp + head, "[38] INT '(anon)'%s", p + strlen("[38] INT ''"));
		assert_same_text(text, exp, "all_kinds copy");
		free(exp);
	}
	free(text);
	xfree(out);
	btf_writer_free(w);
	btf_free(src);
	free(data);
	free(want);
	assert_no_leaks();
}

/* ---- byte order ------------------------------------------------------- */

Test(btf_write, swapped_output_parses_back)
{
	struct btf *src = src_btf(), *back;
	struct btf_writer *w = btf_writer_new();
	size_t size, ssize;
	u8 *native, *swapped;
	char *text;
	u32 id;

	for (id = 1; id < SRC_NR_TYPES; id++)
		cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, id)), (int)id));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "bf", 8), 7));
	cr_assert(eq(int, btf_writer_add_member(w, "x", 1, 3, 5), 0));
	native = finish(w, false, &size);
	swapped = finish(w, true, &ssize);
	cr_assert(eq(sz, size, ssize));
	cr_assert(swapped[0] == 0xeb && swapped[1] == 0x9f);

	/* the independent swapper turns the native output into the same bytes */
	cr_assert(eq(int, blob_swap(native, size), 0));
	assert_same_bytes(swapped, ssize, native, size, "swap=true vs test swapper");

	back = parse_ok(swapped, ssize, "swapped output");
	cr_assert(back->swapped);
	text = dump_btf(back);
	assert_same_text(text,
			 "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
			 "[2] ENUM 'en' encoding=UNSIGNED size=4 vlen=2\n"
			 "\t'A' val=1\n"
			 "\t'B' val=2\n"
			 "[3] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n"
			 "\t'p' type_id=1\n"
			 "\t'A' type_id=2\n"
			 "[4] FUNC 'fp' type_id=3 linkage=global\n"
			 "[5] ENUM64 'e64u' encoding=UNSIGNED size=8 vlen=2\n"
			 "\t'C' val=4294967296ULL\n"
			 "\t'D' val=5ULL\n"
			 "[6] STRUCT 'en' size=4 vlen=1\n"
			 "\t'int' type_id=1 bits_offset=0\n"
			 "[7] STRUCT 'bf' size=8 vlen=1\n"
			 "\t'x' type_id=1 bits_offset=3 bitfield_size=5\n",
			 "swapped output");
	free(text);
	btf_free(back);
	/* finishing doesn't disturb the writer */
	text = writer_dump(w);
	cr_assert(strstr(text, "[7] STRUCT 'bf'") != NULL);
	free(text);
	xfree(native);
	xfree(swapped);
	btf_writer_free(w);
	btf_free(src);
	assert_no_leaks();
}

Test(btf_write, swapped_copy_of_every_kind)
{
	size_t size, out_size;
	u8 *data = read_file("tests/fixtures/btf/all_kinds.btf", &size);
	struct btf_writer *w = btf_writer_new();
	struct btf *src, *back;
	char *want, *got;
	void *out;
	u32 id;

	cr_assert(data != NULL);
	src = parse_ok(data, size, "all_kinds");
	for (id = 1; id < src->nr_types; id++)
		cr_assert(eq(int, btf_writer_add_type(w, src, btf_type_by_id(src, id)), (int)id));
	want = writer_dump(w);
	out = finish(w, true, &out_size);
	back = parse_ok(out, out_size, "swapped all_kinds");
	cr_assert(back->swapped);
	got = dump_btf(back);
	assert_same_text(got, want, "swapped all_kinds");
	free(got);
	free(want);
	btf_free(back);
	xfree(out);
	btf_writer_free(w);
	btf_free(src);
	free(data);
	assert_no_leaks();
}

/* ---- limits ----------------------------------------------------------- */

Test(btf_write, vlen_limit)
{
	struct btf_writer *w = btf_writer_new();
	u32 i;

	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "big", 0xffff * 4), 1));
	for (i = 0; i < 0xffff; i++)
		if (btf_writer_add_member(w, NULL, 0, i * 32, 0))
			cr_fatal("member %u refused", i);
	cr_assert(eq(u32, btf_vlen(btf_writer_type(w, 1)), 0xffff));
	cr_assert(eq(int, btf_writer_add_member(w, NULL, 0, 0, 0), -E2BIG));
	cr_assert(eq(int, btf_writer_add_member_legacy(w, NULL, 0, 0), -E2BIG));
	cr_assert(eq(u32, btf_vlen(btf_writer_type(w, 1)), 0xffff));
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, type_count_limit)
{
	struct btf_writer *w = btf_writer_new();
	u32 i;

	/* ids up to BTF_MAX_TYPE (0xfffff), what the kernel accepts */
	for (i = 1; i <= BTF_MAX_TYPE; i++)
		if (btf_writer_add_composite(w, BTF_KIND_STRUCT, NULL, 0) != (int)i)
			cr_fatal("type [%u] refused", i);
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_UNION, NULL, 0), -E2BIG));
	cr_assert(eq(u32, btf_writer_nr_types(w), BTF_MAX_TYPE + 1));
	/* the last one is still open for members */
	cr_assert(eq(int, btf_writer_add_member(w, NULL, 0, 0, 0), 0));
	btf_writer_free(w);
	assert_no_leaks();
}

Test(btf_write, string_bytes_limit)
{
	/* 1 MiB strings (with their NUL); offsets must stay <= 0xffffff */
	const size_t n = (1u << 20) - 1;
	struct btf_writer *w = btf_writer_new();
	char *s = malloc(n + 1);
	size_t size;
	void *out;
	u32 i;

	cr_assert(s != NULL);
	memset(s, 'a', n);
	s[n] = '\0';
	/* "" + 15 strings = 0xf00001 bytes; a 16th would end past 0x1000000 */
	for (i = 0; i < 15; i++) {
		s[0] = (char)('A' + i);
		cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, s, 0), (int)i + 1));
	}
	s[0] = 'z';
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, s, 0), -E2BIG));
	cr_assert(eq(int, btf_writer_add_member(w, s, 0, 0, 0), -E2BIG));
	cr_assert(eq(u32, btf_writer_nr_types(w), 16));
	cr_assert(eq(u32, btf_vlen(btf_writer_type(w, 15)), 0));
	/* known strings are still fine */
	s[0] = 'A';
	cr_assert(eq(int, btf_writer_add_member(w, s, 0, 0, 0), 0));
	out = finish(w, false, &size);
	cr_assert(eq(sz, size, 24 + 15 * 12 + 12 + 1 + 15 * (n + 1)));
	xfree(out);
	free(s);
	btf_writer_free(w);
	assert_no_leaks();
}

/*
 * Regression: strset_add() used to compare a probed candidate with
 * memcmp(cand, s, strlen(s) + 1), reading past the string buffer when the
 * candidate was shorter than @s and ended exactly at the buffer's end.
 * A 30-byte string grows the buffer to exactly its end (need 32 > 16 *
 * 1.25); then longer strings until one probes its slot (1 in 64 each with
 * 64 slots; 1000 tries make a miss vanishingly unlikely for any hash).
 * Under ASan the old code is a heap-buffer-overflow.
 */
Test(btf_write, string_lookup_never_reads_past_the_buffer)
{
	char x[31], y[64];
	int k;

	memset(x, 'x', 30);
	x[30] = '\0';
	for (k = 0; k < 1000; k++) {
		struct btf_writer *w = btf_writer_new();

		snprintf(y, sizeof(y), "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy%d", k);
		cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, x, 0), 1));
		cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, y, 0), 2));
		btf_writer_free(w);
	}
	assert_no_leaks();
}

/* ---- allocation failures ---------------------------------------------- */

/* One step of a writer run, replayable after an injected failure. */
enum op_kind { OP_TYPE, OP_COMPOSITE, OP_MEMBER, OP_LEGACY };

struct op {
	enum op_kind kind;
	u32 arg;		/* src id, composite kind, member type */
	u32 a2, a3;		/* size / bit_off, bf_size */
	const char *name;
};

static int run_op(struct btf_writer *w, const struct btf *src, const struct op *o)
{
	int r;

	switch (o->kind) {
	case OP_TYPE:
		r = btf_writer_add_type(w, src, btf_type_by_id(src, o->arg));
		return r < 0 ? r : 0;
	case OP_COMPOSITE:
		r = btf_writer_add_composite(w, o->arg, o->name, o->a2);
		return r < 0 ? r : 0;
	case OP_MEMBER:
		return btf_writer_add_member(w, o->name, o->arg, o->a2, o->a3);
	default:
		return btf_writer_add_member_legacy(w, o->name, o->arg, o->a2);
	}
}

/* Enough strings and records to grow every buffer and rehash the string set. */
static size_t make_ops(struct op *ops, size_t cap, char names[][16])
{
	size_t n = 0;
	u32 i;

	for (i = 1; i < SRC_NR_TYPES; i++)
		ops[n++] = (struct op){ .kind = OP_TYPE, .arg = i };
	for (i = 0; i < 40; i++) {
		snprintf(names[2 * i], 16, "s%u", i);
		snprintf(names[2 * i + 1], 16, "m%u", i);
		ops[n++] = (struct op){ .kind = OP_COMPOSITE, .arg = i % 2 ? BTF_KIND_UNION :
							 BTF_KIND_STRUCT, .a2 = 8, .name = names[2 * i] };
		ops[n++] = (struct op){ .kind = OP_MEMBER, .arg = 1, .name = names[2 * i + 1] };
		if (i % 2 == 0) {
			ops[n++] = (struct op){ .kind = OP_LEGACY, .arg = 1, .a2 = 35,
						.name = names[2 * i] };
			ops[n++] = (struct op){ .kind = OP_MEMBER, .arg = 1, .a2 = 40, .a3 = 3,
						.name = "bits" };
		}
		cr_assert(n + 4 < cap);
	}
	return n;
}

/* The output of the whole run with no failures. */
static void *reference_output(const struct btf *src, const struct op *ops, size_t nops,
			      size_t *size)
{
	struct btf_writer *w = btf_writer_new();
	void *out;
	size_t i;

	cr_assert(w != NULL);
	for (i = 0; i < nops; i++)
		cr_assert(eq(int, run_op(w, src, &ops[i]), 0), "op %zu", i);
	out = finish(w, false, size);
	btf_writer_free(w);
	return out;
}

Test(btf_write, allocation_failures_are_enomem_without_leaks)
{
	static struct op ops[256];
	static char names[80][16];
	struct btf *src = src_btf();
	size_t nops = make_ops(ops, ARRAY_SIZE(ops), names), ref_size;
	void *ref = reference_output(src, ops, nops, &ref_size);
	unsigned long n;
	bool done = false;

	for (n = 1; n < 10000 && !done; n++) {
		struct btf_writer *w;
		void *out = NULL;
		size_t size, i;
		int err = 0;

		util_alloc_fail_at = n;
		w = btf_writer_new();
		if (!w) {
			util_alloc_fail_at = 0;
			continue;
		}
		for (i = 0; i < nops && !err; i++)
			err = run_op(w, src, &ops[i]);
		if (!err)
			err = btf_writer_finish(w, false, &out, &size);
		util_alloc_fail_at = 0;
		if (err) {
			cr_assert(eq(int, err, -ENOMEM), "allocation %lu: op %zu: %d", n, i, err);
		} else {
			assert_same_bytes(out, size, ref, ref_size, "output after no failure");
			xfree(out);
			done = true;
		}
		btf_writer_free(w);
		assert_no_leaks();
	}
	cr_assert(done, "never succeeded");
	cr_assert(gt(ulong, n, 10), "suspiciously few allocations (%lu)", n);
	xfree(ref);
	btf_free(src);
}

/*
 * After any failed call, retrying it with allocation working again must
 * lead to exactly the reference output: a failure leaves no trace (SG-19).
 */
Test(btf_write, failed_calls_leave_no_trace)
{
	static struct op ops[256];
	static char names[80][16];
	struct btf *src = src_btf();
	size_t nops = make_ops(ops, ARRAY_SIZE(ops), names), ref_size;
	void *ref = reference_output(src, ops, nops, &ref_size);
	unsigned long n, failures = 0;
	bool clean = false;

	for (n = 1; n < 10000 && !clean; n++) {
		struct btf_writer *w = btf_writer_new();
		void *out = NULL;
		size_t size, i;
		int err;

		cr_assert(w != NULL);
		clean = true;
		for (i = 0; i < nops; i++) {
			util_alloc_fail_at = n;
			err = run_op(w, src, &ops[i]);
			util_alloc_fail_at = 0;
			if (err) {
				cr_assert(eq(int, err, -ENOMEM), "allocation %lu, op %zu", n, i);
				clean = false;
				failures++;
				cr_assert(eq(int, run_op(w, src, &ops[i]), 0), "retry of op %zu", i);
			}
		}
		util_alloc_fail_at = n;
		err = btf_writer_finish(w, false, &out, &size);
		util_alloc_fail_at = 0;
		if (err) {
			cr_assert(eq(int, err, -ENOMEM));
			clean = false;
			cr_assert(eq(int, btf_writer_finish(w, false, &out, &size), 0));
		}
		assert_same_bytes(out, size, ref, ref_size, "output after failed calls");
		xfree(out);
		btf_writer_free(w);
	}
	cr_assert(gt(ulong, failures, 10));
	xfree(ref);
	btf_free(src);
	assert_no_leaks();
}
