/*
 * libmicrohttpd glue: request life cycle, body accumulation, dispatch,
 * responses, access log and shutdown (see http.h). Handlers that may wait
 * on the database run on a bounded pool of worker threads while their
 * connection is suspended, so libmicrohttpd's own threads stay free for
 * /healthz, static and git files (see "The worker pool" below).
 */
#include "http/http.h"
#include "common/json.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "http/cache.h"
#include "db/db.h"
#include "http/ratelimit.h"
#include "http/metrics.h"
#include "http/tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/*
 * Slow clients and connection limits (issue 15): every connection is
 * tracked from accept to close with the phase it is in and that phase's
 * deadline; a reaper thread shuts down the socket of one past its
 * deadline (libmicrohttpd's own timeout is an idle timeout, which a
 * client sending a byte now and then never reaches), and libmicrohttpd
 * then closes it as it would any connection the peer dropped.
 */
enum conn_phase { PHASE_HEADER, PHASE_BODY, PHASE_BUSY };

struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	char addr[64]; /* the peer's address, numeric */
	enum conn_phase phase;
	int64_t deadline_ns;
	bool cut;
};

struct conn_guard {
	pthread_mutex_t lock;
	struct conn_track *head;
	unsigned count;
	unsigned max_conns, per_ip, reserve;
	int64_t header_ns, body_ns;
	pthread_t reaper;
	bool reaper_started;
	atomic_bool stop;
	struct mf_cidrs trusted;
	struct mf_cidrs exempt; /* --rate-exempt: peers no bucket holds */
	struct mf_ratelimit *read, *submit, *key;
	/* the policy above, replaced by mf_http_reload under the write lock;
	 * the rates the tables were made with */
	pthread_rwlock_t policy;
	unsigned long rate_read, rate_submit, rate_submit_key;
	atomic_ulong refused, cut_header, cut_body, limited;
	struct mf_metrics *metrics; /* borrowed from struct mf_http */
};

/* A request waiting for a worker, and what to run for it. */
struct job {
	struct job *next;
	struct mf_request *req;
	mf_handler_fn fn;
	int64_t queued_ns;
};

/* A worker thread and the request it runs (NULL when idle). */
struct worker {
	struct pool *pool;
	pthread_t tid;
	struct mf_request *req;
	bool want_resume; /* mf_http_resume came while it still ran */
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	size_t queued, cap;
	bool stop;
	struct worker *workers;
	unsigned nworkers;
};

/* the request a worker thread runs (see "The worker pool") */
static _Thread_local struct mf_request *pool_current;
static bool pool_defer_resume(struct mf_request *req);

struct mf_http {
	struct pool pool;
	struct MHD_Daemon *daemon;
	struct conn_guard guard;
	const struct mf_route *routes;
	size_t nroutes;
	struct mf_app *app;
	size_t max_body;
	mf_handler_fn not_found;
	atomic_uint active;
	atomic_ulong next_id;
	unsigned id_prefix;
	struct mf_metrics *metrics; /* GET /metrics' counters (metrics.h) */
};

static void
request_free(struct mf_request *req)
{
	int i;

	if (req->state_free != NULL)
		req->state_free(req->state);
	for (i = 0; i < req->nheaders; i++)
		free(req->header_values[i]);
	mf_buf_dispose(&req->body);
	mf_error_dispose(&req->err);
	free(req);
}

static void
client_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		          out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		          &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		          (socklen_t)n);
}

static struct mf_request *
request_new(struct mf_http *http, struct MHD_Connection *conn,
            const char *method, const char *path)
{
	struct mf_request *req = calloc(1, sizeof(*req));

	if (req == NULL)
		return NULL;
	req->conn = conn;
	req->http = http;
	req->app = http->app;
	req->method = method;
	req->path = path;
	req->started_ns = mf_time_mono_ns();
	mf_buf_init(&req->body, http->max_body);
	mf_error_init(&req->err);
	snprintf(req->id, sizeof(req->id), "%08x-%06lx", http->id_prefix,
	         atomic_fetch_add(&http->next_id, 1) & 0xffffff);
	client_address(conn, req->client, sizeof(req->client));
	return req;
}

const char *
mf_http_param(const struct mf_request *req, int i)
{
	return i < req->match.nparams ? req->match.params[i] : NULL;
}

const char *
mf_http_query(const struct mf_request *req, const char *name)
{
	int i;

	if (req->capture == NULL)
		return MHD_lookup_connection_value(req->conn,
		                                   MHD_GET_ARGUMENT_KIND, name);
	for (i = 0; i < req->capture->nargs; i++)
		if (strcmp(req->capture->names[i], name) == 0)
			return req->capture->values[i];
	return NULL;
}

