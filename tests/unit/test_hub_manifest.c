// SPDX-License-Identifier: MIT
/*
 * test_hub_manifest.c - unit tests for hub/manifest.c (suite hub_manifest):
 * manifest_parse() on what manifest_write() writes, on every schema
 * violation, and on hostile text; manifest_read() on the file in OUT_DIR.
 *
 * Oracles:
 *   - round trip: a fake archive (struct archive filled by hand: kernels
 *     ok, skipped, failed, deduplicated, with poisoned relocations, odd
 *     names and extreme numbers) written by manifest_write() and parsed
 *     back must give exactly its "ok" kernels with the same fields;
 *   - for each schema violation, a hand-written document and the byte
 *     offset of the token at fault, found here with strstr() on a marker
 *     that occurs once: err_off must be that offset and msg must say what;
 *   - json.h's rule that a truncated document fails at its own length:
 *     every proper prefix of a valid manifest must fail exactly there;
 *   - the defects that must stay fixed (short \u escapes followed by a
 *     long tail, a document ending after a key) in exact-size buffers, so
 *     that ASan would report any byte read or written out of bounds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "hub/hub_internal.h"
#include "util/util.h"

#define HA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HB "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define HC "00000000000000000000000000000000000000000000000000000000000000ff"

#define HEAD								\
	"{\"format\": \"btfgen-manifest\", \"format_version\": 2, "	\
	"\"btfgen_version\": \"0.1.0\", \"options\": {\"first_match_only\": false, " \
	"\"verify\": true, \"dedup\": \"hardlink\"}, \"objects_sha256\": \"" HA "\", " \
	"\"kernels\": ["
#define FOOT "]}"
/* An "ok" kernel; @extra is appended inside the object (a later key wins). */
#define KOK(path, extra)							\
	"{\"path\": \"" path "\", \"input_size\": 10, \"input_mtime_ns\": 20, "	\
	"\"input_sha256\": \"" HA "\", \"status\": \"ok\", \"output_sha256\": \"" HB "\", " \
	"\"output_size\": 30" extra "}"
#define KFAIL(path) "{\"path\": \"" path "\", \"status\": \"failed\", \"error\": \"boom\"}"

static void man_setup(void)
{
	tmp_dir()[0] = '\0';	/* made on first use, by fake_init() */
	util_alloc_fail_at = 0;
	diag_level = DIAG_WARN;
	diag_capture_begin();
}

static void man_teardown(void)
{
	diag_capture_end();
	diag_level = DIAG_WARN;
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(hub_manifest, .init = man_setup, .fini = man_teardown, .timeout = 30);

/* ---- parsing helpers ---------------------------------------------------- */

static char *mcstr(const char *s)
{
	return (char *)(uintptr_t)(s ? s : "(null)");
}

/* manifest_parse() on an exact-size copy of @len bytes at @text. */
static int parse_n(const char *text, size_t len, size_t nr_objs, struct manifest_doc *d,
		   size_t *off, char *msg, size_t msg_len)
{
	char *copy = malloc(len ? len : 1);
	int err;

	cr_assert(copy != NULL);
	if (len)
		memcpy(copy, text, len);
	*off = (size_t)-1;
	msg[0] = '\0';
	err = manifest_parse(copy, len, nr_objs, d, off, msg, msg_len);
	free(copy);
	return err;
}

static int parse(const char *text, size_t nr_objs, struct manifest_doc *d, size_t *off, char *msg)
{
	return parse_n(text, strlen(text), nr_objs, d, off, msg, 256);
}

/* Offset of @marker in @doc, which must occur exactly once. */
static size_t at(const char *doc, const char *marker)
{
	const char *p = strstr(doc, marker);

	cr_assert(p != NULL, "marker '%s' not in the document", marker);
	cr_assert(strstr(p + 1, marker) == NULL, "marker '%s' occurs twice", marker);
	return (size_t)(p - doc);
}

/*
 * @doc must be refused: the error at the first byte of @marker (NULL: at
 * the end of the document), with a message containing @what.
 */
static void expect_refused_n(const char *doc, size_t len, size_t nr_objs, const char *marker,
			     const char *what)
{
	struct manifest_doc d;
	char msg[256];
	size_t off;
	int err = parse_n(doc, len, nr_objs, &d, &off, msg, sizeof(msg));

	if (!err) {
		manifest_doc_free(&d);	/* no leak report on top of the failure */
		cr_fatal("accepted: %.300s", doc);
	}
	cr_assert(eq(sz, off, marker ? at(doc, marker) : len), "offset (message \"%s\") in: %.300s",
		  msg, doc);
	cr_assert(strstr(msg, what) != NULL, "message \"%s\" lacks \"%s\"", msg, what);
	cr_assert(d.v == NULL && d.n == 0 && d.format == NULL && d.off == NULL,
		  "refused: the document is left empty");
}

static void expect_refused(const char *doc, size_t nr_objs, const char *marker, const char *what)
{
	expect_refused_n(doc, strlen(doc), nr_objs, marker, what);
}

static void expect_ok(const char *doc, size_t nr_objs, struct manifest_doc *d)
{
	char msg[256];
	size_t off;

	cr_assert(eq(int, parse(doc, nr_objs, d, &off, msg), 0), "refused at %zu: %s", off, msg);
}

/* ---- a fake archive for manifest_write() -------------------------------- */

struct fake {
	struct hub_archive_opts o;
	struct hub_objects objs;
	struct core_obj obj[2];
	struct core_obj *objv[2];
	const char *files[2];
	char file_hash[2][65];
	struct hub_entry *e;
	struct archive a;
	char *text;
	size_t len;
};

static void fake_init(struct fake *f, size_t nr_k)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!tmp_dir()[0]) {
		tmp_dir_make("btfgen-hubmanifest");
		cr_assert(tmp_dir()[0] != '\0', "mkdtemp failed");
	}
	f->o.out_dir = tmp_dir();
	f->o.in_dir = "/nonexistent-input";
	f->o.dedup = HUB_DEDUP_SYMLINK;
	f->o.first_match_only = true;
	f->o.verify = false;
	f->obj[0].name = (char *)(uintptr_t)"execsnoop.bpf.o";
	f->obj[0].nr_relos = 12;
	f->obj[1].name = (char *)(uintptr_t)"opensnoop.bpf.o";
	f->obj[1].nr_relos = 7;
	f->objv[0] = &f->obj[0];
	f->objv[1] = &f->obj[1];
	f->files[0] = "execsnoop";
	f->files[1] = "opensnoop";
	memcpy(f->file_hash[0], HB, 65);
	memcpy(f->file_hash[1], HC, 65);
	f->objs.v = f->objv;
	f->objs.n = 2;
	f->objs.files = f->files;
	f->objs.nr_files = 2;
	f->a.o = &f->o;
	f->a.objs = &f->objs;
	f->a.obj_file_hash = f->file_hash;
	memcpy(f->a.objs_hash, HA, 65);
	f->a.out_fd = open(tmp_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(f->a.out_fd >= 0);
	f->e = calloc(nr_k + 1, sizeof(*f->e));
	f->a.k = calloc(nr_k + 1, sizeof(*f->a.k));
	cr_assert(f->e != NULL && f->a.k != NULL);
	f->a.nr_k = nr_k;
	for (i = 0; i < nr_k; i++) {
		f->a.k[i].e = &f->e[i];
		f->a.k[i].primary = i;
		f->a.k[i].same_input = i;
	}
}

