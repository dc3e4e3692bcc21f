/* Against kern_dup: t.x is at offset 0 in one struct t and 8 in the other:
 * "field offset ambiguity: 0 != 64", EINVAL (exit 234). */
#include "core_min.h"

struct t___l {
	int x;
} __pai;

SEC("kprobe/dup_offset")
int dup_offset(void *ctx)
{
	struct t___l *p = ctx;

	return p->x;
}

LICENSE;
