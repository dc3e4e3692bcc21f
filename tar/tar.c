// SPDX-License-Identifier: MIT
/*
 * tar.c - tar reader for an archive held in memory, and a deterministic
 * ustar writer. See tarball.h for what is accepted and what is refused.
 *
 * An archive is a sequence of 512-byte blocks: a header block, then the
 * member's data rounded up to whole blocks, then the next header, and two
 * all-zero blocks at the end.
 *
 *   header block (offsets in bytes, fields fixed-width, not NUL-terminated
 *   when full):
 *
 *     0 name[100]      100 mode[8]   108 uid[8]    116 gid[8]
 *   124 size[12]       136 mtime[12] 148 chksum[8] 156 typeflag
 *   157 linkname[100]  257 magic[6]  263 version[2]
 *   265 uname[32]      297 gname[32] 329 devmajor[8] 337 devminor[8]
 *   345 prefix[155]  (POSIX ustar only; old GNU keeps atime, ctime and
 *                     sparse maps there, v7 nothing)      500 pad[12]
 *
 *   magic+version: "ustar\0" "00" POSIX (ustar, pax)
 *                  "ustar  \0"    old GNU (--format=gnu and oldgnu)
 *                  all NUL        v7
 *
 *   numbers: octal digits, optionally led by spaces or NULs and ended by a
 *            space or NUL (or the end of the field); or GNU base-256: high
 *            bit of the first byte set, bit 6 the sign, the remaining bits
 *            and bytes a big-endian two's-complement value.
 *   chksum:  the sum of the 512 header bytes with chksum itself counted as
 *            eight spaces; unsigned per POSIX, signed in some old tars.
 *
 *   records that describe the next header rather than being members:
 *     'L' / 'K'  GNU long name / long link target: data = the name + NUL
 *     'x'        pax extended header for the next member, data = records
 *                "<len> <keyword>=<value>\n" (len counts the whole record)
 *     'g'        pax global header, same records, for all later members
 *
 *   [hdr L][name ][hdr x][records][hdr 0][data ......][hdr 5][zero][zero]
 *
 * Precedence for a member's name: pax path= over a GNU long name over
 * prefix "/" name. For a hard link's target (TAR_READ_HARDLINKS): pax
 * linkpath= over a GNU long link over the linkname field (never prefixed).
 * A pax size= replaces the header's size field.
 *
 * Bounds: every offset and size from a header is checked against the bytes
 * that remain ("n > len - off", sizes in 64 bits, padding after the size
 * check so nothing can wrap). The header loop consumes at least one block
 * per iteration and the pax record loop at least one record of >= 5 bytes,
 * so both are bounded by the buffer length.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tar/tarball.h"
#include "util/util.h"

/* Header field offsets and widths. */
#define H_NAME		0
#define H_NAME_LEN	100
#define H_SIZE		124
#define H_SIZE_LEN	12
#define H_CHKSUM	148
#define H_CHKSUM_LEN	8
#define H_TYPE		156
#define H_LINK		157
#define H_LINK_LEN	100
#define H_MAGIC		257
#define H_PREFIX	345
#define H_PREFIX_LEN	155

/* Largest size a ustar size field holds in octal (11 digits): 8 GiB - 1. */
#define TAR_USTAR_SIZE_MAX	077777777777ull
/* Largest value we accept from any numeric field or pax size=: 63 bits. */
#define TAR_NUM_MAX		((u64)INT64_MAX)
/*
 * Most decimal digits we read in a pax record length: TAR_PAX_MAX has 7, so
 * 8 can't overflow and covers every record of an accepted header.
 */
#define PAX_LEN_DIGITS		8

enum tar_format { FMT_POSIX, FMT_GNU, FMT_V7 };

static const char magic_posix[8] = { 'u', 's', 't', 'a', 'r', '\0', '0', '0' };
static const char magic_gnu[8] = { 'u', 's', 't', 'a', 'r', ' ', ' ', '\0' };

/* ---- reader ------------------------------------------------------------ */

