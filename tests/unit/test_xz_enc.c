// SPDX-License-Identifier: MIT
/*
 * test_xz_enc.c - unit tests for xz/xz_enc.c (xz_encode_stored).
 *
 * Oracles, each independent of the encoder:
 *   - our decoder (xz_decode), which verifies every header CRC, the
 *     declared sizes, the index and the CRC64;
 *   - xz(1): `xz -t`, `xz -dc` back to the input, `xz --robot -lvv` (the
 *     machine-readable listing) naming one block with both sizes in its
 *     header, the LZMA2 filter with the expected dictionary and the CRC64
 *     check with our value; for an empty input, the very bytes
 *     `xz --check=crc64` writes;
 *   - Python's lzma module (liblzma through another front end);
 *   - a walk of the layout written here from the .xz spec: exact length,
 *     block header fields, chunk control bytes 0x01 then 0x02, full 64 KiB
 *     chunks but the last, the end marker, zero padding;
 *   - a golden stream for "abc", checked by xz(1) once when it was made.
 *
 * Sizes are 0, 1, 65535, 65536, 65537, 3 * 65536 + 5 and 2 MiB + 3, each of
 * random and of repeating bytes. Tests that need xz or python3 skip, saying
 * so, when they are absent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "util/util.h"
#include "xz/xz.h"

#define CHUNK 65536
/* 2 MiB + 3: 33 chunks, dictionary byte 19 (3 MiB), 4-byte size VLIs */
static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 + 5, (2u << 20) + 3 };

enum kind { RANDOM, REPEATING, KIND__COUNT };

static void setup(void)
{
	tmp_dir_make("btfgen-xzenc");
	util_alloc_fail_at = 0;
}

