// SPDX-License-Identifier: MIT
/*
 * test_hub_unpack.c - unit tests for hub/unpack.c (suite hub_unpack):
 * hub_unpack(), hub_kernel_from_mem() and hub_kernel_load() on every
 * packaging a kernel BTF comes in, and on what must be refused.
 *
 * Oracles:
 *   - a small BTF built with tests/fixtures/core/btf_build.h (independent
 *     of btf/btf_write.c); unpacking must give back exactly its bytes, and
 *     the parsed result must dump (btf_dump_raw) as the raw BTF does;
 *   - the xz, tar and objcopy commands make the packaged forms at test
 *     time (each test skips, saying so, when its tool is missing);
 *   - tars GNU tar will not write (several members, "../x", "/etc/x") are
 *     built here block by block, as POSIX ustar, independently of
 *     tar/tar.c's writer;
 *   - a BTFHub kernel of the corpus, unpacked byte-equal to what
 *     "tar -xOJf" writes (skipped when the corpus is absent).
 * Every buffer handed over sits in a malloc'd block of exactly its size,
 * so ASan sees any read past the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "btf/btf.h"
#include "helpers.h"
#include "hub/hub.h"
#include "util/util.h"
#include "../fixtures/core/btf_build.h"

static u64 unpack_saved_btf_size;

static void unpack_setup(void)
{
	tmp_dir_make("btfgen-hubunpack");
	unpack_saved_btf_size = util_limits.btf_size;
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void unpack_teardown(void)
{
	diag_capture_end();
	util_limits.btf_size = unpack_saved_btf_size;
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(hub_unpack, .init = unpack_setup, .fini = unpack_teardown, .timeout = 30);

/* ---- helpers ------------------------------------------------------------ */

/* A small kernel-like BTF: int, long, task_struct { int pid; long state; task_struct *next }. */
static void *kernel_blob(size_t *size)
{
	struct tb b;
	u32 i_int, i_long, ts, ptr;
	void *blob;

	tb_init(&b);
	i_int = tb_int(&b, "int", 4, true);
	i_long = tb_int(&b, "long", 8, true);
	ts = tb_struct(&b, "task_struct", 24);
	ptr = ts + 1;
	tb_member(&b, "pid", i_int, 0);
	tb_member(&b, "state", i_long, 64);
	tb_member(&b, "next", ptr, 128);
	cr_assert(eq(u32, tb_ptr(&b, ts), ptr));
	tb_typedef(&b, "pid_t", i_int);
	blob = tb_blob(&b, size);
	tb_free(&b);
	return blob;
}

/* Run @fmt in tmp_dir() (sh -c); asserts it exits 0. */
static void run(const char *fmt, const char *arg)
{
	char cmd[2048], inner[1024];
	int st;

	snprintf(inner, sizeof(inner), fmt, arg);
	snprintf(cmd, sizeof(cmd), "cd '%s' && %s", tmp_dir(), inner);
	st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "command failed: %s", cmd);
}

static char *dump_of(const void *data, size_t size)
{
	struct btf *btf = NULL;
	char *d;

	cr_assert(eq(int, btf_parse(data, size, "want", &btf), 0));
	d = dump_btf(btf);
	cr_assert(d != NULL);
	btf_free(btf);
	return d;
}

/* hub_kernel_from_mem() on @data must give the BTF @blob holds. */
/* @btf must dump as the raw BTF @blob does */
static void expect_dump_of(const struct btf *btf, const void *blob, size_t blob_size,
			   const char *what)
{
	char *got = dump_btf(btf), *want = dump_of(blob, blob_size);

	assert_same_text(got, want, what);
	free(got);
	free(want);
}

static void expect_kernel(const char *name, const void *data, size_t size, const void *blob,
			  size_t blob_size)
{
	struct btf *btf = NULL;

	cr_assert(eq(int, hub_kernel_from_mem(name, data, size, &btf), 0), "%s: %s", name,
		  diag_last());
	cr_assert(btf != NULL);
	expect_dump_of(btf, blob, blob_size, name);
	cr_assert(eq(u32, btf->nr_types, 6));
	btf_free(btf);
}

