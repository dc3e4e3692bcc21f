// SPDX-License-Identifier: MIT
/*
 * btf.c - BTF parsing and validation (SEMANTICS.md §1), size resolution and
 * the table-driven field visitors.
 *
 *   +--------------------+  offset 0
 *   | struct btf_header  |  magic 0xEB9F (0x9FEB: other byte order), hdr_len
 *   +--------------------+  hdr_len
 *   | type section       |  type_off .. type_off + type_len (4-aligned)
 *   |  [1] btf_type + trailing data (kind table below)
 *   |  [2] ...           |
 *   +--------------------+
 *   | (layout section)   |  2026 writers only, skipped
 *   +--------------------+
 *   | string section     |  str_off .. str_off + str_len: "\0name\0name\0"
 *   +--------------------+
 *
 * Validation happens once, in layers: header, section layout, string section,
 * type walk (record sizes, building type_offs), references (every type id and
 * string offset in range). After that the inline accessors need no checks.
 * Foreign-endian input is copied and swapped in place first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "btf/btf.h"

const struct btf_type btf_void_type;

/* Per-kind trailing data: fixed bytes plus vlen * elem bytes. */
static const struct {
	const char *name;
	u8 fixed_sz;
	u8 elem_sz;
} kind_info[NR_BTF_KINDS] = {
	[BTF_KIND_UNKN] = { "UNKNOWN", 0, 0 },
	[BTF_KIND_INT] = { "INT", 4, 0 },
	[BTF_KIND_PTR] = { "PTR", 0, 0 },
	[BTF_KIND_ARRAY] = { "ARRAY", sizeof(struct btf_array), 0 },
	[BTF_KIND_STRUCT] = { "STRUCT", 0, sizeof(struct btf_member) },
	[BTF_KIND_UNION] = { "UNION", 0, sizeof(struct btf_member) },
	[BTF_KIND_ENUM] = { "ENUM", 0, sizeof(struct btf_enum) },
	[BTF_KIND_FWD] = { "FWD", 0, 0 },
	[BTF_KIND_TYPEDEF] = { "TYPEDEF", 0, 0 },
	[BTF_KIND_VOLATILE] = { "VOLATILE", 0, 0 },
	[BTF_KIND_CONST] = { "CONST", 0, 0 },
	[BTF_KIND_RESTRICT] = { "RESTRICT", 0, 0 },
	[BTF_KIND_FUNC] = { "FUNC", 0, 0 },
	[BTF_KIND_FUNC_PROTO] = { "FUNC_PROTO", 0, sizeof(struct btf_param) },
	[BTF_KIND_VAR] = { "VAR", sizeof(struct btf_var), 0 },
	[BTF_KIND_DATASEC] = { "DATASEC", 0, sizeof(struct btf_var_secinfo) },
	[BTF_KIND_FLOAT] = { "FLOAT", 0, 0 },
	[BTF_KIND_DECL_TAG] = { "DECL_TAG", sizeof(struct btf_decl_tag), 0 },
	[BTF_KIND_TYPE_TAG] = { "TYPE_TAG", 0, 0 },
	[BTF_KIND_ENUM64] = { "ENUM64", 0, sizeof(struct btf_enum64) },
};

const char *btf_kind_str(unsigned kind)
{
	return kind < NR_BTF_KINDS ? kind_info[kind].name : "UNKNOWN";
}

long btf_kind_extra_size(unsigned kind, u32 vlen)
{
	if (kind == BTF_KIND_UNKN || kind >= NR_BTF_KINDS)
		return -1;
	/* vlen <= 0xffff and elem_sz <= 12: no overflow */
	return (long)kind_info[kind].fixed_sz + (long)vlen * kind_info[kind].elem_sz;
}

size_t btf_type_size(const struct btf_type *t)
{
	return sizeof(*t) + (size_t)btf_kind_extra_size(btf_kind(t), btf_vlen(t));
}

bool btf_is_raw(const void *data, size_t size)
{
	const u8 *b = data;

	if (size < 2)
		return false;
	return (b[0] == 0x9f && b[1] == 0xeb) || (b[0] == 0xeb && b[1] == 0x9f);
}

void btf_free(struct btf *btf)
{
	if (!btf)
		return;
	xfree(btf->raw_alloc);
	xfree(btf->type_offs);
	xfree(btf);
}

void btf_set_ptr_sz(struct btf *btf, int ptr_sz)
{
	btf->ptr_sz = ptr_sz;
}