const char *
mf_http_header(const struct mf_request *req, const char *name)
{
	if (req->capture != NULL) /* a captured request sends no headers */
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int
mf_http_set_header(struct mf_request *req, const char *name, const char *value)
{
	char *v;

	if (req->nheaders >= MF_HTTP_MAX_HEADERS || (v = strdup(value)) == NULL)
		return MF_E_NOMEM;
	req->header_names[req->nheaders] = name;
	req->header_values[req->nheaders++] = v;
	return 0;
}

/*
 * CORS, one rule for every response (README, "Badges, feeds and CORS"):
 * the read-only API, every path under /v1/ but the operator's
 * /v1/admin/, and the badges under /badge/, may be read by a script of
 * any origin, for GET and HEAD and their preflight. Nothing is sent with
 * credentials, so "*" is safe; POST and the admin endpoints get nothing.
 */
static bool
cors_path(const char *path)
{
	if (strncmp(path, "/badge/", 7) == 0)
		return true;
	return strncmp(path, "/v1/", 4) == 0 &&
	       strncmp(path, "/v1/admin/", 10) != 0 &&
	       strcmp(path, "/v1/admin") != 0;
}

static void
add_cors(struct MHD_Response *resp, const struct mf_request *req)
{
	if ((strcmp(req->method, "GET") != 0 &&
	     strcmp(req->method, "HEAD") != 0) ||
	    !cors_path(req->path))
		return;
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(resp, "Access-Control-Expose-Headers",
	                        "ETag, X-Request-Id, Content-Disposition");
}

/*
 * An HTML answer that did not set its own policy (label.html, any other
 * HTML a handler sends) gets the strict one as HTTP headers: no framing,
 * no referrer, nothing loaded but from here. Pages set theirs (site/
 * page.c: the widget may be framed) and this leaves them alone.
 */
static void
add_html_security(struct MHD_Response *resp, const struct mf_request *req,
                  const char *content_type)
{
	int i;

	if (content_type == NULL || strncmp(content_type, "text/html", 9) != 0)
		return;
	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->header_names[i],
		               "Content-Security-Policy") == 0)
			return;
	MHD_add_response_header(
	    resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* Adds the common and the handler's headers, queues and records resp. */
static int
queue_response(struct mf_request *req, unsigned status,
               const char *content_type, struct MHD_Response *resp, size_t len)
{
	enum MHD_Result ok;
	int i;

	MHD_add_response_header(resp, "X-Request-Id", req->id);
	if (content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	add_cors(resp, req);
	add_html_security(resp, req, content_type);
	for (i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->header_names[i],
		                        req->header_values[i]);
	ok = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	req->responded = true;
	req->status = status;
	req->response_bytes = len;
	return ok == MHD_YES ? 0 : MF_E_INTERNAL;
}

/* Keeps a captured request's answer of bytes (JSON is parsed too). */
static int
capture_bytes(struct mf_request *req, unsigned status, const char *ctype,
              const void *data, size_t len)
{
	struct mf_capture *c = req->capture;
	int rc;

	req->responded = true;
	req->status = status;
	c->status = status;
	snprintf(c->content_type, sizeof(c->content_type), "%s",
	         ctype ? ctype : "");
	if (ctype != NULL && strncmp(ctype, "application/json", 16) == 0) {
		json_error_t jerr;

		c->json = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
		return c->json != NULL ? 0 : MF_E_INTERNAL;
	}
	mf_buf_clear(&c->body);
	rc = mf_buf_append(&c->body, data, len);
	return rc;
}

/* A captured request cannot wait or stream: it answers 500 instead. */
static int
capture_refuse(struct mf_request *req, const char *what)
{
	struct mf_error err;
	unsigned status = mf_error_status(MF_E_INTERNAL);

	mf_error_init(&err);
	mf_error_set(&err, MF_E_INTERNAL, NULL,
	             "%s %s: a %s cannot be captured", req->method, req->path,
	             what);
	mf_diag_warn("req=%s %s", req->id, err.message);
	req->capture->refused = true;
	req->responded = true;
	req->status = status;
	req->capture->status = status;
	json_decref(req->capture->json);
	req->capture->json = mf_error_json(&err);
	mf_error_dispose(&err);
	return MF_E_INTERNAL;
}

static void
blob_release(void *cls)
{
	mf_blob_unref(cls);
}

int
mf_http_respond_blob(struct mf_request *req, struct mf_blob *blob,
                     const char *cache_control)
{
	const char *inm = mf_http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;
	unsigned status = 200;
	enum MHD_Result ok;
	int i;

	if (req->responded)
		return MF_E_INTERNAL;
	if (req->capture != NULL) {
		snprintf(req->capture->etag, sizeof(req->capture->etag), "%s",
		         blob->etag);
		return capture_bytes(req, 200, blob->content_type, blob->data,
		                     blob->len);
	}
	if (inm != NULL && strstr(inm, blob->etag) != NULL) {
		status = 304;
		resp = MHD_create_response_from_buffer(0, NULL,
		                                       MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    blob->len, blob->data, blob_release, mf_blob_ref(blob));
	}
	if (resp == NULL)
		return MF_E_NOMEM;
	MHD_add_response_header(resp, "X-Request-Id", req->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        blob->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, blob->etag);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	add_cors(resp, req);
	add_html_security(resp, req, blob->content_type);
	if (cache_control != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		                        cache_control);
	for (i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->header_names[i],
		                        req->header_values[i]);
	ok = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	req->responded = true;
	req->status = status;
	req->response_bytes = status == 200 ? blob->len : 0;
	return ok == MHD_YES ? 0 : MF_E_INTERNAL;
}

int
mf_http_respond(struct mf_request *req, unsigned status,
                const char *content_type, const void *data, size_t len,
                bool persistent)
{
	struct MHD_Response *resp;

	if (req->responded)
		return MF_E_INTERNAL;
	if (req->capture != NULL)
		return capture_bytes(req, status, content_type, data, len);
	resp = MHD_create_response_from_buffer(
	    len, (void *)data,
	    persistent ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MF_E_NOMEM;
	return queue_response(req, status, content_type, resp, len);
}

int
mf_http_respond_file(struct mf_request *req, unsigned status,
                     const char *content_type, int fd, uint64_t size)
{
	struct MHD_Response *resp;

	if (req->responded || req->capture != NULL) {
		close(fd);
		return req->responded ? MF_E_INTERNAL
		                      : capture_refuse(req, "file response");
	}
	if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL) {
		close(fd);
		return MF_E_NOMEM;
	}
	return queue_response(req, status, content_type, resp, (size_t)size);
}

/* A streamed response's callbacks and what it has sent. */
struct stream {
	struct mf_request *req;
	mf_http_fill_fn fill;
	void (*done)(void *cls);
	void *cls;
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	long n;

	(void)pos;
	n = st->fill(st->cls, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0) {
		mf_diag_warn("req=%s %s %s: stream cut short: %s", st->req->id,
		             st->req->method, st->req->path,
		             mf_error_name((int)n));
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	/* The access log counts what was sent; the request outlives this. */
	st->req->response_bytes += (size_t)n;
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *st = cls;

	st->done(st->cls);
	free(st);
}

int
mf_http_respond_stream(struct mf_request *req, unsigned status,
                       const char *content_type, mf_http_fill_fn fill,
                       void (*done)(void *cls), void *cls)
{
	struct MHD_Response *resp;
	struct stream *st;
	int rc;

	if (req->capture != NULL && !req->responded) {
		done(cls);
		return capture_refuse(req, "streamed response");
	}
	if (req->responded || (st = calloc(1, sizeof(*st))) == NULL) {
		done(cls);
		return req->responded ? MF_E_INTERNAL : MF_E_NOMEM;
	}
	st->req = req;
	st->fill = fill;
	st->done = done;
	st->cls = cls;
	/* 64 KiB blocks: large enough for throughput, small in memory. */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
	                                         stream_read, st, stream_free);
	if (resp == NULL) {
		stream_free(st);
		return MF_E_NOMEM;
	}
	rc = queue_response(req, status, content_type, resp, 0);
	return rc;
}

int
mf_http_respond_json(struct mf_request *req, unsigned status, json_t *body)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	if (body == NULL)
		return MF_E_NOMEM;
	if (req->capture != NULL) {
		if (req->responded) {
			json_decref(body);
			return MF_E_INTERNAL;
		}
		req->responded = true;
		req->status = status;
		req->capture->status = status;
		snprintf(req->capture->content_type,
		         sizeof(req->capture->content_type),
		         "application/json");
		req->capture->json = body; /* stolen */
		return 0;
	}
	rc = mf_json_dump_buf(&b, body);
	json_decref(body);
	if (rc == 0)
		rc = mf_buf_putc(&b, '\n');
	if (rc == 0)
		rc = mf_http_respond(req, status, "application/json", b.data,
		                     b.len, false);
	mf_buf_dispose(&b);
	return rc;
}

/* A 503 says when to try again (once: the pool may have said it). */
static void
retry_after(struct mf_request *req)
{
	int i;

	for (i = 0; i < req->nheaders; i++)
		if (strcmp(req->header_names[i], "Retry-After") == 0)
			return;
	mf_http_set_header(req, "Retry-After", "1");
}

int
mf_http_respond_error(struct mf_request *req, const struct mf_error *err)
{
	static const char fallback[] =
	    "{\"error\":{\"code\":\"internal_error\",\"message\":"
	    "\"internal error\",\"details\":[]}}\n";
	unsigned status =
	    mf_error_status(err->code ? err->code : MF_E_INTERNAL);
	json_t *body = mf_error_json(err);

	req->error_code = mf_error_name(err->code ? err->code : MF_E_INTERNAL);
	if (status >= 500)
		mf_diag_warn("req=%s %s %s -> %u %s: %s", req->id, req->method,
		             req->path, status, mf_error_name(err->code),
		             err->message);
	if (status == 503)
		retry_after(req);
	if (body == NULL)
		return mf_http_respond(req, 500, "application/json", fallback,
		                       sizeof(fallback) - 1, true);
	return mf_http_respond_json(req, status, body);
}

void
mf_http_suspend(struct mf_request *req, mf_handler_fn resume)
{
	if (req->capture != NULL) {
		/* nothing would ever resume it: answer now instead */
		if (!req->responded)
			capture_refuse(req, "suspended request");
		return;
	}
	req->resume = resume;
	if (pool_current == req) /* a worker's: suspended already */
		return;
	MHD_suspend_connection(req->conn);
}

void
mf_http_resume(struct mf_request *req)
{
	if (req->capture != NULL)
		return;
	if (pool_defer_resume(req))
		return;
	MHD_resume_connection(req->conn);
}

/* Runs the handler (or the resume step) and turns failures into errors. */
static void
run_handler(struct mf_request *req, mf_handler_fn fn)
{
	int rc;

	req->resume = NULL;
	rc = fn(req);
	if (req->resume != NULL) /* suspended: it responds later */
		return;
	if (rc != 0 && !req->responded) {
		if (req->err.code == 0)
			mf_error_set(&req->err, rc, NULL, "%s",
			             mf_error_name(rc));
		mf_http_respond_error(req, &req->err);
	}
	if (!req->responded) {
		mf_error_set(&req->err, MF_E_INTERNAL, NULL,
		             "handler produced no response");
		mf_http_respond_error(req, &req->err);
	}
}

/*
 * The worker pool. A handler that may wait on the database never runs on
 * one of libmicrohttpd's threads, which each serve many connections: the
 * connection is suspended and the request queued for one of opt->threads
 * workers (each with its own database connection). The queue is bounded:
 * when it is full the request is answered 503 with Retry-After at once,
 * and a request that waited in it past the database timeout is answered
 * the same way rather than started. A worker's database calls end by the
 * request's deadline (queued + the timeout, mf_db_set_deadline), so a
 * frozen database costs a request at most the timeout. The handler
 * responds from the worker (libmicrohttpd allows queueing a response on a
 * suspended connection) and the worker resumes the connection; a handler
 * that suspends the request itself (mf_http_suspend) stays suspended until
 * mf_http_resume, and its resume step is queued like a new request.
 */
/* Paths whose handlers never touch the database: run where they arrive. */
static bool
runs_inline(const char *path)
{
	return strcmp(path, "/healthz") == 0 ||
	       strcmp(path, "/v1/version") == 0 ||
	       strcmp(path, "/v1/openapi.json") == 0 ||
	       strncmp(path, "/labels.git/", 12) == 0 ||
	       strncmp(path, "/static/", 8) == 0;
}

static int
respond_busy(struct mf_request *req, const char *why)
{
	if (req->http != NULL)
		mf_metrics_add(req->http->metrics, MF_METRIC_POOL_REJECTED, 1);
	mf_error_set(&req->err, MF_E_UNAVAILABLE, NULL, "%s; try again later",
	             why);
	return mf_http_respond_error(req, &req->err);
}

/* Runs one queued job on a worker: in time, or 503 when its wait ate the
 * deadline. */
static void
pool_run(struct job *job)
{
	struct mf_request *req = job->req;
	int64_t deadline = job->queued_ns + (int64_t)mf_db_timeout() * 1000000;

	req->resume = NULL;
	if (mf_time_mono_ns() >= deadline) {
		respond_busy(req, "the server is busy");
		return;
	}
	mf_db_set_deadline(deadline);
	/* GET and HEAD only read: the database may send them to a replica */
	mf_db_set_read_only(strcmp(req->method, "GET") == 0 ||
	                    strcmp(req->method, "HEAD") == 0);
	pool_current = req;
	run_handler(req, job->fn);
	pool_current = NULL;
	mf_db_set_read_only(false);
	mf_db_set_deadline(0);
}

static void *
pool_main(void *arg)
{
	struct worker *w = arg;
	struct pool *pool = w->pool;
	struct mf_request *req;
	struct job *job;
	bool resume;

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		while (!pool->stop && pool->head == NULL)
			pthread_cond_wait(&pool->cv, &pool->mu);
		if ((job = pool->head) == NULL)
			break; /* stopping, and nothing left */
		if ((pool->head = job->next) == NULL)
			pool->tail = NULL;
		pool->queued--;
		req = job->req;
		w->req = req;
		w->want_resume = false;
		pthread_mutex_unlock(&pool->mu);

		pool_run(job);
		free(job);

		/* Resume unless the handler suspended it for later; a resume
		 * asked for meanwhile is done here, after the handler. */
		pthread_mutex_lock(&pool->mu);
		resume = w->want_resume || req->resume == NULL;
		w->req = NULL;
		pthread_mutex_unlock(&pool->mu);
		if (resume)
			MHD_resume_connection(req->conn);
		pthread_mutex_lock(&pool->mu);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/*
 * Queues fn for req, suspending its connection (on libmicrohttpd's
 * thread, inside the access handler). New requests past the bound get 503;
 * a resume step (must) is always queued, its request being already
 * accepted.
 */
static void
pool_submit(struct mf_request *req, mf_handler_fn fn, bool must)
{
	struct pool *pool = &req->http->pool;
	struct job *job;
	bool stopped;

	pthread_mutex_lock(&pool->mu);
	if (!must && pool->queued >= pool->cap) {
		pthread_mutex_unlock(&pool->mu);
		respond_busy(req, "the server is busy");
		return;
	}
	stopped = pool->stop;
	pthread_mutex_unlock(&pool->mu);
	/* stopped: no worker is left to run it, so run it here */
	if (stopped || (job = calloc(1, sizeof(*job))) == NULL) {
		run_handler(req, fn);
		return;
	}
	job->req = req;
	job->fn = fn;
	job->queued_ns = mf_time_mono_ns();
	req->resume = NULL;
	MHD_suspend_connection(req->conn);
	pthread_mutex_lock(&pool->mu);
	if (pool->tail != NULL)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pool->queued++;
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
}

/* mf_http_resume of a pooled request: now, or when its worker is done. */
static bool
pool_defer_resume(struct mf_request *req)
{
	struct pool *pool = &req->http->pool;
	bool deferred = false;
	unsigned i;

	pthread_mutex_lock(&pool->mu);
	for (i = 0; i < pool->nworkers; i++)
		if (pool->workers[i].req == req) {
			pool->workers[i].want_resume = true;
			deferred = true;
		}
	pthread_mutex_unlock(&pool->mu);
	return deferred;
}

static int
pool_start(struct pool *pool, unsigned n)
{
	unsigned i;

	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->cv, NULL);
	pool->cap = n * 4 < 16 ? 16 : (size_t)n * 4;
	if ((pool->workers = calloc(n, sizeof(*pool->workers))) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < n; i++) {
		pool->workers[i].pool = pool;
		if (pthread_create(&pool->workers[i].tid, NULL, pool_main,
		                   &pool->workers[i]) != 0)
			return MF_E_NOMEM;
		pool->nworkers++;
	}
	return 0;
}

/* Lets the workers finish what is queued, then joins them. */
static void
pool_stop(struct pool *pool)
{
	unsigned i;

	pthread_mutex_lock(&pool->mu);
	pool->stop = true;
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	for (i = 0; i < pool->nworkers; i++)
		pthread_join(pool->workers[i].tid, NULL);
	free(pool->workers);
	pthread_mutex_destroy(&pool->mu);
	pthread_cond_destroy(&pool->cv);
}

/*
 * A CORS preflight (OPTIONS) of a path that cors_path opens and some GET
 * route serves: 204 allowing GET and HEAD from any origin. Returns false
 * when it is not one (the request is dispatched as usual, and OPTIONS
 * gets 405).
 */
static bool
preflight(struct mf_request *req)
{
	struct mf_route_match m;
	struct MHD_Response *resp;

	if (strcmp(req->method, "OPTIONS") != 0 || !cors_path(req->path) ||
	    mf_router_match(req->http->routes, req->http->nroutes, "GET",
	                    req->path, &m) != 0)
		return false;
	if ((resp = MHD_create_response_from_buffer(
	         0, NULL, MHD_RESPMEM_PERSISTENT)) == NULL)
		return false;
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(resp, "Access-Control-Allow-Methods",
	                        "GET, HEAD, OPTIONS");
	MHD_add_response_header(resp, "Access-Control-Allow-Headers",
	                        "Accept, If-None-Match, Cache-Control");
	MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
	queue_response(req, 204, NULL, resp, 0);
	return true;
}

static void
dispatch(struct mf_request *req)
{
	struct mf_http *http = req->http;

	if (req->body_too_large) {
		mf_error_set(&req->err, MF_E_TOO_LARGE, NULL,
		             "request body exceeds %zu bytes", http->max_body);
		mf_http_respond_error(req, &req->err);
		return;
	}
	if (preflight(req))
		return;
	if (mf_router_match(http->routes, http->nroutes, req->method, req->path,
	                    &req->match) != 0) {
		if (req->match.path_known) {
			mf_http_set_header(req, MHD_HTTP_HEADER_ALLOW,
			                   req->match.allow);
			mf_error_set(&req->err, MF_E_METHOD, NULL,
			             "%s is not allowed here; allowed: %s",
			             req->method, req->match.allow);
		} else if (http->not_found != NULL &&
		           (strcmp(req->method, "GET") == 0 ||
		            strcmp(req->method, "HEAD") == 0)) {
			pool_submit(req, http->not_found, false);
			return;
		} else {
			mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
			             "no such resource: %s", req->path);
		}
		mf_http_respond_error(req, &req->err);
		return;
	}
	if (runs_inline(req->path))
		run_handler(req, req->match.route->handler);
	else
		pool_submit(req, req->match.route->handler, false);
}

