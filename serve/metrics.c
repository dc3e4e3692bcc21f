// SPDX-License-Identifier: MIT
/*
 * metrics.c - the server's Prometheus metrics (serve/metrics.h).
 *
 * Counters and gauges are C11 atomics (relaxed: each is a number on its
 * own, and a scrape only needs every value to be one that was current at
 * some moment). The two histograms share one mutex: a request adds to
 * about six numbers of one series, and a scrape copies the series it
 * renders under the lock, so it never sees a histogram whose buckets,
 * count and sum disagree, and formats after releasing it.
 *
 * Series are found through a fixed table indexed by (code - 100, route,
 * method), which holds 1 + the series' index in a dense array, or 0 for a
 * combination not seen yet; the dense array only holds the combinations
 * that occurred. Each series keeps non-cumulative per-bucket counts (the
 * last slot counts observations above the largest bound); rendering sums
 * them into Prometheus' cumulative buckets.
 *
 * Durations are summed in whole nanoseconds and rendered as exact decimals
 * ("0.0125"), sizes in bytes: the output has no floating-point formatting
 * (no locale, no rounding), and the sums do not depend on the order in
 * which threads added to them.
 *
 * Rendering order follows the Go client library's (the original BTFHub
 * Online was a Go server): families by name, labels by name (code,
 * handler, method, then le), series by their label values.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "serve/metrics.h"
#include "util/util.h"

/* HTTP status codes are three digits, 1xx to 5xx (RFC 9110 section 15). */
#define CODE_MIN 100
#define CODE_MAX 599
#define CODE_N (CODE_MAX - CODE_MIN + 1)

/* The method label: the three methods the API answers, everything else one value. */
enum method { M_GET, M_HEAD, M_POST, M_OTHER, M__COUNT };
static const char *const method_name[M__COUNT] = { "GET", "HEAD", "POST", "OTHER" };

/* At most one series per (code, route, method): 500 * 7 * 4, so a slot fits 16 bits. */
#define SERIES_MAX ((size_t)CODE_N * ROUTE__COUNT * M__COUNT)
_Static_assert(SERIES_MAX < UINT16_MAX, "series slots are 16 bits");

/* Prometheus' default buckets (client_golang DefBuckets), in seconds. */
#define DUR_BUCKETS 11
static const double dur_le[DUR_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
static const char *const dur_le_text[DUR_BUCKETS] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
};

/* ExponentialBuckets(100, 10, 7), in bytes, spelled as Go's strconv 'g' spells them. */
#define SIZE_BUCKETS 7
static const uint64_t size_le[SIZE_BUCKETS] = {
	100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};
static const char *const size_le_text[SIZE_BUCKETS] = {
	"100", "1000", "10000", "100000", "1e+06", "1e+07", "1e+08",
};

/*
 * A longer duration is recorded as this many seconds: ~31 years, far above
 * any request, and 1e9 s = 1e18 ns keeps the conversion inside 64 bits.
 */
#define SECONDS_MAX 1e9
#define NS_PER_S 1000000000ull

/* The output buffer's first size: a scrape of a few dozen series. */
#define RENDER_ALLOC_MIN 8192

static const char *const route_name[ROUTE__COUNT] = {
	[ROUTE_LIST] = "/api/v1/list",
	[ROUTE_DOWNLOAD] = "/api/v1/download",
	[ROUTE_CUSTOMIZE] = "/api/v1/customize",
	[ROUTE_HEALTH] = "/monitoring/health",
	[ROUTE_READY] = "/monitoring/ready",
	[ROUTE_METRICS] = "/monitoring/metrics",
	[ROUTE_OTHER] = "other",
};

struct series {
	uint16_t code;
	uint8_t route, method;
	uint64_t count;
	uint64_t sum_ns;			/* saturating */
	uint64_t sum_bytes;			/* saturating */
	uint64_t dur[DUR_BUCKETS + 1];		/* per bucket, not cumulative; last: > 10 s */
	uint64_t size[SIZE_BUCKETS + 1];	/* last: > 1e8 bytes */
};

struct serve_metrics {
	pthread_mutex_t lock;			/* slot, ser, nr_ser, cap_ser */
	uint16_t slot[CODE_N][ROUTE__COUNT][M__COUNT];	/* 1 + index in ser, 0: none */
	struct series *ser;
	size_t nr_ser, cap_ser;

