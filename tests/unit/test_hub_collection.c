// SPDX-License-Identifier: MIT
/*
 * test_hub_collection.c - unit tests for hub/collection.c (suite
 * hub_collection): a collection is untrusted input. Hostile tars (names
 * that leave the tree, hard links to what is not an earlier kernel file, a
 * name twice, truncation, an xz bomb, a huge declared size), things that are
 * not collections, folder collections with a symlink loop or a FIFO, and
 * hub_coll_read() on every packaging an entry may have.
 *
 * What a hostile collection must give (hub.h, collection.c's header and
 * STYLE.md SG-7/SG-9/SG-11): a negative errno, exactly one message line,
 * naming the member and its header offset where there is a member, and no
 * crash, hang or leak.
 *
 * Oracles: hostile tars are built here block by block as POSIX ustar,
 * independently of tar/tar.c (the writer refuses some of these names), so
 * every header offset is known; good ones come from the tar writer; xz(1)
 * compresses at test time (tests skip, saying so, when it is missing); the
 * BTF inside is made with the BTF writer, and ELF wrappers with elf_write().
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/btf_format.h"
#include "elf/elf_file.h"
#include "helpers.h"
#include "hub/hub.h"
#include "tar/tarball.h"
#include "util/util.h"

static u64 coll_saved_btf_size;

static void coll_setup(void)
{
	tmp_dir_make("btfgen-hubcoll");
	coll_saved_btf_size = util_limits.btf_size;
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void coll_teardown(void)
{
	diag_capture_end();
	util_limits.btf_size = coll_saved_btf_size;
	tmp_dir_remove();
}

TestSuite(hub_collection, .init = coll_setup, .fini = coll_teardown, .timeout = 30);

/* ---- tars built block by block (POSIX ustar) ------------------------------ */

struct raw {
	const char *name;
	char type;		/* '0', '1' (hard link), '5' (folder) */
	const char *link;
	const void *data;	/* NULL with type '0': tagged_btf(name) */
	size_t size;
	const char *size_field;	/* the size field as written, if not @size in octal */
};

static void raw_header(u8 *h, const struct raw *m, size_t size)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	memcpy(h, m->name, strnlen(m->name, 100));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	if (m->size_field)
		memcpy(h + 124, m->size_field, strnlen(m->size_field, 12));
	else
		snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (u8)m->type;
	if (m->link)
		memcpy(h + 157, m->link, strnlen(m->link, 100));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/*
 * The members of @v, then two zero blocks; malloc'd, exactly its size.
 * @offs (may be NULL) receives each member's header offset.
 */
static u8 *raw_tar(const struct raw *v, size_t n, size_t *size, size_t *offs)
{
	u8 *t = NULL;
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		const void *data = v[i].data;
		size_t dsize = v[i].size, blocks;
		void *k = NULL;

		if (v[i].type == '0' && !data) {
			k = tagged_btf(v[i].name, &dsize);
			data = k;
		}
		if (v[i].type != '0')
			dsize = data ? dsize : 0;
		blocks = 1 + (dsize + 511) / 512;
		t = realloc(t, len + blocks * 512);
		cr_assert(t != NULL);
		memset(t + len, 0, blocks * 512);
		raw_header(t + len, &v[i], dsize);
		if (offs)
			offs[i] = len;
		if (dsize)
			memcpy(t + len + 512, data, dsize);
		len += blocks * 512;
		xfree(k);
	}
	t = realloc(t, len + 1024);
	cr_assert(t != NULL);
	memset(t + len, 0, 1024);
	*size = len + 1024;
	return t;
}

/* A good tar from the tar writer: @names, each holding tagged_btf(name). */
static void *good_tar(const char *const *names, size_t n, size_t *size)
{
	struct tar_spec v[8] = { { 0 } };
	size_t i;

	cr_assert(le(sz, n, ARRAY_SIZE(v)));
	for (i = 0; i < n; i++)
		v[i].name = names[i];
	return tar_of(v, n, size);
}

/*
 * hub_coll_from_mem() on @size bytes at @data must fail cleanly: a negative
 * errno, exactly one line, holding each of the (NULL-ended) @has strings.
 * Returns the error.
 */
static int expect_refused(const char *what, const void *data, size_t size, const char *has1,
			  const char *has2, const char *has3)
{
	const char *has[3] = { has1, has2, has3 };
	struct hub_coll c;
	size_t i;
	int err;

	diag_reset();
	memset(&c, 0x5a, sizeof(c));
	err = hub_coll_from_mem("coll.tar", data, size, &c);
	cr_expect(lt(int, err, 0), "%s: accepted (%zu entries)", what, err ? 0 : c.t.n);
	if (!err) {
		hub_coll_free(&c);
		return 0;
	}
	cr_expect(eq(int, diag_lines(), 1), "%s: %d lines, the last: %s", what, diag_lines(),
		  diag_last());
	for (i = 0; i < 3; i++)
		if (has[i])
			cr_expect(strstr(diag_last(), has[i]) != NULL, "%s: message '%s' lacks '%s'",
				  what, diag_last(), has[i]);
	/* a failed open leaves nothing to free, and freeing it again is harmless */
	hub_coll_free(&c);
	return err;
}

