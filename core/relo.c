// SPDX-License-Identifier: MIT
/*
 * relo.c - CO-RE relocation resolution with libbpf's exact semantics
 * (SEMANTICS.md §3-4): essential names, local spec parsing, candidate
 * matching for field / type / enumval relocations, TYPE_MATCHES, computed
 * values, pruning and ambiguity checks.
 *
 * Every loop over input is bounded: modifier chains by BTF_MAX_RESOLVE_DEPTH
 * (inside btf_skip_mods_and_typedefs), specs by CORE_SPEC_MAX_LEN, and the
 * compatibility recursions by CORE_MAX_LEVEL like libbpf's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

#define WHY_SZ		160	/* reason text of a failed relocation step */
#define WHY_OUT_SZ	(WHY_SZ + 32)	/* ... prefixed with its side */
#define CORE_MAX_LEVEL	32	/* libbpf: recursion level / loop depth of the type matchers */
/*
 * Work bound for matching one candidate. libbpf has none: TYPE_MATCHES
 * compares members pairwise at up to 32 levels and anonymous-member search
 * can revisit a shared anonymous type, both exponential on crafted BTF. A step
 * is one member or enumerator pair compared; real matches take thousands.
 */
#define CORE_MAX_MATCH_STEPS	(1u << 22)

