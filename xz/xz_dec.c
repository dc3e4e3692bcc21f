// SPDX-License-Identifier: MIT
/*
 * xz_dec.c - single-call .xz decoder: container, LZMA2 chunks and LZMA.
 *
 * The input is one .xz file in memory; the output is one growing buffer that
 * is also the LZMA2 dictionary (matches copy from earlier output), so there
 * is no ring buffer, no streaming state and no second copy of the data.
 *
 * .xz file (all integers little-endian unless marked BE):
 *
 *   [stream][stream padding][stream][stream padding]...
 *   stream padding: zero bytes, a multiple of 4
 *
 *   stream:
 *   +---------------+---------+---------+-----+-------+---------------+
 *   | stream header | block 0 | block 1 | ... | index | stream footer |
 *   +---------------+---------+---------+-----+-------+---------------+
 *
 *   stream header (12):  FD 37 7A 58 5A 00 | flags: 00 0c | CRC32(flags)
 *                        (c: check type, 0 none, 1 CRC32, 4 CRC64, 10 SHA-256)
 *   stream footer (12):  CRC32(bsize, flags) | bsize u32 | flags: 00 0c | 59 5A
 *                        (index size = (bsize + 1) * 4)
 *
 *   block:
 *   +--------+-----------------+-----------+---------------------+
 *   | header | compressed data | pad 0..3  | check 0/4/8/32 bytes |
 *   +--------+-----------------+-----------+---------------------+
 *   header: size byte s (header is (s + 1) * 4 bytes; s = 0 is the index)
 *           | flags (bits 0-1: filters - 1, 6: csize present, 7: usize present)
 *           | [csize VLI] | [usize VLI]
 *           | filter flags * n: id VLI, props size VLI, props
 *           | zero padding | CRC32 of everything before it
 *   unpadded size = header + compressed data + check (no padding)
 *
 *   index:  00 | count VLI | {unpadded size VLI, usize VLI} * count
 *           | zero pad to 4 | CRC32 of everything before it
 *
 *   VLI: 1..9 bytes, 7 bits each, least significant first, high bit = more
 *
 * LZMA2 data (the only filter supported; id 0x21, 1 props byte: dictionary
 * size) is a sequence of chunks:
 *
 *   00                                          end of data
 *   01 | size-1 BE16 | bytes                    uncompressed, dictionary reset
 *   02 | size-1 BE16 | bytes                    uncompressed
 *   1rr uuuuu | usize-1 BE16 | csize-1 BE16 | [props] | LZMA range coded data
 *     uuuuu: bits 16-20 of usize-1 (a chunk makes at most 2 MiB)
 *     rr:    0 continue, 1 state reset, 2 state reset + props byte,
 *            3 state reset + props byte + dictionary reset
 *   props = (pb * 5 + lp) * 9 + lc, with lc + lp <= 4
 *
 * LZMA (one chunk; the range decoder restarts at every chunk):
 *
 *   range decoder init: 00 | code BE32; end: normalized, code == 0, all
 *   csize bytes used, exactly usize bytes made
 *
 *   each symbol:  is_match[state][pos] 0 -> literal (8-bit tree; "matched"
 *                                          against the byte at rep0 after a match)
 *                 is_rep[state]      0 -> match: length, then distance slot
 *                                          (6-bit tree) + reverse-tree or
 *                                          direct + align bits
 *                 is_rep0[state]     0 -> is_rep0_long 0 -> short rep (1 byte at rep0)
 *                                                      1 -> rep0 + length
 *                 is_rep1/is_rep2         -> rep1, rep2 or rep3 + length
 *   lengths 2..273: choice 0 -> low[pos] 3 bits; choice2 0 -> mid[pos] 3 bits;
 *                   else high 8 bits
 *
 * The container walk is a state machine over enum xz_seq (which also names
 * the part in error messages), one step function per part, no recursion.
 *
 * The LZMA hot loop, lzma_chunk(), is one function with the range decoder,
 * state and reps in locals and the bit decoder inlined as macros. Input is
 * read only in the normalization step, which checks the end of the chunk;
 * each LZMA2 chunk's output room is reserved before it is decoded (and the
 * cap checked), so output writes need no per-byte check. Distances are
 * checked against the bytes since the last dictionary reset. Matches whose
 * distance is at least 8 are copied 8 bytes at a time into a buffer that
 * has OUT_SLACK spare bytes at its end; shorter distances overlap their own
 * output and go byte by byte (distance 1: memset).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "xz/xz.h"

/* ---- named limits ----------------------------------------------------- */

/* stream header and footer: fixed 12 bytes each (spec 2.1.1, 2.1.2) */
#define STREAM_HDR_SIZE 12
/* a VLI is at most 9 bytes: 63 bits of value (spec 1.2) */
#define VLI_BYTES_MAX 9
/* filters per block: 2 bits of the block flags (spec 3.1.2) */
#define FILTERS_MAX 4
/* the check types we verify (spec 3.4); sizes in check_size() */
#define CHECK_NONE 0x0
#define CHECK_CRC32 0x1
#define CHECK_CRC64 0x4
#define CHECK_SHA256 0xA
/* the LZMA2 filter id and its one-byte property (spec 5.3.1) */
#define FILTER_LZMA2 0x21
/* dictionary size byte: 40 means 4 GiB - 1; larger values are invalid */
#define LZMA2_DICT_BYTE_MAX 40
/* LZMA properties: lc < 9, lp < 5, pb < 5; LZMA2 also requires lc + lp <= 4 */
#define LZMA_PROPS_MAX (9 * 5 * 5)
#define LZMA2_LCLP_MAX 4

/* output buffer: first allocation, and the expected ratio used to size it */
#define OUT_ALLOC_MIN (64 * 1024)
#define OUT_RATIO_GUESS 4	/* kernel BTF compresses about 4:1 */
/*
 * The index at the end of the input gives the exact output size, read
 * before decoding as a hint for the first allocation (one buffer, no
 * growth and copy). It is trusted for that only up to this ratio, so a
 * small file cannot make us reserve a large buffer; kernel BTF is about 5:1.
 */
#define OUT_HINT_RATIO_MAX 64
/* match copies move 8-byte words and may write up to 7 bytes past the end */
#define COPY_WORD 8
#define OUT_SLACK COPY_WORD

/* ---- LZMA model ------------------------------------------------------- */

/*
 * The sizes below are the LZMA model itself (not choices): 12 states, up to
 * 16 position states (pb <= 4), 6-bit distance slots for 4 length classes,
 * reverse trees for slots 4..13 (distances below 128), 4 align bits, and
 * 0x300 probabilities per literal coder, at most 16 coders (lc + lp <= 4).
 */
#define LZMA_STATES 12
#define LZMA_LIT_STATES 7	/* states below this follow a literal */
#define LZMA_POS_STATES_MAX 16
#define LZMA_LEN_TO_POS_STATES 4
#define LZMA_DIST_SLOTS 64
#define LZMA_DIST_MODEL_START 4	/* slots below this are the distance itself */
#define LZMA_DIST_MODEL_END 14	/* slots from here use direct + align bits */
#define LZMA_FULL_DISTANCES 128
#define LZMA_ALIGN_BITS 4
#define LZMA_LEN_LOW_BITS 3
#define LZMA_LEN_MID_BITS 3
#define LZMA_LEN_HIGH_BITS 8
#define LZMA_MATCH_LEN_MIN 2
#define LZMA_LIT_SIZE 0x300
#define LZMA_LIT_CODERS_MAX (1 << LZMA2_LCLP_MAX)
/* an end-of-payload marker decodes as this distance; LZMA2 never has one */
#define LZMA_EOPM_DIST 0xFFFFFFFFu

