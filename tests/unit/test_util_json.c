// SPDX-License-Identifier: MIT
/*
 * test_util_json.c - unit tests for util/json.c (suites json_write and
 * json_read).
 *
 * Oracles:
 *   - exact expected bytes, written out by hand, for both layouts, every
 *     escape and every kind of invalid UTF-8;
 *   - an independent UTF-8 decoder in this file (decode, then check the
 *     code point: overlong, surrogate, > U+10FFFF), compared with the
 *     writer's output, json_utf8_valid() and the reader's decoding for
 *     every 1- and 2-byte string and boundary-heavy sets of 3- and 4-byte
 *     strings;
 *   - the reader reading back what the writer wrote (round trip);
 *   - for the reader's error reporting, the offset rule of json.h: every
 *     proper prefix of a valid document fails at its own length.
 *
 * Documents handed to the reader sit in malloc'd buffers of exactly their
 * size, so ASan catches any read past the end.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/util.h"

static void setup(void)
{
	util_alloc_fail_at = 0;
}

static void teardown(void)
{
	util_alloc_fail_at = 0;
}

TestSuite(json_write, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(json_read, .init = setup, .fini = teardown, .timeout = 60);

/* ---- leak check (as tests/unit/helpers.h, which needs btf.h) ------------ */

#if defined(__SANITIZE_ADDRESS__)
#define JSON_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSON_LSAN 1
#endif
#endif

#ifdef JSON_LSAN
int __lsan_do_recoverable_leak_check(void);
#endif

static void assert_no_leaks(void)
{
#ifdef JSON_LSAN
	cr_assert(eq(int, __lsan_do_recoverable_leak_check(), 0), "LeakSanitizer found leaks");
#endif
}

static char *cstr(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* ---- helpers ------------------------------------------------------------ */

/* An exact-size malloc'd copy (so ASan sees any read past @len). */
static u8 *dup_exact(const void *p, size_t len)
{
	u8 *d = malloc(len ? len : 1);

	cr_assert(d != NULL);
	if (len)
		memcpy(d, p, len);
	return d;
}

/* Finish @w (which must succeed); returns the xmalloc'd text. */
static char *finish_ok(struct json_w *w)
{
	char *out = NULL;
	size_t len = 0;

	cr_assert(eq(int, json_w_finish(w, &out, &len), 0));
	cr_assert(out != NULL);
	cr_assert(eq(sz, strlen(out), len));
	return out;
}

/* Finish @w and compare its whole text with @want; frees the writer. */
static void expect_text(struct json_w *w, const char *want)
{
	char *out = finish_ok(w);

	cr_assert(eq(str, out, cstr(want)));
	xfree(out);
	json_w_free(w);
}

/* The writer's text for the single string value @s (@n bytes). */
static char *write_one(const char *s, size_t n)
{
	struct json_w w;

	json_w_init(&w);
	json_w_strn(&w, s, n);
	return finish_ok(&w);
}

/*
 * Read a whole document (an exact-size copy of @doc) into @r: returns the
 * last token (JSON_EOF or JSON_ERR). Tokens are appended to @toks as
 * letters ({ } [ ] k s n t f z), when @toks is given (room for 256).
 */
static enum json_tok read_doc(struct json_rd *r, u8 **copy, const void *doc, size_t len,
			      char *toks)
{
	static const char letters[] = "{}[]ksntfz";
	enum json_tok t;
	size_t nt = 0;
	int i;

	*copy = dup_exact(doc, len);
	json_rd_init(r, *copy, len);
	for (i = 0; i < 1000000; i++) {
		t = json_next(r);
		if (t == JSON_EOF || t == JSON_ERR)
			break;
		if (toks && nt < 255)
			toks[nt++] = letters[t - JSON_OBJ];
	}
	if (toks)
		toks[nt] = '\0';
	return t;
}

/* ---- an independent UTF-8 oracle ---------------------------------------- */

/*
 * Length of the well-formed sequence at @s (@n bytes left), or 0 if none:
 * decode by the bit patterns, then check the code point.
 */
static size_t ref_seq(const u8 *s, size_t n)
{
	u32 c = s[0], cp, min;
	size_t len, k;

	if (c < 0x80)
		return c ? 1 : 0;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool ref_valid(const u8 *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = ref_seq(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* @s with every byte outside a well-formed sequence (and NUL) as U+FFFD. */
static size_t ref_replace(const u8 *s, size_t n, u8 *out)
{
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = ref_seq(s + i, n - i);
		if (!k) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	return o;
}

/* The JSON text json.h promises for the (already replaced) string @s. */
static size_t ref_quote(const u8 *s, size_t n, char *out)
{
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '"': o += (size_t)sprintf(out + o, "\\\""); break;
		case '\\': o += (size_t)sprintf(out + o, "\\\\"); break;
		case '\n': o += (size_t)sprintf(out + o, "\\n"); break;
		case '\r': o += (size_t)sprintf(out + o, "\\r"); break;
		case '\t': o += (size_t)sprintf(out + o, "\\t"); break;
		case '\b': o += (size_t)sprintf(out + o, "\\b"); break;
		case '\f': o += (size_t)sprintf(out + o, "\\f"); break;
		default:
			if (s[i] < 0x20)
				o += (size_t)sprintf(out + o, "\\u%04x", s[i]);
			else
				out[o++] = (char)s[i];
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

/*
 * Write @s (@n bytes, n <= 8), compare with the oracle, check
 * json_utf8_valid(), and read the output back.
 */
static void check_string_bytes(const u8 *s, size_t n)
{
	u8 repl[32], *copy;
	char want[256], hexs[40], *out;
	size_t rn, k;
	struct json_rd r;

	for (k = 0; k < n; k++)
		sprintf(hexs + 3 * k, "%02x ", s[k]);
	hexs[3 * n] = '\0';
	rn = ref_replace(s, n, repl);
	ref_quote(repl, rn, want);
	strcat(want, "\n");
	out = write_one((const char *)s, n);
	cr_assert(eq(str, out, want), "bytes %s", hexs);
	cr_assert(eq(int, json_utf8_valid((const char *)s, n), ref_valid(s, n)), "bytes %s",
		  hexs);
	cr_assert(eq(int, read_doc(&r, &copy, out, strlen(out), NULL), JSON_EOF),
		  "bytes %s: %s", hexs, r.err_msg);
	cr_assert(eq(sz, r.str_len, rn), "bytes %s", hexs);
	cr_assert(eq(int, memcmp(r.str, repl, rn), 0), "bytes %s", hexs);
	json_rd_free(&r);
	free(copy);
	xfree(out);
}

/* ==== writer ============================================================ */

Test(json_write, inline_layout)
{
	struct json_w w;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "a");
	json_w_u64(&w, 1);
	json_w_key(&w, "b");
	json_w_arr_begin(&w, JSON_INLINE);
	json_w_u64(&w, 1);
	json_w_u64(&w, 2);
	json_w_arr_end(&w);
	json_w_key(&w, "c");
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "d");
	json_w_null(&w);
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	expect_text(&w, "{\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": null}}\n");
}

/* Go's json.Marshal bytes (the Online API's list): no space anywhere; an inline member inside. */
Test(json_write, compact_layout)
{
	struct json_w w;

	json_w_init(&w);
	json_w_arr_begin(&w, JSON_COMPACT);
	json_w_obj_begin(&w, JSON_COMPACT);
	json_w_key(&w, "a");
	json_w_str(&w, "x y");
	json_w_key(&w, "b");
	json_w_arr_begin(&w, JSON_COMPACT);
	json_w_u64(&w, 1);
	json_w_u64(&w, 2);
	json_w_arr_end(&w);
	json_w_key(&w, "c");
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "d");
	json_w_null(&w);
	json_w_key(&w, "e");
	json_w_bool(&w, true);
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	json_w_obj_begin(&w, JSON_COMPACT);
	json_w_obj_end(&w);
	json_w_arr_end(&w);
	expect_text(&w, "[{\"a\":\"x y\",\"b\":[1,2],\"c\":{\"d\": null, \"e\": true}},{}]\n");
}

/* The example of json.h: a JSON_LINES object holding inline objects. */
Test(json_write, lines_layout)
{
	struct json_w w;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, "version");
	json_w_u64(&w, 1);
	json_w_key(&w, "kernels");
	json_w_arr_begin(&w, JSON_LINES);
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "path");
	json_w_str(&w, "a/b");
	json_w_key(&w, "size");
	json_w_u64(&w, 3);
	json_w_obj_end(&w);
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "path");
	json_w_str(&w, "c");
	json_w_key(&w, "size");
	json_w_u64(&w, 4);
	json_w_obj_end(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	expect_text(&w,
		    "{\n"
		    "  \"version\": 1,\n"
		    "  \"kernels\": [\n"
		    "    {\"path\": \"a/b\", \"size\": 3},\n"
		    "    {\"path\": \"c\", \"size\": 4}\n"
		    "  ]\n"
		    "}\n");
}

