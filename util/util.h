/* SPDX-License-Identifier: MIT */
/*
 * util.h - the only header every module may include: allocation wrappers with
 * fault injection, the diagnostic sink, overflow-checked arithmetic, byte
 * order helpers and the bounds-checked read cursor.
 *
 * Everything here is libc-only and knows nothing about BTF or ELF.
 */
#ifndef BTFGEN_UTIL_H
#define BTFGEN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- limits on untrusted input ------------------------------------------ */
/*
 * Every input is untrusted; these bound what one may make us allocate. The
 * defaults are far above any real input, and a user with a bigger one can
 * raise them (btfgen --max-input-size, --max-btf-size, --max-types); the
 * error that hits one names its option. Limits that are libbpf's own
 * (BTF_MAX_RESOLVE_DEPTH, CORE_SPEC_MAX_LEN) are fixed: changing them would
 * make btfgen answer differently from libbpf.
 */
/* One input file: no kernel BTF, vmlinux or BPF binary comes near 2 GiB. */
#define LIMIT_INPUT_SIZE_DEFAULT	(2ull << 30)
/*
 * A decompressed kernel BTF (.xz, .btf.tar.xz): BTFHub's biggest (a
 * non-deduplicated centos 8 aarch64 kernel) is 27 MB; 512 MiB stops a
 * decompression bomb early and is still harmless to allocate.
 */
#define LIMIT_BTF_SIZE_DEFAULT		(512ull << 20)
/*
 * Types in one BTF: 4x the kernel's own BTF_MAX_TYPE (0xfffff); a vmlinux
 * has ~150k, BTFHub's non-deduplicated ones under 1M. Each costs us 4 bytes
 * of index plus its record.
 */
#define LIMIT_TYPES_DEFAULT		(4u << 20)
/* The largest a user may set --max-types to (libbpf's BTF_MAX_NR_TYPES). */
#define LIMIT_TYPES_MAX			0x7fffffffu

struct util_limits {
	u64 input_size;		/* --max-input-size */
	u64 btf_size;		/* --max-btf-size */
	u32 types;		/* --max-types */
};
extern struct util_limits util_limits;

/* ---- allocation ------------------------------------------------------- */
/*
 * All product allocations go through these. They return NULL on failure
 * (never abort).
 *
 * Fault injection exists only in test builds (util.c compiled with
 * BTFGEN_FAULT_INJECTION: the unit tests and btfgen-fi), so the shipped
 * library has no mutable global state here. There, setting
 * util_alloc_fail_at to N > 0 makes the Nth allocation from now fail (0
 * disables it) and util_alloc_count counts allocations; both are atomic, so
 * worker threads may allocate while a test counts.
 */
extern atomic_ulong util_alloc_fail_at;
extern atomic_ulong util_alloc_count;
void *xmalloc(size_t sz);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t sz);
void *xreallocarray(void *p, size_t n, size_t sz);
void xfree(void *p);
char *xstrdup(const char *s);

/*
 * Make room for at least @need elements of @elem_sz bytes in *@data whose
 * capacity is *@cap elements. Grows by 25% (minimum 16), never beyond
 * @max_cnt elements.
 * Returns: 0, -ENOMEM on allocation failure, -E2BIG when @need > @max_cnt.
 */
int util_ensure_mem(void **data, size_t *cap, size_t elem_sz, size_t need, size_t max_cnt);

/* ---- diagnostics ------------------------------------------------------ */
enum diag_level {
	DIAG_WARN = 0,	/* errors and warnings: always printed */
	DIAG_INFO = 1,	/* -v */
	DIAG_DEBUG = 2,	/* -d: per-relocation trace */
};

typedef void (*diag_sink_fn)(enum diag_level level, const char *msg);

/* Level at or below which messages are emitted (default DIAG_WARN). */
extern enum diag_level diag_level;
/*
 * Warnings printed so far by the calling thread (captured ones excluded):
 * lets a caller tell whether a failure below it was already reported.
 */
