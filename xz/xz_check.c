// SPDX-License-Identifier: MIT
/*
 * xz_check.c - the integrity checks an .xz stream can carry: CRC32 (also
 * used for every header, index and footer), CRC64 and SHA-256.
 *
 * Both CRCs are reflected (least significant bit first) with all-ones
 * initial value and final inversion:
 *
 *   CRC32  polynomial 0x04C11DB7, reflected 0xEDB88320   "123456789" -> 0xCBF43926
 *   CRC64  polynomial 0x42F0E1EBA9EA3693 (ECMA-182),
 *          reflected 0xC96C5795D7870F42                  "123456789" -> 0x995DC9BBDF1939FA
 *
 * They run slicing-by-8: eight 256-entry tables, where table k gives the
 * CRC contribution of a byte that still has k more zero bytes to pass
 * through, so one step folds 8 input bytes with 8 independent lookups:
 *
 *   word = le64(p) ^ crc                  (CRC32: le32(p) ^ crc, le32(p + 4))
 *   crc  = T7[byte 0] ^ T6[byte 1] ^ ... ^ T0[byte 7]
 *
 * The words are loaded as little-endian numbers, so the same code is right
 * on big-endian hosts. The tables (8 KiB + 16 KiB) are computed on first
 * use under pthread_once(), so concurrent decoders in worker threads are
 * safe (pthread_once rather than C11 call_once: glibc's call_once bypasses
 * the interceptor ThreadSanitizer needs to see the ordering). On x86-64
 * with PCLMULQDQ, CRC64 folds 16-byte lanes by carry-less multiplication
 * instead and keeps the tables for short inputs and tails (crc64_clmul()).
 *
 * SHA-256 is the plain FIPS 180-4 compression function over 64-byte blocks,
 * with the final padding block(s) built in a local buffer:
 *
 *   message | 0x80 | 0x00... | 64-bit big-endian bit length  (to 64n bytes)
 */
#include <pthread.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "xz/xz.h"

#define CRC32_POLY 0xEDB88320u
#define CRC64_POLY 0xC96C5795D7870F42ull
/* slicing-by-8: eight tables of 256 entries */
#define CRC_SLICES 8

static uint32_t crc32_table[CRC_SLICES][256];
static uint64_t crc64_table[CRC_SLICES][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	unsigned int i, k, b;

	for (i = 0; i < 256; i++) {
		uint32_t c32 = i;
		uint64_t c64 = i;

		for (b = 0; b < 8; b++) {
			c32 = (c32 >> 1) ^ (CRC32_POLY & (0u - (c32 & 1)));
			c64 = (c64 >> 1) ^ (CRC64_POLY & (0ull - (c64 & 1)));
		}
		crc32_table[0][i] = c32;
		crc64_table[0][i] = c64;
	}
	for (k = 1; k < CRC_SLICES; k++) {
		for (i = 0; i < 256; i++) {
			uint32_t p32 = crc32_table[k - 1][i];
			uint64_t p64 = crc64_table[k - 1][i];

			crc32_table[k][i] = (p32 >> 8) ^ crc32_table[0][p32 & 0xff];
			crc64_table[k][i] = (p64 >> 8) ^ crc64_table[0][p64 & 0xff];
		}
	}
}

static inline uint32_t ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t ld_le64(const uint8_t *p)
{
	return (uint64_t)ld_le32(p) | (uint64_t)ld_le32(p + 4) << 32;
}