/* hub_unpack() on @data must give @blob's bytes; returns whether they were copied. */
static bool expect_unpacked(const char *name, const void *data, size_t size, const void *blob,
			    size_t blob_size)
{
	const void *out = NULL;
	void *owned = (void *)1;
	size_t out_size = 0;
	bool copied, inside;

	cr_assert(eq(int, hub_unpack(name, data, size, &owned, &out, &out_size), 0), "%s: %s",
		  name, diag_last());
	cr_assert(eq(sz, out_size, blob_size), "%s", name);
	cr_assert(eq(int, memcmp(out, blob, blob_size), 0), "%s: bytes differ", name);
	copied = owned != NULL;
	if (copied) {
		inside = (const u8 *)out >= (const u8 *)owned;
		cr_assert(inside, "%s: *out inside *owned", name);
	} else {
		inside = (const u8 *)out >= (const u8 *)data &&
			 (const u8 *)out + out_size <= (const u8 *)data + size;
		cr_assert(inside, "%s: *out inside the input", name);
	}
	xfree(owned);
	cr_assert(eq(int, diag_lines(), 0), "%s: %s", name, diag_last());
	return copied;
}

/* ---- ustar built by hand ------------------------------------------------ */

struct member {
	const char *name;
	const void *data;
	size_t size;
	char type;
};

static void tar_header(u8 *h, const struct member *m)
{
	unsigned sum = 0;
	size_t i, n = strlen(m->name);

	memset(h, 0, 512);
	cr_assert(n <= 100);
	memcpy(h, m->name, n);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)m->size);
	memcpy(h + 136, "00000000000", 12);
	memset(h + 148, ' ', 8);
	h[156] = (u8)m->type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* An exact-size malloc'd ustar archive of @n members, ended by two zero blocks. */
static u8 *make_tar(const struct member *m, size_t n, size_t *size)
{
	size_t i, total = 1024, off = 0;
	u8 *t;

	for (i = 0; i < n; i++)
		total += 512 + (m[i].size + 511) / 512 * 512;
	t = calloc(1, total);
	cr_assert(t != NULL);
	for (i = 0; i < n; i++) {
		tar_header(t + off, &m[i]);
		off += 512;
		if (m[i].size)
			memcpy(t + off, m[i].data, m[i].size);
		off += (m[i].size + 511) / 512 * 512;
	}
	*size = total;
	return t;
}

/* ---- raw BTF ------------------------------------------------------------ */

Test(hub_unpack, raw_btf_used_in_place)
{
	size_t n;
	u8 *blob = kernel_blob(&n);

	cr_assert(not(expect_unpacked("k.btf", blob, n, blob, n)), "raw BTF is not copied");
	expect_kernel("k.btf", blob, n, blob, n);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, raw_btf_other_byte_order)
{
	size_t n;
	u8 *blob = kernel_blob(&n), *be = malloc(n);
	struct btf *btf = NULL;

	cr_assert(be != NULL);
	memcpy(be, blob, n);
	cr_assert(eq(int, blob_swap(be, n), 0));
	cr_assert(eq(int, hub_kernel_from_mem("be.btf", be, n, &btf), 0), "%s", diag_last());
	cr_assert(btf->swapped);
	expect_dump_of(btf, blob, n, "swapped");
	btf_free(btf);
	free(be);
	free(blob);
}

Test(hub_unpack, load_raw_file_without_copy)
{
	struct util_file f;
	struct btf *btf = NULL;
	size_t n;
	u8 *blob = kernel_blob(&n);

	put_file(tmp_path("k.btf"), blob, n);
	cr_assert(eq(int, hub_kernel_load(tmp_path("k.btf"), &f, &btf), 0), "%s", diag_last());
	cr_assert(btf != NULL);
	cr_assert(eq(sz, f.size, n));
	cr_assert(eq(ptr, (void *)btf->raw, f.data), "raw BTF used in place");
	cr_assert(btf->raw_alloc == NULL);
	cr_assert(eq(u32, btf->nr_types, 6));
	btf_free(btf);
	util_file_close(&f);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, load_missing_file)
{
	struct util_file f;
	struct btf *btf = (struct btf *)1;

	cr_assert(eq(int, hub_kernel_load(tmp_path("nope.btf"), &f, &btf), -ENOENT));
	cr_assert(btf == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "nope.btf") != NULL, "message: %s", diag_last());
}