static const char *const relo_kind_names[] = {
	[BPF_CORE_FIELD_BYTE_OFFSET] = "byte_off",
	[BPF_CORE_FIELD_BYTE_SIZE] = "byte_sz",
	[BPF_CORE_FIELD_EXISTS] = "field_exists",
	[BPF_CORE_FIELD_SIGNED] = "signed",
	[BPF_CORE_FIELD_LSHIFT_U64] = "lshift_u64",
	[BPF_CORE_FIELD_RSHIFT_U64] = "rshift_u64",
	[BPF_CORE_TYPE_ID_LOCAL] = "local_type_id",
	[BPF_CORE_TYPE_ID_TARGET] = "target_type_id",
	[BPF_CORE_TYPE_EXISTS] = "type_exists",
	[BPF_CORE_TYPE_SIZE] = "type_size",
	[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists",
	[BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
	[BPF_CORE_TYPE_MATCHES] = "type_matches",
};

const char *core_relo_kind_str(u32 kind)
{
	return kind <= BPF_CORE_RELO_KIND_MAX ? relo_kind_names[kind] : "unknown";
}

bool core_relo_is_field(u32 kind)
{
	return kind <= BPF_CORE_FIELD_RSHIFT_U64;
}

bool core_relo_is_type(u32 kind)
{
	return kind == BPF_CORE_TYPE_ID_LOCAL || kind == BPF_CORE_TYPE_ID_TARGET ||
	       kind == BPF_CORE_TYPE_EXISTS || kind == BPF_CORE_TYPE_SIZE ||
	       kind == BPF_CORE_TYPE_MATCHES;
}

bool core_relo_is_enumval(u32 kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

size_t core_essential_name_len(const char *name)
{
	size_t n = strlen(name);
	int i;

	if (n < 5)
		return n;
	for (i = (int)n - 5; i >= 0; i--) {
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return (size_t)i + 1;
	}
	return n;
}

static bool kind_core_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

static const char *name_of(const struct btf *btf, u32 off)
{
	const char *s = btf_str(btf, off);

	return s ? s : "";
}

/* Does @a (essential) equal @b (essential)? */
static bool ess_names_eq(const char *a, const char *b)
{
	size_t la = core_essential_name_len(a), lb = core_essential_name_len(b);

	return la == lb && strncmp(a, b, la) == 0;
}

/* ---- type compatibility (TYPE_ID_TARGET / EXISTS / SIZE) --------------- */

static int types_are_compat(const struct btf *lb, u32 lid, const struct btf *tb, u32 tid,
			    int level)
{
	const struct btf_type *lt, *tt;
	int depth = CORE_MAX_LEVEL;

	lt = btf_type_by_id(lb, lid);
	tt = btf_type_by_id(tb, tid);
	if (!lt || !tt)
		return -EINVAL;
	if (!kind_core_compat(lt, tt))
		return 0;
recur:
	if (--depth < 0)
		return -EINVAL;
	lt = btf_skip_mods_and_typedefs(lb, lid, &lid);
	tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
	if (!lt || !tt)
		return -EINVAL;
	if (!kind_core_compat(lt, tt))
		return 0;
	switch (btf_kind(lt)) {
	case BTF_KIND_UNKN:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_FWD:
	case BTF_KIND_ENUM64:
		return 1;
	case BTF_KIND_INT:
		return BTF_INT_OFFSET(btf_int_encoding_word(lt)) == 0 &&
		       BTF_INT_OFFSET(btf_int_encoding_word(tt)) == 0;
	case BTF_KIND_PTR:
		lid = lt->type;
		tid = tt->type;
		goto recur;
	case BTF_KIND_ARRAY:
		lid = btf_array(lt)->type;
		tid = btf_array(tt)->type;
		goto recur;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *lp = btf_params(lt), *tp = btf_params(tt);
		u32 i, vlen = btf_vlen(lt);
		int err;

		if (vlen != btf_vlen(tt))
			return 0;
		for (i = 0; i < vlen; i++) {
			u32 a, b;

			if (level <= 0)
				return -EINVAL;
			if (!btf_skip_mods_and_typedefs(lb, lp[i].type, &a) ||
			    !btf_skip_mods_and_typedefs(tb, tp[i].type, &b))
				return -EINVAL;
			err = types_are_compat(lb, a, tb, b, level - 1);
			if (err <= 0)
				return err;
		}
		if (!btf_skip_mods_and_typedefs(lb, lt->type, &lid) ||
		    !btf_skip_mods_and_typedefs(tb, tt->type, &tid))
			return -EINVAL;
		goto recur;
	}
	default:
		pr_debug("unexpected kind %s relocated, local [%u], target [%u]",
			 btf_kind_str(btf_kind(lt)), lid, tid);
		return 0;
	}
}

/* ---- TYPE_MATCHES ----------------------------------------------------- */

static bool names_match(const struct btf *lb, u32 loff, const struct btf *tb, u32 toff)
{
	const char *ln = name_of(lb, loff), *tn = name_of(tb, toff);

	if (!tn[0])
		return !ln[0];
	return ess_names_eq(ln, tn);
}

static int types_match(const struct btf *lb, u32 lid, const struct btf *tb, u32 tid,
		       bool behind_ptr, int level, u64 *steps);

static int enums_match(const struct btf *lb, const struct btf_type *lt, const struct btf *tb,
		       const struct btf_type *tt, u64 *steps)
{
	u32 i, j, lvlen = btf_vlen(lt), tvlen = btf_vlen(tt);

	if (lt->size != tt->size || lvlen > tvlen)
		return 0;
	for (i = 0; i < lvlen; i++) {
		bool matched = false;

		for (j = 0; j < tvlen && !matched; j++) {
			if (++*steps > CORE_MAX_MATCH_STEPS)
				return -E2BIG;
			matched = names_match(lb, btf_enum_name_off(lt, i), tb,
					      btf_enum_name_off(tt, j));
		}
		if (!matched)
			return 0;
	}
	return 1;
}

static int composites_match(const struct btf *lb, const struct btf_type *lt, const struct btf *tb,
			    const struct btf_type *tt, bool behind_ptr, int level, u64 *steps)
{
	const struct btf_member *lm = btf_members(lt);
	u32 i, j, lvlen = btf_vlen(lt), tvlen = btf_vlen(tt);
	int err;

	if (lvlen > tvlen)
		return 0;
	for (i = 0; i < lvlen; i++) {
		const struct btf_member *tm = btf_members(tt);
		bool matched = false;

		for (j = 0; j < tvlen; j++) {
			if (++*steps > CORE_MAX_MATCH_STEPS)
				return -E2BIG;
			if (!names_match(lb, lm[i].name_off, tb, tm[j].name_off))
				continue;
			err = types_match(lb, lm[i].type, tb, tm[j].type, behind_ptr, level - 1,
					  steps);
			if (err < 0)
				return err;
			if (err > 0) {
				matched = true;
				break;
			}
		}
		if (!matched)
			return 0;
	}
	return 1;
}

static int types_match(const struct btf *lb, u32 lid, const struct btf *tb, u32 tid,
		       bool behind_ptr, int level, u64 *steps)
{
	const struct btf_type *lt, *tt;
	int depth = CORE_MAX_LEVEL;
	unsigned lk, tk;

	if (level <= 0)
		return -EINVAL;
recur:
	if (--depth < 0)
		return -EINVAL;
	lt = btf_skip_mods_and_typedefs(lb, lid, &lid);
	tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
	if (!lt || !tt)
		return -EINVAL;
	if (!names_match(lb, lt->name_off, tb, tt->name_off))
		return 0;
	lk = btf_kind(lt);
	tk = btf_kind(tt);
	switch (lk) {
	case BTF_KIND_UNKN:
		return lk == tk;
	case BTF_KIND_FWD: {
		bool lf = btf_kflag(lt);

		if (behind_ptr) {
			if (lk == tk)
				return lf == btf_kflag(tt);
			return (tk == BTF_KIND_STRUCT && !lf) || (tk == BTF_KIND_UNION && lf);
		}
		if (lk != tk)
			return 0;
		return lf == btf_kflag(tt);
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!btf_is_any_enum(tt))
			return 0;
		return enums_match(lb, lt, tb, tt, steps);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (behind_ptr) {
			if (lk == tk)
				return 1;
			if (tk != BTF_KIND_FWD)
				return 0;
			return (lk == BTF_KIND_UNION) == btf_kflag(tt);
		}
		if (lk != tk)
			return 0;
		return composites_match(lb, lt, tb, tt, behind_ptr, level, steps);
	case BTF_KIND_INT:
		if (lk != tk)
			return 0;
		return lt->size == tt->size &&
		       (BTF_INT_ENCODING(btf_int_encoding_word(lt)) & BTF_INT_SIGNED) ==
			       (BTF_INT_ENCODING(btf_int_encoding_word(tt)) & BTF_INT_SIGNED);
	case BTF_KIND_PTR:
		if (lk != tk)
			return 0;
		behind_ptr = true;
		lid = lt->type;
		tid = tt->type;
		goto recur;
	case BTF_KIND_ARRAY:
		if (lk != tk || btf_array(lt)->nelems != btf_array(tt)->nelems)
			return 0;
		lid = btf_array(lt)->type;
		tid = btf_array(tt)->type;
		goto recur;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *lp = btf_params(lt), *tp = btf_params(tt);
		u32 i, vlen = btf_vlen(lt);
		int err;

		if (lk != tk || vlen != btf_vlen(tt))
			return 0;
		for (i = 0; i < vlen; i++) {
			err = types_match(lb, lp[i].type, tb, tp[i].type, behind_ptr, level - 1,
					  steps);
			if (err <= 0)
				return err;
		}
		lid = lt->type;
		tid = tt->type;
		goto recur;
	}
	default:
		pr_debug("unexpected kind %s relocated, local [%u], target [%u]",
			 btf_kind_str(lk), lid, tid);
		return 0;
	}
}

/* ---- field relocations ------------------------------------------------ */

static bool is_flex_arr(const struct btf *btf, const struct core_accessor *acc,
			const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!acc->name || arr->nelems > 0)
		return false;
	t = btf_type_by_id(btf, acc->type_id);
	return acc->idx == btf_vlen(t) - 1;
}

