// SPDX-License-Identifier: MIT
/*
 * select.c - `btfgen select` and `btfgen install`: the other half of the
 * workflow, on the target machine. The host facts (hub_host_facts), the
 * collection (hub_coll_open) and the matching (hub_match) are the hub
 * library's; this file prints and writes.
 *
 *   select   prints the chosen entry's path inside the collection
 *   install  writes the chosen BTF: an ELF with a .BTF section at
 *            ROOT/boot/vmlinux-RELEASE (libbpf and cilium/ebpf look there),
 *            or with --format raw the bare BTF at --output
 *
 * Exit: 0 picked (or nothing needed: the kernel has its own BTF), 1 no
 * pick or an error, 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "elf/elf_file.h"
#include "util/json.h"

/* The section that marks an ELF as written by `btfgen install`. */
#define INSTALL_MARK_SECTION	".btfgen"

struct pick {
	struct hub_host h;
	struct hub_coll c;
	struct hub_match m;
	bool needed;		/* the kernel lacks its own BTF (or --force) */
	bool have_coll;
};

static void print_steps(const struct hub_match *m)
{
	size_t i;

	for (i = 0; i < m->nr_steps; i++)
		fprintf(stderr, "btfgen: step %zu, %s: %s: %s\n", i + 1,
			hub_step_name(m->steps[i].step), m->steps[i].tried, m->steps[i].result);
}

/*
 * The host facts, and unless the kernel has its own BTF, the pick. Returns
 * 0 (see p->needed, p->m.pick), EXIT_USAGE, or a negative errno (said).
 */
static int pick(const struct cli_opts *o, struct pick *p, const char *cmd)
{
	struct hub_match_opts mo = { .allow_nearest = o->allow_nearest };
	char vmlinux[HUB_HOST_PATH_MAX + 32];
	int err;

	memset(p, 0, sizeof(*p));
	p->m.pick = -1;
	if (!o->from)
		return cli_usage_error(cmd, "--from COLLECTION is required");
	err = hub_host_facts(&o->host, &p->h);
	if (err) {
		pr_warn("%s: can't tell this host's kernel release and arch (uname failed): give "
			"--kernel-release and --arch", cmd);
		return err;
	}
	p->needed = !p->h.kernel_has_btf || o->force;
	if (!p->needed) {
		snprintf(vmlinux, sizeof(vmlinux), "%s/sys/kernel/btf/vmlinux",
			 strcmp(p->h.root, "/") ? p->h.root : "");
		pr_warn("%s: %s: the kernel has its own BTF: nothing needed (--force picks anyway)",
			cmd, vmlinux);
		return 0;
	}
	if (o->explain)
		fprintf(stderr, "btfgen: host: root %s, os-release %s%s, ID=%s VERSION_ID=%s "
			"ID_LIKE=%s, release %s, arch %s%s\n", p->h.root,
			p->h.have_os_release ? p->h.os_release_path : "(none found or readable)", "",
			p->h.osr.id, p->h.osr.version_id, p->h.osr.id_like, p->h.release, p->h.arch,
			p->h.kernel_has_btf ? ", the kernel has its own BTF" : "");
	err = hub_coll_open(o->from, &p->c);
	if (err)
		return err;
	p->have_coll = true;
	err = hub_match(&p->c, &p->h, &mo, &p->m);
	if (o->explain)
		print_steps(&p->m);
	if (err == -ENOENT)
		return 0;
	if (p->m.note[0])
		pr_warn("note: %s", p->m.note);
	if (p->m.warning[0])
		pr_warn("warning: %s", p->m.warning);
	return err;
}

static void pick_free(struct pick *p)
{
	if (p->have_coll)
		hub_coll_free(&p->c);
}