	atomic_int_least64_t inflight;
	atomic_uint_least64_t counters[CNT__COUNT];
	atomic_int_least64_t gauges[SERVE_GAUGE__COUNT];

	/* label values in rendering order (sorted by name), set once by new() */
	uint8_t route_order[ROUTE__COUNT];
	uint8_t method_order[M__COUNT];
};

const char *serve_route_name(enum serve_route r)
{
	return (unsigned int)r < ROUTE__COUNT ? route_name[r] : route_name[ROUTE_OTHER];
}

/* @idx[0..n) = 0..n-1 sorted by @names (insertion sort: n <= 7). */
static void sort_names(uint8_t *idx, size_t n, const char *const *names)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		uint8_t v = (uint8_t)i;

		for (j = i; j > 0 && strcmp(names[idx[j - 1]], names[v]) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

struct serve_metrics *serve_metrics_new(void)
{
	struct serve_metrics *m = xcalloc(1, sizeof(*m));
	size_t i;

	if (!m)
		return NULL;
	/* room for the usual handful of series, so early requests don't allocate */
	if (util_ensure_mem((void **)&m->ser, &m->cap_ser, sizeof(*m->ser), 1, SERIES_MAX)) {
		xfree(m);
		return NULL;
	}
	if (pthread_mutex_init(&m->lock, NULL)) {
		xfree(m->ser);
		xfree(m);
		return NULL;
	}
	atomic_init(&m->inflight, 0);
	for (i = 0; i < CNT__COUNT; i++)
		atomic_init(&m->counters[i], 0);
	for (i = 0; i < SERVE_GAUGE__COUNT; i++)
		atomic_init(&m->gauges[i], 0);
	sort_names(m->route_order, ROUTE__COUNT, route_name);
	sort_names(m->method_order, M__COUNT, method_name);
	return m;
}

void serve_metrics_free(struct serve_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	xfree(m->ser);
	xfree(m);
}

void serve_metrics_inflight(struct serve_metrics *m, int delta)
{
	if (m)
		atomic_fetch_add_explicit(&m->inflight, delta, memory_order_relaxed);
}

void serve_metrics_count(struct serve_metrics *m, enum serve_counter c, uint64_t n)
{
	if (m && (unsigned int)c < CNT__COUNT)
		atomic_fetch_add_explicit(&m->counters[c], n, memory_order_relaxed);
}

void serve_metrics_gauge_set(struct serve_metrics *m, int which, int64_t v)
{
	if (m && which >= 0 && which < SERVE_GAUGE__COUNT)
		atomic_store_explicit(&m->gauges[which], v, memory_order_relaxed);
}

void serve_metrics_gauge_add(struct serve_metrics *m, int which, int64_t delta)
{
	if (m && which >= 0 && which < SERVE_GAUGE__COUNT)
		atomic_fetch_add_explicit(&m->gauges[which], delta, memory_order_relaxed);
}

static enum method method_of(const char *s)
{
	int i;

	for (i = 0; s && i < M_OTHER; i++)
		if (!strcmp(s, method_name[i]))
			return (enum method)i;
	return M_OTHER;
}

static inline uint64_t add_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

void serve_metrics_request(struct serve_metrics *m, enum serve_route r, const char *method,
			   int code, double seconds, uint64_t response_bytes)
{
	enum method mi = method_of(method);
	unsigned int di = 0, si = 0;
	struct series *s;
	uint16_t *slot;
	uint64_t ns;

	if (!m || code < CODE_MIN || code > CODE_MAX)
		return;
	if ((unsigned int)r >= ROUTE__COUNT)
		r = ROUTE_OTHER;
	if (!(seconds > 0))	/* negative, zero or NaN */
		seconds = 0;
	if (seconds > SECONDS_MAX)
		seconds = SECONDS_MAX;
	ns = (uint64_t)(seconds * (double)NS_PER_S + 0.5);
	/* Prometheus buckets are upper bounds, inclusive: the first with v <= le */
	while (di < DUR_BUCKETS && seconds > dur_le[di])
		di++;
	while (si < SIZE_BUCKETS && response_bytes > size_le[si])
		si++;

	pthread_mutex_lock(&m->lock);
	slot = &m->slot[code - CODE_MIN][r][mi];
	if (!*slot) {
		if (util_ensure_mem((void **)&m->ser, &m->cap_ser, sizeof(*m->ser),
				    m->nr_ser + 1, SERIES_MAX)) {
			/* out of memory: this one request goes unrecorded */
			pthread_mutex_unlock(&m->lock);
			return;
		}
		s = &m->ser[m->nr_ser];
		memset(s, 0, sizeof(*s));
		s->code = (uint16_t)code;
		s->route = (uint8_t)r;
		s->method = (uint8_t)mi;
		*slot = (uint16_t)++m->nr_ser;
	}
	s = &m->ser[*slot - 1];
	s->count++;
	s->sum_ns = add_sat(s->sum_ns, ns);
	s->sum_bytes = add_sat(s->sum_bytes, response_bytes);
	s->dur[di]++;
	s->size[si]++;
	pthread_mutex_unlock(&m->lock);
}

/* ---- rendering ------------------------------------------------------------ */

/* A growing output string; the first failure sticks and later appends do nothing. */
struct sb {
	char *p;
	size_t len, cap;
	int err;
};

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		size_t cap = b->cap;
		char *p;

		if (add_overflow_size(b->len, (size_t)n + 1, &need)) {
			b->err = -ENOMEM;
			return;
		}
		while (cap < need)
			if (mul_overflow_size(cap, 2, &cap)) {
				cap = need;
				break;
			}
		p = xrealloc(b->p, cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* @ns as an exact decimal number of seconds: "0", "0.0125", "1000". */
static const char *ns_text(uint64_t ns, char buf[32])
{
	int n = snprintf(buf, 32, "%llu.%09llu", (unsigned long long)(ns / NS_PER_S),
			 (unsigned long long)(ns % NS_PER_S));

	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/* FAM_SECONDS: a counter kept in nanoseconds, rendered in seconds */
enum fam_kind { FAM_COUNTER, FAM_SECONDS, FAM_GAUGE, FAM_INFLIGHT, FAM_DURATION, FAM_SIZE };

struct family {
	const char *name;
	const char *help;
	enum fam_kind kind;
	int which;		/* the counter or gauge */
};

/* Sorted by name (a test checks): the order the Go client renders them in. */
static const struct family families[] = {
	{ "btfgen_connections", "Client connections open.", FAM_GAUGE,
	  SERVE_GAUGE_CONNECTIONS },
	{ "btfgen_connections_rejected_total",
	  "Connections closed at once because the connection limit was reached.", FAM_COUNTER,
	  CNT_CONN_REJECTED },
	{ "btfgen_kernel_cache_bytes", "Bytes held by the cache of parsed kernel BTFs.",
	  FAM_GAUGE, SERVE_GAUGE_KERNEL_CACHE_BYTES },
	{ "btfgen_kernel_cache_hits_total", "Kernel BTF lookups answered from the cache.",
	  FAM_COUNTER, CNT_KERNEL_CACHE_HIT },
	{ "btfgen_kernel_cache_misses_total",
	  "Kernel BTF lookups that had to read the archive.", FAM_COUNTER,
	  CNT_KERNEL_CACHE_MISS },
	{ "btfgen_kernel_load_seconds_total",
	  "Time spent loading kernels into the cache: read, decompress, check and parse.",
	  FAM_SECONDS, CNT_KERNEL_LOAD_NS },
	{ "btfgen_kernels_indexed", "Kernels in the archive index.", FAM_GAUGE,
	  SERVE_GAUGE_KERNELS_INDEXED },
	{ "btfgen_reduce_queue_depth", "Customize requests waiting for a reduction worker.",
	  FAM_GAUGE, SERVE_GAUGE_QUEUE_DEPTH },
	{ "btfgen_rejected_total", "Requests answered 503 because the server was at capacity.",
	  FAM_COUNTER, CNT_REJECTED_503 },
	{ "btfgen_result_cache_bytes", "Bytes held by the cache of customize results.",
	  FAM_GAUGE, SERVE_GAUGE_RESULT_CACHE_BYTES },
	{ "btfgen_result_cache_hits_total", "Customize requests answered from the result cache.",
	  FAM_COUNTER, CNT_RESULT_CACHE_HIT },
	{ "btfgen_result_cache_misses_total", "Customize requests that had to reduce.",
	  FAM_COUNTER, CNT_RESULT_CACHE_MISS },
	{ "http_request_duration_seconds",
	  "Time to serve a request, from its start to the last byte of the response.",
	  FAM_DURATION, 0 },
	{ "http_requests_inflight", "Requests being served.", FAM_INFLIGHT, 0 },
	{ "http_response_size_bytes", "Response body sizes in bytes.", FAM_SIZE, 0 },
};

static const char *const fam_type[] = {
	[FAM_COUNTER] = "counter", [FAM_SECONDS] = "counter", [FAM_GAUGE] = "gauge",
	[FAM_INFLIGHT] = "gauge", [FAM_DURATION] = "histogram", [FAM_SIZE] = "histogram",
};

/*
 * Copy the series into a new array in rendering order: by code, then
 * handler, then method (the label names' order). NULL with *@n = 0 when
 * there are none; -ENOMEM.
 */
static int snapshot(struct serve_metrics *m, struct series **out, size_t *n)
{
	struct series *snap = NULL;
	size_t k = 0, c, ri, mi;

	pthread_mutex_lock(&m->lock);
	if (m->nr_ser) {
		snap = xreallocarray(NULL, m->nr_ser, sizeof(*snap));
		if (!snap) {
			pthread_mutex_unlock(&m->lock);
			return -ENOMEM;
		}
	}
	for (c = 0; c < CODE_N && k < m->nr_ser; c++)
		for (ri = 0; ri < ROUTE__COUNT; ri++)
			for (mi = 0; mi < M__COUNT; mi++) {
				uint16_t s = m->slot[c][m->route_order[ri]][m->method_order[mi]];

				if (s)
					snap[k++] = m->ser[s - 1];
			}
	pthread_mutex_unlock(&m->lock);
	*out = snap;
	*n = k;
	return 0;
}

static void render_histogram(struct sb *b, const char *name, const struct series *ser, size_t n,
			     bool duration)
{
	size_t i, j, nb = duration ? DUR_BUCKETS : SIZE_BUCKETS;
	char sum[32];

	for (i = 0; i < n; i++) {
		const struct series *s = &ser[i];
		const uint64_t *per = duration ? s->dur : s->size;
		uint64_t cum = 0;
		char labels[128];

		snprintf(labels, sizeof(labels), "code=\"%u\",handler=\"%s\",method=\"%s\"",
			 (unsigned int)s->code, route_name[s->route], method_name[s->method]);
		for (j = 0; j < nb; j++) {
			cum += per[j];
			sb_printf(b, "%s_bucket{%s,le=\"%s\"} %llu\n", name, labels,
				  duration ? dur_le_text[j] : size_le_text[j],
				  (unsigned long long)cum);
		}
		cum += per[nb];
		sb_printf(b, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
			  (unsigned long long)cum);
		if (duration)
			ns_text(s->sum_ns, sum);
		else
			snprintf(sum, sizeof(sum), "%llu", (unsigned long long)s->sum_bytes);
		sb_printf(b, "%s_sum{%s} %s\n", name, labels, sum);
		sb_printf(b, "%s_count{%s} %llu\n", name, labels, (unsigned long long)s->count);
	}
}

int serve_metrics_render(struct serve_metrics *m, char **out, size_t *len)
{
	struct sb b = { 0 };
	struct series *ser;
	char num[32];
	size_t n, i;
	int err;

	if (!m)
		return -EINVAL;
	err = snapshot(m, &ser, &n);
	if (err)
		return err;
	b.p = xmalloc(RENDER_ALLOC_MIN);
	if (!b.p) {
		xfree(ser);
		return -ENOMEM;
	}
	b.cap = RENDER_ALLOC_MIN;
	b.p[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family *f = &families[i];

		sb_printf(&b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
			  fam_type[f->kind]);
		switch (f->kind) {
		case FAM_COUNTER:
			sb_printf(&b, "%s %llu\n", f->name, (unsigned long long)
				  atomic_load_explicit(&m->counters[f->which],
						       memory_order_relaxed));
			break;
		case FAM_SECONDS:
			sb_printf(&b, "%s %s\n", f->name,
				  ns_text(atomic_load_explicit(&m->counters[f->which],
							       memory_order_relaxed), num));
			break;
		case FAM_GAUGE:
			sb_printf(&b, "%s %lld\n", f->name, (long long)
				  atomic_load_explicit(&m->gauges[f->which],
						       memory_order_relaxed));
			break;
		case FAM_INFLIGHT:
			sb_printf(&b, "%s %lld\n", f->name, (long long)
				  atomic_load_explicit(&m->inflight, memory_order_relaxed));
			break;
		case FAM_DURATION:
		case FAM_SIZE:
			render_histogram(&b, f->name, ser, n, f->kind == FAM_DURATION);
			break;
		}
	}
	xfree(ser);
	if (b.err) {
		xfree(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
