// SPDX-License-Identifier: MIT
/*
 * main.c - the btfgen command line: argument parsing, input detection, exit
 * codes (0 success, 1 error, 2 usage) and messages.
 *
 *   btfgen [OPTIONS] min_core_btf INPUT OUTPUT OBJECT...
 *   btfgen [OPTIONS] gen min_core_btf INPUT OUTPUT OBJECT...   (bpftool spelling)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "core.h"
#include "elf.h"
#include "io.h"
#include "util.h"

#ifndef BTFGEN_VERSION
#define BTFGEN_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2
#define CLI_MAX_EMBEDDED 4096	/* embedded BPF objects per file */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: btfgen [OPTIONS] min_core_btf INPUT OUTPUT OBJECT...\n"
		"       btfgen [OPTIONS] gen min_core_btf INPUT OUTPUT OBJECT...\n"
		"\n"
		"Write to OUTPUT a reduced BTF holding only the types and members of INPUT\n"
		"(a kernel BTF: raw, either byte order, or an ELF with a .BTF section) that the\n"
		"CO-RE relocations of the OBJECTs use. An OBJECT is a BPF ELF object, or an\n"
		"executable or library embedding them (libbpf skeletons).\n"
		"\n"
		"Options:\n"
		"  -v, --verbose           print what is read and written\n"
		"  -d, --debug             also trace every relocation\n"
		"      --first-match-only  mark only the first matching candidate, as bpftool\n"
		"                          does (can resolve differently on kernels with\n"
		"                          duplicate types)\n"
		"  -h, --help              this help\n"
		"  -V, --version           print the version\n");
}

/* INPUT: raw BTF (used in place when possible) or an ELF with .BTF. */
static int load_input(const char *path, struct cli_file *file, struct btf **out)
{
	struct elf_file *ef = NULL;
	const void *sec;
	size_t sec_size;
	int err;

	*out = NULL;
	err = cli_file_open(path, file);
	if (err)
		return err;
	if (btf_is_raw(file->data, file->size))
		return btf_parse_view(file->data, file->size, path, out);
	if (!elf_is_elf(file->data, file->size)) {
		pr_warn("%s: neither raw BTF nor ELF (first bytes are not a BTF or ELF magic)",
			path);
		return -EINVAL;
	}
	err = elf_parse(file->data, file->size, path, &ef);
	if (err)
		goto out;
	if (elf_find_section(ef, ".BTF", &sec, &sec_size)) {
		pr_warn("%s: ELF has no .BTF section", path);
		err = -ENOENT;
		goto out;
	}
	err = btf_parse(sec, sec_size, path, out);
	if (!err)
		btf_set_ptr_sz(*out, elf_is_64(ef) ? 8 : 4);
out:
	elf_free(ef);
	return err;
}

static int add_one_obj(struct core_min *m, const void *data, size_t size, const char *name)
{
	struct core_obj *obj = NULL;
	int err;

	err = core_obj_load(data, size, name, &obj);
	if (err < 0)
		return err;
	if (err == CORE_OBJ_NO_BTF) {
		pr_warn("warning: %s: BPF object has no .BTF section (built without -g?): contributes nothing",
			name);
		return 0;
	}
	if (err == CORE_OBJ_NO_RELOS) {
		pr_warn("warning: %s: BPF object has %s: contributes nothing", name,
			obj->has_ext ? "no CO-RE relocations" : "no .BTF.ext section");
		core_obj_free(obj);
		return 0;
	}
	pr_info("%s: %u CO-RE relocations", name, obj->nr_relos);
	err = core_min_add_obj(m, obj);
	if (err)
		pr_warn("%s: out of memory", name);
	return err;
}

/* OBJECT: a BPF ELF, or a host ELF embedding BPF ELF objects. */
static int add_object(struct core_min *m, const char *path)
{
	struct elf_file *ef = NULL;
	struct cli_file file;
	size_t size, off, len, from = 0;
	unsigned nr = 0;
	char *name = NULL;
	void *data;
	int err;

	err = cli_file_open(path, &file);
	if (err)
		return err;
	data = file.data;
	size = file.size;
	if (!elf_is_elf(data, size)) {
		pr_warn("%s: not an ELF file", path);
		err = -EINVAL;
		goto out;
	}
	err = elf_parse(data, size, path, &ef);
	if (err)
		goto out;
	if (elf_machine(ef) == ELF_MACHINE_BPF) {
		err = add_one_obj(m, data, size, path);
		goto out;
	}
	name = xmalloc(strlen(path) + 64);
	if (!name) {
		err = -ENOMEM;
		goto out;
	}
	while (elf_find_embedded_bpf(data, size, from, &off, &len) == 1) {
		if (nr == CLI_MAX_EMBEDDED) {
			pr_warn("%s: more than %u embedded BPF objects", path, CLI_MAX_EMBEDDED);
			err = -E2BIG;
			goto out;
		}
		sprintf(name, "%s[bpf#%u@0x%zx]", path, nr, off);
		err = add_one_obj(m, (const u8 *)data + off, len, name);
		if (err)
			goto out;
		nr++;
		from = off + len;
	}
	if (!nr) {
		pr_warn("%s: ELF e_machine %u is not BPF and embeds no BPF object", path,
			elf_machine(ef));
		err = -EINVAL;
	}
out:
	xfree(name);
	elf_free(ef);
	cli_file_close(&file);
	return err;
}

static int cmd_min_core_btf(int argc, char **argv, const struct core_min_opts *opts)
{
	struct cli_file input = { 0 };
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
	err = load_input(argv[0], &input, &targ);
	if (err)
		goto out;
	pr_info("%s: %u types, %u string bytes", argv[0], targ->nr_types - 1, targ->str_len);
	err = core_min_new(targ, opts, &m);
	if (err) {
		pr_warn("%s: out of memory", argv[0]);
		goto out;
	}
	for (i = 2; i < argc; i++) {
		err = add_object(m, argv[i]);
		if (err)
			goto out;
	}
	err = core_min_run(m);
	if (err)
		goto out;
	err = core_min_emit(m, &out, &out_size);
	if (err)
		goto out;
	err = cli_write_file_atomic(argv[1], out, out_size);
	if (!err) {
		const struct core_min_stats *st = core_min_get_stats(m);

		pr_info("%s: wrote %zu bytes: %u types from %u relocations (%u with several matching candidates)",
			argv[1], out_size, st->nr_out_types, st->nr_relos, st->nr_multi_match);
	}
out:
	xfree(out);
	core_min_free(m);
	btf_free(targ);
	if (input.data)
		cli_file_close(&input);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct core_min_opts opts = { 0 };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			if (diag_level < DIAG_INFO)
				diag_level = DIAG_INFO;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--debug")) {
			diag_level = DIAG_DEBUG;
		} else if (!strcmp(a, "--first-match-only")) {
			opts.first_match_only = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_SUCCESS;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("btfgen %s\n", BTFGEN_VERSION);
			return EXIT_SUCCESS;
		} else {
			fprintf(stderr, "btfgen: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= i;
	argv += i;
	if (argc >= 1 && !strcmp(argv[0], "gen")) {	/* bpftool's spelling */
		argc--;
		argv++;
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "min_core_btf"))
		return cmd_min_core_btf(argc - 1, argv + 1, &opts);
	fprintf(stderr, "btfgen: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