static void json_host(struct json_w *w, const struct pick *p)
{
	json_w_key(w, "host");
	json_w_obj_begin(w, JSON_INLINE);
	json_w_key(w, "root");
	json_w_str(w, p->h.root);
	json_w_key(w, "os_release");
	json_w_str(w, p->h.have_os_release ? p->h.os_release_path : NULL);
	json_w_key(w, "id");
	json_w_str(w, p->h.osr.id);
	json_w_key(w, "version_id");
	json_w_str(w, p->h.osr.version_id);
	json_w_key(w, "id_like");
	json_w_str(w, p->h.osr.id_like);
	json_w_key(w, "release");
	json_w_str(w, p->h.release);
	json_w_key(w, "arch");
	json_w_str(w, p->h.arch);
	json_w_key(w, "kernel_has_btf");
	json_w_bool(w, p->h.kernel_has_btf);
	json_w_obj_end(w);
}

static int print_json(const struct pick *p)
{
	const struct hub_match *m = &p->m;
	struct json_w w;
	char *text = NULL;
	size_t len, i;
	int err;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_host(&w, p);
	json_w_key(&w, "needed");
	json_w_bool(&w, p->needed);
	json_w_key(&w, "steps");
	json_w_arr_begin(&w, JSON_LINES);
	for (i = 0; i < m->nr_steps; i++) {
		json_w_obj_begin(&w, JSON_INLINE);
		json_w_key(&w, "step");
		json_w_str(&w, hub_step_name(m->steps[i].step));
		json_w_key(&w, "tried");
		json_w_str(&w, m->steps[i].tried);
		json_w_key(&w, "found");
		json_w_bool(&w, m->steps[i].found);
		json_w_key(&w, "result");
		json_w_str(&w, m->steps[i].result);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_key(&w, "pick");
	json_w_str(&w, m->pick >= 0 ? p->c.t.v[m->pick].path : NULL);
	json_w_key(&w, "by");
	json_w_str(&w, m->pick >= 0 ? hub_step_name(m->by) : NULL);
	json_w_key(&w, "note");
	json_w_str(&w, m->note[0] ? m->note : NULL);
	json_w_key(&w, "warning");
	json_w_str(&w, m->warning[0] ? m->warning : NULL);
	json_w_key(&w, "why");
	json_w_str(&w, p->needed && m->pick < 0 ? m->why : NULL);
	json_w_obj_end(&w);
	err = json_w_finish(&w, &text, &len);
	json_w_free(&w);
	if (err) {
		pr_warn("select: out of memory");
		return err;
	}
	fwrite(text, 1, len, stdout);
	xfree(text);
	return 0;
}

int cmd_select(const struct cli_opts *o, int argc, char **argv)
{
	struct pick p;
	int err, rc = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	err = pick(o, &p, "select");
	if (err == EXIT_USAGE) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (err < 0)
		goto out;
	if (o->json && print_json(&p))
		goto out;
	if (p.needed && p.m.pick < 0) {
		pr_warn("select: %s: %s", o->from, p.m.why);
		goto out;
	}
	if (p.needed && !o->json)
		printf("%s\n", p.c.t.v[p.m.pick].path);
	rc = EXIT_SUCCESS;
out:
	pick_free(&p);
	return rc;
}

/* Is the file at @path one `btfgen install` wrote (so it may be replaced)? */
static bool ours(const char *path, bool raw, bool *exists)
{
	struct util_file f;
	struct elf_file *ef = NULL;
	struct diag_cap prev;
	const void *sec;
	size_t sec_size;
	char buf[256];
	struct stat st;
	bool yes = false;

	*exists = lstat(path, &st) == 0;
	if (!*exists)
		return false;
	prev = diag_capture(buf, sizeof(buf));	/* a foreign file is not an error */
	if (!util_file_open_at(AT_FDCWD, path, path, UTIL_F_NOFOLLOW | UTIL_F_QUIET,
			       util_limits.input_size, &f)) {
		if (raw)
			yes = btf_is_raw(f.data, f.size);
		else if (elf_is_elf(f.data, f.size) && !elf_parse(f.data, f.size, path, &ef))
			yes = !elf_find_section(ef, INSTALL_MARK_SECTION, &sec, &sec_size) &&
			      sec_size > 6 && !memcmp(sec, "btfgen", 6);
		elf_free(ef);
		util_file_close(&f);
	}
	diag_capture_restore(prev);
	return yes;
}

/* The ELF image: the host's class and machine, the BTF's byte order, one .BTF section, our mark. */
static int wrap_elf(const struct pick *p, const void *btf, size_t size, void **out,
		    size_t *out_len)
{
	char mark[512];
	struct elf_out_sec secs[2] = {
		{ .name = ".BTF", .type = ELF_SHT_PROGBITS, .align = 4, .data = btf, .size = size },
		{ .name = INSTALL_MARK_SECTION, .type = ELF_SHT_PROGBITS, .align = 1, .data = mark },
	};
	unsigned machine;
	bool is64, le;

	if (elf_machine_of(p->h.arch, &machine, &is64, &le)) {
		pr_warn("install: arch %s: no ELF machine known for it (--format raw writes the bare "
			"BTF)", p->h.arch);
		return -ENOTSUP;
	}
	/*
	 * The byte order is the BTF's (cilium/ebpf refuses an ELF whose order
	 * differs from its .BTF's, and uname -m says "mips" for both orders);
	 * the class is the host's (libbpf takes the pointer size from it).
	 */
	le = size >= 2 && ((const unsigned char *)btf)[0] == 0x9f;
	secs[1].size = (size_t)snprintf(mark, sizeof(mark), "btfgen %s install: %.400s",
					BTFGEN_VERSION, p->c.t.v[p->m.pick].path) + 1;
	if (secs[1].size > sizeof(mark))
		secs[1].size = sizeof(mark);
	return elf_write(is64, le, machine, secs, ARRAY_SIZE(secs), out, out_len);
}

int cmd_install(const struct cli_opts *o, int argc, char **argv)
{
	struct pick p;
	const void *btf;
	void *owned = NULL, *image = NULL;
	size_t size, image_len;
	char *dest = NULL;
	bool exists;
	int err, rc = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	err = pick(o, &p, "install");
	if (err == EXIT_USAGE) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (err < 0)
		goto out;
	if (!p.needed) {
		rc = EXIT_SUCCESS;
		goto out;
	}
	if (p.m.pick < 0) {
		pr_warn("install: %s: %s", o->from, p.m.why);
		goto out;
	}
	if (o->format_raw && !o->output) {
		/* libbpf takes raw BTF at /boot/vmlinux-R, cilium/ebpf only an ELF */
		rc = cli_usage_error("install", "--format raw needs --output PATH (ROOT/boot/vmlinux-RELEASE is for the ELF form)");
		goto out;
	}
	if (o->output) {
		dest = xstrdup(o->output);
	} else {
		size_t n = strlen(p.h.root) + strlen(p.h.release) + 16;

		dest = xmalloc(n);
		if (dest)
			snprintf(dest, n, "%s/boot/vmlinux-%s", strcmp(p.h.root, "/") ? p.h.root : "",
				 p.h.release);
	}
	if (!dest) {
		pr_warn("install: out of memory");
		goto out;
	}
	if (!ours(dest, o->format_raw, &exists) && exists && !o->force) {
		pr_warn("install: %s: exists and was not written by btfgen install: left alone "
			"(--force replaces it)", dest);
		goto out;
	}
	err = hub_coll_read(&p.c, (size_t)p.m.pick, &owned, &btf, &size);
	if (!err && !o->format_raw)
		err = wrap_elf(&p, btf, size, &image, &image_len);
	if (!err)
		err = util_write_file_mode(dest, image ? image : btf, image ? image_len : size, 0644);
	if (err)
		goto out;
	pr_info("install: %s: %s of %s (%zu bytes of BTF)", dest, o->format_raw ? "raw BTF" : "ELF",
		p.c.t.v[p.m.pick].path, size);
	printf("%s\n", dest);
	rc = EXIT_SUCCESS;
out:
	xfree(image);
	xfree(owned);
	xfree(dest);
	pick_free(&p);
	return rc;
}
