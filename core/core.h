/* SPDX-License-Identifier: MIT */
/*
 * core.h - CO-RE objects, relocation resolution and BTF minimization
 * (bpftool gen min_core_btf semantics, SEMANTICS.md §3-5).
 *
 * Ownership: core_obj_load() copies what it needs from the ELF image; the
 * caller frees the object with core_obj_free(). core_min_new() retains the
 * target BTF: the caller keeps it alive until core_min_free().
 */
#ifndef BTFGEN_CORE_H
#define BTFGEN_CORE_H

#include <stdbool.h>
#include <stddef.h>

#include "btf/btf.h"
#include "core/core_format.h"

#define CORE_SPEC_MAX_LEN	64	/* libbpf BPF_CORE_SPEC_MAX_LEN: access string entries */

/* One relocation record of an object, with its code section name. */
struct core_relo_rec {
	struct bpf_core_relo relo;
	const char *sec_name;	/* borrowed from the object's BTF strings */
	u32 sec_idx;		/* index among its section's records: libbpf's "relo #N" */
};

struct core_obj {
	char *name;		/* for messages (owned copy) */
	struct btf *btf;	/* the object's own (local) BTF */
	struct core_relo_rec *relos;
	u32 nr_relos;
	bool has_ext;		/* a .BTF.ext section was present */
};

enum core_obj_status {
	CORE_OBJ_OK = 0,
	CORE_OBJ_NO_BTF = 1,	/* no .BTF: contributes nothing */
	CORE_OBJ_NO_RELOS = 2,	/* no .BTF.ext or no CO-RE records */
};

/*
 * Load a BPF ELF object image (e_machine 247). Returns a negative errno on
 * malformed input (one line already printed), otherwise an enum
 * core_obj_status; *@out is set for CORE_OBJ_OK and CORE_OBJ_NO_RELOS.
 */
int core_obj_load(const void *elf_data, size_t size, const char *name, struct core_obj **out);
void core_obj_free(struct core_obj *obj);

/* Embedded BPF objects taken from one executable or library: libbpf-tools' most is 4. */
#define CORE_MAX_EMBEDDED	4096

/* Called with each BPF object found; takes ownership of @obj (also on failure). */
typedef int (*core_obj_fn)(struct core_obj *obj, void *ctx);

/*
 * Every BPF object in the ELF image @data: the image itself (e_machine 247)
 * or the BPF objects embedded in an executable or library (libbpf
 * skeletons), named "NAME[bpf#N@0xOFF]". Objects without .BTF or without
 * CO-RE relocations get a warning and are skipped. Errors print one line;
 * a non-zero return of @fn stops the scan and is returned.
 */
int core_obj_scan(const void *data, size_t size, const char *name, core_obj_fn fn, void *ctx);

/* A growable list of objects it owns; core_objs_push() is a core_obj_fn for it. */
struct core_objs {
	struct core_obj **v;
	size_t n, cap;
};
int core_objs_push(struct core_obj *obj, void *objs);
void core_objs_free(struct core_objs *l);	/* frees the objects; the list is empty again */

/*
 * Parse a .BTF.ext section of @size bytes for @obj (whose local BTF is
 * loaded) and fill obj->relos. Exposed for tests.
 */
int core_btf_ext_parse(struct core_obj *obj, const void *data, size_t size);

/* Essential name length (strip the last "___flavor" suffix, §3.1). */
size_t core_essential_name_len(const char *name);

/* ---- resolution ------------------------------------------------------ */

struct core_accessor {
	u32 type_id;
	u32 idx;
	const char *name;	/* NULL for array index accessors */
};