static void teardown(void)
{
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(xz_enc, .init = setup, .fini = teardown, .timeout = 300);

/* ---- inputs ------------------------------------------------------------- */

/* @size bytes of @kind (malloc'd, exactly @size bytes, one for 0), reproducible. */
static u8 *make_data(enum kind kind, size_t size)
{
	static const char text[] = "struct task_struct { int pid; long state; };\n";
	u8 *d = malloc(size ? size : 1);
	u64 x = 0x9E3779B97F4A7C15ull ^ size;
	size_t i;

	cr_assert(d != NULL);
	for (i = 0; i < size; i++) {
		if (kind == RANDOM) {
			/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			d[i] = (u8)(x >> 32);
		} else {
			d[i] = (u8)text[i % (sizeof(text) - 1)];
		}
	}
	return d;
}

static size_t vli_len(u64 v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t round4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

/* The dictionary size a property byte stands for (spec 5.3.1). */
static u64 dict_size(unsigned int b)
{
	return b == 40 ? 0xFFFFFFFFull : (u64)(2 | (b & 1)) << (b / 2 + 11);
}

/* LZMA2 data size for @size bytes: 3 bytes per chunk, the end marker. */
static size_t lzma2_size(size_t size)
{
	return size + 3 * ((size + CHUNK - 1) / CHUNK) + 1;
}

static size_t block_hdr_size(size_t size)
{
	return round4(2 + vli_len(lzma2_size(size)) + vli_len(size) + 3) + 4;
}

/* The stream length the format implies, computed from the spec's layout. */
static size_t expected_len(size_t size)
{
	size_t csize = lzma2_size(size), unpadded = block_hdr_size(size) + csize + 8;

	if (!size)
		return 12 + 8 + 12;
	return 12 + block_hdr_size(size) + round4(csize) + 8 +
	       round4(2 + vli_len(unpadded) + vli_len(size)) + 4 + 12;
}

/* Encode, asserting success and the exact length; the result is xmalloc'd. */
static u8 *encode(const u8 *data, size_t size, size_t *n)
{
	void *out = NULL;

	*n = 0;
	cr_assert(eq(int, xz_encode_stored(data, size, &out, n), 0), "%zu bytes", size);
	cr_assert(out != NULL);
	cr_assert(eq(sz, *n, expected_len(size)), "%zu bytes", size);
	return out;
}

/* ---- the layout, walked from the spec ----------------------------------- */

/*
 * Check @xz (@n bytes), the encoding of @data (@size bytes), field by
 * field; the CRCs are checked by the decoders in the other tests.
 */
static void walk(const u8 *xz, size_t n, const u8 *data, size_t size)
{
	static const u8 hdr[8] = { 0xFD, '7', 'z', 'X', 'Z', 0x00, 0x00, 0x04 };
	size_t p = 12, hsize, csize, chunk_no = 0, off = 0, i;
	unsigned int dict;

	cr_assert(eq(int, memcmp(xz, hdr, sizeof(hdr)), 0), "stream header");
	cr_assert(eq(u8, xz[n - 2], 'Y'));
	cr_assert(eq(u8, xz[n - 1], 'Z'));
	cr_assert(eq(u8, xz[n - 4], 0x00));
	cr_assert(eq(u8, xz[n - 3], 0x04), "footer flags: CRC64");
	if (!size) {
		cr_assert(eq(u8, xz[p], 0x00), "empty: the index comes first");
		cr_assert(eq(u8, xz[p + 1], 0x00), "empty: no records");
		return;
	}
	hsize = ((size_t)xz[p] + 1) * 4;
	cr_assert(eq(sz, hsize, block_hdr_size(size)));
	cr_assert(eq(u8, xz[p + 1], 0xC0), "one filter, both sizes present");
	/* both sizes fit one byte only for tiny inputs: read them as VLIs */
	{
		size_t q = p + 2;
		u64 v[2] = { 0, 0 };
		int k;

		for (k = 0; k < 2; k++) {
			unsigned int sh = 0;

			do {
				v[k] |= (u64)(xz[q] & 0x7f) << sh;
				sh += 7;
			} while (xz[q++] & 0x80);
		}
		cr_assert(eq(u64, v[0], lzma2_size(size)), "compressed size");
		cr_assert(eq(u64, v[1], size), "uncompressed size");
		cr_assert(eq(u8, xz[q], 0x21), "LZMA2 filter id");
		cr_assert(eq(u8, xz[q + 1], 1), "LZMA2 properties size");
		dict = xz[q + 2];
		cr_assert(le(uint, dict, 40));
		cr_assert(ge(u64, dict_size(dict), size), "dictionary covers the data");
		cr_assert(dict == 0 || dict_size(dict - 1) < size, "smallest such dictionary");
		for (q += 3; q < p + hsize - 4; q++)
			cr_assert(eq(u8, xz[q], 0), "block header padding");
	}
	p += hsize;
	csize = lzma2_size(size);
	while (xz[p] != 0x00) {
		size_t len = ((size_t)xz[p + 1] << 8 | xz[p + 2]) + 1;

		cr_assert(eq(u8, xz[p], chunk_no ? 0x02 : 0x01), "chunk %zu control", chunk_no);
		cr_assert(le(sz, len, (size_t)CHUNK));
		cr_assert(len == CHUNK || off + len == size, "chunk %zu: %zu bytes, not full",
			  chunk_no, len);
		cr_assert(le(sz, off + len, size));
		cr_assert(eq(int, memcmp(xz + p + 3, data + off, len), 0), "chunk %zu bytes",
			  chunk_no);
		off += len;
		p += 3 + len;
		chunk_no++;
	}
	cr_assert(eq(sz, off, size));
	cr_assert(eq(sz, chunk_no, (size + CHUNK - 1) / CHUNK));
	p++;	/* end marker */
	cr_assert(eq(sz, p, 12 + hsize + csize));
	for (i = 0; i < round4(csize) - csize; i++)
		cr_assert(eq(u8, xz[p++], 0), "block padding");
	cr_assert(eq(u64, le64(xz + p), xz_crc64(data, size, 0)), "check: CRC64 of the data");
	p += 8;
	cr_assert(eq(u8, xz[p], 0x00), "index indicator");
	cr_assert(eq(u8, xz[p + 1], 0x01), "one index record");
	cr_assert(eq(u32, (le32(xz + n - 8) + 1) * 4, n - 12 - p), "backward size");
}

Test(xz_enc, layout_follows_the_spec)
{
	size_t i, k, n;

	for (k = 0; k < KIND__COUNT; k++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *d = make_data(k, sizes[i]), *xz = encode(d, sizes[i], &n);

			walk(xz, n, d, sizes[i]);
			xfree(xz);
			free(d);
		}
	}
}

/* ---- our decoder -------------------------------------------------------- */

static void decode_back(const u8 *xz, size_t n, const u8 *data, size_t size, size_t cap)
{
	char err[256] = "";
	void *out = NULL;
	size_t out_len = 0;

	cr_assert(eq(int, xz_decode(xz, n, cap, &out, &out_len, err, sizeof(err)), 0),
		  "%zu bytes: %s", size, err);
	cr_assert(eq(sz, out_len, size));
	cr_assert(size == 0 || memcmp(out, data, size) == 0, "%zu bytes differ", size);
	xfree(out);
}

Test(xz_enc, round_trip_through_xz_decode)
{
	size_t i, k, n;

	for (k = 0; k < KIND__COUNT; k++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *d = make_data(k, sizes[i]), *xz = encode(d, sizes[i], &n);

			decode_back(xz, n, d, sizes[i], SIZE_MAX);
			/* a cap of exactly the size is enough: nothing is over-reserved */
			decode_back(xz, n, d, sizes[i], sizes[i]);
			xfree(xz);
			free(d);
		}
	}
}

