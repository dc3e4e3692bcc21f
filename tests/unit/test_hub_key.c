// SPDX-License-Identifier: MIT
/*
 * test_hub_key.c - unit tests for hub/key.c and hub_sha256_hex() (suite
 * hub_key): architecture aliases, what a file name says about a kernel,
 * the kernel filters, the dedup names, and the SHA-256 used for the
 * manifest.
 *
 * Oracles:
 *   - hub.h's documented contract, written out as tables by hand (every
 *     packaging suffix, names that are only a suffix, the exact release
 *     offset and length for each);
 *   - for SHA-256: FIPS 180-2 vectors, lengths around the 55/56/64-byte
 *     padding boundaries, and a 1 MiB buffer, all computed with Python's
 *     hashlib when the test was written, and the 1 MiB buffer also hashed
 *     by sha256sum(1) at test time when that tool is present.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub.h"
#include "util/util.h"

static void setup(void)
{
	util_alloc_fail_at = 0;
}

TestSuite(hub_key, .init = setup, .timeout = 30);

static char *key_cstr(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* ---- architectures ------------------------------------------------------ */

Test(hub_key, arch_canon_aliases)
{
	cr_assert(eq(str, key_cstr(hub_arch_canon("aarch64")), "arm64"));
	cr_assert(eq(str, key_cstr(hub_arch_canon("arm64")), "arm64"));
	cr_assert(eq(str, key_cstr(hub_arch_canon("amd64")), "x86_64"));
	cr_assert(eq(str, key_cstr(hub_arch_canon("x86_64")), "x86_64"));
}

Test(hub_key, arch_canon_leaves_others_unchanged)
{
	static const char *const others[] = { "riscv64", "s390x", "ppc64le", "i386", "arm",
					      "AARCH64", "Amd64", "x86-64", "aarch64 ", "",
					      "arm64be", "amd" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		const char *c = hub_arch_canon(others[i]);

		/* "anything else unchanged": the very string given */
		cr_assert(eq(ptr, (void *)(uintptr_t)c, (void *)(uintptr_t)others[i]),
			  "hub_arch_canon(\"%s\") = \"%s\"", others[i], c);
	}
}

Test(hub_key, arch_eq_table)
{
	static const struct {
		const char *a, *b;
		bool eq;
	} t[] = {
		{ "arm64", "aarch64", true },
		{ "aarch64", "arm64", true },
		{ "aarch64", "aarch64", true },
		{ "arm64", "arm64", true },
		{ "x86_64", "amd64", true },
		{ "amd64", "x86_64", true },
		{ "amd64", "amd64", true },
		{ "x86_64", "x86_64", true },
		{ "x86_64", "arm64", false },
		{ "amd64", "aarch64", false },
		{ "aarch64", "x86_64", false },
		{ "riscv64", "riscv64", true },
		{ "riscv64", "s390x", false },
		{ "riscv64", "x86_64", false },
		{ "arm64", "AARCH64", false },
		{ "", "", true },
		{ "", "x86_64", false },
		{ NULL, "x86_64", false },
		{ "x86_64", NULL, false },
		{ NULL, "riscv64", false },
		{ NULL, NULL, false },	/* NULL equals nothing, not even NULL */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		cr_assert(eq(int, hub_arch_eq(t[i].a, t[i].b), t[i].eq),
			  "hub_arch_eq(%s, %s)", t[i].a ? t[i].a : "NULL",
			  t[i].b ? t[i].b : "NULL");
}

/* ---- kernel file names -------------------------------------------------- */

struct name_case {
	const char *name;
	enum hub_fmt fmt;
	size_t off, len;	/* the release, when fmt != HUB_FMT_NONE */
};

static void check_names(const struct name_case *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t off = 0xdead, len = 0xbeef;
		enum hub_fmt fmt = hub_kernel_name(t[i].name, &off, &len);

		cr_assert(eq(int, fmt, t[i].fmt), "hub_kernel_name(\"%s\")", t[i].name);
		if (t[i].fmt == HUB_FMT_NONE)
			continue;
		cr_assert(eq(sz, off, t[i].off), "\"%s\": release offset", t[i].name);
		cr_assert(eq(sz, len, t[i].len), "\"%s\": release length", t[i].name);
		cr_assert(len > 0 && off + len <= strlen(t[i].name), "\"%s\"", t[i].name);
	}
}