/* JSON_LINES three deep, empty containers in both layouts, a lines array in an inline object. */
Test(json_write, nesting_and_empty)
{
	struct json_w w;

	json_w_init(&w);
	json_w_arr_begin(&w, JSON_LINES);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, "e1");
	json_w_obj_begin(&w, JSON_LINES);
	json_w_obj_end(&w);
	json_w_key(&w, "e2");
	json_w_arr_begin(&w, JSON_INLINE);
	json_w_arr_end(&w);
	json_w_key(&w, "deep");
	json_w_arr_begin(&w, JSON_LINES);
	json_w_bool(&w, true);
	json_w_bool(&w, false);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "l");
	json_w_arr_begin(&w, JSON_LINES);
	json_w_s64(&w, -1);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	json_w_arr_begin(&w, JSON_LINES);
	json_w_arr_end(&w);
	json_w_arr_end(&w);
	expect_text(&w,
		    "[\n"
		    "  {\n"
		    "    \"e1\": {},\n"
		    "    \"e2\": [],\n"
		    "    \"deep\": [\n"
		    "      true,\n"
		    "      false\n"
		    "    ]\n"
		    "  },\n"
		    "  {\"l\": [\n"
		    "      -1\n"
		    "    ]},\n"
		    "  []\n"
		    "]\n");

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_obj_end(&w);
	expect_text(&w, "{}\n");
}

Test(json_write, top_level_scalars)
{
	struct json_w w;

	json_w_init(&w);
	json_w_u64(&w, 42);
	expect_text(&w, "42\n");
	json_w_init(&w);
	json_w_str(&w, "x");
	expect_text(&w, "\"x\"\n");
	json_w_init(&w);
	json_w_str(&w, NULL);
	expect_text(&w, "null\n");
	json_w_init(&w);
	json_w_strn(&w, NULL, 5);
	expect_text(&w, "null\n");
	json_w_init(&w);
	json_w_bool(&w, false);
	expect_text(&w, "false\n");
	json_w_init(&w);
	json_w_str(&w, "");
	expect_text(&w, "\"\"\n");
}

Test(json_write, integers)
{
	struct json_w w;

	json_w_init(&w);
	json_w_arr_begin(&w, JSON_INLINE);
	json_w_u64(&w, 0);
	json_w_u64(&w, 9);
	json_w_u64(&w, 10);
	json_w_u64(&w, UINT64_MAX);
	json_w_s64(&w, 0);
	json_w_s64(&w, -1);
	json_w_s64(&w, INT64_MAX);
	json_w_s64(&w, INT64_MIN);
	json_w_s64(&w, INT64_MIN + 1);
	json_w_arr_end(&w);
	expect_text(&w, "[0, 9, 10, 18446744073709551615, 0, -1, 9223372036854775807, "
			"-9223372036854775808, -9223372036854775807]\n");
}

Test(json_write, escapes)
{
	char in[40];
	struct json_w w;
	int i;

	for (i = 1; i < 0x20; i++)
		in[i - 1] = (char)i;
	memcpy(in + 31, "\"\\/\x7f", 4);
	json_w_init(&w);
	json_w_strn(&w, in, 35);
	expect_text(&w, "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b"
			"\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016"
			"\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
			"\\\"\\\\/\x7f\"\n");

	/* keys are escaped alike */
	json_w_init(&w);
	json_w_obj_begin(&w, JSON_INLINE);
	json_w_key(&w, "a\"b\n");
	json_w_str(&w, "tab\there");
	json_w_obj_end(&w);
	expect_text(&w, "{\"a\\\"b\\n\": \"tab\\there\"}\n");
}

Test(json_write, utf8_passes_through)
{
	static const char *const ok[] = {
		"\xc3\xa9",			/* U+00E9 */
		"\xe2\x82\xac",			/* U+20AC */
		"\xf0\x9f\x98\x80",		/* U+1F600 */
		"\xc2\x80",			/* U+0080 */
		"\xdf\xbf",			/* U+07FF */
		"\xe0\xa0\x80",			/* U+0800 */
		"\xed\x9f\xbf",			/* U+D7FF */
		"\xee\x80\x80",			/* U+E000 */
		"\xef\xbf\xbf",			/* U+FFFF */
		"\xf0\x90\x80\x80",		/* U+10000 */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF */
		"caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80!",
	};
	char want[64], *out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(want, sizeof(want), "\"%s\"\n", ok[i]);
		out = write_one(ok[i], strlen(ok[i]));
		cr_assert(eq(str, out, want), "case %zu", i);
		cr_assert(json_utf8_valid(ok[i], strlen(ok[i])), "case %zu", i);
		xfree(out);
	}
}

#define FFFD "\xef\xbf\xbd"

/* Each kind of invalid UTF-8, with the exact bytes written: one U+FFFD per bad byte. */
Test(json_write, invalid_utf8_replaced)
{
	static const struct {
		const char *what, *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "lone continuation", "\x80", 1, FFFD },
		{ "lone continuation 0xbf", "a\xbf" "b", 3, "a" FFFD "b" },
		{ "invalid lead 0xff", "\xff", 1, FFFD },
		{ "invalid lead 0xfe", "\xfe", 1, FFFD },
		{ "overlong C0 80", "\xc0\x80", 2, FFFD FFFD },
		{ "overlong C1 BF", "\xc1\xbf", 2, FFFD FFFD },
		{ "overlong E0 80 80", "\xe0\x80\x80", 3, FFFD FFFD FFFD },
		{ "overlong E0 9F BF", "\xe0\x9f\xbf", 3, FFFD FFFD FFFD },
		{ "overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", 4, FFFD FFFD FFFD FFFD },
		{ "surrogate U+D800", "\xed\xa0\x80", 3, FFFD FFFD FFFD },
		{ "surrogate U+DFFF", "\xed\xbf\xbf", 3, FFFD FFFD FFFD },
		{ "surrogate pair in CESU-8", "\xed\xa0\xbd\xed\xb8\x80", 6,
		  FFFD FFFD FFFD FFFD FFFD FFFD },
		{ "above U+10FFFF (F4 90)", "\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD },
		{ "above U+10FFFF (F5)", "\xf5\x80\x80\x80", 4, FFFD FFFD FFFD FFFD },
		{ "truncated 2 of 3", "\xe2\x82" "A", 3, FFFD FFFD "A" },
		{ "truncated at the end", "x\xf0\x9f\x98", 4, "x" FFFD FFFD FFFD },
		{ "lead at the end", "\xc3", 1, FFFD },
		{ "lead then ASCII", "\xc3" "A", 2, FFFD "A" },
		{ "NUL byte", "a\0b", 3, "a" FFFD "b" },
		{ "valid around invalid", "\xc3\xa9\x80\xe2\x82\xac", 6, "\xc3\xa9" FFFD "\xe2\x82\xac" },
		{ "bad then control", "\xff\x01", 2, FFFD "\\u0001" },
	};
	char want[128], *out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(want, sizeof(want), "\"%s\"\n", cases[i].want);
		out = write_one(cases[i].in, cases[i].len);
		cr_assert(eq(str, out, want), "%s", cases[i].what);
		cr_assert(eq(int, json_utf8_valid(cases[i].in, cases[i].len), false), "%s", cases[i].what);
		xfree(out);
	}
	cr_assert(json_utf8_valid("", 0));
	cr_assert(json_utf8_valid("plain \x7f", 7));
}

/* Every 1- and 2-byte string, and boundary-heavy 3- and 4-byte ones, against the oracle. */
Test(json_write, utf8_exhaustive)
{
	static const u8 tails[] = { 0x00, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
				    0xbf, 0xc0, 0xff };
	u8 s[4];
	unsigned a, b, c, d;

	for (a = 0; a < 256; a++) {
		s[0] = (u8)a;
		check_string_bytes(s, 1);
		for (b = 0; b < 256; b++) {
			s[1] = (u8)b;
			check_string_bytes(s, 2);
		}
	}
	for (a = 0xe0; a < 0xf0; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < ARRAY_SIZE(tails); c++) {
				s[0] = (u8)a;
				s[1] = (u8)b;
				s[2] = tails[c];
				check_string_bytes(s, 3);
			}
	for (a = 0xf0; a < 0xf8; a++)
		for (b = 0x70; b < 0xd0; b++)
			for (c = 0; c < ARRAY_SIZE(tails); c += 2)
				for (d = 0; d < ARRAY_SIZE(tails); d += 3) {
					s[0] = (u8)a;
					s[1] = (u8)b;
					s[2] = tails[c];
					s[3] = tails[d];
					check_string_bytes(s, 4);
				}
}

