// SPDX-License-Identifier: MIT
/*
 * server.c - sockets, connections and their limits.
 *
 *   main thread     accept loop: poll(listener, stop pipe); a connection
 *                   over max_conns gets a canned 503 and is closed
 *   indexer thread  the first walk (then /monitoring/ready says 200), and
 *                   each rescan (SIGHUP, --rescan): a new index is swapped
 *                   in; requests keep the one they started with
 *   one thread per connection
 *                   head (header timeout from the first byte, idle timeout
 *                   before it on a kept-alive connection), body
 *                   (Content-Length or chunked, body timeout, 100-continue),
 *                   the handler, the answer (written within the body
 *                   timeout), the access log line; then the next request
 *
 * Every wait is a poll() on the socket and the stop pipe with a deadline:
 * a byte in the stop pipe (never read) wakes every waiter at once. On stop
 * the listener closes, idle connections close, requests in flight get
 * grace_ms to finish; serve_run() then returns.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve_internal.h"

/* Stack of a connection thread: the reduce pipeline runs on it. */
#define SERVE_THREAD_STACK	(2u << 20)
/* The canned answer to a connection over the limit. */
static const char busy_503[] =
	"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
	"Content-Length: 29\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
	"too many connections, retry\r\n";

void serve_opts_default(struct serve_opts *o)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->listen = SERVE_LISTEN_DEFAULT;
	o->workers = n < 1 ? 1 : n > SERVE_MAX_WORKERS ? SERVE_MAX_WORKERS : (unsigned)n;
	o->queue_max = SERVE_QUEUE_DEFAULT;
	o->max_conns = SERVE_MAX_CONNS_DEFAULT;
	o->head_max = SERVE_HEAD_MAX_DEFAULT;
	o->body_max = SERVE_BODY_MAX_DEFAULT;
	o->header_timeout_ms = SERVE_HEADER_TIMEOUT_DEFAULT;
	o->body_timeout_ms = SERVE_BODY_TIMEOUT_DEFAULT;
	o->idle_timeout_ms = SERVE_IDLE_TIMEOUT_DEFAULT;
	o->grace_ms = SERVE_GRACE_DEFAULT;
	o->cache_bytes = SERVE_CACHE_DEFAULT;
	o->result_cache_bytes = SERVE_RESULT_CACHE_DEFAULT;
	o->batch_max = SERVE_BATCH_MAX_DEFAULT;
}

static void logf_(const struct serve *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const struct serve *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!s->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->o.log(line, s->o.log_ctx);
}

