// SPDX-License-Identifier: MIT
/*
 * main.c - the btfgen command line: one table of commands, one table of
 * options (each saying which commands take it), option parsing, help texts
 * and exit codes (0 success, 1 error or difference found, 2 usage).
 *
 *   btfgen [OPTIONS] COMMAND [OPTIONS] ARGS...
 *   btfgen [OPTIONS] gen min_core_btf INPUT OUTPUT OBJECT...   (bpftool spelling)
 *
 * Options may stand before or after the command, up to a "--". Both
 * "-j2"/"-j 2" and "--jobs=2"/"--jobs 2" spellings work. An unknown option,
 * a missing value or a wrong number of arguments prints one line saying so
 * and a pointer to the command's --help, and exits 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* ---- commands ----------------------------------------------------------- */

enum {
	C_MIN = 1 << 0,
	C_RELOCS = 1 << 1,
	C_VERIFY = 1 << 2,
	C_ARCHIVE = 1 << 3,
	C_CAT = 1 << 4,
	C_SELECT = 1 << 5,
	C_INSTALL = 1 << 6,
	C_SERVE = 1 << 7,
	C_ALL = C_MIN | C_RELOCS | C_VERIFY | C_ARCHIVE | C_CAT | C_SELECT | C_INSTALL | C_SERVE,
	C_PICK = C_SELECT | C_INSTALL,
};

struct command {
	const char *name;
	unsigned bit;
	const char *args;	/* positional arguments, for usage lines */
	int min_args, max_args;	/* max -1: no limit */
	const char *summary;	/* one line for `btfgen --help` */
	const char *help;	/* the command's own --help text */
	int (*run)(const struct cli_opts *o, int argc, char **argv);
};