/* A writer action sequence that must end in -EINVAL. */
enum wop { W_END, W_OBJ, W_OBJ_END, W_ARR, W_ARR_END, W_KEY, W_NUM, W_NULLKEY, W_BADLAYOUT };

static int run_ops(const enum wop *ops, char **text)
{
	struct json_w w;
	size_t len;
	int i, err;

	json_w_init(&w);
	for (i = 0; ops[i] != W_END; i++) {
		switch (ops[i]) {
		case W_OBJ: json_w_obj_begin(&w, JSON_INLINE); break;
		case W_OBJ_END: json_w_obj_end(&w); break;
		case W_ARR: json_w_arr_begin(&w, JSON_LINES); break;
		case W_ARR_END: json_w_arr_end(&w); break;
		case W_KEY: json_w_key(&w, "k"); break;
		case W_NUM: json_w_u64(&w, 7); break;
		case W_NULLKEY: json_w_key(&w, NULL); break;
		case W_BADLAYOUT: json_w_obj_begin(&w, (enum json_layout)7); break;
		default: break;
		}
	}
	*text = NULL;
	err = json_w_finish(&w, text, &len);
	json_w_free(&w);
	return err;
}

Test(json_write, misuse)
{
	static const struct {
		const char *what;
		enum wop ops[8];
	} cases[] = {
		{ "value without key", { W_OBJ, W_NUM, W_OBJ_END } },
		{ "container without key", { W_OBJ, W_ARR, W_ARR_END, W_OBJ_END } },
		{ "key in an array", { W_ARR, W_KEY, W_NUM, W_ARR_END } },
		{ "key at the top level", { W_KEY, W_NUM } },
		{ "two keys in a row", { W_OBJ, W_KEY, W_KEY, W_NUM, W_OBJ_END } },
		{ "key without value", { W_OBJ, W_KEY, W_OBJ_END } },
		{ "'}' closes an array", { W_ARR, W_OBJ_END } },
		{ "']' closes an object", { W_OBJ, W_ARR_END } },
		{ "']' at depth 0", { W_NUM, W_ARR_END } },
		{ "second top-level value", { W_NUM, W_NUM } },
		{ "second top-level container", { W_OBJ, W_OBJ_END, W_ARR, W_ARR_END } },
		{ "open container at finish", { W_ARR, W_NUM } },
		{ "nothing written", { W_END } },
		{ "NULL key", { W_OBJ, W_NULLKEY, W_NUM, W_OBJ_END } },
		{ "bad layout", { W_BADLAYOUT } },
	};
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_assert(eq(int, run_ops(cases[i].ops, &text), -EINVAL), "%s", cases[i].what);
		cr_assert(text == NULL, "%s: output handed over", cases[i].what);
	}
}

/* Errors are sticky: nothing is written after the first, finish hands nothing over. */
Test(json_write, errors_are_sticky)
{
	struct json_w w;
	char *out = (char *)1;
	size_t len = 99, dlen;
	const char *data;

	json_w_init(&w);
	json_w_arr_begin(&w, JSON_INLINE);
	json_w_u64(&w, 1);
	json_w_key(&w, "oops");
	cr_assert(eq(int, w.err, -EINVAL));
	data = json_w_data(&w, &dlen);
	cr_assert(eq(sz, dlen, 2));
	cr_assert(eq(int, memcmp(data, "[1", 2), 0));
	json_w_u64(&w, 2);
	json_w_arr_end(&w);
	json_w_str(&w, "x");
	data = json_w_data(&w, &dlen);
	cr_assert(eq(sz, dlen, 2));
	cr_assert(eq(int, json_w_finish(&w, &out, &len), -EINVAL));
	cr_assert(out == (char *)1);
	cr_assert(eq(sz, len, 99));
	json_w_free(&w);
	json_w_free(&w);	/* safe twice */
}

Test(json_write, depth_limit)
{
	struct json_w w;
	char *out;
	int i;

	json_w_init(&w);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_w_arr_begin(&w, JSON_INLINE);
	cr_assert(eq(int, w.err, 0));
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_w_arr_end(&w);
	out = finish_ok(&w);
	cr_assert(eq(sz, strlen(out), 2 * JSON_MAX_DEPTH + 1));
	xfree(out);
	json_w_free(&w);

	json_w_init(&w);
	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		json_w_obj_begin(&w, JSON_LINES);
		json_w_key(&w, "k");
	}
	cr_assert(eq(int, w.err, 0));
	json_w_arr_begin(&w, JSON_INLINE);
	cr_assert(eq(int, w.err, -EINVAL));
	json_w_free(&w);
}

/* Streaming with json_w_data()/json_w_consume() gives the same bytes. */
Test(json_write, consume_streams)
{
	struct json_w w, ref;
	char *whole, *tail, stream[4096];
	size_t n = 0, len, tlen;
	const char *d;
	int i;

	json_w_init(&w);
	json_w_init(&ref);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_obj_begin(&ref, JSON_LINES);
	json_w_key(&w, "items");
	json_w_key(&ref, "items");
	json_w_arr_begin(&w, JSON_LINES);
	json_w_arr_begin(&ref, JSON_LINES);
	for (i = 0; i < 50; i++) {
		json_w_u64(&w, (u64)i * 1000);
		json_w_u64(&ref, (u64)i * 1000);
		if (i % 7 == 0) {
			d = json_w_data(&w, &len);
			memcpy(stream + n, d, len);
			n += len;
			json_w_consume(&w);
			d = json_w_data(&w, &len);
			cr_assert(eq(sz, len, 0));
		}
	}
	json_w_arr_end(&w);
	json_w_arr_end(&ref);
	json_w_obj_end(&w);
	json_w_obj_end(&ref);
	cr_assert(eq(int, json_w_finish(&w, &tail, &tlen), 0));
	memcpy(stream + n, tail, tlen + 1);
	whole = finish_ok(&ref);
	cr_assert(eq(str, stream, whole));
	xfree(tail);
	xfree(whole);
	json_w_free(&w);
	json_w_free(&ref);
}

/* After finish the writer is empty again and can write a second document. */
Test(json_write, finish_resets)
{
	struct json_w w;
	char *a, *b;

	json_w_init(&w);
	json_w_u64(&w, 1);
	a = finish_ok(&w);
	json_w_str(&w, "two");
	b = finish_ok(&w);
	cr_assert(eq(str, a, "1\n"));
	cr_assert(eq(str, b, "\"two\"\n"));
	xfree(a);
	xfree(b);
	json_w_free(&w);
}

/* Build the test document of the allocation-failure loop (and the round trip). */
static void build_doc(struct json_w *w)
{
	char name[64];
	int i;

	json_w_obj_begin(w, JSON_LINES);
	json_w_key(w, "btfgen_version");
	json_w_str(w, "0.1.0");
	json_w_key(w, "kernels");
	json_w_arr_begin(w, JSON_LINES);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "ubuntu/20.04/x86_64/5.4.0-%d-generic\xc3\xa9\x01.btf", i);
		json_w_obj_begin(w, JSON_INLINE);
		json_w_key(w, "path");
		json_w_str(w, name);
		json_w_key(w, "size");
		json_w_u64(w, (u64)i * 123457);
		json_w_key(w, "delta");
		json_w_s64(w, -i);
		json_w_key(w, "bad");
		json_w_strn(w, "\xff\0z", 3);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
	json_w_obj_end(w);
}

Test(json_write, allocation_failures)
{
	struct json_w w;
	char *want, *out;
	unsigned long n, failed = 0;
	size_t len;
	int rc;

	json_w_init(&w);
	build_doc(&w);
	want = finish_ok(&w);
	json_w_free(&w);
	for (n = 1; n < 10000; n++) {
		json_w_init(&w);
		util_alloc_fail_at = n;
		build_doc(&w);
		rc = json_w_finish(&w, &out, &len);
		util_alloc_fail_at = 0;
		json_w_free(&w);
		if (rc == 0) {
			cr_assert(eq(str, out, want));
			xfree(out);
			break;
		}
		cr_assert(eq(int, rc, -ENOMEM), "allocation %lu failing", n);
		failed++;
		assert_no_leaks();
	}
	cr_assert(failed >= 5, "only %lu allocations", failed);
	xfree(want);
	assert_no_leaks();
}