uint32_t xz_crc32(const void *buf, size_t len, uint32_t crc)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t a = ld_le32(p) ^ crc, b = ld_le32(p + 4);

		crc = crc32_table[7][a & 0xff] ^ crc32_table[6][(a >> 8) & 0xff] ^
		      crc32_table[5][(a >> 16) & 0xff] ^ crc32_table[4][a >> 24] ^
		      crc32_table[3][b & 0xff] ^ crc32_table[2][(b >> 8) & 0xff] ^
		      crc32_table[1][(b >> 16) & 0xff] ^ crc32_table[0][b >> 24];
	}
	for (; len; p++, len--)
		crc = crc32_table[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* the inverted register in, the inverted register out (xz_crc64() does the ~) */
static uint64_t crc64_slice(const uint8_t *p, size_t len, uint64_t crc)
{
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t a = ld_le64(p) ^ crc;

		crc = crc64_table[7][a & 0xff] ^ crc64_table[6][(a >> 8) & 0xff] ^
		      crc64_table[5][(a >> 16) & 0xff] ^ crc64_table[4][(a >> 24) & 0xff] ^
		      crc64_table[3][(a >> 32) & 0xff] ^ crc64_table[2][(a >> 40) & 0xff] ^
		      crc64_table[1][(a >> 48) & 0xff] ^ crc64_table[0][a >> 56];
	}
	for (; len; p++, len--)
		crc = crc64_table[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * CRC64 by carry-less multiplication (PCLMULQDQ), about 7x the tables
 * (12 vs 1.7 GB/s): the decoder checks every block of every .btf.tar.xz.
 *
 * Without the inversions a CRC is M(x) * x^64 mod P, and mod P lets us
 * replace any part of the message by something shorter but congruent. A
 * 16-byte lane V, loaded little-endian, holds 128 message bits with the
 * first one in bit 0, so its low qword is the high half H (degrees 127..64)
 * and its high qword the low half L:
 *
 *   V = H x^64 + L         128 bits, N bits ahead of the data it meets
 *   V x^N = H x^(N+64) + L x^N
 *         == H (x^(N+64) mod P) + L (x^N mod P)      (mod P, < 128 bits)
 *
 * so "fold V forward N bits" is two 64x64 multiplies and an xor into the
 * lane N bits on. In the reflected order both operands are bit-reversed,
 * and the 127-bit product comes back reversed too, one bit short of filling
 * 128 bits: its bit k is degree 126 - k, not 127 - k, which multiplies the
 * result by x. The constants absorb that x:
 *
 *   kh(N) = x^(N+63) mod P      for H, in the low qword:   clmul imm 0x00
 *   kl(N) = x^(N-1)  mod P      for L, in the high qword:  clmul imm 0x11
 *
 * and, stored bit-reversed, they are just the CRC register after multiplying
 * 1 (bit 63) by x that many times, the table generator's own step. They are
 * computed at first use from CRC64_POLY rather than copied as magic numbers.
 *
 *   | lane 0 | lane 1 | ... | lane 7 | lane 0 | ... | lane 7 | ... | <16 |
 *    \____ first 128 bytes _______/  each lane folds N = 1024 bits onto
 *      (crc xored into lane 0)       the same lane of the next 128 bytes
 *
 * Eight lanes hide the multiply's latency. At the end lane i folds
 * (7 - i) * 128 bits onto lane 7, whole 16-byte blocks fold one at a time
 * (N = 128), and the last 128-bit remainder is simply the message prefix
 * the rest continues: the table code runs it from a zero register, which
 * is V x^64 mod P (the final reduction, by lookup), then the < 16 tail.
 */
#define CLMUL_TARGET __attribute__((target("pclmul")))
#define CLMUL_LANES 8
#define CLMUL_BLOCK (16 * CLMUL_LANES)
/* below this the setup and the final folds cost more than the tables */
#define CLMUL_MIN CLMUL_BLOCK

/* crc64_fold_k[d] folds a lane d * 128 bits forward: { kh, kl } */
static uint64_t crc64_fold_k[CLMUL_LANES + 1][2];

/* x^n mod P, bit-reversed: x^0 is bit 63, each step is the table's "* x" */
static uint64_t crc64_xpow(unsigned int n)
{
	uint64_t c = 1ull << 63;

	while (n--)
		c = (c >> 1) ^ (CRC64_POLY & (0ull - (c & 1)));
	return c;
}

/*
 * The CPU's features, asked once per process like the CRC tables are built:
 * cpuid traps to the hypervisor on virtual machines, and archive checks and
 * hashes every file it reads. cpuid 1 ECX: bit 1 PCLMULQDQ, 9 SSSE3, 19
 * SSE4.1; cpuid 7.0 EBX bit 29 SHA. The CRC64 fold constants are derived here
 * too, when they will be used.
 */
static struct {
	bool pclmul;
	bool shani;	/* SHA with the SSSE3 and SSE4.1 its code also uses */
} cpu;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void cpu_detect(void)
{
	unsigned int a, b, c1, d, c7 = 0, b7 = 0, i;

	if (!__get_cpuid(1, &a, &b, &c1, &d))
		return;
	if (!__get_cpuid_count(7, 0, &a, &b7, &c7, &d))
		b7 = 0;
	cpu.pclmul = c1 & (1u << 1);
	cpu.shani = (b7 & (1u << 29)) && (c1 & (1u << 9)) && (c1 & (1u << 19));
	if (cpu.pclmul) {
		for (i = 1; i <= CLMUL_LANES; i++) {
			crc64_fold_k[i][0] = crc64_xpow(128 * i + 63);
			crc64_fold_k[i][1] = crc64_xpow(128 * i - 1);
		}
	}
}

static bool cpu_has_pclmul(void)
{
	pthread_once(&cpu_once, cpu_detect);
	return cpu.pclmul;
}

static bool cpu_has_shani(void)
{
	pthread_once(&cpu_once, cpu_detect);
	return cpu.shani;
}

CLMUL_TARGET
static inline __m128i fold(__m128i v, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(v, k, 0x00),
			     _mm_clmulepi64_si128(v, k, 0x11));
}

CLMUL_TARGET
static inline __m128i fold_k(unsigned int d)
{
	return _mm_set_epi64x((long long)crc64_fold_k[d][1], (long long)crc64_fold_k[d][0]);
}

/*
 * The inverted register in and out, like crc64_slice(); @len >= CLMUL_BLOCK,
 * and all of it but the last len % 16 bytes is consumed: *@done says how many.
 */
CLMUL_TARGET
static uint64_t crc64_clmul(const uint8_t *p, size_t len, uint64_t crc, size_t *done)
{
	const __m128i k8 = fold_k(CLMUL_LANES), k1 = fold_k(1);
	__m128i x[CLMUL_LANES], acc;
	uint8_t rem[16];
	size_t n;
	unsigned int i;

	for (i = 0; i < CLMUL_LANES; i++)
		x[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
	/* the register meets the first 64 message bits, as le64(p) ^ crc does */
	x[0] = _mm_xor_si128(x[0], _mm_cvtsi64_si128((long long)crc));
	for (n = CLMUL_BLOCK; len - n >= CLMUL_BLOCK; n += CLMUL_BLOCK) {
		for (i = 0; i < CLMUL_LANES; i++)
			x[i] = _mm_xor_si128(fold(x[i], k8),
					     _mm_loadu_si128((const __m128i *)(p + n + 16 * i)));
	}
	acc = x[CLMUL_LANES - 1];
	for (i = 0; i < CLMUL_LANES - 1; i++)
		acc = _mm_xor_si128(acc, fold(x[i], fold_k(CLMUL_LANES - 1 - i)));
	for (; len - n >= 16; n += 16)
		acc = _mm_xor_si128(fold(acc, k1), _mm_loadu_si128((const __m128i *)(p + n)));
	_mm_storeu_si128((__m128i *)rem, acc);
	*done = n;
	return crc64_slice(rem, sizeof(rem), 0);
}
#endif

bool xz_crc64_accel = true;

uint64_t xz_crc64(const void *buf, size_t len, uint64_t crc)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (xz_crc64_accel && len >= CLMUL_MIN && cpu_has_pclmul()) {
		size_t done;

		crc = crc64_clmul(p, len, crc, &done);
		p += done;
		len -= done;
	}
#endif
	return ~crc64_slice(p, len, crc);
}

/* ---- SHA-256 ---------------------------------------------------------- */

#define SHA256_BLOCK 64

/* first 32 bits of the fractional parts of the cube roots of the first 64 primes */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	       (uint32_t)p[3];
}

