// SPDX-License-Identifier: MIT
/*
 * main.c - the btfgen command line: option parsing, command dispatch, exit
 * codes (0 success, 1 error or difference found, 2 usage) and the
 * min_core_btf command.
 *
 *   btfgen [OPTIONS] min_core_btf INPUT OUTPUT OBJECT...
 *   btfgen [OPTIONS] gen min_core_btf INPUT OUTPUT OBJECT...   (bpftool spelling)
 *   btfgen [OPTIONS] relocs [--btf KERNEL] [--json] OBJECT...
 *   btfgen [OPTIONS] verify KERNEL REDUCED OBJECT...
 *
 * Options may stand anywhere before a "--".
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#ifndef BTFGEN_VERSION
#define BTFGEN_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: btfgen [OPTIONS] min_core_btf INPUT OUTPUT OBJECT...\n"
		"       btfgen [OPTIONS] gen min_core_btf INPUT OUTPUT OBJECT...\n"
		"       btfgen [OPTIONS] relocs [--btf KERNEL] [--json] OBJECT...\n"
		"       btfgen [OPTIONS] verify KERNEL REDUCED OBJECT...\n"
		"       btfgen [OPTIONS] archive [-j N] INPUT_DIR OUTPUT_DIR OBJECT...\n"
		"       btfgen cat FILE\n"
		"\n"
		"min_core_btf  write to OUTPUT a reduced BTF holding only the types and members\n"
		"              of INPUT (a kernel BTF: raw, either byte order, or an ELF with a\n"
		"              .BTF section) that the CO-RE relocations of the OBJECTs use\n"
		"relocs        list every CO-RE relocation of the OBJECTs and, with --btf, what\n"
		"              it resolves to on KERNEL\n"
		"verify        check that REDUCED answers every relocation of the OBJECTs\n"
		"              exactly as KERNEL does (exit 1 and one line per difference)\n"
		"archive       reduce every kernel of a BTFHub-style tree\n"
		"              INPUT_DIR/<ID>/<VERSION_ID>/<arch>/<release>.btf.tar.xz (or .btf.xz,\n"
		"              .btf) into OUTPUT_DIR/<ID>/<VERSION_ID>/<arch>/<release>.btf, with\n"
		"              identical outputs stored once and a manifest for incremental runs\n"
		"cat           write the kernel BTF inside FILE (.btf.tar.xz, .xz) to stdout\n"
		"\n"
		"KERNEL, INPUT and REDUCED may be raw BTF, an ELF with .BTF, or .xz / .tar.xz\n"
		"of either (BTFHub's packaging).\n"
		"\n"
		"An OBJECT is a BPF ELF object, or an executable or library embedding them\n"
		"(libbpf skeletons).\n"
		"\n"
		"Options:\n"
		"  -v, --verbose           print what is read and written\n"
		"  -d, --debug             also trace every relocation\n"
		"      --first-match-only  min_core_btf: mark only the first matching candidate,\n"
		"                          as bpftool does (can resolve differently on kernels\n"
		"                          with duplicate types)\n"
		"      --no-verify         min_core_btf: skip checking that the output answers\n"
		"                          every relocation like INPUT (done by default)\n"
		"      --btf KERNEL        relocs: resolve against KERNEL\n"
		"      --json              relocs: one JSON array\n"
		"  -j, --jobs N            archive: worker threads (default: number of CPUs)\n"
		"      --dedup MODE        archive: identical outputs as hardlink (default),\n"
		"                          symlink (relative) or copy\n"
		"      --distro ID, --version VERSION_ID, --arch ARCH, --release GLOB\n"
		"                          archive: only these kernels (arm64 = aarch64,\n"
		"                          x86_64 = amd64)\n"
		"      --tar FILE          archive: also a deterministic tar of the output tree\n"
		"      --report FILE       archive: per object, the kernels where relocations\n"
		"                          fail (poisoned), which and why (JSON if FILE ends\n"
		"                          in .json)\n"
		"      --max-input-size SIZE  refuse input files larger than SIZE (default 2G)\n"
		"      --max-btf-size SIZE    refuse to decompress a kernel BTF beyond SIZE\n"
		"                          (default 512M)\n"
		"      --max-types N       refuse BTF with more than N types (default 4194304)\n"
		"                          SIZE: bytes, or with a K, M or G suffix (x1024)\n"
		"  -h, --help              this help\n"
		"  -V, --version           print the version\n");
}

enum verify_mode { VERIFY_DEFAULT, VERIFY_OFF, VERIFY_ON };

struct opts {
	struct core_min_opts min;
	struct cli_archive_opts ar;
	enum verify_mode verify;
	bool json;
	const char *btf;
	char **pos;	/* positional arguments */
	int nr_pos;
};

