/* Against kern_dup (two struct s, two identical struct same).
 * s.x resolves to the same offset in both s => both match, no ambiguity;
 * btfgen records only the first candidate (s{x,y}). The candidate list is
 * pruned to both; s.z then matches only s{x,y,z}. Upstream keeps s#first{x}
 * and s#second{z} (SEMANTICS 3.5 "real correctness bug"). */
#include "core_min.h"

struct s___l {
	int x;
	int z;
} __pai;

struct same___l {
	int b;
} __pai;

SEC("kprobe/dup_ok")
int dup_ok(void *ctx)
{
	struct s___l *p = ctx;
	struct same___l *q = ctx;
	long r = 0;

	r += p->x;                                   /* both s match, offset 0 */
	r += p->z;                                   /* only the second s */
	r += q->b;                                   /* both same match: first kept */
	r += core_type_exists(struct same___l);      /* value 1 for both */
	r += core_type_size(struct same___l);        /* 8 for both */
	return r;
}

LICENSE;
