// SPDX-License-Identifier: MIT
/*
 * serve.c - `btfgen serve ARCHIVE_DIR`: options in, signals wired to the
 * server (SIGTERM/SIGINT stop, SIGHUP rescans), its lines on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The server the signal handlers talk to: set once, before they are installed. */
static struct serve *the_server;

static void on_stop(int sig)
{
	(void)sig;
	serve_stop(the_server);
}

static void on_hup(int sig)
{
	(void)sig;
	serve_rescan(the_server);
}

static void log_line(const char *line, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "btfgen: %s\n", line);
}

int cmd_serve(const struct cli_opts *o, int argc, char **argv)
{
	struct serve_opts so = o->serve;
	struct sigaction sa;
	struct serve *s;
	int err;

	(void)argc;
	so.archive_dir = argv[0];
	if (o->jobs)
		so.workers = (unsigned)o->jobs;
	if (so.workers > SERVE_MAX_WORKERS)
		return cli_usage_error("serve", "-j at most %d", SERVE_MAX_WORKERS);
	so.log = log_line;
	err = serve_new(&so, &s);
	if (err)
		return EXIT_FAILURE;
	the_server = s;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	err = serve_run(s);
	serve_free(s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
