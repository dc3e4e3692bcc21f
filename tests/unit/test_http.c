// SPDX-License-Identifier: MIT
/*
 * test_http.c - unit tests for http/ (suites http_head, http_query,
 * http_chunked, http_multipart, http_date).
 *
 * Oracles:
 *   - real requests, captured byte for byte from the clients that call the
 *     BTFHub Online API (a socket that records what arrives): curl 7.88
 *     (GET, `curl -F bpf=@file`, a chunked upload; it sends
 *     "Expect: 100-continue" only for bodies over 1 MiB), Python 3.11's
 *     urllib and http.client (also encode_chunked=True), and Go's net/http
 *     with mime/multipart as the btfhub-online Go SDK uses them
 *     (User-Agent btfhub-online-go/0.1.0, part "bpf", filename="from_memory");
 *   - the RFCs' own examples (RFC 9110 5.6.7's date, RFC 9112's chunked
 *     grammar, RFC 2046's delimiters), one case per status code the parsers
 *     return;
 *   - self-consistency: every prefix of a valid head needs more bytes;
 *     chunked input fed a byte at a time, or split at pseudo-random points,
 *     decodes to the same bytes as fed whole, in place too;
 *   - glibc's gmtime_r()/strftime() in the C locale for http_date(), over
 *     many times, test-only.
 *
 * Inputs sit in malloc'd buffers of exactly their size (dup_exact()), so
 * ASan catches any read past the end.
 */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http.h"
#include "util/util.h"

TestSuite(http_head, .timeout = 60);
TestSuite(http_query, .timeout = 60);
TestSuite(http_chunked, .timeout = 60);
TestSuite(http_multipart, .timeout = 60);
TestSuite(http_date, .timeout = 60);

/* ---- helpers ---------------------------------------------------------------- */

/* A string literal with its length (it may hold NULs). */
#define LIT(s)	(s), (sizeof(s) - 1)

/* @n bytes of @s in a malloc'd block of exactly @n bytes (1 if empty). */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	cr_assert(p != NULL);
	memcpy(p, s, n);
	return p;
}

static bool slice_is(struct http_slice s, const char *want)
{
	return s.n == strlen(want) && (!s.n || !memcmp(s.p, want, s.n));
}

#define assert_slice(s, want)							\
	cr_assert(slice_is((s), (want)), "got '%.*s', want '%s'", (int)(s).n,	\
		  (s).p ? (s).p : "", (want))

/* http_parse_head() on an exact-size copy of @s[0..@n). */
static int head(const char *s, size_t n, size_t max, struct http_req *r)
{
	char *b = dup_exact(s, n);
	int rc = http_parse_head(b, n, max, r);

	/* the slices must not outlive b: callers only look at numbers */
	free(b);
	return rc;
}

/* The status a head parses to (with the default limit). */
static int head_status(const char *s)
{
	struct http_req r;
	int rc = head(s, strlen(s), HTTP_HEAD_MAX_DEFAULT, &r);

	if (rc < 0)
		cr_assert(r.error != NULL && r.error[0], "no reason for %d", rc);
	return rc;
}

/* ---- real requests ---------------------------------------------------------- */

static const char curl_get[] =
	"GET /api/v1/download?distribution=ubuntu&kernel_version=5.4.0-42-generic HTTP/1.1\r\n"
	"Host: 127.0.0.1:18083\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";

/* curl -F bpf=@small.o 'http://.../api/v1/customize?...' (small.o = "small\r\n--x\0") */
static const char curl_customize[] =
	"POST /api/v1/customize?arch=x86_64&distribution=ubuntu&distribution_version=20.04&kernel_version=5.4.0-42-generic HTTP/1.1\r\n"
	"Host: 127.0.0.1:18081\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"Content-Length: 209\r\n"
	"Content-Type: multipart/form-data; boundary=------------------------2d5d3d48527fe4b8\r\n"
	"\r\n"
	"--------------------------2d5d3d48527fe4b8\r\n"
	"Content-Disposition: form-data; name=\"bpf\"; filename=\"small.o\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"small\r\n"
	"--x\x00\r\n"
	"--------------------------2d5d3d48527fe4b8--\r\n";

/* the head curl sends for a file over 1 MiB */
static const char curl_big_head[] =
	"POST /c HTTP/1.1\r\n"
	"Host: 127.0.0.1:18088\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"Content-Length: 1100197\r\n"
	"Content-Type: multipart/form-data; boundary=------------------------bf65bfd218244372\r\n"
	"Expect: 100-continue\r\n"
	"\r\n";

/* printf 'hello world' | curl -H 'Transfer-Encoding: chunked' --data-binary @- URL */
static const char curl_chunked[] =
	"POST /x HTTP/1.1\r\n"
	"Host: 127.0.0.1:18084\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"Transfer-Encoding: chunked\r\n"
	"Content-Type: application/x-www-form-urlencoded\r\n"
	"\r\n"
	"b\r\n"
	"hello world\r\n"
	"0\r\n"
	"\r\n";

/* urllib.request.urlopen(URL) */
static const char py_urllib[] =
	"GET /api/v1/list HTTP/1.1\r\n"
	"Accept-Encoding: identity\r\n"
	"Host: 127.0.0.1:18085\r\n"
	"User-Agent: Python-urllib/3.11\r\n"
	"Connection: close\r\n"
	"\r\n";

/* http.client: request('POST', ..., body=b'a=1', headers={'Content-Type': ...}) */
static const char py_client[] =
	"POST /api/v1/customize?arch=arm64 HTTP/1.1\r\n"
	"Host: 127.0.0.1:18086\r\n"
	"Accept-Encoding: identity\r\n"
	"Content-Length: 3\r\n"
	"Content-Type: application/x-www-form-urlencoded\r\n"
	"\r\n"
	"a=1";

/* http.client: request('POST', '/up', body=iter([b'abc', b'defgh']), encode_chunked=True) */
static const char py_chunked[] =
	"POST /up HTTP/1.1\r\n"
	"Host: 127.0.0.1:18087\r\n"
	"Accept-Encoding: identity\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"3\r\n"
	"abc\r\n"
	"5\r\n"
	"defgh\r\n"
	"0\r\n"
	"\r\n";

/* Go net/http + mime/multipart, as the btfhub-online Go SDK calls customize */
static const char go_customize[] =
	"POST /api/v1/customize?arch=x86_64&distribution=ubuntu&distribution_version=20.04&kernel_version=5.4.0-42-generic HTTP/1.1\r\n"
	"Host: 127.0.0.1:18089\r\n"
	"User-Agent: btfhub-online-go/0.1.0\r\n"
	"Content-Length: 260\r\n"
	"Content-Type: multipart/form-data; boundary=9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30\r\n"
	"Accept-Encoding: gzip\r\n"
	"\r\n"
	"--9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30\r\n"
	"Content-Disposition: form-data; name=\"bpf\"; filename=\"from_memory\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"\x7f" "ELF\x02\x01\x01\x00\r\n"
	"--\r\n"
	"\x00" "bin\r\n"
	"--9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30--\r\n";

/* ---- http_head -------------------------------------------------------------- */

Test(http_head, curl_get)
{
	size_t n = sizeof(curl_get) - 1;
	char *b = dup_exact(curl_get, n);
	struct http_req r;

	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), (int)n));
	cr_assert(eq(sz, r.head_len, n));
	cr_assert(eq(int, r.method, HTTP_GET));
	assert_slice(r.method_str, "GET");
	assert_slice(r.target, "/api/v1/download?distribution=ubuntu&kernel_version=5.4.0-42-generic");
	assert_slice(r.path, "/api/v1/download");
	assert_slice(r.query, "distribution=ubuntu&kernel_version=5.4.0-42-generic");
	cr_assert(eq(int, r.version_minor, 1));
	cr_assert(r.keep_alive && !r.has_length && !r.chunked && !r.expect_continue);
	assert_slice(r.host, "127.0.0.1:18083");
	assert_slice(r.user_agent, "curl/7.88.1");
	cr_assert(r.content_type.p == NULL && r.content_type.n == 0);
	cr_assert(r.if_none_match.p == NULL && r.if_modified_since.p == NULL);
	cr_assert(r.error == NULL);
	free(b);
}