/* What the extension records seen so far say about the next member. */
struct pending {
	const u8 *long_name;	/* GNU 'L' (not NUL-terminated) */
	size_t long_name_len;
	const u8 *long_link;	/* GNU 'K' (not NUL-terminated) */
	size_t long_link_len;
	const u8 *pax_path;	/* pax path= value */
	size_t pax_path_len;
	const u8 *pax_link;	/* pax linkpath= value (TAR_READ_HARDLINKS only) */
	size_t pax_link_len;
	u64 pax_size;
	bool has_long_name, has_long_link, has_pax_path, has_pax_link, has_pax_size;
	bool any;		/* some extension record precedes the next header */
	size_t first_off;	/* offset of the first of them */
};

void tar_reader_init_flags(struct tar_reader *r, const void *buf, size_t len, unsigned flags)
{
	r->buf = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
	r->status = 0;
	r->err_off = 0;
	r->flags = flags & TAR_READ_HARDLINKS;
}

void tar_reader_init(struct tar_reader *r, const void *buf, size_t len)
{
	tar_reader_init_flags(r, buf, len, 0);
}

static int fail(struct tar_reader *r, int code, size_t off, char *err, size_t err_len,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Record the sticky error @code at @off and format the message into @err. */
static int fail(struct tar_reader *r, int code, size_t off, char *err, size_t err_len,
		const char *fmt, ...)
{
	va_list ap;

	r->status = code;
	r->err_off = off;
	if (err && err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Length of the string in a field of @n bytes: to the first NUL or @n (strnlen is not C11). */
static size_t field_len(const u8 *f, size_t n)
{
	const u8 *nul = memchr(f, '\0', n);

	return nul ? (size_t)(nul - f) : n;
}

static bool is_zero(const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Parse the numeric field @f of @n bytes into *@v (at most TAR_NUM_MAX).
 * Octal (led by spaces/NULs, ended by a space, a NUL or the field's end; a
 * blank field is 0, as libarchive and Python read it) or, with @base256,
 * GNU base-256.
 * Returns NULL, or what is wrong with the field.
 */
static const char *parse_num(const u8 *f, size_t n, bool base256, u64 *v)
{
	size_t i = 0;
	u64 val = 0;

	if (n && (f[0] & 0x80)) {
		if (!base256)
			return "base-256 not allowed here";
		if (f[0] & 0x40)
			return "negative base-256 value";
		val = f[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (val > TAR_NUM_MAX >> 8)
				return "base-256 value over 63 bits";
			val = val << 8 | f[i];
		}
		*v = val;
		return NULL;
	}
	while (i < n && (f[i] == ' ' || f[i] == '\0'))
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (val > TAR_NUM_MAX >> 3)
			return "octal value over 63 bits";
		val = val << 3 | (u64)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return "not an octal number";
	*v = val;
	return NULL;
}

/* Render a field for a message: printable ASCII, escapes for the rest. */
static const char *show_field(const u8 *f, size_t n, char *out, size_t out_len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < out_len; i++) {
		if (f[i] >= 0x20 && f[i] < 0x7f && f[i] != '\\') {
			out[o++] = (char)f[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[f[i] >> 4];
			out[o++] = hex[f[i] & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * Check the header checksum: the stored value must equal the unsigned sum
 * (POSIX) or the signed sum (historic tars) with the field read as spaces.
 */
static int check_chksum(struct tar_reader *r, const u8 *h, size_t off, char *err, size_t err_len)
{
	char shown[H_CHKSUM_LEN * 4 + 1];
	u64 stored, usum, lanes = 0, high = 0;
	int64_t ssum;
	const char *why;
	size_t i;

	why = parse_num(h + H_CHKSUM, H_CHKSUM_LEN, false, &stored);
	if (why)
		return fail(r, -EINVAL, off, err, err_len,
			    "tar header at offset %zu: invalid checksum field '%s' (%s)", off,
			    show_field(h + H_CHKSUM, H_CHKSUM_LEN, shown, sizeof(shown)), why);
	/*
	 * This runs for every header (4,300 in a full collection), so the 512
	 * bytes are summed 8 at a time: the bytes in even and odd positions
	 * add up in four 16-bit lanes (64 words x 2 x 255 < 65536: no lane
	 * overflows), and the signed sum is the unsigned one less 256 for
	 * every byte with its top bit set. The field itself counts as eight
	 * spaces.
	 */
	for (i = 0; i < TAR_BLOCK_SIZE; i += 16) {
		u64 x, y;

		memcpy(&x, h + i, 8);
		memcpy(&y, h + i + 8, 8);
		lanes += (x & 0x00ff00ff00ff00ffull) + (x >> 8 & 0x00ff00ff00ff00ffull) +
			 (y & 0x00ff00ff00ff00ffull) + (y >> 8 & 0x00ff00ff00ff00ffull);
		/* 64 words: no byte lane overflows */
		high += (x >> 7 & 0x0101010101010101ull) + (y >> 7 & 0x0101010101010101ull);
	}
	usum = (lanes & 0xffff) + (lanes >> 16 & 0xffff) + (lanes >> 32 & 0xffff) + (lanes >> 48);
	high = high * 0x0101010101010101ull >> 56;	/* the sum of the byte lanes */
	for (i = H_CHKSUM; i < H_CHKSUM + H_CHKSUM_LEN; i++) {
		usum -= h[i];
		high -= h[i] >> 7;
	}
	usum += ' ' * H_CHKSUM_LEN;
	ssum = (int64_t)usum - 256 * (int64_t)high;
	if (stored != usum && (ssum < 0 || stored != (u64)ssum))
		return fail(r, -EINVAL, off, err, err_len,
			    "tar header at offset %zu: checksum mismatch (stored 0%llo, "
			    "computed 0%llo)", off, (unsigned long long)stored,
			    (unsigned long long)usum);
	return 0;
}

/* Bytes of a GNU long-name/long-link record name, validated against the limit. */
static int long_name(struct tar_reader *r, const u8 *data, u64 size, size_t off, char kind,
		     size_t *name_len, char *err, size_t err_len)
{
	size_t n;

	if (size > TAR_NAME_MAX + 1)
		return fail(r, -E2BIG, off, err, err_len,
			    "tar header at offset %zu: GNU long %s record of %llu bytes (limit %u)",
			    off, kind == 'L' ? "name" : "link", (unsigned long long)size,
			    TAR_NAME_MAX + 1);
	n = field_len(data, (size_t)size);
	if (n > TAR_NAME_MAX)
		return fail(r, -E2BIG, off, err, err_len,
			    "tar header at offset %zu: GNU long %s of %zu bytes (limit %u)", off,
			    kind == 'L' ? "name" : "link", n, TAR_NAME_MAX);
	if (n == 0)
		return fail(r, -EINVAL, off, err, err_len,
			    "tar header at offset %zu: empty GNU long %s record", off,
			    kind == 'L' ? "name" : "link");
	*name_len = n;
	return 0;
}

static bool kw_is(const u8 *kw, size_t kw_len, const char *s)
{
	size_t n = strlen(s);

	return kw_len == n && memcmp(kw, s, n) == 0;
}

/* Check the value of a pax path= or linkpath= record (@kw) at offset @off. */
static int pax_name(struct tar_reader *r, size_t off, const char *kw, const u8 *val,
		    size_t val_len, char *err, size_t err_len)
{
	if (val_len > TAR_NAME_MAX)
		return fail(r, -E2BIG, off, err, err_len,
			    "pax record at offset %zu: %s of %zu bytes (limit %u)", off, kw,
			    val_len, TAR_NAME_MAX);
	if (memchr(val, '\0', val_len))
		return fail(r, -EINVAL, off, err, err_len,
			    "pax record at offset %zu: NUL byte in %s", off, kw);
	return 0;
}

/*
 * Parse the pax records of an extended header whose data (@n bytes) starts
 * at offset @data_off. For 'x' (@global false) honour path= and size= into
 * @pd, and linkpath= when the reader returns hard links (otherwise it is
 * ignored, unchecked, as it always was); for 'g' only validate.
 * GNU.sparse.* keywords (pax sparse files) are refused with -ENOTSUP.
 */
static int parse_pax(struct tar_reader *r, size_t data_off, size_t n, bool global,
		     struct pending *pd, char *err, size_t err_len)
{
	const u8 *p = r->buf + data_off;
	size_t i = 0;
	int ret;

	while (i < n) {
		size_t rec = i, j = i, len = 0, end, kw, eq;
		const u8 *val;
		size_t val_len;

		for (; j < n && j - i < PAX_LEN_DIGITS && p[j] >= '0' && p[j] <= '9'; j++)
			len = len * 10 + (size_t)(p[j] - '0');
		if (j == i || j >= n || p[j] != ' ')
			return fail(r, -EINVAL, data_off + rec, err, err_len,
				    "pax record at offset %zu: bad length field", data_off + rec);
		/* shortest record: digits, ' ', one keyword byte, '=', '\n' */
		if (len > n - i || len < (j - i) + 4)
			return fail(r, -EINVAL, data_off + rec, err, err_len,
				    "pax record at offset %zu: length %zu out of range (%zu "
				    "bytes left)", data_off + rec, len, n - i);
		end = i + len;
		if (p[end - 1] != '\n')
			return fail(r, -EINVAL, data_off + rec, err, err_len,
				    "pax record at offset %zu: not terminated by a newline",
				    data_off + rec);
		kw = j + 1;
		for (eq = kw; eq < end - 1 && p[eq] != '=' && p[eq] != '\0'; eq++)
			;
		if (eq == kw || eq >= end - 1 || p[eq] != '=')
			return fail(r, -EINVAL, data_off + rec, err, err_len,
				    "pax record at offset %zu: no keyword=value", data_off + rec);
		val = p + eq + 1;
		val_len = end - 1 - (eq + 1);
		if (eq - kw > 11 && memcmp(p + kw, "GNU.sparse.", 11) == 0 && !global)
			return fail(r, -ENOTSUP, data_off + rec, err, err_len,
				    "pax record at offset %zu: GNU sparse files are not supported",
				    data_off + rec);
		if (!global && kw_is(p + kw, eq - kw, "path")) {
			ret = pax_name(r, data_off + rec, "path", val, val_len, err, err_len);
			if (ret)
				return ret;
			/* an empty value deletes the record: the header's name applies */
			pd->has_pax_path = val_len > 0;
			pd->pax_path = val;
			pd->pax_path_len = val_len;
		} else if (!global && (r->flags & TAR_READ_HARDLINKS) &&
			   kw_is(p + kw, eq - kw, "linkpath")) {
			ret = pax_name(r, data_off + rec, "linkpath", val, val_len, err, err_len);
			if (ret)
				return ret;
			/* likewise: an empty value lets 'K' or the linkname field apply */
			pd->has_pax_link = val_len > 0;
			pd->pax_link = val;
			pd->pax_link_len = val_len;
		} else if (!global && kw_is(p + kw, eq - kw, "size")) {
			u64 v = 0;
			size_t k;

			for (k = 0; k < val_len; k++) {
				if (val[k] < '0' || val[k] > '9' ||
				    v > (TAR_NUM_MAX - (u64)(val[k] - '0')) / 10)
					return fail(r, -EINVAL, data_off + rec, err, err_len,
						    "pax record at offset %zu: invalid size (not a "
						    "decimal number below 2^63)", data_off + rec);
				v = v * 10 + (u64)(val[k] - '0');
			}
			pd->has_pax_size = val_len > 0;
			pd->pax_size = v;
		}
		i = end;
	}
	return 0;
}

/*
 * The member's name (precedence in the top comment): *@name, the returned
 * number of bytes, led by *@prefix_len bytes of the ustar prefix field and
 * a '/' when the prefix applies (*@prefix_len is 0 otherwise).
 */
static size_t pick_name(const u8 *h, enum tar_format fmt, const struct pending *pd,
			const u8 **name, size_t *prefix_len)
{
	*prefix_len = 0;
	if (pd->has_pax_path) {
		*name = pd->pax_path;
		return pd->pax_path_len;
	}
	if (pd->has_long_name) {
		*name = pd->long_name;
		return pd->long_name_len;
	}
	*name = h + H_NAME;
	if (fmt == FMT_POSIX && h[H_PREFIX])
		*prefix_len = field_len(h + H_PREFIX, H_PREFIX_LEN);
	return field_len(*name, H_NAME_LEN);
}

/*
 * Store [prefix "/"] name in @out (TAR_NAME_MAX + 1 bytes), NUL-terminated.
 * Fits: a prefix comes only with a header name (155 + 1 + 100 bytes), and
 * extension names were checked against TAR_NAME_MAX.
 */
static void put_name(char *out, const u8 *h, size_t prefix_len, const u8 *name, size_t name_len)
{
	size_t o = 0;

	if (prefix_len) {
		memcpy(out, h + H_PREFIX, prefix_len);
		out[prefix_len] = '/';
		o = prefix_len + 1;
	}
	memcpy(out + o, name, name_len);
	out[o + name_len] = '\0';
}

/* A hard link's target: pax linkpath= over a GNU long link over the linkname field. */
static size_t pick_link(const u8 *h, const struct pending *pd, const u8 **link)
{
	if (pd->has_pax_link) {
		*link = pd->pax_link;
		return pd->pax_link_len;
	}
	if (pd->has_long_link) {
		*link = pd->long_link;
		return pd->long_link_len;
	}
	*link = h + H_LINK;
	return field_len(*link, H_LINK_LEN);
}

int tar_next(struct tar_reader *r, struct tar_member *m, char *err, size_t err_len)
{
	struct pending pd;
	int ret;

	if (err && err_len)
		err[0] = '\0';
	if (r->status > 0)
		return 0;
	if (r->status < 0)
		return fail(r, r->status, r->err_off, err, err_len,
			    "tar archive at offset %zu: reading stopped by an earlier error",
			    r->err_off);
	memset(&pd, 0, sizeof(pd));

	/* Bounded: every iteration advances r->pos by at least one block. */
	for (;;) {
		size_t off = r->pos, rem = r->len - r->pos, data_off, next, name_len = 0;
		size_t prefix_len, link_len;
		const u8 *h, *name, *link;
		enum tar_format fmt;
		char shown[H_SIZE_LEN * 4 + 1];
		const char *why;
		u64 size, pad;
		char type;

		if (rem < TAR_BLOCK_SIZE) {
			if (pd.any)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar header at offset %zu: archive ends after the "
					    "extension record at offset %zu", off, pd.first_off);
			if (rem == 0)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar archive truncated at offset %zu: no end-of-archive "
					    "marker", off);
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: truncated (%zu of 512 bytes)", off,
				    rem);
		}
		h = r->buf + off;
		if (is_zero(h, TAR_BLOCK_SIZE)) {
			size_t after = off + TAR_BLOCK_SIZE, left = r->len - after;

			if (pd.any)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar header at offset %zu: end-of-archive marker right "
					    "after the extension record at offset %zu", off,
					    pd.first_off);
			if (left >= TAR_BLOCK_SIZE ? !is_zero(r->buf + after, TAR_BLOCK_SIZE)
						   : !is_zero(r->buf + after, left))
				return fail(r, -EINVAL, off, err, err_len,
					    "tar archive at offset %zu: lone zero block followed by "
					    "data", off);
			r->pos = left >= TAR_BLOCK_SIZE ? after + TAR_BLOCK_SIZE : r->len;
			r->status = 1;
			return 0;
		}
		ret = check_chksum(r, h, off, err, err_len);
		if (ret)
			return ret;
		if (memcmp(h + H_MAGIC, magic_posix, 8) == 0)
			fmt = FMT_POSIX;
		else if (memcmp(h + H_MAGIC, magic_gnu, 8) == 0)
			fmt = FMT_GNU;
		else if (is_zero(h + H_MAGIC, 8))
			fmt = FMT_V7;
		else
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: unknown magic '%s'", off,
				    show_field(h + H_MAGIC, 8, shown, sizeof(shown)));
		why = parse_num(h + H_SIZE, H_SIZE_LEN, true, &size);
		if (why)
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: invalid size field '%s' (%s)", off,
				    show_field(h + H_SIZE, H_SIZE_LEN, shown, sizeof(shown)), why);
		type = (char)h[H_TYPE];
		if (pd.has_pax_size && type != 'x' && type != 'X' && type != 'g' &&
		    type != 'L' && type != 'K')
			size = pd.pax_size;
		if (type == '5')
			size = 0;	/* GNU tar: a directory has no data, whatever its size */
		if (type == '1' && (r->flags & TAR_READ_HARDLINKS) && size != 0)
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: hard link with non-zero size %llu "
				    "(GNU tar reads it as 0, pax as data: ambiguous)", off,
				    (unsigned long long)size);

		data_off = off + TAR_BLOCK_SIZE;
		if (size > r->len - data_off)
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: member size %llu runs past the end "
				    "of the archive (%zu bytes left)", off,
				    (unsigned long long)size, r->len - data_off);
		pad = (TAR_BLOCK_SIZE - size % TAR_BLOCK_SIZE) % TAR_BLOCK_SIZE;
		if (pad > r->len - data_off - size)
			return fail(r, -EINVAL, off, err, err_len,
				    "tar header at offset %zu: archive truncated inside the padding "
				    "of the member data", off);
		next = data_off + (size_t)size + (size_t)pad;

		switch (type) {
		case 'L':
		case 'K':
			ret = long_name(r, r->buf + data_off, size, off, type, &name_len, err,
					err_len);
			if (ret)
				return ret;
			if (type == 'L') {
				pd.long_name = r->buf + data_off;
				pd.long_name_len = name_len;
				pd.has_long_name = true;
			} else {
				pd.long_link = r->buf + data_off;
				pd.long_link_len = name_len;
				pd.has_long_link = true;
			}
			break;
		case 'x':
		case 'X':	/* Solaris extended header: same records (GNU tar reads it as 'x') */
		case 'g':
			if (size > TAR_PAX_MAX)
				return fail(r, -E2BIG, off, err, err_len,
					    "tar header at offset %zu: pax header of %llu bytes "
					    "(limit %u)", off, (unsigned long long)size, TAR_PAX_MAX);
			ret = parse_pax(r, data_off, (size_t)size, type == 'g', &pd, err, err_len);
			if (ret)
				return ret;
			if (type == 'g') {
				/* global: validated, ignored, not tied to the next member */
				r->pos = next;
				continue;
			}
			break;
		case '0':
		case '\0':
		case '7':
			name_len = pick_name(h, fmt, &pd, &name, &prefix_len);
			if (name_len == 0)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar header at offset %zu: empty member name", off);
			/* old tars store directories as regular files named "dir/" */
			if (name[name_len - 1] == '/') {
				memset(&pd, 0, sizeof(pd));
				r->pos = next;
				continue;
			}
			m->offset = pd.any ? pd.first_off : off;
			put_name(m->name, h, prefix_len, name, name_len);
			m->link[0] = '\0';
			m->data = r->buf + data_off;
			m->size = (size_t)size;
			m->type = type;
			r->pos = next;
			return 1;
		case '1':	/* hard link: returned on request, its size checked above */
			if (!(r->flags & TAR_READ_HARDLINKS)) {
				memset(&pd, 0, sizeof(pd));
				r->pos = next;
				continue;
			}
			name_len = pick_name(h, fmt, &pd, &name, &prefix_len);
			link_len = pick_link(h, &pd, &link);
			if (name_len == 0)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar header at offset %zu: empty member name", off);
			if (link_len == 0)
				return fail(r, -EINVAL, off, err, err_len,
					    "tar header at offset %zu: hard link with an empty "
					    "target", off);
			m->offset = pd.any ? pd.first_off : off;
			put_name(m->name, h, prefix_len, name, name_len);
			memcpy(m->link, link, link_len);
			m->link[link_len] = '\0';
			m->data = NULL;
			m->size = 0;
			m->type = type;
			r->pos = next;
			return 1;
		case '2':	/* symlink: skipped in both modes */
		case '3':	/* character device */
		case '4':	/* block device */
		case '5':	/* directory */
		case '6':	/* fifo */
		case 'D':	/* GNU dumpdir (incremental directory listing) */
		case 'V':	/* GNU volume label */
			memset(&pd, 0, sizeof(pd));
			r->pos = next;
			continue;
		case 'S':
			return fail(r, -ENOTSUP, off, err, err_len,
				    "tar header at offset %zu: GNU sparse member not supported", off);
		case 'M':
			return fail(r, -ENOTSUP, off, err, err_len,
				    "tar header at offset %zu: GNU multi-volume continuation not "
				    "supported", off);
		default:
			if (type > 0x20 && type < 0x7f)
				return fail(r, -ENOTSUP, off, err, err_len,
					    "tar header at offset %zu: unsupported member type '%c'",
					    off, type);
			return fail(r, -ENOTSUP, off, err, err_len,
				    "tar header at offset %zu: unsupported member type 0x%02x", off,
				    (unsigned)(u8)type);
		}
		/* an extension record: it applies to the next header */
		if (!pd.any) {
			pd.any = true;
			pd.first_off = off;
		}
		r->pos = next;
	}
}