static const char *method_label(enum http_method m)
{
	return m == HTTP_HEAD ? "HEAD" : m == HTTP_GET ? "GET" : m == HTTP_POST ? "POST" : "OTHER";
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Request bodies held at once, in all: SERVE_UPLOADS_AT_ONCE full-size
 * uploads (256 MiB with the defaults), so that many connections uploading
 * at the same time can't take the memory; beyond it, 503.
 */
#define SERVE_UPLOADS_AT_ONCE	8

static bool body_take(struct serve *s, size_t n)
{
	uint64_t cur = atomic_load(&s->body_bytes), budget = s->o.body_max * SERVE_UPLOADS_AT_ONCE;

	do {
		if (n > budget - cur || cur > budget)
			return false;
	} while (!atomic_compare_exchange_weak(&s->body_bytes, &cur, cur + n));
	return true;
}

static void body_give(struct serve *s, size_t n)
{
	atomic_fetch_sub(&s->body_bytes, n);
}

/* ---- the listener -------------------------------------------------------- */

/* "ADDR:PORT" or "[V6]:PORT" into a sockaddr. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	size_t hl;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - spec - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 1, hl);
		port_s = rb + 2;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - spec);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, hl);
		port_s = colon + 1;
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (!*port_s || *end || errno || port > 65535 || *port_s == '-' || *port_s == '+')
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &a->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a);
	}
	return 0;
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char h[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof(h));
		snprintf(out, n, "[%s]:%u", h, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, h, sizeof(h));
		snprintf(out, n, "%s:%u", h, ntohs(a->sin_port));
	}
}

static int check_opts(const struct serve_opts *o)
{
	if (!o->archive_dir || !o->listen)
		return -EINVAL;
	if (!o->workers || o->workers > SERVE_MAX_WORKERS || !o->max_conns || o->head_max < 256 ||
	    !o->header_timeout_ms || !o->body_timeout_ms || !o->idle_timeout_ms || !o->batch_max)
		return -EINVAL;
	return 0;
}

int serve_new(const struct serve_opts *o, struct serve **out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct serve *s;
	struct stat st;
	int one = 1, err;

	*out = NULL;
	if (check_opts(o)) {
		pr_warn("serve: a limit out of range");
		return -EINVAL;
	}
	if (stat(o->archive_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pr_warn("%s: %s", o->archive_dir, errno ? strerror(errno) : "not a folder");
		return -ENOENT;
	}
	if (parse_listen(o->listen, &ss, &len)) {
		pr_warn("--listen %s: not ADDR:PORT or [IPV6]:PORT with numeric addresses", o->listen);
		return -EINVAL;
	}
	s = xcalloc(1, sizeof(*s));
	if (!s) {
		pr_warn("serve: out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->listen_fd = s->stop_pipe[0] = s->stop_pipe[1] = s->rescan_pipe[0] = s->rescan_pipe[1] = -1;
	pthread_mutex_init(&s->ix_lock, NULL);
	pthread_mutex_init(&s->gate_lock, NULL);
	pthread_cond_init(&s->gate_cond, NULL);
	pthread_mutex_init(&s->conn_lock, NULL);
	pthread_cond_init(&s->conn_cond, NULL);
	s->metrics = serve_metrics_new();
	if (!s->metrics ||
	    cache_init(&s->kernels, o->cache_bytes, serve_kernel_destroy, s->metrics,
		       CNT_KERNEL_CACHE_HIT, CNT_KERNEL_CACHE_MISS, SERVE_GAUGE_KERNEL_CACHE_BYTES) ||
	    cache_init(&s->results, o->result_cache_bytes, serve_result_destroy, s->metrics,
		       CNT_RESULT_CACHE_HIT, CNT_RESULT_CACHE_MISS, SERVE_GAUGE_RESULT_CACHE_BYTES)) {
		pr_warn("serve: out of memory");
		serve_free(s);
		return -ENOMEM;
	}
	if (pipe2(s->stop_pipe, O_CLOEXEC | O_NONBLOCK) || pipe2(s->rescan_pipe, O_CLOEXEC | O_NONBLOCK)) {
		err = -errno;
		pr_warn("serve: pipe: %s", strerror(errno));
		serve_free(s);
		return err;
	}
	s->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0 ||
	    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->listen_fd, (struct sockaddr *)&ss, len) || listen(s->listen_fd, 512)) {
		err = -errno;
		pr_warn("--listen %s: %s", o->listen, strerror(errno));
		serve_free(s);
		return err;
	}
	len = sizeof(ss);
	getsockname(s->listen_fd, (struct sockaddr *)&ss, &len);
	addr_text(&ss, s->addr, sizeof(s->addr));
	*out = s;
	return 0;
}

const char *serve_address(const struct serve *s)
{
	return s->addr;
}

void serve_stop(struct serve *s)
{
	ssize_t r;

	atomic_store(&s->stopping, true);
	r = write(s->stop_pipe[1], "x", 1);
	(void)r;
}

void serve_rescan(struct serve *s)
{
	ssize_t r = write(s->rescan_pipe[1], "x", 1);

	(void)r;
}

void serve_free(struct serve *s)
{
	int i;

	if (!s)
		return;
	pthread_mutex_lock(&s->conn_lock);
	i = (int)s->conns;
	pthread_mutex_unlock(&s->conn_lock);
	if (i)
		return;	/* connections past the grace period still use it: the process exits */
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	for (i = 0; i < 2; i++) {
		if (s->stop_pipe[i] >= 0)
			close(s->stop_pipe[i]);
		if (s->rescan_pipe[i] >= 0)
			close(s->rescan_pipe[i]);
	}
	index_put(s->ix);
	cache_fini(&s->kernels);
	cache_fini(&s->results);
	serve_metrics_free(s->metrics);
	pthread_mutex_destroy(&s->ix_lock);
	pthread_mutex_destroy(&s->gate_lock);
	pthread_cond_destroy(&s->gate_cond);
	pthread_mutex_destroy(&s->conn_lock);
	pthread_cond_destroy(&s->conn_cond);
	xfree(s);
}

