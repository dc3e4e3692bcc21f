/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - small helpers shared by the unit tests (header-only, every
 * function static inline, so each test file gets its own copy and unused
 * ones cost nothing).
 *
 *   read_file()          whole file into malloc'd memory (NULL if missing)
 *   read_file_exact()    the same in a block of exactly its size, asserting
 *   put_file()           write a whole file, its folders made first
 *   mkdir_p()            mkdir -p of a folder below tmp_dir()
 *   tmp_dir_make(), tmp_dir_remove()
 *                        the test's own mkdtemp() folder /tmp/PREFIX-XXXXXX
 *                        (suite .init) and its removal with all it holds
 *                        (.fini); tmp_dir() is its path ("" if mkdtemp failed)
 *   tmp_path()           tmp_dir()/rel in one of four rotating buffers
 *   tmp_path_kept()      the same, each distinct path in its own buffer for
 *                        the whole test (for pointers that are kept)
 *   have_tool()          is a command installed (command -v)
 *   xz_of()              bytes compressed by xz(1), through files in tmp_dir()
 *   fnv1a()              32-bit FNV-1a hash of a string
 *   small_btf()          a small valid BTF with a named struct (BTF writer)
 *   tagged_btf()         the same, its bytes depending on a tag (its hash)
 *   tar_of()             a tar written by the tar writer from member specs
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
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "btf/btf.h"
#include "tar/tarball.h"
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

/*
 * All of @path in a malloc'd block of exactly its size (so ASan sees any
 * read past the end; one byte for an empty file); fails the test if it
 * can't be read.
 */
static inline void *read_file_exact(const char *path, size_t *size)
{
	void *d = read_file(path, size), *e;

	cr_assert(d != NULL, "%s unreadable", path);
	e = malloc(*size ? *size : 1);
	cr_assert(e != NULL);
	memcpy(e, d, *size);
	free(d);
	return e;
}

/* Where the large shared inputs live (SG-22); tests skip when it's absent. */
static inline const char *corpus_dir(void)
{
	const char *d = getenv("BTFGEN_CORPUS");

	return d && d[0] ? d : "../shared/corpus";
}

/* ---- the test's temporary folder -------------------------------------- */

/*
 * The path of the folder tmp_dir_make() made ("" before, or if mkdtemp
 * failed). One per test file (static inline: each has its own copy), and
 * Criterion runs each test in its own process, so one per test.
 */
#define TMP_DIR_SIZE 64

static inline char *tmp_dir(void)
{
	static char dir[TMP_DIR_SIZE];

	return dir;
}