/* ---- member names that leave the tree ------------------------------------ */

#define K1 "ubuntu/20.04/x86_64/5.4.0-73-generic.btf"
#define K2 "ubuntu/18.04/x86_64/5.4.0-73-generic.btf"

/*
 * (A regular member named "/" or "dir/" is a folder by the old-tar convention:
 * the reader skips it before the collection sees it, so it is not here.)
 */
Test(hub_collection, names_leaving_the_tree_refused)
{
	static const char *const bad[] = {
		"../x.btf", "/etc/x.btf", "a/../../x.btf", "./../x.btf",
		"ubuntu/20.04/x86_64/../../../../x.btf", "..", "../README.md",
		"ubuntu/20.04/x86_64/..", "a//b/c/x.btf", "a/./b/c/x.btf",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct raw v[2] = {
			{ .name = K1, .type = '0' },
			{ .name = bad[i], .type = '0' },
		};
		size_t size, offs[2];
		u8 *t = raw_tar(v, 2, &size, offs);
		char name[128], off[64];

		snprintf(name, sizeof(name), "'%s'", bad[i]);
		snprintf(off, sizeof(off), "offset %zu", offs[1]);
		expect_refused(bad[i], t, size, name, off, NULL);
		free(t);
	}
	assert_no_leaks();
}

/* The first member hostile: nothing before it to hide behind. */
Test(hub_collection, first_member_leaving_the_tree_refused)
{
	struct raw v[2] = {
		{ .name = "/etc/passwd", .type = '0', .data = "root:x:0:0\n", .size = 11 },
		{ .name = K1, .type = '0' },
	};
	size_t size;
	u8 *t = raw_tar(v, 2, &size, NULL);

	expect_refused("/etc/passwd first", t, size, "'/etc/passwd'", "offset 0", NULL);
	free(t);
	assert_no_leaks();
}

Test(hub_collection, empty_name_refused)
{
	struct raw v[2] = {
		{ .name = K1, .type = '0' },
		{ .name = "", .type = '0', .data = "x", .size = 1 },
	};
	size_t size, offs[2];
	u8 *t = raw_tar(v, 2, &size, offs);
	char off[64];

	snprintf(off, sizeof(off), "offset %zu", offs[1]);
	expect_refused("empty name", t, size, off, NULL, NULL);
	free(t);
	assert_no_leaks();
}

/* ---- hard links ----------------------------------------------------------- */

struct link_case {
	const char *what;
	struct raw v[3];
	size_t n;
	size_t bad;		/* the member the message must name */
	const char *target;	/* ... and the target it must name */
};

static const struct link_case link_cases[] = {
	{ "a hard link to a missing member",
	  { { .name = K1, .type = '0' },
	    { .name = K2, .type = '1', .link = "ubuntu/20.04/x86_64/5.4.0-99-generic.btf" } },
	  2, 1, "ubuntu/20.04/x86_64/5.4.0-99-generic.btf" },
	{ "a hard link to a member that is not a kernel",
	  { { .name = "README.md", .type = '0', .data = "hello\n", .size = 6 },
	    { .name = K1, .type = '1', .link = "README.md" } },
	  2, 1, "README.md" },
	{ "a hard link to ../outside",
	  { { .name = K1, .type = '0' },
	    { .name = K2, .type = '1', .link = "../outside" } },
	  2, 1, "../outside" },
	{ "a hard link to /etc/shadow",
	  { { .name = K1, .type = '0' },
	    { .name = K2, .type = '1', .link = "/etc/shadow" } },
	  2, 1, "/etc/shadow" },
	{ "a hard link to a/../" K1 " (not clean, though it names a member)",
	  { { .name = K1, .type = '0' },
	    { .name = K2, .type = '1', .link = "a/../" K1 } },
	  2, 1, "a/../" K1 },
	{ "a hard link to a later member",
	  { { .name = K2, .type = '1', .link = K1 },
	    { .name = K1, .type = '0' } },
	  2, 0, K1 },
	{ "a hard link to itself",
	  { { .name = K1, .type = '0' },
	    { .name = K2, .type = '1', .link = K2 } },
	  2, 1, K2 },
	{ "a hard link to a folder member",
	  { { .name = "ubuntu/", .type = '5' },
	    { .name = K1, .type = '1', .link = "ubuntu/" } },
	  2, 1, "ubuntu/" },
};

