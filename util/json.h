/* SPDX-License-Identifier: MIT */
/*
 * json.h - a small JSON (RFC 8259) writer and reader, libc only: every piece
 * of JSON btfgen writes or reads (the manifest, relocs --json, coverage
 * reports, the HTTP server) goes through it.
 *
 * Both sides work on memory only and keep no global state: any number of
 * threads may each use their own json_w / json_rd at the same time. The
 * structs are in this header so they can live on the stack; their fields are
 * private unless a comment says a caller may read them.
 *
 * Writer. Calls append to a growable buffer; errors are sticky (w->err: the
 * first -ENOMEM, or -EINVAL for misuse: a value where a key is expected, a
 * key outside an object, ending the wrong container, nesting beyond
 * JSON_MAX_DEPTH, a second top-level value). After an error every call is a
 * no-op and json_w_finish() returns it. Output is byte-for-byte a function of
 * the calls:
 *
 *   JSON_INLINE   {"a": 1, "b": [1, 2]}          separators ", " and ": "
 *   JSON_LINES    one member per line, indented two spaces per nesting
 *                 level, the closing bracket on its own line at the
 *                 container's own indentation:
 *                   {
 *                     "version": 1,
 *                     "kernels": [
 *                       {"path": "a/b", "size": 3},
 *                       {"path": "c", "size": 4}
 *                     ]
 *                   }
 *   An empty container is {} or [] whatever its layout.
 *
 * Strings are written so that the output is always valid JSON and valid
 * UTF-8, whatever the bytes given:
 *   - '"' and '\' as \" and \\; \n \r \t \b \f in their short forms; every
 *     other byte below 0x20 as \u00XX (lowercase hex); '/' and 0x7f as is;
 *   - well-formed UTF-8 sequences (Unicode table 3-7: no overlong forms, no
 *     encoded surrogates U+D800..U+DFFF, nothing above U+10FFFF) as is;
 *   - every other byte (invalid lead byte, stray continuation byte, each
 *     byte of a truncated, overlong, surrogate or out-of-range sequence) as
 *     U+FFFD (EF BF BD), one U+FFFD per offending byte. A NUL byte given to
 *     json_w_strn() is also written as U+FFFD: the reader refuses \u0000,
 *     so the writer never produces it.
 * Such a string reads back altered; json_utf8_valid() tells a caller in
 * advance whether a name will be written unaltered.
 *
 * Reader. A pull parser over a buffer the caller keeps alive: json_next()
 * returns one token at a time and checks the whole grammar itself (commas,
 * colons, string keys, brackets, a single top-level value followed only by
 * whitespace). Strings are decoded (\uXXXX with surrogate pairs to UTF-8)
 * into a buffer the reader owns; raw string bytes must be well-formed UTF-8
 * and \u0000 is refused, so a decoded string never contains NUL and can be
 * used as a C string. Errors are sticky: the first one sets @err, @err_off
 * and @err_msg and every later json_next() returns JSON_ERR. Work is linear
 * in the input; nothing recurses.
 *
 * Typical use (errors reported as "FILE: byte %zu: %s", r.err_off, r.err_msg):
 *
 *	json_rd_init(&r, buf, len);
 *	if (json_next(&r) != JSON_OBJ)
 *		json_rd_fail(&r, "expected an object");
 *	while ((t = json_next(&r)) == JSON_KEY) {
 *		if (!strcmp(r.str, "version")) {
 *			if (json_next(&r) != JSON_NUM || json_rd_u64(&r, &version))
 *				json_rd_fail(&r, "key \"version\": expected an integer");
 *		} else {
 *			json_skip(&r, json_next(&r));	(unknown key: ignored)
 *		}
 *	}
 *	if (t != JSON_OBJ_END || json_next(&r) != JSON_EOF)
 *		json_rd_fail(&r, "expected the end of the document");
 *	err = r.err;
 *	json_rd_free(&r);
 */
#ifndef BTFGEN_UTIL_JSON_H
#define BTFGEN_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/*
 * Deepest nesting of arrays and objects, for the reader and the writer:
 * bounds the state (one bit per level in the reader) and what a hostile
 * document can make a caller's schema code go through; our own documents
 * nest 4 deep at most.
 */