struct index *serve_index(struct serve *s)
{
	struct index *ix;

	pthread_mutex_lock(&s->ix_lock);
	ix = s->ix;
	if (ix)
		index_get(ix);
	pthread_mutex_unlock(&s->ix_lock);
	return ix;
}

/* ---- the indexer ---------------------------------------------------------- */

static int walk_and_swap(struct serve *s, bool first)
{
	struct index *ix, *old;
	int64_t t0 = now_ms();
	int err = index_build(s->o.archive_dir, &ix);

	if (err) {
		if (!first)
			logf_(s, "rescan of %s failed: still serving the previous index", s->o.archive_dir);
		return err;
	}
	pthread_mutex_lock(&s->ix_lock);
	old = s->ix;
	s->ix = ix;
	pthread_mutex_unlock(&s->ix_lock);
	index_put(old);
	serve_metrics_gauge_set(s->metrics, SERVE_GAUGE_KERNELS_INDEXED, (int64_t)ix->n);
	if (first) {
		atomic_store(&s->ready, true);
		logf_(s, "serving http://%s/ : %zu kernels indexed from %s in %lld ms, %u workers", s->addr,
		      ix->n, s->o.archive_dir, (long long)(now_ms() - t0), s->o.workers);
	} else {
		logf_(s, "rescan: %zu kernels indexed from %s in %lld ms", ix->n, s->o.archive_dir,
		      (long long)(now_ms() - t0));
	}
	return 0;
}

static void *indexer(void *arg)
{
	struct serve *s = arg;
	char drain[64];

	if (walk_and_swap(s, true)) {
		logf_(s, "%s: could not be indexed: stopping", s->o.archive_dir);
		serve_stop(s);
		return (void *)1;
	}
	while (!atomic_load(&s->stopping)) {
		struct pollfd p[2] = { { s->stop_pipe[0], POLLIN, 0 }, { s->rescan_pipe[0], POLLIN, 0 } };
		int timeout = s->o.rescan_s ? (int)(s->o.rescan_s > 86400 ? 86400000 : s->o.rescan_s * 1000) : -1;
		int n = poll(p, 2, timeout);

		if (n < 0 && errno != EINTR)
			break;
		if (atomic_load(&s->stopping) || (p[0].revents & POLLIN))
			break;
		while (read(s->rescan_pipe[0], drain, sizeof(drain)) > 0)
			;
		if (n >= 0)
			walk_and_swap(s, false);
	}
	return NULL;
}

/* ---- one connection ------------------------------------------------------ */

struct conn {
	struct serve *s;
	int fd;
	char peer[64];
	char *buf;		/* the head, and bytes after it (pipelining) */
	size_t len, cap;
	const struct req *cur;	/* the request being read, once its head parsed (for the log) */
};

static void access_log(struct conn *c, const struct req *q, const struct resp *r, double ms);

/*
 * Wait for @fd to be readable (or writable) until @deadline: 1 ready, 0
 * timeout, -1 stop (only when @stoppable: waiting for a request, not
 * inside one) or error.
 */
