// SPDX-License-Identifier: MIT
/*
 * btf_write.c - append-only BTF writer and its de-duplicating string set.
 *
 * Mirrors libbpf's btf__new_empty() + btf__add_*() + btf__raw_data(): the
 * string section starts with "" at offset 0 and every other string is
 * appended the first time it is used, so the string order is the order of
 * the add calls. The output is a 24-byte header followed by the type and
 * string sections (type_off 0, str_off = type_len).
 *
 * The string set is an open-addressing hash table of string offsets keyed
 * by the string bytes (FNV-1a), with linear probing; its load factor is
 * kept below 1/2.
 */
#include <errno.h>
#include <stdlib.h>

#include "btf/btf.h"

#define WRITER_MAX_TYPES	BTF_MAX_TYPE		/* what the kernel accepts */
#define WRITER_MAX_STR_BYTES	(BTF_MAX_NAME_OFFSET + 1u)	/* kernel name offset limit */
#define WRITER_MAX_TYPE_BYTES	0x7fffffffu

struct strset {
	char *data;
	size_t len, cap;
	u32 *slots;		/* offset + 1; 0 = empty */
	size_t nr_slots;	/* power of two */
	size_t nr_used;
};

struct btf_writer {
	u8 *types;
	size_t types_len, types_cap;
	u32 *type_offs;		/* [id] for id >= 1 */
	size_t offs_cap;
	u32 nr_types;		/* including void */
	u32 last_composite;	/* id of the composite members are added to, or 0 */
	struct strset strs;
};

static u32 str_hash(const char *s, size_t n)
{
	u32 h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (u8)s[i];
		h *= 16777619u;
	}
	return h;
}

static int strset_rehash(struct strset *set, size_t nr_slots)
{
	u32 *slots = xcalloc(nr_slots, sizeof(u32));
	size_t i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < set->nr_slots; i++) {
		u32 v = set->slots[i];
		const char *s;
		size_t j;

		if (!v)
			continue;
		s = set->data + v - 1;
		j = str_hash(s, strlen(s)) & (nr_slots - 1);
		while (slots[j])
			j = (j + 1) & (nr_slots - 1);
		slots[j] = v;
	}
	xfree(set->slots);
	set->slots = slots;
	set->nr_slots = nr_slots;
	return 0;
}

/* Intern @s; returns its offset (>= 0) or a negative errno. "" is offset 0. */
static long strset_add(struct strset *set, const char *s)
{
	size_t n = strlen(s), j;
	u32 h;
	int err;

	if (n == 0)
		return 0;
	if ((set->nr_used + 1) * 2 > set->nr_slots) {
		err = strset_rehash(set, set->nr_slots ? set->nr_slots * 2 : 64);
		if (err)
			return err;
	}
	h = str_hash(s, n);
	for (j = h & (set->nr_slots - 1); set->slots[j]; j = (j + 1) & (set->nr_slots - 1)) {
		const char *cand = set->data + set->slots[j] - 1;

		if (strcmp(cand, s) == 0)
			return (long)set->slots[j] - 1;
	}
	if (n + 1 > WRITER_MAX_STR_BYTES - set->len)
		return -E2BIG;
	err = util_ensure_mem((void **)&set->data, &set->cap, 1, set->len + n + 1,
			      WRITER_MAX_STR_BYTES);
	if (err)
		return err;
	memcpy(set->data + set->len, s, n + 1);
	set->slots[j] = (u32)set->len + 1;
	set->nr_used++;
	set->len += n + 1;
	return (long)(set->len - n - 1);
}

struct btf_writer *btf_writer_new(void)
{
	struct btf_writer *w = xcalloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->strs.data = xmalloc(16);
	if (!w->strs.data) {
		xfree(w);
		return NULL;
	}
	w->strs.data[0] = '\0';
	w->strs.len = 1;
	w->strs.cap = 16;
	w->nr_types = 1;
	return w;
}

void btf_writer_free(struct btf_writer *w)
{
	if (!w)
		return;
	xfree(w->types);
	xfree(w->type_offs);
	xfree(w->strs.data);
	xfree(w->strs.slots);
	xfree(w);
}

u32 btf_writer_nr_types(const struct btf_writer *w)
{
	return w->nr_types;
}

struct btf_type *btf_writer_type(struct btf_writer *w, u32 id)
{
	if (id == 0 || id >= w->nr_types)
		return NULL;
	return (struct btf_type *)(w->types + w->type_offs[id]);
}

/* Reserve @sz bytes for a new type record; returns it zeroed, or NULL. */
static struct btf_type *add_record(struct btf_writer *w, size_t sz, int *err)
{
	u8 *p;

	if (w->nr_types > WRITER_MAX_TYPES) {
		*err = -E2BIG;
		return NULL;
	}
	*err = util_ensure_mem((void **)&w->type_offs, &w->offs_cap, sizeof(u32),
			       (size_t)w->nr_types + 1, (size_t)WRITER_MAX_TYPES + 1);
	if (*err)
		return NULL;
	*err = util_ensure_mem((void **)&w->types, &w->types_cap, 1, w->types_len + sz,
			       WRITER_MAX_TYPE_BYTES);
	if (*err)
		return NULL;
	p = w->types + w->types_len;
	memset(p, 0, sz);
	return (struct btf_type *)p;
}

static void commit_record(struct btf_writer *w, size_t sz)
{
	w->type_offs[w->nr_types++] = (u32)w->types_len;
	w->types_len += sz;
}