/* ---- xz ----------------------------------------------------------------- */

Test(hub_unpack, xz_of_raw_btf)
{
	struct util_file f;
	struct btf *btf = NULL;
	size_t n, xn;
	u8 *blob = kernel_blob(&n), *xzd;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: cannot make the .xz fixture");
	put_file(tmp_path("k.btf"), blob, n);
	run("xz -c k.btf >%s", "k.btf.xz");
	xzd = read_file_exact(tmp_path("k.btf.xz"), &xn);
	cr_assert(expect_unpacked("k.btf.xz", xzd, xn, blob, n), "decompressed into *owned");
	expect_kernel("k.btf.xz", xzd, xn, blob, n);
	cr_assert(eq(int, hub_kernel_load(tmp_path("k.btf.xz"), &f, &btf), 0), "%s", diag_last());
	cr_assert(eq(u32, btf->nr_types, 6));
	btf_free(btf);
	util_file_close(&f);
	free(xzd);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, xz_over_the_size_limit)
{
	size_t n, xn;
	u8 *blob = kernel_blob(&n), *xzd;
	const void *out;
	void *owned;
	size_t out_size;
	struct btf *btf = NULL;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: cannot make the .xz fixture");
	put_file(tmp_path("k.btf"), blob, n);
	run("xz -c k.btf >%s", "k.btf.xz");
	xzd = read_file_exact(tmp_path("k.btf.xz"), &xn);
	util_limits.btf_size = n - 1;
	cr_assert(eq(int, hub_unpack("K", xzd, xn, &owned, &out, &out_size), -E2BIG));
	cr_assert(owned == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "K: xz") && strstr(diag_last(), "--max-btf-size"),
		  "message: %s", diag_last());
	cr_assert(eq(int, hub_kernel_from_mem("K", xzd, xn, &btf), -E2BIG));
	cr_assert(btf == NULL);
	util_limits.btf_size = n;
	expect_kernel("K", xzd, xn, blob, n);
	free(xzd);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, xz_corrupt)
{
	size_t n, xn;
	u8 *blob = kernel_blob(&n), *xzd;
	struct btf *btf = NULL;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: cannot make the .xz fixture");
	put_file(tmp_path("k.btf"), blob, n);
	run("xz -c k.btf >%s", "k.btf.xz");
	xzd = read_file_exact(tmp_path("k.btf.xz"), &xn);
	xzd[xn / 2] ^= 0x55;
	cr_assert(eq(int, hub_kernel_from_mem("bad.xz", xzd, xn, &btf), -EINVAL));
	cr_assert(btf == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "bad.xz: xz:") != NULL, "message: %s", diag_last());
	/* cut short */
	diag_reset();
	cr_assert(hub_kernel_from_mem("short.xz", xzd, 20, &btf) < 0);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "short.xz") != NULL, "message: %s", diag_last());
	free(xzd);
	free(blob);
	assert_no_leaks();
}

/* ---- tar ---------------------------------------------------------------- */

Test(hub_unpack, tar_of_raw_btf_every_format)
{
	static const char *const fmts[] = { "gnu", "ustar", "pax", "oldgnu", "posix" };
	size_t n, tn, i;
	u8 *blob = kernel_blob(&n), *tard;
	char name[64];

	if (!have_tool("tar"))
		cr_skip_test("tar(1) is not installed: cannot make the .tar fixtures");
	put_file(tmp_path("5.4.0-1.btf"), blob, n);
	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		char cmd[128];

		snprintf(name, sizeof(name), "k-%s.tar", fmts[i]);
		snprintf(cmd, sizeof(cmd), "tar --format=%s -cf %%s 5.4.0-1.btf", fmts[i]);
		run(cmd, name);
		tard = read_file_exact(tmp_path(name), &tn);
		cr_assert(not(expect_unpacked(name, tard, tn, blob, n)),
			  "%s: the member is used in place", name);
		expect_kernel(name, tard, tn, blob, n);
		free(tard);
	}
	free(blob);
	assert_no_leaks();
}

/*
 * A pre-POSIX (v7) tar has no "ustar" magic: hub.h promises "a tar ...
 * holding exactly one regular member", and the tar module reads v7.
 */