Test(http_head, curl_multipart_upload)
{
	size_t n = sizeof(curl_customize) - 1;
	char *b = dup_exact(curl_customize, n);
	struct http_req r;
	int rc = http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r);

	cr_assert(gt(int, rc, 0));
	cr_assert(eq(int, r.method, HTTP_POST));
	assert_slice(r.path, "/api/v1/customize");
	cr_assert(r.has_length && r.content_length == 209);
	cr_assert(eq(sz, n - (size_t)rc, 209));	/* the body starts at head_len */
	assert_slice(r.content_type,
		     "multipart/form-data; boundary=------------------------2d5d3d48527fe4b8");
	cr_assert(0 == r.expect_continue && r.keep_alive);
	free(b);
}

Test(http_head, curl_expect_continue_over_1mib)
{
	struct http_req r;

	cr_assert(eq(int, head(LIT(curl_big_head), HTTP_HEAD_MAX_DEFAULT, &r),
		     (int)sizeof(curl_big_head) - 1));
	cr_assert(r.expect_continue && r.has_length && r.content_length == 1100197);
}

Test(http_head, curl_chunked_upload)
{
	size_t n = sizeof(curl_chunked) - 1;
	char *b = dup_exact(curl_chunked, n);
	struct http_req r;
	int rc = http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r);

	cr_assert(gt(int, rc, 0));
	cr_assert(r.chunked && !r.has_length && r.keep_alive);
	cr_assert(eq(sz, n - (size_t)rc, 21));
	cr_assert(memcmp(b + rc, "b\r\nhello world\r\n0\r\n\r\n", 21) == 0);
	free(b);
}

Test(http_head, python_urllib_and_http_client)
{
	size_t n = sizeof(py_urllib) - 1;
	char *b = dup_exact(py_urllib, n);
	struct http_req r;

	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), (int)n));
	cr_assert(0 == r.keep_alive);	/* Connection: close */
	assert_slice(r.user_agent, "Python-urllib/3.11");
	assert_slice(r.host, "127.0.0.1:18085");
	assert_slice(r.path, "/api/v1/list");
	cr_assert(eq(sz, r.query.n, 0));
	free(b);

	n = sizeof(py_client) - 1;
	b = dup_exact(py_client, n);
	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), (int)n - 3));
	cr_assert(r.has_length && r.content_length == 3 && r.keep_alive);
	cr_assert(r.user_agent.p == NULL);
	assert_slice(r.query, "arch=arm64");
	assert_slice(r.content_type, "application/x-www-form-urlencoded");
	free(b);

	cr_assert(gt(int, head(LIT(py_chunked), HTTP_HEAD_MAX_DEFAULT, &r), 0));
	cr_assert(r.chunked);
}

Test(http_head, go_sdk)
{
	size_t n = sizeof(go_customize) - 1;
	char *b = dup_exact(go_customize, n);
	struct http_req r;
	int rc = http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r);

	cr_assert(gt(int, rc, 0));
	assert_slice(r.user_agent, "btfhub-online-go/0.1.0");
	cr_assert(r.has_length && r.content_length == n - (size_t)rc);
	assert_slice(r.content_type, "multipart/form-data; boundary="
		     "9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30");
	free(b);
}

/* Every proper prefix of a head needs more bytes; the whole parses the same. */
Test(http_head, every_prefix_needs_more)
{
	static const char *const heads[] = { curl_get, curl_big_head, py_urllib, curl_customize,
					     go_customize, py_chunked };
	size_t h, k;

	for (h = 0; h < ARRAY_SIZE(heads); h++) {
		struct http_req r;
		size_t n = strlen(heads[h]);	/* the bodies' NULs end it early: fine */
		const char *end = strstr(heads[h], "\r\n\r\n");
		size_t hl = (size_t)(end - heads[h]) + 4;

		for (k = 0; k < hl; k++)
			cr_assert(eq(int, head(heads[h], k, HTTP_HEAD_MAX_DEFAULT, &r), 0),
				  "head %zu prefix %zu", h, k);
		cr_assert(eq(int, head(heads[h], n, HTTP_HEAD_MAX_DEFAULT, &r), (int)hl));
		/* the limit is the head's own size: still fine; one less: too large */
		cr_assert(eq(int, head(heads[h], n, hl, &r), (int)hl));
		cr_assert(eq(int, head(heads[h], n, hl - 1, &r), -431));
	}
}

Test(http_head, bare_lf_and_leading_empty_lines)
{
	struct http_req r;
	static const char s[] = "\r\n\n\r\nGET /a?b HTTP/1.0\nHost: x\r\nConnection: keep-alive\n\n";

	cr_assert(eq(int, head(LIT(s), HTTP_HEAD_MAX_DEFAULT, &r), (int)sizeof(s) - 1));
	cr_assert(eq(int, r.version_minor, 0));
	cr_assert(r.keep_alive);
	/* a lone CR before the request line is a bare CR */
	cr_assert(eq(int, head_status("\rGET / HTTP/1.1\r\n\r\n"), -400));
	/* only empty lines so far: more needed */
	cr_assert(eq(int, head_status("\r\n\r\n\r"), 0));
}

Test(http_head, keep_alive_rules)
{
	struct http_req r;

#define KA(s, want)								\
	do {									\
		cr_assert(gt(int, head(LIT(s), HTTP_HEAD_MAX_DEFAULT, &r), 0), "%s", s);	\
		cr_assert(eq(int, r.keep_alive, (want)), "%s", s);		\
	} while (0)
	KA("GET / HTTP/1.1\r\n\r\n", true);
	KA("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false);
	KA("GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE \r\n\r\n", false);
	KA("GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false);
	KA("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true);
	KA("GET / HTTP/1.0\r\n\r\n", false);
	KA("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true);
	KA("GET / HTTP/1.0\r\nconnection: te,,keep-alive\r\n\r\n", true);
	KA("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false);
	/* HTTP/1.0 with Transfer-Encoding: the framing is suspect (RFC 9112 6.1) */
	KA("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n", false);
#undef KA
}

Test(http_head, fields_and_methods)
{
	struct http_req r;
	static const char s[] =
		"DELETE /x HTTP/1.1\r\n"
		"hOsT:\t example.org \t\r\n"
		"If-None-Match:  \"abc\", W/\"def\"\r\n"
		"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		"If-None-Match: \"second\"\r\n"
		"X-Empty:\r\n"
		"Content-Length: 0\r\n"
		"\r\n";

	cr_assert(gt(int, head(LIT(s), HTTP_HEAD_MAX_DEFAULT, &r), 0));
	/* the slices point into a freed copy: look at them through a live one */
	{
		char *b = dup_exact(s, sizeof(s) - 1);

		cr_assert(gt(int, http_parse_head(b, sizeof(s) - 1, HTTP_HEAD_MAX_DEFAULT, &r), 0));
		cr_assert(eq(int, r.method, HTTP_OTHER));
		assert_slice(r.method_str, "DELETE");
		assert_slice(r.host, "example.org");
		assert_slice(r.if_none_match, "\"abc\", W/\"def\"");
		assert_slice(r.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
		cr_assert(r.has_length && r.content_length == 0);
		free(b);
	}
	cr_assert(gt(int, head_status("HEAD / HTTP/1.1\r\n\r\n"), 0));
	cr_assert(gt(int, head_status("get / HTTP/1.1\r\n\r\n"), 0));	/* a token: OTHER */
	{
		char *b = dup_exact(LIT("HEAD /%20?x HTTP/1.1\r\n\r\n"));

		cr_assert(gt(int, http_parse_head(b, 24, 100, &r), 0));
		cr_assert(eq(int, r.method, HTTP_HEAD));
		assert_slice(r.path, "/%20");
		assert_slice(r.query, "x");
		free(b);
	}
	{
		char *b = dup_exact(LIT("GET /? HTTP/1.1\r\n\r\n"));

		cr_assert(gt(int, http_parse_head(b, 19, 100, &r), 0));
		assert_slice(r.path, "/");
		cr_assert(r.query.n == 0 && r.query.p != NULL);
		free(b);
	}
}

Test(http_head, content_length)
{
	struct http_req r;

	cr_assert(gt(int, head(LIT("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n"),
			       HTTP_HEAD_MAX_DEFAULT, &r), 0));
	cr_assert(r.content_length == UINT64_MAX);
	cr_assert(gt(int, head(LIT("POST / HTTP/1.1\r\nContent-Length:  007 \r\n\r\n"),
			       HTTP_HEAD_MAX_DEFAULT, &r), 0));
	cr_assert(r.content_length == 7);
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), -400));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), -400));
	/* -400 wins over the -501 of an unknown coding */
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n"), -400));
}

