// SPDX-License-Identifier: MIT
/*
 * test_hub_host.c - unit tests for hub/host.c (suite hub_host): the host
 * facts a BTF collection is matched against. hub_os_release_parse() on real
 * os-release files and on every syntax case of os-release(5), and
 * hub_host_facts() with its options, its environment variables, the
 * ROOT/etc/os-release then ROOT/usr/lib/os-release order, and the kernel's
 * own BTF (ROOT/sys/kernel/btf/vmlinux).
 *
 * Oracles:
 *   - os-release(5): the file is a shell fragment of KEY=VALUE lines; the
 *     expected values of the real files were read off the files by hand and
 *     checked by sourcing each one in sh(1) (`. ./FILE; echo "$ID"`) when
 *     the table was written;
 *   - the 53 files of ../shared/corpus/os-release (python-distro's test
 *     resources; skipped, saying so, when the corpus is absent) and the
 *     fixtures of tests/fixtures/os-release (distributions the corpus lacks,
 *     written as they ship); each folder must be covered row for row, so a
 *     new file can't slip in untested;
 *   - hub.h and host.c's header for the order of the sources and for what a
 *     missing file means; uname(2) for the defaults;
 *   - a small BTF made with the BTF writer (btf/btf_write.c) for the
 *     kernel's own BTF, and cuts of it for the broken ones.
 * Every text handed to the parser sits in a malloc'd block of exactly its
 * length (no NUL after it), so ASan sees any read past the end.
 *
 * Each test gets its own mkdtemp() folder under /tmp (made by .init, removed
 * by .fini) and starts with $BTFGEN_HOST_ROOT and $BTFGEN_OS_RELEASE unset;
 * Criterion runs each test in its own process, so setenv() stays local.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/btf_format.h"
#include "helpers.h"
#include "hub/hub.h"
#include "util/util.h"

static void host_setup(void)
{
	tmp_dir_make("btfgen-hubhost");
	unsetenv("BTFGEN_HOST_ROOT");
	unsetenv("BTFGEN_OS_RELEASE");
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void host_teardown(void)
{
	diag_capture_end();
	tmp_dir_remove();
}

TestSuite(hub_host, .init = host_setup, .fini = host_teardown, .timeout = 30);

/* ---- helpers ------------------------------------------------------------ */

/* tmp_dir()/@rel holding the text @text, its folders made first. */
static void host_put_str(const char *rel, const char *text)
{
	put_file(tmp_path_kept(rel), text, strlen(text));
}

/* Parse @len bytes of @text from an exact-size heap copy (ASan sees overreads). */
static void parse_exact(const char *text, size_t len, struct hub_os_release *osr)
{
	char *copy = malloc(len ? len : 1);

	cr_assert(copy != NULL);
	memcpy(copy, text, len);
	memset(osr, 0x5a, sizeof(*osr));	/* the parser must set every field */
	hub_os_release_parse(copy, len, osr);
	free(copy);
}

/* Every field of @osr NUL-terminated inside its array. */
static void expect_terminated(const struct hub_os_release *osr, const char *what)
{
	cr_assert(lt(sz, strnlen(osr->id, sizeof(osr->id)), sizeof(osr->id)), "%s: ID", what);
	cr_assert(lt(sz, strnlen(osr->version_id, sizeof(osr->version_id)),
		     sizeof(osr->version_id)), "%s: VERSION_ID", what);
	cr_assert(lt(sz, strnlen(osr->id_like, sizeof(osr->id_like)), sizeof(osr->id_like)),
		  "%s: ID_LIKE", what);
	cr_assert(lt(sz, strnlen(osr->name, sizeof(osr->name)), sizeof(osr->name)), "%s: NAME",
		  what);
}

