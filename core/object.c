// SPDX-License-Identifier: MIT
/*
 * object.c - load a BPF ELF object: its local .BTF and the CO-RE records of
 * its .BTF.ext (SEMANTICS.md §2).
 *
 * .BTF.ext layout (offsets relative to the end of the header):
 *
 *   +------------------------+ 0
 *   | btf_ext_header         | magic 0xEB9F, hdr_len (24, or 32 with CO-RE)
 *   +------------------------+ hdr_len
 *   | func_info   subsection | u32 rec_size; { sec_name_off, num_info, recs }*
 *   | line_info   subsection | same
 *   | core_relo   subsection | same, records are struct bpf_core_relo
 *   +------------------------+
 *
 * Every subsection is bounds-checked like libbpf's btf_ext_setup_info();
 * only core_relo records are kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "elf/elf_file.h"

#define CORE_MAX_RELOS	(1u << 24)	/* far above any real object (libbpf-tools max: ~300) */

struct ext_sub {
	const char *what;
	u32 off, len;
	u32 min_rec;
};

void core_obj_free(struct core_obj *obj)
{
	if (!obj)
		return;
	btf_free(obj->btf);
	xfree(obj->relos);
	xfree(obj->name);
	xfree(obj);
}

/*
 * Validate one info subsection; when @keep is set, also append its records
 * (they must be struct bpf_core_relo) to obj->relos.
 */
static int parse_subsection(struct core_obj *obj, const u8 *base, u32 body_len,
			    const struct ext_sub *sub, bool le, bool keep)
{
	struct rd r;
	u32 rec_size, grp = 0;
	size_t cap = 0;
	int err;

	if (sub->len == 0)
		return 0;
	if (sub->off % 4) {
		pr_warn("%s: .BTF.ext %s: offset %u is not 4-byte aligned", obj->name, sub->what,
			sub->off);
		return -EINVAL;
	}
	if (!range_ok(sub->off, sub->len, body_len)) {
		pr_warn("%s: .BTF.ext %s: %u+%u exceeds section data (%u bytes)", obj->name,
			sub->what, sub->off, sub->len, body_len);
		return -EINVAL;
	}
	r = rd_init(base + sub->off, sub->len, le);
	rec_size = rd_u32(&r);
	if (r.err || rec_size < sub->min_rec || rec_size % 4 ||
	    (le != host_is_le() && rec_size != sub->min_rec)) {
		pr_warn("%s: .BTF.ext %s: bad record size %u", obj->name, sub->what, rec_size);
		return -EINVAL;
	}
	if (r.off == r.len) {
		pr_warn("%s: .BTF.ext %s: no section groups", obj->name, sub->what);
		return -EINVAL;
	}
	while (r.off < r.len) {
		size_t grp_off = r.off;
		u32 sec_name_off = rd_u32(&r), num = rd_u32(&r), i;
		const char *sec_name;
		u64 total;

		total = (u64)num * rec_size;
		if (r.err || num == 0 || total > r.len - r.off) {
			pr_warn("%s: .BTF.ext %s: group %u at offset %zu: %s (num_info %u, rec_size %u)",
				obj->name, sub->what, grp, grp_off,
				r.err ? "truncated header" : num ? "records overrun the subsection" :
				"num_info is 0", num, rec_size);
			return -EINVAL;
		}
		sec_name = btf_str(obj->btf, sec_name_off);
		if (!sec_name) {
			pr_warn("%s: .BTF.ext %s: group %u: section name offset %u out of range",
				obj->name, sub->what, grp, sec_name_off);
			return -EINVAL;
		}
		if (!keep) {
			rd_skip(&r, (size_t)total);
			grp++;
			continue;
		}
		if (obj->nr_relos + (u64)num > CORE_MAX_RELOS) {
			pr_warn("%s: .BTF.ext %s: more than %u relocations", obj->name, sub->what,
				CORE_MAX_RELOS);
			return -E2BIG;
		}
		err = util_ensure_mem((void **)&obj->relos, &cap, sizeof(*obj->relos),
				      obj->nr_relos + (size_t)num, CORE_MAX_RELOS);
		if (err) {
			pr_warn("%s: .BTF.ext %s: out of memory", obj->name, sub->what);
			return err;
		}
		for (i = 0; i < num; i++) {
			struct core_relo_rec *rec = &obj->relos[obj->nr_relos];
			size_t rec_off = r.off;
			struct bpf_core_relo *relo = &rec->relo;

			relo->insn_off = rd_u32(&r);
			relo->type_id = rd_u32(&r);
			relo->access_str_off = rd_u32(&r);
			relo->kind = rd_u32(&r);
			rd_skip(&r, rec_size - sizeof(*relo));
			rec->sec_name = sec_name;
			rec->sec_idx = i;
			if (relo->kind > BPF_CORE_RELO_KIND_MAX || relo->type_id >= obj->btf->nr_types ||
			    !btf_str(obj->btf, relo->access_str_off)) {
				pr_warn("%s: .BTF.ext core_relo: relo #%u (section '%s', byte offset %zu): "
					"invalid %s %u", obj->name, obj->nr_relos, sec_name,
					sub->off + rec_off,
					relo->kind > BPF_CORE_RELO_KIND_MAX ? "kind" :
					relo->type_id >= obj->btf->nr_types ? "type id" :
					"access string offset",
					relo->kind > BPF_CORE_RELO_KIND_MAX ? relo->kind :
					relo->type_id >= obj->btf->nr_types ? relo->type_id :
					relo->access_str_off);
				return -EINVAL;
			}
			obj->nr_relos++;
		}
		grp++;
	}
	return 0;
}

