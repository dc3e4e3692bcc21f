// SPDX-License-Identifier: MIT
/*
 * minimize.c - what `bpftool gen min_core_btf` keeps (SEMANTICS.md §5):
 * record every CO-RE relocation's target spec as marks on the target types
 * and members, then emit a new BTF holding only the marked types.
 *
 * Marks live in side tables instead of a second parse of the target:
 *   flags[id]  MARKED plus "already expanded" bits, so every type is
 *              expanded at most once per mode (this bounds the work and
 *              breaks cycles, which bpftool's recursion does not),
 *   mbits      one bit per struct/union member, indexed by the member's
 *              u32 word position in the type section.
 * Expansion uses an explicit stack, never recursion.
 *
 * Deliberate differences from bpftool 7.1 (README "Differences"):
 *   - the spec of every matching candidate is marked, not only the first
 *     (unless first_match_only), so the reduced BTF resolves like the full
 *     one on kernels with duplicate types (§3.5, §6.2-1);
 *   - FWD and TYPE_TAG are handled in marking (§6.2-2/3);
 *   - legacy kflag=0 bitfields are emitted in their legacy encoding (§6.2-4).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"

enum {
	F_MARKED = 1 << 0,	/* emit this type */
	F_EXP_NOPTR = 1 << 1,	/* mark_type(id, follow_ptrs = false) done */
	F_EXP_PTR = 1 << 2,	/* mark_type(id, follow_ptrs = true) done */
	F_MATCH_PTR = 1 << 3,	/* mark_match(id, behind_ptr = true) done */
	F_MATCH_FULL = 1 << 4,	/* mark_match(id, behind_ptr = false) done */
};

struct work {
	u32 id;
	bool flag;	/* follow_ptrs for mark_type, behind_ptr for mark_match */
};

struct core_min {
	const struct btf *targ;
	struct core_min_opts opts;
	struct core_cand_index *idx;
	u8 *flags;
	u8 *mbits;
	struct work *stack;
	size_t stack_cap;
	struct core_obj **objs;
	size_t nr_objs, objs_cap;
	bool borrowed;			/* objs belong to the caller (core_min_use_objs) */
	int (*hook)(const struct core_relo_result *r, void *ctx);
	void *hook_ctx;
	struct core_min_stats stats;
	u32 cur_first_id;			/* first matching candidate of its relocation */
};

void core_min_free(struct core_min *m)
{
	size_t i;

	if (!m)
		return;
	if (!m->borrowed) {
		for (i = 0; i < m->nr_objs; i++)
			core_obj_free(m->objs[i]);
		xfree(m->objs);
	}
	core_cand_index_free(m->idx);
	xfree(m->flags);
	xfree(m->mbits);
	xfree(m->stack);
	xfree(m);
}

int core_min_new(const struct btf *targ, const struct core_min_opts *opts, struct core_min **out)
{
	struct core_min *m;
	int err;

	*out = NULL;
	m = xcalloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->targ = targ;
	if (opts)
		m->opts = *opts;
	m->flags = xcalloc(targ->nr_types, 1);
	m->mbits = xcalloc((size_t)targ->types_len / 32 + 1, 1);
	if (!m->flags || !m->mbits) {
		core_min_free(m);
		return -ENOMEM;
	}
	err = core_cand_index_new(targ, &m->idx);
	if (err) {
		core_min_free(m);
		return err;
	}
	*out = m;
	return 0;
}

static size_t member_bit(const struct core_min *m, u32 id, u32 idx)
{
	return ((size_t)m->targ->type_offs[id] + sizeof(struct btf_type) +
		(size_t)idx * sizeof(struct btf_member)) / 4;
}

static void mark_member(struct core_min *m, u32 id, u32 idx)
{
	size_t bit = member_bit(m, id, idx);

	m->mbits[bit / 8] |= (u8)(1u << (bit % 8));
}

static bool member_marked(const struct core_min *m, u32 id, u32 idx)
{
	size_t bit = member_bit(m, id, idx);

	return m->mbits[bit / 8] & (1u << (bit % 8));
}