/* @s with control characters written as C escapes (one of four static buffers). */
static const char *shown(const char *s)
{
	static char buf[4][4 * HUB_OSR_VALUE_MAX + 1];
	static int k;
	char *b = buf[k++ & 3], *o = b;

	for (; *s && o < b + sizeof(buf[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r')
			o += sprintf(o, "\\r");
		else if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return b;
}

static void expect_osr(const struct hub_os_release *osr, const char *id, const char *ver,
		       const char *like, const char *name, const char *what)
{
	/* cr_expect: a table reports every row that differs, not only the first */
	expect_terminated(osr, what);
	cr_expect(eq(str, cstr(osr->id), cstr(id)), "%s: ID is \"%s\", want \"%s\"", what,
		  shown(osr->id), shown(id));
	cr_expect(eq(str, cstr(osr->version_id), cstr(ver)), "%s: VERSION_ID is \"%s\", want \"%s\"",
		  what, shown(osr->version_id), shown(ver));
	cr_expect(eq(str, cstr(osr->id_like), cstr(like)), "%s: ID_LIKE is \"%s\", want \"%s\"",
		  what, shown(osr->id_like), shown(like));
	if (name)
		cr_expect(eq(str, cstr(osr->name), cstr(name)), "%s: NAME is \"%s\", want \"%s\"",
			  what, shown(osr->name), shown(name));
}

/* ---- real os-release files ---------------------------------------------- */

struct osr_row {
	const char *file;
	const char *id, *version_id, *id_like, *name;
};

/* ../shared/corpus/os-release: one row per file (53). */
static const struct osr_row corpus_rows[] = {
	{ "almalinux10.usr_lib_os-release", "almalinux", "10.0", "rhel centos fedora", "AlmaLinux" },
	{ "alpine.etc_os-release", "alpine", "3.23.2", "", "Alpine Linux" },
	{ "altlinux10.etc_os-release", "altlinux", "10.1", "", "ALT Server" },
	{ "amazon2016.etc_os-release", "amzn", "2016.03", "rhel fedora", "Amazon Linux AMI" },
	{ "amazon2023.etc_os-release", "amzn", "2023", "fedora", "Amazon Linux" },
	{ "arch.usr_lib_os-release", "arch", "", "", "Arch Linux" },
	{ "armbian.usr_lib_os-release", "debian", "10", "", "Debian GNU/Linux" },
	{ "bttcb1.etc_os-release", "debian", "11", "", "Debian GNU/Linux" },
	{ "bttcb1.usr_lib_os-release", "debian", "11", "", "Debian GNU/Linux" },
	{ "buildroot.etc_os-release", "buildroot", "2022.02", "", "Buildroot" },
	{ "centos7.etc_os-release", "centos", "7", "rhel fedora", "CentOS Linux" },
	{ "centosstream10.etc_os-release", "centos", "10", "rhel fedora", "CentOS Stream" },
	{ "centosstream8.etc_os-release", "centos", "8", "rhel fedora", "CentOS Stream" },
	{ "centosstream9.etc_os-release", "centos", "9", "rhel fedora", "CentOS Stream" },
	{ "cloudlinux7.etc_os-release", "cloudlinux", "7.3", "rhel fedora centos", "CloudLinux" },
	{ "coreos.etc_os-release", "coreos", "899.15.0", "", "CoreOS" },
	{ "debian10.etc_os-release", "debian", "10", "", "Debian GNU/Linux" },
	{ "debian13.etc_os-release", "debian", "13", "", "Debian GNU/Linux" },
	{ "debian8.etc_os-release", "debian", "8", "", "Debian GNU/Linux" },
	{ "debiantesting.etc_os-release", "debian", "", "", "Debian GNU/Linux" },
	{ "exherbo.etc_os-release", "exherbo", "", "", "Exherbo" },
	{ "fedora19.etc_os-release", "fedora", "19", "", "Fedora" },
	{ "fedora23.usr_lib_os-release", "fedora", "23", "", "Fedora" },
	{ "fedora30.usr_lib_os-release", "fedora", "30", "", "Fedora" },
	{ "fedora42.usr_lib_os-release", "fedora", "42", "", "Fedora Linux" },
	{ "gentoo.etc_os-release", "gentoo", "", "", "Gentoo" },
	{ "guix.etc_os-release", "guix", "", "", "Guix System" },
	{ "kali.etc_os-release", "kali", "2017.1", "debian", "Kali GNU/Linux" },
	{ "kvmibm1.etc_os-release", "kvmibm", "1.1.1", "rhel fedora", "KVM for IBM z Systems" },
	{ "linuxmint17.etc_os-release", "ubuntu", "14.04", "debian", "Ubuntu" },
	{ "mageia5.usr_lib_os-release", "mageia", "5", "mandriva fedora", "Mageia" },
	{ "manjaro1512.etc_os-release", "manjaro", "", "", "Manjaro Linux" },
	{ "openelec6.etc_os-release", "openelec", "6.0", "", "OpenELEC" },
	{ "opensuse15.etc_os-release", "opensuse-leap", "15.2", "suse opensuse", "openSUSE Leap" },
	{ "opensuse42.etc_os-release", "opensuse", "42.1", "suse", "openSUSE Leap" },
	{ "oracle7.etc_os-release", "ol", "7.5", "", "Oracle Linux Server" },
	{ "raspbian7.etc_os-release", "raspbian", "7", "debian", "Raspbian GNU/Linux" },
	{ "raspbian8.etc_os-release", "raspbian", "8", "debian", "Raspbian GNU/Linux" },
	{ "rhel10.etc_os-release", "rhel", "10.0", "centos fedora", "Red Hat Enterprise Linux" },
	{ "rhel7.etc_os-release", "rhel", "7.0", "fedora", "Red Hat Enterprise Linux Server" },
	{ "rhel9.etc_os-release", "rhel", "9.6", "fedora", "Red Hat Enterprise Linux" },
	{ "rocky.usr_lib_os-release", "rocky", "8.4", "rhel centos fedora", "Rocky Linux" },
	{ "rocky10.etc_os-release", "rocky", "10.0", "rhel centos fedora", "Rocky Linux" },
	{ "rocky9.usr_lib_os-release", "rocky", "9.3", "rhel centos fedora", "Rocky Linux" },
	{ "scientific7.etc_os-release", "rhel", "7.2", "fedora", "Scientific Linux" },
	{ "slackware14.etc_os-release", "slackware", "14.1", "", "Slackware" },
	{ "sles12.etc_os-release", "sles", "12.1", "", "SLES" },
	{ "ubuntu14.etc_os-release", "ubuntu", "14.04", "debian", "Ubuntu" },
	{ "ubuntu16.etc_os-release", "ubuntu", "16.04", "debian", "Ubuntu" },
	{ "ubuntu24.etc_os-release", "ubuntu", "24.04", "debian", "Ubuntu" },
	{ "ubuntu2504.etc_os-release", "ubuntu", "25.04", "debian", "Ubuntu" },
	{ "ubuntu2510.etc_os-release", "ubuntu", "25.10", "debian", "Ubuntu" },
	{ "ubuntu2604.etc_os-release", "ubuntu", "26.04", "debian", "Ubuntu" },
};

/* tests/fixtures/os-release: the distributions the corpus lacks. */
static const struct osr_row fixture_rows[] = {
	{ "ubuntu1804.usr_lib_os-release", "ubuntu", "18.04", "debian", "Ubuntu" },
	{ "ubuntu2004.usr_lib_os-release", "ubuntu", "20.04", "debian", "Ubuntu" },
	{ "ubuntu2204.usr_lib_os-release", "ubuntu", "22.04", "debian", "Ubuntu" },
	{ "debian9.usr_lib_os-release", "debian", "9", "", "Debian GNU/Linux" },
	{ "debian11.usr_lib_os-release", "debian", "11", "", "Debian GNU/Linux" },
	{ "debian12.usr_lib_os-release", "debian", "12", "", "Debian GNU/Linux" },
	{ "centos8.usr_lib_os-release", "centos", "8", "rhel fedora", "CentOS Linux" },
	{ "rhel8.usr_lib_os-release", "rhel", "8.9", "fedora", "Red Hat Enterprise Linux" },
	{ "oracle8.usr_lib_os-release", "ol", "8.9", "fedora", "Oracle Linux Server" },
	{ "amazon2.etc_os-release", "amzn", "2", "centos rhel fedora", "Amazon Linux" },
	{ "sles15sp4.usr_lib_os-release", "sles", "15.4", "suse", "SLES" },
	{ "opensuseleap155.usr_lib_os-release", "opensuse-leap", "15.5", "suse opensuse",
	  "openSUSE Leap" },
	{ "alpine318.etc_os-release", "alpine", "3.18.4", "", "Alpine Linux" },
};

#define FIXTURE_DIR "tests/fixtures/os-release"

static const char *corpus_osr_dir(void)
{
	static char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/os-release", corpus_dir());
	return dir;
}

/* Parse @dir/@row->file and compare with the row. */
static void check_row(const char *dir, const struct osr_row *row)
{
	char path[PATH_MAX];
	struct hub_os_release osr;
	size_t size;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, row->file);
	text = read_file(path, &size);
	cr_assert(text != NULL, "%s: can't read it", path);
	parse_exact(text, size, &osr);
	expect_osr(&osr, row->id, row->version_id, row->id_like, row->name, row->file);
	free(text);
}

/*
 * Every file of @dir (README.md and hidden files aside) has a row, every
 * row a file, and there are @want of them.
 */
static void check_coverage(const char *dir, const struct osr_row *rows, size_t nr, size_t want)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t files = 0, i;

	cr_assert(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		bool found = false;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "README.md"))
			continue;
		files++;
		for (i = 0; i < nr && !found; i++)
			found = !strcmp(rows[i].file, de->d_name);
		cr_assert(found, "%s/%s has no row in the table: add one (ID, VERSION_ID, "
			  "ID_LIKE, NAME)", dir, de->d_name);
	}
	closedir(d);
	for (i = 0; i < nr; i++) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, rows[i].file);
		cr_assert(eq(int, stat(path, &st), 0), "row %s: no such file in %s", rows[i].file,
			  dir);
	}
	cr_assert(eq(sz, files, nr), "%s: files vs rows", dir);
	cr_assert(eq(sz, nr, want), "%s: rows", dir);
}