Test(hub_unpack, tar_v7_format)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	struct btf *btf = NULL;
	int err;

	if (!have_tool("tar"))
		cr_skip_test("tar(1) is not installed: cannot make the .tar fixture");
	put_file(tmp_path("5.4.0-1.btf"), blob, n);
	run("tar --format=v7 -cf %s 5.4.0-1.btf", "k-v7.tar");
	tard = read_file_exact(tmp_path("k-v7.tar"), &tn);
	err = hub_kernel_from_mem("k-v7.tar", tard, tn, &btf);
	cr_assert(eq(int, err, 0), "a v7 tar of one raw BTF: %s", diag_last());
	btf_free(btf);
	free(tard);
	free(blob);
}

/* A folder entry beside the file: only regular members count. */
Test(hub_unpack, tar_with_folder_entry)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;

	if (!have_tool("tar"))
		cr_skip_test("tar(1) is not installed: cannot make the .tar fixture");
	cr_assert(eq(int, mkdir(tmp_path("d"), 0755), 0));
	put_file(tmp_path("d/5.4.0-1.btf"), blob, n);
	run("tar --format=gnu -cf %s d", "d.tar");
	tard = read_file_exact(tmp_path("d.tar"), &tn);
	expect_unpacked("d.tar", tard, tn, blob, n);
	expect_kernel("d.tar", tard, tn, blob, n);
	free(tard);
	free(blob);
}

Test(hub_unpack, tar_xz_btfhub_packaging)
{
	struct util_file f;
	struct btf *btf = NULL;
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;

	if (!have_tool("tar") || !have_tool("xz"))
		cr_skip_test("tar(1) or xz(1) is not installed: cannot make the .btf.tar.xz fixture");
	put_file(tmp_path("5.4.0-1.btf"), blob, n);
	run("tar -cJf %s 5.4.0-1.btf", "5.4.0-1.btf.tar.xz");
	tard = read_file_exact(tmp_path("5.4.0-1.btf.tar.xz"), &tn);
	cr_assert(expect_unpacked("5.4.0-1.btf.tar.xz", tard, tn, blob, n));
	expect_kernel("5.4.0-1.btf.tar.xz", tard, tn, blob, n);
	cr_assert(eq(int, hub_kernel_load(tmp_path("5.4.0-1.btf.tar.xz"), &f, &btf), 0), "%s",
		  diag_last());
	cr_assert(eq(u32, btf->nr_types, 6));
	/* parsed where xz put it, after the 512-byte ustar header: no copy */
	cr_assert(btf->raw_alloc != NULL);
	cr_assert(eq(ptr, (void *)btf->raw, (u8 *)btf->raw_alloc + 512));
	btf_free(btf);
	util_file_close(&f);
	free(tard);
	free(blob);
	assert_no_leaks();
}

/* a bpfeb kernel's .btf.tar.xz: swapped in place in the decoded tar */
Test(hub_unpack, tar_xz_other_byte_order_in_place)
{
	struct btf *btf = NULL;
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *be = malloc(n), *tard;

	if (!have_tool("tar") || !have_tool("xz"))
		cr_skip_test("tar(1) or xz(1) is not installed: cannot make the .btf.tar.xz fixture");
	cr_assert(be != NULL);
	memcpy(be, blob, n);
	cr_assert(eq(int, blob_swap(be, n), 0));
	put_file(tmp_path("be.btf"), be, n);
	run("tar -cJf %s be.btf", "be.btf.tar.xz");
	tard = read_file_exact(tmp_path("be.btf.tar.xz"), &tn);
	cr_assert(eq(int, hub_kernel_from_mem("be.btf.tar.xz", tard, tn, &btf), 0), "%s",
		  diag_last());
	cr_assert(btf->swapped);
	cr_assert(eq(ptr, (void *)btf->raw, (u8 *)btf->raw_alloc + 512));
	expect_dump_of(btf, blob, n, "swapped in place");
	btf_free(btf);
	free(tard);
	free(be);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, elf_with_btf_section)
{
	size_t n, en;
	u8 *blob = kernel_blob(&n), *elf;
	struct btf *btf = NULL;

	if (!have_tool("objcopy") || !have_tool("xz"))
		cr_skip_test("objcopy(1) or xz(1) is not installed: cannot make the ELF fixture");
	put_file(tmp_path("k.btf"), blob, n);
	run("objcopy -I binary -O elf64-x86-64 --rename-section .data=.BTF k.btf %s", "k.elf");
	run("xz -c k.elf >%s", "k.elf.xz");
	elf = read_file_exact(tmp_path("k.elf"), &en);
	cr_assert(eq(int, hub_kernel_from_mem("k.elf", elf, en, &btf), 0), "%s", diag_last());
	cr_assert(eq(u32, btf->nr_types, 6));
	cr_assert(eq(int, btf->ptr_sz, 8));
	btf_free(btf);
	/* hub_unpack leaves an ELF as it is */
	cr_assert(not(expect_unpacked("k.elf", elf, en, elf, en)));
	free(elf);
	elf = read_file_exact(tmp_path("k.elf.xz"), &en);
	expect_kernel("k.elf.xz", elf, en, blob, n);
	free(elf);
	/* and in a tar, compressed or not */
	if (have_tool("tar")) {
		run("tar -cJf %s k.elf", "k.elf.tar.xz");
		elf = read_file_exact(tmp_path("k.elf.tar.xz"), &en);
		expect_kernel("k.elf.tar.xz", elf, en, blob, n);
		free(elf);
	}
	free(blob);
	assert_no_leaks();
}