/* Kernel @i: name @name, ok unless @error is given. Strings are borrowed. */
static void fake_kernel(struct fake *f, size_t i, const char *name, const char *error)
{
	struct hub_entry *e = &f->e[i];
	struct kernel *k = &f->a.k[i];
	char *p;

	e->name = (char *)(uintptr_t)name;
	e->path = malloc(strlen(name) + 16);
	k->out_path = malloc(strlen(name) + 8);
	cr_assert(e->path != NULL && k->out_path != NULL);
	sprintf(e->path, "%s.btf.tar.xz", name);
	sprintf(k->out_path, "%s.btf", name);
	p = strrchr(name, '/');
	e->key.release = p ? p + 1 : name;
	e->fmt = HUB_FMT_TAR_XZ;
	e->size = 1000 + i;
	e->mtime_ns = 1700000000123456789ll + (s64)i;
	memcpy(k->in_hash, HA, 65);
	if (error) {
		k->status = K_FAILED;
		snprintf(k->error, sizeof(k->error), "%s", error);
		return;
	}
	k->status = K_OK;
	memcpy(k->out_hash, HB, 65);
	k->out_size = 500 + i;
}

static void fake_poisons(struct fake *f, size_t i, const char *const *p, size_t n)
{
	struct kernel *k = &f->a.k[i];

	k->poisons = (char **)(uintptr_t)p;
	k->nr_poisons = n;
}

/* manifest_write(), then the file's text into f->text (malloc'd, NUL-terminated). */
static void fake_write(struct fake *f)
{
	char path[PATH_MAX];
	void *d;

	cr_assert(eq(int, manifest_write(&f->a), 0), "%s", diag_last());
	snprintf(path, sizeof(path), "%s/%s", tmp_dir(), HUB_MANIFEST_NAME);
	d = read_file(path, &f->len);
	cr_assert(d != NULL);
	f->text = malloc(f->len + 1);	/* parse_n() hands over exact-size copies */
	cr_assert(f->text != NULL);
	memcpy(f->text, d, f->len + 1);
	free(d);
}

static void fake_free(struct fake *f)
{
	size_t i;

	for (i = 0; i < f->a.nr_k; i++) {
		free(f->e[i].path);
		free(f->a.k[i].out_path);
	}
	free(f->e);
	free(f->a.k);
	free(f->text);
	if (f->a.out_fd >= 0)
		close(f->a.out_fd);
}

/* ---- what manifest_write() writes parses back --------------------------- */

static const char *const poisons0[] = {
	"0\texecsnoop.bpf.o: relo #3 (insn 34, field_byte_offset, [12] STRUCT 'task_struct', "
	"access '0:1'): no candidate in the target",
	"1\topensnoop.bpf.o: relo #0: \"quoted\" \\ backslash",
};
static const char *const poisons3[] = { "1\t" };

/* Five kernels as manifest_write() sees them after a run. */
static void fake_run(struct fake *f)
{
	fake_init(f, 6);
	fake_kernel(f, 0, "debian/12/arm64/6.1.0-56-arm64", NULL);
	fake_poisons(f, 0, poisons0, 2);
	fake_kernel(f, 1, "ubuntu/20.04/x86_64/5.4.0-1", "xz: corrupt input at byte 12");
	fake_kernel(f, 2, "ubuntu/20.04/x86_64/5.4.0-2", NULL);
	f->a.k[2].status = K_SKIPPED;
	f->a.k[2].primary = 0;		/* "dedup_of" */
	fake_kernel(f, 3, "ubuntu/20.04/x86_64/5.4.0-3", NULL);
	f->a.k[3].same_input = 0;	/* "same_input_as" */
	f->e[3].mtime_ns = -5;
	fake_poisons(f, 3, poisons3, 1);
	/* escapes: quote, backslash, tab, newline, a 3-byte and a 4-byte UTF-8 sequence */
	fake_kernel(f, 4, "odd/\"q\"\\b\tc\nd/\xe2\x82\xac\xf0\x9f\x98\x80", NULL);
	f->e[4].size = UINT64_MAX;
	f->e[4].mtime_ns = INT64_MIN;
	f->a.k[4].out_size = UINT64_MAX;
	fake_kernel(f, 5, "zz/failed-too", "reduced BTF does not verify");
	fake_write(f);
}

