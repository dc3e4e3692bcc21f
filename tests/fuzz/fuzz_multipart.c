// SPDX-License-Identifier: MIT
/*
 * multipart/form-data (http/http.h) on any input: the input is a
 * Content-Type value, a LF, and a body (no LF: all Content-Type, an empty
 * body).
 *
 *   1. http_multipart_boundary(): only its documented results; a boundary
 *      of 1..70 bchars, NUL-terminated.
 *   2. With that boundary (or, when there is none, "b"), the body parsed
 *      three times: with a callback that checks every part (data, name,
 *      filename and content type inside the body, or in the parser's copy
 *      for unescaped quoted names without backslashes left unexplained),
 *      twice to see the same parts in the same order (deterministic), and
 *      once with the callback stopping at a part chosen by the input: its
 *      return comes back, after exactly that many calls. Without a
 *      callback the result is the same.
 */
#include <string.h>

#include "fuzz.h"
#include "http/http.h"

#define CHECK(c)								\
	do {									\
		if (!(c)) {							\
			fprintf(stderr, "fuzz_multipart: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();						\
		}								\
	} while (0)

/* Parts recorded per walk (more are counted, not recorded). */
#define FUZZ_MP_PARTS	64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

struct rec {
	const char *body;
	size_t len;
	size_t calls;
	size_t stop_at;		/* return 99 at this call (1-based); 0 never */
	u64 hash;		/* FNV-1a over everything the parts hold */
};

static bool inside(struct http_slice s, const char *buf, size_t len)
{
	if (!s.p)
		return s.n == 0;
	return s.p >= buf && (size_t)(s.p - buf) <= len && s.n <= len - (size_t)(s.p - buf);
}

static void mix(u64 *h, const void *p, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ull;
}

static void mix_slice(u64 *h, struct http_slice s)
{
	mix(h, &s.n, sizeof(s.n));
	mix(h, s.p, s.n);
}

static int on_part(const struct http_part *p, void *ctx)
{
	struct rec *r = ctx;
	size_t off;

	r->calls++;
	CHECK(inside(p->data, r->body, r->len));
	CHECK(p->data.p != NULL);
	CHECK(inside(p->content_type, r->body, r->len));
	if (p->name_copied)
		CHECK(p->name.n == 0 || !inside(p->name, r->body, r->len));
	else
		CHECK(inside(p->name, r->body, r->len) && p->name.p);
	if (!p->has_filename)
		CHECK(!p->filename.p && !p->filename.n && !p->filename_copied);
	else if (!p->filename_copied)
		CHECK(inside(p->filename, r->body, r->len) && p->filename.p);
	/* the data ends where a delimiter starts */
	off = (size_t)(p->data.p - r->body) + p->data.n;
	CHECK(r->len - off >= 4 && !memcmp(r->body + off, "\r\n--", 4));
	mix_slice(&r->hash, p->name);
	mix_slice(&r->hash, p->filename);
	mix_slice(&r->hash, p->content_type);
	mix_slice(&r->hash, p->data);
	off = (size_t)(p->data.p - r->body);
	mix(&r->hash, &off, sizeof(off));
	return r->calls == r->stop_at ? 99 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *lf = memchr(in, '\n', size);
	struct http_slice ct = { in, lf ? (size_t)(lf - in) : size };
	const char *body = lf ? lf + 1 : in + size;
	size_t len = lf ? size - ct.n - 1 : 0;
	char bd[HTTP_BOUNDARY_MAX + 1], *copy;
	struct rec a, b, c;
	size_t max_parts = size ? 1 + data[size - 1] % 8 : 4, i;
	int n, rca, rcb, rcc, rc0;

	n = http_multipart_boundary(ct, bd, sizeof(bd));
	CHECK(n == -415 || n == -400 || (n >= 1 && n <= HTTP_BOUNDARY_MAX));
	if (n > 0) {
		CHECK(strlen(bd) == (size_t)n && bd[n - 1] != ' ');
		CHECK(http_multipart_boundary(ct, bd, (size_t)n) == -400);	/* no room */
		CHECK(http_multipart_boundary(ct, bd, sizeof(bd)) == n);
	} else {
		strcpy(bd, "b");
	}

	/* the body in a block of its own exact size: ASan sees any overread */
	copy = malloc(len ? len : 1);
	CHECK(copy);
	memcpy(copy, body, len);
	memset(&a, 0, sizeof(a));
	a.body = copy;
	a.len = len;
	b = a;
	c = a;
	rca = http_multipart_parse(copy, len, bd, max_parts, on_part, &a);
	rcb = http_multipart_parse(copy, len, bd, max_parts, on_part, &b);
	rc0 = http_multipart_parse(copy, len, bd, max_parts, NULL, NULL);
	CHECK(rca == 0 || rca == -400);
	CHECK(rca == rcb && a.calls == b.calls && a.hash == b.hash);
	CHECK(rc0 == rca);
	CHECK(a.calls <= max_parts);
	if (rca)
		CHECK(a.calls == 0);	/* a malformed body reaches no callback */
	if (!rca && a.calls) {
		c.stop_at = 1 + (size ? data[0] : 0) % a.calls;
		rcc = http_multipart_parse(copy, len, bd, max_parts, on_part, &c);
		CHECK(rcc == 99 && c.calls == c.stop_at);
	}
	/* more parts allowed: still the same parts */
	if (!rca) {
		memset(&c, 0, sizeof(c));
		c.body = copy;
		c.len = len;
		rcc = http_multipart_parse(copy, len, bd, max_parts + 8, on_part, &c);
		CHECK(rcc == 0 && c.calls == a.calls && c.hash == a.hash);
	}
	/* fewer than there are: -400 */
	if (!rca && a.calls) {
		memset(&c, 0, sizeof(c));
		c.body = copy;
		c.len = len;
		rcc = http_multipart_parse(copy, len, bd, a.calls - 1, on_part, &c);
		CHECK(rcc == -400 && c.calls == 0);
	}
	for (i = 0; i < len; i++)
		CHECK(copy[i] == body[i]);	/* the body is not written to */
	free(copy);
	return 0;
}
