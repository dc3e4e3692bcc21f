// SPDX-License-Identifier: MIT
/*
 * JSON reader and writer (util/json.h) on any input.
 *
 *   1. Two readers in lockstep over the input: A reads every token, B calls
 *      json_skip() on some containers (chosen by a byte of the input) while
 *      A reads through them; both must then stand on the same token and
 *      end with the same result (EOF, or the same error at the same offset).
 *      Every string A returns is valid UTF-8 without NUL and comes back
 *      identical when written alone (as a value and as a key) and re-read.
 *      Every number goes through both conversions, which must agree.
 *   2. A's tokens are written again with the writer (layouts chosen by the
 *      input); when the input parsed to EOF and every number converted, the
 *      output must parse to the same token sequence: same kinds, same
 *      strings, same numeric values.
 *   3. A third reader calls the sticky conversions and json_rd_fail(): the
 *      error must stay and match.
 *   4. The input's bytes as one string: written, re-read, the same when
 *      they are valid UTF-8, valid UTF-8 always.
 *   5. The input's bytes as writer calls: what finish accepts must parse.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "util/json.h"

#define CHECK(c)								\
	do {									\
		if (!(c)) {							\
			fprintf(stderr, "fuzz_json: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();						\
		}								\
	} while (0)

/* Bytes of the input interpreted as writer calls (step 5). */
#define FUZZ_JSON_WRITER_OPS_MAX	4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* A byte of the input chosen by @off (the input is not empty). */
static u8 pick(const uint8_t *data, size_t size, size_t off)
{
	return data[(off * 7 + 3) % size];
}

/* Read @len bytes at @out: exactly the one string @s, as a value or as a key. */
static void expect_string_doc(const char *out, size_t len, const char *s, size_t n, bool key)
{
	struct json_rd r;

	json_rd_init(&r, out, len);
	if (key) {
		CHECK(json_next(&r) == JSON_OBJ);
		CHECK(json_next(&r) == JSON_KEY);
	} else {
		CHECK(json_next(&r) == JSON_STR);
	}
	CHECK(r.str_len == n && !memcmp(r.str, s, n) && r.str[n] == '\0');
	if (key) {
		CHECK(json_next(&r) == JSON_NULL);
		CHECK(json_next(&r) == JSON_OBJ_END);
	}
	CHECK(json_next(&r) == JSON_EOF);
	json_rd_free(&r);
}

/* A string the reader returned: valid, and written then re-read identical. */
static void string_round_trip(const char *s, size_t n)
{
	struct json_w w;
	char *out;
	size_t len;

	CHECK(json_utf8_valid(s, n));
	CHECK(strlen(s) == n);
	json_w_init(&w);
	json_w_strn(&w, s, n);
	CHECK(json_w_finish(&w, &out, &len) == 0);
	CHECK(json_utf8_valid(out, len));
	expect_string_doc(out, len, s, n, false);
	xfree(out);

	json_w_obj_begin(&w, JSON_LINES);
	json_w_key(&w, s);
	json_w_null(&w);
	json_w_obj_end(&w);
	CHECK(json_w_finish(&w, &out, &len) == 0);
	expect_string_doc(out, len, s, n, true);
	xfree(out);
	json_w_free(&w);
}

/* The two conversions of the number @r just read agree with each other. */
static void check_conversions(const struct json_rd *r)
{
	size_t n;
	const char *text = json_rd_num_text(r, &n);
	uint64_t u = 0;
	int64_t s = 0;
	int eu, es;

	CHECK(n > 0 && n <= JSON_MAX_NUMBER && strlen(text) == n);
	eu = json_num_u64(text, n, &u);
	es = json_num_s64(text, n, &s);
	CHECK(eu == 0 || eu == -EINVAL || eu == -ERANGE);
	CHECK(es == 0 || es == -EINVAL || es == -ERANGE);
	if (!eu && u <= INT64_MAX)
		CHECK(!es && (uint64_t)s == u);
	if (!es && s > 0)
		CHECK(!eu && u == (uint64_t)s);
	if (eu == -ERANGE)
		CHECK(es == -ERANGE);
	if (!es && text[0] != '-')
		CHECK(!eu);
}

