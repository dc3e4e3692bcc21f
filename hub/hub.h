/* SPDX-License-Identifier: MIT */
/*
 * hub.h - the BTFHub world as a library: kernel keys and how paths spell
 * them, arch aliases, the tree walk, kernel unpacking, and the archive batch
 * (workers, dedup, the manifest, a deterministic tar, the coverage report).
 *
 * The BTFHub archive layout (ECOSYSTEM.md §1.3):
 *
 *   <ID>/<VERSION_ID>/<arch>/<release>.btf.tar.xz     ubuntu/20.04/x86_64/5.4.0-73-generic
 *
 * A tree handed to the walk may be that root, any subtree, a folder above it
 * (a mirror with extra levels) or a flat folder of kernel files: a file's
 * BTFHub fields come from the last three folder names above it.
 *
 * Layering: hub sits above core (CO-RE semantics) and the codecs (xz, tar,
 * elf, btf); the command line and the server sit above hub. Library code:
 * nothing is printed to stdout and nothing exits; messages go through the
 * diagnostic sink (util.h), one line per problem naming the file.
 */
#ifndef BTFGEN_HUB_H
#define BTFGEN_HUB_H

#include <stdbool.h>
#include <stddef.h>

#include "btf/btf.h"
#include "core/core.h"
#include "util/fileio.h"
#include "util/util.h"

/* ---- kernel keys ------------------------------------------------------ */

/* ID/VERSION_ID/arch/release. Fields are NULL when a path does not say. */
struct hub_key {
	const char *id;		/* os-release ID: "ubuntu" */
	const char *version_id;	/* os-release VERSION_ID: "20.04" */
	const char *arch;	/* as the folder spells it: "arm64", "aarch64" */
	const char *release;	/* uname -r: "5.4.0-73-generic" */
};

/*
 * The canonical BTFHub spelling of an architecture: "arm64" for "aarch64",
 * "x86_64" for "amd64" (one table in key.c); anything else unchanged
 * (NULL too).
 */
const char *hub_arch_canon(const char *arch);
/* Same architecture, aliases included? NULL equals nothing. */
bool hub_arch_eq(const char *a, const char *b);

/* How a kernel file is packaged, told by its name. */
enum hub_fmt {
	HUB_FMT_NONE = 0,	/* not a kernel file name */
	HUB_FMT_TAR_XZ,		/* <release>.btf.tar.xz: BTFHub's packaging */
	HUB_FMT_XZ,		/* <release>.btf.xz */
	HUB_FMT_BTF,		/* <release>.btf: raw BTF, or an ELF with .BTF */
	HUB_FMT_VMLINUX,	/* vmlinux-<release>: the /boot convention (ELF or raw) */
};

/*
 * The packaging a file @name announces, and the length of the release
 * inside it (*@rel_off, *@rel_len). HUB_FMT_NONE for anything else,
 * including an empty release.
 */
enum hub_fmt hub_kernel_name(const char *name, size_t *rel_off, size_t *rel_len);

/* Kernel filters; NULL fields match anything. A key field a path lacks matches no filter. */
struct hub_filter {
	const char *id;
	const char *version_id;
	const char *arch;		/* aliases match */
	const char *release_glob;	/* fnmatch() pattern on the release */
};
bool hub_filter_match(const struct hub_filter *f, const struct hub_key *k);

/* ---- the tree walk ---------------------------------------------------- */

/* Deepest folder the walk enters below its root: BTFHub needs 3, mirrors add a few. */
#define HUB_WALK_MAX_DEPTH	16
/* Kernel files in one tree: BTFHub holds about 4,300. */
#define HUB_MAX_KERNELS		(1u << 20)
/* Directory entries the walk looks at in all, bounding the work on a hostile tree. */
#define HUB_WALK_MAX_ENTRIES	(1u << 24)

/* A kernel file found by the walk (or a member of a collection). */
struct hub_entry {
	char *path;		/* relative to the root: "ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz" */
	char *name;		/* the same without the packaging suffix: ".../5.4.0-1" */
	struct hub_key key;	/* the strings, @name's too, live in @path's allocation */
	enum hub_fmt fmt;
	u64 size;
	s64 mtime_ns;
};

