// SPDX-License-Identifier: MIT
/*
 * multipart.c - multipart/form-data (RFC 7578 over RFC 2046 5.1): the
 * boundary of a Content-Type and the parts of a body (http/http.h).
 *
 *   body      = [preamble CRLF] dash-bound padding CRLF part
 *               *( CRLF dash-bound padding CRLF part )
 *               CRLF dash-bound "--" [epilogue]
 *   dash-bound = "--" boundary
 *   padding   = *( SP | HTAB )
 *   part      = *( field CRLF ) CRLF data
 *   field     = field-name ":" OWS field-value OWS
 *
 * The delimiter "CRLF--boundary" is found by memchr() for CR and one
 * comparison of at most 4 + 70 bytes per CR, so the walk is linear in the
 * body whatever it holds. Part headers are read line by line within
 * HTTP_PART_HEAD_MAX bytes.
 *
 * The body is walked twice: once to check it, once to hand the parts to
 * the callback, so that a malformed body never reaches the callback.
 *
 * Parameters (Content-Type, Content-Disposition), RFC 9110 5.6.6:
 *
 *   *( OWS ";" OWS [ token BWS "=" BWS ( token | quoted-string ) ] )
 *
 * (an empty parameter, as in a trailing ';', is skipped, as by Go's
 * mime.ParseMediaType).
 */
#include <string.h>

#include "http/http.h"
#include "http/http_internal.h"
#include "util/util.h"

/* ---- helpers -------------------------------------------------------------- */

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A byte of a field value: VCHAR, obs-text, SP, HTAB. */
static bool field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* qdtext (RFC 9110 5.6.4): HTAB, SP, 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text */
static bool qdtext(unsigned char c)
{
	return field_byte(c) && c != '"' && c != '\\';
}

struct param {
	struct http_slice name;
	struct http_slice value;	/* a quoted-string without its quotes, raw */
	bool escaped;			/* value has quoted-pairs: unquote() it */
};

/*
 * The next parameter of @s[*@i..@n).
 * Returns: 1 (*@p set, *@i past it); 0 at the end; -1 malformed.
 */
static int next_param(const char *s, size_t n, size_t *i, struct param *p)
{
	size_t k = *i, st;

	for (;;) {
		while (k < n && ows(s[k]))
			k++;
		if (k == n) {
			*i = k;
			return 0;
		}
		if (s[k] != ';')
			return -1;
		k++;
		while (k < n && ows(s[k]))
			k++;
		if (k < n && s[k] != ';')
			break;
	}
	st = k;
	while (k < n && http_tchar((unsigned char)s[k]))
		k++;
	if (k == st)
		return -1;
	p->name.p = s + st;
	p->name.n = k - st;
	while (k < n && ows(s[k]))
		k++;
	if (k == n || s[k] != '=')
		return -1;
	k++;
	while (k < n && ows(s[k]))
		k++;
	p->escaped = false;
	if (k < n && s[k] == '"') {
		st = ++k;
		for (;;) {
			if (k == n)
				return -1;	/* no closing quote */
			if (s[k] == '"')
				break;
			if (s[k] == '\\') {
				if (n - k < 2 || !field_byte((unsigned char)s[k + 1]))
					return -1;
				p->escaped = true;
				k += 2;
				continue;
			}
			if (!qdtext((unsigned char)s[k]))
				return -1;
			k++;
		}
		p->value.p = s + st;
		p->value.n = k - st;
		k++;
	} else {
		st = k;
		while (k < n && http_tchar((unsigned char)s[k]))
			k++;
		if (k == st)
			return -1;
		p->value.p = s + st;
		p->value.n = k - st;
	}
	*i = k;
	return 1;
}

/* Unescape the quoted-pairs of @v (checked by next_param) into @out; its length. */
static size_t unquote(struct http_slice v, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < v.n; i++) {
		if (v.p[i] == '\\')
			i++;
		out[o++] = v.p[i];
	}
	return o;
}

/* A media type "type/subtype" at the start of @s; false if it is not one. */
static bool media_type(const char *s, size_t n, size_t *i, struct http_slice *type,
		       struct http_slice *sub)
{
	size_t k = 0, st;

	while (k < n && ows(s[k]))
		k++;
	st = k;
	while (k < n && http_tchar((unsigned char)s[k]))
		k++;
	if (k == st || k == n || s[k] != '/')
		return false;
	type->p = s + st;
	type->n = k - st;
	st = ++k;
	while (k < n && http_tchar((unsigned char)s[k]))
		k++;
	if (k == st)
		return false;
	sub->p = s + st;
	sub->n = k - st;
	*i = k;
	return true;
}