/* range coder: 11-bit probabilities, adapted by 1/32, renormalized below 2^24 */
#define RC_PROB_BITS 11
#define RC_PROB_INIT (1u << (RC_PROB_BITS - 1))
#define RC_MOVE_BITS 5
#define RC_TOP (1u << 24)
#define RC_INIT_BYTES 5

struct lzma_len_probs {
	uint16_t choice;
	uint16_t choice2;
	uint16_t low[LZMA_POS_STATES_MAX][1 << LZMA_LEN_LOW_BITS];
	uint16_t mid[LZMA_POS_STATES_MAX][1 << LZMA_LEN_MID_BITS];
	uint16_t high[1 << LZMA_LEN_HIGH_BITS];
};

/* Every member is an array of uint16_t probabilities, reset together. */
struct lzma_probs {
	uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
	uint16_t is_rep[LZMA_STATES];
	uint16_t is_rep0[LZMA_STATES];
	uint16_t is_rep1[LZMA_STATES];
	uint16_t is_rep2[LZMA_STATES];
	uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
	uint16_t dist_slot[LZMA_LEN_TO_POS_STATES][LZMA_DIST_SLOTS];
	/* reverse trees of slots 4..13; slot s starts at its base distance - s */
	uint16_t dist_special[LZMA_FULL_DISTANCES - LZMA_DIST_MODEL_END];
	uint16_t dist_align[1 << LZMA_ALIGN_BITS];
	struct lzma_len_probs match_len;
	struct lzma_len_probs rep_len;
	/* must stay last: only the first 0x300 << (lc + lp) are used and reset */
	uint16_t literal[LZMA_LIT_CODERS_MAX][LZMA_LIT_SIZE];
};

/*
 * LZMA state that survives from one chunk to the next (the range decoder
 * does not). Invariant between symbols: state >= LZMA_LIT_STATES implies
 * rep0 < the number of bytes in the dictionary (the last symbol was a
 * checked match), which the matched-literal decoder relies on; a dictionary
 * reset always comes with a state reset (LZMA2 rules enforced by the caller).
 */
/*
 * The range decoder reads input without a bounds check per bit: it may run
 * up to LZMA_SYMBOL_IN_MAX bytes past the chunk's end within one symbol
 * (the longest symbol, a match with a 32-bit distance, normalizes 48 times),
 * and the loop checks for that once per symbol. A chunk with fewer readable
 * bytes after it is first copied into @pad, zero-filled beyond.
 */
#define LZMA_SYMBOL_IN_MAX 64
#define LZMA2_CSIZE_MAX (1u << 16)

struct lzma_dec {
	uint32_t state;
	uint32_t rep0, rep1, rep2, rep3;
	uint32_t lc, lp, lp_mask, pb_mask;
	struct lzma_probs probs;
	uint8_t pad[LZMA2_CSIZE_MAX + LZMA_SYMBOL_IN_MAX];
};

/* Why an LZMA chunk failed; the caller turns it into a message. */
enum lzma_fault_kind {
	LZMA_OK = 0,
	LZMA_BAD_INIT,		/* first range coder byte not zero, or chunk < 5 bytes */
	LZMA_OVERRUN,		/* compressed data ended before the output was complete */
	LZMA_BAD_DIST,		/* a = distance (1-based), b = bytes in the dictionary */
	LZMA_EOPM,		/* end-of-payload marker inside LZMA2 */
	LZMA_LEN_PAST_END,	/* a = match length, b = bytes left in the chunk */
	LZMA_UNUSED_INPUT,	/* b = compressed bytes left unread */
	LZMA_NOT_FINISHED,	/* range decoder code != 0 at the chunk end */
};

struct lzma_fault {
	enum lzma_fault_kind kind;
	size_t in_off;		/* offset into the chunk's compressed data */
	uint64_t a, b;
};

/* ---- container state -------------------------------------------------- */

/* Where the walk is; each value is also the "part" named in messages. */
enum xz_seq {
	SEQ_STREAM_HEADER,
	SEQ_BLOCK_START,	/* a block header or the index indicator */
	SEQ_BLOCK_HEADER,
	SEQ_BLOCK_DATA,		/* LZMA2 chunks */
	SEQ_BLOCK_TAIL,		/* block padding and check */
	SEQ_INDEX,
	SEQ_STREAM_FOOTER,
	SEQ_STREAM_PADDING,
	SEQ_DONE,
};

/* What the index must say about each block of the current stream. */
struct block_rec {
	uint64_t unpadded;
	uint64_t usize;
};

struct xz_dec {
	const uint8_t *in;
	size_t in_len;
	size_t pos;		/* next input byte */
	enum xz_seq seq;
	size_t part_off;	/* where the current part (header, block...) starts */

	/* current stream */
	unsigned int stream_no;
	uint8_t flags[2];	/* stream flags, footer must repeat them */
	unsigned int check_type;
	size_t check_size;
	size_t index_size;

	/* current block */
	unsigned int block_no;
	size_t hdr_size;
	uint64_t decl_csize, decl_usize;	/* UINT64_MAX when absent */
	size_t data_off;	/* compressed data start */
	size_t out_start;	/* its first output byte */

	/* blocks seen in this stream, for the index */
	struct block_rec *recs;
	size_t nrecs, recs_cap;

	/* LZMA2 */
	bool need_dict_reset;	/* the next chunk must reset the dictionary */
	bool need_props;	/* the next LZMA chunk must carry properties */
	size_t dict_start;	/* output offset of the last dictionary reset */
	struct lzma_dec *lzma;

	/* output: out[0..out_len) decoded, out_cap allocated, never > out_limit */
	uint8_t *out;
	size_t out_len, out_cap, out_limit, out_guess;

	char *err;
	size_t err_len;
};

/* ---- helpers ---------------------------------------------------------- */

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes left from @pos (never underflows: pos <= in_len always holds). */
static inline size_t in_left(const struct xz_dec *d, size_t pos)
{
	return d->in_len - pos;
}

static const char *seq_part(enum xz_seq seq)
{
	switch (seq) {
	case SEQ_STREAM_HEADER:
		return "stream header";
	case SEQ_BLOCK_START:
	case SEQ_BLOCK_HEADER:
	case SEQ_BLOCK_DATA:
	case SEQ_BLOCK_TAIL:
		return "block";
	case SEQ_INDEX:
		return "index";
	case SEQ_STREAM_FOOTER:
		return "stream footer";
	case SEQ_STREAM_PADDING:
		return "stream padding";
	case SEQ_DONE:
		break;
	}
	return "end";
}

/*
 * Record the failure as "[stream N: ]PART at offset 0x..: what" in the
 * caller's buffer and return @code.
 */
