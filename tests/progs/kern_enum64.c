/* Synthetic "kernel" with 64-bit enums (BTF_KIND_ENUM64): needs clang >= 15.
 * Build: clang -g -O2 -target bpf -c kern_enum64.c -o kern_enum64.o */

enum e64 {                             /* unsigned ENUM64 */
	E64_ONE = 1,
	E64_BIG = 0x100000000ULL,
	E64_MAX = 0xffffffffffffffffULL,
};

enum s64e {                            /* signed ENUM64 (kflag 1) */
	S64_NEG = -0x100000000LL,
	S64_POS = 5,
};

enum e32 {                             /* plain 4-byte ENUM, signed */
	E32_NEG = -1,
	E32_TWO = 2,
};

struct holder {
	int id;
	enum e64 u;
	enum s64e s;
	enum e32 small;
};

struct holder *g_holder;
