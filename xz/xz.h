/* SPDX-License-Identifier: MIT */
/*
 * xz.h - a self-contained, single-call .xz decoder (LZMA2 only) and the
 * three integrity checks it verifies.
 *
 * The whole .xz file is in memory and so is the whole output: the decoder
 * writes straight into one growing output buffer, which also serves as the
 * LZMA2 dictionary. There is no streaming mode. The module depends on libc
 * and on util.h's xmalloc/xrealloc/xfree (so tests can inject allocation
 * failures), nothing else.
 *
 *   xz_is_xz()    does a buffer start with the stream magic?
 *   xz_decode()   a whole .xz file -> a new buffer
 *   xz_crc32()    CRC32 (IEEE 802.3, reflected, as in xz and zlib)
 *   xz_crc64()    CRC64 (ECMA-182, reflected, as in xz)
 *   xz_sha256()   SHA-256 (FIPS 180-4), one shot
 *
 * What xz_decode() accepts (details in xz_dec.c):
 *
 *   file:    stream [padding] stream [padding] ...     padding: 4n zero bytes
 *   stream:  header(12) | block ... | index | footer(12)
 *   block:   header | LZMA2 chunks | pad to 4 | check (0, 4, 8 or 32 bytes)
 */
#ifndef BTFGEN_XZ_H
#define BTFGEN_XZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stream header magic: FD 37 7A 58 5A 00 ("\xfd" "7zXZ" "\0"). */
#define XZ_MAGIC_LEN 6

/* Does @data (@size bytes) start with the xz stream magic? */
bool xz_is_xz(const void *data, size_t size);

/*
 * Decode a whole .xz file held in memory (@in, @in_len bytes): one or more
 * concatenated streams, optionally separated and followed by stream padding
 * (multiples of four zero bytes), each with zero or more blocks.
 *
 * The output goes to a new xmalloc'd buffer of at most @out_cap bytes,
 * which the caller frees with xfree(). Sizes declared in the stream are
 * never trusted: the buffer grows with the output actually produced, and
 * decoding stops with -E2BIG as soon as an LZMA2 chunk would take the output
 * past @out_cap, so a small hostile file cannot make the decoder allocate
 * much more than @out_cap.
 *
 * Everything is verified: the header CRC32s, every block check (None, CRC32,
 * CRC64, SHA-256), block sizes declared in block headers, the index against
 * the blocks actually decoded, the backward size and the equality of the
 * stream flags in header and footer. Filter chains other than a lone LZMA2
 * (BCJ, delta, ...) and check types other than the four above are
 * rejected with -ENOTSUP.
 *
 * Returns:
 *   0          *@out and *@out_len are set (*@out is never NULL, even for
 *              an empty result)
 *   -EINVAL    corrupt or truncated input, or not .xz at all
 *   -ENOTSUP   valid but unsupported (filter or check type)
 *   -E2BIG     the output would exceed @out_cap
 *   -ENOMEM    allocation failure
 * On failure *@out and *@out_len are left untouched and, when @err_len > 0,
 * @err receives one line naming where the problem is, e.g.
 * "block 0 at offset 0xc: LZMA2 chunk at offset 0x4f1a: match distance
 * 70000 reaches before the dictionary start (65536 bytes)".
 */
int xz_decode(const void *in, size_t in_len, size_t out_cap, void **out, size_t *out_len,
	      char *err, size_t err_len);

/*
 * @in (@len bytes) as an .xz stream that every xz decoder reads, without
 * compressing it (xz_enc.c): stream header (check type CRC64), one block
 * (block header with the LZMA2 filter, its dictionary-size property byte
 * the smallest that covers @len (4 KiB at least, 4 GiB - 1 at most),
 * compressed and uncompressed sizes recorded), the data as uncompressed
 * LZMA2 chunks (control byte 0x01 for the first chunk, a dictionary reset,
 * 0x02 after, at most 64 KiB each, then the end marker 0x00), block
 * padding, the CRC64 of the data, the index and the stream footer. The
 * output is @len plus 3 bytes per 64 KiB plus about 60 bytes of framing (a
 * 1-byte input makes 60 bytes) and depends on the input alone. An empty
 * input gives a stream with zero blocks (32 bytes, the same as
 * `xz --check=crc64` writes for an empty file); @in may then be NULL.
 *
 * *@out is a new xmalloc'd buffer of *@out_len bytes (the caller xfree()s
 * it). Returns 0, -ENOMEM, or -E2BIG when the output size would overflow
 * size_t or a size field of the format (63 bits); on failure *@out and
 * *@out_len are left untouched.
 */
int xz_encode_stored(const void *in, size_t len, void **out, size_t *out_len);

/*
 * Integrity checks. The CRCs continue from a previous value, as liblzma's
 * lzma_crc32()/lzma_crc64() do: pass 0 to start, and feed the result back
 * in to checksum data in pieces. All are thread-safe (the CRC tables are
 * built once, under pthread_once()).
 */
uint32_t xz_crc32(const void *buf, size_t len, uint32_t crc);
uint64_t xz_crc64(const void *buf, size_t len, uint64_t crc);

#define XZ_SHA256_LEN 32
void xz_sha256(const void *buf, size_t len, uint8_t digest[XZ_SHA256_LEN]);
/*
 * Use the CPU's SHA instructions when it has them (default true; the
 * result is the same either way, tests clear it to check the portable path).
 */
extern bool xz_sha256_accel;
/* likewise for CRC64 and the CPU's carry-less multiply (PCLMULQDQ) */
extern bool xz_crc64_accel;

#endif /* BTFGEN_XZ_H */