int core_btf_ext_parse(struct core_obj *obj, const void *data, size_t size)
{
	const u8 *b = data;
	bool le;
	u32 hdr_len, body_len;
	struct ext_sub subs[3] = {
		{ "func_info", 0, 0, 8 },
		{ "line_info", 0, 0, 16 },
		{ "core_relo", 0, 0, sizeof(struct bpf_core_relo) },
	};
	struct rd r;
	int i, err;

	obj->has_ext = true;
	if (size < BTF_EXT_HDR_MIN_LEN) {
		pr_warn("%s: .BTF.ext header: truncated (%zu bytes)", obj->name, size);
		return -EINVAL;
	}
	if (b[0] == 0x9f && b[1] == 0xeb)
		le = true;
	else if (b[0] == 0xeb && b[1] == 0x9f)
		le = false;
	else {
		pr_warn("%s: .BTF.ext header: bad magic 0x%02x%02x", obj->name, b[1], b[0]);
		return -EINVAL;
	}
	r = rd_init(b, size, le);
	rd_skip(&r, 2);
	if (rd_u8(&r) != 1 || rd_u8(&r) != 0) {
		pr_warn("%s: .BTF.ext header: unsupported version %u / flags 0x%x", obj->name, b[2],
			b[3]);
		return -ENOTSUP;
	}
	hdr_len = rd_u32(&r);
	if (hdr_len < BTF_EXT_HDR_MIN_LEN || hdr_len > size || hdr_len % 4) {
		pr_warn("%s: .BTF.ext header: bad hdr_len %u (section size %zu)", obj->name, hdr_len,
			size);
		return -EINVAL;
	}
	for (i = 0; i < 3; i++) {
		if (i == 2 && hdr_len < BTF_EXT_HDR_CORE_LEN)
			break;
		subs[i].off = rd_u32(&r);
		subs[i].len = rd_u32(&r);
	}
	body_len = (u32)(size - hdr_len);
	if (body_len == 0) {
		/* libbpf refuses it too ("BTF.ext has no data") */
		pr_warn("%s: .BTF.ext: no data after the %u-byte header", obj->name, hdr_len);
		return -EINVAL;
	}
	for (i = 0; i < 3; i++) {
		err = parse_subsection(obj, b + hdr_len, body_len, &subs[i], le, i == 2);
		if (err)
			return err;
	}
	return 0;
}

