// SPDX-License-Identifier: MIT
/*
 * test_hub_match.c - unit tests for hub/match.c with hub/collection.c
 * (suite hub_match): which entry of a collection is a host's kernel BTF.
 *
 * Collections are built here, in three forms that must answer alike:
 *   - a tar made with the project's tar writer (tar/tarball.h), handed to
 *     hub_coll_from_mem();
 *   - that tar compressed by xz(1) at test time (skipped, saying so, when xz
 *     is missing);
 *   - a folder tree in a mkdtemp() folder, opened with hub_coll_open().
 * Each kernel entry holds a small valid BTF made with the BTF writer whose
 * bytes differ from entry to entry (a struct named after a hash of the
 * path), so reading the pick back proves which entry was chosen.
 *
 * Oracles: the matching order written in match.c's header comment and
 * hub.h (steps, what is noted, warned and explained), ECOSYSTEM.md §1.3 for
 * the realistic BTFHub names (release quirks, arch spellings of the archive
 * and of its forks, the SLES double naming, HWE kernels filed under two
 * Ubuntu releases), and as hosts the real os-release files of
 * tests/fixtures/os-release and ../shared/corpus/os-release (rows using the
 * corpus are in their own tests, skipped when the corpus is absent).
 *
 * The tables use cr_expect, so one run lists every row that differs.
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
#include <unistd.h>

#include "btf/btf.h"
#include "btf/btf_format.h"
#include "helpers.h"
#include "hub/hub.h"
#include "tar/tarball.h"
#include "util/util.h"

static void match_setup(void)
{
	tmp_dir_make("btfgen-hubmatch");
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void match_teardown(void)
{
	diag_capture_end();
	tmp_dir_remove();
}

TestSuite(hub_match, .init = match_setup, .fini = match_teardown, .timeout = 60);

/* ---- kernels and collections -------------------------------------------- */

enum form { FORM_TAR, FORM_XZ, FORM_DIR };

static const char *const form_names[] = { "tar", "tar.xz", "folder" };

/* A collection and the bytes it borrows. */
struct built {
	struct hub_coll c;
	void *bytes;
	bool open;
};

/* Build the collection of kernel @paths in @form; folders go under tmp_dir()/@tag. */
static void coll_build(enum form form, const char *tag, const char *const *paths, size_t n,
		       struct built *b)
{
	memset(b, 0, sizeof(*b));
	if (form == FORM_DIR) {
		char root[PATH_MAX];
		size_t i;

		snprintf(root, sizeof(root), "%s", tmp_path(tag));
		cr_assert(eq(int, mkdir(root, 0755), 0), "%s: %s", root, strerror(errno));
		for (i = 0; i < n; i++) {
			char path[PATH_MAX * 2];
			size_t ks;
			void *k = tagged_btf(paths[i], &ks);

			snprintf(path, sizeof(path), "%s/%s", root, paths[i]);
			put_file(path, k, ks);
			xfree(k);
		}
		cr_assert(eq(int, hub_coll_open(root, &b->c), 0), "%s: %s", root, diag_last());
	} else {
		struct tar_spec *v = calloc(n, sizeof(*v));
		size_t size, i;
		void *tar;

		cr_assert(v != NULL);
		for (i = 0; i < n; i++)
			v[i].name = paths[i];
		tar = tar_of(v, n, &size);
		free(v);
		if (form == FORM_XZ) {
			b->bytes = xz_of(tar, size, &size);
			free(tar);
		} else {
			b->bytes = tar;
		}
		cr_assert(eq(int, hub_coll_from_mem("collection", b->bytes, size, &b->c), 0), "%s",
			  diag_last());
	}
	b->open = true;
	cr_assert(eq(sz, b->c.t.n, n), "%s collection %s: entries", form_names[form], tag);
	cr_assert(eq(int, diag_lines(), 0), "opening the collection printed: %s", diag_last());
}

static void coll_done(struct built *b)
{
	if (b->open)
		hub_coll_free(&b->c);
	free(b->bytes);
	memset(b, 0, sizeof(*b));
}

/* The index of the entry whose path is @path, or -1. */
static long entry_of(const struct hub_coll *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->t.n; i++)
		if (!strcmp(c->t.v[i].path, path))
			return (long)i;
	return -1;
}

/* ---- hosts -------------------------------------------------------------- */

#define FIXTURE_DIR "tests/fixtures/os-release"

/*
 * A host: os-release from @osr, which is NULL (no os-release), inline text,
 * "@fixture:FILE" (tests/fixtures/os-release) or "@corpus:FILE"
 * (../shared/corpus/os-release); the release and arch as given.
 */
static void host_make(struct hub_host *h, const char *osr, const char *release, const char *arch)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->root, sizeof(h->root), "/");
	snprintf(h->release, sizeof(h->release), "%s", release);
	snprintf(h->arch, sizeof(h->arch), "%s", arch);
	if (!osr)
		return;
	if (osr[0] == '@') {
		char path[PATH_MAX];
		size_t size;
		char *text;

		if (!strncmp(osr, "@fixture:", 9))
			snprintf(path, sizeof(path), FIXTURE_DIR "/%s", osr + 9);
		else
			snprintf(path, sizeof(path), "%s/os-release/%s", corpus_dir(), osr + 8);
		text = read_file(path, &size);
		cr_assert(text != NULL, "%s: can't read it", path);
		hub_os_release_parse(text, size, &h->osr);
		snprintf(h->os_release_path, sizeof(h->os_release_path), "%s", path);
		free(text);
	} else {
		hub_os_release_parse(osr, strlen(osr), &h->osr);
		snprintf(h->os_release_path, sizeof(h->os_release_path), "(inline)");
	}
	h->have_os_release = true;
}

static bool corpus_present(void)
{
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/os-release", corpus_dir());
	return stat(dir, &st) == 0;
}

/* ---- the collections of the tables ---------------------------------------- */

/* BTFHub-like: the archive's own names (ECOSYSTEM.md §1.3) and their pitfalls. */
static const char *const hub_paths[] = {
	"ubuntu/16.04/arm64/4.15.0-1030-aws.btf",
	"ubuntu/18.04/x86_64/5.4.0-73-generic.btf",	/* HWE: also under 20.04 */
	"ubuntu/20.04/arm64/5.4.0-73-generic.btf",
	"ubuntu/20.04/x86_64/5.4.0-73-generic.btf",
	"ubuntu/20.04/x86_64/5.4.0-74-generic.btf",
	"ubuntu/22.04/x86_64/5.15.0-91-generic.btf",
	"centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf",
	"centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64.btf",
	"centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf",
	"centos/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf",	/* also under rhel/9 */
	"centos/10/x86_64/6.12.0-55.9.1.el10_0.x86_64.btf",
	"rhel/7/arm64/4.14.0-115.el7a.aarch64.btf",
	"rhel/8/x86_64/4.18.0-305.el8.x86_64.btf",
	"rhel/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf",
	"amzn/1/x86_64/4.14.42-52.37.amzn1.x86_64.btf",
	"amzn/2/arm64/4.14.336-257.568.amzn2.aarch64.btf",
	"debian/9/x86_64/4.9.0-13-amd64.btf",
	"debian/10/x86_64/5.10.0-0.deb10.17-cloud-amd64.btf",
	"ol/7/arm64/4.14.35-1902.306.2.13.el7uek.aarch64.btf",
	"ol/8/x86_64/5.4.17-2136.300.7.el8uek.x86_64.btf",
	"sles/12.3/x86_64/4.4.103-6.33-default.btf",	/* SLES: uname-style name */
	"sles/12.3/x86_64/4.4.103-6.33.1-default.btf",	/* and package-style name */
	"sles/12.5/x86_64/4.12.14-122.12-default.btf",
	"fedora/31/x86_64/5.8.18-100.fc31.x86_64.btf",
	"opensuse-leap/15.2/x86_64/5.3.18-lp152.19-default.btf",
	"mirror/btfhub-archive/ubuntu/14.04/x86_64/4.4.0-148-generic.btf",	/* extra levels */
};

/* Third-party forks: "aarch64" and "amd64" folders. */
static const char *const fork_paths[] = {
	"centos/8/aarch64/4.18.0-348.el8.aarch64.btf",
	"ubuntu/20.04/aarch64/5.4.0-73-generic.btf",
	"debian/11/amd64/5.10.0-28-amd64.btf",
	"kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf",
};