static int fields_are_compat(const struct btf *lb, u32 lid, const struct btf *tb, u32 tid)
{
	const struct btf_type *lt, *tt;
	int depth;

	for (depth = 0; depth < CORE_MAX_LEVEL; depth++) {
		lt = btf_skip_mods_and_typedefs(lb, lid, &lid);
		tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (btf_is_composite(lt) && btf_is_composite(tt))
			return 1;
		if (!kind_core_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM64:
		case BTF_KIND_ENUM: {
			const char *ln = name_of(lb, lt->name_off), *tn = name_of(tb, tt->name_off);
			size_t ll = core_essential_name_len(ln), tl = core_essential_name_len(tn);

			return ll == 0 || tl == 0 || (ll == tl && strncmp(ln, tn, ll) == 0);
		}
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(btf_int_encoding_word(lt)) == 0 &&
			       BTF_INT_OFFSET(btf_int_encoding_word(tt)) == 0;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		default:
			return 0;
		}
	}
	/* libbpf has no bound here; array-of-array chains in valid BTF are short */
	return -E2BIG;
}

/*
 * Find the local named member of @lacc in target composite @tid, descending
 * into anonymous members (depth bounded by CORE_SPEC_MAX_LEN via raw_len).
 */
static int match_member(const struct btf *lb, const struct core_accessor *lacc,
			const struct btf *tb, u32 tid, struct core_spec *spec, u32 *next_tid,
			u64 *steps)
{
	const struct btf_type *lt, *tt;
	const struct btf_member *lm, *m;
	const char *lname;
	u32 i, n;
	int found;

	tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
	if (!tt)
		return -EINVAL;
	if (!btf_is_composite(tt))
		return 0;
	lt = btf_type_by_id(lb, lacc->type_id);
	lm = btf_members(lt) + lacc->idx;
	lname = name_of(lb, lm->name_off);

	n = btf_vlen(tt);
	m = btf_members(tt);
	for (i = 0; i < n; i++, m++) {
		u32 bit_offset = btf_member_bit_offset(tt, i);
		const char *tname;

		if (spec->raw_len == CORE_SPEC_MAX_LEN || ++*steps > CORE_MAX_MATCH_STEPS)
			return -E2BIG;
		spec->bit_offset += bit_offset;
		spec->raw_spec[spec->raw_len++] = i;

		tname = name_of(tb, m->name_off);
		if (!tname[0]) {
			found = match_member(lb, lacc, tb, m->type, spec, next_tid, steps);
			if (found)
				return found;
		} else if (strcmp(lname, tname) == 0) {
			struct core_accessor *tacc;

			if (spec->len == CORE_SPEC_MAX_LEN)
				return -E2BIG;
			tacc = &spec->spec[spec->len++];
			tacc->type_id = tid;
			tacc->idx = i;
			tacc->name = tname;
			*next_tid = m->type;
			found = fields_are_compat(lb, lm->type, tb, m->type);
			if (!found) {
				spec->len--;
				spec->fail = CORE_FAIL_FIELD_INCOMPAT;
				spec->fail_type_id = tid;
			}
			return found;
		}
		spec->bit_offset -= bit_offset;
		spec->raw_len--;
	}
	return 0;
}

