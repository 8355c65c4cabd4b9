/*
 * The HTTP layer's counters for GET /metrics (issue 16, observability):
 * requests by route TEMPLATE (never the raw path, so the number of
 * series is bounded by the route table), method and status; a latency
 * histogram per route with fixed buckets; submissions accepted and
 * rejected by error code; rate-limit refusals. Every counter is a C11
 * atomic bumped where the event happens: no lock on the request path.
 * Writing them out (Prometheus text exposition format 0.0.4) reads the
 * atomics one by one, so a scrape is a consistent-enough snapshot.
 * Pure apart from reading the optional token file at start.
 */
#ifndef MF_HTTP_METRICS_H
#define MF_HTTP_METRICS_H

#include "common/buf.h"
#include "common/error.h"
#include "http/router.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mf_metrics;

/* Plain counters the HTTP layer bumps (mf_metrics_add). */
enum mf_metrics_counter {
	MF_METRIC_LIMITED_ADDRESS, /* 429: a client address's bucket */
	MF_METRIC_LIMITED_TOKEN,   /* 429: an admin token's bucket */
	MF_METRIC_LIMITED_KEY,     /* 429: a signing key's bucket */
	MF_METRIC_POOL_REJECTED,   /* 503: queue full or waited too long */
	MF_METRIC_CONN_REFUSED,    /* the per-address accept policy */
	MF_METRIC_CONN_CUT_HEADER, /* past --header-timeout */
	MF_METRIC_CONN_CUT_BODY,   /* past --body-timeout */
	MF_METRIC__MAX
};

/*
 * A set of counters for the route table routes[0..nroutes) (borrowed:
 * it must outlive the set). token_file (NULL or "": none) names a file
 * whose first line is the bearer token GET /metrics then requires; it is
 * read once, here. *out is owned by the caller (mf_metrics_free).
 * 0, MF_E_NOMEM, or MF_E_BAD_PARAM when the token file cannot be read or
 * is empty (err says which).
 */
int mf_metrics_new(struct mf_metrics **out, const struct mf_route *routes,
                   size_t nroutes, const char *token_file,
                   struct mf_error *err);
void mf_metrics_free(struct mf_metrics *m);

/*
 * One answered request: route is the matched row of the table (NULL: no
 * route matched, counted as route "unmatched"), status its HTTP status,
 * duration_ns from its first byte to its completion. When the route is
 * POST /v1/submissions it also counts as a submission accepted (2xx) or
 * rejected with reason `code` (the error code it was answered with;
 * NULL: "http_<status>"). Thread-safe, lock-free.
 */
void mf_metrics_request(struct mf_metrics *m, const struct mf_route *route,
                        unsigned status, int64_t duration_ns, const char *code);
void mf_metrics_add(struct mf_metrics *m, enum mf_metrics_counter c,
                    unsigned long n);

/* Whether the Authorization header value may read /metrics: true when
 * no token is configured, else only for "Bearer <token>" (compared in
 * constant time). */
bool mf_metrics_authorized(const struct mf_metrics *m,
                           const char *authorization);

/*
 * Appends the HTTP layer's families in text format 0.0.4 to out:
 * requests, latency histograms, submissions, rate-limit refusals,
 * connection and pool refusals, build info and start time. 0 or
 * MF_E_NOMEM.
 */
int mf_metrics_write(const struct mf_metrics *m, struct mf_buf *out);

/*
 * Helpers for the other families (api/metrics.c): "# HELP" and "# TYPE"
 * lines, then one sample with optional labels ("" for none; label
 * values already escaped with mf_metrics_label_escape).
 */
int mf_metrics_family(struct mf_buf *out, const char *name, const char *type,
                      const char *help);
int mf_metrics_sample(struct mf_buf *out, const char *name, const char *labels,
                      double value);
/* A label value as the text format wants it: \\, \" and \n escaped. */
void mf_metrics_label_escape(char *out, size_t cap, const char *in);

#endif