static const struct command commands[] = {
	{ "min_core_btf", C_MIN, "INPUT OUTPUT OBJECT...", 3, -1,
	  "write a reduced BTF of INPUT for the CO-RE relocations of the OBJECTs",
	  "Write to OUTPUT a reduced BTF holding only the types and members of INPUT\n"
	  "that the CO-RE relocations of the OBJECTs use (bpftool gen min_core_btf),\n"
	  "after checking that it answers every relocation exactly as INPUT does.\n"
	  "\n"
	  "INPUT: a kernel BTF: raw (either byte order), an ELF with a .BTF section,\n"
	  "or .xz / .tar.xz of either (BTFHub's packaging).\n"
	  "OUTPUT: written atomically; on failure nothing is written.\n"
	  "OBJECT: a BPF ELF object, or an executable or library embedding them\n"
	  "(libbpf skeletons). Also spelled `btfgen gen min_core_btf`.\n",
	  cmd_min_core_btf },
	{ "relocs", C_RELOCS, "OBJECT...", 1, -1,
	  "list every CO-RE relocation, and what it resolves to on a kernel",
	  "List every CO-RE relocation of the OBJECTs with its access written as C;\n"
	  "with --btf, what libbpf will do with it on KERNEL: the target type, the\n"
	  "value patched into the instruction, or why it fails.\n",
	  cmd_relocs },
	{ "verify", C_VERIFY, "KERNEL REDUCED OBJECT...", 3, -1,
	  "check that REDUCED answers every relocation exactly as KERNEL does",
	  "Resolve every relocation of the OBJECTs against KERNEL and against REDUCED\n"
	  "and compare the outcomes. Exit 0 and one summary line when all agree;\n"
	  "exit 1 and one line per differing relocation otherwise.\n",
	  cmd_verify },
	{ "archive", C_ARCHIVE, "INPUT_DIR OUTPUT_DIR OBJECT...", 3, -1,
	  "reduce every kernel of a BTFHub-style tree into a mirrored tree",
	  "Reduce every kernel file below INPUT_DIR (a BTFHub archive, any subtree of\n"
	  "one, a folder above it, or a flat folder of .btf.tar.xz, .btf.xz, .btf or\n"
	  "vmlinux-RELEASE files) into OUTPUT_DIR, mirroring each input's path with\n"
	  "its packaging suffix replaced by .btf. Each output is what min_core_btf\n"
	  "writes for that kernel, verified like it. Identical inputs are reduced\n"
	  "once, identical outputs stored once, and OUTPUT_DIR/btfgen-manifest.json\n"
	  "lets the next run skip the kernels that did not change. A kernel's ID,\n"
	  "VERSION_ID and arch (for the filters) are the last three folder names\n"
	  "above its file. OUTPUT_DIR must not overlap INPUT_DIR.\n",
	  cmd_archive },
	{ "select", C_SELECT, "--from COLLECTION", 0, 0,
	  "print which BTF of a collection this host's kernel needs",
	  "Print the path, inside COLLECTION, of the BTF this host's kernel needs,\n"
	  "found from os-release's ID, VERSION_ID and ID_LIKE, the kernel release and\n"
	  "the arch, in this order: exact ID/VERSION_ID/arch/release, the major\n"
	  "VERSION_ID, each ID of ID_LIKE, the release anywhere in the collection\n"
	  "(for the host's arch only, told apart by release markers such as .el8 or\n"
	  ".amzn2), and with --allow-nearest the release sharing the longest prefix.\n"
	  "Nothing is printed when the kernel has its own BTF (a note on stderr).\n"
	  "\n"
	  "COLLECTION: a folder in the BTFHub layout (what `btfgen archive` writes, or\n"
	  "BTFHub's own .btf.tar.xz tree), a tar written by `archive --tar`, or that\n"
	  "tar compressed with xz.\n",
	  cmd_select },
	{ "install", C_INSTALL, "--from COLLECTION", 0, 0,
	  "write the BTF this host's kernel needs where libbpf finds it",
	  "Pick the BTF this host's kernel needs from COLLECTION (as `btfgen select`)\n"
	  "and write it: by default as an ELF file with one .BTF section (this host's\n"
	  "class, byte order and machine) at ROOT/boot/vmlinux-RELEASE, where libbpf\n"
	  "and cilium/ebpf look by themselves, so unmodified programs find it; with\n"
	  "--format raw --output PATH as raw BTF for btf_custom_path. Written\n"
	  "atomically, mode 0644. An existing file that is not btfgen's (an ELF\n"
	  "without btfgen's .btfgen section; with --format raw, anything but raw BTF)\n"
	  "is left alone unless --force. Nothing is written when the kernel has its\n"
	  "own BTF.\n",
	  cmd_install },
	{ "serve", C_SERVE, "ARCHIVE_DIR", 1, 1,
	  "answer the BTFHub Online API over HTTP from an archive of kernels",
	  "Serve the BTFHub Online API (list, download, customize) from ARCHIVE_DIR,\n"
	  "a BTFHub tree of .btf.tar.xz (any shape `archive` accepts). customize\n"
	  "answers with what `btfgen min_core_btf` writes for the kernel and the\n"
	  "uploaded bpf parts, verified the same way. One line on stderr when ready\n"
	  "(the address, the kernels indexed), one per request unless --quiet.\n"
	  "SIGTERM/SIGINT: stop accepting, finish requests in flight (--grace), exit 0.\n"
	  "SIGHUP: walk the archive again without dropping requests.\n",
	  cmd_serve },
	{ "cat", C_CAT, "FILE", 1, 1,
	  "write the kernel BTF inside FILE (.btf.tar.xz, .xz) to stdout",
	  "Write the kernel BTF inside FILE (.btf.tar.xz, .btf.xz, raw) to stdout,\n"
	  "decompressed with btfgen's own xz and tar readers.\n",
	  cmd_cat },
};

/* ---- options ------------------------------------------------------------ */

enum opt_id {
	O_VERBOSE, O_DEBUG, O_HELP, O_VERSION, O_MAX_INPUT, O_MAX_BTF, O_MAX_TYPES,
	O_FIRST_MATCH, O_VERIFY, O_NO_VERIFY, O_BTF, O_JSON, O_JOBS, O_DEDUP, O_DISTRO,
	O_DISTRO_VERSION, O_ARCH, O_RELEASE, O_TAR, O_REPORT, O_FROM, O_ROOT, O_OS_RELEASE,
	O_KERNEL_RELEASE, O_HOST_ARCH, O_FORCE, O_ALLOW_NEAREST, O_EXPLAIN, O_FORMAT, O_OUTPUT,
	O_LISTEN, O_QUIET, O_RESCAN, O_MAX_CONNS, O_QUEUE, O_MAX_UPLOAD, O_MAX_HEAD, O_HEADER_TIMEOUT,
	O_BODY_TIMEOUT, O_IDLE_TIMEOUT, O_GRACE, O_CACHE_SIZE, O_RESULT_CACHE_SIZE, O_BATCH_MAX,
};

