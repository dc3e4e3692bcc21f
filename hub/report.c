// SPDX-License-Identifier: MIT
/*
 * report.c - `archive --report FILE`: "on which kernels will my program
 * fail?". Per object, every kernel where some of its relocations resolve to
 * nothing (libbpf poisons them), which relocation and why. JSON when FILE
 * ends in ".json":
 *
 *   {"kernels": 13, "objects": [
 *     {"object": "...", "kernels_with_poisoned_relocations": 1,
 *      "kernels": [{"kernel": "<path>", "relocations": ["<section> #<n> <kind> <access>: <why>"]}]}
 *   ]}
 *
 * else text:
 *
 *   btfgen coverage report: 13 kernels, 43 objects
 *
 *   OBJECT: poisoned relocations on 9 of 13 kernels
 *     <path>: <section> #<n> <kind> <access>: <why>
 *   OBJECT: every relocation resolves on all 13 kernels
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"
#include "util/json.h"

/* The object index a poison line belongs to, and its text after the tab. */
static size_t poison_obj(const char *line, const char **text)
{
	const char *tab = strchr(line, '\t');

	*text = tab ? tab + 1 : line;
	return (size_t)strtoul(line, NULL, 10);
}

static bool poisoned_on(const struct kernel *k, size_t oi)
{
	const char *text;
	size_t j;

	for (j = 0; j < k->nr_poisons; j++)
		if (poison_obj(k->poisons[j], &text) == oi)
			return true;
	return false;
}

static int report_json(const struct archive *a, size_t nk, char **out, size_t *len)
{
	struct json_w w;
	const char *text;
	size_t oi, i, j, bad;
	int err;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, "kernels");
	json_w_u64(&w, nk);
	json_w_key(&w, "objects");
	json_w_arr_begin(&w, JSON_LINES);
	for (oi = 0; oi < a->objs->n; oi++) {
		for (i = bad = 0; i < a->nr_k; i++)
			bad += kernel_has_output(&a->k[i]) && poisoned_on(&a->k[i], oi);
		json_w_obj_begin(&w, JSON_INLINE);
		json_w_key(&w, "object");
		json_w_str(&w, a->objs->v[oi]->name);
		json_w_key(&w, "kernels_with_poisoned_relocations");
		json_w_u64(&w, bad);
		json_w_key(&w, "kernels");
		json_w_arr_begin(&w, JSON_INLINE);
		for (i = 0; i < a->nr_k; i++) {
			const struct kernel *k = &a->k[i];

			if (!kernel_has_output(k) || !poisoned_on(k, oi))
				continue;
			json_w_obj_begin(&w, JSON_INLINE);
			json_w_key(&w, "kernel");
			json_w_str(&w, k->e->name);
			json_w_key(&w, "relocations");
			json_w_arr_begin(&w, JSON_INLINE);
			for (j = 0; j < k->nr_poisons; j++)
				if (poison_obj(k->poisons[j], &text) == oi)
					json_w_str(&w, text);
			json_w_arr_end(&w);
			json_w_obj_end(&w);
		}
		json_w_arr_end(&w);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	err = json_w_finish(&w, out, len);
	json_w_free(&w);
	return err;
}

static int report_text(const struct archive *a, size_t nk, char **out, size_t *len)
{
	char *buf = NULL;
	size_t blen = 0, oi, i, j, bad;
	FILE *f = open_memstream(&buf, &blen);
	const char *text;

	if (!f)
		return -ENOMEM;
	fprintf(f, "btfgen coverage report: %zu kernels, %zu objects\n", nk, a->objs->n);
	for (oi = 0; oi < a->objs->n; oi++) {
		const char *name = a->objs->v[oi]->name;

		for (i = bad = 0; i < a->nr_k; i++)
			bad += kernel_has_output(&a->k[i]) && poisoned_on(&a->k[i], oi);
		if (bad)
			fprintf(f, "\n%s: poisoned relocations on %zu of %zu kernels\n", name, bad, nk);
		else
			fprintf(f, "\n%s: every relocation resolves on all %zu kernels\n", name, nk);
		for (i = 0; i < a->nr_k; i++) {
			const struct kernel *k = &a->k[i];

			if (!kernel_has_output(k))
				continue;
			for (j = 0; j < k->nr_poisons; j++)
				if (poison_obj(k->poisons[j], &text) == oi)
					fprintf(f, "  %s: %s\n", k->e->name, text);
		}
	}
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	/* open_memstream's buffer is malloc'd: hand over an xmalloc'd copy */
	*out = xmalloc(blen + 1);
	if (*out) {
		memcpy(*out, buf, blen + 1);
		*len = blen;
	}
	free(buf);
	return *out ? 0 : -ENOMEM;
}

int report_write(const struct archive *a)
{
	const char *p = a->o->report_path;
	size_t n = strlen(p), nk = 0, i, len = 0;
	char *buf = NULL;
	int err;

	for (i = 0; i < a->nr_k; i++)
		nk += kernel_has_output(&a->k[i]);
	if (n > 5 && !strcmp(p + n - 5, ".json"))
		err = report_json(a, nk, &buf, &len);
	else
		err = report_text(a, nk, &buf, &len);
	if (err) {
		pr_warn("%s: out of memory", p);
		return err;
	}
	err = util_write_file_atomic(p, buf, len);
	xfree(buf);
	return err;
}
