/* Synthetic "kernel" for btfgen tests: its .BTF section is the source BTF.
 * Build: clang -g -O2 -target bpf -c kern_basic.c -o kern_basic.o
 * No kernel headers. Every type must be reachable from a global variable or a
 * function signature, or clang drops it from .BTF. */

typedef unsigned char u8;
typedef unsigned int u32;
typedef u32 my_u32;                    /* typedef chain: my_u32 -> u32 -> unsigned int */
typedef unsigned long long u64;

struct fwd_only;                       /* never defined: becomes BTF FWD */

struct inner {
	int a;
	int b;
	char name[16];
};

/* function-pointer typedefs (TYPEDEF -> PTR -> FUNC_PROTO) */
typedef int (*cb_t)(struct fwd_only *f, int flags);  /* param points to a FWD */
typedef long (*ok_cb_t)(struct inner *in, long arg); /* no FWD reachable */

enum color { RED, GREEN, BLUE };
enum sgn { S_NEG = -5, S_ZERO = 0, S_POS = 7 };      /* signed enum */
typedef enum color color_t;

struct foo {
	int x;
	unsigned int bf1:3;
	unsigned int bf2:5;
	int sbf:4;                         /* signed bitfield */
	struct {                           /* anonymous struct member */
		int anon_a;
		long anon_b;
	};
	union {                            /* anonymous union member */
		u32 ua;
		u8 ub[4];
	};
	struct inner in;
	struct inner *pin;
	struct inner arr[4];
	int mat[2][3];                     /* multi-dimensional array */
	const volatile int cv;
	my_u32 td;
	enum color col;
	enum sgn sg;
	cb_t cb;
	struct fwd_only *fp;
	struct foo *next;
	double d;                          /* FLOAT */
	int flex[];                        /* flexible array */
};

typedef struct foo foo_t;
typedef foo_t foo2_t;                  /* typedef chain to a struct */

union val {
	u64 full;
	struct {
		u32 lo;
		u32 hi;
	} parts;
};

typedef struct {                       /* typedef of an anonymous struct */
	int counter;
} atomic_t;

struct task {
	int pid;
	atomic_t refs;
	struct task *parent;
	union val v;
	color_t state;
	ok_cb_t ok;
};

typedef float f32_t;
typedef struct inner *inner_p;

/* anchors: keep every type above in .BTF */
foo2_t *g_foo;
struct task *g_task;
union val g_val;
enum sgn g_sgn;
f32_t g_f32;
inner_p g_inner_p;
ok_cb_t g_ok_cb;
cb_t g_cb;
