// SPDX-License-Identifier: MIT
/*
 * test_hub_walk.c - unit tests for hub/walk.c (suite hub_walk): which files
 * of a tree are kernels, what their keys say, what is passed over and
 * why, symlinks (loops, second ways in), limits, and the output order.
 *
 * Each test builds its tree in its own mkdtemp() folder under /tmp (made by
 * the suite's .init, removed by .fini). Oracles: hub.h's contract for
 * hub_walk(), the tree as built (stat for sizes and times), an order
 * computed here independently (name + ".btf" compared with strcmp), and
 * the messages, all captured with a sink that keeps every line and its
 * level (DIAG_INFO on, so the -v reasons are seen too).
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
#include <unistd.h>

#include "helpers.h"
#include "hub/hub.h"
#include "util/util.h"

/* ---- every message, with its level -------------------------------------- */

static struct {
	char text[1 << 16];
	size_t len;
	int warn, info;
} walk_log;

static void walk_sink(enum diag_level level, const char *msg)
{
	int n;

	if (level == DIAG_WARN)
		walk_log.warn++;
	else if (level == DIAG_INFO)
		walk_log.info++;
	n = snprintf(walk_log.text + walk_log.len, sizeof(walk_log.text) - walk_log.len, "%c %s\n",
		     level == DIAG_WARN ? 'W' : level == DIAG_INFO ? 'I' : 'D', msg);
	if (n > 0 && (size_t)n < sizeof(walk_log.text) - walk_log.len)
		walk_log.len += (size_t)n;
}

static void log_reset(void)
{
	walk_log.len = 0;
	walk_log.text[0] = '\0';
	walk_log.warn = walk_log.info = 0;
}

/* Lines at @level ('W', 'I') containing every one of the (NULL-ended) strings. */
static int log_count(char level, const char *s1, const char *s2)
{
	const char *p = walk_log.text;
	int n = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char line[4096];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (line[0] == level && strstr(line, s1) && (!s2 || strstr(line, s2)))
			n++;
		p += len + (e ? 1 : 0);
	}
	return n;
}

static void walk_setup(void)
{
	tmp_dir_make("btfgen-hubwalk");
	util_alloc_fail_at = 0;
	diag_level = DIAG_INFO;
	log_reset();
	diag_set_sink(walk_sink);
}

static void walk_teardown(void)
{
	diag_set_sink(NULL);
	diag_level = DIAG_WARN;
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(hub_walk, .init = walk_setup, .fini = walk_teardown, .timeout = 20);

/* ---- building trees ----------------------------------------------------- */

/* tmp_dir()/@rel: a file of @size bytes ('k'), its folders made first. */
static void mk_file(const char *rel, size_t size)
{
	char *data = malloc(size ? size : 1);

	cr_assert(data != NULL);
	memset(data, 'k', size);
	put_file(tmp_path(rel), data, size);
	free(data);
}

static void mk_link(const char *target, const char *rel)
{
	cr_assert(eq(int, symlink(target, tmp_path(rel)), 0), "symlink %s: %s", rel,
		  strerror(errno));
}

/* Walk tmp_dir()/@rel; messages are logged. */
static int do_walk(const char *rel, const struct hub_filter *f, struct hub_tree *t)
{
	return hub_walk(tmp_path(rel), f, t);
}

/* The entries' paths, in order, joined with ' '. */
static char *paths_of(const struct hub_tree *t)
{
	static char out[8192];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < t->n; i++) {
		if (i)
			strncat(out, " ", sizeof(out) - strlen(out) - 1);
		strncat(out, t->v[i].path, sizeof(out) - strlen(out) - 1);
	}
	return out;
}

static const struct hub_entry *entry(const struct hub_tree *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].path, path))
			return &t->v[i];
	cr_fatal("no entry %s (have: %s)", path, paths_of(t));
	return NULL;
}

static char *s_or_null(const char *s)
{
	return (char *)(uintptr_t)(s ? s : "(null)");
}

static void expect_key(const struct hub_entry *e, const char *id, const char *ver,
		       const char *arch, const char *release)
{
	cr_assert(eq(str, s_or_null(e->key.id), s_or_null(id)), "%s: id", e->path);
	cr_assert(eq(str, s_or_null(e->key.version_id), s_or_null(ver)), "%s: version_id",
		  e->path);
	cr_assert(eq(str, s_or_null(e->key.arch), s_or_null(arch)), "%s: arch", e->path);
	cr_assert(eq(str, s_or_null(e->key.release), s_or_null(release)), "%s: release", e->path);
}