static int fail(struct xz_dec *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct xz_dec *d, int code, const char *fmt, ...)
{
	char what[256], stream[32] = "", block[32] = "";
	va_list ap;

	if (!d->err_len)
		return code;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (d->stream_no)
		snprintf(stream, sizeof(stream), "stream %u: ", d->stream_no);
	if (d->seq >= SEQ_BLOCK_HEADER && d->seq <= SEQ_BLOCK_TAIL)
		snprintf(block, sizeof(block), " %u", d->block_no);
	snprintf(d->err, d->err_len, "%s%s%s at offset 0x%zx: %s", stream, seq_part(d->seq),
		 block, d->part_off, what);
	return code;
}

/*
 * Read a VLI from in[*pos..end). Returns 0, or -1 if it runs past @end, is
 * longer than 9 bytes or is not minimally encoded (spec 1.2).
 */
static int get_vli(const uint8_t *in, size_t end, size_t *pos, uint64_t *val)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < VLI_BYTES_MAX; i++) {
		uint8_t b;

		if (*pos >= end)
			return -1;
		b = in[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (b == 0 && i > 0)
				return -1;
			*val = v;
			return 0;
		}
	}
	return -1;
}

/*
 * Make room for @n more output bytes: grow by doubling (at least to the
 * initial guess), never past the caller's cap. The allocation therefore
 * follows the output actually produced, plus at most one 2 MiB chunk.
 */
static int out_reserve(struct xz_dec *d, size_t n, size_t chunk_off)
{
	size_t want, cap;
	uint8_t *p;

	if (n > d->out_limit - d->out_len)
		return fail(d, -E2BIG, "LZMA2 chunk at offset 0x%zx: output would exceed the "
			    "%zu-byte cap (%zu bytes decoded, chunk makes %zu)", chunk_off,
			    d->out_limit, d->out_len, n);
	if (n <= d->out_cap - d->out_len)
		return 0;
	want = d->out_len + n;
	cap = d->out_cap <= d->out_limit / 2 ? d->out_cap * 2 : d->out_limit;
	if (cap < d->out_guess)
		cap = d->out_guess;
	if (cap < want)
		cap = want;
	if (cap > d->out_limit)
		cap = d->out_limit;
	p = xrealloc(d->out, cap + OUT_SLACK);
	if (!p)
		return fail(d, -ENOMEM, "LZMA2 chunk at offset 0x%zx: out of memory for %zu "
			    "output bytes", chunk_off, cap);
	d->out = p;
	d->out_cap = cap;
	return 0;
}

/* ---- LZMA ------------------------------------------------------------- */

static void lzma_reset(struct lzma_dec *lz)
{
	uint16_t *p = (uint16_t *)&lz->probs;
	size_t i, n;

	lz->state = 0;
	lz->rep0 = lz->rep1 = lz->rep2 = lz->rep3 = 0;
	/* the literal coders in use are the last member; reset up to their end */
	n = offsetof(struct lzma_probs, literal) / sizeof(uint16_t) +
	    ((size_t)LZMA_LIT_SIZE << (lz->lc + lz->lp));
	for (i = 0; i < n; i++)
		p[i] = RC_PROB_INIT;
}

/* Set lc/lp/pb from an LZMA2 properties byte. Returns 0 or -1 if invalid. */
static int lzma_props(struct lzma_dec *lz, uint8_t props)
{
	uint32_t lc, lp, pb;

	if (props >= LZMA_PROPS_MAX)
		return -1;
	lc = props % 9;
	lp = props / 9 % 5;
	pb = props / 45;
	if (lc + lp > LZMA2_LCLP_MAX)
		return -1;
	lz->lc = lc;
	lz->lp = lp;
	lz->lp_mask = (1u << lp) - 1;
	lz->pb_mask = (1u << pb) - 1;
	return 0;
}

/*
 * The range decoder, on locals of lzma_chunk(): range, code, ip, iend.
 * Normalization is the only place input is read; it may pass iend by less
 * than LZMA_SYMBOL_IN_MAX bytes within a symbol (readable, see struct
 * lzma_dec), and lzma_chunk() turns ip > iend into "overrun" after each.
 */
#define RC_NORMALIZE()							\
	do {								\
		if (range < RC_TOP) {					\
			range <<= 8;					\
			code = (code << 8) | *ip++;			\
		}							\
	} while (0)

/* Decode one bit with the adaptive probability *@prob into @bit. */
#define RC_BIT(prob, bit)						\
	do {								\
		uint16_t *p_ = (prob);					\
		uint32_t bound_;					\
									\
		RC_NORMALIZE();						\
		bound_ = (range >> RC_PROB_BITS) * *p_;			\
		if (code < bound_) {					\
			range = bound_;					\
			*p_ = (uint16_t)(*p_ + (((1u << RC_PROB_BITS) - *p_) >> RC_MOVE_BITS)); \
			(bit) = 0;					\
		} else {						\
			range -= bound_;				\
			code -= bound_;					\
			*p_ = (uint16_t)(*p_ - (*p_ >> RC_MOVE_BITS));	\
			(bit) = 1;					\
		}							\
	} while (0)

/*
 * RC_BIT without a branch on the decoded bit, for bits that only feed an
 * index (bit trees, literals): those are close to random, and a mispredicted
 * branch costs more than computing both outcomes and selecting one by mask.
 * @pv is the probability *@prob, already loaded by the caller.
 */
#if defined(__x86_64__) && defined(__GNUC__)
/*
 * x86-64: one compare and a conditional move per result. Compilers turn the mask
 * form below into setcc/neg/and/or, three more steps on the range's chain
 * from one bit to the next; written as ?: they emit a branch, which is what
 * this macro exists to avoid. The outputs are early-clobber: each is written
 * before the last input is read, so none may share an input's register.
 */
#define RC_SEL(code, bound, rr, cb, np, p1, nx, x1, bit)		\
	__asm__("cmpl %[b], %[c]\n\t"					\
		"cmovael %[r], %[b]\n\t"				\
		"cmovael %[d], %[c]\n\t"				\
		"cmovael %[q], %[n]\n\t"				\
		"cmovael %[y], %[x]\n\t"				\
		"sbbl $0, %[t]"						\
		: [b] "+&r"(bound), [c] "+&r"(code), [n] "+&r"(np), [x] "+&r"(nx), \
		  [t] "+&r"(bit)						\
		: [r] "r"(rr), [d] "r"(cb), [q] "r"(p1), [y] "r"(x1)	\
		: "cc")
#else
#define RC_SEL(code, bound, rr, cb, np, p1, nx, x1, bit)		\
	do {								\
		uint32_t m_ = 0u - (uint32_t)((code) >= (bound));	\
		(bound) = ((bound) & ~m_) | ((rr) & m_);		\
		(code) = ((code) & ~m_) | ((cb) & m_);			\
		(np) = ((np) & ~m_) | ((p1) & m_);			\
		(nx) = ((nx) & ~m_) | ((x1) & m_);			\
		(bit) = m_ & 1;						\
	} while (0)
#endif
/*
 * Decode one bit with probability *@prob (value @pv, already loaded) into
 * @bit, and set @next to @next1 if the bit is 1 (else leave it): the
 * caller's choice of the next probability rides on the same compare.
 */
