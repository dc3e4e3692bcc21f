// SPDX-License-Identifier: MIT
/*
 * request.c - the HTTP/1.x request head (RFC 9112), the target's path and
 * query, IMF-fixdate and reason phrases (http/http.h).
 *
 * The head, as accepted here:
 *
 *   *( CRLF | LF )                               skipped (RFC 9112 2.2)
 *   method SP origin-form SP "HTTP/1." ("0"|"1") line-end
 *   *( field-name ":" OWS field-value OWS line-end )
 *   line-end                                     the blank line: the end
 *
 *   line-end    = CRLF | LF
 *   method      = 1*tchar
 *   origin-form = "/" *( %x21-7E )               path ["?" query]
 *   field-name  = 1*tchar
 *   field-value = *( %x21-7E | %x80-FF | SP | HTAB )
 *
 * One pass over the lines: each complete line is checked when its LF is
 * found, so garbage in the request line (a TLS ClientHello, a binary probe)
 * is refused before the head is complete. The head is never read beyond
 * min(len, max_head).
 */
#include <limits.h>
#include <string.h>

#include "http/http.h"
#include "http/http_internal.h"
#include "util/util.h"

/* ---- character classes ---------------------------------------------------- */

bool http_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* A byte of a field value: VCHAR, obs-text, SP, HTAB (RFC 9110 5.5). */
static bool field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool http_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!lit[i] || lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return !lit[n];
}

static struct http_slice trim_ows(const char *p, size_t n)
{
	struct http_slice s;

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	s.p = p;
	s.n = n;
	return s;
}

/* ---- the head ------------------------------------------------------------- */

/* What the header fields say, before they are checked against each other. */
struct head_state {
	bool conn_close, conn_keep_alive;
	bool has_te;
	/* the Transfer-Encoding list, over all its fields */
	unsigned te_chunked;	/* "chunked" elements */
	bool te_last_chunked;	/* the last element is "chunked" */
	bool te_other;		/* a coding other than chunked */
	bool te_bad;		/* an element that is not a transfer-coding */
	int late;		/* -501 or -417, returned if no -400 follows */
	const char *late_error;
	unsigned fields;
};

static int fail(struct http_req *r, int status, const char *why)
{
	r->error = why;
	return status;
}

/* The request line @s[0..@n) (line end excluded). */
static int request_line(const char *s, size_t n, struct http_req *r)
{
	size_t i = 0, t;

	while (i < n && http_tchar((unsigned char)s[i]))
		i++;
	if (!i || i == n || s[i] != ' ')
		return fail(r, -400, "bad request line (method)");
	r->method_str.p = s;
	r->method_str.n = i;
	if (i == 3 && !memcmp(s, "GET", 3))
		r->method = HTTP_GET;
	else if (i == 4 && !memcmp(s, "HEAD", 4))
		r->method = HTTP_HEAD;
	else if (i == 4 && !memcmp(s, "POST", 4))
		r->method = HTTP_POST;
	else
		r->method = HTTP_OTHER;
	t = ++i;
	while (i < n && s[i] > 0x20 && s[i] < 0x7f)
		i++;
	if (i == t || i == n || s[i] != ' ')
		return fail(r, -400, "bad request line (target)");
	if (s[t] != '/')
		return fail(r, -400, "request target not in origin-form");
	r->target.p = s + t;
	r->target.n = i - t;
	r->path = r->target;
	{
		const char *q = memchr(r->target.p, '?', r->target.n);

		if (q) {
			r->path.n = (size_t)(q - r->target.p);
			r->query.p = q + 1;
			r->query.n = r->target.n - r->path.n - 1;
		}
	}
	i++;
	/* HTTP-version = "HTTP/" DIGIT "." DIGIT */
	if (n - i != 8 || memcmp(s + i, "HTTP/", 5) || s[i + 5] < '0' || s[i + 5] > '9' ||
	    s[i + 6] != '.' || s[i + 7] < '0' || s[i + 7] > '9')
		return fail(r, -400, "bad request line (version)");
	if (s[i + 5] != '1' || (s[i + 7] != '0' && s[i + 7] != '1'))
		return fail(r, -505, "HTTP version not supported");
	r->version_minor = s[i + 7] - '0';
	return 0;
}

/* Could @s[0..@n) still become a valid request line (no LF seen yet)? */
static bool request_line_prefix_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' && i == n - 1)
			break;
		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