/* The same release under several distributions: the release's markers decide. */
static const char *const marker_paths[] = {
	"centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
	"ubuntu/20.04/x86_64/3.10.0-1160.el7.x86_64.btf",
	"centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64.btf",
	"centos/7/arm64/4.18.0-348.7.1.el8_5.aarch64.btf",
	"ol/7/x86_64/4.14.35-2047.510.5.el7uek.x86_64.btf",
	"rhel/7/x86_64/4.14.35-2047.510.5.el7uek.x86_64.btf",
	"amzn/2/x86_64/4.14.320-242.534.amzn2.x86_64.btf",
	"amzn/2023/x86_64/4.14.320-242.534.amzn2.x86_64.btf",
	"amzn/2/x86_64/6.1.79-99.164.amzn2023.x86_64.btf",
	"amzn/2023/x86_64/6.1.79-99.164.amzn2023.x86_64.btf",
	"debian/10/x86_64/5.10.0-0.deb10.17-cloud-amd64.btf",
	"debian/11/x86_64/5.10.0-0.deb10.17-cloud-amd64.btf",
	"debian/12/x86_64/6.12.43+deb12-amd64.btf",
	"debian/13/x86_64/6.12.43+deb12-amd64.btf",
	"debian/12/x86_64/6.12.48+deb13-amd64.btf",
	"debian/13/x86_64/6.12.48+deb13-amd64.btf",
	"fedora/31/x86_64/5.8.18-100.fc31.x86_64.btf",
	"fedora/32/x86_64/5.8.18-100.fc31.x86_64.btf",
	"rhel/7/arm64/4.14.0-115.el7a.aarch64.btf",
	"rhel/8/arm64/4.14.0-115.el7a.aarch64.btf",
	"centos/7/x86_64/3.10.0-957.el7.x86_64.btf",
	"rhel/7/x86_64/3.10.0-957.el7.x86_64.btf",
	"ubuntu/20.04/x86_64/4.19.0-1.el8.x86_64.btf",
	"debian/10/x86_64/4.19.0-1.el8.x86_64.btf",
	"ubuntu/18.04/x86_64/5.4.0-73-generic.btf",
	"ubuntu/20.04/x86_64/5.4.0-73-generic.btf",
	"ubuntu/20.04/arm64/5.4.0-1000-aws.btf",
	"ubuntu/20.04/x86_64/5.4.0-1000-aws.btf",
};

/* Entries whose path gives no arch (fewer than three folders): tar only. */
static const char *const noarch_paths[] = {
	"5.4.0-73-generic.btf",
	"x86_64/5.4.0-73-generic.btf",
	"20.04/x86_64/5.4.0-74-generic.btf",
	"1/x86_64/4.14.42-52.37.amzn1.x86_64.btf",	/* BTFHub's stray top-level "1/" */
	"ubuntu/20.04/x86_64/5.4.0-80-generic.btf",
};

enum coll_id { C_HUB, C_FORK, C_MARK, C_NOARCH, NR_COLLS };

static const struct {
	const char *tag;
	const char *const *paths;
	size_t n;
} colls[NR_COLLS] = {
	[C_HUB] = { "hub", hub_paths, ARRAY_SIZE(hub_paths) },
	[C_FORK] = { "fork", fork_paths, ARRAY_SIZE(fork_paths) },
	[C_MARK] = { "markers", marker_paths, ARRAY_SIZE(marker_paths) },
	[C_NOARCH] = { "noarch", noarch_paths, ARRAY_SIZE(noarch_paths) },
};

/* ---- the table ------------------------------------------------------------ */

/* os-release texts of hosts the fixtures and the corpus don't have */
#define OSR_RHEL84	"NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.4 (Ootpa)\"\nID=\"rhel\"\n" \
			"ID_LIKE=\"fedora\"\nVERSION_ID=\"8.4\"\n"
#define OSR_CENTOS84	"NAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n" \
			"VERSION_ID=\"8.4\"\n"
#define OSR_ROCKY84	"NAME=\"Rocky Linux\"\nVERSION=\"8.4 (Green Obsidian)\"\nID=\"rocky\"\n" \
			"ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.4\"\n"
#define OSR_ROCKY85	"NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n" \
			"VERSION_ID=\"8.5\"\n"
#define OSR_ALMA93	"NAME=\"AlmaLinux\"\nVERSION=\"9.3 (Shamrock Pampas Cat)\"\n" \
			"ID=\"almalinux\"\n" \
			"ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n"
#define OSR_CENTOS_FIRST "NAME=\"Navy Linux\"\nID=\"navy\"\nID_LIKE=\"centos rhel\"\n" \
			 "VERSION_ID=\"9.3\"\n"
#define OSR_CENTOS7	"NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\n" \
			"ID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n"
#define OSR_OL79	"NAME=\"Oracle Linux Server\"\nVERSION=\"7.9\"\nID=\"ol\"\n" \
			"ID_LIKE=\"fedora\"\n" \
			"VARIANT=\"Server\"\nVARIANT_ID=\"server\"\nVERSION_ID=\"7.9\"\n"
#define OSR_POP2204	"NAME=\"Pop!_OS\"\nVERSION=\"22.04 LTS\"\nID=pop\n" \
			"ID_LIKE=\"ubuntu debian\"\n" \
			"VERSION_ID=\"22.04\"\n"
#define OSR_MINT203	"NAME=\"Linux Mint\"\nVERSION=\"20.3 (Una)\"\nID=linuxmint\nID_LIKE=ubuntu\n" \
			"VERSION_ID=\"20.3\"\nUBUNTU_CODENAME=focal\n"
#define OSR_AMZN201803	"NAME=\"Amazon Linux AMI\"\nVERSION=\"2018.03\"\nID=\"amzn\"\n" \
			"ID_LIKE=\"rhel fedora\"\nVERSION_ID=\"2018.03\"\n"
#define OSR_SLES123	"NAME=\"SLES\"\nVERSION=\"12-SP3\"\nVERSION_ID=\"12.3\"\nID=\"sles\"\n"
#define OSR_SLES125	"NAME=\"SLES\"\nVERSION=\"12-SP5\"\nVERSION_ID=\"12.5\"\nID=\"sles\"\n"
#define OSR_FEDORA31	"NAME=Fedora\nVERSION=\"31 (Thirty One)\"\nID=fedora\nVERSION_ID=31\n"
#define OSR_KYLIN	"NAME=\"Kylin Linux Advanced Server\"\nVERSION=\"V10 (Sword)\"\n" \
			"ID=\"kylin\"\n" \
			"VERSION_ID=\"V10\"\n"
#define OSR_NOVERSION	"PRETTY_NAME=\"Debian GNU/Linux bookworm/sid\"\n" \
			"NAME=\"Debian GNU/Linux\"\nID=debian\n"
#define OSR_NOID	"NAME=\"Somebody's Linux\"\nVERSION_ID=\"20.04\"\n"
#define OSR_UNKNOWN	"NAME=\"Unknown\"\nID=unknown\nVERSION_ID=\"1\"\n"

#define FX(f)	"@fixture:" f
#define CO(f)	"@corpus:" f

struct mrow {
	const char *what;
	enum coll_id coll;
	const char *osr;	/* see host_make() */
	const char *release, *arch;
	bool nearest;
	const char *want;	/* the pick's path, NULL: no pick */
	enum hub_step by;
};

#define NONE	NULL, HUB_STEP_EXACT
#define EXACT	HUB_STEP_EXACT
#define MAJOR	HUB_STEP_MAJOR
#define LIKE	HUB_STEP_ID_LIKE
#define REL	HUB_STEP_RELEASE
#define NEAR	HUB_STEP_NEAREST

