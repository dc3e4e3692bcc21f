/* CO-RE enumerator relocations (kinds 10-11) against kern_basic. */
#include "core_min.h"

/* subset and different order; enumerator names use ___ flavors too */
enum color___e {
	BLUE___e = 100,                    /* local values are irrelevant */
	GREEN___e,
	PURPLE___e,                        /* not in the kernel */
};

enum sgn___e {
	S_NEG___e = -5,
	S_POS___e = 7,
};

/* typedef root: finds kernel TYPEDEF color_t, marks typedef + enum */
enum color___e2 { RED___e2 };
typedef enum color___e2 color_t___e;

enum nosuch___e { NOSUCH___e };        /* no candidate */

SEC("kprobe/enums")
int enums(void *ctx)
{
	long r = 0;

	r += core_enum_value(enum color___e, GREEN___e);   /* kind 11: 1 */
	r += core_enum_exists(enum color___e, BLUE___e);   /* kind 10: 1 */
	r += core_enum_exists(enum color___e, PURPLE___e); /* 0 */
	r += core_enum_value(enum sgn___e, S_NEG___e);     /* signed: -5 */
	r += core_enum_value(color_t___e, RED___e2);       /* typedef root */
	r += core_enum_exists(enum nosuch___e, NOSUCH___e);/* no candidate */
	return r;
}

LICENSE;
