/* Type-based relocation whose target closure reaches a FWD: kern_basic's
 * cb_t is TYPEDEF -> PTR -> FUNC_PROTO(PTR -> FWD fwd_only, int).
 * bpftool v7.1: "unsupported kind: fwd (31)", exit 234, no output file. */
#include "core_min.h"

struct fwd_only;                       /* local FWD too: FWD vs FWD is compatible */
typedef int (*cb_t___f)(struct fwd_only *f, int flags);

SEC("kprobe/fwd")
int fwd(void *ctx)
{
	return core_type_exists(cb_t___f);
}

LICENSE;
