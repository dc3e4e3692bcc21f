/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the command implementations share: loading kernel BTF and
 * objects from files, and the commands themselves.
 */
#ifndef BTFGEN_CLI_H
#define BTFGEN_CLI_H

#include "btf/btf.h"
#include "core/core.h"
#include "util/fileio.h"

#define EXIT_USAGE 2

#ifndef BTFGEN_VERSION
#define BTFGEN_VERSION "0.1.0"
#endif
#define BTFGEN_VERSION_STR BTFGEN_VERSION


/*
 * Load a kernel BTF: raw BTF (either byte order; used in place when
 * possible) or an ELF with .BTF. @file must stay open while the BTF is used;
 * close it with util_file_close() after btf_free(). Prints one line on error.
 */
int cli_load_kernel(const char *path, struct util_file *file, struct btf **out);

/*
 * Load a kernel BTF from memory: raw BTF, an ELF with .BTF, an xz stream of
 * either, or a tar (possibly xz-compressed, as BTFHub's .btf.tar.xz) holding
 * exactly one regular member. @data is only read during the call. @name is
 * used in messages. Prints one line on error.
 */
int cli_kernel_from_mem(const char *name, const void *data, size_t size, struct btf **out);

/*
 * Decompress and unwrap: xz, then a tar's single member. *@out points at the
 * result (into @data or into *@owned, which the caller frees). Prints one
 * line on error.
 */
int cli_unpack(const char *name, const void *data, size_t size, void **owned,
	       const void **out, size_t *out_size);
/* `btfgen cat FILE`: the kernel BTF inside FILE, to stdout. */
int cmd_cat(int argc, char **argv);

/* Called with each BPF object found; takes ownership of @obj. */
typedef int (*cli_obj_fn)(struct core_obj *obj, void *ctx);

/*
 * Every BPF object of @path: the file itself (e_machine 247) or the BPF
 * objects embedded in an executable or library, named "PATH[bpf#N@0xOFF]".
 * Objects without .BTF or without CO-RE relocations get a warning and are
 * skipped. Prints one line on error.
 */
int cli_for_each_object(const char *path, cli_obj_fn fn, void *ctx);

/* A growable list of objects it owns; cli_objs_push() is a cli_obj_fn for it. */
struct cli_objs {
	struct core_obj **v;
	size_t n, cap;
};
int cli_objs_push(struct core_obj *obj, void *objs);
void cli_objs_free(struct cli_objs *l);

int cmd_relocs_opts(int argc, char **argv, const char *btf_path, bool json);
int cmd_verify(int argc, char **argv);

struct cli_archive_opts {
	int jobs;		/* <= 0: number of CPUs */
	const char *dedup;	/* hardlink (default), symlink, copy */
	const char *distro, *version, *arch, *release;
	const char *tar_path, *report_path;
	bool first_match_only, verify;
	bool verify_fatal;	/* a difference fails the kernel (else only min_core_btf's warning) */
};

int cmd_archive(int argc, char **argv, const struct cli_archive_opts *o);

/*
 * Verify that @reduced answers every relocation of @objs like @kernel
 * (core_verify), printing one line per difference. @idx_kernel may be NULL.
 * Returns the number of differences or a negative errno.
 */
int cli_verify_run(const struct btf *kernel, struct core_cand_index *idx_kernel,
		   const struct btf *reduced, struct core_obj *const *objs, size_t nr_objs,
		   bool print_diffs);

#endif /* BTFGEN_CLI_H */
