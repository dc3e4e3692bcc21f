// SPDX-License-Identifier: MIT
/*
 * test_xz.c - unit tests for xz/xz_dec.c and xz/xz_check.c.
 *
 * Oracles:
 *   - known check vectors (CRC32/CRC64 "123456789", FIPS 180 SHA-256), a
 *     bitwise CRC written here, and sha256sum;
 *   - the system xz: every corpus .btf.tar.xz must decode to what `xz -dc`
 *     prints, and streams made at test time by `xz` (presets, checks, block
 *     sizes, lc/lp/pb, concatenation, padding) must decode to their input;
 *   - hand-built streams: raw LZMA2 chunks (from `xz --format=raw` or
 *     written here), patched and wrapped by build_xz(), a container writer
 *     independent of the decoder:
 *
 *       stream header | block header | LZMA2 chunks | pad | check | index | footer
 *
 * Hostile input: truncation at every offset of a small stream and at ~500
 * offsets of a large one, byte flips likewise, a 200 MB decompression bomb
 * against a 10 MB cap, and allocation failure injection.
 *
 * The temporary directory is made in setup and removed in teardown; tests
 * that need xz, the corpus or /sys/kernel/btf/vmlinux skip, saying so, when
 * they are absent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#include "util/util.h"
#include "xz/xz.h"

#define BIG_CAP ((size_t)1 << 31)
#define ERR_LEN 512
#define VMLINUX "/sys/kernel/btf/vmlinux"

/*
 * The per-test temporary directory, made on first use. Criterion 2.4.1
 * does not run .fini after cr_skip_test(), so tests skip with SKIP(),
 * which removes it first.
 */
static char tmpdir[64];

static void tmpdir_make(void)
{
	if (tmpdir[0])
		return;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_xz.XXXXXX");
	if (!mkdtemp(tmpdir))
		tmpdir[0] = '\0';
	cr_assert(tmpdir[0] != '\0', "mkdtemp failed");
}

static void tmpdir_remove(void)
{
	char cmd[128];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd)) {
		/* nothing to do: a stale /tmp dir is harmless */
	}
	tmpdir[0] = '\0';
}

#define SKIP(...)					\
	do {						\
		tmpdir_remove();			\
		cr_skip_test(__VA_ARGS__);	\
	} while (0)

static void setup(void)
{
	tmpdir[0] = '\0';
	util_alloc_fail_at = 0;
}

static void teardown(void)
{
	util_alloc_fail_at = 0;
	tmpdir_remove();
}

TestSuite(xz, .init = setup, .fini = teardown, .timeout = 300);

/* ---- leak check (ASan builds) ----------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define XZT_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XZT_LSAN 1
#endif
#endif

#ifdef XZT_LSAN
int __lsan_do_recoverable_leak_check(void);
#endif

static void assert_no_leaks(void)
{
#ifdef XZT_LSAN
	cr_assert(eq(int, __lsan_do_recoverable_leak_check(), 0), "LeakSanitizer found leaks");
#endif
}

/* ---- growable byte buffer --------------------------------------------- */

struct buf {
	u8 *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap - b->len < n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		cr_assert(b->p != NULL, "out of memory");
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_u8(struct buf *b, u8 v)
{
	buf_put(b, &v, 1);
}

static void buf_le32(struct buf *b, u32 v)
{
	u8 x[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	buf_put(b, x, 4);
}

static void buf_vli(struct buf *b, u64 v)
{
	while (v >= 0x80) {
		buf_u8(b, (u8)(v | 0x80));
		v >>= 7;
	}
	buf_u8(b, (u8)v);
}

/* ---- files and commands ----------------------------------------------- */

static u8 *slurp(const char *path, size_t *len)
{
	struct buf b = { 0 };
	u8 tmp[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	*len = 0;
	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_put(&b, tmp, n);
	fclose(f);
	buf_put(&b, "", 1);	/* never NULL, even when empty */
	*len = b.len - 1;
	return b.p;
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert(f != NULL, "cannot create %s", path);
	cr_assert(eq(sz, fwrite(p, 1, n, f), n), "short write to %s", path);
	cr_assert(eq(int, fclose(f), 0));
}

/* stdout of @cmd (malloc'd), NULL if it exits non-zero */
static u8 *cmd_output(const char *cmd, size_t *len)
{
	struct buf b = { 0 };
	u8 tmp[65536];
	size_t n;
	FILE *p = popen(cmd, "r");

	*len = 0;
	cr_assert(p != NULL, "popen(%s) failed", cmd);
	while ((n = fread(tmp, 1, sizeof(tmp), p)) > 0)
		buf_put(&b, tmp, n);
	if (pclose(p) != 0) {
		free(b.p);
		return NULL;
	}
	buf_put(&b, "", 1);
	*len = b.len - 1;
	return b.p;
}

static bool have_xz(void)
{
	return system("xz --version >/dev/null 2>&1") == 0;
}

#define REQUIRE_XZ()								\
	do {									\
		if (!have_xz())							\
			SKIP("the xz tool is not installed (apt-get install "	\
			     "xz-utils): no reference streams to decode");	\
		tmpdir_make();							\
	} while (0)

/* Compress @data with `xz -c -T1 @opts`; returns the malloc'd output. */
static u8 *xz_run(const char *opts, const void *data, size_t len, size_t *out_len)
{
	char in[128], cmd[512];
	u8 *p;

	tmpdir_make();
	snprintf(in, sizeof(in), "%s/in.bin", tmpdir);
	spit(in, data, len);
	snprintf(cmd, sizeof(cmd), "xz -c -T1 %s < '%s'", opts, in);
	p = cmd_output(cmd, out_len);
	cr_assert(p != NULL, "`%s` failed", cmd);
	return p;
}

/* ---- test data -------------------------------------------------------- */

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u8 *gen_random(size_t n, u64 seed)
{
	u8 *p = malloc(n ? n : 1);
	size_t i;

	cr_assert(p != NULL);
	rng_state = seed | 1;
	for (i = 0; i < n; i++)
		p[i] = (u8)(rng() >> 24);
	return p;
}

/* Pseudo-English: words, numbers, punctuation, lines; compresses ~4:1. */
static u8 *gen_text(size_t n, u64 seed)
{
	static const char *const words[] = {
		"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was",
		"with", "be", "by", "on", "not", "struct", "this", "are", "or", "kernel",
		"from", "at", "which", "but", "have", "an", "they", "type", "were", "btf",
		"there", "one", "all", "we", "their", "has", "been", "if", "more", "when",
		"will", "would", "who", "so", "no", "member", "offset", "size", "union",
	};
	u8 *p = malloc(n + 32);
	size_t i = 0;

	cr_assert(p != NULL);
	rng_state = seed | 1;
	while (i < n) {
		u64 r = rng();
		const char *w = words[r % ARRAY_SIZE(words)];
		size_t wl = strlen(w);

		if (r % 23 == 0)
			i += (size_t)snprintf((char *)p + i, 32, "%u", (unsigned)(r >> 40));
		memcpy(p + i, w, wl);
		i += wl;
		p[i++] = r % 17 == 0 ? '\n' : r % 11 == 0 ? ',' : ' ';
	}
	return p;
}

/*
 * Random and text in turns, random first, pieces large enough that xz's
 * LZMA2 encoder emits uncompressed chunks (01, 02) and LZMA chunks with
 * new properties (C0), state resets (A0) and none (80).
 */
static u8 *gen_mixed(size_t piece, size_t *len)
{
	u8 *p = malloc(4 * piece), *q;

	cr_assert(p != NULL);
	q = gen_random(piece, 11);
	memcpy(p, q, piece);
	free(q);
	q = gen_text(piece, 12);
	memcpy(p + piece, q, piece);
	free(q);
	q = gen_random(piece, 13);
	memcpy(p + 2 * piece, q, piece);
	free(q);
	q = gen_text(piece, 14);
	memcpy(p + 3 * piece, q, piece);
	free(q);
	*len = 4 * piece;
	return p;
}

/* ---- decode helpers --------------------------------------------------- */

static void expect_decode(const u8 *xz, size_t xz_len, const u8 *want, size_t want_len,
			  const char *what)
{
	char err[ERR_LEN] = "";
	void *out = NULL;
	size_t out_len = 0;
	int rc;

	rc = xz_decode(xz, xz_len, BIG_CAP, &out, &out_len, err, sizeof(err));
	cr_assert(eq(int, rc, 0), "%s: xz_decode failed: %s", what, err);
	cr_assert(out != NULL, "%s: NULL output", what);
	cr_assert(eq(sz, out_len, want_len), "%s: output length", what);
	cr_assert(want_len == 0 || memcmp(out, want, want_len) == 0,
		  "%s: output differs from the expected bytes", what);
	xfree(out);
}

/*
 * Decode what must fail; returns the code. Checks that the outputs are
 * untouched and that a message naming an offset was written.
 */
static int expect_fail(const u8 *xz, size_t xz_len, size_t cap, char *err, const char *what)
{
	void *out = (void *)&out;
	size_t out_len = 12345;
	int rc;

	err[0] = '\0';
	rc = xz_decode(xz, xz_len, cap, &out, &out_len, err, ERR_LEN);
	cr_assert(rc < 0, "%s: decoded (%zu bytes) but must fail", what, out_len);
	if (rc == 0)
		xfree(out);
	cr_assert(out == (void *)&out && out_len == 12345, "%s: outputs changed on failure",
		  what);
	cr_assert(err[0] != '\0', "%s: no error message (rc %d)", what, rc);
	cr_assert(strstr(err, "offset 0x") != NULL, "%s: message names no offset: %s", what,
		  err);
	cr_assert(strchr(err, '\n') == NULL, "%s: message is not one line: %s", what, err);
	return rc;
}

/* ---- checks ----------------------------------------------------------- */

static u32 crc32_bitwise(const u8 *p, size_t n, u32 crc)
{
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
	}
	return ~crc;
}

static u64 crc64_bitwise(const u8 *p, size_t n, u64 crc)
{
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xC96C5795D7870F42ull : crc >> 1;
	}
	return ~crc;
}

static void hex(const u8 *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void expect_sha256(const void *data, size_t len, const char *want, const char *what)
{
	u8 d[XZ_SHA256_LEN];
	char h[2 * XZ_SHA256_LEN + 1];

	xz_sha256(data, len, d);
	hex(d, sizeof(d), h);
	cr_assert(eq(str, h, (char *)(uintptr_t)want), "SHA-256 of %s", what);
}

Test(xz, crc32_vectors)
{
	const char *s = "123456789";
	const char *fox = "The quick brown fox jumps over the lazy dog";

	cr_assert(eq(u32, xz_crc32(s, 9, 0), 0xCBF43926u));
	cr_assert(eq(u32, xz_crc32("", 0, 0), 0u));
	cr_assert(eq(u32, xz_crc32(fox, strlen(fox), 0), 0x414FA339u));
	/* continuing from a previous value */
	cr_assert(eq(u32, xz_crc32(s + 4, 5, xz_crc32(s, 4, 0)), 0xCBF43926u));
}

Test(xz, crc64_vectors)
{
	const char *s = "123456789";

	cr_assert(eq(u64, xz_crc64(s, 9, 0), 0x995DC9BBDF1939FAull));
	cr_assert(eq(u64, xz_crc64("", 0, 0), 0ull));
	cr_assert(eq(u64, xz_crc64(s + 3, 6, xz_crc64(s, 3, 0)), 0x995DC9BBDF1939FAull));
	xz_crc64_accel = false;
	cr_assert(eq(u64, xz_crc64(s, 9, 0), 0x995DC9BBDF1939FAull));
	xz_crc64_accel = true;
}

/* slicing-by-8 against the bitwise definition: every length and alignment */
Test(xz, crc_slicing_matches_bitwise)
{
	u8 *p = gen_random(4096, 5);
	size_t off, len;

	xz_crc64_accel = false;
	for (off = 0; off < 9; off++) {
		for (len = 0; len < 300; len++) {
			cr_assert(eq(u32, xz_crc32(p + off, len, 0), crc32_bitwise(p + off, len, 0)),
				  "CRC32 off %zu len %zu", off, len);
			cr_assert(eq(u64, xz_crc64(p + off, len, 0), crc64_bitwise(p + off, len, 0)),
				  "CRC64 off %zu len %zu", off, len);
		}
	}
	cr_assert(eq(u32, xz_crc32(p, 4096, 0x12345678u), crc32_bitwise(p, 4096, 0x12345678u)));
	cr_assert(eq(u64, xz_crc64(p, 4096, 77), crc64_bitwise(p, 4096, 77)));
	xz_crc64_accel = true;
	free(p);
}

/*
 * Whether xz_crc64() can take the PCLMULQDQ path here: the tests below
 * would pass vacuously on a CPU without it (or off x86-64), so they say so.
 */
static bool cpu_has_pclmul(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	unsigned int a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 1));
#else
	return false;
#endif
}