Test(hub_host, corpus_os_release_files)
{
	const char *dir = corpus_osr_dir();
	struct stat st;
	size_t i;

	if (stat(dir, &st) != 0)
		cr_skip_test("%s is absent (set $BTFGEN_CORPUS): real os-release files not checked",
			     dir);
	for (i = 0; i < ARRAY_SIZE(corpus_rows); i++)
		check_row(dir, &corpus_rows[i]);
	assert_no_leaks();
}

Test(hub_host, corpus_every_file_has_a_row)
{
	const char *dir = corpus_osr_dir();
	struct stat st;

	if (stat(dir, &st) != 0)
		cr_skip_test("%s is absent (set $BTFGEN_CORPUS)", dir);
	check_coverage(dir, corpus_rows, ARRAY_SIZE(corpus_rows), 53);
}

Test(hub_host, fixture_os_release_files)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fixture_rows); i++)
		check_row(FIXTURE_DIR, &fixture_rows[i]);
	assert_no_leaks();
}

Test(hub_host, fixture_every_file_has_a_row)
{
	check_coverage(FIXTURE_DIR, fixture_rows, ARRAY_SIZE(fixture_rows), 13);
}

/* The real files read by hub_host_facts() from ROOT/etc/os-release give the same facts. */
Test(hub_host, fixture_files_through_host_facts)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fixture_rows); i++) {
		struct hub_host_opts o = { .root = tmp_path_kept(""),
					   .kernel_release = "5.4.0-73-generic", .arch = "x86_64" };
		struct hub_host h;
		char path[PATH_MAX];
		size_t size;
		char *text;

		snprintf(path, sizeof(path), FIXTURE_DIR "/%s", fixture_rows[i].file);
		text = read_file(path, &size);
		cr_assert(text != NULL, "%s", path);
		put_file(tmp_path_kept("etc/os-release"), text, size);
		free(text);
		cr_assert(eq(int, hub_host_facts(&o, &h), 0), "%s", fixture_rows[i].file);
		cr_assert(h.have_os_release, "%s", fixture_rows[i].file);
		expect_osr(&h.osr, fixture_rows[i].id, fixture_rows[i].version_id,
			   fixture_rows[i].id_like, fixture_rows[i].name, fixture_rows[i].file);
	}
	cr_assert(eq(int, diag_lines(), 0), "hub_host_facts printed: %s", diag_last());
}

/* ---- os-release(5) syntax ----------------------------------------------- */

struct syntax_row {
	const char *what;
	const char *text;
	const char *id, *version_id, *id_like, *name;
};

/*
 * Expected values are the shell's (os-release(5): "shell-compatible"),
 * except where the man page or hub.h says a line is ignored: a line that
 * does not parse leaves the field as it was.
 */