/*
 * Fill @e (its strings in one allocation) for the kernel file @path
 * (@path_len bytes) whose file name starts at @base_off and holds the
 * release at @rel_off (@rel_len bytes) from there (hub_kernel_name()),
 * below the folders @dirs (the three nearest, nearest first: arch,
 * VERSION_ID, ID; @dir_len bytes each; NULL when there are fewer than
 * three). The name is @path up to the release's end. Free with
 * hub_entry_free().
 */
int hub_entry_make(const char *path, size_t path_len, size_t base_off, size_t rel_off,
		   size_t rel_len, const char *const *dirs, const size_t *dir_len,
		   struct hub_entry *e);

struct hub_tree {
	struct hub_entry *v;	/* sorted as their outputs' paths, name + ".btf" (bytewise) */
	size_t n, cap;
	size_t passed_over;	/* files and folders that are not kernels (-v says why) */
	size_t filtered_out;	/* kernels the filter did not select */
	size_t same_name;	/* kernels dropped because another file had the same name */
};

/*
 * Walk @root (following symlinks, each directory entered once: a symlink
 * loop or a second way into a folder is passed over with a warning) and
 * collect every kernel file the filter @f (may be NULL) selects. Files
 * passed over are counted; why is said at DIAG_INFO (-v). Hidden entries
 * (".git") are passed over, as are BTFHub's ".failed"/".hasbtf" markers
 * and empty placeholders. Two files that give the same name (R.btf and
 * R.btf.tar.xz) keep the first in byte order, with a warning.
 * Returns 0, or a negative errno (printed) when @root or a folder below it
 * can't be read or a limit is hit.
 */
int hub_walk(const char *root, const struct hub_filter *f, struct hub_tree *out);
void hub_tree_free(struct hub_tree *t);
void hub_entry_free(struct hub_entry *e);

/* ---- kernel unpacking ------------------------------------------------- */

/*
 * Decompress and unwrap: xz, then a tar's single regular member. *@out
 * points at the result (into @data, or into *@owned which the caller
 * xfree()s). Members with absolute or ".." names are refused. Prints one
 * line on error, naming @name.
 */
int hub_unpack(const char *name, const void *data, size_t size, void **owned,
	       const void **out, size_t *out_size);

/*
 * A kernel BTF from memory: raw BTF, an ELF with .BTF, an xz stream of
 * either, or a tar (possibly xz-compressed: BTFHub's .btf.tar.xz) holding
 * exactly one regular member. @data is only read during the call.
 */
int hub_kernel_from_mem(const char *name, const void *data, size_t size, struct btf **out);

/*
 * A kernel BTF from the file @path (raw BTF is used in place, without a
 * copy). @file must stay open while the BTF is used: close it with
 * util_file_close() after btf_free().
 */
int hub_kernel_load(const char *path, struct util_file *file, struct btf **out);

/* ---- host facts (host.c) ------------------------------------------------ */

/* Longest os-release value kept (real ones are under 100 bytes). */
#define HUB_OSR_VALUE_MAX	256
/* Longest path of a host fact file (ROOT plus a few components). */
#define HUB_HOST_PATH_MAX	4096

/* What os-release says; "" for a field it lacks. */
struct hub_os_release {
	char id[HUB_OSR_VALUE_MAX];
	char version_id[HUB_OSR_VALUE_MAX];
	char id_like[HUB_OSR_VALUE_MAX];	/* space-separated IDs */
	char name[HUB_OSR_VALUE_MAX];
};

/*
 * Parse os-release text (os-release(5): KEY=VALUE, shell quoting, comments).
 * Lines that do not parse are ignored.
 */
void hub_os_release_parse(const char *text, size_t len, struct hub_os_release *osr);

