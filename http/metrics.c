/*
 * Counters behind GET /metrics (see metrics.h): one row of atomics per
 * route of the table, bumped lock-free when a request completes, and
 * their Prometheus text exposition (format 0.0.4).
 */
#include "http/metrics.h"
#include "common/version.h"

#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Status codes kept per route: 100-599, one counter each. */
#define STATUS_MIN 100
#define STATUS_N   500
/* Fixed latency buckets (seconds), as their upper bounds in µs. */
static const int64_t bucket_us[] = {1000,    2500,    5000,    10000,  25000,
                                    50000,   100000,  250000,  500000, 1000000,
                                    2500000, 5000000, 10000000};
static const char *const bucket_le[] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))
/* Distinct rejection reasons kept (error codes are a fixed table). */
#define MAX_REASONS 64
#define TOKEN_MAX   256

struct route_counters {
	atomic_ulong status[STATUS_N];
	atomic_ulong buckets[NBUCKETS + 1]; /* the last: over 10 s */
	atomic_ullong sum_us;
};

struct reason {
	_Atomic(const char *) name; /* a static string, once claimed */
	atomic_ulong count;
};

struct mf_metrics {
	const struct mf_route *routes;
	size_t nroutes;
	struct route_counters *rows; /* nroutes + 1: the last is unmatched */
	atomic_ulong accepted;
	struct reason reasons[MAX_REASONS];
	atomic_ulong reasons_overflow;
	atomic_ulong counters[MF_METRIC__MAX];
	int64_t start_s;
	char token[TOKEN_MAX];
	size_t token_len;
};

/* Reads the first line of path into m->token (trailing blanks cut). */
static int
read_token(struct mf_metrics *m, const char *path, struct mf_error *err)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "metrics-token: cannot read '%s'", path);
	if (fgets(m->token, sizeof(m->token), f) == NULL)
		m->token[0] = '\0';
	fclose(f);
	n = strlen(m->token);
	while (n > 0 && (m->token[n - 1] == '\n' || m->token[n - 1] == '\r' ||
	                 m->token[n - 1] == ' ' || m->token[n - 1] == '\t'))
		m->token[--n] = '\0';
	if (n == 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "metrics-token: '%s' holds no token", path);
	m->token_len = n;
	return 0;
}

int
mf_metrics_new(struct mf_metrics **out, const struct mf_route *routes,
               size_t nroutes, const char *token_file, struct mf_error *err)
{
	struct mf_metrics *m = NULL;
	int rc = 0;

	*out = NULL;
	/* 1. the counters, all zero (calloc: atomics start at 0) */
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->rows = calloc(nroutes + 1, sizeof(*m->rows))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	m->routes = routes;
	m->nroutes = nroutes;
	m->start_s = (int64_t)time(NULL);
	/* 2. the token, when access is restricted */
	if (token_file != NULL && token_file[0] != '\0' &&
	    (rc = read_token(m, token_file, err)) != 0)
		goto done;
	*out = m;
	m = NULL;
done:
	mf_metrics_free(m);
	return rc;
}

void
mf_metrics_free(struct mf_metrics *m)
{
	if (m == NULL)
		return;
	OPENSSL_cleanse(m->token, sizeof(m->token));
	free(m->rows);
	free(m);
}

static void
count_reason(struct mf_metrics *m, const char *code)
{
	const char *cur;
	size_t i;

	for (i = 0; i < MAX_REASONS; i++) {
		cur = atomic_load(&m->reasons[i].name);
		if (cur == NULL) {
			const char *expected = NULL;

			/* claim the free slot, or see who claimed it */
			if (atomic_compare_exchange_strong(&m->reasons[i].name,
			                                   &expected, code))
				cur = code;
			else
				cur = expected;
		}
		if (strcmp(cur, code) == 0) {
			atomic_fetch_add(&m->reasons[i].count, 1);
			return;
		}
	}
	atomic_fetch_add(&m->reasons_overflow, 1);
}

/* The reason for a rejection answered without an error code. */
static const char *
status_reason(unsigned status)
{
	static const char *const names[] = {"http_4xx", "http_5xx"};

	return names[status >= 500];
}

void
mf_metrics_request(struct mf_metrics *m, const struct mf_route *route,
                   unsigned status, int64_t duration_ns, const char *code)
{
	struct route_counters *r;
	int64_t us = duration_ns / 1000;
	size_t i, b;

	if (m == NULL)
		return;
	/* 1. the route's row: the table's index, or the unmatched row */
	i = m->nroutes;
	if (route != NULL && route >= m->routes &&
	    route < m->routes + m->nroutes)
		i = (size_t)(route - m->routes);
	r = &m->rows[i];
	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_N)
		atomic_fetch_add(&r->status[status - STATUS_MIN], 1);
	/* 2. its latency bucket */
	for (b = 0; b < NBUCKETS && us > bucket_us[b]; b++)
		;
	atomic_fetch_add(&r->buckets[b], 1);
	atomic_fetch_add(&r->sum_us, (unsigned long long)(us < 0 ? 0 : us));
	/* 3. a submission's outcome */
	if (i == m->nroutes || strcmp(route->method, "POST") != 0 ||
	    strcmp(route->pattern, "/v1/submissions") != 0)
		return;
	if (status >= 200 && status < 300)
		atomic_fetch_add(&m->accepted, 1);
	else if (status >= 400)
		count_reason(m, code != NULL ? code : status_reason(status));
}