/* Two streams back to back are one .xz file: the concatenation decodes to both. */
Test(xz_enc, concatenated_streams_decode_to_both)
{
	u8 *a = make_data(RANDOM, 70000), *b = make_data(REPEATING, 5), *xa, *xb, *both, *ab;
	size_t na, nb;

	xa = encode(a, 70000, &na);
	xb = encode(b, 5, &nb);
	both = malloc(na + nb);
	ab = malloc(70005);
	cr_assert(both && ab);
	memcpy(both, xa, na);
	memcpy(both + na, xb, nb);
	memcpy(ab, a, 70000);
	memcpy(ab + 70000, b, 5);
	decode_back(both, na + nb, ab, 70005, SIZE_MAX);
	free(both);
	free(ab);
	xfree(xa);
	xfree(xb);
	free(a);
	free(b);
}

/* ---- determinism -------------------------------------------------------- */

/* "abc": xz -t and xz -dc accepted these bytes when they were recorded. */
static const u8 abc_xz[] = {
	0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46,
	0x02, 0xc0, 0x07, 0x03, 0x21, 0x01, 0x00, 0x00, 0x9b, 0xaf, 0xf3, 0xa8,
	0x01, 0x00, 0x02, 0x61, 0x62, 0x63, 0x00, 0x00, 0x27, 0x76, 0x27, 0x1a,
	0x4a, 0x09, 0xd8, 0x2c, 0x00, 0x01, 0x1b, 0x03, 0x0b, 0x2f, 0xb9, 0x10,
	0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a,
};

Test(xz_enc, output_is_deterministic)
{
	size_t i, n1, n2;
	u8 *x1, *x2;

	x1 = encode((const u8 *)"abc", 3, &n1);
	cr_assert(eq(sz, n1, sizeof(abc_xz)));
	cr_assert(eq(int, memcmp(x1, abc_xz, n1), 0), "\"abc\" differs from the golden stream");
	xfree(x1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *d = make_data(RANDOM, sizes[i]), *copy = malloc(sizes[i] + 1);

		cr_assert(copy != NULL);
		memcpy(copy, d, sizes[i]);
		x1 = encode(d, sizes[i], &n1);
		/* the same bytes from another buffer: nothing depends on the address */
		x2 = encode(copy, sizes[i], &n2);
		free(copy);
		cr_assert(eq(sz, n1, n2));
		cr_assert(eq(int, memcmp(x1, x2, n1), 0), "%zu bytes: two encodings differ",
			  sizes[i]);
		xfree(x1);
		xfree(x2);
		free(d);
	}
}

Test(xz_enc, empty_input_has_no_block_and_null_is_allowed)
{
	void *out = NULL;
	size_t n = 0;

	cr_assert(eq(int, xz_encode_stored(NULL, 0, &out, &n), 0));
	cr_assert(eq(sz, n, 32));
	walk(out, n, NULL, 0);
	decode_back(out, n, NULL, 0, 0);
	xfree(out);
}

/* ---- failures ----------------------------------------------------------- */

Test(xz_enc, allocation_failure_is_enomem_without_leaks)
{
	u8 *d = make_data(RANDOM, 3 * CHUNK + 5);
	unsigned long at;

	for (at = 1; at < 8; at++) {
		void *out = (void *)d;
		size_t n = 12345;
		int err;

		util_alloc_fail_at = at;
		err = xz_encode_stored(d, 3 * CHUNK + 5, &out, &n);
		util_alloc_fail_at = 0;
		if (err == 0) {
			cr_assert(gt(ulong, at, 1), "the output needs an allocation");
			decode_back(out, n, d, 3 * CHUNK + 5, SIZE_MAX);
			xfree(out);
			free(d);
			assert_no_leaks();
			return;
		}
		cr_assert(eq(int, err, -ENOMEM), "allocation %lu: %d", at, err);
		cr_assert(eq(ptr, out, (void *)d), "*out untouched on failure");
		cr_assert(eq(sz, n, 12345), "*out_len untouched on failure");
		assert_no_leaks();
	}
	cr_fatal("encoding never succeeded");
}

