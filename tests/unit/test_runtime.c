// SPDX-License-Identifier: MIT
/*
 * test_runtime.c - unit tests for runtime/runtime.c (suite runtime): the C
 * runtime library's btfgen_rt_ensure() and btfgen_rt_cleanup(), as an
 * application calls them with a collection held in memory.
 *
 * Oracles: runtime.h's contract (the return values and *path on each, the
 * temporary file's mode, place and contents, opts->sz compatibility, errbuf,
 * "prints nothing", thread safety); the bytes of the collection's entries,
 * which differ from entry to entry (BTF writer, a struct named after a hash
 * of the path); and, for the "why" line, hub_host_facts() + hub_match() run
 * here on the same inputs.
 *
 * Each test has its own mkdtemp() folder: host roots below it, and $TMPDIR
 * set to its "tmp" folder so the temporary files can be counted. fd 2 is
 * redirected to a file around the calls that must print nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/btf_format.h"
#include "elf/elf_file.h"
#include "helpers.h"
#include "hub/hub.h"
#include "runtime/runtime.h"
#include "tar/tarball.h"
#include "util/util.h"

static void rt_setup(void)
{
	tmp_dir_make("btfgen-runtime");
	unsetenv("BTFGEN_HOST_ROOT");
	unsetenv("BTFGEN_OS_RELEASE");
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_set_sink(NULL);	/* anything printed goes to stderr, where it is looked for */
	if (tmp_dir()[0]) {
		char tmp[128];

		snprintf(tmp, sizeof(tmp), "%s/tmp", tmp_dir());
		mkdir(tmp, 0700);
		setenv("TMPDIR", tmp, 1);
	}
}

static void rt_teardown(void)
{
	tmp_dir_remove();
}

TestSuite(runtime, .init = rt_setup, .fini = rt_teardown, .timeout = 60);

/* ---- helpers ------------------------------------------------------------ */

#define U2004_X86	"ubuntu/20.04/x86_64/5.4.0-73-generic.btf"
#define U2004_ARM	"ubuntu/20.04/arm64/5.4.0-73-generic.btf"
#define U2004_X86_74	"ubuntu/20.04/x86_64/5.4.0-74-generic.btf"
#define C8_X86		"centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf"
#define U1804_LINK	"ubuntu/18.04/x86_64/5.4.0-73-generic.btf"

static const struct tar_spec std_members[] = {
	{ .name = U2004_X86 },
	{ .name = U2004_ARM },
	{ .name = U2004_X86_74 },
	{ .name = C8_X86 },
	{ .name = U1804_LINK, .link = U2004_X86 },
	{ .name = "btfgen-manifest.json", .data = "{}\n", .size = 3 },
};

static void *std_coll(size_t *size)
{
	return tar_of(std_members, ARRAY_SIZE(std_members), size);
}

#define OSR_U2004 "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"20.04\"\n"
#define OSR_U1804 "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"18.04\"\n"
#define OSR_C8	  "NAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"8\"\n"
#define OSR_U2204 "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n"

/* A host root tmp_dir()/@rel with etc/os-release @osr (NULL: none). */
static const char *mk_root(const char *rel, const char *osr)
{
	char p[PATH_MAX];
	const char *root = tmp_path_kept(rel);

	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	if (osr)
		put_file(p, osr, strlen(osr));
	else
		cr_assert(mkdir(root, 0755) == 0 || errno == EEXIST);
	return root;
}

/* Give the root @root a valid kernel BTF at sys/kernel/btf/vmlinux. */
static void give_kernel_btf(const char *root)
{
	char p[PATH_MAX];
	size_t ks;
	void *k = tagged_btf("vmlinux", &ks);

	snprintf(p, sizeof(p), "%s/sys/kernel/btf/vmlinux", root);
	put_file(p, k, ks);
	xfree(k);
}

static struct btfgen_rt_opts opts_for(const char *root, const char *rel, const char *arch)
{
	struct btfgen_rt_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.root = root;
	o.kernel_release = rel;
	o.arch = arch;
	return o;
}

