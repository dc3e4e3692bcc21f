/* SPDX-License-Identifier: MIT */
/*
 * serve_internal.h - what the server's files share: the kernel index, the
 * two caches, the worker gate, one connection's request and response.
 */
#ifndef BTFGEN_SERVE_INTERNAL_H
#define BTFGEN_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "hub/hub.h"
#include "serve/metrics.h"
#include "serve/serve.h"
#include "util/fileio.h"
#include "util/util.h"

/* Longest value of a kernel parameter (a release is under 100 bytes; BTFHub's longest is 62). */
#define SERVE_PARAM_MAX		256
/* "bpf" parts in one customize request (objects united, as OBJECT arguments). */
#define SERVE_MAX_PARTS		64
/* Fixed mtime of the customize tar's member: same request, same bytes. */
#define SERVE_TAR_MTIME		0

/* ---- the kernel index (index.c) ------------------------------------------ */

struct kern {
	const char *d, *v, *a, *k;	/* the key, the arch as the folder spells it */
	const char *rel;		/* path below the archive: "ubuntu/20.04/x86_64/R.btf.tar.xz" */
	char *path;			/* archive_dir/rel: only ever built from the walk */
	uint64_t size;
	int64_t mtime_ns;
	char sha256[65];		/* "" until list?full=1 needed it (under index.full_lock) */
	char *strs;			/* the allocation behind d, v, a, k, rel */
};

struct index {
	atomic_int refs;
	struct kern *v;			/* sorted bytewise by "d/v/a/k.btf.tar.xz" */
	size_t n;
	size_t *slots;			/* open addressing on (d, v, canonical a, k): i + 1, 0 = empty */
	size_t nr_slots;		/* a power of two */
	char *list;			/* GET /api/v1/list */
	size_t list_len;
	pthread_mutex_t full_lock;	/* ?full=1: hashes every kernel once, then kept */
	char *full;
	size_t full_len;
	char etag[40];			/* of the list */
};

/* Walk @dir into a new index (refs 1). 0 or a negative errno (printed). */
int index_build(const char *dir, struct index **out);
void index_get(struct index *ix);
void index_put(struct index *ix);
/* The kernel named by the four strings (arch aliases equal), or NULL. */
const struct kern *index_find(const struct index *ix, const char *d, const char *v, const char *a,
			      const char *k);
/* The ?full=1 list, built on first use. 0 or a negative errno. */
int index_full_list(struct index *ix, const char **out, size_t *len);

/* ---- a byte-bounded LRU with one loader per key (cache.c) ------------------ */

#define CACHE_KEY_LEN	32

struct cache_ent {
	uint8_t key[CACHE_KEY_LEN];
	void *val;
	size_t bytes;
	int refs;
	bool ready, dead;
	struct cache_ent *prev, *next;	/* LRU list of ready entries, newest first */
	struct cache_ent *hnext;	/* hash chain */
};

struct cache {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cache_ent **buckets;
	size_t nr_buckets;		/* a power of two */
	struct cache_ent *head, *tail;
	size_t n;
	uint64_t bytes, limit;
	void (*destroy)(void *val);
	struct serve_metrics *metrics;
	enum serve_counter hit, miss;
	int gauge;
};

int cache_init(struct cache *c, uint64_t limit, void (*destroy)(void *val), struct serve_metrics *m,
	       enum serve_counter hit, enum serve_counter miss, int gauge);
void cache_fini(struct cache *c);
/*
 * The entry for @key with a reference: 1 when it is ready (e->val usable),
 * 0 when the caller must load it and then call cache_publish() or
 * cache_abandon() (others asking meanwhile wait), -ENOMEM.
 */
int cache_acquire(struct cache *c, const uint8_t *key, struct cache_ent **out);
void cache_publish(struct cache *c, struct cache_ent *e, void *val, size_t bytes);
void cache_abandon(struct cache *c, struct cache_ent *e);
void cache_release(struct cache *c, struct cache_ent *e);

/* ---- the server ----------------------------------------------------------- */

struct serve {
	struct serve_opts o;
	char addr[80];
	int listen_fd;
	int stop_pipe[2];		/* a byte written: stop (never read: every poller wakes) */
	int rescan_pipe[2];		/* a byte written: re-walk */
	atomic_bool stopping;

	pthread_mutex_t ix_lock;
	struct index *ix;		/* NULL until the first walk is done */
	atomic_bool ready;

	struct cache kernels, results;
	struct serve_metrics *metrics;

	pthread_mutex_t gate_lock;	/* the reductions: workers running, queue waiting */
	pthread_cond_t gate_cond;
	unsigned active, waiting;

	pthread_mutex_t conn_lock;
	pthread_cond_t conn_cond;
	unsigned conns;
	_Atomic uint64_t body_bytes;	/* request bodies held, in all (server.c) */
};

/* The current index with a reference (index_put() it), or NULL before the first walk. */
struct index *serve_index(struct serve *s);

/* One request as the handlers see it. */
struct req {
	struct serve *s;
	struct http_req h;
	char path[SERVE_PARAM_MAX];	/* decoded */
	const char *body;
	size_t body_len;
	enum serve_route route;
};

/* One response: status, a few headers, a body (borrowed or owned). */
struct resp {
	int status;
	const char *ctype;
	char extra[1024];		/* more header lines, each ending in \r\n */
	size_t extra_len;
	const void *body;
	size_t len;
	void *owned;			/* freed after sending */
	struct cache *cache;		/* or a cache entry the body lives in, released after */
	struct cache_ent *ent;
	struct util_file file;		/* or a file the body is, closed after */
	bool close;			/* close the connection after it */
};

void resp_header(struct resp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A one-line text body (the message and a newline). */
void resp_text(struct resp *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Free what the body holds (owned memory, a cache reference, a file). */
void resp_done(struct resp *r);

/* handlers.c: the route of a decoded path, and the answer to a request. */
enum serve_route serve_route_of(const char *path);
void serve_handle(struct req *q, struct resp *r);
/* Value destructors for the caches. */
void serve_kernel_destroy(void *val);
void serve_result_destroy(void *val);

#endif /* BTFGEN_SERVE_INTERNAL_H */