static const struct mrow rows[] = {
	/* 1. exact */
	{ "ubuntu 20.04", C_HUB, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64",
	  false, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf", EXACT },
	{ "ubuntu 18.04 with the 20.04 HWE kernel: the 18.04 copy", C_HUB,
	  FX("ubuntu1804.usr_lib_os-release"), "5.4.0-73-generic", "x86_64", false,
	  "ubuntu/18.04/x86_64/5.4.0-73-generic.btf", EXACT },
	{ "uname -m aarch64, folder arm64", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-73-generic", "aarch64", false, "ubuntu/20.04/arm64/5.4.0-73-generic.btf", EXACT },
	{ "host arm64, folder arm64", C_HUB, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic",
	  "arm64", false, "ubuntu/20.04/arm64/5.4.0-73-generic.btf", EXACT },
	{ "host amd64, folder x86_64", C_HUB, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic",
	  "amd64", false, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf", EXACT },
	{ "ubuntu 22.04", C_HUB, FX("ubuntu2204.usr_lib_os-release"), "5.15.0-91-generic", "x86_64",
	  false, "ubuntu/22.04/x86_64/5.15.0-91-generic.btf", EXACT },
	{ "centos 8 (VERSION_ID 8), el8_5 on aarch64", C_HUB, FX("centos8.usr_lib_os-release"),
	  "4.18.0-348.7.1.el8_5.aarch64", "aarch64", false,
	  "centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64.btf", EXACT },
	{ "centos 8 x86_64", C_HUB, FX("centos8.usr_lib_os-release"), "4.18.0-348.7.1.el8_5.x86_64",
	  "x86_64", false, "centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf", EXACT },
	{ "centos 7 (VERSION_ID 7)", C_HUB, OSR_CENTOS7, "3.10.0-1160.119.1.el7.x86_64", "x86_64",
	  false, "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", EXACT },
	{ "amazon linux 2 on arm64", C_HUB, FX("amazon2.etc_os-release"),
	  "4.14.336-257.568.amzn2.aarch64", "aarch64", false,
	  "amzn/2/arm64/4.14.336-257.568.amzn2.aarch64.btf", EXACT },
	{ "debian 9", C_HUB, FX("debian9.usr_lib_os-release"), "4.9.0-13-amd64", "x86_64", false,
	  "debian/9/x86_64/4.9.0-13-amd64.btf", EXACT },
	{ "sles 12 sp5", C_HUB, OSR_SLES125, "4.12.14-122.12-default", "x86_64", false,
	  "sles/12.5/x86_64/4.12.14-122.12-default.btf", EXACT },
	{ "sles double naming: the uname-style name", C_HUB, OSR_SLES123, "4.4.103-6.33-default",
	  "x86_64", false, "sles/12.3/x86_64/4.4.103-6.33-default.btf", EXACT },
	{ "sles double naming: the package-style name", C_HUB, OSR_SLES123, "4.4.103-6.33.1-default",
	  "x86_64", false, "sles/12.3/x86_64/4.4.103-6.33.1-default.btf", EXACT },
	{ "fedora 31 (VERSION_ID unquoted)", C_HUB, OSR_FEDORA31, "5.8.18-100.fc31.x86_64", "x86_64",
	  false, "fedora/31/x86_64/5.8.18-100.fc31.x86_64.btf", EXACT },
	{ "exact wins over nearest", C_HUB, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-generic",
	  "x86_64", true, "ubuntu/20.04/x86_64/5.4.0-74-generic.btf", EXACT },

	/* 2. major */
	{ "rhel 8.4 -> rhel/8", C_HUB, OSR_RHEL84, "4.18.0-305.el8.x86_64", "x86_64", false,
	  "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf", MAJOR },
	{ "oracle linux 8.9 (uek) -> ol/8", C_HUB, FX("oracle8.usr_lib_os-release"),
	  "5.4.17-2136.300.7.el8uek.x86_64", "x86_64", false,
	  "ol/8/x86_64/5.4.17-2136.300.7.el8uek.x86_64.btf", MAJOR },
	{ "oracle linux 7.9 (uek) on aarch64 -> ol/7/arm64", C_HUB, OSR_OL79,
	  "4.14.35-1902.306.2.13.el7uek.aarch64", "aarch64", false,
	  "ol/7/arm64/4.14.35-1902.306.2.13.el7uek.aarch64.btf", MAJOR },
	{ "rhel 8.9 with an 8.4 kernel -> rhel/8", C_HUB, FX("rhel8.usr_lib_os-release"),
	  "4.18.0-305.el8.x86_64", "x86_64", false, "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf", MAJOR },
	{ "centos 8.4 -> centos/8", C_HUB, OSR_CENTOS84, "4.18.0-348.7.1.el8_5.x86_64", "x86_64",
	  false, "centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf", MAJOR },
	{ "sles 15 sp4: nothing for it", C_HUB, FX("sles15sp4.usr_lib_os-release"),
	  "5.14.21-150400.24.97-default", "x86_64", false, NONE },

	/* 3. ID_LIKE */
	{ "pop 22.04, like ubuntu", C_HUB, OSR_POP2204, "5.15.0-91-generic", "x86_64", false,
	  "ubuntu/22.04/x86_64/5.15.0-91-generic.btf", LIKE },
	{ "rocky 8.4, like rhel (major)", C_HUB, OSR_ROCKY84, "4.18.0-305.el8.x86_64", "x86_64",
	  false, "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf", LIKE },
	{ "rocky 8.5: rhel has nothing, centos/8 has it", C_HUB, OSR_ROCKY85,
	  "4.18.0-348.7.1.el8_5.x86_64", "x86_64", false,
	  "centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf", LIKE },
	{ "almalinux 9.3: rhel before centos (both hold it)", C_HUB, OSR_ALMA93,
	  "5.14.0-362.8.1.el9_3.x86_64", "x86_64", false,
	  "rhel/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf", LIKE },
	{ "ID_LIKE order: centos listed first wins", C_HUB, OSR_CENTOS_FIRST,
	  "5.14.0-362.8.1.el9_3.x86_64", "x86_64", false,
	  "centos/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf", LIKE },

	/* 4. the release anywhere */
	{ "linux mint 20.3: one entry of that release", C_HUB, OSR_MINT203, "5.4.0-74-generic",
	  "x86_64", false, "ubuntu/20.04/x86_64/5.4.0-74-generic.btf", REL },
	{ "linux mint 20.3: 20.04 and 18.04 (HWE) hold it, no marker", C_HUB, OSR_MINT203,
	  "5.4.0-73-generic", "x86_64", false, NONE },
	{ "amazon linux AMI 2018.03 -> amzn/1 by release", C_HUB, OSR_AMZN201803,
	  "4.14.42-52.37.amzn1.x86_64", "x86_64", false,
	  "amzn/1/x86_64/4.14.42-52.37.amzn1.x86_64.btf", REL },
	{ "no os-release: el7 release", C_HUB, NULL, "3.10.0-1160.119.1.el7.x86_64", "x86_64", false,
	  "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", REL },
	{ "no os-release: arm64, x86_64 copies ignored", C_HUB, NULL, "5.4.0-73-generic", "aarch64",
	  false, "ubuntu/20.04/arm64/5.4.0-73-generic.btf", REL },
	{ "no os-release: el9_3 under rhel/9 and centos/9", C_HUB, NULL,
	  "5.14.0-362.8.1.el9_3.x86_64", "x86_64", false, NONE },
	{ "os-release without VERSION_ID: by release", C_HUB, OSR_NOVERSION, "4.9.0-13-amd64",
	  "x86_64", false, "debian/9/x86_64/4.9.0-13-amd64.btf", REL },
	{ "os-release without ID: by release", C_HUB, OSR_NOID, "5.4.0-74-generic", "x86_64", false,
	  "ubuntu/20.04/x86_64/5.4.0-74-generic.btf", REL },

	/* the wrong architecture is never picked */
	{ "wrong arch: only x86_64 has 5.4.0-74", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-74-generic", "aarch64", false, NONE },
	{ "wrong arch: an x86_64 el7 kernel on an arm64 host", C_HUB, OSR_CENTOS7,
	  "3.10.0-1160.119.1.el7.x86_64", "aarch64", false, NONE },
	{ "wrong arch: riscv64", C_HUB, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic",
	  "riscv64", false, NONE },
	{ "wrong arch: riscv64, nearest", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-73-generic", "riscv64", true, NONE },
	{ "wrong arch: x86-64 is no alias", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-73-generic", "x86-64", false, NONE },
	{ "wrong arch: no os-release, arm64, x86_64-only release", C_HUB, NULL,
	  "4.9.0-13-amd64", "arm64", true, NONE },

	/* 5. nearest */
	{ "nearest: 5.4.0-74-lowlatency -> 5.4.0-74-generic", C_HUB,
	  FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-lowlatency", "x86_64", true,
	  "ubuntu/20.04/x86_64/5.4.0-74-generic.btf", NEAR },
	{ "nearest off: the same host gets nothing", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-74-lowlatency", "x86_64", false, NONE },
	{ "nearest: arm64 entries only", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-74-generic", "aarch64", true, "ubuntu/20.04/arm64/5.4.0-73-generic.btf", NEAR },
	{ "nearest: another upstream version (5.8.0)", C_HUB, FX("ubuntu2004.usr_lib_os-release"),
	  "5.8.0-63-generic", "x86_64", true, NONE },
	{ "nearest: upstream 5.4.1 is not 5.4.17", C_HUB, FX("oracle8.usr_lib_os-release"),
	  "5.4.1-1.el8uek.x86_64", "x86_64", true, NONE },
	{ "nearest: upstream 4.4.10 is not 4.4.103", C_HUB, OSR_SLES123, "4.4.10-6.33-default",
	  "x86_64", true, NONE },
	{ "nearest: ol 7.9 -> ol/7, same upstream 4.14.35", C_HUB, OSR_OL79,
	  "4.14.35-2047.510.5.el7uek.aarch64", "aarch64", true,
	  "ol/7/arm64/4.14.35-1902.306.2.13.el7uek.aarch64.btf", NEAR },
	{ "nearest: rhel 8.9 -> an entry filed under 8", C_HUB, FX("rhel8.usr_lib_os-release"),
	  "4.18.0-305.10.2.el8_4.x86_64", "x86_64", true, "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf",
	  NEAR },
	{ "nearest: sles 12.5, another patch level", C_HUB, OSR_SLES125, "4.12.14-122.37-default",
	  "x86_64", true, "sles/12.5/x86_64/4.12.14-122.12-default.btf", NEAR },
	{ "nearest: the same ID only (rocky is not rhel)", C_HUB, OSR_ROCKY84,
	  "4.18.0-305.3.1.el8_4.x86_64", "x86_64", true, NONE },
	{ "nearest: the same VERSION_ID only (22.04 host, 20.04 entries)", C_HUB,
	  FX("ubuntu2204.usr_lib_os-release"), "5.4.0-75-generic", "x86_64", true, NONE },
	{ "nearest: no os-release, never", C_HUB, NULL, "5.4.0-74-lowlatency", "x86_64", true, NONE },

	/* forks: folders spelled aarch64 and amd64 */
	{ "fork: host arm64, folder aarch64", C_FORK, FX("centos8.usr_lib_os-release"),
	  "4.18.0-348.el8.aarch64", "arm64", false, "centos/8/aarch64/4.18.0-348.el8.aarch64.btf",
	  EXACT },
	{ "fork: host aarch64, folder aarch64", C_FORK, FX("centos8.usr_lib_os-release"),
	  "4.18.0-348.el8.aarch64", "aarch64", false, "centos/8/aarch64/4.18.0-348.el8.aarch64.btf",
	  EXACT },
	{ "fork: host x86_64, folder amd64", C_FORK, FX("debian11.usr_lib_os-release"),
	  "5.10.0-28-amd64", "x86_64", false, "debian/11/amd64/5.10.0-28-amd64.btf", EXACT },
	{ "fork: host amd64, folder amd64", C_FORK, FX("debian11.usr_lib_os-release"),
	  "5.10.0-28-amd64", "amd64", false, "debian/11/amd64/5.10.0-28-amd64.btf", EXACT },
	{ "fork: no os-release, arm64 host, aarch64 folder", C_FORK, NULL, "5.4.0-73-generic",
	  "arm64", false, "ubuntu/20.04/aarch64/5.4.0-73-generic.btf", REL },
	{ "fork: nearest across spellings", C_FORK, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-80-generic", "arm64", true, "ubuntu/20.04/aarch64/5.4.0-73-generic.btf", NEAR },
	{ "fork: kylin V10", C_FORK, OSR_KYLIN, "4.19.90-52.22.v2207.ky10.aarch64", "aarch64", false,
	  "kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf", EXACT },
	{ "fork: wrong arch", C_FORK, FX("debian11.usr_lib_os-release"), "5.10.0-28-amd64",
	  "aarch64", true, NONE },

	/* 4. several entries of the release: narrowed by its markers */
	{ "marker .el7 -> centos/7, not ubuntu", C_MARK, NULL, "3.10.0-1160.el7.x86_64", "x86_64",
	  false, "centos/7/x86_64/3.10.0-1160.el7.x86_64.btf", REL },
	{ "marker .el7 with an os-release that leads nowhere", C_MARK, OSR_UNKNOWN,
	  "3.10.0-1160.el7.x86_64", "x86_64", false, "centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
	  REL },
	{ "marker .el8_5 -> major 8", C_MARK, NULL, "4.18.0-348.7.1.el8_5.aarch64", "aarch64", false,
	  "centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64.btf", REL },
	{ "marker uek -> ol, not rhel", C_MARK, NULL, "4.14.35-2047.510.5.el7uek.x86_64", "x86_64",
	  false, "ol/7/x86_64/4.14.35-2047.510.5.el7uek.x86_64.btf", REL },
	{ "marker .amzn2 -> amzn/2, not amzn/2023", C_MARK, NULL, "4.14.320-242.534.amzn2.x86_64",
	  "x86_64", false, "amzn/2/x86_64/4.14.320-242.534.amzn2.x86_64.btf", REL },
	{ "marker .amzn2023 -> amzn/2023, not amzn/2", C_MARK, NULL,
	  "6.1.79-99.164.amzn2023.x86_64", "x86_64", false,
	  "amzn/2023/x86_64/6.1.79-99.164.amzn2023.x86_64.btf", REL },
	{ "marker .deb10 -> debian/10", C_MARK, NULL, "5.10.0-0.deb10.17-cloud-amd64", "x86_64",
	  false, "debian/10/x86_64/5.10.0-0.deb10.17-cloud-amd64.btf", REL },
	{ "marker +deb12 -> debian/12", C_MARK, NULL, "6.12.43+deb12-amd64", "x86_64", false,
	  "debian/12/x86_64/6.12.43+deb12-amd64.btf", REL },
	{ "marker +deb13 -> debian/13", C_MARK, NULL, "6.12.48+deb13-amd64", "x86_64", false,
	  "debian/13/x86_64/6.12.48+deb13-amd64.btf", REL },
	{ "marker .fc31 -> fedora/31", C_MARK, NULL, "5.8.18-100.fc31.x86_64", "x86_64", false,
	  "fedora/31/x86_64/5.8.18-100.fc31.x86_64.btf", REL },
	{ "marker .el7a -> rhel/7, not rhel/8", C_MARK, NULL, "4.14.0-115.el7a.aarch64", "aarch64",
	  false, "rhel/7/arm64/4.14.0-115.el7a.aarch64.btf", REL },
	{ "marker .el7 fits centos/7 and rhel/7: no pick", C_MARK, NULL, "3.10.0-957.el7.x86_64",
	  "x86_64", false, NONE },
	{ "marker .el8 fits neither ubuntu nor debian: no pick", C_MARK, NULL,
	  "4.19.0-1.el8.x86_64", "x86_64", false, NONE },
	{ "no marker, two entries: no pick", C_MARK, NULL, "5.4.0-73-generic", "x86_64", false,
	  NONE },
	{ "no marker, two entries, nearest asked but no os-release", C_MARK, NULL,
	  "5.4.0-73-generic", "x86_64", true, NONE },
	{ "one entry per arch: the host's", C_MARK, NULL, "5.4.0-1000-aws", "aarch64", false,
	  "ubuntu/20.04/arm64/5.4.0-1000-aws.btf", REL },

	/* entries without an arch (fewer than three folders) are never picked */
	{ "no arch: the exact release at the top and in x86_64/", C_NOARCH,
	  FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64", false, NONE },
	{ "no arch: nearest takes the entry that has an arch", C_NOARCH,
	  FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64", true,
	  "ubuntu/20.04/x86_64/5.4.0-80-generic.btf", NEAR },
	{ "no arch: two folders (20.04/x86_64)", C_NOARCH, FX("ubuntu2004.usr_lib_os-release"),
	  "5.4.0-74-generic", "x86_64", false, NONE },
	{ "no arch: BTFHub's stray 1/x86_64", C_NOARCH, OSR_AMZN201803,
	  "4.14.42-52.37.amzn1.x86_64", "x86_64", true, NONE },
	{ "no arch: no os-release", C_NOARCH, NULL, "5.4.0-73-generic", "x86_64", false, NONE },
};

/* Hosts from the real os-release files of the corpus (against the BTFHub-like collection). */
static const struct mrow corpus_rows[] = {
	{ "rocky 9.3 (el9_3) -> rhel/9 through ID_LIKE", C_HUB, CO("rocky9.usr_lib_os-release"),
	  "5.14.0-362.8.1.el9_3.x86_64", "x86_64", false,
	  "rhel/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf", LIKE },
	{ "rocky 8.4 -> rhel/8 through ID_LIKE", C_HUB, CO("rocky.usr_lib_os-release"),
	  "4.18.0-305.el8.x86_64", "x86_64", false, "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf", LIKE },
	{ "almalinux 10.0 -> centos/10 (rhel has none)", C_HUB, CO("almalinux10.usr_lib_os-release"),
	  "6.12.0-55.9.1.el10_0.x86_64", "x86_64", false,
	  "centos/10/x86_64/6.12.0-55.9.1.el10_0.x86_64.btf", LIKE },
	{ "rhel 9.6 -> rhel/9 (major)", C_HUB, CO("rhel9.etc_os-release"),
	  "5.14.0-362.8.1.el9_3.x86_64", "x86_64", false,
	  "rhel/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf", MAJOR },
	{ "rhel 7.0 arm64 el7a -> rhel/7 (major)", C_HUB, CO("rhel7.etc_os-release"),
	  "4.14.0-115.el7a.aarch64", "aarch64", false, "rhel/7/arm64/4.14.0-115.el7a.aarch64.btf",
	  MAJOR },
	{ "oracle linux 7.5 uek arm64 -> ol/7 (major)", C_HUB, CO("oracle7.etc_os-release"),
	  "4.14.35-1902.306.2.13.el7uek.aarch64", "aarch64", false,
	  "ol/7/arm64/4.14.35-1902.306.2.13.el7uek.aarch64.btf", MAJOR },
	{ "centos 7 -> exact", C_HUB, CO("centos7.etc_os-release"), "3.10.0-1160.119.1.el7.x86_64",
	  "x86_64", false, "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", EXACT },
	{ "cloudlinux 7.3 -> centos/7 through ID_LIKE (rhel/7 lacks it)", C_HUB,
	  CO("cloudlinux7.etc_os-release"), "3.10.0-1160.119.1.el7.x86_64", "x86_64", false,
	  "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", LIKE },
	{ "scientific linux 7.2 (ID rhel) -> centos/7 by release", C_HUB,
	  CO("scientific7.etc_os-release"), "3.10.0-1160.119.1.el7.x86_64", "x86_64", false,
	  "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", REL },
	{ "debian 10 cloud kernel -> exact", C_HUB, CO("debian10.etc_os-release"),
	  "5.10.0-0.deb10.17-cloud-amd64", "x86_64", false,
	  "debian/10/x86_64/5.10.0-0.deb10.17-cloud-amd64.btf", EXACT },
	{ "ubuntu 16.04 aws on arm64 -> exact", C_HUB, CO("ubuntu16.etc_os-release"),
	  "4.15.0-1030-aws", "aarch64", false, "ubuntu/16.04/arm64/4.15.0-1030-aws.btf", EXACT },
	{ "linux mint 17 (os-release: ubuntu 14.04) -> a mirror's deeper path", C_HUB,
	  CO("linuxmint17.etc_os-release"), "4.4.0-148-generic", "x86_64", false,
	  "mirror/btfhub-archive/ubuntu/14.04/x86_64/4.4.0-148-generic.btf", EXACT },
	{ "amazon linux AMI 2016.03 -> amzn/1 by release", C_HUB, CO("amazon2016.etc_os-release"),
	  "4.14.42-52.37.amzn1.x86_64", "x86_64", false,
	  "amzn/1/x86_64/4.14.42-52.37.amzn1.x86_64.btf", REL },
	{ "amazon linux 2023: none", C_HUB, CO("amazon2023.etc_os-release"),
	  "6.1.79-99.164.amzn2023.x86_64", "x86_64", true, NONE },
	{ "opensuse leap 15.2 -> exact", C_HUB, CO("opensuse15.etc_os-release"),
	  "5.3.18-lp152.19-default", "x86_64", false,
	  "opensuse-leap/15.2/x86_64/5.3.18-lp152.19-default.btf", EXACT },
	{ "debian testing (no VERSION_ID) -> by release", C_HUB, CO("debiantesting.etc_os-release"),
	  "4.9.0-13-amd64", "x86_64", false, "debian/9/x86_64/4.9.0-13-amd64.btf", REL },
	{ "kali 2017.1, like debian -> by release", C_HUB, CO("kali.etc_os-release"),
	  "4.9.0-13-amd64", "x86_64", false, "debian/9/x86_64/4.9.0-13-amd64.btf", REL },
	{ "arch linux (no VERSION_ID): none", C_HUB, CO("arch.usr_lib_os-release"), "6.7.4-arch1-1",
	  "x86_64", true, NONE },
};

static bool contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

/* hub_coll_read() of entry @i must give tagged_btf(@want_tag)'s bytes. */
static void expect_bytes(const struct hub_coll *c, size_t i, const char *want_tag,
			 const char *what)
{
	const void *btf = NULL;
	void *owned = NULL;
	size_t size = 0, want_size;
	void *want = tagged_btf(want_tag, &want_size);
	int err = hub_coll_read(c, i, &owned, &btf, &size);

	cr_expect(eq(int, err, 0), "%s: hub_coll_read: %s", what, diag_last());
	if (!err) {
		cr_expect(eq(sz, size, want_size), "%s: size of the BTF read", what);
		cr_expect(size == want_size && !memcmp(btf, want, size), "%s: not %s's bytes", what,
			  want_tag);
	}
	xfree(owned);
	xfree(want);
}

/* Properties every match has, pick or not. */
static void expect_steps(const struct hub_match *m, const struct mrow *r, const char *what)
{
	size_t i, found = 0;

	cr_expect(m->nr_steps >= 1 && m->nr_steps <= HUB_MATCH_MAX_STEPS, "%s: %zu steps", what,
		  m->nr_steps);
	for (i = 0; i < m->nr_steps && i < HUB_MATCH_MAX_STEPS; i++) {
		const struct hub_match_step *s = &m->steps[i];

		cr_expect(s->tried[0] != '\0', "%s: step %zu says nothing tried", what, i);
		cr_expect(s->result[0] != '\0', "%s: step %zu has no result", what, i);
		if (i)
			cr_expect(s->step >= m->steps[i - 1].step, "%s: step %zu (%s) after %s", what,
				  i, hub_step_name(s->step), hub_step_name(m->steps[i - 1].step));
		found += s->found;
		if (s->found && r->want) {
			cr_expect(i == m->nr_steps - 1, "%s: found at step %zu, not the last", what,
				  i);
			cr_expect(contains(s->result, r->want), "%s: result '%s' lacks %s", what,
				  s->result, r->want);
			cr_expect(eq(int, s->step, r->by), "%s: found by %s", what,
				  hub_step_name(s->step));
		}
	}
	cr_expect(eq(sz, found, r->want ? 1 : 0), "%s: steps that found", what);
	/* the nearest step is tried only when asked, with ID and VERSION_ID */
	for (i = 0; i < m->nr_steps && i < HUB_MATCH_MAX_STEPS; i++)
		if (m->steps[i].step == HUB_STEP_NEAREST)
			cr_expect(r->nearest, "%s: nearest tried without allow_nearest", what);
}

static void check_row(const struct hub_coll *c, const struct mrow *r, enum form form)
{
	struct hub_match_opts o = { .allow_nearest = r->nearest };
	struct hub_match m;
	struct hub_host h;
	char what[512];
	int ret;

	snprintf(what, sizeof(what), "[%s] %s (%s %s)", form_names[form], r->what, r->release,
		 r->arch);
	host_make(&h, r->osr, r->release, r->arch);
	diag_reset();
	memset(&m, 0x5a, sizeof(m));
	ret = hub_match(c, &h, &o, &m);
	cr_expect(eq(int, diag_lines(), 0), "%s: hub_match printed: %s", what, diag_last());
	cr_expect(lt(sz, strnlen(m.why, sizeof(m.why)), sizeof(m.why)), "%s: why", what);
	cr_expect(lt(sz, strnlen(m.note, sizeof(m.note)), sizeof(m.note)), "%s: note", what);
	cr_expect(lt(sz, strnlen(m.warning, sizeof(m.warning)), sizeof(m.warning)), "%s: warning",
		  what);
	if (r->want) {
		long want = entry_of(c, r->want);

		cr_assert(want >= 0, "%s: the table's pick %s is not in the collection", what,
			  r->want);
		cr_expect(eq(int, ret, 0), "%s: no pick: %s", what, ret ? m.why : "");
		if (ret || m.pick < 0 || (size_t)m.pick >= c->t.n)
			return;
		cr_expect(eq(str, c->t.v[m.pick].path, cstr(r->want)), "%s: picked", what);
		cr_expect(eq(str, cstr(hub_step_name(m.by)), cstr(hub_step_name(r->by))),
			  "%s: picked %s by", what, c->t.v[m.pick].path);
		if (m.pick == want)
			expect_bytes(c, (size_t)m.pick, r->want, what);
		/* the note says how an ID_LIKE or release pick was found; nothing else has one */
		if (r->by == HUB_STEP_ID_LIKE || r->by == HUB_STEP_RELEASE)
			cr_expect(contains(m.note, r->want), "%s: note '%s'", what, m.note);
		else if (r->by != HUB_STEP_NEAREST)
			cr_expect(eq(str, m.note, ""), "%s: note on an exact pick", what);
		/* a warning for a nearest pick, naming the file and both releases */
		if (r->by == HUB_STEP_NEAREST) {
			cr_expect(contains(m.warning, r->want), "%s: warning '%s'", what, m.warning);
			cr_expect(contains(m.warning, r->release), "%s: warning '%s'", what,
				  m.warning);
			cr_expect(contains(m.warning, c->t.v[m.pick].key.release), "%s: warning '%s'",
				  what, m.warning);
		} else {
			cr_expect(eq(str, m.warning, ""), "%s: a warning without nearest", what);
		}
	} else {
		cr_expect(eq(int, ret, -ENOENT), "%s: picked %s by %s", what,
			  m.pick >= 0 && (size_t)m.pick < c->t.n ? c->t.v[m.pick].path : "?",
			  hub_step_name(m.by));
		cr_expect(eq(long, m.pick, -1), "%s", what);
		cr_expect(contains(m.why, r->release), "%s: why '%s' lacks the release", what, m.why);
		cr_expect(contains(m.why, r->arch), "%s: why '%s' lacks the arch", what, m.why);
		cr_expect(eq(str, m.warning, ""), "%s: a warning without a pick", what);
	}
	expect_steps(&m, r, what);
}

static void run_rows(const struct mrow *v, size_t n, enum form form)
{
	struct built b[NR_COLLS];
	bool have[NR_COLLS] = { false };
	size_t i, done = 0;

	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		enum coll_id id = v[i].coll;

		/* a folder's key takes folders above the root: no-arch entries are tar-only */
		if (form == FORM_DIR && id == C_NOARCH)
			continue;
		if (!have[id]) {
			coll_build(form, colls[id].tag, colls[id].paths, colls[id].n, &b[id]);
			have[id] = true;
		}
		check_row(&b[id].c, &v[i], form);
		done++;
	}
	for (i = 0; i < NR_COLLS; i++)
		coll_done(&b[i]);
	cr_assert(gt(sz, done, 0));
}

Test(hub_match, table_tar)
{
	run_rows(rows, ARRAY_SIZE(rows), FORM_TAR);
	assert_no_leaks();
}

Test(hub_match, table_tar_xz)
{
	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed: the tar.xz collections can't be made");
	run_rows(rows, ARRAY_SIZE(rows), FORM_XZ);
	assert_no_leaks();
}

Test(hub_match, table_folder)
{
	run_rows(rows, ARRAY_SIZE(rows), FORM_DIR);
	assert_no_leaks();
}

Test(hub_match, table_corpus_hosts_tar)
{
	if (!corpus_present())
		cr_skip_test("%s/os-release is absent: hosts from real os-release files not checked",
			     corpus_dir());
	run_rows(corpus_rows, ARRAY_SIZE(corpus_rows), FORM_TAR);
	assert_no_leaks();
}

Test(hub_match, table_corpus_hosts_folder)
{
	if (!corpus_present())
		cr_skip_test("%s/os-release is absent", corpus_dir());
	run_rows(corpus_rows, ARRAY_SIZE(corpus_rows), FORM_DIR);
	assert_no_leaks();
}

/* ---- the steps, one by one ---------------------------------------------- */

/* Match @osr/@rel/@arch against the BTFHub-like tar; the collection is returned in @b. */
static int match_hub(struct built *b, const char *osr, const char *rel, const char *arch,
		     bool nearest, struct hub_match *m)
{
	struct hub_match_opts o = { .allow_nearest = nearest };
	struct hub_host h;

	coll_build(FORM_TAR, "hub", hub_paths, ARRAY_SIZE(hub_paths), b);
	host_make(&h, osr, rel, arch);
	return hub_match(&b->c, &h, &o, m);
}

static void expect_step(const struct hub_match *m, size_t i, enum hub_step s, const char *tried,
			const char *result_has, bool found)
{
	cr_assert(lt(sz, i, m->nr_steps), "no step %zu (%zu steps)", i, m->nr_steps);
	cr_expect(eq(str, cstr(hub_step_name(m->steps[i].step)), cstr(hub_step_name(s))),
		  "step %zu", i);
	if (tried)
		cr_expect(eq(str, cstr(m->steps[i].tried), cstr(tried)), "step %zu tried", i);
	cr_expect(contains(m->steps[i].result, result_has), "step %zu result '%s' lacks '%s'", i,
		  m->steps[i].result, result_has);
	cr_expect(eq(int, m->steps[i].found, found), "step %zu found", i);
}

Test(hub_match, step_names)
{
	cr_assert(eq(str, cstr(hub_step_name(HUB_STEP_EXACT)), "exact"));
	cr_assert(eq(str, cstr(hub_step_name(HUB_STEP_MAJOR)), "major"));
	cr_assert(eq(str, cstr(hub_step_name(HUB_STEP_ID_LIKE)), "id_like"));
	cr_assert(eq(str, cstr(hub_step_name(HUB_STEP_RELEASE)), "release"));
	cr_assert(eq(str, cstr(hub_step_name(HUB_STEP_NEAREST)), "nearest"));
}

Test(hub_match, steps_exact_found_first)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic",
				    "aarch64", false, &m), 0));
	cr_expect(eq(sz, m.nr_steps, 1));
	/* the arch as BTFHub spells it */
	expect_step(&m, 0, HUB_STEP_EXACT, "ubuntu/20.04/arm64/5.4.0-73-generic",
		    "ubuntu/20.04/arm64/5.4.0-73-generic.btf", true);
	coll_done(&b);
}

Test(hub_match, steps_major_after_exact)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, OSR_RHEL84, "4.18.0-305.el8.x86_64", "x86_64", false, &m),
		     0));
	cr_expect(eq(sz, m.nr_steps, 2));
	expect_step(&m, 0, HUB_STEP_EXACT, "rhel/8.4/x86_64/4.18.0-305.el8.x86_64",
		    "not in the collection", false);
	expect_step(&m, 1, HUB_STEP_MAJOR, "rhel/8/x86_64/4.18.0-305.el8.x86_64",
		    "rhel/8/x86_64/4.18.0-305.el8.x86_64.btf", true);
	cr_expect(eq(int, m.by, HUB_STEP_MAJOR));
	coll_done(&b);
}

/* VERSION_ID without a minor: the major step says why it was skipped. */
Test(hub_match, steps_major_skipped_without_minor)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, OSR_CENTOS7, "3.10.0-1062.el7.x86_64", "x86_64", false, &m),
		     -ENOENT));
	expect_step(&m, 0, HUB_STEP_EXACT, "centos/7/x86_64/3.10.0-1062.el7.x86_64",
		    "not in the collection", false);
	expect_step(&m, 1, HUB_STEP_MAJOR, NULL, "skipped", false);
	/* then ID_LIKE "rhel fedora": rhel/7, rhel/<major>, fedora/7, fedora/<major> */
	expect_step(&m, 2, HUB_STEP_ID_LIKE, "rhel/7/x86_64/3.10.0-1062.el7.x86_64",
		    "not in the collection", false);
	expect_step(&m, 4, HUB_STEP_ID_LIKE, "fedora/7/x86_64/3.10.0-1062.el7.x86_64",
		    "not in the collection", false);
	cr_expect(eq(int, m.steps[m.nr_steps - 1].step, HUB_STEP_RELEASE));
	coll_done(&b);
}