/* ---- writer ------------------------------------------------------------ */

/* Largest archive the writer builds: half the address space. */
#define TAR_WRITER_MAX	(SIZE_MAX / 2)

struct tar_writer {
	u8 *buf;		/* owned; len bytes used, cap allocated */
	size_t len;
	size_t cap;
	bool finished;		/* tar_writer_finish() handed buf over */
};

struct tar_writer *tar_writer_new(void)
{
	return xcalloc(1, sizeof(struct tar_writer));
}

void tar_writer_free(struct tar_writer *w)
{
	if (!w)
		return;
	xfree(w->buf);
	xfree(w);
}

/* @v as (@width - 1) zero-padded octal digits and a NUL; @v must fit. */
static void put_octal(u8 *f, size_t width, u64 v)
{
	size_t i = width - 1;

	f[i] = '\0';
	while (i--) {
		f[i] = (u8)('0' + (v & 7));
		v >>= 3;
	}
}

static u64 round_up(u64 n)
{
	return (n + TAR_BLOCK_SIZE - 1) / TAR_BLOCK_SIZE * TAR_BLOCK_SIZE;
}

/*
 * Fill the 512-byte block @h (zeroed by the caller) with a ustar header.
 * @name_len and @link_len are already cut to their fields.
 */
static void put_header(u8 *h, const char *prefix, size_t prefix_len, const char *name,
		       size_t name_len, const char *link, size_t link_len, unsigned mode,
		       u64 size, char type)
{
	unsigned sum = 0;
	size_t i;

	memcpy(h + H_NAME, name, name_len);
	put_octal(h + 100, 8, mode);
	put_octal(h + 108, 8, 0);		/* uid */
	put_octal(h + 116, 8, 0);		/* gid */
	put_octal(h + H_SIZE, H_SIZE_LEN, size);
	put_octal(h + 136, 12, 0);		/* mtime */
	h[H_TYPE] = (u8)type;
	memcpy(h + H_LINK, link, link_len);
	memcpy(h + H_MAGIC, magic_posix, 8);
	/* uname, gname: empty */
	put_octal(h + 329, 8, 0);		/* devmajor */
	put_octal(h + 337, 8, 0);		/* devminor */
	memcpy(h + H_PREFIX, prefix, prefix_len);

	memset(h + H_CHKSUM, ' ', H_CHKSUM_LEN);
	for (i = 0; i < TAR_BLOCK_SIZE; i++)
		sum += h[i];
	put_octal(h + H_CHKSUM, 7, sum);	/* "%06o\0" then the space stays: GNU's layout */
}