struct option {
	enum opt_id id;
	char short_name;	/* 0: none */
	const char *long_name;
	const char *arg;	/* the value's name; NULL: takes none */
	unsigned cmds;		/* the commands that take it */
	const char *help;
};

static const struct option options[] = {
	{ O_FIRST_MATCH, 0, "first-match-only", NULL, C_MIN | C_ARCHIVE,
	  "mark only the first matching candidate, as bpftool does (can resolve\n"
	  "differently on kernels with duplicate types; a verification difference\n"
	  "is then a warning unless --verify)" },
	{ O_NO_VERIFY, 0, "no-verify", NULL, C_MIN | C_ARCHIVE,
	  "skip checking that the output answers every relocation like the kernel" },
	{ O_VERIFY, 0, "verify", NULL, C_MIN | C_ARCHIVE,
	  "a verification difference is an error, also with --first-match-only" },
	{ O_BTF, 0, "btf", "KERNEL", C_RELOCS, "resolve against KERNEL" },
	{ O_JSON, 0, "json", NULL, C_RELOCS, "one JSON array, an object per relocation" },
	{ O_JSON, 0, "json", NULL, C_SELECT,
	  "one JSON object: the host facts, every step tried and why, the pick" },
	{ O_FROM, 0, "from", "COLLECTION", C_PICK, "the collection to pick from (required)" },
	{ O_ROOT, 0, "root", "DIR", C_PICK,
	  "the host's root (default: $BTFGEN_HOST_ROOT, else /host when /host/etc/os-release "
	  "exists, else /)" },
	{ O_OS_RELEASE, 0, "os-release", "FILE", C_PICK,
	  "the host's os-release (default: $BTFGEN_OS_RELEASE, else ROOT/etc/os-release, "
	  "else ROOT/usr/lib/os-release)" },
	{ O_KERNEL_RELEASE, 0, "kernel-release", "R", C_PICK, "the kernel release (default: uname -r)" },
	{ O_HOST_ARCH, 0, "arch", "ARCH", C_PICK,
	  "the host's arch (default: uname -m; arm64 = aarch64, x86_64 = amd64)" },
	{ O_FORCE, 0, "force", NULL, C_PICK,
	  "pick even when the kernel has its own BTF; install: replace a file btfgen did not write" },
	{ O_ALLOW_NEAREST, 0, "allow-nearest", NULL, C_PICK,
	  "last resort: the same distribution's release sharing the longest prefix (a warning: "
	  "struct layouts may differ)" },
	{ O_EXPLAIN, 0, "explain", NULL, C_PICK, "name every matching step tried, on stderr" },
	{ O_FORMAT, 0, "format", "elf|raw", C_INSTALL,
	  "elf (default): a .BTF section in an ELF file; raw: the bare BTF" },
	{ O_OUTPUT, 0, "output", "PATH", C_INSTALL, "where to write (default: ROOT/boot/vmlinux-RELEASE)" },
	{ O_JOBS, 'j', "jobs", "N", C_ARCHIVE, "worker threads (default: number of CPUs)" },
	{ O_JOBS, 'j', "jobs", "N", C_SERVE, "reductions at once (default: number of CPUs)" },
	{ O_LISTEN, 0, "listen", "ADDR:PORT", C_SERVE,
	  "where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6; port 0: any free one)" },
	{ O_QUIET, 'q', "quiet", NULL, C_SERVE, "no line per request" },
	{ O_RESCAN, 0, "rescan", "SECONDS", C_SERVE, "walk the archive again every SECONDS (default: only on SIGHUP)" },
	{ O_MAX_CONNS, 0, "max-connections", "N", C_SERVE, "open connections at most (default 256); beyond: 503" },
	{ O_QUEUE, 0, "queue", "N", C_SERVE, "reductions waiting for a worker at most (default 64); beyond: 503" },
	{ O_MAX_UPLOAD, 0, "max-upload", "SIZE", C_SERVE, "largest request body (default 32M); beyond: 413" },
	{ O_MAX_HEAD, 0, "max-head", "SIZE", C_SERVE, "largest request line and headers (default 16K); beyond: 431" },
	{ O_HEADER_TIMEOUT, 0, "header-timeout", "SECONDS", C_SERVE, "to receive a request head (default 10)" },
	{ O_BODY_TIMEOUT, 0, "body-timeout", "SECONDS", C_SERVE, "to receive a body, and to send an answer (default 60)" },
	{ O_IDLE_TIMEOUT, 0, "idle-timeout", "SECONDS", C_SERVE, "a kept-alive connection may sit idle (default 30)" },
	{ O_GRACE, 0, "grace", "SECONDS", C_SERVE, "on SIGTERM, to finish requests in flight (default 10)" },
	{ O_CACHE_SIZE, 0, "cache-size", "SIZE", C_SERVE, "parsed kernels kept, in bytes (default 256M)" },
	{ O_RESULT_CACHE_SIZE, 0, "result-cache-size", "SIZE", C_SERVE, "answers kept, in bytes (default 64M)" },
	{ O_BATCH_MAX, 0, "batch-max", "N", C_SERVE, "kernels in one batch customize at most (default 64)" },
	{ O_DEDUP, 0, "dedup", "MODE", C_ARCHIVE,
	  "identical outputs as hardlink (default), symlink (relative) or copy" },
	{ O_DISTRO, 0, "distro", "ID", C_ARCHIVE, "only kernels of this distribution (os-release ID)" },
	{ O_DISTRO_VERSION, 0, "distro-version", "VERSION_ID", C_ARCHIVE,
	  "only kernels of this distribution version (os-release VERSION_ID)" },
	{ O_ARCH, 0, "arch", "ARCH", C_ARCHIVE, "only kernels of this arch (arm64 = aarch64, x86_64 = amd64)" },
	{ O_RELEASE, 0, "release", "GLOB", C_ARCHIVE, "only kernels whose release (file name) matches" },
	{ O_TAR, 0, "tar", "FILE", C_ARCHIVE,
	  "also a deterministic tar of the output tree (identical outputs as hard links)" },
	{ O_REPORT, 0, "report", "FILE", C_ARCHIVE,
	  "per object, the kernels where relocations are poisoned, which and why\n"
	  "(JSON if FILE ends in .json)" },
	{ O_MAX_INPUT, 0, "max-input-size", "SIZE", C_ALL,
	  "refuse input files larger than SIZE (default 2G)" },
	{ O_MAX_BTF, 0, "max-btf-size", "SIZE", C_ALL,
	  "refuse to decompress a kernel BTF beyond SIZE (default 512M)" },
	{ O_MAX_TYPES, 0, "max-types", "N", C_ALL, "refuse BTF with more than N types (default 4194304)" },
	{ O_VERBOSE, 'v', "verbose", NULL, C_ALL, "say what is read and written" },
	{ O_DEBUG, 'd', "debug", NULL, C_ALL, "also trace every relocation" },
	{ O_HELP, 'h', "help", NULL, C_ALL, "this help" },
	{ O_VERSION, 'V', "version", NULL, C_ALL, "print btfgen's version" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Help text starts at this column; lines are wrapped before HELP_WIDTH. */
#define HELP_COL	30
#define HELP_WIDTH	80

/* @text word-wrapped from column @col (already there) to HELP_WIDTH, indented HELP_COL. */
static void print_wrapped(FILE *f, const char *text, size_t col)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " \n");

		if (col > HELP_COL && col + 1 + n >= HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)n, p);
		col += n;
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', f);
}