/* Sorted as hub.h says: name + ".btf", bytewise; strictly (names are unique). */
static void expect_sorted(const struct hub_tree *t)
{
	size_t i;

	for (i = 1; i < t->n; i++) {
		char a[PATH_MAX + 8], b[PATH_MAX + 8];

		snprintf(a, sizeof(a), "%s.btf", t->v[i - 1].name);
		snprintf(b, sizeof(b), "%s.btf", t->v[i].name);
		cr_assert(strcmp(a, b) < 0, "entries %zu and %zu out of order: %s, %s", i - 1, i, a,
			  b);
	}
}

static void expect_counts(const struct hub_tree *t, size_t n, size_t passed, size_t filtered,
			  size_t same)
{
	cr_assert(eq(sz, t->n, n), "entries: %s", paths_of(t));
	cr_assert(eq(sz, t->passed_over, passed), "passed over; log:\n%s", walk_log.text);
	cr_assert(eq(sz, t->filtered_out, filtered), "filtered out");
	cr_assert(eq(sz, t->same_name, same), "same name; log:\n%s", walk_log.text);
}

/* Components of the resolved path of tmp_dir() (the folders above a walk of it). */
static int walk_dir_depth(void)
{
	char *r = realpath(tmp_dir(), NULL), *p;
	int n = 0;

	cr_assert(r != NULL);
	for (p = r; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	free(r);
	return n;
}

/* ---- the BTFHub layout -------------------------------------------------- */

Test(hub_walk, btfhub_layout_every_packaging)
{
	struct hub_tree t;
	const struct hub_entry *e;

	mk_file("ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz", 11);
	mk_file("ubuntu/20.04/x86_64/5.4.0-2-generic.btf.xz", 12);
	mk_file("ubuntu/20.04/x86_64/5.4.0-3-generic.btf", 13);
	mk_file("ubuntu/20.04/x86_64/vmlinux-5.4.0-4-generic", 14);
	mk_file("kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64.btf.tar.xz", 15);
	mk_file("debian/12/arm64/6.1.0-56-arm64.btf.tar.xz", 16);

	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t),
		     "debian/12/arm64/6.1.0-56-arm64.btf.tar.xz "
		     "kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64.btf.tar.xz "
		     "ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz "
		     "ubuntu/20.04/x86_64/5.4.0-2-generic.btf.xz "
		     "ubuntu/20.04/x86_64/5.4.0-3-generic.btf "
		     "ubuntu/20.04/x86_64/vmlinux-5.4.0-4-generic"));
	expect_counts(&t, 6, 0, 0, 0);
	expect_sorted(&t);

	e = entry(&t, "ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz");
	cr_assert(eq(str, e->name, "ubuntu/20.04/x86_64/5.4.0-1-generic"));
	cr_assert(eq(int, e->fmt, HUB_FMT_TAR_XZ));
	cr_assert(eq(u64, e->size, 11));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-1-generic");

	e = entry(&t, "ubuntu/20.04/x86_64/5.4.0-2-generic.btf.xz");
	cr_assert(eq(str, e->name, "ubuntu/20.04/x86_64/5.4.0-2-generic"));
	cr_assert(eq(int, e->fmt, HUB_FMT_XZ));
	cr_assert(eq(u64, e->size, 12));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-2-generic");

	e = entry(&t, "ubuntu/20.04/x86_64/5.4.0-3-generic.btf");
	cr_assert(eq(str, e->name, "ubuntu/20.04/x86_64/5.4.0-3-generic"));
	cr_assert(eq(int, e->fmt, HUB_FMT_BTF));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-3-generic");

	/* vmlinux-R keeps its prefix in the name; the release is R */
	e = entry(&t, "ubuntu/20.04/x86_64/vmlinux-5.4.0-4-generic");
	cr_assert(eq(str, e->name, "ubuntu/20.04/x86_64/vmlinux-5.4.0-4-generic"));
	cr_assert(eq(int, e->fmt, HUB_FMT_VMLINUX));
	cr_assert(eq(u64, e->size, 14));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-4-generic");

	/* the arch as the folder spells it */
	e = entry(&t, "kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64.btf.tar.xz");
	expect_key(e, "kylin", "V10", "aarch64", "4.19.90-24.4.v2101.ky10.aarch64");
	cr_assert(eq(int, walk_log.warn, 0), "log:\n%s", walk_log.text);
	hub_tree_free(&t);
	cr_assert(t.v == NULL && t.n == 0 && t.passed_over == 0, "freed: zeroed");
	assert_no_leaks();
}

