// SPDX-License-Identifier: MIT
/*
 * test_util_fileio.c - unit tests for util/fileio.c (suite util_fileio):
 * whole-file opens that never block, atomic writes, directory handles that
 * stay beneath a root, and the path predicates the archive relies on.
 *
 * Every test works in its own mkdtemp() folder under /tmp, made by the
 * suite's .init and removed (with everything in it) by .fini. Oracles: the
 * file system itself (stat, readdir, readlink) and fileio.h's contract;
 * messages are captured with the helpers.h sink and checked for the file
 * they name. Nothing relies on permissions (CI runs as root).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "util/fileio.h"
#include "util/util.h"

static void fio_setup(void)
{
	tmp_dir_make("btfgen-fileio");
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void fio_teardown(void)
{
	diag_capture_end();
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(util_fileio, .init = fio_setup, .fini = fio_teardown, .timeout = 20);

/* ---- helpers ------------------------------------------------------------ */

static void mk_dir(const char *rel)
{
	cr_assert(eq(int, mkdir(tmp_path(rel), 0755), 0), "mkdir %s: %s", rel, strerror(errno));
}

static void mk_link(const char *target, const char *rel)
{
	cr_assert(eq(int, symlink(target, tmp_path(rel)), 0), "symlink %s: %s", rel,
		  strerror(errno));
}

static int root_fd(void)
{
	int fd = open(tmp_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	cr_assert(fd >= 0);
	return fd;
}

/* The entries of folder @rel (of tmp_dir()), sorted, joined with ' '. */
static char *listing(const char *rel)
{
	static char out[4096];
	struct dirent **v;
	int n, i;

	out[0] = '\0';
	n = scandir(tmp_path(rel), &v, NULL, alphasort);
	cr_assert(n >= 0, "scandir %s", rel);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
			if (out[0])
				strncat(out, " ", sizeof(out) - strlen(out) - 1);
			strncat(out, v[i]->d_name, sizeof(out) - strlen(out) - 1);
		}
		free(v[i]);
	}
	free(v);
	return out;
}

static char *file_text(const char *rel)
{
	static char buf[1 << 16];
	size_t n;
	char *d = read_file(tmp_path(rel), &n);

	cr_assert(d != NULL, "%s unreadable", rel);
	cr_assert(n < sizeof(buf));
	memcpy(buf, d, n + 1);
	free(d);
	return buf;
}

static mode_t mode_of(const char *rel)
{
	struct stat st;

	cr_assert(eq(int, lstat(tmp_path(rel), &st), 0), "%s", rel);
	return st.st_mode;
}

static bool is_dir(const char *rel)
{
	return S_ISDIR(mode_of(rel));
}

