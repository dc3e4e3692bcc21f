/* SPDX-License-Identifier: MIT */
/*
 * btfgen/runtime.h - pick the reduced BTF this machine's kernel needs out of
 * a collection embedded in (or read by) an application, on the target
 * machine, for bpf_object_open_opts.btf_custom_path.
 *
 *	extern const char coll[], coll_end[];	(ld -r -b binary, or an array)
 *	char *path = NULL;
 *	int err = btfgen_rt_ensure(coll, coll_end - coll, NULL, &path);
 *	if (err)
 *		... no BTF for this kernel (-ENOENT) or a bad collection (-EINVAL)
 *	LIBBPF_OPTS(bpf_object_open_opts, o, .btf_custom_path = path);
 *	obj = prog_bpf__open_opts(&o);	(path NULL: the kernel has its own BTF)
 *	...
 *	btfgen_rt_cleanup(path);
 *
 * The collection is what `btfgen archive --tar` writes (a tar of
 * <ID>/<VERSION_ID>/<arch>/<release>.btf, identical files as hard links),
 * or that tar compressed with xz. The choice is `btfgen select`'s: os-release
 * (ID, VERSION_ID, ID_LIKE), uname -r and uname -m, in the matching order
 * of btfgen's README. libc only, thread-safe, no global state, prints nothing.
 * Link with -lbtfgen-runtime (pkg-config btfgen-runtime).
 */
#ifndef BTFGEN_RUNTIME_H
#define BTFGEN_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct btfgen_rt_opts {
	size_t sz;			/* sizeof(struct btfgen_rt_opts) */
	const char *root;		/* NULL: $BTFGEN_HOST_ROOT, /host when it has etc/os-release, / */
	const char *os_release;		/* NULL: $BTFGEN_OS_RELEASE, ROOT/etc/os-release, ROOT/usr/lib/os-release */
	const char *kernel_release;	/* NULL: uname -r */
	const char *arch;		/* NULL: uname -m */
	int force;			/* pick even when the kernel has its own BTF */
	int allow_nearest;		/* last resort: the nearest release (layouts may differ) */
	char *errbuf;			/* optional: why nothing was picked, or a nearest pick's warning */
	size_t errbuf_size;
};

/*
 * Returns:
 *   0 with *path == NULL   the kernel has its own BTF: nothing to do;
 *   0 with *path           the name of a new temporary file (mode 0600, in
 *                          $TMPDIR or /tmp) holding the chosen raw BTF;
 *   -ENOENT                no entry for this kernel (errbuf says the host
 *                          facts and the closest entries);
 *   -EINVAL                @collection is not a valid collection, or bad
 *                          arguments (@path NULL, @opts->sz too large with
 *                          non-zero bytes beyond what this version knows);
 *   -ENOMEM                out of memory;
 *   -EIO                   the temporary file could not be made or written
 *                          (errbuf names it).
 * *path is NULL on every error. @opts may be NULL.
 */
int btfgen_rt_ensure(const void *collection, size_t size, const struct btfgen_rt_opts *opts,
		     char **path);

/* Remove the temporary file btfgen_rt_ensure() made and free its name (NULL: nothing). */
void btfgen_rt_cleanup(char *path);

#ifdef __cplusplus
}
#endif

#endif /* BTFGEN_RUNTIME_H */
