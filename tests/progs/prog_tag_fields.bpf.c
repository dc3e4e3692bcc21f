/* Field relocations against kern_tag: pointer members whose pointee is a
 * TYPE_TAG are marked without following the pointer, so they become void *;
 * the DECL_TAG is never marked. Succeeds. */
#include "core_min.h"

struct tagged___l {
	int val;
	int *up;
	long l;
} __pai;

SEC("kprobe/tag_fields")
int tag_fields(void *ctx)
{
	struct tagged___l *p = ctx;

	return p->val + core_field_offset(p->up) + p->l;
}

LICENSE;
