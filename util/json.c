// SPDX-License-Identifier: MIT
/*
 * json.c - JSON writer and pull reader (util/json.h), RFC 8259, libc only.
 *
 * Writer: a growable byte buffer plus one state byte per open container:
 *
 *   lvl[d - 1] for the container at nesting level d (1 = top level):
 *     JSON_W_OBJ      object (else array)
 *     JSON_W_LINES    JSON_LINES layout (else JSON_INLINE or JSON_COMPACT)
 *     JSON_W_COMPACT  JSON_COMPACT layout
 *     JSON_W_MEMBERS  a member was written (the next one needs a ',')
 *     JSON_W_KEY      object only: a key was written, its value is due
 *
 *   The separator before a member is written when the member starts (by
 *   json_w_key() in an object, by the value in an array):
 *     JSON_INLINE   first: nothing          later: ", "
 *     JSON_COMPACT  first: nothing          later: ","   (and ":" after a key, not ": ")
 *     JSON_LINES    first: "\n" + indent    later: ",\n" + indent
 *   with indent = 2 spaces per level; the closing bracket of a JSON_LINES
 *   container that has members goes on a line of its own ("\n" + indent of
 *   the level outside it).
 *
 * Reader: a state machine over the input, one token per json_next() call.
 * The nesting is one bit per level (1 = object), so at most JSON_MAX_DEPTH
 * (64) levels fit in a u64. The states, with what the grammar allows next:
 *
 *   RD_START         a value (the top-level one); end of input: "empty document"
 *   RD_VALUE         a value (after ':' or after ',' in an array)
 *   RD_VALUE_OR_END  a value or ']' (after '[')
 *   RD_KEY_OR_END    a string key or '}' (after '{')
 *   RD_KEY           a string key (after ',' in an object)
 *   RD_COLON         ':' then a value (after a key)
 *   RD_NEXT          ',' or the closing bracket (after a member)
 *   RD_DONE          whitespace only, then the end (after the top-level value)
 *
 *   after a value:   RD_NEXT inside a container, RD_DONE at the top level
 *   '{' / '[':       push, RD_KEY_OR_END / RD_VALUE_OR_END
 *   '}' / ']':       pop, then as after a value
 *
 * Error offsets: a truncated document (every proper prefix of a valid one,
 * including a cut inside a string, an escape or a UTF-8 sequence) fails at
 * the input length; a bad escape at its backslash; any other bad token at
 * its first byte; a byte that is not allowed where it stands at that byte.
 *
 * Strings, both ways, use Unicode's well-formed UTF-8 (table 3-7):
 *
 *   U+0000..U+007F     00..7F
 *   U+0080..U+07FF     C2..DF  80..BF
 *   U+0800..U+0FFF     E0      A0..BF  80..BF
 *   U+1000..U+CFFF     E1..EC  80..BF  80..BF
 *   U+D000..U+D7FF     ED      80..9F  80..BF     (no surrogates)
 *   U+E000..U+FFFF     EE..EF  80..BF  80..BF
 *   U+10000..U+3FFFF   F0      90..BF  80..BF  80..BF
 *   U+40000..U+FFFFF   F1..F3  80..BF  80..BF  80..BF
 *   U+100000..U+10FFFF F4      80..8F  80..BF  80..BF
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

#define JSON_W_OBJ	0x01
#define JSON_W_LINES	0x02
#define JSON_W_MEMBERS	0x04
#define JSON_W_KEY	0x08
#define JSON_W_COMPACT	0x10

/* U+FFFD REPLACEMENT CHARACTER, written for each byte that is not UTF-8 */
#define UTF8_REPLACEMENT	"\xef\xbf\xbd"

/*
 * 1 for a byte that stands for itself inside a JSON string, in both
 * directions: 0x20..0x7f except '"' and '\'. Bytes >= 0x80 are UTF-8 and
 * checked separately.
 */