/* Sizes whose stream would not fit size_t or the 63-bit size fields: the input is never read. */
Test(xz_enc, impossible_sizes_are_e2big)
{
	static const size_t big[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - CHUNK,
				      SIZE_MAX / 4 * 3, (size_t)INT64_MAX, (size_t)1 << 63 };
	u8 byte = 0;
	size_t i;

	if (sizeof(size_t) < 8)
		cr_skip_test("32-bit size_t: these sizes do not exist");
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		void *out = &byte;
		size_t n = 7;

		cr_assert(eq(int, xz_encode_stored(&byte, big[i], &out, &n), -E2BIG), "%zu",
			  big[i]);
		cr_assert(eq(ptr, out, (void *)&byte));
		cr_assert(eq(sz, n, 7));
	}
}

/* ---- xz(1) -------------------------------------------------------------- */

static void require_tool(const char *tool, const char *pkg)
{
	if (!have_tool(tool))
		TMP_SKIP("%s is not installed (apt-get install %s)", tool, pkg);
}

/* Run @cmd with sh; assert it exits 0. */
static void run_ok(const char *cmd)
{
	int st = system(cmd);

	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed: %s", cmd);
}

/* Write the input and its encoding to tmp_dir()/in and tmp_dir()/in.xz. */
static void put_pair(const u8 *data, size_t size, const u8 *xz, size_t n)
{
	put_file(tmp_path("in"), data, size);
	put_file(tmp_path("in.xz"), xz, n);
}

Test(xz_enc, xz_tool_tests_and_decodes_it)
{
	char cmd[PATH_MAX * 3];
	size_t i, k, n;

	require_tool("xz", "xz-utils");
	for (k = 0; k < KIND__COUNT; k++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *d = make_data(k, sizes[i]), *xz = encode(d, sizes[i], &n);

			put_pair(d, sizes[i], xz, n);
			snprintf(cmd, sizeof(cmd), "xz -t '%s'", tmp_path("in.xz"));
			run_ok(cmd);
			snprintf(cmd, sizeof(cmd), "xz -dc '%s' | cmp -s - '%s'", tmp_path("in.xz"),
				 tmp_path("in"));
			run_ok(cmd);
			xfree(xz);
			free(d);
		}
	}
}

/* The empty file's stream is exactly what xz itself writes for it. */
Test(xz_enc, empty_stream_equals_xz_output)
{
	size_t n, m;
	u8 *ours, *theirs;

	require_tool("xz", "xz-utils");
	ours = encode(NULL, 0, &n);
	theirs = xz_of("", 0, &m);
	cr_assert(eq(sz, n, m));
	cr_assert(eq(int, memcmp(ours, theirs, n), 0));
	xfree(ours);
	free(theirs);
}

/* stdout of @cmd, NUL-terminated, in @buf (asserting it exits 0 and fits). */
static void cmd_text(const char *cmd, char *buf, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t len;

	cr_assert(p != NULL, "popen(%s)", cmd);
	len = fread(buf, 1, cap - 1, p);
	buf[len] = '\0';
	cr_assert(eq(int, pclose(p), 0), "failed: %s", cmd);
	cr_assert(lt(sz, len, cap - 1), "%s: output too long", cmd);
}

/* Field @idx (0-based, tab-separated) of the line of @text starting with @tag\t. */
static const char *robot_field(const char *text, const char *tag, int idx, char *out,
			       size_t cap)
{
	size_t tl = strlen(tag);
	const char *l = text;

	for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *f = l;
		int i;

		if (strncmp(l, tag, tl) || l[tl] != '\t')
			continue;
		for (i = 0; i < idx; i++) {
			f = strpbrk(f, "\t\n");
			cr_assert(f != NULL && *f == '\t', "%s line has no field %d", tag, idx);
			f++;
		}
		snprintf(out, cap, "%.*s", (int)strcspn(f, "\t\n"), f);
		return out;
	}
	cr_fatal("no %s line in:\n%s", tag, text);
	return NULL;
}