static void note_pclmul(void)
{
	if (!cpu_has_pclmul())
		cr_log_info("no PCLMULQDQ on this CPU: the CRC64 accel path is not tested");
}

/* One checksum call to time: over @p[0..@n), with or without the CPU's help. */
struct sum_job {
	const u8 *p;
	size_t n;
	bool accel;
	u64 crc;			/* xz_crc64()'s result */
	u8 digest[XZ_SHA256_LEN];	/* xz_sha256()'s */
};

static void crc64_job(struct sum_job *j)
{
	xz_crc64_accel = j->accel;
	j->crc = xz_crc64(j->p, j->n, 0);
	xz_crc64_accel = true;
}

static void sha256_job(struct sum_job *j)
{
	xz_sha256_accel = j->accel;
	xz_sha256(j->p, j->n, j->digest);
	xz_sha256_accel = true;
}

/* the smallest time, in seconds, @fn(@j) takes over @runs calls */
static double best_time(void (*fn)(struct sum_job *), struct sum_job *j, int runs)
{
	double best = 1e9;
	int r;

	for (r = 0; r < runs; r++) {
		struct timespec t0, t1;
		double dt;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		fn(j);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		if (dt < best)
			best = dt;
	}
	return best;
}

/*
 * The carry-less multiply path against the tables and the bitwise
 * definition: every length up to past eight 128-byte blocks (the path
 * starts at 128 and folds lanes, single 16-byte blocks and a < 16 tail)
 * at every misalignment, continuing from a varying previous value.
 */
Test(xz, crc64_accel_matches_portable)
{
	u8 *p = gen_random(1100 + 16, 21);
	size_t off, len;

	note_pclmul();
	for (off = 0; off < 16; off++) {
		for (len = 0; len <= 1100; len++) {
			u64 seed = len * 0x9E3779B97F4A7C15ull + off;
			u64 want = crc64_bitwise(p + off, len, seed), fast, slow;

			xz_crc64_accel = true;
			fast = xz_crc64(p + off, len, seed);
			xz_crc64_accel = false;
			slow = xz_crc64(p + off, len, seed);
			cr_assert(eq(u64, fast, want), "accel off %zu len %zu", off, len);
			cr_assert(eq(u64, slow, want), "portable off %zu len %zu", off, len);
		}
	}
	xz_crc64_accel = true;
	free(p);
}

/* in pieces, split anywhere: before, at and inside the accel path's blocks */
Test(xz, crc64_accel_incremental)
{
	size_t n = 3000, split, mid;
	u8 *p = gen_random(n, 23);
	u64 whole;

	note_pclmul();
	xz_crc64_accel = false;
	whole = xz_crc64(p, n, 0);
	xz_crc64_accel = true;
	cr_assert(eq(u64, xz_crc64(p, n, 0), whole));
	for (split = 0; split <= n; split += split < 700 ? 1 : 37) {
		u64 a = xz_crc64(p, split, 0);

		cr_assert(eq(u64, xz_crc64(p + split, n - split, a), whole), "split at %zu", split);
	}
	/* three pieces, each long enough for the accel path */
	for (split = 128; split < 1000; split += 61) {
		for (mid = split + 128; mid + 128 < n; mid += 301) {
			u64 c = xz_crc64(p, split, 0);

			c = xz_crc64(p + split, mid - split, c);
			cr_assert(eq(u64, xz_crc64(p + mid, n - mid, c), whole),
				  "splits at %zu and %zu", split, mid);
		}
	}
	free(p);
}

/*
 * A 5 MB buffer, aligned and not, both ways; and the accel path must be
 * the one taken when the CPU has PCLMULQDQ, which equal results alone
 * cannot show: it runs ~6x faster than the tables, so require 2x.
 */
Test(xz, crc64_accel_large)
{
	size_t n = 5 << 20;
	u8 *p = gen_random(n + 1, 25);
	struct sum_job js = { .p = p, .n = n, .accel = false };
	struct sum_job jf = { .p = p, .n = n, .accel = true };
	u64 fast, slow;
	double t_fast, t_slow;

	xz_crc64_accel = false;
	slow = xz_crc64(p + 1, n, 0);
	xz_crc64_accel = true;
	cr_assert(eq(u64, xz_crc64(p + 1, n, 0), slow), "misaligned");

	t_slow = best_time(crc64_job, &js, 5);
	t_fast = best_time(crc64_job, &jf, 5);
	slow = js.crc;
	fast = jf.crc;
	cr_assert(eq(u64, fast, slow), "aligned");
	cr_assert(eq(u64, fast, crc64_bitwise(p, n, 0)));
	if (!cpu_has_pclmul()) {
		free(p);
		SKIP("no PCLMULQDQ on this CPU: the CRC64 accel path is not tested");
	}
	cr_log_info("CRC64: tables %.2f GB/s, PCLMULQDQ %.2f GB/s",
		    (double)n / t_slow / 1e9, (double)n / t_fast / 1e9);
	cr_assert(t_fast * 2 < t_slow, "accel path not taken? %.2f ms vs %.2f ms",
		  t_fast * 1e3, t_slow * 1e3);
	free(p);
}

Test(xz, sha256_vectors)
{
	char *million = malloc(1000000);

	cr_assert(million != NULL);
	memset(million, 'a', 1000000);
	expect_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		      "\"\"");
	expect_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		      "\"abc\"");
	expect_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		      "the 448-bit FIPS message");
	expect_sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopj"
		      "klmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
		      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
		      "the 896-bit FIPS message");
	expect_sha256(million, 1000000,
		      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		      "one million 'a'");
	free(million);
}