#define RC_BIT_SEL_NEXT(prob, pv, bit, next, next1)			\
	do {								\
		uint16_t *p_ = (prob);					\
		uint32_t pv_ = (pv), bound_, rr_, cb_, bt_ = 1;		\
		uint32_t np_ = pv_ + (((1u << RC_PROB_BITS) - pv_) >> RC_MOVE_BITS); \
		uint32_t p1_ = pv_ - (pv_ >> RC_MOVE_BITS);		\
									\
		RC_NORMALIZE();						\
		bound_ = (range >> RC_PROB_BITS) * pv_;			\
		rr_ = range - bound_;					\
		cb_ = code - bound_;					\
		RC_SEL(code, bound_, rr_, cb_, np_, p1_, next, next1, bt_); \
		range = bound_;						\
		*p_ = (uint16_t)np_;					\
		(bit) = bt_;						\
	} while (0)
#define RC_BIT_SEL(prob, pv, bit)					\
	do {								\
		uint32_t nx_ = 0;					\
									\
		RC_BIT_SEL_NEXT(prob, pv, bit, nx_, 0u);		\
	} while (0)

/*
 * The bit trees load both children of a node while its bit is decoded and
 * pick one when the bit is known: the next probability is then a select
 * away instead of a dependent load, which shortens the chain of one level
 * (load, multiply, compare) to (multiply, compare, select). The last level
 * has no children in the tree and loads nothing ahead.
 */
/* select @b ? @one : @zero, @b being 0 or 1 */
#define SEL01(b, zero, one) ((zero) ^ (((zero) ^ (one)) & (0u - (b))))

/* Bit tree of @nbits bits, most significant first: @sym ends in [2^n, 2^(n+1)). */
#define RC_TREE(probs, nbits, sym)					\
	do {								\
		uint16_t *t_ = (probs);					\
		uint32_t tb_, tv_ = t_[1], tn_;				\
									\
		(sym) = 1;						\
		for (tn_ = 1; tn_ < (nbits); tn_++) {			\
			uint32_t c0_ = t_[2 * (sym)], c1_ = t_[2 * (sym) + 1]; \
									\
			RC_BIT_SEL_NEXT(&t_[sym], tv_, tb_, c0_, c1_);	\
			(sym) = ((sym) << 1) | tb_;			\
			tv_ = c0_;					\
		}							\
		RC_BIT_SEL(&t_[sym], tv_, tb_);				\
		(sym) = ((sym) << 1) | tb_;				\
	} while (0)

/*
 * Reverse bit tree of @nbits bits, least significant first, added into
 * @val. Tree node k (1-based) is probs[@base + k - 1].
 */
#define RC_REV_TREE(probs, base, nbits, val)				\
	do {								\
		uint32_t rb_, rs_ = 1, ri_, rn_ = (nbits) - 1;		\
		uint16_t *rp_ = &(probs)[base];				\
		uint32_t rv_ = rp_[0];					\
									\
		for (ri_ = 0; ri_ < rn_; ri_++) {			\
			uint32_t c0_ = rp_[2 * rs_ - 1], c1_ = rp_[2 * rs_]; \
									\
			RC_BIT_SEL_NEXT(&rp_[rs_ - 1], rv_, rb_, c0_, c1_); \
			rs_ = (rs_ << 1) | rb_;				\
			(val) += rb_ << ri_;				\
			rv_ = c0_;					\
		}							\
		RC_BIT_SEL(&rp_[rs_ - 1], rv_, rb_);			\
		(val) += rb_ << ri_;					\
	} while (0)

/*
 * Match length with the length coder @lp at position state @ps:
 *   choice 0            low[ps]  3 bits   2..9
 *   choice 1, choice2 0 mid[ps]  3 bits   10..17
 *   choice 1, choice2 1 high     8 bits   18..273
 */
#define LEN_MID_BASE (LZMA_MATCH_LEN_MIN + (1u << LZMA_LEN_LOW_BITS))
#define LEN_HIGH_BASE (LEN_MID_BASE + (1u << LZMA_LEN_MID_BITS))
#define RC_LEN(lp, ps, len)						\
	do {								\
		uint32_t lb_;						\
									\
		RC_BIT(&(lp)->choice, lb_);				\
		if (!lb_) {						\
			RC_TREE((lp)->low[ps], LZMA_LEN_LOW_BITS, len);	\
			(len) = (len) - (1u << LZMA_LEN_LOW_BITS) + LZMA_MATCH_LEN_MIN; \
			break;						\
		}							\
		RC_BIT(&(lp)->choice2, lb_);				\
		if (!lb_) {						\
			RC_TREE((lp)->mid[ps], LZMA_LEN_MID_BITS, len);	\
			(len) = (len) - (1u << LZMA_LEN_MID_BITS) + LEN_MID_BASE; \
			break;						\
		}							\
		RC_TREE((lp)->high, LZMA_LEN_HIGH_BITS, len);		\
		(len) = (len) - (1u << LZMA_LEN_HIGH_BITS) + LEN_HIGH_BASE; \
	} while (0)

/*
 * Decode one LZMA chunk: @in/@in_len is exactly its compressed data, and it
 * must fill dict[dpos..dend) exactly (the room is already allocated).
 * @dict is the output at the last dictionary reset, so a distance may reach
 * back to dict[0] and no further.
 * Returns LZMA_OK, or the failure kind with details in *@f.
 */
static enum lzma_fault_kind lzma_chunk(struct lzma_dec *lz, const uint8_t *in, size_t in_len,
				       size_t in_avail, uint8_t *dict, size_t dpos, size_t dend,
				       struct lzma_fault *f)
{
	struct lzma_probs *pr = &lz->probs;
	const uint8_t *ip, *iend = in + in_len;
	const uint32_t lc = lz->lc, lp_mask = lz->lp_mask, pb_mask = lz->pb_mask;
	uint32_t range, code, state = lz->state;
	uint32_t rep0 = lz->rep0, rep1 = lz->rep1, rep2 = lz->rep2, rep3 = lz->rep3;
	uint32_t bit, sym, len = 0, pos_state;

	f->kind = LZMA_OK;
	if (in_avail - in_len < LZMA_SYMBOL_IN_MAX) {
		/* too close to the end of the input: decode from a padded copy */
		memcpy(lz->pad, in, in_len);
		memset(lz->pad + in_len, 0, LZMA_SYMBOL_IN_MAX);
		in = lz->pad;
		iend = in + in_len;
	}
	if (in_len < RC_INIT_BYTES || in[0] != 0x00) {
		f->kind = LZMA_BAD_INIT;
		f->in_off = 0;
		return f->kind;
	}
	range = 0xFFFFFFFFu;
	code = get_be32(in + 1);
	ip = in + RC_INIT_BYTES;

