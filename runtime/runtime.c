// SPDX-License-Identifier: MIT
/*
 * runtime.c - the C runtime library (runtime.h): `btfgen select` for an
 * application that embeds its collection, ending in a temporary file for
 * bpf_object_open_opts.btf_custom_path.
 *
 * Built twice: into libbtfgen.a (tests) and, with every other symbol
 * hidden, into libbtfgen-runtime.a (what `make install` ships), which holds
 * only what this needs: util, the xz and tar readers, the BTF parser (to
 * check the chosen file) and the hub's host facts, collections and
 * matching; never the CO-RE core. The library's messages are captured, per
 * thread, into opts->errbuf: nothing is printed.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/hub.h"
#include "runtime/runtime.h"

#define RT_API __attribute__((visibility("default")))

static void say(const struct btfgen_rt_opts *o, const char *msg)
{
	if (o->errbuf && o->errbuf_size)
		snprintf(o->errbuf, o->errbuf_size, "%s", msg);
}

/* The chosen BTF into a new temporary file (mode 0600); its name in *@path. */
static int write_temp(const void *data, size_t size, char **path, char *why, size_t why_len)
{
	const char *dir = getenv("TMPDIR");
	const unsigned char *p = data;
	size_t n;
	char *name;
	int fd, err = 0;

	if (!dir || !*dir)
		dir = "/tmp";
	n = strlen(dir) + sizeof("/btfgen-XXXXXX");
	name = malloc(n);
	if (!name)
		return -ENOMEM;
	snprintf(name, n, "%s/btfgen-XXXXXX", dir);
	fd = mkstemp(name);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		/* -EIO, whatever errno says: -ENOENT would read as "no BTF for this kernel" */
		err = -EIO;
		snprintf(why, why_len, "%s: can't create a temporary file: %s", dir, strerror(errno));
		goto fail;
	}
	while (size) {
		ssize_t w = write(fd, p, size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(why, why_len, "%s: write failed: %s", name,
				 w < 0 ? strerror(errno) : "no space");
			err = -EIO;
			goto fail;
		}
		p += w;
		size -= (size_t)w;
	}
	if (close(fd) < 0) {
		snprintf(why, why_len, "%s: write failed: %s", name, strerror(errno));
		unlink(name);
		free(name);
		return -EIO;
	}
	*path = name;
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(name);
	}
	free(name);
	return err;
}

RT_API int btfgen_rt_ensure(const void *collection, size_t size, const struct btfgen_rt_opts *opts,
			    char **path)
{
	struct btfgen_rt_opts o = { .sz = sizeof(o) };
	struct hub_host_opts ho;
	struct hub_match_opts mo = { 0 };
	struct hub_host *h = NULL;
	struct hub_match *m = NULL;
	struct hub_coll c;
	bool have_coll = false;
	const void *btf;
	void *owned = NULL;
	size_t btf_size;
	char msg[1024] = "";
	struct diag_cap prev;
	int err;

	if (!path)
		return -EINVAL;
	*path = NULL;
	if (opts) {
		size_t i, n = opts->sz < sizeof(o) ? opts->sz : sizeof(o);

		/* a newer caller's fields this version does not know must be zero */
		for (i = sizeof(o); i < opts->sz; i++)
			if (((const unsigned char *)opts)[i])
				return -EINVAL;
		memcpy(&o, opts, n);
	}
	/* the library's messages: kept, never printed */
	prev = diag_capture(msg, sizeof(msg));
	h = calloc(1, sizeof(*h));
	m = calloc(1, sizeof(*m));
	if (!h || !m) {
		err = -ENOMEM;
		snprintf(msg, sizeof(msg), "out of memory");
		goto out;
	}
	ho = (struct hub_host_opts){ o.root, o.os_release, o.kernel_release, o.arch };
	err = hub_host_facts(&ho, h);
	if (err) {
		snprintf(msg, sizeof(msg), "can't tell this host's kernel release and arch");
		goto out;
	}
	if (h->kernel_has_btf && !o.force)
		goto out;	/* nothing needed */
	if (!collection || !size) {
		err = -EINVAL;
		snprintf(msg, sizeof(msg), "no collection given");
		goto out;
	}
	err = hub_coll_from_mem("collection", collection, size, &c);
	if (err) {
		err = err == -ENOMEM ? err : -EINVAL;
		goto out;
	}
	have_coll = true;
	mo.allow_nearest = o.allow_nearest;
	err = hub_match(&c, h, &mo, m);
	if (err) {
		snprintf(msg, sizeof(msg), "%s", m->why);
		goto out;
	}
	err = hub_coll_read(&c, (size_t)m->pick, &owned, &btf, &btf_size);
	if (err) {
		err = err == -ENOMEM ? err : -EINVAL;
		goto out;
	}
	err = write_temp(btf, btf_size, path, msg, sizeof(msg));
	if (!err && m->warning[0])
		snprintf(msg, sizeof(msg), "%s", m->warning);	/* picked, with a warning */
out:
	diag_capture_restore(prev);
	say(&o, msg);
	xfree(owned);
	if (have_coll)
		hub_coll_free(&c);
	free(h);
	free(m);
	return err;
}

RT_API void btfgen_rt_cleanup(char *path)
{
	if (!path)
		return;
	unlink(path);
	free(path);
}