/* Write token @t that @r just returned; false if it can't be written exactly. */
static bool rewrite(struct json_w *w, const struct json_rd *r, enum json_tok t, bool lines)
{
	enum json_layout l = lines ? JSON_LINES : JSON_INLINE;
	uint64_t u;
	int64_t s;

	switch (t) {
	case JSON_OBJ:
		json_w_obj_begin(w, l);
		break;
	case JSON_OBJ_END:
		json_w_obj_end(w);
		break;
	case JSON_ARR:
		json_w_arr_begin(w, l);
		break;
	case JSON_ARR_END:
		json_w_arr_end(w);
		break;
	case JSON_KEY:
		json_w_key(w, r->str);
		break;
	case JSON_STR:
		json_w_strn(w, r->str, r->str_len);
		break;
	case JSON_NUM:
		if (!json_num_u64(r->num, r->num_len, &u))
			json_w_u64(w, u);
		else if (!json_num_s64(r->num, r->num_len, &s))
			json_w_s64(w, s);
		else
			return false;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		json_w_bool(w, t == JSON_TRUE);
		break;
	case JSON_NULL:
		json_w_null(w);
		break;
	default:
		return false;
	}
	return true;
}

/* Both readers just returned @ta / @tb: the same token. */
static void same_token(const struct json_rd *a, enum json_tok ta, const struct json_rd *b,
		       enum json_tok tb)
{
	CHECK(ta == tb);
	if (ta == JSON_ERR) {
		CHECK(a->err == b->err && a->err_off == b->err_off &&
		      !strcmp(a->err_msg, b->err_msg));
		return;
	}
	CHECK(a->tok_off == b->tok_off);
	if (ta == JSON_KEY || ta == JSON_STR)
		CHECK(a->str_len == b->str_len && !memcmp(a->str, b->str, a->str_len));
	if (ta == JSON_NUM)
		CHECK(a->num_len == b->num_len && !strcmp(a->num, b->num));
}

/* Steps 1 and 2, and the tokens for step 3. */
static void read_lockstep(const uint8_t *data, size_t size)
{
	struct json_rd a, b, d, e;
	struct json_w w;
	enum json_tok ta, tb, td, te;
	bool exact = true;
	char *out = NULL;
	size_t len;
	int depth, rc;

	json_rd_init(&a, data, size);
	json_rd_init(&b, data, size);
	json_w_init(&w);
	for (;;) {
		ta = json_next(&a);
		tb = json_next(&b);
		same_token(&a, ta, &b, tb);
		if (ta == JSON_ERR || ta == JSON_EOF)
			break;
		if (ta == JSON_KEY || ta == JSON_STR)
			string_round_trip(a.str, a.str_len);
		if (ta == JSON_NUM)
			check_conversions(&a);
		exact &= rewrite(&w, &a, ta, pick(data, size, a.tok_off) & 1);
		if (pick(data, size, a.tok_off) & 6)
			continue;
		if (ta != JSON_OBJ && ta != JSON_ARR) {
			CHECK(json_skip(&b, tb) == 0);	/* a scalar: nothing to skip */
			continue;
		}
		/* B skips the container; A reads through it */
		rc = json_skip(&b, tb);
		for (depth = 1; depth > 0;) {
			ta = json_next(&a);
			if (ta == JSON_ERR)
				break;
			CHECK(ta != JSON_EOF);
			if (ta == JSON_OBJ || ta == JSON_ARR)
				depth++;
			else if (ta == JSON_OBJ_END || ta == JSON_ARR_END)
				depth--;
			if (ta == JSON_KEY || ta == JSON_STR)
				string_round_trip(a.str, a.str_len);
			if (ta == JSON_NUM)
				check_conversions(&a);
			exact &= rewrite(&w, &a, ta, pick(data, size, a.tok_off) & 1);
		}
		CHECK(rc == a.err);
		if (rc) {
			same_token(&a, JSON_ERR, &b, JSON_ERR);
			CHECK(json_next(&b) == JSON_ERR);
			break;
		}
		CHECK(a.tok_off == b.tok_off);
	}
	CHECK(json_next(&a) == ta);	/* EOF and errors stay */
	if (ta == JSON_ERR) {
		CHECK(a.err == -EINVAL || a.err == -E2BIG);
		CHECK(a.err_off <= size && a.err_msg[0]);
	}
	/* step 2: the rewritten document reads back alike */
	if (ta == JSON_EOF && exact) {
		CHECK(w.err == 0);
		CHECK(json_w_finish(&w, &out, &len) == 0);
		CHECK(json_utf8_valid(out, len));
		json_rd_init(&d, data, size);
		json_rd_init(&e, out, len);
		do {
			td = json_next(&d);
			te = json_next(&e);
			CHECK(td == te);
			if (td == JSON_KEY || td == JSON_STR)
				CHECK(d.str_len == e.str_len && !memcmp(d.str, e.str, d.str_len));
			if (td == JSON_NUM) {
				uint64_t ud, ue;
				int64_t sd, se;

				if (!json_num_u64(d.num, d.num_len, &ud))
					CHECK(!json_num_u64(e.num, e.num_len, &ue) && ud == ue);
				else
					CHECK(!json_num_s64(d.num, d.num_len, &sd) &&
					      !json_num_s64(e.num, e.num_len, &se) && sd == se);
			}
		} while (td != JSON_EOF && td != JSON_ERR);
		CHECK(td == JSON_EOF);
		json_rd_free(&d);
		json_rd_free(&e);
		xfree(out);
	}
	json_w_free(&w);
	json_rd_free(&a);
	json_rd_free(&b);
}

