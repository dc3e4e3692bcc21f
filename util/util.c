// SPDX-License-Identifier: MIT
/*
 * util.c - allocation wrappers (with a fault-injection hook for tests),
 * growable-array helper and the diagnostic sink.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"


struct util_limits util_limits = {
	.input_size = LIMIT_INPUT_SIZE_DEFAULT,
	.btf_size = LIMIT_BTF_SIZE_DEFAULT,
	.types = LIMIT_TYPES_DEFAULT,
};
enum diag_level diag_level = DIAG_WARN;
static diag_sink_fn diag_sink;
static _Thread_local char *diag_cap_buf;	/* per thread: archive workers capture */
static _Thread_local size_t diag_cap_n;
static _Thread_local unsigned long diag_nr_warnings;

#ifdef BTFGEN_FAULT_INJECTION
atomic_ulong util_alloc_fail_at;
atomic_ulong util_alloc_count;

/* Count down util_alloc_fail_at atomically: exactly one allocation sees 1 -> 0. */
static bool alloc_should_fail(void)
{
	unsigned long n = atomic_load(&util_alloc_fail_at);

	atomic_fetch_add(&util_alloc_count, 1);
	while (n) {
		if (atomic_compare_exchange_weak(&util_alloc_fail_at, &n, n - 1))
			return n == 1;
	}
	return false;
}
#else
static inline bool alloc_should_fail(void)
{
	return false;
}
#endif

void *xmalloc(size_t sz)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(sz ? sz : 1);
}

void *xcalloc(size_t n, size_t sz)
{
	if (alloc_should_fail())
		return NULL;
	if (!n || !sz)
		n = sz = 1;
	return calloc(n, sz);
}

void *xrealloc(void *p, size_t sz)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, sz ? sz : 1);
}

void *xreallocarray(void *p, size_t n, size_t sz)
{
	size_t total;

	if (mul_overflow_size(n, sz, &total))
		return NULL;
	return xrealloc(p, total);
}

void xfree(void *p)
{
	free(p);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

int util_ensure_mem(void **data, size_t *cap, size_t elem_sz, size_t need, size_t max_cnt)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max_cnt)
		return -E2BIG;
	new_cap = *cap + *cap / 4;
	if (new_cap < 16)
		new_cap = 16;
	if (new_cap < need)
		new_cap = need;
	if (new_cap > max_cnt)
		new_cap = max_cnt;
	p = xreallocarray(*data, new_cap, elem_sz);
	if (!p)
		return -ENOMEM;
	*data = p;
	*cap = new_cap;
	return 0;
}

struct diag_cap diag_capture(char *buf, size_t n)
{
	struct diag_cap prev = { diag_cap_buf, diag_cap_n };

	diag_cap_buf = n ? buf : NULL;
	diag_cap_n = n;
	if (diag_cap_buf)
		diag_cap_buf[0] = '\0';
	return prev;
}

void diag_capture_restore(struct diag_cap prev)
{
	diag_cap_buf = prev.buf;
	diag_cap_n = prev.n;
}

unsigned long diag_warn_count(void)
{
	return diag_nr_warnings;
}

void diag_set_sink(diag_sink_fn fn)
{
	diag_sink = fn;
}

void diag_print(enum diag_level level, const char *fmt, ...)
{
	char buf[4096];	/* the longest line: a verify difference (two outcomes, names) */
	va_list ap;

	if (level > diag_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (diag_cap_buf && level == DIAG_WARN) {
		snprintf(diag_cap_buf, diag_cap_n, "%s", buf);
		return;
	}
	if (level == DIAG_WARN)
		diag_nr_warnings++;
	if (diag_sink) {
		diag_sink(level, buf);
		return;
	}
	fprintf(stderr, "btfgen: %s\n", buf);
}
