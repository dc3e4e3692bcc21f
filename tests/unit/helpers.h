/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - small helpers shared by the unit tests (header-only, every
 * function static inline, so each test file gets its own copy and unused
 * ones cost nothing).
 *
 *   read_file()          whole file into malloc'd memory (NULL if missing)
 *   corpus_dir()         $BTFGEN_CORPUS or ../shared/corpus (tests run from
 *                        the repository root)
 *   diag_capture_*()     a diagnostic sink that counts lines and keeps the
 *                        first and last message (util.h diag_set_sink)
 *   dump_btf()           btf_dump_raw() into a malloc'd string
 *   assert_same_text()   compare two dumps, failing on the first differing
 *                        line with both lines shown (not a 12 MB string)
 *   blob_swap()          byte-swap a raw BTF blob, written independently of
 *                        btf/btf.c so it can check the parser and the writer
 *   assert_no_leaks()    LSan leak check in sanitizer builds (SG-26: LSan
 *                        reports from Criterion workers don't fail the run)
 */
#ifndef BTFGEN_TEST_HELPERS_H
#define BTFGEN_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "util/util.h"

/* ---- files ------------------------------------------------------------ */

/*
 * Read all of @path into a malloc'd buffer (one spare NUL byte after the
 * data, not counted in *@size). Works for sysfs files whose stat size lies.
 * Returns NULL if the file can't be opened or read.
 */
static inline void *read_file(const char *path, size_t *size)
{
	size_t len = 0, cap = 1 << 16;
	char *buf, *nb;
	FILE *f;

	*size = 0;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		goto err;
	for (;;) {
		size_t n;

		if (cap - len < 2) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto err;
			buf = nb;
			cap *= 2;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		goto err;
	fclose(f);
	buf[len] = '\0';
	*size = len;
	return buf;
err:
	free(buf);
	fclose(f);
	return NULL;
}

/* Where the large shared inputs live (SG-22); tests skip when it's absent. */
static inline const char *corpus_dir(void)
{
	const char *d = getenv("BTFGEN_CORPUS");

	return d && d[0] ? d : "../shared/corpus";
}

/* ---- diagnostics ------------------------------------------------------ */

struct diag_capture {
	int lines;
	char first[1024];
	char last[1024];
};

static inline struct diag_capture *diag_cap(void)
{
	static struct diag_capture cap;

	return &cap;
}

static inline void diag_capture_sink(enum diag_level level, const char *msg)
{
	struct diag_capture *c = diag_cap();

	(void)level;
	if (c->lines++ == 0)
		snprintf(c->first, sizeof(c->first), "%s", msg);
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

/* Reset the counters and install the capturing sink. */
static inline void diag_capture_begin(void)
{
	struct diag_capture *c = diag_cap();

	c->lines = 0;
	c->first[0] = c->last[0] = '\0';
	diag_set_sink(diag_capture_sink);
}

/* Restore the default sink (stderr). */
static inline void diag_capture_end(void)
{
	diag_set_sink(NULL);
}

static inline void diag_reset(void)
{
	diag_capture_begin();
}

static inline int diag_lines(void)
{
	return diag_cap()->lines;
}

static inline const char *diag_last(void)
{
	return diag_cap()->last;
}

/*
 * Criterion's "str" assertion tag is a plain char *: strip the const
 * (through uintptr_t, which -Wcast-qual accepts) to compare borrowed names.
 */
static inline char *cstr(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* ---- dump ------------------------------------------------------------- */

/* btf_dump_raw() into a malloc'd NUL-terminated string; NULL on failure. */
static inline char *dump_btf(const struct btf *btf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	err = btf_dump_raw(btf, f);
	if (fclose(f) || err) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Fail with the first differing line (1-based) of @got and @want, showing
 * both, rather than printing two huge strings.
 */
static inline void assert_same_text(const char *got, const char *want, const char *what)
{
	const char *g = got, *w = want;
	unsigned line = 1;
	int gl, wl;

	cr_assert(got != NULL && want != NULL, "%s: missing text", what);
	if (strcmp(got, want) == 0)
		return;
	for (;;) {
		const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');

		gl = ge ? (int)(ge - g) : (int)strlen(g);
		wl = we ? (int)(we - w) : (int)strlen(w);
		if (gl != wl || memcmp(g, w, (size_t)gl) || !ge != !we)
			break;
		if (!ge)
			break;
		g = ge + 1;
		w = we + 1;
		line++;
	}
	cr_fatal("%s: first difference at line %u:\n  got:  \"%.*s\"%s\n  want: \"%.*s\"%s",
		       what, line, gl > 300 ? 300 : gl, g, strchr(g, '\n') ? "" : " (no newline)",
		       wl > 300 ? 300 : wl, w, strchr(w, '\n') ? "" : " (no newline)");
}

/* ---- independent byte swapper ----------------------------------------- */

static inline u32 hx_ld32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static inline void hx_swap32(u8 *p)
{
	u8 t;

	t = p[0]; p[0] = p[3]; p[3] = t;
	t = p[1]; p[1] = p[2]; p[2] = t;
}

/*
 * Byte-swap the native-order raw BTF @blob (@size bytes) in place: header,
 * every word of every type record. Kind sizes come from this table, not
 * from btf.c. Returns 0, or -1 if the blob isn't a well-formed native BTF.
 */
static inline int blob_swap(u8 *blob, size_t size)
{
	/* bytes after struct btf_type: fixed part, then per-vlen element */
	static const u8 fixed[20] = { [1] = 4, [3] = 12, [14] = 4, [17] = 4 };
	static const u8 elem[20] = { [4] = 12, [5] = 12, [6] = 8, [13] = 8, [15] = 12,
				     [19] = 12 };
	u32 hdr_len, type_off, type_len, off, i;
	u8 *types;

	if (size < 24 || blob[0] != 0x9f || blob[1] != 0xeb || !host_is_le())
		return -1;
	hdr_len = hx_ld32(blob + 4);
	type_off = hx_ld32(blob + 8);
	type_len = hx_ld32(blob + 12);
	if (hdr_len < 24 || hdr_len % 4 || (u64)hdr_len + type_off + type_len > size)
		return -1;
	types = blob + hdr_len + type_off;
	for (off = 0; off < type_len;) {
		u32 info = hx_ld32(types + off + 4), kind = (info >> 24) & 0x1f;
		u32 sz = 12 + (kind < 20 ? fixed[kind] + (info & 0xffff) * elem[kind] : 0);

		if (kind == 0 || kind >= 20 || sz > type_len - off)
			return -1;
		for (i = 0; i < sz; i += 4)
			hx_swap32(types + off + i);
		off += sz;
	}
	/* magic is a u16; version and flags are single bytes */
	blob[0] = 0xeb;
	blob[1] = 0x9f;
	for (i = 4; i < hdr_len; i += 4)
		hx_swap32(blob + i);
	return 0;
}

/* ---- leak check ------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define HELPERS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HELPERS_LSAN 1
#endif
#endif

#ifdef HELPERS_LSAN
int __lsan_do_recoverable_leak_check(void);
#endif

/* In ASan builds, fail the test if anything allocated so far has leaked. */
static inline void assert_no_leaks(void)
{
#ifdef HELPERS_LSAN
	cr_assert(eq(int, __lsan_do_recoverable_leak_check(), 0), "LeakSanitizer found leaks");
#endif
}

#endif /* BTFGEN_TEST_HELPERS_H */