Test(hub_collection, hard_links_refused)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(link_cases); i++) {
		const struct link_case *lc = &link_cases[i];
		size_t size, offs[3];
		u8 *t = raw_tar(lc->v, lc->n, &size, offs);
		char name[256], off[64], target[256];

		snprintf(name, sizeof(name), "'%s'", lc->v[lc->bad].name);
		snprintf(off, sizeof(off), "offset %zu", offs[lc->bad]);
		snprintf(target, sizeof(target), "'%s'", lc->target);
		expect_refused(lc->what, t, size, name, off, target);
		free(t);
	}
	assert_no_leaks();
}

/* The accepted shape, for contrast: a link to an earlier regular kernel member. */
Test(hub_collection, hard_link_to_an_earlier_kernel_accepted)
{
	struct raw v[2] = {
		{ .name = K1, .type = '0' },
		{ .name = K2, .type = '1', .link = K1 },
	};
	struct hub_coll c;
	size_t size;
	u8 *t = raw_tar(v, 2, &size, NULL);

	cr_assert(eq(int, hub_coll_from_mem("coll.tar", t, size, &c), 0), "%s", diag_last());
	cr_expect(eq(sz, c.t.n, 2));
	cr_expect(eq(sz, c.nr_links, 1));
	cr_expect(eq(int, diag_lines(), 0));
	hub_coll_free(&c);
	free(t);
	assert_no_leaks();
}

/*
 * A link to a link is a link to an earlier kernel file of the collection:
 * GNU tar extracts it (the target exists by then), so it is accepted and
 * resolves to the first file's bytes.
 */
Test(hub_collection, hard_link_to_a_hard_link_accepted)
{
	struct raw v[3] = {
		{ .name = K1, .type = '0' },
		{ .name = K2, .type = '1', .link = K1 },
		{ .name = "ubuntu/16.04/x86_64/5.4.0-73-generic.btf", .type = '1', .link = K2 },
	};
	struct hub_coll c;
	size_t size, i;
	u8 *t = raw_tar(v, 3, &size, NULL);

	cr_assert(eq(int, hub_coll_from_mem("coll.tar", t, size, &c), 0), "%s", diag_last());
	cr_expect(eq(sz, c.t.n, 3));
	cr_expect(eq(sz, c.nr_links, 2));
	for (i = 1; i < c.t.n; i++) {
		cr_expect(c.data[i] == c.data[0], "entry %zu shares the first file's bytes", i);
		cr_expect(eq(sz, c.t.v[i].size, c.t.v[0].size));
	}
	hub_coll_free(&c);
	free(t);
	assert_no_leaks();
}

/* ---- the same name twice ---------------------------------------------------- */

Test(hub_collection, same_name_twice_refused)
{
	static const struct {
		const char *what, *a, *b;
		char type_b;
	} cases[] = {
		{ "a regular member twice", K1, K1, '0' },
		{ "with and without ./", "./" K1, K1, '0' },
		{ "with ./ and .//", "./" K1, ".//" K1, '0' },
		{ "a hard link named like a regular member", K1, K1, '1' },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct raw v[3] = {
			{ .name = cases[i].a, .type = '0' },
			{ .name = "centos/7/x86_64/3.10.0-1160.el7.x86_64.btf", .type = '0' },
			{ .name = cases[i].b, .type = cases[i].type_b,
			  .link = cases[i].type_b == '1' ? cases[i].a : NULL },
		};
		size_t size, offs[3];
		u8 *t = raw_tar(v, 3, &size, offs);
		char name[256], off[64];

		/* the message names the second member (as stored) and where it is */
		snprintf(name, sizeof(name), "'%s'", cases[i].b);
		snprintf(off, sizeof(off), "offset %zu", offs[2]);
		expect_refused(cases[i].what, t, size, name, off, NULL);
		free(t);
	}
	assert_no_leaks();
}

