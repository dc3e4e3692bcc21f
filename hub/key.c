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
	enum hub_fmt fmt;
} suffixes[] = {	/* longest first: ".btf.tar.xz" also ends in ".xz" */
	{ ".btf.tar.xz", HUB_FMT_TAR_XZ },
	{ ".btf.xz", HUB_FMT_XZ },
	{ ".btf", HUB_FMT_BTF },
};

#define VMLINUX_PREFIX "vmlinux-"

enum hub_fmt hub_kernel_name(const char *name, size_t *rel_off, size_t *rel_len)
{
	size_t n = strlen(name), i, m;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		m = strlen(suffixes[i].suffix);
		if (n > m && !strcmp(name + n - m, suffixes[i].suffix)) {
			*rel_off = 0;
			*rel_len = n - m;
			return suffixes[i].fmt;
		}
	}
	m = strlen(VMLINUX_PREFIX);
	if (n > m && !strncmp(name, VMLINUX_PREFIX, m)) {
		*rel_off = m;
		*rel_len = n - m;
		return HUB_FMT_VMLINUX;
	}
	return HUB_FMT_NONE;
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
