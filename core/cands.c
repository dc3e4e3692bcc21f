// SPDX-License-Identifier: MIT
/*
 * cands.c - candidate search (SEMANTICS.md §3.3) in one pass over the target.
 *
 * libbpf scans every target type for every distinct local root type. Here
 * the callers first register every local root they will need ("wants"); one
 * linear scan of the target then skips every type whose kind no want has
 * (FUNC, FUNC_PROTO, PTR, VAR... most of a kernel BTF) and, for the rest,
 * looks up (kind class, essential name) in a small hash table. Each want
 * collects its ids in ascending order, exactly libbpf's candidate list.
 * A lookup that was not registered before the scan falls back to a linear
 * scan for that one key.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"

#define CAND_MAX_WANTS (1u << 20)	/* distinct local root names, all objects together */

struct want {
	const char *name;	/* borrowed from a local BTF; essential length len */
	u32 len;
	u32 hash;
	u8 kclass;		/* kind, with ENUM64 folded into ENUM */
	u32 *ids;
	u32 nr, cap;
};

struct core_cand_index {
	const struct btf *targ;
	struct want *wants;
	size_t nr_wants, wants_cap;
	u32 *slots;		/* want index + 1; 0 = empty; power-of-two size */
	size_t nr_slots;
	u32 kind_mask;		/* kind classes some want has */
	bool built;
};

static u32 name_hash(const char *s, size_t n, u8 kclass)
{
	u32 h = 2166136261u ^ kclass;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (u8)s[i];
		h *= 16777619u;
	}
	return h;
}

static u8 kind_class(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_ENUM64 ? BTF_KIND_ENUM : (u8)btf_kind(t);
}

void core_cand_index_free(struct core_cand_index *idx)
{
	size_t i;

	if (!idx)
		return;
	for (i = 0; i < idx->nr_wants; i++)
		xfree(idx->wants[i].ids);
	xfree(idx->wants);
	xfree(idx->slots);
	xfree(idx);
}

int core_cand_index_new(const struct btf *targ, struct core_cand_index **out)
{
	struct core_cand_index *idx = xcalloc(1, sizeof(*idx));

	*out = idx;
	if (!idx)
		return -ENOMEM;
	idx->targ = targ;
	return 0;
}

/* Find the want for (@kclass, @name[0..@len)); NULL if absent. */
static struct want *want_find(const struct core_cand_index *idx, u8 kclass, const char *name,
			      u32 len, u32 h)
{
	size_t j;

	if (!idx->nr_slots)
		return NULL;
	for (j = h & (idx->nr_slots - 1); idx->slots[j]; j = (j + 1) & (idx->nr_slots - 1)) {
		struct want *w = &idx->wants[idx->slots[j] - 1];

		if (w->hash == h && w->kclass == kclass && w->len == len &&
		    memcmp(w->name, name, len) == 0)
			return w;
	}
	return NULL;
}

static int slots_grow(struct core_cand_index *idx)
{
	size_t n = idx->nr_slots ? idx->nr_slots * 2 : 256, i, j;
	u32 *slots = xcalloc(n, sizeof(u32));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < idx->nr_wants; i++) {
		for (j = idx->wants[i].hash & (n - 1); slots[j]; j = (j + 1) & (n - 1))
			;
		slots[j] = (u32)i + 1;
	}
	xfree(idx->slots);
	idx->slots = slots;
	idx->nr_slots = n;
	return 0;
}

static bool target_type_matches(const struct btf *targ, u32 id, const struct want *w)
{
	const struct btf_type *t = btf_type_by_id(targ, id);
	const char *tname = targ->strs + t->name_off;

	return kind_class(t) == w->kclass && tname[0] &&
	       core_essential_name_len(tname) == w->len && strncmp(tname, w->name, w->len) == 0;
}

static int want_add_id(struct want *w, u32 id)
{
	size_t cap = w->cap;
	int err = util_ensure_mem((void **)&w->ids, &cap, sizeof(u32), (size_t)w->nr + 1,
				  BTF_MAX_NR_TYPES);

	if (err)
		return err;
	w->cap = (u32)cap;
	w->ids[w->nr++] = id;
	return 0;
}