Test(hub_match, steps_id_like_in_order)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, OSR_ROCKY85, "4.18.0-348.7.1.el8_5.x86_64", "x86_64",
				    false, &m), 0));
	expect_step(&m, 0, HUB_STEP_EXACT, "rocky/8.5/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "not in the collection", false);
	expect_step(&m, 1, HUB_STEP_MAJOR, "rocky/8/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "not in the collection", false);
	expect_step(&m, 2, HUB_STEP_ID_LIKE, "rhel/8.5/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "not in the collection", false);
	expect_step(&m, 3, HUB_STEP_ID_LIKE, "rhel/8/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "not in the collection", false);
	expect_step(&m, 4, HUB_STEP_ID_LIKE, "centos/8.5/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "not in the collection", false);
	expect_step(&m, 5, HUB_STEP_ID_LIKE, "centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64",
		    "centos/8/x86_64/4.18.0-348.7.1.el8_5.x86_64.btf", true);
	cr_expect(eq(sz, m.nr_steps, 6));
	cr_expect(eq(int, m.by, HUB_STEP_ID_LIKE));
	/* the note: the host and the ID it was like */
	cr_expect(contains(m.note, "rocky"), "note: %s", m.note);
	cr_expect(contains(m.note, "8.5"), "note: %s", m.note);
	cr_expect(contains(m.note, "centos"), "note: %s", m.note);
	coll_done(&b);
}

Test(hub_match, steps_no_os_release_skipped_with_reason)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, NULL, "3.10.0-1160.119.1.el7.x86_64", "x86_64", true, &m),
		     0));
	expect_step(&m, 0, HUB_STEP_EXACT, NULL, "skipped", false);
	cr_expect(contains(m.steps[0].result, "no os-release"), "%s", m.steps[0].result);
	expect_step(&m, 1, HUB_STEP_RELEASE, "*/*/x86_64/3.10.0-1160.119.1.el7.x86_64",
		    "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf", true);
	cr_expect(eq(sz, m.nr_steps, 2));
	cr_expect(contains(m.note, "centos/7/x86_64/3.10.0-1160.119.1.el7.x86_64.btf"), "%s",
		  m.note);
	coll_done(&b);
}

