// SPDX-License-Identifier: MIT
/*
 * test_serve_metrics.c - unit tests for serve/metrics.c.
 *
 * Oracles:
 *   - the exact text of a small scenario, written out by hand from the
 *     text exposition format 0.0.4 (buckets inclusive, cumulative, +Inf
 *     equal to _count);
 *   - a checker of the text format written here (check_exposition()):
 *     every line is a HELP, a TYPE or a sample of the family TYPE'd last,
 *     names and label syntax per the format, values parse as floats,
 *     histograms have le ascending to +Inf, cumulative counts and
 *     +Inf == _count; families sorted by name, each once;
 *   - prometheus_client's own parser (python3-prometheus-client, through
 *     /usr/bin/python3 or python3), skipped when it is not installed;
 *   - arithmetic: 8 threads x 10,000 observations must give exact totals,
 *     while another thread renders and checks every scrape.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "serve/metrics.h"
#include "util/util.h"

static void setup(void)
{
	tmp_dir_make("btfgen-metrics");
	util_alloc_fail_at = 0;
}

static void teardown(void)
{
	util_alloc_fail_at = 0;
	tmp_dir_remove();
}

TestSuite(serve_metrics, .init = setup, .fini = teardown, .timeout = 300);

static char *render(struct serve_metrics *m, size_t *len)
{
	char *out = NULL;
	size_t n = 0;

	cr_assert(eq(int, serve_metrics_render(m, &out, &n), 0));
	cr_assert(out != NULL);
	cr_assert(eq(sz, strlen(out), n), "NUL-terminated, *len without it");
	if (len)
		*len = n;
	return out;
}

/* ---- a checker of the text exposition format 0.0.4 ----------------------- */

#define CK_MAX_FAMILIES 64
#define CK_NAME_MAX 128
#define CK_LABELS_MAX 512

struct ck_hist {
	char labels[CK_LABELS_MAX];	/* without le */
	double last_le, last_cum;
	bool have_inf;
	double inf;
};

struct checker {
	char fam[CK_NAME_MAX];		/* family TYPE'd last */
	char type[16];
	char help_for[CK_NAME_MAX];	/* the HELP just before, if any */
	char seen[CK_MAX_FAMILIES][CK_NAME_MAX];
	size_t nseen;
	struct ck_hist h;		/* the histogram series being read */
	size_t samples;
	size_t lineno;
};

static bool name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* A metric name at @p into @out; returns its length (0: none). */
static size_t ck_name(const char *p, char *out)
{
	size_t n = 0;

	if (!name_start((unsigned char)p[0]))
		return 0;
	while (name_char((unsigned char)p[n]))
		n++;
	cr_assert(lt(sz, n, (size_t)CK_NAME_MAX));
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

/* A float as the format spells it: Go ParseFloat syntax, or +Inf/-Inf/NaN. */
static bool ck_float(const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "+Inf") || !strcmp(s, "Inf")) {
		*v = INFINITY;
		return true;
	}
	if (!strcmp(s, "-Inf")) {
		*v = -INFINITY;
		return true;
	}
	if (!strcmp(s, "NaN")) {
		*v = NAN;
		return true;
	}
	if (!*s || strchr(s, ' ') || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno == 0;
}

/*
 * Parse the label block at @p ('{' ... '}'); the labels but le go into
 * @rest ("a=\"x\",b=\"y\""), le's value into @le (or "" if absent).
 * Returns the characters read.
 */
static size_t ck_labels(struct checker *ck, const char *p, char *rest, char *le)
{
	const char *q = p + 1;
	size_t rl = 0;

	rest[0] = le[0] = '\0';
	while (*q != '}') {
		char lname[CK_NAME_MAX], val[CK_LABELS_MAX];
		size_t n = ck_name(q, lname), vl = 0;

		cr_assert(n > 0, "line %zu: label name expected at '%s'", ck->lineno, q);
		cr_assert(strncmp(lname, "__", 2) != 0, "line %zu: reserved label", ck->lineno);
		q += n;
		cr_assert(eq(chr, *q, '='), "line %zu: '=' expected", ck->lineno);
		q++;
		cr_assert(eq(chr, *q, '"'), "line %zu: '\"' expected", ck->lineno);
		q++;
		while (*q != '"') {
			cr_assert(q[0] != '\0' && q[0] != '\n', "line %zu: unterminated value",
				  ck->lineno);
			if (*q == '\\') {
				q++;
				cr_assert(q[0] == '\\' || q[0] == '"' || q[0] == 'n',
					  "line %zu: bad escape", ck->lineno);
			}
			cr_assert(lt(sz, vl, sizeof(val) - 1));
			val[vl++] = *q++;
		}
		val[vl] = '\0';
		q++;
		if (!strcmp(lname, "le")) {
			cr_assert(lt(sz, vl, (size_t)CK_NAME_MAX), "line %zu: long le", ck->lineno);
			memcpy(le, val, vl + 1);
		} else {
			int w = snprintf(rest + rl, CK_LABELS_MAX - rl, "%s%s=\"%s\"",
					 rl ? "," : "", lname, val);

			cr_assert(w > 0 && (size_t)w < CK_LABELS_MAX - rl);
			rl += (size_t)w;
		}
		if (*q == ',')
			q++;
		else
			cr_assert(eq(chr, *q, '}'), "line %zu: ',' or '}' expected", ck->lineno);
	}
	return (size_t)(q + 1 - p);
}

/* The histogram series before this line is complete: +Inf seen. */
static void ck_hist_end(struct checker *ck)
{
	if (ck->h.labels[0] || ck->h.last_le > -INFINITY)
		cr_assert(ck->h.have_inf, "line %zu: histogram {%s} has no le=\"+Inf\"", ck->lineno,
			  ck->h.labels);
	memset(&ck->h, 0, sizeof(ck->h));
	ck->h.last_le = -INFINITY;
}

