// SPDX-License-Identifier: MIT
/*
 * chunked.c - the chunked transfer coding (RFC 9112 7.1), decoded
 * incrementally and possibly in place (http/http.h).
 *
 *   chunked-body = *chunk last-chunk trailer-section line-end
 *   chunk        = 1*HEXDIG [ BWS chunk-ext ] line-end chunk-data CRLF
 *   last-chunk   = 1*"0" [ BWS chunk-ext ] line-end
 *   chunk-ext    = ";" *( field-vchar | SP | HTAB )     (not interpreted)
 *   trailer-section = *( field-name ":" *( field-vchar | SP | HTAB ) line-end )
 *   line-end     = CRLF | LF
 *
 * A byte-at-a-time state machine, except for chunk data, which is copied
 * in runs. Each state is what the next byte may be:
 *
 *   ST_SIZE       a hex digit; after one, also what ST_EXT_WS takes
 *   ST_EXT_WS     SP/HTAB, ';' (-> ST_EXT), CR (-> ST_SIZE_LF), LF (end of line)
 *   ST_EXT        a field byte, CR, LF
 *   ST_SIZE_LF    LF (end of line: ST_DATA, or ST_TRAILER for size 0)
 *   ST_DATA       @left bytes of data
 *   ST_DATA_CR    CR, then ST_DATA_LF: LF, then ST_SIZE
 *   ST_TRAILER    a tchar (-> ST_TR_NAME), CR (-> ST_END_LF), LF (done)
 *   ST_TR_NAME    tchar, ':' (-> ST_TR_VALUE)
 *   ST_TR_VALUE   a field byte, CR (-> ST_TR_LF), LF (-> ST_TRAILER)
 *   ST_TR_LF      LF (-> ST_TRAILER)
 *   ST_END_LF     LF (done)
 *   ST_DONE, ST_ERR  final, sticky
 */
#include <string.h>

#include "http/http.h"
#include "http/http_internal.h"
#include "util/util.h"

enum {
	ST_SIZE = 0,	/* http_chunked_init() zeroes the state */
	ST_EXT_WS,
	ST_EXT,
	ST_SIZE_LF,
	ST_DATA,
	ST_DATA_CR,
	ST_DATA_LF,
	ST_TRAILER,
	ST_TR_NAME,
	ST_TR_VALUE,
	ST_TR_LF,
	ST_END_LF,
	ST_DONE,
	ST_ERR,
};

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A byte of a field value or chunk extension: VCHAR, obs-text, SP, HTAB. */
static bool field_byte(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* The size line ended: data follows, or the trailer section for size 0. */
static void size_line_done(struct http_chunked *c)
{
	c->state = c->left ? ST_DATA : ST_TRAILER;
	c->line_len = 0;
	c->trailer_len = 0;
}

/* A byte after the size digits, before any ';' (ST_EXT_WS). */
static void ext_ws(struct http_chunked *c, unsigned char ch)
{
	if (ch == ' ' || ch == '\t')
		c->state = ST_EXT_WS;
	else if (ch == ';')
		c->state = ST_EXT;
	else if (ch == '\r')
		c->state = ST_SIZE_LF;
	else if (ch == '\n')
		size_line_done(c);
	else
		c->state = ST_ERR;
}

int http_chunked_feed(struct http_chunked *c, const char *in, size_t in_len, char *out,
		      size_t *consumed, size_t *produced)
{
	size_t i = 0, o = 0, k;
	int d;

	while (i < in_len && c->state != ST_DONE && c->state != ST_ERR) {
		unsigned char ch = (unsigned char)in[i];

		if (c->state == ST_DATA) {
			k = in_len - i;
			if (k > c->left)
				k = (size_t)c->left;
			memmove(out + o, in + i, k);	/* o <= i: never overtakes */
			i += k;
			o += k;
			c->left -= k;
			if (!c->left)
				c->state = ST_DATA_CR;
			continue;
		}
		if (c->state <= ST_EXT && ++c->line_len > HTTP_CHUNK_LINE_MAX) {
			c->state = ST_ERR;
			break;
		}
		if (c->state >= ST_TRAILER && ++c->trailer_len > HTTP_TRAILERS_MAX) {
			c->state = ST_ERR;
			break;
		}
		switch (c->state) {
		case ST_SIZE:
			d = hexval(ch);
			if (d >= 0) {
				if (c->left > UINT64_MAX >> 4) {
					c->state = ST_ERR;
					break;
				}
				c->left = c->left << 4 | (u64)d;
				c->digits = true;
				break;
			}
			if (!c->digits) {
				c->state = ST_ERR;
				break;
			}
			ext_ws(c, ch);	/* the byte after the digits */
			break;
		case ST_EXT_WS:
			ext_ws(c, ch);
			break;
		case ST_EXT:
			if (ch == '\r')
				c->state = ST_SIZE_LF;
			else if (ch == '\n')
				size_line_done(c);
			else if (!field_byte(ch))
				c->state = ST_ERR;
			break;
		case ST_SIZE_LF:
			if (ch == '\n')
				size_line_done(c);
			else
				c->state = ST_ERR;
			break;
		case ST_DATA_CR:
			c->state = ch == '\r' ? ST_DATA_LF : ST_ERR;
			break;
		case ST_DATA_LF:
			if (ch == '\n') {
				c->state = ST_SIZE;
				c->left = 0;
				c->digits = false;
				c->line_len = 0;
			} else {
				c->state = ST_ERR;
			}
			break;
		case ST_TRAILER:
			if (ch == '\r')
				c->state = ST_END_LF;
			else if (ch == '\n')
				c->state = ST_DONE;
			else if (http_tchar(ch))
				c->state = ST_TR_NAME;
			else
				c->state = ST_ERR;	/* obs-fold, bad name */
			break;
		case ST_TR_NAME:
			if (ch == ':')
				c->state = ST_TR_VALUE;
			else if (!http_tchar(ch))
				c->state = ST_ERR;
			break;
		case ST_TR_VALUE:
			if (ch == '\r')
				c->state = ST_TR_LF;
			else if (ch == '\n')
				c->state = ST_TRAILER;
			else if (!field_byte(ch))
				c->state = ST_ERR;
			break;
		case ST_TR_LF:
			c->state = ch == '\n' ? ST_TRAILER : ST_ERR;
			break;
		case ST_END_LF:
			c->state = ch == '\n' ? ST_DONE : ST_ERR;
			break;
		default:
			c->state = ST_ERR;
			break;
		}
		if (c->state == ST_ERR)
			break;
		i++;
	}
	*consumed = i;
	*produced = o;
	if (c->state == ST_ERR)
		return -400;
	return c->state == ST_DONE;
}