static void print_options(FILE *f, unsigned mask, bool global)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option *op = &options[i];
		int n;

		if (global != (op->cmds == C_ALL) || !(op->cmds & mask))
			continue;
		if (op->short_name)
			n = fprintf(f, "  -%c, --%s%s%s", op->short_name, op->long_name,
				    op->arg ? " " : "", op->arg ? op->arg : "");
		else
			n = fprintf(f, "      --%s%s%s", op->long_name, op->arg ? " " : "",
				    op->arg ? op->arg : "");
		if (n < HELP_COL) {
			fprintf(f, "%*s", HELP_COL - n, "");
		} else {
			fprintf(f, "\n%*s", HELP_COL, "");
		}
		print_wrapped(f, op->help, HELP_COL);
	}
}

static void help_main(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: btfgen [OPTIONS] COMMAND [OPTIONS] ARGS...\n"
		   "\n"
		   "Reduced BTF for eBPF CO-RE programs: only the kernel types and members\n"
		   "their relocations use, for kernels that do not expose their own BTF.\n"
		   "\n"
		   "Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions of every command:\n");
	print_options(f, C_ALL, true);
	fprintf(f, "\nSIZE: bytes, or with a K, M or G suffix (x1024).\n"
		   "Run 'btfgen COMMAND --help' for a command's arguments and options.\n"
		   "Exit status: 0 success, 1 error (or a difference found), 2 usage.\n");
}