struct rewrite_ctx {
	struct btf_writer *w;
	const struct btf *src;
};

static int rewrite_str(u32 *off, void *ctx)
{
	struct rewrite_ctx *c = ctx;
	long n;

	if (*off == 0)
		return 0;
	n = strset_add(&c->w->strs, btf_str(c->src, *off));
	if (n < 0)
		return (int)n;
	*off = (u32)n;
	return 0;
}

int btf_writer_add_type(struct btf_writer *w, const struct btf *src, const struct btf_type *t)
{
	struct rewrite_ctx ctx = { .w = w, .src = src };
	size_t sz = btf_type_size(t);
	struct btf_type *nt;
	int err;

	nt = add_record(w, sz, &err);
	if (!nt)
		return err;
	memcpy(nt, t, sz);
	err = btf_visit_str_offs(nt, rewrite_str, &ctx);
	if (err)
		return err;
	commit_record(w, sz);
	w->last_composite = 0;
	return (int)(w->nr_types - 1);
}

int btf_writer_add_composite(struct btf_writer *w, unsigned kind, const char *name, u32 size)
{
	struct btf_type *t;
	long name_off = 0;
	int err;

	if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
		return -EINVAL;
	t = add_record(w, sizeof(*t), &err);
	if (!t)
		return err;
	if (name && name[0]) {
		name_off = strset_add(&w->strs, name);
		if (name_off < 0)
			return (int)name_off;
	}
	t = (struct btf_type *)(w->types + w->types_len);	/* strset_add doesn't move types */
	t->name_off = (u32)name_off;
	t->info = BTF_INFO_ENC(kind, 0, 0);
	t->size = size;
	commit_record(w, sizeof(*t));
	w->last_composite = w->nr_types - 1;
	return (int)w->last_composite;
}

/* Append one member word triple to the last composite; @kflag is OR-ed in. */
static int append_member(struct btf_writer *w, const char *name, u32 type_id, u32 offset,
			 bool kflag)
{
	struct btf_member *m;
	struct btf_type *t;
	long name_off = 0;
	u32 vlen;
	int err;

	t = btf_writer_type(w, w->last_composite);
	vlen = btf_vlen(t);
	if (vlen == 0xffff)
		return -E2BIG;
	if (name && name[0]) {
		name_off = strset_add(&w->strs, name);
		if (name_off < 0)
			return (int)name_off;
	}
	err = util_ensure_mem((void **)&w->types, &w->types_cap, 1,
			      w->types_len + sizeof(*m), WRITER_MAX_TYPE_BYTES);
	if (err)
		return err;
	m = (struct btf_member *)(w->types + w->types_len);
	m->name_off = (u32)name_off;
	m->type = type_id;
	m->offset = offset;
	w->types_len += sizeof(*m);
	t = btf_writer_type(w, w->last_composite);
	t->info = BTF_INFO_ENC(btf_kind(t), kflag || btf_kflag(t), vlen + 1);
	return 0;
}

static bool composite_open(const struct btf_writer *w)
{
	return w->last_composite && w->last_composite == w->nr_types - 1;
}

int btf_writer_add_member(struct btf_writer *w, const char *name, u32 type_id, u32 bit_off,
			  u32 bf_size)
{
	bool is_bitfield = bf_size || (bit_off % 8);

	if (!composite_open(w))
		return -EINVAL;
	if (is_bitfield && (bf_size == 0 || bf_size > 255 || bit_off > 0xffffff))
		return -EINVAL;
	if (btf_kind(btf_writer_type(w, w->last_composite)) == BTF_KIND_UNION && bit_off)
		return -EINVAL;
	return append_member(w, name, type_id, bit_off | bf_size << 24, is_bitfield);
}

int btf_writer_add_member_legacy(struct btf_writer *w, const char *name, u32 type_id,
				 u32 bit_off)
{
	if (!composite_open(w) || btf_kflag(btf_writer_type(w, w->last_composite)))
		return -EINVAL;
	return append_member(w, name, type_id, bit_off, false);
}

int btf_writer_finish(struct btf_writer *w, bool swap, void **out, size_t *out_size)
{
	struct btf_header hdr = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.flags = 0,
		.hdr_len = sizeof(struct btf_header),
		.type_off = 0,
		.type_len = (u32)w->types_len,
		.str_off = (u32)w->types_len,
		.str_len = (u32)w->strs.len,
	};
	size_t total = sizeof(hdr) + w->types_len + w->strs.len;
	u8 *buf;
	u32 id;

	buf = xmalloc(total);
	if (!buf)
		return -ENOMEM;
	if (w->types_len)
		memcpy(buf + sizeof(hdr), w->types, w->types_len);
	memcpy(buf + sizeof(hdr) + w->types_len, w->strs.data, w->strs.len);
	if (swap) {
		u32 *hw = (u32 *)&hdr;
		size_t i;

		hdr.magic = bswap16(hdr.magic);
		for (i = 1; i < sizeof(hdr) / 4; i++)
			hw[i] = bswap32(hw[i]);
		for (id = 1; id < w->nr_types; id++) {
			struct btf_type *t = (struct btf_type *)(buf + sizeof(hdr) + w->type_offs[id]);
			u32 *wd = (u32 *)t;
			size_t n = btf_type_size(t) / 4;

			for (i = 0; i < n; i++)
				wd[i] = bswap32(wd[i]);
		}
	}
	memcpy(buf, &hdr, sizeof(hdr));
	*out = buf;
	*out_size = total;
	return 0;
}
