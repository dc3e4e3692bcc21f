/* CO-RE access whose local root is an anonymous struct: the resolver refuses
 * it ("relocation doesn't support anonymous types", EOPNOTSUPP, exit 161). */
#include "core_min.h"

SEC("kprobe/anon")
int anon(void *ctx)
{
	struct {
		int x;
		int y;
	} __pai *p = ctx;

	return p->y;
}

LICENSE;