/*
 * The request target as it arrived, before libmicrohttpd decodes it
 * (MHD_OPTION_URI_LOG_CALLBACK, whose value becomes the request's first
 * *con_cls): a path with a control byte, raw or %XX, is marked here, as
 * once decoded a %00 would cut it short and the rest would reach
 * handlers. The mark is a static address, never a request.
 */
static char bad_target_mark;

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	return mf_router_target_ok(uri) == 0 ? NULL : &bad_target_mark;
}

/* What refuse_early counts over the headers and the query. */
struct framing {
	int content_lengths;
	int hosts;
	bool bad_name;      /* a header name with white space (RFC 9112 5.1) */
	char nul_param[64]; /* a query parameter holding a NUL, or "" */
};

static enum MHD_Result
framing_one(void *cls, enum MHD_ValueKind kind, const char *key,
            size_t key_size, const char *value, size_t value_size)
{
	struct framing *f = cls;

	if (kind == MHD_HEADER_KIND &&
	    strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->content_lengths++;
	if (kind == MHD_HEADER_KIND &&
	    strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		f->hosts++;
	if (kind == MHD_HEADER_KIND && strpbrk(key, " \t") != NULL)
		f->bad_name = true;
	/* decoded, a %00 would cut the name or value short unseen */
	if (kind == MHD_GET_ARGUMENT_KIND && f->nul_param[0] == '\0' &&
	    (strlen(key) != key_size ||
	     (value != NULL && strlen(value) != value_size)))
		mf_diag_escape(f->nul_param, sizeof(f->nul_param), key,
		               strlen(key));
	return MHD_YES;
}

/*
 * Refusals decided on the headers alone, before any body is read: a path
 * that on_uri marked (400 invalid_path at /path), a query parameter with
 * a %00 (400 invalid_parameter), a body framed twice (Content-Length
 * repeated, or with Transfer-Encoding: RFC 9112 6.3 makes both errors, as
 * two parsers could split the body differently and smuggle a request;
 * the connection is closed) and a declared oversize body. Returns true
 * when it answered.
 */
static bool
refuse_early(struct mf_request *req, bool bad_target)
{
	struct MHD_Connection *conn = req->conn;
	const char *cl = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	struct framing f = {0, 0, false, ""};
	char pointer[80];

	MHD_get_connection_values_n(
	    conn, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, framing_one, &f);
	if (bad_target) {
		mf_error_set(&req->err, MF_E_BAD_PATH, "/path",
		             "the request path holds a control byte (raw or "
		             "percent-encoded) or bytes that are not UTF-8");
	} else if (f.nul_param[0] != '\0') {
		snprintf(pointer, sizeof(pointer), "/query/%s", f.nul_param);
		mf_error_set(&req->err, MF_E_BAD_PARAM, pointer,
		             "query parameter '%s' holds a NUL byte (%%00)",
		             f.nul_param);
	} else if (f.hosts > 1 || f.bad_name) {
		/* RFC 9112 3.2 and 5.1: two Hosts, or white space in a field
		 * name, could be read otherwise by a proxy in front */
		mf_http_set_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
		mf_error_set(&req->err, MF_E_BAD_REQUEST, "/headers",
		             f.hosts > 1 ? "a request has one Host header"
		                         : "a header name holds white space");
	} else if (f.content_lengths > 1 || (cl != NULL && te != NULL)) {
		mf_http_set_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
		mf_error_set(&req->err, MF_E_BAD_REQUEST, "/headers",
		             "a request may have one Content-Length or a "
		             "Transfer-Encoding, not both nor two");
	} else if (cl != NULL && strtoull(cl, NULL, 10) > req->http->max_body) {
		req->body_too_large = true;
		dispatch(req);
		return true;
	} else {
		return false;
	}
	mf_http_respond_error(req, &req->err);
	return true;
}

/* ---- slow clients, connection limits and rate limits (issue 15) ---- */

static void
sockaddr_text(const struct sockaddr *sa, char *out, size_t n)
{
	snprintf(out, n, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		          out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		          &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		          (socklen_t)n);
}

/*
 * The accept policy: an address may hold per_ip connections, and once
 * fewer than a quarter of the slots are free only addresses holding
 * fewer than 4 get one, so a few addresses cannot take every slot and a
 * newcomer still gets in. Trusted proxies carry many clients: they are
 * held only by the total (libmicrohttpd's connection limit).
 */
static enum MHD_Result
guard_accept_locked(void *cls, const struct sockaddr *sa, socklen_t salen)
{
	struct conn_guard *g = &((struct mf_http *)cls)->guard;
	struct conn_track *t;
	unsigned same = 0;
	char addr[64];
	bool ok;

	(void)salen;
	sockaddr_text(sa, addr, sizeof(addr));
	if (mf_cidrs_contains(&g->trusted, addr))
		return MHD_YES;
	pthread_mutex_lock(&g->lock);
	for (t = g->head; t != NULL; t = t->next)
		same += strcmp(t->addr, addr) == 0;
	ok = same < g->per_ip &&
	     (g->count + g->reserve < g->max_conns || same < 4);
	pthread_mutex_unlock(&g->lock);
	if (!ok) {
		atomic_fetch_add(&g->refused, 1);
		mf_metrics_add(((struct mf_http *)cls)->metrics,
		               MF_METRIC_CONN_REFUSED, 1);
	}
	return ok ? MHD_YES : MHD_NO;
}

/* Tracks a connection from its start to its close. */
static void
guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
             enum MHD_ConnectionNotificationCode code)
{
	struct conn_guard *g = &((struct mf_http *)cls)->guard;
	const union MHD_ConnectionInfo *ci;
	struct conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (t == NULL)
			return;
		/* before libmicrohttpd closes the fd: the reaper cannot shut
		 * down a number already reused by another connection */
		pthread_mutex_lock(&g->lock);
		if (t->prev != NULL)
			t->prev->next = t->next;
		else
			g->head = t->next;
		if (t->next != NULL)
			t->next->prev = t->prev;
		g->count--;
		pthread_mutex_unlock(&g->lock);
		free(t);
		*socket_context = NULL;
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return; /* untracked: only the idle timeout applies */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	t->fd = ci != NULL ? ci->connect_fd : -1;
	client_address(conn, t->addr, sizeof(t->addr));
	t->phase = PHASE_HEADER;
	t->deadline_ns = mf_time_mono_ns() + g->header_ns;
	pthread_mutex_lock(&g->lock);
	t->next = g->head;
	if (g->head != NULL)
		g->head->prev = t;
	g->head = t;
	g->count++;
	pthread_mutex_unlock(&g->lock);
	*socket_context = t;
}

/* Moves conn's tracking to phase, with that phase's deadline. */
static void
guard_phase(struct mf_http *http, struct MHD_Connection *conn,
            enum conn_phase phase)
{
	struct conn_guard *g = &http->guard;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_track *t = ci != NULL ? ci->socket_context : NULL;

	if (t == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	t->phase = phase;
	t->deadline_ns = mf_time_mono_ns() +
	                 (phase == PHASE_BODY ? g->body_ns : g->header_ns);
	pthread_mutex_unlock(&g->lock);
}

/* Every 100 ms: shuts down connections past their header or body
 * deadline (libmicrohttpd sees the end of the stream and closes them). */
static void *
guard_reaper(void *cls)
{
	struct conn_guard *g = cls;
	struct timespec ts = {0, 100 * 1000 * 1000};
	struct conn_track *t;
	unsigned long nh, nb;
	int64_t now;

	while (!atomic_load(&g->stop)) {
		nanosleep(&ts, NULL);
		nh = nb = 0;
		now = mf_time_mono_ns();
		pthread_mutex_lock(&g->lock);
		for (t = g->head; t != NULL; t = t->next) {
			if (t->cut || t->fd < 0 || t->phase == PHASE_BUSY ||
			    now < t->deadline_ns)
				continue;
			shutdown(t->fd, SHUT_RDWR);
			t->cut = true;
			if (t->phase == PHASE_BODY)
				nb++;
			else
				nh++;
		}
		pthread_mutex_unlock(&g->lock);
		if (nh + nb > 0) {
			atomic_fetch_add(&g->cut_header, nh);
			atomic_fetch_add(&g->cut_body, nb);
			mf_metrics_add(g->metrics, MF_METRIC_CONN_CUT_HEADER,
			               nh);
			mf_metrics_add(g->metrics, MF_METRIC_CONN_CUT_BODY, nb);
			mf_diag_debug("http: closed %lu connections past the "
			              "header deadline, %lu past the body one",
			              nh, nb);
		}
	}
	return NULL;
}

static int
guard_start(struct mf_http *http, const struct mf_http_options *opt,
            struct mf_error *err)
{
	struct conn_guard *g = &http->guard;
	char why[160];
	int rc;

	pthread_mutex_init(&g->lock, NULL);
	pthread_rwlock_init(&g->policy, NULL);
	g->rate_read = opt->rate_read;
	g->rate_submit = opt->rate_submit;
	g->rate_submit_key = opt->rate_submit_key;
	g->max_conns = opt->max_connections;
	g->per_ip = opt->per_ip_limit;
	g->reserve = opt->max_connections / 4;
	g->header_ns =
	    (int64_t)(opt->header_timeout ? opt->header_timeout : 10) *
	    1000000000;
	g->body_ns =
	    (int64_t)(opt->body_timeout ? opt->body_timeout : 30) * 1000000000;
	if (opt->trusted_proxy != NULL &&
	    mf_cidrs_parse(&g->trusted, opt->trusted_proxy, why, sizeof(why)) !=
	        0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "trusted-proxy: %s", why);
	if (opt->rate_exempt != NULL &&
	    mf_cidrs_parse(&g->exempt, opt->rate_exempt, why, sizeof(why)) != 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "rate-exempt: %s", why);
	/* Step 2: the buckets, 64k names each (about 9 MiB each when on),
	 * each holding this node's share of the limit (--rate-nodes). */
	if ((rc = mf_ratelimit_new(
	         &g->read, mf_ratelimit_share(opt->rate_read, opt->rate_nodes),
	         65536)) != 0 ||
	    (rc = mf_ratelimit_new(
	         &g->submit,
	         mf_ratelimit_share(opt->rate_submit, opt->rate_nodes),
	         65536)) != 0 ||
	    (rc = mf_ratelimit_new(
	         &g->key,
	         mf_ratelimit_share(opt->rate_submit_key, opt->rate_nodes),
	         65536)) != 0)
		return rc;
	/* Step 3: the reaper. */
	if (pthread_create(&g->reaper, NULL, guard_reaper, g) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot start the connection reaper");
	g->reaper_started = true;
	return 0;
}

static void
guard_stop(struct conn_guard *g)
{
	if (g->reaper_started) {
		atomic_store(&g->stop, true);
		pthread_join(g->reaper, NULL);
		g->reaper_started = false;
	}
	mf_ratelimit_free(g->read);
	mf_ratelimit_free(g->submit);
	mf_ratelimit_free(g->key);
	g->read = g->submit = g->key = NULL;
	if (atomic_load(&g->refused) + atomic_load(&g->cut_header) +
	        atomic_load(&g->cut_body) + atomic_load(&g->limited) >
	    0)
		mf_diag_info(
		    "http: %lu connections refused by the per-address "
		    "limits, %lu cut at the header deadline, %lu at "
		    "the body deadline; %lu requests answered 429",
		    atomic_load(&g->refused), atomic_load(&g->cut_header),
		    atomic_load(&g->cut_body), atomic_load(&g->limited));
}

/* 429 rate_limited in the one error shape, with Retry-After. */
static void
respond_rate_limited(struct mf_request *req, const char *what, unsigned retry)
{
	char secs[16], msg[160];
	json_t *body;

	atomic_fetch_add(&req->http->guard.limited, 1);
	mf_metrics_add(req->http->metrics,
	               what[0] == 'a'   ? MF_METRIC_LIMITED_ADDRESS
	               : what[0] == 't' ? MF_METRIC_LIMITED_TOKEN
	                                : MF_METRIC_LIMITED_KEY,
	               1);
	req->error_code = "rate_limited";
	snprintf(secs, sizeof(secs), "%u", retry);
	snprintf(msg, sizeof(msg),
	         "too many requests from this %s; retry in %u s", what, retry);
	mf_http_set_header(req, "Retry-After", secs);
	body = json_pack("{s:{s:s,s:s,s:[]}}", "error", "code", "rate_limited",
	                 "message", msg, "details");
	mf_http_respond_json(req, 429, body);
}

/* The bucket name of a Bearer token: its hash (the token never kept). */
static bool
bearer_name(const char *authorization, char *out, size_t n)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7))
		return false;
	SHA256((const unsigned char *)authorization + 7,
	       strlen(authorization + 7), md);
	snprintf(out, n, "t:");
	for (i = 0; i < 16 && 2 + 2 * i + 2 < n; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", md[i]);
	return true;
}

/* forwarded_for's state across libmicrohttpd's header iterator. */
struct xff_lines {
	const char *v[16];
	int n;
};

static enum MHD_Result
xff_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct xff_lines *x = cls;

	(void)kind;
	if (value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	if (x->n == 16) { /* keep the last 16: the right end counts */
		memmove(x->v, x->v + 1, 15 * sizeof(x->v[0]));
		x->n--;
	}
	x->v[x->n++] = value;
	return MHD_YES;
}

/*
 * Every X-Forwarded-For line joined with commas, in order (RFC 9110:
 * repeated fields are one list), so that a line a client sent ahead of
 * the one its proxy added cannot pass for the proxy's. When they do not
 * all fit in out, the right-most lines that do are kept. false: none.
 */
static bool
forwarded_for(const struct mf_request *req, char *out, size_t n)
{
	struct xff_lines x = {{NULL}, 0};
	size_t len = 0, l;
	int i, first;

	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, xff_one, &x);
	if (x.n == 0)
		return false;
	/* Step 1: how many lines, from the right, fit. */
	for (first = x.n; first > 0; first--) {
		l = strlen(x.v[first - 1]) + 1;
		if (len + l > n)
			break;
		len += l;
	}
	if (first == x.n)
		return false; /* not even the last: no usable header */
	/* Step 2: join them. */
	out[0] = '\0';
	for (i = first, len = 0; i < x.n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s",
		                        i > first ? "," : "", x.v[i]);
	return true;
}

