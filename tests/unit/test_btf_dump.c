// SPDX-License-Identifier: MIT
/*
 * test_btf_dump.c - btf_dump_raw() against bpftool's "btf dump file X
 * format raw", byte for byte.
 *
 * Oracles, from cheapest to most thorough:
 *   - tests/fixtures/btf/all_kinds.raw: bpftool v7.1's dump of the checked-in
 *     all_kinds.btf (every kind and every odd corner of the format: INT
 *     encodings 0..7, FUNC/VAR linkage 0..3, signed and unsigned ENUM and
 *     ENUM64, kflag bitfields, FWD union, DATASEC entries naming non-VARs and
 *     void, an empty non-zero name). Works without bpftool.
 *   - bpftool itself, run at test time (popen) on the fixture, on
 *     /sys/kernel/btf/vmlinux and on every corpus kernels/vmlinux-*.btf.
 *     Each is skipped, saying why, when bpftool or the input is absent.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/btf.h"
#include "helpers.h"
#include "util/util.h"

#define FIXTURE_DIR "tests/fixtures/btf/"
#define VMLINUX "/sys/kernel/btf/vmlinux"

static void setup(void)
{
	diag_capture_begin();
}

static void teardown(void)
{
	diag_capture_end();
	util_alloc_fail_at = 0;
}

TestSuite(btf_dump, .init = setup, .fini = teardown, .timeout = 60);

/* ---- bpftool ---------------------------------------------------------- */

/* bpftool's path (it lives in /usr/sbin, often not in a user's PATH), or NULL. */
static const char *find_bpftool(void)
{
	static char found[4096];
	static const char *const fixed[] = { "/usr/sbin/bpftool", "/sbin/bpftool",
					     "/usr/local/sbin/bpftool" };
	const char *path = getenv("PATH");
	size_t i;

	if (found[0])
		return found;
	while (path && *path) {
		const char *colon = strchr(path, ':');
		int n = colon ? (int)(colon - path) : (int)strlen(path);

		snprintf(found, sizeof(found), "%.*s/bpftool", n, path);
		if (n && access(found, X_OK) == 0)
			return found;
		path = colon ? colon + 1 : NULL;
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (access(fixed[i], X_OK) == 0) {
			snprintf(found, sizeof(found), "%s", fixed[i]);
			return found;
		}
	}
	found[0] = '\0';
	return NULL;
}

/* Append @s to @cmd single-quoted for sh. */
static void shell_quote(char *cmd, size_t cap, const char *s)
{
	size_t n = strlen(cmd);

	if (n + 1 < cap)
		cmd[n++] = '\'';
	for (; *s && n + 5 < cap; s++) {
		if (*s == '\'') {
			memcpy(cmd + n, "'\\''", 4);
			n += 4;
		} else {
			cmd[n++] = *s;
		}
	}
	if (n + 1 < cap)
		cmd[n++] = '\'';
	cmd[n] = '\0';
}