/* Byte-swap the u32 words of one record in place; info must be swapped first. */
static void swap_type(struct btf_type *t, size_t extra)
{
	u32 *w = (u32 *)(t + 1);
	size_t i;

	t->name_off = bswap32(t->name_off);
	t->size = bswap32(t->size);
	/* all trailing data of every known kind is a sequence of u32 words */
	for (i = 0; i < extra / 4; i++)
		w[i] = bswap32(w[i]);
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE int visit_one(u32 *field, btf_field_fn fn, void *ctx)
{
	return fn(field, ctx);
}

/*
 * Where each kind keeps its type-id and string-offset fields (libbpf's
 * btf_field_iter, as a table). Offsets are in u32 words; -1 = none.
 *   self_type  the "type" word of the common header
 *   fixed_ids  up to two ids in the fixed trailing data (ARRAY)
 *   elem_*     per vlen entry: its size in words and where its id and its
 *              name offset are
 */
static const struct {
	bool self_type;
	s8 fixed_ids[2];
	u8 elem_words;
	s8 elem_id;
	s8 elem_name;
} field_layout[NR_BTF_KINDS] = {
	[BTF_KIND_PTR] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_TYPEDEF] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_VOLATILE] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_CONST] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_RESTRICT] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_FUNC] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_VAR] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_DECL_TAG] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_TYPE_TAG] = { true, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_FWD] = { true, { -1, -1 }, 0, -1, -1 },	/* always 0; bpftool remaps it too */
	[BTF_KIND_ARRAY] = { false, { 0, 1 }, 0, -1, -1 },	/* elem type, index type */
	[BTF_KIND_STRUCT] = { false, { -1, -1 }, 3, 1, 0 },	/* btf_member */
	[BTF_KIND_UNION] = { false, { -1, -1 }, 3, 1, 0 },
	[BTF_KIND_FUNC_PROTO] = { true, { -1, -1 }, 2, 1, 0 },	/* return type; btf_param */
	[BTF_KIND_DATASEC] = { false, { -1, -1 }, 3, 0, -1 },	/* btf_var_secinfo */
	[BTF_KIND_ENUM] = { false, { -1, -1 }, 2, -1, 0 },	/* btf_enum */
	[BTF_KIND_ENUM64] = { false, { -1, -1 }, 3, -1, 0 },	/* btf_enum64 */
	[BTF_KIND_INT] = { false, { -1, -1 }, 0, -1, -1 },
	[BTF_KIND_FLOAT] = { false, { -1, -1 }, 0, -1, -1 },
};

/*
 * The visitors are always inlined into their callers so that the validation
 * pass, which calls them with constant callbacks, compiles to tight code.
 */
static ALWAYS_INLINE int visit_type_ids(struct btf_type *t, btf_field_fn fn, void *ctx)
{
	unsigned kind = btf_kind(t);
	u32 *w = (u32 *)(t + 1), i, vlen = btf_vlen(t);
	int err, k;

	if (kind >= NR_BTF_KINDS)
		return 0;
	if (field_layout[kind].self_type) {
		err = visit_one(&t->type, fn, ctx);
		if (err)
			return err;
	}
	for (k = 0; k < 2; k++) {
		if (field_layout[kind].fixed_ids[k] < 0)
			continue;
		err = visit_one(&w[field_layout[kind].fixed_ids[k]], fn, ctx);
		if (err)
			return err;
	}
	if (field_layout[kind].elem_id < 0)
		return 0;
	for (i = 0; i < vlen; i++) {
		err = visit_one(&w[i * field_layout[kind].elem_words + (u32)field_layout[kind].elem_id],
				fn, ctx);
		if (err)
			return err;
	}
	return 0;
}

static ALWAYS_INLINE int visit_str_offs(struct btf_type *t, btf_field_fn fn, void *ctx)
{
	unsigned kind = btf_kind(t);
	u32 *w = (u32 *)(t + 1), i, vlen = btf_vlen(t);
	int err;

	err = visit_one(&t->name_off, fn, ctx);
	if (err || kind >= NR_BTF_KINDS || field_layout[kind].elem_name < 0)
		return err;
	for (i = 0; i < vlen; i++) {
		err = visit_one(&w[i * field_layout[kind].elem_words +
				   (u32)field_layout[kind].elem_name], fn, ctx);
		if (err)
			return err;
	}
	return 0;
}

int btf_visit_type_ids(struct btf_type *t, btf_field_fn fn, void *ctx)
{
	return visit_type_ids(t, fn, ctx);
}

int btf_visit_str_offs(struct btf_type *t, btf_field_fn fn, void *ctx)
{
	return visit_str_offs(t, fn, ctx);
}

struct check_ctx {
	const struct btf *btf;
	u32 id;
	const char *what;
	u32 bad;
};