/* the padding boundaries (55/56/63/64/119/120 bytes...) against sha256sum */
Test(xz, sha256_matches_sha256sum)
{
	static const size_t lens[] = { 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000,
				       65536 + 7 };
	u8 *p = gen_random(70000, 9);
	char path[128], cmd[256], h[2 * XZ_SHA256_LEN + 1];
	u8 *sum;
	size_t i, n;

	if (system("sha256sum --version >/dev/null 2>&1"))
		SKIP("sha256sum is not installed: the FIPS vectors still ran");
	tmpdir_make();
	snprintf(path, sizeof(path), "%s/sha.bin", tmpdir);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u8 d[XZ_SHA256_LEN];

		spit(path, p, lens[i]);
		snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
		sum = cmd_output(cmd, &n);
		cr_assert(sum != NULL && n >= 64);
		xz_sha256(p, lens[i], d);
		hex(d, sizeof(d), h);
		cr_assert(memcmp(h, sum, 64) == 0, "length %zu: %s, sha256sum %.64s", lens[i], h,
			  (char *)sum);
		free(sum);
	}
	free(p);
}

Test(xz, is_xz)
{
	static const u8 magic[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00, 0x00, 0x04 };

	cr_assert(xz_is_xz(magic, sizeof(magic)));
	cr_assert(xz_is_xz(magic, 6));
	cr_assert(not(xz_is_xz(magic, 5)));
	cr_assert(not(xz_is_xz("\x1f\x8b\x08\x00\x00\x00\x00", 7)));
	cr_assert(not(xz_is_xz(NULL, 0)));
}

/* ---- checked-in fixtures (no xz tool needed) --------------------------- */

#define FIXTURE_DIR "tests/fixtures/xz/"

static u8 *fixture(const char *name, size_t *len)
{
	u8 *p = slurp(name, len);

	cr_assert(p != NULL, "missing %s (tests run from the repository root)", name);
	return p;
}

/* multi-stream.xz: see tests/fixtures/xz/gen.sh */
#define MULTI_LEN 65186
#define MULTI_SHA256 "a2804a2d605cc358ce460ed5b5c0f6860e2438c69485bd37d0d22032de2b2d24"
/*
 * Where a truncated multi-stream.xz is still a valid file (xz -lvv): after
 * stream 1, 2, 3, 3's padding (4, 8 bytes) and stream 4. (Stream 3's data
 * is itself an .xz file stored uncompressed, so footers can't be searched for.)
 */
static const size_t multi_stream_ends[] = { 3668, 3816, 10188, 10192, 10196, 10252 };

static bool is_stream_end(size_t off)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(multi_stream_ends); i++)
		if (off == multi_stream_ends[i])
			return true;
	return false;
}

Test(xz, fixtures)
{
	char err[ERR_LEN], h[2 * XZ_SHA256_LEN + 1];
	u8 d[XZ_SHA256_LEN], *xz, *m;
	size_t xz_len, out_len, off;
	int rc, stream_ends = 0;
	void *out;

	/* 4 streams, 13 blocks, every check type, stream padding */
	xz = fixture(FIXTURE_DIR "multi-stream.xz", &xz_len);
	rc = xz_decode(xz, xz_len, BIG_CAP, &out, &out_len, err, sizeof(err));
	cr_assert(eq(int, rc, 0), "multi-stream.xz: %s", err);
	cr_assert(eq(sz, out_len, MULTI_LEN));
	xz_sha256(out, out_len, d);
	hex(d, sizeof(d), h);
	cr_assert(eq(str, h, MULTI_SHA256), "multi-stream.xz: output differs");
	/*
	 * Every truncation fails, except at the end of a stream or of padding
	 * after one (a valid file with fewer streams): there the output is a
	 * prefix.
	 */
	m = malloc(xz_len);
	cr_assert(m != NULL);
	for (off = 0; off < xz_len; off++) {
		char what[64];
		size_t part_len;
		void *part;

		snprintf(what, sizeof(what), "multi-stream.xz truncated to %zu", off);
		memcpy(m, xz, off);
		if (is_stream_end(off)) {
			rc = xz_decode(m, off, BIG_CAP, &part, &part_len, err, sizeof(err));
			cr_assert(eq(int, rc, 0), "%s (a stream end): %s", what, err);
			cr_assert(part_len <= out_len && !memcmp(part, out, part_len), "%s", what);
			xfree(part);
			stream_ends++;
			continue;
		}
		rc = expect_fail(m, off, BIG_CAP, err, what);
		cr_assert(eq(int, rc, -EINVAL), "%s: %s", what, err);
	}
	cr_assert(eq(int, stream_ends, (int)ARRAY_SIZE(multi_stream_ends)));
	xfree(out);
	free(m);
	free(xz);

	xz = fixture(FIXTURE_DIR "bcj-x86.xz", &xz_len);
	cr_assert(eq(int, expect_fail(xz, xz_len, BIG_CAP, err, "bcj-x86.xz"), -ENOTSUP));
	cr_assert(eq(str, err, "block 0 at offset 0xc: filter 0x4 (BCJ x86) not supported: "
		     "only LZMA2 alone is"));
	free(xz);

	xz = fixture(FIXTURE_DIR "zeros-20M.xz", &xz_len);
	cr_assert(eq(int, expect_fail(xz, xz_len, 10000000, err, "zeros-20M.xz"), -E2BIG));
	rc = xz_decode(xz, xz_len, 20000000, &out, &out_len, err, sizeof(err));
	cr_assert(eq(int, rc, 0), "zeros-20M.xz with a 20 MB cap: %s", err);
	cr_assert(eq(sz, out_len, 20000000));
	m = out;
	for (off = 0; off < out_len && !m[off]; off++)
		;
	cr_assert(eq(sz, off, out_len), "zeros-20M.xz: non-zero byte at %zu", off);
	xfree(out);
	free(xz);
	assert_no_leaks();
}

/* ---- corpus: byte-identical to xz -dc --------------------------------- */

Test(xz, corpus_matches_xz_dc, .timeout = 900)
{
	const char *dir = getenv("BTFGEN_CORPUS");
	char cmd[1024], hub[512];
	u8 *list, *line, *nl;
	size_t list_len;
	int files = 0;

	if (!dir || !dir[0])
		dir = "../shared/corpus";
	snprintf(hub, sizeof(hub), "%s/hub", dir);
	if (access(hub, R_OK))
		SKIP("corpus %s is absent (set BTFGEN_CORPUS): no .btf.tar.xz to decode", hub);
	REQUIRE_XZ();
	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.btf.tar.xz' | sort", hub);
	list = cmd_output(cmd, &list_len);
	cr_assert(list != NULL, "`%s` failed", cmd);
	for (line = list; *line; line = nl + 1) {
		size_t in_len, want_len;
		u8 *in, *want;

		nl = (u8 *)strchr((char *)line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		in = slurp((char *)line, &in_len);
		cr_assert(in != NULL, "cannot read %s", (char *)line);
		cr_assert(xz_is_xz(in, in_len), "%s: no xz magic", (char *)line);
		snprintf(cmd, sizeof(cmd), "xz -dc '%s'", (char *)line);
		want = cmd_output(cmd, &want_len);
		cr_assert(want != NULL, "`%s` failed", cmd);
		expect_decode(in, in_len, want, want_len, (char *)line);
		free(in);
		free(want);
		files++;
	}
	free(list);
	if (!files)
		SKIP("no *.btf.tar.xz under %s", hub);
	cr_log_info("%d corpus files decoded identically to xz -dc", files);
}

/* ---- streams made by xz ----------------------------------------------- */

static const char *const check_opts[] = {
	"--check=none", "--check=crc32", "--check=crc64", "--check=sha256",
};

/* every data kind x every check, at one preset */
static void preset_matrix(const char *preset)
{
	struct {
		const char *name;
		u8 *data;
		size_t len;
	} sets[5];
	size_t i, j, n = 0;

	sets[n].name = "random";
	sets[n].len = 200000;
	sets[n++].data = gen_random(200000, 1);
	sets[n].name = "zeros";
	sets[n].len = 1000000;
	sets[n++].data = calloc(1, 1000000);
	sets[n].name = "text";
	sets[n].len = 400000;
	sets[n++].data = gen_text(400000, 2);
	sets[n].name = "mixed";
	sets[n].data = gen_mixed(150000, &sets[n].len);
	n++;
	sets[n].name = "one byte";
	sets[n].len = 1;
	sets[n++].data = gen_text(1, 3);
	for (i = 0; i < n; i++) {
		cr_assert(sets[i].data != NULL);
		for (j = 0; j < ARRAY_SIZE(check_opts); j++) {
			char opts[128], what[192];
			size_t xz_len;
			u8 *xz;

			snprintf(opts, sizeof(opts), "%s %s", preset, check_opts[j]);
			snprintf(what, sizeof(what), "%s with xz %s", sets[i].name, opts);
			xz = xz_run(opts, sets[i].data, sets[i].len, &xz_len);
			expect_decode(xz, xz_len, sets[i].data, sets[i].len, what);
			free(xz);
		}
		free(sets[i].data);
	}
}

Test(xz, preset_0)
{
	REQUIRE_XZ();
	preset_matrix("-0");
}

Test(xz, preset_1)
{
	REQUIRE_XZ();
	preset_matrix("-1");
}

Test(xz, preset_6)
{
	REQUIRE_XZ();
	preset_matrix("-6");
}

Test(xz, preset_9e, .timeout = 600)
{
	REQUIRE_XZ();
	preset_matrix("-9e");
}

Test(xz, kernel_btf, .timeout = 900)
{
	static const char *const opts[] = {
		"-0 --check=crc32", "-6 --check=crc64", "-9e --check=sha256",
		"-6 --block-size=1MiB --check=crc64", "-T2 -1 --block-size=700KiB",
	};
	size_t len, xz_len, i;
	u8 *btf, *xz;

	btf = slurp(VMLINUX, &len);
	if (!btf || !len)
		SKIP(VMLINUX " is absent (kernel without CONFIG_DEBUG_INFO_BTF)");
	REQUIRE_XZ();
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		char what[128];

		snprintf(what, sizeof(what), VMLINUX " with xz %s", opts[i]);
		xz = xz_run(opts[i], btf, len, &xz_len);
		expect_decode(xz, xz_len, btf, len, what);
		free(xz);
	}
	free(btf);
}

