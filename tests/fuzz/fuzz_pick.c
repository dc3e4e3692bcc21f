// SPDX-License-Identifier: MIT
/*
 * The target-machine side: a fuzzed collection (tar or tar.xz, as
 * `btfgen select --from`, `install --from` and btfgen_rt_ensure() read
 * it) is opened, matched against fixed hosts and its pick read back; and
 * the same bytes are parsed as an os-release. Invariants: every entry of
 * an accepted collection has a clean relative path inside it and a kernel
 * file name; its data lies inside the input (or the decompressed copy);
 * a pick is an entry of the host's arch; os-release fields are
 * NUL-terminated and free of newlines.
 */
#include <string.h>

#include "fuzz.h"
#include "hub/hub.h"

static const struct {
	const char *id, *ver, *like, *rel, *arch;
} hosts[] = {
	{ "ubuntu", "20.04", "debian", "5.4.0-73-generic", "x86_64" },
	{ "rocky", "8.6", "rhel centos fedora", "4.18.0-372.9.1.el8.aarch64", "aarch64" },
	{ "debian", "12", "", "6.1.0-56-amd64", "amd64" },
	{ "", "", "", "k", "arm64" },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	/* keep decompression bounded: a bomb stops at 16 MiB */
	util_limits.btf_size = 16u << 20;
	return 0;
}

static void check_osr(const struct hub_os_release *o)
{
	const char *f[] = { o->id, o->version_id, o->id_like, o->name };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (!memchr(f[i], 0, HUB_OSR_VALUE_MAX) || strchr(f[i], '\n'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_os_release osr;
	struct hub_coll c;
	size_t i, k;

	hub_os_release_parse((const char *)data, size, &osr);
	check_osr(&osr);
	if (hub_coll_from_mem("fuzz", data, size, &c))
		return 0;
	for (i = 0; i < c.t.n; i++) {
		const struct hub_entry *e = &c.t.v[i];
		const uint8_t *d = c.data[i], *lo = c.plain ? c.plain : data;
		size_t off, len;

		if (!util_path_is_clean_rel(e->path) || !e->key.release ||
		    hub_kernel_name(strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path,
				    &off, &len) == HUB_FMT_NONE)
			abort();
		if (e->size && (d < lo || (size_t)(d - lo) > (c.plain ? (size_t)-1 : size) ||
				(!c.plain && e->size > size - (size_t)(d - lo))))
			abort();
	}
	for (k = 0; k < ARRAY_SIZE(hosts); k++) {
		struct hub_match_opts mo = { .allow_nearest = k & 1 };
		struct hub_host h = { 0 };
		struct hub_match m;
		const void *btf;
		void *owned;
		size_t bsize;

		snprintf(h.osr.id, sizeof(h.osr.id), "%s", hosts[k].id);
		snprintf(h.osr.version_id, sizeof(h.osr.version_id), "%s", hosts[k].ver);
		snprintf(h.osr.id_like, sizeof(h.osr.id_like), "%s", hosts[k].like);
		snprintf(h.release, sizeof(h.release), "%s", hosts[k].rel);
		snprintf(h.arch, sizeof(h.arch), "%s", hosts[k].arch);
		h.have_os_release = hosts[k].id[0] != '\0';
		if (hub_match(&c, &h, &mo, &m))
			continue;
		if (m.pick < 0 || (size_t)m.pick >= c.t.n ||
		    !hub_arch_eq(c.t.v[m.pick].key.arch, h.arch))
			abort();
		if (!hub_coll_read(&c, (size_t)m.pick, &owned, &btf, &bsize))
			xfree(owned);
	}
	hub_coll_free(&c);
	return 0;
}