void
mf_metrics_add(struct mf_metrics *m, enum mf_metrics_counter c, unsigned long n)
{
	if (m != NULL && c >= 0 && c < MF_METRIC__MAX)
		atomic_fetch_add(&m->counters[c], n);
}

bool
mf_metrics_authorized(const struct mf_metrics *m, const char *authorization)
{
	size_t n;

	if (m == NULL || m->token_len == 0)
		return true;
	if (authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	authorization += 7;
	n = strlen(authorization);
	return n == m->token_len &&
	       CRYPTO_memcmp(authorization, m->token, n) == 0;
}

void
mf_metrics_label_escape(char *out, size_t cap, const char *in)
{
	size_t o = 0;

	if (cap == 0)
		return;
	for (; *in != '\0'; in++) {
		const char *e = *in == '\\'   ? "\\\\"
		                : *in == '"'  ? "\\\""
		                : *in == '\n' ? "\\n"
		                              : NULL;
		size_t k = e ? 2 : 1;

		if (o + k >= cap)
			break;
		if (e != NULL)
			memcpy(out + o, e, 2);
		else
			out[o] = *in;
		o += k;
	}
	out[o] = '\0';
}

int
mf_metrics_family(struct mf_buf *out, const char *name, const char *type,
                  const char *help)
{
	return mf_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	                     name, type);
}

int
mf_metrics_sample(struct mf_buf *out, const char *name, const char *labels,
                  double value)
{
	/* %.15g: integers exact up to 10^15, fractions without noise */
	return mf_buf_printf(out, "%s%s%s%s %.15g\n", name,
	                     labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
	                     value);
}

/* The route and method labels of row i. */
static void
route_labels(const struct mf_metrics *m, size_t i, char *out, size_t n)
{
	char route[2 * MF_ROUTE_PATH_MAX];

	if (i == m->nroutes) {
		snprintf(out, n, "route=\"unmatched\",method=\"any\"");
		return;
	}
	mf_metrics_label_escape(route, sizeof(route), m->routes[i].pattern);
	snprintf(out, n, "route=\"%s\",method=\"%s\"", route,
	         m->routes[i].method);
}

static int
write_requests(const struct mf_metrics *m, struct mf_buf *out)
{
	char labels[2 * MF_ROUTE_PATH_MAX + 64], l2[sizeof(labels) + 64];
	unsigned long v;
	size_t i, s;
	int rc;

	rc = mf_metrics_family(
	    out, "modelfacts_http_requests_total", "counter",
	    "HTTP requests answered, by route template, method and status");
	for (i = 0; rc == 0 && i <= m->nroutes; i++) {
		route_labels(m, i, labels, sizeof(labels));
		for (s = 0; rc == 0 && s < STATUS_N; s++) {
			if ((v = atomic_load(&m->rows[i].status[s])) == 0)
				continue;
			snprintf(l2, sizeof(l2),
			         "%s,code=\"%zu\",class=\"%zuxx\"", labels,
			         s + STATUS_MIN, (s + STATUS_MIN) / 100);
			rc = mf_metrics_sample(out,
			                       "modelfacts_http_requests_total",
			                       l2, (double)v);
		}
	}
	return rc;
}

static int
write_histograms(const struct mf_metrics *m, struct mf_buf *out)
{
	static const char name[] = "modelfacts_http_request_duration_seconds";
	char labels[2 * MF_ROUTE_PATH_MAX + 64], l2[sizeof(labels) + 64];
	unsigned long counts[NBUCKETS + 1], total;
	char metric[96];
	size_t i, b;
	int rc;

	rc = mf_metrics_family(out, name, "histogram",
	                       "Time from a request's first byte to its "
	                       "completion, by route template");
	for (i = 0; rc == 0 && i <= m->nroutes; i++) {
		/* 1. a snapshot of the row; routes never asked are left out */
		total = 0;
		for (b = 0; b <= NBUCKETS; b++)
			total += counts[b] =
			    atomic_load(&m->rows[i].buckets[b]);
		if (total == 0)
			continue;
		route_labels(m, i, labels, sizeof(labels));
		/* 2. cumulative buckets, then +Inf, sum and count */
		snprintf(metric, sizeof(metric), "%s_bucket", name);
		total = 0;
		for (b = 0; rc == 0 && b < NBUCKETS; b++) {
			total += counts[b];
			snprintf(l2, sizeof(l2), "%s,le=\"%s\"", labels,
			         bucket_le[b]);
			rc = mf_metrics_sample(out, metric, l2, (double)total);
		}
		total += counts[NBUCKETS];
		snprintf(l2, sizeof(l2), "%s,le=\"+Inf\"", labels);
		if (rc == 0)
			rc = mf_metrics_sample(out, metric, l2, (double)total);
		snprintf(metric, sizeof(metric), "%s_sum", name);
		if (rc == 0)
			rc = mf_metrics_sample(
			    out, metric, labels,
			    (double)atomic_load(&m->rows[i].sum_us) / 1e6);
		snprintf(metric, sizeof(metric), "%s_count", name);
		if (rc == 0)
			rc = mf_metrics_sample(out, metric, labels,
			                       (double)total);
	}
	return rc;
}

