// SPDX-License-Identifier: MIT
/*
 * btf_dump.c - raw text dump of a parsed BTF, byte for byte what
 * `bpftool btf dump file X format raw` prints (bpftool v7.1 / libbpf 1.1).
 *
 * It exists for tests and for diffing against bpftool: the unit tests build
 * or parse BTF and assert on the whole dump string (as the kernel selftests'
 * VALIDATE_RAW_BTF does), and the same text can be compared with bpftool's
 * output for the same file. The product itself never prints it.
 *
 * One line per type, ids from 1, members/enumerators/params/secinfos on
 * tab-indented continuation lines, every type ending with "\n":
 *
 *   [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
 *   [2] STRUCT 's' size=8 vlen=2
 *   	'a' type_id=1 bits_offset=0
 *   	'(anon)' type_id=1 bits_offset=32 bitfield_size=3
 *   [3] VAR 'v' type_id=1, linkage=global
 *   [4] DATASEC '.data' size=4 vlen=1
 *   	type_id=3 offset=0 size=4 (VAR 'v')
 *
 * Name offset 0 prints as '(anon)'. The input is validated (btf_parse*), so
 * every id and string offset used here is in range.
 */
#include <errno.h>
#include <stdio.h>

#include "btf/btf.h"

/* bpftool btf_str(): offset 0 is "(anon)", otherwise the string itself. */
static const char *name_of(const struct btf *btf, u32 off)
{
	const char *s;

	if (!off)
		return "(anon)";
	s = btf_str(btf, off);
	return s ? s : "(invalid)";
}

/* bpftool btf_int_enc_str(): exactly one flag or none, else "UNKN". */
static const char *int_enc_str(u32 enc)
{
	switch (enc) {
	case 0:
		return "(none)";
	case BTF_INT_SIGNED:
		return "SIGNED";
	case BTF_INT_CHAR:
		return "CHAR";
	case BTF_INT_BOOL:
		return "BOOL";
	default:
		return "UNKN";
	}
}

/*
 * bpftool's btf_func_linkage_str() and btf_var_linkage_str(): in v7.1 both
 * spell the three linkages alike. A FUNC's linkage lives in its vlen, a VAR's
 * in its trailing record.
 */
static const char *linkage_str(u32 linkage)
{
	switch (linkage) {
	case 0:
		return "static";
	case 1:
		return "global";
	case 2:
		return "extern";
	default:
		return "(unknown)";
	}
}

static void dump_members(const struct btf *btf, const struct btf_type *t, FILE *f)
{
	u32 i, vlen = btf_vlen(t);

	fprintf(f, " size=%u vlen=%u", t->size, vlen);
	for (i = 0; i < vlen; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		u32 bf_size = btf_member_bitfield_size(t, i);

		fprintf(f, "\n\t'%s' type_id=%u bits_offset=%u", name_of(btf, m->name_off), m->type,
			btf_member_bit_offset(t, i));
		if (bf_size)
			fprintf(f, " bitfield_size=%u", bf_size);
	}
}

static void dump_enum(const struct btf *btf, const struct btf_type *t, FILE *f)
{
	u32 i, vlen = btf_vlen(t);
	bool sgn = btf_kflag(t);

	fprintf(f, " encoding=%s size=%u vlen=%u", sgn ? "SIGNED" : "UNSIGNED", t->size, vlen);
	for (i = 0; i < vlen; i++) {
		const struct btf_enum *e = &btf_enums(t)[i];

		if (sgn)
			fprintf(f, "\n\t'%s' val=%d", name_of(btf, e->name_off), (int)e->val);
		else
			fprintf(f, "\n\t'%s' val=%u", name_of(btf, e->name_off), (u32)e->val);
	}
}