/* The writer's document read back: every token, string and number. */
Test(json_write, round_trip)
{
	struct json_w w;
	struct json_rd r;
	char *out, name[64];
	u8 *copy;
	u64 u;
	s64 s;
	int i;

	json_w_init(&w);
	build_doc(&w);
	out = finish_ok(&w);
	copy = dup_exact(out, strlen(out));
	json_rd_init(&r, copy, strlen(out));
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(str, r.str, "btfgen_version"));
	cr_assert(eq(int, json_next(&r), JSON_STR));
	cr_assert(eq(str, r.str, "0.1.0"));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(int, json_next(&r), JSON_ARR));
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "ubuntu/20.04/x86_64/5.4.0-%d-generic\xc3\xa9\x01.btf", i);
		cr_assert(eq(int, json_next(&r), JSON_OBJ));
		cr_assert(eq(int, json_next(&r), JSON_KEY));
		cr_assert(eq(str, r.str, "path"));
		cr_assert(eq(int, json_next(&r), JSON_STR));
		cr_assert(eq(str, r.str, name));
		cr_assert(eq(sz, r.str_len, strlen(name)));
		cr_assert(eq(int, json_next(&r), JSON_KEY));
		cr_assert(eq(int, json_next(&r), JSON_NUM));
		cr_assert(eq(int, json_rd_u64(&r, &u), 0));
		cr_assert(eq(u64, u, (u64)i * 123457));
		cr_assert(eq(int, json_next(&r), JSON_KEY));
		cr_assert(eq(int, json_next(&r), JSON_NUM));
		cr_assert(eq(int, json_rd_s64(&r, &s), 0));
		cr_assert(eq(i64, s, -i));
		cr_assert(eq(int, json_next(&r), JSON_KEY));
		cr_assert(eq(str, r.str, "bad"));
		cr_assert(eq(int, json_next(&r), JSON_STR));
		cr_assert(eq(str, r.str, FFFD FFFD "z"));
		cr_assert(eq(int, json_next(&r), JSON_OBJ_END));
	}
	cr_assert(eq(int, json_next(&r), JSON_ARR_END));
	cr_assert(eq(int, json_next(&r), JSON_OBJ_END));
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	json_rd_free(&r);
	free(copy);
	xfree(out);

	/* extreme numbers */
	json_w_init(&w);
	json_w_arr_begin(&w, JSON_INLINE);
	json_w_u64(&w, UINT64_MAX);
	json_w_s64(&w, INT64_MIN);
	json_w_arr_end(&w);
	out = finish_ok(&w);
	json_rd_init(&r, out, strlen(out));
	cr_assert(eq(int, json_next(&r), JSON_ARR));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	cr_assert(eq(int, json_rd_u64(&r, &u), 0));
	cr_assert(eq(u64, u, UINT64_MAX));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	cr_assert(eq(int, json_rd_s64(&r, &s), 0));
	cr_assert(eq(i64, s, INT64_MIN));
	json_rd_free(&r);
	xfree(out);
	assert_no_leaks();
}

/* ==== reader ============================================================ */

/* ---- accepted documents, with their token sequence ---------------------- */

struct acase {
	char doc[96];
	size_t len;
	char toks[32];	/* { } [ ] k s n t f z, then EOF */
};

#define DOC(s) s, sizeof(s) - 1

