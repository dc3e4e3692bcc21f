/* Minimal stand-ins for the libbpf bpf_helpers.h / bpf_core_read.h macros used
 * by the CO-RE test programs. No kernel or libbpf headers are needed.
 * The numbers are the clang builtin arguments, NOT the .BTF.ext kind values
 * (e.g. type EXISTS/SIZE/MATCHES = 0/1/2 become kinds 8/9/12). */
#ifndef CORE_MIN_H
#define CORE_MIN_H

#define SEC(name) __attribute__((section(name), used))
#define __pai __attribute__((preserve_access_index))

/* __builtin_preserve_field_info(field, KIND) */
#define FI_BYTE_OFFSET 0  /* kind 0 FIELD_BYTE_OFFSET */
#define FI_BYTE_SIZE   1  /* kind 1 FIELD_BYTE_SIZE */
#define FI_EXISTS      2  /* kind 2 FIELD_EXISTS */
#define FI_SIGNED      3  /* kind 3 FIELD_SIGNED */
#define FI_LSHIFT_U64  4  /* kind 4 FIELD_LSHIFT_U64 */
#define FI_RSHIFT_U64  5  /* kind 5 FIELD_RSHIFT_U64 */

#define core_field_offset(f) __builtin_preserve_field_info(f, FI_BYTE_OFFSET)
#define core_field_size(f)   __builtin_preserve_field_info(f, FI_BYTE_SIZE)
#define core_field_exists(f) __builtin_preserve_field_info(f, FI_EXISTS)
#define core_field_signed(f) __builtin_preserve_field_info(f, FI_SIGNED)
#define core_field_lshift(f) __builtin_preserve_field_info(f, FI_LSHIFT_U64)
#define core_field_rshift(f) __builtin_preserve_field_info(f, FI_RSHIFT_U64)

/* __builtin_btf_type_id(*(T *)0, 0/1): kinds 6 TYPE_ID_LOCAL / 7 TYPE_ID_TARGET */
#define core_type_id_local(T)  __builtin_btf_type_id(*(__typeof__(T) *)0, 0)
#define core_type_id_kernel(T) __builtin_btf_type_id(*(__typeof__(T) *)0, 1)

/* __builtin_preserve_type_info(*(T *)0, 0/1/2): kinds 8 TYPE_EXISTS /
 * 9 TYPE_SIZE / 12 TYPE_MATCHES (MATCHES needs clang >= 15) */
#define core_type_exists(T)  __builtin_preserve_type_info(*(__typeof__(T) *)0, 0)
#define core_type_size(T)    __builtin_preserve_type_info(*(__typeof__(T) *)0, 1)
#define core_type_matches(T) __builtin_preserve_type_info(*(__typeof__(T) *)0, 2)

/* __builtin_preserve_enum_value(*(E *)V, 0/1): kinds 10 ENUMVAL_EXISTS /
 * 11 ENUMVAL_VALUE */
#define core_enum_exists(E, V) __builtin_preserve_enum_value(*(__typeof__(E) *)V, 0)
#define core_enum_value(E, V)  __builtin_preserve_enum_value(*(__typeof__(E) *)V, 1)

#define LICENSE char _license[] SEC("license") = "GPL"

#endif