Test(hub_manifest, written_manifest_parses_back)
{
	struct fake f;
	struct manifest_doc d;
	size_t off, i;
	char msg[256];
	static const size_t ok[] = { 0, 2, 3, 4 };

	fake_run(&f);
	cr_assert(eq(int, parse_n(f.text, f.len, 2, &d, &off, msg, sizeof(msg)), 0),
		  "refused at byte %zu: %s\n%s", off, msg, f.text);
	cr_assert(eq(str, mcstr(d.format), HUB_MANIFEST_FORMAT));
	cr_assert(eq(u64, d.format_version, HUB_MANIFEST_VERSION));
	cr_assert(d.btfgen_version != NULL && d.btfgen_version[0]);
	cr_assert(eq(str, mcstr(d.dedup), "symlink"));
	cr_assert(eq(int, d.first_match_only, 1));
	cr_assert(eq(int, d.verify, 0));
	cr_assert(eq(str, mcstr(d.objects_sha256), HA));
	cr_assert(eq(sz, d.n, ARRAY_SIZE(ok)), "only the ok and skipped kernels");
	for (i = 0; i < d.n; i++) {
		const struct kernel *k = &f.a.k[ok[i]];
		const struct mentry *m = &d.v[i];
		char want[64];

		cr_assert(eq(str, m->path, k->e->name));
		cr_assert(eq(u64, m->in_size, k->e->size));
		cr_assert(eq(i64, m->in_mtime_ns, k->e->mtime_ns));
		cr_assert(eq(str, mcstr(m->in_hash), HA));
		cr_assert(eq(str, mcstr(m->out_hash), HB));
		cr_assert(eq(u64, m->out_size, k->out_size));
		cr_assert(eq(sz, m->nr_poisons, k->nr_poisons));
		/* the entry's offset: its '{', then its path */
		cr_assert(d.off[i] < f.len);
		cr_assert(eq(chr, f.text[d.off[i]], '{'));
		snprintf(want, sizeof(want), "{\"path\": \"%.20s", ok[i] == 4 ? "odd/\\\"q" : k->e->name);
		cr_assert(eq(int, strncmp(f.text + d.off[i], want, strlen(want)), 0), "offset %zu",
			  d.off[i]);
	}
	cr_assert(eq(str, d.v[0].poisons[0], mcstr(poisons0[0])));
	cr_assert(eq(str, d.v[0].poisons[1], mcstr(poisons0[1])));
	cr_assert(eq(str, d.v[2].poisons[0], "1\t"));
	cr_assert(eq(sz, d.v[1].nr_poisons, 0));
	cr_assert(eq(u64, d.v[3].in_size, UINT64_MAX));
	cr_assert(eq(i64, d.v[3].in_mtime_ns, INT64_MIN));
	cr_assert(eq(i64, d.v[2].in_mtime_ns, -5));
	manifest_doc_free(&d);
	cr_assert(d.v == NULL && d.n == 0 && d.format == NULL, "freed: zeroed");
	manifest_doc_free(&d);	/* twice: harmless */
	fake_free(&f);
	assert_no_leaks();
}

/*
 * A kernel whose input could not be opened (vanished, unreadable, over
 * --max-input-size) fails in process() before its input is hashed:
 * in_hash stays "" and manifest_write() writes "input_sha256": "" for it.
 * What manifest_write() writes must parse back, or one such kernel makes
 * every later run ignore the manifest and reduce every kernel again.
 */
Test(hub_manifest, written_failed_kernel_with_unknown_input_hash_parses)
{
	struct fake f;
	struct manifest_doc d;
	size_t off;
	char msg[256];
	int err;

	fake_init(&f, 2);
	fake_kernel(&f, 0, "ubuntu/20.04/x86_64/5.4.0-1", NULL);
	fake_kernel(&f, 1, "ubuntu/20.04/x86_64/5.4.0-2", "No such file or directory");
	f.a.k[1].in_hash[0] = '\0';	/* as process() leaves it when the open fails */
	fake_write(&f);
	err = parse_n(f.text, f.len, 2, &d, &off, msg, sizeof(msg));
	if (err) {
		char text[4096];

		snprintf(text, sizeof(text), "%s", f.text);
		fake_free(&f);
		cr_fatal("manifest_write() output refused at byte %zu: %s\n%s", off, msg, text);
	}
	cr_assert(eq(sz, d.n, 1));
	manifest_doc_free(&d);
	fake_free(&f);
}

/* The poisoned entries name one of @nr_objs objects: with one object, index 1 is refused. */
Test(hub_manifest, written_manifest_with_fewer_objects_refused)
{
	struct fake f;
	struct manifest_doc d;
	size_t off;
	char msg[256];

	fake_run(&f);
	cr_assert(eq(int, parse_n(f.text, f.len, 1, &d, &off, msg, sizeof(msg)), -EINVAL));
	cr_assert(eq(sz, off, at(f.text, "\"1\\topensnoop")), "%s", msg);
	cr_assert(strstr(msg, "poisoned") != NULL, "%s", msg);
	fake_free(&f);
}

Test(hub_manifest, round_trip_n_kernels)
{
	static const size_t N = 1000;
	struct fake f;
	struct manifest_doc d;
	char (*names)[48] = calloc(N, 48), msg[256];
	size_t i, off;

	cr_assert(names != NULL);
	fake_init(&f, N);
	for (i = 0; i < N; i++) {
		snprintf(names[i], 48, "centos/8/x86_64/4.18.0-%zu.el8", i);
		fake_kernel(&f, i, names[i], NULL);
	}
	fake_write(&f);
	cr_assert(eq(int, parse_n(f.text, f.len, 2, &d, &off, msg, sizeof(msg)), 0), "%zu: %s", off,
		  msg);
	cr_assert(eq(sz, d.n, N));
	for (i = 0; i < N; i++) {
		cr_assert(eq(str, d.v[i].path, names[i]));
		cr_assert(eq(u64, d.v[i].out_size, 500 + i));
		if (i)
			cr_assert(d.off[i] > d.off[i - 1]);
	}
	manifest_doc_free(&d);
	fake_free(&f);
	free(names);
	assert_no_leaks();
}

/* A hand-written manifest with N kernels, ok and failed interleaved. */
Test(hub_manifest, hand_written_n_kernels)
{
	static const size_t N = 300;
	size_t cap = N * 400 + 1024, len, i, off;
	char *doc = malloc(cap), msg[256];
	struct manifest_doc d;

	cr_assert(doc != NULL);
	len = (size_t)snprintf(doc, cap, "%s", HEAD);
	for (i = 0; i < N; i++) {
		len += (size_t)snprintf(doc + len, cap - len,
					"%s{\"path\": \"k/%zu\", \"input_size\": %zu, "
					"\"input_mtime_ns\": -%zu, \"input_sha256\": \"" HA "\", "
					"\"status\": \"ok\", \"output_sha256\": \"" HB "\", "
					"\"output_size\": %zu, \"poisoned\": [\"%zu\\tp\"]}, "
					"{\"path\": \"f/%zu\", \"status\": \"failed\"}",
					i ? ", " : "", i, i, i, 2 * i, i % 64, i);
	}
	snprintf(doc + len, cap - len, "%s", FOOT);
	cr_assert(eq(int, parse(doc, 64, &d, &off, msg), 0), "%zu: %s", off, msg);
	cr_assert(eq(sz, d.n, N));
	for (i = 0; i < N; i++) {
		char want[32];

		snprintf(want, sizeof(want), "k/%zu", i);
		cr_assert(eq(str, d.v[i].path, want));
		cr_assert(eq(u64, d.v[i].in_size, i));
		cr_assert(eq(i64, d.v[i].in_mtime_ns, -(s64)i));
		cr_assert(eq(u64, d.v[i].out_size, 2 * i));
		cr_assert(eq(sz, d.v[i].nr_poisons, 1));
		cr_assert(eq(chr, doc[d.off[i]], '{'));
	}
	manifest_doc_free(&d);
	free(doc);
	assert_no_leaks();
}

