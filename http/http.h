/*
 * The HTTP layer on libmicrohttpd (internal polling thread, epoll, thread
 * pool): request bodies accumulated up to a limit, dispatch through the
 * route table, one JSON error shape, a request id on every response and
 * log line, an access log, and graceful shutdown. Only this layer includes
 * microhttpd.h: handlers see a struct mf_request and the functions below.
 */
#ifndef MF_HTTP_H
#define MF_HTTP_H

#include "common/buf.h"
#include "common/error.h"
#include "http/router.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct mf_app;
struct mf_http;
struct mf_capture;
struct MHD_Connection; /* libmicrohttpd's, opaque outside http/ */

#define MF_HTTP_MAX_HEADERS 8
#define MF_HTTP_RATE_KEYS   4

/*
 * Per-request state. It owns everything the request allocates and is
 * freed when libmicrohttpd reports the request complete.
 */
struct mf_request {
	struct MHD_Connection *conn;
	struct mf_http *http;
	struct mf_app *app;
	char id[24];
	const char *method; /* borrowed from libmicrohttpd */
	const char *path;
	struct mf_route_match match;
	struct mf_buf body;
	bool body_too_large;
	bool responded;
	int64_t started_ns;
	unsigned status;
	size_t response_bytes;
	char client[64];
	struct mf_error err;
	/* extra response headers, set before responding */
	const char *header_names[MF_HTTP_MAX_HEADERS];
	char *header_values[MF_HTTP_MAX_HEADERS];
	int nheaders;
	/* a handler's own state, freed with the request */
	void *state;
	void (*state_free)(void *state);
	/* set by a handler that suspended the request: called on resume */
	mf_handler_fn resume;
	/* the signing keys a submission names, for its rate limit
	 * (http.c: "k:" and the keyid, cut to fit) */
	char rate_keys[MF_HTTP_RATE_KEYS][112];
	int nrate_keys;
	/* the error code of the answer (a static string), for /metrics */
	const char *error_code;
	/* non-NULL for a captured request (mf_http_capture): no connection,
	 * and the respond functions store the answer instead of sending */
	struct mf_capture *capture;
};

struct mf_http_options {
	const char *listen;
	unsigned port;
	unsigned threads;
	size_t max_body;
	unsigned max_connections;
	unsigned per_ip_limit;
	unsigned conn_timeout;
	/* slow clients and rate limits (issue 15): deadlines in seconds for
	 * a request's whole header and whole body; token buckets in
	 * requests a minute (0: off); trusted proxies "CIDR[,CIDR]" or "" */
	unsigned header_timeout;
	unsigned body_timeout;
	unsigned long rate_read;
	unsigned long rate_submit;
	unsigned long rate_submit_key;
	const char *trusted_proxy;
	/* peers never held by the per-address and per-token buckets (unless
	 * trusted proxies): "CIDR[,CIDR]" or ""; each limit is divided among
	 * rate_nodes API nodes (0 or 1: this one only) */
	const char *rate_exempt;
	unsigned long rate_nodes;
	/* a file whose first line GET /metrics requires as Bearer token
	 * (NULL or "": served to every client) */
	const char *metrics_token_file;
	/* optional: answers a GET or HEAD of a path no route has (the web
	 * site's HTML 404); NULL gives the JSON 404 */
	mf_handler_fn not_found;
	/* HTTPS (issue 16): the PEM certificate chain (at most 16) and
	 * private key, both NULL for plain HTTP; parsed at start (the
	 * caller may free them then), replaced by mf_http_reload */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	/* a socket mf_http_bind made (bound before privileges are dropped),
	 * or -1: mf_http_start binds listen:port itself; taken in every case */
	int listen_fd;
};

/*
 * Binds and listens on addr:port (numeric IPv4/IPv6) for a later
 * mf_http_start with listen_fd, so that a server started as root can
 * bind a low port and then drop privileges. *fd is the caller's.
 */
int mf_http_bind(const char *addr, unsigned port, int *fd,
                 struct mf_error *err);
/*
 * Replaces, while serving, what may change at run time (SIGHUP): the
 * trusted proxies, the three rate limits and, when tls_cert_pem is set
 * (on a server started with TLS), the certificate and key of opt (its
 * other fields are ignored). New handshakes use the new certificate;
 * open connections keep theirs. A limit whose rate changed starts
 * afresh; nothing changes when any of them is invalid (MF_E_BAD_PARAM)
 * or on MF_E_NOMEM.
 */
int mf_http_reload(struct mf_http *http, const struct mf_http_options *opt,
                   struct mf_error *err);
/* Whether this libmicrohttpd was built with TLS support. */
bool mf_http_tls_supported(void);

/* Starts serving; *out is owned by the caller (mf_http_stop frees it). */
int mf_http_start(struct mf_http **out, const struct mf_http_options *opt,
                  const struct mf_route *routes, size_t nroutes,
                  struct mf_app *app, struct mf_error *err);
/*
 * Stops accepting connections, waits up to grace_ms for in-flight
 * requests (including suspended ones) to finish, then stops and frees.
 */
void mf_http_stop(struct mf_http *http, unsigned grace_ms);

/* Path parameter i of the matched route; borrowed. */
const char *mf_http_param(const struct mf_request *req, int i);
/* Query-string argument or request header; borrowed, NULL when absent. */
const char *mf_http_query(const struct mf_request *req, const char *name);
const char *mf_http_header(const struct mf_request *req, const char *name);

