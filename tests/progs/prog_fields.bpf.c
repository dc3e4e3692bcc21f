/* CO-RE field relocations (kinds 0-5) against kern_basic.
 * Local types use ___flavor suffixes; member names must match exactly. */
#include "core_min.h"

typedef unsigned int u32___l;
typedef u32___l my_u32___l;

struct inner___l {
	int a;
	int b;
	char name[16];
} __pai;

enum sgn___l { S_NEG___l = -5 };

struct foo___l {
	int x;
	unsigned int bf2:5;                /* real: after bf1:3 */
	int sbf:4;
	long anon_b;                       /* real: inside an anonymous struct */
	union {
		u32___l ua;                    /* real: inside an anonymous union */
	};
	struct inner___l in;
	struct inner___l *pin;
	struct inner___l arr[4];
	int mat[2][3];
	const volatile int cv;
	my_u32___l td;
	enum sgn___l sg;
	void *fp;                          /* real: struct fwd_only * */
	double d;
	long missing;                      /* not in the kernel */
	int flex[];
} __pai;

/* same kernel struct, other flavor: x has an incompatible type */
struct foo___bad {
	int *x;
} __pai;

/* typedef root: local foo2_t___l finds kernel TYPEDEF foo2_t */
struct foo___td {
	struct foo___td *next;
} __pai;
typedef struct foo___td foo2_t___l;

union val___l {
	unsigned long long full;
	struct {
		u32___l lo;
		u32___l hi;
	} parts;
} __pai;

typedef struct {
	int counter;
} __pai atomic_t___l;                  /* root is the TYPEDEF atomic_t */

struct task___l {
	int pid;
	atomic_t___l refs;
	struct task___l *parent;
	union val___l v;
} __pai;

/* type absent from the kernel */
struct nosuch___l {
	int q;
} __pai;

SEC("kprobe/fields")
int fields(void *ctx)
{
	struct foo___l *p = ctx;
	struct foo___bad *pb = ctx;
	foo2_t___l *pt = ctx;
	struct task___l *t = ctx;
	struct nosuch___l *n = ctx;
	struct inner___l *q = ctx;
	union val___l *v = ctx;
	atomic_t___l *at = ctx;
	long r = 0;

	r += p->x;                                   /* BYTE_OFFSET 0:0 */
	r += core_field_offset(p->bf2);              /* bitfield load unit */
	r += core_field_size(p->bf2);
	r += core_field_lshift(p->bf2);
	r += core_field_rshift(p->bf2);
	r += core_field_signed(p->sbf);              /* signed bitfield */
	r += core_field_lshift(p->sbf);
	r += core_field_rshift(p->sbf);
	r += p->anon_b;                              /* anon struct hop */
	r += p->ua;                                  /* anon union hop */
	r += p->in.b;                                /* nested struct */
	r += p->arr[2].name[3];                      /* array of structs, char[] */
	r += p->mat[1][2];                           /* 2-D array (clang emits 0:9:1 + 8) */
	r += core_field_size(p->cv);                 /* const volatile */
	r += core_field_signed(p->td);               /* typedef chain: 0 */
	r += core_field_signed(p->sg);               /* signed enum: 1 */
	r += core_field_offset(p->fp);               /* ptr to FWD, not followed */
	r += core_field_offset(p->d);                /* FLOAT member */
	r += p->flex[1];                             /* flexible array */
	r += core_field_exists(p->x);                /* 1 */
	r += core_field_exists(p->missing);          /* 0, nothing marked */
	r += p->pin->a;                              /* 2 relos: foo.pin, inner.a */
	r += core_field_exists(pb->x);               /* 0: int* vs int */
	r += core_field_offset(pt->next);            /* typedef-chain root */
	r += t->v.parts.hi;                          /* union -> named struct */
	r += t->parent->pid;                         /* 2 relos on task */
	r += core_field_exists(n->q);                /* no candidate */
	r += q[2].b;                                 /* pointer-as-array: 2:1 */
	r += v->full;                                /* union root */
	r += t->refs.counter;                        /* member typedef -> anon struct */
	r += at->counter;                            /* typedef root -> anon struct */
	r += (long)__builtin_preserve_access_index(&p->in.a); /* explicit builtin */
	return r;
}

LICENSE;