/* ---- tars that are refused ---------------------------------------------- */

Test(hub_unpack, tar_with_two_members_names_both)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	const struct member m[] = {
		{ "first-kernel.btf", blob, n, '0' },
		{ "second-kernel.btf", blob, n, '0' },
	};
	const void *out = NULL;
	void *owned = NULL;
	size_t out_size;
	struct btf *btf = NULL;

	tard = make_tar(m, 2, &tn);
	cr_assert(eq(int, hub_unpack("two.tar", tard, tn, &owned, &out, &out_size), -EINVAL));
	cr_assert(owned == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "two.tar") && strstr(diag_last(), "first-kernel.btf") &&
		  strstr(diag_last(), "second-kernel.btf"), "message: %s", diag_last());
	diag_reset();
	cr_assert(eq(int, hub_kernel_from_mem("two.tar", tard, tn, &btf), -EINVAL));
	cr_assert(btf == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	free(tard);
	/* one member made by hand is fine */
	diag_reset();
	tard = make_tar(m, 1, &tn);
	expect_unpacked("one.tar", tard, tn, blob, n);
	free(tard);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, tar_two_members_through_xz)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	const struct member m[] = {
		{ "a.btf", blob, n, '0' },
		{ "b.btf", blob, n, '0' },
	};
	struct btf *btf = NULL;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: cannot make the .tar.xz fixture");
	tard = make_tar(m, 2, &tn);
	put_file(tmp_path("two.tar"), tard, tn);
	free(tard);
	run("xz -c two.tar >%s", "two.tar.xz");
	tard = read_file_exact(tmp_path("two.tar.xz"), &tn);
	cr_assert(eq(int, hub_kernel_from_mem("two.tar.xz", tard, tn, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "'a.btf', 'b.btf'") != NULL, "message: %s", diag_last());
	free(tard);
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, tar_unsafe_member_names_refused)
{
	static const char *const bad[] = { "../x", "/etc/x", "a/../x", "a/..", "..", "//x",
					   "a/b/../../../x", "./../x" };
	size_t n, tn, i;
	u8 *blob = kernel_blob(&n), *tard;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const struct member m = { bad[i], blob, n, '0' };
		const void *out = NULL;
		void *owned = NULL;
		size_t out_size;

		diag_reset();
		tard = make_tar(&m, 1, &tn);
		cr_assert(eq(int, hub_unpack("evil.tar", tard, tn, &owned, &out, &out_size), -EINVAL),
			  "member \"%s\"", bad[i]);
		cr_assert(owned == NULL);
		cr_assert(eq(int, diag_lines(), 1));
		cr_assert(strstr(diag_last(), "evil.tar") && strstr(diag_last(), bad[i]) &&
			  strstr(diag_last(), "unsafe"), "message: %s", diag_last());
		free(tard);
	}
	free(blob);
	assert_no_leaks();
}

