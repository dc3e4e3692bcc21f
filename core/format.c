// SPDX-License-Identifier: MIT
/*
 * format.c - CO-RE specs and outcomes as text for people: the raw access
 * string, the access written as C, and why a candidate did not match.
 * Every function writes into a caller buffer (truncating) and returns it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

/* Append to @buf (size @n) at *@pos, truncating. */
static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*pos >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *pos, n - *pos, fmt, ap);
	va_end(ap);
	if (w > 0)
		*pos += (size_t)w < n - *pos ? (size_t)w : n - *pos - 1;
}

static const char *str_or(const struct btf *btf, u32 off, const char *dflt)
{
	const char *s = btf_str(btf, off);

	return s && s[0] ? s : dflt;
}

char *core_type_str(const struct btf *btf, u32 id, char *buf, size_t n)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	const char *name;

	if (!t) {
		snprintf(buf, n, "[%u]", id);
		return buf;
	}
	name = str_or(btf, t->name_off, "(anon)");
	switch (btf_kind(t)) {
	case BTF_KIND_UNKN:
		snprintf(buf, n, "void");
		break;
	case BTF_KIND_STRUCT:
		snprintf(buf, n, "struct %s", name);
		break;
	case BTF_KIND_UNION:
		snprintf(buf, n, "union %s", name);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, n, "enum %s", name);
		break;
	case BTF_KIND_FWD:
		snprintf(buf, n, "%s %s", btf_kflag(t) ? "union" : "struct", name);
		break;
	case BTF_KIND_TYPEDEF:
		snprintf(buf, n, "typedef %s", name);
		break;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		snprintf(buf, n, "%s", name);
		break;
	case BTF_KIND_ARRAY:
		snprintf(buf, n, "array[%u]", btf_array(t)->nelems);
		break;
	case BTF_KIND_PTR:
		snprintf(buf, n, "pointer");
		break;
	default:
		snprintf(buf, n, "%s %s", btf_kind_str(btf_kind(t)), name);
		break;
	}
	return buf;
}

char *core_spec_raw_str(const struct core_spec *spec, char *buf, size_t n)
{
	size_t pos = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < spec->raw_len; i++)
		app(buf, n, &pos, i ? ":%u" : "%u", spec->raw_spec[i]);
	return buf;
}

char *core_spec_c_str(const struct core_spec *spec, char *buf, size_t n)
{
	const struct btf *btf = spec->btf;
	size_t pos = 0;
	bool first_member = true;
	int i;

	core_type_str(btf, spec->root_type_id, buf, n);
	pos = strlen(buf);
	if (core_relo_is_type(spec->relo_kind) || spec->len == 0)
		return buf;
	if (core_relo_is_enumval(spec->relo_kind)) {
		app(buf, n, &pos, "::%s", spec->spec[0].name ? spec->spec[0].name : "?");
		return buf;
	}
	/* accessor 0 is the pointer-as-array index: p->x is p[0].x */
	if (spec->spec[0].idx)
		app(buf, n, &pos, "[%u]", spec->spec[0].idx);
	for (i = 1; i < spec->len; i++) {
		const struct core_accessor *acc = &spec->spec[i];

		if (!acc->name) {
			app(buf, n, &pos, "[%u]", acc->idx);
			continue;
		}
		app(buf, n, &pos, "%s%s", first_member && !spec->spec[0].idx ? "->" : ".",
		    acc->name);
		first_member = false;
	}
	return buf;
}

char *core_fail_str(const struct core_spec *local, const struct core_spec *fail, char *buf,
		    size_t n)
{
	const struct core_accessor *lacc = NULL;
	char ty[128];
	u32 tid;

	if (fail->fail_acc >= 0 && fail->fail_acc < local->len)
		lacc = &local->spec[fail->fail_acc];
	btf_skip_mods_and_typedefs(fail->btf, fail->fail_type_id, &tid);
	core_type_str(fail->btf, tid, ty, sizeof(ty));
	switch (fail->fail) {
	case CORE_FAIL_FIELD_MISSING:
		snprintf(buf, n, "field %s missing in %s", lacc && lacc->name ? lacc->name : "?",
			 ty);
		break;
	case CORE_FAIL_FIELD_INCOMPAT:
		snprintf(buf, n, "field %s of %s has an incompatible type",
			 lacc && lacc->name ? lacc->name : "?", ty);
		break;
	case CORE_FAIL_NOT_COMPOSITE:
		snprintf(buf, n, "%s is not a struct or union (field %s)", ty,
			 lacc && lacc->name ? lacc->name : "?");
		break;
	case CORE_FAIL_NOT_ARRAY:
		snprintf(buf, n, "%s is not an array (index %u)", ty, lacc ? lacc->idx : 0);
		break;
	case CORE_FAIL_OUT_OF_BOUNDS:
		snprintf(buf, n, "index %u out of bounds of %s", lacc ? lacc->idx : 0, ty);
		break;
	case CORE_FAIL_TYPE_INCOMPAT:
		core_type_str(fail->btf, fail->root_type_id, ty, sizeof(ty));
		snprintf(buf, n, "%s %s the local type", ty,
			 local->relo_kind == BPF_CORE_TYPE_MATCHES ? "does not match" :
			 "is not compatible with");
		break;
	case CORE_FAIL_NOT_ENUM:
		snprintf(buf, n, "%s is not an enum", ty);
		break;
	case CORE_FAIL_ENUMVAL_MISSING:
		snprintf(buf, n, "enumerator %s missing in %s",
			 local->spec[0].name ? local->spec[0].name : "?", ty);
		break;
	default:
		snprintf(buf, n, "no match");
		break;
	}
	return buf;
}

char *core_result_why(const struct core_relo_result *r, char *buf, size_t n)
{
	char ty[160];

	if (!r->local) {
		snprintf(buf, n, "no match");
	} else if (r->res.nr_cands == 0) {
		core_type_str(r->obj->btf, r->rec->relo.type_id, ty, sizeof(ty));
		snprintf(buf, n, "no %s in target", ty);
	} else if (r->fail) {
		core_fail_str(r->local, r->fail, buf, n);
	} else {
		snprintf(buf, n, "no candidate matches");
	}
	return buf;
}