static int wait_fd(struct conn *c, short ev, int64_t deadline, bool stoppable)
{
	for (;;) {
		struct pollfd p[2] = { { c->fd, ev, 0 }, { c->s->stop_pipe[0], POLLIN, 0 } };
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(p, stoppable ? 2 : 1, left > 1000000 ? 1000000 : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (p[0].revents)
			return 1;
		if (stoppable && p[1].revents)
			return -1;
	}
}

static int send_all(struct conn *c, const void *data, size_t len, int64_t deadline, int more)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT | more);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* in flight: the stop pipe does not cut an answer short */
			if (wait_fd(c, POLLOUT, deadline, false) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		return -EPIPE;
	}
	return 0;
}

void resp_header(struct resp *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->extra + r->extra_len, sizeof(r->extra) - r->extra_len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(r->extra) - r->extra_len)
		r->extra_len += (size_t)n;
}

void resp_text(struct resp *r, int status, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';	/* one line, whatever the request put in it */
	line[n++] = '\n';
	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	resp_done(r);
	r->owned = xmalloc((size_t)n);
	if (r->owned)
		memcpy(r->owned, line, (size_t)n);
	r->body = r->owned;
	r->len = r->owned ? (size_t)n : 0;
}

void resp_done(struct resp *r)
{
	xfree(r->owned);
	r->owned = NULL;
	if (r->ent)
		cache_release(r->cache, r->ent);
	r->ent = NULL;
	if (r->file.data)
		util_file_close(&r->file);
	memset(&r->file, 0, sizeof(r->file));
}

/* Write @r; the body unless HEAD or a status without one. */
static int send_resp(struct conn *c, const struct req *q, struct resp *r, bool keep)
{
	char head[2048], date[30];
	int64_t deadline = now_ms() + c->s->o.body_timeout_ms;
	bool body = q->h.method != HTTP_HEAD && r->status != 304 && r->status != 204;
	int n, err;

	http_date((int64_t)time(NULL), date);
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: btfgen/%s\r\n%s%s%sContent-Length: %zu\r\n%s%.*s\r\n",
		     r->status, http_status_text(r->status), date, BTFGEN_VERSION,
		     r->ctype ? "Content-Type: " : "", r->ctype ? r->ctype : "", r->ctype ? "\r\n" : "",
		     r->len, keep ? (q->h.version_minor == 0 ? "Connection: keep-alive\r\n" : "") :
				    "Connection: close\r\n",
		     (int)r->extra_len, r->extra);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -EINVAL;
	err = send_all(c, head, (size_t)n, deadline, body && r->len ? MSG_MORE : 0);
	if (!err && body && r->len)
		err = send_all(c, r->body, r->len, deadline, 0);
	return err;
}

/*
 * An error answered before the handler (a bad head, a body that can't be
 * read): the connection closes after it. Logged and counted like the rest,
 * under the request's route once its head parsed, else "other".
 */
static void send_error(struct conn *c, int status, const char *why)
{
	struct req q = { .s = c->s, .route = ROUTE_OTHER };
	struct resp r = { 0 };

	if (c->cur) {
		q.h = c->cur->h;
		q.route = c->cur->route;
	} else {
		q.h.version_minor = 1;
		q.h.method = HTTP_OTHER;
	}
	resp_text(&r, status, "%s", why);
	if (status == 503)
		resp_header(&r, "Retry-After: 1\r\n");
	send_resp(c, &q, &r, false);
	serve_metrics_request(c->s->metrics, q.route, c->cur ? method_label(q.h.method) : "OTHER",
			      status, 0, r.len);
	access_log(c, &q, &r, 0);
	resp_done(&r);
}

/* Read more bytes into c->buf (room must be left); >0 read, 0 EOF, <0 timeout/stop/error. */
static ssize_t read_more(struct conn *c, int64_t deadline, bool stoppable)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		int w;

		if (n >= 0) {
			c->len += (size_t)n;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -EIO;
		w = wait_fd(c, POLLIN, deadline, stoppable);
		if (w <= 0)
			return w == 0 ? -ETIMEDOUT : -ECANCELED;
	}
}