Test(hub_unpack, tar_safe_member_names_accepted)
{
	static const char *const good[] = { "k.btf", "./k.btf", "a/..b/k.btf", "...", "..k",
					    "k..", "a/b/c/5.4.0-1.btf" };
	size_t n, tn, i;
	u8 *blob = kernel_blob(&n), *tard;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const struct member m = { good[i], blob, n, '0' };

		tard = make_tar(&m, 1, &tn);
		expect_unpacked(good[i], tard, tn, blob, n);
		free(tard);
	}
	free(blob);
}

/* An unsafe name is refused even when a good member comes first. */
Test(hub_unpack, tar_unsafe_second_member)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	const struct member m[] = {
		{ "k.btf", blob, n, '0' },
		{ "../escape", "x", 1, '0' },
	};
	struct btf *btf = NULL;

	tard = make_tar(m, 2, &tn);
	cr_assert(eq(int, hub_kernel_from_mem("t.tar", tard, tn, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "../escape") != NULL, "message: %s", diag_last());
	free(tard);
	free(blob);
}

Test(hub_unpack, tar_without_regular_member)
{
	size_t tn;
	const struct member m[] = { { "d/", NULL, 0, '5' } };
	u8 *tard = make_tar(m, 1, &tn);
	struct btf *btf = NULL;

	cr_assert(eq(int, hub_kernel_from_mem("empty.tar", tard, tn, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "empty.tar") && strstr(diag_last(), "no regular file"),
		  "message: %s", diag_last());
	free(tard);
}

Test(hub_unpack, tar_corrupt_header)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	const struct member m = { "k.btf", blob, n, '0' };
	struct btf *btf = NULL;

	tard = make_tar(&m, 1, &tn);
	tard[5] ^= 1;	/* the name: the checksum no longer matches */
	cr_assert(eq(int, hub_kernel_from_mem("bad.tar", tard, tn, &btf), -EINVAL));
	cr_assert(btf == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "bad.tar: tar:") != NULL, "message: %s", diag_last());
	free(tard);
	/* cut inside the member's data */
	tard = make_tar(&m, 1, &tn);
	diag_reset();
	cr_assert(hub_kernel_from_mem("cut.tar", tard, 512 + 8, &btf) < 0);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "cut.tar") != NULL, "message: %s", diag_last());
	free(tard);
	free(blob);
}

/* ---- garbage ------------------------------------------------------------ */