static const struct syntax_row syntax_rows[] = {
	{ "unquoted values",
	  "NAME=Ubuntu\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=20.04\n",
	  "ubuntu", "20.04", "debian", "Ubuntu" },
	{ "double-quoted values",
	  "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"8.9\"\n",
	  "rhel", "8.9", "fedora", "Red Hat Enterprise Linux" },
	{ "single-quoted values",
	  "NAME='Oracle Linux Server'\nID='ol'\nID_LIKE='fedora'\nVERSION_ID='8.9'\n",
	  "ol", "8.9", "fedora", "Oracle Linux Server" },
	{ "double quotes: \\\" \\\\ \\$ \\` are escapes",
	  "NAME=\"a\\\"b\\\\c\\$d\\`e\"\nID=\"x\\\\\"\n",
	  "x\\", "", "", "a\"b\\c$d`e" },
	{ "double quotes: a backslash before any other character stays",
	  "NAME=\"a\\nb\\tc\\'d\"\n",
	  "", "", "", "a\\nb\\tc\\'d" },
	{ "single quotes: everything literal, backslashes and $ included",
	  "NAME='a \\\"b\\\" $c \\\\d `e`'\n",
	  "", "", "", "a \\\"b\\\" $c \\\\d `e`" },
	{ "unquoted: a backslash escapes the next character",
	  "NAME=Foo\\ Bar\nID=a\\\\b\nVERSION_ID=1\\.2\nID_LIKE=\\\"x\\\"\n",
	  "a\\b", "1.2", "\"x\"", "Foo Bar" },
	{ "unquoted: a trailing backslash (no character to escape) is not a value",
	  "ID=kept\nID=abc\\",
	  "kept", "", "", "" },
	{ "quoted and unquoted parts join, as in the shell",
	  "NAME=\"Red \"'Hat'\\ Linux\nID=\"rh\"el\nVERSION_ID=8'.'\"9\"\n",
	  "rhel", "8.9", "", "Red Hat Linux" },
	{ "comments and comment-like text",
	  "# ID=commented\nID=real # a comment after a blank\n  # an indented comment\n"
	  "VERSION_ID=\"1\"\t# after a tab\nNAME=\"x # y\"\nID_LIKE=a#b\n",
	  "real", "1", "a#b", "x # y" },
	{ "blank lines and blank-only lines",
	  "\n\n   \n\t\nID=x\n\n \t \nVERSION_ID=2\n\n",
	  "x", "2", "", "" },
	{ "leading blanks before the key",
	  "  ID=x\n\tVERSION_ID=1\n \t ID_LIKE=\"y z\"\n",
	  "x", "1", "y z", "" },
	{ "CRLF line ends, unquoted (the \\r is not part of the value)",
	  "ID=ubuntu\r\nID_LIKE=debian\r\n",
	  "ubuntu", "", "debian", "" },
	{ "CRLF line ends, double-quoted (the \\r is not part of the value)",
	  "NAME=\"Ubuntu\"\r\nVERSION_ID=\"20.04\"\r\n",
	  "", "20.04", "", "Ubuntu" },
	{ "CRLF line ends, single-quoted (the \\r is not part of the value)",
	  "ID='debian'\r\nVERSION_ID='12'\r\n",
	  "debian", "12", "", "" },
	{ "CRLF line ends, comments and blank lines",
	  "# comment\r\n\r\nID=fedora\r\n# ID=not\r\n",
	  "fedora", "", "", "" },
	{ "lines without '='",
	  "ID\nVERSION_ID 1\nID ubuntu\nNAME\n",
	  "", "", "", "" },
	{ "keys with characters a KEY can't have, or blanks before '='",
	  "I-D=a\nID.x=b\nID =c\nID-LIKE=d\nVERSION-ID=e\nNAME:=f\nI\"D\"=g\n",
	  "", "", "", "" },
	{ "keys are case-sensitive and matched whole",
	  "id=a\nXID=b\nID_=c\nIDX=d\nVERSION_ID2=e\nID_LIKEX=f\nNAME2=g\nVERSION=h\n"
	  "PRETTY_NAME=\"i\"\nVERSION_CODENAME=j\n",
	  "", "", "", "" },
	{ "a blank after '=' before the value: not an assignment",
	  "ID=kept\nID= ubuntu\nVERSION_ID=\tx\n",
	  "kept", "", "", "" },
	{ "an unquoted value with a blank: not a value (the shell would run a command)",
	  "NAME=kept\nNAME=Foo Bar\nID=x y\n",
	  "", "", "", "kept" },
	{ "a quoted value followed by more than a comment: not a value",
	  "ID=kept\nID=\"x\" y\n",
	  "kept", "", "", "" },
	{ "an unterminated double quote: that line ignored, the next one read",
	  "ID=good\nID=\"bad\nVERSION_ID=1\n",
	  "good", "1", "", "" },
	{ "an unterminated single quote: that line ignored",
	  "ID='bad\nID_LIKE=\"ok\"\n",
	  "", "", "ok", "" },
	{ "an escaped closing quote leaves the quote open: ignored",
	  "ID=good\nID=\"bad\\\"\n",
	  "good", "", "", "" },
	{ "duplicate keys: the last wins",
	  "ID=first\nVERSION_ID=1\nID=second\nVERSION_ID=\"2\"\nID_LIKE=a\nID_LIKE='b c'\n",
	  "second", "2", "b c", "" },
	{ "duplicate keys: an empty last value wins too",
	  "ID=first\nID=\nVERSION_ID=1\nVERSION_ID=\"\"\n",
	  "", "", "", "" },
	{ "empty values",
	  "ID=\nVERSION_ID=\"\"\nID_LIKE=''\nNAME=\n",
	  "", "", "", "" },
	{ "no newline at the end",
	  "ID=ubuntu\nVERSION_ID=\"20.04\"",
	  "ubuntu", "20.04", "", "" },
	{ "one line, no newline",
	  "ID=x",
	  "x", "", "", "" },
	{ "a comment at the end, no newline",
	  "ID=x\n# last",
	  "x", "", "", "" },
	{ "lines of only '='",
	  "=\n=x\n==\n",
	  "", "", "", "" },
	{ "an empty file",
	  "",
	  "", "", "", "" },
};