Test(hub_manifest, minimal_manifests)
{
	struct manifest_doc d;

	expect_ok("{\"format\": \"btfgen-manifest\"}", 0, &d);
	cr_assert(eq(sz, d.n, 0));
	cr_assert(d.btfgen_version == NULL && d.dedup == NULL && d.objects_sha256 == NULL);
	cr_assert(eq(int, d.first_match_only, -1), "absent");
	cr_assert(eq(int, d.verify, -1), "absent");
	cr_assert(eq(u64, d.format_version, 0));
	manifest_doc_free(&d);
	expect_ok(" \n\t{\"kernels\": [], \"format\": \"btfgen-manifest\"}\n\n", 0, &d);
	manifest_doc_free(&d);
	/* unknown keys at every level are skipped, whatever they hold */
	expect_ok("{\"x\": {\"a\": [1, {\"b\": null}]}, \"format\": \"btfgen-manifest\", "
		  "\"options\": {\"new\": [true], \"verify\": true}, \"kernels\": [" KOK("a", ", \"extra\": "
		  "{\"deep\": [[[]]]}, \"id\": null, \"dedup_of\": \"b\"") "], \"y\": -1.5e3}", 2, &d);
	cr_assert(eq(sz, d.n, 1));
	cr_assert(eq(int, d.verify, 1));
	manifest_doc_free(&d);
	/* failed kernels need only path and status, and are not returned */
	expect_ok(HEAD KFAIL("a") ", " KFAIL("b") FOOT, 0, &d);
	cr_assert(eq(sz, d.n, 0));
	manifest_doc_free(&d);
	assert_no_leaks();
}

Test(hub_manifest, poisoned_entries_accepted)
{
	struct manifest_doc d;

	expect_ok(HEAD KOK("a", ", \"poisoned\": [\"0\\tx\", \"63\\ty: z\", \"007\\t\", "
			   "\"1\\t\\t\"]") FOOT, 64, &d);
	cr_assert(eq(sz, d.v[0].nr_poisons, 4));
	cr_assert(eq(str, d.v[0].poisons[0], "0\tx"));
	cr_assert(eq(str, d.v[0].poisons[1], "63\ty: z"));
	cr_assert(eq(str, d.v[0].poisons[2], "007\t"));
	cr_assert(eq(str, d.v[0].poisons[3], "1\t\t"));
	manifest_doc_free(&d);
	/* a second "poisoned" replaces the first */
	expect_ok(HEAD KOK("a", ", \"poisoned\": [\"0\\tx\"], \"poisoned\": []") FOOT, 1, &d);
	cr_assert(eq(sz, d.v[0].nr_poisons, 0));
	manifest_doc_free(&d);
	assert_no_leaks();
}

Test(hub_manifest, poisons_limit)
{
	size_t n = HUB_MAX_POISONS + 1, cap = n * 12 + 2048, len, i;
	char *doc = malloc(cap);
	struct manifest_doc d;

	cr_assert(doc != NULL);
	len = (size_t)snprintf(doc, cap, HEAD "{\"path\": \"a\", \"input_size\": 1, "
			       "\"input_mtime_ns\": 1, \"input_sha256\": \"" HA "\", \"status\": "
			       "\"ok\", \"output_sha256\": \"" HB "\", \"output_size\": 1, "
			       "\"poisoned\": [");
	for (i = 0; i < HUB_MAX_POISONS; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"0\\tp\"", i ? ", " : "");
	snprintf(doc + len, cap - len, "]}" FOOT);
	expect_ok(doc, 1, &d);
	cr_assert(eq(sz, d.v[0].nr_poisons, HUB_MAX_POISONS));
	manifest_doc_free(&d);
	/* one more: refused at that string */
	snprintf(doc + len, cap - len, ", \"0\\tLAST\"]}" FOOT);
	expect_refused(doc, 1, "\"0\\tLAST\"", "more than 4096");
	free(doc);
	assert_no_leaks();
}

/* ---- schema violations: the offset of the token at fault ---------------- */

Test(hub_manifest, refuses_top_level_not_object)
{
	expect_refused("[1]", 0, "[", "expected an object");
	expect_refused("  \"btfgen-manifest\"", 0, "\"btfgen", "expected an object");
	expect_refused("2", 0, "2", "expected an object");
	expect_refused("null", 0, "null", "expected an object");
	expect_refused_n("", 0, 0, NULL, "empty");
	expect_refused("   ", 0, NULL, "empty");
}

Test(hub_manifest, refuses_wrong_types_top_level)
{
	expect_refused("{\"format\": 12345}", 0, "12345", "\"format\": expected a string");
	expect_refused("{\"format\": \"btfgen-manifest\", \"btfgen_version\": true}", 0, "true",
		       "\"btfgen_version\": expected a string");
	expect_refused("{\"format\": \"btfgen-manifest\", \"objects_sha256\": [\"x\"]}", 0, "[",
		       "\"objects_sha256\": expected a string");
	expect_refused("{\"format\": \"btfgen-manifest\", \"format_version\": \"2\"}", 0, "\"2\"",
		       "\"format_version\": expected a number");
	expect_refused("{\"format\": \"btfgen-manifest\", \"format_version\": -2}", 0, "-2",
		       "not an unsigned integer");
	expect_refused("{\"format\": \"btfgen-manifest\", \"format_version\": 2.5}", 0, "2.5",
		       "not an unsigned integer");
	expect_refused("{\"format\": \"btfgen-manifest\", \"format_version\": 18446744073709551616}",
		       0, "18446744073709551616", "out of range");
	expect_refused("{\"format\": \"btfgen-manifest\", \"options\": [1]}", 0, "[1]",
		       "\"options\": expected an object");
	expect_refused("{\"format\": \"btfgen-manifest\", \"kernels\": {}}", 0, "{}",
		       "\"kernels\": expected an array");
	expect_refused("{\"format\": \"btfgen-manifest\", \"kernels\": [" KFAIL("a") ", 7]}", 0, "7]",
		       "\"kernels\": expected objects");
	expect_refused("{\"format\": \"btfgen-manifest\", \"kernels\": [[]]}", 0, "[]]",
		       "\"kernels\": expected objects");
}