/* One case per kind of -400. */
Test(http_head, malformed_400)
{
	static const char *const bad[] = {
		" GET / HTTP/1.1\r\n\r\n",			/* empty method */
		"GET  / HTTP/1.1\r\n\r\n",			/* two spaces */
		"GET / HTTP/1.1 \r\n\r\n",			/* trailing space */
		"GET /\r\n\r\n",				/* HTTP/0.9 style */
		"GET / \r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTP/1.1x\r\n\r\n",
		"GET / HTTP/11\r\n\r\n",
		"GET / HTTP/10.0\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",			/* not a token */
		"GET http://example.org/ HTTP/1.1\r\n\r\n",	/* absolute-form */
		"OPTIONS * HTTP/1.1\r\n\r\n",			/* asterisk-form */
		"CONNECT example.org:443 HTTP/1.1\r\n\r\n",	/* authority-form */
		"GET /a\tb HTTP/1.1\r\n\r\n",			/* control byte in target */
		"GET /\xc3\xa9 HTTP/1.1\r\n\r\n",		/* non-ASCII in target */
		"GET /\x7f HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\rHost: x\r\n\r\n",		/* bare CR in the request line */
		"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",		/* bare CR in a value */
		"GET / HTTP/1.1\r\nHost: x\r\n\r\r\n",		/* CR alone on the "blank" line */
		"GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n",	/* control byte in a value */
		"GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",		/* DEL in a value */
		"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",		/* obs-fold */
		"GET / HTTP/1.1\r\n\tX: a\r\n\r\n",		/* whitespace before the first field */
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",		/* space before the colon */
		"GET / HTTP/1.1\r\n: x\r\n\r\n",		/* empty name */
		"GET / HTTP/1.1\r\nHost\r\n\r\n",		/* no colon */
		"GET / HTTP/1.1\r\nX(y): z\r\n\r\n",		/* not a token */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",	/* a second Host */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert(eq(int, head_status(bad[i]), -400), "case %zu: %s", i, bad[i]);
}

Test(http_head, nul_bytes_400)
{
	struct http_req r;

	cr_assert(eq(int, head(LIT("GET /\0 HTTP/1.1\r\n\r\n"), 100, &r), -400));
	cr_assert(eq(int, head(LIT("GET / HTTP/1.1\r\nX: \0\r\n\r\n"), 100, &r), -400));
	cr_assert(eq(int, head(LIT("GET / HTTP/1.1\r\nX\0: 1\r\n\r\n"), 100, &r), -400));
	cr_assert(eq(int, head(LIT("\0GET / HTTP/1.1\r\n\r\n"), 100, &r), -400));
}

/* A request line that can't become one fails before the head is complete. */
Test(http_head, garbage_fails_early)
{
	struct http_req r;

	/* the start of a TLS ClientHello */
	cr_assert(eq(int, head(LIT("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), 16384, &r), -400));
	cr_assert(eq(int, head(LIT("GET /\x01"), 16384, &r), -400));
	cr_assert(eq(int, head(LIT("GET / HTTP/1.1\r"), 16384, &r), 0));
	cr_assert(eq(int, head(LIT("GET / HTTP/1.1\rX"), 16384, &r), -400));
}

Test(http_head, header_count)
{
	char buf[4096];
	size_t n;
	int i, k;

	for (k = HTTP_HEADERS_MAX; k <= HTTP_HEADERS_MAX + 1; k++) {
		n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: %d\r\n", i, i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
		cr_assert(lt(sz, n, sizeof(buf) - 1));
		if (k == HTTP_HEADERS_MAX)
			cr_assert(eq(int, head_status(buf), (int)n));
		else
			cr_assert(eq(int, head_status(buf), -431));
	}
}

Test(http_head, too_large_431)
{
	struct http_req r;
	size_t n = HTTP_HEAD_MAX_DEFAULT + 100, i;
	char *b = malloc(n);

	cr_assert(b != NULL);
	memcpy(b, "GET / HTTP/1.1\r\nX: ", 19);
	for (i = 19; i < n; i++)
		b[i] = 'a';
	/* no end yet, under the limit: more */
	cr_assert(eq(int, http_parse_head(b, HTTP_HEAD_MAX_DEFAULT - 1, HTTP_HEAD_MAX_DEFAULT, &r), 0));
	/* at the limit without the end: too large */
	cr_assert(eq(int, http_parse_head(b, HTTP_HEAD_MAX_DEFAULT, HTTP_HEAD_MAX_DEFAULT, &r), -431));
	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), -431));
	cr_assert(r.error != NULL);
	/* the end just past the limit is not looked at */
	memcpy(b + HTTP_HEAD_MAX_DEFAULT - 3, "\r\n\r\n", 4);
	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), -431));
	/* ending exactly at the limit is fine */
	memcpy(b + HTTP_HEAD_MAX_DEFAULT - 4, "\r\n\r\n", 4);
	cr_assert(eq(int, http_parse_head(b, n, HTTP_HEAD_MAX_DEFAULT, &r), HTTP_HEAD_MAX_DEFAULT));
	/* a huge max_head counts as INT_MAX */
	cr_assert(eq(int, http_parse_head(b, n, SIZE_MAX, &r), HTTP_HEAD_MAX_DEFAULT));
	free(b);
}

#define TE(v) head_status("POST / HTTP/1.1\r\nTransfer-Encoding: " v "\r\n\r\n")
/* two Transfer-Encoding fields */
#define TE2(a, b)							\
	head_status("POST / HTTP/1.1\r\nTransfer-Encoding: " a "\r\n"		\
		    "Transfer-Encoding: " b "\r\n\r\n")
/*
 * RFC 9112 6.3: codings that do not end in chunked give no length (400, a
 * MUST), chunked twice is bad framing (400); chunked after a coding we do
 * not have is 501 (6.1). The fields of a request make one list.
 */
Test(http_head, transfer_encoding_400_and_501)
{
	/* the last coding is not chunked */
	cr_assert(eq(int, TE("gzip"), -400));
	cr_assert(eq(int, TE("x-chunked"), -400));
	cr_assert(eq(int, TE("chunked, gzip"), -400));
	cr_assert(eq(int, TE("chunked;x=1"), -400));
	cr_assert(eq(int, TE(""), -400));
	cr_assert(eq(int, TE(" , ,"), -400));
	cr_assert(eq(int, TE2("chunked", "gzip"), -400));
	/* chunked more than once */
	cr_assert(eq(int, TE("chunked, chunked"), -400));
	cr_assert(eq(int, TE2("chunked", "chunked"), -400));
	/* not a list of codings */
	cr_assert(eq(int, TE("g(zip), chunked"), -400));
	cr_assert(eq(int, TE("\"chunked\""), -400));
	cr_assert(eq(int, TE("gz ip, chunked"), -400));
	cr_assert(eq(int, TE(";q=1, chunked"), -400));
	/* chunked last, after codings we do not have */
	cr_assert(eq(int, TE("gzip, chunked"), -501));
	cr_assert(eq(int, TE("gzip;q=1, chunked"), -501));
	cr_assert(eq(int, TE("gzip ; q=1, chunked"), -501));
	cr_assert(eq(int, TE2("gzip", "chunked"), -501));
	/* chunked alone, in any case, with empty list elements around it */
	cr_assert(gt(int, TE("CHUNKED "), 0));
	cr_assert(gt(int, TE(", chunked ,"), 0));
	/* a -400 later in the head wins over the 501 */
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n"
				      "X : y\r\n\r\n"), -400));
}
#undef TE
#undef TE2

Test(http_head, version_505)
{
	cr_assert(eq(int, head_status("GET / HTTP/2.0\r\n\r\n"), -505));
	cr_assert(eq(int, head_status("GET / HTTP/1.2\r\n\r\n"), -505));
	cr_assert(eq(int, head_status("GET / HTTP/0.9\r\n\r\n"), -505));
	cr_assert(eq(int, head_status("GET / HTTP/9.9\r\nHost: x\r\n\r\n"), -505));
}

Test(http_head, expect_417)
{
	struct http_req r;

	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nExpect: foo\r\n\r\n"), -417));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nExpect: 100-continue, foo\r\n\r\n"), -417));
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nExpect: 100-continue\r\nExpect: x\r\n\r\n"), -417));
	cr_assert(gt(int, head(LIT("POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n"), 100, &r), 0));
	cr_assert(r.expect_continue);
	/* HTTP/1.0: a 100-continue expectation is ignored (RFC 9110 10.1.1) */
	cr_assert(gt(int, head(LIT("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"), 100, &r), 0));
	cr_assert(0 == r.expect_continue);
	/* -400 wins */
	cr_assert(eq(int, head_status("POST / HTTP/1.1\r\nExpect: foo\r\nHost: a\r\nHost: b\r\n\r\n"), -400));
}