static int push(struct core_min *m, size_t *sp, u32 id, bool flag)
{
	int err;

	if (id == 0)
		return 0;
	/* each (id, mode) is expanded once, so the stack is bounded by 2 * nr_types */
	err = util_ensure_mem((void **)&m->stack, &m->stack_cap, sizeof(*m->stack), *sp + 1,
			      (size_t)m->targ->nr_types * 4 + 16);
	if (err)
		return err;
	m->stack[*sp].id = id;
	m->stack[*sp].flag = flag;
	(*sp)++;
	return 0;
}

static int unsupported(const struct core_min *m, u32 id)
{
	pr_warn("%s: type [%u]: %s reached while marking a relocation's types (malformed BTF?)",
		m->targ->name, id, btf_kind_str(btf_kind(btf_type_by_id(m->targ, id))));
	return -EINVAL;
}

/* bpftool btfgen_mark_type(), iterative, FWD/TYPE_TAG aware. */
static int mark_type(struct core_min *m, u32 root, bool follow)
{
	size_t sp = 0;
	int err = push(m, &sp, root, follow);

	while (!err && sp) {
		struct work w = m->stack[--sp];
		const struct btf_type *t = btf_type_by_id(m->targ, w.id);
		u8 *f = &m->flags[w.id];
		u32 i;

		if ((*f & F_EXP_PTR) || (!w.flag && (*f & F_EXP_NOPTR)))
			continue;
		*f |= F_MARKED | (w.flag ? F_EXP_PTR | F_EXP_NOPTR : F_EXP_NOPTR);
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FWD:
			break;
		case BTF_KIND_PTR:
			if (w.flag)
				err = push(m, &sp, t->type, true);
			break;
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_TYPE_TAG:
			err = push(m, &sp, t->type, w.flag);
			break;
		case BTF_KIND_ARRAY:
			err = push(m, &sp, btf_array(t)->index_type, w.flag);
			if (!err)
				err = push(m, &sp, btf_array(t)->type, w.flag);
			break;
		case BTF_KIND_FUNC_PROTO:
			err = push(m, &sp, t->type, w.flag);
			for (i = 0; !err && i < btf_vlen(t); i++)
				err = push(m, &sp, btf_params(t)[i].type, w.flag);
			break;
		default:
			return unsupported(m, w.id);
		}
	}
	return err;
}

/* bpftool btfgen_mark_type_match() (TYPE_MATCHES closure), iterative. */
static int mark_match(struct core_min *m, u32 root)
{
	size_t sp = 0;
	int err = push(m, &sp, root, false);

	while (!err && sp) {
		struct work w = m->stack[--sp];
		const struct btf_type *t = btf_type_by_id(m->targ, w.id);
		u8 *f = &m->flags[w.id];
		u32 i;

		if ((*f & F_MATCH_FULL) || (w.flag && (*f & F_MATCH_PTR)))
			continue;
		*f |= F_MARKED | (w.flag ? F_MATCH_PTR : F_MATCH_FULL | F_MATCH_PTR);
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (w.flag)
				break;
			for (i = 0; !err && i < btf_vlen(t); i++) {
				mark_member(m, w.id, i);
				err = push(m, &sp, btf_members(t)[i].type, false);
			}
			break;
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_FWD:
		case BTF_KIND_TYPE_TAG:
			err = push(m, &sp, t->type, w.flag);
			break;
		case BTF_KIND_PTR:
			err = push(m, &sp, t->type, true);
			break;
		case BTF_KIND_ARRAY:
			err = push(m, &sp, btf_array(t)->index_type, false);
			if (!err)
				err = push(m, &sp, btf_array(t)->type, false);
			break;
		case BTF_KIND_FUNC_PROTO:
			err = push(m, &sp, t->type, false);
			for (i = 0; !err && i < btf_vlen(t); i++)
				err = push(m, &sp, btf_params(t)[i].type, false);
			break;
		default:
			return unsupported(m, w.id);
		}
	}
	return err;
}