/* Files in $TMPDIR. */
static int tmp_files(void)
{
	DIR *d = opendir(tmp_path_kept("tmp"));
	struct dirent *de;
	int n = 0;

	cr_assert(d != NULL);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* @path is a mode-0600 regular file in $TMPDIR holding exactly tagged_btf(@tag). */
static void expect_temp_file(const char *path, const char *tag)
{
	struct stat st;
	size_t ks, n;
	void *k = tagged_btf(tag, &ks);
	char *got;
	char dir[PATH_MAX];
	unsigned mode;
	bool is_reg;

	cr_assert(path != NULL, "no path");
	snprintf(dir, sizeof(dir), "%s/", tmp_path_kept("tmp"));
	cr_expect(eq(int, strncmp(path, dir, strlen(dir)), 0), "%s is not in $TMPDIR %s", path,
		  dir);
	cr_expect(strchr(path + strlen(dir), '/') == NULL, "%s: not directly in $TMPDIR", path);
	cr_assert(eq(int, lstat(path, &st), 0), "%s: %s", path, strerror(errno));
	is_reg = S_ISREG(st.st_mode);
	mode = (unsigned)(st.st_mode & 07777);
	cr_expect(is_reg, "%s: not a regular file", path);
	cr_expect(eq(uint, mode, 0600u), "%s: mode %o", path, mode);
	got = read_file(path, &n);
	cr_assert(got != NULL);
	cr_expect(eq(sz, n, ks), "%s: size", path);
	cr_expect(n == ks && !memcmp(got, k, ks), "%s: not the bytes of %s", path, tag);
	free(got);
	xfree(k);
}

/* ---- fd 2 ----------------------------------------------------------------- */

struct err_cap {
	int saved;
};

static struct err_cap stderr_begin(void)
{
	struct err_cap c;
	int fd;

	fflush(stderr);
	c.saved = dup(2);
	cr_assert(c.saved >= 0);
	fd = open(tmp_path_kept("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert(dup2(fd, 2) == 2);
	close(fd);
	return c;
}

/* Restore fd 2; returns what was written to it (malloc'd). */
static char *stderr_end(struct err_cap c)
{
	size_t n;
	char *text;

	fflush(stderr);
	cr_assert(dup2(c.saved, 2) == 2);
	close(c.saved);
	text = read_file(tmp_path_kept("stderr.txt"), &n);
	cr_assert(text != NULL);
	return text;
}

/* btfgen_rt_ensure() with fd 2 watched: nothing may be printed. */
static int ensure_quiet(const void *coll, size_t size, const struct btfgen_rt_opts *o,
			char **path)
{
	struct err_cap c = stderr_begin();
	int err = btfgen_rt_ensure(coll, size, o, path);
	char *printed = stderr_end(c);

	cr_expect(eq(str, printed, ""), "btfgen_rt_ensure printed on stderr");
	free(printed);
	return err;
}

/* What hub_match() says for the same host and collection: the expected errbuf. */
static void expected_why(const void *coll, size_t size, const struct btfgen_rt_opts *o,
			 char *out, size_t n)
{
	struct hub_host_opts ho = { o->root, o->os_release, o->kernel_release, o->arch };
	struct hub_match_opts mo = { .allow_nearest = o->allow_nearest };
	struct hub_host h;
	struct hub_match m;
	struct hub_coll c;

	cr_assert(eq(int, hub_host_facts(&ho, &h), 0));
	cr_assert(eq(int, hub_coll_from_mem("collection", coll, size, &c), 0));
	cr_assert(eq(int, hub_match(&c, &h, &mo, &m), -ENOENT));
	snprintf(out, n, "%s", m.why);
	hub_coll_free(&c);
}

/* ---- picks ---------------------------------------------------------------- */

Test(runtime, pick_from_tar)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	char err[512] = "untouched", *path = NULL;
	size_t size;
	void *coll = std_coll(&size);

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0), "%s", err);
	expect_temp_file(path, U2004_X86);
	cr_expect(eq(str, err, ""), "errbuf after a plain pick");
	cr_expect(eq(int, tmp_files(), 1));
	btfgen_rt_cleanup(path);
	cr_expect(eq(int, tmp_files(), 0), "btfgen_rt_cleanup left the file");
	btfgen_rt_cleanup(NULL);
	free(coll);
	assert_no_leaks();
}

