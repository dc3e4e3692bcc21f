/* SPDX-License-Identifier: MIT */
/*
 * btf.h - BTF reader (either byte order, validated once up front), the
 * table-driven field visitors, and the append-only BTF writer.
 *
 * Knows nothing about ELF: it takes a (pointer, size) span.
 *
 * Ownership: btf_parse() copies the span; btf_parse_owned() takes ownership
 * of a buffer allocated with xmalloc(); btf_parse_view() may borrow it. The caller owns the returned struct
 * btf and frees it with btf_free() (NULL is a no-op). Pointers returned by
 * lookups (btf_type_by_id, btf_str) are borrowed and stay valid until
 * btf_free().
 */
#ifndef BTFGEN_BTF_H
#define BTFGEN_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/btf_format.h"
#include "util/util.h"

/* Named limits. */
#define BTF_MAX_NR_TYPES	0x7fffffffu	/* libbpf's BTF_MAX_NR_TYPES */
#define BTF_MAX_STR_OFFSET	0x7fffffffu	/* libbpf's BTF_MAX_STR_OFFSET */
#define BTF_MAX_RESOLVE_DEPTH	32		/* libbpf MAX_RESOLVE_DEPTH: modifier chains */
#define BTF_MAX_SIZE		(1ull << 31)	/* refuse BTF blobs above 2 GiB */

/*
 * A parsed, validated BTF. Read-only after parsing. The layout is public so
 * the hot accessors below can be inline; treat every field as read-only.
 *
 * Invariants after btf_parse*(): the data is in host byte order; every type
 * record lies inside the type section; every type-id field is < nr_types;
 * every string offset is < str_len; the string section ends with a NUL.
 */
struct btf {
	u8 *raw;		/* owned: header + sections, host byte order */
	size_t raw_size;
	u8 *types;		/* start of the type section inside raw */
	u32 types_len;
	const char *strs;	/* start of the string section inside raw */
	u32 str_len;
	u32 *type_offs;		/* type_offs[id] = byte offset in types; [0] unused */
	u32 nr_types;		/* valid ids: 0 (void) .. nr_types - 1 */
	int ptr_sz;		/* 4 or 8: from ELF class, a "long" INT, or the host */
	bool swapped;		/* the input was in the other byte order */
	void *raw_alloc;	/* ours to free: raw or the buffer raw is in (NULL: borrowed) */
	const char *name;	/* for messages; borrowed */
};

/*
 * Is @data raw BTF (the magic in either byte order)?
 */
bool btf_is_raw(const void *data, size_t size);

/*
 * Parse raw BTF. @name names the input in messages. On failure prints exactly
 * one line (pr_warn: "NAME: BTF <place>: <what>") and returns a negative
 * errno: -EINVAL malformed, -ENOTSUP unsupported (split BTF, unknown kind),
 * -E2BIG over a limit, -ENOMEM.
 * btf_parse_owned() takes @data (xmalloc'd) in all cases, also on failure.
 * btf_parse_owned_in() likewise takes @alloc, whose bytes [@off, @off +
 * @size) are the BTF (@off a multiple of 4): a decompressed tar member is
 * parsed where it lies, without copying it out.
 */
int btf_parse(const void *data, size_t size, const char *name, struct btf **out);
int btf_parse_owned(void *data, size_t size, const char *name, struct btf **out);
int btf_parse_owned_in(void *alloc, size_t off, size_t size, const char *name,
		       struct btf **out);
/*
 * Like btf_parse(), but native-endian, 4-byte aligned @data is used in place
 * (no copy): the caller keeps it alive and unchanged until btf_free().
 */
int btf_parse_view(const void *data, size_t size, const char *name, struct btf **out);
void btf_free(struct btf *btf);

/* Override the guessed pointer size (the ELF class knows it: 4 or 8). */
void btf_set_ptr_sz(struct btf *btf, int ptr_sz);

/* Trailing-data size of a record of kind @kind with @vlen entries, or -1. */
long btf_kind_extra_size(unsigned kind, u32 vlen);
/* Whole record size (12 + trailing data) of a validated type. */
size_t btf_type_size(const struct btf_type *t);
const char *btf_kind_str(unsigned kind);

extern const struct btf_type btf_void_type;

static inline const struct btf_type *btf_type_by_id(const struct btf *btf, u32 id)
{
	if (id == 0)
		return &btf_void_type;
	if (id >= btf->nr_types)
		return NULL;
	return (const struct btf_type *)(btf->types + btf->type_offs[id]);
}

/* String at @off, or NULL if out of range. */
static inline const char *btf_str(const struct btf *btf, u32 off)
{
	return off < btf->str_len ? btf->strs + off : NULL;
}

static inline unsigned btf_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline u32 btf_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline bool btf_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }

static inline bool btf_is_composite(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION;
}

static inline bool btf_is_any_enum(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64;
}

/* CONST, VOLATILE, RESTRICT, TYPE_TAG (libbpf's btf_is_mod). */
static inline bool btf_is_mod(const struct btf_type *t)
{
	unsigned k = btf_kind(t);

	return k == BTF_KIND_CONST || k == BTF_KIND_VOLATILE || k == BTF_KIND_RESTRICT ||
	       k == BTF_KIND_TYPE_TAG;
}

