/*
 * Leaderboards: one statement each (db/sql.c), the page's cursor checked
 * here. A cursor is "AS_OF:KEY:LOG_INDEX": the log position the first
 * page was read at, and the sort key and log index of the last row
 * shown, so later pages neither repeat nor skip rows while new results
 * arrive.
 */
#include "api/benchmarks.h"
#include "api/export.h"
#include "api/util.h"
#include "common/buf.h"
#include "db/label.h"
#include "db/read.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A benchmark id or metric name: 1 to 200 printable characters. */
static bool
name_valid(const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || i >= 200)
			return false;
	return i > 0;
}

int
mf_h_benchmarks_list(struct mf_request *req)
{
	static const char *const allowed[] = {"as_of", "format", NULL};
	const char *p[1] = {NULL};
	enum mf_format fmt;
	char at[24];

	if (mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt) != 0 ||
	    mf_h_query_allowed(req, allowed, NULL) != 0 ||
	    mf_h_query_as_of_param(req, at, &p[0]) != 0)
		return req->err.code;
	if (fmt != MF_FORMAT_JSON) {
		struct mf_export x = {.stmt = MF_SQL_BENCHMARKS_EXPORT,
		                      .nparams = 1,
		                      .params = p,
		                      .filename = "benchmarks",
		                      .list_key = "benchmarks"};
		return mf_h_export(req, &x, fmt);
	}
	return mf_h_respond_sql_json(req, MF_SQL_BENCHMARKS_LIST,
	                             "no benchmarks", 1, p);
}

/* Splits cursor "AS_OF:KEY:LOG_INDEX" into its parts (text kept in
 * key/idx for the statement). */
static int
cursor_parse(struct mf_request *req, const char *c, int64_t *as_of,
             char key[64], char idx[24])
{
	const char *a = strchr(c, ':'), *b = a ? strchr(a + 1, ':') : NULL;
	char *end;
	long long n, m;
	double k;

	if (a == NULL || b == NULL || a - c > 20 || b - a - 1 > 60 ||
	    b - a - 1 < 1 || strlen(b + 1) > 20)
		goto bad;
	errno = 0;
	n = strtoll(c, &end, 10);
	if (end != a || n < 0 || errno != 0)
		goto bad;
	memcpy(key, a + 1, (size_t)(b - a - 1));
	key[b - a - 1] = '\0';
	k = strtod(key, &end);
	if (*end != '\0' || errno != 0 || !isfinite(k))
		goto bad;
	m = strtoll(b + 1, &end, 10);
	if (*end != '\0' || b[1] == '\0' || m < 0 || errno != 0)
		goto bad;
	*as_of = n;
	snprintf(idx, 24, "%lld", m);
	return 0;
bad:
	return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
	                    "query parameter 'after' is not a cursor this "
	                    "registry gave out");
}