Test(runtime, pick_from_tar_xz)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_C8),
					   "4.18.0-348.7.1.el8_5.x86_64", "x86_64");
	char *path = NULL;
	size_t size, xsize;
	void *coll, *xz;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: the tar.xz collection can't be made");
	coll = std_coll(&size);
	xz = xz_of(coll, size, &xsize);
	free(coll);
	cr_assert(eq(int, ensure_quiet(xz, xsize, &o, &path), 0));
	expect_temp_file(path, C8_X86);
	btfgen_rt_cleanup(path);
	cr_expect(eq(int, tmp_files(), 0));
	free(xz);
	assert_no_leaks();
}

/* uname -m aarch64 picks the arm64 folder; a hard-linked entry gives its target's bytes. */
Test(runtime, pick_arch_alias_and_hard_link)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "aarch64");
	char *path = NULL;
	size_t size;
	void *coll = std_coll(&size);

	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, U2004_ARM);
	btfgen_rt_cleanup(path);
	o = opts_for(mk_root("host1804", OSR_U1804), "5.4.0-73-generic", "x86_64");
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, U2004_X86);	/* the link's target */
	btfgen_rt_cleanup(path);
	free(coll);
	assert_no_leaks();
}

/* An ELF-wrapped entry: the temporary file holds the raw BTF (its .BTF section). */
Test(runtime, pick_elf_wrapped_entry_gives_raw_btf)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-99-generic",
					   "x86_64");
	struct elf_out_sec s = { .name = ".BTF", .type = ELF_SHT_PROGBITS, .align = 4 };
	struct tar_spec v[1] = { { .name = "ubuntu/20.04/x86_64/5.4.0-99-generic.btf" } };
	char *path = NULL;
	size_t ks, esize, size;
	void *k = tagged_btf("elf-wrapped", &ks), *elf = NULL, *coll;

	s.data = k;
	s.size = ks;
	cr_assert(eq(int, elf_write(true, true, 62, &s, 1, &elf, &esize), 0));
	v[0].data = elf;
	v[0].size = esize;
	coll = tar_of(v, 1, &size);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, "elf-wrapped");
	btfgen_rt_cleanup(path);
	free(coll);
	xfree(elf);
	xfree(k);
	assert_no_leaks();
}

/* allow_nearest: a pick of the nearest release; without it, none. */
Test(runtime, allow_nearest)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-74-lowlatency",
					   "x86_64");
	char err[1024] = "", *path = NULL;
	size_t size;
	void *coll = std_coll(&size);

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(path == NULL);
	o.allow_nearest = 1;
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0), "%s", err);
	expect_temp_file(path, U2004_X86_74);
	btfgen_rt_cleanup(path);
	free(coll);
}

/* NULL options: $BTFGEN_HOST_ROOT, uname -r and uname -m. */
Test(runtime, null_opts)
{
	struct utsname u;
	char osr_entry[PATH_MAX];
	struct tar_spec v[2] = { { .name = U2004_X86 }, { .name = osr_entry } };
	char *path = NULL;
	size_t size;
	void *coll;

	cr_assert(eq(int, uname(&u), 0));
	snprintf(osr_entry, sizeof(osr_entry), "btfgentest/1/%s/%s.btf", u.machine, u.release);
	coll = tar_of(v, 2, &size);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT",
				 mk_root("host", "ID=btfgentest\nVERSION_ID=1\n"), 1), 0));
	cr_assert(eq(int, ensure_quiet(coll, size, NULL, &path), 0));
	expect_temp_file(path, osr_entry);
	btfgen_rt_cleanup(path);
	/* the same host, not in the collection */
	free(coll);
	coll = tar_of(v, 1, &size);
	path = (char *)1;
	cr_expect(eq(int, ensure_quiet(coll, size, NULL, &path), -ENOENT));
	cr_expect(path == NULL);
	free(coll);
	assert_no_leaks();
}