int core_obj_load(const void *elf_data, size_t size, const char *name, struct core_obj **out)
{
	struct elf_file *ef = NULL;
	struct core_obj *obj = NULL;
	const void *sec;
	size_t sec_size;
	int err;

	*out = NULL;
	err = elf_parse(elf_data, size, name, &ef);
	if (err)
		return err;
	if (elf_machine(ef) != ELF_MACHINE_BPF) {
		pr_warn("%s: ELF header: e_machine %u is not BPF (%u)", name, elf_machine(ef),
			ELF_MACHINE_BPF);
		err = -EINVAL;
		goto out;
	}
	if (elf_find_section(ef, ".BTF", &sec, &sec_size)) {
		err = CORE_OBJ_NO_BTF;
		goto out;
	}
	obj = xcalloc(1, sizeof(*obj));
	if (!obj) {
		pr_warn("%s: out of memory", name);
		err = -ENOMEM;
		goto out;
	}
	obj->name = xstrdup(name);
	if (!obj->name) {
		pr_warn("%s: out of memory", name);
		err = -ENOMEM;
		goto out;
	}
	err = btf_parse(sec, sec_size, obj->name, &obj->btf);
	if (err)
		goto out;
	btf_set_ptr_sz(obj->btf, elf_is_64(ef) ? 8 : 4);
	if (elf_find_section(ef, ".BTF.ext", &sec, &sec_size) == 0) {
		err = core_btf_ext_parse(obj, sec, sec_size);
		if (err)
			goto out;
	}
	err = obj->nr_relos ? CORE_OBJ_OK : CORE_OBJ_NO_RELOS;
	*out = obj;
	obj = NULL;
out:
	core_obj_free(obj);
	elf_free(ef);
	return err;
}

static int scan_one(const void *data, size_t size, const char *name, core_obj_fn fn, void *ctx)
{
	struct core_obj *obj = NULL;
	int err;

	err = core_obj_load(data, size, name, &obj);
	if (err < 0)
		return err;
	if (err == CORE_OBJ_NO_BTF) {
		pr_warn("warning: %s: BPF object has no .BTF section (built without -g?): contributes nothing",
			name);
		return 0;
	}
	if (err == CORE_OBJ_NO_RELOS) {
		pr_warn("warning: %s: BPF object has %s: contributes nothing", name,
			obj->has_ext ? "no CO-RE relocations" : "no .BTF.ext section");
		core_obj_free(obj);
		return 0;
	}
	pr_info("%s: %u CO-RE relocations", name, obj->nr_relos);
	return fn(obj, ctx);
}

int core_obj_scan(const void *data, size_t size, const char *name, core_obj_fn fn, void *ctx)
{
	struct elf_file *ef = NULL;
	size_t off, len, from = 0;
	unsigned nr = 0;
	char *oname = NULL;
	int err;

	if (!elf_is_elf(data, size)) {
		pr_warn("%s: not an ELF file", name);
		return -EINVAL;
	}
	err = elf_parse(data, size, name, &ef);
	if (err)
		return err;
	if (elf_machine(ef) == ELF_MACHINE_BPF) {
		err = scan_one(data, size, name, fn, ctx);
		goto out;
	}
	oname = xmalloc(strlen(name) + 64);
	if (!oname) {
		pr_warn("%s: out of memory", name);
		err = -ENOMEM;
		goto out;
	}
	while (elf_find_embedded_bpf(data, size, from, &off, &len) == 1) {
		if (nr == CORE_MAX_EMBEDDED) {
			pr_warn("%s: more than %u embedded BPF objects", name, CORE_MAX_EMBEDDED);
			err = -E2BIG;
			goto out;
		}
		sprintf(oname, "%s[bpf#%u@0x%zx]", name, nr, off);
		err = scan_one((const u8 *)data + off, len, oname, fn, ctx);
		if (err)
			goto out;
		nr++;
		from = off + len;
	}
	if (!nr) {
		pr_warn("%s: ELF e_machine %u is not BPF and embeds no BPF object", name,
			elf_machine(ef));
		err = -EINVAL;
	}
out:
	xfree(oname);
	elf_free(ef);
	return err;
}

int core_objs_push(struct core_obj *obj, void *objs)
{
	struct core_objs *l = objs;
	int err = util_ensure_mem((void **)&l->v, &l->cap, sizeof(*l->v), l->n + 1, SIZE_MAX / 8);

	if (err) {
		pr_warn("%s: out of memory", obj->name);
		core_obj_free(obj);
		return err;
	}
	l->v[l->n++] = obj;
	return 0;
}

void core_objs_free(struct core_objs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		core_obj_free(l->v[i]);
	xfree(l->v);
	memset(l, 0, sizeof(*l));
}