/*
 * The head of the next request: 1 parsed into @q, 0 the connection is done
 * (closed by the peer, idle timeout, stop), -1 an error was answered.
 */
static int read_head(struct conn *c, struct req *q, bool first)
{
	const struct serve_opts *o = &c->s->o;
	int64_t deadline = first ? now_ms() + o->header_timeout_ms : INT64_MAX;
	int64_t idle_until = now_ms() + o->idle_timeout_ms;

	for (;;) {
		int r = c->len ? http_parse_head(c->buf, c->len, o->head_max, &q->h) : 0;
		ssize_t n;

		if (r > 0)
			return 1;
		if (r < 0) {
			send_error(c, -r, q->h.error ? q->h.error : "bad request");
			return -1;
		}
		if (c->len && deadline == INT64_MAX)
			deadline = now_ms() + o->header_timeout_ms;	/* the first byte came */
		if (c->len == c->cap) {
			send_error(c, 431, "request head too large");
			return -1;
		}
		if (atomic_load(&c->s->stopping) && !c->len)
			return 0;
		n = read_more(c, c->len || first ? deadline : idle_until, true);
		if (n == 0) {
			if (c->len)
				send_error(c, 400, "connection closed inside the request head");
			return 0;
		}
		if (n == -ETIMEDOUT && c->len) {
			send_error(c, 408, "request head not received in time");
			return -1;
		}
		if (n < 0)
			return 0;
	}
}

/*
 * The body, into a new buffer (*@body, xfree()). 0, or -1 when an error was
 * answered or the connection failed (it then closes).
 */
static int read_body(struct conn *c, struct req *q, char **body, size_t *body_len,
		     size_t *held)
{
	const struct serve_opts *o = &c->s->o;
	int64_t deadline = now_ms() + o->body_timeout_ms;
	size_t rest = c->len - q->h.head_len;
	char *b = NULL;

	*body = NULL;
	*body_len = 0;
	*held = 0;
	memmove(c->buf, c->buf + q->h.head_len, rest);
	c->len = rest;
	if (!q->h.has_length && !q->h.chunked) {
		if (q->h.method == HTTP_POST) {
			send_error(c, 411, "a POST needs Content-Length or chunked encoding");
			return -1;
		}
		return 0;
	}
	if (q->h.has_length && q->h.content_length > o->body_max) {
		send_error(c, 413, "request body over the upload limit");
		return -1;
	}
	if (q->h.expect_continue && !c->len &&
	    send_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, deadline, 0))
		return -1;
	if (q->h.has_length) {
		size_t need = (size_t)q->h.content_length, have = rest < need ? rest : need;

		if (!body_take(c->s, need)) {
			send_error(c, 503, "too many uploads at once, retry");
			return -1;
		}
		*held = need;
		b = xmalloc(need ? need : 1);
		if (!b) {
			send_error(c, 503, "out of memory");
			return -1;
		}
		memcpy(b, c->buf, have);
		memmove(c->buf, c->buf + have, c->len - have);
		c->len -= have;
		while (have < need) {
			ssize_t n = recv(c->fd, b + have, need - have, MSG_DONTWAIT);
			int w;

			if (n > 0) {
				have += (size_t)n;
				continue;
			}
			if (n == 0)
				break;		/* the peer closed */
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				break;
			w = wait_fd(c, POLLIN, deadline, false);
			if (w == 0)
				send_error(c, 408, "request body not received in time");
			if (w <= 0)
				break;
		}
		if (have < need) {
			xfree(b);
			return -1;
		}
		*body = b;
		*body_len = need;
		return 0;
	} else {
		struct http_chunked ch;
		size_t cap = 0, len = 0;

		http_chunked_init(&ch);
		for (;;) {
			size_t used, made;
			int r;

			/* room for all the raw bytes in the buffer: the output is never longer */
			if (len + c->len > cap) {
				size_t ncap = cap ? cap : 65536;
				char *nb;

				while (ncap < len + c->len)
					ncap *= 2;
				if (len + c->len > o->body_max + 65536) {
					xfree(b);
					send_error(c, 413, "request body over the upload limit");
					return -1;
				}
				if (!body_take(c->s, ncap - cap)) {
					xfree(b);
					send_error(c, 503, "too many uploads at once, retry");
					return -1;
				}
				*held += ncap - cap;
				nb = xrealloc(b, ncap);
				if (!nb) {
					xfree(b);
					send_error(c, 503, "out of memory");
					return -1;
				}
				b = nb;
				cap = ncap;
			}
			r = http_chunked_feed(&ch, c->buf, c->len, b + len, &used, &made);
			len += made;
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			if (len > o->body_max) {
				xfree(b);
				send_error(c, 413, "request body over the upload limit");
				return -1;
			}
			if (r < 0) {
				xfree(b);
				send_error(c, 400, "bad chunked encoding");
				return -1;
			}
			if (r == 1)
				break;
			if (c->len == c->cap) {
				/* a line longer than the buffer: the decoder's limits are smaller */
				xfree(b);
				send_error(c, 400, "bad chunked encoding");
				return -1;
			}
			{
				ssize_t n = read_more(c, deadline, false);

				if (n <= 0) {
					if (n == -ETIMEDOUT)
						send_error(c, 408, "request body not received in time");
					xfree(b);
					return -1;
				}
			}
		}
		*body = b;
		*body_len = len;
		return 0;
	}
}