/* $BTFGEN_OS_RELEASE names the os-release when opts->os_release is NULL. */
Test(runtime, env_os_release)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2204), "5.4.0-73-generic",
					   "x86_64");
	char *path = NULL;
	size_t size;
	void *coll = std_coll(&size);

	put_file(tmp_path_kept("elsewhere/os-release"), OSR_U2004, strlen(OSR_U2004));
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT), "22.04 has nothing");
	cr_assert(eq(int, setenv("BTFGEN_OS_RELEASE", tmp_path_kept("elsewhere/os-release"), 1),
		     0));
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, U2004_X86);
	btfgen_rt_cleanup(path);
	/* opts->os_release wins over the variable */
	put_file(tmp_path_kept("opt-os-release"), OSR_C8, strlen(OSR_C8));
	o.os_release = tmp_path_kept("opt-os-release");
	o.kernel_release = "4.18.0-348.7.1.el8_5.x86_64";
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, C8_X86);
	btfgen_rt_cleanup(path);
	free(coll);
}

/* ---- the kernel has its own BTF ------------------------------------------- */

Test(runtime, kernel_has_btf_nothing_to_do)
{
	const char *root = mk_root("host", OSR_U2004);
	struct btfgen_rt_opts o = opts_for(root, "5.4.0-73-generic", "x86_64");
	char *path = (char *)1;
	size_t size;
	void *coll = std_coll(&size);

	give_kernel_btf(root);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	cr_expect(path == NULL, "a path when the kernel has its own BTF");
	cr_expect(eq(int, tmp_files(), 0), "something written to $TMPDIR");
	/* force: picked anyway */
	o.force = 1;
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, U2004_X86);
	btfgen_rt_cleanup(path);
	cr_expect(eq(int, tmp_files(), 0));
	free(coll);
	assert_no_leaks();
}

/* A broken sys/kernel/btf/vmlinux is no BTF: the collection is used. */
Test(runtime, kernel_btf_broken_is_no_btf)
{
	const char *root = mk_root("host", OSR_U2004);
	struct btfgen_rt_opts o = opts_for(root, "5.4.0-73-generic", "x86_64");
	char p[PATH_MAX], *path = NULL;
	size_t size, ks;
	void *coll = std_coll(&size), *k = tagged_btf("vmlinux", &ks);

	snprintf(p, sizeof(p), "%s/sys/kernel/btf/vmlinux", root);
	put_file(p, k, ks / 2);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	expect_temp_file(path, U2004_X86);
	btfgen_rt_cleanup(path);
	xfree(k);
	free(coll);
}

/* ---- opts->sz ---------------------------------------------------------------- */

/* An older caller's smaller struct: the fields past its size are not read. */
Test(runtime, opts_sz_smaller_old_caller)
{
	const char *root = mk_root("host", OSR_U2004);
	struct btfgen_rt_opts o = opts_for(root, "5.4.0-73-generic", "x86_64");
	char err[256] = "untouched", *path = (char *)1;
	size_t size;
	void *coll = std_coll(&size);

	give_kernel_btf(root);
	/* force lies past the old size: not forced */
	o.force = 1;
	o.sz = offsetof(struct btfgen_rt_opts, force);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	cr_expect(path == NULL, "force read past opts->sz");
	/* errbuf past the old size: not written */
	o = opts_for(mk_root("host2", OSR_U2204), "5.4.0-73-generic", "x86_64");
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	o.sz = offsetof(struct btfgen_rt_opts, errbuf);
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(eq(str, err, "untouched"), "errbuf written past opts->sz");
	/* allow_nearest past the old size: off */
	o = opts_for(root, "5.4.0-74-lowlatency", "x86_64");
	o.force = 1;
	o.allow_nearest = 1;
	o.sz = offsetof(struct btfgen_rt_opts, allow_nearest);
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	/* sz 0: every field is past it, the defaults from the environment */
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", root, 1), 0));
	o.sz = 0;
	path = (char *)1;
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), 0));
	cr_expect(path == NULL, "sz 0: the root from $BTFGEN_HOST_ROOT has BTF");
	cr_expect(eq(int, tmp_files(), 0));
	free(coll);
}

