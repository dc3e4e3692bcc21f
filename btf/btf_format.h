/* SPDX-License-Identifier: MIT */
/*
 * btf_format.h - BTF wire format, defined in-tree (no <linux/btf.h>, which is
 * not libc and which musl-gcc cannot see). See SEMANTICS.md §1.
 */
#ifndef BTFGEN_BTF_FORMAT_H
#define BTFGEN_BTF_FORMAT_H

#include <stdint.h>

#define BTF_MAGIC	0xeB9F
#define BTF_VERSION	1

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;	/* relative to the end of the header */
	uint32_t type_len;
	uint32_t str_off;	/* relative to the end of the header */
	uint32_t str_len;
};

/* Kernel limits (include/uapi/linux/btf.h). */
#define BTF_MAX_TYPE		0x000fffff	/* max type id */
#define BTF_MAX_NAME_OFFSET	0x00ffffff	/* max string offset */

struct btf_type {
	uint32_t name_off;
	/*
	 * bits  0-15: vlen (number of members/values/params)
	 * bits 16-23: unused (vlen in the 2026 wide encoding)
	 * bits 24-28: kind
	 * bits 29-30: unused
	 * bit     31: kind_flag
	 */
	uint32_t info;
	/* "size" for INT, ENUM, ENUM64, STRUCT, UNION, DATASEC, FLOAT;
	 * "type" (a type id) for PTR, TYPEDEF, VOLATILE, CONST, RESTRICT,
	 * FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG */
	union {
		uint32_t size;
		uint32_t type;
	};
};

#define BTF_INFO_KIND(info)	(((info) >> 24) & 0x1f)
#define BTF_INFO_VLEN(info)	((info) & 0xffff)
#define BTF_INFO_KFLAG(info)	((info) >> 31)
#define BTF_INFO_ENC(kind, kflag, vlen) \
	((uint32_t)(!!(kflag)) << 31 | (uint32_t)(kind) << 24 | ((uint32_t)(vlen) & 0xffff))

enum {
	BTF_KIND_UNKN = 0,
	BTF_KIND_INT = 1,
	BTF_KIND_PTR = 2,
	BTF_KIND_ARRAY = 3,
	BTF_KIND_STRUCT = 4,
	BTF_KIND_UNION = 5,
	BTF_KIND_ENUM = 6,
	BTF_KIND_FWD = 7,
	BTF_KIND_TYPEDEF = 8,
	BTF_KIND_VOLATILE = 9,
	BTF_KIND_CONST = 10,
	BTF_KIND_RESTRICT = 11,
	BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13,
	BTF_KIND_VAR = 14,
	BTF_KIND_DATASEC = 15,
	BTF_KIND_FLOAT = 16,
	BTF_KIND_DECL_TAG = 17,
	BTF_KIND_TYPE_TAG = 18,
	BTF_KIND_ENUM64 = 19,
	NR_BTF_KINDS,
	BTF_KIND_MAX = NR_BTF_KINDS - 1,
};

/* INT encoding word that follows an INT's struct btf_type. */
#define BTF_INT_ENCODING(VAL)	(((VAL) & 0x0f000000) >> 24)
#define BTF_INT_OFFSET(VAL)	(((VAL) & 0x00ff0000) >> 16)
#define BTF_INT_BITS(VAL)	((VAL) & 0x000000ff)
#define BTF_INT_SIGNED	(1 << 0)
#define BTF_INT_CHAR	(1 << 1)
#define BTF_INT_BOOL	(1 << 2)

struct btf_array {
	uint32_t type;
	uint32_t index_type;
	uint32_t nelems;
};

struct btf_member {
	uint32_t name_off;
	uint32_t type;
	/* kflag 0: bit offset; kflag 1: bitfield_size << 24 | bit_offset */
	uint32_t offset;
};

#define BTF_MEMBER_BITFIELD_SIZE(val)	((val) >> 24)
#define BTF_MEMBER_BIT_OFFSET(val)	((val) & 0xffffff)

struct btf_enum {
	uint32_t name_off;
	int32_t val;
};

struct btf_enum64 {
	uint32_t name_off;
	uint32_t val_lo32;
	uint32_t val_hi32;
};

struct btf_param {
	uint32_t name_off;
	uint32_t type;
};

struct btf_var {
	uint32_t linkage;
};

struct btf_var_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

struct btf_decl_tag {
	int32_t component_idx;
};

#endif /* BTFGEN_BTF_FORMAT_H */
