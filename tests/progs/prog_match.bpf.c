/* CO-RE TYPE_MATCHES relocations (kind 12, clang >= 15) against kern_basic.
 * A local type may list a subset of the kernel members; btfgen then marks the
 * kernel type's full by-value closure (SEMANTICS 5.4 mark_match). */
#include "core_min.h"

struct inner___m {
	int a;
} __pai;

enum color___m { RED___m, BLUE___m };

/* subset of struct foo; names and types must match strictly */
struct foo___m {
	int x;
	struct inner___m in;
	struct inner___m *pin;
	enum color___m col;
	struct foo___m *next;
} __pai;

/* does not match: full is u64 in the kernel */
union val___m {
	int full;
} __pai;

typedef long (*ok_cb_t___m)(struct inner___m *in, long arg);

SEC("kprobe/match")
int match(void *ctx)
{
	long r = 0;

	r += core_type_matches(struct foo___m);   /* match: closure of foo */
	r += core_type_matches(union val___m);    /* no match: nothing marked */
	r += core_type_matches(enum color___m);   /* match: whole enum */
	r += core_type_matches(ok_cb_t___m);      /* typedef -> PTR -> FUNC_PROTO */
	return r;
}

LICENSE;