/* A newer caller's bigger struct: fine when the unknown tail is zero, -EINVAL otherwise. */
Test(runtime, opts_sz_larger)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	const size_t extra = 24;
	unsigned char *big = calloc(1, sizeof(o) + extra);
	char *path = NULL;
	size_t size, i;
	void *coll = std_coll(&size);

	cr_assert(big != NULL);
	o.sz = sizeof(o) + extra;
	memcpy(big, &o, sizeof(o));
	cr_assert(eq(int, ensure_quiet(coll, size, (struct btfgen_rt_opts *)big, &path), 0));
	expect_temp_file(path, U2004_X86);
	btfgen_rt_cleanup(path);
	for (i = 0; i < extra; i++) {
		big[sizeof(o) + i] = 1;
		path = (char *)1;
		cr_expect(eq(int, ensure_quiet(coll, size, (struct btfgen_rt_opts *)big, &path),
			     -EINVAL), "non-zero byte %zu past the struct", i);
		cr_expect(path == NULL);
		big[sizeof(o) + i] = 0;
	}
	cr_expect(eq(int, tmp_files(), 0));
	free(big);
	free(coll);
	assert_no_leaks();
}

/* ---- no pick, bad input ------------------------------------------------------ */

Test(runtime, no_pick_enoent_with_why)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2204), "5.15.0-91-generic",
					   "x86_64");
	char err[1024], want[1024], small[24], *path = (char *)1;
	size_t size;
	void *coll = std_coll(&size);

	memset(err, 'x', sizeof(err));
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(path == NULL);
	expected_why(coll, size, &o, want, sizeof(want));
	cr_expect(eq(str, err, want), "errbuf is not hub_match's why");
	cr_expect(strstr(err, "5.15.0-91-generic") != NULL, "%s", err);
	cr_expect(strstr(err, "\n") == NULL, "one line: %s", err);
	cr_expect(eq(int, tmp_files(), 0));
	/* a small errbuf: cut, terminated, nothing written past it */
	memset(small, 'x', sizeof(small));
	o.errbuf = small;
	o.errbuf_size = sizeof(small) - 4;
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(eq(sz, strlen(small), sizeof(small) - 5));
	cr_expect(eq(int, strncmp(small, want, sizeof(small) - 5), 0));
	cr_expect(small[sizeof(small) - 4] == 'x' && small[sizeof(small) - 1] == 'x');
	/* errbuf with size 0: untouched */
	memset(small, 'x', sizeof(small));
	o.errbuf_size = 0;
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(small[0] == 'x');
	/* no errbuf at all */
	o.errbuf = NULL;
	o.errbuf_size = 100;
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	free(coll);
	assert_no_leaks();
}

Test(runtime, no_os_release_no_pick)
{
	struct btfgen_rt_opts o = opts_for(mk_root("bare", NULL), "5.4.0-73-generic", "x86_64");
	char err[1024] = "", *path = NULL;
	size_t size;
	void *coll = std_coll(&size);

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	/* 5.4.0-73-generic is in ubuntu 20.04 and (a link) 18.04: by release alone, ambiguous */
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -ENOENT));
	cr_expect(strstr(err, "no os-release") != NULL, "%s", err);
	/* a release found once: picked */
	o.kernel_release = "5.4.0-74-generic";
	cr_assert(eq(int, ensure_quiet(coll, size, &o, &path), 0), "%s", err);
	expect_temp_file(path, U2004_X86_74);
	btfgen_rt_cleanup(path);
	free(coll);
}