/*
 * On a request's first call: names the client (trusted-proxy rule) and
 * takes a token from its address's bucket (reads or other requests) and
 * from a Bearer token's. Health probes are never limited. Returns false
 * after answering 429.
 */
static bool
rate_admit_locked(struct mf_request *req)
{
	struct conn_guard *g = &req->http->guard;
	bool read = strcmp(req->method, "GET") == 0 ||
	            strcmp(req->method, "HEAD") == 0 ||
	            strcmp(req->method, "OPTIONS") == 0;
	int64_t now = mf_time_mono_ns() / 1000000;
	char peer[sizeof(req->client)], name[MF_RATELIMIT_NAME_MAX];
	char xff[1024];
	unsigned retry;
	/* --rate-exempt (loopback by default): the operator's own tools,
	 * unless that peer is a proxy speaking for other clients */
	bool exempt = mf_cidrs_contains(&g->exempt, req->client) &&
	              !mf_cidrs_contains(&g->trusted, req->client);

	if (g->trusted.n > 0) {
		snprintf(peer, sizeof(peer), "%s", req->client);
		mf_client_address(&g->trusted, peer,
		                  forwarded_for(req, xff, sizeof(xff)) ? xff
		                                                       : NULL,
		                  req->client, sizeof(req->client));
	}
	if (exempt || strcmp(req->path, "/healthz") == 0 ||
	    strcmp(req->path, "/readyz") == 0)
		return true;
	if (!mf_ratelimit_take(read ? g->read : g->submit, req->client, now,
	                       &retry)) {
		respond_rate_limited(req, "address", retry);
		return false;
	}
	if (bearer_name(mf_http_header(req, "Authorization"), name,
	                sizeof(name)) &&
	    !mf_ratelimit_take(g->key, name, now, &retry)) {
		respond_rate_limited(req, "token", retry);
		return false;
	}
	return true;
}