Test(hub_host, os_release_syntax_table)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(syntax_rows); i++) {
		const struct syntax_row *r = &syntax_rows[i];
		struct hub_os_release osr;

		parse_exact(r->text, strlen(r->text), &osr);
		expect_osr(&osr, r->id, r->version_id, r->id_like, r->name, r->what);
	}
	assert_no_leaks();
}

/* Each CRLF case alone, so a kept '\r' shows exactly which quoting keeps it. */
Test(hub_host, os_release_crlf_no_cr_in_any_field)
{
	static const char *const texts[] = {
		"ID=ubuntu\r\nVERSION_ID=20.04\r\nID_LIKE=debian\r\nNAME=Ubuntu\r\n",
		"ID=\"ubuntu\"\r\nVERSION_ID=\"20.04\"\r\nID_LIKE=\"debian\"\r\nNAME=\"Ubuntu\"\r\n",
		"ID='ubuntu'\r\nVERSION_ID='20.04'\r\nID_LIKE='debian'\r\nNAME='Ubuntu'\r\n",
	};
	static const char *const names[] = { "CRLF, unquoted", "CRLF, double-quoted",
					     "CRLF, single-quoted" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		struct hub_os_release osr;

		parse_exact(texts[i], strlen(texts[i]), &osr);
		cr_expect(strchr(osr.id, '\r') == NULL, "%s: ID holds a \\r", names[i]);
		cr_expect(strchr(osr.version_id, '\r') == NULL, "%s: VERSION_ID holds a \\r",
			  names[i]);
		cr_expect(strchr(osr.id_like, '\r') == NULL, "%s: ID_LIKE holds a \\r", names[i]);
		cr_expect(strchr(osr.name, '\r') == NULL, "%s: NAME holds a \\r", names[i]);
		expect_osr(&osr, "ubuntu", "20.04", "debian", "Ubuntu", names[i]);
	}
}

/* Only @len bytes are read: a longer text cut short gives the short value. */
Test(hub_host, os_release_reads_only_len_bytes)
{
	static const char text[] = "ID=abcdef\nVERSION_ID=1\n";
	struct hub_os_release osr;

	parse_exact(text, 6, &osr);	/* "ID=abc" */
	expect_osr(&osr, "abc", "", "", "", "cut at 6");
	parse_exact(text, 12, &osr);	/* "ID=abcdef\nVE" */
	expect_osr(&osr, "abcdef", "", "", "", "cut at 12");
	parse_exact(text, 0, &osr);
	expect_osr(&osr, "", "", "", "", "cut at 0");
	parse_exact("ID=\"abc\"", 7, &osr);	/* the closing quote cut off */
	expect_osr(&osr, "", "", "", "", "closing quote cut off");
}

/* A text of @pre, @n copies of 'v', @post. */
static char *long_value(const char *pre, size_t n, const char *post, size_t *len)
{
	size_t a = strlen(pre), b = strlen(post);
	char *t = malloc(a + n + b + 1);

	cr_assert(t != NULL);
	memcpy(t, pre, a);
	memset(t + a, 'v', n);
	memcpy(t + a + n, post, b + 1);
	*len = a + n + b;
	return t;
}

Test(hub_host, os_release_value_length_limit)
{
	struct hub_os_release osr;
	char want[HUB_OSR_VALUE_MAX];
	size_t len;
	char *t;

	/* HUB_OSR_VALUE_MAX - 1 characters (plus the NUL) fit: kept */
	memset(want, 'v', HUB_OSR_VALUE_MAX - 1);
	want[HUB_OSR_VALUE_MAX - 1] = '\0';
	t = long_value("ID=", HUB_OSR_VALUE_MAX - 1, "\n", &len);
	parse_exact(t, len, &osr);
	free(t);
	cr_assert(eq(str, osr.id, want), "255 characters unquoted");
	t = long_value("ID=\"", HUB_OSR_VALUE_MAX - 1, "\"\n", &len);
	parse_exact(t, len, &osr);
	free(t);
	cr_assert(eq(str, osr.id, want), "255 characters quoted (the quotes don't count)");

	/* HUB_OSR_VALUE_MAX characters and more: the line is ignored */
	t = long_value("ID=kept\nID=", HUB_OSR_VALUE_MAX, "\n", &len);
	parse_exact(t, len, &osr);
	free(t);
	expect_osr(&osr, "kept", "", "", "", "256 characters");
	t = long_value("VERSION_ID=1\nVERSION_ID='", 4000, "'\nID=after\n", &len);
	parse_exact(t, len, &osr);
	free(t);
	expect_osr(&osr, "after", "1", "", "", "4000 characters, single-quoted");
	t = long_value("NAME=\"", 70000, "\"", &len);
	parse_exact(t, len, &osr);
	free(t);
	expect_osr(&osr, "", "", "", "", "70000 characters, no newline");
	assert_no_leaks();
}