Test(hub_walk, entry_size_and_mtime)
{
	const struct timespec times[2] = { { 1500000000, 1 }, { 1600000000, 123456789 } };
	struct hub_tree t;
	const struct hub_entry *e;
	struct stat st;

	mk_file("u/1/a/r.btf", 4096 + 3);
	cr_assert(eq(int, utimensat(AT_FDCWD, tmp_path("u/1/a/r.btf"), times, 0), 0));
	cr_assert(eq(int, stat(tmp_path("u/1/a/r.btf"), &st), 0));
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	e = entry(&t, "u/1/a/r.btf");
	cr_assert(eq(u64, e->size, 4099));
	cr_assert(eq(i64, e->mtime_ns, (s64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec));
	if (st.st_mtim.tv_nsec == 123456789)	/* the file system keeps nanoseconds */
		cr_assert(eq(i64, e->mtime_ns, 1600000000123456789ll));
	hub_tree_free(&t);
}

/* A flat folder: the key comes from the folders above the root (its resolved path). */
Test(hub_walk, flat_folder_key_from_root_path)
{
	struct hub_tree t;
	const struct hub_entry *e;

	mk_file("ubuntu/20.04/x86_64/5.4.0-73-generic.btf", 5);
	mk_file("ubuntu/20.04/x86_64/vmlinux-5.4.0-74-generic", 5);
	cr_assert(eq(int, do_walk("ubuntu/20.04/x86_64", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "5.4.0-73-generic.btf vmlinux-5.4.0-74-generic"));
	e = entry(&t, "5.4.0-73-generic.btf");
	cr_assert(eq(str, e->name, "5.4.0-73-generic"));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-73-generic");
	e = entry(&t, "vmlinux-5.4.0-74-generic");
	cr_assert(eq(str, e->name, "vmlinux-5.4.0-74-generic"));
	expect_key(e, "ubuntu", "20.04", "x86_64", "5.4.0-74-generic");
	hub_tree_free(&t);

	/* the same through trailing slashes: paths stay relative */
	cr_assert(eq(int, do_walk("ubuntu/20.04/x86_64///", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "5.4.0-73-generic.btf vmlinux-5.4.0-74-generic"));
	expect_key(&t.v[0], "ubuntu", "20.04", "x86_64", "5.4.0-73-generic");
	hub_tree_free(&t);

	/* a subtree: one folder below the root, two above it */
	cr_assert(eq(int, do_walk("ubuntu/20.04", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "x86_64/5.4.0-73-generic.btf x86_64/vmlinux-5.4.0-74-generic"));
	expect_key(&t.v[0], "ubuntu", "20.04", "x86_64", "5.4.0-73-generic");
	hub_tree_free(&t);
	assert_no_leaks();
}

/* The root's resolved path counts, not the way it was named. */
Test(hub_walk, flat_folder_through_symlink_uses_resolved_path)
{
	struct hub_tree t;

	mk_file("store/debian/12/arm64/6.1.0-56-arm64.btf.xz", 5);
	mk_link("store/debian/12/arm64", "flat");
	cr_assert(eq(int, do_walk("flat", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "6.1.0-56-arm64.btf.xz"));
	expect_key(&t.v[0], "debian", "12", "arm64", "6.1.0-56-arm64");
	hub_tree_free(&t);
}

/* A mirror with extra levels above ID/VERSION_ID/arch: the last three folders count. */
Test(hub_walk, mirror_with_extra_levels)
{
	struct hub_tree t;
	const struct hub_entry *e;

	mk_file("mirror/btfhub-archive/main/ubuntu/22.04/arm64/5.15.0-1.btf.tar.xz", 7);
	mk_file("mirror/btfhub-archive/main/centos/8/x86_64/4.18.0-1.el8.x86_64.btf.tar.xz", 7);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	expect_counts(&t, 2, 0, 0, 0);
	e = entry(&t, "mirror/btfhub-archive/main/ubuntu/22.04/arm64/5.15.0-1.btf.tar.xz");
	cr_assert(eq(str, e->name, "mirror/btfhub-archive/main/ubuntu/22.04/arm64/5.15.0-1"));
	expect_key(e, "ubuntu", "22.04", "arm64", "5.15.0-1");
	e = entry(&t, "mirror/btfhub-archive/main/centos/8/x86_64/4.18.0-1.el8.x86_64.btf.tar.xz");
	expect_key(e, "centos", "8", "x86_64", "4.18.0-1.el8.x86_64");
	hub_tree_free(&t);

	/* walked from a folder in the middle */
	cr_assert(eq(int, do_walk("mirror/btfhub-archive", NULL, &t), 0));
	e = entry(&t, "main/ubuntu/22.04/arm64/5.15.0-1.btf.tar.xz");
	expect_key(e, "ubuntu", "22.04", "arm64", "5.15.0-1");
	hub_tree_free(&t);
}

/* Fewer than three folders above a file: no ID, VERSION_ID, arch. */
Test(hub_walk, key_null_with_fewer_than_three_folders)
{
	struct hub_tree t;
	const struct hub_entry *e;
	char *real, *base;

	if (walk_dir_depth() != 2)
		cr_skip_test("%s resolves to %d levels, not /tmp/NAME: cannot place a file "
			     "with fewer than three folders above it", tmp_dir(), walk_dir_depth());
	mk_file("5.4.0-1.btf.tar.xz", 3);
	mk_file("vmlinux-6.0", 3);
	mk_file("one/6.1.btf", 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "5.4.0-1.btf.tar.xz one/6.1.btf vmlinux-6.0"));
	e = entry(&t, "5.4.0-1.btf.tar.xz");
	cr_assert(eq(str, e->name, "5.4.0-1"));
	expect_key(e, NULL, NULL, NULL, "5.4.0-1");
	cr_assert(e->key.release > e->path && e->key.release < e->path + 64, "the key lives in the entry's block");
	e = entry(&t, "vmlinux-6.0");
	expect_key(e, NULL, NULL, NULL, "6.0");
	/* one folder below, two above the root: three */
	real = realpath(tmp_dir(), NULL);
	cr_assert(real != NULL);
	base = strrchr(real, '/') + 1;
	e = entry(&t, "one/6.1.btf");
	cr_assert(eq(str, s_or_null(e->key.arch), "one"));
	cr_assert(eq(str, s_or_null(e->key.version_id), base));
	cr_assert(eq(str, s_or_null(e->key.id), "tmp"));
	free(real);
	hub_tree_free(&t);
}

/* ---- limits ------------------------------------------------------------- */

Test(hub_walk, deeper_than_max_depth_passed_over)
{
	char rel[256] = "", deep[512], file[1024], k[3][16];
	struct hub_tree t;
	const struct hub_entry *e;
	int i;

	/* d1/d2/.../d16: the deepest folder entered; d17 is passed over */
	for (i = 1; i <= HUB_WALK_MAX_DEPTH; i++)
		snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "%sd%d", i > 1 ? "/" : "", i);
	snprintf(file, sizeof(file), "%s/at-max.btf", rel);
	mk_file(file, 2);
	snprintf(deep, sizeof(deep), "%s/d%d", rel, HUB_WALK_MAX_DEPTH + 1);
	snprintf(file, sizeof(file), "%s/too-deep.btf", deep);
	mk_file(file, 2);
	snprintf(file, sizeof(file), "%s/d%d/even-deeper.btf", deep, HUB_WALK_MAX_DEPTH + 2);
	mk_file(file, 2);

	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	expect_counts(&t, 1, 1, 0, 0);
	snprintf(file, sizeof(file), "%s/at-max.btf", rel);
	e = entry(&t, file);
	snprintf(k[0], sizeof(k[0]), "d%d", HUB_WALK_MAX_DEPTH - 2);
	snprintf(k[1], sizeof(k[1]), "d%d", HUB_WALK_MAX_DEPTH - 1);
	snprintf(k[2], sizeof(k[2]), "d%d", HUB_WALK_MAX_DEPTH);
	expect_key(e, k[0], k[1], k[2], "at-max");
	cr_assert(eq(int, log_count('I', tmp_path(deep), "deeper than"), 1), "log:\n%s",
		  walk_log.text);
	hub_tree_free(&t);
	assert_no_leaks();
}

/* ---- symlinks ----------------------------------------------------------- */

/* A folder symlink to an ancestor: entered once, the loop passed over with a warning. */
Test(hub_walk, symlink_loop_to_ancestor, .timeout = 10)
{
	struct hub_tree t;

	mk_file("ubuntu/20.04/x86_64/k.btf", 3);
	mk_link("../../..", "ubuntu/20.04/x86_64/loop");	/* the root */
	mk_link(".", "ubuntu/self");				/* itself */
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "ubuntu/20.04/x86_64/k.btf"));
	expect_counts(&t, 1, 2, 0, 0);
	cr_assert(eq(int, walk_log.warn, 2), "log:\n%s", walk_log.text);
	cr_assert(eq(int, log_count('W', tmp_path("ubuntu/20.04/x86_64/loop"), "already walked"),
		     1), "log:\n%s", walk_log.text);
	cr_assert(eq(int, log_count('W', tmp_path("ubuntu/self"), "already walked"), 1), "log:\n%s",
		  walk_log.text);
	hub_tree_free(&t);
	assert_no_leaks();
}

/* A second way into a folder already walked: passed over, nothing listed twice. */
Test(hub_walk, second_symlink_into_walked_folder)
{
	struct hub_tree t;

	mk_file("a/1/x/k.btf", 3);
	mk_link("a", "b");		/* "b" sorts after "a": walked second */
	mk_link("a/1", "c");
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "a/1/x/k.btf"));
	expect_counts(&t, 1, 2, 0, 0);
	cr_assert(eq(int, log_count('W', tmp_path("b"), "already walked"), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(eq(int, log_count('W', tmp_path("c"), "already walked"), 1), "log:\n%s",
		  walk_log.text);
	hub_tree_free(&t);
}

/* The first way in, in byte order, is the one walked; the real folder then is the second. */
Test(hub_walk, symlink_sorting_first_is_walked)
{
	struct hub_tree t;

	mk_file("z/k.btf", 3);
	mk_link("z", "0-link");
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "0-link/k.btf"));
	expect_counts(&t, 1, 1, 0, 0);
	cr_assert(eq(int, log_count('W', tmp_path("z"), "already walked"), 1), "log:\n%s",
		  walk_log.text);
	hub_tree_free(&t);
}

