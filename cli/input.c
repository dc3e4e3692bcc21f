// SPDX-License-Identifier: MIT
/*
 * input.c - turning files into kernel BTF and BPF objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "elf/elf_file.h"
#include "tar/tarball.h"
#include "xz/xz.h"

#define CLI_MAX_EMBEDDED 4096	/* embedded BPF objects per file */

/* BTF inside an ELF image (the .BTF section, copied). */
static int kernel_from_elf(const char *name, const void *data, size_t size, struct btf **out)
{
	struct elf_file *ef = NULL;
	const void *sec;
	size_t sec_size;
	int err;

	err = elf_parse(data, size, name, &ef);
	if (err)
		return err;
	if (elf_find_section(ef, ".BTF", &sec, &sec_size)) {
		pr_warn("%s: ELF has no .BTF section", name);
		err = -ENOENT;
		goto out;
	}
	err = btf_parse(sec, sec_size, name, out);
	if (!err)
		btf_set_ptr_sz(*out, elf_is_64(ef) ? 8 : 4);
out:
	elf_free(ef);
	return err;
}

/*
 * An absolute member name or one with a ".." component: no BTFHub archive
 * has one, and a tar that does was made to attack extractors. We never use
 * member names as paths, but we refuse such a tar rather than guess.
 */