/* Where to look; NULL fields: the defaults (host.c's header says which). */
struct hub_host_opts {
	const char *root;		/* --root */
	const char *os_release;		/* --os-release */
	const char *kernel_release;	/* --kernel-release */
	const char *arch;		/* --arch */
};

struct hub_host {
	char root[HUB_HOST_PATH_MAX];
	char os_release_path[HUB_HOST_PATH_MAX];	/* the one read; "" when none could be */
	bool have_os_release;				/* an os-release was read */
	struct hub_os_release osr;
	char release[256];				/* uname -r */
	char arch[72];					/* uname -m, as given */
	bool kernel_has_btf;	/* ROOT/sys/kernel/btf/vmlinux holds valid BTF */
};

/*
 * Gather the host facts. A missing or unusable os-release is not an
 * error (its fields stay empty; an os-release given by option or
 * environment that is missing is not replaced by ROOT's). Returns 0, or
 * -ENOENT when the kernel release or the arch could not be had. Prints
 * nothing.
 */
int hub_host_facts(const struct hub_host_opts *o, struct hub_host *h);

/* ---- collections (collection.c) ------------------------------------------ */

/*
 * A collection of kernel BTF files to pick from: a folder in the BTFHub
 * layout (what `archive` writes, or BTFHub's own tree of .btf.tar.xz), a
 * tar written by `archive --tar` (hard links resolved), or that tar
 * compressed with xz. Untrusted: tar members with absolute or ".." names,
 * hard links to anything but an earlier file of the collection, a name
 * twice, are refused.
 */
struct hub_coll {
	char *name;		/* the collection, for messages */
	struct hub_tree t;	/* the entries: path inside the collection, key, fmt, size */
	const void **data;	/* tar collections: each entry's bytes (NULL for a folder) */
	char *dir;		/* a folder collection: its path */
	struct util_file file;	/* a collection file, mapped */
	void *plain;		/* a decompressed .tar.xz */
	size_t nr_links;	/* hard-link members resolved */
	size_t passed_over;	/* members or files that are not kernels */
};

/* Open @path: a folder, a tar or a tar.xz (told by content). One line printed on error. */
int hub_coll_open(const char *path, struct hub_coll *c);
/*
 * A tar or tar.xz held in memory (@data is borrowed and must outlive @c,
 * unless it is xz: then the decompressed copy is @c's). @name names it in
 * messages.
 */
int hub_coll_from_mem(const char *name, const void *data, size_t size, struct hub_coll *c);
void hub_coll_free(struct hub_coll *c);
/*
 * The raw BTF of entry @i, unpacked (.btf.xz, .btf.tar.xz) and validated
 * (it must parse as BTF, or be an ELF with a .BTF section that does):
 * *@btf points into the collection or into *@owned (xfree() it). One line
 * printed on error.
 */
int hub_coll_read(const struct hub_coll *c, size_t i, void **owned, const void **btf,
		  size_t *size);

/* ---- matching (match.c) -------------------------------------------------- */

enum hub_step {
	HUB_STEP_EXACT,		/* ID/VERSION_ID/arch/release */
	HUB_STEP_MAJOR,		/* ID/<major VERSION_ID>/arch/release */
	HUB_STEP_ID_LIKE,	/* an ID of ID_LIKE, exact then major */
	HUB_STEP_RELEASE,	/* the release anywhere, for the host's arch */
	HUB_STEP_NEAREST,	/* --allow-nearest: longest common release prefix */
};

/* Steps a match records at most (ID_LIKE lists are short). */
#define HUB_MATCH_MAX_STEPS	32

struct hub_match_step {
	enum hub_step step;
	char tried[512];	/* what was looked for, e.g. "centos/8/x86_64/4.18.0-348.el8.x86_64" */
	char result[512];	/* "found ...", "not in the collection", "skipped: ..." */
	bool found;
};

struct hub_match {
	long pick;		/* the chosen entry's index, or -1 */
	enum hub_step by;	/* the step that picked it */
	struct hub_match_step steps[HUB_MATCH_MAX_STEPS];
	size_t nr_steps;
	char note[640];		/* ID_LIKE or release-name picks: how it was found */
	char warning[640];	/* --allow-nearest picks: layouts may differ */
	char why[1024];		/* no pick: the host facts and the closest entries */
};