/* Symlinks are followed: to a folder outside the root, to a file; a dangling one is passed over. */
Test(hub_walk, symlinks_followed)
{
	struct hub_tree t;
	const struct hub_entry *e;

	mk_file("outside/os/1/arch/r1.btf", 3);
	mk_file("root/real.btf", 5);
	mk_link("../outside/os", "root/ext");
	mk_link("real.btf", "root/alias.btf");
	mk_link("nowhere.btf", "root/dangling.btf");
	cr_assert(eq(int, do_walk("root", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "alias.btf ext/1/arch/r1.btf real.btf"));
	expect_counts(&t, 3, 1, 0, 0);
	e = entry(&t, "ext/1/arch/r1.btf");
	expect_key(e, "ext", "1", "arch", "r1");	/* the names of the way walked */
	e = entry(&t, "alias.btf");
	cr_assert(eq(u64, e->size, 5), "the size of the file the symlink names");
	cr_assert(eq(int, log_count('I', tmp_path("root/dangling.btf"), "passed over"), 1),
		  "log:\n%s", walk_log.text);
	hub_tree_free(&t);
}

/* ---- what is passed over ------------------------------------------------ */

/* A FIFO named like a kernel: passed over, never opened (the walk would block). */
Test(hub_walk, fifo_passed_over_without_blocking, .timeout = 10)
{
	struct hub_tree t;

	mk_file("u/1/a/k.btf", 3);
	cr_assert(eq(int, mkfifo(tmp_path("u/1/a/x.btf"), 0644), 0));
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "u/1/a/k.btf"));
	expect_counts(&t, 1, 1, 0, 0);
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/x.btf"), "FIFO"), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(eq(int, walk_log.warn, 0));
	hub_tree_free(&t);
}

