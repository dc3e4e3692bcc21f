// SPDX-License-Identifier: MIT
/*
 * key.c - the kernel key ID/VERSION_ID/arch/release: how a file name
 * announces a kernel and its packaging, the one table of architecture
 * aliases, and the filters on keys.
 *
 *   <release>.btf.tar.xz   BTFHub: an xz-compressed tar holding <release>.btf
 *   <release>.btf.xz       an xz-compressed BTF
 *   <release>.btf          raw BTF, or an ELF with a .BTF section
 *   vmlinux-<release>      the /boot/vmlinux-$(uname -r) convention
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "hub/hub.h"

/*
 * BTFHub spells architectures as Debian's kernel folders do ("arm64",
 * "x86_64"); uname -m and some forks say "aarch64", Debian packages
 * "amd64". The first name of each row is the canonical one.
 */
static const char *const arch_aliases[][2] = {
	{ "x86_64", "amd64" },
	{ "arm64", "aarch64" },
};

const char *hub_arch_canon(const char *arch)
{
	size_t i, j;

	if (!arch)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(arch_aliases); i++)
		for (j = 0; j < ARRAY_SIZE(arch_aliases[i]); j++)
			if (!strcmp(arch, arch_aliases[i][j]))
				return arch_aliases[i][0];
	return arch;
}

bool hub_arch_eq(const char *a, const char *b)
{
	return a && b && !strcmp(hub_arch_canon(a), hub_arch_canon(b));
}

static const struct {
	const char *suffix;
	size_t len;
	enum hub_fmt fmt;
} suffixes[] = {	/* longest first: ".btf.tar.xz" also ends in ".xz" */
	{ ".btf.tar.xz", sizeof(".btf.tar.xz") - 1, HUB_FMT_TAR_XZ },
	{ ".btf.xz", sizeof(".btf.xz") - 1, HUB_FMT_XZ },
	{ ".btf", sizeof(".btf") - 1, HUB_FMT_BTF },
};

#define VMLINUX_PREFIX "vmlinux-"
#define VMLINUX_PREFIX_LEN (sizeof(VMLINUX_PREFIX) - 1)

enum hub_fmt hub_kernel_name(const char *name, size_t *rel_off, size_t *rel_len)
{
	size_t n = strlen(name), i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t m = suffixes[i].len;

		if (n > m && !memcmp(name + n - m, suffixes[i].suffix, m)) {
			*rel_off = 0;
			*rel_len = n - m;
			return suffixes[i].fmt;
		}
	}
	if (n > VMLINUX_PREFIX_LEN && !memcmp(name, VMLINUX_PREFIX, VMLINUX_PREFIX_LEN)) {
		*rel_off = VMLINUX_PREFIX_LEN;
		*rel_len = n - VMLINUX_PREFIX_LEN;
		return HUB_FMT_VMLINUX;
	}
	return HUB_FMT_NONE;
}

int hub_entry_make(const char *path, size_t path_len, size_t base_off, size_t rel_off,
		   size_t rel_len, const char *const *dirs, const size_t *dir_len,
		   struct hub_entry *e)
{
	size_t name_len = base_off + rel_off + rel_len, len = path_len + name_len + rel_len + 3;
	char *p;
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; dirs && i < 3; i++)
		len += dir_len[i] + 1;
	p = xmalloc(len);
	if (!p)
		return -ENOMEM;
	/* one block: path, name, the key's arch, VERSION_ID, ID, release */
	e->path = p;
	memcpy(p, path, path_len);
	p[path_len] = '\0';
	p += path_len + 1;
	e->name = p;
	memcpy(p, path, name_len);
	p[name_len] = '\0';
	p += name_len + 1;
	if (dirs) {
		const char **fields[3] = { &e->key.arch, &e->key.version_id, &e->key.id };

		for (i = 0; i < 3; i++) {
			*fields[i] = p;
			memcpy(p, dirs[i], dir_len[i]);
			p[dir_len[i]] = '\0';
			p += dir_len[i] + 1;
		}
	}
	e->key.release = p;
	memcpy(p, path + base_off + rel_off, rel_len);
	p[rel_len] = '\0';
	return 0;
}

void hub_entry_free(struct hub_entry *e)
{
	xfree(e->path);	/* the one block */
	memset(e, 0, sizeof(*e));
}

bool hub_filter_match(const struct hub_filter *f, const struct hub_key *k)
{
	if (!f)
		return true;
	if (f->id && (!k->id || strcmp(f->id, k->id)))
		return false;
	if (f->version_id && (!k->version_id || strcmp(f->version_id, k->version_id)))
		return false;
	if (f->arch && !hub_arch_eq(f->arch, k->arch))
		return false;
	if (f->release_glob && (!k->release || fnmatch(f->release_glob, k->release, 0)))
		return false;
	return true;
}

int hub_dedup_parse(const char *s)
{
	if (!strcmp(s, "hardlink"))
		return HUB_DEDUP_HARDLINK;
	if (!strcmp(s, "symlink"))
		return HUB_DEDUP_SYMLINK;
	if (!strcmp(s, "copy"))
		return HUB_DEDUP_COPY;
	return -1;
}

const char *hub_dedup_name(enum hub_dedup d)
{
	switch (d) {
	case HUB_DEDUP_SYMLINK: return "symlink";
	case HUB_DEDUP_COPY: return "copy";
	default: return "hardlink";
	}
}