struct hub_match_opts {
	bool allow_nearest;
};

/*
 * Pick the entry of @c for host @h, trying the steps in order (match.c's
 * header; README, "On the target machine"). Returns 0 with m->pick >= 0, or -ENOENT with m->why
 * set. Prints nothing.
 */
int hub_match(const struct hub_coll *c, const struct hub_host *h, const struct hub_match_opts *o,
	      struct hub_match *m);
const char *hub_step_name(enum hub_step s);

/* ---- the archive batch ------------------------------------------------ */

#define HUB_MANIFEST_NAME	"btfgen-manifest.json"
#define HUB_MANIFEST_FORMAT	"btfgen-manifest"
/* Bumped whenever the manifest's meaning changes; another version means a full run. */
#define HUB_MANIFEST_VERSION	2
/* A manifest larger than this is not read (4,300 kernels take a few MB). */
#define HUB_MANIFEST_MAX_SIZE	(256u << 20)
/* Worker threads at most. */
#define HUB_MAX_JOBS		256
/* Poisoned relocations kept per kernel for the report. */
#define HUB_MAX_POISONS		4096

enum hub_dedup { HUB_DEDUP_HARDLINK, HUB_DEDUP_SYMLINK, HUB_DEDUP_COPY };
/* "hardlink", "symlink", "copy"; -1 for anything else. */
int hub_dedup_parse(const char *s);
const char *hub_dedup_name(enum hub_dedup d);

struct hub_objects {
	struct core_obj *const *v;	/* the loaded objects (borrowed, read-only) */
	size_t n;
	const char *const *files;	/* the OBJECT arguments they came from, in order */
	size_t nr_files;
};

struct hub_archive_opts {
	const char *in_dir, *out_dir;
	int jobs;			/* worker threads, 1..HUB_MAX_JOBS */
	enum hub_dedup dedup;
	struct hub_filter filter;
	const char *tar_path;		/* also a deterministic tar of the output tree */
	const char *report_path;	/* coverage report; JSON if it ends in ".json" */
	bool first_match_only, verify, verify_fatal;
	/* Called by the calling thread about five times a second while kernels are reduced. */
	void (*progress)(size_t done, size_t todo, double seconds, void *ctx);
	void *progress_ctx;
};

struct hub_archive_stats {
	bool walked;			/* INPUT_DIR was read */
	size_t kernels, processed, skipped, failed, distinct;
	size_t passed_over, filtered_out;
	unsigned long long bytes_in, bytes_out;
	double seconds;
};

/*
 * `btfgen archive`: reduce every kernel of the tree @o->in_dir for @objs
 * into the mirrored tree @o->out_dir (see README): each input path
 * relative to in_dir becomes <path without packaging suffix>.btf. Writes
 * OUT_DIR/btfgen-manifest.json, and @o->tar_path / @o->report_path when
 * set. Kernels whose input, objects, options and btfgen version are
 * unchanged since the manifest, and whose output still hashes as the
 * manifest says, are skipped without being read; identical inputs are
 * reduced once; identical outputs are stored once (@o->dedup).
 * Returns:
 *   0        every kernel done (@st filled);
 *   -EINVAL  some kernels failed (one line each printed; the others and
 *            the manifest are written; @st filled);
 *   -ENOENT  with st->walked: no kernel found (st->passed_over and
 *            st->filtered_out say why; nothing written, nothing printed);
 *   -EEXIST  the trees overlap (printed; nothing written);
 *   another negative errno on a fatal error (printed).
 */
int hub_archive(const struct hub_archive_opts *o, const struct hub_objects *objs,
		struct hub_archive_stats *st);

/* "0123...": the SHA-256 of @size bytes at @data in hex. */
void hub_sha256_hex(const void *data, size_t size, char out[65]);

#endif /* BTFGEN_HUB_H */