ParameterizedTestParameters(json_read, accepted)
{
	static struct acase cases[] = {
		{ DOC("0"), "n" },
		{ DOC("-0"), "n" },
		{ DOC("1e5"), "n" },
		{ DOC("1E+5"), "n" },
		{ DOC("-1.25e-3"), "n" },
		{ DOC("0.0"), "n" },
		{ DOC("123456789"), "n" },
		{ DOC("\"\""), "s" },
		{ DOC("\"x\""), "s" },
		{ DOC("true"), "t" },
		{ DOC("false"), "f" },
		{ DOC("null"), "z" },
		{ DOC("[]"), "[]" },
		{ DOC("{}"), "{}" },
		{ DOC(" \t\r\n[ 1 , 2 ]\n\n"), "[nn]" },
		{ DOC("{\"a\":{\"b\":[null,true,false]}}"), "{k{k[ztf]}}" },
		{ DOC("{ \"a\" : 1 , \"b\" : [ ] , \"c\" : { } }"), "{knk[]k{}}" },
		{ DOC("[[[]],[{}],{\"\":\"\"}]"), "[[[]][{}]{ks}]" },
		{ DOC("[\"\\/\\\"\\\\\\b\\f\\n\\r\\t\"]"), "[s]" },
		{ DOC("{\"k\":-0.5E-0}"), "{kn}" },
		{ DOC("[0,-0,1,-1]"), "[nnnn]" },
		{ DOC("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\""), "s" },
	};

	return cr_make_param_array(struct acase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct acase *c, json_read, accepted)
{
	struct json_rd r;
	char toks[256];
	u8 *copy;

	cr_assert(eq(int, read_doc(&r, &copy, c->doc, c->len, toks), JSON_EOF), "%s: %s at %zu",
		  c->doc, r.err_msg, r.err_off);
	cr_assert(eq(str, toks, c->toks), "%s", c->doc);
	cr_assert(eq(int, r.err, 0));
	cr_assert(eq(int, json_next(&r), JSON_EOF), "EOF again");
	json_rd_free(&r);
	free(copy);
}

/* ---- refused documents -------------------------------------------------- */

struct rcase {
	char doc[96];
	size_t len;
	int err;
	size_t off;	/* (size_t)-1: the document's length */
	char msg[48];
};

#define AT_END ((size_t)-1)

ParameterizedTestParameters(json_read, refused)
{
	static struct rcase cases[] = {
		/* structure */
		{ DOC(""), -EINVAL, 0, "empty document" },
		{ DOC("  \n "), -EINVAL, AT_END, "empty document" },
		{ DOC("[1,]"), -EINVAL, 3, "trailing comma before ']'" },
		{ DOC("[,1]"), -EINVAL, 1, "expected a value" },
		{ DOC("[1 2]"), -EINVAL, 3, "expected ',' or ']'" },
		{ DOC("[1,,2]"), -EINVAL, 3, "expected a value" },
		{ DOC("{\"a\" 1}"), -EINVAL, 5, "expected ':'" },
		{ DOC("{\"a\"::1}"), -EINVAL, 5, "expected a value" },
		{ DOC("{1: 2}"), -EINVAL, 1, "expected a string key or '}'" },
		{ DOC("{true: 2}"), -EINVAL, 1, "expected a string key or '}'" },
		{ DOC("{\"a\":1,}"), -EINVAL, 7, "trailing comma before '}'" },
		{ DOC("{\"a\":1,2:3}"), -EINVAL, 7, "expected a string key" },
		{ DOC("{\"a\":1 \"b\":2}"), -EINVAL, 7, "expected ',' or '}'" },
		{ DOC("{\"a\":1]"), -EINVAL, 6, "expected ',' or '}'" },
		{ DOC("[1}"), -EINVAL, 2, "expected ',' or ']'" },
		{ DOC("]"), -EINVAL, 0, "expected a value" },
		{ DOC("}"), -EINVAL, 0, "expected a value" },
		{ DOC("{\"a\":}"), -EINVAL, 5, "expected a value" },
		{ DOC("1 2"), -EINVAL, 2, "unexpected data after the top-level value" },
		{ DOC("[1]]"), -EINVAL, 3, "unexpected data after the top-level value" },
		{ DOC("{} {}"), -EINVAL, 3, "unexpected data after the top-level value" },
		{ DOC("\"a\"\"b\""), -EINVAL, 3, "unexpected data after the top-level value" },
		{ DOC("[1,\0]"), -EINVAL, 3, "expected a value" },
		{ DOC("\xef\xbb\xbf{}"), -EINVAL, 0, "expected a value" },
		{ DOC("[1]\x0b"), -EINVAL, 3, "unexpected data after the top-level value" },
		{ DOC("'a'"), -EINVAL, 0, "expected a value" },
		/* truncated */
		{ DOC("["), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("{"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("{\"a\""), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("{\"a\": "), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("{\"a\":1"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("[1,"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("\"abc"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"abc\\"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("tru"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("[nul"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("-"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("1."), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("1e"), -EINVAL, AT_END, "unexpected end of input" },
		{ DOC("1e-"), -EINVAL, AT_END, "unexpected end of input" },
		/* literals */
		{ DOC("trux"), -EINVAL, 0, "invalid literal" },
		{ DOC("nx"), -EINVAL, 0, "invalid literal" },
		{ DOC("[truex]"), -EINVAL, 1, "invalid literal" },
		{ DOC("[nulL]"), -EINVAL, 1, "invalid literal" },
		{ DOC("True"), -EINVAL, 0, "expected a value" },
		{ DOC("[fals]"), -EINVAL, 1, "invalid literal" },
		/* numbers */
		{ DOC("01"), -EINVAL, 0, "leading zero in number" },
		{ DOC("[-01]"), -EINVAL, 1, "leading zero in number" },
		{ DOC("[00]"), -EINVAL, 1, "leading zero in number" },
		{ DOC("+1"), -EINVAL, 0, "expected a value" },
		{ DOC("[.5]"), -EINVAL, 1, "expected a value" },
		{ DOC("[1.]"), -EINVAL, 1, "invalid number" },
		{ DOC("[1.e5]"), -EINVAL, 1, "invalid number" },
		{ DOC("[1e]"), -EINVAL, 1, "invalid number" },
		{ DOC("[1e+]"), -EINVAL, 1, "invalid number" },
		{ DOC("[-]"), -EINVAL, 1, "invalid number" },
		{ DOC("[- 1]"), -EINVAL, 1, "invalid number" },
		{ DOC("[0x10]"), -EINVAL, 1, "invalid number" },
		{ DOC("[1.5.3]"), -EINVAL, 1, "invalid number" },
		{ DOC("[1e5e5]"), -EINVAL, 1, "invalid number" },
		{ DOC("NaN"), -EINVAL, 0, "expected a value" },
		{ DOC("[Infinity]"), -EINVAL, 1, "expected a value" },
		{ DOC("-Infinity"), -EINVAL, 0, "invalid number" },
		{ DOC("[12345678901234567890123456789012345678901234567890123456789012345]"),
		  -E2BIG, 1, "number longer than 64 characters" },
		/* escapes */
		{ DOC("\"a\\x\""), -EINVAL, 2, "invalid escape \\x" },
		{ DOC("\"\\U0041\""), -EINVAL, 1, "invalid escape \\U" },
		{ DOC("\"\\'\""), -EINVAL, 1, "invalid escape \\'" },
		{ DOC("\"\\\x01\""), -EINVAL, 1, "invalid escape" },
		{ DOC("\"\\u\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u1\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u12\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u123\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u12G4\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u-123\""), -EINVAL, 1, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"\\u1"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"\\u12"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"\\u123"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"\\u1234"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("{\"path\": \"\\u1\", \"x\": \"yyyyyyyyyyyyyyyyyyyy\"}"), -EINVAL, 10,
		  "invalid \\u escape (four hex digits needed)" },
		{ DOC("{\"path\": \"ok\", \"x\": \"yyyy\\u12\"}"), -EINVAL, 25,
		  "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\u0000\""), -EINVAL, 1, "\\u0000 not allowed" },
		{ DOC("[\"ab\\u0000\"]"), -EINVAL, 4, "\\u0000 not allowed" },
		/* surrogates */
		{ DOC("\"\\udc00\""), -EINVAL, 1, "lone surrogate \\udc00" },
		{ DOC("\"\\uDFFF\""), -EINVAL, 1, "lone surrogate \\udfff" },
		{ DOC("\"\\ud83d\""), -EINVAL, 1, "lone surrogate \\ud83d" },
		{ DOC("\"\\uD83Dx\""), -EINVAL, 1, "lone surrogate \\ud83d" },
		{ DOC("\"\\ud83d\\n\""), -EINVAL, 1, "lone surrogate \\ud83d" },
		{ DOC("\"\\ud83d\\u0041\""), -EINVAL, 1, "lone surrogate \\ud83d" },
		{ DOC("\"\\ud83d\\ud83d\""), -EINVAL, 1, "lone surrogate \\ud83d" },
		{ DOC("\"\\ude00\\ud83d\""), -EINVAL, 1, "lone surrogate \\ude00" },
		{ DOC("\"x\\ud83d\\uZZZZ\""), -EINVAL, 8, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"\\ud83d\\u12\""), -EINVAL, 7, "invalid \\u escape (four hex digits needed)" },
		{ DOC("\"ab\\ud83d"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"ab\\ud83d\\"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"ab\\ud83d\\u"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"ab\\ud83d\\ude0"), -EINVAL, AT_END, "unterminated string" },
		/* raw bytes in strings */
		{ DOC("\"\x01\""), -EINVAL, 1, "control character 0x01 in string" },
		{ DOC("\"a\tb\""), -EINVAL, 2, "control character 0x09 in string" },
		{ DOC("\"a\nb\""), -EINVAL, 2, "control character 0x0a in string" },
		{ DOC("\"\x1f\""), -EINVAL, 1, "control character 0x1f in string" },
		{ DOC("\"a\0b\""), -EINVAL, 2, "control character 0x00 in string" },
		{ DOC("\"\x80\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"a\xff\""), -EINVAL, 2, "invalid UTF-8 in string" },
		{ DOC("\"\xc0\x80\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xc1\xbf\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xe0\x9f\xbf\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xed\xa0\x80\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xf0\x8f\xbf\xbf\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xf4\x90\x80\x80\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xf5\x80\x80\x80\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("\"\xe2\x82" "A\""), -EINVAL, 1, "invalid UTF-8 in string" },
		{ DOC("{\"k\xe9y\": 1}"), -EINVAL, 3, "invalid UTF-8 in string" },
		{ DOC("\"\xe2\x82"), -EINVAL, AT_END, "unterminated string" },
		{ DOC("\"\xf0\x9f\x98"), -EINVAL, AT_END, "unterminated string" },
	};

	return cr_make_param_array(struct rcase, cases, ARRAY_SIZE(cases));
}

ParameterizedTest(struct rcase *c, json_read, refused)
{
	struct json_rd r;
	size_t off = c->off == AT_END ? c->len : c->off, err_off;
	u8 *copy;

	cr_assert(eq(int, read_doc(&r, &copy, c->doc, c->len, NULL), JSON_ERR), "%s", c->doc);
	cr_assert(eq(int, r.err, c->err), "%s: %s", c->doc, r.err_msg);
	cr_assert(eq(str, r.err_msg, c->msg), "%s", c->doc);
	cr_assert(eq(sz, r.err_off, off), "%s: %s", c->doc, r.err_msg);
	/* sticky */
	err_off = r.err_off;
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	cr_assert(eq(sz, r.err_off, err_off));
	json_rd_free(&r);
	free(copy);
}

/* ---- strings ------------------------------------------------------------ */

/* Read the one-string document @doc; returns the decoded string (static). */
static const char *read_str(const char *doc, size_t *len)
{
	static char got[256];
	struct json_rd r;
	u8 *copy;

	cr_assert(eq(int, read_doc(&r, &copy, doc, strlen(doc), NULL), JSON_EOF), "%s: %s", doc,
		  r.err_msg);
	cr_assert(r.str_len < sizeof(got));
	memcpy(got, r.str, r.str_len + 1);
	cr_assert(eq(sz, strlen(got), r.str_len));
	*len = r.str_len;
	json_rd_free(&r);
	free(copy);
	return got;
}

Test(json_read, unicode_escapes)
{
	static const struct {
		const char *doc, *want;
	} cases[] = {
		{ "\"\\u00e9\"", "\xc3\xa9" },
		{ "\"\\u00E9\"", "\xc3\xa9" },
		{ "\"\\u20ac\"", "\xe2\x82\xac" },
		{ "\"\\u20AC\"", "\xe2\x82\xac" },
		{ "\"\\u0041\\u0062\"", "Ab" },
		{ "\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f" },
		{ "\"\\u0080\\u07ff\\u0800\"", "\xc2\x80\xdf\xbf\xe0\xa0\x80" },
		{ "\"\\ud7ff\\ue000\\uffff\"", "\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\ud800\\udc00\"", "\xf0\x90\x80\x80" },
		{ "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf" },
		{ "\"x\\ud83d\\ude00y\\u00e9\"", "x\xf0\x9f\x98\x80y\xc3\xa9" },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
		{ "\"\xc3\xa9\\u00e9\"", "\xc3\xa9\xc3\xa9" },
		{ "\"\"", "" },
	};
	const char *got;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		got = read_str(cases[i].doc, &len);
		cr_assert(eq(str, cstr(got), cstr(cases[i].want)), "%s", cases[i].doc);
		cr_assert(eq(sz, len, strlen(cases[i].want)), "%s", cases[i].doc);
	}
}

/* Every truncation of short \u escapes, each in an exact-size buffer. */
Test(json_read, short_unicode_escapes)
{
	static const char *const full[] = {
		"\"\\u1234\"", "\"\\ud83d\\ude00\"", "[\"\\u00e9\", \"\\u20ac\"]",
		"{\"path\": \"\\u0041\", \"x\": \"yyyyyyyyyyyyyyyyyyyy\"}",
	};
	struct json_rd r;
	size_t i, cut;
	u8 *copy;

	for (i = 0; i < ARRAY_SIZE(full); i++) {
		size_t len = strlen(full[i]);

		cr_assert(eq(int, read_doc(&r, &copy, full[i], len, NULL), JSON_EOF), "%s",
			  full[i]);
		json_rd_free(&r);
		free(copy);
		for (cut = 0; cut < len; cut++) {
			cr_assert(eq(int, read_doc(&r, &copy, full[i], cut, NULL), JSON_ERR),
				  "%s cut at %zu", full[i], cut);
			cr_assert(eq(sz, r.err_off, cut), "%s cut at %zu: %s", full[i], cut,
				  r.err_msg);
			json_rd_free(&r);
			free(copy);
		}
	}
}

Test(json_read, max_string)
{
	size_t len = JSON_MAX_STRING + 16;
	char *doc = malloc(len + 16);
	struct json_rd r;
	size_t i;

	cr_assert(doc != NULL);
	/* exactly JSON_MAX_STRING bytes */
	doc[0] = '"';
	memset(doc + 1, 'a', JSON_MAX_STRING);
	doc[JSON_MAX_STRING + 1] = '"';
	json_rd_init(&r, doc, JSON_MAX_STRING + 2);
	cr_assert(eq(int, json_next(&r), JSON_STR), "%s", r.err_msg);
	cr_assert(eq(sz, r.str_len, JSON_MAX_STRING));
	cr_assert(eq(sz, strlen(r.str), JSON_MAX_STRING));
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	json_rd_free(&r);

	/* one more */
	doc[0] = ' ';
	doc[1] = '"';
	memset(doc + 2, 'a', JSON_MAX_STRING + 1);
	doc[JSON_MAX_STRING + 3] = '"';
	json_rd_init(&r, doc, JSON_MAX_STRING + 4);
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	cr_assert(eq(int, r.err, -E2BIG));
	cr_assert(eq(sz, r.err_off, 1));
	cr_assert(eq(str, r.err_msg, "string longer than 1048576 bytes"));
	json_rd_free(&r);

	/* the limit is on decoded bytes: MAX - 3 'a' + \u20ac (3 bytes) fits, MAX - 2 does not */
	for (i = 0; i < 2; i++) {
		size_t na = JSON_MAX_STRING - 3 + i;

		doc[0] = '"';
		memset(doc + 1, 'a', na);
		memcpy(doc + 1 + na, "\\u20ac\"", 7);
		json_rd_init(&r, doc, na + 8);
		if (i == 0) {
			cr_assert(eq(int, json_next(&r), JSON_STR), "%s", r.err_msg);
			cr_assert(eq(sz, r.str_len, JSON_MAX_STRING));
		} else {
			cr_assert(eq(int, json_next(&r), JSON_ERR));
			cr_assert(eq(int, r.err, -E2BIG));
		}
		json_rd_free(&r);
	}

	/* 2 MiB of raw text decoding to 1 MiB: escapes count once */
	free(doc);
	len = 2 * (size_t)JSON_MAX_STRING + 2;
	doc = malloc(len);
	cr_assert(doc != NULL);
	doc[0] = '"';
	for (i = 0; i < JSON_MAX_STRING; i++)
		memcpy(doc + 1 + 2 * i, "\\n", 2);
	doc[len - 1] = '"';
	json_rd_init(&r, doc, len);
	cr_assert(eq(int, json_next(&r), JSON_STR), "%s", r.err_msg);
	cr_assert(eq(sz, r.str_len, JSON_MAX_STRING));
	cr_assert(eq(int, r.str[12345], '\n'));
	json_rd_free(&r);
	free(doc);
}

/* ---- nesting ------------------------------------------------------------ */

Test(json_read, depth_limit)
{
	char doc[2 * JSON_MAX_DEPTH + 8];
	char obj[6 * (JSON_MAX_DEPTH + 1) + 8];
	struct json_rd r;
	size_t n;
	u8 *copy;
	int i;

	/* 64 arrays */
	memset(doc, '[', JSON_MAX_DEPTH);
	memset(doc + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	cr_assert(eq(int, read_doc(&r, &copy, doc, 2 * JSON_MAX_DEPTH, NULL), JSON_EOF), "%s",
		  r.err_msg);
	json_rd_free(&r);
	free(copy);
	/* 65 */
	memset(doc, '[', JSON_MAX_DEPTH + 1);
	memset(doc + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	cr_assert(eq(int, read_doc(&r, &copy, doc, 2 * JSON_MAX_DEPTH + 2, NULL), JSON_ERR));
	cr_assert(eq(int, r.err, -E2BIG));
	cr_assert(eq(sz, r.err_off, JSON_MAX_DEPTH));
	cr_assert(eq(str, r.err_msg, "nesting deeper than 64"));
	json_rd_free(&r);
	free(copy);

	/* objects: {"a":{"a":...{}...}} 64 and 65 deep, mixed with arrays */
	for (i = 0; i < 2; i++) {
		int levels = JSON_MAX_DEPTH + i, k;

		n = 0;
		for (k = 0; k < levels - 1; k++) {
			memcpy(obj + n, k % 2 ? "[" : "{\"a\":", k % 2 ? 1 : 5);
			n += k % 2 ? 1 : 5;
		}
		obj[n++] = '{';
		obj[n++] = '}';
		for (k = levels - 2; k >= 0; k--)
			obj[n++] = k % 2 ? ']' : '}';
		if (!i) {
			cr_assert(eq(int, read_doc(&r, &copy, obj, n, NULL), JSON_EOF), "%s",
				  r.err_msg);
		} else {
			cr_assert(eq(int, read_doc(&r, &copy, obj, n, NULL), JSON_ERR));
			cr_assert(eq(int, r.err, -E2BIG));
			cr_assert(eq(sz, r.err_off, (size_t)(JSON_MAX_DEPTH / 2) * 6));
		}
		json_rd_free(&r);
		free(copy);
	}
}

/* ---- numbers ------------------------------------------------------------ */

/* Read the one-number document @doc up to the number (an exact-size copy in *@copy). */
static void read_num(struct json_rd *r, u8 **copy, const char *doc)
{
	*copy = dup_exact(doc, strlen(doc));
	json_rd_init(r, *copy, strlen(doc));
	cr_assert(eq(int, json_next(r), JSON_NUM), "%s: %s", doc, r->err_msg);
	cr_assert(eq(str, cstr(json_rd_num_text(r, NULL)), cstr(doc)));
}

Test(json_read, unsigned_conversion)
{
	static const struct {
		const char *doc;
		int err;
		u64 v;
		const char *msg;
	} cases[] = {
		{ "0", 0, 0, "" },
		{ "7", 0, 7, "" },
		{ "4294967296", 0, 4294967296ull, "" },
		{ "18446744073709551615", 0, UINT64_MAX, "" },
		{ "18446744073709551616", -ERANGE, 0,
		  "number 18446744073709551616: out of range" },
		{ "18446744073709551620", -ERANGE, 0,
		  "number 18446744073709551620: out of range" },
		{ "99999999999999999999999", -ERANGE, 0,
		  "number 99999999999999999999999: out of range" },
		{ "1.5", -EINVAL, 0, "number 1.5: not an unsigned integer" },
		{ "1.0", -EINVAL, 0, "number 1.0: not an unsigned integer" },
		{ "1e5", -EINVAL, 0, "number 1e5: not an unsigned integer" },
		{ "1E0", -EINVAL, 0, "number 1E0: not an unsigned integer" },
		{ "-1", -EINVAL, 0, "number -1: not an unsigned integer" },
		{ "-0", -EINVAL, 0, "number -0: not an unsigned integer" },
	};
	struct json_rd r;
	size_t i, len;
	u64 v;
	u8 *copy;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		read_num(&r, &copy, cases[i].doc);
		cr_assert(eq(str, cstr(json_rd_num_text(&r, &len)), cstr(cases[i].doc)));
		cr_assert(eq(sz, len, strlen(cases[i].doc)));
		v = 12345;
		cr_assert(eq(int, json_rd_u64(&r, &v), cases[i].err), "%s", cases[i].doc);
		cr_assert(eq(int, json_num_u64(cases[i].doc, strlen(cases[i].doc), &v),
			     cases[i].err));
		if (!cases[i].err) {
			cr_assert(eq(u64, v, cases[i].v), "%s", cases[i].doc);
			cr_assert(eq(int, json_next(&r), JSON_EOF));
		} else {
			cr_assert(eq(u64, v, 12345), "%s: output changed", cases[i].doc);
			cr_assert(eq(int, r.err, cases[i].err));
			cr_assert(eq(str, r.err_msg, cstr(cases[i].msg)));
			cr_assert(eq(sz, r.err_off, 0));
			cr_assert(eq(int, json_next(&r), JSON_ERR), "sticky");
		}
		json_rd_free(&r);
		free(copy);
	}
}

Test(json_read, signed_conversion)
{
	static const struct {
		const char *doc;
		int err;
		s64 v;
		const char *msg;
	} cases[] = {
		{ "0", 0, 0, "" },
		{ "-0", 0, 0, "" },
		{ "-1", 0, -1, "" },
		{ "9223372036854775807", 0, INT64_MAX, "" },
		{ "-9223372036854775808", 0, INT64_MIN, "" },
		{ "-9223372036854775807", 0, INT64_MIN + 1, "" },
		{ "9223372036854775808", -ERANGE, 0, "number 9223372036854775808: out of range" },
		{ "-9223372036854775809", -ERANGE, 0, "number -9223372036854775809: out of range" },
		{ "18446744073709551616", -ERANGE, 0, "number 18446744073709551616: out of range" },
		{ "-1.5", -EINVAL, 0, "number -1.5: not an integer" },
		{ "2e3", -EINVAL, 0, "number 2e3: not an integer" },
	};
	struct json_rd r;
	size_t i;
	s64 v;
	u8 *copy;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		read_num(&r, &copy, cases[i].doc);
		v = 12345;
		cr_assert(eq(int, json_rd_s64(&r, &v), cases[i].err), "%s", cases[i].doc);
		if (!cases[i].err) {
			cr_assert(eq(i64, v, cases[i].v), "%s", cases[i].doc);
		} else {
			cr_assert(eq(i64, v, 12345));
			cr_assert(eq(str, r.err_msg, cstr(cases[i].msg)));
			cr_assert(eq(int, json_next(&r), JSON_ERR));
		}
		json_rd_free(&r);
		free(copy);
	}
}

/* Conversions of a number inside a document: offset, and a non-number token. */
Test(json_read, conversion_errors)
{
	static const char doc[] = "{\"size\": 1.5, \"name\": \"x\"}";
	struct json_rd r;
	u64 v;
	s64 s;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_rd_u64(&r, &v), -EINVAL));
	cr_assert(eq(str, r.err_msg, "expected a number, got '{'"));
	json_rd_free(&r);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	cr_assert(eq(int, json_rd_s64(&r, &s), -EINVAL));
	cr_assert(eq(sz, r.err_off, 9));
	cr_assert(eq(int, json_rd_u64(&r, &v), -EINVAL), "the first error stays");
	cr_assert(eq(str, r.err_msg, "number 1.5: not an integer"));
	json_rd_free(&r);
	free(copy);

	cr_assert(eq(int, json_num_u64("", 0, &v), -EINVAL));
	cr_assert(eq(int, json_num_u64("01", 2, &v), -EINVAL));
	cr_assert(eq(int, json_num_u64("12x", 3, &v), -EINVAL));
	cr_assert(eq(int, json_num_s64("-", 1, &s), -EINVAL));
	cr_assert(eq(int, json_num_s64("--1", 3, &s), -EINVAL));
	cr_assert(eq(int, json_num_s64("123", 2, &s), 0));
	cr_assert(eq(i64, s, 12));
}

/* ---- json_skip ---------------------------------------------------------- */

Test(json_read, skip)
{
	static const char doc[] =
		"{\"skip\": {\"a\": [1, {\"b\": [[], {}, \"]}\"]}], \"c\": \"x\"},\n"
		" \"arr\": [[1, 2], {\"k\": [3]}], \"s\": \"str\", \"keep\": 5}";
	struct json_rd r;
	enum json_tok t;
	u64 v;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	t = json_next(&r);
	cr_assert(eq(int, t, JSON_OBJ));
	cr_assert(eq(int, json_skip(&r, t), 0));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(str, r.str, "arr"));
	t = json_next(&r);
	cr_assert(eq(int, t, JSON_ARR));
	cr_assert(eq(int, json_skip(&r, t), 0));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	t = json_next(&r);
	cr_assert(eq(int, t, JSON_STR));
	cr_assert(eq(int, json_skip(&r, t), 0), "a scalar: nothing to do");
	cr_assert(eq(str, r.str, "str"));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(str, r.str, "keep"));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	cr_assert(eq(int, json_skip(&r, JSON_NUM), 0));
	cr_assert(eq(int, json_rd_u64(&r, &v), 0));
	cr_assert(eq(u64, v, 5));
	cr_assert(eq(int, json_next(&r), JSON_OBJ_END));
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	json_rd_free(&r);

	/* the whole document */
	json_rd_init(&r, copy, sizeof(doc) - 1);
	t = json_next(&r);
	cr_assert(eq(int, json_skip(&r, t), 0));
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	json_rd_free(&r);

	/* a container token that is not the one just read */
	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(int, json_skip(&r, JSON_ARR), -EINVAL));
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	json_rd_free(&r);
	free(copy);
}