/* Nothing at all: no pointer is used. */
Test(http_head, empty_input)
{
	struct http_req r;
	struct http_chunked c;
	struct http_slice none = { NULL, 0 };
	size_t used = 1, made = 1;
	char out[4];

	cr_assert(eq(int, http_parse_head(NULL, 0, HTTP_HEAD_MAX_DEFAULT, &r), 0));
	cr_assert(eq(int, http_parse_head(NULL, 0, 0, &r), -431));
	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, NULL, 0, NULL, &used, &made), 0));
	cr_assert(used == 0 && made == 0);
	cr_assert(eq(int, http_multipart_parse(NULL, 0, "b", 4, NULL, NULL), -400));
	cr_assert(eq(int, http_multipart_boundary(none, out, sizeof(out)), -415));
	cr_assert(eq(int, http_decode_path(none, out, sizeof(out)), 0));
	cr_assert(eq(int, http_query_get(none, "a", out, sizeof(out), NULL), 0));
	cr_assert(eq(int, http_parse_date(none, NULL), -1));
}

/* A reused struct is reset: nothing of the previous request stays. */
Test(http_head, struct_reset)
{
	struct http_req r;

	cr_assert(gt(int, head(LIT(curl_big_head), 1000, &r), 0));
	cr_assert(eq(int, head(LIT("GET / HTTP/1.1\r\n\r\n"), 1000, &r), 18));
	cr_assert(0 == r.expect_continue && !r.has_length && r.content_type.p == NULL && r.error == NULL);
}

/* ---- http_query -------------------------------------------------------------- */

static struct http_slice sl(const char *s)
{
	struct http_slice v = { s, strlen(s) };

	return v;
}

static int path(const char *s, char *out, size_t cap)
{
	char *b = dup_exact(s, strlen(s));
	struct http_slice v = { b, strlen(s) };
	int rc = http_decode_path(v, out, cap);

	free(b);
	return rc;
}

Test(http_query, decode_path)
{
	char out[64];

	cr_assert(eq(int, path("/api/v1/list", out, sizeof(out)), 12));
	cr_assert(eq(str, out, "/api/v1/list"));
	cr_assert(eq(int, path("/a+b%20c%2B", out, sizeof(out)), 7));
	cr_assert(eq(str, out, "/a+b c+"));
	/* not normalized: the caller sees the dots and the slash */
	cr_assert(eq(int, path("/x/%2e%2e/%2E%2e%2fetc", out, sizeof(out)), 12));
	cr_assert(eq(str, out, "/x/../../etc"));
	cr_assert(eq(int, path("/%c3%A9", out, sizeof(out)), 3));
	cr_assert(eq(str, out, "/\xc3\xa9"));
	cr_assert(eq(int, path("", out, sizeof(out)), 0));
	cr_assert(eq(str, out, ""));
	/* %00, bad and cut escapes */
	cr_assert(eq(int, path("/a%00b", out, sizeof(out)), -1));
	cr_assert(eq(int, path("/a%zz", out, sizeof(out)), -1));
	cr_assert(eq(int, path("/a%2", out, sizeof(out)), -1));
	cr_assert(eq(int, path("/a%", out, sizeof(out)), -1));
	cr_assert(eq(int, path("/a%g0", out, sizeof(out)), -1));
	/* room: 4 bytes + NUL */
	cr_assert(eq(int, path("/abc", out, 5), 4));
	cr_assert(eq(int, path("/abcd", out, 5), -1));
	cr_assert(eq(int, path("/%61bc", out, 5), 4));
	cr_assert(eq(int, path("", out, 1), 0));
	cr_assert(eq(int, path("", out, 0), -1));
}

static int qget(const char *q, const char *key, char *out, size_t cap, size_t *n)
{
	char *b = dup_exact(q, strlen(q));
	struct http_slice v = { b, strlen(q) };
	int rc = http_query_get(v, key, out, cap, n);

	free(b);
	return rc;
}

