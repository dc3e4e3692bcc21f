/* Example CO-RE program: process-tree fields, as execsnoop-like tools read. */
#include "../progs/core_min.h"

typedef int pid_t;
typedef unsigned long long u64;

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} __pai;

struct kernfs_node {
	u64 id;
} __pai;

struct cgroup {
	struct kernfs_node *kn;
} __pai;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
} __pai;

struct css_set {
	struct cgroup_subsys_state *subsys[14];
} __pai;

struct task_struct {
	unsigned int __state;
	pid_t pid;
	pid_t tgid;
	char comm[16];
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct css_set *cgroups;
	unsigned int flags;
} __pai;

/* kernels before 5.14 call it 'state' (a long) */
struct task_struct___old {
	long state;
} __pai;

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

SEC("tp_btf/sched_process_exec")
long handle_exec(struct task_struct *t)
{
	long r = 0;

	r += t->pid + t->tgid + t->real_parent->tgid;
	r += t->comm[1];
	r += (long)t->mm->arg_start + (long)t->mm->arg_end;
	r += (long)t->cgroups->subsys[0]->cgroup->kn->id;
	if (__builtin_preserve_field_info(((struct task_struct___old *)t)->state, FI_EXISTS))
		r += ((struct task_struct___old *)t)->state;
	else
		r += t->__state;
	r += core_field_size(t->flags);
	r += core_type_exists(struct css_set);
	r += core_type_size(struct mm_struct);
	r += core_enum_value(enum pid_type, PIDTYPE_TGID);
	return r;
}

LICENSE;