/* many blocks; -T2 also writes both sizes into every block header */
Test(xz, multi_block)
{
	static const char *const opts[] = {
		"-6 --block-size=1000", "-1 --block-size=4096 --check=sha256",
		"-0 --block-size=65536 --check=crc32", "-T2 -6 --block-size=20000 --check=crc64",
		"-T2 -0 --block-size=3000 --check=none", "-6 --block-list=1000,7,50000,0",
	};
	u8 *text = gen_text(300000, 4), *tiny = gen_text(3000, 5), *xz;
	size_t xz_len, i;

	REQUIRE_XZ();
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		xz = xz_run(opts[i], text, 300000, &xz_len);
		expect_decode(xz, xz_len, text, 300000, opts[i]);
		free(xz);
	}
	/* one block per byte: a 3000-record index */
	xz = xz_run("-0 --block-size=1 --check=crc32", tiny, 3000, &xz_len);
	expect_decode(xz, xz_len, tiny, 3000, "--block-size=1");
	free(xz);
	free(text);
	free(tiny);
}

Test(xz, lzma2_options)
{
	static const char *const opts[] = {
		"--lzma2=preset=6,lc=0,lp=1,pb=0", "--lzma2=preset=6,lc=4,lp=0,pb=4",
		"--lzma2=preset=1,lc=0,lp=4,pb=2", "--lzma2=preset=6,lc=1,lp=3,pb=1",
		"--lzma2=preset=6e,lc=2,lp=2,pb=3", "--lzma2=preset=6,dict=4KiB",
		"--lzma2=preset=0,mode=fast,mf=hc3", "--lzma2=preset=9,mf=bt2,nice=273,depth=0",
		"--lzma2=preset=6,mf=hc4,nice=8",
	};
	size_t mixed_len, xz_len, i;
	u8 *text = gen_text(300000, 6), *mixed = gen_mixed(100000, &mixed_len), *xz;

	REQUIRE_XZ();
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		char what[160];

		snprintf(what, sizeof(what), "text with xz %s", opts[i]);
		xz = xz_run(opts[i], text, 300000, &xz_len);
		expect_decode(xz, xz_len, text, 300000, what);
		free(xz);
		snprintf(what, sizeof(what), "mixed with xz %s", opts[i]);
		xz = xz_run(opts[i], mixed, mixed_len, &xz_len);
		expect_decode(xz, xz_len, mixed, mixed_len, what);
		free(xz);
	}
	free(text);
	free(mixed);
}

Test(xz, empty)
{
	char err[ERR_LEN];
	size_t xz_len, out_len = 99;
	void *out = NULL;
	u8 *xz;

	REQUIRE_XZ();
	xz = xz_run("--check=crc64", "", 0, &xz_len);
	cr_assert(eq(int, xz_decode(xz, xz_len, 0, &out, &out_len, err, sizeof(err)), 0),
		  "empty stream: %s", err);
	cr_assert(out != NULL);
	cr_assert(eq(sz, out_len, 0));
	xfree(out);
	free(xz);
	cr_assert(eq(int, expect_fail((const u8 *)"", 0, BIG_CAP, err, "no input"), -EINVAL));
	cr_assert(eq(int, expect_fail((const u8 *)"\0\0\0\0", 4, BIG_CAP, err, "padding only"),
		     -EINVAL));
	/* NULL or zero-length error buffer */
	cr_assert(eq(int, xz_decode("abc", 3, BIG_CAP, &out, &out_len, NULL, 0), -EINVAL));
	err[0] = 'x';
	cr_assert(eq(int, xz_decode("abc", 3, BIG_CAP, &out, &out_len, err, 0), -EINVAL));
	cr_assert(eq(chr, err[0], 'x'));
}

Test(xz, concatenated_streams_and_padding)
{
	static const u8 zeros[16];
	char err[ERR_LEN];
	u8 *a_data = gen_text(50000, 7), *b_data = gen_random(3000, 8), *a, *b, *e;
	size_t a_len, b_len, e_len, pad;
	struct buf want = { 0 };

	REQUIRE_XZ();
	a = xz_run("-6 --check=crc32 --block-size=20000", a_data, 50000, &a_len);
	b = xz_run("-1 --check=sha256", b_data, 3000, &b_len);
	e = xz_run("--check=none", "", 0, &e_len);
	buf_put(&want, a_data, 50000);
	buf_put(&want, b_data, 3000);
	for (pad = 0; pad <= 12; pad++) {
		struct buf f = { 0 };

		buf_put(&f, a, a_len);
		buf_put(&f, zeros, pad);
		buf_put(&f, e, e_len);
		buf_put(&f, b, b_len);
		buf_put(&f, zeros, pad);
		if (pad % 4 == 0) {
			char what[64];

			snprintf(what, sizeof(what), "3 streams, %zu bytes of padding", pad);
			expect_decode(f.p, f.len, want.p, want.len, what);
		} else {
			cr_assert(eq(int, expect_fail(f.p, f.len, BIG_CAP, err, "bad padding"),
				     -EINVAL));
			cr_assert(strstr(err, "not a multiple of 4") != NULL, "%s", err);
		}
		free(f.p);
	}
	/* garbage after a stream */
	{
		struct buf f = { 0 };

		buf_put(&f, a, a_len);
		buf_put(&f, "\0\0\0\0GARBAGE!", 12);
		cr_assert(eq(int, expect_fail(f.p, f.len, BIG_CAP, err, "trailing garbage"),
			     -EINVAL));
		cr_assert(strstr(err, "stream 1: stream header") != NULL, "%s", err);
		free(f.p);
	}
	free(a);
	free(b);
	free(e);
	free(a_data);
	free(b_data);
	free(want.p);
}

Test(xz, other_filters_not_supported)
{
	static const struct {
		const char *opts;
		const char *name;
	} cases[] = {
		{ "--x86 --lzma2", "BCJ x86" },
		{ "--arm --lzma2", "BCJ ARM" },
		{ "--delta=dist=4 --lzma2", "delta" },
		{ "--x86 --delta --lzma2", "BCJ x86" },
	};
	u8 *text = gen_text(100000, 9), *xz;
	char err[ERR_LEN];
	size_t xz_len, i;

	REQUIRE_XZ();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		xz = xz_run(cases[i].opts, text, 100000, &xz_len);
		cr_assert(eq(int, expect_fail(xz, xz_len, BIG_CAP, err, cases[i].opts), -ENOTSUP),
			  "%s: %s", cases[i].opts, err);
		cr_assert(strstr(err, cases[i].name) && strstr(err, "not supported"),
			  "%s: unclear message: %s", cases[i].opts, err);
		cr_assert(strstr(err, "block 0 at offset 0xc") != NULL, "%s", err);
		free(xz);
	}
	/* legacy .lzma is not .xz */
	xz = xz_run("--format=lzma", text, 100000, &xz_len);
	cr_assert(eq(int, expect_fail(xz, xz_len, BIG_CAP, err, ".lzma"), -EINVAL));
	cr_assert(strstr(err, "not an .xz stream") != NULL, "%s", err);
	free(xz);
	free(text);
}

/* ---- hand-built streams ----------------------------------------------- */

/* How build_xz() deviates from a valid one-block stream. */
struct bopts {
	u8 check;		/* check type in the stream flags */
	bool sizes;		/* write compressed and uncompressed sizes in the header */
	s64 csize_adj;		/* added to the declared compressed size */
	s64 usize_adj;		/* added to the declared uncompressed size */
	s64 idx_usize_adj;	/* added to the index record's uncompressed size */
	s64 idx_count_adj;	/* added to the index record count */
	bool idx_count_overlong;	/* encode the count non-minimally */
	s64 backward_adj;	/* added to the footer's backward size field */
	u8 footer_flags_xor;	/* xored into the footer's copy of the check type */
	int dict_byte;		/* LZMA2 dictionary size byte (0: use 0x16) */
	u64 pre_filter;		/* id of a filter before LZMA2 (0: none) */
	bool cut;		/* end the file right after the LZMA2 data */
};

static size_t check_len(u8 type)
{
	static const u8 len[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 };

	return len[type & 15];
}