/* Adds a response header (value copied); 0 or MF_E_NOMEM. */
int mf_http_set_header(struct mf_request *req, const char *name,
                       const char *value);

/*
 * Queues the response. `data` is copied unless `persistent` is set, in
 * which case it must outlive the response (static or cached bytes).
 */
int mf_http_respond(struct mf_request *req, unsigned status,
                    const char *content_type, const void *data, size_t len,
                    bool persistent);
struct mf_blob;
/*
 * Responds with a shared blob (cache.h): 304 when If-None-Match names its
 * ETag, else its bytes, holding a reference until they are sent.
 * cache_control may be NULL.
 */
int mf_http_respond_blob(struct mf_request *req, struct mf_blob *blob,
                         const char *cache_control);

/*
 * Queues a response that streams `size` bytes of the open file fd (with
 * sendfile where it can) instead of reading it into memory. Takes fd in
 * every case: it is closed when the response is done or on failure.
 */
int mf_http_respond_file(struct mf_request *req, unsigned status,
                         const char *content_type, int fd, uint64_t size);
/*
 * A streamed body: fill writes up to max bytes into buf and returns how
 * many (at least 1), 0 at the end, or a negative MF_E* code, which cuts
 * the response short (the client sees a truncated chunked body, never a
 * clean end). It runs on the request's worker thread, as often as the
 * client reads; done(cls) runs once when the response is finished or
 * abandoned.
 */
typedef long (*mf_http_fill_fn)(void *cls, char *buf, size_t max);
/*
 * Queues a response of unknown length (chunked with HTTP/1.1) whose body
 * fill produces as the client reads it, so the body never sits in
 * memory. Takes cls in every case: done(cls) also runs on failure.
 */
int mf_http_respond_stream(struct mf_request *req, unsigned status,
                           const char *content_type, mf_http_fill_fn fill,
                           void (*done)(void *cls), void *cls);
/* Responds with the compact encoding of body; steals the reference. */
int mf_http_respond_json(struct mf_request *req, unsigned status, json_t *body);
/* The error shape of DESIGN.md §6, status from the error table. */
int mf_http_respond_error(struct mf_request *req, const struct mf_error *err);

/*
 * Suspends the request until mf_http_resume(); the route's `resume`
 * handler then runs on a worker thread and responds. Any thread may
 * resume.
 */
void mf_http_suspend(struct mf_request *req, mf_handler_fn resume);
void mf_http_resume(struct mf_request *req);

/*
 * Calls fn(ctx, name, value) for every query-string argument in the
 * order given, repeats included (value NULL for a bare "?name"); stops
 * at the first non-zero return and returns it, else 0. Borrowed strings.
 */
int mf_http_query_each(const struct mf_request *req,
                       int (*fn)(void *ctx, const char *name,
                                 const char *value),
                       void *ctx);

/*
 * A captured request: an internal GET dispatched through the route table
 * to an endpoint's own handler, whose answer is kept instead of sent, so
 * that HTML pages are built from exactly the JSON the API answers.
 *
 * The respond functions of a captured request store the answer:
 * mf_http_respond_json and mf_http_respond_error their json_t (errors in
 * the one error shape), mf_http_respond and mf_http_respond_blob the
 * bytes (parsed into `json` too when the content type is JSON). A
 * captured request has no connection: it refuses mf_http_suspend,
 * mf_http_respond_stream and mf_http_respond_file (500, internal_error,
 * "cannot be captured"), and sees no request headers.
 */
struct mf_capture {
	unsigned status;    /* the answer's HTTP status */
	json_t *json;       /* owned: the JSON answer (or error), or NULL */
	struct mf_buf body; /* the bytes of a non-JSON answer */
	char content_type[96];
	char etag[80]; /* of a blob answer, else "" */
	/* private: the query arguments, decoded */
	char *query;
	const char **names, **values;
	int nargs;
	bool refused;
};

/*
 * Dispatches GET `target` (a path and an optional query string,
 * percent-encoded: "/v1/models?q=gran&limit=20") through parent's route
 * table to the endpoint's handler on this thread (and so on this thread's
 * database connection), and fills *out, which the caller disposes of with
 * mf_http_capture_dispose. An unknown path gives 404 in *out. Returns 0
 * when *out holds an answer (of any status), MF_E_NOMEM or
 * MF_E_BAD_PARAM (a target too long).
 */
int mf_http_capture(struct mf_request *parent, const char *target,
                    struct mf_capture *out);
/* The same through a given route table (id: for log lines); what
 * mf_http_capture does with the parent's, and what unit tests call. */
int mf_http_capture_routes(const struct mf_route *routes, size_t nroutes,
                           struct mf_app *app, const char *id,
                           const char *target, struct mf_capture *out);
void mf_http_capture_dispose(struct mf_capture *c);

/*
 * GET /metrics (issue 16): whether this request may read them (the
 * --metrics-token rule, metrics.h), and the HTTP layer's families in
 * Prometheus text format 0.0.4 appended to out (requests by route,
 * latency, submissions, refusals, connections, the worker pool). A
 * captured request has no HTTP layer: nothing is written. 0 or
 * MF_E_NOMEM.
 */
bool mf_http_metrics_authorized(const struct mf_request *req);
int mf_http_metrics_write(const struct mf_request *req, struct mf_buf *out);

#endif