static void sha256_block(uint32_t h[8], const uint8_t *blk)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = ld_be32(blk + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += SHA256_BLOCK)
		sha256_block(h, p);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * The SHA extensions (Intel since Goldmont/Ice Lake, AMD since Zen): the
 * archive command hashes every input file, and this is 5-6x faster than the
 * portable rounds. The instructions keep the state as ABEF and CDGH words;
 * each sha256rnds2 does two rounds, msg1/msg2 compute the message schedule
 * four words at a time.
 */
#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

SHANI_TARGET
static void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef, cdgh, tmp, w[4];

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);	/* CDAB */
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);	/* EFGH */
	abef = _mm_alignr_epi8(tmp, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);

	for (; n; n--, p += SHA256_BLOCK) {
		__m128i abef0 = abef, cdgh0 = cdgh, m;
		unsigned int i;

		for (i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			} else {
				/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], 4 at once */
				m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3],
								     w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
			}
			m = _mm_add_epi32(w[i & 3],
					  _mm_loadu_si128((const __m128i *)&sha256_k[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	tmp = _mm_shuffle_epi32(abef, 0x1B);		/* FEBA */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);		/* DCHG */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(tmp, cdgh, 0xF0));	/* DCBA */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, tmp, 8));	/* HGFE */
}

#endif

bool xz_sha256_accel = true;

void xz_sha256(const void *buf, size_t len, uint8_t digest[XZ_SHA256_LEN])
{
	/* first 32 bits of the fractional parts of the square roots of the first 8 primes */
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint8_t tail[2 * SHA256_BLOCK];
	const uint8_t *p = buf;
	uint64_t bits = (uint64_t)len * 8;	/* mod 2^64, as the standard says */
	size_t rest, tail_len, i;
	void (*blocks)(uint32_t *, const uint8_t *, size_t) = sha256_blocks_portable;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (xz_sha256_accel && len >= 4 * SHA256_BLOCK && cpu_has_shani())
		blocks = sha256_blocks_shani;
#endif
	if (len >= SHA256_BLOCK) {	/* (@buf may be NULL when @len is 0) */
		blocks(h, p, len / SHA256_BLOCK);
		p += len / SHA256_BLOCK * SHA256_BLOCK;
		len %= SHA256_BLOCK;
	}
	/* 0x80, zeros, then the length: one block if it fits after the rest, else two */
	rest = len;
	tail_len = rest + 1 + 8 <= SHA256_BLOCK ? SHA256_BLOCK : 2 * SHA256_BLOCK;
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(h, tail, tail_len / SHA256_BLOCK);
	for (i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}
