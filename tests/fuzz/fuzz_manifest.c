// SPDX-License-Identifier: MIT
/*
 * The archive manifest reader (hub/manifest.c manifest_parse()) on any
 * input, for 64 objects. It reads OUT_DIR/btfgen-manifest.json, a file
 * anyone who can write OUT_DIR controls. Checked:
 *   - on success, every "ok" kernel returned keeps the promises the run
 *     relies on: its path is a clean relative path (util_path_is_clean_rel),
 *     both hashes are 64 lowercase hex digits, every poisoned entry starts
 *     with an object index below 64 and a tab, no path twice, and its
 *     offset is that of a '{' inside the input; "format" says
 *     "btfgen-manifest" (or is absent beside a "btfgen_version": an
 *     earlier btfgen's manifest);
 *   - on failure, a negative errno, an offset inside the input (at most its
 *     length) and a non-empty, NUL-terminated message, and nothing kept;
 *   - the same input parses the same way twice (no hidden state).
 * Everything is freed (LeakSanitizer checks).
 */
#include <string.h>

#include "fuzz.h"
#include "hub/hub_internal.h"
#include "util/fileio.h"
#include "util/json.h"

#define FUZZ_MANIFEST_NR_OBJS	64

#define CHECK(c)								\
	do {									\
		if (!(c)) {							\
			fprintf(stderr, "fuzz_manifest: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

static bool lower_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* "<decimal index below FUZZ_MANIFEST_NR_OBJS><TAB>..." */
static bool good_poison(const char *p)
{
	unsigned long idx = 0;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++) {
		idx = idx * 10 + (unsigned long)(p[i] - '0');
		if (idx >= FUZZ_MANIFEST_NR_OBJS)
			return false;
	}
	return i > 0 && p[i] == '\t';
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void check_doc(const struct manifest_doc *d, const uint8_t *data, size_t size)
{
	const char **paths;
	size_t i, j;

	/* ours, or an earlier btfgen's (format 1: no "format", a "btfgen_version") */
	CHECK(d->format ? !strcmp(d->format, HUB_MANIFEST_FORMAT) : d->btfgen_version != NULL);
	CHECK(d->first_match_only >= -1 && d->first_match_only <= 1);
	CHECK(d->verify >= -1 && d->verify <= 1);
	CHECK(d->n <= HUB_MAX_KERNELS);
	CHECK(d->n == 0 || (d->v && d->off));
	for (i = 0; i < d->n; i++) {
		const struct mentry *e = &d->v[i];

		CHECK(e->path && util_path_is_clean_rel(e->path));
		CHECK(lower_hex64(e->in_hash));
		CHECK(lower_hex64(e->out_hash));
		CHECK(e->nr_poisons <= HUB_MAX_POISONS);
		CHECK(e->nr_poisons == 0 || e->poisons);
		for (j = 0; j < e->nr_poisons; j++)
			CHECK(e->poisons[j] && good_poison(e->poisons[j]));
		CHECK(d->off[i] < size && data[d->off[i]] == '{');
		if (i)
			CHECK(d->off[i] > d->off[i - 1]);
	}
	if (d->n < 2)
		return;
	paths = malloc(d->n * sizeof(*paths));
	if (!paths)
		return;
	for (i = 0; i < d->n; i++)
		paths[i] = d->v[i].path;
	qsort(paths, d->n, sizeof(*paths), cmp_str);
	for (i = 1; i < d->n; i++)
		CHECK(strcmp(paths[i - 1], paths[i]));	/* no kernel twice */
	free(paths);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_doc d, d2;
	size_t off = (size_t)-1, off2 = (size_t)-1, i;
	char msg[JSON_ERR_MSG_LEN + 64], msg2[JSON_ERR_MSG_LEN + 64];
	int err, err2;

	memset(msg, 0x55, sizeof(msg));
	err = manifest_parse(data, size, FUZZ_MANIFEST_NR_OBJS, &d, &off, msg, sizeof(msg));
	if (err) {
		CHECK(err < 0);
		CHECK(off <= size);
		CHECK(memchr(msg, '\0', sizeof(msg)) && msg[0]);
		CHECK(d.v == NULL && d.n == 0 && d.off == NULL && d.format == NULL &&
		      d.btfgen_version == NULL && d.dedup == NULL && d.objects_sha256 == NULL);
	} else {
		check_doc(&d, data, size);
	}

	/* the same again: the same outcome */
	err2 = manifest_parse(data, size, FUZZ_MANIFEST_NR_OBJS, &d2, &off2, msg2, sizeof(msg2));
	CHECK(err2 == err);
	if (err) {
		CHECK(off2 == off && !strcmp(msg, msg2));
	} else {
		CHECK(d2.n == d.n);
		for (i = 0; i < d.n; i++)
			CHECK(!strcmp(d.v[i].path, d2.v[i].path) && d.off[i] == d2.off[i] &&
			      d.v[i].nr_poisons == d2.v[i].nr_poisons);
	}
	manifest_doc_free(&d);
	manifest_doc_free(&d2);
	return 0;
}