/* Wrap raw LZMA2 data @lz (which decodes to @plain) into a one-block stream. */
static void build_xz(struct buf *b, const struct bopts *o, const u8 *lz, size_t lz_len,
		     const u8 *plain, size_t plain_len)
{
	static const u8 magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
	u8 flags[2] = { 0, o->check }, foot[6];
	struct buf h = { 0 };
	size_t idx_start, idx_len, unpadded, i;
	u8 check[64] = { 0 };

	buf_put(b, magic, 6);
	buf_put(b, flags, 2);
	buf_le32(b, xz_crc32(flags, 2, 0));

	buf_u8(&h, 0);
	buf_u8(&h, (u8)((o->pre_filter ? 1 : 0) | (o->sizes ? 0xC0 : 0)));
	if (o->sizes) {
		buf_vli(&h, (u64)((s64)lz_len + o->csize_adj));
		buf_vli(&h, (u64)((s64)plain_len + o->usize_adj));
	}
	if (o->pre_filter) {
		buf_vli(&h, o->pre_filter);
		if (o->pre_filter == 0x21) {	/* a second LZMA2 */
			buf_vli(&h, 1);
			buf_u8(&h, 0x16);
		} else if (o->pre_filter == 0x03) {	/* delta: distance - 1 */
			buf_vli(&h, 1);
			buf_u8(&h, 0);
		} else {
			buf_vli(&h, 0);
		}
	}
	buf_vli(&h, 0x21);
	buf_vli(&h, 1);
	buf_u8(&h, (u8)(o->dict_byte ? o->dict_byte : 0x16));
	while ((h.len + 4) % 4)
		buf_u8(&h, 0);
	h.p[0] = (u8)((h.len + 4) / 4 - 1);
	buf_le32(&h, xz_crc32(h.p, h.len, 0));
	buf_put(b, h.p, h.len);

	buf_put(b, lz, lz_len);
	if (o->cut) {
		free(h.p);
		return;
	}
	for (i = lz_len; i % 4; i++)
		buf_u8(b, 0);
	if (o->check == 1) {
		u32 c = xz_crc32(plain, plain_len, 0);

		for (i = 0; i < 4; i++)
			check[i] = (u8)(c >> (8 * i));
	} else if (o->check == 4) {
		u64 c = xz_crc64(plain, plain_len, 0);

		for (i = 0; i < 8; i++)
			check[i] = (u8)(c >> (8 * i));
	} else if (o->check == 10) {
		xz_sha256(plain, plain_len, check);
	}
	buf_put(b, check, check_len(o->check));
	unpadded = h.len + lz_len + check_len(o->check);

	idx_start = b->len;
	buf_u8(b, 0);
	if (o->idx_count_overlong) {
		buf_u8(b, 0x81);
		buf_u8(b, 0x00);
	} else {
		buf_vli(b, (u64)(1 + o->idx_count_adj));
	}
	buf_vli(b, unpadded);
	buf_vli(b, (u64)((s64)plain_len + o->idx_usize_adj));
	while ((b->len - idx_start) % 4)
		buf_u8(b, 0);
	buf_le32(b, xz_crc32(b->p + idx_start, b->len - idx_start, 0));
	idx_len = b->len - idx_start;

	i = (size_t)((s64)(idx_len / 4 - 1) + o->backward_adj);
	foot[0] = (u8)i;
	foot[1] = (u8)(i >> 8);
	foot[2] = (u8)(i >> 16);
	foot[3] = (u8)(i >> 24);
	foot[4] = 0;
	foot[5] = o->check ^ o->footer_flags_xor;
	buf_le32(b, xz_crc32(foot, 6, 0));
	buf_put(b, foot, 6);
	buf_put(b, "YZ", 2);
	free(h.p);
}

/* build, decode, compare */
static void expect_built(const struct bopts *o, const u8 *lz, size_t lz_len, const u8 *plain,
			 size_t plain_len, const char *what)
{
	struct buf b = { 0 };

	build_xz(&b, o, lz, lz_len, plain, plain_len);
	expect_decode(b.p, b.len, plain, plain_len, what);
	free(b.p);
}

/* build, decode, expect @code and @needle in the message */
static void expect_built_fail(const struct bopts *o, const u8 *lz, size_t lz_len,
			      const u8 *plain, size_t plain_len, int code, const char *needle,
			      const char *what)
{
	struct buf b = { 0 };
	char err[ERR_LEN];
	int rc;

	build_xz(&b, o, lz, lz_len, plain, plain_len);
	rc = expect_fail(b.p, b.len, BIG_CAP, err, what);
	cr_assert(eq(int, rc, code), "%s: %s", what, err);
	cr_assert(strstr(err, needle) != NULL, "%s: message lacks \"%s\": %s", what, needle,
		  err);
	free(b.p);
}

static const struct bopts crc32_opts = { .check = 1 };

Test(xz, lzma2_uncompressed_chunks)
{
	static const u8 lz[] = { 0x01, 0x00, 0x04, 'h', 'e', 'l', 'l', 'o',
				 0x02, 0x00, 0x05, ' ', 'w', 'o', 'r', 'l', 'd',
				 0x01, 0x00, 0x00, '!', 0x00 };
	static const u8 empty_lz[] = { 0x00 };
	struct bopts o = { 0 };
	u8 c;

	for (c = 0; c <= 10; c++) {
		if (c != 0 && c != 1 && c != 4 && c != 10)
			continue;
		o.check = c;
		expect_built(&o, lz, sizeof(lz), (const u8 *)"hello world!", 12,
			     "uncompressed chunks");
		o.sizes = true;
		expect_built(&o, lz, sizeof(lz), (const u8 *)"hello world!", 12,
			     "uncompressed chunks, sizes in the header");
		o.sizes = false;
	}
	expect_built(&crc32_opts, empty_lz, 1, (const u8 *)"", 0, "LZMA2 end marker only");
}

Test(xz, lzma2_chunk_rules)
{
	static const struct {
		u8 lz[16];
		size_t len;
		const char *needle;
		bool cut;	/* the file ends after these bytes */
	} bad[] = {
		{ { 0x02, 0x00, 0x00, 'x', 0x00 }, 5, "dictionary reset", false },
		{ { 0x80, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00 }, 11,
		  "dictionary reset", false },
		{ { 0xA0, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00 }, 11,
		  "dictionary reset", false },
		{ { 0xC0, 0x00, 0x00, 0x00, 0x04, 0x5D, 0, 0, 0, 0, 0, 0x00 }, 12,
		  "dictionary reset", false },
		{ { 0x01, 0x00, 0x00, 'x', 0x03, 0x00 }, 6, "invalid control byte 0x03", false },
		{ { 0x01, 0x00, 0x00, 'x', 0x7F, 0x00 }, 6, "invalid control byte 0x7f", false },
		{ { 0x01, 0x00, 0x00, 'x', 0x80, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00 }, 15,
		  "properties", false },
		{ { 0x01, 0x00, 0x00, 'x', 0xA0, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00 }, 15,
		  "properties", false },
		{ { 0x01, 0x00, 0x00, 'x' }, 4, "no end marker", true },
		{ { 0x01, 0x00, 0x05, 'x' }, 4, "truncated (1 of 6", true },
		{ { 0x01, 0x00 }, 2, "truncated header", true },
		{ { 0xE0, 0x00, 0x00, 0x00 }, 4, "truncated header", true },
		{ { 0xE0, 0x00, 0x00, 0x00, 0x04, 0x0D, 0, 0, 0, 0, 0, 0x00 }, 12,
		  "invalid LZMA properties 0x0d", false },
		{ { 0xE0, 0x00, 0x00, 0x00, 0x04, 0xE1, 0, 0, 0, 0, 0, 0x00 }, 12,
		  "invalid LZMA properties 0xe1", false },
		{ { 0xE0, 0x00, 0x00, 0x00, 0x04, 0x5D, 0x01, 0, 0, 0, 0, 0x00 }, 12,
		  "range coder start", false },
		{ { 0xE0, 0x00, 0x00, 0x00, 0x03, 0x5D, 0x00, 0, 0, 0, 0x00 }, 11,
		  "range coder start", false },
		{ { 0xE0, 0x00, 0x00, 0x00, 0x08, 0x5D, 0x00, 0, 0, 0, 0 }, 11,
		  "truncated (5 of 9 compressed", true },
	};
	struct bopts o = { .check = 1 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[64];

		snprintf(what, sizeof(what), "hand-built LZMA2 case %zu", i);
		o.cut = bad[i].cut;
		expect_built_fail(&o, bad[i].lz, bad[i].len, (const u8 *)"x", 1, -EINVAL,
				  bad[i].needle, what);
	}
}

Test(xz, block_header_rules)
{
	static const u8 lz[] = { 0x01, 0x00, 0x02, 'a', 'b', 'c', 0x00 };
	struct bopts o = { .check = 4 };

	o.dict_byte = 40;
	expect_built(&o, lz, sizeof(lz), (const u8 *)"abc", 3, "dictionary byte 40");
	o.dict_byte = 41;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL, "dictionary size",
			  "dictionary byte 41");
	o.dict_byte = 0;
	o.pre_filter = 0x03;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -ENOTSUP, "delta",
			  "delta + LZMA2");
	o.pre_filter = 0x0A;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -ENOTSUP, "ARM64",
			  "ARM64 + LZMA2");
	o.pre_filter = 0x4000000000000001ull;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -ENOTSUP, "unknown",
			  "custom filter + LZMA2");
	o.pre_filter = 0x21;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL, "last and only",
			  "LZMA2 + LZMA2");
	o.pre_filter = 0;
	o.sizes = true;
	o.csize_adj = 1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL,
			  "compressed size 7, header says 8", "declared compressed size");
	o.csize_adj = -1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL,
			  "compressed size 7, header says 6", "declared compressed size");
	o.csize_adj = 0;
	o.usize_adj = 1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL,
			  "uncompressed size 3, header says 4", "declared uncompressed size");
}

