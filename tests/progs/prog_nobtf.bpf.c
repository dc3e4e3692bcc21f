/* Compiled WITHOUT -g by build.sh: no .BTF and no .BTF.ext section.
 * bpftool: "failed to parse BPF object '...': No data available" (exit 195). */
#include "core_min.h"

struct nb {
	int a;
} __pai;

SEC("kprobe/nobtf")
int nobtf(void *ctx)
{
	struct nb *p = ctx;

	return p->a;
}

LICENSE;