Test(hub_manifest, refuses_wrong_types_options)
{
	expect_refused("{\"options\": {\"first_match_only\": \"yes\"}, \"format\": \"btfgen-manifest\"}",
		       0, "\"yes\"", "\"first_match_only\": expected true or false");
	expect_refused("{\"options\": {\"verify\": 1}, \"format\": \"btfgen-manifest\"}", 0, "1}",
		       "\"verify\": expected true or false");
	expect_refused("{\"options\": {\"verify\": null}, \"format\": \"btfgen-manifest\"}", 0,
		       "null", "\"verify\": expected true or false");
	expect_refused("{\"options\": {\"dedup\": 5}, \"format\": \"btfgen-manifest\"}", 0, "5}",
		       "\"dedup\": expected a string");
	expect_refused("{\"options\": {\"dedup\": {}}, \"format\": \"btfgen-manifest\"}", 0, "{}",
		       "\"dedup\": expected a string");
}

Test(hub_manifest, refuses_wrong_types_kernel_fields)
{
	static const struct {
		const char *extra, *marker, *what;
	} t[] = {
		{ ", \"path\": 77", "77}", "\"path\": expected a string" },
		{ ", \"input_size\": \"BAD\"", "\"BAD\"", "\"input_size\": expected a number" },
		{ ", \"input_size\": -1", "-1}", "not an unsigned integer" },
		{ ", \"input_size\": 1e3", "1e3", "not an unsigned integer" },
		{ ", \"input_mtime_ns\": \"BAD\"", "\"BAD\"", "\"input_mtime_ns\": expected a number" },
		{ ", \"input_mtime_ns\": 1.5", "1.5", "not an integer" },
		{ ", \"input_mtime_ns\": 9223372036854775808", "9223372036854775808", "out of range" },
		{ ", \"input_mtime_ns\": -9223372036854775809", "-9223372036854775809", "out of range" },
		{ ", \"output_size\": true", "true}", "\"output_size\": expected a number" },
		{ ", \"output_size\": 18446744073709551616", "18446744073709551616", "out of range" },
		{ ", \"status\": \"done\"", "\"done\"", "\"status\": expected \"ok\" or \"failed\"" },
		{ ", \"status\": \"OK\"", "\"OK\"", "\"status\": expected \"ok\" or \"failed\"" },
		{ ", \"status\": 1", "1}", "\"status\": expected \"ok\" or \"failed\"" },
		{ ", \"poisoned\": \"BAD\"", "\"BAD\"", "\"poisoned\": expected an array" },
		{ ", \"poisoned\": {}", "{}", "\"poisoned\": expected an array" },
		{ ", \"poisoned\": [\"0\\tok\", 5]", "5]", "\"poisoned\": expected strings" },
		{ ", \"poisoned\": [null]", "null", "\"poisoned\": expected strings" },
	};
	char doc[2048];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(doc, sizeof(doc), HEAD KOK("a/b", "%s") FOOT, t[i].extra);
		expect_refused(doc, 2, t[i].marker, t[i].what);
	}
}

Test(hub_manifest, refuses_bad_hashes)
{
	static const char *const bad[] = {
		"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\"",	/* 63 */
		"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\"",	/* 65 */
		"\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"",	/* upper */
		"\"0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef\"",	/* 'g' */
		"\" 123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",	/* space */
		"\"\"",
		"77777",
		"[\"" HC "\"]",
	};
	static const char *const keys[] = { "input_sha256", "output_sha256" };
	char doc[2048], extra[256], what[64];
	size_t i, j;

	for (j = 0; j < ARRAY_SIZE(keys); j++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			snprintf(extra, sizeof(extra), ", \"%s\": %s", keys[j], bad[i]);
			snprintf(doc, sizeof(doc), HEAD KOK("a", "%s") FOOT, extra);
			snprintf(what, sizeof(what), "\"%s\": expected 64 lowercase hex digits", keys[j]);
			expect_refused(doc, 0, bad[i], what);
		}
	}
}

/* null: a hash that is not known (a failed kernel whose input could not be read) */
Test(hub_manifest, null_hash_only_for_failed_kernels)
{
	static const char *const keys[] = { "input_sha256", "output_sha256" };
	struct manifest_doc d;
	char doc[2048], extra[256];
	size_t j;

	for (j = 0; j < ARRAY_SIZE(keys); j++) {
		snprintf(extra, sizeof(extra), ", \"%s\": null", keys[j]);
		snprintf(doc, sizeof(doc), HEAD KOK("a", "%s") FOOT, extra);
		expect_refused(doc, 0, "{\"path\": \"a\"", "kernel entry without its input and output fields");
	}
	snprintf(doc, sizeof(doc), HEAD "{\"path\": \"f\", \"status\": \"failed\", "
		 "\"input_sha256\": null, \"error\": \"boom\"}, " KOK("a", "") FOOT);
	expect_ok(doc, 0, &d);
	cr_assert(eq(sz, d.n, 1));
	cr_assert(eq(str, d.v[0].path, "a"));
	manifest_doc_free(&d);
}

Test(hub_manifest, refuses_unclean_paths)
{
	static const char *const bad[] = { "/abs/k", "/", "../k", "a/../k", "a/..", "..", ".",
					   "./k", "a/./k", "a//k", "a/", "",
					   /* escapes decode before the check */
					   "\\u002e\\u002e/k", "a\\/..\\/k", "\\/etc\\/k" };
	char doc[2048], marker[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(doc, sizeof(doc), HEAD KOK("%s", "") FOOT, bad[i]);
		snprintf(marker, sizeof(marker), "\"%s\", \"input_size\"", bad[i]);
		expect_refused(doc, 0, marker, "\"path\": not a clean relative path");
	}
	/* a failed kernel's path is checked too */
	expect_refused(HEAD KFAIL("../x") FOOT, 0, "\"../x\"", "not a clean relative path");
}

