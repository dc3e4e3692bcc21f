/* SPDX-License-Identifier: MIT */
/*
 * tarball.h - a reader for tar archives held entirely in memory, and a small
 * deterministic tar writer. Self-contained: libc and util.h only (SG-2).
 *
 * Reader. Accepts POSIX ustar ("ustar\0" "00", including pax 'x'/'g'
 * extended headers), old GNU ("ustar  \0", including 'L'/'K' long-name
 * records and base-256 numbers) and pre-POSIX v7 headers (magic all NUL).
 * It returns the regular-file members one at a time; every other member
 * (directory, symlink, hard link, device, fifo, GNU volume label or dumpdir)
 * is skipped. What it does not support, it refuses with -ENOTSUP rather
 * than guessing: GNU sparse members ('S' and pax GNU.sparse.*), multi-volume
 * continuations ('M'), old GNU 'N' long names, and unknown type flags.
 *
 * Hard links (opt-in). Opened with tar_reader_init_flags(...,
 * TAR_READ_HARDLINKS), the reader also returns the hard links ('1'), each
 * with its target: from a pax linkpath= record, else a GNU 'K' long-link
 * record, else the header's 100-byte linkname field (no ustar prefix applies
 * to it). Symlinks ('2') stay skipped in either mode. A hard link with a
 * non-zero size (header or pax size=) is refused with -EINVAL in this mode:
 * GNU tar and Python read a link's size as 0 and expect the next header
 * right after it, pax lets a link carry data, so readers disagree on where
 * the next member starts; GNU tar and our writer store 0. tar_reader_init()
 * keeps its historic behaviour exactly: it skips every hard link, such a
 * link together with the size bytes after it, and ignores pax linkpath=.
 *
 * End of archive: the archive must end with the end-of-archive marker. One
 * all-zero block ends it (GNU tar stops there too); the block after it, when
 * present in full, must also be zero (two zero blocks, the normal case)
 * and everything after those two blocks (GNU's padding to its 10240-byte
 * record) is ignored. A zero block followed by EOF, or by fewer than 512
 * bytes that are all zero, is also a clean end. Reaching the end of the
 * buffer at a header position *without* a zero block (including an empty
 * buffer) is -EINVAL: a tar cut at a block boundary would otherwise look
 * like a shorter valid archive.
 *
 * Member names and hard-link targets are informational only: they are
 * returned exactly as stored ("../x", "/etc/passwd" included) and must never
 * be used as paths (to write to, or to read a link's target from); a caller
 * resolves a target only against the names it has read from the archive.
 *
 * Ownership: the reader borrows the archive buffer; member data pointers
 * point into it and stay valid as long as the caller keeps it alive. The
 * reader allocates nothing and needs no free.
 *
 * Writer. Deterministic POSIX ustar: members in the caller's order, mtime 0,
 * uid/gid 0, empty uname/gname, mode 0644 (0755 for directories). Names up
 * to 100 bytes go in the name field, up to 255 through the ustar prefix
 * field when the name splits at a '/', and longer or unsplittable ones (up
 * to TAR_NAME_MAX) through a GNU long-name 'L' record (and 'K' for long
 * hard-link targets), which GNU tar, bsdtar and Python read in any format.
 * tar_writer_finish() appends the two zero blocks and nothing else: the
 * output is a multiple of 512 bytes, not padded to GNU's 10240-byte record
 * (readers accept that; it is not needed for files). Same calls, same bytes.
 */
#ifndef BTFGEN_TAR_H
#define BTFGEN_TAR_H

#include <stddef.h>

#include "util/util.h"

#define TAR_BLOCK_SIZE	512
/*
 * Longest member name or hard-link target we accept or write (GNU long names,
 * pax path= and linkpath=): Linux PATH_MAX.
 */
#define TAR_NAME_MAX	4096
/*
 * Largest pax extended header ('x' or 'g') we parse. GNU tar and bsdtar
 * write a few hundred bytes (macOS xattrs a few KB); 1 MiB bounds the
 * work on hostile input with room to spare.
 */
#define TAR_PAX_MAX	(1u << 20)

/*
 * A regular-file member or, with TAR_READ_HARDLINKS, a hard link. @name and
 * @link are NUL-terminated and informational only, never paths. @offset is
 * the byte offset of the member's first header, its 'L'/'K'/'x' records
 * included. @type is:
 *   '0', '\0' (old archives) or '7' (contiguous file): a regular file;
 *        @data points into the archive buffer, @size bytes; @link is "";
 *   '1'  a hard link (TAR_READ_HARDLINKS only): @link is its target as
 *        stored (non-empty, at most TAR_NAME_MAX bytes; the name of an
 *        earlier member when the archive is well formed, which the reader
 *        does not check), @data is NULL and @size 0.
 */