	while (dpos < dend) {
		if (__builtin_expect(ip > iend, 0))
			goto overrun;
		pos_state = (uint32_t)dpos & pb_mask;
		RC_BIT(&pr->is_match[state][pos_state], bit);
		if (!bit) {
			/* literal */
			uint32_t prev = dpos ? dict[dpos - 1] : 0;
			uint16_t *lit = pr->literal[((((uint32_t)dpos & lp_mask) << lc) +
						     (prev >> (8 - lc)))];

			if (state < LZMA_LIT_STATES) {
				RC_TREE(lit, 8, sym);
			} else {
				uint32_t match_byte, mbit, off = 0x100, idx, v, i;

				/* invariant (struct lzma_dec); kept as a cheap guard */
				if (__builtin_expect(rep0 >= dpos, 0))
					goto bad_dist;
				match_byte = dict[dpos - rep0 - 1];
				/*
				 * As RC_TREE: both next nodes are loaded ahead.
				 * For bit b the next offset is off & ~(mbit ^ -b):
				 * off & ~mbit for 0, off & mbit for 1.
				 */
				sym = 1;
				match_byte <<= 1;
				mbit = match_byte & off;
				idx = off + mbit + 1;
				v = lit[idx];
				for (i = 1; i < 8; i++) {
					uint32_t nmb = match_byte << 1;
					uint32_t off0 = off & ~mbit, off1 = off & mbit;
					uint32_t i0 = off0 + (nmb & off0) + 2 * sym;
					uint32_t i1 = off1 + (nmb & off1) + 2 * sym + 1;
					uint32_t c0 = lit[i0], c1 = lit[i1];

					RC_BIT_SEL_NEXT(&lit[idx], v, bit, c0, c1);
					sym = (sym << 1) | bit;
					off = SEL01(bit, off0, off1);
					match_byte = nmb;
					mbit = match_byte & off;
					idx = SEL01(bit, i0, i1);
					v = c0;
				}
				RC_BIT_SEL(&lit[idx], v, bit);
				sym = (sym << 1) | bit;
			}
			dict[dpos++] = (uint8_t)sym;
			state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
			continue;
		}

		RC_BIT(&pr->is_rep[state], bit);
		if (!bit) {
			/* match with a new distance */
			uint32_t slot, dist;

			RC_LEN(&pr->match_len, pos_state, len);
			state = state < LZMA_LIT_STATES ? 7 : 10;
			RC_TREE(pr->dist_slot[len < LZMA_LEN_TO_POS_STATES + LZMA_MATCH_LEN_MIN ?
					      len - LZMA_MATCH_LEN_MIN :
					      LZMA_LEN_TO_POS_STATES - 1],
				6, slot);
			slot -= LZMA_DIST_SLOTS;
			if (slot < LZMA_DIST_MODEL_START) {
				dist = slot;
			} else {
				uint32_t ndirect = (slot >> 1) - 1;

				dist = (2 | (slot & 1)) << ndirect;
				if (slot < LZMA_DIST_MODEL_END) {
					RC_REV_TREE(pr->dist_special, dist - slot, ndirect, dist);
				} else {
					uint32_t n = ndirect - LZMA_ALIGN_BITS, hi = 2 | (slot & 1);

					/* direct bits: fixed probability 1/2 */
					do {
						uint32_t mask;

						RC_NORMALIZE();
						range >>= 1;
						code -= range;
						mask = 0u - (code >> 31);
						code += range & mask;
						hi = (hi << 1) + (mask + 1);
					} while (--n);
					dist = hi << LZMA_ALIGN_BITS;
					RC_REV_TREE(pr->dist_align, 0, LZMA_ALIGN_BITS, dist);
				}
			}
			if (dist == LZMA_EOPM_DIST) {
				if (ip > iend)
					goto overrun;
				f->kind = LZMA_EOPM;
				f->in_off = (size_t)(ip - in);
				return f->kind;
			}
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			rep0 = dist;
		} else {
			RC_BIT(&pr->is_rep0[state], bit);
			if (!bit) {
				RC_BIT(&pr->is_rep0_long[state][pos_state], bit);
				if (!bit) {
					/* short rep: one byte at rep0 */
					if (__builtin_expect(rep0 >= dpos, 0))
						goto bad_dist;
					state = state < LZMA_LIT_STATES ? 9 : 11;
					dict[dpos] = dict[dpos - rep0 - 1];
					dpos++;
					continue;
				}
			} else {
				uint32_t dist;

				RC_BIT(&pr->is_rep1[state], bit);
				if (!bit) {
					dist = rep1;
				} else {
					RC_BIT(&pr->is_rep2[state], bit);
					if (!bit) {
						dist = rep2;
					} else {
						dist = rep3;
						rep3 = rep2;
					}
					rep2 = rep1;
				}
				rep1 = rep0;
				rep0 = dist;
			}
			RC_LEN(&pr->rep_len, pos_state, len);
			state = state < LZMA_LIT_STATES ? 8 : 11;
		}

		/* copy @len bytes from @rep0 + 1 back */
		if (__builtin_expect(rep0 >= dpos, 0))
			goto bad_dist;
		if (__builtin_expect(len > dend - dpos, 0)) {
			if (ip > iend)
				goto overrun;
			f->kind = LZMA_LEN_PAST_END;
			f->in_off = (size_t)(ip - in);
			f->a = len;
			f->b = dend - dpos;
			return f->kind;
		}
		{
			uint8_t *dst = dict + dpos;
			const uint8_t *src = dst - rep0 - 1;

			dpos += len;
			if (rep0 >= COPY_WORD - 1) {
				/*
				 * 8 bytes at a time: source and destination of
				 * one step never overlap, and the up to 7 bytes
				 * written past the match land in OUT_SLACK or in
				 * output not decoded yet.
				 */
				for (;;) {
					memcpy(dst, src, COPY_WORD);
					if (len <= COPY_WORD)
						break;
					dst += COPY_WORD;
					src += COPY_WORD;
					len -= COPY_WORD;
				}
			} else if (rep0 == 0) {
				memset(dst, dst[-1], len);
			} else {
				do
					*dst++ = *src++;
				while (--len);
			}
		}
	}

	RC_NORMALIZE();
	if (ip > iend)
		goto overrun;
	if (ip != iend) {
		f->kind = LZMA_UNUSED_INPUT;
		f->in_off = (size_t)(ip - in);
		f->b = (uint64_t)(iend - ip);
		return f->kind;
	}
	if (code != 0) {
		f->kind = LZMA_NOT_FINISHED;
		f->in_off = (size_t)(ip - in);
		return f->kind;
	}
	lz->state = state;
	lz->rep0 = rep0;
	lz->rep1 = rep1;
	lz->rep2 = rep2;
	lz->rep3 = rep3;
	return LZMA_OK;

overrun:
	f->kind = LZMA_OVERRUN;
	f->in_off = in_len;
	return f->kind;
bad_dist:
	if (ip > iend)
		goto overrun;
	f->kind = LZMA_BAD_DIST;
	f->in_off = (size_t)(ip - in);
	f->a = (uint64_t)rep0 + 1;
	f->b = dpos;
	return f->kind;
}

#undef RC_NORMALIZE
#undef RC_BIT
#undef RC_BIT_SEL
#undef RC_BIT_SEL_NEXT
#undef RC_TREE
#undef RC_REV_TREE
#undef RC_LEN
#undef SEL01
#undef RC_SEL
#undef LEN_MID_BASE
#undef LEN_HIGH_BASE