static void dump_enum64(const struct btf *btf, const struct btf_type *t, FILE *f)
{
	u32 i, vlen = btf_vlen(t);
	bool sgn = btf_kflag(t);

	fprintf(f, " encoding=%s size=%u vlen=%u", sgn ? "SIGNED" : "UNSIGNED", t->size, vlen);
	for (i = 0; i < vlen; i++) {
		const struct btf_enum64 *e = &btf_enums64(t)[i];
		u64 val = (u64)e->val_hi32 << 32 | e->val_lo32;

		if (sgn)
			fprintf(f, "\n\t'%s' val=%lldLL", name_of(btf, e->name_off),
				(long long)val);
		else
			fprintf(f, "\n\t'%s' val=%lluULL", name_of(btf, e->name_off),
				(unsigned long long)val);
	}
}

static void dump_func_proto(const struct btf *btf, const struct btf_type *t, FILE *f)
{
	u32 i, vlen = btf_vlen(t);

	fprintf(f, " ret_type_id=%u vlen=%u", t->type, vlen);
	for (i = 0; i < vlen; i++) {
		const struct btf_param *p = &btf_params(t)[i];

		fprintf(f, "\n\t'%s' type_id=%u", name_of(btf, p->name_off), p->type);
	}
}

static void dump_datasec(const struct btf *btf, const struct btf_type *t, FILE *f)
{
	const struct btf_var_secinfo *v = (const struct btf_var_secinfo *)(t + 1);
	u32 i, vlen = btf_vlen(t);

	fprintf(f, " size=%u vlen=%u", t->size, vlen);
	for (i = 0; i < vlen; i++) {
		const struct btf_type *vt = btf_type_by_id(btf, v[i].type);

		fprintf(f, "\n\ttype_id=%u offset=%u size=%u", v[i].type, v[i].offset, v[i].size);
		/* bpftool names the target when the id is in range (always, once validated) */
		if (vt)
			fprintf(f, " (%s '%s')", btf_kind_str(btf_kind(vt)),
				name_of(btf, vt->name_off));
	}
}

static void dump_type(const struct btf *btf, u32 id, const struct btf_type *t, FILE *f)
{
	unsigned kind = btf_kind(t);

	fprintf(f, "[%u] %s '%s'", id, btf_kind_str(kind), name_of(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT: {
		u32 v = btf_int_encoding_word(t);

		fprintf(f, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			BTF_INT_OFFSET(v), BTF_INT_BITS(v), int_enc_str(BTF_INT_ENCODING(v)));
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		fprintf(f, " type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		fprintf(f, " type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type,
			a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		dump_members(btf, t, f);
		break;
	case BTF_KIND_ENUM:
		dump_enum(btf, t, f);
		break;
	case BTF_KIND_ENUM64:
		dump_enum64(btf, t, f);
		break;
	case BTF_KIND_FWD:
		fprintf(f, " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		fprintf(f, " type_id=%u linkage=%s", t->type, linkage_str(btf_vlen(t)));
		break;
	case BTF_KIND_FUNC_PROTO:
		dump_func_proto(btf, t, f);
		break;
	case BTF_KIND_VAR: {
		const struct btf_var *v = (const struct btf_var *)(t + 1);

		/* sic: bpftool prints a comma here */
		fprintf(f, " type_id=%u, linkage=%s", t->type, linkage_str(v->linkage));
		break;
	}
	case BTF_KIND_DATASEC:
		dump_datasec(btf, t, f);
		break;
	case BTF_KIND_FLOAT:
		fprintf(f, " size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *tag = (const struct btf_decl_tag *)(t + 1);

		fprintf(f, " type_id=%u component_idx=%d", t->type, (int)tag->component_idx);
		break;
	}
	default:
		break;
	}
	fputc('\n', f);
}

/*
 * Print every type of @btf, ids 1 .. nr_types - 1, to @f.
 * Returns: 0, or -EIO when a write to @f failed.
 */
int btf_dump_raw(const struct btf *btf, FILE *f)
{
	u32 id;

	for (id = 1; id < btf->nr_types; id++) {
		dump_type(btf, id, btf_type_by_id(btf, id), f);
		if (ferror(f))
			return -EIO;
	}
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