struct tar_member {
	char name[TAR_NAME_MAX + 1];
	char link[TAR_NAME_MAX + 1];
	const void *data;
	size_t size;
	size_t offset;
	char type;
};

/*
 * Reader state. Treat the fields as private. No state is carried between
 * calls other than the position: long-name and pax records are consumed
 * together with the header they apply to, in one tar_next() call.
 */
struct tar_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;		/* offset of the next header block */
	int status;		/* 0 reading, 1 at the end, < 0 the sticky error */
	size_t err_off;		/* where the sticky error was found */
	unsigned flags;		/* TAR_READ_* */
};

/* tar_reader_init_flags() @flags: also return hard links ('1'), with their targets. */
#define TAR_READ_HARDLINKS	(1u << 0)

/* Start reading @len bytes at @buf (borrowed): regular files only. */
void tar_reader_init(struct tar_reader *r, const void *buf, size_t len);

/*
 * Same, with @flags: 0 (exactly tar_reader_init()) or TAR_READ_HARDLINKS.
 * Other bits are reserved and ignored.
 */
void tar_reader_init_flags(struct tar_reader *r, const void *buf, size_t len, unsigned flags);

/*
 * Next regular-file member (or hard link, with TAR_READ_HARDLINKS), in
 * archive order.
 * Returns:
 *   1        *@m filled in (name, link, data, size, offset, type);
 *   0        end of archive (see above); every later call returns 0 again;
 *   -EINVAL  malformed or truncated archive (bad checksum, bad magic, bad
 *            number, a size beyond the buffer, missing end marker...); with
 *            TAR_READ_HARDLINKS also a hard link with a non-zero size, an
 *            empty name or target, or a NUL byte in a pax linkpath=;
 *   -ENOTSUP valid but unsupported (GNU sparse, multi-volume, unknown type);
 *   -E2BIG   a name longer than TAR_NAME_MAX or a pax header over TAR_PAX_MAX;
 *            with TAR_READ_HARDLINKS also a pax linkpath= over TAR_NAME_MAX
 *            (a GNU 'K' target over it is -E2BIG in both modes).
 * On error *@m is untouched, @err (if @err_len > 0) holds one line naming
 * the byte offset, e.g. "tar header at offset 1024: checksum mismatch
 * (stored 06172, computed 06171)", and every later call fails the same way.
 */
int tar_next(struct tar_reader *r, struct tar_member *m, char *err, size_t err_len);

/*
 * Writer: an opaque growable in-memory archive. The caller owns it and frees
 * it with tar_writer_free() (NULL is a no-op).
 */
struct tar_writer;

/* Returns a new, empty writer, or NULL when out of memory. */
struct tar_writer *tar_writer_new(void);

/*
 * Append a regular file (mode 0644) holding @size bytes at @data (copied).
 * Returns 0, -EINVAL (empty name, name with a trailing '/', writer finished),
 * -E2BIG (name over TAR_NAME_MAX, size over the ustar limit 8 GiB - 1) or
 * -ENOMEM. On failure the archive is unchanged.
 */
int tar_writer_add_file(struct tar_writer *w, const char *name, const void *data, size_t size);

/*
 * Append a hard link @name to the earlier member @target (type '1', size 0).
 * The writer does not check that @target was added before; GNU tar fails to
 * extract a link whose target is not in the archive. Same returns as above.
 */
int tar_writer_add_hardlink(struct tar_writer *w, const char *name, const char *target);

/* Append a directory (mode 0755), its name given a trailing '/' if it lacks one. */
int tar_writer_add_dir(struct tar_writer *w, const char *name);

/*
 * Append the end-of-archive marker (two zero blocks) and hand the archive
 * over: *@out is allocated with xmalloc() (the caller frees it with xfree())
 * and *@out_len is a multiple of 512. The writer is then finished: adds and
 * a second finish fail with -EINVAL, and it must still be freed.
 * Returns 0, -EINVAL or -ENOMEM (then nothing changed; it may be retried).
 */
int tar_writer_finish(struct tar_writer *w, void **out, size_t *out_len);

void tar_writer_free(struct tar_writer *w);

#endif /* BTFGEN_TAR_H */