static int lzma_fail(struct xz_dec *d, size_t chunk_off, size_t data_off,
		     const struct lzma_fault *f)
{
	size_t at = data_off + f->in_off;

	switch (f->kind) {
	case LZMA_BAD_INIT:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: bad range coder start",
			    chunk_off);
	case LZMA_OVERRUN:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: compressed data ends at "
			    "0x%zx before the chunk's output is complete", chunk_off, at);
	case LZMA_BAD_DIST:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: corrupt match distance "
			    "near 0x%zx: %llu back with %llu bytes in the dictionary",
			    chunk_off, at, (unsigned long long)f->a, (unsigned long long)f->b);
	case LZMA_EOPM:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: end-of-payload marker "
			    "near 0x%zx (not allowed in LZMA2)", chunk_off, at);
	case LZMA_LEN_PAST_END:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: match of %llu bytes near "
			    "0x%zx runs past the chunk's end (%llu bytes left)", chunk_off,
			    (unsigned long long)f->a, at, (unsigned long long)f->b);
	case LZMA_UNUSED_INPUT:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: %llu compressed bytes "
			    "left unused at 0x%zx", chunk_off, (unsigned long long)f->b, at);
	case LZMA_NOT_FINISHED:
		return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: range decoder not "
			    "finished at the chunk's end (corrupt data)", chunk_off);
	case LZMA_OK:
		break;
	}
	return 0;
}

/* ---- container steps -------------------------------------------------- */

static size_t check_size(unsigned int type)
{
	switch (type) {
	case CHECK_NONE:
		return 0;
	case CHECK_CRC32:
		return 4;
	case CHECK_CRC64:
		return 8;
	case CHECK_SHA256:
		return 32;
	}
	return SIZE_MAX;
}

static const char *check_name(unsigned int type)
{
	switch (type) {
	case CHECK_CRC32:
		return "CRC32";
	case CHECK_CRC64:
		return "CRC64";
	case CHECK_SHA256:
		return "SHA-256";
	}
	return "none";
}

static const char *filter_name(uint64_t id)
{
	switch (id) {
	case 0x03:
		return "delta";
	case 0x04:
		return "BCJ x86";
	case 0x05:
		return "BCJ PowerPC";
	case 0x06:
		return "BCJ IA-64";
	case 0x07:
		return "BCJ ARM";
	case 0x08:
		return "BCJ ARM-Thumb";
	case 0x09:
		return "BCJ SPARC";
	case 0x0A:
		return "BCJ ARM64";
	case 0x0B:
		return "BCJ RISC-V";
	case FILTER_LZMA2:
		return "LZMA2";
	}
	return "unknown";
}

static int stream_header(struct xz_dec *d)
{
	static const uint8_t magic[XZ_MAGIC_LEN] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
	const uint8_t *h = d->in + d->pos;

	d->part_off = d->pos;
	if (in_left(d, d->pos) < STREAM_HDR_SIZE) {
		if (in_left(d, d->pos) < XZ_MAGIC_LEN || memcmp(h, magic, XZ_MAGIC_LEN))
			return fail(d, -EINVAL, "not an .xz stream (%zu bytes, no magic)",
				    in_left(d, d->pos));
		return fail(d, -EINVAL, "truncated (%zu of %d bytes)", in_left(d, d->pos),
			    STREAM_HDR_SIZE);
	}
	if (memcmp(h, magic, XZ_MAGIC_LEN))
		return fail(d, -EINVAL, "not an .xz stream (bad magic)");
	if (xz_crc32(h + 6, 2, 0) != get_le32(h + 8))
		return fail(d, -EINVAL, "CRC32 mismatch (stored 0x%08x, computed 0x%08x)",
			    get_le32(h + 8), xz_crc32(h + 6, 2, 0));
	if (h[6] || (h[7] & 0xF0))
		return fail(d, -ENOTSUP, "unsupported stream flags 0x%02x%02x", h[6], h[7]);
	d->flags[0] = h[6];
	d->flags[1] = h[7];
	d->check_type = h[7] & 0x0F;
	d->check_size = check_size(d->check_type);
	if (d->check_size == SIZE_MAX)
		return fail(d, -ENOTSUP, "check type 0x%x not supported (only none, CRC32, "
			    "CRC64, SHA-256)", d->check_type);
	d->pos += STREAM_HDR_SIZE;
	d->block_no = 0;
	d->nrecs = 0;
	d->seq = SEQ_BLOCK_START;
	return 0;
}

static int block_start(struct xz_dec *d)
{
	d->part_off = d->pos;
	if (!in_left(d, d->pos))
		return fail(d, -EINVAL, "truncated: no block or index");
	d->seq = d->in[d->pos] ? SEQ_BLOCK_HEADER : SEQ_INDEX;
	return 0;
}

static int block_header(struct xz_dec *d)
{
	const uint8_t *in = d->in;
	size_t start = d->pos, end, p;
	uint64_t fid[FILTERS_MAX], psize;
	unsigned int nfilters, i;
	uint8_t flags, dict_byte = 0;

	d->part_off = start;
	d->hdr_size = ((size_t)in[start] + 1) * 4;
	if (d->hdr_size > in_left(d, start))
		return fail(d, -EINVAL, "header truncated (%zu of %zu bytes)", in_left(d, start),
			    d->hdr_size);
	end = start + d->hdr_size - 4;	/* the CRC32 */
	if (xz_crc32(in + start, d->hdr_size - 4, 0) != get_le32(in + end))
		return fail(d, -EINVAL, "header CRC32 mismatch (stored 0x%08x, computed 0x%08x)",
			    get_le32(in + end), xz_crc32(in + start, d->hdr_size - 4, 0));
	flags = in[start + 1];
	if (flags & 0x3C)
		return fail(d, -ENOTSUP, "header: unsupported block flags 0x%02x", flags);
	nfilters = (flags & 3) + 1;
	p = start + 2;
	d->decl_csize = d->decl_usize = UINT64_MAX;
	if ((flags & 0x40) && (get_vli(in, end, &p, &d->decl_csize) || !d->decl_csize))
		return fail(d, -EINVAL, "header: invalid compressed size");
	if ((flags & 0x80) && get_vli(in, end, &p, &d->decl_usize))
		return fail(d, -EINVAL, "header: invalid uncompressed size");
	for (i = 0; i < nfilters; i++) {
		if (get_vli(in, end, &p, &fid[i]) || get_vli(in, end, &p, &psize) ||
		    psize > end - p)
			return fail(d, -EINVAL, "header: filter %u flags truncated", i);
		if (fid[i] == FILTER_LZMA2) {
			if (psize != 1)
				return fail(d, -EINVAL, "header: LZMA2 properties are %llu bytes, "
					    "not 1", (unsigned long long)psize);
			dict_byte = in[p];
		}
		p += (size_t)psize;
	}
	for (; p < end; p++)
		if (in[p])
			return fail(d, -EINVAL, "header: non-zero padding at offset 0x%zx", p);
	for (i = 0; i < nfilters; i++)
		if (fid[i] != FILTER_LZMA2)
			return fail(d, -ENOTSUP, "filter 0x%llx (%s) not supported: only "
				    "LZMA2 alone is", (unsigned long long)fid[i],
				    filter_name(fid[i]));
	if (nfilters != 1)
		return fail(d, -EINVAL, "header: LZMA2 must be the last and only filter");
	if (dict_byte > LZMA2_DICT_BYTE_MAX)
		return fail(d, -EINVAL, "header: invalid LZMA2 dictionary size byte 0x%02x",
			    dict_byte);
	d->pos = start + d->hdr_size;
	d->data_off = d->pos;
	d->out_start = d->out_len;
	d->seq = SEQ_BLOCK_DATA;
	return 0;
}