Test(hub_manifest, refuses_bad_poisoned_entries)
{
	static const char *const bad[] = {
		"\"64\\tx\"",			/* index >= nr_objs (64) */
		"\"100\\tx\"",
		"\"18446744073709551616\\tx\"",	/* beyond unsigned long */
		"\"99999999999999999999999999\\tx\"",
		"\"0 x\"",			/* no tab */
		"\"0\"",
		"\"0x\\tx\"",
		"\"\\tx\"",			/* no index */
		"\"\"",
		"\"-1\\tx\"",
		"\"+1\\tx\"",
		"\" 1\\tx\"",
		"\"1 \\tx\"",
		"\"x\\tx\"",
		"\"0\\nx\"",
	};
	char doc[2048], extra[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(extra, sizeof(extra), ", \"poisoned\": [\"0\\tgood\", %s]", bad[i]);
		snprintf(doc, sizeof(doc), HEAD KOK("a", "%s") FOOT, extra);
		expect_refused(doc, 64, bad[i], "\"poisoned\": not \"<object index>\\t<relocation>\"");
	}
	/* with no objects every poisoned entry is refused */
	expect_refused(HEAD KOK("a", ", \"poisoned\": [\"0\\tx\"]") FOOT, 0, "\"0\\tx\"",
		       "for 0 objects");
}

Test(hub_manifest, refuses_kernel_without_required_fields)
{
	expect_refused(HEAD KFAIL("a") ", {\"status\": \"ok\"}" FOOT, 0, "{\"status\"",
		       "kernel entry without \"path\"");
	expect_refused(HEAD "{\"path\": \"a/b\"}" FOOT, 0, "{\"path\"",
		       "kernel entry without \"status\"");
	expect_refused(HEAD "{\"path\": \"a/b\", \"status\": \"ok\", \"input_size\": 1, "
		       "\"input_mtime_ns\": 1, \"input_sha256\": \"" HA "\", \"output_sha256\": \"" HB "\"}"
		       FOOT, 0, "{\"path\"", "kernel entry without its input and output fields");
	expect_refused(HEAD "{\"path\": \"a/b\", \"status\": \"ok\", \"input_size\": 1, "
		       "\"input_sha256\": \"" HA "\", \"output_sha256\": \"" HB "\", \"output_size\": 1}"
		       FOOT, 0, "{\"path\"", "kernel entry without its input and output fields");
	expect_refused(HEAD "{}" FOOT, 0, "{}", "kernel entry without \"path\"");
}

Test(hub_manifest, refuses_kernel_listed_twice)
{
	const char *doc = HEAD KOK("ubuntu/20.04/x86_64/k", "") ", " KFAIL("z") ", "
			  KOK("a", "") ", {\"path\": \"ubuntu/20.04/x86_64/k\", \"SECOND\": 1, "
			  "\"input_size\": 10, \"input_mtime_ns\": 20, \"input_sha256\": \"" HA "\", "
			  "\"status\": \"ok\", \"output_sha256\": \"" HB "\", \"output_size\": 30}" FOOT;
	struct manifest_doc d;
	char msg[256];
	size_t off;
	const char *second = strstr(doc, "\"SECOND\"");

	cr_assert(eq(int, parse(doc, 0, &d, &off, msg), -EINVAL));
	while (*second != '{')
		second--;
	cr_assert(eq(sz, off, (size_t)(second - doc)), "the second entry's offset");
	cr_assert(strstr(msg, "a second entry for kernel ubuntu/20.04/x86_64/k") != NULL, "%s", msg);
	cr_assert(d.v == NULL && d.n == 0);
	assert_no_leaks();
}

/* hub_internal.h: "no kernel twice" - an ok entry and a failed one with the same path. */
Test(hub_manifest, refuses_kernel_listed_twice_ok_and_failed)
{
	expect_refused(HEAD KOK("k/1", "") ", " KFAIL("k/1") FOOT, 0, "{\"path\": \"k/1\", \"status\"",
		       "a second entry for kernel k/1");
}

Test(hub_manifest, refuses_missing_or_wrong_format)
{
	/* missing: found out at the end */
	expect_refused("{\"format_version\": 2, \"kernels\": []}", 0, NULL, "not a btfgen manifest");
	expect_refused("{}", 0, NULL, "not a btfgen manifest");
	expect_refused("{\"Format\": \"btfgen-manifest\"}", 0, NULL, "not a btfgen manifest");
}

/* An earlier btfgen's manifest (format 1: no "format", a "btfgen_version") is not an error. */
Test(hub_manifest, earlier_format_without_format_key)
{
	struct manifest_doc d;

	expect_ok("{\"btfgen_version\": \"0.0.9\", \"version\": 1, \"kernels\": []}", 0, &d);
	cr_assert(d.format == NULL);
	cr_assert(eq(str, mcstr(d.btfgen_version), "0.0.9"));
	cr_assert(eq(u64, d.format_version, 0));
	manifest_doc_free(&d);
	/* its kernels are still checked */
	expect_refused("{\"btfgen_version\": \"0.0.9\", \"kernels\": [" KFAIL("/abs") "]}", 0,
		       "\"/abs\"", "not a clean relative path");
}

/* A wrong "format" value: the offset of that value, as for every other schema error. */
Test(hub_manifest, refuses_wrong_format_at_its_token)
{
	expect_refused("{\"format\": \"another-tool\", \"kernels\": []}", 0, "\"another-tool\"",
		       "not a btfgen manifest");
}

Test(hub_manifest, refuses_garbage_after_the_object)
{
	expect_refused("{\"format\": \"btfgen-manifest\"} x", 0, "x", "after");
	expect_refused("{\"format\": \"btfgen-manifest\"}\n{}", 0, "{}", "after");
	expect_refused("{\"format\": \"btfgen-manifest\"}]", 0, "]", "after");
	/* a NUL byte after the object */
	{
		static const char doc[] = "{\"format\": \"btfgen-manifest\"}\0";
		struct manifest_doc d;
		char msg[256];
		size_t off;

		cr_assert(eq(int, parse_n(doc, sizeof(doc) - 1 + 1, 0, &d, &off, msg, sizeof(msg)),
			     -EINVAL));
		cr_assert(eq(sz, off, strlen(doc)), "%s", msg);
	}
}

