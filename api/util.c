/* Shared handler helpers (see util.h). */
#include "api/util.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "db/label.h"
#include "db/read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
mf_h_query_int(struct mf_request *req, const char *name, int64_t min,
               int64_t max, int64_t def, int64_t *out)
{
	const char *v = mf_http_query(req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter '%s' must be an integer "
		                    "from %lld to %lld",
		                    name, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int
mf_h_query_as_of(struct mf_request *req, int64_t *out, bool *given)
{
	const char *v = mf_http_query(req, "as_of");
	int64_t us;
	size_t i;

	*out = -1;
	*given = v != NULL;
	if (v == NULL)
		return 0;
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i > 0 && v[i] == '\0')
		return mf_h_query_int(req, "as_of", 0, INT64_MAX - 1, -1, out);
	if (mf_time_parse_rfc3339(v, &us) != 0)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'as_of' must be a log "
		                    "index or an RFC 3339 date-time such as "
		                    "2025-06-01T00:00:00Z");
	return mf_db_log_index_at(out, v, &req->err);
}

int
mf_h_param_slug(struct mf_request *req, int i, const char **out)
{
	const char *v = mf_http_param(req, i);

	*out = v;
	if (!mf_slug_valid(v))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such resource: %s", req->path);
	return 0;
}

int
mf_h_respond_sql_json(struct mf_request *req, enum mf_sql stmt,
                      const char *missing, int nparams,
                      const char *const *params)
{
	struct mf_buf body = MF_BUF_INIT;
	bool found;
	int rc;

	/* 1. The statement's single json column. */
	if ((rc = mf_db_read_json(&body, &found, stmt, nparams, params,
	                          &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL, "%s",
		                  missing);
		goto done;
	}
	/* 2. Answered byte for byte. */
	rc = mf_http_respond(req, 200, "application/json",
	                     body.data ? body.data : "", body.len, false);
done:
	mf_buf_dispose(&body);
	return rc;
}

/* What mf_h_query_allowed checks each argument against. */
struct query_allowed {
	struct mf_request *req;
	const char *const *allowed, *const *repeatable;
	const char *seen[32];
	size_t nseen;
};

static bool
listed(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int
query_allowed_one(void *ctx, const char *name, const char *value)
{
	struct query_allowed *q = ctx;
	size_t i;

	(void)value;
	if (!listed(q->allowed, name))
		return mf_error_set(&q->req->err, MF_E_BAD_PARAM, NULL,
		                    "unknown query parameter '%.64s'", name);
	if (listed(q->repeatable, name))
		return 0;
	for (i = 0; i < q->nseen; i++)
		if (strcmp(q->seen[i], name) == 0)
			return mf_error_set(&q->req->err, MF_E_BAD_PARAM, NULL,
			                    "query parameter '%.64s' is given "
			                    "more than once",
			                    name);
	if (q->nseen < sizeof(q->seen) / sizeof(q->seen[0]))
		q->seen[q->nseen++] = name;
	return 0;
}

int
mf_h_query_allowed(struct mf_request *req, const char *const *allowed,
                   const char *const *repeatable)
{
	struct query_allowed q = {req, allowed, repeatable, {0}, 0};

	return mf_http_query_each(req, query_allowed_one, &q);
}

int
mf_h_sql_json(struct mf_request *req, enum mf_sql stmt, int nparams,
              const char *const *params, json_t **out)
{
	struct mf_buf text = MF_BUF_INIT;
	bool found;
	int rc;

	*out = NULL;
	if ((rc = mf_db_read_json(&text, &found, stmt, nparams, params,
	                          &req->err)) != 0 ||
	    !found)
		goto done;
	/* the database wrote it: a parse failure is ours */
	if ((*out = mf_json_parse(text.data, text.len, "result", NULL,
	                          &req->err)) == NULL)
		rc = req->err.code ? req->err.code : MF_E_INTERNAL;
done:
	mf_buf_dispose(&text);
	return rc;
}