/* Thousands of members and links (the path lookup grows): all found; then one name twice. */
Test(hub_collection, many_members_and_links)
{
	enum { N = 3000 };
	static const char data[] = "kernel bytes";
	struct tar_writer *w = tar_writer_new();
	struct hub_coll c;
	void *tar = NULL;
	size_t size, i;
	char name[128], target[128];

	cr_assert(w != NULL);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "ubuntu/20.04/x86_64/5.4.0-%zu-generic.btf", i);
		cr_assert(eq(int, tar_writer_add_file(w, name, data, sizeof(data)), 0));
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "./ubuntu/18.04/x86_64/5.4.0-%zu-generic.btf", i);
		snprintf(target, sizeof(target), "./ubuntu/20.04/x86_64/5.4.0-%zu-generic.btf",
			 N - 1 - i);
		cr_assert(eq(int, tar_writer_add_hardlink(w, name, target), 0));
	}
	/* the first kernel again, at the very end */
	cr_assert(eq(int, tar_writer_add_file(w, "ubuntu/20.04/x86_64/5.4.0-0-generic.btf", data,
					      sizeof(data)), 0));
	cr_assert(eq(int, tar_writer_finish(w, &tar, &size), 0));
	tar_writer_free(w);
	expect_refused("the first name again at the end", tar, size,
		       "'ubuntu/20.04/x86_64/5.4.0-0-generic.btf'", NULL, NULL);
	/* without the last member (its header and data: 1024 bytes before the end marker) */
	memset((u8 *)tar + size - 2048, 0, 1024);
	diag_reset();
	cr_assert(eq(int, hub_coll_from_mem("coll.tar", tar, size - 1024, &c), 0), "%s",
		  diag_last());
	cr_expect(eq(sz, c.t.n, 2 * N));
	cr_expect(eq(sz, c.nr_links, N));
	for (i = 1; i < c.t.n; i++)
		cr_expect(lt(int, strcmp(c.t.v[i - 1].path, c.t.v[i].path), 0), "sorted, unique");
	hub_coll_free(&c);
	xfree(tar);
	assert_no_leaks();
}

/* ---- truncation, huge sizes, bombs ----------------------------------------- */

Test(hub_collection, truncated_tar_everywhere)
{
	static const char *const names[] = {
		K1, K2, "centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
	};
	size_t size, cut;
	u8 *t = good_tar(names, ARRAY_SIZE(names), &size);
	struct hub_coll c;

	/* whole: fine */
	cr_assert(eq(int, hub_coll_from_mem("coll.tar", t, size, &c), 0), "%s", diag_last());
	cr_assert(eq(sz, c.t.n, 3));
	hub_coll_free(&c);
	/* cut before the end marker: every length fails, with one line */
	for (cut = 0; cut <= size - 1024; cut++) {
		u8 *p = malloc(cut ? cut : 1);

		cr_assert(p != NULL);
		memcpy(p, t, cut);
		diag_reset();
		cr_assert(lt(int, hub_coll_from_mem("coll.tar", p, cut, &c), 0),
			  "cut at %zu of %zu: accepted", cut, size);
		cr_assert(eq(int, diag_lines(), 1), "cut at %zu: %d lines: %s", cut, diag_lines(),
			  diag_last());
		if (cut >= 512)
			cr_assert(strstr(diag_last(), "offset") != NULL,
				  "cut at %zu: no offset in '%s'", cut, diag_last());
		free(p);
	}
	free(t);
	assert_no_leaks();
}

/* A member declaring 8 GiB - 1 (and a base-256 size) with 512 bytes behind it. */
Test(hub_collection, huge_declared_size)
{
	static const char base256[12] = { (char)0x80, 0, 0, 0, 0x7f, (char)0xff, (char)0xff,
					   (char)0xff, (char)0xff, (char)0xff, (char)0xff,
					   (char)0xff };
	static const char *const fields[] = { "77777777777", base256 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		char data[512];
		struct raw v[2] = {
			{ .name = K1, .type = '0' },
			{ .name = K2, .type = '0', .data = data, .size = sizeof(data) },
		};
		size_t size, offs[2];
		u8 *t;
		char off[64];

		memset(data, 'x', sizeof(data));
		t = raw_tar(v, 2, &size, offs);
		/* rewrite the second header's size field and checksum */
		{
			u8 *h = t + offs[1];
			unsigned sum = 0;
			size_t j;

			memcpy(h + 124, fields[i], 12);
			memset(h + 148, ' ', 8);
			for (j = 0; j < 512; j++)
				sum += h[j];
			snprintf((char *)h + 148, 8, "%06o", sum);
			h[155] = ' ';
		}
		snprintf(off, sizeof(off), "offset %zu", offs[1]);
		expect_refused(i ? "base-256 huge size" : "octal 8 GiB - 1", t, size, off, NULL,
			       NULL);
		if (have_tool("xz")) {
			size_t xz_size;
			void *xz = xz_of(t, size, &xz_size);

			expect_refused(i ? "tar.xz: base-256 huge size" : "tar.xz: octal 8 GiB - 1",
				       xz, xz_size, off, NULL, NULL);
			free(xz);
		}
		free(t);
	}
	assert_no_leaks();
}