static void help_command(FILE *f, const struct command *c)
{
	fprintf(f, "Usage: btfgen %s [OPTIONS] %s\n\n%s", c->name, c->args, c->help);
	fprintf(f, "\nOptions:\n");
	print_options(f, c->bit, false);
	print_options(f, c->bit, true);
	fprintf(f, "\nSIZE: bytes, or with a K, M or G suffix (x1024).\n"
		   "Exit status: 0 success, 1 error%s, 2 usage.\n",
		c->bit == C_VERIFY ? " or a difference found" : "");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "btfgen: %s%s%s\nTry 'btfgen %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? ": " : "", msg, cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

/* ---- parsing ------------------------------------------------------------ */

/* "123", "64K", "512M", "2G" (powers of 1024) in [@min, @max]. */
static bool parse_size(const char *v, u64 min, u64 max, u64 *out)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!*v || *v < '0' || *v > '9')
		return false;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (end != v && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
	}
	if (*end || errno || n > (max >> shift) || (n << shift) < min)
		return false;
	*out = (u64)n << shift;
	return true;
}

struct parse {
	int argc;
	char **argv;
	const struct command *cmd;	/* NULL until the command is known */
	struct cli_opts o;
	char **pos;			/* positional arguments after the command */
	int nr_pos;
	bool help, version;
};

/*
 * Find option @name (long, without "--") or @c (short). One name may stand
 * for different options of different commands (--arch, --json): the one of
 * command @cmd wins (0: the command is not known yet; all spellings of a
 * name take a value alike).
 */
static const struct option *find_option(const char *name, size_t len, char c, unsigned cmd)
{
	const struct option *found = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		if (c ? options[i].short_name != c :
			strlen(options[i].long_name) != len ||
			strncmp(options[i].long_name, name, len))
			continue;
		if (!found || (options[i].cmds & cmd))
			found = &options[i];
		if (options[i].cmds & cmd)
			break;
	}
	return found;
}

