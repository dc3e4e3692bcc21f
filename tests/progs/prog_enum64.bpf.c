/* ENUM64 relocations against kern_enum64 (clang >= 15 for ENUM64 BTF). */
#include "core_min.h"

enum e64___l {
	E64_MAX___l = 0xffffffffffffffffULL,
	E64_BIG___l = 0x100000000ULL,
	E64_GONE___l = 3,                  /* not in the kernel */
};

enum s64e___l {
	S64_NEG___l = -0x100000000LL,
};

/* local 4-byte ENUM against the kernel's ENUM64: kinds are compatible */
enum e64___small {
	E64_ONE___small = 1,
};

enum e32___l {
	E32_NEG___l = -1,
};

struct holder___l {
	enum e64___l u;
	enum s64e___l s;
	enum e32___l small;
} __pai;

SEC("kprobe/enum64")
int enum64(void *ctx)
{
	struct holder___l *h = ctx;
	long r = 0;

	r += core_enum_value(enum e64___l, E64_MAX___l);     /* u64 max */
	r += core_enum_exists(enum e64___l, E64_BIG___l);
	r += core_enum_exists(enum e64___l, E64_GONE___l);   /* 0 */
	r += core_enum_value(enum s64e___l, S64_NEG___l);    /* signed 64 */
	r += core_enum_value(enum e64___small, E64_ONE___small); /* ENUM vs ENUM64 */
	r += core_field_signed(h->s);                        /* ENUM64 kflag: 1 */
	r += core_field_size(h->u);                          /* 8 */
	r += core_field_signed(h->small);                    /* ENUM kflag: 1 */
	r += core_type_matches(enum e64___small);            /* size 4 != 8: no */
	r += core_type_matches(enum e32___l);                /* yes: whole e32 */
	return r;
}

LICENSE;
