// SPDX-License-Identifier: MIT
/*
 * relocs.c - `btfgen relocs [--btf KERNEL] [--json] OBJECT...`: every CO-RE
 * relocation of every object and, against KERNEL, what libbpf would do with
 * it: the target type, the value patched in, or why it fails. Uses the same
 * resolver as min_core_btf (core_resolve_obj); without --btf the objects are
 * resolved against an empty BTF, which parses and checks every local spec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/json.h"

struct relocs_ctx {
	bool json, have_btf;
	const struct btf *targ;
	struct core_cand_index *idx;
	struct json_w jw;	/* --json: the array, flushed to stdout after each relocation */
	char errbuf[512];
	/* per object, and in total */
	u32 n, resolved, poisoned, absent, failed;
	u32 tn, tresolved, tpoisoned, tabsent, tfailed;
	/* listed objects stay alive: the candidate index borrows their names */
	struct core_objs done;
};

/* What libbpf would patch in, in words: "offset 1432", "exists 0"... */
static const char *value_word(u32 kind)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET: return "offset";
	case BPF_CORE_FIELD_BYTE_SIZE: return "size";
	case BPF_CORE_FIELD_EXISTS: return "exists";
	case BPF_CORE_FIELD_SIGNED: return "signed";
	case BPF_CORE_FIELD_LSHIFT_U64: return "lshift";
	case BPF_CORE_FIELD_RSHIFT_U64: return "rshift";
	case BPF_CORE_TYPE_ID_LOCAL: return "local type id";
	case BPF_CORE_TYPE_ID_TARGET: return "type id";
	case BPF_CORE_TYPE_EXISTS: return "exists";
	case BPF_CORE_TYPE_SIZE: return "size";
	case BPF_CORE_TYPE_MATCHES: return "matches";
	case BPF_CORE_ENUMVAL_EXISTS: return "exists";
	case BPF_CORE_ENUMVAL_VALUE: return "value";
	default: return "value";
	}
}

static void print_text(const struct relocs_ctx *c, const struct core_relo_result *r)
{
	const struct bpf_core_relo *relo = &r->rec->relo;
	char acc[256], ty[160], why[256], raw[256];

	if (r->local)
		core_spec_c_str(r->local, acc, sizeof(acc));
	else
		core_type_str(r->obj->btf, relo->type_id, acc, sizeof(acc));
	printf("  %s #%u  insn %-4u %-14s %s", r->rec->sec_name, r->rec->sec_idx, relo->insn_off / 8,
	       core_relo_kind_str(relo->kind), acc);
	if (!c->have_btf) {
		if (r->err)
			printf("  => error: %s", c->errbuf);
		putchar('\n');
		return;
	}
	if (r->err) {
		printf("  => error: %s\n", c->errbuf);
		return;
	}
	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		printf("  => %s %llu\n", value_word(relo->kind), (unsigned long long)r->res.new_val);
		return;
	}
	if (r->targ) {
		core_type_str(c->targ, r->targ->root_type_id, ty, sizeof(ty));
		printf("  => [%u] %s", r->targ->root_type_id, ty);
		if (core_relo_is_field(relo->kind))
			printf(" (%s)", core_spec_raw_str(r->targ, raw, sizeof(raw)));
		if (r->res.nr_matches > 1)
			printf(" (+%u more matching)", r->res.nr_matches - 1);
		if (r->res.poison)
			printf(": poisoned\n");
		else
			printf(": %s %llu\n", value_word(relo->kind),
			       (unsigned long long)r->res.new_val);
		return;
	}
	core_result_why(r, why, sizeof(why));
	if (r->res.poison)
		printf("  => poisoned: %s\n", why);
	else
		printf("  => %s %llu: %s\n", value_word(relo->kind), (unsigned long long)r->res.new_val,
		       why);
}

/* Write what the JSON writer holds so far to stdout. */
static void flush_json(struct relocs_ctx *c)
{
	size_t len;
	const char *d = json_w_data(&c->jw, &len);

	fwrite(d, 1, len, stdout);
	json_w_consume(&c->jw);
}

static void print_json(struct relocs_ctx *c, const struct core_relo_result *r)
{
	const struct bpf_core_relo *relo = &r->rec->relo;
	const char *acc_str = btf_str(r->obj->btf, relo->access_str_off);
	struct json_w *w = &c->jw;
	char buf[256], why[256];

	json_w_obj_begin(w, JSON_INLINE);
	json_w_key(w, "object");
	json_w_str(w, r->obj->name);
	json_w_key(w, "section");
	json_w_str(w, r->rec->sec_name);
	json_w_key(w, "index");
	json_w_u64(w, r->rec->sec_idx);
	json_w_key(w, "insn");
	json_w_u64(w, relo->insn_off / 8);
	json_w_key(w, "kind");
	json_w_str(w, core_relo_kind_str(relo->kind));
	json_w_key(w, "local_type_id");
	json_w_u64(w, relo->type_id);
	json_w_key(w, "local_type");
	json_w_str(w, core_type_str(r->obj->btf, relo->type_id, buf, sizeof(buf)));
	json_w_key(w, "access");
	json_w_str(w, acc_str ? acc_str : "");
	if (r->local) {
		json_w_key(w, "access_c");
		json_w_str(w, core_spec_c_str(r->local, buf, sizeof(buf)));
	}
	if (c->have_btf) {
		json_w_key(w, "target_type_id");
		if (r->targ)
			json_w_u64(w, r->targ->root_type_id);
		else
			json_w_null(w);
		json_w_key(w, "target_access");
		if (r->targ && (core_relo_is_field(relo->kind) || core_relo_is_enumval(relo->kind)))
			json_w_str(w, core_spec_raw_str(r->targ, buf, sizeof(buf)));
		else
			json_w_null(w);
		if (r->targ) {
			json_w_key(w, "target_type");
			json_w_str(w, core_type_str(c->targ, r->targ->root_type_id, buf, sizeof(buf)));
		}
		json_w_key(w, "matches");
		json_w_u64(w, r->res.nr_matches);
		json_w_key(w, "value");
		if (r->err || r->res.poison)
			json_w_null(w);
		else
			json_w_u64(w, r->res.new_val);
		json_w_key(w, "poisoned");
		json_w_bool(w, r->res.poison);
		if (!r->err && !r->targ && relo->kind != BPF_CORE_TYPE_ID_LOCAL) {
			core_result_why(r, why, sizeof(why));
			json_w_key(w, "reason");
			json_w_str(w, why);
		}
	}
	json_w_key(w, "error");
	json_w_str(w, r->err ? c->errbuf : NULL);
	json_w_obj_end(w);
	flush_json(c);
}