/*
 * Before a submission is handled: the keyids its envelope names (at most
 * MF_HTTP_RATE_KEYS) must each have a token. They are charged only when
 * the submission is accepted (rate_charge_keys), so that naming someone
 * else's keyid in a forged envelope cannot spend that key's tokens.
 * Returns false after answering 429.
 */
static bool
rate_admit_keys_locked(struct mf_request *req)
{
	struct conn_guard *g = &req->http->guard;
	int64_t now = mf_time_mono_ns() / 1000000;
	json_t *env = NULL, *sigs, *sig;
	const char *keyid;
	unsigned retry = 0;
	bool ok = true;
	size_t i;

	if (!mf_ratelimit_enabled(g->key) || req->body.len == 0 ||
	    req->body.data[0] != '{')
		return true;
	/* Step 1: the envelope's keyids (a body that is no envelope has
	 * none; its handler says what is wrong with it). */
	env = json_loadb(req->body.data, req->body.len, 0, NULL);
	sigs = json_object_get(env, "signatures");
	json_array_foreach(sigs, i, sig)
	{
		keyid = json_string_value(json_object_get(sig, "keyid"));
		if (keyid == NULL || req->nrate_keys >= MF_HTTP_RATE_KEYS)
			continue;
		snprintf(req->rate_keys[req->nrate_keys++],
		         sizeof(req->rate_keys[0]), "k:%s", keyid);
	}
	json_decref(env);
	/* Step 2: each must have a token now. */
	for (i = 0; ok && i < (size_t)req->nrate_keys; i++)
		ok = mf_ratelimit_peek(g->key, req->rate_keys[i], now, &retry);
	if (!ok)
		respond_rate_limited(req, "signing key", retry);
	return ok;
}

