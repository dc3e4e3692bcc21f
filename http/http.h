/* SPDX-License-Identifier: MIT */
/*
 * http.h - HTTP/1.x message parsing for `btfgen serve`, libc only: the
 * request head (RFC 9112 2-7, RFC 9110 fields), the target's path and
 * query (RFC 3986 percent-encoding, application/x-www-form-urlencoded), the
 * chunked transfer coding (RFC 9112 7.1), multipart/form-data bodies
 * (RFC 7578 over RFC 2046 5.1), IMF-fixdate (RFC 9110 5.6.7) and reason
 * phrases.
 *
 * Nothing here allocates, prints, reads a clock or keeps global state; every
 * function is safe to call from any thread. Slices returned point into the
 * caller's buffer (except where said), which must outlive their use.
 * Errors are HTTP statuses as negative numbers (-400, -431, ...), ready for
 * the response line, with a static one-line reason where there is room for
 * one (struct http_req.error).
 *
 * What is accepted, in one place (the rest of RFC 9112 is refused):
 *   - lines end in CRLF or a bare LF (RFC 9112 2.2); a CR anywhere else is
 *     refused, as is every control byte but HTAB in a field value;
 *   - empty lines before the request line are skipped (RFC 9112 2.2);
 *   - the request line is exactly METHOD SP origin-form SP HTTP/1.0|1.1;
 *     absolute-form, authority-form and "*" are refused (-400);
 *   - no whitespace between a field name and its colon, no obs-fold (both
 *     -400, RFC 9112 5.1, 5.2);
 *   - Content-Length: 1*DIGIT, once; Transfer-Encoding: exactly one
 *     "chunked" (any case) over all its fields, never together with
 *     Content-Length; codings that do not end in chunked leave the body's
 *     length unknowable and are -400 (RFC 9112 6.3), chunked after other
 *     codings is -501 (we have only chunked, 6.1);
 *   - a second Host field is refused (-400, RFC 9112 3.2); a missing one is
 *     not: the server answers for one site and never routes by Host.
 */
#ifndef BTFGEN_HTTP_H
#define BTFGEN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes in the caller's buffer (not NUL-terminated). */
struct http_slice {
	const char *p;
	size_t n;
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_OTHER,	/* any other token: method_str says which */
};

/*
 * Request line + header fields + the blank line. curl, Go and Python send
 * 100-300 bytes; browsers with cookies a few KiB. 16 KiB is nginx's
 * large_client_header_buffers line size and twice Apache's per-line limit.
 */
#define HTTP_HEAD_MAX_DEFAULT	(16 * 1024)
/* Header fields per request: Apache's LimitRequestFields default. */
#define HTTP_HEADERS_MAX	100

struct http_req {
	enum http_method method;
	struct http_slice method_str;	/* as sent (token chars only) */
	struct http_slice target;	/* origin-form "/path?query" as sent */
	/* target split at the first '?', raw (not decoded); query without '?' (n = 0 if none) */
	struct http_slice path, query;
	int version_minor;		/* 0 or 1: HTTP/1.0 or HTTP/1.1 */
	/*
	 * HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
	 * "Connection: keep-alive" (token lists, any case, every Connection
	 * field; close wins). Always false for an HTTP/1.0 request with
	 * Transfer-Encoding (RFC 9112 6.1: its framing is suspect).
	 */
	bool keep_alive;
	bool has_length;		/* Content-Length was sent ... */
	uint64_t content_length;	/* ... with this value */
	bool chunked;			/* Transfer-Encoding: chunked */
	/* Expect: 100-continue (any case); ignored in HTTP/1.0 (RFC 9110 10.1.1) */
	bool expect_continue;
	/*
	 * Field values, leading and trailing SP/HTAB trimmed; p = NULL, n = 0
	 * when the field is absent; the first one wins when a field repeats
	 * (Host may not repeat).
	 */
	struct http_slice host, content_type, if_none_match, if_modified_since, user_agent;
	size_t head_len;		/* bytes of the head, including the blank line */
	const char *error;		/* on error: a static one-line reason, else NULL */
};