static bool same_inode(int fd, const char *rel)
{
	struct stat a, b;

	cr_assert(eq(int, fstat(fd, &a), 0));
	cr_assert(eq(int, stat(tmp_path(rel), &b), 0));
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ---- util_file_open_at -------------------------------------------------- */

Test(util_fileio, open_at_regular_file_mapped)
{
	static const char text[] = "raw bytes\0with a NUL";
	struct util_file f;
	int dfd = root_fd();

	put_file(tmp_path("k.btf"), text, sizeof(text));
	cr_assert(eq(int, util_file_open_at(dfd, "k.btf", "DISP", 0, 1 << 20, &f), 0));
	cr_assert(eq(sz, f.size, sizeof(text)));
	cr_assert(eq(int, memcmp(f.data, text, sizeof(text)), 0));
	cr_assert(f.mapped, "a regular file is mapped");
	util_file_close(&f);
	cr_assert(f.data == NULL && f.size == 0 && !f.mapped, "closed: zeroed");
	cr_assert(eq(int, diag_lines(), 0));
	close(dfd);
	assert_no_leaks();
}

Test(util_fileio, open_at_cwd_absolute_and_subdir)
{
	struct util_file f;
	int dfd = root_fd();

	mk_dir("sub");
	put_file(tmp_path("sub/x"), "abc", 3);
	cr_assert(eq(int, util_file_open_at(AT_FDCWD, tmp_path("sub/x"), "x", 0, 3, &f), 0));
	cr_assert(eq(sz, f.size, 3));
	util_file_close(&f);
	cr_assert(eq(int, util_file_open_at(dfd, "sub/x", "x", 0, 3, &f), 0));
	cr_assert(eq(int, memcmp(f.data, "abc", 3), 0));
	util_file_close(&f);
	close(dfd);
}

Test(util_fileio, open_at_empty_file)
{
	struct util_file f;
	int dfd = root_fd();

	put_file(tmp_path("empty"), "", 0);
	cr_assert(eq(int, util_file_open_at(dfd, "empty", "empty", 0, 100, &f), 0));
	cr_assert(eq(sz, f.size, 0));
	cr_assert(eq(int, diag_lines(), 0));
	util_file_close(&f);
	/* an empty file is not over a limit of 0 */
	cr_assert(eq(int, util_file_open_at(dfd, "empty", "empty", 0, 0, &f), 0));
	util_file_close(&f);
	close(dfd);
	assert_no_leaks();
}

Test(util_fileio, open_at_max_size)
{
	char buf[100];
	struct util_file f;
	int dfd = root_fd();

	memset(buf, 'z', sizeof(buf));
	put_file(tmp_path("big"), buf, sizeof(buf));
	cr_assert(eq(int, util_file_open_at(dfd, "big", "BIG", 0, 100, &f), 0), "exactly the limit");
	cr_assert(eq(sz, f.size, 100));
	util_file_close(&f);
	cr_assert(eq(int, util_file_open_at(dfd, "big", "BIG", 0, 99, &f), -E2BIG));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "BIG") && strstr(diag_last(), "100") &&
		  strstr(diag_last(), "99"), "message: %s", diag_last());
	cr_assert(f.data == NULL && f.size == 0);
	diag_reset();
	cr_assert(eq(int, util_file_open_at(dfd, "big", "BIG", UTIL_F_QUIET, 0, &f), -E2BIG));
	cr_assert(eq(int, diag_lines(), 0), "UTIL_F_QUIET: %s", diag_last());
	close(dfd);
	assert_no_leaks();
}

/* A FIFO with no writer: opened non-blocking and refused, never waited on. */
Test(util_fileio, open_at_fifo_refused_without_blocking, .timeout = 10)
{
	struct util_file f;
	int dfd = root_fd();

	cr_assert(eq(int, mkfifo(tmp_path("x.btf"), 0644), 0));
	cr_assert(eq(int, util_file_open_at(dfd, "x.btf", "FIFO", 0, 1 << 20, &f), -EINVAL));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "FIFO") && strstr(diag_last(), "not a regular file"),
		  "message: %s", diag_last());
	cr_assert(f.data == NULL);
	/* the same through a symlink (followed without UTIL_F_NOFOLLOW) */
	mk_link("x.btf", "to-fifo");
	cr_assert(eq(int, util_file_open_at(dfd, "to-fifo", "L", UTIL_F_QUIET, 100, &f), -EINVAL));
	close(dfd);
}

Test(util_fileio, open_at_device_and_directory_refused, .timeout = 10)
{
	struct util_file f;
	int dfd = root_fd();

	mk_dir("d");
	cr_assert(eq(int, util_file_open_at(dfd, "d", "DIR", 0, 100, &f), -EINVAL));
	cr_assert(strstr(diag_last(), "DIR") && strstr(diag_last(), "not a regular file"),
		  "message: %s", diag_last());
	cr_assert(eq(int, util_file_open_at(AT_FDCWD, "/dev/null", "null", 0, 100, &f), -EINVAL));
	cr_assert(eq(int, util_file_open_at(AT_FDCWD, "/dev/zero", "zero", 0, 100, &f), -EINVAL));
	close(dfd);
}

Test(util_fileio, open_at_symlink)
{
	struct util_file f;
	int dfd = root_fd();

	put_file(tmp_path("real"), "data", 4);
	mk_link("real", "link");
	cr_assert(eq(int, util_file_open_at(dfd, "link", "LINK", 0, 100, &f), 0), "followed");
	cr_assert(eq(sz, f.size, 4));
	util_file_close(&f);
	cr_assert(eq(int, diag_lines(), 0));
	cr_assert(eq(int, util_file_open_at(dfd, "link", "LINK", UTIL_F_NOFOLLOW, 100, &f), -ELOOP));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "LINK") && strstr(diag_last(), "symlink"), "message: %s",
		  diag_last());
	diag_reset();
	cr_assert(eq(int, util_file_open_at(dfd, "link", "LINK", UTIL_F_NOFOLLOW | UTIL_F_QUIET, 100,
					    &f), -ELOOP));
	cr_assert(eq(int, diag_lines(), 0));
	/* UTIL_F_NOFOLLOW on a plain file changes nothing */
	cr_assert(eq(int, util_file_open_at(dfd, "real", "R", UTIL_F_NOFOLLOW, 100, &f), 0));
	util_file_close(&f);
	close(dfd);
}

