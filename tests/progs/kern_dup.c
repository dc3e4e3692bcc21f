/* Synthetic "kernel" with duplicate-named types (like non-deduplicated kernel BTF,
 * e.g. two struct task_struct). C forbids two file-scope definitions of one
 * tag, so each duplicate is declared in a function's parameter list
 * (prototype scope: a distinct type each time). Type IDs depend on clang's
 * emission order; see tests/expected/README.md.
 * Build: clang -g -O2 -target bpf -c kern_dup.c -o kern_dup.o */
#pragma clang diagnostic ignored "-Wvisibility"

/* struct s: {x,y} then {x,y,z}; x has the same offset in both */
int use_s_a(struct s { int x; int y; } *p) { return p->y; }
int use_s_b(struct s { int x; int y; int z; } *p) { return p->z; }

/* struct t: x at different offsets => field offset ambiguity */
int use_t_a(struct t { int x; int y; } *p) { return p->y; }
int use_t_b(struct t { long w; int x; } *p) { return p->x; }

/* struct same: two identical copies (same size, same layout) */
int use_same_a(struct same { int a; int b; } *p) { return p->a; }
int use_same_b(struct same { int a; int b; } *p) { return p->b; }

/* struct u: same member, different sizes => TYPE_SIZE ambiguity */
int use_u_a(struct u { int a; } *p) { return p->a; }
int use_u_b(struct u { int a; long pad; } *p) { return p->a; }