Test(xz, index_and_footer_rules)
{
	static const u8 lz[] = { 0x01, 0x00, 0x02, 'a', 'b', 'c', 0x00 };
	struct bopts o = { .check = 10 };

	expect_built(&o, lz, sizeof(lz), (const u8 *)"abc", 3, "valid SHA-256 stream");
	o.idx_usize_adj = 1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL, "record 0",
			  "index record");
	o.idx_usize_adj = 0;
	o.idx_count_adj = 1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL,
			  "lists 2 blocks, the stream has 1", "index count");
	o.idx_count_adj = 0;
	o.idx_count_overlong = true;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL, "record count",
			  "overlong VLI");
	o.idx_count_overlong = false;
	o.backward_adj = 1;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL, "backward size",
			  "backward size");
	o.backward_adj = 0;
	o.footer_flags_xor = 0x0E;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -EINVAL,
			  "differ from the header", "footer flags");
	o.footer_flags_xor = 0;
	o.check = 0x2;	/* a reserved 4-byte check: valid CRCs, so unsupported */
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -ENOTSUP, "check type 0x2",
			  "reserved check type");
	o.check = 0xF;
	expect_built_fail(&o, lz, sizeof(lz), (const u8 *)"abc", 3, -ENOTSUP, "check type 0xf",
			  "reserved check type");
}

/* Offsets of the control bytes of raw LZMA2 data; returns how many. */
static size_t walk_chunks(const u8 *p, size_t len, size_t *offs, size_t max)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		u8 c = p[pos];

		if (n < max)
			offs[n] = pos;
		n++;
		if (c == 0)
			break;
		if (c < 0x80)
			pos += 3 + ((size_t)(p[pos + 1] << 8 | p[pos + 2]) + 1);
		else
			pos += 5 + (c >= 0xC0) + ((size_t)(p[pos + 3] << 8 | p[pos + 4]) + 1);
	}
	return n;
}

/* Decode xz's own chunk sequences: every control class in one block. */
Test(xz, lzma2_chunk_types_from_xz)
{
	size_t mixed_len, raw_len, offs[256], n, i;
	u8 *mixed = gen_mixed(300000, &mixed_len), *text = gen_text(300000, 15), *raw;
	unsigned seen = 0;

	REQUIRE_XZ();
	raw = xz_run("--format=raw --lzma2=preset=6", mixed, mixed_len, &raw_len);
	n = walk_chunks(raw, raw_len, offs, ARRAY_SIZE(offs));
	for (i = 0; i < n && i < ARRAY_SIZE(offs); i++)
		seen |= 1u << (raw[offs[i]] < 0x80 ? raw[offs[i]] : 4 + ((raw[offs[i]] >> 5) & 3));
	expect_built(&crc32_opts, raw, raw_len, mixed, mixed_len, "mixed, raw LZMA2 from xz");
	free(raw);
	raw = xz_run("--format=raw --lzma2=preset=6", text, 300000, &raw_len);
	n = walk_chunks(raw, raw_len, offs, ARRAY_SIZE(offs));
	for (i = 0; i < n && i < ARRAY_SIZE(offs); i++)
		seen |= 1u << (raw[offs[i]] < 0x80 ? raw[offs[i]] : 4 + ((raw[offs[i]] >> 5) & 3));
	expect_built(&crc32_opts, raw, raw_len, text, 300000, "text, raw LZMA2 from xz");
	free(raw);
	/* 1: 01, 2: 02, 4: 80, 5: A0, 6: C0, 7: E0 (plus 0: the end marker) */
	if (seen != 0xF7)
		cr_log_warn("this xz emitted control classes 0x%x, not all of 0xf7: the "
			    "hand-built reset tests still cover them", seen);
	free(mixed);
	free(text);
}

/* raw LZMA2 of @data with @lzma2 options, which must start with an E0-FF chunk */
static u8 *raw_e0(const char *lzma2, const u8 *data, size_t len, size_t *raw_len)
{
	char opts[128];
	bool e0;
	u8 *raw;

	snprintf(opts, sizeof(opts), "--format=raw --lzma2=%s", lzma2);
	raw = xz_run(opts, data, len, raw_len);
	e0 = *raw_len > 6 && (raw[0] & 0xE0) == 0xE0;
	cr_assert(e0, "xz %s did not start with an E0 chunk", opts);
	return raw;
}

/*
 * Dictionary resets, state resets and property changes in the middle of a
 * block, spliced from separately made raw streams. B is made with
 * lc=lp=pb=0, so its literals don't depend on the byte or position before
 * it and it decodes the same after other data without a dictionary reset.
 */
Test(xz, lzma2_resets_mid_block)
{
	u8 *ta = gen_text(60000, 21), *tb = gen_text(70000, 22), *a, *a0, *bb;
	size_t a_len, a0_len, b_len;
	struct buf want = { 0 }, lz = { 0 }, xyz_want = { 0 };

	REQUIRE_XZ();
	a = raw_e0("preset=6,lc=3,lp=0,pb=2", ta, 60000, &a_len);
	a0 = raw_e0("preset=6,lc=0,lp=0,pb=0", ta, 60000, &a0_len);
	bb = raw_e0("preset=6,lc=0,lp=0,pb=0", tb, 70000, &b_len);
	buf_put(&want, ta, 60000);
	buf_put(&want, tb, 70000);

	/* E0 in the middle: dictionary reset */
	buf_put(&lz, a, a_len - 1);
	buf_put(&lz, bb, b_len);
	expect_built(&crc32_opts, lz.p, lz.len, want.p, want.len, "A + E0 B");

	/* C0: new properties (lc 3 pb 2 -> lc 0 pb 0), same dictionary */
	lz.p[a_len - 1] = 0xC0 | (bb[0] & 0x1F);
	expect_built(&crc32_opts, lz.p, lz.len, want.p, want.len, "A + C0 B");

	/* A0: state reset, same properties (the props byte goes) */
	lz.len = 0;
	buf_put(&lz, a0, a0_len - 1);
	buf_u8(&lz, 0xA0 | (bb[0] & 0x1F));
	buf_put(&lz, bb + 1, 4);
	buf_put(&lz, bb + 6, b_len - 6);
	expect_built(&crc32_opts, lz.p, lz.len, want.p, want.len, "A + A0 B");

	/* an uncompressed chunk, then C0 */
	lz.len = 0;
	buf_put(&lz, "\x01\x00\x02xyz", 6);
	buf_u8(&lz, 0xC0 | (bb[0] & 0x1F));
	buf_put(&lz, bb + 1, b_len - 1);
	buf_put(&xyz_want, "xyz", 3);
	buf_put(&xyz_want, tb, 70000);
	expect_built(&crc32_opts, lz.p, lz.len, xyz_want.p, xyz_want.len, "01 xyz + C0 B");

	/* ... but 80 (no reset at all) there is invalid: properties needed */
	lz.p[6] = 0x80 | (bb[0] & 0x1F);
	memmove(lz.p + 11, lz.p + 12, lz.len - 12);
	lz.len--;
	expect_built_fail(&crc32_opts, lz.p, lz.len, xyz_want.p, xyz_want.len, -EINVAL,
			  "properties", "01 xyz + 80 B");

	free(a);
	free(a0);
	free(bb);
	free(ta);
	free(tb);
	free(want.p);
	free(lz.p);
	free(xyz_want.p);
}

/*
 * A match may not reach before a dictionary reset. Random data R is stored
 * in uncompressed chunks (01, 02...), and a later copy of part of R becomes
 * a C0 chunk whose matches reach back into R. Turning that C0 into E0
 * (same layout, now with a dictionary reset) must make those distances
 * invalid.
 */
Test(xz, match_cannot_cross_dictionary_reset)
{
	size_t raw_len, offs[64], n, i, lz_at = 0;
	u8 *r = gen_random(100000, 31), *data, *raw;
	char err[ERR_LEN];
	struct buf b = { 0 };
	int rc;

	REQUIRE_XZ();
	data = malloc(150000);
	cr_assert(data != NULL);
	memcpy(data, r, 100000);
	memcpy(data + 100000, r + 1000, 50000);
	raw = xz_run("--format=raw --lzma2=preset=6,lc=0,lp=0,pb=0", data, 150000, &raw_len);
	n = walk_chunks(raw, raw_len, offs, ARRAY_SIZE(offs));
	for (i = 0; i < n && i < ARRAY_SIZE(offs); i++) {
		if (raw[offs[i]] >= 0x80) {
			lz_at = offs[i];
			break;
		}
	}
	if (raw[0] != 0x01 || !lz_at || (raw[lz_at] & 0xE0) != 0xC0)
		SKIP("this xz did not store R uncompressed then a C0 chunk (first 0x%02x, "
		     "LZMA 0x%02x): layout assumed by the test", raw[0], raw[lz_at]);
	expect_built(&crc32_opts, raw, raw_len, data, 150000, "R + part of R");
	raw[lz_at] |= 0xE0;
	build_xz(&b, &crc32_opts, raw, raw_len, data, 150000);
	rc = expect_fail(b.p, b.len, BIG_CAP, err, "match across a dictionary reset");
	cr_assert(eq(int, rc, -EINVAL), "%s", err);
	cr_assert(strstr(err, "corrupt match distance") != NULL, "%s", err);
	free(b.p);
	free(raw);
	free(data);
	free(r);
}