/* ---- the boundary --------------------------------------------------------- */

/* bchars (RFC 2046 5.1.1): DIGIT ALPHA ' ( ) + _ , - . / : = ? SP */
static bool bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("'()+_,-./:=? ", c);
}

int http_multipart_boundary(struct http_slice ct, char *out, size_t cap)
{
	struct http_slice type, sub, raw = { NULL, 0 };
	struct param p;
	bool found = false, escaped = false;
	size_t i, n;
	int rc;

	if (!media_type(ct.p, ct.n, &i, &type, &sub) || !http_ieq(type.p, type.n, "multipart") ||
	    !http_ieq(sub.p, sub.n, "form-data"))
		return -415;
	while ((rc = next_param(ct.p, ct.n, &i, &p)) > 0) {
		if (!http_ieq(p.name.p, p.name.n, "boundary"))
			continue;
		if (found)
			return -400;
		found = true;
		raw = p.value;
		escaped = p.escaped;
	}
	/* the unescaped boundary is never longer than the raw one */
	if (rc < 0 || !found || !raw.n || raw.n > 2 * HTTP_BOUNDARY_MAX)
		return -400;
	{
		char tmp[2 * HTTP_BOUNDARY_MAX];

		if (escaped) {
			n = unquote(raw, tmp);
		} else {
			memcpy(tmp, raw.p, raw.n);
			n = raw.n;
		}
		if (n > HTTP_BOUNDARY_MAX || cap < n + 1 || tmp[n - 1] == ' ')
			return -400;
		for (i = 0; i < n; i++)
			if (!bchar((unsigned char)tmp[i]))
				return -400;
		memcpy(out, tmp, n);
		out[n] = '\0';
	}
	return (int)n;
}

/* ---- the body ------------------------------------------------------------- */

struct mp {
	const char *b;			/* the body */
	size_t len;
	char delim[4 + HTTP_BOUNDARY_MAX];	/* "\r\n--" boundary */
	size_t dn;
	char scratch[HTTP_PART_HEAD_MAX];	/* unescaped name and filename */
};

/* Does a delimiter that ends at @end (just past the boundary) stand there? */
static bool delim_tail(const struct mp *m, size_t end)
{
	char c;

	if (end == m->len)
		return true;
	c = m->b[end];
	return c == '-' || c == ' ' || c == '\t' || c == '\r';
}

/*
 * The offset of the next delimiter "CRLF--boundary" at or after @from
 * (followed by what delim_tail() accepts); m->len if there is none.
 */
static size_t find_delim(const struct mp *m, size_t from)
{
	const char *q;

	while (from < m->len && (q = memchr(m->b + from, '\r', m->len - from))) {
		size_t at = (size_t)(q - m->b);

		if (m->len - at >= m->dn && !memcmp(q, m->delim, m->dn) &&
		    delim_tail(m, at + m->dn))
			return at;
		from = at + 1;
	}
	return m->len;
}

/* Content-Disposition: form-data; name=...; filename=... into @part. */
static int disposition(struct mp *m, struct http_slice v, struct http_part *part,
		       size_t *scratch_used)
{
	struct param p;
	size_t i = 0;
	bool have_name = false;
	int rc;

	while (i < v.n && http_tchar((unsigned char)v.p[i]))
		i++;
	if (!http_ieq(v.p, i, "form-data"))
		return -400;
	while ((rc = next_param(v.p, v.n, &i, &p)) > 0) {
		struct http_slice *dst;
		bool *copied;

		if (http_ieq(p.name.p, p.name.n, "name")) {
			if (have_name)
				return -400;
			have_name = true;
			dst = &part->name;
			copied = &part->name_copied;
		} else if (http_ieq(p.name.p, p.name.n, "filename")) {
			if (part->has_filename)
				return -400;
			part->has_filename = true;
			dst = &part->filename;
			copied = &part->filename_copied;
		} else {
			continue;	/* filename*, size, ...: not ours */
		}
		if (p.escaped) {
			/* raw values of one header section fit in its size */
			dst->p = m->scratch + *scratch_used;
			dst->n = unquote(p.value, m->scratch + *scratch_used);
			*scratch_used += dst->n;
			*copied = true;
		} else {
			*dst = p.value;
		}
	}
	if (rc < 0 || !have_name)
		return -400;
	return 0;
}

