// SPDX-License-Identifier: MIT
/*
 * xz_enc.c - single-call .xz writer that stores its input in uncompressed
 * LZMA2 chunks: no match finder, no range coder, a few bytes of framing per
 * 64 KiB. Meant for small outputs (reduced BTFs of a few KB) that a client
 * insists on receiving as .xz; every .xz decoder reads it.
 *
 * Output for a non-empty input (all integers little-endian unless marked BE;
 * the layout is the one xz_dec.c describes):
 *
 *   stream header (12)   FD 37 7A 58 5A 00 | 00 04 (CRC64) | CRC32(00 04)
 *   block header (12..)  size byte | flags C0 (1 filter, both sizes present)
 *                        | csize VLI | usize VLI | 21 01 dict-byte (LZMA2)
 *                        | zero pad to 4 | CRC32
 *   LZMA2 data (csize)   01 | n-1 BE16 | n bytes         first chunk, dict reset
 *                        02 | n-1 BE16 | n bytes         each later chunk
 *                        00                              end marker
 *                        (n <= 64 KiB: all but the last chunk are full)
 *   block padding        zero bytes to a multiple of 4
 *   check (8)            CRC64 of the input
 *   index                00 | 01 | unpadded size VLI | usize VLI | zero pad | CRC32
 *   stream footer (12)   CRC32(bsize, flags) | bsize u32 | 00 04 | 59 5A
 *
 * An empty input gives a stream with zero blocks (header, the index "00 00
 * 00 00" + CRC32, footer: 32 bytes), which is byte for byte what
 * `xz --check=crc64` writes for an empty file.
 *
 * The output size is computed first (every sum overflow-checked) and the
 * whole stream is written into one allocation of exactly that size, so the
 * result depends on nothing but the input.
 */
#include <errno.h>
#include <string.h>

#include "util/util.h"
#include "xz/xz.h"

/* stream header and footer: fixed 12 bytes each (spec 2.1.1, 2.1.2) */
#define STREAM_HDR_SIZE 12
/* stream flags: byte 0 reserved (zero), byte 1 the check type; CRC64 is 0x04 (spec 2.1.1.2) */
#define CHECK_CRC64 0x04
#define CHECK_CRC64_SIZE 8
/* a VLI holds at most 63 bits of value, in at most 9 bytes (spec 1.2) */
#define VLI_MAX ((uint64_t)INT64_MAX)
#define VLI_BYTES_MAX 9
/* block flags: one filter (bits 0-1 = 0), compressed and uncompressed size present */
#define BLOCK_FLAGS_SIZES 0xC0
/* the LZMA2 filter id and its one-byte property, the dictionary size (spec 5.3.1) */
#define FILTER_LZMA2 0x21
#define LZMA2_PROPS_SIZE 1
/* dictionary size byte: 40 means 4 GiB - 1, the largest (spec 5.3.1) */
#define LZMA2_DICT_BYTE_MAX 40
/* LZMA2 uncompressed chunk: control byte, then size - 1 in 16 bits big-endian */
#define LZMA2_CHUNK_MAX 65536
#define LZMA2_CHUNK_HDR 3
#define LZMA2_CTRL_END 0x00
#define LZMA2_CTRL_STORED_RESET 0x01	/* uncompressed, dictionary reset */
#define LZMA2_CTRL_STORED 0x02		/* uncompressed, no reset */
/*
 * block header: size byte, flags, two VLIs, filter flags (id, props size,
 * props), then padding to 4 and the CRC32: at most 1 + 1 + 9 + 9 + 3 + 4,
 * rounded up to 28
 */
#define BLOCK_HDR_MAX 28
/* index: indicator, record count, one record of two VLIs, padding, CRC32 */
#define INDEX_MAX (1 + 1 + 2 * VLI_BYTES_MAX + 3 + 4)