static void ck_sample(struct checker *ck, const char *line)
{
	char name[CK_NAME_MAX], labels[CK_LABELS_MAX] = "", le[CK_NAME_MAX] = "", val[64];
	const char *p = line, *suffix;
	size_t n = ck_name(p, name), fl = strlen(ck->fam);
	double v, lev;

	cr_assert(n > 0, "line %zu: not a sample: '%s'", ck->lineno, line);
	p += n;
	if (*p == '{')
		p += ck_labels(ck, p, labels, le);
	cr_assert(eq(chr, *p, ' '), "line %zu: one space before the value", ck->lineno);
	p++;
	n = strcspn(p, " ");
	cr_assert(lt(sz, n, sizeof(val)));
	memcpy(val, p, n);
	val[n] = '\0';
	cr_assert(ck_float(val, &v), "line %zu: value '%s' is not a float", ck->lineno, val);
	if (p[n])	/* a timestamp: an integer */
		cr_assert(strspn(p + n + 1, "-0123456789") == strlen(p + n + 1));
	cr_assert(ck->fam[0] != '\0', "line %zu: sample before any TYPE", ck->lineno);
	cr_assert(strncmp(name, ck->fam, fl) == 0, "line %zu: %s outside family %s", ck->lineno, name,
		  ck->fam);
	suffix = name + fl;
	ck->samples++;
	if (strcmp(ck->type, "histogram")) {
		cr_assert(eq(str, cstr(suffix), ""), "line %zu: %s in %s family %s", ck->lineno,
			  name, ck->type, ck->fam);
		cr_assert(eq(str, le, ""));
		if (!strcmp(ck->type, "counter"))
			cr_assert(v >= 0, "line %zu: negative counter", ck->lineno);
		return;
	}
	cr_assert(v >= 0, "line %zu: negative histogram value", ck->lineno);
	if (!strcmp(suffix, "_bucket")) {
		cr_assert(le[0] != '\0', "line %zu: bucket without le", ck->lineno);
		cr_assert(ck_float(le, &lev), "line %zu: le=\"%s\"", ck->lineno, le);
		if (strcmp(labels, ck->h.labels) || ck->h.have_inf) {
			ck_hist_end(ck);
			snprintf(ck->h.labels, sizeof(ck->h.labels), "%s", labels);
		}
		cr_assert(lev > ck->h.last_le, "line %zu: le not ascending", ck->lineno);
		cr_assert(v >= ck->h.last_cum, "line %zu: buckets not cumulative", ck->lineno);
		cr_assert(v == floor(v), "line %zu: bucket count not an integer", ck->lineno);
		ck->h.last_le = lev;
		ck->h.last_cum = v;
		if (isinf(lev)) {
			ck->h.have_inf = true;
			ck->h.inf = v;
		}
	} else if (!strcmp(suffix, "_sum")) {
		cr_assert(eq(str, labels, ck->h.labels), "line %zu: _sum of another series",
			  ck->lineno);
		cr_assert(ck->h.have_inf, "line %zu: _sum before +Inf", ck->lineno);
	} else if (!strcmp(suffix, "_count")) {
		cr_assert(eq(str, labels, ck->h.labels), "line %zu: _count of another series",
			  ck->lineno);
		cr_assert(ck->h.have_inf && v == ck->h.inf, "line %zu: _count %g != +Inf bucket",
			  ck->lineno, v);
	} else {
		cr_fatal("line %zu: %s in histogram %s", ck->lineno, name, ck->fam);
	}
}

/*
 * Check @text line by line; returns the number of samples. Families must
 * come sorted by name, each with HELP then TYPE.
 */
static size_t check_exposition(const char *text)
{
	struct checker *ck = calloc(1, sizeof(*ck));
	const char *l = text;
	size_t samples, i;

	cr_assert(ck != NULL);
	ck->h.last_le = -INFINITY;
	cr_assert(text[0] != '\0', "empty output");
	cr_assert(eq(chr, text[strlen(text) - 1], '\n'), "the last line ends with a newline");
	while (*l) {
		const char *e = strchr(l, '\n');
		size_t len = (size_t)(e - l);
		char line[1024], name[CK_NAME_MAX];

		ck->lineno++;
		cr_assert(len > 0, "line %zu: empty", ck->lineno);
		cr_assert(lt(sz, len, sizeof(line)));
		memcpy(line, l, len);
		line[len] = '\0';
		cr_assert(strspn(line, "\t\r") == 0 && !strchr(line, '\r'));
		if (!strncmp(line, "# HELP ", 7)) {
			size_t n = ck_name(line + 7, name);

			cr_assert(n > 0 && line[7 + n] == ' ' && line[8 + n],
				  "line %zu: HELP without text", ck->lineno);
			snprintf(ck->help_for, sizeof(ck->help_for), "%s", name);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			size_t n = ck_name(line + 7, name);
			const char *t = line + 8 + n;

			cr_assert(n > 0 && line[7 + n] == ' ', "line %zu: bad TYPE", ck->lineno);
			cr_assert(strcmp(t, "counter") == 0 || strcmp(t, "gauge") == 0 ||
				  strcmp(t, "histogram") == 0 || strcmp(t, "summary") == 0 ||
				  strcmp(t, "untyped") == 0, "line %zu: type %s", ck->lineno, t);
			cr_assert(eq(str, ck->help_for, name), "line %zu: TYPE %s without its HELP",
				  ck->lineno, name);
			ck_hist_end(ck);
			for (i = 0; i < ck->nseen; i++)
				cr_assert(strcmp(ck->seen[i], name) != 0, "line %zu: %s twice", ck->lineno,
					  name);
			cr_assert(ck->nseen == 0 || strcmp(ck->seen[ck->nseen - 1], name) < 0,
				  "line %zu: %s after %s: families not sorted", ck->lineno, name,
				  ck->seen[ck->nseen - 1]);
			cr_assert(lt(sz, ck->nseen, (size_t)CK_MAX_FAMILIES));
			snprintf(ck->seen[ck->nseen++], CK_NAME_MAX, "%s", name);
			snprintf(ck->fam, sizeof(ck->fam), "%s", name);
			snprintf(ck->type, sizeof(ck->type), "%s", t);
			ck->help_for[0] = '\0';
		} else {
			cr_assert(line[0] != '#', "line %zu: unknown comment", ck->lineno);
			ck_sample(ck, line);
		}
		l = e + 1;
	}
	ck_hist_end(ck);
	samples = ck->samples;
	free(ck);
	return samples;
}