/*
 * Parse the request head in @buf[0..@len). Stateless: call again with the
 * same buffer grown by what was read (the head is scanned again, so the cost
 * is O(len) per call; @max_head bounds the sum).
 * Returns:
 *   head_len (> 0): the head is complete and valid; the body starts there;
 *   0: more bytes are needed (@len < @max_head);
 *   -400: malformed (bad request line, bad header name/value, obs-fold,
 *         bare CR, a non-origin-form target, NUL or control bytes,
 *         duplicate, non-digit or overflowing Content-Length, Content-Length
 *         together with Transfer-Encoding, a second Host, a Transfer-Encoding
 *         that does not end in chunked, applies it twice or is no list of
 *         codings);
 *   -431: the head is larger than @max_head (also when @len >= @max_head
 *         and its end is not in sight), or has more than HTTP_HEADERS_MAX
 *         fields (RFC 6585: too large, in size or in number);
 *   -501: chunked after other codings (say "gzip, chunked");
 *   -505: a version other than HTTP/1.0 or HTTP/1.1;
 *   -417: an Expect other than 100-continue.
 * A -400 anywhere in the head wins over -501 and -417, which are found
 * later in the field they are in. @r->error says why on every error; the
 * other fields of @r are then unspecified. Never reads past @len. @max_head
 * above INT_MAX counts as INT_MAX.
 */
int http_parse_head(const char *buf, size_t len, size_t max_head, struct http_req *r);

/*
 * Percent-decode @path into @out (@cap bytes, including the NUL written
 * after it). '+' stays '+'. Nothing is normalized: "%2e%2e" becomes "..",
 * "%2f" a '/' that can't be told from a separator. Callers that map paths
 * to files must check the result's segments themselves.
 * Returns: the decoded length; -1 on a bad escape ('%' without two hex
 * digits), a decoded NUL, or when it does not fit (then @out holds garbage).
 */
int http_decode_path(struct http_slice path, char *out, size_t cap);

/*
 * The form-decoded (application/x-www-form-urlencoded: '+' is a space,
 * %XX) value of the first key equal to @key (keys decoded before comparing;
 * pairs split at '&', a pair without '=' has the empty value, empty pairs
 * are skipped).
 * Returns: 1 found (@out holds the value, NUL-terminated; *@out_len its
 * length, if @out_len is not NULL); 0 absent; -1 malformed: a bad escape or
 * a decoded NUL in any key compared before the match, or anywhere in the
 * matching pair, or a value longer than @cap - 1.
 */
int http_query_get(struct http_slice query, const char *key, char *out, size_t cap,
		   size_t *out_len);

/* ---- chunked transfer coding (RFC 9112 7.1) ------------------------------ */

/*
 * A chunk-size line: hex size, chunk extensions (ignored), line end. Go's
 * net/http allows 4096 bytes (internal/chunked.go maxLineLength); nobody
 * sends extensions, so one page is plenty and stops a slow drip of them.
 */
#define HTTP_CHUNK_LINE_MAX	4096
/* The trailer section after the last chunk, all lines: as a request head. */
#define HTTP_TRAILERS_MAX	HTTP_HEAD_MAX_DEFAULT

/*
 * Decoder state: zeroed by http_chunked_init(); the fields are private.
 * Invariant: left is the data still due in the current chunk (ST_DATA).
 */
struct http_chunked {
	int state;
	uint64_t left;		/* bytes of chunk data still to come */
	size_t line_len;	/* bytes of the current size or trailer line */
	size_t trailer_len;	/* bytes of the trailer section so far */
	bool digits;		/* the size line has a hex digit */
};

void http_chunked_init(struct http_chunked *c);

/*
 * Consume up to @in_len bytes of chunked body at @in, writing the decoded
 * data to @out (room for @in_len bytes; @out == @in decodes in place: the
 * output never overtakes the input). Sets *@consumed and *@produced
 * (produced <= consumed). Size and trailer lines end in CRLF or a bare LF;
 * the CRLF after chunk data must be exactly that (as Go's net/http).
 * Trailer fields are checked for syntax and dropped.
 * Returns:
 *   0: all @in_len bytes consumed, more input needed;
 *   1: done: the last chunk and the trailer section were consumed; bytes
 *      after them are not (*@consumed says where the next request starts),
 *      and later calls return 1 consuming nothing;
 *   -400: a bad size line (no hex digit, a bad byte, size over 2^64 - 1),
 *      chunk data not followed by CRLF, a size line over
 *      HTTP_CHUNK_LINE_MAX, a trailer section over HTTP_TRAILERS_MAX or a
 *      malformed trailer field. Sticky: later calls return -400 too.
 *      *@consumed and *@produced then count what was taken before the error.
 */
int http_chunked_feed(struct http_chunked *c, const char *in, size_t in_len, char *out,
		      size_t *consumed, size_t *produced);

/* ---- multipart/form-data (RFC 7578, RFC 2046 5.1) ----------------------- */