Test(hub_match, steps_os_release_without_version_or_id)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, OSR_NOVERSION, "4.9.0-13-amd64", "x86_64", true, &m), 0));
	expect_step(&m, 0, HUB_STEP_EXACT, NULL, "skipped", false);
	cr_expect(contains(m.steps[0].result, "VERSION_ID"), "%s", m.steps[0].result);
	cr_expect(eq(int, m.steps[1].step, HUB_STEP_RELEASE));
	coll_done(&b);
	cr_assert(eq(int, match_hub(&b, OSR_NOID, "4.9.0-13-amd64", "x86_64", true, &m), 0));
	expect_step(&m, 0, HUB_STEP_EXACT, NULL, "skipped", false);
	cr_expect(contains(m.steps[0].result, "ID"), "%s", m.steps[0].result);
	coll_done(&b);
}

/* Several entries of a release and nothing to tell them apart: the step says how many. */
Test(hub_match, steps_release_ambiguous)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, OSR_MINT203, "5.4.0-73-generic", "x86_64", false, &m),
		     -ENOENT));
	cr_expect(eq(int, m.steps[m.nr_steps - 1].step, HUB_STEP_RELEASE));
	cr_expect(contains(m.steps[m.nr_steps - 1].result, "2 entries"), "%s",
		  m.steps[m.nr_steps - 1].result);
	coll_done(&b);
}