/* An xz that decompresses beyond util_limits.btf_size: stopped, -E2BIG, the option named. */
Test(hub_collection, xz_bomb_stopped_at_the_limit)
{
	char cmd[PATH_MAX * 2];
	size_t size;
	void *xz;
	int st, err;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: the bomb can't be made");
	snprintf(cmd, sizeof(cmd), "head -c 4194304 /dev/zero | xz -c > '%s'", tmp_path("bomb.xz"));
	st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed: %s", cmd);
	xz = read_file_exact(tmp_path("bomb.xz"), &size);
	cr_assert(lt(sz, size, (size_t)65536), "a bomb is small (%zu bytes)", size);
	util_limits.btf_size = 1u << 20;
	err = expect_refused("xz bomb", xz, size, "coll.tar", "max-btf-size", NULL);
	cr_expect(eq(int, err, -E2BIG));
	/* a tar of kernels, xz'ed, just over the limit: the same */
	{
		static const char *const names[] = { K1, K2 };
		size_t tsize, xsize;
		void *t = good_tar(names, 2, &tsize), *x = xz_of(t, tsize, &xsize);

		util_limits.btf_size = tsize - 1;
		err = expect_refused("tar.xz one byte over the limit", x, xsize, "max-btf-size", NULL,
				     NULL);
		cr_expect(eq(int, err, -E2BIG));
		util_limits.btf_size = tsize;
		{
			struct hub_coll c;

			cr_expect(eq(int, hub_coll_from_mem("coll.tar.xz", x, xsize, &c), 0),
				  "exactly at the limit: %s", diag_last());
			hub_coll_free(&c);
		}
		free(t);
		free(x);
	}
	free(xz);
	assert_no_leaks();
}

Test(hub_collection, corrupt_xz_refused)
{
	static const char *const names[] = { K1 };
	size_t tsize, xsize, i;
	void *t, *x;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed");
	t = good_tar(names, 1, &tsize);
	x = xz_of(t, tsize, &xsize);
	/* a flipped byte in the middle of the stream, then the stream cut short */
	((u8 *)x)[xsize / 2] ^= 0x55;
	expect_refused("xz with a flipped byte", x, xsize, "coll.tar", NULL, NULL);
	((u8 *)x)[xsize / 2] ^= 0x55;
	for (i = 12; i < xsize; i += 7)
		expect_refused("xz cut short", x, i, "coll.tar", NULL, NULL);
	free(t);
	free(x);
	assert_no_leaks();
}

/* ---- things that are not collections ---------------------------------------- */

static void *elf_wrap(const void *sec, size_t sec_size, const char *sec_name, size_t *size)
{
	struct elf_out_sec s = { .name = sec_name, .type = ELF_SHT_PROGBITS, .align = 4,
				 .data = sec, .size = sec_size };
	void *out = NULL;

	cr_assert(eq(int, elf_write(true, true, 62 /* EM_X86_64 */, &s, 1, &out, size), 0), "%s",
		  diag_last());
	return out;
}

Test(hub_collection, not_a_collection_refused)
{
	size_t bsize, esize;
	void *btf = tagged_btf("k", &bsize);
	void *elf = elf_wrap(btf, bsize, ".BTF", &esize);
	char text[4096];
	u8 zeros[2048];

	expect_refused("raw BTF", btf, bsize, "coll.tar", NULL, NULL);
	expect_refused("an ELF with .BTF", elf, esize, "coll.tar", NULL, NULL);
	memset(text, 'k', sizeof(text));
	expect_refused("text", text, sizeof(text), "coll.tar", NULL, NULL);
	expect_refused("nothing", text, 0, "coll.tar", NULL, NULL);
	expect_refused("a few bytes", text, 10, "coll.tar", NULL, NULL);
	/* only the end marker: a tar holding nothing is not refused, the others are */
	memset(zeros, 0, sizeof(zeros));
	{
		struct hub_coll c;

		diag_reset();
		if (hub_coll_from_mem("coll.tar", zeros, sizeof(zeros), &c) == 0) {
			cr_expect(eq(sz, c.t.n, 0));
			hub_coll_free(&c);
		} else {
			cr_expect(eq(int, diag_lines(), 1));
		}
	}
	if (have_tool("xz")) {
		size_t xsize;
		void *x = xz_of(btf, bsize, &xsize);

		expect_refused("xz of raw BTF", x, xsize, "coll.tar", NULL, NULL);
		free(x);
	}
	xfree(btf);
	xfree(elf);
	assert_no_leaks();
}

/* Every byte of the first two headers flipped: never a crash, and what is accepted reads. */
Test(hub_collection, flipped_header_bytes_never_crash)
{
	static const char *const names[] = { K1, K2 };
	size_t size, i;
	u8 *t = good_tar(names, 2, &size);

	for (i = 0; i < 1536 && i < size; i++) {
		struct hub_coll c;
		size_t j;

		t[i] ^= 0xff;
		diag_reset();
		if (hub_coll_from_mem("coll.tar", t, size, &c) == 0) {
			for (j = 0; j < c.t.n; j++) {
				const void *b;
				void *owned;
				size_t bs;

				if (!hub_coll_read(&c, j, &owned, &b, &bs))
					xfree(owned);
			}
			hub_coll_free(&c);
		} else {
			cr_expect(eq(int, diag_lines(), 1), "byte %zu: %d lines", i, diag_lines());
		}
		t[i] ^= 0xff;
	}
	free(t);
	assert_no_leaks();
}

