/* Against kern_dup: TYPE_ID_TARGET with two matching candidates is always
 * ambiguous (the values are the two different IDs), EINVAL (exit 234). */
#include "core_min.h"

struct same___l {
	int a;
} __pai;

SEC("kprobe/dup_typeid")
int dup_typeid(void *ctx)
{
	return core_type_id_kernel(struct same___l);
}

LICENSE;