Test(hub_match, steps_nearest_last_only_when_asked)
{
	struct built b;
	struct hub_match m;

	cr_assert(eq(int, match_hub(&b, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-lowlatency",
				    "x86_64", true, &m), 0));
	expect_step(&m, m.nr_steps - 1, HUB_STEP_NEAREST, NULL,
		    "ubuntu/20.04/x86_64/5.4.0-74-generic.btf", true);
	cr_expect(contains(m.warning, "5.4.0-74-lowlatency"), "%s", m.warning);
	cr_expect(contains(m.warning, "5.4.0-74-generic"), "%s", m.warning);
	coll_done(&b);
	cr_assert(eq(int, match_hub(&b, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-lowlatency",
				    "x86_64", false, &m), -ENOENT));
	cr_expect(not(eq(int, m.steps[m.nr_steps - 1].step, HUB_STEP_NEAREST)));
	cr_expect(eq(str, m.warning, ""));
	coll_done(&b);
}

/* hub_match with NULL options: no nearest. */
Test(hub_match, null_options)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;

	coll_build(FORM_TAR, "hub", hub_paths, ARRAY_SIZE(hub_paths), &b);
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-lowlatency", "x86_64");
	cr_expect(eq(int, hub_match(&b.c, &h, NULL, &m), -ENOENT));
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-74-generic", "x86_64");
	cr_expect(eq(int, hub_match(&b.c, &h, NULL, &m), 0));
	coll_done(&b);
}