Test(util_fileio, open_at_missing)
{
	struct util_file f;
	int dfd = root_fd();

	cr_assert(eq(int, util_file_open_at(dfd, "nope", "NOPE", 0, 100, &f), -ENOENT));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "NOPE") != NULL, "message: %s", diag_last());
	diag_reset();
	cr_assert(eq(int, util_file_open_at(dfd, "nope", "NOPE", UTIL_F_QUIET, 100, &f), -ENOENT));
	cr_assert(eq(int, diag_lines(), 0));
	close(dfd);
}

/* ---- atomic writes ------------------------------------------------------ */

Test(util_fileio, write_atomic_at_content_and_mode)
{
	int dfd = root_fd();

	umask(022);
	cr_assert(eq(int, util_write_atomic_at(dfd, "out.btf", "hello", 5, "OUT"), 0));
	cr_assert(eq(str, file_text("out.btf"), "hello"));
	cr_assert(eq(u32, mode_of("out.btf") & 07777, 0644));
	cr_assert(eq(str, listing(""), "out.btf"), "no temporary left");
	umask(077);
	cr_assert(eq(int, util_write_atomic_at(dfd, "private", "x", 1, "P"), 0));
	cr_assert(eq(u32, mode_of("private") & 07777, 0600));
	umask(0);
	cr_assert(eq(int, util_write_atomic_at(dfd, "open", "x", 1, "O"), 0));
	cr_assert(eq(u32, mode_of("open") & 07777, 0666));
	umask(022);
	cr_assert(eq(str, listing(""), "open out.btf private"));
	cr_assert(eq(int, diag_lines(), 0));
	close(dfd);
	assert_no_leaks();
}

Test(util_fileio, write_atomic_at_replaces_existing)
{
	struct stat before, after;
	int dfd = root_fd();

	umask(022);
	put_file(tmp_path("f"), "old contents, longer", 20);
	cr_assert(eq(int, chmod(tmp_path("f"), 0600), 0));
	cr_assert(eq(int, stat(tmp_path("f"), &before), 0));
	cr_assert(eq(int, util_write_atomic_at(dfd, "f", "new", 3, "F"), 0));
	cr_assert(eq(str, file_text("f"), "new"));
	cr_assert(eq(int, stat(tmp_path("f"), &after), 0));
	cr_assert(before.st_ino != after.st_ino, "replaced by rename, not rewritten in place");
	cr_assert(eq(u32, after.st_mode & 07777, 0644), "a new file: 0666 & ~umask");
	cr_assert(eq(str, listing(""), "f"));
	close(dfd);
}

Test(util_fileio, write_atomic_at_empty_and_large)
{
	size_t n = (1u << 20) + 13, i, got;
	u8 *big = malloc(n), *back;
	int dfd = root_fd();

	cr_assert(big != NULL);
	for (i = 0; i < n; i++)
		big[i] = (u8)(i * 31 + 1);
	cr_assert(eq(int, util_write_atomic_at(dfd, "empty", "", 0, "E"), 0));
	back = read_file(tmp_path("empty"), &got);
	cr_assert(back != NULL && got == 0);
	free(back);
	cr_assert(eq(int, util_write_atomic_at(dfd, "big", big, n, "B"), 0));
	back = read_file(tmp_path("big"), &got);
	cr_assert(back != NULL);
	cr_assert(eq(sz, got, n));
	cr_assert(eq(int, memcmp(back, big, n), 0));
	free(back);
	free(big);
	cr_assert(eq(str, listing(""), "big empty"));
	close(dfd);
}

/* The target is a directory: the rename fails, nothing is left, the folder stays. */
Test(util_fileio, write_atomic_at_directory_target_fails_cleanly)
{
	int dfd = root_fd();
	int err;

	mk_dir("target");
	put_file(tmp_path("target/keep"), "k", 1);
	err = util_write_atomic_at(dfd, "target", "data", 4, "TGT");
	cr_assert(err < 0, "got %d", err);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "TGT") != NULL, "message: %s", diag_last());
	cr_assert(eq(str, listing(""), "target"), "no temporary left");
	cr_assert(is_dir("target"));
	cr_assert(eq(str, listing("target"), "keep"));
	/* an empty folder too */
	mk_dir("empty-dir");
	cr_assert(util_write_atomic_at(dfd, "empty-dir", "data", 4, "E") < 0);
	cr_assert(is_dir("empty-dir"));
	cr_assert(eq(str, listing(""), "empty-dir target"));
	close(dfd);
	assert_no_leaks();
}