static int
write_submissions(const struct mf_metrics *m, struct mf_buf *out)
{
	char labels[128], reason[96];
	const char *name;
	unsigned long v;
	size_t i;
	int rc;

	rc = mf_metrics_family(out, "modelfacts_submissions_accepted_total",
	                       "counter", "POST /v1/submissions answered 2xx");
	if (rc == 0)
		rc = mf_metrics_sample(out,
		                       "modelfacts_submissions_accepted_total",
		                       "", (double)atomic_load(&m->accepted));
	if (rc == 0)
		rc = mf_metrics_family(
		    out, "modelfacts_submissions_rejected_total", "counter",
		    "POST /v1/submissions answered 4xx or 5xx, by the error "
		    "code of the answer");
	for (i = 0; rc == 0 && i < MAX_REASONS; i++) {
		if ((name = atomic_load(&m->reasons[i].name)) == NULL)
			break;
		if ((v = atomic_load(&m->reasons[i].count)) == 0)
			continue;
		mf_metrics_label_escape(reason, sizeof(reason), name);
		snprintf(labels, sizeof(labels), "reason=\"%s\"", reason);
		rc = mf_metrics_sample(out,
		                       "modelfacts_submissions_rejected_total",
		                       labels, (double)v);
	}
	if (rc == 0 && (v = atomic_load(&m->reasons_overflow)) > 0)
		rc = mf_metrics_sample(out,
		                       "modelfacts_submissions_rejected_total",
		                       "reason=\"other\"", (double)v);
	return rc;
}

static int
write_counters(const struct mf_metrics *m, struct mf_buf *out)
{
	static const struct {
		const char *name, *labels, *type, *help;
		enum mf_metrics_counter c;
	} rows[] = {
	    {"modelfacts_rate_limited_total", "limit=\"address\"", "counter",
	     "Requests answered 429 rate_limited, by the bucket that was "
	     "empty",
	     MF_METRIC_LIMITED_ADDRESS},
	    {"modelfacts_rate_limited_total", "limit=\"token\"", NULL, NULL,
	     MF_METRIC_LIMITED_TOKEN},
	    {"modelfacts_rate_limited_total", "limit=\"signing_key\"", NULL,
	     NULL, MF_METRIC_LIMITED_KEY},
	    {"modelfacts_pool_rejected_total", "", "counter",
	     "Requests answered 503 by the worker pool (queue full, or "
	     "waited past --db-timeout)",
	     MF_METRIC_POOL_REJECTED},
	    {"modelfacts_http_connections_refused_total", "", "counter",
	     "Connections refused by the per-address accept policy",
	     MF_METRIC_CONN_REFUSED},
	    {"modelfacts_http_connections_cut_total", "phase=\"header\"",
	     "counter", "Connections closed past their header or body deadline",
	     MF_METRIC_CONN_CUT_HEADER},
	    {"modelfacts_http_connections_cut_total", "phase=\"body\"", NULL,
	     NULL, MF_METRIC_CONN_CUT_BODY},
	};
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].type != NULL)
			rc = mf_metrics_family(out, rows[i].name, rows[i].type,
			                       rows[i].help);
		if (rc == 0)
			rc = mf_metrics_sample(
			    out, rows[i].name, rows[i].labels,
			    (double)atomic_load(&m->counters[rows[i].c]));
	}
	return rc;
}

int
mf_metrics_write(const struct mf_metrics *m, struct mf_buf *out)
{
	int rc;

	if ((rc = write_requests(m, out)) != 0 ||
	    (rc = write_histograms(m, out)) != 0 ||
	    (rc = write_submissions(m, out)) != 0 ||
	    (rc = write_counters(m, out)) != 0)
		return rc;
	if ((rc = mf_metrics_family(out, "modelfacts_build_info", "gauge",
	                            "Always 1; the labels name the build")) !=
	        0 ||
	    (rc = mf_metrics_sample(out, "modelfacts_build_info",
	                            "version=\"" MF_VERSION
	                            "\",api=\"" MF_API_VERSION "\"",
	                            1)) != 0 ||
	    (rc = mf_metrics_family(
	         out, "modelfacts_start_time_seconds", "gauge",
	         "When this process started (Unix time)")) != 0)
		return rc;
	return mf_metrics_sample(out, "modelfacts_start_time_seconds", "",
	                         (double)m->start_s);
}