/* An error inside what is skipped is returned, at its own offset. */
Test(json_read, skip_errors)
{
	static const char doc[] = "[1, {\"a\": [2, 3,]}, 4]";
	char deep[JSON_MAX_DEPTH + 4];
	struct json_rd r;
	enum json_tok t;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_ARR));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	t = json_next(&r);
	cr_assert(eq(int, json_skip(&r, t), -EINVAL));
	cr_assert(eq(sz, r.err_off, 16));
	cr_assert(eq(str, r.err_msg, "trailing comma before ']'"));
	cr_assert(eq(int, json_skip(&r, t), -EINVAL), "sticky");
	json_rd_free(&r);
	free(copy);

	/* truncated while skipping, and too deep while skipping */
	copy = dup_exact(doc, 12);
	json_rd_init(&r, copy, 12);
	t = json_next(&r);
	cr_assert(eq(int, json_skip(&r, t), -EINVAL));
	cr_assert(eq(sz, r.err_off, 12));
	json_rd_free(&r);
	free(copy);
	memset(deep, '[', sizeof(deep));
	copy = dup_exact(deep, sizeof(deep));
	json_rd_init(&r, copy, sizeof(deep));
	t = json_next(&r);
	cr_assert(eq(int, json_skip(&r, t), -E2BIG));
	cr_assert(eq(sz, r.err_off, JSON_MAX_DEPTH));
	json_rd_free(&r);
	free(copy);
}