/* the end of an LZMA chunk: exact sizes, range decoder finished */
Test(xz, lzma_chunk_end_conditions)
{
	u8 *t = gen_text(5000, 41), *raw;
	size_t raw_len, csize, usize, data_at = 6;
	struct buf lz = { 0 };
	struct bopts o = { .check = 0 };

	REQUIRE_XZ();
	raw = raw_e0("preset=6", t, 5000, &raw_len);
	usize = ((size_t)(raw[0] & 0x1F) << 16 | (size_t)raw[1] << 8 | raw[2]) + 1;
	csize = ((size_t)raw[3] << 8 | raw[4]) + 1;
	cr_assert(eq(sz, usize, 5000));
	cr_assert(eq(sz, data_at + csize + 1, raw_len), "expected one chunk");
	expect_built(&o, raw, raw_len, t, 5000, "one LZMA chunk");

	/* one more compressed byte than the data needs */
	buf_put(&lz, raw, data_at + csize);
	buf_u8(&lz, 0x00);
	buf_u8(&lz, 0x00);
	lz.p[3] = (u8)(csize >> 8);
	lz.p[4] = (u8)csize;
	expect_built_fail(&o, lz.p, lz.len, t, 5000, -EINVAL, "LZMA2 chunk at offset",
			  "csize + 1");

	/* one compressed byte fewer */
	lz.len = 0;
	buf_put(&lz, raw, data_at + csize - 1);
	buf_u8(&lz, 0x00);
	lz.p[3] = (u8)((csize - 2) >> 8);
	lz.p[4] = (u8)(csize - 2);
	expect_built_fail(&o, lz.p, lz.len, t, 5000, -EINVAL, "LZMA2 chunk at offset",
			  "csize - 1");

	/* one more or one fewer output byte declared */
	lz.len = 0;
	buf_put(&lz, raw, raw_len);
	lz.p[1] = (u8)(usize >> 8);
	lz.p[2] = (u8)usize;
	expect_built_fail(&o, lz.p, lz.len, t, 5000, -EINVAL, "LZMA2 chunk at offset",
			  "usize + 1");
	lz.p[1] = (u8)((usize - 2) >> 8);
	lz.p[2] = (u8)(usize - 2);
	expect_built_fail(&o, lz.p, lz.len, t, 5000, -EINVAL, "LZMA2 chunk at offset",
			  "usize - 1");

	/* the last compressed byte changed: the range decoder ends != 0 or the data differs */
	lz.len = 0;
	buf_put(&lz, raw, raw_len);
	lz.p[data_at + csize - 1] ^= 0x01;
	o.check = 4;
	expect_built_fail(&o, lz.p, lz.len, t, 5000, -EINVAL, "offset", "last byte");
	free(lz.p);
	free(raw);
	free(t);
}

/* ---- hostile input ---------------------------------------------------- */

/* every truncation of a small two-block stream, and every byte flipped */
Test(xz, truncate_and_flip_every_offset_small)
{
	static const u8 masks[] = { 0x01, 0x80, 0xFF };
	u8 *t = gen_text(3000, 51), *xz, *m;
	char err[ERR_LEN];
	size_t xz_len, off, k;

	REQUIRE_XZ();
	xz = xz_run("-6 --check=crc64 --block-size=1500", t, 3000, &xz_len);
	expect_decode(xz, xz_len, t, 3000, "small stream");
	m = malloc(xz_len);
	cr_assert(m != NULL);
	for (off = 0; off < xz_len; off++) {
		char what[64];

		snprintf(what, sizeof(what), "truncated to %zu of %zu", off, xz_len);
		memcpy(m, xz, off);
		cr_assert(eq(int, expect_fail(m, off, BIG_CAP, err, what), -EINVAL), "%s: %s",
			  what, err);
	}
	for (off = 0; off < xz_len; off++) {
		for (k = 0; k < ARRAY_SIZE(masks); k++) {
			char what[64];

			snprintf(what, sizeof(what), "byte 0x%zx ^ 0x%02x", off, masks[k]);
			memcpy(m, xz, xz_len);
			m[off] ^= masks[k];
			cr_assert(eq(int, expect_fail(m, xz_len, BIG_CAP, err, what), -EINVAL),
				  "%s: %s", what, err);
		}
	}
	free(m);
	free(xz);
	free(t);
}

/* without a check, a flip in the data may go unnoticed: it must not crash */
Test(xz, flip_every_offset_no_check)
{
	u8 *t = gen_text(3000, 52), *xz, *m;
	size_t xz_len, off;
	int undetected = 0;

	REQUIRE_XZ();
	xz = xz_run("-6 --check=none", t, 3000, &xz_len);
	m = malloc(xz_len);
	cr_assert(m != NULL);
	for (off = 0; off < xz_len; off++) {
		char err[ERR_LEN];
		void *out = NULL;
		size_t out_len;
		int rc;

		memcpy(m, xz, xz_len);
		m[off] ^= 0x10;
		rc = xz_decode(m, xz_len, BIG_CAP, &out, &out_len, err, sizeof(err));
		cr_assert(rc == 0 || rc == -EINVAL, "byte 0x%zx: rc %d (%s)", off, rc, err);
		if (rc == 0) {
			undetected++;
			xfree(out);
		}
	}
	cr_log_info("check=none: %d of %zu flips decoded without an error", undetected, xz_len);
	free(m);
	free(xz);
	free(t);
}

/* ~500 truncations and ~500 flips spread over a large multi-block stream */
Test(xz, truncate_and_flip_spread_large, .timeout = 900)
{
	size_t len, xz_len, i, spots = 500;
	u8 *data = gen_mixed(400000, &len), *xz, *m;
	char err[ERR_LEN];

	REQUIRE_XZ();
	xz = xz_run("-6 --check=crc64 --block-size=600KiB", data, len, &xz_len);
	expect_decode(xz, xz_len, data, len, "large stream");
	m = malloc(xz_len);
	cr_assert(m != NULL);
	memcpy(m, xz, xz_len);
	for (i = 0; i < spots; i++) {
		size_t off = (size_t)((u64)i * xz_len / spots) + i % 7;
		char what[64];

		if (off >= xz_len)
			continue;
		snprintf(what, sizeof(what), "truncated to %zu of %zu", off, xz_len);
		cr_assert(eq(int, expect_fail(m, off, BIG_CAP, err, what), -EINVAL), "%s: %s",
			  what, err);
		snprintf(what, sizeof(what), "byte 0x%zx ^ 0x%02x", off, (unsigned)(i % 255 + 1));
		m[off] ^= (u8)(i % 255 + 1);
		cr_assert(eq(int, expect_fail(m, xz_len, BIG_CAP, err, what), -EINVAL), "%s: %s",
			  what, err);
		m[off] = xz[off];
	}
	/* the tail, byte by byte: index, footer */
	for (i = xz_len - 64; i < xz_len; i++) {
		cr_assert(eq(int, expect_fail(m, i, BIG_CAP, err, "tail truncation"), -EINVAL));
		m[i] ^= 0x04;
		cr_assert(eq(int, expect_fail(m, xz_len, BIG_CAP, err, "tail flip"), -EINVAL));
		m[i] = xz[i];
	}
	free(m);
	free(xz);
	free(data);
}

static size_t vm_data_bytes(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * 200 MB of zeros in ~30 KB: with a 10 MB cap, -E2BIG quickly. Outside
 * ASan, RLIMIT_DATA (which counts malloc and mmap) is set to what the
 * process has plus 40 MB, so a decoder that trusted the stream's sizes (or
 * grew past the cap) would fail with -ENOMEM instead.
 */