Test(runtime, bad_collection_einval)
{
	static const char text[] = "this is not a collection of kernels, only text; long enough to "
				   "be taken for something, but not a tar at all.";
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	char err[1024], *path;
	size_t size, ks, i;
	void *coll = std_coll(&size), *k = tagged_btf("raw", &ks);
	struct {
		const char *what;
		const void *data;
		size_t size;
	} bad[] = {
		{ "text", text, sizeof(text) - 1 },
		{ "a raw BTF", k, ks },
		{ "a tar cut short", coll, size - 1024 - 512 },
		{ "a tar cut mid-header", coll, 700 },
	};

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		path = (char *)1;
		cr_expect(eq(int, ensure_quiet(bad[i].data, bad[i].size, &o, &path), -EINVAL), "%s",
			  bad[i].what);
		cr_expect(path == NULL, "%s", bad[i].what);
		cr_expect(err[0] != '\0', "%s: errbuf empty", bad[i].what);
		cr_expect(strstr(err, "collection") != NULL, "%s: errbuf '%s'", bad[i].what, err);
	}
	/* no collection at all */
	path = (char *)1;
	cr_expect(eq(int, ensure_quiet(NULL, 0, &o, &path), -EINVAL));
	cr_expect(path == NULL);
	cr_expect(eq(int, ensure_quiet(coll, 0, &o, &path), -EINVAL));
	cr_expect(eq(int, tmp_files(), 0));
	xfree(k);
	free(coll);
	assert_no_leaks();
}

/* A hostile tar (a member leaving the tree): -EINVAL, errbuf names the member. */
Test(runtime, hostile_collection_einval)
{
	struct tar_spec v[2] = { { .name = U2004_X86 }, { .name = "../../etc/evil.btf" } };
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	char err[1024] = "", *path = (char *)1;
	size_t size;
	void *coll = tar_of(v, 2, &size);

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -EINVAL));
	cr_expect(path == NULL);
	cr_expect(strstr(err, "../../etc/evil.btf") != NULL, "%s", err);
	cr_expect(eq(int, tmp_files(), 0));
	free(coll);
}

/* The picked entry is not BTF: -EINVAL, errbuf names it, no file left behind. */
Test(runtime, picked_entry_not_btf)
{
	static const char junk[] = "junk, not a kernel BTF";
	struct tar_spec v[1] = { { .name = U2004_X86, .data = junk, .size = sizeof(junk) } };
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	char err[1024] = "", *path = (char *)1;
	size_t size;
	void *coll = tar_of(v, 1, &size);

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_expect(eq(int, ensure_quiet(coll, size, &o, &path), -EINVAL));
	cr_expect(path == NULL);
	cr_expect(strstr(err, "5.4.0-73-generic") != NULL, "%s", err);
	cr_expect(eq(int, tmp_files(), 0));
	free(coll);
}

Test(runtime, path_null_einval)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	size_t size;
	void *coll = std_coll(&size);

	cr_expect(eq(int, ensure_quiet(coll, size, &o, NULL), -EINVAL));
	cr_expect(eq(int, ensure_quiet(coll, size, NULL, NULL), -EINVAL));
	cr_expect(eq(int, tmp_files(), 0));
	free(coll);
}

/*
 * $TMPDIR that does not exist: an error, *path NULL, errbuf names the folder.
 * runtime.h gives -ENOENT one meaning, "no entry for this kernel": a failed
 * temporary file must not say that.
 */
Test(runtime, tmpdir_missing)
{
	struct btfgen_rt_opts o = opts_for(mk_root("host", OSR_U2004), "5.4.0-73-generic",
					   "x86_64");
	char err[1024] = "", *path = (char *)1;
	size_t size;
	void *coll = std_coll(&size);
	int ret;

	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	cr_assert(eq(int, setenv("TMPDIR", tmp_path_kept("no/such/dir"), 1), 0));
	ret = ensure_quiet(coll, size, &o, &path);
	cr_expect(lt(int, ret, 0));
	cr_expect(path == NULL);
	cr_expect(strstr(err, tmp_path_kept("no/such/dir")) != NULL, "errbuf: %s", err);
	cr_expect(ne(int, ret, -ENOENT), "a missing $TMPDIR reads as \"no BTF for this kernel\"");
	free(coll);
}