/* Why a candidate did not match (set by the matcher when it returns "no match"). */
enum core_fail {
	CORE_FAIL_NONE = 0,
	CORE_FAIL_FIELD_MISSING,	/* no member of that name */
	CORE_FAIL_FIELD_INCOMPAT,	/* a member of that name, of an incompatible type */
	CORE_FAIL_NOT_COMPOSITE,	/* a member access on a non-struct/union */
	CORE_FAIL_NOT_ARRAY,		/* an index on a non-array */
	CORE_FAIL_OUT_OF_BOUNDS,	/* index >= nelems */
	CORE_FAIL_TYPE_INCOMPAT,	/* type-based: not compatible / doesn't match */
	CORE_FAIL_NOT_ENUM,		/* enumval: target is not an enum */
	CORE_FAIL_ENUMVAL_MISSING,	/* enumval: no enumerator of that name */
};

struct core_spec {
	const struct btf *btf;
	u32 root_type_id;
	u32 relo_kind;
	struct core_accessor spec[CORE_SPEC_MAX_LEN];
	int len;
	u32 raw_spec[CORE_SPEC_MAX_LEN];
	int raw_len;
	u32 bit_offset;
	/* target specs only, when the candidate did not match: */
	u8 fail;		/* enum core_fail */
	int fail_acc;		/* index of the local accessor that failed */
	u32 fail_type_id;	/* target type where it failed */
};

struct core_relo_res {
	u64 orig_val;
	u64 new_val;
	bool poison;
	u32 nr_cands;		/* candidates tried */
	u32 nr_matches;		/* ... of which matched */
};

/* Candidate list for one local root type (ids in the target, ascending). */
struct core_cands {
	u32 *ids;
	u32 len;
};

/*
 * Candidate index: register every local root first (core_cand_index_want),
 * then core_cand_index_build() scans the target once. core_find_cands()
 * copies a want's list into @cands (xmalloc'd ids, pruned by the caller);
 * it also works for roots not registered in advance (one extra scan each).
 * The index borrows the local BTFs' name strings: keep them alive.
 */
struct core_cand_index;

int core_cand_index_new(const struct btf *targ, struct core_cand_index **out);
void core_cand_index_free(struct core_cand_index *idx);
int core_cand_index_want(struct core_cand_index *idx, const struct btf *local, u32 local_id);
int core_cand_index_build(struct core_cand_index *idx);
int core_find_cands(struct core_cand_index *idx, const struct btf *local, u32 local_id,
		    struct core_cands *cands);

/* Where a relocation is, for messages. */
struct core_relo_ctx {
	const char *obj_name;
	const char *sec_name;
	int relo_idx;
	const struct bpf_core_relo *relo;
};

/* Called for each matching candidate's target spec. */
typedef int (*core_match_fn)(const struct core_relo_ctx *rc, const struct core_spec *targ_spec,
			     u32 match_idx, void *ctx);

/*
 * Resolve one relocation against @cands as libbpf's bpf_core_calc_relo_insn
 * does, including candidate pruning (cands->len shrinks to the matches) and
 * the ambiguity checks. Calls @on_match for every matching candidate's target
 * spec in candidate order (libbpf/bpftool use only the first). @res gets the
 * relocation result. Errors print one line and return a negative errno.
 * @cands may be NULL only for TYPE_ID_LOCAL.
 * @scratch holds CORE_SCRATCH_SPECS specs; afterwards [CORE_SPEC_LOCAL] is the
 * parsed local spec, [CORE_SPEC_TARG] the first match's target spec and
 * [CORE_SPEC_FAIL] the first candidate's failed attempt (when none matched).
 */
enum { CORE_SPEC_LOCAL, CORE_SPEC_CAND, CORE_SPEC_TARG, CORE_SPEC_FAIL, CORE_SCRATCH_SPECS };

int core_calc_relo(const struct core_relo_ctx *rc, const struct btf *local,
		   struct core_cands *cands, const struct btf *targ, struct core_spec *scratch,
		   struct core_relo_res *res, core_match_fn on_match, void *ctx);

const char *core_relo_kind_str(u32 kind);
bool core_relo_is_field(u32 kind);
bool core_relo_is_type(u32 kind);
bool core_relo_is_enumval(u32 kind);