static void access_log(struct conn *c, const struct req *q, const struct resp *r, double ms)
{
	char ts[32], method[16];
	time_t t = time(NULL);
	struct tm tm;
	size_t n = q->h.method_str.n < sizeof(method) - 1 ? q->h.method_str.n : sizeof(method) - 1;

	if (c->s->o.quiet)
		return;
	if (q->h.method_str.p) {
		memcpy(method, q->h.method_str.p, n);
		method[n] = '\0';
	} else {
		strcpy(method, "-");
	}
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	logf_(c->s, "%s %s %s %s %d %zu %.1fms", ts, c->peer, method, serve_route_name(q->route),
	      r->status, q->h.method == HTTP_HEAD ? (size_t)0 : r->len, ms);
}

static void serve_conn(struct conn *c)
{
	struct serve *s = c->s;
	bool first = true;

	for (;;) {
		struct req q = { .s = s };
		struct resp r = { .status = 500 };
		char *body = NULL, *head = NULL;
		struct timespec ts0, ts1;
		double secs;
		bool keep, bad_path;
		size_t held = 0;
		int h;

		h = read_head(c, &q, first);
		first = false;
		if (h <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts0);
		/*
		 * The head's slices point into c->buf, which the body and the next
		 * request reuse: parse it again from a copy of its own.
		 */
		head = xmalloc(q.h.head_len);
		if (!head) {
			send_error(c, 503, "out of memory");
			break;
		}
		memcpy(head, c->buf, q.h.head_len);
		if (http_parse_head(head, q.h.head_len, q.h.head_len + 1, &q.h) != (int)q.h.head_len) {
			xfree(head);
			send_error(c, 500, "request head parsed differently twice");
			break;
		}
		bad_path = http_decode_path(q.h.path, q.path, sizeof(q.path)) < 0;
		q.route = bad_path ? ROUTE_OTHER : serve_route_of(q.path);
		c->cur = &q;
		serve_metrics_inflight(s->metrics, 1);
		if (read_body(c, &q, &body, &q.body_len, &held)) {
			body_give(s, held);
			serve_metrics_inflight(s->metrics, -1);
			c->cur = NULL;
			xfree(head);
			break;
		}
		q.body = body;
		if (bad_path)
			resp_text(&r, 400, "bad path (a bad escape, a NUL, or over %zu bytes)",
				  sizeof(q.path) - 1);
		else
			serve_handle(&q, &r);
		keep = q.h.keep_alive && !r.close && !atomic_load(&s->stopping);
		if (send_resp(c, &q, &r, keep))
			keep = false;
		clock_gettime(CLOCK_MONOTONIC, &ts1);
		secs = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
		serve_metrics_request(s->metrics, q.route, method_label(q.h.method), r.status, secs,
				      q.h.method == HTTP_HEAD ? 0 : r.len);
		access_log(c, &q, &r, secs * 1e3);
		serve_metrics_inflight(s->metrics, -1);
		c->cur = NULL;
		resp_done(&r);
		xfree(body);
		body_give(s, held);
		xfree(head);
		if (!keep)
			break;
	}
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct serve *s = c->s;

	serve_conn(c);
	close(c->fd);
	xfree(c->buf);
	xfree(c);
	pthread_mutex_lock(&s->conn_lock);
	s->conns--;
	serve_metrics_gauge_set(s->metrics, SERVE_GAUGE_CONNECTIONS, s->conns);
	pthread_cond_broadcast(&s->conn_cond);
	pthread_mutex_unlock(&s->conn_lock);
	return NULL;
}