/* ---- errors and positions ----------------------------------------------- */

static const char multi_doc[] =
	"{\n"
	"  \"btfgen_version\": \"0.1.0\",\n"
	"  \"version\": 1,\n"
	"  \"kernels\": [\n"
	"    {\"path\": \"a/b\\u00e9\\ud83d\\ude00\", \"size\": 3, \"sha\": null},\n"
	"    {\"path\": \"c\\\"\\\\\\/\\n\", \"size\": -4.5e+3, \"ok\": true, \"bad\": false,\n"
	"     \"tags\": [[], {}, [\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"], 0, -0.25E-2]}\n"
	"  ],\n"
	"  \"empty\": {}\n"
	"}\n";

/* Every proper prefix fails at its own length; never a crash, never an early EOF. */
Test(json_read, truncated_everywhere)
{
	size_t len = sizeof(multi_doc) - 1, cut;
	struct json_rd r;
	char toks[256];
	u8 *copy;

	cr_assert(eq(int, read_doc(&r, &copy, multi_doc, len, toks), JSON_EOF), "%s at %zu",
		  r.err_msg, r.err_off);
	cr_assert(eq(str, toks, "{ksknk[{ksknkz}{ksknktkfk[[]{}[s]nn]}]k{}}"));
	json_rd_free(&r);
	free(copy);
	/* the last two bytes are "}\n": cutting the "\n" still leaves a complete document */
	for (cut = 0; cut < len - 1; cut++) {
		cr_assert(eq(int, read_doc(&r, &copy, multi_doc, cut, NULL), JSON_ERR),
			  "cut at %zu", cut);
		cr_assert(eq(int, r.err, -EINVAL), "cut at %zu", cut);
		cr_assert(eq(sz, r.err_off, cut), "cut at %zu: %s", cut, r.err_msg);
		json_rd_free(&r);
		free(copy);
	}
}

Test(json_read, manifest_cut_after_colon)
{
	static const char doc[] = "{\n  \"version\": 1,\n  \"btfgen_version\": ";
	struct json_rd r;
	u8 *copy;

	cr_assert(eq(int, read_doc(&r, &copy, doc, sizeof(doc) - 1, NULL), JSON_ERR));
	cr_assert(eq(sz, r.err_off, sizeof(doc) - 1));
	cr_assert(eq(str, r.err_msg, "unexpected end of input"));
	json_rd_free(&r);
	free(copy);
}