/* An accepted submission spends a token of each key it named. */
static void
rate_charge_keys_locked(struct mf_request *req)
{
	int64_t now = mf_time_mono_ns() / 1000000;
	int i;

	if (req->status < 200 || req->status > 299)
		return;
	for (i = 0; i < req->nrate_keys; i++)
		mf_ratelimit_charge(req->http->guard.key, req->rate_keys[i],
		                    now);
}

/*
 * The rate limits and trusted proxies may be replaced at run time
 * (mf_http_reload, on SIGHUP): each use holds the policy lock for reading.
 */
static bool
rate_admit(struct mf_request *req)
{
	bool ok;

	pthread_rwlock_rdlock(&req->http->guard.policy);
	ok = rate_admit_locked(req);
	pthread_rwlock_unlock(&req->http->guard.policy);
	return ok;
}

static bool
rate_admit_keys(struct mf_request *req)
{
	bool ok;

	pthread_rwlock_rdlock(&req->http->guard.policy);
	ok = rate_admit_keys_locked(req);
	pthread_rwlock_unlock(&req->http->guard.policy);
	return ok;
}

static void
rate_charge_keys(struct mf_request *req)
{
	pthread_rwlock_rdlock(&req->http->guard.policy);
	rate_charge_keys_locked(req);
	pthread_rwlock_unlock(&req->http->guard.policy);
}

static enum MHD_Result
guard_accept(void *cls, const struct sockaddr *sa, socklen_t salen)
{
	struct conn_guard *g = &((struct mf_http *)cls)->guard;
	enum MHD_Result r;

	pthread_rwlock_rdlock(&g->policy);
	r = guard_accept_locked(cls, sa, salen);
	pthread_rwlock_unlock(&g->policy);
	return r;
}

int
mf_http_reload(struct mf_http *http, const struct mf_http_options *opt,
               struct mf_error *err)
{
	struct conn_guard *g = &http->guard;
	struct mf_ratelimit *nr = NULL, *ns = NULL, *nk = NULL;
	struct mf_tls_creds *creds = NULL;
	struct mf_cidrs trusted;
	char why[160];
	int rc = 0;

	/* Step 1: everything new is built before anything changes. */
	if (opt->tls_cert_pem != NULL && !mf_tls_installed())
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "TLS was off at start: restart to turn "
		                    "it on");
	if (opt->tls_cert_pem != NULL &&
	    (rc = mf_tls_creds_load(&creds, opt->tls_cert_pem, opt->tls_key_pem,
	                            err)) != 0)
		return rc;
	memset(&trusted, 0, sizeof(trusted));
	if (opt->trusted_proxy != NULL && opt->trusted_proxy[0] != '\0' &&
	    mf_cidrs_parse(&trusted, opt->trusted_proxy, why, sizeof(why)) != 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "trusted-proxy: %s", why);
	if ((opt->rate_read != g->rate_read &&
	     (rc = mf_ratelimit_new(&nr, opt->rate_read, 65536)) != 0) ||
	    (opt->rate_submit != g->rate_submit &&
	     (rc = mf_ratelimit_new(&ns, opt->rate_submit, 65536)) != 0) ||
	    (opt->rate_submit_key != g->rate_submit_key &&
	     (rc = mf_ratelimit_new(&nk, opt->rate_submit_key, 65536)) != 0)) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	/* Step 2: swapped at once; a changed limit starts with full
	 * buckets, an unchanged one keeps its state. */
	pthread_rwlock_wrlock(&g->policy);
	g->trusted = trusted;
#define SWAP(field, fresh, rate, value)                                        \
	if (fresh != NULL) {                                                   \
		struct mf_ratelimit *old = g->field;                           \
		g->field = fresh;                                              \
		fresh = old;                                                   \
		g->rate = value;                                               \
	}
	SWAP(read, nr, rate_read, opt->rate_read)
	SWAP(submit, ns, rate_submit, opt->rate_submit)
	SWAP(key, nk, rate_submit_key, opt->rate_submit_key)