Test(hub_key, kernel_name_every_packaging)
{
	static const struct name_case t[] = {
		{ "5.4.0-73-generic.btf.tar.xz", HUB_FMT_TAR_XZ, 0, 16 },
		{ "5.4.0-73-generic.btf.xz", HUB_FMT_XZ, 0, 16 },
		{ "5.4.0-73-generic.btf", HUB_FMT_BTF, 0, 16 },
		{ "vmlinux-5.4.0-73-generic", HUB_FMT_VMLINUX, 8, 16 },
		{ "4.19.90-24.4.v2101.ky10.aarch64.btf.tar.xz", HUB_FMT_TAR_XZ, 0, 31 },
		{ "6.12.117+deb12-amd64.btf.xz", HUB_FMT_XZ, 0, 20 },
		/* one-character releases */
		{ "x.btf.tar.xz", HUB_FMT_TAR_XZ, 0, 1 },
		{ "x.btf.xz", HUB_FMT_XZ, 0, 1 },
		{ "x.btf", HUB_FMT_BTF, 0, 1 },
		{ "vmlinux-x", HUB_FMT_VMLINUX, 8, 1 },
		/* the longest suffix wins; what is left is the release */
		{ "a.btf.btf", HUB_FMT_BTF, 0, 5 },
		{ "a.btf.xz.btf", HUB_FMT_BTF, 0, 8 },
		{ "a.btf.xz.btf.xz", HUB_FMT_XZ, 0, 8 },
		{ "a.tar.xz.btf", HUB_FMT_BTF, 0, 8 },
		{ "a.btf.tar.xz.btf.tar.xz", HUB_FMT_TAR_XZ, 0, 12 },
		{ "..btf", HUB_FMT_BTF, 0, 1 },
		{ "vmlinux-vmlinux-1", HUB_FMT_VMLINUX, 8, 9 },
		{ "vmlinux--", HUB_FMT_VMLINUX, 8, 1 },
	};

	check_names(t, ARRAY_SIZE(t));
}

Test(hub_key, kernel_name_only_a_suffix_is_none)
{
	static const struct name_case t[] = {
		{ "", HUB_FMT_NONE, 0, 0 },
		{ ".btf", HUB_FMT_NONE, 0, 0 },
		{ ".btf.xz", HUB_FMT_NONE, 0, 0 },
		{ ".btf.tar.xz", HUB_FMT_NONE, 0, 0 },
		{ "vmlinux-", HUB_FMT_NONE, 0, 0 },
		{ "vmlinux", HUB_FMT_NONE, 0, 0 },
		{ "btf", HUB_FMT_NONE, 0, 0 },
		{ "vmlinuz-5.4.0", HUB_FMT_NONE, 0, 0 },
		{ "Vmlinux-5.4.0", HUB_FMT_NONE, 0, 0 },
		{ "x.tar.xz", HUB_FMT_NONE, 0, 0 },
		{ "x.btf.gz", HUB_FMT_NONE, 0, 0 },
		{ "x.btf.tar.gz", HUB_FMT_NONE, 0, 0 },
		{ "x.btf.tar", HUB_FMT_NONE, 0, 0 },
		{ "x.xz", HUB_FMT_NONE, 0, 0 },
		{ "x.tar", HUB_FMT_NONE, 0, 0 },
		{ "x.BTF", HUB_FMT_NONE, 0, 0 },
		{ "x.btf ", HUB_FMT_NONE, 0, 0 },
		{ "x.btfx", HUB_FMT_NONE, 0, 0 },
		{ "x.btf.xz~", HUB_FMT_NONE, 0, 0 },
		{ "x.btf.tar.xz.failed", HUB_FMT_NONE, 0, 0 },
		{ "5.4.0-1.hasbtf", HUB_FMT_NONE, 0, 0 },
		{ "README.md", HUB_FMT_NONE, 0, 0 },
	};

	check_names(t, ARRAY_SIZE(t));
}

/* The release the name announces, spelled out: name + off, len bytes. */
Test(hub_key, kernel_name_release_text)
{
	static const struct {
		const char *name, *release;
	} t[] = {
		{ "ubuntu-5.4.0-73-generic.btf.tar.xz", "ubuntu-5.4.0-73-generic" },
		{ "5.10.0-1.btf.xz", "5.10.0-1" },
		{ "host.btf", "host" },
		{ "vmlinux-6.1.0-56-cloud-amd64", "6.1.0-56-cloud-amd64" },
	};
	size_t i, off, len;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		cr_assert(hub_kernel_name(t[i].name, &off, &len) != HUB_FMT_NONE);
		cr_assert(eq(sz, len, strlen(t[i].release)), "%s", t[i].name);
		cr_assert(eq(int, memcmp(t[i].name + off, t[i].release, len), 0), "%s", t[i].name);
	}
}

/* ---- filters ------------------------------------------------------------ */

static const struct hub_key ubuntu = { "ubuntu", "20.04", "x86_64", "5.4.0-73-generic" };
static const struct hub_key kylin = { "kylin", "V10", "aarch64", "4.19.90-24.4.v2101.ky10.aarch64" };
static const struct hub_key bare = { NULL, NULL, NULL, "5.4.0-73-generic" };
static const struct hub_key nothing = { NULL, NULL, NULL, NULL };