/* A name in a folder that does not exist: fails, no temporary left beside it. */
Test(util_fileio, write_atomic_at_missing_folder_leaves_nothing)
{
	int dfd = root_fd();

	cr_assert(eq(int, util_write_atomic_at(dfd, "nosuch/x.btf", "data", 4, "N"), -ENOENT));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(eq(str, listing(""), ""));
	close(dfd);
}

Test(util_fileio, write_file_atomic_paths)
{
	umask(022);
	mk_dir("d");
	cr_assert(eq(int, util_write_file_atomic(tmp_path("d/out"), "abc", 3), 0));
	cr_assert(eq(str, file_text("d/out"), "abc"));
	cr_assert(eq(u32, mode_of("d/out") & 07777, 0644));
	cr_assert(eq(int, util_write_file_atomic(tmp_path("d/out"), "replaced", 8), 0));
	cr_assert(eq(str, file_text("d/out"), "replaced"));
	cr_assert(eq(str, listing("d"), "out"));
	cr_assert(eq(int, diag_lines(), 0));
}

Test(util_fileio, write_file_atomic_in_cwd)
{
	char old[PATH_MAX];

	cr_assert(getcwd(old, sizeof(old)) != NULL);
	cr_assert(eq(int, chdir(tmp_dir()), 0));
	cr_assert(eq(int, util_write_file_atomic("plain", "p", 1), 0));
	cr_assert(eq(int, chdir(old), 0));
	cr_assert(eq(str, file_text("plain"), "p"));
	cr_assert(eq(str, listing(""), "plain"));
}

Test(util_fileio, write_file_atomic_refuses_directory_names)
{
	static const char *const rels[] = { "d/", "d/.", "d/..", "." };
	size_t i;

	mk_dir("d");
	for (i = 0; i < ARRAY_SIZE(rels); i++) {
		diag_reset();
		cr_assert(eq(int, util_write_file_atomic(tmp_path(rels[i]), "x", 1), -EISDIR), "%s",
			  rels[i]);
		cr_assert(eq(int, diag_lines(), 1));
	}
	cr_assert(eq(str, listing(""), "d"));
	cr_assert(eq(str, listing("d"), ""));
}

Test(util_fileio, write_file_atomic_directory_target_fails_cleanly)
{
	mk_dir("t");
	cr_assert(util_write_file_atomic(tmp_path("t"), "x", 1) < 0);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "/t") != NULL, "message: %s", diag_last());
	cr_assert(eq(str, listing(""), "t"));
	cr_assert(is_dir("t"));
}

Test(util_fileio, write_file_atomic_missing_folder)
{
	cr_assert(eq(int, util_write_file_atomic(tmp_path("no/such/out"), "x", 1), -ENOENT));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "no/such/out") != NULL, "message: %s", diag_last());
	cr_assert(eq(str, listing(""), ""));
}

Test(util_fileio, write_atomic_allocation_failures)
{
	unsigned long n;
	int err;

	mk_dir("d");
	for (n = 1; n < 100; n++) {
		util_alloc_fail_at = n;
		err = util_write_file_atomic(tmp_path("d/out"), "abc", 3);
		util_alloc_fail_at = 0;
		if (!err)
			break;
		cr_assert(eq(int, err, -ENOMEM), "allocation %lu", n);
		cr_assert(eq(str, listing("d"), ""), "allocation %lu: nothing left", n);
	}
	cr_assert(eq(int, err, 0));
	cr_assert(eq(str, file_text("d/out"), "abc"));
	assert_no_leaks();
}

/* ---- util_dir_open ------------------------------------------------------ */

Test(util_fileio, dir_open_existing)
{
	int fd;

	mk_dir("d");
	fd = util_dir_open(tmp_path("d"), false);
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "d"));
	close(fd);
	fd = util_dir_open(tmp_path("d/"), false);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert(eq(int, diag_lines(), 0));
}

