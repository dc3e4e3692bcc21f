/* SPDX-License-Identifier: MIT */
/*
 * core_format.h - .BTF.ext wire format and the CO-RE relocation kinds,
 * defined in-tree (SEMANTICS.md §2).
 */
#ifndef BTFGEN_CORE_FORMAT_H
#define BTFGEN_CORE_FORMAT_H

#include <stdint.h>

struct btf_ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;	/* all offsets relative to the end of the header */
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	uint32_t core_relo_off;	/* only when hdr_len >= 32 */
	uint32_t core_relo_len;
};

#define BTF_EXT_HDR_MIN_LEN	24	/* without the CO-RE fields */
#define BTF_EXT_HDR_CORE_LEN	32

/* Each info subsection: u32 rec_size, then groups of: */
struct btf_ext_info_sec {
	uint32_t sec_name_off;	/* ELF section name in the object's .BTF strings */
	uint32_t num_info;
	/* followed by num_info * rec_size bytes */
};

struct bpf_core_relo {
	uint32_t insn_off;	/* byte offset of the instruction in its section */
	uint32_t type_id;	/* local root type */
	uint32_t access_str_off;
	uint32_t kind;		/* enum bpf_core_relo_kind */
};

enum bpf_core_relo_kind {
	BPF_CORE_FIELD_BYTE_OFFSET = 0,
	BPF_CORE_FIELD_BYTE_SIZE = 1,
	BPF_CORE_FIELD_EXISTS = 2,
	BPF_CORE_FIELD_SIGNED = 3,
	BPF_CORE_FIELD_LSHIFT_U64 = 4,
	BPF_CORE_FIELD_RSHIFT_U64 = 5,
	BPF_CORE_TYPE_ID_LOCAL = 6,
	BPF_CORE_TYPE_ID_TARGET = 7,
	BPF_CORE_TYPE_EXISTS = 8,
	BPF_CORE_TYPE_SIZE = 9,
	BPF_CORE_ENUMVAL_EXISTS = 10,
	BPF_CORE_ENUMVAL_VALUE = 11,
	BPF_CORE_TYPE_MATCHES = 12,
	BPF_CORE_RELO_KIND_MAX = BPF_CORE_TYPE_MATCHES,
};

#endif /* BTFGEN_CORE_FORMAT_H */