Test(hub_key, filter_null_and_empty_match_everything)
{
	const struct hub_filter empty = { 0 };

	cr_assert(hub_filter_match(NULL, &ubuntu));
	cr_assert(hub_filter_match(NULL, &nothing));
	cr_assert(hub_filter_match(&empty, &ubuntu));
	cr_assert(hub_filter_match(&empty, &kylin));
	cr_assert(hub_filter_match(&empty, &bare));
	cr_assert(hub_filter_match(&empty, &nothing));
}

Test(hub_key, filter_id)
{
	struct hub_filter f = { .id = "ubuntu" };

	cr_assert(hub_filter_match(&f, &ubuntu));
	cr_assert(not(hub_filter_match(&f, &kylin)));
	cr_assert(not(hub_filter_match(&f, &bare)), "a key without ID never matches an ID filter");
	cr_assert(not(hub_filter_match(&f, &nothing)));
	f.id = "Ubuntu";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.id = "ubunt";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.id = "";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
}

Test(hub_key, filter_version_id)
{
	struct hub_filter f = { .version_id = "20.04" };

	cr_assert(hub_filter_match(&f, &ubuntu));
	cr_assert(not(hub_filter_match(&f, &kylin)));
	cr_assert(not(hub_filter_match(&f, &bare)));
	f.version_id = "20.4";
	cr_assert(not(hub_filter_match(&f, &ubuntu)), "compared as text, not as numbers");
	f.version_id = "V10";
	cr_assert(hub_filter_match(&f, &kylin));
	f.version_id = "v10";
	cr_assert(not(hub_filter_match(&f, &kylin)));
}

Test(hub_key, filter_arch_with_aliases)
{
	struct hub_filter f = { .arch = "amd64" };

	cr_assert(hub_filter_match(&f, &ubuntu));
	cr_assert(not(hub_filter_match(&f, &kylin)));
	cr_assert(not(hub_filter_match(&f, &bare)));
	f.arch = "x86_64";
	cr_assert(hub_filter_match(&f, &ubuntu));
	f.arch = "arm64";
	cr_assert(hub_filter_match(&f, &kylin), "arm64 selects a folder spelled aarch64");
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.arch = "aarch64";
	cr_assert(hub_filter_match(&f, &kylin));
	f.arch = "riscv64";
	cr_assert(not(hub_filter_match(&f, &kylin)));
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
}

Test(hub_key, filter_arch_unknown)
{
	const struct hub_key rv = { "debian", "13", "riscv64", "6.12.0-1-riscv64" };
	struct hub_filter f = { .arch = "riscv64" };

	cr_assert(hub_filter_match(&f, &rv));
	f.arch = "RISCV64";
	cr_assert(not(hub_filter_match(&f, &rv)));
}

