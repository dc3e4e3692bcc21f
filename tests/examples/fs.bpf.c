/* Example CO-RE program: file and inode fields, as filetop-like tools read. */
#include "../progs/core_min.h"

typedef unsigned int u32;
typedef unsigned short umode_t;
typedef long long loff_t;
typedef u32 dev_t;

struct qstr {
	const unsigned char *name;
} __pai;

struct super_block {
	dev_t s_dev;
} __pai;

struct inode {
	umode_t i_mode;
	loff_t i_size;
	struct super_block *i_sb;
} __pai;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
} __pai;

struct path {
	struct dentry *dentry;
} __pai;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
} __pai;

struct hlist_node {
	struct hlist_node *next, **pprev;
};

SEC("kprobe/vfs_read")
long handle_read(struct file *f)
{
	long r = 0;

	r += (long)f->f_path.dentry->d_name.name;
	r += (long)f->f_path.dentry->d_parent->d_name.name;
	r += f->f_inode->i_mode + f->f_inode->i_size;
	r += f->f_inode->i_sb->s_dev;
	r += f->f_flags;
	r += core_type_matches(struct hlist_node);
	return r;
}

LICENSE;