/* Apply option @op with value @v (NULL if it takes none). Returns 0 or EXIT_USAGE. */
static int apply(struct parse *p, const struct option *op, const char *v, const char *spelled)
{
	const char *cmd = p->cmd ? p->cmd->name : NULL;
	struct cli_opts *o = &p->o;
	u64 n;

	if (p->cmd && !(op->cmds & p->cmd->bit))
		return cli_usage_error(cmd, "unknown option '%s' (not an option of %s)", spelled,
				       cmd);
	switch (op->id) {
	case O_VERBOSE:
		if (diag_level < DIAG_INFO)
			diag_level = DIAG_INFO;
		break;
	case O_DEBUG: diag_level = DIAG_DEBUG; break;
	case O_HELP: p->help = true; break;
	case O_VERSION: p->version = true; break;
	case O_FIRST_MATCH: o->first_match_only = true; break;
	case O_VERIFY: o->verify = CLI_VERIFY_ON; break;
	case O_NO_VERIFY: o->verify = CLI_VERIFY_OFF; break;
	case O_BTF: o->btf = v; break;
	case O_JSON: o->json = true; break;
	case O_JOBS:
		if (!parse_size(v, 1, 4096, &n) || strpbrk(v, "kKmMgG"))
			return cli_usage_error(cmd, "%s needs a number of threads from 1 to 4096, not '%s'",
					       spelled, v);
		o->jobs = (int)n;
		break;
	case O_DEDUP:
		o->dedup = hub_dedup_parse(v);
		if (o->dedup < 0)
			return cli_usage_error(cmd, "--dedup must be hardlink, symlink or copy, not '%s'",
					       v);
		break;
	case O_DISTRO: o->filter.id = v; break;
	case O_DISTRO_VERSION: o->filter.version_id = v; break;
	case O_ARCH: o->filter.arch = v; break;
	case O_RELEASE: o->filter.release_glob = v; break;
	case O_TAR: o->tar_path = v; break;
	case O_FROM: o->from = v; break;
	case O_ROOT: o->host.root = v; break;
	case O_OS_RELEASE: o->host.os_release = v; break;
	case O_KERNEL_RELEASE: o->host.kernel_release = v; break;
	case O_HOST_ARCH: o->host.arch = v; break;
	case O_FORCE: o->force = true; break;
	case O_ALLOW_NEAREST: o->allow_nearest = true; break;
	case O_EXPLAIN: o->explain = true; break;
	case O_OUTPUT: o->output = v; break;
	case O_FORMAT:
		if (strcmp(v, "elf") && strcmp(v, "raw"))
			return cli_usage_error(cmd, "--format must be elf or raw, not '%s'", v);
		o->format_raw = !strcmp(v, "raw");
		break;
	case O_REPORT: o->report_path = v; break;
	case O_LISTEN: o->serve.listen = v; break;
	case O_QUIET: o->serve.quiet = true; break;
	case O_RESCAN: case O_MAX_CONNS: case O_QUEUE: case O_HEADER_TIMEOUT: case O_BODY_TIMEOUT:
	case O_IDLE_TIMEOUT: case O_GRACE: case O_BATCH_MAX: {
		u64 min = op->id == O_RESCAN || op->id == O_QUEUE || op->id == O_GRACE ? 0 : 1;
		u64 max = op->id == O_MAX_CONNS ? 65536 : op->id == O_QUEUE ? 1u << 20 : 86400;

		if (!parse_size(v, min, max, &n) || strpbrk(v, "kKmMgG"))
			return cli_usage_error(cmd, "%s needs a number from %llu to %llu, not '%s'",
					       spelled, (unsigned long long)min,
					       (unsigned long long)max, v);
		switch (op->id) {
		case O_RESCAN: o->serve.rescan_s = (unsigned)n; break;
		case O_MAX_CONNS: o->serve.max_conns = (unsigned)n; break;
		case O_QUEUE: o->serve.queue_max = (unsigned)n; break;
		case O_HEADER_TIMEOUT: o->serve.header_timeout_ms = (unsigned)n * 1000; break;
		case O_BODY_TIMEOUT: o->serve.body_timeout_ms = (unsigned)n * 1000; break;
		case O_IDLE_TIMEOUT: o->serve.idle_timeout_ms = (unsigned)n * 1000; break;
		case O_GRACE: o->serve.grace_ms = (unsigned)n * 1000; break;
		default: o->serve.batch_max = (unsigned)n; break;
		}
		break;
	}
	case O_MAX_UPLOAD:
		if (!parse_size(v, 1, 1ull << 32, &o->serve.body_max))
			goto bad_size;
		break;
	case O_MAX_HEAD:
		if (!parse_size(v, 256, 1u << 20, &n))
			return cli_usage_error(cmd, "%s needs a size from 256 to 1M, not '%s'", spelled, v);
		o->serve.head_max = (unsigned)n;
		break;
	case O_CACHE_SIZE:
		if (!parse_size(v, 0, UINT64_MAX >> 1, &o->serve.cache_bytes))
			goto bad_size;
		break;
	case O_RESULT_CACHE_SIZE:
		if (!parse_size(v, 0, UINT64_MAX >> 1, &o->serve.result_cache_bytes))
			goto bad_size;
		break;
	case O_MAX_INPUT:
		if (!parse_size(v, 1, UINT64_MAX >> 1, &util_limits.input_size))
			goto bad_size;
		break;
	case O_MAX_BTF:
		if (!parse_size(v, 1, SIZE_MAX >> 1, &util_limits.btf_size))
			goto bad_size;
		break;
	case O_MAX_TYPES:
		if (!parse_size(v, 1, LIMIT_TYPES_MAX, &n))
			return cli_usage_error(cmd, "%s needs a number from 1 to %u, not '%s'",
					       spelled, LIMIT_TYPES_MAX, v);
		util_limits.types = (u32)n;
		break;
	}
	return 0;
bad_size:
	return cli_usage_error(cmd, "%s needs a size in bytes (K, M, G suffixes allowed), not '%s'",
			       spelled, v);
}

/*
 * One pass over argv. With @apply_opts false it only finds the command (so
 * that the second pass can check each option against it and point at its
 * help); unknown options are then left for the second pass to report.
 */