Test(http_query, real_queries)
{
	static const char q[] =
		"arch=x86_64&distribution=ubuntu&distribution_version=20.04&kernel_version=5.4.0-42-generic";
	char out[128];
	size_t n = 0;

	cr_assert(eq(int, qget(q, "arch", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "x86_64"));
	cr_assert(eq(sz, n, 6));
	cr_assert(eq(int, qget(q, "distribution", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "ubuntu"));
	cr_assert(eq(int, qget(q, "distribution_version", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "20.04"));
	cr_assert(eq(int, qget(q, "kernel_version", out, sizeof(out), NULL), 1));
	cr_assert(eq(str, out, "5.4.0-42-generic"));
	cr_assert(eq(int, qget(q, "kernel", out, sizeof(out), &n), 0));
	cr_assert(eq(int, qget(q, "", out, sizeof(out), &n), 0));
	cr_assert(eq(int, qget("", "arch", out, sizeof(out), &n), 0));
	cr_assert(eq(int, http_query_get(sl(""), "", out, sizeof(out), &n), 0));
}

Test(http_query, form_decoding)
{
	char out[64];
	size_t n;

	cr_assert(eq(int, qget("k=a+b%2Bc%26d%3D", "k", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "a b+c&d="));
	/* keys are decoded before comparing */
	cr_assert(eq(int, qget("kernel%5Fversion=1&kernel+v=2", "kernel_version", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "1"));
	cr_assert(eq(int, qget("kernel%5Fversion=1&kernel+v=2", "kernel v", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "2"));
	/* the first of repeated keys wins */
	cr_assert(eq(int, qget("a=1&a=2", "a", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "1"));
	/* empty values, pairs without '=', empty pairs */
	cr_assert(eq(int, qget("&&a=&b&c==x&", "a", out, sizeof(out), &n), 1));
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(str, out, ""));
	cr_assert(eq(int, qget("&&a=&b&c==x&", "b", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, ""));
	cr_assert(eq(int, qget("&&a=&b&c==x&", "c", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "=x"));
	cr_assert(eq(int, qget("=v", "", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "v"));
}

Test(http_query, malformed)
{
	char out[8];
	size_t n;

	/* in the value of the match */
	cr_assert(eq(int, qget("a=%zz", "a", out, sizeof(out), &n), -1));
	cr_assert(eq(int, qget("a=%4", "a", out, sizeof(out), &n), -1));
	cr_assert(eq(int, qget("a=x%00", "a", out, sizeof(out), &n), -1));
	/* in a key looked at before the match */
	cr_assert(eq(int, qget("%zz=1&a=2", "a", out, sizeof(out), &n), -1));
	cr_assert(eq(int, qget("b%00=1&a=2", "a", out, sizeof(out), &n), -1));
	/* in the value of an earlier pair, or after the match: not looked at */
	cr_assert(eq(int, qget("b=%zz&a=2", "a", out, sizeof(out), &n), 1));
	cr_assert(eq(int, qget("a=2&%zz", "a", out, sizeof(out), &n), 1));
	/* the value must fit: 7 bytes + NUL */
	cr_assert(eq(int, qget("a=1234567", "a", out, sizeof(out), &n), 1));
	cr_assert(eq(sz, n, 7));
	cr_assert(eq(int, qget("a=12345678", "a", out, sizeof(out), &n), -1));
	cr_assert(eq(int, qget("a=%31%32%33%34%35%36%37", "a", out, sizeof(out), &n), 1));
	cr_assert(eq(str, out, "1234567"));
	cr_assert(eq(int, qget("a=", "a", out, 0, &n), -1));
}

/* ---- http_chunked ------------------------------------------------------------- */

/* Decode @in whole; returns the status, the output in a malloc'd *@out. */
static int chunked_whole(const char *in, size_t n, char **out, size_t *out_n, size_t *used)
{
	struct http_chunked c;
	char *b = dup_exact(in, n);
	int rc;

	*out = malloc(n ? n : 1);
	cr_assert(out[0] != NULL);
	http_chunked_init(&c);
	rc = http_chunked_feed(&c, b, n, *out, used, out_n);
	cr_assert(le(sz, *out_n, *used));
	free(b);
	return rc;
}

/*
 * Decode @in split at points chosen by @seed (0: one byte at a time), in
 * place; the same status, output and bytes used as whole.
 */
static void chunked_split_same(const char *in, size_t n, unsigned seed)
{
	struct http_chunked c;
	char *whole, *b = dup_exact(in, n);
	size_t wn, wused, pos = 0, o = 0, used, made;
	int wrc, rc = 0;
	u32 x = seed;

	wrc = chunked_whole(in, n, &whole, &wn, &wused);
	http_chunked_init(&c);
	while (pos < n) {
		size_t k = 1;
		char *piece;

		if (seed) {
			x = x * 1103515245u + 12345u;
			k = 1 + (x >> 16) % 7;
			if (k > n - pos)
				k = n - pos;
		}
		/* an exact-size copy of the piece, decoded in place, then appended */
		piece = dup_exact(b + pos, k);
		rc = http_chunked_feed(&c, piece, k, piece, &used, &made);
		cr_assert(le(sz, made, used));
		cr_assert(le(sz, used, k));
		memcpy(b + o, piece, made);	/* o <= pos: the output stays behind */
		free(piece);
		o += made;
		pos += used;
		if (rc)
			break;
		cr_assert(eq(sz, used, k));
	}
	cr_assert(eq(int, rc, wrc), "seed %u", seed);
	if (rc >= 0) {
		cr_assert(eq(sz, o, wn));
		cr_assert(0 == memcmp(b, whole, wn));
	}
	if (rc == 1)
		cr_assert(eq(sz, pos, wused));
	free(whole);
	free(b);
}

static const char *const chunked_bodies[] = {
	"b\r\nhello world\r\n0\r\n\r\n",
	"3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n",
	"A;ext=1;q=\"x y\"\r\n0123456789\r\n000\r\nTrailer: v\r\nX-Y:\r\n\r\nGET / HTTP/1.1\r\n",
	"f\r\n\r\n0\r\n\r\n\r\n--\r\n\r\n0\r\n\r\n",
	"0\r\n\r\n",
	"5\r\nabcde\n",			/* bad CRLF after data */
	"5\r\nabcde\r\n0\r\n\tX: y\r\n\r\n",	/* obs-fold in the trailer */
};

Test(http_chunked, real_bodies)
{
	char *out;
	size_t n, used;

	cr_assert(eq(int, chunked_whole(LIT("b\r\nhello world\r\n0\r\n\r\n"), &out, &n, &used), 1));
	cr_assert(eq(sz, n, 11));
	cr_assert(0 == memcmp(out, "hello world", 11));
	cr_assert(eq(sz, used, 21));
	free(out);
	cr_assert(eq(int, chunked_whole(LIT("3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"), &out, &n, &used), 1));
	cr_assert(eq(sz, n, 8));
	cr_assert(0 == memcmp(out, "abcdefgh", 8));
	free(out);
}

Test(http_chunked, split_anywhere_same_result)
{
	size_t i;
	unsigned seed;

	for (i = 0; i < ARRAY_SIZE(chunked_bodies); i++)
		for (seed = 0; seed < 40; seed++)
			chunked_split_same(chunked_bodies[i], strlen(chunked_bodies[i]), seed);
	/* the body with a NUL in its data */
	for (seed = 0; seed < 40; seed++)
		chunked_split_same(LIT("1\n\x00\r\n10 ; a\nABCDEFGHIJKLMNOP\r\n0\nT:1\n\n"), seed);
}

Test(http_chunked, in_place_and_what_follows)
{
	static const char s[] = "A;ext=1;q=\"x y\"\r\n0123456789\r\n000\r\nTrailer: v\r\nX-Y:\r\n\r\nGET / HTTP/1.1\r\n";
	struct http_chunked c;
	char *b = dup_exact(s, sizeof(s) - 1);
	size_t used, made;

	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, b, sizeof(s) - 1, b, &used, &made), 1));
	cr_assert(eq(sz, made, 10));
	cr_assert(0 == memcmp(b, "0123456789", 10));
	cr_assert(0 == memcmp(b + used, "GET / HTTP/1.1\r\n", 16));
	/* done is sticky and consumes nothing */
	cr_assert(eq(int, http_chunked_feed(&c, b + used, 4, b, &used, &made), 1));
	cr_assert(eq(sz, used, 0));
	cr_assert(eq(sz, made, 0));
	free(b);
}

Test(http_chunked, needs_more)
{
	struct http_chunked c;
	char out[16];
	size_t used, made;

	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, "0\r\n", 3, out, &used, &made), 0));
	cr_assert(eq(sz, used, 3));
	cr_assert(eq(int, http_chunked_feed(&c, "\r", 1, out, &used, &made), 0));
	cr_assert(eq(int, http_chunked_feed(&c, "\n", 1, out, &used, &made), 1));
	cr_assert(eq(sz, used, 1));
	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, "", 0, out, &used, &made), 0));
	cr_assert(eq(int, http_chunked_feed(&c, "ffffffffffffffff\r\nab", 20, out, &used, &made), 0));
	cr_assert(eq(sz, made, 2));
}

static int chunked_status(const char *s, size_t n)
{
	char *out;
	size_t made, used;
	int rc = chunked_whole(s, n, &out, &made, &used);

	free(out);
	return rc;
}

Test(http_chunked, malformed_400)
{
	static const char *const bad[] = {
		"\r\n",				/* no digits */
		";x\r\n",
		"x\r\n",
		" 5\r\nabcde\r\n0\r\n\r\n",	/* space before the size */
		"-5\r\n",
		"0x5\r\n",
		"5 x\r\n",			/* junk after the size */
		"5;\x01\r\n",			/* control byte in an extension */
		"5\rx",				/* bare CR */
		"10000000000000000\r\n",	/* 2^64 */
		"00000000000000000000000000000000010000000000000000\r\n",
		"5\r\nabcdeXY",			/* data not followed by CRLF */
		"5\r\nabcde\nX",
		"5\r\nabcde\r\r\n",
		"0\r\n\tX: y\r\n\r\n",		/* obs-fold in the trailer */
		"0\r\nX : y\r\n\r\n",		/* bad trailer name */
		"0\r\n:y\r\n\r\n",
		"0\r\nX: \x01\r\n\r\n",
		"0\r\nX: y\rz\r\n\r\n",
		"0\r\n\rx",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert(eq(int, chunked_status(bad[i], strlen(bad[i])), -400), "case %zu", i);
	cr_assert(eq(int, chunked_status(LIT("5\r\nabcde\r\n0\r\nX: \0\r\n\r\n")), -400));
	/* leading zeros are fine */
	cr_assert(eq(int, chunked_status(LIT("00000000000000000000005\r\nabcde\r\n0\r\n\r\n")), 1));
}

Test(http_chunked, errors_are_sticky)
{
	struct http_chunked c;
	char out[16];
	size_t used, made;

	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, "2\r\nabX", 6, out, &used, &made), -400));
	cr_assert(eq(sz, used, 5));
	cr_assert(eq(sz, made, 2));
	cr_assert(eq(int, http_chunked_feed(&c, "\r\n0\r\n\r\n", 7, out, &used, &made), -400));
	cr_assert(eq(sz, used, 0));
}

Test(http_chunked, line_limits)
{
	size_t n = HTTP_TRAILERS_MAX + 64, i;
	char *b = malloc(n), *out = malloc(n);
	struct http_chunked c;
	size_t used, made;

	cr_assert(b && out);
	/* a size line of exactly HTTP_CHUNK_LINE_MAX bytes with its CR is fine */
	b[0] = '1';
	b[1] = ';';
	for (i = 2; i < HTTP_CHUNK_LINE_MAX - 1; i++)
		b[i] = 'e';
	b[i++] = '\r';
	b[i++] = '\n';
	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, b, i, out, &used, &made), 0));
	/* one more byte is too long */
	memmove(b + 1, b, i);
	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, b, i + 1, out, &used, &made), -400));
	/* also when it never ends */
	memset(b, '0', n);
	http_chunked_init(&c);
	cr_assert(eq(int, http_chunked_feed(&c, b, n, out, &used, &made), -400));
	cr_assert(eq(sz, used, HTTP_CHUNK_LINE_MAX));

	/* the trailer section: one long field, within and over the limit */
	for (int over = 0; over < 2; over++) {
		size_t tl = HTTP_TRAILERS_MAX - 2 + (size_t)over;	/* field line with CRLF */

		memcpy(b, "0\r\nX:", 5);
		memset(b + 5, 'v', tl - 2 - 2);
		memcpy(b + 3 + tl - 2, "\r\n\r\n", 4);
		http_chunked_init(&c);
		cr_assert(eq(int, http_chunked_feed(&c, b, 3 + tl + 2, out, &used, &made),
			     over ? -400 : 1), "over %d", over);
	}
	free(b);
	free(out);
}