/* The value of the sample line that starts with @key followed by a space. */
static double sample_value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *l;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return strtod(l + kl + 1, NULL);
	cr_fatal("no sample %s", key);
	return 0;
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);
	const char *l;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += !strncmp(l, prefix, pl);
	return n;
}

/* ---- names -------------------------------------------------------------- */

Test(serve_metrics, route_names_are_the_api_paths)
{
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_LIST)), "/api/v1/list"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_DOWNLOAD)), "/api/v1/download"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_CUSTOMIZE)), "/api/v1/customize"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_HEALTH)), "/monitoring/health"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_READY)), "/monitoring/ready"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_METRICS)), "/monitoring/metrics"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE_OTHER)), "other"));
	cr_assert(eq(str, cstr(serve_route_name(ROUTE__COUNT)), "other"));
	cr_assert(eq(str, cstr(serve_route_name((enum serve_route)-1)), "other"));
}

/* ---- the exact text of a small scenario ----------------------------------- */

static const char scenario_text[] =
	"# HELP btfgen_connections Client connections open.\n"
	"# TYPE btfgen_connections gauge\n"
	"btfgen_connections 5\n"
	"# HELP btfgen_connections_rejected_total Connections closed at once because the "
	"connection limit was reached.\n"
	"# TYPE btfgen_connections_rejected_total counter\n"
	"btfgen_connections_rejected_total 0\n"
	"# HELP btfgen_kernel_cache_bytes Bytes held by the cache of parsed kernel BTFs.\n"
	"# TYPE btfgen_kernel_cache_bytes gauge\n"
	"btfgen_kernel_cache_bytes 123456789012\n"
	"# HELP btfgen_kernel_cache_hits_total Kernel BTF lookups answered from the cache.\n"
	"# TYPE btfgen_kernel_cache_hits_total counter\n"
	"btfgen_kernel_cache_hits_total 3\n"
	"# HELP btfgen_kernel_cache_misses_total Kernel BTF lookups that had to read the "
	"archive.\n"
	"# TYPE btfgen_kernel_cache_misses_total counter\n"
	"btfgen_kernel_cache_misses_total 1\n"
	"# HELP btfgen_kernel_load_seconds_total Time spent loading kernels into the cache: "
	"read, decompress, check and parse.\n"
	"# TYPE btfgen_kernel_load_seconds_total counter\n"
	"btfgen_kernel_load_seconds_total 1.00000005\n"
	"# HELP btfgen_kernels_indexed Kernels in the archive index.\n"
	"# TYPE btfgen_kernels_indexed gauge\n"
	"btfgen_kernels_indexed 4242\n"
	"# HELP btfgen_reduce_queue_depth Customize requests waiting for a reduction worker.\n"
	"# TYPE btfgen_reduce_queue_depth gauge\n"
	"btfgen_reduce_queue_depth -1\n"
	"# HELP btfgen_rejected_total Requests answered 503 because the server was at "
	"capacity.\n"
	"# TYPE btfgen_rejected_total counter\n"
	"btfgen_rejected_total 2\n"
	"# HELP btfgen_result_cache_bytes Bytes held by the cache of customize results.\n"
	"# TYPE btfgen_result_cache_bytes gauge\n"
	"btfgen_result_cache_bytes 999\n"
	"# HELP btfgen_result_cache_hits_total Customize requests answered from the result "
	"cache.\n"
	"# TYPE btfgen_result_cache_hits_total counter\n"
	"btfgen_result_cache_hits_total 0\n"
	"# HELP btfgen_result_cache_misses_total Customize requests that had to reduce.\n"
	"# TYPE btfgen_result_cache_misses_total counter\n"
	"btfgen_result_cache_misses_total 18446744073709551615\n"
	"# HELP http_request_duration_seconds Time to serve a request, from its start to the "
	"last byte of the response.\n"
	"# TYPE http_request_duration_seconds histogram\n"
#define D "http_request_duration_seconds"
#define L1 "{code=\"200\",handler=\"/api/v1/download\",method=\"HEAD\""
	D "_bucket" L1 ",le=\"0.005\"} 1\n"
	D "_bucket" L1 ",le=\"0.01\"} 1\n"
	D "_bucket" L1 ",le=\"0.025\"} 1\n"
	D "_bucket" L1 ",le=\"0.05\"} 1\n"
	D "_bucket" L1 ",le=\"0.1\"} 1\n"
	D "_bucket" L1 ",le=\"0.25\"} 1\n"
	D "_bucket" L1 ",le=\"0.5\"} 1\n"
	D "_bucket" L1 ",le=\"1\"} 1\n"
	D "_bucket" L1 ",le=\"2.5\"} 1\n"
	D "_bucket" L1 ",le=\"5\"} 1\n"
	D "_bucket" L1 ",le=\"10\"} 1\n"
	D "_bucket" L1 ",le=\"+Inf\"} 1\n"
	D "_sum" L1 "} 0.005\n"
	D "_count" L1 "} 1\n"
#define L2 "{code=\"200\",handler=\"/api/v1/list\",method=\"GET\""
	D "_bucket" L2 ",le=\"0.005\"} 1\n"
	D "_bucket" L2 ",le=\"0.01\"} 1\n"
	D "_bucket" L2 ",le=\"0.025\"} 2\n"
	D "_bucket" L2 ",le=\"0.05\"} 2\n"
	D "_bucket" L2 ",le=\"0.1\"} 2\n"
	D "_bucket" L2 ",le=\"0.25\"} 2\n"
	D "_bucket" L2 ",le=\"0.5\"} 2\n"
	D "_bucket" L2 ",le=\"1\"} 2\n"
	D "_bucket" L2 ",le=\"2.5\"} 2\n"
	D "_bucket" L2 ",le=\"5\"} 2\n"
	D "_bucket" L2 ",le=\"10\"} 2\n"
	D "_bucket" L2 ",le=\"+Inf\"} 2\n"
	D "_sum" L2 "} 0.0155\n"
	D "_count" L2 "} 2\n"
