/* Has .BTF and .BTF.ext (func/line info) but no CO-RE relocation:
 * btfgen succeeds and emits an empty BTF (header + "\0"). */
#include "core_min.h"

struct plain {
	int a;
	int b;
};

SEC("kprobe/noreloc")
int noreloc(struct plain *p)
{
	return p->a + p->b;                /* ordinary loads, no preserve_access_index */
}

LICENSE;