Test(hub_unpack, garbage_refused)
{
	static const char text[] = "this is not a kernel, just some text that is long enough";
	u8 *g = malloc(sizeof(text));
	u8 *zeros = calloc(1, 4096);
	struct btf *btf = (struct btf *)1;

	cr_assert(g != NULL && zeros != NULL);
	memcpy(g, text, sizeof(text));
	/* hub_unpack only unwraps: unknown bytes come back as they are */
	cr_assert(not(expect_unpacked("junk", g, sizeof(text), g, sizeof(text))));
	cr_assert(eq(int, hub_kernel_from_mem("junk", g, sizeof(text), &btf), -EINVAL));
	cr_assert(btf == NULL);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "junk") && strstr(diag_last(), "unknown magic"),
		  "message: %s", diag_last());
	diag_reset();
	cr_assert(eq(int, hub_kernel_from_mem("zeros", zeros, 4096, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	diag_reset();
	cr_assert(eq(int, hub_kernel_from_mem("nothing", zeros, 0, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "nothing") != NULL, "message: %s", diag_last());
	free(g);
	free(zeros);
}

/* Valid xz around garbage: decompressed, then refused, the copy freed. */
Test(hub_unpack, xz_of_garbage)
{
	u8 *xzd;
	size_t xn;
	struct btf *btf = NULL;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: cannot make the .xz fixture");
	run("printf 'garbage, not BTF' | xz -c >%s", "g.xz");
	xzd = read_file_exact(tmp_path("g.xz"), &xn);
	cr_assert(eq(int, hub_kernel_from_mem("g.xz", xzd, xn, &btf), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "g.xz") != NULL, "message: %s", diag_last());
	free(xzd);
	assert_no_leaks();
}

/* Truncated raw BTF: refused by the parser, one message naming it. */
Test(hub_unpack, raw_btf_truncated_everywhere)
{
	size_t n, i;
	u8 *blob = kernel_blob(&n);

	for (i = 4; i < n; i++) {
		u8 *cut = malloc(i);
		struct btf *btf = NULL;
		int err;

		cr_assert(cut != NULL);
		memcpy(cut, blob, i);
		diag_reset();
		err = hub_kernel_from_mem("cut.btf", cut, i, &btf);
		cr_assert(err < 0, "cut at %zu", i);
		cr_assert(btf == NULL);
		cr_assert(eq(int, diag_lines(), 1), "cut at %zu", i);
		cr_assert(strstr(diag_last(), "cut.btf") != NULL, "message: %s", diag_last());
		free(cut);
	}
	free(blob);
	assert_no_leaks();
}

/* ---- allocation failures ------------------------------------------------ */

Test(hub_unpack, allocation_failures_tar_xz)
{
	size_t n, tn;
	u8 *blob = kernel_blob(&n), *tard;
	struct btf *btf = NULL;
	unsigned long k;
	int err = -1;

	if (!have_tool("tar") || !have_tool("xz"))
		cr_skip_test("tar(1) or xz(1) is not installed: cannot make the .btf.tar.xz fixture");
	put_file(tmp_path("k.btf"), blob, n);
	run("tar -cJf %s k.btf", "k.btf.tar.xz");
	tard = read_file_exact(tmp_path("k.btf.tar.xz"), &tn);
	for (k = 1; k < 1000; k++) {
		diag_reset();
		util_alloc_fail_at = k;
		err = hub_kernel_from_mem("k.btf.tar.xz", tard, tn, &btf);
		util_alloc_fail_at = 0;
		if (!err)
			break;
		cr_assert(eq(int, err, -ENOMEM), "allocation %lu: %s", k, diag_last());
		cr_assert(btf == NULL);
		cr_assert(eq(int, diag_lines(), 1), "allocation %lu", k);
		assert_no_leaks();
	}
	cr_assert(eq(int, err, 0));
	cr_assert(eq(u32, btf->nr_types, 6));
	btf_free(btf);
	free(tard);
	free(blob);
	assert_no_leaks();
}

/* ---- a real BTFHub kernel ----------------------------------------------- */

static bool has_struct(const struct btf *btf, const char *name)
{
	u32 id;

	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type_by_id(btf, id);
		const char *s = btf_str(btf, t->name_off);

		if (btf_kind(t) == BTF_KIND_STRUCT && s && !strcmp(s, name))
			return true;
	}
	return false;
}

Test(hub_unpack, corpus_btfhub_kernel, .timeout = 60)
{
	static const char rel[] = "hub/kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz";
	char path[PATH_MAX], cmd[PATH_MAX + 64];
	struct util_file f;
	struct btf *btf = NULL;
	const void *out;
	void *owned, *want;
	size_t out_size, want_size;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), rel);
	if (access(path, R_OK))
		cr_skip_test("corpus kernel %s absent (set BTFGEN_CORPUS)", path);
	if (!have_tool("tar") || !have_tool("xz"))
		cr_skip_test("tar(1) or xz(1) is not installed: no oracle for %s", path);

	/* the oracle: GNU tar's extraction to stdout */
	snprintf(cmd, sizeof(cmd), "tar -xOJf '%s' > '%s'", path, tmp_path("oracle.btf"));
	cr_assert(eq(int, system(cmd), 0));
	want = read_file(tmp_path("oracle.btf"), &want_size);
	cr_assert(want != NULL && want_size > 1000000);

	cr_assert(eq(int, util_file_open(path, &f), 0));
	cr_assert(eq(int, hub_unpack(path, f.data, f.size, &owned, &out, &out_size), 0), "%s",
		  diag_last());
	cr_assert(owned != NULL);
	cr_assert(eq(sz, out_size, want_size));
	cr_assert(eq(int, memcmp(out, want, want_size), 0), "unpacked bytes differ from tar -xO");
	xfree(owned);
	util_file_close(&f);
	free(want);

	cr_assert(eq(int, hub_kernel_load(path, &f, &btf), 0), "%s", diag_last());
	cr_assert(btf->nr_types > 10000, "%u types", btf->nr_types);
	cr_assert(has_struct(btf, "task_struct"));
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	btf_free(btf);
	util_file_close(&f);
	assert_no_leaks();
}
