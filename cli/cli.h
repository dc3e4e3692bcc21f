/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the command implementations share: the parsed options, the
 * input helpers and the commands themselves. The command line only parses,
 * calls the library (core, hub) and prints.
 */
#ifndef BTFGEN_CLI_H
#define BTFGEN_CLI_H

#include "btf/btf.h"
#include "core/core.h"
#include "hub/hub.h"
#include "serve/serve.h"
#include "util/fileio.h"

#define EXIT_USAGE 2

#ifndef BTFGEN_VERSION
#define BTFGEN_VERSION "0.1.0"
#endif

enum cli_verify { CLI_VERIFY_DEFAULT, CLI_VERIFY_OFF, CLI_VERIFY_ON };

/* Every command's options, as parsed (main.c); each command reads its own. */
struct cli_opts {
	const char *cmd;		/* the command's name, for messages */
	bool first_match_only;		/* min_core_btf, archive */
	enum cli_verify verify;		/* min_core_btf, archive */
	const char *btf;		/* relocs --btf */
	bool json;			/* relocs --json */
	int jobs;			/* archive -j; 0: number of CPUs */
	int dedup;			/* archive --dedup (enum hub_dedup) */
	struct hub_filter filter;	/* archive --distro, --distro-version, --arch, --release */
	const char *tar_path;		/* archive --tar */
	const char *report_path;	/* archive --report */
	const char *from;		/* select, install: --from COLLECTION */
	struct hub_host_opts host;	/* select, install: --root, --os-release, ... */
	bool force, allow_nearest, explain;
	bool format_raw;		/* install --format raw */
	const char *output;		/* install --output */
	struct serve_opts serve;	/* serve: the limits (-j goes to jobs) */
};

/*
 * A usage error: "btfgen: CMD: MESSAGE" and a line pointing at the
 * command's --help. Returns EXIT_USAGE.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Every BPF object of the file @path: the file itself (e_machine 247) or
 * the objects embedded in an executable or library (core_obj_scan).
 * Prints one line on error.
 */
int cli_for_each_object(const char *path, core_obj_fn fn, void *ctx);
/* Every object of the @n files @paths, appended to @objs. */
int cli_load_objects(char **paths, int n, struct core_objs *objs);

/* The commands: argv holds the positional arguments after the command's name. */
int cmd_min_core_btf(const struct cli_opts *o, int argc, char **argv);
int cmd_relocs(const struct cli_opts *o, int argc, char **argv);
int cmd_verify(const struct cli_opts *o, int argc, char **argv);
int cmd_archive(const struct cli_opts *o, int argc, char **argv);
int cmd_serve(const struct cli_opts *o, int argc, char **argv);
int cmd_cat(const struct cli_opts *o, int argc, char **argv);
int cmd_select(const struct cli_opts *o, int argc, char **argv);
int cmd_install(const struct cli_opts *o, int argc, char **argv);

#endif /* BTFGEN_CLI_H */