/* xz's spelling of a dictionary size: MiB or KiB when it divides evenly. */
static void dict_text(u64 d, char *buf, size_t cap)
{
	if (d % (1u << 20) == 0)
		snprintf(buf, cap, "%lluMiB", (unsigned long long)(d >> 20));
	else if (d % 1024 == 0)
		snprintf(buf, cap, "%lluKiB", (unsigned long long)(d >> 10));
	else
		snprintf(buf, cap, "%llu", (unsigned long long)d);
}

/*
 * `xz --robot -lvv` (the stable, machine-readable form of -lvv): one stream,
 * one block, CRC64 with our value, sizes in the block header ("cu"), the
 * LZMA2 filter with the smallest dictionary that covers the data.
 */
Test(xz_enc, xz_list_reports_lzma2_and_crc64)
{
	char cmd[PATH_MAX * 2], text[8192], f[64], want[64];
	size_t i, n;

	require_tool("xz", "xz-utils");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *d = make_data(RANDOM, size), *xz = encode(d, size, &n);
		unsigned int b = 0;

		put_pair(d, size, xz, n);
		snprintf(cmd, sizeof(cmd), "xz --robot -lvv '%s'", tmp_path("in.xz"));
		cmd_text(cmd, text, sizeof(text));
		/* file: streams, blocks, compressed, uncompressed, ratio, check */
		cr_assert(eq(str, cstr(robot_field(text, "file", 1, f, sizeof(f))), "1"));
		cr_assert(eq(str, cstr(robot_field(text, "file", 2, f, sizeof(f))),
			     size ? "1" : "0"), "blocks");
		snprintf(want, sizeof(want), "%zu", n);
		cr_assert(eq(str, cstr(robot_field(text, "file", 3, f, sizeof(f))), want));
		snprintf(want, sizeof(want), "%zu", size);
		cr_assert(eq(str, cstr(robot_field(text, "file", 4, f, sizeof(f))), want));
		cr_assert(eq(str, cstr(robot_field(text, "file", 6, f, sizeof(f))), "CRC64"));
		/* summary: memory, sizes in headers */
		cr_assert(eq(str, cstr(robot_field(text, "summary", 2, f, sizeof(f))), "yes"));
		if (size) {
			/* block: ..., check, check value, header size, flags, csize, mem, filters */
			cr_assert(eq(str, cstr(robot_field(text, "block", 9, f, sizeof(f))),
				     "CRC64"));
			snprintf(want, sizeof(want), "%016llx",
				 (unsigned long long)xz_crc64(d, size, 0));
			cr_assert(eq(str, cstr(robot_field(text, "block", 10, f, sizeof(f))),
				     want));
			cr_assert(eq(str, cstr(robot_field(text, "block", 12, f, sizeof(f))),
				     "cu"), "both sizes in the block header");
			snprintf(want, sizeof(want), "%zu", lzma2_size(size));
			cr_assert(eq(str, cstr(robot_field(text, "block", 13, f, sizeof(f))),
				     want));
			while (dict_size(b) < size)
				b++;
			strcpy(want, "--lzma2=dict=");
			dict_text(dict_size(b), want + strlen(want), sizeof(want) - strlen(want));
			cr_assert(eq(str, cstr(robot_field(text, "block", 15, f, sizeof(f))),
				     want), "filters");
		}
		xfree(xz);
		free(d);
	}
}

/* ---- Python's lzma module ----------------------------------------------- */

Test(xz_enc, python_lzma_reads_it)
{
	/* decodes to the input, ends at the stream end, reports the CRC64 check */
	static const char script[] =
		"import lzma, sys\n"
		"d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)\n"
		"out = d.decompress(open(sys.argv[1], \"rb\").read())\n"
		"assert d.eof and not d.unused_data, \"not one whole stream\"\n"
		"assert d.check == lzma.CHECK_CRC64, d.check\n"
		"assert out == open(sys.argv[2], \"rb\").read(), \"data differ\"\n";
	char cmd[PATH_MAX * 3];
	size_t i, k, n;

	require_tool("python3", "python3");
	if (system("python3 -c 'import lzma' >/dev/null 2>&1"))
		TMP_SKIP("python3 has no lzma module");
	put_file(tmp_path("check.py"), script, sizeof(script) - 1);
	for (k = 0; k < KIND__COUNT; k++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *d = make_data(k, sizes[i]), *xz = encode(d, sizes[i], &n);

			put_pair(d, sizes[i], xz, n);
			snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' '%s'", tmp_path("check.py"),
				 tmp_path("in.xz"), tmp_path("in"));
			run_ok(cmd);
			xfree(xz);
			free(d);
		}
	}
}