Test(hub_key, filter_release_glob)
{
	static const struct {
		const char *glob;
		bool ubuntu, kylin;
	} t[] = {
		{ "*", true, true },
		{ "5.4.*", true, false },
		{ "5.4.0-73-generic", true, false },
		{ "5.4.0-73", false, false },	/* the whole release must match */
		{ "*generic", true, false },
		{ "*-generic*", true, false },
		{ "4.19.*aarch64", false, true },
		{ "[45].*", true, true },
		{ "[!4]*", true, false },
		{ "?.?.?-[0-9]?-generic", true, false },
		{ "?.?", false, false },
		{ "5.15.*", false, false },
		{ "", false, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct hub_filter f = { .release_glob = t[i].glob };

		cr_assert(eq(int, hub_filter_match(&f, &ubuntu), t[i].ubuntu), "glob \"%s\"",
			  t[i].glob);
		cr_assert(eq(int, hub_filter_match(&f, &kylin), t[i].kylin), "glob \"%s\"",
			  t[i].glob);
		cr_assert(not(hub_filter_match(&f, &nothing)), "glob \"%s\" on no release",
			  t[i].glob);
	}
}

Test(hub_key, filter_null_key_fields_never_match_a_set_field)
{
	const struct hub_filter fs[] = {
		{ .id = "ubuntu" },
		{ .version_id = "20.04" },
		{ .arch = "x86_64" },
		{ .release_glob = "*" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fs); i++)
		cr_assert(not(hub_filter_match(&fs[i], &nothing)), "filter #%zu", i);
	/* a bare key (release only) still matches a release filter */
	cr_assert(not(hub_filter_match(&fs[0], &bare)));
	cr_assert(not(hub_filter_match(&fs[1], &bare)));
	cr_assert(not(hub_filter_match(&fs[2], &bare)));
	cr_assert(hub_filter_match(&fs[3], &bare));
}

Test(hub_key, filter_all_fields_must_match)
{
	struct hub_filter f = { "ubuntu", "20.04", "amd64", "5.4.*" };

	cr_assert(hub_filter_match(&f, &ubuntu));
	f.id = "debian";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.id = "ubuntu";
	f.version_id = "22.04";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.version_id = "20.04";
	f.arch = "arm64";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.arch = "x86_64";
	f.release_glob = "6.*";
	cr_assert(not(hub_filter_match(&f, &ubuntu)));
	f.release_glob = NULL;
	cr_assert(hub_filter_match(&f, &ubuntu));
}

/* ---- dedup names -------------------------------------------------------- */

Test(hub_key, dedup_parse_and_name)
{
	cr_assert(eq(int, hub_dedup_parse("hardlink"), HUB_DEDUP_HARDLINK));
	cr_assert(eq(int, hub_dedup_parse("symlink"), HUB_DEDUP_SYMLINK));
	cr_assert(eq(int, hub_dedup_parse("copy"), HUB_DEDUP_COPY));
	cr_assert(eq(str, key_cstr(hub_dedup_name(HUB_DEDUP_HARDLINK)), "hardlink"));
	cr_assert(eq(str, key_cstr(hub_dedup_name(HUB_DEDUP_SYMLINK)), "symlink"));
	cr_assert(eq(str, key_cstr(hub_dedup_name(HUB_DEDUP_COPY)), "copy"));
}

Test(hub_key, dedup_round_trip)
{
	const enum hub_dedup all[] = { HUB_DEDUP_HARDLINK, HUB_DEDUP_SYMLINK, HUB_DEDUP_COPY };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		cr_assert(eq(int, hub_dedup_parse(hub_dedup_name(all[i])), all[i]));
}

Test(hub_key, dedup_parse_refuses_others)
{
	static const char *const bad[] = { "", "Hardlink", "HARDLINK", "hard", "link", "copy ",
					   " copy", "symlinks", "hardlink\n", "none", "reflink" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert(eq(int, hub_dedup_parse(bad[i]), -1), "\"%s\"", bad[i]);
}

/* ---- SHA-256 ------------------------------------------------------------ */

static void check_sha(const void *data, size_t size, const char *want)
{
	char out[65];

	memset(out, 'X', sizeof(out));
	hub_sha256_hex(data, size, out);
	cr_assert(eq(chr, out[64], '\0'), "NUL-terminated");
	cr_assert(eq(str, out, key_cstr(want)), "SHA-256 of %zu bytes", size);
}

Test(hub_key, sha256_fips_vectors)
{
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(hub_key, sha256_unaligned_input)
{
	char buf[8] = "xabc";

	check_sha(buf + 1, 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(hub_key, sha256_padding_boundaries)
{
	static const struct {
		size_t n;
		const char *hex;
	} t[] = {	/* hashlib.sha256(b'a' * n) */
		{ 1, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" },
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *buf = malloc(t[i].n);	/* exact size: ASan sees any overread */

		cr_assert(buf != NULL);
		memset(buf, 'a', t[i].n);
		check_sha(buf, t[i].n, t[i].hex);
		free(buf);
	}
}

Test(hub_key, sha256_million_a)
{
	size_t n = 1000000;
	char *buf = malloc(n);

	cr_assert(buf != NULL);
	memset(buf, 'a', n);
	check_sha(buf, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

/* 1 MiB of (i * 7 + 3) & 0xff: the constant from hashlib, and sha256sum(1) when present. */
Test(hub_key, sha256_one_mib)
{
	static const char want[] = "172c15dc2e12b50e523d8e657cbe7fbb11c1053252bbf1e1431077d57d8128fd";
	size_t n = 1u << 20, i;
	u8 *buf = malloc(n);
	char tmpl[] = "/tmp/btfgen-hubkey-XXXXXX", cmd[128], line[128] = "";
	FILE *f;
	int fd;

	cr_assert(buf != NULL);
	for (i = 0; i < n; i++)
		buf[i] = (u8)(i * 7 + 3);
	check_sha(buf, n, want);

	fd = mkstemp(tmpl);
	cr_assert(fd >= 0);
	cr_assert(eq(sz, (size_t)write(fd, buf, n), n));
	close(fd);
	snprintf(cmd, sizeof(cmd), "sha256sum %s 2>/dev/null", tmpl);
	f = popen(cmd, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		pclose(f);
	}
	unlink(tmpl);
	free(buf);
	if (strlen(line) >= 64) {
		line[64] = '\0';
		cr_assert(eq(str, line, key_cstr(want)), "sha256sum disagrees with the constant");
	}
}