Test(xz, decompression_bomb, .timeout = 600)
{
	char path[128], cmd[256], err[ERR_LEN];
	size_t xz_len, cap = 10 * 1000 * 1000, out_len;
	struct rlimit old, lim;
	bool limited = false;
	double t0, dt;
	void *out;
	u8 *xz;
	int rc;

	REQUIRE_XZ();
	snprintf(path, sizeof(path), "%s/bomb.xz", tmpdir);
	snprintf(cmd, sizeof(cmd), "head -c 200000000 /dev/zero | xz -9 -T1 > '%s'", path);
	cr_assert(eq(int, system(cmd), 0), "`%s` failed", cmd);
	xz = slurp(path, &xz_len);
	cr_assert(xz != NULL && xz_len < 100000, "bomb is %zu bytes", xz_len);
#ifndef XZT_LSAN
	if (!getrlimit(RLIMIT_DATA, &old) && vm_data_bytes()) {
		lim = old;
		lim.rlim_cur = vm_data_bytes() + 40 * 1024 * 1024;
		if (old.rlim_max == RLIM_INFINITY || lim.rlim_cur <= old.rlim_max)
			limited = !setrlimit(RLIMIT_DATA, &lim);
	}
#else
	(void)old;
	(void)lim;
	(void)vm_data_bytes;
#endif
	t0 = now_s();
	rc = expect_fail(xz, xz_len, cap, err, "bomb");
	dt = now_s() - t0;
	if (limited)
		setrlimit(RLIMIT_DATA, &old);
	cr_assert(eq(int, rc, -E2BIG), "bomb: %s", err);
	cr_assert(strstr(err, "cap") != NULL, "%s", err);
	cr_assert(dt < 5.0, "bomb took %.2f s to reject", dt);
	cr_log_info("bomb rejected in %.3f s%s: %s", dt, limited ? " under RLIMIT_DATA" : "", err);

	/* the cap is inclusive: a 2 MB bomb fits a 2 MB cap, not 1 byte less */
	snprintf(cmd, sizeof(cmd), "head -c 2000000 /dev/zero | xz -6 -T1 > '%s'", path);
	cr_assert(eq(int, system(cmd), 0));
	free(xz);
	xz = slurp(path, &xz_len);
	cr_assert(xz != NULL);
	rc = xz_decode(xz, xz_len, 2000000, &out, &out_len, err, sizeof(err));
	cr_assert(eq(int, rc, 0), "exact cap: %s", err);
	cr_assert(eq(sz, out_len, 2000000));
	xfree(out);
	cr_assert(eq(int, expect_fail(xz, xz_len, 1999999, err, "cap - 1"), -E2BIG), "%s", err);
	free(xz);
	assert_no_leaks();
}

/*
 * Fail allocation N = 1, 2, ... of decoding @name until the decode
 * succeeds: every earlier N must give -ENOMEM with a message and leak
 * nothing. Returns how many allocations a successful decode makes, and its
 * output in *@out.
 */
static unsigned long fail_each_allocation(const char *name, void **out, size_t *out_len)
{
	char err[ERR_LEN];
	size_t xz_len;
	unsigned long n;
	u8 *xz = fixture(name, &xz_len);
	int rc = -1;

	for (n = 1; n < 10000; n++) {
		err[0] = '\0';
		util_alloc_fail_at = n;
		rc = xz_decode(xz, xz_len, BIG_CAP, out, out_len, err, sizeof(err));
		util_alloc_fail_at = 0;
		if (rc == 0)
			break;
		cr_assert(eq(int, rc, -ENOMEM), "%s, allocation %lu failing: %s", name, n, err);
		cr_assert(strstr(err, "out of memory") != NULL, "%s", err);
		assert_no_leaks();
	}
	cr_assert(eq(int, rc, 0));
	free(xz);
	return n - 1;
}

/*
 * Allocation failure injection: on the fixture with 4 streams and 13 blocks
 * (decoder state, block list, output), and on the 20 MB of zeros, whose
 * output buffer grows 2 -> 4 -> 8 -> 16 -> 32 MB (2 MiB LZMA2 chunks).
 */
Test(xz, allocation_failures)
{
	char h[2 * XZ_SHA256_LEN + 1];
	u8 d[XZ_SHA256_LEN];
	unsigned long n1, n2;
	size_t out_len;
	void *out;

	n1 = fail_each_allocation(FIXTURE_DIR "multi-stream.xz", &out, &out_len);
	cr_assert(eq(sz, out_len, MULTI_LEN));
	xz_sha256(out, out_len, d);
	hex(d, sizeof(d), h);
	cr_assert(eq(str, h, MULTI_SHA256));
	xfree(out);
	n2 = fail_each_allocation(FIXTURE_DIR "zeros-20M.xz", &out, &out_len);
	cr_assert(eq(sz, out_len, 20000000));
	xfree(out);
	cr_assert(n1 >= 3 && n2 >= 7, "%lu and %lu allocations?", n1, n2);
	cr_log_info("decodes succeeded once %lu and %lu allocations could", n1, n2);
	assert_no_leaks();
}

/*
 * The index at the end gives the output size before decoding: a file of
 * ordinary ratio is decoded into one allocation of exactly its size (the
 * decoder state, the block list, the output). This file is 25:1, so the
 * 4:1 first guess would have to grow (and copy) before the end.
 */
Test(xz, output_sized_from_index)
{
	char path[128], cmd[256];
	unsigned long n;
	size_t out_len;
	void *out;

	REQUIRE_XZ();
	snprintf(path, sizeof(path), "%s/seq.xz", tmpdir);
	snprintf(cmd, sizeof(cmd), "seq 1 400000 | xz -6 -T1 > '%s'", path);
	cr_assert(eq(int, system(cmd), 0), "`%s` failed", cmd);
	n = fail_each_allocation(path, &out, &out_len);
	cr_assert(eq(sz, out_len, 2688895));
	xfree(out);
	cr_assert(eq(ulong, n, 3), "%lu allocations", n);
	assert_no_leaks();
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* messages: the part, block number and offsets */
Test(xz, error_messages)
{
	u8 *t = gen_text(20000, 71), *xz;
	size_t xz_len;
	char err[ERR_LEN];
	struct buf two = { 0 };

	REQUIRE_XZ();
	xz = xz_run("-6 --check=crc64", t, 20000, &xz_len);

	xz[0] = 0;
	expect_fail(xz, xz_len, BIG_CAP, err, "magic");
	cr_assert(eq(str, err, "stream header at offset 0x0: not an .xz stream (bad magic)"));
	xz[0] = 0xFD;

	xz[7] ^= 1;
	expect_fail(xz, xz_len, BIG_CAP, err, "stream flags");
	cr_assert(starts_with(err, "stream header at offset 0x0: CRC32 mismatch"), "%s", err);
	xz[7] ^= 1;

	/* the CRC64 sits 8 bytes before the index (12 bytes) and footer (12 bytes) */
	xz[xz_len - 24 - 8] ^= 1;
	expect_fail(xz, xz_len, BIG_CAP, err, "check");
	cr_assert(starts_with(err, "block 0 at offset 0xc: CRC64 mismatch at offset 0x"), "%s",
		  err);
	xz[xz_len - 24 - 8] ^= 1;

	xz[xz_len - 1] = 'X';
	expect_fail(xz, xz_len, BIG_CAP, err, "footer magic");
	cr_assert(starts_with(err, "stream footer at offset 0x"), "%s", err);
	xz[xz_len - 1] = 'Z';

	xz[40] ^= 0x55;
	expect_fail(xz, xz_len, BIG_CAP, err, "data");
	cr_assert(starts_with(err, "block 0 at offset 0xc: "), "%s", err);
	xz[40] ^= 0x55;

	/* in the second stream */
	buf_put(&two, xz, xz_len);
	buf_put(&two, xz, xz_len);
	two.p[2 * xz_len - 24 - 8] ^= 1;
	expect_fail(two.p, two.len, BIG_CAP, err, "second stream");
	cr_assert(starts_with(err, "stream 1: block 0 at offset 0x"), "%s", err);

	expect_decode(xz, xz_len, t, 20000, "restored");
	free(two.p);
	free(xz);
	free(t);
}

/* the SHA-instruction path and the portable rounds agree on every length */
Test(xz, sha256_accel_matches_portable)
{
	u8 *p = gen_random(5000, 11);
	u8 a[XZ_SHA256_LEN], b[XZ_SHA256_LEN];
	size_t len;

	for (len = 0; len < 5000; len += len < 300 ? 1 : 97) {
		xz_sha256_accel = true;
		xz_sha256(p, len, a);
		xz_sha256_accel = false;
		xz_sha256(p, len, b);
		cr_assert(memcmp(a, b, sizeof(a)) == 0, "length %zu", len);
	}
	xz_sha256_accel = true;
	free(p);
}

static bool cpu_has_shani(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	unsigned int a, b, c, d, c1;

	if (!__get_cpuid(1, &a, &b, &c1, &d) || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & (1u << 29)) && (c1 & (1u << 9)) && (c1 & (1u << 19));
#else
	return false;
#endif
}

/*
 * The SHA instructions must be the path taken when the CPU has them, which
 * equal digests alone cannot show: they run ~4x faster than the portable
 * rounds, so require 2x.
 */
Test(xz, sha256_accel_taken)
{
	size_t n = 4 << 20;
	u8 *p = gen_random(n, 27);
	struct sum_job js = { .p = p, .n = n, .accel = false };
	struct sum_job jf = { .p = p, .n = n, .accel = true };
	double t_fast, t_slow;

	t_slow = best_time(sha256_job, &js, 3);
	t_fast = best_time(sha256_job, &jf, 3);
	cr_assert(memcmp(js.digest, jf.digest, sizeof(js.digest)) == 0);
	free(p);
	if (!cpu_has_shani())
		SKIP("no SHA instructions on this CPU: the SHA-256 accel path is not tested");
	cr_log_info("SHA-256: portable %.0f MB/s, SHA instructions %.0f MB/s",
		    (double)n / t_slow / 1e6, (double)n / t_fast / 1e6);
	cr_assert(t_fast * 2 < t_slow, "accel path not taken? %.2f ms vs %.2f ms",
		  t_fast * 1e3, t_slow * 1e3);
}

/* no data at all: NULL with length 0 is the empty message (found by fuzz_xz) */
Test(xz, sha256_null_empty)
{
	u8 d[XZ_SHA256_LEN];
	char h[2 * XZ_SHA256_LEN + 1];

	xz_sha256(NULL, 0, d);
	hex(d, sizeof(d), h);
	cr_assert(eq(str, h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}