/* Register (or find) the want of local root @local_id; NULL for anonymous roots. */
static int want_get(struct core_cand_index *idx, const struct btf *local, u32 local_id,
		    struct want **out)
{
	const struct btf_type *lt = btf_type_by_id(local, local_id);
	const char *name;
	struct want *w;
	u32 len, h, id;
	u8 kc;
	int err;

	*out = NULL;
	if (!lt)
		return -EINVAL;
	name = btf_str(local, lt->name_off);
	if (!name || !name[0])
		return 0;
	kc = kind_class(lt);
	len = (u32)core_essential_name_len(name);
	h = name_hash(name, len, kc);
	w = want_find(idx, kc, name, len, h);
	if (w) {
		*out = w;
		return 0;
	}
	if (idx->nr_wants == CAND_MAX_WANTS)
		return -E2BIG;
	if ((idx->nr_wants + 1) * 2 > idx->nr_slots) {
		err = slots_grow(idx);
		if (err)
			return err;
	}
	err = util_ensure_mem((void **)&idx->wants, &idx->wants_cap, sizeof(*idx->wants),
			      idx->nr_wants + 1, CAND_MAX_WANTS);
	if (err)
		return err;
	w = &idx->wants[idx->nr_wants];
	memset(w, 0, sizeof(*w));
	w->name = name;
	w->len = len;
	w->hash = h;
	w->kclass = kc;
	{
		size_t j;

		for (j = h & (idx->nr_slots - 1); idx->slots[j]; j = (j + 1) & (idx->nr_slots - 1))
			;
		idx->slots[j] = (u32)++idx->nr_wants;
	}
	idx->kind_mask |= 1u << kc;
	if (idx->built) {
		/* registered late: scan for this key alone */
		for (id = 1; id < idx->targ->nr_types; id++) {
			if (target_type_matches(idx->targ, id, w)) {
				err = want_add_id(w, id);
				if (err)
					return err;
			}
		}
	}
	*out = w;
	return 0;
}

int core_cand_index_want(struct core_cand_index *idx, const struct btf *local, u32 local_id)
{
	struct want *w;

	return want_get(idx, local, local_id, &w);
}

int core_cand_index_build(struct core_cand_index *idx)
{
	const struct btf *targ = idx->targ;
	u32 id;
	int err;

	if (idx->built)
		return 0;
	idx->built = true;
	if (!idx->nr_wants)
		return 0;
	for (id = 1; id < targ->nr_types; id++) {
		const struct btf_type *t = btf_type_by_id(targ, id);
		const char *tname;
		struct want *w;
		u32 len;
		u8 kc = kind_class(t);

		if (!(idx->kind_mask & (1u << kc)) || !t->name_off)
			continue;
		tname = targ->strs + t->name_off;
		if (!tname[0])
			continue;
		len = (u32)core_essential_name_len(tname);
		w = want_find(idx, kc, tname, len, name_hash(tname, len, kc));
		if (!w)
			continue;
		err = want_add_id(w, id);
		if (err)
			return err;
	}
	return 0;
}

int core_find_cands(struct core_cand_index *idx, const struct btf *local, u32 local_id,
		    struct core_cands *cands)
{
	struct want *w;
	int err;

	cands->ids = NULL;
	cands->len = 0;
	err = want_get(idx, local, local_id, &w);
	if (err)
		return err;
	if (!idx->built) {
		err = core_cand_index_build(idx);
		if (err)
			return err;
	}
	cands->ids = xmalloc(((size_t)(w ? w->nr : 0) + 1) * sizeof(u32));
	if (!cands->ids)
		return -ENOMEM;
	if (w && w->nr)
		memcpy(cands->ids, w->ids, (size_t)w->nr * sizeof(u32));
	cands->len = w ? w->nr : 0;
	return 0;
}
