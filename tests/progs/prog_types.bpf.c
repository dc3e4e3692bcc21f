/* CO-RE type-based relocations (kinds 6-9) against kern_basic. */
#include "core_min.h"

struct foo___t {
	int x;
} __pai;
typedef struct foo___t foo_t___t;
typedef foo_t___t foo2_t___t;          /* typedef root: finds kernel TYPEDEF foo2_t */

struct task___t {
	int pid;
} __pai;

union val___t {
	int whatever;                      /* members are ignored by TYPE_EXISTS */
} __pai;

struct inner___t {
	int a;
} __pai;
typedef struct inner___t *inner_p___t; /* TYPEDEF -> PTR -> struct */
typedef long (*ok_cb_t___t)(struct inner___t *in, long arg);

typedef unsigned int u32___t;
typedef float f32_t___t;               /* FLOAT: incompatible for type relos */

enum sgn___t { SGN___t };

struct missing___t {
	int nope;
} __pai;

SEC("kprobe/types")
int types(void *ctx)
{
	long r = 0;

	r += core_type_id_local(struct foo___t);      /* kind 6: marks nothing */
	r += core_type_id_kernel(struct task___t);    /* kind 7: empty task */
	r += core_type_exists(union val___t);         /* kind 8: empty union */
	r += core_type_size(foo2_t___t);              /* kind 9: typedef chain + empty foo */
	r += core_type_exists(inner_p___t);           /* follows PTR to empty inner */
	r += core_type_exists(ok_cb_t___t);           /* FUNC_PROTO: ret + params */
	r += core_type_size(u32___t);                 /* typedef -> INT */
	r += core_type_size(enum sgn___t);            /* whole enum */
	r += core_type_exists(f32_t___t);             /* FLOAT: no match, 0 */
	r += core_type_exists(struct missing___t);    /* no candidate, 0 */
	r += core_type_size(struct missing___t);      /* no candidate, 0 */
	return r;
}

LICENSE;