#define L3 "{code=\"405\",handler=\"other\",method=\"OTHER\""
	D "_bucket" L3 ",le=\"0.005\"} 0\n"
	D "_bucket" L3 ",le=\"0.01\"} 0\n"
	D "_bucket" L3 ",le=\"0.025\"} 0\n"
	D "_bucket" L3 ",le=\"0.05\"} 0\n"
	D "_bucket" L3 ",le=\"0.1\"} 0\n"
	D "_bucket" L3 ",le=\"0.25\"} 0\n"
	D "_bucket" L3 ",le=\"0.5\"} 0\n"
	D "_bucket" L3 ",le=\"1\"} 0\n"
	D "_bucket" L3 ",le=\"2.5\"} 0\n"
	D "_bucket" L3 ",le=\"5\"} 0\n"
	D "_bucket" L3 ",le=\"10\"} 0\n"
	D "_bucket" L3 ",le=\"+Inf\"} 1\n"
	D "_sum" L3 "} 12.5\n"
	D "_count" L3 "} 1\n"
#define L4 "{code=\"422\",handler=\"/api/v1/customize\",method=\"POST\""
	D "_bucket" L4 ",le=\"0.005\"} 0\n"
	D "_bucket" L4 ",le=\"0.01\"} 0\n"
	D "_bucket" L4 ",le=\"0.025\"} 0\n"
	D "_bucket" L4 ",le=\"0.05\"} 0\n"
	D "_bucket" L4 ",le=\"0.1\"} 0\n"
	D "_bucket" L4 ",le=\"0.25\"} 0\n"
	D "_bucket" L4 ",le=\"0.5\"} 1\n"
	D "_bucket" L4 ",le=\"1\"} 1\n"
	D "_bucket" L4 ",le=\"2.5\"} 1\n"
	D "_bucket" L4 ",le=\"5\"} 1\n"
	D "_bucket" L4 ",le=\"10\"} 1\n"
	D "_bucket" L4 ",le=\"+Inf\"} 1\n"
	D "_sum" L4 "} 0.3\n"
	D "_count" L4 "} 1\n"
	"# HELP http_requests_inflight Requests being served.\n"
	"# TYPE http_requests_inflight gauge\n"
	"http_requests_inflight 1\n"
	"# HELP http_response_size_bytes Response body sizes in bytes.\n"
	"# TYPE http_response_size_bytes histogram\n"
#define S "http_response_size_bytes"
	S "_bucket" L1 ",le=\"100\"} 1\n"
	S "_bucket" L1 ",le=\"1000\"} 1\n"
	S "_bucket" L1 ",le=\"10000\"} 1\n"
	S "_bucket" L1 ",le=\"100000\"} 1\n"
	S "_bucket" L1 ",le=\"1e+06\"} 1\n"
	S "_bucket" L1 ",le=\"1e+07\"} 1\n"
	S "_bucket" L1 ",le=\"1e+08\"} 1\n"
	S "_bucket" L1 ",le=\"+Inf\"} 1\n"
	S "_sum" L1 "} 100\n"
	S "_count" L1 "} 1\n"
	S "_bucket" L2 ",le=\"100\"} 0\n"
	S "_bucket" L2 ",le=\"1000\"} 1\n"
	S "_bucket" L2 ",le=\"10000\"} 2\n"
	S "_bucket" L2 ",le=\"100000\"} 2\n"
	S "_bucket" L2 ",le=\"1e+06\"} 2\n"
	S "_bucket" L2 ",le=\"1e+07\"} 2\n"
	S "_bucket" L2 ",le=\"1e+08\"} 2\n"
	S "_bucket" L2 ",le=\"+Inf\"} 2\n"
	S "_sum" L2 "} 5150\n"
	S "_count" L2 "} 2\n"
	S "_bucket" L3 ",le=\"100\"} 0\n"
	S "_bucket" L3 ",le=\"1000\"} 0\n"
	S "_bucket" L3 ",le=\"10000\"} 0\n"
	S "_bucket" L3 ",le=\"100000\"} 0\n"
	S "_bucket" L3 ",le=\"1e+06\"} 0\n"
	S "_bucket" L3 ",le=\"1e+07\"} 0\n"
	S "_bucket" L3 ",le=\"1e+08\"} 0\n"
	S "_bucket" L3 ",le=\"+Inf\"} 1\n"
	S "_sum" L3 "} 100000001\n"
	S "_count" L3 "} 1\n"
	S "_bucket" L4 ",le=\"100\"} 1\n"
	S "_bucket" L4 ",le=\"1000\"} 1\n"
	S "_bucket" L4 ",le=\"10000\"} 1\n"
	S "_bucket" L4 ",le=\"100000\"} 1\n"
	S "_bucket" L4 ",le=\"1e+06\"} 1\n"
	S "_bucket" L4 ",le=\"1e+07\"} 1\n"
	S "_bucket" L4 ",le=\"1e+08\"} 1\n"
	S "_bucket" L4 ",le=\"+Inf\"} 1\n"
	S "_sum" L4 "} 40\n"
	S "_count" L4 "} 1\n";
#undef D
#undef S
#undef L1
#undef L2
#undef L3
#undef L4

/*
 * Two GETs of the list (one in the first bucket, one in the third), a HEAD
 * of a download right on the first bounds (buckets are inclusive), a
 * customize answered 422, an unknown method on an unknown path taking
 * longer than the last bucket with a body larger than the last; the
 * counters and gauges each set to something distinct (one counter at its
 * largest value, one gauge negative).
 */
static struct serve_metrics *scenario(void)
{
	struct serve_metrics *m = serve_metrics_new();

	cr_assert(m != NULL);
	serve_metrics_inflight(m, 1);
	serve_metrics_inflight(m, 1);
	serve_metrics_inflight(m, -1);
	serve_metrics_request(m, ROUTE_LIST, "GET", 200, 0.003, 150);
	serve_metrics_request(m, ROUTE_LIST, "GET", 200, 0.0125, 5000);
	serve_metrics_request(m, ROUTE_DOWNLOAD, "HEAD", 200, 0.005, 100);
	serve_metrics_request(m, ROUTE_CUSTOMIZE, "POST", 422, 0.3, 40);
	serve_metrics_request(m, ROUTE_OTHER, "DELETE", 405, 12.5, 100000001);
	serve_metrics_count(m, CNT_KERNEL_CACHE_HIT, 3);
	serve_metrics_count(m, CNT_KERNEL_CACHE_MISS, 1);
	serve_metrics_count(m, CNT_KERNEL_LOAD_NS, 999999999);
	serve_metrics_count(m, CNT_KERNEL_LOAD_NS, 51);
	serve_metrics_count(m, CNT_REJECTED_503, 2);
	serve_metrics_count(m, CNT_RESULT_CACHE_MISS, UINT64_MAX);
	serve_metrics_gauge_set(m, SERVE_GAUGE_KERNELS_INDEXED, 4242);
	serve_metrics_gauge_set(m, SERVE_GAUGE_CONNECTIONS, 5);
	serve_metrics_gauge_set(m, SERVE_GAUGE_KERNEL_CACHE_BYTES, 123456789012ll);
	serve_metrics_gauge_add(m, SERVE_GAUGE_RESULT_CACHE_BYTES, 1000);
	serve_metrics_gauge_add(m, SERVE_GAUGE_RESULT_CACHE_BYTES, -1);
	serve_metrics_gauge_add(m, SERVE_GAUGE_QUEUE_DEPTH, -1);
	return m;
}