/*
 * The element of the comma-separated list @v that starts at *@i, OWS
 * trimmed (maybe empty), into @el; *@i moves past it. False at the end.
 */
static bool list_next(struct http_slice v, size_t *i, struct http_slice *el)
{
	size_t j;

	if (*i >= v.n)
		return false;
	for (j = *i; j < v.n && v.p[j] != ','; j++)
		;
	*el = trim_ows(v.p + *i, j - *i);
	*i = j + 1;
	return true;
}

/* Add the tokens of a Connection value to @st. */
static void connection_tokens(struct http_slice v, struct head_state *st)
{
	struct http_slice tok;
	size_t i = 0;

	while (list_next(v, &i, &tok)) {
		if (http_ieq(tok.p, tok.n, "close"))
			st->conn_close = true;
		else if (http_ieq(tok.p, tok.n, "keep-alive"))
			st->conn_keep_alive = true;
	}
}

/*
 * Add the elements of a Transfer-Encoding value to @st (empty elements are
 * skipped, RFC 9110 5.6.1). An element is a coding name, a token, with
 * optional ";" parameters, which only codings other than chunked have.
 */
static void te_codings(struct http_slice v, struct head_state *st)
{
	struct http_slice el;
	size_t i = 0, k;

	while (list_next(v, &i, &el)) {
		if (!el.n)
			continue;
		if (http_ieq(el.p, el.n, "chunked")) {
			st->te_chunked++;
			st->te_last_chunked = true;
			continue;
		}
		for (k = 0; k < el.n && http_tchar((unsigned char)el.p[k]); k++)
			;
		if (!k)
			st->te_bad = true;
		while (k < el.n && (el.p[k] == ' ' || el.p[k] == '\t'))
			k++;
		if (k < el.n && el.p[k] != ';')	/* parameters are not looked into */
			st->te_bad = true;
		st->te_other = true;
		st->te_last_chunked = false;
	}
}

static void set_late(struct head_state *st, int status, const char *why)
{
	if (!st->late) {
		st->late = status;
		st->late_error = why;
	}
}

static void first_value(struct http_slice *dst, struct http_slice v)
{
	if (!dst->p)
		*dst = v;
}

/* A field line @s[0..@n) (line end excluded, n > 0). */
static int field_line(const char *s, size_t n, struct http_req *r, struct head_state *st)
{
	struct http_slice v;
	size_t i = 0, k;

	if (s[0] == ' ' || s[0] == '\t')
		return fail(r, -400, "obsolete line folding in header");
	while (i < n && http_tchar((unsigned char)s[i]))
		i++;
	if (!i || i == n || s[i] != ':')
		return fail(r, -400, "bad header name");
	for (k = i + 1; k < n; k++)
		if (!field_byte((unsigned char)s[k]))
			return fail(r, -400, "bad byte in header value");
	if (++st->fields > HTTP_HEADERS_MAX)
		return fail(r, -431, "too many header fields");
	v = trim_ows(s + i + 1, n - i - 1);
	/* a value never has a NULL p, so first_value() can tell "absent" */
	switch (i) {
	case 4:
		if (http_ieq(s, i, "host")) {
			if (r->host.p)
				return fail(r, -400, "duplicate Host");
			r->host = v;
		}
		break;
	case 6:
		if (http_ieq(s, i, "expect")) {
			if (http_ieq(v.p, v.n, "100-continue"))
				r->expect_continue = r->version_minor == 1;
			else
				set_late(st, -417, "unsupported Expect");
		}
		break;
	case 10:
		if (http_ieq(s, i, "connection"))
			connection_tokens(v, st);
		else if (http_ieq(s, i, "user-agent"))
			first_value(&r->user_agent, v);
		break;
	case 12:
		if (http_ieq(s, i, "content-type"))
			first_value(&r->content_type, v);
		break;
	case 13:
		if (http_ieq(s, i, "if-none-match"))
			first_value(&r->if_none_match, v);
		break;
	case 14:
		if (http_ieq(s, i, "content-length")) {
			u64 cl = 0;

			if (r->has_length)
				return fail(r, -400, "duplicate Content-Length");
			if (!v.n)
				return fail(r, -400, "bad Content-Length");
			for (k = 0; k < v.n; k++) {
				unsigned d = (unsigned char)v.p[k] - '0';

				if (d > 9)
					return fail(r, -400, "bad Content-Length");
				if (cl > (UINT64_MAX - d) / 10)
					return fail(r, -400, "Content-Length overflows");
				cl = cl * 10 + d;
			}
			r->has_length = true;
			r->content_length = cl;
		}
		break;
	case 17:
		if (http_ieq(s, i, "if-modified-since"))
			first_value(&r->if_modified_since, v);
		else if (http_ieq(s, i, "transfer-encoding")) {
			/* the fields make one list; it is judged after the last (http_parse_head) */
			te_codings(v, st);
			st->has_te = true;
			r->chunked = true;
		}
		break;
	default:
		break;
	}
	return 0;
}