Test(hub_walk, hidden_entries_passed_over)
{
	struct hub_tree t;

	mk_file("u/1/a/k.btf", 3);
	mk_file(".git/objects/aa/r.btf", 3);
	mk_file(".git/HEAD", 3);
	mk_file(".git/k2.btf", 3);
	mk_file(".hidden.btf", 3);
	mk_file("u/1/a/.k3.btf", 3);
	mk_file("u/.cache/1/a/k4.btf", 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "u/1/a/k.btf"));
	/* .git once (its files are not walked), .hidden.btf, .k3.btf, .cache */
	expect_counts(&t, 1, 4, 0, 0);
	cr_assert(eq(int, log_count('I', tmp_path(".git"), "hidden"), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(eq(int, log_count('I', ".git/", NULL), 0), "nothing inside .git looked at:\n%s",
		  walk_log.text);
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/.k3.btf"), "hidden"), 1));
	cr_assert(eq(int, walk_log.warn, 0));
	hub_tree_free(&t);
}

Test(hub_walk, markers_empty_files_and_junk_passed_over)
{
	static const char *const junk[] = {
		"u/1/a/5.4.0-2.failed",			/* BTFHub markers */
		"u/1/a/5.4.0-3.hasbtf",
		"u/1/a/README.md",			/* not kernel names */
		"u/1/a/5.4.0-4.btf.gz",
		"u/1/a/5.4.0-5.tar.xz",
		"u/1/a/.btf",				/* hidden, and only a suffix */
		"u/1/a/vmlinux-",			/* only the prefix */
		"u/1/a/btf.tar.xz",
	};
	struct hub_tree t;
	size_t i;

	mk_file("u/1/a/5.4.0-1.btf.tar.xz", 3);
	mk_file("u/1/a/5.4.0-6.btf.tar.xz", 0);	/* empty: a BTFHub placeholder */
	mk_file("u/1/a/5.4.0-7.btf", 0);
	for (i = 0; i < ARRAY_SIZE(junk); i++)
		mk_file(junk[i], 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "u/1/a/5.4.0-1.btf.tar.xz"));
	expect_counts(&t, 1, ARRAY_SIZE(junk) + 2, 0, 0);
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/5.4.0-2.failed"), "marker"), 1),
		  "log:\n%s", walk_log.text);
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/5.4.0-3.hasbtf"), "marker"), 1));
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/5.4.0-6.btf.tar.xz"), "empty"), 1));
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/5.4.0-7.btf"), "empty"), 1));
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/README.md"), "not a kernel file name"),
		     1));
	cr_assert(eq(int, log_count('I', tmp_path("u/1/a/5.4.0-4.btf.gz"),
				    "not a kernel file name"), 1));
	cr_assert(eq(int, walk_log.info, (int)(ARRAY_SIZE(junk) + 2)), "one line each:\n%s",
		  walk_log.text);
	cr_assert(eq(int, walk_log.warn, 0));
	hub_tree_free(&t);
}

