/* Synthetic "kernel" with BTF type tags and decl tags (as in clang-built
 * kernels: __user/__rcu pointers).
 * Build: clang -g -O2 -target bpf -c kern_tag.c -o kern_tag.o */
#define __user __attribute__((btf_type_tag("user")))
#define __dtag __attribute__((btf_decl_tag("dtag")))

typedef int __user *uptr_t;            /* TYPEDEF -> PTR -> TYPE_TAG -> INT */

struct tagged {
	int val __dtag;                    /* DECL_TAG on a member */
	int __user *up;                    /* PTR -> TYPE_TAG -> INT */
	uptr_t up2;
	long l;
};

struct tagged *g_tagged;
uptr_t g_uptr;