static const uint8_t stream_magic[XZ_MAGIC_LEN] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t footer_magic[2] = { 'Y', 'Z' };

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Write @v (<= VLI_MAX) as a VLI at @p; returns its length (1..9). */
static size_t put_vli(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/*
 * The smallest dictionary size byte whose size, (2 | (b & 1)) << (b / 2 + 11),
 * is at least @len: 0 (4 KiB) for small inputs, LZMA2_DICT_BYTE_MAX (4 GiB -
 * 1) for anything above 3 GiB. A stored chunk never reads the dictionary,
 * but decoders size their buffer by it, and it must not claim less than the
 * data the block makes.
 */
static uint8_t dict_byte_for(size_t len)
{
	uint8_t b;

	for (b = 0; b < LZMA2_DICT_BYTE_MAX; b++)
		if (((uint64_t)(2 | (b & 1)) << (b / 2 + 11)) >= (uint64_t)len)
			return b;
	return LZMA2_DICT_BYTE_MAX;
}

/* Block header for the sizes, into @h (BLOCK_HDR_MAX bytes); returns its length. */
static size_t block_header(uint8_t *h, uint64_t csize, uint64_t usize, uint8_t dict_byte)
{
	size_t n = 2, size;

	n += put_vli(h + n, csize);
	n += put_vli(h + n, usize);
	h[n++] = FILTER_LZMA2;
	h[n++] = LZMA2_PROPS_SIZE;
	h[n++] = dict_byte;
	size = n + pad4(n) + 4;
	memset(h + n, 0, size - 4 - n);
	h[0] = (uint8_t)(size / 4 - 1);
	h[1] = BLOCK_FLAGS_SIZES;
	put_le32(h + size - 4, xz_crc32(h, size - 4, 0));
	return size;
}

/*
 * Index into @x (INDEX_MAX bytes): no record when @nrecs is 0, else one for
 * a block of @unpadded and @usize bytes. Returns its length.
 */
static size_t index_write(uint8_t *x, int nrecs, uint64_t unpadded, uint64_t usize)
{
	size_t n = 0, size;

	x[n++] = 0x00;	/* index indicator */
	x[n++] = (uint8_t)nrecs;
	if (nrecs) {
		n += put_vli(x + n, unpadded);
		n += put_vli(x + n, usize);
	}
	size = n + pad4(n) + 4;
	memset(x + n, 0, size - 4 - n);
	put_le32(x + size - 4, xz_crc32(x, size - 4, 0));
	return size;
}

int xz_encode_stored(const void *in, size_t len, void **out, size_t *out_len)
{
	static const uint8_t flags[2] = { 0x00, CHECK_CRC64 };
	uint8_t bhdr[BLOCK_HDR_MAX], idx[INDEX_MAX];
	const uint8_t *src = in;
	size_t nchunks = len / LZMA2_CHUNK_MAX + (len % LZMA2_CHUNK_MAX != 0);
	size_t framing, csize = 0, bhdr_len = 0, unpadded = 0, idx_len, total, pos, left;
	uint8_t *o;

	/* csize = len + 3 per chunk + the end marker */
	if (mul_overflow_size(nchunks, LZMA2_CHUNK_HDR, &framing) ||
	    add_overflow_size(len, framing, &csize) || add_overflow_size(csize, 1, &csize) ||
	    (uint64_t)csize > VLI_MAX)
		return -E2BIG;
	if (len) {
		bhdr_len = block_header(bhdr, csize, len, dict_byte_for(len));
		/* unpadded size = header + data + check; the index holds it as a VLI */
		if (add_overflow_size(bhdr_len + CHECK_CRC64_SIZE, csize, &unpadded) ||
		    (uint64_t)unpadded > VLI_MAX)
			return -E2BIG;
	}
	idx_len = index_write(idx, len != 0, unpadded, len);
	/* header | [block header | data | pad | check] | index | footer */
	total = 2 * STREAM_HDR_SIZE + idx_len;
	if (len && (add_overflow_size(total, unpadded, &total) ||
		    add_overflow_size(total, pad4(csize), &total)))
		return -E2BIG;

	o = xmalloc(total);
	if (!o)
		return -ENOMEM;
	memcpy(o, stream_magic, XZ_MAGIC_LEN);
	memcpy(o + XZ_MAGIC_LEN, flags, sizeof(flags));
	put_le32(o + 8, xz_crc32(flags, sizeof(flags), 0));
	pos = STREAM_HDR_SIZE;
	if (len) {
		memcpy(o + pos, bhdr, bhdr_len);
		pos += bhdr_len;
		for (left = len; left; ) {
			size_t n = left < LZMA2_CHUNK_MAX ? left : LZMA2_CHUNK_MAX;

			o[pos] = src == in ? LZMA2_CTRL_STORED_RESET : LZMA2_CTRL_STORED;
			o[pos + 1] = (uint8_t)((n - 1) >> 8);
			o[pos + 2] = (uint8_t)(n - 1);
			memcpy(o + pos + LZMA2_CHUNK_HDR, src, n);
			pos += LZMA2_CHUNK_HDR + n;
			src += n;
			left -= n;
		}
		o[pos++] = LZMA2_CTRL_END;
		memset(o + pos, 0, pad4(csize));
		pos += pad4(csize);
		put_le64(o + pos, xz_crc64(in, len, 0));
		pos += CHECK_CRC64_SIZE;
	}
	memcpy(o + pos, idx, idx_len);
	pos += idx_len;
	/* footer: CRC32 | backward size (index size / 4 - 1) | flags | "YZ" */
	put_le32(o + pos + 4, (uint32_t)(idx_len / 4 - 1));
	memcpy(o + pos + 8, flags, sizeof(flags));
	put_le32(o + pos, xz_crc32(o + pos + 4, 6, 0));
	memcpy(o + pos + 10, footer_magic, sizeof(footer_magic));
	pos += STREAM_HDR_SIZE;

	*out = o;
	*out_len = pos;
	return 0;
}