/*
 * Parse the access string "0:1:2" into @raw; returns count or -errno with
 * the reason in @why (WHY_SZ bytes).
 */
static int parse_access_str(const char *s, u32 *raw, char *why)
{
	const char *start = s;
	int n = 0;

	if (!s[0] || s[0] == ':')
		goto malformed;
	while (*s) {
		u64 v = 0;
		int digits = 0;

		if (*s == ':')
			s++;
		/* libbpf uses sscanf("%d"): be strict, digits only, fits in int */
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (u64)(*s - '0');
			if (v > 0x7fffffff) {
				snprintf(why, WHY_SZ, "entry %d is over 2147483647", n);
				return -EINVAL;
			}
			s++;
			digits++;
		}
		if (!digits || (*s && *s != ':'))
			goto malformed;
		if (n == CORE_SPEC_MAX_LEN) {
			snprintf(why, WHY_SZ, "more than %d entries (libbpf's BPF_CORE_SPEC_MAX_LEN)",
				 CORE_SPEC_MAX_LEN);
			return -E2BIG;
		}
		raw[n++] = (u32)v;
	}
	return n;
malformed:
	snprintf(why, WHY_SZ, "malformed at character %d (want numbers separated by ':')",
		 (int)(s - start));
	return -EINVAL;
}

static int parse_spec(const struct btf *btf, const struct bpf_core_relo *relo,
		      struct core_spec *spec, char *why)
{
	const char *spec_str = btf_str(btf, relo->access_str_off);
	struct core_accessor *acc;
	const struct btf_type *t;
	u32 id, access_idx;
	s64 sz;
	int i, n;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_type_id = relo->type_id;
	spec->relo_kind = relo->kind;
	if (!spec_str || !spec_str[0] || spec_str[0] == ':') {
		snprintf(why, WHY_SZ, "empty or starting with ':'");
		return -EINVAL;
	}
	if (core_relo_is_type(relo->kind)) {
		if (!strcmp(spec_str, "0"))
			return 0;
		snprintf(why, WHY_SZ, "a type relocation's access string must be \"0\"");
		return -EINVAL;
	}

	n = parse_access_str(spec_str, spec->raw_spec, why);
	if (n < 0)
		return n;
	spec->raw_len = n;