int http_parse_head(const char *buf, size_t len, size_t max_head, struct http_req *r)
{
	struct head_state st;
	size_t lim, pos = 0, eol, le;
	bool first = true;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	if (max_head > INT_MAX)
		max_head = INT_MAX;
	lim = len < max_head ? len : max_head;
	/* empty lines before the request line */
	for (;;) {
		if (pos < lim && buf[pos] == '\n')
			pos++;
		else if (lim - pos >= 2 && buf[pos] == '\r' && buf[pos + 1] == '\n')
			pos += 2;
		else
			break;
	}
	for (;;) {
		const char *lf = pos < lim ? memchr(buf + pos, '\n', lim - pos) : NULL;

		if (!lf) {
			if (first && pos < lim && !request_line_prefix_ok(buf + pos, lim - pos))
				return fail(r, -400, "bad request line");
			if (len >= max_head)
				return fail(r, -431, "request head too large");
			return 0;
		}
		eol = (size_t)(lf - buf);
		le = eol;
		if (le > pos && buf[le - 1] == '\r')
			le--;
		if (first) {
			rc = request_line(buf + pos, le - pos, r);
			if (rc)
				return rc;
			first = false;
		} else if (le == pos) {
			pos = eol + 1;
			break;
		} else {
			rc = field_line(buf + pos, le - pos, r, &st);
			if (rc)
				return rc;
		}
		pos = eol + 1;
	}
	if (r->has_length && st.has_te)
		return fail(r, -400, "Content-Length with Transfer-Encoding");
	/*
	 * RFC 9112 6.3: a request whose codings do not end in chunked has no
	 * knowable length: 400 (a MUST). chunked twice is a framing a sender
	 * must not produce. Chunked after codings we do not have: 501 (6.1).
	 */
	if (st.has_te) {
		if (st.te_bad)
			return fail(r, -400, "bad Transfer-Encoding");
		if (!st.te_last_chunked)
			return fail(r, -400, "Transfer-Encoding does not end in chunked");
		if (st.te_chunked > 1)
			return fail(r, -400, "Transfer-Encoding applies chunked more than once");
		if (st.te_other)
			set_late(&st, -501, "unsupported Transfer-Encoding");
	}
	if (st.late)
		return fail(r, st.late, st.late_error);
	if (r->version_minor == 1)
		r->keep_alive = !st.conn_close;
	else
		r->keep_alive = st.conn_keep_alive && !st.conn_close && !st.has_te;
	r->head_len = pos;
	return (int)pos;
}

/* ---- path and query ------------------------------------------------------- */

/*
 * The byte at @s[*@i] (< @n) decoded: %XX, and '+' as a space when @form.
 * Returns: the byte (1..255), advancing *@i; -1 on a bad escape or a NUL.
 */