/* A deterministic byte stream (xorshift32). */
static u32 rng_next(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

#define GARBAGE_SIZE (64u << 10)

/* 64 KB of bytes, any value at all (NUL, '=', quotes, newlines): no crash, fields terminated. */
Test(hub_host, os_release_64k_of_any_bytes)
{
	struct hub_os_release osr;
	u32 seed;
	int round;

	for (round = 0; round < 8; round++) {
		char *g = malloc(GARBAGE_SIZE);
		size_t i;

		cr_assert(g != NULL);
		seed = 0x9e3779b9u + (u32)round * 7919u;
		for (i = 0; i < GARBAGE_SIZE; i++) {
			u32 r = rng_next(&seed);

			/* round 0-3: any byte; 4-7: mostly os-release's own characters */
			if (round < 4)
				g[i] = (char)(r & 0xff);
			else
				g[i] = "ID_=\"'\\ \n#\tAVERSION_LIKE.\r$`x"[r % 30];
		}
		parse_exact(g, GARBAGE_SIZE, &osr);
		expect_terminated(&osr, "garbage");
		free(g);
	}
	assert_no_leaks();
}

/* 64 KB of garbage without '=': nothing parses; a real line after it still does. */
Test(hub_host, os_release_64k_of_garbage_then_a_line)
{
	static const char tail[] = "\nID=found\nVERSION_ID=\"1.2\"\n";
	struct hub_os_release osr;
	char *g = malloc(GARBAGE_SIZE + sizeof(tail));
	u32 seed = 12345;
	size_t i;

	cr_assert(g != NULL);
	for (i = 0; i < GARBAGE_SIZE; i++) {
		char c = (char)(rng_next(&seed) & 0xff);

		g[i] = c == '=' ? 'x' : c;
	}
	parse_exact(g, GARBAGE_SIZE, &osr);
	expect_osr(&osr, "", "", "", "", "garbage without '='");
	memcpy(g + GARBAGE_SIZE, tail, sizeof(tail) - 1);
	parse_exact(g, GARBAGE_SIZE + sizeof(tail) - 1, &osr);
	expect_osr(&osr, "found", "1.2", "", "", "garbage, then ID=");
	free(g);
	assert_no_leaks();
}

/* ---- hub_host_facts: where os-release comes from ------------------------ */

static const char OSR_ETC[] = "ID=etc\nVERSION_ID=\"1\"\n";
static const char OSR_USR[] = "ID=usrlib\nVERSION_ID=\"2\"\n";
static const char OSR_ENV[] = "ID=env\nVERSION_ID=\"3\"\n";
static const char OSR_OPT[] = "ID=opt\nVERSION_ID=\"4\"\n";

static struct hub_host_opts opts_in(const char *root)
{
	struct hub_host_opts o = { .root = root, .kernel_release = "5.4.0-73-generic",
				   .arch = "x86_64" };

	return o;
}

static void facts_ok(const struct hub_host_opts *o, struct hub_host *h)
{
	memset(h, 0x5a, sizeof(*h));
	cr_assert(eq(int, hub_host_facts(o, h), 0));
	cr_assert(eq(int, diag_lines(), 0), "hub_host_facts printed: %s", diag_last());
	cr_assert(lt(sz, strnlen(h->root, sizeof(h->root)), sizeof(h->root)));
	cr_assert(lt(sz, strnlen(h->os_release_path, sizeof(h->os_release_path)),
		     sizeof(h->os_release_path)));
	cr_assert(lt(sz, strnlen(h->release, sizeof(h->release)), sizeof(h->release)));
	cr_assert(lt(sz, strnlen(h->arch, sizeof(h->arch)), sizeof(h->arch)));
	expect_terminated(&h->osr, "facts");
}

static void expect_from(const struct hub_host *h, const char *path, const char *id)
{
	cr_assert(h->have_os_release, "no os-release read (wanted %s)", path);
	cr_assert(eq(str, cstr(h->os_release_path), cstr(path)));
	cr_assert(eq(str, cstr(h->osr.id), cstr(id)));
}

Test(hub_host, facts_root_etc_before_usr_lib)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	host_put_str("etc/os-release", OSR_ETC);
	host_put_str("usr/lib/os-release", OSR_USR);
	facts_ok(&o, &h);
	cr_assert(eq(str, h.root, cstr(tmp_path_kept(""))));
	expect_from(&h, tmp_path_kept("etc/os-release"), "etc");
	cr_assert(eq(str, h.osr.version_id, "1"));
	cr_assert(eq(str, h.release, "5.4.0-73-generic"));
	cr_assert(eq(str, h.arch, "x86_64"));
	cr_assert(not(h.kernel_has_btf));
}

Test(hub_host, facts_root_usr_lib_when_etc_missing)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	host_put_str("usr/lib/os-release", OSR_USR);
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("usr/lib/os-release"), "usrlib");
}

/* ROOT/etc/os-release that is a folder is not a file: usr/lib is read. */
Test(hub_host, facts_etc_os_release_a_folder)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	mkdir_p(tmp_path_kept("etc/os-release"));
	host_put_str("usr/lib/os-release", OSR_USR);
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("usr/lib/os-release"), "usrlib");
}

/* A symlink, as Debian, Ubuntu, RHEL 8 and SLES 15 ship /etc/os-release. */
Test(hub_host, facts_etc_os_release_a_symlink)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	host_put_str("usr/lib/os-release", OSR_USR);
	mkdir_p(tmp_path_kept("etc"));
	cr_assert(eq(int, symlink("../usr/lib/os-release", tmp_path_kept("etc/os-release")), 0));
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("etc/os-release"), "usrlib");
}

Test(hub_host, facts_missing_os_release_is_not_an_error)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	facts_ok(&o, &h);
	cr_assert(not(h.have_os_release));
	cr_assert(eq(str, h.os_release_path, ""));
	expect_osr(&h.osr, "", "", "", "", "no os-release");
	cr_assert(eq(str, h.release, "5.4.0-73-generic"));
	cr_assert(eq(str, h.arch, "x86_64"));
	cr_assert(not(h.kernel_has_btf));
}

/* An empty os-release was read: it just says nothing. */
Test(hub_host, facts_empty_os_release)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	put_file(tmp_path_kept("etc/os-release"), "", 0);
	facts_ok(&o, &h);
	cr_assert(eq(str, h.os_release_path, cstr(tmp_path_kept("etc/os-release"))));
	expect_osr(&h.osr, "", "", "", "", "empty os-release");
}