/*
 * Where to split a 101..255-byte name between prefix and name (GNU tar's
 * rule: the first '/' that leaves at most 100 bytes after it), or 0 when
 * it cannot be split.
 */
static size_t split_name(const char *name, size_t len)
{
	size_t i = len - H_NAME_LEN - 1;

	for (; i <= H_PREFIX_LEN && i + 1 < len; i++)
		if (name[i] == '/')
			return i;
	return 0;
}

/* Append a GNU long-name ('L') or long-link ('K') record for @s at @p. */
static u8 *put_long(u8 *p, const char *s, size_t len, char type)
{
	static const char ll[] = "././@LongLink";

	put_header(p, "", 0, ll, sizeof(ll) - 1, "", 0, 0644, len + 1, type);
	memcpy(p + TAR_BLOCK_SIZE, s, len);	/* the NUL and padding are already zero */
	return p + TAR_BLOCK_SIZE + round_up(len + 1);
}

static int add_member(struct tar_writer *w, const char *name, size_t name_len, char type,
		      unsigned mode, const char *link, const void *data, size_t size)
{
	size_t link_len = link ? strlen(link) : 0, split = 0, need;
	u64 total;
	bool long_name = false, long_link = false;
	u8 *p;
	int err;

	if (w->finished || name_len == 0 || (link && link_len == 0))
		return -EINVAL;
	if (name_len > TAR_NAME_MAX || link_len > TAR_NAME_MAX || size > TAR_USTAR_SIZE_MAX)
		return -E2BIG;
	if (name_len > H_NAME_LEN) {
		if (name_len <= H_PREFIX_LEN + 1 + H_NAME_LEN)
			split = split_name(name, name_len);
		long_name = split == 0;
	}
	long_link = link_len > H_LINK_LEN;

	/* In 64 bits: names are bounded by TAR_NAME_MAX, data by 8 GiB. */
	total = TAR_BLOCK_SIZE + round_up(size);
	if (long_name)
		total += TAR_BLOCK_SIZE + round_up(name_len + 1);
	if (long_link)
		total += TAR_BLOCK_SIZE + round_up(link_len + 1);
	if (total > SIZE_MAX - w->len)
		return -E2BIG;
	need = w->len + (size_t)total;
	err = util_ensure_mem((void **)&w->buf, &w->cap, 1, need, TAR_WRITER_MAX);
	if (err)
		return err;

	p = w->buf + w->len;
	memset(p, 0, (size_t)total);
	if (long_name)
		p = put_long(p, name, name_len, 'L');
	if (long_link)
		p = put_long(p, link, link_len, 'K');
	if (split)
		put_header(p, name, split, name + split + 1, name_len - split - 1, link ? link : "",
			   long_link ? H_LINK_LEN : link_len, mode, size, type);
	else
		put_header(p, "", 0, name, long_name ? H_NAME_LEN : name_len, link ? link : "",
			   long_link ? H_LINK_LEN : link_len, mode, size, type);
	if (size)
		memcpy(p + TAR_BLOCK_SIZE, data, size);
	w->len = need;
	return 0;
}