#define JSON_MAX_DEPTH		64
/*
 * Longest decoded string the reader returns: paths, type names and
 * messages are far shorter; the bound keeps a hostile document from making
 * the reader hold more than 1 MiB per string.
 */
#define JSON_MAX_STRING		(1u << 20)
/*
 * Longest number text the reader accepts: a u64 or s64 needs 20 characters,
 * a double printed with %.17g at most 24; 64 leaves room for every
 * reasonable spelling and bounds the copy in struct json_rd.
 */
#define JSON_MAX_NUMBER		64
/* Size of json_rd.err_msg (messages are short; longer ones are cut). */
#define JSON_ERR_MSG_LEN	128

/* ---- writer ------------------------------------------------------------ */

enum json_layout {
	JSON_INLINE,	/* {"a": 1, "b": 2} on one line */
	JSON_LINES,	/* each member on its own, indented line */
	JSON_COMPACT,	/* {"a":1,"b":2}: no space at all (Go's json.Marshal, the Online API's bytes) */
};

/*
 * All fields are private except @err, which a caller may read: 0, or the
 * first error (-ENOMEM, -EINVAL) of the calls so far.
 *
 * Invariants: @buf holds @len bytes of output (the text since the last
 * json_w_consume()) in @cap bytes of space; @depth containers are open and
 * @lvl[i] describes the one at nesting level i + 1; @top_done is set once
 * the top-level value has been started.
 */
struct json_w {
	char *buf;
	size_t len;
	size_t cap;
	int err;
	int depth;
	bool top_done;
	u8 lvl[JSON_MAX_DEPTH];	/* JSON_W_* bits (json.c) */
};

/* An empty writer; allocates nothing. */
void json_w_init(struct json_w *w);
/* Frees the buffer; safe on any initialised writer (also after finish). */
void json_w_free(struct json_w *w);

void json_w_obj_begin(struct json_w *w, enum json_layout l);
void json_w_obj_end(struct json_w *w);
void json_w_arr_begin(struct json_w *w, enum json_layout l);
void json_w_arr_end(struct json_w *w);
/* Inside an object, before each value. @key is written as json_w_str(). */
void json_w_key(struct json_w *w, const char *key);
/* A string (see the top of this file for bytes that are not UTF-8); NULL writes null. */
void json_w_str(struct json_w *w, const char *s);
/* @n bytes of @s, which may contain NUL bytes (each written as U+FFFD). */
void json_w_strn(struct json_w *w, const char *s, size_t n);
void json_w_u64(struct json_w *w, uint64_t v);
void json_w_s64(struct json_w *w, int64_t v);
void json_w_bool(struct json_w *w, bool v);
void json_w_null(struct json_w *w);

/*
 * The text written since the last json_w_consume() (not NUL-terminated),
 * for streaming a long document out piece by piece. Borrowed: valid until
 * the next call on @w. Check w->err before using it.
 */
const char *json_w_data(const struct json_w *w, size_t *len);
/* Forget the text so far (it has been written out); the nesting state stays. */
void json_w_consume(struct json_w *w);

/*
 * End the document: the nesting depth must be 0 and one top-level value
 * must have been written. Appends "\n" and hands over the xmalloc'd,
 * NUL-terminated text since the last json_w_consume() in *@out (*@len
 * bytes, the NUL not counted); the caller xfree()s it. @w is then empty
 * again, as after json_w_init().
 * Returns: 0, or the sticky error (-EINVAL for an incomplete document,
 * -ENOMEM); then *@out and *@len are untouched and w still needs
 * json_w_free().
 */
int json_w_finish(struct json_w *w, char **out, size_t *len);

/*
 * Are the @n bytes at @s well-formed UTF-8 without a NUL byte, that is, will
 * json_w_strn(w, s, n) write them unaltered?
 */
bool json_utf8_valid(const char *s, size_t n);

/* ---- reader ------------------------------------------------------------ */

