/* Against kern_dup: TYPE_SIZE of struct u is 4 for one candidate and 16 for
 * the other: "relocation decision ambiguity", EINVAL (exit 234). */
#include "core_min.h"

struct u___l {
	int a;
} __pai;

SEC("kprobe/dup_size")
int dup_size(void *ctx)
{
	return core_type_size(struct u___l);
}

LICENSE;