/* The raw access string of @spec, "0:1:2". Returns @buf. */
char *core_spec_raw_str(const struct core_spec *spec, char *buf, size_t n);
/*
 * The local access of @spec written as C for people:
 * "struct task_struct->real_parent", "struct dentry->d_iname[3]",
 * "enum bpf_func_id::BPF_FUNC_ringbuf_output", "struct task_struct".
 */
char *core_spec_c_str(const struct core_spec *spec, char *buf, size_t n);
/* Why target spec @fail (no match) failed, for people. Returns @buf. */
char *core_fail_str(const struct core_spec *local, const struct core_spec *fail, char *buf,
		    size_t n);
/* "struct foo", "typedef bar", "enum (anon)": kind and name of a type. */
char *core_type_str(const struct btf *btf, u32 id, char *buf, size_t n);

/* ---- per-object resolution ------------------------------------------- */

/* Outcome of one relocation, handed to core_resolve_ops.on_result. */
struct core_relo_result {
	const struct core_obj *obj;
	const struct core_relo_rec *rec;
	u32 index;			/* position in obj->relos */
	int err;			/* 0, or the resolver's negative errno (already reported) */
	struct core_relo_res res;
	const struct core_spec *local;	/* parsed local spec (NULL if parsing failed) */
	const struct core_spec *targ;	/* first matching candidate's spec, or NULL */
	const struct core_spec *fail;	/* no match: the first candidate's attempt, or NULL */
};

/* Why relocation @r found no match, for people ("no struct foo in target"). */
char *core_result_why(const struct core_relo_result *r, char *buf, size_t n);

struct core_resolve_ops {
	core_match_fn on_match;		/* every matching candidate's target spec */
	/* After each relocation; non-zero stops. NULL: stop at the first error. */
	int (*on_result)(const struct core_relo_result *r, void *ctx);
	void *ctx;
};

/*
 * Resolve every relocation of @obj in record order against @targ, with one
 * candidate cache per object pruned as libbpf does. Returns 0, the first
 * error (when ops->on_result is NULL) or what on_result returned.
 */
int core_resolve_obj(struct core_cand_index *idx, const struct btf *targ,
		     const struct core_obj *obj, const struct core_resolve_ops *ops);

/* ---- minimization ---------------------------------------------------- */

struct core_min;

struct core_min_opts {
	bool first_match_only;	/* mark only the first matching candidate, as bpftool */
};

struct core_min_stats {
	u32 nr_relos;		/* relocations resolved */
	u32 nr_multi_match;	/* ... of which more than one candidate matched */
	u32 nr_out_types;	/* types in the emitted BTF */
};

int core_min_new(const struct btf *targ, const struct core_min_opts *opts, struct core_min **out);
void core_min_free(struct core_min *m);
/*
 * Queue @obj (ownership passes to @m, also on failure). Relocations are
 * resolved by core_min_run(), after every object is queued, so that the
 * candidate search scans the target only once.
 */
int core_min_add_obj(struct core_min *m, struct core_obj *obj);
/*
 * Or use @objs, borrowed: the caller keeps them alive and unchanged until
 * core_min_free(). Objects are only read, so several core_min (one per
 * thread) may share them. Not combinable with core_min_add_obj().
 */
int core_min_use_objs(struct core_min *m, struct core_obj *const *objs, size_t nr);
/* Called after every resolved relocation (e.g. to collect poisoned ones). */
void core_min_set_result_hook(struct core_min *m,
			      int (*fn)(const struct core_relo_result *r, void *ctx), void *ctx);
/* Record every queued object's relocations, in queue order. Errors print one line. */
int core_min_run(struct core_min *m);
const struct core_min_stats *core_min_get_stats(const struct core_min *m);
/* The queued objects and the target's candidate index (for core_verify). */
struct core_obj *const *core_min_objs(const struct core_min *m, size_t *nr);
struct core_cand_index *core_min_cand_index(struct core_min *m);
/* Emit the reduced BTF (24-byte header, host byte order). */
int core_min_emit(struct core_min *m, void **out, size_t *out_size);