static int on_result(const struct core_relo_result *r, void *ctx)
{
	struct relocs_ctx *c = ctx;

	c->n++;
	if (r->err)
		c->failed++;
	else if (r->res.poison)
		c->poisoned++;
	else if (r->targ || r->rec->relo.kind == BPF_CORE_TYPE_ID_LOCAL)
		c->resolved++;
	else
		c->absent++;
	if (c->json)
		print_json(c, r);
	else
		print_text(c, r);
	c->errbuf[0] = '\0';
	return 0;
}

static void summary(const char *what, u32 n, u32 resolved, u32 poisoned, u32 absent, u32 failed,
		    bool have_btf)
{
	printf("%s: %u relocation%s", what, n, n == 1 ? "" : "s");
	if (have_btf) {
		printf(", %u resolved, %u poisoned", resolved, poisoned);
		if (absent)
			printf(", %u not found (value 0)", absent);
	}
	if (failed)
		printf(", %u failed", failed);
	putchar('\n');
}

static int list_obj(struct core_obj *obj, void *ctx)
{
	struct relocs_ctx *c = ctx;
	struct core_resolve_ops ops = { .on_result = on_result, .ctx = c };
	struct diag_cap prev;
	u32 k;
	int err = 0;

	for (k = 0; !err && k < obj->nr_relos; k++)
		if (obj->relos[k].relo.kind != BPF_CORE_TYPE_ID_LOCAL)
			err = core_cand_index_want(c->idx, obj->btf, obj->relos[k].relo.type_id);
	if (err) {
		pr_warn("%s: out of memory", obj->name);
		core_obj_free(obj);
		return err;
	}
	err = core_objs_push(obj, &c->done);	/* on failure: said, and @obj freed */
	if (err)
		return err;
	c->n = c->resolved = c->poisoned = c->absent = c->failed = 0;
	if (!c->json)
		printf("%s:\n", obj->name);
	prev = diag_capture(c->errbuf, sizeof(c->errbuf));
	err = core_resolve_obj(c->idx, c->targ, obj, &ops);
	diag_capture_restore(prev);
	if (err == -ENOMEM)	/* captured with the relocations' messages: say it again */
		pr_warn("%s: out of memory", obj->name);
	if (!c->json)
		summary(obj->name, c->n, c->resolved, c->poisoned, c->absent, c->failed,
			c->have_btf);
	c->tn += c->n;
	c->tresolved += c->resolved;
	c->tpoisoned += c->poisoned;
	c->tabsent += c->absent;
	c->tfailed += c->failed;
	return err;
}

int cmd_relocs(const struct cli_opts *o, int argc, char **argv)
{
	struct relocs_ctx c = { .json = o->json, .have_btf = o->btf != NULL };
	struct util_file file = { 0 };
	struct btf *targ = NULL;
	struct btf_writer *w = NULL;
	void *empty = NULL;
	size_t empty_size;
	int i, err;

	json_w_init(&c.jw);
	if (o->btf) {
		err = hub_kernel_load(o->btf, &file, &targ);
	} else {
		/* no target: resolve against an empty BTF to parse and check the local side */
		w = btf_writer_new();
		err = w ? btf_writer_finish(w, false, &empty, &empty_size) : -ENOMEM;
		if (!err)
			err = btf_parse_view(empty, empty_size, "(no target)", &targ);
		if (err)
			pr_warn("out of memory");
	}
	if (err)
		goto out;
	c.targ = targ;
	err = core_cand_index_new(targ, &c.idx);
	if (err) {
		pr_warn("out of memory");
		goto out;
	}
	if (c.json)
		json_w_arr_begin(&c.jw, JSON_LINES);
	for (i = 0; i < argc && !err; i++)
		err = cli_for_each_object(argv[i], list_obj, &c);
	if (c.json) {
		char *rest = NULL;
		size_t len;

		/* the array is closed even after an error: stdout stays valid JSON */
		json_w_arr_end(&c.jw);
		if (json_w_finish(&c.jw, &rest, &len)) {
			pr_warn("out of memory");
			err = err ? err : -ENOMEM;
		} else {
			fwrite(rest, 1, len, stdout);
			xfree(rest);
		}
	} else if (!err && (argc > 1 || c.tn != c.n)) {
		summary("total", c.tn, c.tresolved, c.tpoisoned, c.tabsent, c.tfailed, c.have_btf);
	}
out:
	json_w_free(&c.jw);
	core_cand_index_free(c.idx);
	core_objs_free(&c.done);
	btf_free(targ);
	btf_writer_free(w);
	xfree(empty);
	if (file.data)
		util_file_close(&file);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