/* Passed-over reasons are said at DIAG_INFO only: nothing at the default level. */
Test(hub_walk, reasons_only_with_verbose)
{
	struct hub_tree t;

	diag_level = DIAG_WARN;
	mk_file("u/1/a/k.btf", 3);
	mk_file("u/1/a/junk.txt", 3);
	mk_file("u/1/a/.hidden", 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	expect_counts(&t, 1, 2, 0, 0);
	cr_assert(eq(int, walk_log.warn + walk_log.info, 0), "log:\n%s", walk_log.text);
	hub_tree_free(&t);
}

/* ---- the same name twice ------------------------------------------------ */

Test(hub_walk, same_name_keeps_first_in_byte_order)
{
	struct hub_tree t;
	const struct hub_entry *e;

	mk_file("u/1/a/k1.btf", 3);
	mk_file("u/1/a/k1.btf.xz", 4);
	mk_file("u/1/a/k1.btf-x.btf", 5);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "u/1/a/k1.btf u/1/a/k1.btf-x.btf"));
	expect_counts(&t, 2, 0, 0, 1);
	e = entry(&t, "u/1/a/k1.btf");
	cr_assert(eq(str, e->name, "u/1/a/k1"));
	cr_assert(eq(int, e->fmt, HUB_FMT_BTF));
	cr_assert(eq(u64, e->size, 3));
	e = entry(&t, "u/1/a/k1.btf-x.btf");
	cr_assert(eq(str, e->name, "u/1/a/k1.btf-x"));
	expect_key(e, "u", "1", "a", "k1.btf-x");
	cr_assert(eq(int, walk_log.warn, 1), "one warning:\n%s", walk_log.text);
	/* names the file dropped, the file kept and the output both would give */
	cr_assert(eq(int, log_count('W', tmp_path("u/1/a/k1.btf.xz"),
				    "same kernel as u/1/a/k1.btf ("), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(eq(int, log_count('W', tmp_path("u/1/a/k1.btf.xz"), "u/1/a/k1.btf)"), 1),
		  "log:\n%s", walk_log.text);
	hub_tree_free(&t);
	assert_no_leaks();
}

Test(hub_walk, same_name_every_packaging)
{
	struct hub_tree t;

	/* four files that all give u/1/a/r.btf; the first path in byte order stays */
	mk_file("u/1/a/r.btf.tar.xz", 3);
	mk_file("u/1/a/r.btf.xz", 3);
	mk_file("u/1/a/r.btf", 3);
	/* vmlinux-5 and vmlinux-5.btf both give vmlinux-5.btf */
	mk_file("u/1/a/vmlinux-5", 3);
	mk_file("u/1/a/vmlinux-5.btf", 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t), "u/1/a/r.btf u/1/a/vmlinux-5"));
	expect_counts(&t, 2, 0, 0, 3);
	cr_assert(eq(int, t.v[1].fmt, HUB_FMT_VMLINUX));
	cr_assert(eq(int, walk_log.warn, 3), "log:\n%s", walk_log.text);
	hub_tree_free(&t);
	assert_no_leaks();
}