static ALWAYS_INLINE int check_type_id(u32 *field, void *ctx)
{
	struct check_ctx *c = ctx;

	if (*field >= c->btf->nr_types) {
		c->what = "type id";
		c->bad = *field;
		return -EINVAL;
	}
	return 0;
}

static ALWAYS_INLINE int check_str_off(u32 *field, void *ctx)
{
	struct check_ctx *c = ctx;

	if (*field >= c->btf->str_len) {
		c->what = "name offset";
		c->bad = *field;
		return -EINVAL;
	}
	return 0;
}

/* libbpf determine_ptr_size(): the first 4- or 8-byte INT called "long". */
static bool is_long_name(const char *name)
{
	static const char *const long_aliases[] = {
		"long", "long int", "int long", "unsigned long", "long unsigned",
		"unsigned long int", "unsigned int long", "long unsigned int",
		"long int unsigned", "int unsigned long", "int long unsigned",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(long_aliases); i++)
		if (strcmp(name, long_aliases[i]) == 0)
			return true;
	return false;
}

/* Semantic checks of one record after the references are known to be in range. */
static int check_type_semantics(const struct btf *btf, u32 id, const struct btf_type *t)
{
	unsigned kind = btf_kind(t);
	const struct btf_type *tt;

	switch (kind) {
	case BTF_KIND_FUNC:
		tt = btf_type_by_id(btf, t->type);
		if (btf_kind(tt) != BTF_KIND_FUNC_PROTO) {
			pr_warn("%s: BTF type [%u]: FUNC points to [%u] %s, not a FUNC_PROTO",
				btf->name, id, t->type, btf_kind_str(btf_kind(tt)));
			return -EINVAL;
		}
		break;
	case BTF_KIND_INT:
		if (t->size > 16 || BTF_INT_BITS(btf_int_encoding_word(t)) > 128 ||
		    BTF_INT_OFFSET(btf_int_encoding_word(t)) + BTF_INT_BITS(btf_int_encoding_word(t)) >
			    t->size * 8u) {
			pr_warn("%s: BTF type [%u]: invalid INT (size %u, encoding 0x%08x)",
				btf->name, id, t->size, btf_int_encoding_word(t));
			return -EINVAL;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int btf_validate(struct btf *btf)
{
	const struct btf_header *hdr = (const struct btf_header *)btf->raw;
	u64 types_end, strs_end, body;
	size_t cap = 0, off;
	u32 id, nr = 1;
	struct check_ctx cc = { .btf = btf };
	int err;

	body = btf->raw_size - hdr->hdr_len;
	types_end = (u64)hdr->type_off + hdr->type_len;
	strs_end = (u64)hdr->str_off + hdr->str_len;
	if (hdr->type_off % 4) {
		pr_warn("%s: BTF header: type_off %u is not 4-byte aligned", btf->name,
			hdr->type_off);
		return -EINVAL;
	}
	if (types_end > body || strs_end > body) {
		pr_warn("%s: BTF header: sections (types %u+%u, strings %u+%u) exceed data size %llu",
			btf->name, hdr->type_off, hdr->type_len, hdr->str_off, hdr->str_len,
			(unsigned long long)body);
		return -EINVAL;
	}
	if (types_end > hdr->str_off) {
		pr_warn("%s: BTF header: type section (%u+%u) overlaps string section at %u",
			btf->name, hdr->type_off, hdr->type_len, hdr->str_off);
		return -EINVAL;
	}
	btf->types = btf->raw + hdr->hdr_len + hdr->type_off;
	btf->types_len = hdr->type_len;
	btf->strs = (const char *)btf->raw + hdr->hdr_len + hdr->str_off;
	btf->str_len = hdr->str_len;

	/* string section */
	if (btf->str_len == 0 || btf->strs[btf->str_len - 1] != '\0') {
		pr_warn("%s: BTF string section: %s", btf->name,
			btf->str_len ? "does not end with NUL" : "is empty");
		return -EINVAL;
	}
	if (btf->strs[0] != '\0') {
		pr_warn("%s: BTF string section: does not start with an empty string "
			"(split BTF needs its base BTF, which is not supported)", btf->name);
		return -ENOTSUP;
	}
	if (btf->str_len - 1 > BTF_MAX_STR_OFFSET) {
		pr_warn("%s: BTF string section: %u bytes is over the limit", btf->name,
			btf->str_len);
		return -E2BIG;
	}

	/* type walk: record sizes, type_offs[], byte swapping */
	cap = (size_t)btf->types_len / sizeof(struct btf_type) + 2;	/* upper bound */
	btf->type_offs = xmalloc(cap * sizeof(u32));
	if (!btf->type_offs) {
		pr_warn("%s: BTF type section: out of memory", btf->name);
		return -ENOMEM;
	}
	for (off = 0; off < btf->types_len; nr++) {
		struct btf_type *t = (struct btf_type *)(btf->types + off);
		unsigned kind;
		long extra;
		u32 info;

		if (btf->types_len - off < sizeof(*t)) {
			pr_warn("%s: BTF type section at offset %zu (type [%u]): truncated type header",
				btf->name, off, nr);
			return -EINVAL;
		}
		info = btf->swapped ? bswap32(t->info) : t->info;
		kind = BTF_INFO_KIND(info);
		extra = btf_kind_extra_size(kind, BTF_INFO_VLEN(info));
		if (extra < 0) {
			pr_warn("%s: BTF type section at offset %zu (type [%u]): unknown kind %u",
				btf->name, off, nr, kind);
			return -ENOTSUP;
		}
		if ((size_t)extra > btf->types_len - off - sizeof(*t)) {
			pr_warn("%s: BTF type section at offset %zu (type [%u]): %s record with vlen %u overruns the section (%u bytes)",
				btf->name, off, nr, btf_kind_str(kind), BTF_INFO_VLEN(info),
				btf->types_len);
			return -EINVAL;
		}
		if (btf->swapped) {
			t->info = info;
			swap_type(t, (size_t)extra);
		}
		if (nr > util_limits.types || nr > BTF_MAX_NR_TYPES - 1) {
			pr_warn("%s: BTF type section at offset %zu (type [%u]): more than %u types "
				"(the limit; raise it with --max-types)", btf->name, off, nr,
				util_limits.types);
			return -E2BIG;
		}
		btf->type_offs[nr] = (u32)off;	/* nr < cap: each record is >= 12 bytes */
		off += sizeof(*t) + (size_t)extra;
	}
	btf->nr_types = nr;

	/* references */
	for (id = 1; id < btf->nr_types; id++) {
		struct btf_type *t = (struct btf_type *)(btf->types + btf->type_offs[id]);

		cc.id = id;
		if (visit_str_offs(t, check_str_off, &cc) || visit_type_ids(t, check_type_id, &cc)) {
			pr_warn("%s: BTF type [%u]: %s %u out of range (%s %u)", btf->name, id,
				cc.what, cc.bad,
				cc.what[0] == 't' ? "types" : "string section size",
				cc.what[0] == 't' ? btf->nr_types : btf->str_len);
			return -EINVAL;
		}
		err = check_type_semantics(btf, id, t);
		if (err)
			return err;
		if (!btf->ptr_sz && btf_kind(t) == BTF_KIND_INT && (t->size == 4 || t->size == 8) &&
		    is_long_name(btf->strs + t->name_off))
			btf->ptr_sz = (int)t->size;
	}
	if (!btf->ptr_sz)
		btf->ptr_sz = (int)sizeof(void *);
	return 0;
}

/* Header fields both parse paths check the same way. */
static int check_hdr_fixed(u8 version, u8 flags, u32 hdr_len, size_t size, const char *name)
{
	if (version != BTF_VERSION || flags != 0) {
		pr_warn("%s: BTF header: unsupported version %u / flags 0x%x", name, version, flags);
		return -ENOTSUP;
	}
	if (hdr_len < sizeof(struct btf_header) || hdr_len > size || hdr_len % 4) {
		pr_warn("%s: BTF header: bad hdr_len %u (data size %zu)", name, hdr_len, size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Wrap @raw and validate it. @alloc, the buffer @raw lies in, is freed with
 * the btf (also on failure); NULL when @raw is borrowed.
 */
static int btf_new_validated(u8 *raw, size_t size, void *alloc, bool swapped, const char *name,
			     struct btf **out)
{
	struct btf *btf = xcalloc(1, sizeof(*btf));
	int err;

	if (!btf) {
		pr_warn("%s: BTF: out of memory", name);
		xfree(alloc);
		return -ENOMEM;
	}
	btf->raw = raw;
	btf->raw_alloc = alloc;
	btf->raw_size = size;
	btf->swapped = swapped;
	btf->name = name;
	err = btf_validate(btf);
	if (err) {
		btf_free(btf);
		return err;
	}
	*out = btf;
	return 0;
}

int btf_parse_owned_in(void *alloc, size_t off, size_t size, const char *name,
		       struct btf **out)
{
	void *data = (u8 *)alloc + off;
	struct btf_header *hdr = data;
	bool swapped;
	u32 hdr_len;
	size_t i;
	int err;

	*out = NULL;
	if (off % 4) {
		pr_warn("%s: BTF at offset %zu: not 4-byte aligned", name, off);
		xfree(alloc);
		return -EINVAL;
	}
	if (size < sizeof(*hdr)) {
		pr_warn("%s: BTF header: truncated (%zu bytes, need %zu)", name, size,
			sizeof(*hdr));
		xfree(alloc);
		return -EINVAL;
	}
	if (size > BTF_MAX_SIZE) {
		pr_warn("%s: BTF: %zu bytes is over the %llu-byte limit", name, size,
			(unsigned long long)BTF_MAX_SIZE);
		xfree(alloc);
		return -E2BIG;
	}
	if (hdr->magic == BTF_MAGIC) {
		swapped = false;
	} else if (hdr->magic == bswap16(BTF_MAGIC)) {
		swapped = true;
	} else {
		pr_warn("%s: BTF header: bad magic 0x%04x", name, hdr->magic);
		xfree(alloc);
		return -EINVAL;
	}
	hdr_len = swapped ? bswap32(hdr->hdr_len) : hdr->hdr_len;
	err = check_hdr_fixed(hdr->version, hdr->flags, hdr_len, size, name);
	if (err) {
		xfree(alloc);
		return err;
	}
	if (swapped) {
		hdr->hdr_len = hdr_len;
		hdr->type_off = bswap32(hdr->type_off);
		hdr->type_len = bswap32(hdr->type_len);
		hdr->str_off = bswap32(hdr->str_off);
		hdr->str_len = bswap32(hdr->str_len);
		hdr->magic = BTF_MAGIC;
	}
	/*
	 * Header bytes we don't understand: the 2026 "layout" section fields
	 * (hdr_len >= 32) describe a section between types and strings that
	 * the offsets already skip; anything else must be zero.
	 */
	for (i = 32; i < hdr_len; i++) {
		if (((u8 *)data)[i]) {
			pr_warn("%s: BTF header: unknown non-zero header byte at offset %zu", name, i);
			xfree(alloc);
			return -ENOTSUP;
		}
	}

	return btf_new_validated(data, size, alloc, swapped, name, out);
}

int btf_parse_owned(void *data, size_t size, const char *name, struct btf **out)
{
	return btf_parse_owned_in(data, 0, size, name, out);
}

int btf_parse_view(const void *data, size_t size, const char *name, struct btf **out)
{
	const struct btf_header *hdr = data;
	int err;

	*out = NULL;
	if (size < sizeof(*hdr) || (uintptr_t)data % 4 || hdr->magic != BTF_MAGIC ||
	    hdr->hdr_len > 32)
		return btf_parse(data, size, name, out);	/* copy (and swap) */
	if (size > BTF_MAX_SIZE) {
		pr_warn("%s: BTF: %zu bytes is over the %llu-byte limit", name, size,
			(unsigned long long)BTF_MAX_SIZE);
		return -E2BIG;
	}
	err = check_hdr_fixed(hdr->version, hdr->flags, hdr->hdr_len, size, name);
	if (err)
		return err;
	/* never written: native byte order */
	return btf_new_validated((u8 *)(uintptr_t)data, size, NULL, false, name, out);
}

int btf_parse(const void *data, size_t size, const char *name, struct btf **out)
{
	void *copy;

	*out = NULL;
	copy = xmalloc(size);
	if (!copy) {
		pr_warn("%s: BTF: out of memory", name);
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return btf_parse_owned(copy, size, name, out);
}

const struct btf_type *btf_skip_mods_and_typedefs(const struct btf *btf, u32 id, u32 *res_id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	int depth;

	for (depth = 0; t && (btf_is_mod(t) || btf_kind(t) == BTF_KIND_TYPEDEF); depth++) {
		if (depth >= BTF_MAX_RESOLVE_DEPTH)
			return NULL;
		id = t->type;
		t = btf_type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

s64 btf_resolve_size(const struct btf *btf, u32 id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	u64 nelems = 1, size = 0;
	int depth;

	for (depth = 0; depth < BTF_MAX_RESOLVE_DEPTH && t; depth++) {
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			size = t->size;
			goto done;
		case BTF_KIND_PTR:
			size = (u64)btf->ptr_sz;
			goto done;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			t = btf_type_by_id(btf, t->type);
			break;
		case BTF_KIND_ARRAY:
			if (nelems && btf_array(t)->nelems > UINT32_MAX / nelems)
				return -E2BIG;
			nelems *= btf_array(t)->nelems;
			t = btf_type_by_id(btf, btf_array(t)->type);
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
done:
	if (nelems && size > UINT32_MAX / nelems)
		return -E2BIG;
	return (s64)(nelems * size);
}