Test(serve_metrics, scenario_renders_exactly)
{
	struct serve_metrics *m = scenario();
	size_t len;
	char *text = render(m, &len);

	assert_same_text(text, scenario_text, "scenario");
	cr_assert(eq(sz, len, sizeof(scenario_text) - 1));
	/* 12 counters and gauges, inflight, 4 series x (12 + 2) and x (8 + 2) */
	cr_assert(eq(sz, check_exposition(text), 13 + 4 * 14 + 4 * 10));
	xfree(text);
	/* rendering changes nothing: the same bytes again */
	text = render(m, NULL);
	assert_same_text(text, scenario_text, "second scrape");
	xfree(text);
	serve_metrics_free(m);
}

Test(serve_metrics, empty_set_renders_every_family)
{
	struct serve_metrics *m = serve_metrics_new();
	char *text;

	cr_assert(m != NULL);
	text = render(m, NULL);
	cr_assert(eq(sz, check_exposition(text), 13));
	cr_assert(eq(sz, count_prefix(text, "# TYPE "), 15));
	cr_assert(eq(sz, count_prefix(text, "# HELP "), 15));
	cr_assert(strstr(text, "# TYPE http_request_duration_seconds histogram\n") != NULL);
	cr_assert(strstr(text, "# TYPE http_response_size_bytes histogram\n") != NULL);
	cr_assert(strstr(text, "\nhttp_requests_inflight 0\n") != NULL);
	xfree(text);
	serve_metrics_free(m);
}

/* ---- labels ------------------------------------------------------------- */

Test(serve_metrics, methods_map_to_four_values)
{
	static const char *const other[] = { "get", "Post", "PUT", "DELETE", "OPTIONS", "", "GETX",
					     "GE", NULL };
	struct serve_metrics *m = serve_metrics_new();
	char *text;
	size_t i;

	cr_assert(m != NULL);
	serve_metrics_request(m, ROUTE_HEALTH, "GET", 200, 0, 3);
	serve_metrics_request(m, ROUTE_HEALTH, "HEAD", 200, 0, 0);
	serve_metrics_request(m, ROUTE_HEALTH, "POST", 405, 0, 10);
	for (i = 0; i < ARRAY_SIZE(other); i++)
		serve_metrics_request(m, ROUTE_HEALTH, other[i], 405, 0, 10);
	text = render(m, NULL);
	check_exposition(text);
	cr_assert(eq(sz, count_prefix(text, "http_request_duration_seconds_count{"), 4));
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_count{code=\"405\","
				     "handler=\"/monitoring/health\",method=\"OTHER\"}"),
		     (double)ARRAY_SIZE(other)));
	cr_assert(eq(dbl, sample_value(text, "http_response_size_bytes_sum{code=\"405\","
				     "handler=\"/monitoring/health\",method=\"OTHER\"}"),
		     10.0 * ARRAY_SIZE(other)));
	/* method order: GET, HEAD, OTHER, POST (sorted, as the Go client does) */
	cr_assert(strstr(text, "code=\"200\",handler=\"/monitoring/health\",method=\"GET\"") <
		  strstr(text, "code=\"200\",handler=\"/monitoring/health\",method=\"HEAD\""));
	cr_assert(strstr(text, "code=\"405\",handler=\"/monitoring/health\",method=\"OTHER\"") <
		  strstr(text, "code=\"405\",handler=\"/monitoring/health\",method=\"POST\""));
	xfree(text);
	serve_metrics_free(m);
}

Test(serve_metrics, codes_outside_100_599_and_bad_routes)
{
	static const int bad[] = { -1, 0, 99, 600, 999, 1000, INT32_MIN, INT32_MAX };
	struct serve_metrics *m = serve_metrics_new();
	char *text;
	size_t i;

	cr_assert(m != NULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		serve_metrics_request(m, ROUTE_LIST, "GET", bad[i], 1, 1);
	text = render(m, NULL);
	cr_assert(eq(sz, check_exposition(text), 13), "nothing recorded");
	xfree(text);
	serve_metrics_request(m, ROUTE__COUNT, "GET", 100, 1, 1);
	serve_metrics_request(m, (enum serve_route)-5, "GET", 599, 1, 1);
	text = render(m, NULL);
	check_exposition(text);
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_count{code=\"100\","
				     "handler=\"other\",method=\"GET\"}"), 1.0));
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_count{code=\"599\","
				     "handler=\"other\",method=\"GET\"}"), 1.0));
	xfree(text);
	serve_metrics_free(m);
}