/* ---- filters ------------------------------------------------------------ */

static void filter_tree(void)
{
	mk_file("ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz", 3);
	mk_file("ubuntu/20.04/x86_64/5.8.0-1.btf.tar.xz", 3);
	mk_file("ubuntu/22.04/arm64/5.15.0-1.btf.tar.xz", 3);
	mk_file("kylin/V10/aarch64/4.19.90-1.btf.tar.xz", 3);
	mk_file("debian/12/amd64/6.1.0-1.btf.tar.xz", 3);
}

Test(hub_walk, filter_counts_filtered_out)
{
	struct hub_filter f = { .arch = "arm64" };
	struct hub_tree t;

	filter_tree();
	mk_file("ubuntu/20.04/x86_64/junk.txt", 3);
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	cr_assert(eq(str, paths_of(&t), "kylin/V10/aarch64/4.19.90-1.btf.tar.xz "
					"ubuntu/22.04/arm64/5.15.0-1.btf.tar.xz"));
	expect_counts(&t, 2, 1, 3, 0);
	cr_assert(eq(int, walk_log.warn, 0));
	hub_tree_free(&t);

	f = (struct hub_filter){ .arch = "x86_64" };
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	cr_assert(eq(str, paths_of(&t), "debian/12/amd64/6.1.0-1.btf.tar.xz "
					"ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz "
					"ubuntu/20.04/x86_64/5.8.0-1.btf.tar.xz"));
	expect_counts(&t, 3, 1, 2, 0);
	hub_tree_free(&t);

	f = (struct hub_filter){ .id = "ubuntu", .release_glob = "5.[48].*" };
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	cr_assert(eq(str, paths_of(&t), "ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz "
					"ubuntu/20.04/x86_64/5.8.0-1.btf.tar.xz"));
	expect_counts(&t, 2, 1, 3, 0);
	hub_tree_free(&t);

	f = (struct hub_filter){ .version_id = "V10" };
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	cr_assert(eq(str, paths_of(&t), "kylin/V10/aarch64/4.19.90-1.btf.tar.xz"));
	expect_counts(&t, 1, 1, 4, 0);
	hub_tree_free(&t);

	f = (struct hub_filter){ .id = "fedora" };
	cr_assert(eq(int, do_walk("", &f, &t), 0), "no kernel selected is not an error");
	expect_counts(&t, 0, 1, 5, 0);
	hub_tree_free(&t);
	assert_no_leaks();
}

/* A file without key fields never matches a filter on them, and is counted. */
Test(hub_walk, filter_on_missing_key_fields)
{
	struct hub_filter f = { .id = "ubuntu" };
	struct hub_tree t;

	if (walk_dir_depth() != 2)
		cr_skip_test("%s resolves to %d levels, not /tmp/NAME", tmp_dir(),
			     walk_dir_depth());
	mk_file("5.4.0-1.btf", 3);
	mk_file("ubuntu/20.04/x86_64/5.4.0-1.btf", 3);
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	cr_assert(eq(str, paths_of(&t), "ubuntu/20.04/x86_64/5.4.0-1.btf"));
	expect_counts(&t, 1, 0, 1, 0);
	hub_tree_free(&t);
	f = (struct hub_filter){ .release_glob = "5.4.0-*" };
	cr_assert(eq(int, do_walk("", &f, &t), 0));
	expect_counts(&t, 2, 0, 0, 0);
	hub_tree_free(&t);
}