	t = btf_skip_mods_and_typedefs(btf, relo->type_id, &id);
	if (!t)
		return -EINVAL;
	access_idx = spec->raw_spec[0];
	acc = &spec->spec[0];
	acc->type_id = id;
	acc->idx = access_idx;
	spec->len++;

	if (core_relo_is_enumval(relo->kind)) {
		if (!btf_is_any_enum(t) || spec->raw_len > 1 || access_idx >= btf_vlen(t))
			return -EINVAL;
		acc->name = name_of(btf, btf_enum_name_off(t, access_idx));
		return 0;
	}
	if (!core_relo_is_field(relo->kind))
		return -EINVAL;

	sz = btf_resolve_size(btf, id);
	if (sz < 0)
		return (int)sz;
	spec->bit_offset = (u32)((u64)access_idx * (u64)sz * 8);

	for (i = 1; i < spec->raw_len; i++) {
		t = btf_skip_mods_and_typedefs(btf, id, &id);
		if (!t)
			return -EINVAL;
		access_idx = spec->raw_spec[i];
		acc = &spec->spec[spec->len];

		if (btf_is_composite(t)) {
			const struct btf_member *m;

			if (access_idx >= btf_vlen(t))
				return -EINVAL;
			spec->bit_offset += btf_member_bit_offset(t, access_idx);
			m = btf_members(t) + access_idx;
			if (m->name_off) {
				const char *name = name_of(btf, m->name_off);

				if (!name[0])
					return -EINVAL;
				acc->type_id = id;
				acc->idx = access_idx;
				acc->name = name;
				spec->len++;
			}
			id = m->type;
		} else if (btf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = btf_array(t);
			bool flex;

			t = btf_skip_mods_and_typedefs(btf, a->type, &id);
			if (!t)
				return -EINVAL;
			flex = is_flex_arr(btf, acc - 1, a);
			if (!flex && access_idx >= a->nelems)
				return -EINVAL;
			spec->spec[spec->len].type_id = id;
			spec->spec[spec->len].idx = access_idx;
			spec->spec[spec->len].name = NULL;
			spec->len++;
			sz = btf_resolve_size(btf, id);
			if (sz < 0)
				return (int)sz;
			spec->bit_offset += (u32)((u64)access_idx * (u64)sz * 8);
		} else {
			snprintf(why, WHY_SZ, "access index %d reaches [%u] %s, not a struct, union or array",
				 i, id, btf_kind_str(btf_kind(t)));
			return -EINVAL;
		}
	}
	return 0;
}

static int spec_match(const struct core_spec *ls, const struct btf *tb, u32 tid,
		      struct core_spec *ts)
{
	u64 steps = 0;
	const struct core_accessor *lacc;
	struct core_accessor *tacc;
	const struct btf_type *tt;
	int i, matched;

	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_type_id = tid;
	ts->relo_kind = ls->relo_kind;

	if (core_relo_is_type(ls->relo_kind)) {
		if (ls->relo_kind == BPF_CORE_TYPE_MATCHES)
			matched = types_match(ls->btf, ls->root_type_id, tb, tid, false,
					      CORE_MAX_LEVEL, &steps);
		else
			matched = types_are_compat(ls->btf, ls->root_type_id, tb, tid,
						   CORE_MAX_LEVEL);
		if (matched == 0)
			ts->fail = CORE_FAIL_TYPE_INCOMPAT;
		return matched;
	}

	lacc = &ls->spec[0];
	tacc = &ts->spec[0];

	if (core_relo_is_enumval(ls->relo_kind)) {
		u32 j;

		tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
		if (!tt)
			return -EINVAL;
		ts->fail_type_id = tid;
		if (!btf_is_any_enum(tt)) {
			ts->fail = CORE_FAIL_NOT_ENUM;
			return 0;
		}
		for (j = 0; j < btf_vlen(tt); j++) {
			const char *tname = name_of(tb, btf_enum_name_off(tt, j));

			if (ess_names_eq(lacc->name, tname)) {
				tacc->type_id = tid;
				tacc->idx = j;
				tacc->name = tname;
				ts->len++;
				ts->raw_spec[ts->raw_len++] = j;
				return 1;
			}
		}
		ts->fail = CORE_FAIL_ENUMVAL_MISSING;
		return 0;
	}
	if (!core_relo_is_field(ls->relo_kind))
		return -EINVAL;