/* ---- no pick: why ----------------------------------------------------------- */

static const char *const why_paths[] = {
	"centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
	"ubuntu/20.04/arm64/5.4.0-77-generic.btf",
	"ubuntu/20.04/x86_64/5.4.0-73-generic.btf",
	"ubuntu/20.04/x86_64/5.4.0-74-generic.btf",
	"ubuntu/20.04/x86_64/5.8.0-63-generic.btf",
	"debian/10/x86_64/5.4.0-77.x.btf",
};

/* The index in @s of @needle, or -1. */
static long pos_of(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	return p ? (long)(p - s) : -1;
}

Test(hub_match, why_host_facts_and_three_closest)
{
	struct hub_match_opts o = { .allow_nearest = false };
	struct built b;
	struct hub_match m;
	struct hub_host h;
	long a, c, d;

	coll_build(FORM_TAR, "why", why_paths, ARRAY_SIZE(why_paths), &b);
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-77-generic", "x86_64");
	cr_assert(eq(int, hub_match(&b.c, &h, &o, &m), -ENOENT));
	cr_expect(contains(m.why, "ID=ubuntu"), "%s", m.why);
	cr_expect(contains(m.why, "VERSION_ID=20.04"), "%s", m.why);
	cr_expect(contains(m.why, "ID_LIKE=debian"), "%s", m.why);
	cr_expect(contains(m.why, "x86_64"), "%s", m.why);
	cr_expect(contains(m.why, "5.4.0-77-generic"), "%s", m.why);
	cr_expect(not(contains(m.why, "no os-release")), "%s", m.why);
	/* the same distribution first, then the longest common release prefix: three of them */
	a = pos_of(m.why, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf");
	c = pos_of(m.why, "ubuntu/20.04/x86_64/5.4.0-74-generic.btf");
	d = pos_of(m.why, "ubuntu/20.04/x86_64/5.8.0-63-generic.btf");
	cr_expect(a >= 0 && c > a && d > c, "closest, in order: %s", m.why);
	/* not a fourth, and never another arch */
	cr_expect(not(contains(m.why, "debian/10")), "a fourth entry: %s", m.why);
	cr_expect(not(contains(m.why, "centos/7")), "a fourth entry: %s", m.why);
	cr_expect(not(contains(m.why, "arm64/")), "an entry of another arch: %s", m.why);
	cr_expect(not(contains(m.why, "\n")), "one line: %s", m.why);
	coll_done(&b);
}

Test(hub_match, why_without_os_release)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;

	coll_build(FORM_TAR, "why", why_paths, ARRAY_SIZE(why_paths), &b);
	host_make(&h, NULL, "5.4.0-99-generic", "aarch64");
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), -ENOENT));
	cr_expect(contains(m.why, "no os-release"), "%s", m.why);
	cr_expect(contains(m.why, "5.4.0-99-generic"), "%s", m.why);
	cr_expect(contains(m.why, "aarch64"), "%s", m.why);
	/* the one entry of the host's arch, however spelled */
	cr_expect(contains(m.why, "ubuntu/20.04/arm64/5.4.0-77-generic.btf"), "%s", m.why);
	cr_expect(not(contains(m.why, "x86_64/")), "%s", m.why);
	coll_done(&b);
}

Test(hub_match, why_no_entry_of_the_arch)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;

	coll_build(FORM_TAR, "why", why_paths, ARRAY_SIZE(why_paths), &b);
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "riscv64");
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), -ENOENT));
	cr_expect(contains(m.why, "riscv64"), "%s", m.why);
	cr_expect(not(contains(m.why, ".btf")), "an entry of another arch: %s", m.why);
	coll_done(&b);
}

/* Entries without an arch are no candidates for "closest" either. */
Test(hub_match, why_ignores_entries_without_arch)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;

	coll_build(FORM_TAR, "noarch", noarch_paths, ARRAY_SIZE(noarch_paths), &b);
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), -ENOENT));
	cr_expect(contains(m.why, "ubuntu/20.04/x86_64/5.4.0-80-generic.btf"), "%s", m.why);
	cr_expect(not(contains(m.why, " 5.4.0-73-generic.btf")), "%s", m.why);
	cr_expect(not(contains(m.why, "20.04/x86_64/5.4.0-74")), "%s", m.why);
	coll_done(&b);
}

/* A host whose facts are as long as they can be: the why line is cut, never overflowed. */
Test(hub_match, why_with_huge_facts)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;
	char osr[4 * HUB_OSR_VALUE_MAX];

	snprintf(osr, sizeof(osr), "ID=%0254d\nVERSION_ID=%0254d\nID_LIKE=%0254d\n", 1, 2, 3);
	coll_build(FORM_TAR, "hub", hub_paths, ARRAY_SIZE(hub_paths), &b);
	host_make(&h, osr, "", "x86_64");
	memset(h.release, '5', sizeof(h.release) - 1);
	h.release[sizeof(h.release) - 1] = '\0';
	memset(h.arch, 'x', sizeof(h.arch) - 1);
	h.arch[sizeof(h.arch) - 1] = '\0';
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), -ENOENT));
	cr_expect(lt(sz, strlen(m.why), sizeof(m.why)));
	cr_expect(le(sz, m.nr_steps, (size_t)HUB_MATCH_MAX_STEPS));
	coll_done(&b);
}

/* An ID_LIKE of many IDs: the steps stay within HUB_MATCH_MAX_STEPS, the pick is still made. */
Test(hub_match, many_id_like_entries)
{
	struct built b;
	struct hub_match m;
	struct hub_host h;
	char osr[HUB_OSR_VALUE_MAX + 64];
	size_t n;
	int i;

	n = (size_t)snprintf(osr, sizeof(osr), "ID=x\nVERSION_ID=\"9.3\"\nID_LIKE=\"");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(osr + n, sizeof(osr) - n, "d%d ", i);
	snprintf(osr + n, sizeof(osr) - n, "rhel\"\n");
	coll_build(FORM_TAR, "hub", hub_paths, ARRAY_SIZE(hub_paths), &b);
	host_make(&h, osr, "5.14.0-362.8.1.el9_3.x86_64", "x86_64");
	cr_assert(eq(str, h.osr.id_like + strlen(h.osr.id_like) - 4, "rhel"), "%s", h.osr.id_like);
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), 0), "%s", m.why);
	cr_expect(eq(str, b.c.t.v[m.pick].path, "rhel/9/x86_64/5.14.0-362.8.1.el9_3.x86_64.btf"));
	cr_expect(eq(int, m.by, HUB_STEP_ID_LIKE));
	cr_expect(le(sz, m.nr_steps, (size_t)HUB_MATCH_MAX_STEPS));
	coll_done(&b);
}

/* An empty collection: no pick, no crash. */
Test(hub_match, empty_collection)
{
	struct tar_spec none[] = { { .name = "README.md", .data = "nothing here\n" } };
	struct hub_coll c;
	struct hub_match m;
	struct hub_host h;
	size_t size;
	void *tar = tar_of(none, 1, &size);

	cr_assert(eq(int, hub_coll_from_mem("empty", tar, size, &c), 0), "%s", diag_last());
	cr_expect(eq(sz, c.t.n, 0));
	cr_expect(eq(sz, c.passed_over, 1));
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_expect(eq(int, hub_match(&c, &h, NULL, &m), -ENOENT));
	cr_expect(m.why[0] != '\0');
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_expect(eq(int, hub_match(&c, &h, &(struct hub_match_opts){ .allow_nearest = true }, &m),
		     -ENOENT));
	hub_coll_free(&c);
	free(tar);
	assert_no_leaks();
}

/* ---- tar collections: "./", hard links, members that are not kernels --------- */

static const struct tar_spec archive_tar[] = {
	{ .name = "./", .dir = true },
	{ .name = "./btfgen-manifest.json", .data = "{\"format\":\"btfgen-manifest\"}\n" },
	{ .name = "./ubuntu/", .dir = true },
	{ .name = "./ubuntu/20.04/x86_64/5.4.0-73-generic.btf" },
	{ .name = "./ubuntu/18.04/x86_64/5.4.0-73-generic.btf",
	  .link = "./ubuntu/20.04/x86_64/5.4.0-73-generic.btf" },
	{ .name = "./centos/7/x86_64/3.10.0-1160.el7.x86_64.btf" },
	{ .name = "centos/8/x86_64/4.18.0-348.el8.x86_64.btf",
	  .link = "./centos/7/x86_64/3.10.0-1160.el7.x86_64.btf" },	/* mixed spellings */
	{ .name = "./README.md", .data = "a collection\n" },
	{ .name = "./ubuntu/20.04/x86_64/5.4.0-73-generic.btf.sha256", .data = "0123\n" },
};

