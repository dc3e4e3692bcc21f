// SPDX-License-Identifier: MIT
/*
 * The HTTP request head, path/query decoding and the chunked decoder
 * (http/http.h) on any input.
 *
 *   1. http_parse_head() on the input, with the default limit and with a
 *      limit chosen by the input (to reach -431): only the documented
 *      statuses; on success every slice lies inside the head, path + '?' +
 *      query is the target, the head is exactly head_len bytes (the head
 *      alone parses the same; one byte less needs more), and a reason is
 *      set on every error.
 *   2. On success: http_decode_path() on the path and http_query_get() on
 *      the query, for keys taken from the query itself and fixed ones; the
 *      output fits, has no NUL, and a smaller buffer fails exactly when the
 *      value does not fit.
 *   3. http_chunked_feed() on the whole input, and on the input split at
 *      points chosen by the input, in place: same status, same output, same
 *      bytes consumed.
 */
#include <string.h>

#include "fuzz.h"
#include "http/http.h"

#define CHECK(c)								\
	do {									\
		if (!(c)) {							\
			fprintf(stderr, "fuzz_http: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();						\
		}								\
	} while (0)

/* Query values looked at: a key or value longer than this is cut. */
#define FUZZ_HTTP_KEY_MAX	64

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

static bool inside(struct http_slice s, const char *buf, size_t len)
{
	if (!s.p)
		return s.n == 0;
	return s.p >= buf && (size_t)(s.p - buf) <= len && s.n <= len - (size_t)(s.p - buf);
}

static void check_status(int rc, const struct http_req *r)
{
	CHECK(rc >= 0 || rc == -400 || rc == -431 || rc == -501 || rc == -505 || rc == -417);
	if (rc < 0)
		CHECK(r->error && r->error[0]);
	else
		CHECK(!r->error);
}

/* Step 2: the value of @key in @q, checked against smaller buffers. */
static void query_value(struct http_slice q, const char *key)
{
	char out[FUZZ_HTTP_KEY_MAX + 1];
	size_t n = 12345, n2;
	int rc, rc2;

	rc = http_query_get(q, key, out, sizeof(out), &n);
	CHECK(rc == -1 || rc == 0 || rc == 1);
	if (rc != 1)
		return;
	CHECK(n < sizeof(out) && strlen(out) == n && n <= q.n);
	/* exactly enough room, and one byte less */
	rc2 = http_query_get(q, key, out, n + 1, &n2);
	CHECK(rc2 == 1 && n2 == n);
	rc2 = http_query_get(q, key, out, n, NULL);
	CHECK(rc2 == -1);
}

static void path_and_query(const struct http_req *r)
{
	char path[HTTP_HEAD_MAX_DEFAULT + 1], key[FUZZ_HTTP_KEY_MAX + 1];
	size_t i, k, pairs = 0;
	int rc;

	rc = http_decode_path(r->path, path, sizeof(path));
	CHECK(rc >= -1 && rc <= (int)r->path.n);
	if (rc >= 0) {
		CHECK(strlen(path) == (size_t)rc);
		/* no '%': nothing to decode */
		if (!memchr(r->path.p, '%', r->path.n))
			CHECK((size_t)rc == r->path.n && !memcmp(path, r->path.p, r->path.n));
		if (rc > 0)
			CHECK(http_decode_path(r->path, path, (size_t)rc) == -1);
	}
	query_value(r->query, "arch");
	query_value(r->query, "");
	/* the raw keys of the first few pairs, as keys (decoding may differ) */
	for (i = 0; i < r->query.n && pairs < 8; pairs++) {
		for (k = i; k < r->query.n && r->query.p[k] != '&' && r->query.p[k] != '='; k++)
			;
		if (k - i <= FUZZ_HTTP_KEY_MAX && !memchr(r->query.p + i, '\0', k - i)) {
			memcpy(key, r->query.p + i, k - i);
			key[k - i] = '\0';
			query_value(r->query, key);
		}
		while (k < r->query.n && r->query.p[k] != '&')
			k++;
		i = k + 1;
	}
}

/* Step 1 (and 2). */
static void head(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_req r, r2;
	size_t max = size ? 16 + (size_t)pick(data, size, 0) * 8 : 16;
	int rc, rc2;

	rc = http_parse_head(buf, size, HTTP_HEAD_MAX_DEFAULT, &r);
	check_status(rc, &r);
	if (rc == 0)
		CHECK(size < HTTP_HEAD_MAX_DEFAULT);
	/* a small limit: the same, or -431 */
	rc2 = http_parse_head(buf, size, max, &r2);
	check_status(rc2, &r2);
	if (rc > 0 && (size_t)rc <= max)
		CHECK(rc2 == rc);
	if (rc2 == -431)
		CHECK(rc <= 0 || (size_t)rc > max);
	if (rc <= 0)
		return;

	CHECK((size_t)rc == r.head_len && r.head_len <= size);
	CHECK(r.version_minor == 0 || r.version_minor == 1);
	CHECK(inside(r.method_str, buf, r.head_len) && r.method_str.n > 0);
	CHECK(inside(r.target, buf, r.head_len) && r.target.n > 0 && r.target.p[0] == '/');
	CHECK(r.path.p == r.target.p);
	if (r.query.p) {
		CHECK(r.query.p == r.path.p + r.path.n + 1 && r.path.n + 1 + r.query.n == r.target.n);
		CHECK(!memchr(r.path.p, '?', r.path.n));
	} else {
		CHECK(r.path.n == r.target.n && r.query.n == 0);
	}
	CHECK(inside(r.host, buf, r.head_len) && inside(r.content_type, buf, r.head_len) &&
	      inside(r.if_none_match, buf, r.head_len) &&
	      inside(r.if_modified_since, buf, r.head_len) && inside(r.user_agent, buf, r.head_len));
	CHECK(!(r.has_length && r.chunked));
	CHECK(!(r.expect_continue && r.version_minor == 0));
	/* the head alone parses the same; one byte less needs more */
	rc2 = http_parse_head(buf, r.head_len, HTTP_HEAD_MAX_DEFAULT, &r2);
	CHECK(rc2 == rc && r2.keep_alive == r.keep_alive && r2.content_length == r.content_length);
	rc2 = http_parse_head(buf, r.head_len - 1, HTTP_HEAD_MAX_DEFAULT, &r2);
	CHECK(rc2 == 0);
	if (r.if_modified_since.p) {
		int64_t t;
		char back[30];

		if (!http_parse_date(r.if_modified_since, &t) && t >= 0) {
			http_date(t, back);
			CHECK(!memcmp(back + 4, r.if_modified_since.p + 4, 25));
		}
	}
	path_and_query(&r);
}

/* Step 3. */
static void chunked(const uint8_t *data, size_t size)
{
	struct http_chunked c;
	char *whole = malloc(size ? size : 1), *split = malloc(size ? size : 1);
	size_t used, made, wused, wmade, pos = 0, o = 0, k, step = 0;
	int rc = 0, wrc;

	CHECK(whole && split);
	http_chunked_init(&c);
	wrc = http_chunked_feed(&c, (const char *)data, size, whole, &wused, &wmade);
	CHECK(wrc == 0 || wrc == 1 || wrc == -400);
	CHECK(wmade <= wused && wused <= size);
	if (wrc == 0)
		CHECK(wused == size);
	/* in place, in pieces: a copy of the input decoded in its own buffer */
	memcpy(split, data, size);
	http_chunked_init(&c);
	while (pos < size) {
		k = size ? 1 + pick(data, size, step++) % 64 : 1;
		if (k > size - pos)
			k = size - pos;
		rc = http_chunked_feed(&c, split + pos, k, split + o, &used, &made);
		CHECK(made <= used && used <= k);
		o += made;
		pos += used;
		if (rc)
			break;
		CHECK(used == k);
	}
	if (!size) {
		rc = http_chunked_feed(&c, split, 0, split, &used, &made);
		CHECK(rc == 0 && used == 0 && made == 0);
	}
	CHECK(rc == wrc);
	CHECK(o == wmade && !memcmp(split, whole, o));
	if (rc == 1)
		CHECK(pos == wused);
	/* final states are sticky */
	if (rc) {
		CHECK(http_chunked_feed(&c, (const char *)data, size, whole, &used, &made) == rc);
		CHECK(used == 0 && made == 0);
	}
	free(whole);
	free(split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	head(data, size);
	chunked(data, size);
	return 0;
}