enum json_tok {
	JSON_ERR = -1,	/* see json_rd.err; every later call returns it too */
	JSON_EOF = 0,	/* the top-level value was complete, only whitespace followed */
	JSON_OBJ,	/* { */
	JSON_OBJ_END,	/* } */
	JSON_ARR,	/* [ */
	JSON_ARR_END,	/* ] */
	JSON_KEY,	/* a string in key position (the ':' is consumed by the next call) */
	JSON_STR,	/* a string value */
	JSON_NUM,	/* a number: json_rd_u64(), json_rd_s64(), json_rd_num_text() */
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

/*
 * Fields a caller may read:
 *   @str, @str_len   after JSON_KEY or JSON_STR: the decoded string,
 *                    NUL-terminated, no NUL inside, valid UTF-8. Borrowed:
 *                    valid until the next json_next() or json_rd_free().
 *   @num, @num_len   after JSON_NUM: the number's text, NUL-terminated.
 *   @tok_off         byte offset of the first byte of the last token returned.
 *   @err             0, or the first error: -EINVAL (syntax, or a caller's
 *                    json_rd_fail()), -E2BIG (a JSON_MAX_* limit), -ENOMEM,
 *                    or -EINVAL/-ERANGE from json_rd_u64()/json_rd_s64().
 *   @err_off         with @err: the byte offset of the problem (a bad
 *                    escape: its backslash; a bad token: its first byte; a
 *                    truncated document: the input length).
 *   @err_msg         with @err: what is wrong, without the offset, e.g.
 *                    "unterminated string", "expected ',' or '}'".
 * Everything else is private. Invariant: @depth containers are open; bit i
 * of @obj_bits says the one at level i + 1 is an object; @state is what the
 * grammar allows next (json.c enum rd_state).
 */
struct json_rd {
	char *str;
	size_t str_len;
	char num[JSON_MAX_NUMBER + 1];
	size_t num_len;
	size_t tok_off;
	int err;
	size_t err_off;
	char err_msg[JSON_ERR_MSG_LEN];

	const u8 *p;
	size_t len;
	size_t off;
	size_t str_cap;
	u64 obj_bits;
	int depth;
	int state;
	enum json_tok last;
};

/* Read @len bytes at @data (borrowed: kept alive by the caller). Allocates nothing. */
void json_rd_init(struct json_rd *r, const void *data, size_t len);
/* Frees the string buffer; safe on any initialised reader. */
void json_rd_free(struct json_rd *r);
/* The next token, or JSON_ERR (sticky). */
enum json_tok json_next(struct json_rd *r);

/*
 * The last token, a JSON_NUM, as an integer: for u64 a literal without
 * minus sign, fraction or exponent up to UINT64_MAX; for s64 an optional
 * minus sign ("-0" is 0), no fraction or exponent, INT64_MIN..INT64_MAX.
 * On failure sets the sticky error (message "number 1.5: not an unsigned
 * integer", "number 18446744073709551616: out of range", at the number's
 * offset) and leaves *@v untouched.
 * Returns: 0; -EINVAL (not a number token, or not an integer of that kind);
 * -ERANGE (out of range); or the error already set.
 */
int json_rd_u64(struct json_rd *r, uint64_t *v);
int json_rd_s64(struct json_rd *r, int64_t *v);
/* The text of the last JSON_NUM (NUL-terminated; *@len may be NULL). */
const char *json_rd_num_text(const struct json_rd *r, size_t *len);

/*
 * The same conversions on number text (@n bytes at @s) without a reader and
 * without setting any error, for a caller that wants to try one kind and
 * then the other. Returns: 0, -EINVAL, -ERANGE as above.
 */
int json_num_u64(const char *s, size_t n, uint64_t *v);
int json_num_s64(const char *s, size_t n, int64_t *v);

/*
 * @t is the token json_next() just returned. If it opened a container
 * (JSON_OBJ, JSON_ARR), consume everything through its matching end; for
 * any other token do nothing. Iterative: no recursion.
 * Returns: 0 or the sticky error (-EINVAL too when @t is a container token
 * but not the last token read).
 */
int json_skip(struct json_rd *r, enum json_tok t);

/*
 * Record a caller's (schema) error at the start of the last token returned,
 * with a printf-style message, e.g. "key \"kernels\": expected an array".
 * Sets @err to -EINVAL. Does nothing if an error is already set.
 */
void json_rd_fail(struct json_rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "a string", "a number", "'{'", ...: the name of @t for messages. */
const char *json_tok_name(enum json_tok t);

#endif /* BTFGEN_UTIL_JSON_H */