/* ---- http_multipart ----------------------------------------------------------- */

static int boundary_of(const char *ct, char *out, size_t cap)
{
	char *b = dup_exact(ct, strlen(ct));
	struct http_slice v = { b, strlen(ct) };
	int rc = http_multipart_boundary(v, out, cap);

	free(b);
	return rc;
}

Test(http_multipart, boundary)
{
	char out[HTTP_BOUNDARY_MAX + 1], b70[HTTP_BOUNDARY_MAX + 2], ct[128];

	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=------------------------2d5d3d48527fe4b8",
				      out, sizeof(out)), 40));
	cr_assert(eq(str, out, "------------------------2d5d3d48527fe4b8"));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30",
				      out, sizeof(out)), 60));
	cr_assert(eq(int, boundary_of("Multipart/Form-Data;charset=utf-8;  BOUNDARY=\"a b:c?\"  ",
				      out, sizeof(out)), 6));
	cr_assert(eq(str, out, "a b:c?"));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"a\\=b\\\\\"", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"a\\=b\"", out, sizeof(out)), 3));
	cr_assert(eq(str, out, "a=b"));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=x;", out, sizeof(out)), 1));
	cr_assert(eq(int, boundary_of("multipart/form-data ; boundary=x", out, sizeof(out)), 1));
	memset(b70, 'b', sizeof(b70));
	b70[HTTP_BOUNDARY_MAX] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
	cr_assert(eq(int, boundary_of(ct, out, sizeof(out)), 70));
	cr_assert(eq(int, boundary_of(ct, out, sizeof(out) - 1), -400));	/* cap too small */
	b70[HTTP_BOUNDARY_MAX] = 'b';
	b70[HTTP_BOUNDARY_MAX + 1] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
	cr_assert(eq(int, boundary_of(ct, out, sizeof(out)), -400));

	/* not multipart/form-data */
	cr_assert(eq(int, boundary_of("application/json", out, sizeof(out)), -415));
	cr_assert(eq(int, boundary_of("multipart/mixed; boundary=x", out, sizeof(out)), -415));
	cr_assert(eq(int, boundary_of("multipart/form-datax; boundary=x", out, sizeof(out)), -415));
	cr_assert(eq(int, boundary_of("", out, sizeof(out)), -415));
	cr_assert(eq(int, boundary_of("multipart", out, sizeof(out)), -415));
	/* bad boundaries and parameters */
	cr_assert(eq(int, boundary_of("multipart/form-data", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; charset=x", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"\"", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"a", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"a@b\"", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=\"ab \"", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=a; boundary=a", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data boundary=a", out, sizeof(out)), -400));
	cr_assert(eq(int, boundary_of("multipart/form-data; boundary=a b", out, sizeof(out)), -400));
}

#define MAX_GOT 8

struct got {
	int n;
	char name[MAX_GOT][64], filename[MAX_GOT][64], ctype[MAX_GOT][64];
	bool has_filename[MAX_GOT], name_copied[MAX_GOT];
	char *data[MAX_GOT];
	size_t data_n[MAX_GOT];
	const char *body;
	size_t len;
	int stop_at;		/* return 7 at this call (1-based); 0 never */
};

/* @s into @dst (64 bytes), cut to 63 bytes */
static void copy_slice(char *dst, struct http_slice s)
{
	size_t n = s.n < 63 ? s.n : 63;

	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static bool in_body(const struct got *g, struct http_slice s)
{
	return s.p >= g->body && (size_t)(s.p - g->body) <= g->len &&
	       s.n <= g->len - (size_t)(s.p - g->body);
}

static int collect(const struct http_part *p, void *ctx)
{
	struct got *g = ctx;
	int i = g->n++;

	cr_assert(lt(int, i, MAX_GOT));
	cr_assert(in_body(g, p->data));
	cr_assert(p->name_copied || in_body(g, p->name));
	cr_assert(p->filename_copied || !p->has_filename || in_body(g, p->filename));
	cr_assert(0 == p->content_type.n || in_body(g, p->content_type));
	copy_slice(g->name[i], p->name);
	copy_slice(g->filename[i], p->filename);
	copy_slice(g->ctype[i], p->content_type);
	g->has_filename[i] = p->has_filename;
	g->name_copied[i] = p->name_copied;
	g->data[i] = dup_exact(p->data.p, p->data.n);
	g->data_n[i] = p->data.n;
	return g->stop_at == g->n ? 7 : 0;
}

static void got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		free(g->data[i]);
}

/* Parse @body[0..@n) (exact-size copy) into @g. */
static int mp(const char *body, size_t n, const char *boundary, size_t max_parts, struct got *g)
{
	char *b = dup_exact(body, n);
	int rc;

	memset(g, 0, sizeof(*g));
	g->body = b;
	g->len = n;
	rc = http_multipart_parse(b, n, boundary, max_parts, collect, g);
	free(b);
	g->body = NULL;
	return rc;
}

/* The body of a captured request: after its blank line. */
static const char *body_of(const char *req, size_t n, size_t *len)
{
	const char *e = strstr(req, "\r\n\r\n");

	*len = n - (size_t)(e + 4 - req);
	return e + 4;
}

Test(http_multipart, curl_upload)
{
	struct got g;
	size_t n;
	const char *body = body_of(LIT(curl_customize), &n);

	cr_assert(eq(sz, n, 209));
	cr_assert(eq(int, mp(body, n, "------------------------2d5d3d48527fe4b8", 16, &g), 0));
	cr_assert(eq(int, g.n, 1));
	cr_assert(eq(str, g.name[0], "bpf"));
	cr_assert(eq(str, g.filename[0], "small.o"));
	cr_assert(g.has_filename[0] && !g.name_copied[0]);
	cr_assert(eq(str, g.ctype[0], "application/octet-stream"));
	cr_assert(eq(sz, g.data_n[0], 11));
	cr_assert(0 == memcmp(g.data[0], "small\r\n--x\0", 11));
	got_free(&g);
}

Test(http_multipart, go_sdk_upload)
{
	struct got g;
	size_t n;
	const char *body = body_of(LIT(go_customize), &n);

	cr_assert(eq(sz, n, 260));
	cr_assert(eq(int, mp(body, n, "9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30", 16, &g), 0));
	cr_assert(eq(int, g.n, 1));
	cr_assert(eq(str, g.name[0], "bpf"));
	cr_assert(eq(str, g.filename[0], "from_memory"));
	cr_assert(eq(sz, g.data_n[0], 18));
	cr_assert(0 == memcmp(g.data[0], "\x7f" "ELF\x02\x01\x01\x00\r\n--\r\n\x00" "bin", 18));
	got_free(&g);
}

/* curl -F bpf=@a.o -F bpf=@b.o -F arch=x86_64, in curl's layout */
Test(http_multipart, several_bpf_parts)
{
	static const char body[] =
		"--------------------------96502d70e5c1e674\r\n"
		"Content-Disposition: form-data; name=\"bpf\"; filename=\"a.o\"\r\n"
		"Content-Type: application/octet-stream\r\n"
		"\r\n"
		"AAAA\r\n"
		"--------------------------96502d70e5c1e674\r\n"
		"Content-Disposition: form-data; name=\"bpf\"; filename=\"b.o\"\r\n"
		"Content-Type: application/octet-stream\r\n"
		"\r\n"
		"\r\n"
		"--------------------------96502d70e5c1e674\r\n"
		"Content-Disposition: form-data; name=\"arch\"\r\n"
		"\r\n"
		"x86_64\r\n"
		"--------------------------96502d70e5c1e674--\r\n";
	struct got g;

	cr_assert(eq(int, mp(LIT(body), "------------------------96502d70e5c1e674", 16, &g), 0));
	cr_assert(eq(int, g.n, 3));
	cr_assert(eq(str, g.name[0], "bpf"));
	cr_assert(eq(str, g.filename[0], "a.o"));
	cr_assert(eq(sz, g.data_n[0], 4));
	cr_assert(eq(str, g.name[1], "bpf"));
	cr_assert(eq(str, g.filename[1], "b.o"));
	cr_assert(eq(sz, g.data_n[1], 0));	/* an empty file */
	cr_assert(eq(str, g.name[2], "arch"));
	cr_assert(0 == g.has_filename[2]);
	cr_assert(eq(str, g.ctype[2], ""));
	cr_assert(eq(sz, g.data_n[2], 6));
	got_free(&g);
	/* max_parts: 3 is enough, 2 is not (and nothing is handed over) */
	cr_assert(eq(int, mp(LIT(body), "------------------------96502d70e5c1e674", 3, &g), 0));
	got_free(&g);
	cr_assert(eq(int, mp(LIT(body), "------------------------96502d70e5c1e674", 2, &g), -400));
	cr_assert(eq(int, g.n, 0));
	/* the callback's return stops the walk */
	{
		char *b = dup_exact(LIT(body));

		memset(&g, 0, sizeof(g));
		g.body = b;
		g.len = sizeof(body) - 1;
		g.stop_at = 2;
		cr_assert(eq(int, http_multipart_parse(b, g.len, "------------------------96502d70e5c1e674",
						       16, collect, &g), 7));
		cr_assert(eq(int, g.n, 2));
		got_free(&g);
		/* no callback: a check only */
		cr_assert(eq(int, http_multipart_parse(b, g.len, "------------------------96502d70e5c1e674",
						       16, NULL, NULL), 0));
		free(b);
	}
}