/* bpftool btfgen_record_field_relo(): the root, then the raw path. */
static int record_field(struct core_min *m, const struct core_spec *ts)
{
	const struct btf *targ = m->targ;
	u32 id = ts->root_type_id;
	const struct btf_type *t = btf_type_by_id(targ, id);
	int i, err;

	err = mark_type(m, id, false);
	if (err)
		return err;
	for (i = 1; i < ts->raw_len; i++) {
		t = btf_skip_mods_and_typedefs(targ, id, &id);
		if (!t)
			return unsupported(m, id);
		if (btf_is_composite(t)) {
			u32 k = ts->raw_spec[i];

			if (k >= btf_vlen(t))
				return unsupported(m, id);
			mark_member(m, id, k);
			id = btf_members(t)[k].type;
			err = mark_type(m, id, false);
			if (err)
				return err;
		} else if (btf_kind(t) == BTF_KIND_ARRAY) {
			id = btf_array(t)->type;
		} else {
			return unsupported(m, id);
		}
	}
	return 0;
}

static int record_spec(const struct core_relo_ctx *rc, const struct core_spec *ts,
		       u32 match_idx, void *ctx)
{
	struct core_min *m = ctx;

	if (match_idx == 0) {
		m->cur_first_id = ts->root_type_id;
	} else {
		if (match_idx == 1)
			m->stats.nr_multi_match++;
		pr_info("%s: relo #%d (section '%s', %s): target candidates [%u] and [%u] both match%s",
			rc->obj_name, rc->relo_idx, rc->sec_name, core_relo_kind_str(ts->relo_kind),
			m->cur_first_id, ts->root_type_id,
			m->opts.first_match_only ? "; marking only the first, as bpftool" :
			"; marking both");
		if (m->opts.first_match_only)
			return 0;
	}
	switch (ts->relo_kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
	case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		return record_field(m, ts);
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_SIZE:
		return mark_type(m, ts->root_type_id, true);
	case BPF_CORE_TYPE_MATCHES:
		return mark_match(m, ts->root_type_id);
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		return mark_type(m, ts->root_type_id, false);
	default:
		return 0;	/* TYPE_ID_LOCAL needs no target types */
	}
}

static int count_result(const struct core_relo_result *r, void *ctx)
{
	struct core_min *m = ctx;

	m->stats.nr_relos++;
	if (r->err)
		return r->err;	/* the first error stops the run */
	return m->hook ? m->hook(r, m->hook_ctx) : 0;
}

static int record_obj(struct core_min *m, const struct core_obj *obj)
{
	struct core_resolve_ops ops = {
		.on_match = record_spec,
		.on_result = count_result,
		.ctx = m,
	};

	return core_resolve_obj(m->idx, m->targ, obj, &ops);
}

static int want_obj(struct core_min *m, const struct core_obj *obj)
{
	u32 i;
	int err;

	for (i = 0; i < obj->nr_relos; i++) {
		if (obj->relos[i].relo.kind == BPF_CORE_TYPE_ID_LOCAL)
			continue;
		err = core_cand_index_want(m->idx, obj->btf, obj->relos[i].relo.type_id);
		if (err)
			return err;
	}
	return 0;
}

int core_min_use_objs(struct core_min *m, struct core_obj *const *objs, size_t nr)
{
	size_t i;
	int err;

	if (m->nr_objs)
		return -EINVAL;
	m->borrowed = true;
	m->objs = (struct core_obj **)(uintptr_t)objs;
	m->nr_objs = nr;
	for (i = 0; i < nr; i++) {
		err = want_obj(m, objs[i]);
		if (err)
			return err;
	}
	return 0;
}

void core_min_set_result_hook(struct core_min *m,
			      int (*fn)(const struct core_relo_result *r, void *ctx), void *ctx)
{
	m->hook = fn;
	m->hook_ctx = ctx;
}

