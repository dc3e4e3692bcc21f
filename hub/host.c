// SPDX-License-Identifier: MIT
/*
 * host.c - what the target machine is: os-release's ID, VERSION_ID and
 * ID_LIKE, the kernel release and arch, and whether the kernel exposes its
 * own BTF. The facts a BTF collection is matched against (match.c).
 *
 * Where each fact comes from: the first given (option, environment), else
 * the first that exists:
 *
 *   ROOT        opts->root, $BTFGEN_HOST_ROOT, "/host" when /host/etc/os-release
 *               exists (containers that mount the host there), "/"
 *   os-release  opts->os_release, $BTFGEN_OS_RELEASE, ROOT/etc/os-release,
 *               ROOT/usr/lib/os-release (os-release(5)'s order)
 *   release     opts->kernel_release, uname -r
 *   arch        opts->arch, uname -m
 *   BTF         ROOT/sys/kernel/btf/vmlinux holding valid BTF
 *
 * os-release syntax (os-release(5)): KEY=VALUE lines, shell-compatible
 * quoting (double quotes with \" \\ \$ \` escapes, single quotes taken
 * literally, a backslash escaping the next character outside quotes),
 * comments (#) and blank lines. A line that does not parse is ignored, as
 * is a missing or unreadable file: facts it would give are simply absent.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf/btf.h"
#include "hub/hub.h"

/* An os-release larger than this is not read (real ones are under 1 KB). */
#define OS_RELEASE_MAX_SIZE	(64u << 10)

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * One VALUE in shell syntax from @p to the end of the line @end into @out
 * (@n bytes). Returns false for a value that does not parse or does not fit.
 */
static bool parse_value(const char *p, const char *end, char *out, size_t n)
{
	size_t o = 0;
	char q = 0;

	for (; p < end; p++) {
		char c = *p;

		if (q == '\'') {
			if (c == '\'') {
				q = 0;
				continue;
			}
		} else if (q == '"') {
			if (c == '"') {
				q = 0;
				continue;
			}
			if (c == '\\' && p + 1 < end && strchr("\"\\$`", p[1]))
				c = *++p;
		} else if (c == '"' || c == '\'') {
			q = c;
			continue;
		} else if (c == '\\') {
			if (p + 1 == end)
				return false;
			c = *++p;
		} else if (c == ' ' || c == '\t') {
			/* unquoted blank: only blanks and a comment may follow */
			for (; p < end && (*p == ' ' || *p == '\t'); p++)
				;
			if (p < end && *p != '#')
				return false;
			break;
		}
		if (o + 1 >= n)
			return false;
		out[o++] = c;
	}
	if (q)
		return false;	/* an unterminated quote */
	out[o] = '\0';
	return true;
}

void hub_os_release_parse(const char *text, size_t len, struct hub_os_release *osr)
{
	const char *p = text, *end = text + len;

	memset(osr, 0, sizeof(*osr));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *line_end, *k;
		char value[HUB_OSR_VALUE_MAX];
		char *slot = NULL;
		size_t klen;

		if (!eol)
			eol = end;
		line_end = eol;
		if (line_end > p && line_end[-1] == '\r')	/* CRLF line ends */
			line_end--;
		while (p < line_end && (*p == ' ' || *p == '\t'))
			p++;
		for (k = p; p < line_end && key_char(*p); p++)
			;
		klen = (size_t)(p - k);
		if (klen && p < line_end && *p == '=' &&
		    parse_value(p + 1, line_end, value, sizeof(value))) {
			if (klen == 2 && !memcmp(k, "ID", 2))
				slot = osr->id;
			else if (klen == 10 && !memcmp(k, "VERSION_ID", 10))
				slot = osr->version_id;
			else if (klen == 7 && !memcmp(k, "ID_LIKE", 7))
				slot = osr->id_like;
			else if (klen == 4 && !memcmp(k, "NAME", 4))
				slot = osr->name;
			if (slot)
				memcpy(slot, value, strlen(value) + 1);
		}
		p = eol + 1;
	}
}

/* "@root@rel" into @out (@n bytes); false when it does not fit. */
static bool root_path(const char *root, const char *rel, char *out, size_t n)
{
	int len;

	if (!strcmp(root, "/"))
		root = "";
	len = snprintf(out, n, "%s%s", root, rel);
	return len >= 0 && (size_t)len < n;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Does @path hold a valid BTF? A regular or sysfs file, read whole (never
 * blocking), and parsed: an empty or unparsable file is "no BTF".
 */
static bool has_valid_btf(const char *path)
{
	struct util_file f;
	struct btf *btf = NULL;
	struct diag_cap prev;
	char buf[256];
	bool ok = false;

	if (access(path, F_OK))
		return false;
	prev = diag_capture(buf, sizeof(buf));	/* "no BTF" is not an error here */
	if (!util_file_open_at(AT_FDCWD, path, path, UTIL_F_QUIET, util_limits.btf_size, &f)) {
		ok = btf_is_raw(f.data, f.size) && !btf_parse_view(f.data, f.size, path, &btf);
		btf_free(btf);
		util_file_close(&f);
	}
	diag_capture_restore(prev);
	return ok;
}

int hub_host_facts(const struct hub_host_opts *o, struct hub_host *h)
{
	static const struct hub_host_opts none;
	const char *osr_path = NULL, *env;
	char path[HUB_HOST_PATH_MAX];
	struct utsname u;
	struct util_file f;

	if (!o)
		o = &none;
	memset(h, 0, sizeof(*h));
	/* ROOT */
	if (o->root)
		snprintf(h->root, sizeof(h->root), "%s", o->root);
	else if ((env = getenv("BTFGEN_HOST_ROOT")) && *env)
		snprintf(h->root, sizeof(h->root), "%s", env);
	else if (is_file("/host/etc/os-release"))
		snprintf(h->root, sizeof(h->root), "/host");
	else
		snprintf(h->root, sizeof(h->root), "/");
	/* os-release */
	if (o->os_release) {
		osr_path = o->os_release;
	} else if ((env = getenv("BTFGEN_OS_RELEASE")) && *env) {
		osr_path = env;
	} else {
		if (root_path(h->root, "/etc/os-release", path, sizeof(path)) && is_file(path))
			osr_path = path;
		else if (root_path(h->root, "/usr/lib/os-release", path, sizeof(path)) &&
			 is_file(path))
			osr_path = path;
	}
	if (osr_path && !util_file_open_at(AT_FDCWD, osr_path, osr_path, UTIL_F_QUIET,
					   OS_RELEASE_MAX_SIZE, &f)) {
		snprintf(h->os_release_path, sizeof(h->os_release_path), "%s", osr_path);
		hub_os_release_parse(f.data, f.size, &h->osr);
		h->have_os_release = true;
		util_file_close(&f);
	}
	/* release and arch */
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	snprintf(h->release, sizeof(h->release), "%s", o->kernel_release ? o->kernel_release :
								       u.release);
	snprintf(h->arch, sizeof(h->arch), "%s", o->arch ? o->arch : u.machine);
	/* the kernel's own BTF */
	if (root_path(h->root, "/sys/kernel/btf/vmlinux", path, sizeof(path)))
		h->kernel_has_btf = has_valid_btf(path);
	if (!h->release[0] || !h->arch[0])
		return -ENOENT;
	return 0;
}