#undef SWAP
	pthread_rwlock_unlock(&g->policy);
	if (creds != NULL) {
		mf_tls_install(creds);
		creds = NULL;
	}
done:
	mf_tls_creds_free(creds);
	/* the replaced tables, or the new ones after a failure */
	mf_ratelimit_free(nr);
	mf_ratelimit_free(ns);
	mf_ratelimit_free(nk);
	return rc;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_data_size, void **con_cls)
{
	struct mf_http *http = cls;
	struct mf_request *req = *con_cls;

	(void)version;
	if (req == NULL || *con_cls == &bad_target_mark) {
		bool bad_target = req != NULL;

		if ((req = request_new(http, conn, method, url)) == NULL)
			return MHD_NO;
		*con_cls = req;
		atomic_fetch_add(&http->active, 1);
		guard_phase(http, conn, PHASE_BODY);
		if (!rate_admit(req)) {
			req->body_too_large = true; /* the rest is not kept */
			return MHD_YES;
		}
		refuse_early(req, bad_target);
		return MHD_YES;
	}
	if (req->resume != NULL) { /* resumed after mf_http_suspend */
		pool_submit(req, req->resume, true);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!req->body_too_large &&
		    mf_buf_append(&req->body, upload_data, *upload_data_size) !=
		        0)
			req->body_too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	guard_phase(http, conn, PHASE_BUSY);
	if (!req->responded && rate_admit_keys(req))
		dispatch(req);
	return MHD_YES;
}

/* The access log line of a completed request (text or JSON: diag.h). */
static void
access_log(const struct mf_request *req, int64_t us, bool aborted)
{
	struct mf_diag_access a;

	a.reqid = req->id;
	a.client = req->client;
	a.method = req->method;
	a.path = req->path;
	a.route = req->match.route ? req->match.route->pattern : NULL;
	a.status = req->status;
	a.bytes = req->response_bytes;
	a.duration_us = us;
	a.aborted = aborted;
	mf_diag_access(&a);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct mf_http *http = cls;
	struct mf_request *req = *con_cls;
	int64_t us;

	if (req == NULL || *con_cls == &bad_target_mark)
		return;
	us = (mf_time_mono_ns() - req->started_ns) / 1000;
	/* a request answered before routing (429, early 400s) is counted
	 * under the route its path and method have, if any */
	if (req->match.route == NULL)
		mf_router_match(http->routes, http->nroutes, req->method,
		                req->path, &req->match);
	mf_metrics_request(http->metrics, req->match.route, req->status,
	                   us * 1000, req->error_code);
	access_log(req, us, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	rate_charge_keys(req);
	request_free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&http->active, 1);
	guard_phase(http, conn, PHASE_HEADER); /* the next request's */
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* GnuTLS's words for a client speaking plain HTTP to the TLS port */
	if (strstr(msg, "handshake message out of context") != NULL ||
	    strstr(msg, "unexpected TLS packet") != NULL)
		mf_diag_warn("http: %s (a plain-HTTP request on the HTTPS "
		             "port? it was not answered)",
		             msg);
	else
		mf_diag_warn("http: %s", msg);
}

/* listen:port as a socket address; 0 or MF_E_BAD_PARAM. */
static int
listen_addr(const char *addr, unsigned port, struct sockaddr_storage *ss,
            socklen_t *len, struct mf_error *err)
{
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sa4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sa4->sin_addr) == 1) {
		sa4->sin_family = AF_INET;
		sa4->sin_port = htons((uint16_t)port);
		*len = sizeof(*sa4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sa6->sin6_addr) == 1) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sa6);
		return 0;
	}
	return mf_error_set(err, MF_E_BAD_PARAM, NULL,
	                    "listen address '%s' is not a numeric "
	                    "IPv4 or IPv6 address",
	                    addr);
}

bool
mf_http_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