/* ---- folder collections ------------------------------------------------------ */

static void put_kernel(const char *rel)
{
	size_t ks;
	void *k = tagged_btf(rel, &ks);

	put_file(tmp_path(rel), k, ks);
	xfree(k);
}

Test(hub_collection, folder_symlink_loop_no_hang, .timeout = 10)
{
	struct hub_coll c;
	int err;

	put_kernel("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf");
	cr_assert(eq(int, symlink("..", tmp_path("tree/ubuntu/20.04/loop")), 0));
	cr_assert(eq(int, symlink("../../..", tmp_path("tree/ubuntu/20.04/x86_64/up")), 0));
	cr_assert(eq(int, symlink("self.btf", tmp_path("tree/ubuntu/20.04/x86_64/self.btf")), 0));
	err = hub_coll_open(tmp_path("tree"), &c);
	if (err == 0) {
		cr_expect(eq(sz, c.t.n, 1), "the kernel once");
		cr_expect(eq(str, c.t.v[0].path, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf"));
		hub_coll_free(&c);
	} else {
		cr_expect(lt(int, err, 0));
		cr_expect(ge(int, diag_lines(), 1), "an error without a message");
	}
	assert_no_leaks();
}

Test(hub_collection, folder_fifo_named_btf_no_block, .timeout = 10)
{
	struct hub_coll c;
	const void *btf;
	void *owned;
	size_t size;

	put_kernel("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf");
	cr_assert(eq(int, mkfifo(tmp_path("tree/ubuntu/20.04/x86_64/x.btf"), 0644), 0),
		  "mkfifo: %s", strerror(errno));
	cr_assert(eq(int, hub_coll_open(tmp_path("tree"), &c), 0), "%s", diag_last());
	cr_expect(eq(sz, c.t.n, 1), "the FIFO is no entry");
	cr_expect(eq(sz, c.passed_over, 1), "the FIFO passed over and counted");
	hub_coll_free(&c);

	/* a kernel file replaced by a FIFO after the collection was opened: read fails, no block */
	cr_assert(eq(int, hub_coll_open(tmp_path("tree"), &c), 0), "%s", diag_last());
	cr_assert(eq(int, unlink(tmp_path("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf")), 0));
	cr_assert(eq(int, mkfifo(tmp_path("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf"), 0644),
		     0));
	diag_reset();
	owned = (void *)1;
	cr_expect(lt(int, hub_coll_read(&c, 0, &owned, &btf, &size), 0));
	cr_expect(owned == NULL, "*owned on error");
	cr_expect(eq(int, diag_lines(), 1), "%d lines: %s", diag_lines(), diag_last());
	cr_expect(strstr(diag_last(), "5.4.0-73-generic.btf") != NULL, "%s", diag_last());
	hub_coll_free(&c);
	assert_no_leaks();
}

Test(hub_collection, folder_file_gone_after_open)
{
	struct hub_coll c;
	const void *btf;
	void *owned;
	size_t size;

	put_kernel("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf");
	cr_assert(eq(int, hub_coll_open(tmp_path("tree"), &c), 0), "%s", diag_last());
	cr_assert(eq(int, unlink(tmp_path("tree/ubuntu/20.04/x86_64/5.4.0-73-generic.btf")), 0));
	diag_reset();
	cr_expect(lt(int, hub_coll_read(&c, 0, &owned, &btf, &size), 0));
	cr_expect(eq(int, diag_lines(), 1), "%d lines: %s", diag_lines(), diag_last());
	cr_expect(strstr(diag_last(), "5.4.0-73-generic.btf") != NULL, "%s", diag_last());
	hub_coll_free(&c);
}

Test(hub_collection, missing_path_refused)
{
	struct hub_coll c;

	diag_reset();
	cr_expect(lt(int, hub_coll_open(tmp_path("no-such-collection"), &c), 0));
	cr_expect(eq(int, diag_lines(), 1), "%d lines: %s", diag_lines(), diag_last());
	cr_expect(strstr(diag_last(), "no-such-collection") != NULL, "%s", diag_last());
}

/* ---- hub_coll_read on every packaging --------------------------------------- */

/* The entries of the packaging tests; the contents are made by make_entry(). */
enum pack { P_RAW, P_XZ, P_TAR_XZ, P_ELF, P_VMLINUX_ELF, P_TEXT, P_TRUNC, P_ELF_NO_BTF,
	    P_ELF_BAD_BTF, P_XZ_TEXT, P_TAR_XZ_TWO, NR_PACK };

static const struct {
	const char *path;
	bool good;		/* hub_coll_read() gives the BTF of "kernel" */
	bool needs_xz;
} packs[NR_PACK] = {
	[P_RAW] = { "ubuntu/20.04/x86_64/5.4.0-1-generic.btf", true, false },
	[P_XZ] = { "ubuntu/20.04/x86_64/5.4.0-2-generic.btf.xz", true, true },
	[P_TAR_XZ] = { "ubuntu/20.04/x86_64/5.4.0-3-generic.btf.tar.xz", true, true },
	[P_ELF] = { "ubuntu/20.04/x86_64/5.4.0-4-generic.btf", true, false },
	[P_VMLINUX_ELF] = { "ubuntu/20.04/x86_64/vmlinux-5.4.0-5-generic", true, false },
	[P_TEXT] = { "ubuntu/20.04/x86_64/5.4.0-6-generic.btf", false, false },
	[P_TRUNC] = { "ubuntu/20.04/x86_64/5.4.0-7-generic.btf", false, false },
	[P_ELF_NO_BTF] = { "ubuntu/20.04/x86_64/5.4.0-8-generic.btf", false, false },
	[P_ELF_BAD_BTF] = { "ubuntu/20.04/x86_64/5.4.0-9-generic.btf", false, false },
	[P_XZ_TEXT] = { "ubuntu/20.04/x86_64/5.4.0-10-generic.btf.xz", false, true },
	[P_TAR_XZ_TWO] = { "ubuntu/20.04/x86_64/5.4.0-11-generic.btf.tar.xz", false, true },
};

/* The bytes of entry @p (malloc'd). */
static void *make_entry(enum pack p, size_t *size)
{
	static const char text[] = "not a BTF: some text long enough to look like a file\n";
	size_t ks, n;
	void *k = tagged_btf("kernel", &ks), *out = NULL, *tmp;

	switch (p) {
	case P_RAW:
		out = malloc(ks);
		memcpy(out, k, ks);
		*size = ks;
		break;
	case P_XZ:
		out = xz_of(k, ks, size);
		break;
	case P_TAR_XZ: {
		struct raw v[1] = { { .name = "5.4.0-3-generic.btf", .type = '0', .data = k,
				      .size = ks } };
		u8 *t = raw_tar(v, 1, &n, NULL);

		out = xz_of(t, n, size);
		free(t);
		break;
	}
	case P_ELF:
	case P_VMLINUX_ELF:
		tmp = elf_wrap(k, ks, ".BTF", &n);
		out = malloc(n);
		memcpy(out, tmp, n);
		*size = n;
		xfree(tmp);
		break;
	case P_TEXT:
		out = malloc(sizeof(text) - 1);
		memcpy(out, text, sizeof(text) - 1);
		*size = sizeof(text) - 1;
		break;
	case P_TRUNC:
		out = malloc(ks - 5);
		memcpy(out, k, ks - 5);
		*size = ks - 5;
		break;
	case P_ELF_NO_BTF:
		tmp = elf_wrap(k, ks, ".data", &n);
		out = malloc(n);
		memcpy(out, tmp, n);
		*size = n;
		xfree(tmp);
		break;
	case P_ELF_BAD_BTF:
		tmp = elf_wrap(text, sizeof(text) - 1, ".BTF", &n);
		out = malloc(n);
		memcpy(out, tmp, n);
		*size = n;
		xfree(tmp);
		break;
	case P_XZ_TEXT:
		out = xz_of(text, sizeof(text) - 1, size);
		break;
	case P_TAR_XZ_TWO: {
		struct raw v[2] = {
			{ .name = "5.4.0-11-generic.btf", .type = '0', .data = k, .size = ks },
			{ .name = "other.btf", .type = '0', .data = k, .size = ks },
		};
		u8 *t = raw_tar(v, 2, &n, NULL);

		out = xz_of(t, n, size);
		free(t);
		break;
	}
	default:
		cr_fatal("no such packaging");
	}
	cr_assert(out != NULL);
	xfree(k);
	return out;
}

static void check_reads(const struct hub_coll *c, bool xz, const char *form)
{
	size_t ks, i;
	void *k = tagged_btf("kernel", &ks);

	for (i = 0; i < NR_PACK; i++) {
		long e = -1;
		const void *btf = NULL;
		void *owned = (void *)1;
		size_t size = 0, j;
		int err;

		if (packs[i].needs_xz && !xz)
			continue;
		for (j = 0; j < c->t.n; j++)
			if (!strcmp(c->t.v[j].path, packs[i].path))
				e = (long)j;
		cr_assert(e >= 0, "%s: no entry %s", form, packs[i].path);
		diag_reset();
		err = hub_coll_read(c, (size_t)e, &owned, &btf, &size);
		if (packs[i].good) {
			cr_expect(eq(int, err, 0), "%s: %s: %s", form, packs[i].path, diag_last());
			cr_expect(eq(int, diag_lines(), 0), "%s: %s printed", form, packs[i].path);
			if (!err) {
				cr_expect(eq(sz, size, ks), "%s: %s: size", form, packs[i].path);
				cr_expect(size == ks && !memcmp(btf, k, ks), "%s: %s: not the BTF",
					  form, packs[i].path);
			}
		} else {
			cr_expect(lt(int, err, 0), "%s: %s: accepted", form, packs[i].path);
			cr_expect(owned == NULL, "%s: %s: *owned left set on error", form,
				  packs[i].path);
			cr_expect(eq(int, diag_lines(), 1), "%s: %s: %d lines: %s", form,
				  packs[i].path, diag_lines(), diag_last());
			cr_expect(strstr(diag_last(), strrchr(packs[i].path, '/') + 1) != NULL,
				  "%s: %s: message '%s' does not name the entry", form, packs[i].path,
				  diag_last());
		}
		if (!err)
			xfree(owned);
	}
	xfree(k);
}

Test(hub_collection, read_every_packaging_tar)
{
	struct tar_writer *w = tar_writer_new();
	struct hub_coll c;
	bool xz = have_tool("xz");
	void *tar = NULL, *copy;
	size_t size, i;

	cr_assert(w != NULL);
	for (i = 0; i < NR_PACK; i++) {
		size_t n;
		void *d;

		if (packs[i].needs_xz && !xz)
			continue;
		d = make_entry((enum pack)i, &n);
		cr_assert(eq(int, tar_writer_add_file(w, packs[i].path, d, n), 0));
		free(d);
	}
	cr_assert(eq(int, tar_writer_finish(w, &tar, &size), 0));
	tar_writer_free(w);
	copy = malloc(size);
	memcpy(copy, tar, size);
	xfree(tar);
	cr_assert(eq(int, hub_coll_from_mem("coll.tar", copy, size, &c), 0), "%s", diag_last());
	check_reads(&c, xz, "tar");
	hub_coll_free(&c);
	free(copy);
	if (!xz)
		cr_skip_test("xz(1) is not installed: .btf.xz and .btf.tar.xz entries not read");
	assert_no_leaks();
}

Test(hub_collection, read_every_packaging_folder)
{
	struct hub_coll c;
	bool xz = have_tool("xz");
	size_t i;

	for (i = 0; i < NR_PACK; i++) {
		char path[PATH_MAX];
		size_t n;
		void *d;

		if (packs[i].needs_xz && !xz)
			continue;
		d = make_entry((enum pack)i, &n);
		snprintf(path, sizeof(path), "tree/%s", packs[i].path);
		put_file(tmp_path(path), d, n);
		free(d);
	}
	cr_assert(eq(int, hub_coll_open(tmp_path("tree"), &c), 0), "%s", diag_last());
	check_reads(&c, xz, "folder");
	hub_coll_free(&c);
	if (!xz)
		cr_skip_test("xz(1) is not installed: .btf.xz and .btf.tar.xz entries not read");
	assert_no_leaks();
}

/* A .btf.xz entry that is a bomb: stopped at the limit, not unpacked whole. */
Test(hub_collection, read_xz_bomb_entry)
{
	char cmd[PATH_MAX * 2];
	struct tar_writer *w;
	struct hub_coll c;
	const void *btf;
	void *owned, *bomb, *tar = NULL;
	size_t bsize, size;
	int st;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed");
	snprintf(cmd, sizeof(cmd), "head -c 4194304 /dev/zero | xz -c > '%s'", tmp_path("bomb.xz"));
	st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	bomb = read_file_exact(tmp_path("bomb.xz"), &bsize);
	w = tar_writer_new();
	cr_assert(eq(int, tar_writer_add_file(w, "ubuntu/20.04/x86_64/5.4.0-1-generic.btf.xz", bomb,
					      bsize), 0));
	cr_assert(eq(int, tar_writer_finish(w, &tar, &size), 0));
	tar_writer_free(w);
	cr_assert(eq(int, hub_coll_from_mem("coll.tar", tar, size, &c), 0), "%s", diag_last());
	util_limits.btf_size = 1u << 20;
	diag_reset();
	cr_expect(eq(int, hub_coll_read(&c, 0, &owned, &btf, &size), -E2BIG));
	cr_expect(eq(int, diag_lines(), 1));
	cr_expect(strstr(diag_last(), "5.4.0-1-generic.btf.xz") != NULL, "%s", diag_last());
	hub_coll_free(&c);
	xfree(tar);
	free(bomb);
	assert_no_leaks();
}