int tar_writer_add_file(struct tar_writer *w, const char *name, const void *data, size_t size)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '/')
		return -EINVAL;
	return add_member(w, name, len, '0', 0644, NULL, data, size);
}

int tar_writer_add_hardlink(struct tar_writer *w, const char *name, const char *target)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '/')
		return -EINVAL;
	return add_member(w, name, len, '1', 0644, target, NULL, 0);
}

int tar_writer_add_dir(struct tar_writer *w, const char *name)
{
	char buf[TAR_NAME_MAX + 1];
	size_t len = strlen(name);

	if (len == 0)
		return -EINVAL;
	if (name[len - 1] == '/')
		return add_member(w, name, len, '5', 0755, NULL, NULL, 0);
	if (len + 1 > TAR_NAME_MAX)
		return -E2BIG;
	memcpy(buf, name, len);
	buf[len] = '/';
	return add_member(w, buf, len + 1, '5', 0755, NULL, NULL, 0);
}

int tar_writer_finish(struct tar_writer *w, void **out, size_t *out_len)
{
	size_t need;
	int err;

	if (w->finished)
		return -EINVAL;
	if (add_overflow_size(w->len, 2 * TAR_BLOCK_SIZE, &need))
		return -E2BIG;
	err = util_ensure_mem((void **)&w->buf, &w->cap, 1, need, TAR_WRITER_MAX);
	if (err)
		return err;
	memset(w->buf + w->len, 0, 2 * TAR_BLOCK_SIZE);
	*out = w->buf;
	*out_len = need;
	w->buf = NULL;
	w->len = w->cap = 0;
	w->finished = true;
	return 0;
}