/* Data that looks like a delimiter but is not one stays data, byte for byte. */
Test(http_multipart, binary_lookalikes)
{
	static const char body[] =
		"--b\r\n"
		"Content-Disposition: form-data; name=\"bpf\"; filename=\"x\"\r\n"
		"\r\n"
		"\r\n--\r\n--bX\x00\r\n--bb\r\n-b\r\n--\r\n--c\r\n\r\n\r\r\n--b\n--b"
		"\r\n--b--";
	static const char want[] =
		"\r\n--\r\n--bX\x00\r\n--bb\r\n-b\r\n--\r\n--c\r\n\r\n\r\r\n--b\n--b";
	struct got g;

	cr_assert(eq(int, mp(LIT(body), "b", 4, &g), 0));
	cr_assert(eq(int, g.n, 1));
	cr_assert(eq(sz, g.data_n[0], sizeof(want) - 1));
	cr_assert(memcmp(g.data[0], want, sizeof(want) - 1) == 0);
	got_free(&g);
	/* "CRLF--b" then CRLF is a delimiter: here it opens a part without headers */
	cr_assert(eq(int, mp(LIT("--b\r\nContent-Disposition: form-data; name=x\r\n\r\n"
				 "1\r\n--b\r\n2\r\n--b--"), "b", 4, &g), -400));
	/* as is "CRLF--b" then "--", SP or HTAB (padding, close) */
	cr_assert(eq(int, mp(LIT("--b\r\nContent-Disposition: form-data; name=x\r\n\r\n"
				 "1\r\n--b--\r\n2\r\n--b--"), "b", 4, &g), 0));
	cr_assert(eq(sz, g.data_n[0], 1));
	got_free(&g);
}

Test(http_multipart, quoted_names_with_escapes)
{
	static const char body[] =
		"--XyZ\r\n"
		"content-disposition: FORM-DATA ; name=\"a\\\"b\\\\c\" ;filename=\"C:\\\\x\\\\\\\"y\\\".o\"\r\n"
		"\r\n"
		"1\r\n"
		"--XyZ\r\n"
		"Content-Disposition: form-data; name=bpf; filename=\"\"; filename*=UTF-8''%e2%82%ac.o\r\n"
		"\r\n"
		"2\r\n"
		"--XyZ\r\n"
		"Content-Disposition: form-data; name=\"caf\xc3\xa9 %22q%22\"\r\n"
		"\r\n"
		"3\r\n"
		"--XyZ--";
	struct got g;

	cr_assert(eq(int, mp(LIT(body), "XyZ", 16, &g), 0));
	cr_assert(eq(int, g.n, 3));
	cr_assert(eq(str, g.name[0], "a\"b\\c"));
	cr_assert(g.name_copied[0]);
	cr_assert(eq(str, g.filename[0], "C:\\x\\\"y\".o"));
	cr_assert(eq(str, g.name[1], "bpf"));
	cr_assert(0 == g.name_copied[1]);
	cr_assert(g.has_filename[1]);
	cr_assert(eq(str, g.filename[1], ""));
	cr_assert(eq(str, g.name[2], "caf\xc3\xa9 %22q%22"));	/* percent escapes stay */
	got_free(&g);
}

Test(http_multipart, preamble_padding_epilogue)
{
	static const char body[] =
		"This is the preamble.\r\n--b\r\nnot a delimiter\r\n"
		"--b \t\r\n"
		"Content-Disposition: form-data; name=x\r\n"
		"X-Other:  whatever \r\n"
		"\r\n"
		"v\r\n"
		"--b--  trailing\r\nepilogue --b\r\n";
	struct got g;

	/* "--b\r\nnot a delimiter": the first delimiter is after the preamble's CRLF */
	cr_assert(eq(int, mp(LIT(body), "b", 4, &g), -400));	/* its part has no disposition */
	got_free(&g);
	cr_assert(eq(int, mp(LIT("preamble\r\n--b\t\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--b--\r\nepilogue"),
			     "b", 4, &g), 0));
	cr_assert(eq(int, g.n, 1));
	cr_assert(eq(sz, g.data_n[0], 1));
	got_free(&g);
	/* "--bb" at the start is not the opening delimiter for "b" */
	cr_assert(eq(int, mp(LIT("--bb\r\n--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--"),
			     "b", 4, &g), 0));
	cr_assert(eq(int, g.n, 1));
	cr_assert(eq(sz, g.data_n[0], 0));
	got_free(&g);
	/* no parts at all */
	cr_assert(eq(int, mp(LIT("--b--\r\n"), "b", 4, &g), 0));
	cr_assert(eq(int, g.n, 0));
	cr_assert(eq(int, mp(LIT("\r\n--b--"), "b", 4, &g), 0));
}

Test(http_multipart, malformed_400)
{
	static const char *const bad[] = {
		"",
		"no delimiter at all",
		"-b\r\n",
		"--b",					/* no close delimiter */
		"--b\r\n",
		"--b\r\nContent-Disposition: form-data; name=x\r\n\r\ndata",	/* no closing delimiter */
		"--b\r\nContent-Disposition: form-data; name=x\r\n\r\ndata\r\n--b",
		"--b\r\nContent-Disposition: form-data; name=x\r\n\r\ndata\r\n--b\r\n",
		"--b\r\nContent-Disposition: form-data; name=x\r\n\r\ndata\r\n--b-\r\n",
		"--b x\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--",	/* junk after */
		"--b\r\n\r\n\r\n--b--",			/* no headers */
		"--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b--",	/* no disposition */
		"--b\r\nContent-Disposition: attachment; name=x\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; filename=x\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x; name=y\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x; filename=a; filename=b\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\n\r\n--b--",	/* unterminated */
		"--b\r\nContent-Disposition: form-data; name=\"x\\\"\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x y\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x\n\r\n\r\n--b--",	/* bare LF */
		"--b\r\nContent-Disposition: form-data; name=x\r\n\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data;\r\n name=x\r\n\r\n\r\n--b--",	/* obs-fold */
		"--b\r\nContent-Disposition : form-data; name=x\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x\x01\r\n\r\n\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--",	/* fine: checked below */
	};
	struct got g;
	size_t i;

	for (i = 0; i + 1 < ARRAY_SIZE(bad); i++) {
		cr_assert(eq(int, mp(bad[i], strlen(bad[i]), "b", 4, &g), -400), "case %zu: %s", i, bad[i]);
		cr_assert(eq(int, g.n, 0));
	}
	cr_assert(eq(int, mp(bad[i], strlen(bad[i]), "b", 4, &g), 0));
	got_free(&g);
	/* bad boundary arguments */
	cr_assert(eq(int, mp(LIT("--\r\n"), "", 4, &g), -400));
	/* a malformed second part: the first is not handed over either */
	cr_assert(eq(int, mp(LIT("--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--"),
			     "b", 4, &g), -400));
	cr_assert(eq(int, g.n, 0));
	/* every cut of a valid body short of its close delimiter fails */
	{
		size_t n;
		const char *body = body_of(LIT(go_customize), &n);

		for (i = 0; i < n - 2; i++)
			cr_assert(eq(int, mp(body, i, "9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30",
					     4, &g), -400), "cut %zu", i);
		for (; i <= n; i++) {
			cr_assert(eq(int, mp(body, i, "9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30",
					     4, &g), 0), "cut %zu", i);
			got_free(&g);
		}
	}
}