Test(hub_host, facts_opts_os_release_wins)
{
	struct hub_host_opts o = opts_in(tmp_path_kept("root"));
	struct hub_host h;

	host_put_str("root/etc/os-release", OSR_ETC);
	host_put_str("env-os-release", OSR_ENV);
	host_put_str("opt-os-release", OSR_OPT);
	cr_assert(eq(int, setenv("BTFGEN_OS_RELEASE", tmp_path_kept("env-os-release"), 1), 0));
	o.os_release = tmp_path_kept("opt-os-release");
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("opt-os-release"), "opt");
	cr_assert(eq(str, h.osr.version_id, "4"));
}

Test(hub_host, facts_env_os_release_wins_over_root)
{
	struct hub_host_opts o = opts_in(tmp_path_kept("root"));
	struct hub_host h;

	host_put_str("root/etc/os-release", OSR_ETC);
	host_put_str("root/usr/lib/os-release", OSR_USR);
	host_put_str("env-os-release", OSR_ENV);
	cr_assert(eq(int, setenv("BTFGEN_OS_RELEASE", tmp_path_kept("env-os-release"), 1), 0));
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("env-os-release"), "env");
	/* unset again: the root's own file */
	cr_assert(eq(int, unsetenv("BTFGEN_OS_RELEASE"), 0));
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("root/etc/os-release"), "etc");
}

Test(hub_host, facts_empty_env_os_release_ignored)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	host_put_str("etc/os-release", OSR_ETC);
	cr_assert(eq(int, setenv("BTFGEN_OS_RELEASE", "", 1), 0));
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("etc/os-release"), "etc");
}

Test(hub_host, facts_env_host_root)
{
	struct hub_host_opts o = { .kernel_release = "5.4.0-73-generic", .arch = "x86_64" };
	struct hub_host h;

	host_put_str("envroot/usr/lib/os-release", OSR_USR);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", tmp_path_kept("envroot"), 1), 0));
	facts_ok(&o, &h);
	cr_assert(eq(str, h.root, cstr(tmp_path_kept("envroot"))));
	expect_from(&h, tmp_path_kept("envroot/usr/lib/os-release"), "usrlib");
}

Test(hub_host, facts_opts_root_wins_over_env_root)
{
	struct hub_host_opts o = opts_in(tmp_path_kept("optroot"));
	struct hub_host h;

	host_put_str("envroot/etc/os-release", OSR_ENV);
	host_put_str("optroot/etc/os-release", OSR_OPT);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", tmp_path_kept("envroot"), 1), 0));
	facts_ok(&o, &h);
	cr_assert(eq(str, h.root, cstr(tmp_path_kept("optroot"))));
	expect_from(&h, tmp_path_kept("optroot/etc/os-release"), "opt");
}

/* Both variables at once: the os-release one names the file, the root one the rest. */
Test(hub_host, facts_both_env_variables)
{
	struct hub_host_opts o = { .kernel_release = "r", .arch = "arm64" };
	struct hub_host h;

	host_put_str("envroot/etc/os-release", OSR_ETC);
	host_put_str("elsewhere/os-release", OSR_ENV);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", tmp_path_kept("envroot"), 1), 0));
	cr_assert(eq(int, setenv("BTFGEN_OS_RELEASE", tmp_path_kept("elsewhere/os-release"), 1),
		     0));
	facts_ok(&o, &h);
	cr_assert(eq(str, h.root, cstr(tmp_path_kept("envroot"))));
	expect_from(&h, tmp_path_kept("elsewhere/os-release"), "env");
}

/* NULL options: everything from the environment and uname(2). */
Test(hub_host, facts_null_opts)
{
	struct hub_host h;
	struct utsname u;

	host_put_str("etc/os-release", OSR_ETC);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", tmp_path_kept(""), 1), 0));
	cr_assert(eq(int, uname(&u), 0));
	facts_ok(NULL, &h);
	cr_assert(eq(str, h.root, cstr(tmp_path_kept(""))));
	expect_from(&h, tmp_path_kept("etc/os-release"), "etc");
	cr_assert(eq(str, h.release, u.release));
	cr_assert(eq(str, h.arch, u.machine));
	cr_assert(not(h.kernel_has_btf));
}

Test(hub_host, facts_release_and_arch_default_to_uname)
{
	struct hub_host_opts o = { .root = tmp_path_kept("") };
	struct hub_host h;
	struct utsname u;

	cr_assert(eq(int, uname(&u), 0));
	facts_ok(&o, &h);
	cr_assert(eq(str, h.release, u.release));
	cr_assert(eq(str, h.arch, u.machine));
	o.arch = "aarch64";	/* as given: no canonical spelling */
	o.kernel_release = "4.18.0-348.7.1.el8_5.aarch64";
	facts_ok(&o, &h);
	cr_assert(eq(str, h.release, "4.18.0-348.7.1.el8_5.aarch64"));
	cr_assert(eq(str, h.arch, "aarch64"));
}

Test(hub_host, facts_no_release_and_no_arch_is_enoent)
{
	struct hub_host_opts o = { .root = tmp_path_kept(""), .kernel_release = "", .arch = "" };
	struct hub_host h;

	host_put_str("etc/os-release", OSR_ETC);
	cr_assert(eq(int, hub_host_facts(&o, &h), -ENOENT));
	cr_assert(eq(int, diag_lines(), 0), "printed: %s", diag_last());
}

/* An os-release named by option that does not exist: not an error, fields empty. */
Test(hub_host, facts_opts_os_release_missing)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	o.os_release = tmp_path_kept("no/such/os-release");
	facts_ok(&o, &h);
	cr_assert(not(h.have_os_release));
	expect_osr(&h.osr, "", "", "", "", "missing --os-release");
	/* hub.h: os_release_path is the one read, "" when none could be */
	cr_assert(eq(str, h.os_release_path, ""), "os_release_path names a file that was not read");
}

