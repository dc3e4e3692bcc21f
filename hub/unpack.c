// SPDX-License-Identifier: MIT
/*
 * unpack.c - kernel BTF out of whatever packaging holds it: raw BTF (either
 * byte order), an ELF with a .BTF section, an xz stream of either, or a tar
 * (BTFHub's .btf.tar.xz: xz around a tar around one raw BTF). The packaging
 * is told by content, never by name. Decompression is bounded by
 * util_limits.btf_size (--max-btf-size).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_file.h"
#include "hub/hub.h"
#include "tar/tarball.h"
#include "xz/xz.h"

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

/*
 * A tar header: "ustar" at offset 257 (POSIX and GNU), or an old v7 header
 * (no magic) whose checksum field matches the sum of its bytes, the field
 * itself counted as spaces. The tar reader then checks everything else.
 */
static bool looks_like_tar(const void *data, size_t size)
{
	const u8 *b = data;
	unsigned long sum = 0, stored = 0;
	size_t i;

	if (size < 512)
		return false;
	if (!memcmp(b + 257, "ustar", 5))
		return true;
	for (i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : b[i];
	for (i = 148; i < 156 && b[i] == ' '; i++)
		;
	if (i == 156 || b[i] < '0' || b[i] > '7')
		return false;
	for (; i < 156 && b[i] >= '0' && b[i] <= '7'; i++)
		stored = stored * 8 + (unsigned long)(b[i] - '0');
	return sum == stored && b[0] != '\0';
}

int hub_unpack(const char *name, const void *data, size_t size, void **owned,
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

int hub_kernel_from_mem(const char *name, const void *data, size_t size, struct btf **out)
{
	void *plain;
	int ret;

	*out = NULL;
	ret = hub_unpack(name, data, size, &plain, &data, &size);
	if (ret)
		return ret;
	if (btf_is_raw(data, size)) {
		size_t off = plain ? (size_t)((const u8 *)data - (const u8 *)plain) : 0;

		/* decompressed here (a tar member is 512-aligned): parsed in place */
		if (plain && off % 4 == 0)
			return btf_parse_owned_in(plain, off, size, name, out);
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

int hub_kernel_load(const char *path, struct util_file *file, struct btf **out)
{
	int err;

	*out = NULL;
	err = util_file_open(path, file);
	if (err)
		return err;
	if (btf_is_raw(file->data, file->size))	/* the common case: no copy */
		return btf_parse_view(file->data, file->size, path, out);
	return hub_kernel_from_mem(path, file->data, file->size, out);
}