#define HTTP_BOUNDARY_MAX	70	/* RFC 2046 5.1.1: 1*69bchars bcharsnospace */
/*
 * One part's header section (its lines and the blank line). curl, Go,
 * Python and browsers send two lines under 300 bytes; a 255-byte file name
 * with every byte escaped still fits many times over.
 */
#define HTTP_PART_HEAD_MAX	8192
/* Header fields in one part: Content-Disposition, Content-Type, a few more. */
#define HTTP_PART_FIELDS_MAX	16

/*
 * The boundary parameter of a Content-Type value (token or quoted-string,
 * parameter names in any case), unquoted into @out (NUL-terminated).
 * @cap must be at least HTTP_BOUNDARY_MAX + 1.
 * Returns: its length (1..70); -415 if the media type is not
 * multipart/form-data (any case, parameters allowed); -400 if the
 * parameters are malformed or the boundary is missing, repeated, empty,
 * longer than 70 or has a byte outside RFC 2046's bchars (or ends in a
 * space), or @cap is too small.
 */
int http_multipart_boundary(struct http_slice content_type, char *out, size_t cap);

/*
 * One part, as handed to the callback.
 *   name, filename: the Content-Disposition parameters, unquoted. They point
 *     into the body, except when the quoted-string had backslash escapes
 *     (quoted-pair: \" and \\ as Go's mime/multipart writes them): then the
 *     unescaped value is in a buffer of the parser, valid until the
 *     callback returns, and name_copied / filename_copied is true. Percent
 *     escapes (%22, the HTML5 way of browsers and curl) are not decoded.
 *   has_filename: a filename parameter was sent (filename may be empty).
 *   content_type: the part's Content-Type value (trimmed; n = 0 if absent).
 *   data: the part's bytes, exact (binary), inside the body.
 */
struct http_part {
	struct http_slice name, filename, content_type, data;
	bool has_filename;
	bool name_copied, filename_copied;
};

typedef int (*http_part_fn)(const struct http_part *p, void *ctx);

/*
 * Split the multipart body @body[0..@len) with @boundary (as returned by
 * http_multipart_boundary()) and call @fn for each part in order. The whole
 * body is checked first: @fn is called only when it is well-formed, so a
 * -400 comes before any call. A non-zero return from @fn stops the walk and
 * is returned (it should not be -400, to stay distinguishable).
 *
 *   preamble CRLF "--" boundary padding CRLF      (or the body starts at "--")
 *   headers CRLF data CRLF "--" boundary padding CRLF  ...
 *   headers CRLF data CRLF "--" boundary "--" epilogue
 *
 * padding is SP/HTAB (RFC 2046 transport-padding); lines end in CRLF only.
 * "CRLF--boundary" followed by anything but '-', SP, HTAB or CR is data,
 * as in Go's mime/multipart (RFC 2046 forbids it in data, clients don't
 * check). A body whose first delimiter is the close delimiter has no parts
 * and returns 0. Preamble and epilogue are ignored. Runs in linear time.
 * Returns: 0 (every part handed to @fn); @fn's non-zero return; -400 when
 * the body is not well-formed for @boundary: no opening delimiter, a
 * delimiter line with anything but padding after the boundary, a part
 * without a closing delimiter, no close delimiter "--", part headers over
 * HTTP_PART_HEAD_MAX or HTTP_PART_FIELDS_MAX or malformed, more than
 * @max_parts parts, a part without Content-Disposition: form-data; name=...
 * (a duplicate Content-Disposition or name/filename parameter included).
 */
int http_multipart_parse(const char *body, size_t len, const char *boundary, size_t max_parts,
			 http_part_fn fn, void *ctx);

/* ---- misc --------------------------------------------------------------- */

/* The reason phrase of @status ("OK", "Not Found", ...); "Unknown" otherwise. */
const char *http_status_text(int status);

/*
 * @unix_time as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes
 * and a NUL), by arithmetic (no locale, no gmtime). Times before 1970 or
 * after 9999-12-31 23:59:59 are clamped to those.
 */
void http_date(int64_t unix_time, char out[30]);

/*
 * Parse an IMF-fixdate (exactly 29 bytes; the day name must be one of the
 * seven but is not checked against the date, as Go's time.Parse). The
 * obsolete RFC 850 and asctime forms return -1: a client that sends them gets
 * no 304, which is always correct.
 * Returns: 0 (*@unix_time set), -1 not an IMF-fixdate or a date that does not
 * exist (month day, hour 00-23, minute and second 00-59).
 */
int http_parse_date(struct http_slice s, int64_t *unix_time);

#endif /* BTFGEN_HTTP_H */