/* LZMA2 chunks up to and including the end marker. */
static int block_data(struct xz_dec *d)
{
	const uint8_t *in = d->in;
	size_t pos = d->pos;
	int err;

	d->need_dict_reset = true;
	d->need_props = true;
	for (;;) {
		size_t chunk = pos, usize, csize;
		uint8_t ctrl;

		if (!in_left(d, pos))
			return fail(d, -EINVAL, "LZMA2 data truncated at offset 0x%zx (no end "
				    "marker)", pos);
		ctrl = in[pos++];
		if (ctrl == 0x00)
			break;
		if (ctrl == 0x01 || ctrl >= 0xE0) {
			d->dict_start = d->out_len;
			d->need_dict_reset = false;
			d->need_props = true;
		} else if (d->need_dict_reset) {
			return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: control byte 0x%02x "
				    "without the required dictionary reset", chunk, ctrl);
		}
		if (ctrl < 0x80) {
			if (ctrl > 0x02)
				return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: invalid "
					    "control byte 0x%02x", chunk, ctrl);
			if (in_left(d, pos) < 2)
				return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: truncated "
					    "header", chunk);
			usize = get_be16(in + pos) + 1;
			pos += 2;
			if (usize > in_left(d, pos))
				return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: truncated "
					    "(%zu of %zu uncompressed bytes)", chunk,
					    in_left(d, pos), usize);
			err = out_reserve(d, usize, chunk);
			if (err)
				return err;
			memcpy(d->out + d->out_len, in + pos, usize);
			d->out_len += usize;
			pos += usize;
			continue;
		}

		if (in_left(d, pos) < (ctrl >= 0xC0 ? 5u : 4u))
			return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: truncated header",
				    chunk);
		usize = (((size_t)ctrl & 0x1F) << 16 | get_be16(in + pos)) + 1;
		csize = (size_t)get_be16(in + pos + 2) + 1;
		pos += 4;
		if (ctrl >= 0xC0) {
			if (lzma_props(d->lzma, in[pos]))
				return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: invalid LZMA "
					    "properties 0x%02x", chunk, in[pos]);
			pos++;
			d->need_props = false;
			lzma_reset(d->lzma);
		} else if (d->need_props) {
			return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: control byte 0x%02x "
				    "without the required properties", chunk, ctrl);
		} else if (ctrl >= 0xA0) {
			lzma_reset(d->lzma);
		}
		if (csize > in_left(d, pos))
			return fail(d, -EINVAL, "LZMA2 chunk at offset 0x%zx: truncated (%zu of "
				    "%zu compressed bytes)", chunk, in_left(d, pos), csize);
		err = out_reserve(d, usize, chunk);
		if (err)
			return err;
		{
			struct lzma_fault f;
			size_t dpos = d->out_len - d->dict_start;

			if (lzma_chunk(d->lzma, in + pos, csize, d->in_len - pos,
				       d->out + d->dict_start, dpos, dpos + usize, &f))
				return lzma_fail(d, chunk, pos, &f);
		}
		d->out_len += usize;
		pos += csize;
	}
	d->pos = pos;
	d->seq = SEQ_BLOCK_TAIL;
	return 0;
}

/* Block padding, check, declared sizes; remember the block for the index. */
static int block_tail(struct xz_dec *d)
{
	const uint8_t *in = d->in;
	size_t csize = d->pos - d->data_off, usize = d->out_len - d->out_start;
	const uint8_t *data = d->out ? d->out + d->out_start : NULL;	/* NULL: nothing yet */
	size_t pos = d->pos, at;

	if (d->decl_csize != UINT64_MAX && d->decl_csize != csize)
		return fail(d, -EINVAL, "compressed size %zu, header says %llu", csize,
			    (unsigned long long)d->decl_csize);
	if (d->decl_usize != UINT64_MAX && d->decl_usize != usize)
		return fail(d, -EINVAL, "uncompressed size %zu, header says %llu", usize,
			    (unsigned long long)d->decl_usize);
	for (; (pos - d->data_off) & 3; pos++)
		if (!in_left(d, pos) || in[pos])
			return fail(d, -EINVAL, "%s block padding at offset 0x%zx",
				    in_left(d, pos) ? "non-zero" : "truncated", pos);
	if (in_left(d, pos) < d->check_size)
		return fail(d, -EINVAL, "%s at offset 0x%zx truncated (%zu of %zu bytes)",
			    check_name(d->check_type), pos, in_left(d, pos), d->check_size);
	at = pos;
	switch (d->check_type) {
	case CHECK_CRC32:
		if (xz_crc32(data, usize, 0) != get_le32(in + at))
			return fail(d, -EINVAL, "CRC32 mismatch at offset 0x%zx (stored 0x%08x, "
				    "computed 0x%08x)", at, get_le32(in + at),
				    xz_crc32(data, usize, 0));
		break;
	case CHECK_CRC64:
		if (xz_crc64(data, usize, 0) != get_le64(in + at))
			return fail(d, -EINVAL, "CRC64 mismatch at offset 0x%zx (stored "
				    "0x%016llx, computed 0x%016llx)", at,
				    (unsigned long long)get_le64(in + at),
				    (unsigned long long)xz_crc64(data, usize, 0));
		break;
	case CHECK_SHA256: {
		uint8_t digest[XZ_SHA256_LEN];

		xz_sha256(data, usize, digest);
		if (memcmp(digest, in + at, XZ_SHA256_LEN))
			return fail(d, -EINVAL, "SHA-256 mismatch at offset 0x%zx", at);
		break;
	}
	default:
		break;
	}
	pos += d->check_size;

	if (d->nrecs == d->recs_cap) {
		size_t cap = d->recs_cap ? d->recs_cap * 2 : 16;
		struct block_rec *r;

		/* bounded: each record stands for at least 12 input bytes */
		r = xrealloc(d->recs, cap * sizeof(*r));
		if (!r)
			return fail(d, -ENOMEM, "out of memory for the block list");
		d->recs = r;
		d->recs_cap = cap;
	}
	d->recs[d->nrecs].unpadded = (uint64_t)d->hdr_size + csize + d->check_size;
	d->recs[d->nrecs].usize = usize;
	d->nrecs++;
	d->block_no++;
	d->pos = pos;
	d->seq = SEQ_BLOCK_START;
	return 0;
}

/*
 * The uncompressed size the last stream's index declares, or 0 if the end
 * of the input does not look like a footer and an index. A hint for the
 * first allocation only: nothing here is verified (index_check() and
 * stream_footer() do that when the walk gets there), and every read is
 * bounded by the input.
 */
static size_t out_size_hint(const uint8_t *in, size_t len)
{
	size_t end = len, start, pos;
	uint64_t backward, count, unpadded, usize, sum = 0, i;

	while (end >= 4 && !get_le32(in + end - 4))	/* stream padding */
		end -= 4;
	if (end < 2 * STREAM_HDR_SIZE || in[end - 2] != 'Y' || in[end - 1] != 'Z')
		return 0;
	backward = ((uint64_t)get_le32(in + end - 8) + 1) * 4;
	if (backward > end - 2 * STREAM_HDR_SIZE)
		return 0;
	start = end - STREAM_HDR_SIZE - (size_t)backward;
	end -= STREAM_HDR_SIZE;
	pos = start + 1;
	if (in[start] != 0 || get_vli(in, end, &pos, &count))
		return 0;
	for (i = 0; i < count; i++) {
		if (get_vli(in, end, &pos, &unpadded) || get_vli(in, end, &pos, &usize) ||
		    usize > SIZE_MAX - sum)
			return 0;
		sum += usize;
	}
	return (size_t)sum;
}

