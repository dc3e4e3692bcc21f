/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the command implementations share: loading kernel BTF and
 * objects from files, and the commands themselves.
 */
#ifndef BTFGEN_CLI_H
#define BTFGEN_CLI_H

#include "btf.h"
#include "core.h"
#include "io.h"

#define EXIT_USAGE 2

/*
 * Load a kernel BTF: raw BTF (either byte order; used in place when
 * possible) or an ELF with .BTF. @file must stay open while the BTF is used;
 * close it with cli_file_close() after btf_free(). Prints one line on error.
 */
int cli_load_kernel(const char *path, struct cli_file *file, struct btf **out);

/* Called with each BPF object found; takes ownership of @obj. */
typedef int (*cli_obj_fn)(struct core_obj *obj, void *ctx);

/*
 * Every BPF object of @path: the file itself (e_machine 247) or the BPF
 * objects embedded in an executable or library, named "PATH[bpf#N@0xOFF]".
 * Objects without .BTF or without CO-RE relocations get a warning and are
 * skipped. Prints one line on error.
 */
int cli_for_each_object(const char *path, cli_obj_fn fn, void *ctx);

int cmd_relocs_opts(int argc, char **argv, const char *btf_path, bool json);
int cmd_verify(int argc, char **argv);

/*
 * Verify that @reduced answers every relocation of @objs like @kernel
 * (core_verify), printing one line per difference. @idx_kernel may be NULL.
 * Returns the number of differences or a negative errno.
 */
int cli_verify_run(const struct btf *kernel, struct core_cand_index *idx_kernel,
		   const struct btf *reduced, struct core_obj *const *objs, size_t nr_objs);

#endif /* BTFGEN_CLI_H */