/* ---- threads ------------------------------------------------------------------- */

struct rt_job {
	const void *coll;
	size_t size;
	struct btfgen_rt_opts o;
	const char *want_tag;		/* NULL: -ENOENT expected */
	const char *want_why;
	char err[1024];
	char fail[512];			/* the first failure, "" when none */
	int rounds;
};

static void *rt_worker(void *arg)
{
	struct rt_job *j = arg;
	int r;

	j->o.errbuf = j->err;
	j->o.errbuf_size = sizeof(j->err);
	for (r = 0; r < j->rounds && !j->fail[0]; r++) {
		char *path = NULL;
		int err = btfgen_rt_ensure(j->coll, j->size, &j->o, &path);

		if (!j->want_tag) {
			if (err != -ENOENT || path)
				snprintf(j->fail, sizeof(j->fail), "round %d: %d, wanted -ENOENT", r,
					 err);
			else if (strcmp(j->err, j->want_why))
				snprintf(j->fail, sizeof(j->fail), "round %d: errbuf '%.200s'", r,
					 j->err);
			continue;
		}
		if (err || !path) {
			snprintf(j->fail, sizeof(j->fail), "round %d: %d: %.200s", r, err, j->err);
			continue;
		}
		{
			size_t n, ks;
			char *got = read_file(path, &n);
			void *k = tagged_btf(j->want_tag, &ks);
			struct stat st;

			if (!got || n != ks || memcmp(got, k, ks))
				snprintf(j->fail, sizeof(j->fail), "round %d: %s: not %s's bytes", r,
					 path, j->want_tag);
			else if (stat(path, &st) || (st.st_mode & 07777) != 0600)
				snprintf(j->fail, sizeof(j->fail), "round %d: %s: mode", r, path);
			free(got);
			xfree(k);
		}
		btfgen_rt_cleanup(path);
	}
	return NULL;
}

Test(runtime, two_threads_at_once)
{
	struct rt_job *jobs = calloc(3, sizeof(*jobs));
	pthread_t th[3];
	size_t size, i;
	void *coll = std_coll(&size);

	cr_assert(jobs != NULL);
	jobs[0].o = opts_for(mk_root("a", OSR_U2004), "5.4.0-73-generic", "x86_64");
	jobs[0].want_tag = U2004_X86;
	jobs[1].o = opts_for(mk_root("b", OSR_C8), "4.18.0-348.7.1.el8_5.x86_64", "x86_64");
	jobs[1].want_tag = C8_X86;
	jobs[2].o = opts_for(mk_root("c", OSR_U2204), "5.15.0-91-generic", "arm64");
	jobs[2].want_tag = NULL;
	for (i = 0; i < 3; i++) {
		jobs[i].coll = coll;
		jobs[i].size = size;
		jobs[i].rounds = 40;
	}
	{
		static char why[1024];

		expected_why(coll, size, &jobs[2].o, why, sizeof(why));
		jobs[2].want_why = why;
	}
	/* two (then three) threads with different options, at once */
	for (i = 0; i < 3; i++)
		cr_assert(eq(int, pthread_create(&th[i], NULL, rt_worker, &jobs[i]), 0));
	for (i = 0; i < 3; i++)
		cr_assert(eq(int, pthread_join(th[i], NULL), 0));
	for (i = 0; i < 3; i++)
		cr_expect(eq(str, jobs[i].fail, ""), "thread %zu", i);
	cr_expect(eq(int, tmp_files(), 0), "temporary files left");
	free(jobs);
	free(coll);
	assert_no_leaks();
}