/* ---- verification --------------------------------------------------- */

/* What one relocation resolved to, in target-independent terms. */
struct core_outcome {
	int err;
	bool poison;
	bool found;		/* some candidate matched */
	u64 value;		/* what libbpf would patch in */
	u32 bit_offset;		/* field kinds */
	char path[256];		/* target access as C, e.g. "struct task_struct->pid" */
	char targ_type[128];	/* "struct task_struct" */
	char error[512];	/* the resolver's message when err */
};

void core_outcome_of(const struct core_relo_result *r, const struct btf *targ,
		     struct core_outcome *o);
bool core_outcome_eq(u32 kind, const struct core_outcome *a, const struct core_outcome *b);

/* Called for each relocation whose outcomes differ; non-zero stops. */
typedef int (*core_diff_fn)(const struct core_relo_result *r, const struct core_outcome *a,
			    const struct core_outcome *b, void *ctx);

/*
 * Resolve every relocation of @objs against @a and against @b and compare.
 * Resolver errors are outcomes here (captured, not printed). Returns the
 * number of differing relocations (>= 0) or a negative errno.
 */
int core_verify(struct core_cand_index *idx_a, const struct btf *a, struct core_cand_index *idx_b,
		const struct btf *b, struct core_obj *const *objs, size_t nr_objs,
		core_diff_fn on_diff, void *ctx);

/*
 * Resolve every relocation of @objs against @kernel and @reduced and compare
 * (core_verify), with candidate indexes built here (@idx_kernel may be
 * given to reuse one). @on_diff may be core_verify_print_diff. Returns the
 * number of differing relocations or a negative errno (printed).
 */
int core_verify_run(const struct btf *kernel, struct core_cand_index *idx_kernel,
		    const struct btf *reduced, struct core_obj *const *objs, size_t nr_objs,
		    core_diff_fn on_diff, void *ctx);
/* A core_diff_fn printing one "verify: OBJ: section ... relo #N (...): A: ...; B: ..." warning. */
int core_verify_print_diff(const struct core_relo_result *r, const struct core_outcome *a,
			   const struct core_outcome *b, void *ctx);
/* The core_verify_print_diff context: the names of the two targets. */
struct core_diff_names {
	const char *a, *b;
};

/* ---- the reduce pipeline ---------------------------------------------- */
/*
 * min_core_btf for one kernel and a set of objects, as both `btfgen
 * min_core_btf` and `btfgen archive` (and the server) run it: resolve and
 * mark every relocation, emit the reduced BTF, and unless told otherwise
 * verify that it answers every relocation like @targ.
 */
struct core_reduce_opts {
	bool first_match_only;	/* mark only the first matching candidate, as bpftool */
	bool verify;		/* check the output against the target (the default) */
	bool verify_fatal;	/* a difference is an error; else a warning */
	bool print_diffs;	/* a warning line per differing relocation */
	const char *out_name;	/* names the output in messages */
	/* after every resolved relocation (e.g. to collect poisoned ones); may be NULL */
	int (*on_result)(const struct core_relo_result *r, void *ctx);
	void *ctx;
};

struct core_reduce_out {
	void *data;		/* the reduced BTF (xmalloc'd; the caller frees it) */
	size_t size;
	struct core_min_stats stats;
	int nr_diffs;		/* relocations the output answers differently (verify) */
};

/*
 * Reduce @targ for @objs (borrowed: only read, so several threads may share
 * them). Returns 0 with *@out filled, or a negative errno with one line
 * printed and nothing handed over. A verification difference is -EINVAL
 * when verify_fatal, else a warning (and 0).
 */
int core_reduce(const struct btf *targ, struct core_obj *const *objs, size_t nr_objs,
		const struct core_reduce_opts *o, struct core_reduce_out *out);

#endif /* BTFGEN_CORE_H */