/* Make /tmp/@prefix-XXXXXX with mkdtemp(); on failure tmp_dir() stays "". */
static inline void tmp_dir_make(const char *prefix)
{
	char *dir = tmp_dir();

	snprintf(dir, TMP_DIR_SIZE, "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

static inline int tmp_dir_rm_one(const char *path, const struct stat *st, int flag,
				 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove tmp_dir() and everything in it (symlinks themselves, not what they name). */
static inline void tmp_dir_remove(void)
{
	if (tmp_dir()[0])
		nftw(tmp_dir(), tmp_dir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Criterion 2.4.1 does not run .fini after cr_skip_test(): remove tmp_dir() first. */
#define TMP_SKIP(...)				\
	do {					\
		tmp_dir_remove();		\
		cr_skip_test(__VA_ARGS__);	\
	} while (0)

/* tmp_dir()/@rel (tmp_dir() itself for ""), in one of four rotating static buffers. */
static inline const char *tmp_path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	char *b = buf[i++ & 3];

	cr_assert(tmp_dir()[0] != '\0', "mkdtemp failed");
	snprintf(b, PATH_MAX, rel[0] ? "%s/%s" : "%s", tmp_dir(), rel);
	return b;
}

/*
 * tmp_dir()/@rel as tmp_path(), but each distinct path gets its own static
 * buffer that lives as long as the test (options keep the pointers).
 */
static inline const char *tmp_path_kept(const char *rel)
{
	static char buf[64][PATH_MAX];
	static size_t n;
	char want[PATH_MAX];
	size_t i;

	cr_assert(tmp_dir()[0] != '\0', "mkdtemp failed");
	snprintf(want, sizeof(want), rel[0] ? "%s/%s" : "%s", tmp_dir(), rel);
	for (i = 0; i < n; i++)
		if (!strcmp(buf[i], want))
			return buf[i];
	cr_assert(lt(sz, n, ARRAY_SIZE(buf)), "too many paths");
	memcpy(buf[n], want, sizeof(want));
	return buf[n++];
}

/* mkdir -p @path, a folder below tmp_dir() (the folders from tmp_dir() down). */
static inline void mkdir_p(const char *path)
{
	size_t i, n, from = strlen(tmp_dir());
	char p[PATH_MAX];

	cr_assert(from && !strncmp(path, tmp_dir(), from) && (!path[from] || path[from] == '/'),
		  "%s is not below %s", path, tmp_dir());
	snprintf(p, sizeof(p), "%s", path);
	n = strlen(p);
	for (i = from + 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", p,
			  strerror(errno));
		if (i < n)
			p[i] = '/';
	}
}

/* @path (below tmp_dir()) holding @n bytes of @data, its folders made first. */
static inline void put_file(const char *path, const void *data, size_t n)
{
	char dir[PATH_MAX], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdir_p(dir);
	}
	f = fopen(path, "wb");
	cr_assert(f != NULL, "%s: %s", path, strerror(errno));
	if (n)
		cr_assert(eq(sz, fwrite(data, 1, n, f), n));
	cr_assert(eq(int, fclose(f), 0));
}

/* ---- external tools --------------------------------------------------- */

/* Whether @tool is a command sh(1) finds. */
static inline bool have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/*
 * @data compressed by xz(1) with a CRC64 check (as BTFHub's), through
 * files in tmp_dir(); malloc'd, exactly its size. See have_tool("xz").
 */
static inline void *xz_of(const void *data, size_t size, size_t *out_size)
{
	char cmd[PATH_MAX * 3], in[PATH_MAX], out[PATH_MAX + 32];
	static int seq;
	int st;

	snprintf(in, sizeof(in), "%s", tmp_path("xz-in"));
	snprintf(out, sizeof(out), "%s.%d.xz", in, seq++);
	put_file(in, data, size);
	snprintf(cmd, sizeof(cmd), "xz -c --check=crc64 '%s' > '%s'", in, out);
	st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed: %s", cmd);
	return read_file_exact(out, out_size);
}

/* ---- small BTFs ------------------------------------------------------- */

/* 32-bit FNV-1a of the string @s. */
static inline u32 fnv1a(const char *s)
{
	u32 h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (u8)*s) * 16777619u;
	return h;
}

/*
 * A small valid BTF made with the BTF writer: STRUCT 'task_struct' size 4;
 * STRUCT '@name' size 8 { t: [1] }. xmalloc'd.
 */
static inline void *small_btf(const char *name, size_t *size)
{
	struct btf_writer *w = btf_writer_new();
	void *out = NULL;

	cr_assert(w != NULL);
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, "task_struct", 4), 1));
	cr_assert(eq(int, btf_writer_add_composite(w, BTF_KIND_STRUCT, name, 8), 2));
	cr_assert(eq(int, btf_writer_add_member(w, "t", 1, 0, 0), 0));
	cr_assert(eq(int, btf_writer_finish(w, false, &out, size), 0));
	btf_writer_free(w);
	return out;
}

/*
 * A small valid BTF whose bytes depend on @tag: small_btf() with the struct
 * named 'k_<fnv1a(tag) in 8 hex digits>'. xmalloc'd.
 */
static inline void *tagged_btf(const char *tag, size_t *size)
{
	char name[32];

	snprintf(name, sizeof(name), "k_%08x", fnv1a(tag));
	return small_btf(name, size);
}

/*
 * A tar member for tar_of(): a folder (@dir), a hard link to @link, @data
 * (@size bytes, or strlen(@data) when @size is 0), or else
 * tagged_btf(@name).
 */
struct tar_spec {
	const char *name;
	const char *link;
	bool dir;
	const void *data;
	size_t size;
};

/* A tar of @v (tar writer), malloc'd, exactly its size. */
static inline void *tar_of(const struct tar_spec *v, size_t n, size_t *size)
{
	struct tar_writer *w = tar_writer_new();
	void *out = NULL, *copy;
	size_t i;

	cr_assert(w != NULL);
	for (i = 0; i < n; i++) {
		int err;

		if (v[i].dir) {
			err = tar_writer_add_dir(w, v[i].name);
		} else if (v[i].link) {
			err = tar_writer_add_hardlink(w, v[i].name, v[i].link);
		} else if (v[i].data) {
			err = tar_writer_add_file(w, v[i].name, v[i].data,
						  v[i].size ? v[i].size : strlen(v[i].data));
		} else {
			size_t ks;
			void *k = tagged_btf(v[i].name, &ks);

			err = tar_writer_add_file(w, v[i].name, k, ks);
			xfree(k);
		}
		cr_assert(eq(int, err, 0), "tar writer: %s", v[i].name);
	}
	cr_assert(eq(int, tar_writer_finish(w, &out, size), 0));
	tar_writer_free(w);
	copy = malloc(*size);
	cr_assert(copy != NULL);
	memcpy(copy, out, *size);
	xfree(out);
	return copy;
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
