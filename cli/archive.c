// SPDX-License-Identifier: MIT
/*
 * archive.c - `btfgen archive [OPTIONS] INPUT_DIR OUTPUT_DIR OBJECT...`: the
 * objects are loaded here, the tree is the hub library's (hub_archive);
 * this file prints the progress line (on a terminal) and the summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

/* One updating line on stderr while kernels are reduced (a terminal only). */
static void progress(size_t done, size_t todo, double seconds, void *ctx)
{
	double rate = seconds > 0 ? (double)done / seconds : 0;

	(void)ctx;
	fprintf(stderr, "\rbtfgen: archive: %zu/%zu kernels, %.1f kernels/s, ETA %.0f s ", done, todo,
		rate, rate > 0 ? (double)(todo - done) / rate : 0.0);
	if (done == todo)
		fprintf(stderr, "\r\033[K");
}

int cmd_archive(const struct cli_opts *o, int argc, char **argv)
{
	struct hub_archive_opts ao = {
		.in_dir = argv[0],
		.out_dir = argv[1],
		.jobs = o->jobs,
		.dedup = (enum hub_dedup)o->dedup,
		.filter = o->filter,
		.tar_path = o->tar_path,
		.report_path = o->report_path,
		.first_match_only = o->first_match_only,
		.verify = o->verify != CLI_VERIFY_OFF,
		.verify_fatal = o->verify == CLI_VERIFY_ON || !o->first_match_only,
		.progress = isatty(2) ? progress : NULL,
	};
	struct core_objs objs = { 0 };
	struct hub_objects ho;
	struct hub_archive_stats st;
	int err;

	if (ao.jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		ao.jobs = n > 0 ? (int)n : 1;
	}
	if (ao.jobs > HUB_MAX_JOBS)
		ao.jobs = HUB_MAX_JOBS;
	err = cli_load_objects(argv + 2, argc - 2, &objs);
	if (err)
		goto out;
	ho = (struct hub_objects){ objs.v, objs.n, (const char *const *)(argv + 2),
				   (size_t)(argc - 2) };
	err = hub_archive(&ao, &ho, &st);
	if (err == -ENOENT && st.walked) {
		if (st.filtered_out)
			pr_warn("archive: no kernel under %s matches the filters (%zu kernel%s filtered out, %zu other file%s passed over)",
				ao.in_dir, st.filtered_out, st.filtered_out == 1 ? "" : "s",
				st.passed_over, st.passed_over == 1 ? "" : "s");
		else
			pr_warn("archive: no kernel files found under %s (%zu file%s passed over%s)",
				ao.in_dir, st.passed_over, st.passed_over == 1 ? "" : "s",
				diag_level >= DIAG_INFO ? ": see why above" : "; -v says why");
		goto out;
	}
	if (err == -EEXIST) {
		core_objs_free(&objs);
		return EXIT_USAGE;
	}
	if (err && err != -EINVAL)
		goto out;
	printf("archive: %zu kernels: %zu processed, %zu skipped (unchanged), %zu failed, %zu distinct outputs, %llu bytes in -> %llu bytes out, %.2f s (%zu other files ignored)\n",
	       st.kernels, st.processed, st.skipped, st.failed, st.distinct, st.bytes_in,
	       st.bytes_out, st.seconds, st.passed_over);
out:
	core_objs_free(&objs);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