static inline u32 btf_int_encoding_word(const struct btf_type *t)
{
	return *(const u32 *)(t + 1);
}

static inline const struct btf_array *btf_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}

static inline const struct btf_member *btf_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}

static inline const struct btf_param *btf_params(const struct btf_type *t)
{
	return (const struct btf_param *)(t + 1);
}

static inline const struct btf_enum *btf_enums(const struct btf_type *t)
{
	return (const struct btf_enum *)(t + 1);
}

static inline const struct btf_enum64 *btf_enums64(const struct btf_type *t)
{
	return (const struct btf_enum64 *)(t + 1);
}

static inline u32 btf_member_bit_offset(const struct btf_type *t, u32 idx)
{
	u32 off = btf_members(t)[idx].offset;

	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}

static inline u32 btf_member_bitfield_size(const struct btf_type *t, u32 idx)
{
	u32 off = btf_members(t)[idx].offset;

	return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
}

/* Name of enumerator @idx of an ENUM or ENUM64. */
static inline u32 btf_enum_name_off(const struct btf_type *t, u32 idx)
{
	if (btf_kind(t) == BTF_KIND_ENUM64)
		return btf_enums64(t)[idx].name_off;
	return btf_enums(t)[idx].name_off;
}

/*
 * Follow CONST/VOLATILE/RESTRICT/TYPE_TAG/TYPEDEF from @id. Returns the first
 * other type and stores its id in *@res_id (if non-NULL); NULL when the chain
 * is longer than BTF_MAX_RESOLVE_DEPTH (only malformed BTF has that).
 */
const struct btf_type *btf_skip_mods_and_typedefs(const struct btf *btf, u32 id, u32 *res_id);

/*
 * Size in bytes of type @id as libbpf's btf__resolve_size() computes it.
 * Returns the size (>= 0), -E2BIG when the size overflows u32, -EINVAL for
 * sizeless kinds and for chains deeper than BTF_MAX_RESOLVE_DEPTH (as libbpf).
 */
s64 btf_resolve_size(const struct btf *btf, u32 id);

/*
 * Table-driven field visitors (libbpf btf_iter.c): call @fn on every type-id
 * field (resp. string-offset field) of @t, in record order; stop at the first
 * non-zero return and return it.
 */
typedef int (*btf_field_fn)(u32 *field, void *ctx);
int btf_visit_type_ids(struct btf_type *t, btf_field_fn fn, void *ctx);
int btf_visit_str_offs(struct btf_type *t, btf_field_fn fn, void *ctx);

/* ---- writer ---------------------------------------------------------- */

/*
 * Append-only BTF writer: a growable type buffer, growable type offsets and
 * a de-duplicating string set whose offset 0 is "". Mirrors libbpf's
 * btf__new_empty()/btf__add_*(): names are interned in call order.
 */
struct btf_writer;

struct btf_writer *btf_writer_new(void);
void btf_writer_free(struct btf_writer *w);
u32 btf_writer_nr_types(const struct btf_writer *w);	/* including void */

/* Copy @t (a validated record of @src) and re-intern its strings. Returns new id or <0. */
int btf_writer_add_type(struct btf_writer *w, const struct btf *src, const struct btf_type *t);
/* New STRUCT/UNION with no members (kflag 0). Returns new id or <0. */
int btf_writer_add_composite(struct btf_writer *w, unsigned kind, const char *name, u32 size);
/*
 * Append a member to the last added composite, as btf__add_field(): a
 * bitfield (@bf_size != 0 or unaligned @bit_off) needs 0 < @bf_size <= 255
 * and @bit_off <= 0xffffff and switches the composite to kflag 1; unions
 * need @bit_off == 0. Returns 0 or -EINVAL/-E2BIG/-ENOMEM.
 */
int btf_writer_add_member(struct btf_writer *w, const char *name, u32 type_id, u32 bit_off,
			  u32 bf_size);
/*
 * Append a member in the legacy kflag=0 encoding (plain bit offset, possibly
 * unaligned: the bitfield width lives in the member's INT type). Only valid
 * while the composite stays kflag 0. Returns 0 or -EINVAL/-E2BIG/-ENOMEM.
 */
int btf_writer_add_member_legacy(struct btf_writer *w, const char *name, u32 type_id,
				 u32 bit_off);
/* Mutable access to an added type (for id remapping); NULL if out of range. */
struct btf_type *btf_writer_type(struct btf_writer *w, u32 id);
/*
 * Serialize: 24-byte header, types, strings, in host byte order, or in the
 * opposite order when @swap. Returns 0 and an xmalloc'd buffer the caller
 * frees, or -ENOMEM.
 */
int btf_writer_finish(struct btf_writer *w, bool swap, void **out, size_t *out_size);

/* ---- dump ------------------------------------------------------------ */
/* Raw dump in bpftool's "btf dump ... format raw" text form (for tests). */
#include <stdio.h>
int btf_dump_raw(const struct btf *btf, FILE *f);

#endif /* BTFGEN_BTF_H */