static bool unsafe_member_name(const char *p)
{
	if (p[0] == '/')
		return true;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/*
 * The single regular member of tar @data; -EINVAL if it is not a tar,
 * has no regular member or several (named in the message).
 */
static int tar_single_member(const char *name, const void *data, size_t size,
			     const void **mdata, size_t *msize)
{
	struct tar_reader r;
	struct tar_member *m = xmalloc(sizeof(*m));
	char err[256], first[128] = "";
	int n = 0, ret;

	if (!m) {
		pr_warn("%s: out of memory", name);
		return -ENOMEM;
	}
	tar_reader_init(&r, data, size);
	while ((ret = tar_next(&r, m, err, sizeof(err))) == 1) {
		if (unsafe_member_name(m->name)) {
			pr_warn("%s: tar member '%.200s' at offset %zu: unsafe name (absolute, or "
				"with a '..' component): refused", name, m->name, m->offset);
			xfree(m);
			return -EINVAL;
		}
		if (n++ == 0) {
			snprintf(first, sizeof(first), "%.100s", m->name);
			*mdata = m->data;
			*msize = m->size;
			continue;
		}
		pr_warn("%s: tar holds several files ('%s', '%s', ...): expected one kernel BTF",
			name, first, m->name);
		xfree(m);
		return -EINVAL;
	}
	xfree(m);
	if (ret < 0) {
		pr_warn("%s: tar: %s", name, err);
		return ret;
	}
	if (!n) {
		pr_warn("%s: tar holds no regular file", name);
		return -EINVAL;
	}
	return 0;
}

static bool looks_like_tar(const void *data, size_t size)
{
	const u8 *b = data;

	return size >= 512 && !memcmp(b + 257, "ustar", 5);
}


int cli_unpack(const char *name, const void *data, size_t size, void **owned,
	       const void **out, size_t *out_size)
{
	void *plain = NULL;
	size_t plain_size;
	char err[256];
	int ret;

	*owned = NULL;
	if (xz_is_xz(data, size)) {
		ret = xz_decode(data, size, util_limits.btf_size > SIZE_MAX ? SIZE_MAX :
					    (size_t)util_limits.btf_size, &plain, &plain_size, err,
				sizeof(err));
		if (ret == -E2BIG) {
			pr_warn("%s: xz: %s (the decompressed size limit; raise it with "
				"--max-btf-size)", name, err);
			return ret;
		}
		if (ret) {
			pr_warn("%s: xz: %s", name, err);
			return ret;
		}
		data = plain;
		size = plain_size;
	}
	if (!btf_is_raw(data, size) && !elf_is_elf(data, size) && looks_like_tar(data, size)) {
		ret = tar_single_member(name, data, size, &data, &size);
		if (ret) {
			xfree(plain);
			return ret;
		}
	}
	*owned = plain;
	*out = data;
	*out_size = size;
	return 0;
}

int cli_kernel_from_mem(const char *name, const void *data, size_t size, struct btf **out)
{
	void *plain;
	int ret;

	*out = NULL;
	ret = cli_unpack(name, data, size, &plain, &data, &size);
	if (ret)
		return ret;
	if (btf_is_raw(data, size)) {
		ret = btf_parse(data, size, name, out);
	} else if (elf_is_elf(data, size)) {
		ret = kernel_from_elf(name, data, size, out);
	} else {
		pr_warn("%s: neither BTF, ELF, xz nor tar (unknown magic)", name);
		ret = -EINVAL;
	}
	xfree(plain);
	return ret;
}

int cmd_cat(int argc, char **argv)
{
	struct util_file f;
	const void *data;
	size_t size;
	void *plain;
	int err;

	if (argc != 1) {
		fprintf(stderr, "btfgen: cat needs one FILE\n");
		return EXIT_USAGE;
	}
	err = util_file_open(argv[0], &f);
	if (err)
		return EXIT_FAILURE;
	err = cli_unpack(argv[0], f.data, f.size, &plain, &data, &size);
	if (!err && !btf_is_raw(data, size)) {
		pr_warn("%s: no kernel BTF inside (neither raw BTF, nor xz or tar holding one)",
			argv[0]);
		err = -EINVAL;
	}
	if (!err && fwrite(data, 1, size, stdout) != size) {
		pr_warn("stdout: write failed");
		err = -EIO;
	}
	xfree(plain);
	util_file_close(&f);
	if (!err && fflush(stdout)) {
		pr_warn("stdout: write failed");
		err = -EIO;
	}
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cli_load_kernel(const char *path, struct util_file *file, struct btf **out)
{
	int err;

	*out = NULL;
	err = util_file_open(path, file);
	if (err)
		return err;
	if (btf_is_raw(file->data, file->size))	/* the common case: no copy */
		return btf_parse_view(file->data, file->size, path, out);
	return cli_kernel_from_mem(path, file->data, file->size, out);
}

static int one_obj(const void *data, size_t size, const char *name, cli_obj_fn fn, void *ctx)
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
	return fn(obj, ctx);
}

int cli_for_each_object(const char *path, cli_obj_fn fn, void *ctx)
{
	struct elf_file *ef = NULL;
	struct util_file file;
	size_t off, len, from = 0;
	unsigned nr = 0;
	char *name = NULL;
	int err;

	err = util_file_open(path, &file);
	if (err)
		return err;
	if (!elf_is_elf(file.data, file.size)) {
		pr_warn("%s: not an ELF file", path);
		err = -EINVAL;
		goto out;
	}
	err = elf_parse(file.data, file.size, path, &ef);
	if (err)
		goto out;
	if (elf_machine(ef) == ELF_MACHINE_BPF) {
		err = one_obj(file.data, file.size, path, fn, ctx);
		goto out;
	}
	name = xmalloc(strlen(path) + 64);
	if (!name) {
		pr_warn("%s: out of memory", path);
		err = -ENOMEM;
		goto out;
	}
	while (elf_find_embedded_bpf(file.data, file.size, from, &off, &len) == 1) {
		if (nr == CLI_MAX_EMBEDDED) {
			pr_warn("%s: more than %u embedded BPF objects", path, CLI_MAX_EMBEDDED);
			err = -E2BIG;
			goto out;
		}
		sprintf(name, "%s[bpf#%u@0x%zx]", path, nr, off);
		err = one_obj((const u8 *)file.data + off, len, name, fn, ctx);
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
	util_file_close(&file);
	return err;
}

int cli_objs_push(struct core_obj *obj, void *objs)
{
	struct cli_objs *l = objs;
	int err = util_ensure_mem((void **)&l->v, &l->cap, sizeof(*l->v), l->n + 1, SIZE_MAX / 8);

	if (err) {
		pr_warn("%s: out of memory", obj->name);
		core_obj_free(obj);
		return err;
	}
	l->v[l->n++] = obj;
	return 0;
}

void cli_objs_free(struct cli_objs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		core_obj_free(l->v[i]);
	xfree(l->v);
}
