/* Type-based relocation against kern_tag whose closure follows a pointer into
 * a TYPE_TAG: uptr_t = TYPEDEF -> PTR -> TYPE_TAG "user" -> int.
 * bpftool v7.1: "unsupported kind: type_tag (5)", exit 234. */
#include "core_min.h"

typedef int *uptr_t___l;

SEC("kprobe/tag_type")
int tag_type(void *ctx)
{
	return core_type_exists(uptr_t___l);
}

LICENSE;