/* Every code for one route, every route and method for one code: all listed, in order. */
Test(serve_metrics, label_combinations_are_bounded_and_sorted)
{
	struct serve_metrics *m = serve_metrics_new();
	char *text, key[256];
	const char *prev = NULL;
	int code, r;
	size_t mi;
	static const char *const methods[] = { "POST", "OTHER", "HEAD", "GET" };

	cr_assert(m != NULL);
	for (code = 599; code >= 100; code--)
		serve_metrics_request(m, ROUTE_DOWNLOAD, "GET", code, 0.02, 2000);
	for (r = ROUTE__COUNT - 1; r >= 0; r--)
		for (mi = 0; mi < ARRAY_SIZE(methods); mi++)
			serve_metrics_request(m, (enum serve_route)r, methods[mi], 302, 0.02, 2000);
	text = render(m, NULL);
	/* 500 codes + 7 * 4 at 302 - the one both loops made */
	cr_assert(eq(sz, count_prefix(text, "http_response_size_bytes_count{"), 500 + 28 - 1));
	check_exposition(text);
	/* series in label-value order: code, then handler, then method */
	for (code = 100; code <= 599; code++) {
		const char *p;

		snprintf(key, sizeof(key), "http_request_duration_seconds_count{code=\"%d\","
			 "handler=\"/api/v1/download\",method=\"GET\"} 1\n", code);
		p = strstr(text, key);
		if (code == 302) {
			cr_assert(p == NULL, "302 download GET was recorded twice");
			snprintf(key, sizeof(key), "http_request_duration_seconds_count{code=\"%d\","
				 "handler=\"/api/v1/download\",method=\"GET\"} 2\n", code);
			p = strstr(text, key);
		}
		cr_assert(p != NULL, "%s", key);
		cr_assert(prev == NULL || p > prev, "code %d out of order", code);
		prev = p;
	}
	{
		static const char *const order[] = { "/api/v1/customize", "/api/v1/download",
						     "/api/v1/list", "/monitoring/health",
						     "/monitoring/metrics", "/monitoring/ready",
						     "other" };
		static const char *const morder[] = { "GET", "HEAD", "OTHER", "POST" };
		const char *q = NULL;
		size_t i, j;

		for (i = 0; i < ARRAY_SIZE(order); i++)
			for (j = 0; j < ARRAY_SIZE(morder); j++) {
				const char *p;

				snprintf(key, sizeof(key),
					 "http_response_size_bytes_sum{code=\"302\",handler=\"%s\","
					 "method=\"%s\"}", order[i], morder[j]);
				p = strstr(text, key);
				cr_assert(p != NULL, "%s", key);
				cr_assert(q == NULL || p > q, "%s out of order", key);
				q = p;
			}
	}
	xfree(text);
	serve_metrics_free(m);
}

/* ---- values ------------------------------------------------------------- */

Test(serve_metrics, odd_durations_and_sizes)
{
	struct serve_metrics *m = serve_metrics_new();
	char *text;

	cr_assert(m != NULL);
	serve_metrics_request(m, ROUTE_READY, "GET", 200, -3, 0);
	serve_metrics_request(m, ROUTE_READY, "GET", 200, NAN, 0);
	serve_metrics_request(m, ROUTE_READY, "GET", 200, 0, 0);
	serve_metrics_request(m, ROUTE_READY, "GET", 503, INFINITY, UINT64_MAX);
	serve_metrics_request(m, ROUTE_READY, "GET", 503, 1e300, UINT64_MAX);
	serve_metrics_request(m, ROUTE_READY, "GET", 504, 1e-10, 100000000);
	serve_metrics_request(m, ROUTE_READY, "GET", 504, 10, 100000001);
	text = render(m, NULL);
	check_exposition(text);
#define K(code, what) "{code=\"" code "\",handler=\"/monitoring/ready\",method=\"GET\"" what "}"
	/* negative and NaN count as 0: first bucket, sum 0 */
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_bucket"
				     K("200", ",le=\"0.005\"")), 3.0));
	cr_assert(strstr(text, "http_request_duration_seconds_sum" K("200", "") " 0\n") != NULL);
	/* longer than SECONDS_MAX: recorded as 1e9 s, above every bucket */
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_bucket"
				     K("503", ",le=\"10\"")), 0.0));
	cr_assert(strstr(text, "http_request_duration_seconds_sum" K("503", "")
			 " 2000000000\n") != NULL);
	/* byte sums saturate */
	cr_assert(strstr(text, "http_response_size_bytes_sum" K("503", "")
			 " 18446744073709551615\n") != NULL);
	/* 1e-10 s rounds to 0 ns; 10 s is in the le="10" bucket; 1e8 bytes in le="1e+08" */
	cr_assert(strstr(text, "http_request_duration_seconds_sum" K("504", "") " 10\n") != NULL);
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_bucket"
				     K("504", ",le=\"10\"")), 2.0));
	cr_assert(eq(dbl, sample_value(text, "http_response_size_bytes_bucket"
				     K("504", ",le=\"1e+08\"")), 1.0));
	cr_assert(eq(dbl, sample_value(text, "http_response_size_bytes_bucket"
				     K("504", ",le=\"+Inf\"")), 2.0));
#undef K
	xfree(text);
	serve_metrics_free(m);
}

Test(serve_metrics, null_set_is_a_no_op)
{
	char *out = NULL;
	size_t len = 0;

	serve_metrics_free(NULL);
	serve_metrics_inflight(NULL, 1);
	serve_metrics_request(NULL, ROUTE_LIST, "GET", 200, 1, 1);
	serve_metrics_count(NULL, CNT_REJECTED_503, 1);
	serve_metrics_gauge_set(NULL, SERVE_GAUGE_CONNECTIONS, 1);
	serve_metrics_gauge_add(NULL, SERVE_GAUGE_CONNECTIONS, 1);
	cr_assert(eq(int, serve_metrics_render(NULL, &out, &len), -EINVAL));
	cr_assert(eq(ptr, out, NULL));
}

Test(serve_metrics, out_of_range_counters_and_gauges_are_ignored)
{
	struct serve_metrics *m = serve_metrics_new();
	char *text;

	cr_assert(m != NULL);
	serve_metrics_count(m, CNT__COUNT, 7);
	serve_metrics_count(m, (enum serve_counter)-1, 7);
	serve_metrics_gauge_set(m, SERVE_GAUGE__COUNT, 7);
	serve_metrics_gauge_set(m, -1, 7);
	serve_metrics_gauge_add(m, SERVE_GAUGE__COUNT, 7);
	text = render(m, NULL);
	check_exposition(text);
	cr_assert(strstr(text, " 7\n") == NULL);
	xfree(text);
	serve_metrics_free(m);
}

/* ---- threads ------------------------------------------------------------ */

#define THREADS 8
#define OBS 10000

static atomic_bool scrape_stop;

struct worker {
	struct serve_metrics *m;
	int t;
};

/*
 * Thread t: OBS requests on the list (t even) or the download route (t
 * odd), GET, alternately 200 and 404, 12.5 ms and 1000 bytes each (both
 * exact in their units, and right on the le="1000" bound), with the
 * inflight gauge, two counters and a gauge moved around each.
 */
