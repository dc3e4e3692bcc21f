// SPDX-License-Identifier: MIT
/*
 * tar reader: every member of any input, read twice in lockstep: by the
 * plain reader (tar_reader_init) and by the link-returning one
 * (TAR_READ_HARDLINKS). Members must lie inside the input, names and link
 * targets must be NUL-terminated, and an error must be sticky, in both
 * modes. A returned hard link has type '1', no data, size 0 and a target of
 * 1..TAR_NAME_MAX bytes; a returned file has an empty target. Between the
 * modes: every file the link-returning reader returns, the plain reader
 * returns too, at the same place with the same name and bytes, and when the
 * link-returning reader reaches a clean end, so does the plain one (it only
 * refuses more: non-zero-size links, bad linkpath=, empty targets).
 */
#include <string.h>

#include "fuzz.h"
#include "tar/tarball.h"
#include "xz/xz.h"

#define FUZZ_TAR_MEMBERS_MAX 10000

/* Common checks of a returned member; aborts on a broken promise. */
static void check_member(const struct tar_member *m, const uint8_t *data, size_t size,
			 bool links)
{
	if (!memchr(m->name, 0, sizeof(m->name)) || !memchr(m->link, 0, sizeof(m->link)) ||
	    m->name[0] == '\0')
		abort();
	if (m->type == '1') {
		if (!links || m->data != NULL || m->size != 0 || m->link[0] == '\0' ||
		    strlen(m->link) > TAR_NAME_MAX)
			abort();
		return;
	}
	if (m->type != '0' && m->type != '\0' && m->type != '7')
		abort();
	if (m->link[0] != '\0')
		abort();
	if ((const uint8_t *)m->data < data || m->size > size ||
	    (size_t)((const uint8_t *)m->data - data) > size - m->size)
		abort();
	if (m->size)
		(void)xz_crc32(m->data, m->size, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tar_reader r, rl;
	struct tar_member *m = malloc(sizeof(*m)), *ml = malloc(sizeof(*ml));
	char err[256];
	int ret = 1, ret_l = 1, i;

	if (!m || !ml) {
		free(m);
		free(ml);
		return 0;
	}
	tar_reader_init(&r, data, size);
	tar_reader_init_flags(&rl, data, size, TAR_READ_HARDLINKS);
	for (i = 0; i < FUZZ_TAR_MEMBERS_MAX; i++) {
		ret_l = tar_next(&rl, ml, err, sizeof(err));
		if (ret_l != 1)
			break;
		check_member(ml, data, size, true);
		if (ml->type == '1')
			continue;
		/* a file: the plain reader's next member is the same one */
		ret = tar_next(&r, m, err, sizeof(err));
		if (ret != 1)
			abort();
		check_member(m, data, size, false);
		if (m->offset != ml->offset || m->data != ml->data || m->size != ml->size ||
		    m->type != ml->type || strcmp(m->name, ml->name) != 0)
			abort();
	}
	if (ret_l < 0 && tar_next(&rl, ml, err, sizeof(err)) != ret_l)
		abort();	/* errors are sticky */
	/* the plain reader on to its own end */
	for (; i < FUZZ_TAR_MEMBERS_MAX; i++) {
		ret = tar_next(&r, m, err, sizeof(err));
		if (ret != 1)
			break;
		check_member(m, data, size, false);
		if (ret_l == 0)
			abort();	/* a file the link-returning reader did not see */
	}
	if (ret_l == 0 && i < FUZZ_TAR_MEMBERS_MAX && ret != 0)
		abort();	/* a clean end in one mode, not in the other */
	if (ret < 0 && tar_next(&r, m, err, sizeof(err)) != ret)
		abort();
	free(m);
	free(ml);
	return 0;
}