static const u8 str_plain[256] = {
	/* 0x20 */ [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	/* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const char hex_digits[] = "0123456789abcdef";

/* ---- UTF-8 ------------------------------------------------------------- */

/*
 * The well-formed UTF-8 sequence starting at @s (@n >= 1 bytes available,
 * s[0] >= 0x80).
 * Returns: its length (2..4); 0 if none starts here (s[0] must then be
 * replaced or refused); -1 if the @n bytes are a proper prefix of one (the
 * input ends inside it).
 */
static inline int utf8_seq(const u8 *s, size_t n)
{
	u8 c = s[0], lo = 0x80, hi = 0xbf;
	int len, i;

	if (c < 0xc2)
		return 0;	/* continuation byte, or C0/C1: overlong */
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates U+D800..U+DFFF */
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;		/* F5..FF: above U+10FFFF */
	}
	if (n < 2)
		return -1;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

bool json_utf8_valid(const char *s, size_t n)
{
	const u8 *p = (const u8 *)s;
	size_t i = 0;
	int k;

	while (i < n) {
		if (p[i] < 0x80) {
			if (!p[i])
				return false;
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (k <= 0)
			return false;
		i += (size_t)k;
	}
	return true;
}

/* Encode @cp (1..0x10ffff, not a surrogate) at @out; returns the length. */
static size_t utf8_put(u8 *out, u32 cp)
{
	if (cp < 0x80) {
		out[0] = (u8)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (u8)(0xc0 | cp >> 6);
		out[1] = (u8)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (u8)(0xe0 | cp >> 12);
		out[1] = (u8)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (u8)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (u8)(0xf0 | cp >> 18);
	out[1] = (u8)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (u8)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (u8)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- writer ------------------------------------------------------------ */

void json_w_init(struct json_w *w)
{
	memset(w, 0, sizeof(*w));
}

void json_w_free(struct json_w *w)
{
	xfree(w->buf);
	json_w_init(w);
}

/* Room for @add more bytes; false (and the sticky error) if not. */
static bool w_reserve(struct json_w *w, size_t add)
{
	size_t need;
	void *buf;
	int err;

	if (w->err)
		return false;
	if (add <= w->cap - w->len)
		return true;
	if (add_overflow_size(w->len, add, &need)) {
		w->err = -ENOMEM;
		return false;
	}
	buf = w->buf;
	err = util_ensure_mem(&buf, &w->cap, 1, need, SIZE_MAX);
	w->buf = buf;
	if (err) {
		w->err = -ENOMEM;
		return false;
	}
	return true;
}

static void w_put(struct json_w *w, const void *s, size_t n)
{
	if (!w_reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* "\n" and two spaces per @level. */
static void w_newline(struct json_w *w, int level)
{
	size_t n = 1 + 2 * (size_t)level;

	if (!w_reserve(w, n))
		return;
	w->buf[w->len] = '\n';
	memset(w->buf + w->len + 1, ' ', n - 1);
	w->len += n;
}

/* The separator before a member of the innermost container. */
static void w_sep(struct json_w *w)
{
	u8 *lv = &w->lvl[w->depth - 1];

	if (*lv & JSON_W_MEMBERS)
		w_put(w, ",", 1);
	if (*lv & JSON_W_LINES)
		w_newline(w, w->depth);
	else if ((*lv & (JSON_W_MEMBERS | JSON_W_COMPACT)) == JSON_W_MEMBERS)
		w_put(w, " ", 1);
	*lv |= JSON_W_MEMBERS;
}

/*
 * A value is about to be written: check that one is allowed here and write
 * the separator. Returns false (with the sticky error) if not.
 */
static bool w_value(struct json_w *w)
{
	u8 *lv;

	if (w->err)
		return false;
	if (!w->depth) {
		if (w->top_done) {
			w->err = -EINVAL;	/* a second top-level value */
			return false;
		}
		w->top_done = true;
		return true;
	}
	lv = &w->lvl[w->depth - 1];
	if (*lv & JSON_W_OBJ) {
		if (!(*lv & JSON_W_KEY)) {
			w->err = -EINVAL;	/* a value where a key is expected */
			return false;
		}
		*lv &= (u8)~JSON_W_KEY;
		return true;
	}
	w_sep(w);
	return !w->err;
}

/* The quoted, escaped string (see json.h for what happens to non-UTF-8). */
static void w_string(struct json_w *w, const char *s, size_t n)
{
	const u8 *p = (const u8 *)s;
	size_t i = 0, run;
	char esc[6];
	int k;

	w_put(w, "\"", 1);
	while (i < n && !w->err) {
		run = i;
		for (;;) {
			while (i < n && str_plain[p[i]])
				i++;
			if (i >= n || p[i] < 0x80)
				break;
			k = utf8_seq(p + i, n - i);
			if (k <= 0)
				break;
			i += (size_t)k;
		}
		if (i > run)
			w_put(w, s + run, i - run);
		if (i >= n)
			break;
		switch (p[i]) {
		case '"':
			w_put(w, "\\\"", 2);
			break;
		case '\\':
			w_put(w, "\\\\", 2);
			break;
		case '\n':
			w_put(w, "\\n", 2);
			break;
		case '\r':
			w_put(w, "\\r", 2);
			break;
		case '\t':
			w_put(w, "\\t", 2);
			break;
		case '\b':
			w_put(w, "\\b", 2);
			break;
		case '\f':
			w_put(w, "\\f", 2);
			break;
		default:
			if (p[i] >= 0x80 || p[i] == 0) {
				/* not UTF-8, or NUL (the reader refuses \u0000) */
				w_put(w, UTF8_REPLACEMENT, 3);
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex_digits[p[i] >> 4];
				esc[5] = hex_digits[p[i] & 15];
				w_put(w, esc, 6);
			}
			break;
		}
		i++;
	}
	w_put(w, "\"", 1);
}

static void w_begin(struct json_w *w, enum json_layout l, bool obj)
{
	if (w->err)
		return;
	if ((l != JSON_INLINE && l != JSON_LINES && l != JSON_COMPACT) ||
	    w->depth >= JSON_MAX_DEPTH) {
		w->err = -EINVAL;
		return;
	}
	if (!w_value(w))
		return;
	w_put(w, obj ? "{" : "[", 1);
	w->lvl[w->depth++] = (u8)((obj ? JSON_W_OBJ : 0) | (l == JSON_LINES ? JSON_W_LINES : 0) |
				  (l == JSON_COMPACT ? JSON_W_COMPACT : 0));
}

static void w_end(struct json_w *w, bool obj)
{
	u8 lv;

	if (w->err)
		return;
	if (!w->depth) {
		w->err = -EINVAL;
		return;
	}
	lv = w->lvl[w->depth - 1];
	if (!(lv & JSON_W_OBJ) != !obj || (lv & JSON_W_KEY)) {
		w->err = -EINVAL;	/* the other kind, or a key without value */
		return;
	}
	if ((lv & (JSON_W_LINES | JSON_W_MEMBERS)) == (JSON_W_LINES | JSON_W_MEMBERS))
		w_newline(w, w->depth - 1);
	w_put(w, obj ? "}" : "]", 1);
	w->depth--;
}

void json_w_obj_begin(struct json_w *w, enum json_layout l)
{
	w_begin(w, l, true);
}

void json_w_obj_end(struct json_w *w)
{
	w_end(w, true);
}

void json_w_arr_begin(struct json_w *w, enum json_layout l)
{
	w_begin(w, l, false);
}

void json_w_arr_end(struct json_w *w)
{
	w_end(w, false);
}

void json_w_key(struct json_w *w, const char *key)
{
	u8 *lv;

	if (w->err)
		return;
	if (!key || !w->depth) {
		w->err = -EINVAL;
		return;
	}
	lv = &w->lvl[w->depth - 1];
	if (!(*lv & JSON_W_OBJ) || (*lv & JSON_W_KEY)) {
		w->err = -EINVAL;	/* a key in an array, or two keys in a row */
		return;
	}
	w_sep(w);
	w_string(w, key, strlen(key));
	w_put(w, ": ", *lv & JSON_W_COMPACT ? 1 : 2);
	*lv |= JSON_W_KEY;
}

void json_w_strn(struct json_w *w, const char *s, size_t n)
{
	if (!s) {
		json_w_null(w);
		return;
	}
	if (w_value(w))
		w_string(w, s, n);
}

void json_w_str(struct json_w *w, const char *s)
{
	json_w_strn(w, s, s ? strlen(s) : 0);
}

/* Digits of @v ending at @end (exclusive); returns where they start. */
static char *fmt_u64(char *end, u64 v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_w_u64(struct json_w *w, uint64_t v)
{
	char buf[24], *s;

	if (!w_value(w))
		return;
	s = fmt_u64(buf + sizeof(buf), v);
	w_put(w, s, (size_t)(buf + sizeof(buf) - s));
}

void json_w_s64(struct json_w *w, int64_t v)
{
	char buf[24], *s;

	if (!w_value(w))
		return;
	s = fmt_u64(buf + sizeof(buf), v < 0 ? 0 - (u64)v : (u64)v);
	if (v < 0)
		*--s = '-';
	w_put(w, s, (size_t)(buf + sizeof(buf) - s));
}

void json_w_bool(struct json_w *w, bool v)
{
	if (w_value(w))
		w_put(w, v ? "true" : "false", v ? 4 : 5);
}

void json_w_null(struct json_w *w)
{
	if (w_value(w))
		w_put(w, "null", 4);
}

const char *json_w_data(const struct json_w *w, size_t *len)
{
	*len = w->len;
	return w->buf ? w->buf : "";
}

void json_w_consume(struct json_w *w)
{
	w->len = 0;
}

int json_w_finish(struct json_w *w, char **out, size_t *len)
{
	if (!w->err && (w->depth || !w->top_done))
		w->err = -EINVAL;	/* an open container, or no value at all */
	if (!w_reserve(w, 2))
		return w->err;
	w->buf[w->len++] = '\n';
	w->buf[w->len] = '\0';
	*out = w->buf;
	*len = w->len;
	json_w_init(w);
	return 0;
}

/* ---- reader ------------------------------------------------------------ */

enum rd_state {
	RD_START,
	RD_VALUE,
	RD_VALUE_OR_END,
	RD_KEY_OR_END,
	RD_KEY,
	RD_COLON,
	RD_NEXT,
	RD_DONE,
};

void json_rd_init(struct json_rd *r, const void *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = data;
	r->len = len;
	r->state = RD_START;
	r->last = JSON_EOF;
}

void json_rd_free(struct json_rd *r)
{
	xfree(r->str);
	r->str = NULL;
	r->str_len = 0;
	r->str_cap = 0;
}

static void rd_vfail(struct json_rd *r, int err, size_t off, const char *fmt, va_list ap)
{
	if (r->err)
		return;
	r->err = err;
	r->err_off = off;
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
}

/* Set the sticky error (unless one is set); returns JSON_ERR. */
static enum json_tok rd_fail(struct json_rd *r, int err, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum json_tok rd_fail(struct json_rd *r, int err, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rd_vfail(r, err, off, fmt, ap);
	va_end(ap);
	return JSON_ERR;
}

void json_rd_fail(struct json_rd *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rd_vfail(r, -EINVAL, r->tok_off, fmt, ap);
	va_end(ap);
}

/* The input ended where more was needed. */
static enum json_tok rd_truncated(struct json_rd *r, const char *what)
{
	return rd_fail(r, -EINVAL, r->len, "%s", what);
}

static inline size_t skip_ws(const u8 *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	return i;
}

static inline bool is_digit(u8 c)
{
	return c >= '0' && c <= '9';
}

/* A byte that would continue a number or literal ("truex", "1.5.3", "0x1"). */
static inline bool is_tok_char(u8 c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '.' || c == '+' ||
	       c == '-' || c == '_';
}

static inline int hex_val(u8 c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool rd_in_obj(const struct json_rd *r)
{
	return r->obj_bits >> (r->depth - 1) & 1;
}

static enum json_tok rd_after_value(struct json_rd *r, enum json_tok t)
{
	r->state = r->depth ? RD_NEXT : RD_DONE;
	r->last = t;
	return t;
}

/* '}' or ']' at @i, which closes the innermost container. */
static enum json_tok rd_close(struct json_rd *r, size_t i, bool obj)
{
	r->tok_off = i;
	r->off = i + 1;
	r->depth--;
	return rd_after_value(r, obj ? JSON_OBJ_END : JSON_ARR_END);
}

/* Make room for @add more decoded bytes (and the NUL); 0 or the error. */
static int rd_str_room(struct json_rd *r, size_t add)
{
	void *buf;
	int err;

	if (add > JSON_MAX_STRING - r->str_len) {
		rd_fail(r, -E2BIG, r->tok_off, "string longer than %u bytes", JSON_MAX_STRING);
		return r->err;
	}
	if (r->str_len + add + 1 <= r->str_cap)
		return 0;
	buf = r->str;
	err = util_ensure_mem(&buf, &r->str_cap, 1, r->str_len + add + 1, JSON_MAX_STRING + 1);
	r->str = buf;
	if (err) {
		rd_fail(r, -ENOMEM, r->tok_off, "out of memory");
		return r->err;
	}
	return 0;
}

static int rd_str_put(struct json_rd *r, const void *s, size_t n)
{
	if (rd_str_room(r, n))
		return r->err;
	memcpy(r->str + r->str_len, s, n);
	r->str_len += n;
	return 0;
}

/*
 * The four hex digits of the \u escape whose backslash is at @b.
 * Returns: 0 with *@v set, or the error (recorded).
 */
static int rd_hex4(struct json_rd *r, size_t b, u32 *v)
{
	u32 x = 0;
	size_t k;
	int h;

	for (k = 2; k < 6; k++) {
		if (b + k >= r->len) {
			rd_truncated(r, "unterminated string");
			return r->err;
		}
		h = hex_val(r->p[b + k]);
		if (h < 0) {
			rd_fail(r, -EINVAL, b, "invalid \\u escape (four hex digits needed)");
			return r->err;
		}
		x = x << 4 | (u32)h;
	}
	*v = x;
	return 0;
}

/*
 * The escape whose backslash is at *@i: decode it into the string and move
 * *@i past it. Returns 0 or the error (recorded).
 */
static int rd_escape(struct json_rd *r, size_t *i)
{
	const u8 *p = r->p;
	size_t b = *i, n = r->len, b2;
	u32 cp, lo;
	u8 c, out[4];

	if (b + 1 >= n) {
		rd_truncated(r, "unterminated string");
		return r->err;
	}
	switch (p[b + 1]) {
	case '"':
	case '\\':
	case '/':
		c = p[b + 1];
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		if (rd_hex4(r, b, &cp))
			return r->err;
		if (cp == 0) {
			rd_fail(r, -EINVAL, b, "\\u0000 not allowed");
			return r->err;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			rd_fail(r, -EINVAL, b, "lone surrogate \\u%04x", (unsigned)cp);
			return r->err;
		}
		*i = b + 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* a high surrogate: a low one must follow as \uDC00..\uDFFF */
			for (b2 = b + 6; b2 < b + 8; b2++) {
				if (b2 >= n) {
					rd_truncated(r, "unterminated string");
					return r->err;
				}
				if (p[b2] != "\\u"[b2 - b - 6]) {
					rd_fail(r, -EINVAL, b, "lone surrogate \\u%04x", (unsigned)cp);
					return r->err;
				}
			}
			b2 = b + 6;
			if (rd_hex4(r, b2, &lo))
				return r->err;
			if (lo < 0xdc00 || lo > 0xdfff) {
				rd_fail(r, -EINVAL, b, "lone surrogate \\u%04x", (unsigned)cp);
				return r->err;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*i = b2 + 6;
		}
		return rd_str_put(r, out, utf8_put(out, cp));
	default:
		c = p[b + 1];
		if (c > 0x20 && c < 0x7f)
			rd_fail(r, -EINVAL, b, "invalid escape \\%c", c);
		else
			rd_fail(r, -EINVAL, b, "invalid escape");
		return r->err;
	}
	*i = b + 2;
	return rd_str_put(r, &c, 1);
}

/* The string whose opening quote is at r->off, decoded into r->str. */
static int rd_string(struct json_rd *r)
{
	const u8 *p = r->p;
	size_t n = r->len, i = r->off + 1, run;
	int k;

	r->str_len = 0;
	if (rd_str_room(r, 0))
		return r->err;
	for (;;) {
		/* the longest run of bytes that stand for themselves */
		run = i;
		for (;;) {
			while (i < n && str_plain[p[i]])
				i++;
			if (i >= n || p[i] < 0x80)
				break;
			k = utf8_seq(p + i, n - i);
			if (k <= 0)
				break;
			i += (size_t)k;
		}
		if (i > run && rd_str_put(r, p + run, i - run))
			return r->err;
		if (i >= n) {
			rd_truncated(r, "unterminated string");
			return r->err;
		}
		if (p[i] == '"')
			break;
		if (p[i] == '\\') {
			if (rd_escape(r, &i))
				return r->err;
			continue;
		}
		if (p[i] >= 0x80) {
			if (utf8_seq(p + i, n - i) < 0)
				rd_truncated(r, "unterminated string");
			else
				rd_fail(r, -EINVAL, i, "invalid UTF-8 in string");
			return r->err;
		}
		rd_fail(r, -EINVAL, i, "control character 0x%02x in string", p[i]);
		return r->err;
	}
	r->str[r->str_len] = '\0';
	r->off = i + 1;
	return 0;
}

/* The number starting at r->off (a '-' or a digit). */
static enum json_tok rd_number(struct json_rd *r)
{
	const u8 *p = r->p;
	size_t n = r->len, s = r->off, i = s;

	if (p[i] == '-' && ++i >= n)
		return rd_truncated(r, "unexpected end of input");
	if (p[i] == '0') {
		i++;
		if (i < n && is_digit(p[i]))
			return rd_fail(r, -EINVAL, s, "leading zero in number");
	} else if (is_digit(p[i])) {
		while (i < n && is_digit(p[i]))
			i++;
	} else {
		return rd_fail(r, -EINVAL, s, "invalid number");
	}
	if (i < n && p[i] == '.') {
		if (++i >= n)
			return rd_truncated(r, "unexpected end of input");
		if (!is_digit(p[i]))
			return rd_fail(r, -EINVAL, s, "invalid number");
		while (i < n && is_digit(p[i]))
			i++;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		if (++i >= n)
			return rd_truncated(r, "unexpected end of input");
		if ((p[i] == '+' || p[i] == '-') && ++i >= n)
			return rd_truncated(r, "unexpected end of input");
		if (!is_digit(p[i]))
			return rd_fail(r, -EINVAL, s, "invalid number");
		while (i < n && is_digit(p[i]))
			i++;
	}
	if (i < n && is_tok_char(p[i]))
		return rd_fail(r, -EINVAL, s, "invalid number");
	if (i - s > JSON_MAX_NUMBER)
		return rd_fail(r, -E2BIG, s, "number longer than %d characters", JSON_MAX_NUMBER);
	memcpy(r->num, p + s, i - s);
	r->num[i - s] = '\0';
	r->num_len = i - s;
	r->off = i;
	return rd_after_value(r, JSON_NUM);
}

/* true, false or null (@lit, @ll bytes) at r->off. */
static enum json_tok rd_literal(struct json_rd *r, const char *lit, size_t ll, enum json_tok t)
{
	const u8 *p = r->p;
	size_t i = r->off, avail = r->len - i;

	if (avail < ll) {
		if (!memcmp(p + i, lit, avail))
			return rd_truncated(r, "unexpected end of input");
		return rd_fail(r, -EINVAL, i, "invalid literal");
	}
	if (memcmp(p + i, lit, ll) || (ll < avail && is_tok_char(p[i + ll])))
		return rd_fail(r, -EINVAL, i, "invalid literal");
	r->off = i + ll;
	return rd_after_value(r, t);
}

/* A value starting at r->off with byte @c. */
static enum json_tok rd_value(struct json_rd *r, u8 c)
{
	size_t i = r->off;

	switch (c) {
	case '{':
	case '[':
		if (r->depth >= JSON_MAX_DEPTH)
			return rd_fail(r, -E2BIG, i, "nesting deeper than %d", JSON_MAX_DEPTH);
		if (c == '{')
			r->obj_bits |= (u64)1 << r->depth;
		else
			r->obj_bits &= ~((u64)1 << r->depth);
		r->depth++;
		r->off = i + 1;
		r->state = c == '{' ? RD_KEY_OR_END : RD_VALUE_OR_END;
		r->last = c == '{' ? JSON_OBJ : JSON_ARR;
		return r->last;
	case '"':
		if (rd_string(r))
			return JSON_ERR;
		return rd_after_value(r, JSON_STR);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return rd_number(r);
	case 't':
		return rd_literal(r, "true", 4, JSON_TRUE);
	case 'f':
		return rd_literal(r, "false", 5, JSON_FALSE);
	case 'n':
		return rd_literal(r, "null", 4, JSON_NULL);
	default:
		if (c == ']' && r->state == RD_VALUE && r->depth && !rd_in_obj(r))
			return rd_fail(r, -EINVAL, i, "trailing comma before ']'");
		return rd_fail(r, -EINVAL, i, "expected a value");
	}
}

enum json_tok json_next(struct json_rd *r)
{
	const u8 *p = r->p;
	size_t n = r->len, i;
	bool obj;
	u8 c;

	if (r->err)
		return JSON_ERR;
	i = skip_ws(p, n, r->off);
	switch (r->state) {
	case RD_DONE:
		r->off = i;
		if (i < n)
			return rd_fail(r, -EINVAL, i, "unexpected data after the top-level value");
		r->tok_off = n;
		r->last = JSON_EOF;
		return JSON_EOF;
	case RD_NEXT:
		if (i >= n)
			return rd_truncated(r, "unexpected end of input");
		obj = rd_in_obj(r);
		if (p[i] == (obj ? '}' : ']'))
			return rd_close(r, i, obj);
		if (p[i] != ',')
			return rd_fail(r, -EINVAL, i, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		i = skip_ws(p, n, i + 1);
		r->state = obj ? RD_KEY : RD_VALUE;
		break;
	case RD_COLON:
		if (i >= n)
			return rd_truncated(r, "unexpected end of input");
		if (p[i] != ':')
			return rd_fail(r, -EINVAL, i, "expected ':'");
		i = skip_ws(p, n, i + 1);
		r->state = RD_VALUE;
		break;
	default:
		break;
	}
	r->off = i;
	r->tok_off = i;
	if (i >= n)
		return rd_truncated(r, r->state == RD_START ? "empty document" :
				    "unexpected end of input");
	c = p[i];
	switch (r->state) {
	case RD_KEY_OR_END:
		if (c == '}')
			return rd_close(r, i, true);
		if (c != '"')
			return rd_fail(r, -EINVAL, i, "expected a string key or '}'");
		break;
	case RD_KEY:
		if (c != '"')
			return rd_fail(r, -EINVAL, i, c == '}' ? "trailing comma before '}'" :
				       "expected a string key");
		break;
	case RD_VALUE_OR_END:
		if (c == ']')
			return rd_close(r, i, false);
		return rd_value(r, c);
	default:
		return rd_value(r, c);
	}
	/* a key */
	if (rd_string(r))
		return JSON_ERR;
	r->state = RD_COLON;
	r->last = JSON_KEY;
	return JSON_KEY;
}

const char *json_rd_num_text(const struct json_rd *r, size_t *len)
{
	if (len)
		*len = r->num_len;
	return r->num;
}

/* Digits only, no leading zero, into *@v. Returns: 0, -EINVAL, -ERANGE. */
static int num_magnitude(const char *s, size_t n, u64 *v)
{
	u64 x = 0;
	size_t i;

	if (!n || (s[0] == '0' && n > 1))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	for (i = 0; i < n; i++) {
		if (x > (UINT64_MAX - (u64)(s[i] - '0')) / 10)
			return -ERANGE;
		x = x * 10 + (u64)(s[i] - '0');
	}
	*v = x;
	return 0;
}

int json_num_u64(const char *s, size_t n, uint64_t *v)
{
	if (!s)
		return -EINVAL;
	return num_magnitude(s, n, v);
}

int json_num_s64(const char *s, size_t n, int64_t *v)
{
	bool neg;
	u64 mag;
	int err;

	if (!s || !n)
		return -EINVAL;
	neg = s[0] == '-';
	err = num_magnitude(s + neg, n - neg, &mag);
	if (err)
		return err;
	if (mag > (u64)INT64_MAX + neg)
		return -ERANGE;
	if (!neg)
		*v = (s64)mag;
	else if (mag == (u64)INT64_MAX + 1)
		*v = INT64_MIN;
	else
		*v = -(s64)mag;
	return 0;
}

/* Check that the last token is a number and convert it; 0 or the error. */
static int rd_num_check(struct json_rd *r)
{
	if (r->err)
		return r->err;
	if (r->last != JSON_NUM) {
		rd_fail(r, -EINVAL, r->tok_off, "expected a number, got %s", json_tok_name(r->last));
		return r->err;
	}
	return 0;
}

int json_rd_u64(struct json_rd *r, uint64_t *v)
{
	uint64_t x;
	int err;

	if (rd_num_check(r))
		return r->err;
	err = json_num_u64(r->num, r->num_len, &x);
	if (err == -ERANGE)
		rd_fail(r, err, r->tok_off, "number %s: out of range", r->num);
	else if (err)
		rd_fail(r, err, r->tok_off, "number %s: not an unsigned integer", r->num);
	else
		*v = x;
	return err;
}

int json_rd_s64(struct json_rd *r, int64_t *v)
{
	int64_t x;
	int err;

	if (rd_num_check(r))
		return r->err;
	err = json_num_s64(r->num, r->num_len, &x);
	if (err == -ERANGE)
		rd_fail(r, err, r->tok_off, "number %s: out of range", r->num);
	else if (err)
		rd_fail(r, err, r->tok_off, "number %s: not an integer", r->num);
	else
		*v = x;
	return err;
}

int json_skip(struct json_rd *r, enum json_tok t)
{
	int depth;

	if (r->err)
		return r->err;
	if (t != JSON_OBJ && t != JSON_ARR)
		return 0;
	if (r->last != t) {
		rd_fail(r, -EINVAL, r->tok_off, "json_skip: %s is not the token just read",
			json_tok_name(t));
		return r->err;
	}
	depth = r->depth - 1;
	while (r->depth > depth)
		if (json_next(r) == JSON_ERR)
			return r->err;
	return 0;
}

const char *json_tok_name(enum json_tok t)
{
	switch (t) {
	case JSON_ERR:
		return "an error";
	case JSON_EOF:
		return "the end of input";
	case JSON_OBJ:
		return "'{'";
	case JSON_OBJ_END:
		return "'}'";
	case JSON_ARR:
		return "'['";
	case JSON_ARR_END:
		return "']'";
	case JSON_KEY:
		return "a key";
	case JSON_STR:
		return "a string";
	case JSON_NUM:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "an unknown token";
}