static void check_archive_coll(const struct hub_coll *c, const char *what)
{
	static const char *const want[] = {
		"centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
		"centos/8/x86_64/4.18.0-348.el8.x86_64.btf",
		"ubuntu/18.04/x86_64/5.4.0-73-generic.btf",
		"ubuntu/20.04/x86_64/5.4.0-73-generic.btf",
	};
	struct hub_match m;
	struct hub_host h;
	size_t i;

	cr_assert(eq(sz, c->t.n, ARRAY_SIZE(want)), "%s: entries", what);
	for (i = 0; i < c->t.n; i++)
		cr_expect(eq(str, c->t.v[i].path, cstr(want[i])), "%s: entry %zu (no \"./\")", what,
			  i);
	cr_expect(eq(sz, c->nr_links, 2), "%s: links", what);
	/* the manifest, the README and the .sha256: 3 members that are not kernels */
	cr_expect(eq(sz, c->passed_over, 3), "%s: passed over", what);

	/* through a link: the link's own path, the target's bytes */
	host_make(&h, FX("ubuntu1804.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_assert(eq(int, hub_match(c, &h, NULL, &m), 0), "%s: %s", what, m.why);
	cr_expect(eq(str, c->t.v[m.pick].path, "ubuntu/18.04/x86_64/5.4.0-73-generic.btf"));
	cr_expect(eq(int, m.by, HUB_STEP_EXACT));
	expect_bytes(c, (size_t)m.pick, "./ubuntu/20.04/x86_64/5.4.0-73-generic.btf", what);
	cr_expect(eq(u64, c->t.v[m.pick].size, c->t.v[entry_of(c, want[3])].size));
	/* the target itself */
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_assert(eq(int, hub_match(c, &h, NULL, &m), 0), "%s: %s", what, m.why);
	cr_expect(eq(str, c->t.v[m.pick].path, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf"));
	expect_bytes(c, (size_t)m.pick, "./ubuntu/20.04/x86_64/5.4.0-73-generic.btf", what);
	/* a link whose name has no "./" to a target that has one */
	host_make(&h, FX("centos8.usr_lib_os-release"), "4.18.0-348.el8.x86_64", "x86_64");
	cr_assert(eq(int, hub_match(c, &h, NULL, &m), 0), "%s: %s", what, m.why);
	cr_expect(eq(str, c->t.v[m.pick].path, "centos/8/x86_64/4.18.0-348.el8.x86_64.btf"));
	expect_bytes(c, (size_t)m.pick, "./centos/7/x86_64/3.10.0-1160.el7.x86_64.btf", what);
	/* the same release by its release alone: the link and its target are two entries */
	host_make(&h, NULL, "5.4.0-73-generic", "x86_64");
	cr_expect(eq(int, hub_match(c, &h, NULL, &m), -ENOENT), "%s", what);
}

Test(hub_match, tar_dot_slash_links_and_other_members)
{
	struct hub_coll c;
	size_t size;
	void *tar = tar_of(archive_tar, ARRAY_SIZE(archive_tar), &size);

	cr_assert(eq(int, hub_coll_from_mem("archive.tar", tar, size, &c), 0), "%s", diag_last());
	cr_expect(eq(int, diag_lines(), 0), "printed: %s", diag_last());
	check_archive_coll(&c, "tar");
	hub_coll_free(&c);
	free(tar);
	assert_no_leaks();
}

Test(hub_match, tar_xz_dot_slash_links_and_other_members)
{
	struct hub_coll c;
	size_t size, xz_size;
	void *tar, *xz;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed");
	tar = tar_of(archive_tar, ARRAY_SIZE(archive_tar), &size);
	xz = xz_of(tar, size, &xz_size);
	free(tar);
	cr_assert(eq(int, hub_coll_from_mem("archive.tar.xz", xz, xz_size, &c), 0), "%s",
		  diag_last());
	/* the decompressed tar is the collection's own: the xz bytes may go */
	free(xz);
	check_archive_coll(&c, "tar.xz");
	hub_coll_free(&c);
	assert_no_leaks();
}

/* The same collection as a file on disk, opened by hub_coll_open() (told by content). */
Test(hub_match, tar_and_tar_xz_files_opened_by_content)
{
	struct hub_coll c;
	size_t size, xz_size;
	void *tar = tar_of(archive_tar, ARRAY_SIZE(archive_tar), &size);

	put_file(tmp_path("coll.bin"), tar, size);
	cr_assert(eq(int, hub_coll_open(tmp_path("coll.bin"), &c), 0), "%s", diag_last());
	check_archive_coll(&c, "tar file");
	hub_coll_free(&c);
	if (have_tool("xz")) {
		void *xz = xz_of(tar, size, &xz_size);

		put_file(tmp_path("coll.tar"), xz, xz_size);	/* a misleading name */
		free(xz);
		cr_assert(eq(int, hub_coll_open(tmp_path("coll.tar"), &c), 0), "%s", diag_last());
		check_archive_coll(&c, "tar.xz file");
		hub_coll_free(&c);
	}
	free(tar);
	assert_no_leaks();
}

/* A folder collection: files that are not kernels passed over and counted. */
Test(hub_match, folder_other_files_counted)
{
	static const char *const kernels[] = {
		"ubuntu/20.04/x86_64/5.4.0-73-generic.btf",
		"centos/7/x86_64/3.10.0-1160.el7.x86_64.btf",
	};
	struct built b;
	struct hub_match m;
	struct hub_host h;
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s", tmp_path("tree"));
	put_file(tmp_path("tree/btfgen-manifest.json"), "{}\n", 3);
	put_file(tmp_path("tree/README.md"), "x\n", 2);
	put_file(tmp_path("tree/ubuntu/20.04/x86_64/5.4.0-80-generic.btf.failed"), "x", 1);
	memset(&b, 0, sizeof(b));
	{
		size_t i;

		for (i = 0; i < ARRAY_SIZE(kernels); i++) {
			char path[PATH_MAX * 2];
			size_t ks;
			void *k = tagged_btf(kernels[i], &ks);

			snprintf(path, sizeof(path), "%s/%s", root, kernels[i]);
			put_file(path, k, ks);
			xfree(k);
		}
	}
	cr_assert(eq(int, hub_coll_open(root, &b.c), 0), "%s", diag_last());
	b.open = true;
	cr_expect(eq(sz, b.c.t.n, 2));
	cr_expect(eq(sz, b.c.passed_over, 3));
	host_make(&h, FX("ubuntu2004.usr_lib_os-release"), "5.4.0-73-generic", "x86_64");
	cr_assert(eq(int, hub_match(&b.c, &h, NULL, &m), 0), "%s", m.why);
	expect_bytes(&b.c, (size_t)m.pick, "ubuntu/20.04/x86_64/5.4.0-73-generic.btf", "folder");
	coll_done(&b);
	assert_no_leaks();
}

/* BTFHub's own tree: .btf.tar.xz files, read through xz and tar. */
Test(hub_match, folder_of_btfhub_tarballs)
{
	static const char *const rels[] = {
		"ubuntu/20.04/x86_64/5.4.0-73-generic",
		"centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64",
	};
	struct hub_coll c;
	struct hub_match m;
	struct hub_host h;
	size_t i;

	if (!have_tool("xz"))
		cr_skip_test("xz(1) is not installed");
	for (i = 0; i < ARRAY_SIZE(rels); i++) {
		const char *base = strrchr(rels[i], '/') + 1;
		char name[PATH_MAX], path[PATH_MAX * 2];
		struct tar_spec one = { .name = name };
		size_t size, xz_size;
		void *tar, *xz;

		/* one member, "<release>.btf", holding tagged_btf(<release>.btf) */
		snprintf(name, sizeof(name), "%s.btf", base);
		tar = tar_of(&one, 1, &size);
		xz = xz_of(tar, size, &xz_size);
		snprintf(path, sizeof(path), "%s/%s.btf.tar.xz", tmp_path("btfhub"), rels[i]);
		put_file(path, xz, xz_size);
		free(tar);
		free(xz);
	}
	cr_assert(eq(int, hub_coll_open(tmp_path("btfhub"), &c), 0), "%s", diag_last());
	cr_assert(eq(sz, c.t.n, 2));
	host_make(&h, FX("centos8.usr_lib_os-release"), "4.18.0-348.7.1.el8_5.aarch64", "aarch64");
	cr_assert(eq(int, hub_match(&c, &h, NULL, &m), 0), "%s", m.why);
	cr_expect(eq(str, c.t.v[m.pick].path,
		     "centos/8/arm64/4.18.0-348.7.1.el8_5.aarch64.btf.tar.xz"));
	cr_expect(eq(int, c.t.v[m.pick].fmt, HUB_FMT_TAR_XZ));
	expect_bytes(&c, (size_t)m.pick, "4.18.0-348.7.1.el8_5.aarch64.btf", "btfhub tarball");
	hub_coll_free(&c);
	assert_no_leaks();
}