/* The value of "--NAME=V" or "--NAME V" at argv[*i] (advancing *i), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 == argc) {
		fprintf(stderr, "btfgen: %s needs a value\n", name);
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

/* "123", "64K", "512M", "2G" (powers of 1024) in [@min, @max], or -1 (one line printed). */
static int parse_size(const char *opt, const char *v, u64 min, u64 max, u64 *out)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end != v && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
	}
	if (end == v || *end || errno || v[0] == '-' || n > (max >> shift) || (n << shift) < min) {
		fprintf(stderr, "btfgen: %s needs a number from %llu to %llu (K, M, G suffixes "
			"allowed), not '%s'\n", opt, (unsigned long long)min,
			(unsigned long long)max, v);
		return -1;
	}
	*out = (u64)n << shift;
	return 0;
}

/* Split argv into options and positional arguments. Returns -1 on bad usage. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	bool dashdash = false, bad = false;
	const char *v;
	int i;

	o->pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->pos)
		return -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			o->pos[o->nr_pos++] = argv[i];
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			if (diag_level < DIAG_INFO)
				diag_level = DIAG_INFO;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--debug")) {
			diag_level = DIAG_DEBUG;
		} else if (!strcmp(a, "--first-match-only")) {
			o->min.first_match_only = true;
		} else if (!strcmp(a, "--verify")) {
			o->verify = VERIFY_ON;
		} else if (!strcmp(a, "--no-verify")) {
			o->verify = VERIFY_OFF;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if ((v = opt_value(argc, argv, &i, "--btf", &bad))) {
			o->btf = v;
		} else if ((v = opt_value(argc, argv, &i, "-j", &bad)) ||
			   (v = opt_value(argc, argv, &i, "--jobs", &bad))) {
			o->ar.jobs = atoi(v);
			if (o->ar.jobs <= 0) {
				fprintf(stderr, "btfgen: -j needs a positive number, not '%s'\n", v);
				return -1;
			}
		} else if ((v = opt_value(argc, argv, &i, "--max-input-size", &bad))) {
			if (parse_size("--max-input-size", v, 1, UINT64_MAX >> 1,
				       &util_limits.input_size))
				return -1;
		} else if ((v = opt_value(argc, argv, &i, "--max-btf-size", &bad))) {
			if (parse_size("--max-btf-size", v, 1, SIZE_MAX >> 1, &util_limits.btf_size))
				return -1;
		} else if ((v = opt_value(argc, argv, &i, "--max-types", &bad))) {
			u64 n;

			if (parse_size("--max-types", v, 1, LIMIT_TYPES_MAX, &n))
				return -1;
			util_limits.types = (u32)n;
		} else if ((v = opt_value(argc, argv, &i, "--dedup", &bad))) {
			o->ar.dedup = v;
		} else if ((v = opt_value(argc, argv, &i, "--distro", &bad))) {
			o->ar.distro = v;
		} else if ((v = opt_value(argc, argv, &i, "--arch", &bad))) {
			o->ar.arch = v;
		} else if ((v = opt_value(argc, argv, &i, "--release", &bad))) {
			o->ar.release = v;
		} else if ((v = opt_value(argc, argv, &i, "--tar", &bad))) {
			o->ar.tar_path = v;
		} else if ((v = opt_value(argc, argv, &i, "--report", &bad))) {
			o->ar.report_path = v;
		} else if (o->nr_pos && !strcmp(o->pos[0], "archive") &&
			   (v = opt_value(argc, argv, &i, "--version", &bad))) {
			o->ar.version = v;	/* archive's VERSION_ID filter */
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EXIT_SUCCESS);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("btfgen %s\n", BTFGEN_VERSION);
			exit(EXIT_SUCCESS);
		} else if (!bad) {
			fprintf(stderr, "btfgen: unknown option '%s'\n", a);
			return -1;
		}
		if (bad)
			return -1;
	}
	return 0;
}

static int queue_obj(struct core_obj *obj, void *ctx)
{
	char name[256];
	int err;

	snprintf(name, sizeof(name), "%s", obj->name);	/* @obj is gone on failure */
	err = core_min_add_obj(ctx, obj);
	if (err)
		pr_warn("%s: out of memory", name);
	return err;
}

/*
 * Check the output against INPUT before it is written (costs ~13% of a run,
 * so it is on by default). A difference is fatal, except that with
 * --first-match-only and no explicit --verify, where differences are what
 * bpftool-compatible marking produces, it is a warning.
 */