unsigned long diag_warn_count(void);
/* Replace the sink (NULL restores the default: "btfgen: " + msg on stderr). */
void diag_set_sink(diag_sink_fn fn);
/*
 * Capture instead of print, per thread: while @buf is set, every message at
 * DIAG_WARN is stored in @buf (the last one wins) and nothing is printed at
 * that level. Returns the previous capture, to hand back to
 * diag_capture_restore() (captures nest); diag_capture(NULL, 0) prints again.
 */
struct diag_cap {
	char *buf;
	size_t n;
};
struct diag_cap diag_capture(char *buf, size_t n);
void diag_capture_restore(struct diag_cap prev);
void diag_print(enum diag_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(...) diag_print(DIAG_WARN, __VA_ARGS__)
#define pr_info(...) diag_print(DIAG_INFO, __VA_ARGS__)
#define pr_debug(...) diag_print(DIAG_DEBUG, __VA_ARGS__)

/* ---- arithmetic ------------------------------------------------------- */
static inline bool add_overflow_size(size_t a, size_t b, size_t *res)
{
	return __builtin_add_overflow(a, b, res);
}

static inline bool mul_overflow_size(size_t a, size_t b, size_t *res)
{
	return __builtin_mul_overflow(a, b, res);
}

/* ---- byte order ------------------------------------------------------- */
static inline bool host_is_le(void)
{
	const u16 one = 1;

	return *(const u8 *)&one == 1;
}

static inline u16 bswap16(u16 v) { return __builtin_bswap16(v); }
static inline u32 bswap32(u32 v) { return __builtin_bswap32(v); }
static inline u64 bswap64(u64 v) { return __builtin_bswap64(v); }

/* Unaligned loads in an explicit byte order. */
static inline u16 load_u16(const void *p, bool le)
{
	const u8 *b = p;

	return le ? (u16)(b[0] | b[1] << 8) : (u16)(b[1] | b[0] << 8);
}

static inline u32 load_u32(const void *p, bool le)
{
	const u8 *b = p;

	if (le)
		return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
	return (u32)b[3] | (u32)b[2] << 8 | (u32)b[1] << 16 | (u32)b[0] << 24;
}

static inline u64 load_u64(const void *p, bool le)
{
	const u8 *b = p;
	u64 lo = load_u32(b, le), hi = load_u32(b + 4, le);

	return le ? (hi << 32 | lo) : (lo << 32 | hi);
}

/* ---- bounds-checked read cursor --------------------------------------- */
/*
 * Sticky error: after the first short read every read returns 0 and @err
 * stays set; check it once at the end of a record.
 */
struct rd {
	const u8 *p;
	size_t len;
	size_t off;
	bool le;
	bool err;
};

static inline struct rd rd_init(const void *p, size_t len, bool le)
{
	struct rd r = { .p = p, .len = len, .off = 0, .le = le, .err = false };

	return r;
}

static inline bool rd_need(struct rd *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return false;
	}
	return true;
}

static inline u8 rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->p[r->off++];
}

static inline u16 rd_u16(struct rd *r)
{
	u16 v;

	if (!rd_need(r, 2))
		return 0;
	v = load_u16(r->p + r->off, r->le);
	r->off += 2;
	return v;
}

static inline u32 rd_u32(struct rd *r)
{
	u32 v;

	if (!rd_need(r, 4))
		return 0;
	v = load_u32(r->p + r->off, r->le);
	r->off += 4;
	return v;
}

static inline u64 rd_u64(struct rd *r)
{
	u64 v;

	if (!rd_need(r, 8))
		return 0;
	v = load_u64(r->p + r->off, r->le);
	r->off += 8;
	return v;
}

static inline void rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->off += n;
}

/* Is [off, off + len) inside a buffer of @size bytes? (no overflow) */
static inline bool range_ok(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

#endif /* BTFGEN_UTIL_H */
