// SPDX-License-Identifier: MIT
/*
 * tests/e2e/pick/loader.c - an application of the runtime library, as its
 * users write one: the collection embedded (ld -r -b binary of coll.bin:
 * `btfgen archive --tar`'s tar, or that tar compressed with xz),
 * btfgen_rt_ensure() for the path, then libbpf with btf_custom_path. Built
 * and run by tests/e2e/pick_ns.sh; needs libbpf (libbpf-dev), test-only.
 *
 *   loader [-c COLLECTION] [-f] [-n] [-o COPY] OBJECT...
 *   loader [-c COLLECTION] [-f] -E
 *
 *   -c FILE   read the collection from FILE instead of the embedded one
 *   -f        btfgen_rt_opts.force: pick even when the kernel has its own BTF
 *   -n        no runtime: plain libbpf (kernel BTF from where libbpf looks)
 *   -o COPY   copy the picked BTF to COPY before btfgen_rt_cleanup()
 *   -E        only btfgen_rt_ensure(): no object
 *
 * Each OBJECT is opened with bpf_object_open_opts.btf_custom_path = the
 * path btfgen_rt_ensure() gave (NULL: none) and loaded, never attached.
 * Programs whose attach target is looked up in the kernel's own BTF
 * (tp_btf, fentry/fexit, fmod_ret, iter, LSM, struct_ops, freplace: no
 * reduced BTF can hold it) are not loaded: libbpf would need the full
 * vmlinux BTF for them whatever btf_custom_path says.
 *
 * Prints, one line each:
 *   ensure: rc=N (strerror) path=PATH|(null) size=N mode=0600 magic=0xeb9f msg=ERRBUF
 *   load OBJECT: ok (N programs loaded, M not loaded: kernel-BTF attach)
 *   load OBJECT: failed: open|load: -N (strerror)
 * (libbpf's own warnings go to stderr.)
 * Exit status: 0 every object loaded (and, without -n, ensure returned 0);
 * 1 otherwise; 2 usage. btfgen_rt_ensure()'s temporary file is removed
 * (btfgen_rt_cleanup) before the exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <btfgen/runtime.h>

/* ld -r -b binary coll.bin (run where coll.bin is) */
extern const char _binary_coll_bin_start[], _binary_coll_bin_end[];

static void usage(void)
{
	fprintf(stderr, "usage: loader [-c COLLECTION] [-f] [-n] [-o COPY] OBJECT...\n"
			"       loader [-c COLLECTION] [-f] -E\n");
	exit(2);
}

/* The whole file @name, mapped; NULL on error (said). */
static const void *map_file(const char *name, size_t *size)
{
	struct stat st;
	void *p;
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "loader: %s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size ? *size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "loader: %s: mmap: %s\n", name, strerror(errno));
		return NULL;
	}
	return p;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, err = 0;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		err = -errno;
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = -EIO;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !err)
		err = -errno;
	return err;
}

/* What btfgen_rt_ensure() wrote: size, mode and first two bytes (BTF magic 0xeb9f). */
static void describe(const char *path, long *size, unsigned *mode, unsigned *magic)
{
	unsigned char b[2] = { 0, 0 };
	struct stat st;
	int fd;

	*size = -1;
	*mode = 0;
	*magic = 0;
	if (!path || stat(path, &st) < 0)
		return;
	*size = (long)st.st_size;
	*mode = (unsigned)st.st_mode & 07777;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, b, 2) == 2)
			*magic = (unsigned)b[0] | (unsigned)b[1] << 8;
		close(fd);
	}
}

/* Needs the kernel's own BTF for its attach target (libbpf's prog_needs_vmlinux_btf). */
static int needs_kernel_btf(const struct bpf_program *p)
{
	switch (bpf_program__type(p)) {
	case BPF_PROG_TYPE_TRACING:	/* tp_btf, fentry, fexit, fmod_ret, iter */
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_STRUCT_OPS:
	case BPF_PROG_TYPE_EXT:
		return 1;
	default:
		return 0;
	}
}

static int load_one(const char *file, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	struct bpf_object *obj;
	struct bpf_program *p;
	int err, loaded = 0, skipped = 0;

	obj = bpf_object__open_file(file, &oo);
	if (!obj) {
		err = -errno;
		printf("load %s: failed: open: %d (%s)\n", file, err, strerror(-err));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		if (needs_kernel_btf(p)) {
			bpf_program__set_autoload(p, false);
			skipped++;
		} else if (bpf_program__autoload(p)) {
			loaded++;
		}
	}
	err = bpf_object__load(obj);
	if (err)
		printf("load %s: failed: load: %d (%s)\n", file, err, strerror(-err));
	else
		printf("load %s: ok (%d programs loaded, %d not loaded: kernel-BTF attach)\n", file,
		       loaded, skipped);
	bpf_object__close(obj);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *coll_file = NULL, *copy = NULL;
	const void *coll = _binary_coll_bin_start;
	size_t coll_size = (size_t)(_binary_coll_bin_end - _binary_coll_bin_start);
	char errbuf[1024] = "", *path = NULL;
	struct btfgen_rt_opts ro = { .sz = sizeof(ro), .errbuf = errbuf,
				     .errbuf_size = sizeof(errbuf) };
	int c, i, no_runtime = 0, ensure_only = 0, rc = 0, err = 0;
	unsigned mode, magic;
	long size;

	while ((c = getopt(argc, argv, "c:fno:E")) != -1) {
		switch (c) {
		case 'c':
			coll_file = optarg;
			break;
		case 'f':
			ro.force = 1;
			break;
		case 'n':
			no_runtime = 1;
			break;
		case 'o':
			copy = optarg;
			break;
		case 'E':
			ensure_only = 1;
			break;
		default:
			usage();
		}
	}
	if (ensure_only ? optind != argc || no_runtime : optind >= argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (coll_file && !(coll = map_file(coll_file, &coll_size)))
		return 1;
	if (!no_runtime) {
		err = btfgen_rt_ensure(coll, coll_size, &ro, &path);
		describe(path, &size, &mode, &magic);
		printf("ensure: rc=%d (%s) path=%s size=%ld mode=%04o magic=0x%04x msg=%s\n", err,
		       err ? strerror(-err) : "ok", path ? path : "(null)", size, mode, magic, errbuf);
		if (err)
			rc = 1;
		if (path && copy && copy_file(path, copy))
			fprintf(stderr, "loader: can't copy %s to %s\n", path, copy);
	}
	for (i = optind; i < argc; i++)
		rc |= load_one(argv[i], path);
	btfgen_rt_cleanup(path);
	return rc;
}