static int verify_output(const struct btf *targ, struct core_min *m, const void *out,
			 size_t out_size, const char *out_name, bool fatal)
{
	struct btf *reduced = NULL;
	struct core_obj *const *objs;
	size_t nr_objs;
	int err;

	err = btf_parse_view(out, out_size, out_name, &reduced);
	if (err)
		return err;
	objs = core_min_objs(m, &nr_objs);
	err = cli_verify_run(targ, core_min_cand_index(m), reduced, objs, nr_objs, true);
	btf_free(reduced);
	if (err > 0 && fatal) {
		pr_warn("%s: not written: the reduced BTF answers %d relocation%s differently from %s",
			out_name, err, err == 1 ? "" : "s", targ->name);
		return -EINVAL;
	}
	if (err > 0) {
		pr_warn("warning: %s: the reduced BTF answers %d relocation%s differently from %s (--first-match-only)",
			out_name, err, err == 1 ? "" : "s", targ->name);
		return 0;
	}
	return err;
}

static int cmd_min_core_btf(int argc, char **argv, const struct opts *o)
{
	struct util_file input = { 0 };
	struct btf *targ = NULL;
	struct core_min *m = NULL;
	void *out = NULL;
	size_t out_size;
	int i, err;

	if (argc < 3) {
		fprintf(stderr, "btfgen: min_core_btf needs INPUT OUTPUT OBJECT..., %d argument%s given\n",
			argc, argc == 1 ? "" : "s");
		usage(stderr);
		return EXIT_USAGE;
	}
	err = cli_load_kernel(argv[0], &input, &targ);
	if (err)
		goto out;
	pr_info("%s: %u types, %u string bytes", argv[0], targ->nr_types - 1, targ->str_len);
	err = core_min_new(targ, &o->min, &m);
	if (err) {
		pr_warn("%s: out of memory", argv[0]);
		goto out;
	}
	for (i = 2; i < argc; i++) {
		err = cli_for_each_object(argv[i], queue_obj, m);
		if (err)
			goto out;
	}
	err = core_min_run(m);
	if (err)
		goto out;
	err = core_min_emit(m, &out, &out_size);
	if (err)
		goto out;
	if (o->verify != VERIFY_OFF) {
		err = verify_output(targ, m, out, out_size, argv[1],
				    o->verify == VERIFY_ON || !o->min.first_match_only);
		if (err)
			goto out;
	}
	err = util_write_file_atomic(argv[1], out, out_size);
	if (!err) {
		const struct core_min_stats *st = core_min_get_stats(m);

		pr_info("%s: wrote %zu bytes: %u types from %u relocations (%u with several matching candidates)%s",
			argv[1], out_size, st->nr_out_types, st->nr_relos, st->nr_multi_match,
			o->verify != VERIFY_OFF ? ", verified" : "");
	}
out:
	xfree(out);
	core_min_free(m);
	btf_free(targ);
	if (input.data)
		util_file_close(&input);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

#ifdef BTFGEN_FAULT_INJECTION
static void print_alloc_count(void)
{
	fprintf(stderr, "allocations: %lu\n", util_alloc_count);
}
#endif

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	char **pos;
	int n, rc;

#ifdef BTFGEN_FAULT_INJECTION
	/* test builds only (tests/e2e/allocfail.sh): the Nth allocation fails */
	if (getenv("BTFGEN_FAIL_ALLOC"))
		util_alloc_fail_at = strtoul(getenv("BTFGEN_FAIL_ALLOC"), NULL, 10);
	if (getenv("BTFGEN_COUNT_ALLOCS"))
		atexit(print_alloc_count);
#endif

	if (parse_opts(argc, argv, &o)) {
		usage(stderr);
		free(o.pos);
		return EXIT_USAGE;
	}
	pos = o.pos;
	n = o.nr_pos;
	if (n >= 1 && !strcmp(pos[0], "gen")) {	/* bpftool's spelling */
		pos++;
		n--;
	}
	if (n < 1) {
		usage(stderr);
		rc = EXIT_USAGE;
	} else if (!strcmp(pos[0], "min_core_btf")) {
		rc = cmd_min_core_btf(n - 1, pos + 1, &o);
	} else if (!strcmp(pos[0], "relocs")) {
		rc = cmd_relocs_opts(n - 1, pos + 1, o.btf, o.json);
	} else if (!strcmp(pos[0], "verify")) {
		rc = cmd_verify(n - 1, pos + 1);
	} else if (!strcmp(pos[0], "cat")) {
		rc = cmd_cat(n - 1, pos + 1);
	} else if (!strcmp(pos[0], "archive")) {
		o.ar.first_match_only = o.min.first_match_only;
		o.ar.verify = o.verify != VERIFY_OFF;
		o.ar.verify_fatal = o.verify == VERIFY_ON || !o.min.first_match_only;
		if (!o.ar.dedup)
			o.ar.dedup = "hardlink";
		rc = cmd_archive(n - 1, pos + 1, &o.ar);
	} else {
		fprintf(stderr, "btfgen: unknown command '%s'\n", pos[0]);
		usage(stderr);
		rc = EXIT_USAGE;
	}
	free(o.pos);
	return rc;
}