Test(util_fileio, dir_open_creates_parents)
{
	int fd;

	umask(022);
	fd = util_dir_open(tmp_path("a/b/c"), true);
	cr_assert(fd >= 0, "%s", diag_last());
	cr_assert(same_inode(fd, "a/b/c"));
	cr_assert(eq(u32, mode_of("a") & 07777, 0755));
	cr_assert(eq(u32, mode_of("a/b/c") & 07777, 0755));
	close(fd);
	/* again: all there */
	fd = util_dir_open(tmp_path("a/b/c"), true);
	cr_assert(fd >= 0);
	close(fd);
	/* a trailing slash, a missing parent */
	fd = util_dir_open(tmp_path("x/y/"), true);
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "x/y"));
	close(fd);
	cr_assert(eq(int, diag_lines(), 0));
}

Test(util_fileio, dir_open_missing_without_create)
{
	cr_assert(eq(int, util_dir_open(tmp_path("nope"), false), -ENOENT));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "nope") != NULL, "message: %s", diag_last());
	cr_assert(eq(str, listing(""), ""), "nothing created");
}

Test(util_fileio, dir_open_file_refused)
{
	put_file(tmp_path("f"), "x", 1);
	cr_assert(eq(int, util_dir_open(tmp_path("f"), false), -ENOTDIR));
	cr_assert(eq(int, util_dir_open(tmp_path("f"), true), -ENOTDIR));
	cr_assert(util_dir_open(tmp_path("f/sub"), true) < 0);
	cr_assert(eq(str, listing(""), "f"));
}

Test(util_fileio, dir_open_follows_symlinks)
{
	int fd;

	mk_dir("real");
	mk_link("real", "link");
	fd = util_dir_open(tmp_path("link"), false);
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "real"));
	close(fd);
	fd = util_dir_open(tmp_path("link/new"), true);
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "real/new"));
	close(fd);
}

/* ---- util_dir_open_beneath ---------------------------------------------- */

Test(util_fileio, beneath_empty_opens_root)
{
	int rfd = root_fd(), fd;

	fd = util_dir_open_beneath(rfd, "", 0, "ROOT");
	cr_assert(fd >= 0);
	cr_assert(fd != rfd, "a new descriptor");
	cr_assert(same_inode(fd, ""));
	close(fd);
	close(rfd);
}

Test(util_fileio, beneath_creates_missing_components)
{
	int rfd = root_fd(), fd;

	umask(022);
	mk_dir("a");
	fd = util_dir_open_beneath(rfd, "a/b/c", UTIL_F_CREATE, "ROOT");
	cr_assert(fd >= 0, "%s", diag_last());
	cr_assert(same_inode(fd, "a/b/c"));
	cr_assert(eq(u32, mode_of("a/b") & 07777, 0755));
	close(fd);
	/* existing now: opened with and without UTIL_F_CREATE */
	fd = util_dir_open_beneath(rfd, "a/b/c", UTIL_F_CREATE, "ROOT");
	cr_assert(fd >= 0);
	close(fd);
	fd = util_dir_open_beneath(rfd, "a/b", 0, "ROOT");
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "a/b"));
	close(fd);
	cr_assert(eq(int, diag_lines(), 0));
	close(rfd);
}

Test(util_fileio, beneath_missing_without_create)
{
	int rfd = root_fd();

	cr_assert(eq(int, util_dir_open_beneath(rfd, "a/b", 0, "ROOT"), -ENOENT));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "ROOT/a") != NULL, "message: %s", diag_last());
	cr_assert(eq(str, listing(""), ""));
	close(rfd);
}

/* A symlink component is refused even when it points to a folder inside the root. */
/* A symlinked component is refused, as is anything opened through it. */
static void expect_refused(int rfd, const char *rel, unsigned flags)
{
	int fd = util_dir_open_beneath(rfd, rel, flags, "ROOT");

	if (fd >= 0)
		close(fd);
	cr_assert(fd == -ELOOP || fd == -ENOTDIR, "\"%s\": got %d", rel, fd);
}

/*
 * A symlink component is refused even when it points to a folder inside the
 * root, and nothing is created through it (the safety property; the errno
 * is checked by beneath_symlink_errno_is_eloop).
 */