/* Step 3: sticky conversion errors and caller errors. */
static void sticky_errors(const uint8_t *data, size_t size)
{
	struct json_rd c;
	enum json_tok t;
	uint64_t u, u2;
	int64_t s, s2;
	size_t off;
	int rc, want;

	json_rd_init(&c, data, size);
	while ((t = json_next(&c)) != JSON_EOF && t != JSON_ERR) {
		u8 sel = pick(data, size, c.tok_off);

		if (t != JSON_NUM && (sel & 0x70) == 0x70) {
			off = c.tok_off;
			json_rd_fail(&c, "schema error at %s", json_tok_name(t));
			CHECK(c.err == -EINVAL && c.err_off == off);
			CHECK(json_next(&c) == JSON_ERR);
			break;
		}
		if (t != JSON_NUM && (sel & 0x70) == 0x60) {
			/* not a number: refused, sticky */
			CHECK(json_rd_u64(&c, &u) == -EINVAL && c.err_off == c.tok_off);
			CHECK(json_rd_s64(&c, &s) == -EINVAL);
			CHECK(json_next(&c) == JSON_ERR);
			break;
		}
		if (t != JSON_NUM)
			continue;
		if (sel & 8) {
			want = json_num_u64(c.num, c.num_len, &u2);
			rc = json_rd_u64(&c, &u);
			CHECK(rc == want && (rc || u == u2));
		} else {
			want = json_num_s64(c.num, c.num_len, &s2);
			rc = json_rd_s64(&c, &s);
			CHECK(rc == want && (rc || s == s2));
		}
		if (rc) {
			CHECK(c.err == rc && c.err_off == c.tok_off);
			CHECK(json_next(&c) == JSON_ERR && c.err == rc);
			break;
		}
	}
	json_rd_free(&c);
}

/* Step 4: the input bytes as a string. */
static void bytes_as_string(const uint8_t *data, size_t size)
{
	struct json_w w;
	struct json_rd r;
	char *out;
	size_t len;

	json_w_init(&w);
	json_w_strn(&w, (const char *)data, size);
	CHECK(json_w_finish(&w, &out, &len) == 0);
	CHECK(json_utf8_valid(out, len));
	json_rd_init(&r, out, len);
	if (size <= JSON_MAX_STRING / 3) {
		CHECK(json_next(&r) == JSON_STR);
		CHECK(json_utf8_valid(r.str, r.str_len));
		if (json_utf8_valid((const char *)data, size))
			CHECK(r.str_len == size && !memcmp(r.str, data, size));
		else
			CHECK(r.str_len >= size);
		CHECK(json_next(&r) == JSON_EOF);
	}
	json_rd_free(&r);
	xfree(out);
}