static void *worker(void *arg)
{
	struct worker *w = arg;
	int j;

	for (j = 0; j < OBS; j++) {
		serve_metrics_inflight(w->m, 1);
		serve_metrics_gauge_add(w->m, SERVE_GAUGE_QUEUE_DEPTH, 1);
		serve_metrics_request(w->m, w->t % 2 ? ROUTE_DOWNLOAD : ROUTE_LIST, "GET",
				      j % 2 ? 404 : 200, 0.0125, 1000);
		serve_metrics_count(w->m, CNT_KERNEL_CACHE_HIT, 1);
		serve_metrics_count(w->m, CNT_REJECTED_503, 2);
		serve_metrics_inflight(w->m, -1);
	}
	return NULL;
}

/*
 * Render over and over while the workers run, keeping the last SCRAPES_KEPT
 * texts for the test's thread to check (Criterion's assertions belong in
 * the test's own thread). Returns the number of scrapes, or -1 if one
 * failed.
 */
#define SCRAPES_KEPT 16
static char *scrapes_kept[SCRAPES_KEPT];

static void *scraper(void *arg)
{
	struct serve_metrics *m = arg;
	intptr_t n = 0;

	while (!atomic_load(&scrape_stop)) {
		char *text = NULL;
		size_t len;

		if (serve_metrics_render(m, &text, &len))
			return (void *)(intptr_t)-1;
		xfree(scrapes_kept[n % SCRAPES_KEPT]);
		scrapes_kept[n++ % SCRAPES_KEPT] = text;
	}
	return (void *)n;
}

Test(serve_metrics, eight_threads_give_exact_totals)
{
	struct serve_metrics *m = serve_metrics_new();
	struct worker w[THREADS];
	pthread_t th[THREADS], sc;
	void *scrapes;
	char *text;
	int t;

	cr_assert(m != NULL);
	atomic_store(&scrape_stop, false);
	cr_assert(eq(int, pthread_create(&sc, NULL, scraper, m), 0));
	for (t = 0; t < THREADS; t++) {
		w[t].m = m;
		w[t].t = t;
		cr_assert(eq(int, pthread_create(&th[t], NULL, worker, &w[t]), 0));
	}
	for (t = 0; t < THREADS; t++)
		cr_assert(eq(int, pthread_join(th[t], NULL), 0));
	atomic_store(&scrape_stop, true);
	cr_assert(eq(int, pthread_join(sc, &scrapes), 0));
	cr_assert(gt(iptr, (intptr_t)scrapes, 0), "a scrape failed, or none ran");
	for (t = 0; t < SCRAPES_KEPT; t++) {
		if (scrapes_kept[t])
			check_exposition(scrapes_kept[t]);
		xfree(scrapes_kept[t]);
		scrapes_kept[t] = NULL;
	}

	text = render(m, NULL);
	check_exposition(text);
	cr_assert(eq(dbl, sample_value(text, "btfgen_kernel_cache_hits_total"),
		     (double)THREADS * OBS));
	cr_assert(eq(dbl, sample_value(text, "btfgen_rejected_total"), 2.0 * THREADS * OBS));
	cr_assert(eq(dbl, sample_value(text, "btfgen_reduce_queue_depth"), (double)THREADS * OBS));
	cr_assert(eq(dbl, sample_value(text, "http_requests_inflight"), 0.0));
	cr_assert(eq(sz, count_prefix(text, "http_request_duration_seconds_count{"), 4));
	{
		/* each series: 4 threads x OBS / 2 = 20,000 requests, 250 s, 2e7 bytes */
		static const char *const series[] = {
			"{code=\"200\",handler=\"/api/v1/download\",method=\"GET\"",
			"{code=\"200\",handler=\"/api/v1/list\",method=\"GET\"",
			"{code=\"404\",handler=\"/api/v1/download\",method=\"GET\"",
			"{code=\"404\",handler=\"/api/v1/list\",method=\"GET\"",
		};
		const double per = THREADS / 2 * OBS / 2;
		char key[256];
		size_t i;

		for (i = 0; i < ARRAY_SIZE(series); i++) {
			snprintf(key, sizeof(key), "http_request_duration_seconds_count%s}",
				 series[i]);
			cr_assert(eq(dbl, sample_value(text, key), per), "%s", key);
			snprintf(key, sizeof(key), "http_request_duration_seconds_sum%s} 250\n",
				 series[i]);
			cr_assert(strstr(text, key) != NULL, "%s", key);
			snprintf(key, sizeof(key),
				 "http_request_duration_seconds_bucket%s,le=\"0.01\"}", series[i]);
			cr_assert(eq(dbl, sample_value(text, key), 0.0), "%s", key);
			snprintf(key, sizeof(key),
				 "http_request_duration_seconds_bucket%s,le=\"0.025\"}", series[i]);
			cr_assert(eq(dbl, sample_value(text, key), per), "%s", key);
			snprintf(key, sizeof(key), "http_response_size_bytes_sum%s} 20000000\n",
				 series[i]);
			cr_assert(strstr(text, key) != NULL, "%s", key);
			snprintf(key, sizeof(key), "http_response_size_bytes_bucket%s,le=\"100\"}",
				 series[i]);
			cr_assert(eq(dbl, sample_value(text, key), 0.0), "%s", key);
			snprintf(key, sizeof(key), "http_response_size_bytes_bucket%s,le=\"1000\"}",
				 series[i]);
			cr_assert(eq(dbl, sample_value(text, key), per), "%s", key);
		}
	}
	xfree(text);
	serve_metrics_free(m);
}

/* ---- allocation failures ------------------------------------------------ */