Test(util_fileio, beneath_refuses_symlinked_component)
{
	int rfd = root_fd();

	mk_dir("real");
	mk_link("real", "link");
	mk_link(tmp_dir(), "abs-link");
	expect_refused(rfd, "link", UTIL_F_CREATE);
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "ROOT/link:") && strstr(diag_last(), "refused"),
		  "message: %s", diag_last());
	expect_refused(rfd, "link", 0);
	expect_refused(rfd, "link/x/y", UTIL_F_CREATE);
	cr_assert(eq(str, listing("real"), ""), "nothing created through the symlink");
	expect_refused(rfd, "abs-link/real", 0);
	expect_refused(rfd, "abs-link", UTIL_F_CREATE);
	/* deeper: real/inner -> .. */
	mk_link("..", "real/inner");
	diag_reset();
	expect_refused(rfd, "real/inner/real", UTIL_F_CREATE);
	cr_assert(strstr(diag_last(), "ROOT/real/inner:") != NULL, "names the component: %s",
		  diag_last());
	diag_reset();
	expect_refused(rfd, "link", UTIL_F_QUIET);
	cr_assert(eq(int, diag_lines(), 0));
	cr_assert(eq(str, listing(""), "abs-link link real"));
	cr_assert(eq(str, listing("real"), "inner"));
	close(rfd);
}

/* fileio.h: "a component that is a symlink or not a directory is refused (-ELOOP / -ENOTDIR)". */
Test(util_fileio, beneath_symlink_errno_is_eloop)
{
	int rfd = root_fd(), a, b;
	char msg[1024];

	mk_dir("real");
	put_file(tmp_path("file"), "x", 1);
	mk_link("real", "link");
	mk_link("file", "flink");
	a = util_dir_open_beneath(rfd, "link", UTIL_F_CREATE, "ROOT");
	snprintf(msg, sizeof(msg), "%s", diag_last());
	b = util_dir_open_beneath(rfd, "flink", 0, "ROOT");
	close(rfd);
	cr_assert(eq(int, a, -ELOOP), "symlink to a folder: got %d (message \"%s\")", a, msg);
	cr_assert(strstr(msg, "a symlink") != NULL, "message: %s", msg);
	cr_assert(eq(int, b, -ELOOP), "symlink to a file: got %d", b);
}

Test(util_fileio, beneath_refuses_file_component)
{
	int rfd = root_fd();

	put_file(tmp_path("f"), "x", 1);
	cr_assert(eq(int, util_dir_open_beneath(rfd, "f", 0, "ROOT"), -ENOTDIR));
	cr_assert(eq(int, util_dir_open_beneath(rfd, "f", UTIL_F_CREATE, "ROOT"), -ENOTDIR));
	cr_assert(eq(int, util_dir_open_beneath(rfd, "f/x", UTIL_F_CREATE, "ROOT"), -ENOTDIR));
	cr_assert(strstr(diag_last(), "ROOT/f") && strstr(diag_last(), "not a folder"),
		  "message: %s", diag_last());
	/* a symlink to a file: refused too */
	mk_link("f", "lf");
	expect_refused(rfd, "lf", UTIL_F_CREATE);
	cr_assert(eq(str, listing(""), "f lf"));
	close(rfd);
}

Test(util_fileio, beneath_refuses_unclean_paths)
{
	static const char *const bad[] = { "..", ".", "a/..", "a/.", "../a", "./a", "a/../b",
					   "a/./b", "a//b", "/a", "/", "//", "/tmp" };
	int rfd = root_fd();
	size_t i;

	mk_dir("a");
	mk_dir("b");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		diag_reset();
		cr_assert(eq(int, util_dir_open_beneath(rfd, bad[i], UTIL_F_CREATE, "ROOT"), -EINVAL),
			  "\"%s\"", bad[i]);
		cr_assert(eq(int, diag_lines(), 1), "\"%s\"", bad[i]);
		cr_assert(strstr(diag_last(), bad[i]) != NULL, "message: %s", diag_last());
	}
	cr_assert(eq(str, listing(""), "a b"), "nothing created");
	cr_assert(eq(str, listing("a"), ""));
	close(rfd);
}

Test(util_fileio, beneath_component_length)
{
	char name[NAME_MAX + 2];
	int rfd = root_fd(), fd;

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	fd = util_dir_open_beneath(rfd, name, UTIL_F_CREATE, "ROOT");
	cr_assert(fd >= 0, "a NAME_MAX component: %s", diag_last());
	close(fd);
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = '\0';
	cr_assert(eq(int, util_dir_open_beneath(rfd, name, UTIL_F_CREATE | UTIL_F_QUIET, "ROOT"),
		     -ENAMETOOLONG));
	close(rfd);
}