Test(http_multipart, header_limits)
{
	size_t n = 3 * HTTP_PART_HEAD_MAX, k, i;
	char *b = malloc(n);
	struct got g;
	int over;

	cr_assert(b != NULL);
	/* one long Content-Type: the section just fits, or is one byte over */
	for (over = 0; over < 2; over++) {
		static const char cd[] = "--b\r\nContent-Disposition: form-data; name=x\r\nContent-Type: ";
		size_t hstart = 5, pad = HTTP_PART_HEAD_MAX - (sizeof(cd) - 1 - hstart) - 4 + (size_t)over;

		k = 0;
		memcpy(b, cd, sizeof(cd) - 1);
		k = sizeof(cd) - 1;
		memset(b + k, 't', pad);
		k += pad;
		memcpy(b + k, "\r\n\r\nD\r\n--b--", 12);
		k += 12;
		cr_assert(eq(int, mp(b, k, "b", 4, &g), over ? -400 : 0), "over %d", over);
		got_free(&g);
	}
	/* HTTP_PART_FIELDS_MAX fields, and one more */
	for (over = 0; over < 2; over++) {
		k = (size_t)snprintf(b, n, "--b\r\nContent-Disposition: form-data; name=x\r\n");
		for (i = 1; i < HTTP_PART_FIELDS_MAX + (size_t)over; i++)
			k += (size_t)snprintf(b + k, n - k, "X-%zu: y\r\n", i);
		k += (size_t)snprintf(b + k, n - k, "\r\nD\r\n--b--");
		cr_assert(eq(int, mp(b, k, "b", 4, &g), over ? -400 : 0), "over %d", over);
		got_free(&g);
	}
	free(b);
}

static int count_parts(const struct http_part *p, void *ctx)
{
	(void)p;
	++*(size_t *)ctx;
	return 0;
}

/*
 * Adversarial bodies: near-delimiters everywhere with the longest
 * boundary. Linear: a few MB take milliseconds (a quadratic search would
 * take minutes).
 */
Test(http_multipart, linear_time, .timeout = 30)
{
	char bd[HTTP_BOUNDARY_MAX + 1];
	size_t n = 4u << 20, k = 0, parts = 0, i;
	char *b = malloc(n + 256);
	struct timespec t0, t1;
	double ms;
	int pat;

	cr_assert(b != NULL);
	memset(bd, 'b', HTTP_BOUNDARY_MAX);
	bd[HTTP_BOUNDARY_MAX] = '\0';
	for (pat = 0; pat < 3; pat++) {
		k = (size_t)sprintf(b, "--%s\r\nContent-Disposition: form-data; name=bpf\r\n\r\n", bd);
		while (k < n) {
			if (pat == 0) {
				/* "\r\n--" + 69 of the 70 boundary bytes, then x */
				memcpy(b + k, "\r\n--", 4);
				memset(b + k + 4, 'b', HTTP_BOUNDARY_MAX - 1);
				b[k + 3 + HTTP_BOUNDARY_MAX] = 'x';
				k += 4 + HTTP_BOUNDARY_MAX;
			} else if (pat == 1) {
				/* the whole boundary, followed by a non-delimiter byte */
				memcpy(b + k, "\r\n--", 4);
				memset(b + k + 4, 'b', HTTP_BOUNDARY_MAX);
				b[k + 4 + HTTP_BOUNDARY_MAX] = 'x';
				k += 5 + HTTP_BOUNDARY_MAX;
			} else {
				memcpy(b + k, "\r\n-\r\n--\r\n--b", 12);
				k += 12;
			}
		}
		k += (size_t)sprintf(b + k, "\r\n--%s--", bd);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < 4; i++)
			cr_assert(eq(int, http_multipart_parse(b, k, bd, 4, count_parts, &parts), 0));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		/* 16 walks of 4 MB at >= 100 MB/s even under ASan; quadratic: hours */
		cr_assert(lt(dbl, ms, 5000.0), "pattern %d: %.0f ms", pat, ms);
	}
	cr_assert(eq(sz, parts, 12));
	free(b);
}

/* ---- http_date ----------------------------------------------------------------- */

Test(http_date, format)
{
	char out[30];

	http_date(784111777, out);
	cr_assert(eq(str, out, "Sun, 06 Nov 1994 08:49:37 GMT"));	/* RFC 9110 5.6.7 */
	http_date(0, out);
	cr_assert(eq(str, out, "Thu, 01 Jan 1970 00:00:00 GMT"));
	http_date(-1, out);
	cr_assert(eq(str, out, "Thu, 01 Jan 1970 00:00:00 GMT"));
	http_date(INT64_MIN, out);
	cr_assert(eq(str, out, "Thu, 01 Jan 1970 00:00:00 GMT"));
	http_date(951782400, out);
	cr_assert(eq(str, out, "Tue, 29 Feb 2000 00:00:00 GMT"));
	http_date(253402300799ll, out);
	cr_assert(eq(str, out, "Fri, 31 Dec 9999 23:59:59 GMT"));
	http_date(INT64_MAX, out);
	cr_assert(eq(str, out, "Fri, 31 Dec 9999 23:59:59 GMT"));
}

/* glibc's gmtime_r + strftime in the C locale as the oracle, both ways. */
Test(http_date, matches_gmtime)
{
	u64 x = 88172645463325252ull;
	int i;

	for (i = 0; i < 200000; i++) {
		char out[30], want[64];
		struct tm tm;
		time_t t;
		int64_t back;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = (time_t)(i < 1000 ? (u64)i * 86399 : x % 253402300800ull);
		cr_assert(gmtime_r(&t, &tm) != NULL);
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_date((int64_t)t, out);
		cr_assert(eq(str, out, want));
		cr_assert(eq(int, http_parse_date(sl(out), &back), 0));
		cr_assert(eq(i64, back, (int64_t)t));
	}
}

Test(http_date, parse)
{
	int64_t t = 42;

	cr_assert(eq(int, http_parse_date(sl("Sun, 06 Nov 1994 08:49:37 GMT"), &t), 0));
	cr_assert(eq(i64, t, 784111777));
	/* the day name is not checked against the date (as Go's time.Parse) */
	cr_assert(eq(int, http_parse_date(sl("Mon, 06 Nov 1994 08:49:37 GMT"), &t), 0));
	cr_assert(eq(int, http_parse_date(sl("Sat, 01 Jan 0000 00:00:00 GMT"), &t), 0));
	cr_assert(eq(i64, t, -62167219200ll));
	cr_assert(eq(int, http_parse_date(sl("Tue, 29 Feb 2000 00:00:00 GMT"), &t), 0));
	static const char *const bad[] = {
		"Sunday, 06-Nov-94 08:49:37 GMT",	/* RFC 850 */
		"Sun Nov  6 08:49:37 1994",		/* asctime */
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Xyz, 06 Nov 1994 08:49:37 GMT",
		"sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sun, 06 Nox 1994 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",
		"Sun, 31 Nov 1994 08:49:37 GMT",
		"Sun, 30 Feb 2000 08:49:37 GMT",
		"Sun, 29 Feb 1900 08:49:37 GMT",
		"Sun, 29 Feb 1999 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:37 GMT",
		"Sun, 06 Nov 1994 08:49:60 GMT",
		"Sun, 06 Nov 1994 08:49:3a GMT",
		"Sun, 06 Nov 199- 08:49:37 GMT",
		"Sun,_06 Nov 1994 08:49:37 GMT",
		"",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *b = dup_exact(bad[i], strlen(bad[i]));
		struct http_slice v = { b, strlen(bad[i]) };

		t = 42;
		cr_assert(eq(int, http_parse_date(v, &t), -1), "%s", bad[i]);
		cr_assert(eq(i64, t, 42));
		free(b);
	}
}

static void assert_status_text(int status, const char *want)
{
	const char *got = http_status_text(status);

	cr_assert(strcmp(got, want) == 0, "%d: got '%s', want '%s'", status, got, want);
}

Test(http_date, status_text)
{
	assert_status_text(200, "OK");
	assert_status_text(100, "Continue");
	assert_status_text(304, "Not Modified");
	assert_status_text(404, "Not Found");
	assert_status_text(405, "Method Not Allowed");
	assert_status_text(413, "Content Too Large");
	assert_status_text(415, "Unsupported Media Type");
	assert_status_text(417, "Expectation Failed");
	assert_status_text(422, "Unprocessable Content");
	assert_status_text(431, "Request Header Fields Too Large");
	assert_status_text(501, "Not Implemented");
	assert_status_text(503, "Service Unavailable");
	assert_status_text(505, "HTTP Version Not Supported");
	assert_status_text(999, "Unknown");
	assert_status_text(0, "Unknown");
	assert_status_text(-400, "Unknown");
}