int core_min_add_obj(struct core_min *m, struct core_obj *obj)
{
	int err;

	if (m->borrowed) {
		core_obj_free(obj);
		return -EINVAL;
	}
	err = util_ensure_mem((void **)&m->objs, &m->objs_cap, sizeof(*m->objs), m->nr_objs + 1,
			      SIZE_MAX / sizeof(*m->objs));
	if (err) {
		core_obj_free(obj);
		return err;
	}
	m->objs[m->nr_objs++] = obj;
	return want_obj(m, obj);
}

int core_min_run(struct core_min *m)
{
	size_t i;
	int err;

	err = core_cand_index_build(m->idx);
	if (err) {
		pr_warn("%s: out of memory in candidate search", m->targ->name);
		return err;
	}
	for (i = 0; i < m->nr_objs; i++) {
		err = record_obj(m, m->objs[i]);
		if (err)
			return err;
	}
	return 0;
}

const struct core_min_stats *core_min_get_stats(const struct core_min *m)
{
	return &m->stats;
}

struct core_obj *const *core_min_objs(const struct core_min *m, size_t *nr)
{
	*nr = m->nr_objs;
	return m->objs;
}

struct core_cand_index *core_min_cand_index(struct core_min *m)
{
	return m->idx;
}

static int remap_id(u32 *field, void *ctx)
{
	const u32 *map = ctx;

	*field = map[*field];
	return 0;
}

static int emit_composite(struct core_min *m, struct btf_writer *w, u32 id,
			  const struct btf_type *t)
{
	const struct btf *targ = m->targ;
	const struct btf_member *mem = btf_members(t);
	u32 i;
	int new_id, err;

	new_id = btf_writer_add_composite(w, btf_kind(t), targ->strs + t->name_off, t->size);
	if (new_id < 0)
		return new_id;
	for (i = 0; i < btf_vlen(t); i++) {
		u32 off = btf_member_bit_offset(t, i), bsz = btf_member_bitfield_size(t, i);

		if (!member_marked(m, id, i))
			continue;
		if (!btf_kflag(t) && off % 8) {
			/* legacy bitfield: keep the kflag=0 encoding as is (§6.2-4) */
			err = btf_writer_add_member_legacy(w, targ->strs + mem[i].name_off,
							   mem[i].type, off);
		} else {
			err = btf_writer_add_member(w, targ->strs + mem[i].name_off, mem[i].type,
						    off, bsz);
		}
		if (err == -ENOMEM)
			return err;	/* reported once by core_min_emit() */
		if (err) {
			pr_warn("%s: type [%u] %s '%s': member #%u (offset %u, bitfield size %u) can't be emitted",
				targ->name, id, btf_kind_str(btf_kind(t)), targ->strs + t->name_off,
				i, off, bsz);
			return err;
		}
	}
	return new_id;
}

int core_min_emit(struct core_min *m, void **out, size_t *out_size)
{
	const struct btf *targ = m->targ;
	struct btf_writer *w;
	u32 *map, id;
	int err = 0, new_id;

	map = xcalloc(targ->nr_types, sizeof(u32));
	w = btf_writer_new();
	if (!map || !w) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id < targ->nr_types; id++) {
		const struct btf_type *t;

		if (!(m->flags[id] & F_MARKED))
			continue;
		t = btf_type_by_id(targ, id);
		if (btf_is_composite(t))
			new_id = emit_composite(m, w, id, t);
		else
			new_id = btf_writer_add_type(w, targ, t);
		if (new_id < 0) {
			err = new_id;
			goto out;
		}
		map[id] = (u32)new_id;
	}
	for (id = 1; id < btf_writer_nr_types(w); id++)
		btf_visit_type_ids(btf_writer_type(w, id), remap_id, map);
	m->stats.nr_out_types = btf_writer_nr_types(w) - 1;
	err = btf_writer_finish(w, false, out, out_size);
out:
	if (err == -ENOMEM)
		pr_warn("%s: out of memory while emitting the reduced BTF", targ->name);
	else if (err && err != -EINVAL)
		pr_warn("%s: emitting the reduced BTF failed (error %d)", targ->name, err);
	btf_writer_free(w);
	xfree(map);
	return err;
}