	for (i = 0; i < ls->len; i++, lacc++, tacc++) {
		tt = btf_skip_mods_and_typedefs(tb, tid, &tid);
		if (!tt)
			return -EINVAL;
		ts->fail_acc = i;
		ts->fail_type_id = tid;
		if (lacc->name) {
			ts->fail = btf_is_composite(tt) ? CORE_FAIL_FIELD_MISSING :
							  CORE_FAIL_NOT_COMPOSITE;
			matched = match_member(ls->btf, lacc, tb, tid, ts, &tid, &steps);
			if (matched <= 0)
				return matched;
			ts->fail = CORE_FAIL_NONE;
			/* match_member appended exactly one accessor */
			tacc = &ts->spec[ts->len - 1];
		} else {
			s64 sz;

			if (i > 0) {
				const struct btf_array *a;
				bool flex;

				if (btf_kind(tt) != BTF_KIND_ARRAY) {
					ts->fail = CORE_FAIL_NOT_ARRAY;
					return 0;
				}
				a = btf_array(tt);
				flex = is_flex_arr(tb, tacc - 1, a);
				if (!flex && lacc->idx >= a->nelems) {
					ts->fail = CORE_FAIL_OUT_OF_BOUNDS;
					return 0;
				}
				if (!btf_skip_mods_and_typedefs(tb, a->type, &tid))
					return -EINVAL;
			}
			if (ts->raw_len == CORE_SPEC_MAX_LEN || ts->len == CORE_SPEC_MAX_LEN)
				return -E2BIG;
			tacc = &ts->spec[ts->len];
			tacc->type_id = tid;
			tacc->idx = lacc->idx;
			tacc->name = NULL;
			ts->len++;
			ts->raw_spec[ts->raw_len++] = tacc->idx;
			sz = btf_resolve_size(tb, tid);
			if (sz < 0)
				return (int)sz;
			ts->bit_offset += (u32)((u64)lacc->idx * (u64)sz * 8);
		}
	}
	return 1;
}