static void start_conn(struct serve *s, int fd, const struct sockaddr_storage *peer)
{
	pthread_attr_t attr;
	pthread_t t;
	struct conn *c;
	int one = 1;

	pthread_mutex_lock(&s->conn_lock);
	if (s->conns >= s->o.max_conns) {
		pthread_mutex_unlock(&s->conn_lock);
		serve_metrics_count(s->metrics, CNT_CONN_REJECTED, 1);
		if (send(fd, busy_503, sizeof(busy_503) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0;
		close(fd);
		return;
	}
	s->conns++;
	serve_metrics_gauge_set(s->metrics, SERVE_GAUGE_CONNECTIONS, s->conns);
	pthread_mutex_unlock(&s->conn_lock);

	c = xcalloc(1, sizeof(*c));
	if (c)
		c->buf = xmalloc(s->o.head_max);
	if (c && c->buf) {
		c->s = s;
		c->fd = fd;
		c->cap = s->o.head_max;
		addr_text(peer, c->peer, sizeof(c->peer));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, SERVE_THREAD_STACK);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (!pthread_create(&t, &attr, conn_thread, c)) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
	}
	if (c)
		xfree(c->buf);
	xfree(c);
	close(fd);
	pthread_mutex_lock(&s->conn_lock);
	s->conns--;
	pthread_cond_broadcast(&s->conn_cond);
	pthread_mutex_unlock(&s->conn_lock);
}

int serve_run(struct serve *s)
{
	pthread_t ixt;
	void *ix_ret = NULL;
	struct timespec until;
	int err = 0;

	if (pthread_create(&ixt, NULL, indexer, s)) {
		pr_warn("serve: can't start a thread");
		return -EAGAIN;
	}
	while (!atomic_load(&s->stopping)) {
		struct pollfd p[2] = { { s->listen_fd, POLLIN, 0 }, { s->stop_pipe[0], POLLIN, 0 } };
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("serve: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				usleep(10000);	/* out of descriptors: let connections finish */
			continue;
		}
		start_conn(s, fd, &peer);
	}
	atomic_store(&s->stopping, true);
	close(s->listen_fd);
	s->listen_fd = -1;
	pthread_join(ixt, &ix_ret);
	if (ix_ret)
		err = -ENOENT;
	/* requests in flight get grace_ms */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += s->o.grace_ms / 1000;
	until.tv_nsec += (long)(s->o.grace_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->conn_lock);
	while (s->conns && pthread_cond_timedwait(&s->conn_cond, &s->conn_lock, &until) != ETIMEDOUT)
		;
	if (s->conns)
		logf_(s, "stopping: %u connections still busy after %u ms: left", s->conns, s->o.grace_ms);
	pthread_mutex_unlock(&s->conn_lock);
	return err;
}
