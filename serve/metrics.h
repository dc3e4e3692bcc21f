/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - the server's Prometheus metrics: what `GET /monitoring/metrics`
 * returns, in the text exposition format 0.0.4.
 *
 * Everything lives in one struct serve_metrics (no global state); every
 * function may be called from any thread at any time. Nothing is printed:
 * serve_metrics_render() writes into a buffer. Every function accepts a NULL
 * @m and then does nothing (render gives -EINVAL), so code under test may
 * run without metrics.
 *
 * Exported (families sorted by name, as the Go client sorts them):
 *
 *   btfgen_connections                    gauge    open connections
 *   btfgen_connections_rejected_total     counter  connections refused at the limit
 *   btfgen_kernel_cache_bytes             gauge
 *   btfgen_kernel_cache_hits_total        counter
 *   btfgen_kernel_cache_misses_total      counter
 *   btfgen_kernel_load_seconds_total      counter  time spent loading kernels
 *                                                  (read, decompress, check, parse)
 *   btfgen_kernels_indexed                gauge
 *   btfgen_reduce_queue_depth             gauge
 *   btfgen_rejected_total                 counter  503s (at capacity)
 *   btfgen_result_cache_bytes             gauge
 *   btfgen_result_cache_hits_total        counter
 *   btfgen_result_cache_misses_total      counter
 *   http_request_duration_seconds         histogram  {code, handler, method}
 *   http_requests_inflight                gauge
 *   http_response_size_bytes              histogram  {code, handler, method}
 *
 * The label set is bounded: handler is a route name (never the raw path),
 * method one of four, code 100..599; only combinations that occurred are
 * exported, sorted by code, then handler, then method.
 */
#ifndef BTFGEN_SERVE_METRICS_H
#define BTFGEN_SERVE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The Content-Type of serve_metrics_render()'s output. */
#define SERVE_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The routes: the `handler` label is one of these, never the raw path. */
enum serve_route {
	ROUTE_LIST,
	ROUTE_DOWNLOAD,
	ROUTE_CUSTOMIZE,
	ROUTE_HEALTH,
	ROUTE_READY,
	ROUTE_METRICS,
	ROUTE_OTHER,
	ROUTE__COUNT
};

/*
 * The label value of @r, exactly as exported: "/api/v1/list",
 * "/api/v1/download", "/api/v1/customize", "/monitoring/health",
 * "/monitoring/ready", "/monitoring/metrics", "other" (also for any value
 * out of range).
 */
const char *serve_route_name(enum serve_route r);

/* The counters (each exported as btfgen_..._total). */
enum serve_counter {
	CNT_KERNEL_CACHE_HIT,
	CNT_KERNEL_CACHE_MISS,
	CNT_RESULT_CACHE_HIT,
	CNT_RESULT_CACHE_MISS,
	CNT_REJECTED_503,
	CNT_CONN_REJECTED,
	CNT_KERNEL_LOAD_NS,	/* rendered in seconds: btfgen_kernel_load_seconds_total */
	CNT__COUNT
};

/* The gauges btfgen sets (besides http_requests_inflight). */
enum serve_gauge {
	SERVE_GAUGE_QUEUE_DEPTH,		/* btfgen_reduce_queue_depth */
	SERVE_GAUGE_KERNEL_CACHE_BYTES,		/* btfgen_kernel_cache_bytes */
	SERVE_GAUGE_RESULT_CACHE_BYTES,		/* btfgen_result_cache_bytes */
	SERVE_GAUGE_KERNELS_INDEXED,		/* btfgen_kernels_indexed */
	SERVE_GAUGE_CONNECTIONS,		/* btfgen_connections */
	SERVE_GAUGE__COUNT
};

struct serve_metrics;

/* A new set, all zero, no request seen. NULL when out of memory. */
struct serve_metrics *serve_metrics_new(void);
/* No-op for NULL. No other thread may still be using @m. */
void serve_metrics_free(struct serve_metrics *m);

/* Add @delta (+1 when a request starts, -1 when it ends) to http_requests_inflight. */
void serve_metrics_inflight(struct serve_metrics *m, int delta);

/*
 * One finished request, into both histograms: @r (out of range: other),
 * @method ("GET", "HEAD" or "POST", compared case-sensitively as HTTP
 * does; anything else, NULL included, is "OTHER"), status @code (100..599;
 * a code outside that range is a caller bug and the request is not
 * recorded), @seconds from the request's start to its last byte (negative
 * or NaN count as 0), @response_bytes of body.
 *
 * Lock-protected and allocation-free but for the first request of each new
 * (route, method, code) combination; if that allocation fails, the request
 * is not recorded (metrics must never fail a request).
 */
void serve_metrics_request(struct serve_metrics *m, enum serve_route r, const char *method,
			   int code, double seconds, uint64_t response_bytes);

/* Add @n to counter @c (out of range: ignored). Lock-free. */
void serve_metrics_count(struct serve_metrics *m, enum serve_counter c, uint64_t n);

/* Set gauge @which (an enum serve_gauge; out of range: ignored) to @v. Lock-free. */
void serve_metrics_gauge_set(struct serve_metrics *m, int which, int64_t v);
/* Add @delta to gauge @which (out of range: ignored). Lock-free. */
void serve_metrics_gauge_add(struct serve_metrics *m, int which, int64_t delta);

/*
 * Everything in the Prometheus text exposition format 0.0.4 (Content-Type
 * SERVE_METRICS_CONTENT_TYPE): for each family a `# HELP` and a `# TYPE`
 * line, then its samples; histograms as cumulative `_bucket{...,le="..."}`
 * lines ending with le="+Inf", then `_sum` and `_count`. Numbers are
 * integers or exact decimals (durations are kept in whole nanoseconds), so
 * the output is locale-independent and the same observations always render
 * the same bytes.
 *
 * *@out is a new xmalloc'd, NUL-terminated string of *@len bytes (the
 * caller xfree()s it). Returns 0, -ENOMEM, or -EINVAL for a NULL @m.
 */
int serve_metrics_render(struct serve_metrics *m, char **out, size_t *len);

#endif /* BTFGEN_SERVE_METRICS_H */