/* ---- order -------------------------------------------------------------- */

Test(hub_walk, sorted_by_output_path)
{
	struct hub_tree t;

	/* walked as a/, a-b.btf, a.b.btf, a.btf, ...; listed by NAME.btf */
	mk_file("a/x.btf", 3);
	mk_file("a.btf", 3);
	mk_file("a-b.btf", 3);
	mk_file("a.b.btf", 3);
	mk_file("A.btf", 3);
	mk_file("a0.btf.xz", 3);
	mk_file("b.btf.tar.xz", 3);
	mk_file("vmlinux-1", 3);
	mk_file("x/a.btf", 3);
	mk_file("x-y/a.btf", 3);
	mk_file("x.y/a.btf", 3);
	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	cr_assert(eq(str, paths_of(&t),
		     "A.btf a-b.btf a.b.btf a.btf a/x.btf a0.btf.xz b.btf.tar.xz vmlinux-1 "
		     "x-y/a.btf x.y/a.btf x/a.btf"));
	expect_sorted(&t);
	expect_counts(&t, 11, 0, 0, 0);
	hub_tree_free(&t);
}

/* ---- errors ------------------------------------------------------------- */

Test(hub_walk, root_missing)
{
	struct hub_tree t;

	memset(&t, 0x5a, sizeof(t));
	cr_assert(eq(int, do_walk("no-such-folder", NULL, &t), -ENOENT));
	cr_assert(eq(int, walk_log.warn, 1), "one message:\n%s", walk_log.text);
	cr_assert(eq(int, walk_log.info, 0));
	cr_assert(eq(int, log_count('W', tmp_path("no-such-folder"), NULL), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(t.v == NULL && t.n == 0 && t.passed_over == 0 && t.filtered_out == 0 &&
		  t.same_name == 0, "tree emptied");
	hub_tree_free(&t);
	assert_no_leaks();
}

Test(hub_walk, root_is_a_file)
{
	struct hub_tree t;

	mk_file("k.btf", 3);
	cr_assert(eq(int, do_walk("k.btf", NULL, &t), -ENOTDIR));
	cr_assert(eq(int, walk_log.warn, 1), "one message:\n%s", walk_log.text);
	cr_assert(eq(int, log_count('W', tmp_path("k.btf"), "not a folder"), 1), "log:\n%s",
		  walk_log.text);
	cr_assert(t.v == NULL && t.n == 0);
	hub_tree_free(&t);
}

Test(hub_walk, empty_root)
{
	struct hub_tree t;

	cr_assert(eq(int, do_walk("", NULL, &t), 0));
	expect_counts(&t, 0, 0, 0, 0);
	cr_assert(eq(int, walk_log.warn + walk_log.info, 0));
	hub_tree_free(&t);
}

/* Every allocation failure gives -ENOMEM, an empty tree, and no leak. */
Test(hub_walk, allocation_failures)
{
	struct hub_tree t, want;
	char want_paths[1024];
	unsigned long n;
	int err = -1;

	mk_file("ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz", 3);
	mk_file("ubuntu/20.04/x86_64/5.4.0-1.btf", 3);
	mk_file("ubuntu/20.04/x86_64/junk", 3);
	mk_file("k.btf", 3);
	mk_link("ubuntu", "loop");
	cr_assert(eq(int, do_walk("", NULL, &want), 0));
	for (n = 1; n < 1000; n++) {
		log_reset();
		util_alloc_fail_at = n;
		err = do_walk("", NULL, &t);
		util_alloc_fail_at = 0;
		if (!err)
			break;
		cr_assert(eq(int, err, -ENOMEM), "allocation %lu", n);
		cr_assert(t.v == NULL && t.n == 0, "allocation %lu: tree emptied", n);
		cr_assert(eq(int, log_count('W', "out of memory", NULL), 1),
			  "allocation %lu: one 'out of memory':\n%s", n, walk_log.text);
		assert_no_leaks();
	}
	cr_assert(eq(int, err, 0));
	snprintf(want_paths, sizeof(want_paths), "%s", paths_of(&want));
	cr_assert(eq(str, paths_of(&t), want_paths));
	cr_assert(eq(sz, t.same_name, want.same_name));
	hub_tree_free(&t);
	hub_tree_free(&want);
	assert_no_leaks();
}
