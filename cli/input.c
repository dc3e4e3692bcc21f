// SPDX-License-Identifier: MIT
/*
 * input.c - turning files into kernel BTF and BPF objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "elf.h"

#define CLI_MAX_EMBEDDED 4096	/* embedded BPF objects per file */

int cli_load_kernel(const char *path, struct cli_file *file, struct btf **out)
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
	struct cli_file file;
	size_t off, len, from = 0;
	unsigned nr = 0;
	char *name = NULL;
	int err;

	err = cli_file_open(path, &file);
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
	cli_file_close(&file);
	return err;
}
