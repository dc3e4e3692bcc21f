/* SPDX-License-Identifier: MIT */
/*
 * hub_internal.h - what the files of the archive batch share: one kernel's
 * state through a run, and the run itself.
 *
 *   archive.c   the run: walk, incremental skips, identical inputs, workers
 *   manifest.c  OUT_DIR/btfgen-manifest.json, written and read back
 *   output.c    the output tree (dedup links) and the --tar file
 *   report.c    the --report coverage report
 *
 * Invariants once the workers are done: every kernel is K_OK, K_SKIPPED or
 * K_FAILED; K_OK and K_SKIPPED kernels hold their output bytes in @out and
 * @out_hash is the SHA-256 of those bytes (computed in this run, never read
 * from a manifest).
 */
#ifndef BTFGEN_HUB_INTERNAL_H
#define BTFGEN_HUB_INTERNAL_H

#include <pthread.h>

#include "hub/hub.h"

/* One line of a kernel's failure, as printed and kept in the manifest. */
#define HUB_ERROR_MAX	512

enum kstatus {
	K_PENDING,	/* to be reduced */
	K_SAME_INPUT,	/* input bytes identical to kernel @same_input's: reduced once, for both */
	K_OK,		/* reduced in this run */
	K_SKIPPED,	/* unchanged since the manifest; output read back and hashed */
	K_FAILED,	/* @error says why */
};

struct kernel {
	const struct hub_entry *e;	/* from the walk: path, name, key, size, mtime */
	char *in_path;			/* IN_DIR/path */
	char *out_path;			/* name + ".btf", relative to OUT_DIR */
	char in_hash[65];		/* "" until known */
	enum kstatus status;
	char error[HUB_ERROR_MAX];	/* K_FAILED: never empty */
	void *out;			/* the reduced BTF */
	size_t out_size;
	char out_hash[65];
	size_t primary;			/* the first kernel (sorted) with the same output */
	size_t same_input;		/* K_SAME_INPUT: the kernel reduced in its place */
	char **poisons;			/* "OBJ_INDEX<TAB>where: why", for the report */
	size_t nr_poisons, poisons_cap;
};

struct archive {
	const struct hub_archive_opts *o;
	const struct hub_objects *objs;
	struct hub_tree tree;
	struct kernel *k;		/* one per tree entry, same order (sorted by name) */
	size_t nr_k;
	char (*obj_file_hash)[65];	/* SHA-256 of each OBJECT file */
	char objs_hash[65];		/* SHA-256 over those: the objects' identity */
	int out_fd;			/* OUT_DIR */
	/* work distribution */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next, done, nr_todo;
	size_t *todo;			/* indexes of the kernels to reduce */
};

static inline bool kernel_has_output(const struct kernel *k)
{
	return k->status == K_OK || k->status == K_SKIPPED;
}

/* Mark @k failed with a message (printf-like), unless it already failed. */
void kernel_fail(struct kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A kernel entry of an earlier manifest. */
struct mentry {
	char *path;		/* the kernel's name: output path without ".btf" */
	u64 in_size;
	s64 in_mtime_ns;
	char in_hash[65];
	char out_hash[65];
	u64 out_size;
	char **poisons;
	size_t nr_poisons;
	bool ok;		/* status "ok" (failed ones are only parsed, not kept) */
};

/* What a manifest says, before deciding whether it applies to this run. */
struct manifest_doc {
	char *format, *btfgen_version, *dedup, *objects_sha256;	/* NULL: absent */
	u64 format_version;
	int first_match_only, verify;	/* -1: absent */
	struct mentry *v;		/* the "ok" kernels, in the manifest's order */
	size_t n, cap;
	size_t *off;			/* byte offset of each entry, for messages */
	size_t off_cap;
};

/*
 * Parse manifest text (untrusted: bounded, schema-checked; paths must be
 * clean relative paths, hashes 64 hex digits, poisoned entries name one of
 * @nr_objs objects, no kernel twice). Returns 0 with *@d filled (free it
 * with manifest_doc_free()), or a negative errno with *@err_off and @msg
 * saying where and what.
 */
int manifest_parse(const void *data, size_t size, size_t nr_objs, struct manifest_doc *d,
		   size_t *err_off, char *msg, size_t msg_len);
void manifest_doc_free(struct manifest_doc *d);

/*
 * The manifest in OUT_DIR, if written by this btfgen and this manifest
 * format for the same objects and options: its "ok" kernels, in the
 * manifest's order. Otherwise none. A manifest that is not JSON, or not the JSON we
 * write, gets one warning naming the file and the byte offset: the run
 * then reduces every kernel.
 */
void manifest_read(struct archive *a, struct mentry **out, size_t *nr);
void mentries_free(struct mentry *m, size_t n);
/* Write OUT_DIR/btfgen-manifest.json for the kernels of @a. */
int manifest_write(struct archive *a);

/*
 * Write the outputs: per distinct content one file, the other kernels
 * linked (or copied) to it; kernels whose file can't be written fail.
 * Sets every kernel's @primary; *@distinct counts the contents.
 */
int output_write(struct archive *a, size_t *distinct);
int output_tar(const struct archive *a);
int report_write(const struct archive *a);

void free_str_list(char **v, size_t n);

#endif /* BTFGEN_HUB_INTERNAL_H */