int
mf_http_bind(const char *addr, unsigned port, int *fd, struct mf_error *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s = -1, one = 1, rc;

	*fd = -1;
	if ((rc = listen_addr(addr, port, &ss, &len, err)) != 0)
		return rc;
	if ((s = socket(ss.ss_family,
	                SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) !=
	         0) ||
	    bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, 1024) != 0) {
		rc = mf_error_set(err, MF_E_IO, NULL,
		                  "cannot listen on %s port %u: %s", addr, port,
		                  strerror(errno));
		if (s >= 0)
			close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

int
mf_http_start(struct mf_http **out, const struct mf_http_options *opt,
              const struct mf_route *routes, size_t nroutes, struct mf_app *app,
              struct mf_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
	                 MHD_USE_ERROR_LOG;
	/* where to listen, and TLS: options that are there or not */
	struct MHD_OptionItem extra[4];
	int nextra = 0, listen_fd = opt->listen_fd;
	struct mf_http *http = NULL;
	struct mf_tls_creds *creds = NULL;
	int rc;

	*out = NULL;
	if ((rc = listen_addr(opt->listen, opt->port, &ss, &sslen, err)) != 0)
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (listen_fd >= 0)
		extra[nextra++] = (struct MHD_OptionItem){
		    MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL};
	else
		extra[nextra++] =
		    (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
	if (opt->tls_cert_pem != NULL || opt->tls_key_pem != NULL) {
		if (opt->tls_cert_pem == NULL || opt->tls_key_pem == NULL) {
			rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                  "TLS needs both a certificate and "
			                  "a key");
			goto fail;
		}
		if (!mf_http_tls_supported()) {
			rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                  "this libmicrohttpd has no TLS "
			                  "support");
			goto fail;
		}
		if ((rc = mf_tls_creds_load(&creds, opt->tls_cert_pem,
		                            opt->tls_key_pem, err)) != 0)
			goto fail;
		flags |= MHD_USE_TLS;
		extra[nextra++] = (struct MHD_OptionItem){
		    MHD_OPTION_HTTPS_CERT_CALLBACK, 0, mf_tls_callback()};
	}
	extra[nextra] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	if ((http = calloc(1, sizeof(*http))) == NULL) {
		rc = MF_E_NOMEM;
		goto fail;
	}
	http->routes = routes;
	http->nroutes = nroutes;
	http->app = app;
	http->max_body = opt->max_body;
	http->not_found = opt->not_found;
	if (pool_start(&http->pool, opt->threads) != 0) {
		pool_stop(&http->pool);
		rc = mf_error_set(err, MF_E_NOMEM, NULL,
		                  "cannot start %u worker threads",
		                  opt->threads);
		goto fail;
	}
	if (RAND_bytes((unsigned char *)&http->id_prefix,
	               sizeof(http->id_prefix)) != 1)
		http->id_prefix = (unsigned)getpid();
	if ((rc = mf_metrics_new(&http->metrics, routes, nroutes,
	                         opt->metrics_token_file, err)) != 0 ||
	    (http->guard.metrics = http->metrics,
	     rc = guard_start(http, opt, err)) != 0) {
		pool_stop(&http->pool);
		guard_stop(&http->guard);
		goto fail;
	}
	if (creds != NULL) {
		mf_tls_install(creds);
		creds = NULL;
	}
	http->daemon = MHD_start_daemon(
	    flags, (uint16_t)opt->port, guard_accept, http, on_request, http,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY, extra,
	    MHD_OPTION_THREAD_POOL_SIZE, opt->threads,
	    MHD_OPTION_CONNECTION_LIMIT, opt->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, opt->conn_timeout,
	    MHD_OPTION_NOTIFY_CONNECTION, guard_notify, http,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, http,
	    /* HTTP/1.1 without Host, and the like, are 400 (RFC 9112) */
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (http->daemon == NULL) {
		pool_stop(&http->pool);
		guard_stop(&http->guard);
		mf_tls_uninstall();
		rc = mf_error_set(err, MF_E_IO, NULL,
		                  opt->tls_cert_pem != NULL
		                      ? "cannot serve HTTPS on %s port %u (in "
		                        "use, or a bad certificate or key?)"
		                      : "cannot listen on %s port %u (in use?)",
		                  opt->listen, opt->port);
		goto fail;
	}
	*out = http;
	return 0;
fail:
	/* the daemon was not started: the socket is still ours to close */
	if (listen_fd >= 0)
		close(listen_fd);
	mf_tls_creds_free(creds);
	if (http != NULL)
		mf_metrics_free(http->metrics);
	free(http);
	return rc;
}

void
mf_http_stop(struct mf_http *http, unsigned grace_ms)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	MHD_socket fd;
	unsigned waited = 0;

	if (http == NULL)
		return;
	fd = MHD_quiesce_daemon(http->daemon);
	while (atomic_load(&http->active) > 0 && waited < grace_ms) {
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (atomic_load(&http->active) > 0)
		mf_diag_warn("stopping with %u requests still in flight",
		             atomic_load(&http->active));
	pool_stop(&http->pool);
	MHD_stop_daemon(http->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	mf_tls_uninstall();
	guard_stop(&http->guard);
	mf_metrics_free(http->metrics);
	free(http);
}

/* mf_http_query_each's state across libmicrohttpd's iterator. */
struct query_each {
	int (*fn)(void *ctx, const char *name, const char *value);
	void *ctx;
	int rc;
};

static enum MHD_Result
query_each_one(void *cls, enum MHD_ValueKind kind, const char *key,
               const char *value)
{
	struct query_each *q = cls;

	(void)kind;
	q->rc = q->fn(q->ctx, key, value);
	return q->rc == 0 ? MHD_YES : MHD_NO;
}

int
mf_http_query_each(const struct mf_request *req,
                   int (*fn)(void *ctx, const char *name, const char *value),
                   void *ctx)
{
	struct query_each q = {fn, ctx, 0};
	int i;

	if (req->capture != NULL) {
		for (i = 0; i < req->capture->nargs && q.rc == 0; i++)
			q.rc = fn(ctx, req->capture->names[i],
			          req->capture->values[i]);
		return q.rc;
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
	                          query_each_one, &q);
	return q.rc;
}

/* Decodes %XX and '+' of a query-string component in place. */
static void
query_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		           isxdigit((unsigned char)s[2])) {
			char hex[3] = {s[1], s[2], '\0'};

			*w++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Splits "a=1&b=2" (owned by c->query) into decoded names and values. */
static int
capture_parse_query(struct mf_capture *c)
{
	char *p = c->query, *next;
	int n = 1, i;

	for (i = 0; p[i]; i++)
		n += p[i] == '&';
	if ((c->names = calloc((size_t)n, sizeof(*c->names))) == NULL ||
	    (c->values = calloc((size_t)n, sizeof(*c->values))) == NULL)
		return MF_E_NOMEM;
	for (; p != NULL; p = next) {
		char *eq;

		if ((next = strchr(p, '&')) != NULL)
			*next++ = '\0';
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		query_unescape(p);
		if (eq != NULL)
			query_unescape(eq);
		c->names[c->nargs] = p;
		c->values[c->nargs++] = eq;
	}
	return 0;
}

int
mf_http_capture(struct mf_request *parent, const char *target,
                struct mf_capture *out)
{
	if (parent->http == NULL) /* a captured request captures nothing */
		return MF_E_INTERNAL;
	return mf_http_capture_routes(parent->http->routes,
	                              parent->http->nroutes, parent->app,
	                              parent->id, target, out);
}

int
mf_http_capture_routes(const struct mf_route *routes, size_t nroutes,
                       struct mf_app *app, const char *id, const char *target,
                       struct mf_capture *out)
{
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	struct mf_request *req = NULL;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	mf_buf_init(&out->body, 0);
	if (plen >= MF_ROUTE_PATH_MAX)
		return MF_E_BAD_PARAM;
	if ((path = strndup(target, plen)) == NULL ||
	    (out->query = strdup(q ? q + 1 : "")) == NULL ||
	    (req = calloc(1, sizeof(*req))) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	if ((rc = capture_parse_query(out)) != 0)
		goto done;
	req->app = app;
	req->method = "GET";
	req->path = path;
	req->capture = out;
	req->started_ns = mf_time_mono_ns();
	mf_buf_init(&req->body, 0);
	mf_error_init(&req->err);
	/* the parent's id: log lines about both name the same request */
	snprintf(req->id, sizeof(req->id), "%s", id ? id : "capture");
	snprintf(req->client, sizeof(req->client), "internal");
	if (mf_router_match(routes, nroutes, "GET", path, &req->match) != 0) {
		mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		             "no such resource: %s", path);
		mf_http_respond_error(req, &req->err);
	} else {
		run_handler(req, req->match.route->handler);
	}
	rc = out->status != 0 ? 0 : MF_E_INTERNAL;
done:
	if (req != NULL)
		request_free(req);
	free(path);
	return rc;
}

void
mf_http_capture_dispose(struct mf_capture *c)
{
	if (c == NULL)
		return;
	json_decref(c->json);
	mf_buf_dispose(&c->body);
	free(c->query);
	free(c->names);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

/* ---- GET /metrics (issue 16): the HTTP layer's share ---- */

bool
mf_http_metrics_authorized(const struct mf_request *req)
{
	if (req->http == NULL)
		return false;
	return mf_metrics_authorized(req->http->metrics,
	                             mf_http_header(req, "Authorization"));
}

int
mf_http_metrics_write(const struct mf_request *req, struct mf_buf *out)
{
	struct mf_http *http = req->http;
	struct pool *pool;
	size_t queued, cap;
	unsigned i, busy = 0, conns;
	int rc;

	if (http == NULL)
		return 0;
	/* 1. the counters */
	if ((rc = mf_metrics_write(http->metrics, out)) != 0)
		return rc;
	/* 2. the worker pool and the connections, as they are now */
	pool = &http->pool;
	pthread_mutex_lock(&pool->mu);
	for (i = 0; i < pool->nworkers; i++)
		busy += pool->workers[i].req != NULL;
	queued = pool->queued;
	cap = pool->cap;
	pthread_mutex_unlock(&pool->mu);
	pthread_mutex_lock(&http->guard.lock);
	conns = http->guard.count;
	pthread_mutex_unlock(&http->guard.lock);
	if ((rc = mf_metrics_family(out, "modelfacts_pool_workers", "gauge",
	                            "Worker threads (one database connection "
	                            "each), busy or idle")) != 0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_pool_workers",
	                            "state=\"busy\"", busy)) != 0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_pool_workers",
	                            "state=\"idle\"", pool->nworkers - busy)) !=
	        0 ||
	    (rc =
	         mf_metrics_family(out, "modelfacts_pool_queue_length", "gauge",
	                           "Requests waiting for a worker")) != 0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_pool_queue_length", "",
	                            (double)queued)) != 0 ||
	    (rc = mf_metrics_family(out, "modelfacts_pool_queue_capacity",
	                            "gauge", "Longest queue before 503")) !=
	        0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_pool_queue_capacity", "",
	                            (double)cap)) != 0 ||
	    (rc = mf_metrics_family(out, "modelfacts_http_connections", "gauge",
	                            "Open HTTP connections")) != 0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_http_connections", "",
	                            conns)) != 0 ||
	    (rc = mf_metrics_family(out, "modelfacts_http_requests_in_flight",
	                            "gauge",
	                            "Requests received and not yet "
	                            "completed")) != 0)
		return rc;
	return mf_metrics_sample(out, "modelfacts_http_requests_in_flight", "",
	                         atomic_load(&http->active));
}