/* ---- util_path_is_clean_rel --------------------------------------------- */

Test(util_fileio, path_is_clean_rel_table)
{
	static const struct {
		const char *p;
		bool clean;
	} t[] = {
		{ "a", true },
		{ "a/b", true },
		{ "ubuntu/20.04/x86_64/5.4.0-73-generic", true },
		{ ".a", true },
		{ "..a", true },
		{ "a..", true },
		{ "...", true },
		{ "a/.b/..c", true },
		{ " ", true },
		{ "a\\..\\b", true },
		{ "", false },
		{ "/", false },
		{ "/a", false },
		{ "//a", false },
		{ "a/", false },
		{ "a//b", false },
		{ ".", false },
		{ "..", false },
		{ "./a", false },
		{ "../a", false },
		{ "a/.", false },
		{ "a/..", false },
		{ "a/./b", false },
		{ "a/../b", false },
		{ "a/b/..", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		cr_assert(eq(int, util_path_is_clean_rel(t[i].p), t[i].clean), "\"%s\"", t[i].p);
}

/* ---- util_dirs_overlap -------------------------------------------------- */

Test(util_fileio, dirs_overlap_same_child_parent)
{
	mk_dir("a");
	mk_dir("a/sub");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/sub")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a/sub"), tmp_path("a")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/sub/../sub")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_dir(), tmp_path("a/sub")), 1));
}

Test(util_fileio, dirs_overlap_siblings)
{
	mk_dir("a");
	mk_dir("ab");
	mk_dir("b");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("b")), 0));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("ab")), 0),
		  "\"a\" is a prefix of \"ab\"");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("ab"), tmp_path("a")), 0));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("ab/new")), 0));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/../b")), 0));
}

Test(util_fileio, dirs_overlap_missing_b)
{
	mk_dir("a");
	mk_dir("b");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/new")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("a/new/deeper/still")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("b/new/deeper")), 0));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a/sub-of-a-not-there"), tmp_path("a")),
		     -ENOENT), "@a must exist");
	/* a missing sibling whose name extends a's */
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("ab")), 0));
	/* a missing folder above which the tree a hangs: b would contain a */
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_dir()), 1));
}

Test(util_fileio, dirs_overlap_relative_missing_b)
{
	char old[PATH_MAX];
	int r1, r2, r3;

	mk_dir("a");
	cr_assert(getcwd(old, sizeof(old)) != NULL);
	cr_assert(eq(int, chdir(tmp_dir()), 0));
	r1 = util_dirs_overlap("a", "newdir");
	r2 = util_dirs_overlap("a", "a/new");
	r3 = util_dirs_overlap("a", "newdir/a");
	cr_assert(eq(int, chdir(old), 0));
	cr_assert(eq(int, r1, 0));
	cr_assert(eq(int, r2, 1));
	cr_assert(eq(int, r3, 0));
}

Test(util_fileio, dirs_overlap_through_symlinks)
{
	mk_dir("a");
	mk_dir("b");
	mk_link("a", "la");
	mk_link("b", "lb");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("la")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("la"), tmp_path("a")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("la/new")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("la"), tmp_path("a/new/x")), 1));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("la"), tmp_path("lb")), 0));
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("lb/new")), 0));
	/* a symlink inside b leading back into a */
	mk_link("../a", "b/back");
	cr_assert(eq(int, util_dirs_overlap(tmp_path("a"), tmp_path("b/back/out")), 1));
}

/*
 * A @b that does not exist yet but climbs back out with ".." below its
 * missing part: util_dir_open(b, true) (mkdir -p) creates "b/missing",
 * and b then names a folder inside a. The overlap check must see that.
 */
Test(util_fileio, dirs_overlap_missing_part_with_dotdot)
{
	int r, fd;

	mk_dir("a");
	mk_dir("b");
	r = util_dirs_overlap(tmp_path("a"), tmp_path("b/missing/../../a/sub"));
	/* show what the path names once created */
	fd = util_dir_open(tmp_path("b/missing/../../a/sub"), true);
	cr_assert(fd >= 0);
	cr_assert(same_inode(fd, "a/sub"), "mkdir -p made it inside a");
	close(fd);
	cr_assert(eq(int, r, 1),
		  "util_dirs_overlap(a, b/missing/../../a/sub) = %d: the path is a/sub once "
		  "created, yet it is not reported as overlapping", r);
}