static int decode_byte(const char *s, size_t n, size_t *i, bool form)
{
	unsigned char c = (unsigned char)s[*i];
	int hi, lo;

	if (c == '%') {
		if (n - *i < 3)
			return -1;
		hi = hexval((unsigned char)s[*i + 1]);
		lo = hexval((unsigned char)s[*i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		c = (unsigned char)(hi << 4 | lo);
		*i += 3;
	} else {
		if (form && c == '+')
			c = ' ';
		*i += 1;
	}
	return c ? c : -1;
}

/* Decode @s[0..@n) into @out (@cap bytes with the NUL); the length or -1. */
static int decode_into(const char *s, size_t n, bool form, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	int c;

	if (!cap)
		return -1;
	while (i < n) {
		c = decode_byte(s, n, &i, form);
		if (c < 0 || cap - o < 2 || o >= INT_MAX)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

int http_decode_path(struct http_slice path, char *out, size_t cap)
{
	return decode_into(path.p, path.n, false, out, cap);
}

/* Does the form-encoded key @s[0..@n) decode to @key? 1 yes, 0 no, -1 malformed. */
static int key_equals(const char *s, size_t n, const char *key)
{
	size_t i = 0, k = 0;
	bool same = true;
	int c;

	while (i < n) {
		c = decode_byte(s, n, &i, true);
		if (c < 0)
			return -1;
		if (same && (unsigned char)key[k] == c)
			k++;
		else
			same = false;
	}
	return same && !key[k];
}

int http_query_get(struct http_slice query, const char *key, char *out, size_t cap,
		   size_t *out_len)
{
	const char *q = query.p;
	size_t i = 0, j, kend;
	int rc;

	while (i < query.n) {
		const char *amp = memchr(q + i, '&', query.n - i);
		const char *eq;

		j = amp ? (size_t)(amp - q) : query.n;
		if (j > i) {
			eq = memchr(q + i, '=', j - i);
			kend = eq ? (size_t)(eq - q) : j;
			rc = key_equals(q + i, kend - i, key);
			if (rc < 0)
				return -1;
			if (rc) {
				if (kend < j)
					kend++;
				rc = decode_into(q + kend, j - kend, true, out, cap);
				if (rc < 0)
					return -1;
				if (out_len)
					*out_len = (size_t)rc;
				return 1;
			}
		}
		i = j + 1;
	}
	return 0;
}

/* ---- dates ---------------------------------------------------------------- */

static const char day_names[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* 9999-12-31 23:59:59 UTC, the last second with a 4-digit year. */
#define HTTP_DATE_MAX	253402300799ll

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil / civil_from_days: eras of 400 years, March
 * first, so the leap day ends the year).
 */
static s64 days_from_civil(s64 y, unsigned m, unsigned d)
{
	s64 era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (s64)doe - 719468;
}

static void civil_from_days(s64 z, s64 *y, unsigned *m, unsigned *d)
{
	s64 era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (s64)yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void http_date(int64_t unix_time, char out[30])
{
	s64 t = unix_time < 0 ? 0 : unix_time > HTTP_DATE_MAX ? HTTP_DATE_MAX : unix_time;
	s64 days = t / 86400, y;
	unsigned secs = (unsigned)(t % 86400), m, d;

	civil_from_days(days, &y, &m, &d);
	memcpy(out, day_names[(days + 4) % 7], 3);	/* 1970-01-01 was a Thursday */
	out[3] = ',';
	out[4] = ' ';
	put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, month_names[m - 1], 3);
	out[11] = ' ';
	put2(out + 12, (unsigned)(y / 100));
	put2(out + 14, (unsigned)(y % 100));
	out[16] = ' ';
	put2(out + 17, secs / 3600);
	out[19] = ':';
	put2(out + 20, secs / 60 % 60);
	out[22] = ':';
	put2(out + 23, secs % 60);
	memcpy(out + 25, " GMT", 5);
}

/* @n decimal digits at @p; -1 if any is not a digit. */
static int digits(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int http_parse_date(struct http_slice s, int64_t *unix_time)
{
	static const u8 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s.p;
	int i, day, year, hh, mm, ss, mon = -1;
	bool leap;

	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (s.n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' ||
	    p[16] != ' ' || p[19] != ':' || p[22] != ':' || memcmp(p + 25, " GMT", 4))
		return -1;
	for (i = 0; i < 7 && memcmp(p, day_names[i], 3); i++)
		;
	if (i == 7)
		return -1;
	for (i = 0; i < 12; i++)
		if (!memcmp(p + 8, month_names[i], 3))
			mon = i;
	day = digits(p + 5, 2);
	year = digits(p + 12, 4);
	hh = digits(p + 17, 2);
	mm = digits(p + 20, 2);
	ss = digits(p + 23, 2);
	if (mon < 0 || day < 1 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
	    ss < 0 || ss > 59 || day > mdays[mon])
		return -1;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (mon == 1 && day == 29 && !leap)
		return -1;
	*unix_time = days_from_civil(year, (unsigned)mon + 1, (unsigned)day) * 86400 +
		     hh * 3600 + mm * 60 + ss;
	return 0;
}

/* ---- reason phrases (RFC 9110 15) ----------------------------------------- */

const char *http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