static int scan(struct parse *p, bool apply_opts)
{
	bool dashdash = false;
	int i, rc;

	p->nr_pos = 0;
	for (i = 1; i < p->argc; i++) {
		const char *a = p->argv[i], *v = NULL;
		const char *cmd = p->cmd ? p->cmd->name : NULL;
		const struct option *op;
		char spelled[64];

		if (dashdash || a[0] != '-' || !a[1]) {
			if (apply_opts)
				p->pos[p->nr_pos++] = p->argv[i];
			else if (!p->cmd && strcmp(a, "gen"))
				p->cmd = find_command(a);
			if (!apply_opts && !p->cmd && strcmp(a, "gen"))
				return 0;	/* not a command: reported by main */
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (a[1] == '-') {
			size_t len = strcspn(a + 2, "=");

			op = find_option(a + 2, len, 0, p->cmd ? p->cmd->bit : 0);
			snprintf(spelled, sizeof(spelled), "--%.*s", (int)(len < 50 ? len : 50), a + 2);
			if (op && a[2 + len] == '=') {
				if (!op->arg) {
					if (apply_opts)
						return cli_usage_error(cmd, "option '%s' takes no value",
								       spelled);
					continue;
				}
				v = a + 3 + len;
			}
		} else {
			/* -v, -j2, -j 2, and clusters like -vd or -vj2 */
			const char *c;

			for (c = a + 1; c[1]; c++) {
				op = find_option(NULL, 0, *c, p->cmd ? p->cmd->bit : 0);
				if (!op || op->arg)
					break;
				snprintf(spelled, sizeof(spelled), "-%c", *c);
				if (apply_opts && (rc = apply(p, op, NULL, spelled)))
					return rc;
			}
			op = find_option(NULL, 0, *c, p->cmd ? p->cmd->bit : 0);
			snprintf(spelled, sizeof(spelled), "-%c", *c);
			if (op && op->arg && c[1])
				v = c + 1;
			else if (op && c[1])
				op = NULL;	/* "-vx": x is not an option */
		}
		if (!op) {
			if (apply_opts)
				return cli_usage_error(cmd, "unknown option '%s'", a);
			continue;
		}
		if (op->arg && !v) {
			if (i + 1 == p->argc) {
				if (apply_opts)
					return cli_usage_error(cmd, "option '%s' needs a value (%s)",
							       spelled, op->arg);
				continue;
			}
			v = p->argv[++i];
		}
		if (apply_opts && (rc = apply(p, op, v, spelled)))
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct parse p = { .argc = argc, .argv = argv };
	char **pos;
	int n, rc;

#ifdef BTFGEN_FAULT_INJECTION
	/* test builds only (tests/e2e/allocfail.sh): the Nth allocation fails */
	if (getenv("BTFGEN_FAIL_ALLOC"))
		util_alloc_fail_at = strtoul(getenv("BTFGEN_FAIL_ALLOC"), NULL, 10);
#endif
	p.pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!p.pos) {
		fprintf(stderr, "btfgen: out of memory\n");
		return EXIT_FAILURE;
	}
	p.o.dedup = HUB_DEDUP_HARDLINK;
	serve_opts_default(&p.o.serve);
	scan(&p, false);
	rc = scan(&p, true);
	if (rc)
		goto out;
	if (p.version) {
		printf("btfgen %s\n", BTFGEN_VERSION);
		goto out;
	}
	pos = p.pos;
	n = p.nr_pos;
	if (n >= 1 && !strcmp(pos[0], "gen")) {	/* bpftool's spelling */
		pos++;
		n--;
	}
	if (n >= 1 && !strcmp(pos[0], "help")) {	/* btfgen help [COMMAND] */
		p.help = true;
		pos++;
		n--;
		p.cmd = n ? find_command(pos[0]) : NULL;
		if (n && !p.cmd) {
			rc = cli_usage_error(NULL, "unknown command '%s'", pos[0]);
			goto out;
		}
	}
	if (p.help) {
		if (p.cmd)
			help_command(stdout, p.cmd);
		else
			help_main(stdout);
		goto out;
	}
	if (n < 1) {
		help_main(stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!p.cmd) {
		rc = cli_usage_error(NULL, "unknown command '%s'", pos[0]);
		goto out;
	}
	n--;
	pos++;
	if (n < p.cmd->min_args || (p.cmd->max_args >= 0 && n > p.cmd->max_args)) {
		rc = cli_usage_error(p.cmd->name, "needs %s, %d argument%s given", p.cmd->args, n,
				     n == 1 ? "" : "s");
		goto out;
	}
	p.o.cmd = p.cmd->name;
	rc = p.cmd->run(&p.o, n, pos);
out:
	free(p.pos);
#ifdef BTFGEN_FAULT_INJECTION
	if (getenv("BTFGEN_COUNT_ALLOCS"))
		fprintf(stderr, "allocations: %lu\n", (unsigned long)atomic_load(&util_alloc_count));
#endif
	return rc;
}