/* Step 5: the input as writer calls; whatever finish accepts must parse. */
static void bytes_as_writer_calls(const uint8_t *data, size_t size)
{
	size_t i = 0, n, len, stream_len = 0, stream_cap = 0;
	char *stream = NULL, *out, *ns, key[8];
	const char *piece;
	struct json_w w;
	struct json_rd r;
	enum json_tok t;
	uint64_t u;
	int rc;

	if (size > FUZZ_JSON_WRITER_OPS_MAX)
		size = FUZZ_JSON_WRITER_OPS_MAX;
	json_w_init(&w);
	while (i < size) {
		u8 op = data[i++];

		n = i < size ? data[i] % 8 : 0;
		switch (op % 13) {
		case 0: json_w_obj_begin(&w, JSON_INLINE); break;
		case 1: json_w_obj_begin(&w, JSON_LINES); break;
		case 2: json_w_arr_begin(&w, JSON_INLINE); break;
		case 3: json_w_arr_begin(&w, JSON_LINES); break;
		case 4: json_w_obj_end(&w); break;
		case 5: json_w_arr_end(&w); break;
		case 6:
			if (n > size - i)
				n = size - i;
			memcpy(key, data + i, n);
			key[n < sizeof(key) ? n : sizeof(key) - 1] = '\0';
			json_w_key(&w, key);
			i += n;
			break;
		case 7:
			if (n > size - i)
				n = size - i;
			if (op & 16) {
				json_w_strn(&w, (const char *)data + i, n);
			} else {
				memcpy(key, data + i, n);
				key[n < sizeof(key) ? n : sizeof(key) - 1] = '\0';
				json_w_str(&w, n ? key : NULL);
			}
			i += n;
			break;
		case 8:
			u = 0;
			memcpy(&u, data + i, size - i < 8 ? size - i : 8);
			json_w_u64(&w, u);
			break;
		case 9:
			u = 0;
			memcpy(&u, data + i, size - i < 8 ? size - i : 8);
			json_w_s64(&w, (int64_t)u);
			break;
		case 10: json_w_bool(&w, op & 16); break;
		case 11: json_w_null(&w); break;
		default:
			/* stream out what there is */
			piece = json_w_data(&w, &len);
			if (w.err || !len)
				break;
			if (stream_cap - stream_len < len) {
				stream_cap = 2 * (stream_len + len);
				ns = realloc(stream, stream_cap);
				CHECK(ns != NULL);
				stream = ns;
			}
			memcpy(stream + stream_len, piece, len);
			stream_len += len;
			json_w_consume(&w);
			break;
		}
	}
	rc = json_w_finish(&w, &out, &len);
	CHECK(rc == 0 || rc == -EINVAL);
	if (!rc) {
		ns = realloc(stream, stream_len + len + 1);
		CHECK(ns != NULL);
		stream = ns;
		memcpy(stream + stream_len, out, len);
		stream_len += len;
		xfree(out);
		CHECK(json_utf8_valid(stream, stream_len));
		json_rd_init(&r, stream, stream_len);
		while ((t = json_next(&r)) != JSON_EOF && t != JSON_ERR)
			;
		CHECK(t == JSON_EOF);
		json_rd_free(&r);
	}
	json_w_free(&w);
	free(stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_rd r;

	if (!size) {
		json_rd_init(&r, data, 0);
		CHECK(json_next(&r) == JSON_ERR && r.err_off == 0);
		json_rd_free(&r);
		return 0;
	}
	read_lockstep(data, size);
	sticky_errors(data, size);
	bytes_as_string(data, size);
	bytes_as_writer_calls(data, size);
	return 0;
}