static int index_check(struct xz_dec *d)
{
	const uint8_t *in = d->in;
	size_t start = d->pos, pos = start + 1, i;
	uint64_t count, unpadded, usize;

	d->part_off = start;
	if (get_vli(in, d->in_len, &pos, &count))
		return fail(d, -EINVAL, "truncated or invalid record count");
	if (count != d->nrecs)
		return fail(d, -EINVAL, "lists %llu blocks, the stream has %zu",
			    (unsigned long long)count, d->nrecs);
	for (i = 0; i < d->nrecs; i++) {
		size_t rec = pos;

		if (get_vli(in, d->in_len, &pos, &unpadded) ||
		    get_vli(in, d->in_len, &pos, &usize))
			return fail(d, -EINVAL, "record %zu at offset 0x%zx truncated or invalid",
				    i, rec);
		if (unpadded != d->recs[i].unpadded || usize != d->recs[i].usize)
			return fail(d, -EINVAL, "record %zu at offset 0x%zx says unpadded size "
				    "%llu, uncompressed size %llu; block %zu has %llu, %llu", i,
				    rec, (unsigned long long)unpadded, (unsigned long long)usize,
				    i, (unsigned long long)d->recs[i].unpadded,
				    (unsigned long long)d->recs[i].usize);
	}
	for (; (pos - start) & 3; pos++)
		if (!in_left(d, pos) || in[pos])
			return fail(d, -EINVAL, "%s padding at offset 0x%zx",
				    in_left(d, pos) ? "non-zero" : "truncated", pos);
	if (in_left(d, pos) < 4)
		return fail(d, -EINVAL, "CRC32 truncated");
	if (xz_crc32(in + start, pos - start, 0) != get_le32(in + pos))
		return fail(d, -EINVAL, "CRC32 mismatch (stored 0x%08x, computed 0x%08x)",
			    get_le32(in + pos), xz_crc32(in + start, pos - start, 0));
	pos += 4;
	d->index_size = pos - start;
	d->pos = pos;
	d->seq = SEQ_STREAM_FOOTER;
	return 0;
}

static int stream_footer(struct xz_dec *d)
{
	const uint8_t *f = d->in + d->pos;
	uint64_t backward;

	d->part_off = d->pos;
	if (in_left(d, d->pos) < STREAM_HDR_SIZE)
		return fail(d, -EINVAL, "truncated (%zu of %d bytes)", in_left(d, d->pos),
			    STREAM_HDR_SIZE);
	if (f[10] != 'Y' || f[11] != 'Z')
		return fail(d, -EINVAL, "bad magic");
	if (xz_crc32(f + 4, 6, 0) != get_le32(f))
		return fail(d, -EINVAL, "CRC32 mismatch (stored 0x%08x, computed 0x%08x)",
			    get_le32(f), xz_crc32(f + 4, 6, 0));
	backward = ((uint64_t)get_le32(f + 4) + 1) * 4;
	if (backward != d->index_size)
		return fail(d, -EINVAL, "backward size %llu, but the index is %zu bytes",
			    (unsigned long long)backward, d->index_size);
	if (f[8] != d->flags[0] || f[9] != d->flags[1])
		return fail(d, -EINVAL, "stream flags 0x%02x%02x differ from the header's "
			    "0x%02x%02x", f[8], f[9], d->flags[0], d->flags[1]);
	d->pos += STREAM_HDR_SIZE;
	d->seq = SEQ_STREAM_PADDING;
	return 0;
}

static int stream_padding(struct xz_dec *d)
{
	size_t start = d->pos, pos = start;

	d->part_off = start;
	while (pos < d->in_len && !d->in[pos])
		pos++;
	if ((pos - start) & 3)
		return fail(d, -EINVAL, "%zu bytes, not a multiple of 4", pos - start);
	d->pos = pos;
	if (pos == d->in_len) {
		d->seq = SEQ_DONE;
	} else {
		d->stream_no++;
		d->seq = SEQ_STREAM_HEADER;
	}
	return 0;
}

/* ---- API -------------------------------------------------------------- */

bool xz_is_xz(const void *data, size_t size)
{
	static const uint8_t magic[XZ_MAGIC_LEN] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };

	return data && size >= XZ_MAGIC_LEN && !memcmp(data, magic, XZ_MAGIC_LEN);
}

int xz_decode(const void *in, size_t in_len, size_t out_cap, void **out, size_t *out_len,
	      char *err, size_t err_len)
{
	struct xz_dec d;
	size_t hint;
	int ret = 0;

	memset(&d, 0, sizeof(d));
	d.in = in;
	d.in_len = in ? in_len : 0;
	d.seq = SEQ_STREAM_HEADER;
	d.out_limit = out_cap;
	d.err = err;
	d.err_len = err ? err_len : 0;
	if (d.err_len)
		err[0] = '\0';
	d.out_guess = d.in_len <= SIZE_MAX / OUT_RATIO_GUESS ? d.in_len * OUT_RATIO_GUESS :
		      SIZE_MAX;
	if (d.out_guess < OUT_ALLOC_MIN)
		d.out_guess = OUT_ALLOC_MIN;
	hint = out_size_hint(d.in, d.in_len);
	if (hint && hint / OUT_HINT_RATIO_MAX <= d.in_len)
		d.out_guess = hint;
	d.lzma = xmalloc(sizeof(*d.lzma));
	if (!d.lzma) {
		ret = fail(&d, -ENOMEM, "out of memory for the LZMA decoder");
		goto out;
	}
	d.lzma->lc = d.lzma->lp = 0;
	d.lzma->lp_mask = d.lzma->pb_mask = 0;

	while (!ret && d.seq != SEQ_DONE) {
		switch (d.seq) {
		case SEQ_STREAM_HEADER:
			ret = stream_header(&d);
			break;
		case SEQ_BLOCK_START:
			ret = block_start(&d);
			break;
		case SEQ_BLOCK_HEADER:
			ret = block_header(&d);
			break;
		case SEQ_BLOCK_DATA:
			ret = block_data(&d);
			break;
		case SEQ_BLOCK_TAIL:
			ret = block_tail(&d);
			break;
		case SEQ_INDEX:
			ret = index_check(&d);
			break;
		case SEQ_STREAM_FOOTER:
			ret = stream_footer(&d);
			break;
		case SEQ_STREAM_PADDING:
			ret = stream_padding(&d);
			break;
		case SEQ_DONE:
			break;
		}
	}
	if (ret)
		goto out;

	/* give back a large unused tail; keep the buffer if that fails */
	if (!d.out || d.out_cap - d.out_len > d.out_cap / 8) {
		uint8_t *p = xrealloc(d.out, d.out_len);

		if (p) {
			d.out = p;
		} else if (!d.out) {
			ret = fail(&d, -ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = d.out;
	*out_len = d.out_len;
	d.out = NULL;
out:
	xfree(d.out);
	xfree(d.recs);
	xfree(d.lzma);
	return ret;
}