/* Raw bytes that are not UTF-8 inside a string: refused at the first bad byte. */
Test(hub_manifest, refuses_non_utf8_strings)
{
	static const char *const bad[] = {
		"\xff", "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xc3", "\xe2\x82",
	};
	char doc[2048], val[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* in a path */
		snprintf(val, sizeof(val), "ok%sMARK", bad[i]);
		snprintf(doc, sizeof(doc), HEAD KOK("%s", "") FOOT, val);
		expect_refused(doc, 0, bad[i], "invalid UTF-8");
		/* in a poisoned entry */
		snprintf(doc, sizeof(doc), HEAD KOK("a", ", \"poisoned\": [\"0\\t%s\"]") FOOT, val);
		expect_refused(doc, 1, bad[i], "invalid UTF-8");
		/* in a key */
		snprintf(doc, sizeof(doc), "{\"format\": \"btfgen-manifest\", \"%s\": 1}", val);
		expect_refused(doc, 1, bad[i], "invalid UTF-8");
	}
	/* control characters raw in a string */
	expect_refused(HEAD KOK("a\tb", "") FOOT, 0, "\tb", "control character");
	/* \u0000 and lone surrogates */
	expect_refused(HEAD KOK("a\\u0000b", "") FOOT, 0, "\\u0000", "\\u0000");
	expect_refused(HEAD KOK("a\\ud800b", "") FOOT, 0, "\\ud800", "surrogate");
	expect_refused(HEAD KOK("a\\udc00b", "") FOOT, 0, "\\udc00", "surrogate");
}

/* ---- defects that must stay fixed --------------------------------------- */

/*
 * A short \u escape (fewer than four hex digits) followed by a long tail:
 * refused at its backslash, nothing read or written out of bounds (ASan).
 */
static void short_escape_case(const char *esc, bool in_poison, size_t tail, bool close_doc)
{
	size_t cap = tail + 4096, len;
	char *doc = malloc(cap);
	const char *pre = in_poison ? HEAD KOK("a", ", \"poisoned\": [\"0\\tx") :
				      HEAD "{\"path\": \"a/";

	cr_assert(doc != NULL);
	len = (size_t)snprintf(doc, cap, "%s%s", pre, esc);
	memset(doc + len, 'z', tail);	/* not hex digits */
	len += tail;
	if (close_doc)
		len += (size_t)snprintf(doc + len, cap - len, in_poison ? "\"]}" FOOT :
					"\", \"status\": \"failed\"}" FOOT);
	doc[len] = '\0';
	if (tail || close_doc) {
		expect_refused_n(doc, len, 64, "\\u", "\\u escape");
	} else {
		/* the document ends inside the escape: at its end */
		expect_refused_n(doc, len, 64, NULL, "unterminated string");
	}
	free(doc);
}

Test(hub_manifest, defect_short_u_escapes)
{
	static const char *const esc[] = { "\\u", "\\u1", "\\u12", "\\u123" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(esc); i++) {
		short_escape_case(esc[i], false, 100000, true);
		short_escape_case(esc[i], true, 100000, true);
		short_escape_case(esc[i], false, 1, false);
		short_escape_case(esc[i], true, 1, false);
		short_escape_case(esc[i], false, 0, false);
		short_escape_case(esc[i], true, 0, false);
	}
	/* a high surrogate followed by a short \u, or by nothing */
	expect_refused(HEAD "{\"path\": \"a\\ud800\\u12zz\"}" FOOT, 0, "\\u12zz", "\\u escape");
	expect_refused(HEAD "{\"path\": \"a\\ud800zzzzzz\"}" FOOT, 0, "\\ud800", "surrogate");
	expect_refused(HEAD "{\"path\": \"a\\ud800\\", 0, NULL, "unterminated");
	expect_refused(HEAD "{\"path\": \"a\\ud800\\u", 0, NULL, "unterminated");
	expect_refused(HEAD "{\"path\": \"a\\ud800\\udc0", 0, NULL, "unterminated");
	expect_refused(HEAD "{\"path\": \"a\\ud800", 0, NULL, "unterminated");
	assert_no_leaks();
}