/* A download's name: what is not a letter, digit, '.' or '-' becomes '_'. */
static void
file_part(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		out[i] =
		    ((s[i] >= 'a' && s[i] <= 'z') ||
		     (s[i] >= 'A' && s[i] <= 'Z') ||
		     (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-')
		        ? s[i]
		        : '_';
	out[i] = '\0';
}

/*
 * The leaderboard as CSV or JSON Lines: every row from the cursor on
 * (all of them unless limit= is given), 404 as the JSON when nobody
 * reported a result by then.
 */
static int
leaderboard_export(struct mf_request *req, const char *const p[6], bool limited,
                   enum mf_format fmt)
{
	struct mf_buf found_json = MF_BUF_INIT;
	const char *q[6];
	char filename[200], bench[80], metric[80];
	bool found;
	int rc;

	rc = mf_db_read_json(&found_json, &found, MF_SQL_BENCHMARK_EXISTS, 3, p,
	                     &req->err);
	mf_buf_dispose(&found_json);
	if (rc != 0)
		return rc;
	if (!found)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no results for benchmark %s%s%s at that "
		                    "position",
		                    p[0], p[1] ? " and metric " : "",
		                    p[1] ? p[1] : "");
	memcpy(q, p, sizeof(q));
	q[5] = limited ? p[5] : NULL;
	file_part(bench, sizeof(bench), p[0]);
	file_part(metric, sizeof(metric), p[1] ? p[1] : "");
	snprintf(filename, sizeof(filename), "%s%s%s_leaderboard", bench,
	         p[1] ? "_" : "", metric);
	struct mf_export x = {.stmt = MF_SQL_BENCHMARK_EXPORT,
	                      .nparams = 6,
	                      .params = q,
	                      .filename = filename,
	                      .list_key = "rows"};
	return mf_h_export(req, &x, fmt);
}

int
mf_h_benchmark_get(struct mf_request *req)
{
	static const char *const allowed[] = {"metric", "as_of",  "limit",
	                                      "after",  "format", NULL};
	const char *id = mf_http_param(req, 0);
	const char *metric = mf_http_query(req, "metric");
	const char *after = mf_http_query(req, "after");
	const char *p[6];
	char at[24], key[64], idx[24], limit[24];
	int64_t as_of, n, pinned = -1;
	enum mf_format fmt;
	bool given;
	json_t *body = NULL;
	int rc;

	if (!name_valid(id))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such benchmark");
	if (mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt) != 0 ||
	    mf_h_query_allowed(req, allowed, NULL) != 0 ||
	    mf_h_query_int(req, "limit", 1, 1000, 50, &n) != 0 ||
	    mf_h_query_as_of(req, &as_of, &given) != 0)
		return req->err.code;
	if (metric != NULL && !name_valid(metric))
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'metric' must be 1 to 200 "
		                    "printable characters");
	/* 1. The position read at: the cursor's, as_of, or now. */
	if (after != NULL) {
		if (cursor_parse(req, after, &pinned, key, idx) != 0)
			return req->err.code;
		if (given && as_of != pinned)
			return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
			                    "query parameter 'as_of' differs "
			                    "from the cursor's");
		as_of = pinned;
	} else if (!given && (rc = mf_db_log_index_at(&as_of, "infinity",
	                                              &req->err)) != 0) {
		return rc;
	}
	snprintf(at, sizeof(at), "%lld", (long long)as_of);
	snprintf(limit, sizeof(limit), "%lld", (long long)n);
	p[0] = id;
	p[1] = metric;
	p[2] = at;
	p[3] = after ? key : NULL;
	p[4] = after ? idx : NULL;
	p[5] = limit;
	if (fmt != MF_FORMAT_JSON)
		return leaderboard_export(
		    req, p, mf_http_query(req, "limit") != NULL, fmt);
	/* 2. The page; a benchmark (and metric) nobody reported is not
	 * found. */
	if ((rc = mf_h_sql_json(req, MF_SQL_BENCHMARK_ROWS, 6, p, &body)) != 0)
		return rc;
	if (body == NULL ||
	    json_integer_value(json_object_get(body, "total")) == 0) {
		json_decref(body);
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no results for benchmark %s%s%s%s", id,
		                    metric ? " and metric " : "",
		                    metric ? metric : "",
		                    given || after ? " at that time" : "");
	}
	return mf_http_respond_json(req, 200, body);
}

int
mf_h_envelope_get(struct mf_request *req)
{
	const char *sha = mf_http_param(req, 0);
	size_t i;

	for (i = 0; sha[i]; i++)
		if (!((sha[i] >= '0' && sha[i] <= '9') ||
		      (sha[i] >= 'a' && sha[i] <= 'f')))
			break;
	if (i != 64 || sha[i] != '\0')
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such envelope (the path names a "
		                    "payload's SHA-256 in lowercase hex)");
	if (mf_http_set_header(req, "Cache-Control",
	                       "public, max-age=31536000, immutable") != 0)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	return mf_h_respond_sql_json(req, MF_SQL_ENVELOPE_BY_DIGEST,
	                             "no such envelope", 1, &sha);
}