/* An os-release that is a FIFO: never waited on. */
Test(hub_host, facts_os_release_fifo_does_not_block, .timeout = 10)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	cr_assert(eq(int, mkfifo(tmp_path_kept("fifo"), 0644), 0), "mkfifo: %s", strerror(errno));
	o.os_release = tmp_path_kept("fifo");
	facts_ok(&o, &h);
	cr_assert(not(h.have_os_release));
	expect_osr(&h.osr, "", "", "", "", "FIFO");
	/* a FIFO at ROOT/etc/os-release is not a file: usr/lib is read */
	mkdir_p(tmp_path_kept("etc"));
	cr_assert(eq(int, mkfifo(tmp_path_kept("etc/os-release"), 0644), 0));
	host_put_str("usr/lib/os-release", OSR_USR);
	o.os_release = NULL;
	facts_ok(&o, &h);
	expect_from(&h, tmp_path_kept("usr/lib/os-release"), "usrlib");
}

/* A root longer than a path can be: no crash, nothing found. */
Test(hub_host, facts_overlong_root)
{
	struct hub_host_opts o = opts_in(NULL);
	struct hub_host h;
	char *root = malloc(HUB_HOST_PATH_MAX + 100);

	cr_assert(root != NULL);
	memset(root, 'r', HUB_HOST_PATH_MAX + 99);
	root[0] = '/';
	root[HUB_HOST_PATH_MAX + 99] = '\0';
	o.root = root;
	facts_ok(&o, &h);
	cr_assert(not(h.have_os_release));
	cr_assert(not(h.kernel_has_btf));
	free(root);
}

/* An over-long release or arch is cut, never overflowed. */
Test(hub_host, facts_overlong_release_and_arch)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;
	char rel[1000], arch[200];

	memset(rel, 'r', sizeof(rel) - 1);
	rel[sizeof(rel) - 1] = '\0';
	memset(arch, 'a', sizeof(arch) - 1);
	arch[sizeof(arch) - 1] = '\0';
	o.kernel_release = rel;
	o.arch = arch;
	memset(&h, 0x5a, sizeof(h));
	(void)hub_host_facts(&o, &h);
	cr_assert(lt(sz, strnlen(h.release, sizeof(h.release)), sizeof(h.release)));
	cr_assert(lt(sz, strnlen(h.arch, sizeof(h.arch)), sizeof(h.arch)));
}

/* ---- the kernel's own BTF ------------------------------------------------ */

#define VMLINUX "sys/kernel/btf/vmlinux"

static bool has_btf(void)
{
	struct hub_host_opts o = opts_in(tmp_path_kept(""));
	struct hub_host h;

	facts_ok(&o, &h);
	return h.kernel_has_btf;
}

Test(hub_host, kernel_btf_absent)
{
	cr_assert(not(has_btf()));
	mkdir_p(tmp_path_kept("sys/kernel/btf"));
	cr_assert(not(has_btf()), "sys/kernel/btf without vmlinux");
}

Test(hub_host, kernel_btf_empty)
{
	put_file(tmp_path_kept(VMLINUX), "", 0);
	cr_assert(not(has_btf()));
}

Test(hub_host, kernel_btf_garbage)
{
	static const char text[] = "this is not BTF at all, only text that is long enough\n";
	u8 magic_then_junk[64];

	put_file(tmp_path_kept(VMLINUX), text, sizeof(text) - 1);
	cr_assert(not(has_btf()), "text");
	memset(magic_then_junk, 0xff, sizeof(magic_then_junk));
	magic_then_junk[0] = 0x9f;	/* the BTF magic, little-endian, then nonsense */
	magic_then_junk[1] = 0xeb;
	put_file(tmp_path_kept(VMLINUX), magic_then_junk, sizeof(magic_then_junk));
	cr_assert(not(has_btf()), "magic, then junk");
}

Test(hub_host, kernel_btf_valid)
{
	size_t size;
	void *btf = small_btf("kernel", &size);

	put_file(tmp_path_kept(VMLINUX), btf, size);
	cr_assert(has_btf());
	xfree(btf);
	assert_no_leaks();
}

Test(hub_host, kernel_btf_valid_through_env_root)
{
	struct hub_host_opts o = { .kernel_release = "r", .arch = "x86_64" };
	struct hub_host h;
	size_t size;
	void *btf = small_btf("kernel", &size);

	put_file(tmp_path_kept("envroot/" VMLINUX), btf, size);
	cr_assert(eq(int, setenv("BTFGEN_HOST_ROOT", tmp_path_kept("envroot"), 1), 0));
	facts_ok(&o, &h);
	cr_assert(h.kernel_has_btf);
	xfree(btf);
}

Test(hub_host, kernel_btf_truncated)
{
	size_t size, cut;
	u8 *btf = small_btf("kernel", &size);

	for (cut = 1; cut < size; cut++) {
		put_file(tmp_path_kept(VMLINUX), btf, cut);
		cr_assert(not(has_btf()), "cut at %zu of %zu bytes", cut, size);
	}
	xfree(btf);
	assert_no_leaks();
}

Test(hub_host, kernel_btf_a_folder)
{
	mkdir_p(tmp_path_kept(VMLINUX));
	cr_assert(not(has_btf()));
}

Test(hub_host, kernel_btf_fifo_does_not_block, .timeout = 10)
{
	mkdir_p(tmp_path_kept("sys/kernel/btf"));
	cr_assert(eq(int, mkfifo(tmp_path_kept(VMLINUX), 0644), 0), "mkfifo: %s", strerror(errno));
	cr_assert(not(has_btf()));
}