/*
 * The header section of a part at @pos; *@data_at set to where its data
 * starts.
 */
static int part_headers(struct mp *m, size_t pos, struct http_part *part, size_t *data_at)
{
	size_t lim = pos + (m->len - pos < HTTP_PART_HEAD_MAX ? m->len - pos : HTTP_PART_HEAD_MAX);
	size_t fields = 0, scratch_used = 0, k, le, colon;
	bool have_cd = false;
	int rc;

	for (;;) {
		const char *lf = memchr(m->b + pos, '\n', lim - pos);
		struct http_slice v;

		if (!lf)
			return -400;	/* over HTTP_PART_HEAD_MAX, or the body ends */
		le = (size_t)(lf - m->b);
		if (le == pos || m->b[le - 1] != '\r')
			return -400;	/* a bare LF */
		le--;
		if (le == pos) {
			*data_at = le + 2;
			break;
		}
		if (++fields > HTTP_PART_FIELDS_MAX)
			return -400;
		for (colon = pos; colon < le && http_tchar((unsigned char)m->b[colon]); colon++)
			;
		if (colon == pos || colon == le || m->b[colon] != ':')
			return -400;
		v.p = m->b + colon + 1;
		v.n = le - colon - 1;
		for (k = 0; k < v.n; k++)
			if (!field_byte((unsigned char)v.p[k]))
				return -400;
		while (v.n && ows(v.p[0])) {
			v.p++;
			v.n--;
		}
		while (v.n && ows(v.p[v.n - 1]))
			v.n--;
		if (http_ieq(m->b + pos, colon - pos, "content-disposition")) {
			if (have_cd)
				return -400;
			have_cd = true;
			rc = disposition(m, v, part, &scratch_used);
			if (rc)
				return rc;
		} else if (http_ieq(m->b + pos, colon - pos, "content-type") && !part->content_type.p) {
			part->content_type = v;	/* the first one wins */
		}
		pos = le + 2;
	}
	return have_cd ? 0 : -400;
}

/* One walk over the body: checks it, and calls @fn for each part if set. */
static int walk(struct mp *m, size_t max_parts, http_part_fn fn, void *ctx)
{
	size_t pos, parts = 0, data_at, end;
	struct http_part part;
	int rc;

	/* the opening delimiter: at the start, or after the preamble's CRLF */
	if (m->len >= m->dn - 2 && !memcmp(m->b, m->delim + 2, m->dn - 2) &&
	    delim_tail(m, m->dn - 2)) {
		pos = m->dn - 2;
	} else {
		pos = find_delim(m, 0);
		if (pos == m->len)
			return -400;	/* no opening delimiter */
		pos += m->dn;
	}
	for (;;) {
		/* pos is just past a boundary */
		if (m->len - pos >= 2 && m->b[pos] == '-' && m->b[pos + 1] == '-')
			return 0;	/* the close delimiter; the epilogue is ignored */
		while (pos < m->len && ows(m->b[pos]))
			pos++;
		if (m->len - pos < 2 || m->b[pos] != '\r' || m->b[pos + 1] != '\n')
			return -400;	/* no close delimiter, or junk after the boundary */
		pos += 2;
		if (++parts > max_parts)
			return -400;
		memset(&part, 0, sizeof(part));
		rc = part_headers(m, pos, &part, &data_at);
		if (rc)
			return rc;
		end = find_delim(m, data_at);
		if (end == m->len)
			return -400;	/* a part without a closing delimiter */
		part.data.p = m->b + data_at;
		part.data.n = end - data_at;
		if (fn) {
			rc = fn(&part, ctx);
			if (rc)
				return rc;
		}
		pos = end + m->dn;
	}
}

int http_multipart_parse(const char *body, size_t len, const char *boundary, size_t max_parts,
			 http_part_fn fn, void *ctx)
{
	struct mp m;
	size_t bn = strlen(boundary);
	int rc;

	if (!bn || bn > HTTP_BOUNDARY_MAX)
		return -400;
	m.b = body;
	m.len = len;
	memcpy(m.delim, "\r\n--", 4);
	memcpy(m.delim + 4, boundary, bn);
	m.dn = 4 + bn;
	rc = walk(&m, max_parts, NULL, NULL);
	if (rc || !fn)
		return rc;
	return walk(&m, max_parts, fn, ctx);
}