/* Values of a field relocation for one spec (NULL = no target). -EUCLEAN = poison. */
static int calc_field(u32 kind, const struct core_spec *spec, u64 *val, char *why)
{
	const struct core_accessor *acc;
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	u32 byte_off, byte_sz, bit_off, bit_sz, field_type_id;
	bool bitfield;
	s64 sz;

	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return -EUCLEAN;
	acc = &spec->spec[spec->len - 1];
	t = btf_type_by_id(spec->btf, acc->type_id);

	if (!acc->name) {
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			*val = spec->bit_offset / 8;
			sz = btf_resolve_size(spec->btf, acc->type_id);
		} else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
			sz = btf_resolve_size(spec->btf, acc->type_id);
			*val = (u64)sz;
		} else {
			snprintf(why, WHY_SZ, "%s can't be applied to array access",
				 core_relo_kind_str(kind));
			return -EINVAL;
		}
		if (sz < 0) {
			snprintf(why, WHY_SZ, "array element [%u] %s has no size", acc->type_id,
				 btf_kind_str(btf_kind(btf_type_by_id(spec->btf, acc->type_id))));
			return -EINVAL;
		}
		return 0;
	}

	m = btf_members(t) + acc->idx;
	mt = btf_skip_mods_and_typedefs(spec->btf, m->type, &field_type_id);
	if (!mt)
		return -EINVAL;
	bit_off = spec->bit_offset;
	bit_sz = btf_member_bitfield_size(t, acc->idx);
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (byte_sz == 0 || !(btf_kind(mt) == BTF_KIND_INT || btf_is_any_enum(mt))) {
			snprintf(why, WHY_SZ, "bitfield of non-integer type [%u] %s", field_type_id,
				 btf_kind_str(btf_kind(mt)));
			return -EINVAL;
		}
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while ((u64)bit_off + bit_sz - (u64)byte_off * 8 > (u64)byte_sz * 8) {
			if (byte_sz >= 8) {
				snprintf(why, WHY_SZ, "bitfield at bit %u, %u bits wide, can't be loaded with one 8-byte load",
					 bit_off, bit_sz);
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = btf_resolve_size(spec->btf, field_type_id);
		if (sz < 0) {
			snprintf(why, WHY_SZ, "field type [%u] %s has no size", field_type_id,
				 btf_kind_str(btf_kind(mt)));
			return -EINVAL;
		}
		byte_sz = (u32)sz;
		byte_off = spec->bit_offset / 8;
		bit_sz = byte_sz * 8;
	}

	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BPF_CORE_FIELD_SIGNED:
		*val = (btf_is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_kind(mt) == BTF_KIND_INT &&
			(BTF_INT_ENCODING(btf_int_encoding_word(mt)) & BTF_INT_SIGNED));
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
		/* what a little-endian loader host computes; u32 arithmetic as libbpf */
		*val = (u32)(64u - (bit_off + bit_sz - byte_off * 8u));
		break;
	case BPF_CORE_FIELD_RSHIFT_U64:
		*val = (u32)(64u - bit_sz);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int calc_type(u32 kind, const struct core_spec *spec, u64 *val, char *why)
{
	s64 sz;

	if (!spec) {
		*val = 0;
		return 0;
	}
	switch (kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		*val = spec->root_type_id;
		return 0;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		sz = btf_resolve_size(spec->btf, spec->root_type_id);
		if (sz < 0) {
			snprintf(why, WHY_SZ, "type_size of [%u] %s, which has no size",
				 spec->root_type_id,
				 btf_kind_str(btf_kind(btf_type_by_id(spec->btf, spec->root_type_id))));
			return -EINVAL;
		}
		*val = (u64)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int calc_enumval(u32 kind, const struct core_spec *spec, u64 *val)
{
	const struct btf_type *t;

	switch (kind) {
	case BPF_CORE_ENUMVAL_EXISTS:
		*val = spec ? 1 : 0;
		return 0;
	case BPF_CORE_ENUMVAL_VALUE:
		if (!spec)
			return -EUCLEAN;
		t = btf_type_by_id(spec->btf, spec->spec[0].type_id);
		if (btf_kind(t) == BTF_KIND_ENUM) {
			*val = (u64)(s64)btf_enums(t)[spec->spec[0].idx].val;
		} else {
			const struct btf_enum64 *e = btf_enums64(t) + spec->spec[0].idx;

			*val = (u64)e->val_hi32 << 32 | e->val_lo32;
		}
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int calc_one(u32 kind, const struct core_spec *spec, u64 *val, bool *poison, char *why)
{
	int err;

	*val = 0;
	if (core_relo_is_field(kind))
		err = calc_field(kind, spec, val, why);
	else if (core_relo_is_type(kind))
		err = calc_type(kind, spec, val, why);
	else if (core_relo_is_enumval(kind))
		err = calc_enumval(kind, spec, val);
	else
		err = -EOPNOTSUPP;
	if (err == -EUCLEAN) {
		*poison = true;
		return 0;
	}
	if (err == -EOPNOTSUPP)
		snprintf(why, WHY_SZ, "unrecognized CO-RE relocation kind %u", kind);
	return err;
}

/*
 * Local ("orig") and target ("new") values, libbpf bpf_core_calc_relo().
 * On error @why says what went wrong, and on which side.
 */
static int calc_relo(u32 kind, const struct core_spec *ls, const struct core_spec *ts,
		     struct core_relo_res *res, char *why)
{
	char side[WHY_SZ];
	bool lpoison = false;
	int err;

	memset(res, 0, sizeof(*res));
	err = calc_one(kind, ls, &res->orig_val, &lpoison, side);
	if (err) {
		snprintf(why, WHY_OUT_SZ, "local: %s", side);
		return err;
	}
	if (lpoison) {
		/* libbpf: poisoning from the local side short-circuits the target */
		res->poison = true;
		return 0;
	}
	err = calc_one(kind, ts, &res->new_val, &res->poison, side);
	if (err)
		snprintf(why, WHY_OUT_SZ, "target [%u]: %s", ts ? ts->root_type_id : 0, side);
	return err;
}

static void fmt_relo(char *buf, size_t n, const struct core_relo_ctx *rc, const struct btf *local)
{
	const struct btf_type *t = btf_type_by_id(local, rc->relo->type_id);
	const char *name = t ? name_of(local, t->name_off) : "";
	const char *acc = btf_str(local, rc->relo->access_str_off);

	snprintf(buf, n, "%s: .BTF.ext: relo #%d (section '%s', insn %u, %s, [%u] %s '%s', access '%s')",
		 rc->obj_name, rc->relo_idx, rc->sec_name, rc->relo->insn_off / 8,
		 core_relo_kind_str(rc->relo->kind), rc->relo->type_id,
		 t ? btf_kind_str(btf_kind(t)) : "?", name[0] ? name : "<anon>",
		 acc ? acc : "?");
}

int core_calc_relo(const struct core_relo_ctx *rc, const struct btf *local,
		   struct core_cands *cands, const struct btf *targ, struct core_spec *scratch,
		   struct core_relo_res *res, core_match_fn on_match, void *ctx)
{
	struct core_spec *ls = &scratch[CORE_SPEC_LOCAL], *cs = &scratch[CORE_SPEC_CAND];
	struct core_spec *ts = &scratch[CORE_SPEC_TARG], *fs = &scratch[CORE_SPEC_FAIL];
	const struct bpf_core_relo *relo = rc->relo;
	const struct btf_type *lt = btf_type_by_id(local, relo->type_id);
	struct core_relo_res cres;
	char where[512], why[WHY_OUT_SZ] = "invalid for this type";
	u32 i, j;
	int err;

	if (!lt)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	ts->root_type_id = 0;
	fs->root_type_id = 0;
	err = parse_spec(local, relo, ls, why);
	if (err) {
		fmt_relo(where, sizeof(where), rc, local);
		pr_warn("%s: bad access string: %s", where, why);
		return -EINVAL;
	}
	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		memset(res, 0, sizeof(*res));
		res->orig_val = res->new_val = ls->root_type_id;
		res->poison = false;
		return 0;
	}
	if (!name_of(local, lt->name_off)[0]) {
		fmt_relo(where, sizeof(where), rc, local);
		pr_warn("%s: relocation of an anonymous type is not supported (libbpf can't resolve it)",
			where);
		return -ENOTSUP;
	}

	for (i = 0, j = 0; i < cands->len; i++) {
		err = spec_match(ls, targ, cands->ids[i], cs);
		if (err < 0) {
			fmt_relo(where, sizeof(where), rc, local);
			pr_warn("%s: error matching candidate #%u [%u]: %s", where, i, cands->ids[i],
				err == -E2BIG ? "nesting too deep or too complex" :
				"a modifier/typedef chain that is cyclic or deeper than 32 "
				"(libbpf's MAX_RESOLVE_DEPTH)");
			return err;
		}
		if (err == 0) {
			if (i == 0)
				*fs = *cs;
			continue;
		}
		err = calc_relo(relo->kind, ls, cs, &cres, why);
		if (err)
			goto calc_err;
		if (j == 0) {
			*res = cres;
			*ts = *cs;
		} else if (cs->bit_offset != ts->bit_offset) {
			fmt_relo(where, sizeof(where), rc, local);
			pr_warn("%s: field offset ambiguity: candidate [%u] bit offset %u != [%u] bit offset %u",
				where, cands->ids[i], cs->bit_offset, ts->root_type_id, ts->bit_offset);
			return -EINVAL;
		} else if (cres.poison != res->poison || cres.new_val != res->new_val) {
			fmt_relo(where, sizeof(where), rc, local);
			pr_warn("%s: relocation decision ambiguity: candidate [%u] %s %llu != [%u] %s %llu",
				where, cands->ids[i], cres.poison ? "failure" : "success",
				(unsigned long long)cres.new_val, ts->root_type_id,
				res->poison ? "failure" : "success",
				(unsigned long long)res->new_val);
			return -EINVAL;
		}
		if (on_match) {
			err = on_match(rc, cs, j, ctx);
			if (err)
				return err;
		}
		cands->ids[j++] = cands->ids[i];
	}
	res->nr_cands = cands->len;
	res->nr_matches = j;
	if (j > 0) {
		cands->len = j;
		return 0;
	}
	pr_debug("%s: relo #%d: no matching targets found", rc->obj_name, rc->relo_idx);
	err = calc_relo(relo->kind, ls, NULL, res, why);
	res->nr_cands = cands->len;
	if (!err)
		return 0;
calc_err:
	fmt_relo(where, sizeof(where), rc, local);
	pr_warn("%s: %s", where, why);
	return err;
}