Test(json_read, caller_errors)
{
	static const char doc[] = "{\"version\": 1,\n \"kernels\": {}}";
	struct json_rd r;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(sz, r.tok_off, 0));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(sz, r.tok_off, 1));
	cr_assert(eq(int, json_next(&r), JSON_NUM));
	cr_assert(eq(sz, r.tok_off, 12));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(str, r.str, "kernels"));
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(sz, r.tok_off, 27));
	json_rd_fail(&r, "key \"%s\": expected an array, got %s", "kernels",
		     json_tok_name(JSON_OBJ));
	cr_assert(eq(int, r.err, -EINVAL));
	cr_assert(eq(sz, r.err_off, 27));
	cr_assert(eq(str, r.err_msg, "key \"kernels\": expected an array, got '{'"));
	json_rd_fail(&r, "second");
	cr_assert(eq(str, r.err_msg, "key \"kernels\": expected an array, got '{'"));
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	json_rd_free(&r);
	json_rd_free(&r);	/* safe twice */
	free(copy);
}

Test(json_read, token_offsets_and_eof)
{
	static const char doc[] = " [ \"a\" , 10 , {} ]  ";
	static const size_t offs[] = { 1, 3, 9, 14, 15, 17 };
	struct json_rd r;
	size_t i;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		cr_assert(json_next(&r) > JSON_EOF);
		cr_assert(eq(sz, r.tok_off, offs[i]), "token %zu", i);
	}
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	cr_assert(eq(int, json_next(&r), JSON_EOF));
	json_rd_free(&r);
	free(copy);

	/* empty input, NULL data */
	json_rd_init(&r, NULL, 0);
	cr_assert(eq(int, json_next(&r), JSON_ERR));
	cr_assert(eq(str, r.err_msg, "empty document"));
	json_rd_free(&r);
}

/* Decoded strings never contain NUL; keys and values share the buffer. */
Test(json_read, strings_are_c_strings)
{
	static const char doc[] = "{\"long key with \\u00e9\": \"v\", \"k2\": \"\\u0001\"}";
	struct json_rd r;
	u8 *copy = dup_exact(doc, sizeof(doc) - 1);

	json_rd_init(&r, copy, sizeof(doc) - 1);
	cr_assert(eq(int, json_next(&r), JSON_OBJ));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(str, r.str, "long key with \xc3\xa9"));
	cr_assert(eq(int, json_next(&r), JSON_STR));
	cr_assert(eq(str, r.str, "v"));
	cr_assert(eq(sz, r.str_len, 1));
	cr_assert(eq(int, json_next(&r), JSON_KEY));
	cr_assert(eq(int, json_next(&r), JSON_STR));
	cr_assert(eq(str, r.str, "\x01"));
	json_rd_free(&r);
	free(copy);
}

/* ---- allocation failures ------------------------------------------------ */

/* A document with long strings (the reader's buffer grows several times). */
static char *long_strings_doc(size_t *len)
{
	size_t cap = 200000, n = 0, i;
	char *d = malloc(cap);

	cr_assert(d != NULL);
	n += (size_t)sprintf(d + n, "{\"a\": \"");
	for (i = 0; i < 5000; i++)
		d[n++] = (char)('a' + i % 26);
	n += (size_t)sprintf(d + n, "\", \"b\": [\"");
	for (i = 0; i < 20000; i++)
		n += (size_t)sprintf(d + n, i % 3 ? "x" : "\\u00e9");
	n += (size_t)sprintf(d + n, "\", 7, \"\\ud83d\\ude00\"], \"c\": \"short\"}");
	*len = n;
	return d;
}

Test(json_read, allocation_failures)
{
	struct json_rd r;
	unsigned long n, failed = 0;
	size_t len, lens[4], nl;
	enum json_tok t;
	char *doc = long_strings_doc(&len);
	u8 *copy = dup_exact(doc, len);

	for (n = 1; n < 10000; n++) {
		json_rd_init(&r, copy, len);
		util_alloc_fail_at = n;
		nl = 0;
		while ((t = json_next(&r)) != JSON_EOF && t != JSON_ERR)
			if (t == JSON_STR && nl < ARRAY_SIZE(lens))
				lens[nl++] = r.str_len;
		util_alloc_fail_at = 0;
		if (t == JSON_EOF) {
			cr_assert(eq(sz, nl, 4));
			cr_assert(eq(sz, lens[0], 5000));
			/* i % 3 == 0: "\u00e9" (2 bytes) for 6667 of the 20000 */
			cr_assert(eq(sz, lens[1], 2 * 6667 + (20000 - 6667)));
			cr_assert(eq(sz, lens[2], 4));
			cr_assert(eq(sz, lens[3], 5));
			json_rd_free(&r);
			break;
		}
		cr_assert(eq(int, r.err, -ENOMEM), "allocation %lu failing: %s", n, r.err_msg);
		cr_assert(eq(str, r.err_msg, "out of memory"));
		failed++;
		json_rd_free(&r);
		assert_no_leaks();
	}
	cr_assert(failed >= 5, "only %lu allocations", failed);
	free(copy);
	free(doc);
	assert_no_leaks();
}

/* ---- threads ------------------------------------------------------------ */

struct thread_job {
	const char *want;	/* the document build_doc() writes */
	int rounds;
	int bad;		/* rounds whose output or parse differed */
};

/* Write the document, compare it, and parse it, @rounds times. */
static void *thread_main(void *arg)
{
	struct thread_job *job = arg;
	struct json_w w;
	struct json_rd r;
	enum json_tok t;
	size_t len, strings;
	char *out;
	int i;

	for (i = 0; i < job->rounds; i++) {
		json_w_init(&w);
		build_doc(&w);
		if (json_w_finish(&w, &out, &len)) {
			job->bad++;
			json_w_free(&w);
			continue;
		}
		if (strcmp(out, job->want))
			job->bad++;
		json_rd_init(&r, out, len);
		strings = 0;
		while ((t = json_next(&r)) > JSON_EOF)
			strings += t == JSON_STR;
		if (t != JSON_EOF || strings != 1 + 2 * 40)
			job->bad++;
		json_rd_free(&r);
		xfree(out);
	}
	return NULL;
}

/* No shared state: threads writing and reading at once all get the same bytes. */
Test(json_read, threads)
{
	struct thread_job jobs[4];
	pthread_t tid[4];
	struct json_w w;
	char *want;
	int i;

	json_w_init(&w);
	build_doc(&w);
	want = finish_ok(&w);
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){ .want = want, .rounds = 200 };
		cr_assert(eq(int, pthread_create(&tid[i], NULL, thread_main, &jobs[i]), 0));
	}
	for (i = 0; i < 4; i++) {
		cr_assert(eq(int, pthread_join(tid[i], NULL), 0));
		cr_assert(eq(int, jobs[i].bad, 0), "thread %d", i);
	}
	xfree(want);
	json_w_free(&w);
}

/* ---- speed -------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * A 5 MB manifest-like document parses in linear time. The bound (1 s) is
 * generous for sanitizer builds; an -O2 build takes a few milliseconds.
 */
Test(json_read, five_megabytes)
{
	struct json_w w;
	struct json_rd r;
	char path[128], *doc;
	size_t len, strings = 0;
	enum json_tok t;
	double t0, ms;
	u64 v, sum = 0, want = 0;
	int i;

	json_w_init(&w);
	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, "kernels");
	json_w_arr_begin(&w, JSON_LINES);
	for (i = 0; i < 40000; i++) {
		snprintf(path, sizeof(path), "ubuntu/20.04/x86_64/5.4.0-%d-generic.btf.tar.xz", i);
		json_w_obj_begin(&w, JSON_INLINE);
		json_w_key(&w, "path");
		json_w_str(&w, path);
		json_w_key(&w, "size");
		json_w_u64(&w, (u64)i * 7919);
		json_w_key(&w, "sha256");
		json_w_str(&w, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
		json_w_obj_end(&w);
		want += (u64)i * 7919;
	}
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	doc = finish_ok(&w);
	len = strlen(doc);
	cr_assert(len > 5000000, "%zu bytes", len);

	t0 = now_ms();
	json_rd_init(&r, doc, len);
	while ((t = json_next(&r)) > JSON_EOF) {
		if (t == JSON_NUM) {
			cr_assert(eq(int, json_rd_u64(&r, &v), 0));
			sum += v;
		} else if (t == JSON_STR) {
			strings++;
		}
	}
	ms = now_ms() - t0;
	cr_assert(eq(int, t, JSON_EOF), "%s", r.err_msg);
	cr_assert(eq(u64, sum, want));
	cr_assert(eq(sz, strings, 80000));
	cr_assert(ms < 1000, "%.1f ms for %zu bytes", ms, len);
	cr_log_info("json_read: %zu bytes in %.1f ms", len, ms);
	json_rd_free(&r);
	xfree(doc);
	json_w_free(&w);
}