Test(serve_metrics, allocation_failures)
{
	struct serve_metrics *m;
	unsigned long at;
	char *text;
	int code;

	/* new(): the struct and the first series array */
	for (at = 1; at <= 2; at++) {
		util_alloc_fail_at = at;
		m = serve_metrics_new();
		util_alloc_fail_at = 0;
		cr_assert(eq(ptr, m, NULL), "allocation %lu", at);
		assert_no_leaks();
	}
	m = scenario();
	/* render(): the snapshot, the buffer, its growth */
	for (at = 1;; at++) {
		char *out = (char *)m;
		size_t len = 99;
		int err;

		cr_assert(lt(ulong, at, 32), "render never succeeded");
		util_alloc_fail_at = at;
		err = serve_metrics_render(m, &out, &len);
		util_alloc_fail_at = 0;
		if (!err) {
			cr_assert(gt(ulong, at, 2));
			assert_same_text(out, scenario_text, "after allocation failures");
			xfree(out);
			break;
		}
		cr_assert(eq(int, err, -ENOMEM));
		cr_assert(eq(ptr, out, (char *)m));
		cr_assert(eq(sz, len, 99));
		assert_no_leaks();
	}
	serve_metrics_free(m);

	/* a new series that can't get room is dropped; the others still count */
	m = serve_metrics_new();
	cr_assert(m != NULL);
	for (code = 200; code < 216; code++)	/* fills the first 16 slots */
		serve_metrics_request(m, ROUTE_LIST, "GET", code, 0, 0);
	util_alloc_fail_at = 1;
	serve_metrics_request(m, ROUTE_LIST, "GET", 299, 0, 0);
	serve_metrics_request(m, ROUTE_LIST, "GET", 200, 0, 0);	/* existing: no allocation */
	util_alloc_fail_at = 0;
	text = render(m, NULL);
	check_exposition(text);
	cr_assert(strstr(text, "code=\"299\"") == NULL);
	cr_assert(eq(dbl, sample_value(text, "http_request_duration_seconds_count{code=\"200\","
				     "handler=\"/api/v1/list\",method=\"GET\"}"), 2.0));
	xfree(text);
	serve_metrics_request(m, ROUTE_LIST, "GET", 299, 0, 0);
	text = render(m, NULL);
	cr_assert(eq(sz, count_prefix(text, "http_response_size_bytes_count{"), 17));
	xfree(text);
	serve_metrics_free(m);
	assert_no_leaks();
}

/* ---- prometheus_client's parser ------------------------------------------ */

/*
 * The scenario and a busy set through prometheus_client's text parser: the
 * same families with the same types, the histogram samples it expects.
 * (The package is python3-prometheus-client in Debian, installed for
 * /usr/bin/python3; tests/deps.sh installs it.)
 */
Test(serve_metrics, prometheus_client_parses_it)
{
	static const char script[] =
		"import sys\n"
		"from prometheus_client.parser import text_string_to_metric_families\n"
		"fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}\n"
		"want = {'btfgen_connections': 'gauge', 'btfgen_connections_rejected': 'counter',\n"
		"  'btfgen_kernel_cache_bytes': 'gauge', 'btfgen_kernel_cache_hits': 'counter',\n"
		"  'btfgen_kernel_cache_misses': 'counter', 'btfgen_kernels_indexed': 'gauge',\n"
		"  'btfgen_kernel_load_seconds': 'counter',\n"
		"  'btfgen_reduce_queue_depth': 'gauge', 'btfgen_rejected': 'counter',\n"
		"  'btfgen_result_cache_bytes': 'gauge', 'btfgen_result_cache_hits': 'counter',\n"
		"  'btfgen_result_cache_misses': 'counter',\n"
		"  'http_request_duration_seconds': 'histogram', 'http_requests_inflight': 'gauge',\n"
		"  'http_response_size_bytes': 'histogram'}\n"
		"got = {n: f.type for n, f in fams.items()}\n"
		"assert got == want, got\n"
		"h = fams['http_request_duration_seconds']\n"
		"series = {}\n"
		"for s in h.samples:\n"
		"    key = (s.labels['code'], s.labels['handler'], s.labels['method'])\n"
		"    series.setdefault(key, {})[s.name[len(h.name):] + s.labels.get('le', '')] = s.value\n"
		"assert len(series) == int(sys.argv[2]), len(series)\n"
		"for k, v in series.items():\n"
		"    assert v['_bucket+Inf'] == v['_count'], (k, v)\n"
		"    assert len([x for x in v if x.startswith('_bucket')]) == 12, (k, v)\n"
		"print(sum(v['_count'] for v in series.values()))\n";
	const char *py = NULL;
	struct serve_metrics *m;
	char cmd[PATH_MAX * 3], *text, total[64] = "";
	FILE *p;

	if (!system("/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1"))
		py = "/usr/bin/python3";
	else if (!system("python3 -c 'import prometheus_client' >/dev/null 2>&1"))
		py = "python3";
	else
		TMP_SKIP("python3's prometheus_client is not installed "
		     "(apt-get install python3-prometheus-client)");
	put_file(tmp_path("check.py"), script, sizeof(script) - 1);

	put_file(tmp_path("scenario.txt"), scenario_text, sizeof(scenario_text) - 1);
	snprintf(cmd, sizeof(cmd), "%s '%s' '%s' 4", py, tmp_path("check.py"),
		 tmp_path("scenario.txt"));
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	cr_assert(fgets(total, sizeof(total), p) != NULL);
	cr_assert(eq(int, pclose(p), 0), "failed: %s", cmd);
	cr_assert(eq(str, total, "5.0\n"));

	m = serve_metrics_new();
	cr_assert(m != NULL);
	{
		int code, r, j;

		for (code = 100; code <= 599; code += 7)
			for (r = 0; r < ROUTE__COUNT; r++)
				for (j = 0; j < 3; j++)
					serve_metrics_request(m, (enum serve_route)r,
							      j ? "POST" : "GET", code,
							      0.001 * (code % 50) * j, (uint64_t)code * j);
	}
	text = render(m, NULL);
	put_file(tmp_path("busy.txt"), text, strlen(text));
	/* codes 100, 107, ..., 597: 72 codes x 7 routes x 2 methods; 72 x 7 x 3 requests */
	snprintf(cmd, sizeof(cmd), "%s '%s' '%s' %d", py, tmp_path("check.py"),
		 tmp_path("busy.txt"), 72 * 7 * 2);
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	cr_assert(fgets(total, sizeof(total), p) != NULL);
	cr_assert(eq(int, pclose(p), 0), "failed: %s", cmd);
	snprintf(cmd, sizeof(cmd), "%d.0\n", 72 * 7 * 3);
	cr_assert(eq(str, total, cmd));
	xfree(text);
	serve_metrics_free(m);
}