/* A document that ends right after a key and its colon. */
Test(hub_manifest, defect_ends_after_key)
{
	static const char *const docs[] = {
		"{\"format\": \"btfgen-manifest\", \"btfgen_version\": ",
		"{\"format\": \"btfgen-manifest\", \"btfgen_version\":",
		"{\"format\": \"btfgen-manifest\", \"options\": {\"dedup\": ",
		"{\"format\": \"btfgen-manifest\", \"options\": {\"dedup\":",
		"{\"format\": \"btfgen-manifest\", \"options\": {\"verify\": ",
		"{\"format\": \"btfgen-manifest\", \"options\": {\"first_match_only\": ",
		"{\"format\": \"btfgen-manifest\", \"options\": {\"zzz\": ",
		"{\"format\": ",
		"{\"format_version\": ",
		"{\"objects_sha256\": ",
		"{\"kernels\": ",
		"{\"kernels\": [",
		"{\"kernels\": [{\"path\": ",
		"{\"kernels\": [{\"status\": ",
		"{\"kernels\": [{\"input_size\": ",
		"{\"kernels\": [{\"input_mtime_ns\": ",
		"{\"kernels\": [{\"input_sha256\": ",
		"{\"kernels\": [{\"output_sha256\": ",
		"{\"kernels\": [{\"poisoned\": ",
		"{\"kernels\": [{\"poisoned\": [",
		"{\"kernels\": [{\"poisoned\": [\"0\\t",
		"{\"kernels\": [{\"unknown\": ",
		"{\"unknown\": ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++)
		expect_refused(docs[i], 2, NULL, "");
	assert_no_leaks();
}

/* Every proper prefix of a manifest as manifest_write() writes it fails at its own length. */
Test(hub_manifest, every_prefix_fails_at_its_end)
{
	struct fake f;
	struct manifest_doc d;
	size_t len, off, end;
	char msg[256];
	int err;

	fake_run(&f);
	for (end = f.len; end > 0 && (f.text[end - 1] == '\n' || f.text[end - 1] == ' '); end--)
		;
	cr_assert(eq(chr, f.text[end - 1], '}'));
	for (len = 0; len < end; len++) {
		err = parse_n(f.text, len, 2, &d, &off, msg, sizeof(msg));
		/* plain checks in the loop: a cr_assert per prefix costs more than the parse */
		if (err >= 0)
			cr_fatal("prefix of %zu bytes accepted", len);
		if (off != len || !msg[0] || d.v || d.format)
			cr_fatal("prefix of %zu bytes: error at %zu (%s)", len, off, msg);
	}
	for (len = end; len <= f.len; len++) {
		err = parse_n(f.text, len, 2, &d, &off, msg, sizeof(msg));
		cr_assert(eq(int, err, 0), "%zu bytes: %s", len, msg);
		manifest_doc_free(&d);
	}
	fake_free(&f);
	assert_no_leaks();
}

/* Single-byte changes anywhere: never a crash; an error always lies inside the input. */
Test(hub_manifest, byte_mutations_stay_in_bounds)
{
	static const u8 vals[] = { '"', '\\', '}', ']', '0', 'u', 0x00, 0x80, 0xff };
	static const char base[] = HEAD KOK("a/b", ", \"poisoned\": [\"1\\tx\\u00e9\"]") ", "
				   KFAIL("c") FOOT;
	struct manifest_doc d;
	size_t i, j, off, len = strlen(base);
	char msg[256], *text = malloc(len);
	int err;

	cr_assert(text != NULL);
	memcpy(text, base, len);
	for (i = 0; i < len; i++) {
		for (j = 0; j < ARRAY_SIZE(vals); j++) {
			text[i] = (char)vals[j];
			err = parse_n(text, len, 2, &d, &off, msg, 64);
			if (!err)
				manifest_doc_free(&d);
			else if (err > 0 || off > len || !msg[0] || strlen(msg) >= 64)
				cr_fatal("byte %zu = 0x%02x: error %d at offset %zu (%s)", i, vals[j],
					 err, off, msg);
		}
		text[i] = base[i];
	}
	free(text);
	assert_no_leaks();
}

/* ---- allocation failures ------------------------------------------------ */

Test(hub_manifest, allocation_failures)
{
	struct fake f;
	struct manifest_doc d;
	unsigned long n;
	size_t off;
	char msg[256];
	int err = -1;

	fake_run(&f);
	for (n = 1; n < 10000; n++) {
		util_alloc_fail_at = n;
		err = parse_n(f.text, f.len, 2, &d, &off, msg, sizeof(msg));
		util_alloc_fail_at = 0;
		if (!err)
			break;
		cr_assert(err < 0);
		cr_assert(strstr(msg, "out of memory") != NULL, "allocation %lu: %s", n, msg);
		cr_assert(off <= f.len);
		cr_assert(d.v == NULL && d.format == NULL);
		assert_no_leaks();
	}
	cr_assert(eq(int, err, 0));
	cr_assert(eq(sz, d.n, 4));
	manifest_doc_free(&d);
	fake_free(&f);
	assert_no_leaks();
}

/* ---- manifest_read(): the file in OUT_DIR ------------------------------- */

Test(hub_manifest, read_back_when_everything_matches)
{
	struct fake f;
	struct mentry *m = (struct mentry *)1;
	size_t nr = 99, i, ok = 0;

	fake_run(&f);
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 4), "%s", diag_last());
	for (i = 0; i < nr; i++)
		ok += !strcmp(m[i].path, "debian/12/arm64/6.1.0-56-arm64") ||
		      !strcmp(m[i].path, "ubuntu/20.04/x86_64/5.4.0-2") ||
		      !strcmp(m[i].path, "ubuntu/20.04/x86_64/5.4.0-3");
	cr_assert(eq(sz, ok, 3));
	cr_assert(eq(int, diag_lines(), 0), "%s", diag_last());
	mentries_free(m, nr);
	fake_free(&f);
	assert_no_leaks();
}

Test(hub_manifest, read_none_when_options_or_objects_differ)
{
	struct fake f;
	struct mentry *m;
	size_t nr;

	fake_run(&f);
	f.o.verify = true;
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	cr_assert(m == NULL);
	f.o.verify = false;
	f.o.dedup = HUB_DEDUP_COPY;
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	f.o.dedup = HUB_DEDUP_SYMLINK;
	f.a.objs_hash[0] = 'f';
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	f.a.objs_hash[0] = HA[0];
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 4), "all matching again");
	mentries_free(m, nr);
	cr_assert(eq(int, diag_lines(), 0), "said at -v only: %s", diag_last());
	fake_free(&f);
	assert_no_leaks();
}

Test(hub_manifest, read_broken_manifest_warns_once)
{
	struct fake f;
	struct mentry *m;
	size_t nr;
	static const char broken[] = "{\"format\": \"btfgen-manifest\", \"kernels\": [1]}";
	char path[PATH_MAX], byte[32];
	FILE *fp;

	fake_init(&f, 0);
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	cr_assert(eq(int, diag_lines(), 0), "no manifest: nothing said");
	snprintf(path, sizeof(path), "%s/%s", tmp_dir(), HUB_MANIFEST_NAME);
	fp = fopen(path, "w");
	cr_assert(fp != NULL);
	fputs(broken, fp);
	fclose(fp);
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	cr_assert(eq(int, diag_lines(), 1));
	snprintf(byte, sizeof(byte), "byte %zu:", at(broken, "1]"));
	cr_assert(strstr(diag_last(), HUB_MANIFEST_NAME) && strstr(diag_last(), byte) &&
		  strstr(diag_last(), "expected objects"), "message: %s", diag_last());
	/* a symlink in its place is not followed */
	cr_assert(eq(int, unlink(path), 0));
	cr_assert(eq(int, symlink("/etc/hostname", path), 0));
	diag_reset();
	manifest_read(&f.a, &m, &nr);
	cr_assert(eq(sz, nr, 0));
	cr_assert(eq(int, diag_lines(), 1));
	cr_assert(strstr(diag_last(), "symlink") != NULL, "message: %s", diag_last());
	fake_free(&f);
	assert_no_leaks();
}
