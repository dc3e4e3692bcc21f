/* SPDX-License-Identifier: MIT */
/*
 * serve.h - `btfgen serve`: the BTFHub Online API over a read-only archive.
 *
 *   GET  /api/v1/list[?full=1]            the kernels of the archive (JSON)
 *   GET  /api/v1/download?<kernel>        the stored .btf.tar.xz, byte for byte
 *   POST /api/v1/customize?<kernel>       multipart "bpf" parts -> xz tar of
 *                                         <kernel_version>.btf (or format=raw)
 *   POST /api/v1/customize?[filters]      without kernel_version: every
 *                                         matching kernel, an xz tar tree
 *   GET  /monitoring/health|ready|metrics
 *
 * <kernel> is distribution, distribution_version, arch, kernel_version
 * (ONLINE-API.md). A request names a kernel, which is looked up in the
 * in-memory index of the walk: no filesystem path is ever built from
 * request input.
 *
 * Layering: serve sits above hub (walk, kernels), core (the reduce
 * pipeline), http (parsing) and the codecs; cli/serve.c parses options,
 * installs the signal handlers and calls serve_run(). Library code: nothing
 * on stdout, no exit; the ready line and the access log go to a callback.
 */
#ifndef BTFGEN_SERVE_H
#define BTFGEN_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults, each also an option of `btfgen serve` (README gives the reasons). */
#define SERVE_LISTEN_DEFAULT		"127.0.0.1:8080"
#define SERVE_HEAD_MAX_DEFAULT		(16u * 1024)		/* request line + headers */
#define SERVE_BODY_MAX_DEFAULT		(32ull << 20)		/* an upload: objects are KBs to a few MB */
#define SERVE_HEADER_TIMEOUT_DEFAULT	10000			/* ms to receive a whole head */
#define SERVE_BODY_TIMEOUT_DEFAULT	60000			/* ms to receive a whole body (32 MiB at ~0.5 MB/s) */
#define SERVE_IDLE_TIMEOUT_DEFAULT	30000			/* ms a kept-alive connection may sit idle */
#define SERVE_MAX_CONNS_DEFAULT		256			/* one thread each */
#define SERVE_QUEUE_DEFAULT		64			/* reductions waiting for a worker, beyond: 503 */
#define SERVE_CACHE_DEFAULT		(256ull << 20)		/* parsed kernels, bytes */
#define SERVE_RESULT_CACHE_DEFAULT	(64ull << 20)		/* answers, bytes */
#define SERVE_BATCH_MAX_DEFAULT		64			/* kernels per batch customize */
#define SERVE_GRACE_DEFAULT		10000			/* ms to finish in-flight requests on stop */
/* Most workers: more than the cores buys nothing (a reduction is CPU-bound). */
#define SERVE_MAX_WORKERS		256

struct serve_opts {
	const char *archive_dir;
	const char *listen;		/* "ADDR:PORT", "[v6]:PORT"; port 0 = any free one */
	unsigned workers;		/* concurrent reductions, 1..SERVE_MAX_WORKERS */
	unsigned queue_max;		/* reductions waiting beyond the workers */
	unsigned max_conns;
	unsigned head_max;
	uint64_t body_max;
	unsigned header_timeout_ms, body_timeout_ms, idle_timeout_ms, grace_ms;
	uint64_t cache_bytes, result_cache_bytes;
	unsigned batch_max;
	unsigned rescan_s;		/* re-walk every so many seconds; 0 = only on SIGHUP */
	bool quiet;			/* no access log */
	/* The ready line, the access log and warnings, one line each (no newline). */
	void (*log)(const char *line, void *ctx);
	void *log_ctx;
};

/* The defaults above, for the caller to change. */
void serve_opts_default(struct serve_opts *o);

struct serve;

/*
 * Check @o, bind and listen (so a bad address fails before anything else).
 * Returns 0, or a negative errno with one line printed (pr_warn).
 */
int serve_new(const struct serve_opts *o, struct serve **out);
/* The bound address as "127.0.0.1:PORT" or "[::1]:PORT" (the real port for port 0). */
const char *serve_address(const struct serve *s);
/*
 * Index the archive (in the background: /monitoring/ready says 503 until
 * done), then serve until serve_stop(); in-flight requests get grace_ms to
 * finish. Returns 0, or a negative errno on a fatal error (printed).
 */
int serve_run(struct serve *s);
/* Async-signal-safe: ask serve_run() to stop, or to re-walk the archive. */
void serve_stop(struct serve *s);
void serve_rescan(struct serve *s);
/* Frees @s once serve_run() returned (connections past the grace period are left to exit). */
void serve_free(struct serve *s);

#endif /* BTFGEN_SERVE_H */