/* bpftool's raw dump of @path as a malloc'd string (asserts it ran fine). */
static char *bpftool_dump(const char *bpftool, const char *path)
{
	char cmd[8192] = "";
	size_t len = 0, cap = 1 << 20;
	char *out = malloc(cap);
	FILE *p;
	int status;

	cr_assert(out != NULL);
	shell_quote(cmd, sizeof(cmd), bpftool);
	strcat(cmd, " btf dump file ");
	shell_quote(cmd, sizeof(cmd), path);
	strcat(cmd, " format raw");
	p = popen(cmd, "r");
	cr_assert(p != NULL, "popen(%s) failed", cmd);
	for (;;) {
		size_t n;

		if (cap - len < 2) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert(out != NULL);
		}
		n = fread(out + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	out[len] = '\0';
	status = pclose(p);
	cr_assert(eq(int, status, 0), "`%s` failed (status %d)", cmd, status);
	return out;
}

/* Parse @path with btf_parse() and dump it; the caller frees the text. */
static char *our_dump(const char *path, bool *swapped)
{
	struct btf *btf;
	size_t size;
	void *data = read_file(path, &size);
	char *text;
	int err;

	cr_assert(data != NULL, "can't read %s", path);
	err = btf_parse(data, size, path, &btf);
	cr_assert(eq(int, err, 0), "btf_parse(%s) = %d: %s", path, err, diag_last());
	free(data);
	if (swapped)
		*swapped = btf->swapped;
	text = dump_btf(btf);
	cr_assert(text != NULL, "btf_dump_raw(%s) failed", path);
	btf_free(btf);
	return text;
}

static void check_against_bpftool(const char *bpftool, const char *path)
{
	char *want = bpftool_dump(bpftool, path);
	char *got = our_dump(path, NULL);

	assert_same_text(got, want, path);
	free(got);
	free(want);
}

/* ---- checked-in oracle ------------------------------------------------ */

Test(btf_dump, all_kinds_fixture_matches_recorded_bpftool_output)
{
	size_t size;
	char *want = read_file(FIXTURE_DIR "all_kinds.raw", &size);
	char *got = our_dump(FIXTURE_DIR "all_kinds.btf", NULL);

	cr_assert(want != NULL, "missing " FIXTURE_DIR "all_kinds.raw");
	assert_same_text(got, want, "all_kinds.btf");
	cr_assert(eq(int, diag_lines(), 0));
	free(got);
	free(want);
	assert_no_leaks();
}

Test(btf_dump, big_endian_fixture_dumps_like_little_endian)
{
	size_t size;
	char *want = read_file(FIXTURE_DIR "all_kinds.raw", &size);
	bool swapped = false;
	char *got = our_dump(FIXTURE_DIR "all_kinds.be.btf", &swapped);

	cr_assert(want != NULL);
	cr_assert(swapped, "all_kinds.be.btf should parse as swapped");
	assert_same_text(got, want, "all_kinds.be.btf");
	free(got);
	free(want);
	assert_no_leaks();
}

Test(btf_dump, no_types_dumps_nothing)
{
	/* header + empty type section + "" */
	static const u8 blob[] = {
		0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	struct btf *btf;
	char *text;

	cr_assert(eq(int, btf_parse(blob, sizeof(blob), "empty", &btf), 0));
	text = dump_btf(btf);
	cr_assert(text != NULL);
	cr_assert(eq(str, text, ""));
	free(text);
	btf_free(btf);
	assert_no_leaks();
}

Test(btf_dump, write_error_is_eio)
{
	size_t size;
	void *data = read_file(FIXTURE_DIR "all_kinds.btf", &size);
	struct btf *btf;
	FILE *f;

	cr_assert(data != NULL);
	cr_assert(eq(int, btf_parse(data, size, "all_kinds", &btf), 0));
	free(data);

	/* a stream opened for reading only: every write fails */
	f = fopen(FIXTURE_DIR "all_kinds.raw", "r");
	cr_assert(f != NULL);
	cr_assert(eq(int, btf_dump_raw(btf, f), -EIO));
	fclose(f);

	/* /dev/full: the writes are buffered, the failure shows at the flush */
	f = fopen("/dev/full", "w");
	if (f) {
		cr_assert(eq(int, btf_dump_raw(btf, f), -EIO));
		fclose(f);
	}
	btf_free(btf);
	assert_no_leaks();
}

/* ---- live bpftool ----------------------------------------------------- */

Test(btf_dump, all_kinds_fixture_matches_live_bpftool)
{
	const char *bpftool = find_bpftool();

	if (!bpftool)
		cr_skip_test("bpftool not installed (apt-get install bpftool): nothing to compare with");
	check_against_bpftool(bpftool, FIXTURE_DIR "all_kinds.btf");
	check_against_bpftool(bpftool, FIXTURE_DIR "all_kinds.be.btf");
	assert_no_leaks();
}

Test(btf_dump, running_kernel_matches_bpftool)
{
	const char *bpftool = find_bpftool();

	if (access(VMLINUX, R_OK) != 0)
		cr_skip_test(VMLINUX " is absent (kernel without CONFIG_DEBUG_INFO_BTF)");
	if (!bpftool)
		cr_skip_test("bpftool not installed (apt-get install bpftool): nothing to compare with");
	check_against_bpftool(bpftool, VMLINUX);
	assert_no_leaks();
}

Test(btf_dump, corpus_kernels_match_bpftool)
{
	const char *bpftool = find_bpftool();
	char pattern[4096];
	glob_t g;
	size_t i;
	int rc;

	snprintf(pattern, sizeof(pattern), "%s/kernels/vmlinux-*.btf", corpus_dir());
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH)
		cr_skip_test("no corpus kernels match %s (set BTFGEN_CORPUS)", pattern);
	cr_assert(eq(int, rc, 0), "glob(%s) failed", pattern);
	if (!bpftool) {
		globfree(&g);
		cr_skip_test("bpftool not installed (apt-get install bpftool): nothing to compare with");
	}
	for (i = 0; i < g.gl_pathc; i++)
		check_against_bpftool(bpftool, g.gl_pathv[i]);
	globfree(&g);
	assert_no_leaks();
}
